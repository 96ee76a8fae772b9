// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
#include "server/command_table.h"

namespace ember {

void RegisterMultiFamily(CommandTable& t) {}

}  // namespace ember
