// Pub/Sub commands (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, PUBLISH, PUBSUB ...).
#include "server/command_table.h"

namespace ember {

void RegisterPubSubFamily(CommandTable& t) { (void)t; }

}  // namespace ember
