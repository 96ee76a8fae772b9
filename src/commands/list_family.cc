// List commands (being written; registration placeholder).
#include "server/command_table.h"

namespace ember {

void RegisterListFamily(CommandTable& t) { (void)t; }

}  // namespace ember
