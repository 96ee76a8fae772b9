// DUMP and RESTORE: a key's value as Redis's serialized payload (its RDB serialization, the
// 2-byte RDB version and a CRC-64; persistence/rdb_value.h), so payloads move both ways
// between Ember and Redis (MIGRATE-style tooling, redis-cli --rdb-less copies).
//
// RESTORE follows Redis 7's order of checks exactly: options (syntax, IDLETIME/FREQ ranges),
// then BUSYKEY, then the TTL, then the payload footer, then the value itself. A TTL that lands
// in the past (ABSTTL) deletes the old key under REPLACE and creates nothing. IDLETIME sets the
// key's LRU clock and FREQ its LFU counter, each only under the matching maxmemory policy, as
// Redis does.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "core/db.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_io.h"
#include "persistence/rdb_value.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

constexpr uint32_t kLruClockMax = (1u << 24) - 1;

// The encoding limits the loader builds restored values with (the server's config).
RdbLoadLimits LoadLimits(const ServerConfig& cfg) {
  RdbLoadLimits l;
  l.hash = {cfg.hash_max_listpack_entries, cfg.hash_max_listpack_value};
  l.set.max_intset = cfg.set_max_intset_entries;
  l.set.max_listpack = cfg.set_max_listpack_entries;
  l.set.max_listpack_value = cfg.set_max_listpack_value;
  l.zset = {cfg.zset_max_listpack_entries, cfg.zset_max_listpack_value};
  l.list_max_listpack_size = cfg.list_max_listpack_size;
  return l;
}

bool IsLfu(const ServerConfig& cfg) {
  return cfg.maxmemory_policy.find("lfu") != std::string::npos;
}

// DUMP key
void Dump(CommandContext& ctx) {
  KvEntry* e = ctx.db().LookupRead(ctx.arg(1), ctx.read_flags());
  if (e && e->type() == ObjType::kHash) e = ctx.db().ExpireFields(e);
  if (!e) return ctx.reply().NullBulk();
  ctx.reply().Bulk(DumpPayload(*e));
}

bool ReplyError(CommandContext& ctx, std::string_view err) {
  ctx.reply().Error(err);
  return false;
}

struct RestoreOptions {
  bool replace = false;
  bool absttl = false;
  int64_t idle = -1;  // IDLETIME seconds, -1 when not given
  int64_t freq = -1;  // FREQ, -1 when not given
};

// Parses the options after the payload; replies and returns false on an error. IDLETIME and
// FREQ exclude each other (the second one is a syntax error), as in Redis.
bool ParseRestoreOptions(CommandContext& ctx, RestoreOptions* o) {
  for (size_t j = 4; j < ctx.argc(); j++) {
    std::string_view a = ctx.arg(j);
    bool has_value = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(a, "REPLACE")) {
      o->replace = true;
    } else if (EqualsIgnoreCase(a, "ABSTTL")) {
      o->absttl = true;
    } else if (EqualsIgnoreCase(a, "IDLETIME") && has_value && o->freq == -1) {
      if (!ParseInt64(ctx.arg(++j), &o->idle)) return ReplyError(ctx, errors::kNotInteger);
      if (o->idle < 0) return ReplyError(ctx, errors::kRestoreInvalidIdletime);
    } else if (EqualsIgnoreCase(a, "FREQ") && has_value && o->idle == -1) {
      if (!ParseInt64(ctx.arg(++j), &o->freq)) return ReplyError(ctx, errors::kNotInteger);
      if (o->freq < 0 || o->freq > 255) return ReplyError(ctx, errors::kRestoreInvalidFreq);
    } else {
      return ReplyError(ctx, errors::kSyntax);
    }
  }
  return true;
}

// Decodes the payload's value; nullptr for anything that is not one storable value.
KvEntry* DecodePayload(CommandContext& ctx, std::string_view payload, int64_t expire_ms) {
  std::string sanitize = ctx.server().config().GetValue("sanitize-dump-payload");
  bool deep_check = sanitize == "yes" || sanitize == "clients";
  RdbReader r(payload.substr(0, payload.size() - 10));
  uint8_t type;
  if (!r.Byte(&type)) return nullptr;
  bool skipped_module = false;
  return ReadRdbValue(r, type, ctx.arg(1), expire_ms, LoadLimits(ctx.cfg()), deep_check,
                      &skipped_module);
}

// Applies IDLETIME (LRU policies) or FREQ (LFU policies) to a freshly linked entry.
void ApplyAccessInfo(CommandContext& ctx, KvEntry* e, const RestoreOptions& o) {
  if (IsLfu(ctx.cfg())) {
    if (o.freq < 0) return;
    uint32_t minutes = uint32_t(ctx.NowMs() / 60000) & 0xffff;
    e->set_lru((minutes << 8) | uint32_t(o.freq));
  } else if (o.idle >= 0) {
    int64_t clock = ctx.db().LruClock();
    int64_t abs = clock - o.idle;
    if (abs < 0) abs = (clock + kLruClockMax / 2) % kLruClockMax;
    e->set_lru(uint32_t(abs));
  }
}

// A RESTORE that only deleted the old key (its TTL was already past) replays as DEL, or UNLINK
// under lazyfree-lazy-server-del, as in Redis.
void PropagateDelete(CommandContext& ctx, std::string_view key) {
  bool lazy = ctx.cfg().lazyfree_lazy_server_del;
  ctx.PropagateAs({lazy ? "UNLINK" : "DEL", std::string(key)});
}

// RESTORE key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]
void Restore(CommandContext& ctx) {
  RestoreOptions o;
  if (!ParseRestoreOptions(ctx, &o)) return;
  std::string_view key = ctx.arg(1);
  Db& db = ctx.db();
  if (!o.replace && db.LookupWrite(key) != nullptr) return ctx.reply().Error(errors::kBusyKey);
  int64_t ttl;
  if (!ParseInt64(ctx.arg(2), &ttl)) return ctx.reply().Error(errors::kNotInteger);
  if (ttl < 0) return ctx.reply().Error(errors::kRestoreInvalidTtl);
  std::string_view payload = ctx.arg(3);
  if (!VerifyDumpPayload(payload, nullptr)) return ctx.reply().Error(errors::kDumpPayloadInvalid);

  int64_t now = ctx.NowMs();
  int64_t expire_at = KvEntry::kNoExpire;
  if (ttl != 0) {
    expire_at = ttl;
    if (!o.absttl && __builtin_add_overflow(ttl, now, &expire_at)) {
      expire_at = std::numeric_limits<int64_t>::max();
    }
  }
  KvEntry* e = DecodePayload(ctx, payload, expire_at);
  if (!e) return ctx.reply().Error(errors::kBadDataFormat);

  bool deleted = o.replace && db.Delete(key);
  if (expire_at != KvEntry::kNoExpire && expire_at <= now) {
    KvEntry::Destroy(e);
    if (deleted) {
      db.NotifyModified(key);
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
      if (ctx.propagating()) PropagateDelete(ctx, key);
    }
    return ctx.reply().Ok();
  }
  db.Add(e);
  ApplyAccessInfo(ctx, e, o);
  db.NotifyModified(key);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "restore", key);
  ctx.reply().Ok();
  if (ctx.propagating() && ttl != 0 && !o.absttl) {
    // A relative TTL replays as the absolute time it became, as Redis propagates it.
    std::vector<std::string> argv(ctx.args().begin(), ctx.args().end());
    argv[2] = std::to_string(expire_at);
    argv.push_back("ABSTTL");
    ctx.PropagateAs(std::move(argv));
  }
}

}  // namespace

void RegisterDumpFamily(CommandTable& t) {
  t.Add({.name = "dump",
         .arity = 2,
         .flags = kCmdReadOnly,
         .acl = kAclKeyspace | kAclRead | kAclSlow,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "generic",
         .since = "2.6.0",
         .summary = "Returns the value of a key serialized in Redis's DUMP payload format.",
         .complexity = "O(1) to find the key plus O(N*M) to serialize its N elements of average "
                       "size M (O(1) for small strings).",
         .syntax = "key",
         .tips = {"nondeterministic_output"},
         .handler = Dump});
  t.Add({.name = "restore",
         .arity = -4,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kAclKeyspace | kAclWrite | kAclSlow | kAclDangerous,
         .key_specs = {KeyAt(1, kKsOW | kKsUpdate)},
         .group = "generic",
         .since = "2.6.0",
         .summary = "Creates a key from a payload made by DUMP.",
         .complexity = "O(1) to create the key plus O(N*M) to rebuild its N elements of average "
                       "size M; O(N*M*log(N)) for sorted sets.",
         .syntax = "key ttl:integer serialized-value:string [REPLACE] [ABSTTL] "
                   "[IDLETIME seconds:integer] [FREQ frequency:integer]",
         .handler = Restore});
}

}  // namespace ember
