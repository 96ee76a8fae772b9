// List commands: LPUSH, RPUSH, LPUSHX, RPUSHX, LPOP, RPOP, LLEN, LRANGE, LINDEX, LSET, LINSERT,
// LREM, LTRIM, LPOS, LMOVE, RPOPLPUSH, LMPOP and their blocking forms BLPOP, BRPOP, BLMOVE,
// BRPOPLPUSH and BLMPOP, with Redis 7.2 replies and errors.
//
// A blocking form runs its non-blocking form when a key has elements; otherwise it parks the
// client (CommandContext::Block) and runs again, from the start, when one of its keys gets a
// list (server/blocking.h). Where it cannot block (MULTI/EXEC, scripts) it replies its empty
// reply at once.
//
// The value is a ListObject (core/list_object.h): one listpack while small, a quicklist of
// listpack nodes past list-max-listpack-size (ServerConfig). Writers store the possibly moved
// object pointer back into the entry; when the encoding changes the entry is rebuilt around
// the new object (KvEntry::CreateObj + Db::ReplaceEntry with move_obj, keeping the TTL). A list
// left empty deletes its key.
#include <algorithm>
#include <span>
#include <string>
#include <vector>

#include "commands/mpop_args.h"
#include "core/list_object.h"
#include "server/arg_parser.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

// ---------------------------------------------------------------------------------------------
// Lookup and store helpers

int64_t Fill(const CommandContext& ctx) { return ctx.cfg().list_max_listpack_size; }

// Looks a list up for reading. Returns false after replying WRONGTYPE; *e is nullptr when the
// key is absent.
bool ReadList(CommandContext& ctx, std::string_view key, KvEntry** e) {
  return ctx.LookupTyped(key, ObjType::kList, false, e);
}

// Looks a list up for writing, like ReadList.
bool WriteList(CommandContext& ctx, std::string_view key, KvEntry** e) {
  return ctx.LookupTyped(key, ObjType::kList, true, e);
}

ListObject View(const KvEntry* e) { return ListObject(e->encoding(), e->obj()); }

// Stores `l` (possibly moved or re-encoded) as the value of `key`, whose entry is `e` (or
// nullptr: a new key). Deletes the key when the list became empty. Notifies the change.
void Store(Db& db, std::string_view key, KvEntry* e, ListObject l) {
  db.StoreObject(key, e, ObjType::kList, l.encoding(), l.obj());
  if (l.Len() == 0) db.Delete(key);
  db.NotifyModified(key);
}

// Keyspace events of a push to `end` of `key`.
void NotifyPush(CommandContext& ctx, std::string_view key, ListEnd end) {
  NotifyKeyspaceEvent(ctx, kNotifyList, end == ListEnd::kHead ? "lpush" : "rpush", key);
}

// Keyspace events of a pop from `end` of `key`: "lpop"/"rpop", then "del" if it `emptied` the
// list (Redis reports one pop event per command, whatever the count).
void NotifyPop(CommandContext& ctx, std::string_view key, ListEnd end, bool emptied) {
  NotifyKeyspaceEvent(ctx, kNotifyList, end == ListEnd::kHead ? "lpop" : "rpop", key);
  if (emptied) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
}

// Stores `l` after elements were removed by `event` (LREM, LTRIM) and reports it, with "del"
// when that emptied the list.
void StoreAfterRemoval(CommandContext& ctx, std::string_view key, KvEntry* e, ListObject l,
                       std::string_view event) {
  bool emptied = l.Len() == 0;
  Store(ctx.db(), key, e, l);
  NotifyKeyspaceEvent(ctx, kNotifyList, event, key);
  if (emptied) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
}

bool ParseEnd(std::string_view s, ListEnd* end) {
  if (EqualsIgnoreCase(s, "LEFT")) {
    *end = ListEnd::kHead;
  } else if (EqualsIgnoreCase(s, "RIGHT")) {
    *end = ListEnd::kTail;
  } else {
    return false;
  }
  return true;
}

// Redis's index normalisation for LRANGE / LTRIM: false when the range is empty.
bool ClampRange(int64_t len, int64_t* start, int64_t* stop) {
  if (*start < 0) *start = std::max<int64_t>(*start + len, 0);
  if (*stop < 0) *stop += len;
  if (*start > *stop || *start >= len) return false;
  if (*stop >= len) *stop = len - 1;
  return true;
}

// Pops up to `count` elements from `end` of the list at `e` and writes them as an array.
// Returns how many were popped.
size_t PopMany(CommandContext& ctx, std::string_view key, KvEntry* e, ListEnd end, int64_t count) {
  ListObject l = View(e);
  size_t n = std::min<uint64_t>(uint64_t(count), l.Len());
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(n);
  std::string v;
  for (size_t i = 0; i < n; i++) {
    l.Pop(end, &v, Fill(ctx));
    r.Bulk(v);
  }
  bool emptied = l.Len() == 0;
  Store(ctx.db(), key, e, l);
  if (n > 0) NotifyPop(ctx, key, end, emptied);
  return n;
}

// ---------------------------------------------------------------------------------------------
// Push and pop

void Push(CommandContext& ctx, ListEnd end, bool only_existing) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteList(ctx, key, &e)) return;
  if (!e && only_existing) return ctx.reply().Integer(0);
  ListObject l = e ? View(e) : ListObject::Create();
  for (size_t i = 2; i < ctx.argc(); i++) l.Push(end, ctx.arg(i), Fill(ctx));
  int64_t len = int64_t(l.Len());
  Store(ctx.db(), key, e, l);
  NotifyPush(ctx, key, end);
  ctx.reply().Integer(len);
}

// LPUSH key element [element ...]
void LPush(CommandContext& ctx) { Push(ctx, ListEnd::kHead, false); }
// RPUSH key element [element ...]
void RPush(CommandContext& ctx) { Push(ctx, ListEnd::kTail, false); }
// LPUSHX key element [element ...]
void LPushX(CommandContext& ctx) { Push(ctx, ListEnd::kHead, true); }
// RPUSHX key element [element ...]
void RPushX(CommandContext& ctx) { Push(ctx, ListEnd::kTail, true); }

void Pop(CommandContext& ctx, ListEnd end) {
  // The row's arity is -2 (count optional); more than one count is an arity error, as Redis.
  if (ctx.argc() > 3) return ctx.reply().Error(errors::WrongArity(ctx.spec().name));
  bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count && (!ParseInt64(ctx.arg(2), &count) || count < 0)) {
    return ctx.reply().Error(errors::kMustBePositive);
  }
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteList(ctx, key, &e)) return;
  if (!e) return has_count ? ctx.reply().NullArray() : ctx.reply().NullBulk();
  if (has_count) {
    PopMany(ctx, key, e, end, count);
    return;
  }
  ListObject l = View(e);
  std::string v;
  l.Pop(end, &v, Fill(ctx));
  bool emptied = l.Len() == 0;
  Store(ctx.db(), key, e, l);
  NotifyPop(ctx, key, end, emptied);
  ctx.reply().Bulk(v);
}

// LPOP key [count]
void LPop(CommandContext& ctx) { Pop(ctx, ListEnd::kHead); }
// RPOP key [count]
void RPop(CommandContext& ctx) { Pop(ctx, ListEnd::kTail); }

// Pops from the first of a.keys holding a list, replying [key, [elements]]. Returns false,
// without replying, when no key holds a list; true after replying (elements or WRONGTYPE).
bool MPopFirst(CommandContext& ctx, const MPopArgs& a) {
  for (std::string_view key : a.keys) {
    KvEntry* e;
    if (!WriteList(ctx, key, &e)) return true;
    if (!e) continue;
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(key);
    ListEnd end = a.second ? ListEnd::kTail : ListEnd::kHead;
    size_t n = PopMany(ctx, key, e, end, a.count);
    // (B)LMPOP replays as LPOP/RPOP of the key it popped from, with the count it popped.
    if (ctx.propagating()) {
      ctx.PropagateAs(
          {end == ListEnd::kHead ? "LPOP" : "RPOP", std::string(key), std::to_string(n)});
    }
    return true;
  }
  return false;
}

// LMPOP numkeys key [key ...] LEFT | RIGHT [COUNT count]
void LMPop(CommandContext& ctx) {
  MPopArgs a;
  if (!ParseMPopArgs(ctx, 1, "LEFT", "RIGHT", &a)) return;
  if (!MPopFirst(ctx, a)) ctx.reply().NullArray();
}

void Move(CommandContext& ctx, ListEnd from, ListEnd to) {
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  KvEntry* se;
  if (!WriteList(ctx, src, &se)) return;
  if (!se) return ctx.reply().NullBulk();
  KvEntry* de;
  if (!WriteList(ctx, dst, &de)) return;
  ListObject sl = View(se);
  std::string v;
  sl.Pop(from, &v, Fill(ctx));
  // Redis pushes onto the destination first, then reports the pop from the source.
  if (src == dst) {
    sl.Push(to, v, Fill(ctx));
    Store(ctx.db(), src, se, sl);
    NotifyPush(ctx, dst, to);
    NotifyPop(ctx, src, from, false);
  } else {
    ListObject dl = de ? View(de) : ListObject::Create();
    dl.Push(to, v, Fill(ctx));
    Store(ctx.db(), dst, de, dl);
    NotifyPush(ctx, dst, to);
    bool emptied = sl.Len() == 0;
    Store(ctx.db(), src, se, sl);
    ctx.server().UncountDirty(1);  // one change for Redis, two keys here
    NotifyPop(ctx, src, from, emptied);
  }
  ctx.reply().Bulk(v);
}

// LMOVE source destination LEFT | RIGHT LEFT | RIGHT
void LMove(CommandContext& ctx) {
  ListEnd from, to;
  if (!ParseEnd(ctx.arg(3), &from) || !ParseEnd(ctx.arg(4), &to)) {
    return ctx.reply().Error(errors::kSyntax);
  }
  Move(ctx, from, to);
}

// RPOPLPUSH source destination
void RPopLPush(CommandContext& ctx) { Move(ctx, ListEnd::kTail, ListEnd::kHead); }

// ---------------------------------------------------------------------------------------------
// Blocking forms

// Parses the timeout at `idx` into *deadline; false after replying an error.
bool ParseTimeoutArg(CommandContext& ctx, size_t idx, int64_t* deadline) {
  std::string_view err = ParseBlockTimeout(ctx.arg(idx), ctx.NowMs(), deadline);
  if (err.empty()) return true;
  ctx.reply().Error(err);
  return false;
}

// Nothing to pop: parks the client on `keys`, or, where it cannot block, replies a null array
// (a null bulk for the BLMOVE family, as Redis does in MULTI).
void BlockOrEmpty(CommandContext& ctx, std::span<const std::string_view> keys, int64_t deadline,
                  bool null_bulk) {
  if (ctx.CanBlock()) return ctx.Block(keys, deadline, ObjType::kList);
  if (null_bulk) return ctx.reply().NullBulk();
  ctx.reply().NullArray();
}

void BlockingPop(CommandContext& ctx, ListEnd end) {
  int64_t deadline;
  if (!ParseTimeoutArg(ctx, ctx.argc() - 1, &deadline)) return;
  std::span<const std::string_view> keys = ctx.args().subspan(1, ctx.argc() - 2);
  for (std::string_view key : keys) {
    KvEntry* e;
    if (!WriteList(ctx, key, &e)) return;
    if (!e) continue;
    ListObject l = View(e);
    std::string v;
    l.Pop(end, &v, Fill(ctx));
    bool emptied = l.Len() == 0;
    Store(ctx.db(), key, e, l);
    NotifyPop(ctx, key, end, emptied);
    ctx.reply().ArrayHeader(2);
    ctx.reply().Bulk(key);
    ctx.reply().Bulk(v);
    if (ctx.propagating()) {
      ctx.PropagateAs({end == ListEnd::kHead ? "LPOP" : "RPOP", std::string(key)});
    }
    return;
  }
  BlockOrEmpty(ctx, keys, deadline, false);
}

// BLPOP key [key ...] timeout
void BLPop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kHead); }
// BRPOP key [key ...] timeout
void BRPop(CommandContext& ctx) { BlockingPop(ctx, ListEnd::kTail); }

// BLMPOP timeout numkeys key [key ...] LEFT | RIGHT [COUNT count]
void BLMPop(CommandContext& ctx) {
  MPopArgs a;
  if (!ParseMPopArgs(ctx, 2, "LEFT", "RIGHT", &a)) return;
  int64_t deadline;
  if (!ParseTimeoutArg(ctx, 1, &deadline)) return;
  if (!MPopFirst(ctx, a)) BlockOrEmpty(ctx, a.keys, deadline, false);
}

void BlockingMove(CommandContext& ctx, ListEnd from, ListEnd to, size_t timeout_idx) {
  int64_t deadline;
  if (!ParseTimeoutArg(ctx, timeout_idx, &deadline)) return;
  KvEntry* e;
  if (!WriteList(ctx, ctx.arg(1), &e)) return;
  if (!e) return BlockOrEmpty(ctx, ctx.args().subspan(1, 1), deadline, true);
  uint64_t dirty = ctx.server().dirty();
  Move(ctx, from, to);
  if (ctx.propagating() && ctx.server().dirty() != dirty) {  // not when refused (WRONGTYPE)
    // The non-blocking form: LMOVE source destination from to / RPOPLPUSH source destination.
    if (timeout_idx == 5) {
      ctx.PropagateAs({"LMOVE", std::string(ctx.arg(1)), std::string(ctx.arg(2)),
                       std::string(ctx.arg(3)), std::string(ctx.arg(4))});
    } else {
      ctx.PropagateAs({"RPOPLPUSH", std::string(ctx.arg(1)), std::string(ctx.arg(2))});
    }
  }
}

// BLMOVE source destination LEFT | RIGHT LEFT | RIGHT timeout
void BLMove(CommandContext& ctx) {
  ListEnd from, to;
  if (!ParseEnd(ctx.arg(3), &from) || !ParseEnd(ctx.arg(4), &to)) {
    return ctx.reply().Error(errors::kSyntax);
  }
  BlockingMove(ctx, from, to, 5);
}

// BRPOPLPUSH source destination timeout
void BRPopLPush(CommandContext& ctx) { BlockingMove(ctx, ListEnd::kTail, ListEnd::kHead, 3); }

// ---------------------------------------------------------------------------------------------
// Reads

// LLEN key
void LLen(CommandContext& ctx) {
  KvEntry* e;
  if (!ReadList(ctx, ctx.arg(1), &e)) return;
  ctx.reply().Integer(e ? int64_t(View(e).Len()) : 0);
}

// LINDEX key index
void LIndex(CommandContext& ctx) {
  KvEntry* e;
  if (!ReadList(ctx, ctx.arg(1), &e)) return;
  if (!e) return ctx.reply().NullBulk();
  int64_t index;
  if (!ParseInt64(ctx.arg(2), &index)) return ctx.reply().Error(errors::kNotInteger);
  std::string v;
  if (!View(e).Index(index, &v)) return ctx.reply().NullBulk();
  ctx.reply().Bulk(v);
}

// LRANGE key start stop
void LRange(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &stop)) {
    return ctx.reply().Error(errors::kNotInteger);
  }
  KvEntry* e;
  if (!ReadList(ctx, ctx.arg(1), &e)) return;
  ReplyBuilder& r = ctx.reply();
  if (!e || !ClampRange(int64_t(View(e).Len()), &start, &stop)) return r.ArrayHeader(0);
  r.ArrayHeader(size_t(stop - start + 1));
  View(e).Range(start, stop, [&r](std::string_view v) { r.Bulk(v); });
}

struct PosArgs {
  int64_t rank = 1;
  int64_t count = -1;  // -1: no COUNT (reply a single index)
  int64_t maxlen = 0;
};

// Parses LPOS options from args[3..]; false after replying an error.
bool ParsePosArgs(CommandContext& ctx, PosArgs* a) {
  for (size_t j = 3; j < ctx.argc(); j++) {
    std::string_view opt = ctx.arg(j);
    bool more = j + 1 < ctx.argc();
    int64_t v;
    if (!more || !(EqualsIgnoreCase(opt, "RANK") || EqualsIgnoreCase(opt, "COUNT") ||
                   EqualsIgnoreCase(opt, "MAXLEN"))) {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
    if (!ParseInt64(ctx.arg(++j), &v)) {
      ctx.reply().Error(errors::kNotInteger);
      return false;
    }
    if (EqualsIgnoreCase(opt, "RANK")) {
      if (v == INT64_MIN) return ctx.reply().Error(errors::kRandomCountRange), false;
      if (v == 0) return ctx.reply().Error(errors::kRankZero), false;
      a->rank = v;
    } else if (EqualsIgnoreCase(opt, "COUNT")) {
      if (v < 0) return ctx.reply().Error(errors::kCountNegative), false;
      a->count = v;
    } else {
      if (v < 0) return ctx.reply().Error(errors::kMaxlenNegative), false;
      a->maxlen = v;
    }
  }
  return true;
}

// LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]
void LPos(CommandContext& ctx) {
  PosArgs a;
  if (!ParsePosArgs(ctx, &a)) return;
  KvEntry* e;
  if (!ReadList(ctx, ctx.arg(1), &e)) return;
  ReplyBuilder& r = ctx.reply();
  if (!e) return a.count == -1 ? r.NullBulk() : r.ArrayHeader(0);
  std::string_view needle = ctx.arg(2);
  int64_t skip = (a.rank > 0 ? a.rank : -a.rank) - 1;
  uint64_t want = a.count == -1 ? 1 : (a.count == 0 ? UINT64_MAX : uint64_t(a.count));
  int64_t scanned = 0;
  std::vector<int64_t> found;
  View(e).Walk(a.rank < 0, [&](std::string_view v, int64_t idx) {
    if (a.maxlen && scanned++ >= a.maxlen) return false;
    if (v == needle) {
      if (skip > 0) {
        skip--;
      } else {
        found.push_back(idx);
      }
    }
    return found.size() < want;
  });
  if (a.count == -1) return found.empty() ? r.NullBulk() : r.Integer(found[0]);
  r.ArrayHeader(found.size());
  for (int64_t i : found) r.Integer(i);
}

// ---------------------------------------------------------------------------------------------
// In-place writes

// LSET key index element
void LSet(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteList(ctx, key, &e)) return;
  if (!e) return ctx.reply().Error(errors::kNoSuchKey);
  int64_t index;
  if (!ParseInt64(ctx.arg(2), &index)) return ctx.reply().Error(errors::kNotInteger);
  ListObject l = View(e);
  if (!l.Set(index, ctx.arg(3), Fill(ctx))) return ctx.reply().Error(errors::kIndexOutOfRange);
  Store(ctx.db(), key, e, l);
  NotifyKeyspaceEvent(ctx, kNotifyList, "lset", key);
  ctx.reply().Ok();
}

// LINSERT key BEFORE | AFTER pivot element
void LInsert(CommandContext& ctx) {
  bool after;
  if (EqualsIgnoreCase(ctx.arg(2), "AFTER")) {
    after = true;
  } else if (EqualsIgnoreCase(ctx.arg(2), "BEFORE")) {
    after = false;
  } else {
    return ctx.reply().Error(errors::kSyntax);
  }
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteList(ctx, key, &e)) return;
  if (!e) return ctx.reply().Integer(0);
  ListObject l = View(e);
  if (!l.Insert(ctx.arg(3), after, ctx.arg(4), Fill(ctx))) return ctx.reply().Integer(-1);
  Store(ctx.db(), key, e, l);
  NotifyKeyspaceEvent(ctx, kNotifyList, "linsert", key);
  ctx.reply().Integer(int64_t(l.Len()));
}

// LREM key count element
void LRem(CommandContext& ctx) {
  int64_t count;
  if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply().Error(errors::kNotInteger);
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteList(ctx, key, &e)) return;
  if (!e) return ctx.reply().Integer(0);
  ListObject l = View(e);
  size_t removed = l.Remove(count, ctx.arg(3), Fill(ctx));
  if (removed) StoreAfterRemoval(ctx, key, e, l, "lrem");
  ctx.reply().Integer(int64_t(removed));
}

// LTRIM key start stop
void LTrim(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &stop)) {
    return ctx.reply().Error(errors::kNotInteger);
  }
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteList(ctx, key, &e)) return;
  if (!e) return ctx.reply().Ok();
  ListObject l = View(e);
  int64_t len = int64_t(l.Len());
  if (!ClampRange(len, &start, &stop)) {
    start = 1;
    stop = 0;
  }
  if (start != 0 || stop != len - 1) {
    l.Trim(start, stop, Fill(ctx));
    StoreAfterRemoval(ctx, key, e, l, "ltrim");
  } else {
    NotifyKeyspaceEvent(ctx, kNotifyList, "ltrim", key);  // Redis reports even a no-op trim
  }
  ctx.reply().Ok();
}

// ---------------------------------------------------------------------------------------------
// Registration

constexpr uint64_t kWriteFast = kAclWrite | kAclList | kAclFast;
constexpr uint64_t kWriteSlow = kAclWrite | kAclList | kAclSlow;
constexpr uint64_t kReadFast = kAclRead | kAclList | kAclFast;
constexpr uint64_t kReadSlow = kAclRead | kAclList | kAclSlow;

// Rows of the blocking forms (Redis 7.2 flags: "blocking", no "noscript": in a script they act
// as their non-blocking forms).
void RegisterBlockingRows(CommandTable& t) {
  constexpr uint64_t kAcl = kAclWrite | kAclList | kAclSlow | kAclBlocking;
  constexpr uint32_t kPopKey = kKsRW | kKsAccess | kKsDelete;
  constexpr uint32_t kIns = kKsRW | kKsInsert;
  const KeyedRow pops[] = {
      {"blpop", -3, kCmdWrite | kCmdBlocking, kAcl, 0, "2.0.0",
       "Pops the first element of the first non-empty list, or blocks until one is available.",
       "O(N) where N is the number of provided keys.", "key [key ...] timeout:double", BLPop},
      {"brpop", -3, kCmdWrite | kCmdBlocking, kAcl, 0, "2.0.0",
       "Pops the last element of the first non-empty list, or blocks until one is available.",
       "O(N) where N is the number of provided keys.", "key [key ...] timeout:double", BRPop},
  };
  for (const KeyedRow& row : pops) t.Add(row.ToSpec("list", {KeyRange(1, -2, 1, kPopKey)}));
  const KeyedRow moves[] = {
      {"brpoplpush", 4, kCmdWrite | kCmdDenyOom | kCmdBlocking, kAcl, 0, "2.2.0",
       "Pops the last element of a list and pushes it to the head of another, or blocks until "
       "one is available.",
       "O(1)", "source destination timeout:double", BRPopLPush},
      {"blmove", 6, kCmdWrite | kCmdDenyOom | kCmdBlocking, kAcl, 0, "6.2.0",
       "Pops an element from one end of a list and pushes it to an end of another, or blocks "
       "until one is available.",
       "O(1)", "source destination LEFT | RIGHT LEFT | RIGHT timeout:double", BLMove},
  };
  for (const KeyedRow& row : moves) {
    t.Add(row.ToSpec("list", {KeyAt(1, kPopKey), KeyAt(2, kIns)}));
  }
  const KeyedRow blmpop{"blmpop",
                        -5,
                        kCmdWrite | kCmdBlocking,
                        kAcl,
                        0,
                        "7.0.0",
                        "Pops elements from the first non-empty list among several keys, or "
                        "blocks until one is available.",
                        "O(N+M) where N is the number of provided keys and M is the number of "
                        "elements returned.",
                        "timeout:double numkeys key [key ...] LEFT | RIGHT [COUNT count:integer]",
                        BLMPop};
  t.Add(blmpop.ToSpec("list", {KeyNumKeys(2, kPopKey)}));
}

}  // namespace

void RegisterListFamily(CommandTable& t) {
  ListObject::RegisterHooks();
  constexpr uint64_t kWF = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint64_t kWD = kCmdWrite | kCmdDenyOom;
  constexpr uint32_t kIns = kKsRW | kKsInsert;
  constexpr uint32_t kDel = kKsRW | kKsDelete;
  constexpr uint32_t kPopKey = kKsRW | kKsAccess | kKsDelete;
  constexpr uint32_t kRead = kKsRO | kKsAccess;
  const KeyedRow rows[] = {
      {"lpush", -3, kWF, kWriteFast, kIns, "1.0.0", "Prepends elements to a list.",
       "O(1) for each element added", "key element [element ...]", LPush},
      {"rpush", -3, kWF, kWriteFast, kIns, "1.0.0", "Appends elements to a list.",
       "O(1) for each element added", "key element [element ...]", RPush},
      {"lpushx", -3, kWF, kWriteFast, kIns, "2.2.0",
       "Prepends elements to a list only when the list exists.", "O(1) for each element added",
       "key element [element ...]", LPushX},
      {"rpushx", -3, kWF, kWriteFast, kIns, "2.2.0",
       "Appends elements to a list only when the list exists.", "O(1) for each element added",
       "key element [element ...]", RPushX},
      {"lpop", -2, kCmdWrite | kCmdFast, kWriteFast, kPopKey, "1.0.0",
       "Removes and returns the first elements of a list; an emptied list deletes its key.",
       "O(N) where N is the number of elements returned", "key [count]", LPop},
      {"rpop", -2, kCmdWrite | kCmdFast, kWriteFast, kPopKey, "1.0.0",
       "Removes and returns the last elements of a list; an emptied list deletes its key.",
       "O(N) where N is the number of elements returned", "key [count]", RPop},
      {"llen", 2, kCmdReadOnly | kCmdFast, kReadFast, kKsRO, "1.0.0",
       "Returns the length of a list.", "O(1)", "key", LLen},
      {"lrange", 4, kCmdReadOnly, kReadSlow, kRead, "1.0.0",
       "Returns a range of elements of a list.",
       "O(S+N) where S is the distance of start from the nearer end and N the range length",
       "key start:integer stop:integer", LRange},
      {"lindex", 3, kCmdReadOnly, kReadSlow, kRead, "1.0.0",
       "Returns the element of a list at an index.",
       "O(N) where N is the distance to the nearer end", "key index:integer", LIndex},
      {"lset", 4, kWD, kWriteSlow, kKsRW | kKsUpdate, "1.0.0",
       "Replaces the element of a list at an index.",
       "O(N) where N is the distance to the nearer end", "key index:integer element", LSet},
      {"linsert", 5, kWD, kWriteSlow, kIns, "2.2.0",
       "Inserts an element before or after the first occurrence of a pivot.",
       "O(N) where N is the number of elements before the pivot",
       "key BEFORE | AFTER pivot element", LInsert},
      {"lrem", 4, kCmdWrite, kWriteSlow, kDel, "1.0.0",
       "Removes occurrences of an element from a list.", "O(N+M) where N is the list length",
       "key count:integer element", LRem},
      {"ltrim", 4, kCmdWrite, kWriteSlow, kDel, "1.0.0",
       "Keeps only a range of elements of a list.",
       "O(N) where N is the number of elements removed", "key start:integer stop:integer", LTrim},
      {"lpos", -3, kCmdReadOnly, kReadSlow, kRead, "6.0.6",
       "Returns the indexes of elements equal to a value.",
       "O(N) where N is the number of elements scanned",
       "key element [RANK rank:integer] [COUNT num-matches:integer] [MAXLEN len:integer]", LPos},
  };
  AddKeyedRows(t, "list", rows);
  const KeyedRow lmove{"lmove",
                       5,
                       kWD,
                       kWriteSlow,
                       0,
                       "6.2.0",
                       "Pops an element from one end of a list and pushes it to an end of another.",
                       "O(1)",
                       "source destination LEFT | RIGHT LEFT | RIGHT",
                       LMove};
  t.Add(lmove.ToSpec("list", {KeyAt(1, kPopKey), KeyAt(2, kIns)}));
  const KeyedRow rpoplpush{"rpoplpush",
                           3,
                           kWD,
                           kWriteSlow,
                           0,
                           "1.2.0",
                           "Pops the last element of a list and pushes it to the head of another.",
                           "O(1)",
                           "source destination",
                           RPopLPush};
  t.Add(rpoplpush.ToSpec("list", {KeyAt(1, kPopKey), KeyAt(2, kIns)}));
  const KeyedRow lmpop{"lmpop",
                       -4,
                       kCmdWrite,
                       kWriteSlow,
                       0,
                       "7.0.0",
                       "Pops elements from the first non-empty list among several keys.",
                       "O(N+M) where N is the number of keys and M the number of elements returned",
                       "numkeys key [key ...] LEFT | RIGHT [COUNT count:integer]",
                       LMPop};
  t.Add(lmpop.ToSpec("list", {KeyNumKeys(1, kPopKey)}));
  RegisterBlockingRows(t);
}

}  // namespace ember
