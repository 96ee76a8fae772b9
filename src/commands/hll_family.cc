// HyperLogLog commands (PFADD, PFCOUNT, PFMERGE) on Redis-layout HLL strings.
#include "server/command_table.h"

namespace ember {

void RegisterHyperLogLogFamily(CommandTable& t) {}

}  // namespace ember
