// Consumer groups of a stream (core/stream.h): group and consumer bookkeeping, and the two
// counters XINFO reports about a group's progress, "entries-read" and "lag".
//
// Logical read counters. A stream counts every entry ever added (entries_added). A group
// remembers how many of those it has been handed in order (entries_read): that counter is
// what makes its lag a subtraction, lag = entries_added - entries_read. The counter is only
// trustworthy while nothing was deleted between the group's position and the end of the
// stream: an entry deleted ahead of the group will never be delivered, so a counter bumped
// once per delivery would drift from the logical position. Redis 7.2's rules, kept here:
//
//   - A stream to which nothing was ever added has lag 0 and every id's position is 0.
//   - A group with a known counter and no deletion at or after its last id has the exact lag.
//   - Otherwise a position is recovered only where it is certain: the last id of the stream
//     (position = entries_added), any id at or before the last one of an empty stream
//     (entries_added), the first live entry (entries_added - length + 1) or an id before it
//     (entries_added - length) when no deletion lies at or after the first entry. Anywhere
//     else the position (and so the lag) is unknown and XINFO reports nil.
//
// "A deletion at or after x" is judged by the highest deleted id the stream remembers
// (max_deleted_id): it is conservative, a single XDEL in the middle makes every counter
// behind it unknown until the group reads past it.
#include <optional>
#include <string>
#include <string_view>

#include "core/stream.h"

namespace ember {
namespace {

// True when a deleted entry may lie in [start, end]: only the highest deleted id is known,
// so this is "max_deleted_id is within the range and not before the first live entry".
bool RangeHasTombstones(const Stream& s, StreamId start, StreamId end) {
  StreamId max_deleted = s.max_deleted_id();
  if (s.length() == 0 || max_deleted == StreamId::Min()) return false;
  if (s.first_id() > max_deleted) return false;  // every deletion is before the first entry
  return start <= max_deleted && max_deleted <= end;
}

}  // namespace

StreamConsumer* StreamGroup::FindConsumer(std::string_view name) {
  auto it = consumers.find(name);
  return it == consumers.end() ? nullptr : it->second.get();
}

StreamConsumer* StreamGroup::GetOrCreateConsumer(std::string_view name, int64_t now_ms,
                                                 bool* created) {
  auto it = consumers.find(name);
  if (it != consumers.end()) {
    *created = false;
    return it->second.get();
  }
  auto c = std::make_unique<StreamConsumer>();
  c->name = std::string(name);
  c->seen_time_ms = now_ms;
  c->active_time_ms = -1;
  StreamConsumer* raw = c.get();
  consumers.emplace(raw->name, std::move(c));
  *created = true;
  return raw;
}

size_t StreamGroup::DeleteConsumer(std::string_view name) {
  auto it = consumers.find(name);
  if (it == consumers.end()) return 0;
  StreamConsumer& c = *it->second;
  size_t pending = c.pel.size();
  // The consumer's records are the group's: dropping them acknowledges nothing, the entries
  // simply stop being pending for anyone.
  for (StreamId id : c.pel) pel.erase(id);
  consumers.erase(it);
  return pending;
}

StreamGroup* Stream::FindGroup(std::string_view name) {
  auto it = groups_.find(name);
  return it == groups_.end() ? nullptr : it->second.get();
}

StreamGroup* Stream::CreateGroup(std::string_view name, StreamId last_id, int64_t entries_read) {
  if (groups_.find(name) != groups_.end()) return nullptr;
  auto g = std::make_unique<StreamGroup>();
  g->last_id = last_id;
  g->entries_read = entries_read;
  StreamGroup* raw = g.get();
  groups_.emplace(std::string(name), std::move(g));
  return raw;
}

bool Stream::DestroyGroup(std::string_view name) {
  auto it = groups_.find(name);
  if (it == groups_.end()) return false;
  groups_.erase(it);
  return true;
}

std::optional<uint64_t> Stream::Lag(const StreamGroup& g) const {
  if (entries_added_ == 0) return 0;
  if (g.entries_read >= 0 && !RangeHasTombstones(*this, g.last_id, StreamId::Max())) {
    // May wrap: XGROUP CREATE/SETID ... ENTRIESREAD can claim more reads than entries were
    // added, and Redis then reports a negative lag; callers read the value as int64_t.
    return entries_added_ - uint64_t(g.entries_read);
  }
  std::optional<uint64_t> read = EstimateEntriesRead(g.last_id);
  if (!read) return std::nullopt;
  return entries_added_ - *read;
}

std::optional<uint64_t> Stream::EstimateEntriesRead(StreamId id) const {
  if (entries_added_ == 0) return 0;
  if (length_ == 0 && id <= last_id_) return entries_added_;
  if (id == last_id_) return entries_added_;
  if (id > last_id_) return std::nullopt;  // the future has no position yet
  StreamId first = first_id();
  if (max_deleted_id_ == StreamId::Min() || max_deleted_id_ < first) {
    if (id < first) return entries_added_ - length_;
    if (id == first) return entries_added_ - length_ + 1;
  }
  return std::nullopt;  // somewhere in the middle, or behind a deletion
}

void Stream::AdvanceGroup(StreamGroup& g, StreamId id) const {
  if (g.entries_read >= 0 && !RangeHasTombstones(*this, id, StreamId::Max())) {
    g.entries_read++;  // nothing deleted ahead: one delivery is one logical step
  } else if (entries_added_ != 0) {
    std::optional<uint64_t> read = EstimateEntriesRead(id);
    g.entries_read = read ? int64_t(*read) : -1;
  }
  g.last_id = id;
}

}  // namespace ember
