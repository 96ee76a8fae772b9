// Stream commands without consumer groups (XADD, XRANGE, XREAD ...).
#include "server/command_table.h"

namespace ember {

void RegisterStreamFamily(CommandTable& t) { (void)t; }

}  // namespace ember
