// ZSet commands (being written; registration placeholder).
#include "server/command_table.h"

namespace ember {

void RegisterZSetFamily(CommandTable& t) { (void)t; }

}  // namespace ember
