// Expiry commands: EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (with Redis 7's NX | XX | GT | LT
// conditions), TTL, PTTL, EXPIRETIME, PEXPIRETIME and PERSIST. Expiry times live inside the
// entries (core/kv_entry.h); Db::SetExpire and Db::Persist may build a new entry, so handlers
// always continue with the pointer they return. Registered from RegisterKeyFamily
// (key_family.cc).
#include <limits>

#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {

void RegisterExpireFamily(CommandTable& t);

namespace {

enum ExpireCond : uint32_t { kNx = 1, kXx = 2, kGt = 4, kLt = 8 };

// Parses the condition flags after "key time". Replies on error.
bool ParseExpireConditions(CommandContext& ctx, uint32_t* cond) {
  for (size_t i = 3; i < ctx.argc(); i++) {
    std::string_view o = ctx.arg(i);
    if (EqualsIgnoreCase(o, "NX"))
      *cond |= kNx;
    else if (EqualsIgnoreCase(o, "XX"))
      *cond |= kXx;
    else if (EqualsIgnoreCase(o, "GT"))
      *cond |= kGt;
    else if (EqualsIgnoreCase(o, "LT"))
      *cond |= kLt;
    else {
      ctx.reply().Error(errors::UnsupportedOption(o));
      return false;
    }
  }
  if ((*cond & kNx) && (*cond & (kXx | kGt | kLt))) {
    ctx.reply().Error(errors::kExpireNxConflict);
    return false;
  }
  if ((*cond & kGt) && (*cond & kLt)) {
    ctx.reply().Error(errors::kExpireGtLtConflict);
    return false;
  }
  return true;
}

// True if the conditions allow replacing `current` (kNoExpire = none) by `when`. A key
// without a TTL counts as an infinite TTL for GT and LT.
bool ConditionsAllow(uint32_t cond, int64_t current, int64_t when) {
  bool has = current != KvEntry::kNoExpire;
  if ((cond & kNx) && has) return false;
  if ((cond & kXx) && !has) return false;
  if ((cond & kGt) && (!has || when <= current)) return false;
  if ((cond & kLt) && has && when >= current) return false;
  return true;
}

// Shared by the four EXPIRE commands. `base_ms` is added to the time argument (now for the
// relative forms, 0 for the absolute ones); `seconds` scales it by 1000 first.
void ExpireGeneric(CommandContext& ctx, int64_t base_ms, bool seconds) {
  uint32_t cond = 0;
  if (!ParseExpireConditions(ctx, &cond)) return;
  int64_t when;
  if (!ParseInt64(ctx.arg(2), &when)) return ctx.reply().Error(errors::kNotInteger);
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  // Negative times are allowed (the key is deleted); only overflow is refused.
  if (seconds) {
    if (when > kMax / 1000 || when < kMin / 1000) {
      return ctx.reply().Error(errors::InvalidExpireTime(ctx.spec().name));
    }
    when *= 1000;
  }
  if (when > kMax - base_ms) return ctx.reply().Error(errors::InvalidExpireTime(ctx.spec().name));
  when += base_ms;

  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  KvEntry* e = db.LookupWrite(key);
  if (!e || !ConditionsAllow(cond, e->expire_ms(), when)) return ctx.reply().Integer(0);
  bool past = when <= ctx.NowMs() && !db.expiry_frozen();  // loading keeps past TTLs
  if (past) {
    // A time already past deletes the key, freed and replicated (DEL, or UNLINK) according
    // to lazyfree-lazy-expire, as in Redis.
    db.Delete(key, FreeReason::kExpire);
  } else {
    db.SetExpire(e, when);
  }
  db.NotifyModified(key);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, past ? "del" : "expire", key);
  ctx.reply().Integer(1);
  if (!ctx.propagating()) return;
  if (past) {
    ctx.PropagateAs({ctx.cfg().lazyfree_lazy_expire ? "UNLINK" : "DEL", std::string(key)});
  } else if (base_ms != 0 || seconds) {
    // Relative or in seconds: PEXPIREAT with the absolute time, the condition flags kept.
    std::vector<std::string> argv(ctx.args().begin(), ctx.args().end());
    argv[0] = "PEXPIREAT";
    argv[2] = std::to_string(when);
    ctx.PropagateAs(std::move(argv));
  }
}

// EXPIRE key seconds [NX | XX | GT | LT]
void Expire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.NowMs(), true); }

// PEXPIRE key milliseconds [NX | XX | GT | LT]
void PExpire(CommandContext& ctx) { ExpireGeneric(ctx, ctx.NowMs(), false); }

// EXPIREAT key unix-time-seconds [NX | XX | GT | LT]
void ExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, true); }

// PEXPIREAT key unix-time-milliseconds [NX | XX | GT | LT]
void PExpireAt(CommandContext& ctx) { ExpireGeneric(ctx, 0, false); }

// Shared by TTL, PTTL, EXPIRETIME and PEXPIRETIME: -2 for a missing key, -1 without a TTL;
// seconds are rounded to the nearest second, as Redis does.
void TtlGeneric(CommandContext& ctx, bool ms, bool absolute) {
  KvEntry* e = ctx.db().LookupRead(ctx.arg(1), LookupFlags::kNoTouch);
  if (!e) return ctx.reply().Integer(-2);
  if (!e->has_expire()) return ctx.reply().Integer(-1);
  int64_t v = absolute ? e->expire_ms() : e->expire_ms() - ctx.NowMs();
  if (v < 0) v = 0;
  ctx.reply().Integer(ms ? v : (v + 500) / 1000);
}

// TTL key
void Ttl(CommandContext& ctx) { TtlGeneric(ctx, false, false); }

// PTTL key
void PTtl(CommandContext& ctx) { TtlGeneric(ctx, true, false); }

// EXPIRETIME key
void ExpireTime(CommandContext& ctx) { TtlGeneric(ctx, false, true); }

// PEXPIRETIME key
void PExpireTime(CommandContext& ctx) { TtlGeneric(ctx, true, true); }

// PERSIST key
void Persist(CommandContext& ctx) {
  Db& db = ctx.db();
  KvEntry* e = db.LookupWrite(ctx.arg(1));
  if (!e || !e->has_expire()) return ctx.reply().Integer(0);
  db.Persist(e);
  db.NotifyModified(ctx.arg(1));
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "persist", ctx.arg(1));
  ctx.reply().Integer(1);
}

constexpr uint64_t kAclKsWriteFast = kAclKeyspace | kAclWrite | kAclFast;
constexpr uint64_t kAclKsReadFast = kAclKeyspace | kAclRead | kAclFast;

void AddExpireRow(CommandTable& t, std::string_view name, std::string_view since,
                  std::string_view summary, std::string_view syntax, CommandHandler h) {
  t.Add({.name = std::string(name),
         .arity = -3,
         .flags = kCmdWrite | kCmdFast,
         .acl = kAclKsWriteFast,
         .key_specs = {KeyAt(1, kKsRW | kKsUpdate)},
         .group = "generic",
         .since = since,
         .summary = summary,
         .complexity = "O(1)",
         .syntax = syntax,
         .handler = h});
}

void AddTtlRow(CommandTable& t, std::string_view name, std::string_view since,
               std::string_view summary, bool nondeterministic, CommandHandler h) {
  CommandSpec spec{.name = std::string(name),
                   .arity = 2,
                   .flags = kCmdReadOnly | kCmdFast,
                   .acl = kAclKsReadFast,
                   .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
                   .group = "generic",
                   .since = since,
                   .summary = summary,
                   .complexity = "O(1)",
                   .syntax = "key",
                   .handler = h};
  if (nondeterministic) spec.tips = {"nondeterministic_output"};
  t.Add(std::move(spec));
}

}  // namespace

void RegisterExpireFamily(CommandTable& t) {
  AddExpireRow(t, "expire", "1.0.0", "Sets a key's time to live in seconds.",
               "key seconds [NX | XX | GT | LT]", Expire);
  AddExpireRow(t, "pexpire", "2.6.0", "Sets a key's time to live in milliseconds.",
               "key milliseconds [NX | XX | GT | LT]", PExpire);
  AddExpireRow(t, "expireat", "1.2.0", "Sets a key's expiry as a Unix time in seconds.",
               "key unix-time-seconds:unix-time [NX | XX | GT | LT]", ExpireAt);
  AddExpireRow(t, "pexpireat", "2.6.0", "Sets a key's expiry as a Unix time in milliseconds.",
               "key unix-time-milliseconds:unix-time [NX | XX | GT | LT]", PExpireAt);
  AddTtlRow(t, "ttl", "1.0.0", "Returns a key's remaining time to live in seconds.", true, Ttl);
  AddTtlRow(t, "pttl", "2.6.0", "Returns a key's remaining time to live in milliseconds.", true,
            PTtl);
  AddTtlRow(t, "expiretime", "7.0.0", "Returns a key's expiry as a Unix time in seconds.", false,
            ExpireTime);
  AddTtlRow(t, "pexpiretime", "7.0.0", "Returns a key's expiry as a Unix time in milliseconds.",
            false, PExpireTime);
  t.Add({.name = "persist",
         .arity = 2,
         .flags = kCmdWrite | kCmdFast,
         .acl = kAclKsWriteFast,
         .key_specs = {KeyAt(1, kKsRW | kKsUpdate)},
         .group = "generic",
         .since = "2.2.0",
         .summary = "Removes a key's time to live so it no longer expires.",
         .complexity = "O(1)",
         .syntax = "key",
         .handler = Persist});
}

}  // namespace ember
