// Client command family (placeholder registration until the family lands).
#include "server/command_table.h"

namespace ember {

void RegisterClientFamily(CommandTable& t) { (void)t; }

}  // namespace ember
