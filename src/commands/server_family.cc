// Server command family (placeholder registration until the family lands).
#include "server/command_table.h"

namespace ember {

void RegisterServerFamily(CommandTable& t) { (void)t; }

}  // namespace ember
