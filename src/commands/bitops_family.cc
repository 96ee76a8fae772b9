// Bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD) on string values.
#include "server/command_table.h"

namespace ember {

void RegisterBitopsFamily(CommandTable& t) {}

}  // namespace ember
