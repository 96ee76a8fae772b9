// Hash commands: HSET, HSETNX, HMSET, HGET, HMGET, HGETALL, HKEYS, HVALS, HDEL, HLEN, HSTRLEN,
// HEXISTS, HINCRBY, HINCRBYFLOAT, HRANDFIELD and HSCAN, with Redis 7.2 replies and errors. The
// field-TTL commands (HEXPIRE, HGETEX, ...) live in hash_ttl_family.cc.
//
// The value is a HashObject (core/hash_object.h): a listpack while small, a hashtable past
// hash-max-listpack-entries / hash-max-listpack-value (read from ServerConfig). Writers store
// the possibly moved object pointer back into the entry (set_obj); when the encoding changes
// the entry is rebuilt around the new object (KvEntry::CreateObj + Db::ReplaceEntry with
// move_obj, keeping the TTL). A hash left empty deletes its key.
//
// Field TTLs: every lookup goes through LookupHash, which first deletes the hash's expired
// fields when its earliest field TTL has passed, so no command sees an expired field and HLEN
// is exact (Redis's HLEN may count expired fields not yet reclaimed; ours never does). HSET,
// HMSET and HSETNX write fields without a TTL (an overwritten field loses its TTL, as in
// Redis); HINCRBY and HINCRBYFLOAT keep the field's TTL (Redis 7.4+ does too).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "commands/hash_util.h"
#include "core/glob.h"
#include "core/hash_object.h"
#include "core/listpack.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"
#include "server/scan_args.h"

namespace ember {
namespace {

// ---------------------------------------------------------------------------------------------
// Helpers (the lookups and StoreHash are shared with hash_ttl_family.cc: hash_util.h)

// The hash of `e`, or a new empty one when e is nullptr (linked later by StoreHash).
HashObject OpenForWrite(KvEntry* e) { return e ? HashOf(e) : HashObject::Create(); }

// ---------------------------------------------------------------------------------------------
// Writes

// Sets the pairs at args[2..] on `key`; *added gets the number of new fields. False after
// replying an error.
bool SetPairs(CommandContext& ctx, int64_t* added) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return false;
  HashObject h = OpenForWrite(e);
  HashLimits limits = HashLimitsFor(ctx);
  *added = 0;
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2)
    *added += h.Set(ctx.arg(i), ctx.arg(i + 1), limits);
  StoreHash(ctx.db(), key, e, h);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hset", key);
  return true;
}

// HSET key field value [field value ...]
void HSet(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) return ctx.reply().Error(errors::WrongArity(ctx.spec().name));
  int64_t added;
  if (SetPairs(ctx, &added)) ctx.reply().Integer(added);
}

// HMSET key field value [field value ...]
void HMSet(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) return ctx.reply().Error(errors::WrongArity(ctx.spec().name));
  int64_t added;
  if (SetPairs(ctx, &added)) ctx.reply().Ok();
}

// HSETNX key field value
void HSetNx(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return;
  if (e && HashOf(e).Exists(ctx.arg(2))) return ctx.reply().Integer(0);
  HashObject h = OpenForWrite(e);
  h.Set(ctx.arg(2), ctx.arg(3), HashLimitsFor(ctx));
  StoreHash(ctx.db(), key, e, h);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hset", key);
  ctx.reply().Integer(1);
}

// HDEL key field [field ...]
void HDel(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return;
  if (!e) return ctx.reply().Integer(0);
  HashObject h = HashOf(e);
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argc() && h.Len() > 0; i++) deleted += h.Delete(ctx.arg(i));
  if (deleted) {
    bool emptied = h.Len() == 0;
    StoreHash(ctx.db(), key, e, h);
    NotifyKeyspaceEvent(ctx, kNotifyHash, "hdel", key);
    if (emptied) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
  }
  ctx.reply().Integer(deleted);
}

// HINCRBY key field increment
void HIncrBy(CommandContext& ctx) {
  int64_t incr;
  if (!ParseInt64(ctx.arg(3), &incr)) return ctx.reply().Error(errors::kNotInteger);
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return;
  HashObject h = OpenForWrite(e);
  int64_t cur = 0;
  char scratch[Listpack::kScratch];
  std::string_view old;
  if (e && h.Get(ctx.arg(2), scratch, &old) && !ParseInt64(old, &cur)) {
    return ctx.reply().Error(errors::kHashNotInteger);
  }
  int64_t result;
  if (__builtin_add_overflow(cur, incr, &result)) {
    if (!e) h.Destroy();
    return ctx.reply().Error(errors::kOverflow);
  }
  char buf[24];
  h.Set(ctx.arg(2), std::string_view(buf, Int64ToChars(result, buf)), HashLimitsFor(ctx),
        /*keep_ttl=*/true);
  StoreHash(ctx.db(), key, e, h);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hincrby", key);
  ctx.reply().Integer(result);
}

// HINCRBYFLOAT key field increment
void HIncrByFloat(CommandContext& ctx) {
  long double incr;
  if (!ParseLongDouble(ctx.arg(3), &incr)) return ctx.reply().Error(errors::kNotFloat);
  if (std::isnan(incr) || std::isinf(incr)) return ctx.reply().Error(errors::kNaNOrInfinity);
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return;
  long double cur = 0;
  char scratch[Listpack::kScratch];
  std::string_view old;
  if (e && HashOf(e).Get(ctx.arg(2), scratch, &old) && !ParseLongDouble(old, &cur)) {
    return ctx.reply().Error(errors::kHashNotFloat);
  }
  long double v = cur + incr;
  if (std::isnan(v) || std::isinf(v)) return ctx.reply().Error(errors::kIncrFloatNaN);
  std::string buf(ReplyBuilder::kHumanDoubleMax, '\0');
  buf.resize(ReplyBuilder::FormatHumanDouble(v, buf.data()));
  HashObject h = OpenForWrite(e);
  h.Set(ctx.arg(2), buf, HashLimitsFor(ctx), /*keep_ttl=*/true);
  int64_t field_ttl = KvEntry::kNoExpire;
  if (ctx.propagating()) (void)h.GetExpire(ctx.arg(2), &field_ttl);
  StoreHash(ctx.db(), key, e, h);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hincrbyfloat", key);
  ctx.reply().Bulk(buf);
  if (!ctx.propagating()) return;
  // The formatted result replays exactly; HSET drops a field TTL, which is set again.
  std::string field(ctx.arg(2));
  ctx.AlsoPropagate({"HSET", std::string(key), field, buf});
  if (field_ttl != KvEntry::kNoExpire) {
    ctx.AlsoPropagate(
        {"HPEXPIREAT", std::string(key), std::to_string(field_ttl), "FIELDS", "1", field});
  }
  ctx.PreventPropagation();
}

// ---------------------------------------------------------------------------------------------
// Reads

// HGET key field
void HGet(CommandContext& ctx) {
  KvEntry* e;
  if (!LookupHash(ctx, ctx.arg(1), false, &e)) return;
  char scratch[Listpack::kScratch];
  std::string_view v;
  if (!e || !HashOf(e).Get(ctx.arg(2), scratch, &v)) return ctx.reply().NullBulk();
  ctx.reply().Bulk(v);
}

// HMGET key field [field ...]
void HMGet(CommandContext& ctx) {
  KvEntry* e;
  if (!LookupHash(ctx, ctx.arg(1), false, &e)) return;
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(ctx.argc() - 2);
  char scratch[Listpack::kScratch];
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view v;
    if (e && HashOf(e).Get(ctx.arg(i), scratch, &v)) {
      r.Bulk(v);
    } else {
      r.NullBulk();
    }
  }
}

enum class Part { kFields, kValues, kBoth };

// HGETALL key / HKEYS key / HVALS key
void ReplyAll(CommandContext& ctx, Part part) {
  KvEntry* e;
  if (!LookupHash(ctx, ctx.arg(1), false, &e)) return;
  ReplyBuilder& r = ctx.reply();
  size_t n = e ? HashOf(e).Len() : 0;
  if (part == Part::kBoth) {
    r.MapHeader(n);
  } else {
    r.ArrayHeader(n);
  }
  if (!e) return;
  HashOf(e).ForEach([&r, part](std::string_view f, std::string_view v) {
    if (part != Part::kValues) r.Bulk(f);
    if (part != Part::kFields) r.Bulk(v);
  });
}

// HGETALL key
void HGetAll(CommandContext& ctx) { ReplyAll(ctx, Part::kBoth); }
// HKEYS key
void HKeys(CommandContext& ctx) { ReplyAll(ctx, Part::kFields); }
// HVALS key
void HVals(CommandContext& ctx) { ReplyAll(ctx, Part::kValues); }

// HLEN key
void HLen(CommandContext& ctx) {
  KvEntry* e;
  if (!LookupHash(ctx, ctx.arg(1), false, &e)) return;
  ctx.reply().Integer(e ? int64_t(HashOf(e).Len()) : 0);
}

// HSTRLEN key field
void HStrLen(CommandContext& ctx) {
  KvEntry* e;
  if (!LookupHash(ctx, ctx.arg(1), false, &e)) return;
  char scratch[Listpack::kScratch];
  std::string_view v;
  bool found = e && HashOf(e).Get(ctx.arg(2), scratch, &v);
  ctx.reply().Integer(found ? int64_t(v.size()) : 0);
}

// HEXISTS key field
void HExists(CommandContext& ctx) {
  KvEntry* e;
  if (!LookupHash(ctx, ctx.arg(1), false, &e)) return;
  ctx.reply().Integer(e && HashOf(e).Exists(ctx.arg(2)) ? 1 : 0);
}

// ---------------------------------------------------------------------------------------------
// HRANDFIELD

using Pair = std::pair<std::string, std::string>;

void ReplyPairs(ReplyBuilder& r, const std::vector<Pair>& pairs, bool with_values) {
  bool nested = with_values && r.resp() >= 3;
  r.ArrayHeader(with_values && !nested ? pairs.size() * 2 : pairs.size());
  for (const Pair& p : pairs) {
    if (nested) r.ArrayHeader(2);
    r.Bulk(p.first);
    if (with_values) r.Bulk(p.second);
  }
}

// `count` distinct random pairs of `h` (count < h.Len()).
std::vector<Pair> DistinctSample(const HashObject& h, size_t count) {
  std::vector<Pair> out;
  if (h.encoding() == ObjEncoding::kListpack || count * 3 > h.Len()) {
    out = h.Pairs();  // partial Fisher-Yates over everything
    for (size_t i = 0; i < count; i++) {
      std::swap(out[i], out[i + CommandRng()() % (out.size() - i)]);
    }
    out.resize(count);
    return out;
  }
  std::unordered_set<std::string> seen;
  while (out.size() < count) {
    Pair p = h.RandomPair(CommandRng());
    if (seen.insert(p.first).second) out.push_back(std::move(p));
  }
  return out;
}

// `n` random pairs of `h`, repeats allowed (negative count), written as they are drawn.
void ReplyWithRepeats(ReplyBuilder& r, const HashObject& h, uint64_t n, bool with_values) {
  bool nested = with_values && r.resp() >= 3;
  r.ArrayHeader(with_values && !nested ? n * 2 : n);
  std::vector<Pair> all;
  if (h.encoding() == ObjEncoding::kListpack) all = h.Pairs();  // small: decode once
  for (uint64_t i = 0; i < n; i++) {
    Pair p = all.empty() ? h.RandomPair(CommandRng()) : all[CommandRng()() % all.size()];
    if (nested) r.ArrayHeader(2);
    r.Bulk(p.first);
    if (with_values) r.Bulk(p.second);
  }
}

// HRANDFIELD key [count [WITHVALUES]]
void HRandField(CommandContext& ctx) {
  RandomCountArgs a;
  if (std::string_view err = ParseRandomCountArgs(ctx.args(), "WITHVALUES", &a); !err.empty()) {
    return ctx.reply().Error(err);
  }
  bool with_count = a.with_count, with_values = a.with_keyword;
  int64_t count = a.count;
  KvEntry* e;
  if (!LookupHash(ctx, ctx.arg(1), false, &e)) return;
  ReplyBuilder& r = ctx.reply();
  if (!with_count) {
    if (!e) return r.NullBulk();
    return r.Bulk(HashOf(e).RandomPair(CommandRng()).first);
  }
  if (!e || count == 0) return r.ArrayHeader(0);
  HashObject h = HashOf(e);
  if (count < 0) return ReplyWithRepeats(r, h, uint64_t(-count), with_values);
  std::vector<Pair> out;
  if (uint64_t(count) >= h.Len()) {
    out = h.Pairs();
  } else {
    out = DistinctSample(h, size_t(count));
  }
  ReplyPairs(r, out, with_values);
}

// ---------------------------------------------------------------------------------------------
// HSCAN

// HSCAN key cursor [MATCH pattern] [COUNT count] [NOVALUES]
void HScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.reply().Error(errors::kInvalidCursor);
  ScanArgs opt;
  if (!ParseScanArgs(ctx, 3, kScanAllowNoValues, &opt)) return;
  KvEntry* e;
  if (!LookupHash(ctx, ctx.arg(1), false, &e)) return;
  std::vector<std::string> items;
  auto collect = [&](std::string_view f, std::string_view v) {
    if (opt.use_pattern && !GlobMatch(opt.pattern, f)) return;
    items.emplace_back(f);
    if (!opt.no_values) items.emplace_back(v);
  };
  uint64_t next = 0;
  if (e && e->encoding() == ObjEncoding::kHashtable) {
    next = static_cast<HashTable*>(e->obj())->Scan(cursor, size_t(opt.count), collect);
  } else if (e) {
    HashOf(e).ForEach(collect);  // small: everything at once, cursor 0
  }
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(2);
  ReplyScanCursor(r, next);
  r.ArrayHeader(items.size());
  for (const std::string& s : items) r.Bulk(s);
}

// ---------------------------------------------------------------------------------------------
// Registration

constexpr uint64_t kHashWriteFast = kAclWrite | kAclHash | kAclFast;
constexpr uint64_t kHashReadFast = kAclRead | kAclHash | kAclFast;
constexpr uint64_t kHashReadSlow = kAclRead | kAclHash | kAclSlow;

}  // namespace

HashLimits HashLimitsFor(const CommandContext& ctx) {
  return {ctx.cfg().hash_max_listpack_entries, ctx.cfg().hash_max_listpack_value};
}

bool LookupHash(CommandContext& ctx, std::string_view key, bool write, KvEntry** e) {
  if (!ctx.LookupTyped(key, ObjType::kHash, write, e)) return false;
  if (*e) *e = ctx.db().ExpireFields(*e);
  return true;
}

void StoreHash(Db& db, std::string_view key, KvEntry* e, HashObject h) {
  db.StoreObject(key, e, ObjType::kHash, h.encoding(), h.obj());
  if (h.Len() == 0) db.Delete(key);
  db.NotifyModified(key);
}

void RegisterHashTtlFamily(CommandTable& t);  // hash_ttl_family.cc

void RegisterHashFamily(CommandTable& t) {
  HashObject::RegisterHooks();
  RegisterHashTtlFamily(t);
  constexpr uint64_t kW = kCmdWrite | kCmdDenyOom | kCmdFast;
  constexpr uint64_t kR = kCmdReadOnly | kCmdFast;
  constexpr uint64_t kRSlow = kCmdReadOnly;
  const KeyedRow rows[] = {
      {"hset",
       -4,
       kW,
       kHashWriteFast,
       kKsRW | kKsUpdate,
       "2.0.0",
       "Creates or modifies the value of fields in a hash.",
       "O(1) for each field/value pair added",
       "key field value [field value ...]",
       HSet,
       {}},
      {"hsetnx",
       4,
       kW,
       kHashWriteFast,
       kKsRW | kKsInsert,
       "2.0.0",
       "Sets the value of a field in a hash only when the field doesn't exist.",
       "O(1)",
       "key field value",
       HSetNx,
       {}},
      {"hmset",
       -4,
       kW,
       kHashWriteFast,
       kKsRW | kKsUpdate,
       "2.0.0",
       "Sets the values of multiple fields (deprecated form of HSET).",
       "O(N) where N is the number of fields being set",
       "key field value [field value ...]",
       HMSet,
       {}},
      {"hget",
       3,
       kR,
       kHashReadFast,
       kKsRO | kKsAccess,
       "2.0.0",
       "Returns the value of a field in a hash.",
       "O(1)",
       "key field",
       HGet,
       {}},
      {"hmget",
       -3,
       kR,
       kHashReadFast,
       kKsRO | kKsAccess,
       "2.0.0",
       "Returns the values of several fields in a hash.",
       "O(N) where N is the number of fields being requested",
       "key field [field ...]",
       HMGet,
       {}},
      {"hgetall", 2, kRSlow, kHashReadSlow, kKsRO | kKsAccess, "2.0.0",
       "Returns all fields and values of a hash.", "O(N) where N is the size of the hash", "key",
       HGetAll, "nondeterministic_output_order"},
      {"hkeys", 2, kRSlow, kHashReadSlow, kKsRO | kKsAccess, "2.0.0",
       "Returns all fields of a hash.", "O(N) where N is the size of the hash", "key", HKeys,
       "nondeterministic_output_order"},
      {"hvals", 2, kRSlow, kHashReadSlow, kKsRO | kKsAccess, "2.0.0",
       "Returns all values of a hash.", "O(N) where N is the size of the hash", "key", HVals,
       "nondeterministic_output_order"},
      {"hdel",
       -3,
       kCmdWrite | kCmdFast,
       kHashWriteFast,
       kKsRW | kKsDelete,
       "2.0.0",
       "Deletes fields from a hash; an emptied hash deletes its key.",
       "O(N) where N is the number of fields to be removed",
       "key field [field ...]",
       HDel,
       {}},
      {"hlen",
       2,
       kR,
       kHashReadFast,
       kKsRO,
       "2.0.0",
       "Returns the number of fields in a hash.",
       "O(1)",
       "key",
       HLen,
       {}},
      {"hstrlen",
       3,
       kR,
       kHashReadFast,
       kKsRO,
       "3.2.0",
       "Returns the length of the value of a field in a hash.",
       "O(1)",
       "key field",
       HStrLen,
       {}},
      {"hexists",
       3,
       kR,
       kHashReadFast,
       kKsRO,
       "2.0.0",
       "Tells whether a field exists in a hash.",
       "O(1)",
       "key field",
       HExists,
       {}},
      {"hincrby",
       4,
       kW,
       kHashWriteFast,
       kKsRW | kKsAccess | kKsUpdate,
       "2.0.0",
       "Adds an integer to the integer value of a field (absent counts as 0).",
       "O(1)",
       "key field increment:integer",
       HIncrBy,
       {}},
      {"hincrbyfloat",
       4,
       kW,
       kHashWriteFast,
       kKsRW | kKsAccess | kKsUpdate,
       "2.6.0",
       "Adds a floating-point number to the value of a field (absent counts as 0).",
       "O(1)",
       "key field increment:double",
       HIncrByFloat,
       {}},
      {"hrandfield", -2, kRSlow, kHashReadSlow, kKsRO | kKsAccess, "6.2.0",
       "Returns one or more random fields of a hash.",
       "O(N) where N is the number of fields returned", "key [count:integer [WITHVALUES]]",
       HRandField, "nondeterministic_output"},
      {"hscan", -3, kRSlow, kHashReadSlow, kKsRO | kKsAccess, "2.8.0",
       "Iterates over the fields and values of a hash.",
       "O(1) for every call. O(N) for a complete iteration",
       "key cursor:integer [MATCH pattern] [COUNT count:integer] [NOVALUES]", HScan,
       "nondeterministic_output"},
  };
  AddKeyedRows(t, "hash", rows);
}

}  // namespace ember
