// Hash commands (being written; registration placeholder).
#include "server/command_table.h"

namespace ember {

void RegisterHashFamily(CommandTable& t) { (void)t; }

}  // namespace ember
