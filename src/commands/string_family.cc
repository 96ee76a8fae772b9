// String commands: GET, SET and (to come) the rest of Redis 7.2's string family. Values are
// stored in the KvEntry itself (int / embstr) or in a RawString; see core/kv_entry.h.
#include <limits>
#include <string>

#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {
namespace {

enum class SetCondition { kAlways, kIfAbsent, kIfPresent };

struct SetOptions {
  SetCondition condition = SetCondition::kAlways;
  bool return_old = false;
  bool keep_ttl = false;
  int64_t expire_at_ms = KvEntry::kNoExpire;
};

// Parses "EX|PX|EXAT|PXAT <n>" at the parser's position into an absolute time in ms.
// Returns 0 if the next argument is not an expiry option, 1 on success, -1 on error (reply
// sent).
int ParseExpiryOption(CommandContext& ctx, ArgParser& p, int64_t* at_ms) {
  if (!p.HasMore()) return 0;
  std::string_view opt = p.Peek();
  bool ex = EqualsIgnoreCase(opt, "EX"), px = EqualsIgnoreCase(opt, "PX");
  bool exat = EqualsIgnoreCase(opt, "EXAT"), pxat = EqualsIgnoreCase(opt, "PXAT");
  if (!(ex || px || exat || pxat)) return 0;
  p.Next();
  if (!p.HasMore()) {
    ctx.reply().Error(errors::kSyntax);
    return -1;
  }
  int64_t v;
  if (!ParseInt64(p.Next(), &v)) {
    ctx.reply().Error(errors::kNotInteger);
    return -1;
  }
  bool seconds = ex || exat;
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  if (v <= 0 || (seconds && v > kMax / 1000)) {
    ctx.reply().Error(errors::InvalidExpireTime(ctx.spec().name));
    return -1;
  }
  int64_t ms = seconds ? v * 1000 : v;
  if (ex || px) {
    if (ms > kMax - ctx.NowMs()) {
      ctx.reply().Error(errors::InvalidExpireTime(ctx.spec().name));
      return -1;
    }
    ms += ctx.NowMs();
  }
  *at_ms = ms;
  return 1;
}

// Writes `value` under `key` with SET semantics (old TTL dropped unless keep_ttl).
void OpSetString(Db& db, KvEntry* existing, std::string_view key, std::string_view value,
                 const SetOptions& opt) {
  int64_t expire = opt.expire_at_ms;
  if (opt.keep_ttl && existing && existing->has_expire()) expire = existing->expire_ms();
  KvEntry* e = KvEntry::CreateString(key, value, expire);
  if (existing) db.ReplaceEntry(existing, e, false);
  else db.Add(e);
  db.NotifyModified(key);
}

// Replies with an entry's string value.
void ReplyString(ReplyBuilder& r, const KvEntry* e) {
  char scratch[24];
  r.Bulk(e->StringValue(scratch));
}

// GET key
void Get(CommandContext& ctx) {
  KvEntry* e = ctx.db().LookupRead(ctx.arg(1), ctx.read_flags());
  if (!e) return ctx.reply().NullBulk();
  if (e->type() != ObjType::kString) return ctx.reply().Error(errors::kWrongType);
  ReplyString(ctx.reply(), e);
}

// SET key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds |
//     PXAT unix-time-milliseconds | KEEPTTL]
void Set(CommandContext& ctx) {
  SetOptions opt;
  bool have_expire = false;
  ArgParser p(ctx.args(), 3);
  while (p.HasMore()) {
    bool nx = p.Peek().size() == 2 && EqualsIgnoreCase(p.Peek(), "NX");
    bool xx = p.Peek().size() == 2 && EqualsIgnoreCase(p.Peek(), "XX");
    if ((nx || xx) && opt.condition == SetCondition::kAlways) {
      p.Next();
      opt.condition = nx ? SetCondition::kIfAbsent : SetCondition::kIfPresent;
    } else if (!opt.return_old && p.Flag("GET")) {
      opt.return_old = true;
    } else if (!opt.keep_ttl && !have_expire && p.Flag("KEEPTTL")) {
      opt.keep_ttl = true;
    } else if (!opt.keep_ttl && !have_expire) {
      int rc = ParseExpiryOption(ctx, p, &opt.expire_at_ms);
      if (rc < 0) return;
      if (rc == 0) return ctx.reply().Error(errors::kSyntax);
      have_expire = true;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  KvEntry* existing = db.LookupWrite(key);
  if (opt.return_old && existing && existing->type() != ObjType::kString) {
    return ctx.reply().Error(errors::kWrongType);
  }
  bool blocked = (opt.condition == SetCondition::kIfAbsent && existing) ||
                 (opt.condition == SetCondition::kIfPresent && !existing);
  std::string old;
  bool had_old = false;
  if (opt.return_old && existing) {
    char scratch[24];
    old = existing->StringValue(scratch);
    had_old = true;
  }
  if (!blocked) OpSetString(db, existing, key, ctx.arg(2), opt);
  if (opt.return_old) {
    if (had_old) ctx.reply().Bulk(old);
    else ctx.reply().NullBulk();
  } else if (blocked) {
    ctx.reply().NullBulk();
  } else {
    ctx.reply().Ok();
  }
}

}  // namespace

void RegisterStringFamily(CommandTable& t) {
  t.Add({.name = "get", .arity = 2, .flags = kCmdReadOnly | kCmdFast,
         .acl = kAclRead | kAclString | kAclFast, .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "string", .since = "1.0.0", .summary = "Returns the string value of a key.",
         .complexity = "O(1)", .syntax = "key", .handler = Get});
  t.Add({.name = "set", .arity = -3, .flags = kCmdWrite | kCmdDenyOom,
         .acl = kAclWrite | kAclString | kAclSlow,
         .key_specs = {[] {
           KeySpec k = KeyAt(1, kKsRW | kKsAccess | kKsUpdate | kKsVariableFlags);
           return k;
         }()},
         .group = "string", .since = "1.0.0",
         .summary = "Sets the string value of a key, optionally with a condition and a TTL.",
         .complexity = "O(1)",
         .syntax = "key value [NX | XX] [GET] [EX seconds | PX milliseconds | "
                   "EXAT unix-time-seconds:unix-time | PXAT unix-time-milliseconds:unix-time | "
                   "KEEPTTL]",
         .handler = Set});
}

}  // namespace ember
