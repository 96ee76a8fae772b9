// String commands, part one: reads and whole-value writes (GET, SET and its variants, GETEX,
// GETDEL, GETSET, MGET, MSET, MSETNX, STRLEN) and the counters (INCR, DECR, INCRBY, DECRBY,
// INCRBYFLOAT). In-place edits (APPEND, SETRANGE), GETRANGE/SUBSTR and LCS live in
// string_range.cc.
//
// Values are stored in the KvEntry itself (kInt / kEmbStr) or in a RawString (kRaw); see
// core/kv_entry.h. Encodings follow Redis so OBJECT ENCODING answers the same: whole-value
// writes pick int / embstr / raw from the text (KvEntry::CreateString, as tryObjectEncoding),
// APPEND on an existing key turns the value raw and grows it in place (amortised O(1)), the
// INCR family stores int (updated in place when it already is one), INCRBYFLOAT stores the
// formatted text as embstr/raw.
#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {

void RegisterStringRangeFamily(CommandTable& t);  // string_range.cc

namespace {

// ---------------------------------------------------------------------------------------------
// Option parsing shared by SET and GETEX.

enum class SetCondition { kAlways, kIfAbsent, kIfPresent };
enum class ExpiryKind { kNone, kEx, kPx, kExAt, kPxAt };

struct StringOptions {
  SetCondition condition = SetCondition::kAlways;
  bool return_old = false;  // SET ... GET
  bool keep_ttl = false;    // SET ... KEEPTTL
  bool persist = false;     // GETEX ... PERSIST
  ExpiryKind expiry = ExpiryKind::kNone;
  std::string_view expiry_arg;  // the number after EX/PX/EXAT/PXAT, validated later
};

enum class OptionsFor { kSet, kGetEx };

ExpiryKind ExpiryKeyword(std::string_view s) {
  if (EqualsIgnoreCase(s, "EX")) return ExpiryKind::kEx;
  if (EqualsIgnoreCase(s, "PX")) return ExpiryKind::kPx;
  if (EqualsIgnoreCase(s, "EXAT")) return ExpiryKind::kExAt;
  if (EqualsIgnoreCase(s, "PXAT")) return ExpiryKind::kPxAt;
  return ExpiryKind::kNone;
}

// Parses the options after the fixed arguments with Redis's acceptance rules: an option may
// repeat (NX NX, EX 1 EX 2 — the last expiry wins) but conflicting ones (NX XX, EX PX,
// KEEPTTL EX, PERSIST EX) are a syntax error, as is an expiry keyword without a value. The
// expiry value itself is checked afterwards (Redis reports a syntax error anywhere in the
// options before complaining about the number). Returns false on a syntax error.
bool ParseStringOptions(ArgParser& p, OptionsFor what, StringOptions* opt) {
  bool set = what == OptionsFor::kSet;
  while (p.HasMore()) {
    std::string_view a = p.Next();
    ExpiryKind kind = ExpiryKeyword(a);
    if (set && EqualsIgnoreCase(a, "NX") && opt->condition != SetCondition::kIfPresent) {
      opt->condition = SetCondition::kIfAbsent;
    } else if (set && EqualsIgnoreCase(a, "XX") && opt->condition != SetCondition::kIfAbsent) {
      opt->condition = SetCondition::kIfPresent;
    } else if (set && EqualsIgnoreCase(a, "GET")) {
      opt->return_old = true;
    } else if (set && EqualsIgnoreCase(a, "KEEPTTL") && opt->expiry == ExpiryKind::kNone) {
      opt->keep_ttl = true;
    } else if (!set && EqualsIgnoreCase(a, "PERSIST") && opt->expiry == ExpiryKind::kNone) {
      opt->persist = true;
    } else if (kind != ExpiryKind::kNone && !opt->keep_ttl && !opt->persist &&
               (opt->expiry == ExpiryKind::kNone || opt->expiry == kind) && p.HasMore()) {
      opt->expiry = kind;
      opt->expiry_arg = p.Next();
    } else {
      return false;
    }
  }
  return true;
}

enum class ExpireParse { kOk, kNotInteger, kInvalid };

// Turns "<n>" of EX/PX/EXAT/PXAT into an absolute unix time in ms, refusing what Redis
// refuses: non-integers, values <= 0, and anything that overflows once scaled or offset.
ExpireParse ParseExpireAt(ExpiryKind kind, std::string_view arg, int64_t now_ms, int64_t* at_ms) {
  int64_t v;
  if (!ParseInt64(arg, &v)) return ExpireParse::kNotInteger;
  bool seconds = kind == ExpiryKind::kEx || kind == ExpiryKind::kExAt;
  if (v <= 0) return ExpireParse::kInvalid;
  if (seconds && __builtin_mul_overflow(v, int64_t{1000}, &v)) return ExpireParse::kInvalid;
  bool relative = kind == ExpiryKind::kEx || kind == ExpiryKind::kPx;
  if (relative && __builtin_add_overflow(v, now_ms, &v)) return ExpireParse::kInvalid;
  if (v <= 0) return ExpireParse::kInvalid;
  *at_ms = v;
  return ExpireParse::kOk;
}

// ParseExpireAt, replying the error; false if one was sent.
bool ExpireAtOrReply(CommandContext& ctx, ExpiryKind kind, std::string_view arg, int64_t* at_ms) {
  switch (ParseExpireAt(kind, arg, ctx.NowMs(), at_ms)) {
    case ExpireParse::kOk:
      return true;
    case ExpireParse::kNotInteger:
      ctx.reply().Error(errors::kNotInteger);
      return false;
    case ExpireParse::kInvalid:
      ctx.reply().Error(errors::InvalidExpireTime(ctx.spec().name));
      return false;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Data operations

// Replies with an entry's string value.
void ReplyString(ReplyBuilder& r, const KvEntry* e) {
  char scratch[24];
  r.Bulk(e->StringValue(scratch));
}

// Looks `key` up for reading and checks it is a string. Returns the entry, or nullptr with
// *wrong_type telling whether it is absent or of another type.
KvEntry* LookupString(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  KvEntry* e = ctx.db().LookupRead(key, ctx.read_flags());
  *wrong_type = e && e->type() != ObjType::kString;
  return *wrong_type ? nullptr : e;
}

// Writes `value` under `key` (whose live entry is `existing`, or nullptr) with SET semantics:
// the encoding is chosen from the text and the old TTL is dropped unless `expire_ms` says
// otherwise.
void OpSetString(Db& db, KvEntry* existing, std::string_view key, std::string_view value,
                 int64_t expire_ms) {
  KvEntry* e = KvEntry::CreateString(key, value, expire_ms);
  if (existing) {
    db.ReplaceEntry(existing, e, false);
  } else {
    db.Add(e);
  }
  db.NotifyModified(key);
}

// Replaces the value of `existing` (or adds `key`) with `fresh`, keeping the old TTL.
void StoreKeepingTtl(Db& db, KvEntry* existing, KvEntry* fresh) {
  if (existing) {
    db.ReplaceEntry(existing, fresh, false);
  } else {
    db.Add(fresh);
  }
}

enum class IncrError { kNone, kWrongType, kNotInteger, kOverflow, kNotFloat, kNaN };

std::string_view IncrErrorText(IncrError e) {
  switch (e) {
    case IncrError::kWrongType:
      return errors::kWrongType;
    case IncrError::kNotInteger:
      return errors::kNotInteger;
    case IncrError::kOverflow:
      return errors::kOverflow;
    case IncrError::kNotFloat:
      return errors::kNotFloat;
    case IncrError::kNaN:
      return errors::kIncrFloatNaN;
    case IncrError::kNone:
      break;
  }
  return {};
}

// Adds `incr` to the integer at `key` (absent counts as 0) and stores the result as kInt,
// keeping any TTL. The common case — the value already is an int — rewrites the 8 inline
// bytes and allocates nothing.
IncrError OpIncrBy(Db& db, std::string_view key, int64_t incr, int64_t* result) {
  KvEntry* e = db.LookupWrite(key);
  if (e && e->type() != ObjType::kString) return IncrError::kWrongType;
  int64_t cur = 0;
  if (e && e->is_int()) {
    cur = e->int_value();
  } else if (e) {
    char scratch[24];
    if (!ParseInt64(e->StringValue(scratch), &cur)) return IncrError::kNotInteger;
  }
  if (__builtin_add_overflow(cur, incr, result)) return IncrError::kOverflow;
  if (e && e->is_int()) {
    e->set_int_value(*result);
  } else {
    int64_t expire = e ? e->expire_ms() : KvEntry::kNoExpire;
    StoreKeepingTtl(db, e, KvEntry::CreateInt(key, *result, expire));
  }
  db.NotifyModified(key);
  return IncrError::kNone;
}

// Adds the float `incr_arg` to the number at `key` and stores the result as text formatted
// the way Redis formats long doubles (embstr when short, raw otherwise), keeping any TTL.
// `buf` (kHumanDoubleMax bytes) receives the text; *len its length.
IncrError OpIncrByFloat(Db& db, std::string_view key, std::string_view incr_arg, char* buf,
                        size_t* len) {
  KvEntry* e = db.LookupWrite(key);
  if (e && e->type() != ObjType::kString) return IncrError::kWrongType;
  long double cur = 0;
  if (e && e->is_int()) {
    cur = static_cast<long double>(e->int_value());
  } else if (e) {
    char scratch[24];
    if (!ParseLongDouble(e->StringValue(scratch), &cur)) return IncrError::kNotFloat;
  }
  long double incr;
  if (!ParseLongDouble(incr_arg, &incr)) return IncrError::kNotFloat;
  long double v = cur + incr;
  if (std::isnan(v) || std::isinf(v)) return IncrError::kNaN;
  *len = ReplyBuilder::FormatHumanDouble(v, buf);
  std::string_view text(buf, *len);
  int64_t expire = e ? e->expire_ms() : KvEntry::kNoExpire;
  KvEntry* fresh = text.size() <= KvEntry::kEmbStrMax ? KvEntry::CreateEmbString(key, text, expire)
                                                      : KvEntry::CreateRawString(key, text, expire);
  StoreKeepingTtl(db, e, fresh);
  db.NotifyModified(key);
  return IncrError::kNone;
}

// ---------------------------------------------------------------------------------------------
// Handlers

// GET key
void Get(CommandContext& ctx) {
  KvEntry* e = ctx.db().LookupRead(ctx.arg(1), ctx.read_flags());
  if (!e) return ctx.reply().NullBulk();
  if (e->type() != ObjType::kString) return ctx.reply().Error(errors::kWrongType);
  ReplyString(ctx.reply(), e);
}

// The body of SET, SETNX, SETEX and PSETEX once options are known. `ok_reply` / `abort_reply`
// are SETNX's integers; the others reply OK / nil. With GET the old value (or nil) is the
// reply whatever happens, and a non-string old value is a WRONGTYPE error before anything.
void SetGeneric(CommandContext& ctx, std::string_view key, std::string_view value,
                const StringOptions& opt, bool integer_replies) {
  int64_t expire_at = KvEntry::kNoExpire;
  if (opt.expiry != ExpiryKind::kNone &&
      !ExpireAtOrReply(ctx, opt.expiry, opt.expiry_arg, &expire_at)) {
    return;
  }
  Db& db = ctx.db();
  if (opt.return_old) {
    bool wrong_type;
    KvEntry* old = LookupString(ctx, key, &wrong_type);
    if (wrong_type) return ctx.reply().Error(errors::kWrongType);
    if (old) {
      ReplyString(ctx.reply(), old);  // copied into the output before the entry is replaced
    } else {
      ctx.reply().NullBulk();
    }
  }
  KvEntry* existing = db.LookupWrite(key);
  if ((opt.condition == SetCondition::kIfAbsent && existing) ||
      (opt.condition == SetCondition::kIfPresent && !existing)) {
    if (opt.return_old) return;
    if (integer_replies) return ctx.reply().Integer(0);
    return ctx.reply().NullBulk();
  }
  if (opt.keep_ttl && existing) expire_at = existing->expire_ms();
  OpSetString(db, existing, key, value, expire_at);
  if (opt.expiry != ExpiryKind::kNone && ctx.propagating()) {
    // A relative TTL would not replay the same: SET key value PXAT <ms> (without NX/XX/GET).
    ctx.PropagateAs(
        {"SET", std::string(key), std::string(value), "PXAT", std::to_string(expire_at)});
  }
  NotifyKeyspaceEvent(ctx, kNotifyString, "set", key);
  if (opt.expiry != ExpiryKind::kNone) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "expire", key);
  if (opt.return_old) return;
  if (integer_replies) return ctx.reply().Integer(1);
  ctx.reply().Ok();
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//     PXAT unix-time-milliseconds | KEEPTTL]
void Set(CommandContext& ctx) {
  StringOptions opt;
  ArgParser p(ctx.args(), 3);
  if (!ParseStringOptions(p, OptionsFor::kSet, &opt)) return ctx.reply().Error(errors::kSyntax);
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), opt, false);
}

// SETNX key value
void SetNx(CommandContext& ctx) {
  StringOptions opt;
  opt.condition = SetCondition::kIfAbsent;
  SetGeneric(ctx, ctx.arg(1), ctx.arg(2), opt, true);
}

// SETEX key seconds value
void SetEx(CommandContext& ctx) {
  StringOptions opt;
  opt.expiry = ExpiryKind::kEx;
  opt.expiry_arg = ctx.arg(2);
  SetGeneric(ctx, ctx.arg(1), ctx.arg(3), opt, false);
}

// PSETEX key milliseconds value
void PSetEx(CommandContext& ctx) {
  StringOptions opt;
  opt.expiry = ExpiryKind::kPx;
  opt.expiry_arg = ctx.arg(2);
  SetGeneric(ctx, ctx.arg(1), ctx.arg(3), opt, false);
}

// GETEX key [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//     PXAT unix-time-milliseconds | PERSIST]
void GetEx(CommandContext& ctx) {
  StringOptions opt;
  ArgParser p(ctx.args(), 2);
  if (!ParseStringOptions(p, OptionsFor::kGetEx, &opt)) {
    return ctx.reply().Error(errors::kSyntax);
  }
  std::string_view key = ctx.arg(1);
  bool wrong_type;
  KvEntry* e = LookupString(ctx, key, &wrong_type);
  if (wrong_type) return ctx.reply().Error(errors::kWrongType);
  if (!e) return ctx.reply().NullBulk();  // before the expiry value is even looked at
  int64_t at = 0;
  if (opt.expiry != ExpiryKind::kNone && !ExpireAtOrReply(ctx, opt.expiry, opt.expiry_arg, &at)) {
    return;
  }
  ReplyString(ctx.reply(), e);
  Db& db = ctx.db();
  bool absolute = opt.expiry == ExpiryKind::kExAt || opt.expiry == ExpiryKind::kPxAt;
  std::string_view event;
  bool prop = ctx.propagating();
  if (absolute && at <= ctx.NowMs() && !db.expiry_frozen()) {
    // A timestamp already past deletes the key outright (a DEL, or UNLINK under
    // lazyfree-lazy-expire; not an expiry).
    (void)db.Delete(key, FreeReason::kExpire);
    event = "del";
    if (prop) {
      ctx.PropagateAs({ctx.cfg().lazyfree_lazy_expire ? "UNLINK" : "DEL", std::string(key)});
    }
  } else if (opt.expiry != ExpiryKind::kNone) {
    db.SetExpire(e, at);
    event = "expire";
    if (prop) ctx.PropagateAs({"PEXPIREAT", std::string(key), std::to_string(at)});
  } else if (opt.persist && e->has_expire()) {
    db.Persist(e);
    event = "persist";
    if (prop) ctx.PropagateAs({"PERSIST", std::string(key)});
  } else {
    return;
  }
  db.NotifyModified(key);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, event, key);
}

// GETDEL key
void GetDel(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  bool wrong_type;
  KvEntry* e = LookupString(ctx, key, &wrong_type);
  if (wrong_type) return ctx.reply().Error(errors::kWrongType);
  if (!e) return ctx.reply().NullBulk();
  ReplyString(ctx.reply(), e);
  (void)ctx.db().Delete(key);
  ctx.db().NotifyModified(key);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
  if (ctx.propagating()) ctx.PropagateAs({"DEL", std::string(key)});
}

// GETSET key value
void GetSet(CommandContext& ctx) {
  std::string_view key = ctx.arg(1);
  bool wrong_type;
  KvEntry* e = LookupString(ctx, key, &wrong_type);
  if (wrong_type) return ctx.reply().Error(errors::kWrongType);
  if (e) {
    ReplyString(ctx.reply(), e);
  } else {
    ctx.reply().NullBulk();
  }
  OpSetString(ctx.db(), e, key, ctx.arg(2), KvEntry::kNoExpire);
  NotifyKeyspaceEvent(ctx, kNotifyString, "set", key);
}

// MGET key [key ...]
void MGet(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(ctx.argc() - 1);
  for (size_t i = 1; i < ctx.argc(); i++) {
    KvEntry* e = ctx.db().LookupRead(ctx.arg(i), ctx.read_flags());
    if (e && e->type() == ObjType::kString) {
      ReplyString(r, e);
    } else {
      r.NullBulk();
    }
  }
}

// Writes every key/value pair of MSET / MSETNX; later duplicates win.
void SetPairs(CommandContext& ctx) {
  Db& db = ctx.db();
  for (size_t i = 1; i + 1 < ctx.argc(); i += 2) {
    db.Upsert(KvEntry::CreateString(ctx.arg(i), ctx.arg(i + 1)));
    db.NotifyModified(ctx.arg(i));
    NotifyKeyspaceEvent(ctx, kNotifyString, "set", ctx.arg(i));
  }
}

// MSET key value [key value ...]
void MSet(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) return ctx.reply().Error(errors::WrongArity(ctx.spec().name));
  SetPairs(ctx);
  ctx.reply().Ok();
}

// MSETNX key value [key value ...]
void MSetNx(CommandContext& ctx) {
  if (ctx.argc() % 2 == 0) return ctx.reply().Error(errors::WrongArity(ctx.spec().name));
  for (size_t i = 1; i < ctx.argc(); i += 2) {
    if (ctx.db().LookupWrite(ctx.arg(i))) return ctx.reply().Integer(0);
  }
  SetPairs(ctx);
  ctx.reply().Integer(1);
}

// STRLEN key
void StrLen(CommandContext& ctx) {
  bool wrong_type;
  KvEntry* e = LookupString(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply().Error(errors::kWrongType);
  ctx.reply().Integer(e ? int64_t(e->StringLength()) : 0);
}

void ReplyIncr(CommandContext& ctx, int64_t incr) {
  int64_t result;
  IncrError err = OpIncrBy(ctx.db(), ctx.arg(1), incr, &result);
  if (err != IncrError::kNone) return ctx.reply().Error(IncrErrorText(err));
  NotifyKeyspaceEvent(ctx, kNotifyString, "incrby", ctx.arg(1));
  ctx.reply().Integer(result);
}

// INCR key
void Incr(CommandContext& ctx) { ReplyIncr(ctx, 1); }

// DECR key
void Decr(CommandContext& ctx) { ReplyIncr(ctx, -1); }

// INCRBY key increment
void IncrBy(CommandContext& ctx) {
  int64_t incr;
  if (!ParseInt64(ctx.arg(2), &incr)) return ctx.reply().Error(errors::kNotInteger);
  ReplyIncr(ctx, incr);
}

// DECRBY key decrement
void DecrBy(CommandContext& ctx) {
  int64_t decr;
  if (!ParseInt64(ctx.arg(2), &decr)) return ctx.reply().Error(errors::kNotInteger);
  if (decr == std::numeric_limits<int64_t>::min()) {
    return ctx.reply().Error(errors::kDecrementOverflow);  // -decr would not fit
  }
  ReplyIncr(ctx, -decr);
}

// INCRBYFLOAT key increment
void IncrByFloat(CommandContext& ctx) {
  char buf[ReplyBuilder::kHumanDoubleMax];
  size_t len = 0;
  IncrError err = OpIncrByFloat(ctx.db(), ctx.arg(1), ctx.arg(2), buf, &len);
  if (err != IncrError::kNone) return ctx.reply().Error(IncrErrorText(err));
  NotifyKeyspaceEvent(ctx, kNotifyString, "incrbyfloat", ctx.arg(1));
  ctx.reply().Bulk(std::string_view(buf, len));
  // Float formatting may differ where the command replays: the result, keeping the TTL.
  if (ctx.propagating()) {
    ctx.PropagateAs({"SET", std::string(ctx.arg(1)), std::string(buf, len), "KEEPTTL"});
  }
}

// ---------------------------------------------------------------------------------------------
// Registration

constexpr uint64_t kWriteFast = kAclWrite | kAclString | kAclFast;
constexpr uint64_t kWriteSlow = kAclWrite | kAclString | kAclSlow;
constexpr uint64_t kReadFast = kAclRead | kAclString | kAclFast;
constexpr std::string_view kExpirySyntax =
    "EX seconds | PX milliseconds | EXAT unix-time-seconds:unix-time | "
    "PXAT unix-time-milliseconds:unix-time";

// SET's key flags depend on its arguments: with GET it reads the old value (RW access update),
// otherwise it overwrites (OW update), as COMMAND GETKEYSANDFLAGS reports in Redis.
bool SetGetKeys(std::span<const std::string_view> args, std::vector<int>* keys,
                std::vector<uint32_t>* key_flags) {
  if (args.size() < 3) return false;
  bool get = false;
  for (size_t i = 3; i < args.size(); i++) get = get || EqualsIgnoreCase(args[i], "GET");
  keys->push_back(1);
  if (key_flags) key_flags->push_back(get ? (kKsRW | kKsAccess | kKsUpdate) : (kKsOW | kKsUpdate));
  return true;
}

void RegisterSetCommands(CommandTable& t) {
  t.Add({.name = "set",
         .arity = -3,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kWriteSlow,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsUpdate | kKsVariableFlags)},
         .group = "string",
         .since = "1.0.0",
         .summary = "Sets the string value of a key, optionally with a condition and a TTL.",
         .complexity = "O(1)",
         .syntax = "key value [NX | XX] [GET] [EX seconds | PX milliseconds | "
                   "EXAT unix-time-seconds:unix-time | PXAT unix-time-milliseconds:unix-time | "
                   "KEEPTTL]",
         .handler = Set,
         .get_keys = SetGetKeys});
  t.Add({.name = "setnx",
         .arity = 3,
         .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
         .acl = kWriteFast,
         .key_specs = {KeyAt(1, kKsOW | kKsInsert)},
         .group = "string",
         .since = "1.0.0",
         .summary = "Sets a key's string value only when the key is absent.",
         .complexity = "O(1)",
         .syntax = "key value",
         .handler = SetNx});
  t.Add({.name = "setex",
         .arity = 4,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kWriteSlow,
         .key_specs = {KeyAt(1, kKsOW | kKsUpdate)},
         .group = "string",
         .since = "2.0.0",
         .summary = "Sets a key's string value with a time to live in seconds.",
         .complexity = "O(1)",
         .syntax = "key seconds value",
         .handler = SetEx});
  t.Add({.name = "psetex",
         .arity = 4,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kWriteSlow,
         .key_specs = {KeyAt(1, kKsOW | kKsUpdate)},
         .group = "string",
         .since = "2.6.0",
         .summary = "Sets a key's string value with a time to live in milliseconds.",
         .complexity = "O(1)",
         .syntax = "key milliseconds value",
         .handler = PSetEx});
  t.Add({.name = "getset",
         .arity = 3,
         .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
         .acl = kWriteFast,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsUpdate)},
         .group = "string",
         .since = "1.0.0",
         .summary = "Stores a new string value and returns the previous one.",
         .complexity = "O(1)",
         .syntax = "key value",
         .handler = GetSet});
  t.Add({.name = "mset",
         .arity = -3,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kWriteSlow,
         .key_specs = {KeyRange(1, -1, 2, kKsOW | kKsUpdate)},
         .group = "string",
         .since = "1.0.1",
         .summary = "Sets several keys to string values in one step.",
         .complexity = "O(N) where N is the number of keys written",
         .syntax = "key value [key value ...]",
         .tips = {"request_policy:multi_shard", "response_policy:all_succeeded"},
         .handler = MSet});
  t.Add({.name = "msetnx",
         .arity = -3,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kWriteSlow,
         .key_specs = {KeyRange(1, -1, 2, kKsOW | kKsInsert)},
         .group = "string",
         .since = "1.0.1",
         .summary = "Sets several keys to string values, only if none of them exists.",
         .complexity = "O(N) where N is the number of keys written",
         .syntax = "key value [key value ...]",
         .tips = {"request_policy:multi_shard", "response_policy:agg_min"},
         .handler = MSetNx});
}

void RegisterGetCommands(CommandTable& t) {
  t.Add({.name = "get",
         .arity = 2,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kReadFast,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "string",
         .since = "1.0.0",
         .summary = "Returns the string value of a key.",
         .complexity = "O(1)",
         .syntax = "key",
         .handler = Get});
  static const std::string getex_syntax = "key [" + std::string(kExpirySyntax) + " | PERSIST]";
  t.Add({.name = "getex",
         .arity = -2,
         .flags = kCmdWrite | kCmdFast,
         .acl = kWriteFast,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsUpdate)},
         .group = "string",
         .since = "6.2.0",
         .summary = "Returns a key's string value and changes or clears its TTL.",
         .complexity = "O(1)",
         .syntax = getex_syntax,
         .handler = GetEx});
  t.Add({.name = "getdel",
         .arity = 2,
         .flags = kCmdWrite | kCmdFast,
         .acl = kWriteFast,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsDelete)},
         .group = "string",
         .since = "6.2.0",
         .summary = "Returns a key's string value and deletes the key.",
         .complexity = "O(1)",
         .syntax = "key",
         .handler = GetDel});
  t.Add({.name = "mget",
         .arity = -2,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kReadFast,
         .key_specs = {KeyRange(1, -1, 1, kKsRO | kKsAccess)},
         .group = "string",
         .since = "1.0.0",
         .summary = "Returns the string values of several keys.",
         .complexity = "O(N) where N is the number of keys read",
         .syntax = "key [key ...]",
         .tips = {"request_policy:multi_shard"},
         .handler = MGet});
  t.Add({.name = "strlen",
         .arity = 2,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kReadFast,
         .key_specs = {KeyAt(1, kKsRO)},
         .group = "string",
         .since = "2.2.0",
         .summary = "Returns the length in bytes of a key's string value.",
         .complexity = "O(1)",
         .syntax = "key",
         .handler = StrLen});
}

void RegisterCounterCommands(CommandTable& t) {
  struct Row {
    const char* name;
    std::string_view summary;
    std::string_view syntax;
    CommandHandler handler;
    std::string_view since;
  };
  const Row rows[] = {
      {"incr", "Adds one to the integer value of a key (absent counts as 0).", "key", Incr,
       "1.0.0"},
      {"decr", "Subtracts one from the integer value of a key (absent counts as 0).", "key", Decr,
       "1.0.0"},
      {"incrby", "Adds an integer to the integer value of a key (absent counts as 0).",
       "key increment", IncrBy, "1.0.0"},
      {"decrby", "Subtracts an integer from the integer value of a key (absent counts as 0).",
       "key decrement", DecrBy, "1.0.0"},
      {"incrbyfloat", "Adds a floating-point number to the numeric value of a key.",
       "key increment:double", IncrByFloat, "2.6.0"},
  };
  for (const Row& row : rows) {
    int arity = row.syntax == "key" ? 2 : 3;
    t.Add({.name = row.name,
           .arity = arity,
           .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
           .acl = kWriteFast,
           .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsUpdate)},
           .group = "string",
           .since = row.since,
           .summary = row.summary,
           .complexity = "O(1)",
           .syntax = row.syntax,
           .handler = row.handler});
  }
}

}  // namespace

void RegisterStringFamily(CommandTable& t) {
  RegisterGetCommands(t);
  RegisterSetCommands(t);
  RegisterCounterCommands(t);
  RegisterStringRangeFamily(t);
}

}  // namespace ember
