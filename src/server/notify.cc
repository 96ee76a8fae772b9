// Keyspace notifications (see notify.h).
#include "server/notify.h"

#include "server/server.h"

namespace ember {

void NotifyKeyspaceEvent(Server& server, uint32_t type, std::string_view event,
                         std::string_view key, int db) {
  (void)server, (void)type, (void)event, (void)key, (void)db;
}

}  // namespace ember
