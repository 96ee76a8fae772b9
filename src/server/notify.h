// Keyspace notifications (notify-keyspace-events): every command family, expiry and eviction
// report what happened to a key here, and a message goes out on
// __keyspace@<db>__:<key> (payload: the event) and/or __keyevent@<db>__:<event> (payload:
// the key) when the configured classes allow it.
// CONTRACT (being implemented): the signature of NotifyKeyspaceEvent is fixed.
// Thread: command thread only.
#pragma once

#include <cstdint>
#include <string_view>

namespace ember {

class Server;

// `type` is one of the kNotify* class bits of server/config.h (kNotifyGeneric, kNotifyString,
// kNotifyList, kNotifySet, kNotifyHash, kNotifyZset, kNotifyExpired, kNotifyEvicted,
// kNotifyStream, kNotifyKeyMiss, kNotifyNew). Cheap when notifications are off.
void NotifyKeyspaceEvent(Server& server, uint32_t type, std::string_view event,
                         std::string_view key, int db);

}  // namespace ember
