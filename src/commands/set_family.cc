// Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE,
// SSCAN, and the set algebra (SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF,
// SDIFFSTORE).
//
// Values are SetObjects (core/set_object.h): an intset while every member is an integer, a
// listpack while small, else a hashtable — Redis 7.2's encodings, thresholds
// (set-max-intset-entries, set-max-listpack-entries, set-max-listpack-value) and conversion
// rules, so OBJECT ENCODING answers as 7.2 does. Writers store the (possibly moved or
// re-encoded) object back with Db::StoreObject, which swaps in a new entry, TTL kept, when the
// encoding changed. A set that becomes empty is deleted; *STORE commands overwrite their
// destination (dropping its TTL) and delete it when the result is empty. Every successful
// write calls Db::NotifyModified.
#include <algorithm>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/glob.h"
#include "core/set_object.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"
#include "server/scan_args.h"

namespace ember {
namespace {

// ---------------------------------------------------------------------------------------------
// Shared helpers

SetLimits Limits(const CommandContext& ctx) {
  return {.max_intset = ctx.cfg().set_max_intset_entries,
          .max_listpack = ctx.cfg().set_max_listpack_entries,
          .max_listpack_value = ctx.cfg().set_max_listpack_value};
}

// Looks a set up for reading. Returns false after replying WRONGTYPE; *e is nullptr when the
// key is absent.
bool ReadSet(CommandContext& ctx, std::string_view key, KvEntry** e) {
  return ctx.LookupTyped(key, ObjType::kSet, false, e);
}

// Looks a set up for writing, like ReadSet.
bool WriteSet(CommandContext& ctx, std::string_view key, KvEntry** e) {
  return ctx.LookupTyped(key, ObjType::kSet, true, e);
}

SetObject View(const KvEntry* e) { return SetObject::FromEntry(e); }

// Stores `s` (possibly moved or re-encoded) as the value of `key`, whose entry is `e` (or
// nullptr: a new key). An empty set deletes the key (or is just freed when it was never
// linked). The caller notifies when something changed.
void Store(Db& db, std::string_view key, KvEntry* e, SetObject s) {
  if (!e && s.Size() == 0) {
    s.Destroy();
    return;
  }
  db.StoreObject(key, e, ObjType::kSet, s.encoding(), s.obj());
  if (s.Size() == 0) db.Delete(key);
}

// Keyspace events of a removal by `event` (SREM, SPOP) from `key`, then "del" if it `emptied`
// the set.
void NotifyRemoval(CommandContext& ctx, std::string_view key, std::string_view event,
                   bool emptied) {
  NotifyKeyspaceEvent(ctx, kNotifySet, event, key);
  if (emptied) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
}

// Replies with every member, as a RESP3 set (an array in RESP2).
void ReplyMembers(ReplyBuilder& r, const SetObject& s) {
  r.SetHeader(s.Size());
  s.ForEach([&r](std::string_view m) { r.Bulk(m); });
}

// ---------------------------------------------------------------------------------------------
// Single-set commands

// SADD key member [member ...]
//
// As Redis 7.2, the number of members given is a size hint: a new key starts in the encoding
// that hint calls for, and an existing small set converts to a hashtable up front when the
// hint alone exceeds its limit.
void SAdd(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteSet(ctx, key, &e)) return;
  SetLimits limits = Limits(ctx);
  size_t hint = ctx.argc() - 2;
  SetObject s = e ? View(e) : SetObject::Create(ctx.arg(2), hint, limits);
  if (e) s.PrepareForBatch(hint, limits);
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); i++) added += s.Add(ctx.arg(i), limits);
  Store(ctx.db(), key, e, s);
  if (added) {
    ctx.db().NotifyModified(key);
    NotifyKeyspaceEvent(ctx, kNotifySet, "sadd", key);
  }
  ctx.reply().Integer(added);
}

// SREM key member [member ...]
void SRem(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteSet(ctx, key, &e)) return;
  if (!e) return ctx.reply().Integer(0);
  SetObject s = View(e);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc() && s.Size() > 0; i++) removed += s.Remove(ctx.arg(i));
  bool emptied = s.Size() == 0;
  Store(ctx.db(), key, e, s);
  if (removed) {
    ctx.db().NotifyModified(key);
    NotifyRemoval(ctx, key, "srem", emptied);
  }
  ctx.reply().Integer(removed);
}

// SMEMBERS key
void SMembers(CommandContext& ctx) {
  KvEntry* e;
  if (!ReadSet(ctx, ctx.arg(1), &e)) return;
  if (!e) return ctx.reply().SetHeader(0);
  ReplyMembers(ctx.reply(), View(e));
}

// SISMEMBER key member
void SIsMember(CommandContext& ctx) {
  KvEntry* e;
  if (!ReadSet(ctx, ctx.arg(1), &e)) return;
  ctx.reply().Integer(e && View(e).Contains(ctx.arg(2)) ? 1 : 0);
}

// SMISMEMBER key member [member ...]
void SMIsMember(CommandContext& ctx) {
  KvEntry* e;
  if (!ReadSet(ctx, ctx.arg(1), &e)) return;
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) r.Integer(e && View(e).Contains(ctx.arg(i)) ? 1 : 0);
}

// SCARD key
void SCard(CommandContext& ctx) {
  KvEntry* e;
  if (!ReadSet(ctx, ctx.arg(1), &e)) return;
  ctx.reply().Integer(e ? int64_t(View(e).Size()) : 0);
}

// SMOVE source destination member
//
// Checks as Redis: a missing source answers 0 before any type check; then both keys must be
// sets (or the destination absent); moving within one set only tests membership. A new
// destination starts in the encoding its one member calls for. The destination counts as
// modified (WATCH) only when the member was not already in it.
void SMove(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2), member = ctx.arg(3);
  KvEntry* src = db.LookupWrite(src_key);
  KvEntry* dst = db.LookupWrite(dst_key);
  if (!src) return ctx.reply().Integer(0);
  if (src->type() != ObjType::kSet || (dst && dst->type() != ObjType::kSet)) {
    return ctx.reply().Error(errors::kWrongType);
  }
  if (src == dst) return ctx.reply().Integer(View(src).Contains(member) ? 1 : 0);
  SetObject s = View(src);
  if (!s.Remove(member)) return ctx.reply().Integer(0);
  bool emptied = s.Size() == 0;
  Store(db, src_key, src, s);
  db.NotifyModified(src_key);
  NotifyRemoval(ctx, src_key, "srem", emptied);
  SetLimits limits = Limits(ctx);
  SetObject d = dst ? View(dst) : SetObject::Create(member, 1, limits);
  bool added = d.Add(member, limits);
  Store(db, dst_key, dst, d);
  if (added) {  // a member already there leaves it unchanged
    db.NotifyModified(dst_key);
    NotifyKeyspaceEvent(ctx, kNotifySet, "sadd", dst_key);
  }
  ctx.reply().Integer(1);
}

// ---------------------------------------------------------------------------------------------
// Random members

// How many times the members SPOP leaves must outnumber the ones it takes for it to pop them
// one by one; below that it rebuilds the set from the few it keeps (Redis's constant).
constexpr size_t kSpopMoveStrategyMul = 5;

// Removes one random member, replying with it first (the view points into the set or into
// `scratch`, and Remove no longer reads it once it has found the member).
// `popped` (when propagating) collects the member.
void PopOne(ReplyBuilder& r, SetObject& s, std::vector<std::string>* popped) {
  char scratch[Listpack::kScratch];
  uint64_t id;
  std::string_view m = s.Random(CommandRng(), scratch, &id);
  r.Bulk(m);
  if (popped) popped->emplace_back(m);
  s.Remove(m);
}

// SPOP with a count below the size of a set that is no listpack, when most members go: moves
// `keep` random members of `s` into a new set (an intset stays one; members of a hashtable
// start a listpack, converting past its limits as Redis 7.2 does) and returns it.
SetObject KeepRandom(SetObject& s, size_t keep, const SetLimits& limits) {
  SetObject kept = s.encoding() == ObjEncoding::kIntset ? SetObject::CreateIntset()
                                                        : SetObject::CreateListpack();
  char scratch[Listpack::kScratch];
  uint64_t id;
  for (size_t i = 0; i < keep; i++) {
    std::string_view m = s.Random(CommandRng(), scratch, &id);
    kept.Add(m, limits);
    s.Remove(m);
  }
  return kept;
}

// SPOP key count, for 0 < count < size of the set `e` holds. `popped` (when propagating)
// collects the members taken.
void PopCount(CommandContext& ctx, KvEntry* e, size_t count, std::vector<std::string>* popped) {
  ReplyBuilder& r = ctx.reply();
  std::string_view key = ctx.arg(1);
  SetObject s = View(e);
  size_t remaining = s.Size() - count;
  r.SetHeader(count);
  auto emit = [&r, popped](std::string_view m) {
    r.Bulk(m);
    if (popped) popped->emplace_back(m);
  };
  if (s.encoding() == ObjEncoding::kListpack) {
    s.PopDistinct(count, CommandRng(), emit);
  } else if (remaining * kSpopMoveStrategyMul > count) {
    for (size_t i = 0; i < count; i++) PopOne(r, s, popped);
  } else {
    SetObject kept = KeepRandom(s, remaining, Limits(ctx));
    s.ForEach(emit);  // what is left was popped
    ctx.db().StoreObject(key, e, ObjType::kSet, kept.encoding(), kept.obj());
    s.Destroy();
    return;
  }
  Store(ctx.db(), key, e, s);
}

// SPOP key [count]
void SPop(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::kSyntax);
  int64_t count = 1;
  bool with_count = ctx.argc() == 3;
  if (with_count && (!ParseInt64(ctx.arg(2), &count) || count < 0)) {
    return ctx.reply().Error(errors::kMustBePositive);
  }
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!WriteSet(ctx, key, &e)) return;
  ReplyBuilder& r = ctx.reply();
  if (!e) return with_count ? r.SetHeader(0) : r.NullBulk();
  if (count == 0) return r.SetHeader(0);
  SetObject s = View(e);
  bool emptied = false;
  // Random picks do not replay: SPOP propagates as one SREM per member (DEL for all).
  std::vector<std::string> popped;
  std::vector<std::string>* collect = ctx.propagating() ? &popped : nullptr;
  if (!with_count) {
    PopOne(r, s, collect);
    emptied = s.Size() == 0;
    Store(ctx.db(), key, e, s);
  } else if (uint64_t(count) >= s.Size()) {
    ReplyMembers(r, s);  // everything: the key goes away
    ctx.db().Delete(key);
    emptied = true;
    if (collect) ctx.PropagateAs({"DEL", std::string(key)});
    collect = nullptr;
  } else {
    PopCount(ctx, e, size_t(count), collect);
  }
  ctx.db().NotifyModified(key);
  NotifyRemoval(ctx, key, "spop", emptied);
  if (!collect) return;
  for (std::string& m : popped) ctx.AlsoPropagate({"SREM", std::string(key), std::move(m)});
  ctx.PreventPropagation();
}

// SRANDMEMBER with a positive count below the size of a set that is no listpack: `count`
// distinct random members.
void ReplyDistinctRandom(ReplyBuilder& r, const SetObject& s, size_t count) {
  std::vector<std::string> picked;
  picked.reserve(count);
  char scratch[Listpack::kScratch];
  uint64_t id;
  if (count * 3 > s.Size()) {
    // Close to the whole set: take everything and drop random members until count remain.
    std::vector<std::string> all;
    all.reserve(s.Size());
    s.ForEach([&all](std::string_view m) { all.emplace_back(m); });
    while (all.size() > count) {
      size_t i = CommandRng()() % all.size();
      std::swap(all[i], all.back());
      all.pop_back();
    }
    picked = std::move(all);
  } else {
    std::unordered_set<uint64_t> seen;
    while (picked.size() < count) {
      std::string_view m = s.Random(CommandRng(), scratch, &id);
      if (seen.insert(id).second) picked.emplace_back(m);
    }
  }
  r.ArrayHeader(picked.size());
  for (const std::string& m : picked) r.Bulk(m);
}

// SRANDMEMBER key [count]
//
// A positive count asks for distinct members (all of them when count >= size); a negative
// one for |count| independent picks, which may repeat. Replies are arrays even in RESP3.
void SRandMember(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::kSyntax);
  bool with_count = ctx.argc() == 3;
  int64_t count = 0;
  if (with_count) {
    if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply().Error(errors::kNotInteger);
    if (count == INT64_MIN) return ctx.reply().Error(errors::kRandomCountRange);
  }
  KvEntry* e;
  if (!ReadSet(ctx, ctx.arg(1), &e)) return;
  ReplyBuilder& r = ctx.reply();
  if (!e) return with_count ? r.ArrayHeader(0) : r.NullBulk();
  SetObject s = View(e);
  char scratch[Listpack::kScratch];
  uint64_t id;
  if (!with_count) return r.Bulk(s.Random(CommandRng(), scratch, &id));
  if (count == 0) return r.ArrayHeader(0);
  if (count < 0) {
    r.ArrayHeader(size_t(-count));
    for (int64_t i = 0; i < -count; i++) r.Bulk(s.Random(CommandRng(), scratch, &id));
    return;
  }
  if (uint64_t(count) >= s.Size()) {
    r.ArrayHeader(s.Size());
    s.ForEach([&r](std::string_view m) { r.Bulk(m); });
    return;
  }
  if (s.encoding() == ObjEncoding::kListpack) {
    r.ArrayHeader(size_t(count));
    s.SampleDistinct(size_t(count), CommandRng(), [&r](std::string_view m) { r.Bulk(m); });
    return;
  }
  ReplyDistinctRandom(r, s, size_t(count));
}

// ---------------------------------------------------------------------------------------------
// SSCAN

// SSCAN key cursor [MATCH pattern] [COUNT count]
//
// The cursor is checked first, then the key (missing: an empty page, options unchecked), then
// the options, as Redis. A hashtable is walked bucket by bucket until about COUNT members were
// seen (at most 10*COUNT buckets); an intset or a listpack is returned whole with cursor 0.
void SScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.reply().Error(errors::kInvalidCursor);
  KvEntry* e;
  if (!ReadSet(ctx, ctx.arg(1), &e)) return;
  ReplyBuilder& r = ctx.reply();
  if (!e) {
    r.ArrayHeader(2);
    ReplyScanCursor(r, 0);
    return r.ArrayHeader(0);
  }
  ScanArgs opt;
  if (!ParseScanArgs(ctx, 3, 0, &opt)) return;
  SetObject s = View(e);
  std::vector<std::string> out;
  size_t seen = 0;
  auto visit = [&](std::string_view m) {
    seen++;
    if (!opt.use_pattern || GlobMatch(opt.pattern, m)) out.emplace_back(m);
  };
  int64_t max_steps = opt.count > INT64_MAX / 10 ? INT64_MAX : opt.count * 10;
  do {
    cursor = s.Scan(cursor, visit);
  } while (cursor != 0 && --max_steps > 0 && seen < uint64_t(opt.count));
  r.ArrayHeader(2);
  ReplyScanCursor(r, cursor);
  r.ArrayHeader(out.size());
  for (const std::string& m : out) r.Bulk(m);
}

// ---------------------------------------------------------------------------------------------
// Set algebra

// The source sets of an algebra command, in argument order; nullptr for a missing key.
struct Sources {
  std::vector<const KvEntry*> sets;
  bool any_missing = false;
};

// Looks up args[first..end) as Redis does: every key is type-checked (a key of another type
// is an error even after a missing one), and read lookups count hits/misses (and report
// "keymiss") in the store variants too. Replies WRONGTYPE and returns false on a non-set.
bool LoadSources(CommandContext& ctx, size_t first, size_t end, Sources* out) {
  for (size_t i = first; i < end; i++) {
    KvEntry* e;
    if (!ReadSet(ctx, ctx.arg(i), &e)) return false;
    out->any_missing |= e == nullptr;
    out->sets.push_back(e);
  }
  return true;
}

// Sorts the (all present) sets smallest first, the order the intersection walks them in.
std::vector<const KvEntry*> BySize(std::vector<const KvEntry*> sets) {
  std::sort(sets.begin(), sets.end(),
            [](const KvEntry* a, const KvEntry* b) { return View(a).Size() < View(b).Size(); });
  return sets;
}

// Calls f(member) for each member of the intersection of `sets` (sorted by BySize), until f
// returns false.
template <class F>
void ForEachInIntersection(const std::vector<const KvEntry*>& sets, F&& f) {
  bool go_on = true;
  View(sets[0]).ForEach([&](std::string_view m) {
    if (!go_on) return;
    for (size_t j = 1; j < sets.size(); j++) {
      if (sets[j] != sets[0] && !View(sets[j]).Contains(m)) return;
    }
    go_on = f(m);
  });
}

enum class SetOp { kInter, kUnion, kDiff };

// The intersection as a new set object, encoded as Redis 7.2 stores SINTERSTORE's result: an
// intset when the smallest source is one, else a listpack (converting past its limits), and
// in the end an intset whenever every member is an integer and there are few enough.
SetObject Intersection(const Sources& src, const SetLimits& limits) {
  if (src.any_missing) return SetObject::CreateIntset();
  std::vector<const KvEntry*> sets = BySize(src.sets);
  SetObject out = View(sets[0]).encoding() == ObjEncoding::kIntset ? SetObject::CreateIntset()
                                                                   : SetObject::CreateListpack();
  ForEachInIntersection(sets, [&out, &limits](std::string_view m) {
    out.Add(m, limits);
    return true;
  });
  out.ConvertToIntsetIfIntegers(limits);
  return out;
}

// The union or difference as a new set object, built as Redis does: an intset first,
// converting as members arrive.
SetObject UnionOrDiff(SetOp op, const Sources& src, const SetLimits& limits) {
  SetObject out = SetObject::CreateIntset();
  auto add = [&out, &limits](std::string_view m) { out.Add(m, limits); };
  if (op == SetOp::kUnion) {
    for (const KvEntry* e : src.sets) {
      if (e) View(e).ForEach(add);
    }
  } else if (src.sets[0]) {
    View(src.sets[0]).ForEach([&](std::string_view m) {
      for (size_t j = 1; j < src.sets.size(); j++) {
        if (src.sets[j] && View(src.sets[j]).Contains(m)) return;
      }
      add(m);
    });
  }
  return out;
}

SetObject Compute(SetOp op, const Sources& src, const SetLimits& limits) {
  return op == SetOp::kInter ? Intersection(src, limits) : UnionOrDiff(op, src, limits);
}

// SINTER key [key ...]
//
// The members come straight from the smallest set: no result set is built.
void SInter(CommandContext& ctx) {
  Sources src;
  if (!LoadSources(ctx, 1, ctx.argc(), &src)) return;
  std::vector<std::string> out;
  if (!src.any_missing) {
    ForEachInIntersection(BySize(src.sets), [&out](std::string_view m) {
      out.emplace_back(m);
      return true;
    });
  }
  ReplyBuilder& r = ctx.reply();
  r.SetHeader(out.size());
  for (const std::string& m : out) r.Bulk(m);
}

// SUNION key [key ...] / SDIFF key [key ...]
void AlgebraRead(CommandContext& ctx, SetOp op) {
  Sources src;
  if (!LoadSources(ctx, 1, ctx.argc(), &src)) return;
  SetObject out = Compute(op, src, Limits(ctx));
  ReplyMembers(ctx.reply(), out);
  out.Destroy();
}

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]; `event` is the keyspace
// event of a non-empty result.
void AlgebraStore(CommandContext& ctx, SetOp op, std::string_view event) {
  Sources src;
  if (!LoadSources(ctx, 2, ctx.argc(), &src)) return;
  SetObject out = Compute(op, src, Limits(ctx));
  Db& db = ctx.db();
  std::string_view dst = ctx.arg(1);
  size_t n = out.Size();
  if (n == 0) {
    out.Destroy();
    if (db.Delete(dst)) {
      db.NotifyModified(dst);
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", dst);
    }
  } else {
    db.Upsert(KvEntry::CreateObj(dst, ObjType::kSet, out.encoding(), out.obj()));
    db.NotifyModified(dst);
    NotifyKeyspaceEvent(ctx, kNotifySet, event, dst);
  }
  ctx.reply().Integer(int64_t(n));
}

void SUnion(CommandContext& ctx) { AlgebraRead(ctx, SetOp::kUnion); }
void SDiff(CommandContext& ctx) { AlgebraRead(ctx, SetOp::kDiff); }
void SInterStore(CommandContext& ctx) { AlgebraStore(ctx, SetOp::kInter, "sinterstore"); }
void SUnionStore(CommandContext& ctx) { AlgebraStore(ctx, SetOp::kUnion, "sunionstore"); }
void SDiffStore(CommandContext& ctx) { AlgebraStore(ctx, SetOp::kDiff, "sdiffstore"); }

// SINTERCARD numkeys key [key ...] [LIMIT limit]
void SInterCard(CommandContext& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(1), &numkeys) || numkeys <= 0) {
    return ctx.reply().Error(errors::kNumkeysPositive);
  }
  if (uint64_t(numkeys) > ctx.argc() - 2) return ctx.reply().Error(errors::kNumkeysTooMany);
  size_t end = 2 + size_t(numkeys);
  int64_t limit = 0;
  for (size_t i = end; i < ctx.argc(); i += 2) {
    if (!EqualsIgnoreCase(ctx.arg(i), "LIMIT") || i + 1 >= ctx.argc()) {
      return ctx.reply().Error(errors::kSyntax);
    }
    if (!ParseInt64(ctx.arg(i + 1), &limit) || limit < 0) {
      return ctx.reply().Error(errors::kLimitNegative);
    }
  }
  Sources src;
  if (!LoadSources(ctx, 2, end, &src)) return;
  int64_t n = 0;
  if (!src.any_missing) {
    ForEachInIntersection(BySize(src.sets), [&n, limit](std::string_view) {
      n++;
      return limit == 0 || n < limit;
    });
  }
  ctx.reply().Integer(n);
}

// ---------------------------------------------------------------------------------------------
// Registration

constexpr uint64_t kReadFast = kAclRead | kAclSet | kAclFast;
constexpr uint64_t kReadSlow = kAclRead | kAclSet | kAclSlow;
constexpr uint64_t kWriteFast = kAclWrite | kAclSet | kAclFast;
constexpr uint64_t kWriteSlow = kAclWrite | kAclSet | kAclSlow;

void RegisterMemberCommands(CommandTable& t) {
  t.Add({.name = "sadd",
         .arity = -3,
         .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
         .acl = kWriteFast,
         .key_specs = {KeyAt(1, kKsRW | kKsInsert)},
         .group = "set",
         .since = "1.0.0",
         .summary = "Adds members to a set, creating the key if needed.",
         .complexity = "O(1) per member added",
         .syntax = "key member [member ...]",
         .handler = SAdd});
  t.Add({.name = "srem",
         .arity = -3,
         .flags = kCmdWrite | kCmdFast,
         .acl = kWriteFast,
         .key_specs = {KeyAt(1, kKsRW | kKsDelete)},
         .group = "set",
         .since = "1.0.0",
         .summary = "Removes members from a set; an emptied set is deleted.",
         .complexity = "O(N) where N is the number of members removed",
         .syntax = "key member [member ...]",
         .handler = SRem});
  t.Add({.name = "smembers",
         .arity = 2,
         .flags = kCmdReadOnly,
         .acl = kReadSlow,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "set",
         .since = "1.0.0",
         .summary = "Returns every member of a set.",
         .complexity = "O(N) where N is the set cardinality",
         .syntax = "key",
         .tips = {"nondeterministic_output_order"},
         .handler = SMembers});
  t.Add({.name = "sismember",
         .arity = 3,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kReadFast,
         .key_specs = {KeyAt(1, kKsRO)},
         .group = "set",
         .since = "1.0.0",
         .summary = "Tells whether a value is a member of a set.",
         .complexity = "O(1)",
         .syntax = "key member",
         .handler = SIsMember});
  t.Add({.name = "smismember",
         .arity = -3,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kReadFast,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "set",
         .since = "6.2.0",
         .summary = "Tells, for each of several values, whether it is a member of a set.",
         .complexity = "O(N) where N is the number of values checked",
         .syntax = "key member [member ...]",
         .handler = SMIsMember});
  t.Add({.name = "scard",
         .arity = 2,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kReadFast,
         .key_specs = {KeyAt(1, kKsRO)},
         .group = "set",
         .since = "1.0.0",
         .summary = "Returns the number of members of a set.",
         .complexity = "O(1)",
         .syntax = "key",
         .handler = SCard});
  t.Add({.name = "smove",
         .arity = 4,
         .flags = kCmdWrite | kCmdFast,
         .acl = kWriteFast,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsDelete), KeyAt(2, kKsRW | kKsInsert)},
         .group = "set",
         .since = "1.0.0",
         .summary = "Moves a member from one set to another.",
         .complexity = "O(1)",
         .syntax = "source destination member",
         .handler = SMove});
}

void RegisterRandomAndScanCommands(CommandTable& t) {
  t.Add({.name = "spop",
         .arity = -2,
         .flags = kCmdWrite | kCmdFast,
         .acl = kWriteFast,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsDelete)},
         .group = "set",
         .since = "1.0.0",
         .summary = "Removes and returns random members of a set.",
         .complexity = "O(1) without a count, else O(N) where N is the count",
         .syntax = "key [count]",
         .tips = {"nondeterministic_output"},
         .handler = SPop});
  t.Add({.name = "srandmember",
         .arity = -2,
         .flags = kCmdReadOnly,
         .acl = kReadSlow,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "set",
         .since = "1.0.0",
         .summary = "Returns random members of a set without removing them.",
         .complexity = "O(1) without a count, else O(N) where N is the absolute count",
         .syntax = "key [count]",
         .tips = {"nondeterministic_output"},
         .handler = SRandMember});
  t.Add({.name = "sscan",
         .arity = -3,
         .flags = kCmdReadOnly,
         .acl = kReadSlow,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "set",
         .since = "2.8.0",
         .summary = "Iterates over the members of a set with a cursor.",
         .complexity = "O(1) per call, O(N) for a whole iteration",
         .syntax = "key cursor [MATCH pattern] [COUNT count]",
         .tips = {"nondeterministic_output"},
         .handler = SScan});
}

void RegisterAlgebraCommands(CommandTable& t) {
  struct Row {
    const char* name;
    bool store;
    std::string_view summary;
    std::string_view complexity;
    CommandHandler handler;
  };
  constexpr std::string_view kInterCost =
      "O(N*M) worst case, N the size of the smallest set and M the number of sets";
  constexpr std::string_view kSumCost = "O(N) where N is the total number of members read";
  const Row rows[] = {
      {"sinter", false, "Returns the intersection of sets.", kInterCost, SInter},
      {"sunion", false, "Returns the union of sets.", kSumCost, SUnion},
      {"sdiff", false, "Returns the members of the first set absent from the others.", kSumCost,
       SDiff},
      {"sinterstore", true, "Stores the intersection of sets in a key.", kInterCost, SInterStore},
      {"sunionstore", true, "Stores the union of sets in a key.", kSumCost, SUnionStore},
      {"sdiffstore", true, "Stores the difference of sets in a key.", kSumCost, SDiffStore},
  };
  for (const Row& row : rows) {
    CommandSpec spec{.name = row.name,
                     .group = "set",
                     .since = "1.0.0",
                     .summary = row.summary,
                     .complexity = row.complexity,
                     .handler = row.handler};
    if (row.store) {
      uint32_t dst_flags = row.handler == SInterStore ? kKsRW : kKsOW;
      spec.arity = -3;
      spec.flags = kCmdWrite | kCmdDenyOom;
      spec.acl = kWriteSlow;
      spec.key_specs = {KeyAt(1, dst_flags | kKsUpdate), KeyRange(2, -1, 1, kKsRO | kKsAccess)};
      spec.syntax = "destination key [key ...]";
    } else {
      spec.arity = -2;
      spec.flags = kCmdReadOnly;
      spec.acl = kReadSlow;
      spec.key_specs = {KeyRange(1, -1, 1, kKsRO | kKsAccess)};
      spec.syntax = "key [key ...]";
      spec.tips = {"nondeterministic_output_order"};
    }
    t.Add(std::move(spec));
  }
  t.Add({.name = "sintercard",
         .arity = -3,
         .flags = kCmdReadOnly,
         .acl = kReadSlow,
         .key_specs = {KeyNumKeys(1, kKsRO | kKsAccess)},
         .group = "set",
         .since = "7.0.0",
         .summary = "Returns the size of the intersection of sets, optionally capped.",
         .complexity = kInterCost,
         .syntax = "numkeys key [key ...] [LIMIT limit]",
         .handler = SInterCard});
}

}  // namespace

void RegisterSetFamily(CommandTable& t) {
  RegisterMemberCommands(t);
  RegisterRandomAndScanCommands(t);
  RegisterAlgebraCommands(t);
}

}  // namespace ember
