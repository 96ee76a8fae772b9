// Set commands (being written; registration placeholder).
#include "server/command_table.h"

namespace ember {

void RegisterSetFamily(CommandTable& t) { (void)t; }

}  // namespace ember
