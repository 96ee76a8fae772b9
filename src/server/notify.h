// Keyspace notifications (notify-keyspace-events): every command family, expiry and eviction
// report what happened to a key here, and a message goes out on
// __keyspace@<db>__:<key> (payload: the event) and/or __keyevent@<db>__:<event> (payload:
// the key) when the configured classes allow it.
//
// Who reports what (Redis 7.2 names, classes and order):
//  - command handlers call NotifyKeyspaceEvent after their change, in the order Redis does
//    (e.g. "lpop" then "del" when a pop empties a list);
//  - the Server, as KeyspaceObserver, reports what the Db does on its own: "expired" (lazy and
//    active expiry), "new" (Db::Add links a key that did not exist), "keymiss" (a read lookup
//    found nothing) and "hexpired" (+ "del") when hash fields expire;
//  - eviction reports "evicted" through NotifyEvicted.
// Cost: with notifications off (or the event's class off) a call is one flags test; when on
// but nobody is subscribed to anything, two size checks; otherwise the channel names are
// built in a reused buffer (no allocation once warm) and handed to PubSub::Publish.
// Thread: command thread only.
#pragma once

#include <cstdint>
#include <string_view>

namespace ember {

class CommandContext;
class Server;

// `type` is one of the kNotify* class bits of server/config.h (kNotifyGeneric, kNotifyString,
// kNotifyList, kNotifySet, kNotifyHash, kNotifyZset, kNotifyExpired, kNotifyEvicted,
// kNotifyStream, kNotifyKeyMiss, kNotifyNew). Cheap when notifications are off.
void NotifyKeyspaceEvent(Server& server, uint32_t type, std::string_view event,
                         std::string_view key, int db);

// Shorthand for handlers: `key` lives in the client's selected database.
void NotifyKeyspaceEvent(CommandContext& ctx, uint32_t type, std::string_view event,
                         std::string_view key);

// For the eviction code: `key` of `db` was removed to free memory.
void NotifyEvicted(Server& server, int db, std::string_view key);

}  // namespace ember
