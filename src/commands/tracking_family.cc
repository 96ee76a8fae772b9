// Client-side caching commands (CLIENT TRACKING, CACHING, GETREDIR, TRACKINGINFO).
#include "server/command_table.h"

namespace ember {

void RegisterTrackingFamily(CommandTable& t) { (void)t; }

}  // namespace ember
