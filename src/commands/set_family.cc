// Set commands: SADD, SREM, SMEMBERS, SISMEMBER, SMISMEMBER, SCARD, SPOP, SRANDMEMBER, SMOVE,
// SSCAN, and the set algebra (SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF,
// SDIFFSTORE).
//
// Values are SetObjects (core/set_object.h): an intset while every member is an integer and
// there are at most set-max-intset-entries of them, else a hashtable — the encodings and
// thresholds of Redis 7.0, so OBJECT ENCODING answers the same. A set that becomes empty is
// deleted; *STORE commands overwrite their destination (dropping its TTL) and delete it when
// the result is empty. Every successful write calls Db::NotifyModified.
#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/glob.h"
#include "core/set_object.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/scan_args.h"

namespace ember {
namespace {

// ---------------------------------------------------------------------------------------------
// Shared helpers

// Looks `key` up for reading. Returns the entry, or nullptr with *wrong_type telling whether it
// is absent or not a set.
KvEntry* LookupSetRead(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  KvEntry* e = ctx.db().LookupRead(key, ctx.read_flags());
  *wrong_type = e && e->type() != ObjType::kSet;
  return *wrong_type ? nullptr : e;
}

// Same for writing (no hit/miss counting).
KvEntry* LookupSetWrite(Db& db, std::string_view key, bool* wrong_type) {
  KvEntry* e = db.LookupWrite(key);
  *wrong_type = e && e->type() != ObjType::kSet;
  return *wrong_type ? nullptr : e;
}

int64_t MaxIntset(CommandContext& ctx) { return ctx.cfg().set_max_intset_entries; }

// Replies with every member, as a RESP3 set (an array in RESP2).
void ReplyMembers(ReplyBuilder& r, const SetObject& s) {
  r.SetHeader(s.Size());
  s.ForEach([&r](std::string_view m) { r.Bulk(m); });
}

// After removals: stores the object back, or deletes the key when the set became empty.
// (The pointer is stored first either way: removals may have moved the block.)
void StoreOrDelete(Db& db, KvEntry* e, const SetObject& s, std::string_view key) {
  StoreSet(e, s);
  if (s.Size() == 0) db.Delete(key);
}

// ---------------------------------------------------------------------------------------------
// Single-set commands

// SADD key member [member ...]
void SAdd(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  bool wrong;
  KvEntry* e = LookupSetWrite(db, key, &wrong);
  if (wrong) return ctx.reply().Error(errors::kWrongType);
  SetObject s = e ? SetObject::FromEntry(e) : SetObject::CreateFor(ctx.arg(2));
  int64_t added = 0;
  for (size_t i = 2; i < ctx.argc(); i++) added += s.Add(ctx.arg(i), MaxIntset(ctx));
  if (e) {
    StoreSet(e, s);
  } else {
    db.Add(KvEntry::CreateObj(key, ObjType::kSet, s.encoding(), s.obj()));
  }
  if (added) db.NotifyModified(key);
  ctx.reply().Integer(added);
}

// SREM key member [member ...]
void SRem(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  bool wrong;
  KvEntry* e = LookupSetWrite(db, key, &wrong);
  if (wrong) return ctx.reply().Error(errors::kWrongType);
  if (!e) return ctx.reply().Integer(0);
  SetObject s = SetObject::FromEntry(e);
  int64_t removed = 0;
  for (size_t i = 2; i < ctx.argc() && s.Size() > 0; i++) removed += s.Remove(ctx.arg(i));
  StoreOrDelete(db, e, s, key);
  if (removed) db.NotifyModified(key);
  ctx.reply().Integer(removed);
}

// SMEMBERS key
void SMembers(CommandContext& ctx) {
  bool wrong;
  KvEntry* e = LookupSetRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return ctx.reply().Error(errors::kWrongType);
  if (!e) return ctx.reply().SetHeader(0);
  ReplyMembers(ctx.reply(), SetObject::FromEntry(e));
}

// SISMEMBER key member
void SIsMember(CommandContext& ctx) {
  bool wrong;
  KvEntry* e = LookupSetRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return ctx.reply().Error(errors::kWrongType);
  ctx.reply().Integer(e && SetObject::FromEntry(e).Contains(ctx.arg(2)) ? 1 : 0);
}

// SMISMEMBER key member [member ...]
void SMIsMember(CommandContext& ctx) {
  bool wrong;
  KvEntry* e = LookupSetRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return ctx.reply().Error(errors::kWrongType);
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    r.Integer(e && SetObject::FromEntry(e).Contains(ctx.arg(i)) ? 1 : 0);
  }
}

// SCARD key
void SCard(CommandContext& ctx) {
  bool wrong;
  KvEntry* e = LookupSetRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return ctx.reply().Error(errors::kWrongType);
  ctx.reply().Integer(e ? int64_t(SetObject::FromEntry(e).Size()) : 0);
}

// SMOVE source destination member
//
// Checks as Redis: a missing source answers 0 before any type check; then both keys must be
// sets (or the destination absent); moving within one set only tests membership.
void SMove(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view src_key = ctx.arg(1), dst_key = ctx.arg(2), member = ctx.arg(3);
  KvEntry* src = db.LookupWrite(src_key);
  KvEntry* dst = db.LookupWrite(dst_key);
  if (!src) return ctx.reply().Integer(0);
  if (src->type() != ObjType::kSet || (dst && dst->type() != ObjType::kSet)) {
    return ctx.reply().Error(errors::kWrongType);
  }
  if (src == dst) return ctx.reply().Integer(SetObject::FromEntry(src).Contains(member) ? 1 : 0);
  SetObject s = SetObject::FromEntry(src);
  if (!s.Remove(member)) return ctx.reply().Integer(0);
  StoreOrDelete(db, src, s, src_key);
  db.NotifyModified(src_key);
  SetObject d = dst ? SetObject::FromEntry(dst) : SetObject::CreateFor(member);
  d.Add(member, MaxIntset(ctx));
  if (dst) {
    StoreSet(dst, d);
  } else {
    db.Add(KvEntry::CreateObj(dst_key, ObjType::kSet, d.encoding(), d.obj()));
  }
  db.NotifyModified(dst_key);
  ctx.reply().Integer(1);
}

// ---------------------------------------------------------------------------------------------
// Random members

// Removes and returns one random member.
std::string PopOne(SetObject& s) {
  char scratch[24];
  uint64_t id;
  std::string m(s.Random(scratch, &id));
  s.Remove(m);
  return m;
}

// SPOP key [count]
void SPop(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::kSyntax);
  int64_t count = 1;
  bool with_count = ctx.argc() == 3;
  if (with_count && (!ParseInt64(ctx.arg(2), &count) || count < 0)) {
    return ctx.reply().Error(errors::kMustBePositive);
  }
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  bool wrong;
  KvEntry* e = LookupSetWrite(db, key, &wrong);
  if (wrong) return ctx.reply().Error(errors::kWrongType);
  ReplyBuilder& r = ctx.reply();
  if (!e) return with_count ? r.SetHeader(0) : r.NullBulk();
  if (count == 0) return r.SetHeader(0);
  SetObject s = SetObject::FromEntry(e);
  if (!with_count) {
    r.Bulk(PopOne(s));
  } else if (uint64_t(count) >= s.Size()) {
    ReplyMembers(r, s);  // everything: the key goes away below
    db.Delete(key);
    db.NotifyModified(key);
    return;
  } else {
    r.SetHeader(size_t(count));
    for (int64_t i = 0; i < count; i++) r.Bulk(PopOne(s));
  }
  StoreOrDelete(db, e, s, key);
  db.NotifyModified(key);
}

// SRANDMEMBER with a positive count below the size: `count` distinct random members.
void ReplyDistinctRandom(ReplyBuilder& r, const SetObject& s, size_t count) {
  std::vector<std::string> picked;
  picked.reserve(count);
  char scratch[24];
  uint64_t id;
  if (count * 3 > s.Size()) {
    // Close to the whole set: take everything and drop random members until count remain.
    std::vector<std::string> all;
    all.reserve(s.Size());
    s.ForEach([&all](std::string_view m) { all.emplace_back(m); });
    while (all.size() > count) {
      size_t i = SetRandom() % all.size();
      std::swap(all[i], all.back());
      all.pop_back();
    }
    picked = std::move(all);
  } else {
    std::unordered_set<uint64_t> seen;
    while (picked.size() < count) {
      std::string_view m = s.Random(scratch, &id);
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
  bool wrong;
  KvEntry* e = LookupSetRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return ctx.reply().Error(errors::kWrongType);
  ReplyBuilder& r = ctx.reply();
  if (!e) return with_count ? r.ArrayHeader(0) : r.NullBulk();
  SetObject s = SetObject::FromEntry(e);
  char scratch[24];
  uint64_t id;
  if (!with_count) return r.Bulk(s.Random(scratch, &id));
  if (count == 0) return r.ArrayHeader(0);
  if (count < 0) {
    r.ArrayHeader(size_t(-count));
    for (int64_t i = 0; i < -count; i++) r.Bulk(s.Random(scratch, &id));
    return;
  }
  if (uint64_t(count) >= s.Size()) {
    r.ArrayHeader(s.Size());
    s.ForEach([&r](std::string_view m) { r.Bulk(m); });
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
// seen (at most 10*COUNT buckets); an intset is returned whole with cursor 0.
void SScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.reply().Error(errors::kInvalidCursor);
  bool wrong;
  KvEntry* e = LookupSetRead(ctx, ctx.arg(1), &wrong);
  if (wrong) return ctx.reply().Error(errors::kWrongType);
  ReplyBuilder& r = ctx.reply();
  if (!e) {
    r.ArrayHeader(2);
    r.Bulk("0");
    return r.ArrayHeader(0);
  }
  ScanArgs opt;
  if (!ParseScanArgs(ctx, 3, 0, &opt)) return;
  SetObject s = SetObject::FromEntry(e);
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
  char buf[24];
  int n = std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(cursor));
  r.Bulk(std::string_view(buf, size_t(n)));
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

// Looks up args[first..argc) as Redis does: every key is type-checked (a key of another type
// is an error even after a missing one). Store variants look up for writing (no hit/miss
// counting). Replies WRONGTYPE and returns false on a non-set.
bool LoadSources(CommandContext& ctx, size_t first, size_t end, bool for_store, Sources* out) {
  for (size_t i = first; i < end; i++) {
    bool wrong;
    KvEntry* e = for_store ? LookupSetWrite(ctx.db(), ctx.arg(i), &wrong)
                           : LookupSetRead(ctx, ctx.arg(i), &wrong);
    if (wrong) {
      ctx.reply().Error(errors::kWrongType);
      return false;
    }
    out->any_missing |= e == nullptr;
    out->sets.push_back(e);
  }
  return true;
}

// Calls f(member) for each member of the intersection of the (all present) sets, smallest set
// first, until f returns false.
template <class F>
void ForEachInIntersection(std::vector<const KvEntry*> sets, F&& f) {
  std::sort(sets.begin(), sets.end(), [](const KvEntry* a, const KvEntry* b) {
    return SetObject::FromEntry(a).Size() < SetObject::FromEntry(b).Size();
  });
  SetObject smallest = SetObject::FromEntry(sets[0]);
  bool go_on = true;
  smallest.ForEach([&](std::string_view m) {
    if (!go_on) return;
    for (size_t j = 1; j < sets.size(); j++) {
      if (!SetObject::FromEntry(sets[j]).Contains(m)) return;
    }
    go_on = f(m);
  });
}

enum class SetOp { kInter, kUnion, kDiff };

// Computes the result of `op` over the sources into a new set object (an intset first, as
// Redis builds *STORE results, converting as members arrive).
SetObject Compute(SetOp op, const Sources& src, int64_t max_intset) {
  SetObject out = SetObject::CreateIntset();
  auto add = [&out, max_intset](std::string_view m) {
    out.Add(m, max_intset);
    return true;
  };
  if (op == SetOp::kInter) {
    if (!src.any_missing) ForEachInIntersection(src.sets, add);
  } else if (op == SetOp::kUnion) {
    for (const KvEntry* e : src.sets) {
      if (e) SetObject::FromEntry(e).ForEach(add);
    }
  } else if (src.sets[0]) {
    SetObject::FromEntry(src.sets[0]).ForEach([&](std::string_view m) {
      for (size_t j = 1; j < src.sets.size(); j++) {
        if (src.sets[j] && SetObject::FromEntry(src.sets[j]).Contains(m)) return;
      }
      add(m);
    });
  }
  return out;
}

// SINTER key [key ...] / SUNION key [key ...] / SDIFF key [key ...]
void AlgebraRead(CommandContext& ctx, SetOp op) {
  Sources src;
  if (!LoadSources(ctx, 1, ctx.argc(), false, &src)) return;
  SetObject out = Compute(op, src, MaxIntset(ctx));
  ReplyMembers(ctx.reply(), out);
  out.Destroy();
}

// SINTERSTORE / SUNIONSTORE / SDIFFSTORE destination key [key ...]
void AlgebraStore(CommandContext& ctx, SetOp op) {
  Sources src;
  if (!LoadSources(ctx, 2, ctx.argc(), true, &src)) return;
  SetObject out = Compute(op, src, MaxIntset(ctx));
  Db& db = ctx.db();
  std::string_view dst = ctx.arg(1);
  size_t n = out.Size();
  if (n == 0) {
    out.Destroy();
    if (db.Delete(dst)) db.NotifyModified(dst);
  } else {
    db.Upsert(KvEntry::CreateObj(dst, ObjType::kSet, out.encoding(), out.obj()));
    db.NotifyModified(dst);
  }
  ctx.reply().Integer(int64_t(n));
}

void SInter(CommandContext& ctx) { AlgebraRead(ctx, SetOp::kInter); }
void SUnion(CommandContext& ctx) { AlgebraRead(ctx, SetOp::kUnion); }
void SDiff(CommandContext& ctx) { AlgebraRead(ctx, SetOp::kDiff); }
void SInterStore(CommandContext& ctx) { AlgebraStore(ctx, SetOp::kInter); }
void SUnionStore(CommandContext& ctx) { AlgebraStore(ctx, SetOp::kUnion); }
void SDiffStore(CommandContext& ctx) { AlgebraStore(ctx, SetOp::kDiff); }

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
  if (!LoadSources(ctx, 2, end, false, &src)) return;
  int64_t n = 0;
  if (!src.any_missing) {
    ForEachInIntersection(src.sets, [&n, limit](std::string_view) {
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
