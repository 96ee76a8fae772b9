// Stream consumer-group commands (XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM, XINFO).
#include "server/command_table.h"

namespace ember {

void RegisterStreamGroupFamily(CommandTable& t) { (void)t; }

}  // namespace ember
