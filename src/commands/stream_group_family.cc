// Stream consumer groups: XGROUP (CREATE, SETID, DESTROY, CREATECONSUMER, DELCONSUMER, HELP),
// XREADGROUP, XACK, XPENDING, XCLAIM and XAUTOCLAIM, with Redis 7.2's replies, errors and
// keyspace events. XINFO lives in stream_info.cc; the group structures and their counters in
// core/stream_group.cc.
//
// A group hands each entry to one consumer and remembers it as pending (the group PEL, one
// record per id, shared with the owning consumer's index) until XACK. XREADGROUP ">" delivers
// entries after the group's last-delivered id and moves that id forward; any other id re-reads
// the caller's own pending entries. XCLAIM / XAUTOCLAIM move pending records between
// consumers; records of entries deleted from the stream are dropped when met there.
//
// Consumers carry two clocks (Redis 7.2): seen-time, refreshed by every XREADGROUP, XCLAIM and
// XAUTOCLAIM naming them, and active-time, refreshed only when they actually get an entry
// (XREADGROUP ">" without NOACK, a successful claim).
//
// Blocking: XREADGROUP ... BLOCK with ">" parks the client on its keys with
// wake_on_any_change (server/blocking.h): the handler runs again on any change of a key, and
// then replies what it finds, an error when the key or group is gone (NOGROUP) or the key holds
// another type (WRONGTYPE), or blocks again.
#include <algorithm>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <absl/container/btree_map.h>

#include "commands/stream_util.h"
#include "core/stream.h"
#include "server/arg_parser.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {

void RegisterStreamInfoFamily(CommandTable& t);  // stream_info.cc

namespace {

using PelIter = absl::btree_map<StreamId, StreamPendingEntry>::iterator;

void Notify(CommandContext& ctx, std::string_view event, std::string_view key) {
  NotifyKeyspaceEvent(ctx.server(), kNotifyStream, event, key, ctx.client().db_index);
}

// The consumer `name` of g, created (with its keyspace event) when missing; its seen-time is
// refreshed either way, as every command naming a consumer does.
StreamConsumer* TouchConsumer(CommandContext& ctx, StreamGroup& g, std::string_view name,
                              std::string_view key, int64_t now) {
  bool created;
  StreamConsumer* c = g.GetOrCreateConsumer(name, now, &created);
  if (created) Notify(ctx, "xgroup-createconsumer", key);
  c->seen_time_ms = now;
  return c;
}

// Removes `id` from a consumer's index. find + erase(iterator) walks the tree once, where
// erase(key) would search for the equal range (XACK spends most of its time in these walks).
void UnindexPending(StreamConsumer& c, StreamId id) {
  auto it = c.pel.find(id);
  if (it != c.pel.end()) c.pel.erase(it);
}

// Drops a pending record from the group and from its owner's index.
void RemovePending(StreamGroup& g, PelIter it) {
  if (it->second.consumer) UnindexPending(*it->second.consumer, it->first);
  g.pel.erase(it);
}

// Makes c the owner of pending record `pe` (of entry `id`). Only consumer indexes change, so
// `pe` (a reference into the group PEL) stays valid.
void MoveToConsumer(StreamPendingEntry& pe, StreamId id, StreamConsumer& c) {
  if (pe.consumer == &c) return;
  if (pe.consumer) UnindexPending(*pe.consumer, id);
  pe.consumer = &c;
  c.pel.insert(c.pel.end(), id);  // new deliveries come in id order: the hint is usually right
}

// Records the delivery of entry `id` to c: a new pending record, or the existing one (the
// group was moved back by XGROUP SETID) handed to c with its delivery counter restarted.
void RecordDelivery(StreamGroup& g, StreamConsumer& c, StreamId id, int64_t now) {
  auto it = g.pel.try_emplace(g.pel.end(), id);
  StreamPendingEntry& pe = it->second;
  MoveToConsumer(pe, id, c);
  pe.delivery_time_ms = now;
  pe.delivery_count = 1;
}

bool EntryExists(const Stream& s, StreamId id) {
  return s.Get(id, [](StreamId, std::span<const std::string_view>) { return true; });
}

// Replies one entry by id ([id, [f, v ...]]); false (nothing written) if it is gone.
bool ReplyEntryById(ReplyBuilder& rb, const Stream& s, StreamId id) {
  return s.Get(id, [&rb](StreamId eid, std::span<const std::string_view> fv) {
    stream_util::ReplyEntry(rb, eid, fv);
    return true;
  });
}

// --- propagation -------------------------------------------------------------------------------
// Group state changes replay as idempotent commands with explicit values, as Redis writes
// them: a delivery or claim of `id` as "XCLAIM key group consumer 0 id TIME t RETRYCOUNT n
// FORCE JUSTID LASTID group-last-id", a NOACK read as "XGROUP SETID key group id ENTRIESREAD n".

void PropagateXClaim(CommandContext& ctx, std::string_view key, std::string_view group,
                     const StreamGroup& g, StreamId id, const StreamPendingEntry& pe) {
  ctx.server().AddDirty(1);
  if (!ctx.propagating()) return;  // XREADGROUP calls this per delivered entry
  ctx.AlsoPropagate({"XCLAIM", std::string(key), std::string(group),
                     pe.consumer ? pe.consumer->name : std::string(), "0", id.ToString(), "TIME",
                     std::to_string(pe.delivery_time_ms), "RETRYCOUNT",
                     std::to_string(pe.delivery_count), "FORCE", "JUSTID", "LASTID",
                     g.last_id.ToString()});
}

// A consumer created by a command that propagates nothing naming it: XGROUP CREATECONSUMER.
void PropagateConsumer(CommandContext& ctx, std::string_view key, std::string_view group,
                       std::string_view consumer) {
  ctx.server().AddDirty(1);
  if (!ctx.propagating()) return;
  ctx.AlsoPropagate(
      {"XGROUP", "CREATECONSUMER", std::string(key), std::string(group), std::string(consumer)});
}

void PropagateGroupId(CommandContext& ctx, std::string_view key, std::string_view group,
                      const StreamGroup& g) {
  ctx.server().AddDirty(1);
  if (!ctx.propagating()) return;
  ctx.AlsoPropagate({"XGROUP", "SETID", std::string(key), std::string(group), g.last_id.ToString(),
                     "ENTRIESREAD", std::to_string(g.entries_read)});
}

// Parses an integer argument; false after replying `err` (Redis's not-an-integer text unless
// a command has its own).
bool IntArg(CommandContext& ctx, std::string_view arg, int64_t* out,
            std::string_view err = errors::kNotInteger) {
  if (ParseInt64(arg, out)) return true;
  ctx.reply().Error(err);
  return false;
}

bool ReplyIfError(CommandContext& ctx, std::string_view err) {
  if (err.empty()) return false;
  ctx.reply().Error(err);
  return true;
}

// ---------------------------------------------------------------------------------------------
// XGROUP

enum class XGroupSub { kCreate, kSetId, kDestroy, kCreateConsumer, kDelConsumer };

// What every XGROUP subcommand but HELP resolves first, in Redis's order: the options of
// CREATE / SETID, then the key (WRONGTYPE; absent only with MKSTREAM), then the group where the
// subcommand needs one.
struct XGroupTarget {
  Stream* s = nullptr;
  StreamGroup* g = nullptr;
  bool mkstream = false;
  int64_t entries_read = -1;
};

bool ParseXGroupOptions(CommandContext& ctx, XGroupSub sub, XGroupTarget* t) {
  bool create = sub == XGroupSub::kCreate;
  bool setid = sub == XGroupSub::kSetId;
  for (size_t i = 5; i < ctx.argc();) {
    std::string_view a = ctx.arg(i);
    if (create && EqualsIgnoreCase(a, "MKSTREAM")) {
      t->mkstream = true;
      i++;
    } else if ((create || setid) && EqualsIgnoreCase(a, "ENTRIESREAD") && i + 1 < ctx.argc()) {
      if (!IntArg(ctx, ctx.arg(i + 1), &t->entries_read)) return false;
      if (t->entries_read < -1) {
        ctx.reply().Error(errors::kXGroupEntriesRead);
        return false;
      }
      i += 2;
    } else {
      ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "XGROUP"));
      return false;
    }
  }
  return true;
}

bool ResolveXGroup(CommandContext& ctx, XGroupSub sub, XGroupTarget* t) {
  if (!ParseXGroupOptions(ctx, sub, t)) return false;
  if (!stream_util::LookupStream(ctx, ctx.arg(2), true, &t->s)) return false;
  if (t->mkstream) return true;
  if (!t->s) {
    ctx.reply().Error(errors::kXGroupNoKey);
    return false;
  }
  t->g = t->s->FindGroup(ctx.arg(3));
  if (!t->g && sub != XGroupSub::kCreate && sub != XGroupSub::kDestroy) {
    ctx.reply().Error(errors::NoSuchGroupForKey(ctx.arg(3), ctx.arg(2)));
    return false;
  }
  return true;
}

// XGROUP CREATE key group id | $ [MKSTREAM] [ENTRIESREAD entries-read]
void XGroupCreate(CommandContext& ctx) {
  XGroupTarget t;
  if (!ResolveXGroup(ctx, XGroupSub::kCreate, &t)) return;
  if (ctx.argc() > 8) {
    return ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "XGROUP"));
  }
  StreamId id;
  if (ctx.arg(4) == "$") {
    id = t.s ? t.s->last_id() : StreamId::Min();
  } else if (ReplyIfError(ctx, stream_util::ParseStrictId(ctx.arg(4), 0, &id))) {
    return;
  }
  std::string_view key = ctx.arg(2);
  if (!t.s) {  // MKSTREAM, now that nothing can fail
    t.s = stream_util::CreateStream(ctx, key);
    ctx.db().NotifyModified(key);
  }
  if (!t.s->CreateGroup(ctx.arg(3), id, t.entries_read)) {
    return ctx.reply().Error(errors::kBusyGroup);
  }
  ctx.server().AddDirty(1);  // group changes are changes to save and propagate (Redis)
  ctx.reply().Ok();
  Notify(ctx, "xgroup-create", key);
}

// XGROUP SETID key group id | $ [ENTRIESREAD entries-read]
void XGroupSetId(CommandContext& ctx) {
  XGroupTarget t;
  if (!ResolveXGroup(ctx, XGroupSub::kSetId, &t)) return;
  if (ctx.argc() != 5 && ctx.argc() != 7) {
    return ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "XGROUP"));
  }
  StreamId id;
  if (ctx.arg(4) == "$") {
    id = t.s->last_id();
  } else if (ReplyIfError(ctx, stream_util::ParseId(ctx.arg(4), 0, &id))) {
    return;
  }
  t.g->last_id = id;
  t.g->entries_read = t.entries_read;
  ctx.server().AddDirty(1);
  ctx.reply().Ok();
  Notify(ctx, "xgroup-setid", ctx.arg(2));
}

// XGROUP DESTROY key group
void XGroupDestroy(CommandContext& ctx) {
  XGroupTarget t;
  if (!ResolveXGroup(ctx, XGroupSub::kDestroy, &t)) return;
  if (!t.g) return ctx.reply().Integer(0);
  t.s->DestroyGroup(ctx.arg(3));
  ctx.server().AddDirty(1);
  ctx.reply().Integer(1);
  Notify(ctx, "xgroup-destroy", ctx.arg(2));
  // Clients blocked in XREADGROUP on this group run again and get NOGROUP. The key's value
  // did not change for anybody else (no WATCH invalidation), hence the blocking layer only.
  ctx.server().blocking().OnModified(ctx.client().db_index, ctx.arg(2));
}

// XGROUP CREATECONSUMER key group consumer
void XGroupCreateConsumer(CommandContext& ctx) {
  XGroupTarget t;
  if (!ResolveXGroup(ctx, XGroupSub::kCreateConsumer, &t)) return;
  bool created;
  t.g->GetOrCreateConsumer(ctx.arg(4), ctx.NowMs(), &created);
  ctx.reply().Integer(created ? 1 : 0);
  if (created) ctx.server().AddDirty(1);
  if (created) Notify(ctx, "xgroup-createconsumer", ctx.arg(2));
}

// XGROUP DELCONSUMER key group consumer
void XGroupDelConsumer(CommandContext& ctx) {
  XGroupTarget t;
  if (!ResolveXGroup(ctx, XGroupSub::kDelConsumer, &t)) return;
  // Propagated even when the consumer is missing, as Redis does.
  ctx.server().AddDirty(1);
  if (!t.g->FindConsumer(ctx.arg(4))) return ctx.reply().Integer(0);
  ctx.reply().Integer(int64_t(t.g->DeleteConsumer(ctx.arg(4))));
  Notify(ctx, "xgroup-delconsumer", ctx.arg(2));
}

// XGROUP HELP
void XGroupHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CREATE <key> <groupname> <id|$> [option]",
      "    Create a consumer group that starts after <id> ($: the stream's last id). Options:",
      "    * MKSTREAM",
      "      Create an empty stream first if the key does not exist.",
      "    * ENTRIESREAD entries_read",
      "      Set the group's logical read counter (used by replication).",
      "CREATECONSUMER <key> <groupname> <consumer>",
      "    Add a consumer to the group.",
      "DELCONSUMER <key> <groupname> <consumer>",
      "    Remove a consumer and its pending entries from the group.",
      "DESTROY <key> <groupname>",
      "    Remove the group.",
      "SETID <key> <groupname> <id|$> [ENTRIESREAD entries_read]",
      "    Move the group's last delivered id and set its read counter.",
      "HELP",
      "    Print this help.",
  };
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(std::size(kLines) + 1);
  r.SimpleString("XGROUP <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view l : kLines) r.SimpleString(l);
}

// ---------------------------------------------------------------------------------------------
// XREADGROUP

// One "key id" pair of the STREAMS list, resolved against the keyspace.
struct ReadTarget {
  std::string_view key;
  Stream* s = nullptr;
  StreamGroup* g = nullptr;
  StreamConsumer* c = nullptr;
  bool history = false;  // an explicit id: re-read the consumer's pending entries after it
  StreamId after;        // history: entries after this id
  bool created = false;  // the consumer was created by this read
  bool claimed = false;  // an XCLAIM naming the consumer was propagated
};

struct ReadGroupArgs {
  std::string_view group, consumer;
  int64_t count = 0;  // 0 = no limit
  bool noack = false;
  bool block = false;
  int64_t deadline = 0;
  size_t streams_pos = 0;  // index of the first key
  size_t nstreams = 0;
};

// The options before STREAMS, in Redis's order of checks; false after replying an error.
bool ParseReadGroupArgs(CommandContext& ctx, int64_t now, ReadGroupArgs* a) {
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view o = ctx.arg(i);
    size_t more = ctx.argc() - i - 1;
    if (EqualsIgnoreCase(o, "BLOCK") && more) {
      if (ctx.server().script_running()) {  // refused outright rather than ignored, as Redis does
        ctx.reply().Error(errors::StreamBlockInScript(ctx.arg(0)));
        return false;
      }
      a->block = true;
      if (ReplyIfError(ctx, stream_util::ParseBlockMs(ctx.arg(++i), now, &a->deadline))) {
        return false;
      }
    } else if (EqualsIgnoreCase(o, "COUNT") && more) {
      if (!IntArg(ctx, ctx.arg(++i), &a->count)) return false;
      a->count = std::max<int64_t>(a->count, 0);
    } else if (EqualsIgnoreCase(o, "STREAMS") && more) {
      a->streams_pos = i + 1;
      if ((ctx.argc() - a->streams_pos) % 2 != 0) {
        ctx.reply().Error(errors::StreamUnbalanced("xreadgroup", '>'));
        return false;
      }
      a->nstreams = (ctx.argc() - a->streams_pos) / 2;
      break;
    } else if (EqualsIgnoreCase(o, "GROUP") && more >= 2) {
      a->group = ctx.arg(i + 1);
      a->consumer = ctx.arg(i + 2);
      i += 2;
    } else if (EqualsIgnoreCase(o, "NOACK")) {
      a->noack = true;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  if (a->streams_pos == 0) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  if (a->group.data() == nullptr) {
    ctx.reply().Error(errors::kXReadGroupMissingGroup);
    return false;
  }
  return true;
}

// Resolves each stream (type, group) and its id, stream by stream as Redis does; false after
// replying an error.
bool ResolveReadTargets(CommandContext& ctx, const ReadGroupArgs& a,
                        std::span<ReadTarget> targets) {
  for (size_t i = 0; i < a.nstreams; i++) {
    ReadTarget& t = targets[i];
    t.key = ctx.arg(a.streams_pos + i);
    KvEntry* e;
    if (!stream_util::LookupStream(ctx, t.key, false, &t.s, &e)) return false;
    if (e) ctx.db().WillModify(e);  // the group and its PEL change in place (snapshot hook)
    if (!t.s || !(t.g = t.s->FindGroup(a.group))) {
      ctx.reply().Error(errors::NoSuchKeyOrGroupInXReadGroup(t.key, a.group));
      return false;
    }
    stream_util::ReadId rid;
    std::string_view err = stream_util::ParseReadId(ctx.arg(a.streams_pos + a.nstreams + i), &rid);
    if (err.empty() && rid.kind == stream_util::ReadIdKind::kDollar) {
      err = errors::kXReadGroupDollar;
    } else if (err.empty() && rid.kind == stream_util::ReadIdKind::kPlus) {
      err = errors::kStreamInvalidId;  // "+" means nothing to XREADGROUP in 7.2
    }
    if (ReplyIfError(ctx, err)) return false;
    // Redis marks ">" internally with the largest id, so that id given explicitly reads new
    // entries too.
    t.history = rid.kind == stream_util::ReadIdKind::kExplicit && rid.id != StreamId::Max();
    t.after = rid.id;
  }
  return true;
}

// Delivers entries after the group's last id to t.c: replies them as an array and records
// them pending unless NOACK. Returns how many.
size_t ServeNewEntries(ReplyBuilder& rb, ReadTarget& t, size_t count, bool noack, int64_t now,
                       std::vector<StreamId>* delivered) {
  StreamId start;
  size_t mark = rb.buffer()->size();
  size_t n = 0;
  if (t.g->last_id.Next(&start)) {
    n = t.s->Range(start, StreamId::Max(), false, count,
                   [&](StreamId id, std::span<const std::string_view> fv) {
                     t.s->AdvanceGroup(*t.g, id);
                     stream_util::ReplyEntry(rb, id, fv);
                     if (!noack) {
                       RecordDelivery(*t.g, *t.c, id, now);
                       t.c->active_time_ms = now;
                       if (delivered) delivered->push_back(id);
                     }
                     return true;
                   });
  }
  stream_util::InsertArrayHeader(rb, mark, n);
  return n;
}

// Re-delivers t.c's pending entries after t.after (at most `count`, 0 = all). An entry
// deleted from the stream since is reported as [id, nil] and its record left alone.
void ServeHistory(ReplyBuilder& rb, ReadTarget& t, size_t count, int64_t now) {
  size_t mark = rb.buffer()->size();
  size_t n = 0;
  StreamId start;
  (void)t.after.Next(&start);  // t.after < Max (Max reads new entries)
  for (auto it = t.c->pel.lower_bound(start); it != t.c->pel.end(); ++it) {
    if (count && n == count) break;
    StreamId id = *it;
    if (ReplyEntryById(rb, *t.s, id)) {
      StreamPendingEntry& pe = t.g->pel.find(id)->second;  // exists: the index invariant
      pe.delivery_time_ms = now;
      pe.delivery_count++;
    } else {
      rb.ArrayHeader(2);
      char buf[48];
      rb.Bulk(std::string_view(buf, id.Format(buf)));
      rb.NullArray();
    }
    n++;
  }
  stream_util::InsertArrayHeader(rb, mark, n);
}

// The top-level reply of XREADGROUP: [[key, entries] ...] in RESP2, a map key -> entries in
// RESP3; its size is known once the streams are served, so it goes in front of them.
void InsertStreamsHeader(ReplyBuilder& rb, size_t mark, size_t n) {
  if (rb.resp() == 2) return stream_util::InsertArrayHeader(rb, mark, n);
  char buf[32];
  buf[0] = '%';
  size_t len = 1 + Int64ToChars(int64_t(n), buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  rb.buffer()->insert(mark, buf, len);
}

// What reading new entries of t propagates: an XCLAIM per entry delivered (the group's new
// position rides along as LASTID) or, with NOACK, the group's new position. Clears *ids.
void PropagateDeliveries(CommandContext& ctx, const ReadGroupArgs& a, ReadTarget& t,
                         std::vector<StreamId>& ids) {
  t.claimed = t.claimed || !ids.empty();
  for (StreamId id : ids) {
    PropagateXClaim(ctx, t.key, a.group, *t.g, id, t.g->pel.find(id)->second);
  }
  if (a.noack) PropagateGroupId(ctx, t.key, a.group, *t.g);
  ids.clear();
}

// Replies every stream that has something for the caller; returns how many did.
size_t ServeReadTargets(CommandContext& ctx, const ReadGroupArgs& a, std::span<ReadTarget> targets,
                        int64_t now) {
  ReplyBuilder& rb = ctx.reply();
  size_t mark = rb.buffer()->size();
  size_t served = 0;
  std::vector<StreamId> delivered;
  std::vector<StreamId>* delivered_ptr = ctx.propagating() ? &delivered : nullptr;
  for (ReadTarget& t : targets) {
    // A ">" read is served only when an entry after the group's position still exists (an
    // XDEL'd tail does not count), so an empty answer never comes back as an empty array.
    bool serve = t.history || (t.s->length() && t.s->last_entry_id() > t.g->last_id);
    if (!serve) continue;
    served++;
    if (rb.resp() == 2) rb.ArrayHeader(2);
    rb.Bulk(t.key);
    if (t.history) {
      ServeHistory(rb, t, size_t(a.count), now);
    } else {
      ServeNewEntries(rb, t, size_t(a.count), a.noack, now, delivered_ptr);
      if (delivered_ptr) PropagateDeliveries(ctx, a, t, delivered);
    }
  }
  if (served) InsertStreamsHeader(rb, mark, served);
  return served;
}

// XREADGROUP GROUP group consumer [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS key
// [key ...] id [id ...]
void XReadGroup(CommandContext& ctx) {
  int64_t now = ctx.NowMs();
  ReadGroupArgs a;
  if (!ParseReadGroupArgs(ctx, now, &a)) return;
  constexpr size_t kInline = 4;
  ReadTarget inline_targets[kInline];
  std::vector<ReadTarget> heap_targets;
  std::span<ReadTarget> targets(inline_targets, std::min(a.nstreams, kInline));
  if (a.nstreams > kInline) {
    heap_targets.resize(a.nstreams);
    targets = heap_targets;
  }
  if (!ResolveReadTargets(ctx, a, targets)) return;
  // Its effects propagate as XCLAIM / XGROUP SETID / XGROUP CREATECONSUMER, never itself.
  ctx.PreventPropagation();
  // Consumers (and their creation events) before any reply byte is written.
  bool prop = ctx.propagating();
  for (ReadTarget& t : targets) {
    t.created = prop && !t.g->FindConsumer(a.consumer);
    // With NOACK no XCLAIM creates the consumer where the stream replays (Redis).
    if (t.created && a.noack) PropagateConsumer(ctx, t.key, a.group, a.consumer);
    t.c = TouchConsumer(ctx, *t.g, a.consumer, t.key, now);
  }
  size_t served = ServeReadTargets(ctx, a, targets, now);
  for (ReadTarget& t : targets) {
    if (t.created && !t.claimed && !a.noack) PropagateConsumer(ctx, t.key, a.group, a.consumer);
  }
  if (served != 0) return;
  if (a.block && ctx.CanBlock()) {
    return ctx.Block(ctx.args().subspan(a.streams_pos, a.nstreams), a.deadline, ObjType::kStream,
                     /*wake_on_any_change=*/true);
  }
  ctx.reply().NullArray();
}

// ---------------------------------------------------------------------------------------------
// XACK

// Looks up key's group for XACK/XPENDING/XCLAIM/XAUTOCLAIM (a read lookup, as Redis). False
// after replying WRONGTYPE; *g is nullptr when the key or the group is missing.
bool LookupGroup(CommandContext& ctx, std::string_view key, std::string_view group, Stream** s,
                 StreamGroup** g) {
  *g = nullptr;
  KvEntry* e;
  if (!stream_util::LookupStream(ctx, key, false, s, &e)) return false;
  if (e) ctx.db().WillModify(e);  // XACK/XCLAIM change the group in place (snapshot hook)
  if (*s) *g = (*s)->FindGroup(group);
  return true;
}

// Checks that args[from..] are all strict ids; false after replying the first error.
bool CheckStrictIds(CommandContext& ctx, size_t from) {
  StreamId id;
  for (size_t i = from; i < ctx.argc(); i++) {
    if (ReplyIfError(ctx, stream_util::ParseStrictId(ctx.arg(i), 0, &id))) return false;
  }
  return true;
}

// XACK key group id [id ...]
void XAck(CommandContext& ctx) {
  Stream* s;
  StreamGroup* g;
  if (!LookupGroup(ctx, ctx.arg(1), ctx.arg(2), &s, &g)) return;
  if (!g) return ctx.reply().Integer(0);
  // All or nothing: a bad id anywhere acknowledges nothing.
  if (!CheckStrictIds(ctx, 3)) return;
  int64_t acked = 0;
  for (size_t i = 3; i < ctx.argc(); i++) {
    StreamId id;
    (void)stream_util::ParseStrictId(ctx.arg(i), 0, &id);
    auto it = g->pel.find(id);
    if (it == g->pel.end()) continue;
    RemovePending(*g, it);
    acked++;
  }
  ctx.server().AddDirty(uint64_t(acked));
  ctx.reply().Integer(acked);
}

// ---------------------------------------------------------------------------------------------
// XPENDING

struct PendingRange {
  int64_t min_idle = 0;
  StreamId start, end;
  int64_t count = 0;
  std::string_view consumer;  // empty data(): all consumers
};

// Parses "[IDLE min-idle-time] start end count [consumer]" in Redis's order (count before the
// ids); false after replying an error.
bool ParsePendingRange(CommandContext& ctx, PendingRange* p) {
  size_t pos = 3;
  if (EqualsIgnoreCase(ctx.arg(3), "IDLE")) {
    if (!IntArg(ctx, ctx.arg(4), &p->min_idle)) return false;
    if (ctx.argc() < 8) {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
    pos += 2;
  }
  if (!IntArg(ctx, ctx.arg(pos + 2), &p->count)) return false;
  p->count = std::max<int64_t>(p->count, 0);
  if (ReplyIfError(ctx, stream_util::ParseRangeStart(ctx.arg(pos), &p->start))) return false;
  if (ReplyIfError(ctx, stream_util::ParseRangeEnd(ctx.arg(pos + 1), &p->end))) return false;
  if (pos + 3 < ctx.argc()) p->consumer = ctx.arg(pos + 3);
  return true;
}

// XPENDING key group: [count, first id, last id, [[consumer, count] ...]].
void ReplyPendingSummary(ReplyBuilder& rb, const StreamGroup& g) {
  rb.ArrayHeader(4);
  rb.Integer(int64_t(g.pel.size()));
  if (g.pel.empty()) {
    rb.Null();
    rb.Null();
    rb.NullArray();
    return;
  }
  char buf[48];
  rb.Bulk(std::string_view(buf, g.pel.begin()->first.Format(buf)));
  rb.Bulk(std::string_view(buf, g.pel.rbegin()->first.Format(buf)));
  size_t n = 0;
  for (const auto& [name, c] : g.consumers) n += !c->pel.empty();
  rb.ArrayHeader(n);
  for (const auto& [name, c] : g.consumers) {
    if (c->pel.empty()) continue;
    rb.ArrayHeader(2);
    rb.Bulk(name);
    char num[24];
    rb.Bulk(std::string_view(num, Int64ToChars(int64_t(c->pel.size()), num)));  // a string
  }
}

// One XPENDING detail row: [id, consumer, ms since last delivery, deliveries].
void ReplyPendingRow(ReplyBuilder& rb, StreamId id, const StreamPendingEntry& pe, int64_t now) {
  rb.ArrayHeader(4);
  char buf[48];
  rb.Bulk(std::string_view(buf, id.Format(buf)));
  rb.Bulk(pe.consumer->name);
  rb.Integer(std::max<int64_t>(now - pe.delivery_time_ms, 0));
  rb.Integer(int64_t(pe.delivery_count));
}

// The detail rows of the group PEL (or one consumer's index) within the range; id_of and
// record_of map an element of `pel` to its id and its group record.
template <typename Pel, typename IdOf, typename RecordOf>
void ReplyPendingRows(ReplyBuilder& rb, const Pel& pel, const PendingRange& p, int64_t now,
                      IdOf id_of, RecordOf record_of) {
  size_t mark = rb.buffer()->size();
  size_t n = 0;
  int64_t left = p.count;
  for (auto it = pel.lower_bound(p.start); left > 0 && it != pel.end() && id_of(*it) <= p.end;
       ++it) {
    const StreamPendingEntry& pe = record_of(*it);
    if (p.min_idle && now - pe.delivery_time_ms < p.min_idle) continue;
    ReplyPendingRow(rb, id_of(*it), pe, now);
    n++;
    left--;
  }
  stream_util::InsertArrayHeader(rb, mark, n);
}

// XPENDING key group [[IDLE min-idle-time] start end count [consumer]]
void XPending(CommandContext& ctx) {
  size_t argc = ctx.argc();
  if (argc != 3 && (argc < 6 || argc > 9)) return ctx.reply().Error(errors::kSyntax);
  PendingRange p;
  if (argc >= 6 && !ParsePendingRange(ctx, &p)) return;
  Stream* s;
  StreamGroup* g;
  if (!LookupGroup(ctx, ctx.arg(1), ctx.arg(2), &s, &g)) return;
  if (!g) return ctx.reply().Error(errors::NoSuchKeyOrGroup(ctx.arg(1), ctx.arg(2)));
  ReplyBuilder& rb = ctx.reply();
  if (argc == 3) return ReplyPendingSummary(rb, *g);
  int64_t now = ctx.NowMs();
  if (p.consumer.data()) {
    StreamConsumer* c = g->FindConsumer(p.consumer);
    if (!c) return rb.ArrayHeader(0);
    return ReplyPendingRows(
        rb, c->pel, p, now, [](StreamId id) { return id; },
        [g](StreamId id) -> const StreamPendingEntry& { return g->pel.find(id)->second; });
  }
  ReplyPendingRows(
      rb, g->pel, p, now, [](const auto& kv) { return kv.first; },
      [](const auto& kv) -> const StreamPendingEntry& { return kv.second; });
}

// ---------------------------------------------------------------------------------------------
// XCLAIM

struct ClaimOptions {
  int64_t min_idle = 0;
  size_t ids_end = 5;          // ids are args[5, ids_end)
  int64_t delivery_time = -1;  // IDLE / TIME; -1: now
  int64_t retry_count = -1;    // RETRYCOUNT; -1: not given
  bool force = false;
  bool justid = false;
  StreamId last_id;  // LASTID
};

// Parses min-idle-time, the ids (up to the first argument that is not one) and the options
// after them; false after replying an error.
bool ParseClaimOptions(CommandContext& ctx, int64_t now, ClaimOptions* o) {
  if (!IntArg(ctx, ctx.arg(4), &o->min_idle, errors::kXClaimMinIdle)) return false;
  o->min_idle = std::max<int64_t>(o->min_idle, 0);
  StreamId id;
  size_t i = 5;
  while (i < ctx.argc() && stream_util::ParseStrictId(ctx.arg(i), 0, &id).empty()) i++;
  o->ids_end = i;
  for (; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    bool more = i + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "FORCE")) {
      o->force = true;
    } else if (EqualsIgnoreCase(opt, "JUSTID")) {
      o->justid = true;
    } else if (EqualsIgnoreCase(opt, "IDLE") && more) {
      if (!IntArg(ctx, ctx.arg(++i), &o->delivery_time, errors::kXClaimIdle)) return false;
      o->delivery_time = now - o->delivery_time;
    } else if (EqualsIgnoreCase(opt, "TIME") && more) {
      if (!IntArg(ctx, ctx.arg(++i), &o->delivery_time, errors::kXClaimTime)) return false;
    } else if (EqualsIgnoreCase(opt, "RETRYCOUNT") && more) {
      if (!IntArg(ctx, ctx.arg(++i), &o->retry_count, errors::kXClaimRetryCount)) return false;
    } else if (EqualsIgnoreCase(opt, "LASTID") && more) {
      if (ReplyIfError(ctx, stream_util::ParseStrictId(ctx.arg(++i), 0, &o->last_id))) {
        return false;
      }
    } else {
      ctx.reply().Error(errors::UnrecognizedXClaimOption(opt));
      return false;
    }
  }
  // A delivery time in the future or before the epoch is taken as "now": clients compute it
  // from their own clocks, and a skew is no reason to fail.
  if (o->delivery_time < 0 || o->delivery_time > now) o->delivery_time = now;
  return true;
}

// Claims entry `id` for c; false when it is not claimed (not pending, deleted, or not idle
// long enough). A record of a deleted entry is dropped.
bool ClaimOne(Stream& s, StreamGroup& g, StreamConsumer& c, StreamId id, const ClaimOptions& o,
              int64_t now) {
  auto it = g.pel.find(id);
  if (!EntryExists(s, id)) {
    if (it != g.pel.end()) RemovePending(g, it);
    return false;
  }
  if (it == g.pel.end()) {
    if (!o.force) return false;
    // FORCE: a fresh record (delivered once, now) with no owner yet, so idle is not checked.
    it = g.pel.try_emplace(id, StreamPendingEntry{nullptr, now, 1}).first;
  }
  StreamPendingEntry& pe = it->second;
  if (pe.consumer && o.min_idle && now - pe.delivery_time_ms < o.min_idle) return false;
  MoveToConsumer(pe, id, c);
  pe.delivery_time_ms = o.delivery_time;
  if (o.retry_count >= 0) {
    pe.delivery_count = uint64_t(o.retry_count);
  } else if (!o.justid) {
    pe.delivery_count++;
  }
  c.active_time_ms = now;
  return true;
}

// XCLAIM key group consumer min-idle-time id [id ...] [IDLE ms] [TIME unix-time-milliseconds]
// [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID lastid]
void XClaim(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Stream* s;
  StreamGroup* g;
  if (!LookupGroup(ctx, key, ctx.arg(2), &s, &g)) return;
  if (!g) return ctx.reply().Error(errors::NoSuchKeyOrGroup(key, ctx.arg(2)));
  int64_t now = ctx.NowMs();
  ClaimOptions o;
  if (!ParseClaimOptions(ctx, now, &o)) return;
  StreamId last_before = g->last_id;
  if (o.last_id > g->last_id) g->last_id = o.last_id;
  bool created = ctx.propagating() && !g->FindConsumer(ctx.arg(3));
  StreamConsumer* c = TouchConsumer(ctx, *g, ctx.arg(3), key, now);
  ReplyBuilder& rb = ctx.reply();
  size_t mark = rb.buffer()->size();
  size_t n = 0;
  bool prop = ctx.propagating();
  bool claimed_any = false;
  ctx.PreventPropagation();  // replays as one explicit XCLAIM per change (Redis)
  for (size_t i = 5; i < o.ids_end; i++) {
    StreamId id;
    (void)stream_util::ParseStrictId(ctx.arg(i), 0, &id);
    if (prop && !EntryExists(*s, id)) {
      // A record of a deleted entry is dropped: replayed by an XCLAIM that drops it too.
      auto it = g->pel.find(id);
      if (it != g->pel.end()) {
        PropagateXClaim(ctx, key, ctx.arg(2), *g, id, it->second);
        claimed_any = true;
      }
    }
    if (!ClaimOne(*s, *g, *c, id, o, now)) continue;
    if (prop) PropagateXClaim(ctx, key, ctx.arg(2), *g, id, g->pel.find(id)->second);
    claimed_any = true;
    if (o.justid) {
      char buf[48];
      rb.Bulk(std::string_view(buf, id.Format(buf)));
    } else {
      ReplyEntryById(rb, *s, id);
    }
    n++;
  }
  stream_util::InsertArrayHeader(rb, mark, n);
  // LASTID moved the group with nothing claimed: the new position alone.
  if (prop && !claimed_any && g->last_id != last_before) {
    PropagateGroupId(ctx, key, ctx.arg(2), *g);
  }
  if (created && n == 0) PropagateConsumer(ctx, key, ctx.arg(2), ctx.arg(3));
}

// ---------------------------------------------------------------------------------------------
// XAUTOCLAIM

struct AutoClaimArgs {
  int64_t min_idle = 0;
  StreamId start;
  int64_t count = 100;
  bool justid = false;
};

// Everything is checked before the key is looked up, as Redis does.
bool ParseAutoClaimArgs(CommandContext& ctx, AutoClaimArgs* a) {
  if (!IntArg(ctx, ctx.arg(4), &a->min_idle, errors::kXAutoClaimMinIdle)) return false;
  a->min_idle = std::max<int64_t>(a->min_idle, 0);
  if (ReplyIfError(ctx, stream_util::ParseRangeStart(ctx.arg(5), &a->start))) return false;
  // The cap keeps count * attempts-per-slot and the deleted-id buffer in range.
  constexpr int64_t kMaxCount = INT64_MAX / 16;
  for (size_t i = 6; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "COUNT") && i + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(++i), &a->count) || a->count < 1 || a->count > kMaxCount) {
        ctx.reply().Error(errors::kXAutoClaimCount);
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "JUSTID")) {
      a->justid = true;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID]
void XAutoClaim(CommandContext& ctx) {
  AutoClaimArgs a;
  if (!ParseAutoClaimArgs(ctx, &a)) return;
  std::string_view key = ctx.arg(1);
  Stream* s;
  StreamGroup* g;
  if (!LookupGroup(ctx, key, ctx.arg(2), &s, &g)) return;
  if (!g) return ctx.reply().Error(errors::NoSuchKeyOrGroup(key, ctx.arg(2)));
  int64_t now = ctx.NowMs();
  bool created = ctx.propagating() && !g->FindConsumer(ctx.arg(3));
  StreamConsumer* c = TouchConsumer(ctx, *g, ctx.arg(3), key, now);
  // Walk the PEL from `start`: at most `count` ids claimed or found deleted, and at most ten
  // records looked at per slot, so a PEL full of young entries cannot stall the server.
  std::vector<StreamId> claimed, deleted;
  int64_t left = a.count;
  int64_t attempts = a.count * 10;
  ClaimOptions o{.min_idle = a.min_idle, .delivery_time = now, .justid = a.justid};
  bool prop = ctx.propagating();
  ctx.PreventPropagation();  // replays as one explicit XCLAIM per change (Redis)
  auto it = g->pel.lower_bound(a.start);
  while (attempts > 0 && left > 0 && it != g->pel.end()) {
    attempts--;
    StreamId id = it->first;
    bool exists = EntryExists(*s, id);
    if (!exists && prop) PropagateXClaim(ctx, key, ctx.arg(2), *g, id, it->second);
    bool claimed_one = ClaimOne(*s, *g, *c, id, o, now);
    if (claimed_one && prop) {
      PropagateXClaim(ctx, key, ctx.arg(2), *g, id, g->pel.find(id)->second);
    }
    // ClaimOne may drop the record, and any erase invalidates every iterator of the B-tree:
    // find the next record again.
    it = g->pel.upper_bound(id);
    if (claimed_one) {
      claimed.push_back(id);
      left--;
    } else if (!exists) {
      deleted.push_back(id);
      left--;
    }
  }
  if (created && claimed.empty()) PropagateConsumer(ctx, key, ctx.arg(2), ctx.arg(3));
  ReplyBuilder& rb = ctx.reply();
  char buf[48];
  rb.ArrayHeader(3);
  StreamId cursor = it == g->pel.end() ? StreamId::Min() : it->first;
  rb.Bulk(std::string_view(buf, cursor.Format(buf)));
  rb.ArrayHeader(claimed.size());
  for (StreamId id : claimed) {
    if (a.justid) {
      rb.Bulk(std::string_view(buf, id.Format(buf)));
    } else {
      ReplyEntryById(rb, *s, id);
    }
  }
  rb.ArrayHeader(deleted.size());
  for (StreamId id : deleted) rb.Bulk(std::string_view(buf, id.Format(buf)));
}

// ---------------------------------------------------------------------------------------------
// Rows

constexpr uint32_t kKsGroupRW = kKsRW | kKsUpdate;

void RegisterXGroup(CommandTable& t) {
  CommandSpec* xgroup = t.Add({.name = "xgroup",
                               .arity = -2,
                               .acl = kAclSlow,
                               .group = "stream",
                               .since = "5.0.0",
                               .summary = "A container for consumer group commands.",
                               .complexity = "Depends on subcommand.",
                               .syntax = ""});
  constexpr uint64_t kAcl = kAclWrite | kAclStream | kAclSlow;
  t.AddSub(xgroup, {.name = "create",
                    .arity = -5,
                    .flags = kCmdWrite | kCmdDenyOom,
                    .acl = kAcl,
                    .key_specs = {KeyAt(2, kKsRW | kKsInsert)},
                    .since = "5.0.0",
                    .summary = "Creates a consumer group.",
                    .complexity = "O(1)",
                    .syntax = "key group (id | $) [MKSTREAM] [ENTRIESREAD entries-read:integer]",
                    .handler = XGroupCreate});
  t.AddSub(xgroup, {.name = "setid",
                    .arity = -5,
                    .flags = kCmdWrite,
                    .acl = kAcl,
                    .key_specs = {KeyAt(2, kKsGroupRW)},
                    .since = "5.0.0",
                    .summary = "Sets the last-delivered id of a consumer group.",
                    .complexity = "O(1)",
                    .syntax = "key group (id | $) [ENTRIESREAD entries-read:integer]",
                    .handler = XGroupSetId});
  t.AddSub(xgroup, {.name = "destroy",
                    .arity = 4,
                    .flags = kCmdWrite,
                    .acl = kAcl,
                    .key_specs = {KeyAt(2, kKsRW | kKsDelete)},
                    .since = "5.0.0",
                    .summary = "Destroys a consumer group.",
                    .complexity = "O(N) where N is the number of entries pending in the group",
                    .syntax = "key group",
                    .handler = XGroupDestroy});
  t.AddSub(xgroup, {.name = "createconsumer",
                    .arity = 5,
                    .flags = kCmdWrite | kCmdDenyOom,
                    .acl = kAcl,
                    .key_specs = {KeyAt(2, kKsRW | kKsInsert)},
                    .since = "6.2.0",
                    .summary = "Creates a consumer in a consumer group.",
                    .complexity = "O(1)",
                    .syntax = "key group consumer",
                    .handler = XGroupCreateConsumer});
  t.AddSub(xgroup, {.name = "delconsumer",
                    .arity = 5,
                    .flags = kCmdWrite,
                    .acl = kAcl,
                    .key_specs = {KeyAt(2, kKsRW | kKsDelete)},
                    .since = "5.0.0",
                    .summary = "Deletes a consumer from a consumer group.",
                    .complexity = "O(1)",
                    .syntax = "key group consumer",
                    .handler = XGroupDelConsumer});
  t.AddSub(xgroup, {.name = "help",
                    .arity = 2,
                    .flags = kCmdLoading | kCmdStale,
                    .acl = kAclStream | kAclSlow,
                    .since = "5.0.0",
                    .summary = "Returns helpful text about the different subcommands.",
                    .complexity = "O(1)",
                    .syntax = "",
                    .handler = XGroupHelp});
}

void RegisterGroupCommands(CommandTable& t) {
  t.Add({.name = "xreadgroup",
         .arity = -7,
         .flags = kCmdWrite | kCmdBlocking,
         .acl = kAclWrite | kAclStream | kAclSlow | kAclBlocking,
         .key_specs = {KeySpec{.flags = kKsRO | kKsAccess,
                               .bs_keyword = "STREAMS",
                               .bs_keyword_start = 4,
                               .fk_last_key = -1,
                               .fk_key_step = 1,
                               .fk_limit = 2}},
         .group = "stream",
         .since = "5.0.0",
         .summary = "Reads entries for a consumer of a group: new ones or its pending ones. "
                    "Can block until new entries arrive.",
         .complexity = "O(M) per stream, M being the number of entries returned",
         .syntax = "GROUP (group consumer) [COUNT count] [BLOCK milliseconds] [NOACK] STREAMS "
                   "(key [key ...] id [id ...])",
         .handler = XReadGroup});
  t.Add({.name = "xack",
         .arity = -4,
         .flags = kCmdWrite | kCmdFast,
         .acl = kAclWrite | kAclStream | kAclFast,
         .key_specs = {KeyAt(1, kKsGroupRW)},
         .group = "stream",
         .since = "5.0.0",
         .summary = "Acknowledges entries of a consumer group, removing them from its pending "
                    "entries list.",
         .complexity = "O(1) per id",
         .syntax = "key group id [id ...]",
         .handler = XAck});
  t.Add({.name = "xpending",
         .arity = -3,
         .flags = kCmdReadOnly,
         .acl = kAclRead | kAclStream | kAclSlow,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "stream",
         .since = "5.0.0",
         .summary = "Reports the pending entries of a consumer group: a summary, or the entries "
                    "in a range.",
         .complexity = "O(N) with N the number of entries returned (or scanned with IDLE); the "
                       "summary also walks the consumers",
         .syntax = "key group [[IDLE min-idle-time] start:string end:string count [consumer]]",
         .tips = {"nondeterministic_output"},
         .handler = XPending});
  t.Add({.name = "xclaim",
         .arity = -6,
         .flags = kCmdWrite | kCmdFast,
         .acl = kAclWrite | kAclStream | kAclFast,
         .key_specs = {KeyAt(1, kKsGroupRW)},
         .group = "stream",
         .since = "5.0.0",
         .summary = "Gives pending entries of a consumer group to another consumer.",
         .complexity = "O(log N) with N the number of entries pending in the group",
         .syntax = "key group consumer min-idle-time:string id [id ...] [IDLE ms:integer] "
                   "[TIME unix-time-milliseconds] [RETRYCOUNT count] [FORCE] [JUSTID] "
                   "[LASTID lastid]",
         .tips = {"nondeterministic_output"},
         .handler = XClaim});
  t.Add({.name = "xautoclaim",
         .arity = -6,
         .flags = kCmdWrite | kCmdFast,
         .acl = kAclWrite | kAclStream | kAclFast,
         .key_specs = {KeyAt(1, kKsRW | kKsDelete)},
         .group = "stream",
         .since = "6.2.0",
         .summary = "Gives the pending entries idle for long enough to another consumer, "
                    "walking the group's pending list like a cursor.",
         .complexity = "O(1) if COUNT is small",
         .syntax = "key group consumer min-idle-time:string start:string [COUNT count] [JUSTID]",
         .tips = {"nondeterministic_output"},
         .handler = XAutoClaim});
}

}  // namespace

void RegisterStreamGroupFamily(CommandTable& t) {
  RegisterXGroup(t);
  RegisterGroupCommands(t);
  RegisterStreamInfoFamily(t);
}

}  // namespace ember
