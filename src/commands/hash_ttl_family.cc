// Hash field TTL commands (Redis 7.4 "hash field expiration" and the 8.0 additions): HEXPIRE,
// HPEXPIRE, HEXPIREAT, HPEXPIREAT, HTTL, HPTTL, HEXPIRETIME, HPEXPIRETIME, HPERSIST, HGETEX,
// HSETEX and HGETDEL. Registered from RegisterHashFamily (hash_family.cc).
//
// Storage is in core/hash_object.h (listpackex triples, hashtable nodes with an expiry slot);
// Db files every hash with field TTLs under its earliest one for active reclaim, so setting a
// TTL here ends with Db::IndexFieldExpire. Replies follow Redis: per-field integer codes
//   HEXPIRE & co.  -2 no such field (or key), 0 NX/XX/GT/LT not met, 1 set, 2 deleted (the
//                  time is now or in the past)
//   HTTL & co.     -2 no such field, -1 no TTL, else the time (seconds rounded up)
//   HPERSIST       -2 no such field, -1 no TTL, 1 removed
// and HGETEX / HGETDEL reply the values (nil for missing fields; all nils for a missing key).
// As in Redis, the hash is looked up (WRONGTYPE) before the arguments are checked, except in
// HSETEX, which parses everything first.
#include <algorithm>
#include <string_view>

#include "commands/hash_util.h"
#include "core/hash_object.h"
#include "core/listpack.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

// Latest absolute field expiry accepted, in ms (Redis's HFE_MAX_ABS_TIME_MSEC: 2^46 - 1).
constexpr int64_t kMaxFieldExpireMs = (int64_t(1) << 46) - 1;

enum class Cond { kNone, kNx, kXx, kGt, kLt };

// Per-field reply codes.
constexpr int64_t kNoField = -2;
constexpr int64_t kNoTtl = -1;
constexpr int64_t kCondNotMet = 0;
constexpr int64_t kSet = 1;
constexpr int64_t kDeleted = 2;

// Parses an expire argument in `unit_ms` (1 or 1000) relative to `base_ms` (0 for absolute
// times) into an absolute time in ms. False after replying the error.
bool ParseFieldExpire(CommandContext& ctx, std::string_view arg, int64_t unit_ms, int64_t base_ms,
                      int64_t* when_ms) {
  int64_t v;
  if (!ParseInt64(arg, &v)) {
    ctx.reply().Error(errors::kNotInteger);
    return false;
  }
  if (v < 0) {
    ctx.reply().Error(errors::kExpireTimeNegative);
    return false;
  }
  if (v > kMaxFieldExpireMs / unit_ms || v * unit_ms > kMaxFieldExpireMs - base_ms) {
    ctx.reply().Error(errors::InvalidExpireTime(ctx.spec().name));
    return false;
  }
  *when_ms = v * unit_ms + base_ms;
  return true;
}

// Checks "FIELDS numfields field..." where args[at - 1] must be FIELDS, args[at] the count
// and the fields run to the end; `count_error` is the reply for a count that is not a
// positive integer. Returns the count, or 0 after replying the error.
size_t ParseFields(CommandContext& ctx, size_t at, std::string_view count_error) {
  if (at - 1 >= ctx.argc() || !EqualsIgnoreCase(ctx.arg(at - 1), "FIELDS")) {
    ctx.reply().Error(errors::kFieldsArgMissing);
    return 0;
  }
  int64_t n;
  if (at >= ctx.argc() || !ParseInt64(ctx.arg(at), &n) || n < 1) {
    ctx.reply().Error(count_error);
    return 0;
  }
  if (uint64_t(n) != ctx.argc() - at - 1) {
    ctx.reply().Error(errors::kNumFieldsMismatch);
    return 0;
  }
  return size_t(n);
}

void ReplyAll(ReplyBuilder& r, size_t n, int64_t code) {
  r.ArrayHeader(n);
  for (size_t i = 0; i < n; i++) r.Integer(code);
}

void ReplyNulls(ReplyBuilder& r, size_t n) {
  r.ArrayHeader(n);
  for (size_t i = 0; i < n; i++) r.NullBulk();
}

void CountDeletedField(CommandContext& ctx) { ctx.server().keyspace().stats().expired_subkeys++; }

// Sets the expiry of `field` to `when_ms` (deleting it when that is not in the future) if
// `cond` allows; returns the HEXPIRE reply code. A field without TTL counts as expiring
// never: GT and XX refuse it, LT and NX accept it.
int64_t ExpireField(CommandContext& ctx, HashObject& h, std::string_view field, int64_t when_ms,
                    Cond cond) {
  int64_t cur;
  if (!h.GetExpire(field, &cur)) return kNoField;
  if (cur == KvEntry::kNoExpire) {
    if (cond == Cond::kXx || cond == Cond::kGt) return kCondNotMet;
  } else if (cond == Cond::kNx || (cond == Cond::kGt && cur >= when_ms) ||
             (cond == Cond::kLt && cur <= when_ms)) {
    return kCondNotMet;
  }
  if (when_ms <= ctx.NowMs()) {
    h.Delete(field);
    CountDeletedField(ctx);
    return kDeleted;
  }
  h.SetExpire(field, when_ms);
  return kSet;
}

// Stores a hash after TTL changes and files it for active expiry when `ttl_set`.
void StoreWithTtl(CommandContext& ctx, std::string_view key, KvEntry* e, HashObject h,
                  bool ttl_set) {
  // Read before storing: StoreHash frees an emptied hash.
  int64_t next = h.Len() > 0 ? h.MinFieldExpire() : KvEntry::kNoExpire;
  StoreHash(ctx.db(), key, e, h);
  if (ttl_set && next != KvEntry::kNoExpire) ctx.db().IndexFieldExpire(key, next);
}

// Keyspace events after a field-TTL command changed `key` (Redis 7.4 / 8.0): `event` for
// the command's change, then "del" if the hash was emptied (`emptied`, read before storing).
void NotifyFieldChange(CommandContext& ctx, std::string_view key, std::string_view event,
                       bool emptied) {
  NotifyKeyspaceEvent(ctx, kNotifyHash, event, key);
  if (emptied) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
}

// Propagates this command with args[kw] = `keyword` and args[kw + 1] = when_ms (an absolute
// time in ms): relative TTLs do not replay the same.
void PropagateAbsolute(CommandContext& ctx, size_t kw, std::string_view keyword, int64_t when_ms) {
  if (!ctx.propagating()) return;
  std::vector<std::string> argv(ctx.args().begin(), ctx.args().end());
  argv[kw] = keyword;
  argv[kw + 1] = std::to_string(when_ms);
  ctx.PropagateAs(std::move(argv));
}

// ---------------------------------------------------------------------------------------------
// HEXPIRE family

// Shared by the four: `unit_ms` is 1000 for seconds, `relative` adds the current time.
void ExpireGeneric(CommandContext& ctx, int64_t unit_ms, bool relative) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return;
  int64_t when;
  if (!ParseFieldExpire(ctx, ctx.arg(2), unit_ms, relative ? ctx.NowMs() : 0, &when)) return;
  Cond cond = Cond::kNone;
  std::string_view opt = ctx.arg(3);
  if (EqualsIgnoreCase(opt, "NX")) cond = Cond::kNx;
  if (EqualsIgnoreCase(opt, "XX")) cond = Cond::kXx;
  if (EqualsIgnoreCase(opt, "GT")) cond = Cond::kGt;
  if (EqualsIgnoreCase(opt, "LT")) cond = Cond::kLt;
  size_t at = cond == Cond::kNone ? 4 : 5;
  size_t n = ParseFields(ctx, at, errors::kNumFieldsGreaterThanZero);
  if (n == 0) return;
  ReplyBuilder& r = ctx.reply();
  if (!e) return ReplyAll(r, n, kNoField);
  HashObject h = HashOf(e);
  bool changed = false, ttl_set = false, deleted = false;
  r.ArrayHeader(n);
  for (size_t i = at + 1; i < ctx.argc(); i++) {
    int64_t code = ExpireField(ctx, h, ctx.arg(i), when, cond);
    changed |= code == kSet || code == kDeleted;
    ttl_set |= code == kSet;
    deleted |= code == kDeleted;
    r.Integer(code);
  }
  if (!changed) return;
  bool emptied = h.Len() == 0;
  StoreWithTtl(ctx, key, e, h, ttl_set);
  // A time already past deletes the fields: reported as an HDEL, as Redis does.
  NotifyFieldChange(ctx, key, deleted ? "hdel" : "hexpire", emptied);
  // All four replay as HPEXPIREAT key ms [cond] FIELDS ...
  if (ctx.propagating()) {
    std::vector<std::string> argv(ctx.args().begin(), ctx.args().end());
    argv[0] = "HPEXPIREAT";
    argv[2] = std::to_string(when);
    ctx.PropagateAs(std::move(argv));
  }
}

// HEXPIRE key seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
void HExpire(CommandContext& ctx) { ExpireGeneric(ctx, 1000, true); }
// HPEXPIRE key milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
void HPExpire(CommandContext& ctx) { ExpireGeneric(ctx, 1, true); }
// HEXPIREAT key unix-time-seconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
void HExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 1000, false); }
// HPEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT] FIELDS numfields field [field ...]
void HPExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 1, false); }

// ---------------------------------------------------------------------------------------------
// HTTL family and HPERSIST

enum class TtlForm { kTtl, kPTtl, kExpireTime, kPExpireTime };

int64_t FormatTtl(TtlForm form, int64_t when_ms, int64_t now_ms) {
  switch (form) {
    case TtlForm::kTtl:
      return (when_ms - now_ms + 999) / 1000;  // seconds left, rounded up
    case TtlForm::kPTtl:
      return when_ms - now_ms;
    case TtlForm::kExpireTime:
      return (when_ms + 999) / 1000;
    case TtlForm::kPExpireTime:
      return when_ms;
  }
  return when_ms;
}

void TtlGeneric(CommandContext& ctx, TtlForm form) {
  KvEntry* e;
  if (!LookupHash(ctx, ctx.arg(1), false, &e)) return;
  size_t n = ParseFields(ctx, 3, errors::kNumFieldsPositive);
  if (n == 0) return;
  ReplyBuilder& r = ctx.reply();
  if (!e) return ReplyAll(r, n, kNoField);
  HashObject h = HashOf(e);
  r.ArrayHeader(n);
  for (size_t i = 4; i < ctx.argc(); i++) {
    int64_t when;
    if (!h.GetExpire(ctx.arg(i), &when)) {
      r.Integer(kNoField);
    } else if (when == KvEntry::kNoExpire) {
      r.Integer(kNoTtl);
    } else {
      r.Integer(FormatTtl(form, when, ctx.NowMs()));
    }
  }
}

// HTTL key FIELDS numfields field [field ...]
void HTtl(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kTtl); }
// HPTTL key FIELDS numfields field [field ...]
void HPTtl(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kPTtl); }
// HEXPIRETIME key FIELDS numfields field [field ...]
void HExpireTime(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kExpireTime); }
// HPEXPIRETIME key FIELDS numfields field [field ...]
void HPExpireTime(CommandContext& ctx) { TtlGeneric(ctx, TtlForm::kPExpireTime); }

// HPERSIST key FIELDS numfields field [field ...]
void HPersist(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return;
  size_t n = ParseFields(ctx, 3, errors::kNumFieldsPositive);
  if (n == 0) return;
  ReplyBuilder& r = ctx.reply();
  if (!e) return ReplyAll(r, n, kNoField);
  HashObject h = HashOf(e);
  bool changed = false;
  r.ArrayHeader(n);
  for (size_t i = 4; i < ctx.argc(); i++) {
    int64_t when;
    if (!h.GetExpire(ctx.arg(i), &when)) {
      r.Integer(kNoField);
    } else if (when == KvEntry::kNoExpire) {
      r.Integer(kNoTtl);
    } else {
      h.SetExpire(ctx.arg(i), KvEntry::kNoExpire);
      changed = true;
      r.Integer(1);
    }
  }
  if (!changed) return;
  StoreHash(ctx.db(), key, e, h);
  NotifyFieldChange(ctx, key, "hpersist", false);
}

// ---------------------------------------------------------------------------------------------
// HGETEX, HGETDEL

// What HGETEX does to the TTL of each field it returns.
struct GetExOptions {
  bool set_ttl = false;  // EX / PX / EXAT / PXAT
  bool persist = false;
  int64_t when_ms = 0;
  size_t count_at = 3;  // index of numfields
};

// Parses HGETEX's optional argument at index 2. False after replying an error.
bool ParseGetExOptions(CommandContext& ctx, GetExOptions* o) {
  std::string_view opt = ctx.arg(2);
  int64_t unit = 0, base = 0;
  if (EqualsIgnoreCase(opt, "EX")) {
    unit = 1000, base = ctx.NowMs();
  } else if (EqualsIgnoreCase(opt, "PX")) {
    unit = 1, base = ctx.NowMs();
  } else if (EqualsIgnoreCase(opt, "EXAT")) {
    unit = 1000;
  } else if (EqualsIgnoreCase(opt, "PXAT")) {
    unit = 1;
  } else if (EqualsIgnoreCase(opt, "PERSIST")) {
    o->persist = true;
    o->count_at = 4;
  }
  if (unit != 0) {
    o->set_ttl = true;
    o->count_at = 5;
    return ParseFieldExpire(ctx, ctx.arg(3), unit, base, &o->when_ms);
  }
  return true;
}

// Applies HGETEX's TTL change to `field` (which exists). Returns true if the hash changed;
// *ttl_set when a TTL was set.
bool ApplyGetEx(CommandContext& ctx, HashObject& h, std::string_view field, const GetExOptions& o,
                bool* ttl_set) {
  if (o.persist) {
    int64_t cur;
    if (!h.GetExpire(field, &cur) || cur == KvEntry::kNoExpire) return false;
    h.SetExpire(field, KvEntry::kNoExpire);
    return true;
  }
  if (!o.set_ttl) return false;
  if (o.when_ms <= ctx.NowMs()) {
    h.Delete(field);
    CountDeletedField(ctx);
    return true;
  }
  h.SetExpire(field, o.when_ms);
  *ttl_set = true;
  return true;
}

// HGETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//   PXAT unix-time-milliseconds | PERSIST] FIELDS numfields field [field ...]
void HGetEx(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return;
  GetExOptions o;
  if (!ParseGetExOptions(ctx, &o)) return;
  size_t n = ParseFields(ctx, o.count_at, errors::kNumFieldsPositive);
  if (n == 0) return;
  ReplyBuilder& r = ctx.reply();
  if (!e) return ReplyNulls(r, n);
  HashObject h = HashOf(e);
  bool changed = false, ttl_set = false;
  char scratch[Listpack::kScratch];
  r.ArrayHeader(n);
  for (size_t i = o.count_at + 1; i < ctx.argc(); i++) {
    std::string_view v;
    if (!h.Get(ctx.arg(i), scratch, &v)) {
      r.NullBulk();
      continue;
    }
    r.Bulk(v);  // copied into the reply before the field changes
    changed |= ApplyGetEx(ctx, h, ctx.arg(i), o, &ttl_set);
  }
  if (!changed) return;
  bool emptied = h.Len() == 0;
  StoreWithTtl(ctx, key, e, h, ttl_set);
  std::string_view event = o.persist ? "hpersist" : ttl_set ? "hexpire" : "hdel";
  NotifyFieldChange(ctx, key, event, emptied);
  if (o.set_ttl) PropagateAbsolute(ctx, 2, "PXAT", o.when_ms);
}

// HGETDEL key FIELDS numfields field [field ...]
void HGetDel(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return;
  size_t n = ParseFields(ctx, 3, errors::kNumFieldsPositive);
  if (n == 0) return;
  ReplyBuilder& r = ctx.reply();
  if (!e) return ReplyNulls(r, n);
  HashObject h = HashOf(e);
  bool deleted = false;
  char scratch[Listpack::kScratch];
  r.ArrayHeader(n);
  for (size_t i = 4; i < ctx.argc(); i++) {
    std::string_view v;
    if (!h.Get(ctx.arg(i), scratch, &v)) {
      r.NullBulk();
      continue;
    }
    r.Bulk(v);
    deleted |= h.Delete(ctx.arg(i));
  }
  if (!deleted) return;
  bool emptied = h.Len() == 0;
  StoreHash(ctx.db(), key, e, h);
  NotifyFieldChange(ctx, key, "hdel", emptied);
}

// ---------------------------------------------------------------------------------------------
// HSETEX

struct SetExOptions {
  bool fnx = false, fxx = false;
  bool keep_ttl = false;
  bool set_ttl = false;
  int64_t when_ms = 0;
  size_t first_field = 0;  // index of the first field
  size_t count = 0;        // field/value pairs
};

// Parses the FIELDS block at `i` (Redis checks the count against the pairs as an arity
// error). False after replying an error.
bool ParseSetExFields(CommandContext& ctx, size_t i, SetExOptions* o) {
  size_t argc = ctx.argc();
  if (i + 3 >= argc) {
    ctx.reply().Error(errors::WrongArity(ctx.spec().name));
    return false;
  }
  int64_t n;
  if (!ParseInt64(ctx.arg(i + 1), &n) || n < 1 || n > INT32_MAX) {
    ctx.reply().Error(errors::kInvalidNumberOfFields);
    return false;
  }
  size_t rest = argc - i - 2;
  if (rest % 2 != 0 || uint64_t(n) != rest / 2) {
    ctx.reply().Error(errors::WrongArity(ctx.spec().name));
    return false;
  }
  o->first_field = i + 2;
  o->count = size_t(n);
  return true;
}

// Parses the TTL option at `*i` (EX/PX/EXAT/PXAT take the next argument). Returns false
// after replying an error; *matched tells whether args[*i] was a TTL option.
bool ParseSetExTtl(CommandContext& ctx, size_t* i, SetExOptions* o, bool* matched) {
  std::string_view a = ctx.arg(*i);
  int64_t unit = 0, base = 0;
  bool keep = EqualsIgnoreCase(a, "KEEPTTL");
  if (EqualsIgnoreCase(a, "EX")) unit = 1000, base = ctx.NowMs();
  if (EqualsIgnoreCase(a, "PX")) unit = 1, base = ctx.NowMs();
  if (EqualsIgnoreCase(a, "EXAT")) unit = 1000;
  if (EqualsIgnoreCase(a, "PXAT")) unit = 1;
  *matched = keep || unit != 0;
  if (!*matched) return true;
  if (o->keep_ttl || o->set_ttl) {
    ctx.reply().Error(errors::kHSetExOneExpiry);
    return false;
  }
  if (keep) {
    o->keep_ttl = true;
    return true;
  }
  if (*i + 1 >= ctx.argc()) {
    ctx.reply().Error(errors::kMissingExpireTime);
    return false;
  }
  o->set_ttl = true;
  return ParseFieldExpire(ctx, ctx.arg(++*i), unit, base, &o->when_ms);
}

bool ParseSetExOptions(CommandContext& ctx, SetExOptions* o) {
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "FIELDS")) return ParseSetExFields(ctx, i, o);
    bool matched;
    if (!ParseSetExTtl(ctx, &i, o, &matched)) return false;
    if (matched) continue;
    bool fnx = EqualsIgnoreCase(a, "FNX");
    if (!fnx && !EqualsIgnoreCase(a, "FXX")) {
      ctx.reply().Error(errors::UnknownArgument(a));
      return false;
    }
    if (o->fnx || o->fxx) {
      ctx.reply().Error(errors::kHSetExOneCondition);
      return false;
    }
    (fnx ? o->fnx : o->fxx) = true;
  }
  ctx.reply().Error(errors::kFieldsArgMissing);  // unreachable with arity -6; kept safe
  return false;
}

// Index of HSETEX's EX/PX/EXAT/PXAT keyword (before FIELDS, which precedes `first_field`).
size_t TtlKeywordIndex(CommandContext& ctx, size_t first_field) {
  for (size_t i = 2; i + 2 < first_field; i++) {
    std::string_view a = ctx.arg(i);
    if (EqualsIgnoreCase(a, "EX") || EqualsIgnoreCase(a, "PX") || EqualsIgnoreCase(a, "EXAT") ||
        EqualsIgnoreCase(a, "PXAT")) {
      return i;
    }
  }
  return 2;  // not reached: the caller saw a TTL option
}

// FNX: none of the fields exists; FXX: all do.
bool SetExConditionHolds(const SetExOptions& o, const KvEntry* e, CommandContext& ctx) {
  if (!o.fnx && !o.fxx) return true;
  for (size_t i = 0; i < o.count; i++) {
    bool exists = e && HashOf(e).Exists(ctx.arg(o.first_field + 2 * i));
    if (o.fnx == exists) return false;
  }
  return true;
}

// HSETEX key [FNX | FXX] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//   PXAT unix-time-milliseconds | KEEPTTL] FIELDS numfields field value [field value ...]
void HSetEx(CommandContext& ctx) {
  SetExOptions o;
  if (!ParseSetExOptions(ctx, &o)) return;
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  if (!LookupHash(ctx, key, true, &e)) return;
  if (!SetExConditionHolds(o, e, ctx)) return ctx.reply().Integer(0);
  HashObject h = e ? HashOf(e) : HashObject::Create();
  HashLimits limits = HashLimitsFor(ctx);
  size_t longest = 0;
  for (size_t i = o.first_field; i < ctx.argc(); i++)
    longest = std::max(longest, ctx.arg(i).size());
  h.ConvertIfNeeded(o.count, longest, limits);
  bool past = o.set_ttl && o.when_ms <= ctx.NowMs();
  for (size_t i = 0; i < o.count; i++) {
    std::string_view field = ctx.arg(o.first_field + 2 * i);
    h.Set(field, ctx.arg(o.first_field + 2 * i + 1), limits, o.keep_ttl || o.set_ttl);
    if (past) {
      h.Delete(field);
      CountDeletedField(ctx);
    } else if (o.set_ttl) {
      h.SetExpire(field, o.when_ms);
    }
  }
  bool emptied = h.Len() == 0;
  StoreWithTtl(ctx, key, e, h, o.set_ttl && !past);
  NotifyKeyspaceEvent(ctx, kNotifyHash, "hset", key);
  if (o.set_ttl) NotifyFieldChange(ctx, key, past ? "hdel" : "hexpire", emptied);
  ctx.reply().Integer(1);
  if (o.set_ttl) PropagateAbsolute(ctx, TtlKeywordIndex(ctx, o.first_field), "PXAT", o.when_ms);
}

// ---------------------------------------------------------------------------------------------
// Registration

constexpr uint64_t kHashWriteFast = kAclWrite | kAclHash | kAclFast;
constexpr uint64_t kHashReadFast = kAclRead | kAclHash | kAclFast;

}  // namespace

void RegisterHashTtlFamily(CommandTable& t) {
  constexpr uint64_t kW = kCmdWrite | kCmdFast;
  constexpr uint64_t kR = kCmdReadOnly | kCmdFast;
  const KeyedRow rows[] = {
      {"hexpire", -6, kW, kHashWriteFast, kKsRW | kKsUpdate, "7.4.0",
       "Sets a time to live in seconds on fields of a hash.",
       "O(N) where N is the number of specified fields",
       "key seconds [NX | XX | GT | LT] FIELDS numfields:integer field [field ...]", HExpire},
      {"hpexpire", -6, kW, kHashWriteFast, kKsRW | kKsUpdate, "7.4.0",
       "Sets a time to live in milliseconds on fields of a hash.",
       "O(N) where N is the number of specified fields",
       "key milliseconds [NX | XX | GT | LT] FIELDS numfields:integer field [field ...]", HPExpire},
      {"hexpireat", -6, kW, kHashWriteFast, kKsRW | kKsUpdate, "7.4.0",
       "Sets the Unix time in seconds at which fields of a hash expire.",
       "O(N) where N is the number of specified fields",
       "key unix-time-seconds [NX | XX | GT | LT] FIELDS numfields:integer field [field ...]",
       HExpireAt},
      {"hpexpireat", -6, kW, kHashWriteFast, kKsRW | kKsUpdate, "7.4.0",
       "Sets the Unix time in milliseconds at which fields of a hash expire.",
       "O(N) where N is the number of specified fields",
       "key unix-time-milliseconds [NX | XX | GT | LT] FIELDS numfields:integer field "
       "[field ...]",
       HPExpireAt},
      {"httl", -5, kR, kHashReadFast, kKsRO | kKsAccess, "7.4.0",
       "Returns the seconds left before fields of a hash expire.",
       "O(N) where N is the number of specified fields",
       "key FIELDS numfields:integer field [field ...]", HTtl, "nondeterministic_output"},
      {"hpttl", -5, kR, kHashReadFast, kKsRO | kKsAccess, "7.4.0",
       "Returns the milliseconds left before fields of a hash expire.",
       "O(N) where N is the number of specified fields",
       "key FIELDS numfields:integer field [field ...]", HPTtl, "nondeterministic_output"},
      {"hexpiretime", -5, kR, kHashReadFast, kKsRO | kKsAccess, "7.4.0",
       "Returns the Unix time in seconds at which fields of a hash expire.",
       "O(N) where N is the number of specified fields",
       "key FIELDS numfields:integer field [field ...]", HExpireTime},
      {"hpexpiretime", -5, kR, kHashReadFast, kKsRO | kKsAccess, "7.4.0",
       "Returns the Unix time in milliseconds at which fields of a hash expire.",
       "O(N) where N is the number of specified fields",
       "key FIELDS numfields:integer field [field ...]", HPExpireTime},
      {"hpersist", -5, kW, kHashWriteFast, kKsRW | kKsUpdate, "7.4.0",
       "Removes the time to live of fields of a hash.",
       "O(N) where N is the number of specified fields",
       "key FIELDS numfields:integer field [field ...]", HPersist},
      {"hgetex", -5, kW, kHashWriteFast, kKsRW | kKsAccess | kKsUpdate, "8.0.0",
       "Returns the values of fields of a hash and optionally sets or removes their TTL.",
       "O(N) where N is the number of specified fields",
       "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | "
       "PXAT unix-time-milliseconds | PERSIST] FIELDS numfields:integer field [field ...]",
       HGetEx},
      {"hsetex", -6, kW | kCmdDenyOom, kHashWriteFast, kKsRW | kKsUpdate, "8.0.0",
       "Sets fields of a hash, optionally only if none or all exist, and their TTL.",
       "O(N) where N is the number of fields being set",
       "key [FNX | FXX] [EX seconds | PX milliseconds | EXAT unix-time-seconds | "
       "PXAT unix-time-milliseconds | KEEPTTL] FIELDS numfields:integer field value "
       "[field value ...]",
       HSetEx},
      {"hgetdel", -5, kW, kHashWriteFast, kKsRW | kKsAccess | kKsDelete, "8.0.0",
       "Returns the values of fields of a hash and deletes them.",
       "O(N) where N is the number of specified fields",
       "key FIELDS numfields:integer field [field ...]", HGetDel},
  };
  AddKeyedRows(t, "hash", rows);
}

}  // namespace ember
