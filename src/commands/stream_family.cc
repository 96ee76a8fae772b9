// Stream commands without consumer groups: XADD, XLEN, XRANGE, XREVRANGE, XREAD (with BLOCK),
// XDEL, XTRIM, XSETID. The data structure is core/stream.h; argument parsing and entry replies
// shared with the consumer-group commands (stream_group_family.cc) are in stream_util.h.
//
// Arguments are checked in Redis's order (options, then the key, then the ids against the
// stream), so the same bad command gets the same error from both servers.
//
// XREAD BLOCK goes through server/blocking.h: when nothing is there to read, the client parks on
// its keys and the handler runs again whenever one of them is written while it holds a stream.
// "$" and "+" are resolved once, at the first attempt, and the resolved ids are kept in the
// client's BlockState for the retries (Redis 7.2 rewrites the arguments to the same effect), so
// entries appended between two retries are never skipped. A retry that finds nothing new (an
// XDEL, an XTRIM, a key deleted and re-created below the remembered id) blocks again.
#include <string>
#include <vector>

#include "commands/stream_util.h"
#include "core/stream.h"
#include "persistence/persistence.h"
#include "server/arg_parser.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {

namespace {

using stream_util::AddTrimArgs;

void Notify(CommandContext& ctx, std::string_view event, std::string_view key) {
  NotifyKeyspaceEvent(ctx.server(), kNotifyStream, event, key, ctx.db().index());
}

// The id XADD gives the new entry, or "" replaced by the error; `last` is the stream's last id
// (0-0 for a new stream).
std::string_view NextAddId(const stream_util::XAddId& arg, StreamId last, int64_t now_ms,
                           StreamId* id) {
  if (!arg.given) {
    // Auto id: the current time, or one past the last id when the clock did not move forward.
    uint64_t ms = uint64_t(now_ms);
    if (ms > last.ms) {
      *id = {ms, 0};
    } else if (!last.Next(id)) {
      return errors::kXAddIdTooSmall;
    }
    return {};
  }
  if (!arg.seq_given) {  // "ms-*": the next sequence within that millisecond
    if (arg.id.ms == last.ms) {
      if (last.seq == UINT64_MAX) return errors::kXAddIdTooSmall;
      *id = {last.ms, last.seq + 1};
    } else {
      *id = {arg.id.ms, 0};
    }
  } else {
    *id = arg.id;
  }
  return *id > last ? std::string_view() : errors::kXAddIdTooSmall;
}

// What XADD / XTRIM propagate: an automatic id made explicit (`id_pos`, 0 for XTRIM) and an
// approximate trim made exact ("~" -> "=", the threshold -> the length or first id it left),
// so that the command replays to the same stream. LIMIT, which needs "~", is dropped (Redis
// keeps it; the exact trim it would bound removes the same entries).
void PropagateAddTrim(CommandContext& ctx, const Stream& s, const AddTrimArgs& a, size_t id_pos,
                      StreamId id) {
  if (!ctx.propagating()) return;
  bool auto_id = id_pos != 0 && !(a.id.given && a.id.seq_given);
  if (!auto_id && !a.approx) return;  // replays as it is
  std::vector<std::string> argv;
  char buf[48];
  size_t end = id_pos != 0 ? id_pos : ctx.argc();
  for (size_t i = 0; i < ctx.argc(); i++) {
    std::string_view arg = ctx.arg(i);
    if (i >= 2 && i < end && a.approx && arg == "~") {
      argv.emplace_back("=");
      if (a.strategy == stream_util::TrimStrategy::kMaxLen) {
        argv.push_back(std::to_string(s.length()));
      } else {
        StreamId first = s.length() ? s.first_id() : StreamId{};
        argv.emplace_back(buf, first.Format(buf));
      }
      i++;  // the threshold
    } else if (i >= 2 && i + 1 < end && a.approx && EqualsIgnoreCase(arg, "LIMIT")) {
      i++;
    } else if (i == id_pos && auto_id) {
      argv.emplace_back(buf, id.Format(buf));
    } else {
      argv.emplace_back(arg);
    }
  }
  ctx.PropagateAs(std::move(argv));
}

// XADD key [NOMKSTREAM] [MAXLEN | MINID [= | ~] threshold [LIMIT count]] <* | id> field value
//      [field value ...]
void XAdd(CommandContext& ctx) {
  AddTrimArgs a;
  std::string_view err =
      stream_util::ParseAddTrimArgs(ctx.args(), true, ctx.cfg().stream_node_max_entries, &a,
                                    ctx.server().persistence().loading());
  if (!err.empty()) return ctx.reply().Error(err);
  if (a.fields_pos > ctx.argc() || ctx.argc() - a.fields_pos < 2 ||
      (ctx.argc() - a.fields_pos) % 2 != 0) {
    return ctx.reply().Error(errors::WrongArity(ctx.spec().full_name()));
  }
  if (a.id.given && a.id.seq_given && a.id.id == StreamId::Min()) {
    return ctx.reply().Error(errors::kXAddIdZero);
  }
  std::string_view key = ctx.arg(1);
  Stream* s;
  if (!stream_util::LookupStream(ctx, key, true, &s)) return;
  if (!s && a.nomkstream) return ctx.reply().NullBulk();
  StreamId last = s ? s->last_id() : StreamId{};
  if (last == StreamId::Max()) return ctx.reply().Error(errors::kStreamExhausted);
  StreamId id;
  if (err = NextAddId(a.id, last, ctx.NowMs(), &id); !err.empty()) return ctx.reply().Error(err);
  if (!s) s = stream_util::CreateStream(ctx, key);
  s->Append(id, ctx.args().subspan(a.fields_pos), stream_util::LimitsFrom(ctx.cfg()));
  char buf[48];
  ctx.reply().Bulk({buf, id.Format(buf)});
  ctx.db().NotifyModified(key);
  Notify(ctx, "xadd", key);
  if (a.strategy != stream_util::TrimStrategy::kNone && stream_util::Trim(*s, a) > 0) {
    Notify(ctx, "xtrim", key);
  }
  PropagateAddTrim(ctx, *s, a, a.fields_pos - 1, id);
}

// XLEN key
void XLen(CommandContext& ctx) {
  Stream* s;
  if (!stream_util::LookupStream(ctx, ctx.arg(1), false, &s)) return;
  ctx.reply().Integer(s ? int64_t(s->length()) : 0);
}

// XRANGE key start end [COUNT count] / XREVRANGE key end start [COUNT count]
void RangeGeneric(CommandContext& ctx, bool reverse) {
  std::string_view start_arg = ctx.arg(reverse ? 3 : 2), end_arg = ctx.arg(reverse ? 2 : 3);
  StreamId start, end;
  if (auto err = stream_util::ParseRangeStart(start_arg, &start); !err.empty()) {
    return ctx.reply().Error(err);
  }
  if (auto err = stream_util::ParseRangeEnd(end_arg, &end); !err.empty()) {
    return ctx.reply().Error(err);
  }
  int64_t count = -1;  // -1: no COUNT
  for (size_t i = 4; i < ctx.argc(); i++) {
    if (!EqualsIgnoreCase(ctx.arg(i), "COUNT") || i + 1 >= ctx.argc()) {
      return ctx.reply().Error(errors::kSyntax);
    }
    if (!ParseInt64(ctx.arg(++i), &count)) return ctx.reply().Error(errors::kNotInteger);
    if (count < 0) count = 0;
  }
  Stream* s;
  if (!stream_util::LookupStream(ctx, ctx.arg(1), false, &s)) return;
  if (!s) return ctx.reply().ArrayHeader(0);
  if (count == 0) return ctx.reply().NullArray();
  stream_util::ReplyRange(ctx.reply(), *s, start, end, reverse, count < 0 ? 0 : size_t(count));
}

void XRange(CommandContext& ctx) { RangeGeneric(ctx, false); }
void XRevRange(CommandContext& ctx) { RangeGeneric(ctx, true); }

// --- XREAD -------------------------------------------------------------------------------------

struct XReadArgs {
  int64_t deadline_ms = -1;  // -1: no BLOCK
  size_t count = 0;          // 0: no limit
  size_t streams_pos = 0;    // index of the first key
  size_t nstreams = 0;
};

// Options before STREAMS; false after replying an error.
bool ParseXReadArgs(CommandContext& ctx, XReadArgs* a) {
  for (size_t i = 1; i < ctx.argc(); i++) {
    bool more = i + 1 < ctx.argc();
    std::string_view opt = ctx.arg(i);
    if (more && EqualsIgnoreCase(opt, "BLOCK")) {
      if (ctx.server().script_running()) {  // refused outright rather than ignored, as Redis does
        return ctx.reply().Error(errors::StreamBlockInScript(ctx.arg(0))), false;
      }
      auto err = stream_util::ParseBlockMs(ctx.arg(++i), ctx.NowMs(), &a->deadline_ms);
      if (!err.empty()) return ctx.reply().Error(err), false;
    } else if (more && EqualsIgnoreCase(opt, "COUNT")) {
      int64_t count;
      if (!ParseInt64(ctx.arg(++i), &count)) return ctx.reply().Error(errors::kNotInteger), false;
      a->count = count < 0 ? 0 : size_t(count);
    } else if (more && EqualsIgnoreCase(opt, "STREAMS")) {
      a->streams_pos = i + 1;
      size_t n = ctx.argc() - a->streams_pos;
      if (n % 2 != 0) {
        return ctx.reply().Error(errors::StreamUnbalanced(ctx.spec().full_name(), '$')), false;
      }
      a->nstreams = n / 2;
      break;
    } else if (EqualsIgnoreCase(opt, "GROUP") && i + 2 < ctx.argc()) {
      return ctx.reply().Error(errors::kXReadGroupOption), false;
    } else if (EqualsIgnoreCase(opt, "NOACK")) {
      return ctx.reply().Error(errors::kXReadNoAck), false;
    } else {
      return ctx.reply().Error(errors::kSyntax), false;
    }
  }
  if (a->streams_pos == 0) return ctx.reply().Error(errors::kSyntax), false;
  return true;
}

// The ids to read after, one per stream: parsed, with "$" / "+" resolved against the streams,
// or, on a retry of a blocked XREAD, the ids its first attempt resolved. Also checks every key
// holds a stream. False after replying an error.
bool ResolveReadIds(CommandContext& ctx, const XReadArgs& a, std::vector<Stream*>* streams,
                    std::vector<StreamId>* ids) {
  const BlockState* st = ctx.client().block.get();
  bool retry = st && st->retrying && st->stream_ids.size() == a.nstreams;
  streams->assign(a.nstreams, nullptr);
  ids->assign(a.nstreams, StreamId{});
  for (size_t i = 0; i < a.nstreams; i++) {
    std::string_view key = ctx.arg(a.streams_pos + i);
    if (!stream_util::LookupStream(ctx, key, false, &(*streams)[i])) return false;
    Stream* s = (*streams)[i];
    if (retry) {
      (*ids)[i] = st->stream_ids[i];
      continue;
    }
    stream_util::ReadId rid;
    auto err = stream_util::ParseReadId(ctx.arg(a.streams_pos + a.nstreams + i), &rid);
    if (!err.empty()) return ctx.reply().Error(err), false;
    switch (rid.kind) {
      case stream_util::ReadIdKind::kExplicit:
        (*ids)[i] = rid.id;
        break;
      case stream_util::ReadIdKind::kDollar:
        (*ids)[i] = s ? s->last_id() : StreamId{};
        break;
      case stream_util::ReadIdKind::kPlus:
        // Redis 7.4: the last entry itself (read after the id just before it); with no entry,
        // what "$" reads.
        if (s && s->length() > 0) {
          s->last_entry_id().Prev(&(*ids)[i]);  // entries are past 0-0: Prev succeeds
        } else {
          (*ids)[i] = s ? s->last_id() : StreamId{};
        }
        break;
      case stream_util::ReadIdKind::kGreater:
        return ctx.reply().Error(errors::kXReadGreaterId), false;
    }
  }
  return true;
}

// XREAD [COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]
void XRead(CommandContext& ctx) {
  XReadArgs a;
  if (!ParseXReadArgs(ctx, &a)) return;
  std::vector<Stream*> streams;
  std::vector<StreamId> ids;
  if (!ResolveReadIds(ctx, a, &streams, &ids)) return;
  // A stream is served when it has an entry past the id; the rest are left out of the reply.
  size_t served = 0;
  std::vector<StreamId> starts(a.nstreams);
  for (size_t i = 0; i < a.nstreams; i++) {
    Stream* s = streams[i];
    bool serve = s && s->length() && s->last_entry_id() > ids[i] && ids[i].Next(&starts[i]);
    if (!serve) streams[i] = nullptr;
    served += serve;
  }
  ReplyBuilder& rb = ctx.reply();
  if (served > 0) {
    // RESP3: a map of key -> entries; RESP2: an array of [key, entries] pairs.
    if (rb.resp() == 2) {
      rb.ArrayHeader(served);
    } else {
      rb.MapHeader(served);
    }
    for (size_t i = 0; i < a.nstreams; i++) {
      if (!streams[i]) continue;
      if (rb.resp() == 2) rb.ArrayHeader(2);
      rb.Bulk(ctx.arg(a.streams_pos + i));
      stream_util::ReplyRange(rb, *streams[i], starts[i], StreamId::Max(), false, a.count);
    }
    return;
  }
  if (a.deadline_ms < 0 || !ctx.CanBlock()) return rb.NullArray();
  const BlockState* st = ctx.client().block.get();
  bool first_attempt = !(st && st->retrying);
  ctx.Block(ctx.args().subspan(a.streams_pos, a.nstreams), a.deadline_ms, ObjType::kStream);
  if (first_attempt) ctx.client().block->stream_ids = std::move(ids);
}

// --- writes ------------------------------------------------------------------------------------

// XDEL key id [id ...]
void XDel(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  Stream* s;
  if (!stream_util::LookupStream(ctx, key, true, &s)) return;
  if (!s) return ctx.reply().Integer(0);
  // Every id is checked before anything is deleted.
  std::vector<StreamId> ids(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (auto err = stream_util::ParseStrictId(ctx.arg(i), 0, &ids[i - 2]); !err.empty()) {
      return ctx.reply().Error(err);
    }
  }
  int64_t deleted = 0;
  for (StreamId id : ids) deleted += s->Delete(id);
  if (deleted > 0) {
    ctx.db().NotifyModified(key);
    Notify(ctx, "xdel", key);
  }
  ctx.reply().Integer(deleted);
}

// XTRIM key (MAXLEN | MINID) [= | ~] threshold [LIMIT count]
void XTrim(CommandContext& ctx) {
  AddTrimArgs a;
  std::string_view err =
      stream_util::ParseAddTrimArgs(ctx.args(), false, ctx.cfg().stream_node_max_entries, &a,
                                    ctx.server().persistence().loading());
  if (!err.empty()) return ctx.reply().Error(err);
  std::string_view key = ctx.arg(1);
  Stream* s;
  if (!stream_util::LookupStream(ctx, key, true, &s)) return;
  size_t deleted = s ? stream_util::Trim(*s, a) : 0;
  if (deleted > 0) {
    Notify(ctx, "xtrim", key);
    ctx.db().NotifyModified(key);
    PropagateAddTrim(ctx, *s, a, 0, StreamId{});
  }
  ctx.reply().Integer(int64_t(deleted));
}

// XSETID key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]
void XSetId(CommandContext& ctx) {
  StreamId id, max_deleted;
  if (auto err = stream_util::ParseStrictId(ctx.arg(2), 0, &id); !err.empty()) {
    return ctx.reply().Error(err);
  }
  int64_t entries_added = -1;
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    bool more = i + 1 < ctx.argc();
    if (more && EqualsIgnoreCase(ctx.arg(i), "ENTRIESADDED")) {
      if (!ParseInt64(ctx.arg(i + 1), &entries_added)) {
        return ctx.reply().Error(errors::kNotInteger);
      }
      if (entries_added < 0) return ctx.reply().Error(errors::kXSetIdEntriesAddedNegative);
    } else if (more && EqualsIgnoreCase(ctx.arg(i), "MAXDELETEDID")) {
      if (auto err = stream_util::ParseStrictId(ctx.arg(i + 1), 0, &max_deleted); !err.empty()) {
        return ctx.reply().Error(err);
      }
      if (id < max_deleted) return ctx.reply().Error(errors::kXSetIdSmallerThanMaxDeletedArg);
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  std::string_view key = ctx.arg(1);
  Stream* s;
  if (!stream_util::LookupStream(ctx, key, true, &s)) return;
  if (!s) return ctx.reply().Error(errors::kNoSuchKey);
  if (id < s->max_deleted_id()) return ctx.reply().Error(errors::kXSetIdSmallerThanMaxDeleted);
  if (s->length() > 0) {
    if (id < s->last_entry_id()) return ctx.reply().Error(errors::kXSetIdSmallerThanTop);
    if (entries_added != -1 && s->length() > uint64_t(entries_added)) {
      return ctx.reply().Error(errors::kXSetIdEntriesAddedTooSmall);
    }
  }
  s->set_last_id(id);
  if (entries_added != -1) s->set_entries_added(uint64_t(entries_added));
  if (max_deleted != StreamId::Min()) s->set_max_deleted_id(max_deleted);
  ctx.reply().Ok();
  ctx.db().NotifyModified(key);
  Notify(ctx, "xsetid", key);
}

// --- table -------------------------------------------------------------------------------------

constexpr uint64_t kReadFast = kAclRead | kAclStream | kAclFast;
constexpr uint64_t kReadSlow = kAclRead | kAclStream | kAclSlow;
constexpr uint64_t kWriteFast = kAclWrite | kAclStream | kAclFast;
constexpr uint64_t kWriteSlow = kAclWrite | kAclStream | kAclSlow;

constexpr std::string_view kRangeComplexity =
    "O(N) with N being the number of entries returned; O(1) for a constant COUNT.";

const KeyedRow kRows[] = {
    {"xadd", -5, kCmdWrite | kCmdDenyOom | kCmdFast, kWriteFast, kKsRW | kKsUpdate, "5.0.0",
     "Appends a new entry to a stream, optionally trimming it.",
     "O(1) to add an entry, O(N) when trimming N entries.",
     "key [NOMKSTREAM] [MAXLEN | MINID [= | ~] threshold [LIMIT count]] * | id field value "
     "[field value ...]",
     XAdd, "nondeterministic_output"},
    {"xlen", 2, kCmdReadOnly | kCmdFast, kReadFast, kKsRO, "5.0.0",
     "Returns the number of entries in a stream.", "O(1)", "key", XLen},
    {"xrange", -4, kCmdReadOnly, kReadSlow, kKsRO | kKsAccess, "5.0.0",
     "Returns the entries of a stream within a range of ids.", kRangeComplexity,
     "key start end [COUNT count]", XRange},
    {"xrevrange", -4, kCmdReadOnly, kReadSlow, kKsRO | kKsAccess, "5.0.0",
     "Returns the entries of a stream within a range of ids, newest first.", kRangeComplexity,
     "key end start [COUNT count]", XRevRange},
    {"xdel", -3, kCmdWrite | kCmdFast, kWriteFast, kKsRW | kKsDelete, "5.0.0",
     "Deletes entries from a stream and returns how many were deleted.",
     "O(1) for each entry deleted.", "key id [id ...]", XDel},
    {"xtrim", -4, kCmdWrite, kWriteSlow, kKsRW | kKsDelete, "5.0.0",
     "Deletes the oldest entries of a stream beyond a length or below an id.",
     "O(N) with N being the number of entries removed.",
     "key MAXLEN | MINID [= | ~] threshold [LIMIT count]", XTrim, "nondeterministic_output"},
    {"xsetid", -3, kCmdWrite | kCmdDenyOom | kCmdFast, kWriteFast, kKsRW | kKsUpdate, "5.0.0",
     "Sets the last id (and the added / deleted counters) of a stream.", "O(1)",
     "key last-id [ENTRIESADDED entries-added] [MAXDELETEDID max-deleted-id]", XSetId},
};

}  // namespace

void RegisterStreamFamily(CommandTable& t) {
  stream_util::RegisterStreamHooks();
  AddKeyedRows(t, "stream", kRows);
  t.Add({.name = "xread",
         .arity = -4,
         .flags = kCmdReadOnly | kCmdBlocking,
         .acl = kReadSlow | kAclBlocking,
         .key_specs = {KeySpec{.flags = kKsRO | kKsAccess,
                               .bs_keyword = "STREAMS",
                               .bs_keyword_start = 1,
                               .fk_last_key = -1,
                               .fk_key_step = 1,
                               .fk_limit = 2}},
         .group = "stream",
         .since = "5.0.0",
         .summary = "Returns entries of one or more streams with ids past the given ones, "
                    "optionally waiting for new ones.",
         .complexity = "O(N) with N being the number of entries returned.",
         .syntax = "[COUNT count] [BLOCK milliseconds] STREAMS key [key ...] id [id ...]",
         .handler = XRead});
}

}  // namespace ember
