// Keyspace notifications (see notify.h): the class filter and the two channel names.
#include "server/notify.h"

#include <charconv>
#include <string>

#include "server/command_context.h"
#include "server/config.h"
#include "server/server.h"

namespace ember {

namespace {

// Channel names are built here: the command thread is the only caller and Publish does not
// notify, so one buffer whose capacity survives between events is enough (no allocation per
// event once it has grown to the longest name seen).
std::string& ChannelBuffer() {
  static std::string buf;
  return buf;
}

// "__<kind>@<db>__:<suffix>"
std::string_view BuildChannel(std::string_view kind, int db, std::string_view suffix) {
  std::string& buf = ChannelBuffer();
  char num[12];
  auto [end, ec] = std::to_chars(num, num + sizeof(num), db);
  (void)ec;
  buf.clear();
  buf.append("__").append(kind).append("@");
  buf.append(num, end);
  buf.append("__:").append(suffix);
  return buf;
}

}  // namespace

void NotifyKeyspaceEvent(Server& server, uint32_t type, std::string_view event,
                         std::string_view key, int db) {
  const uint32_t flags = server.cfg().notify_keyspace_event_flags;
  if ((flags & type) == 0 || (flags & (kNotifyKeyspace | kNotifyKeyevent)) == 0) return;
  PubSub& ps = server.pubsub();
  // Nobody listens on any channel or pattern: no names to build (Publish would drop them).
  if (ps.size(SubKind::kChannel) == 0 && ps.size(SubKind::kPattern) == 0) return;
  if (flags & kNotifyKeyspace) ps.Publish(BuildChannel("keyspace", db, key), event);
  if (flags & kNotifyKeyevent) ps.Publish(BuildChannel("keyevent", db, event), key);
}

void NotifyKeyspaceEvent(CommandContext& ctx, uint32_t type, std::string_view event,
                         std::string_view key) {
  NotifyKeyspaceEvent(ctx.server(), type, event, key, ctx.client().db_index);
}

void NotifyEvicted(Server& server, int db, std::string_view key) {
  NotifyKeyspaceEvent(server, kNotifyEvicted, "evicted", key, db);
}

}  // namespace ember
