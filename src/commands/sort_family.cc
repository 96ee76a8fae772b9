// SORT and SORT_RO over lists, sets and sorted sets.
#include "server/command_table.h"

namespace ember {

void RegisterSortFamily(CommandTable& t) {}

}  // namespace ember
