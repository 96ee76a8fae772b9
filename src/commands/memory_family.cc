// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE.
#include "server/command_table.h"

namespace ember {

void RegisterMemoryFamily(CommandTable& t) {}

}  // namespace ember
