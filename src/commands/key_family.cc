// Keyspace commands (Redis's "generic" group plus DBSIZE/SWAPDB/FLUSH*): DEL, UNLINK, EXISTS,
// TYPE, RENAME, RENAMENX, KEYS, SCAN, RANDOMKEY, TOUCH, DBSIZE, SWAPDB, MOVE, COPY, FLUSHDB,
// FLUSHALL and OBJECT. They work on whole entries and never look inside a value, except COPY,
// which deep-copies through KvEntry::Clone (collections register their copier in core/).
// The expiry commands (EXPIRE*, TTL*, PERSIST) live in expire_family.cc and are registered from
// RegisterKeyFamily below.
//
// Lazy freeing (server/lazyfree.h): UNLINK frees big values in the background, DEL does when
// lazyfree-lazy-user-del is on; RENAME's and COPY REPLACE's overwritten targets follow
// lazyfree-lazy-server-del (Db::Delete's default). FLUSHDB/FLUSHALL ASYNC hand the whole table
// to the freer; without ASYNC or SYNC, lazyfree-lazy-user-flush decides.
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <string>
#include <vector>

#include "core/glob.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"
#include "server/scan_args.h"

namespace ember {

void RegisterExpireFamily(CommandTable& t);  // expire_family.cc

namespace {

// Type name as TYPE and SCAN TYPE spell it.
std::string_view TypeName(ObjType t) {
  switch (t) {
    case ObjType::kString:
      return "string";
    case ObjType::kList:
      return "list";
    case ObjType::kSet:
      return "set";
    case ObjType::kZSet:
      return "zset";
    case ObjType::kHash:
      return "hash";
    case ObjType::kStream:
      return "stream";
  }
  return "none";
}

// Parses a DB index that must fit a C int (Redis's getIntFromObject).
bool ParseIntArg(std::string_view s, int64_t* out) {
  return ParseInt64(s, out) && *out >= INT_MIN && *out <= INT_MAX;
}

bool ValidDb(CommandContext& ctx, int64_t idx) {
  return idx >= 0 && idx < ctx.server().keyspace().num_dbs();
}

// Moves the value of unlinked entry `e` under `new_key` (RENAME): inline values are copied,
// heap objects change owner without a deep copy. Keeps the TTL; `e` is freed.
KvEntry* Rekey(KvEntry* e, std::string_view new_key) {
  KvEntry* fresh;
  switch (e->encoding()) {
    case ObjEncoding::kInt:
    case ObjEncoding::kEmbStr:
      fresh = KvEntry::Clone(e, new_key, e->expire_ms());
      KvEntry::Destroy(e);
      break;
    default:
      fresh = KvEntry::CreateObj(new_key, e->type(), e->encoding(), e->obj(), e->expire_ms());
      KvEntry::DestroyShell(e);
      break;
  }
  return fresh;
}

// Links `e` in `db` with LRU/LFU field `lru` (Db::Add stamps the clock; a moved key keeps
// its access history).
void AddWithLru(Db& db, KvEntry* e, uint32_t lru) {
  db.Add(e);
  e->set_lru(lru);
}

// Shared by DEL and UNLINK: deletes every existing key, replies with how many.
void DeleteKeys(CommandContext& ctx, FreeReason why) {
  Db& db = ctx.db();
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    if (db.Delete(ctx.arg(i), why)) {
      db.NotifyModified(ctx.arg(i));
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", ctx.arg(i));
      n++;
    }
  }
  ctx.reply().Integer(n);
}

// DEL key [key ...]
void Del(CommandContext& ctx) { DeleteKeys(ctx, FreeReason::kUserDel); }

// UNLINK key [key ...]
void Unlink(CommandContext& ctx) { DeleteKeys(ctx, FreeReason::kUnlink); }

// EXISTS key [key ...]
void Exists(CommandContext& ctx) {
  Db& db = ctx.db();
  int64_t n = 0;
  for (size_t i = 1; i < ctx.argc(); i++) {
    if (db.LookupRead(ctx.arg(i), LookupFlags::kNoTouch)) n++;
  }
  ctx.reply().Integer(n);
}

// TOUCH key [key ...]
void Touch(CommandContext& ctx) {
  Db& db = ctx.db();
  int64_t n = 0;
  // TOUCH updates the access time even for a CLIENT NO-TOUCH client.
  for (size_t i = 1; i < ctx.argc(); i++) {
    if (db.LookupRead(ctx.arg(i))) n++;
  }
  ctx.reply().Integer(n);
}

// TYPE key
void Type(CommandContext& ctx) {
  KvEntry* e = ctx.db().LookupRead(ctx.arg(1), LookupFlags::kNoTouch);
  ctx.reply().SimpleString(e ? TypeName(e->type()) : "none");
}

// Shared by RENAME and RENAMENX.
void RenameGeneric(CommandContext& ctx, bool nx) {
  Db& db = ctx.db();
  std::string_view src = ctx.arg(1), dst = ctx.arg(2);
  if (!db.LookupWrite(src)) return ctx.reply().Error(errors::kNoSuchKey);
  if (src == dst) {
    if (nx) return ctx.reply().Integer(0);
    return ctx.reply().Ok();
  }
  if (db.LookupWrite(dst)) {
    if (nx) return ctx.reply().Integer(0);
    db.Delete(dst);
  }
  KvEntry* unlinked = db.Unlink(src);
  uint32_t lru = unlinked->lru();
  AddWithLru(db, Rekey(unlinked, dst), lru);
  db.NotifyModified(src);
  db.NotifyModified(dst);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "rename_from", src);
  NotifyKeyspaceEvent(ctx, kNotifyGeneric, "rename_to", dst);
  if (nx)
    ctx.reply().Integer(1);
  else
    ctx.reply().Ok();
}

// RENAME key newkey
void Rename(CommandContext& ctx) { RenameGeneric(ctx, false); }

// RENAMENX key newkey
void RenameNx(CommandContext& ctx) { RenameGeneric(ctx, true); }

// KEYS pattern
void Keys(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view pattern = ctx.arg(1);
  bool all = pattern == "*";
  std::vector<std::string_view> out;
  db.dict().ForEach([&](KvEntry* e) {
    if (db.IsExpired(e)) return;
    std::string_view k = e->key();
    if (all || GlobMatch(pattern, k)) out.push_back(k);
  });
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(out.size());
  for (std::string_view k : out) r.Bulk(k);
}

// SCAN cursor [MATCH pattern] [COUNT count] [TYPE type]
//
// Each call visits buckets until about COUNT keys were seen (at most 10*COUNT steps, so a
// sparse table cannot make one call slow); the filters apply to the keys seen, so a call may
// return fewer keys than COUNT, or none, with a non-zero cursor. Db::Scan's reverse-binary
// cursor guarantees that a key present for the whole iteration is returned at least once.
void Scan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(1), &cursor)) return ctx.reply().Error(errors::kInvalidCursor);
  ScanArgs opt;
  if (!ParseScanArgs(ctx, 2, kScanAllowType, &opt)) return;
  Db& db = ctx.db();
  std::vector<std::string_view> keys;  // views into live entries: Scan only frees expired ones
  size_t seen = 0;
  int64_t max_steps = opt.count > INT64_MAX / 10 ? INT64_MAX : opt.count * 10;
  do {
    cursor = db.Scan(cursor, [&](KvEntry* e) {
      seen++;
      if (opt.use_pattern && !GlobMatch(opt.pattern, e->key())) return;
      if (opt.use_type && !EqualsIgnoreCase(opt.type, TypeName(e->type()))) return;
      keys.push_back(e->key());
    });
  } while (cursor != 0 && --max_steps > 0 && seen < uint64_t(opt.count));
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(2);
  char buf[24];
  int n = std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(cursor));
  r.Bulk(std::string_view(buf, size_t(n)));
  r.ArrayHeader(keys.size());
  for (std::string_view k : keys) r.Bulk(k);
}

// RANDOMKEY
void RandomKey(CommandContext& ctx) {
  KvEntry* e = ctx.db().RandomEntry();
  if (!e) return ctx.reply().NullBulk();
  ctx.reply().Bulk(e->key());
}

// DBSIZE
void DbSize(CommandContext& ctx) { ctx.reply().Integer(int64_t(ctx.db().size())); }

// SWAPDB index1 index2
void SwapDb(CommandContext& ctx) {
  int64_t a, b;
  if (!ParseIntArg(ctx.arg(1), &a)) return ctx.reply().Error(errors::kInvalidFirstDbIndex);
  if (!ParseIntArg(ctx.arg(2), &b)) return ctx.reply().Error(errors::kInvalidSecondDbIndex);
  if (!ValidDb(ctx, a) || !ValidDb(ctx, b)) return ctx.reply().Error(errors::kDbIndexOutOfRange);
  ctx.server().keyspace().SwapDb(int(a), int(b));
  ctx.server().AddDirty(1);  // always a change (and propagated), as in Redis
  ctx.reply().Ok();
}

// MOVE key db
void Move(CommandContext& ctx) {
  int64_t idx;
  if (!ParseIntArg(ctx.arg(2), &idx)) return ctx.reply().Error(errors::kNotInteger);
  if (!ValidDb(ctx, idx)) return ctx.reply().Error(errors::kDbIndexOutOfRange);
  Db& src = ctx.db();
  Db& dst = ctx.server().keyspace().db(int(idx));
  if (&src == &dst) return ctx.reply().Error(errors::kSameObject);
  std::string_view key = ctx.arg(1);
  if (!src.LookupWrite(key) || dst.LookupWrite(key)) return ctx.reply().Integer(0);
  KvEntry* e = src.Unlink(key);
  AddWithLru(dst, e, e->lru());
  src.NotifyModified(key);
  dst.NotifyModified(key);
  NotifyKeyspaceEvent(ctx.server(), kNotifyGeneric, "move_from", key, src.index());
  NotifyKeyspaceEvent(ctx.server(), kNotifyGeneric, "move_to", key, dst.index());
  ctx.reply().Integer(1);
}

// COPY source destination [DB destination-db] [REPLACE]
void Copy(CommandContext& ctx) {
  Db* dst = &ctx.db();
  bool replace = false;
  for (size_t i = 3; i < ctx.argc(); i++) {
    if (EqualsIgnoreCase(ctx.arg(i), "REPLACE")) {
      replace = true;
    } else if (EqualsIgnoreCase(ctx.arg(i), "DB") && i + 1 < ctx.argc()) {
      int64_t idx;
      if (!ParseInt64(ctx.arg(++i), &idx)) return ctx.reply().Error(errors::kNotInteger);
      if (!ValidDb(ctx, idx)) return ctx.reply().Error(errors::kDbIndexOutOfRange);
      dst = &ctx.server().keyspace().db(int(idx));
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  Db& src = ctx.db();
  std::string_view key = ctx.arg(1), newkey = ctx.arg(2);
  if (&src == dst && key == newkey) return ctx.reply().Error(errors::kSameObject);
  KvEntry* e = src.LookupRead(key, ctx.read_flags());
  if (!e) return ctx.reply().Integer(0);
  bool exists = dst->LookupWrite(newkey) != nullptr;
  if (exists && !replace) return ctx.reply().Integer(0);
  KvEntry* copy = KvEntry::Clone(e, newkey, e->expire_ms());
  if (!copy) return ctx.reply().Error(errors::kNotCopyable);
  if (exists) dst->Delete(newkey);
  dst->Add(copy);
  dst->NotifyModified(newkey);
  NotifyKeyspaceEvent(ctx.server(), kNotifyGeneric, "copy_to", newkey, dst->index());
  ctx.reply().Integer(1);
}

// Parses FLUSHDB/FLUSHALL's optional ASYNC | SYNC into *async (no mode:
// lazyfree-lazy-user-flush). Replies on error.
bool ParseFlushMode(CommandContext& ctx, bool* async) {
  if (ctx.argc() > 2) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  *async = ctx.cfg().lazyfree_lazy_user_flush;
  if (ctx.argc() == 2) {
    if (EqualsIgnoreCase(ctx.arg(1), "ASYNC")) {
      *async = true;
    } else if (EqualsIgnoreCase(ctx.arg(1), "SYNC")) {
      *async = false;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// FLUSHDB [ASYNC | SYNC]
void FlushDb(CommandContext& ctx) {
  bool async;
  if (!ParseFlushMode(ctx, &async)) return;
  ctx.db().Clear(async);
  ctx.server().AddDirty(1);  // propagated even when the db was empty, as in Redis
  ctx.reply().Ok();
}

// FLUSHALL [ASYNC | SYNC]
void FlushAll(CommandContext& ctx) {
  bool async;
  if (!ParseFlushMode(ctx, &async)) return;
  ctx.server().keyspace().FlushAll(async);
  ctx.server().AddDirty(1);  // propagated even when every db was empty, as in Redis
  ctx.reply().Ok();
}

// --- OBJECT -------------------------------------------------------------------------------

bool IsLfuPolicy(const ServerConfig& cfg) {
  return cfg.maxmemory_policy.find("lfu") != std::string::npos;
}

// Redis stops sharing the integers 0..9999 between keys when an LRU/LFU policy with a memory
// limit needs a per-key access field.
bool SharedIntegers(const ServerConfig& cfg) {
  return cfg.maxmemory == 0 ||
         (cfg.maxmemory_policy.find("lru") == std::string::npos && !IsLfuPolicy(cfg));
}

// The key named by OBJECT's argument, without touching its access time; replies null if
// absent.
KvEntry* ObjectLookup(CommandContext& ctx) {
  KvEntry* e = ctx.db().LookupRead(ctx.arg(2), LookupFlags::kNoTouch | LookupFlags::kNoNotify);
  if (!e) ctx.reply().NullBulk();
  return e;
}

// OBJECT ENCODING key
void ObjectEncoding(CommandContext& ctx) {
  if (KvEntry* e = ObjectLookup(ctx)) ctx.reply().Bulk(EncodingName(*e));
}

// OBJECT REFCOUNT key
void ObjectRefcount(CommandContext& ctx) {
  KvEntry* e = ObjectLookup(ctx);
  if (!e) return;
  constexpr int64_t kSharedRefcount = INT_MAX;
  bool shared =
      e->is_int() && e->int_value() >= 0 && e->int_value() < 10000 && SharedIntegers(ctx.cfg());
  ctx.reply().Integer(shared ? kSharedRefcount : 1);
}

// OBJECT IDLETIME key
void ObjectIdletime(CommandContext& ctx) {
  KvEntry* e = ObjectLookup(ctx);
  if (!e) return;
  if (IsLfuPolicy(ctx.cfg())) return ctx.reply().Error(errors::kLfuSelected);
  ctx.reply().Integer(int64_t(ctx.db().IdleSeconds(e)));
}

// OBJECT FREQ key
void ObjectFreq(CommandContext& ctx) {
  KvEntry* e = ObjectLookup(ctx);
  if (!e) return;
  if (!IsLfuPolicy(ctx.cfg())) return ctx.reply().Error(errors::kLfuNotSelected);
  ctx.reply().Integer(int64_t(ctx.db().LfuCounter(e)));  // decayed, as of now (core/lfu.h)
}

// OBJECT HELP
void ObjectHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "ENCODING <key>",
      "    Name of the internal representation of the value stored at <key>.",
      "FREQ <key>",
      "    Logarithmic access-frequency counter of <key> (needs an LFU maxmemory policy).",
      "IDLETIME <key>",
      "    Approximate seconds since <key> was last accessed (not under an LFU policy).",
      "REFCOUNT <key>",
      "    Number of references to the value stored at <key>.",
      "HELP",
      "    Print this help.",
  };
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(std::size(kLines));
  for (std::string_view l : kLines) r.SimpleString(l);
}

constexpr uint64_t kAclKsWrite = kAclKeyspace | kAclWrite;
constexpr uint64_t kAclKsRead = kAclKeyspace | kAclRead;

void RegisterObject(CommandTable& t) {
  CommandSpec* obj = t.Add({.name = "object",
                            .arity = -2,
                            .acl = kAclSlow,
                            .group = "generic",
                            .since = "2.2.3",
                            .summary = "A container for commands that inspect keys' internals.",
                            .complexity = "Depends on the subcommand.",
                            .handler = ObjectHelp});
  struct Sub {
    std::string_view name, since, summary;
    CommandHandler handler;
  };
  const Sub subs[] = {
      {"encoding", "2.2.3", "Returns the internal encoding of a key's value.", ObjectEncoding},
      {"freq", "4.0.0", "Returns the logarithmic access-frequency counter of a key.", ObjectFreq},
      {"idletime", "2.2.3", "Returns the seconds since a key was last accessed.", ObjectIdletime},
      {"refcount", "2.2.3", "Returns the reference count of a key's value.", ObjectRefcount},
  };
  for (const Sub& s : subs) {
    t.AddSub(obj, {.name = std::string(s.name),
                   .arity = 3,
                   .flags = kCmdReadOnly,
                   .acl = kAclKsRead | kAclSlow,
                   .key_specs = {KeyAt(2, kKsRO)},
                   .since = s.since,
                   .summary = s.summary,
                   .complexity = "O(1)",
                   .syntax = "key",
                   .tips = {"nondeterministic_output"},
                   .handler = s.handler});
  }
  t.AddSub(obj, {.name = "help",
                 .arity = 2,
                 .flags = kCmdLoading | kCmdStale,
                 .acl = kAclKeyspace | kAclSlow,
                 .since = "6.2.0",
                 .summary = "Lists the OBJECT subcommands.",
                 .complexity = "O(1)",
                 .handler = ObjectHelp});
}

}  // namespace

void RegisterKeyFamily(CommandTable& t) {
  const std::vector<std::string_view> kMultiKeyTips = {"request_policy:multi_shard",
                                                       "response_policy:agg_sum"};
  t.Add({.name = "del",
         .arity = -2,
         .flags = kCmdWrite,
         .acl = kAclKsWrite | kAclSlow,
         .key_specs = {KeyRange(1, -1, 1, kKsRM | kKsDelete)},
         .group = "generic",
         .since = "1.0.0",
         .summary = "Deletes one or more keys.",
         .complexity = "O(N) for N keys, plus the size of each collection freed.",
         .syntax = "key [key ...]",
         .tips = kMultiKeyTips,
         .handler = Del});
  t.Add({.name = "unlink",
         .arity = -2,
         .flags = kCmdWrite | kCmdFast,
         .acl = kAclKsWrite | kAclFast,
         .key_specs = {KeyRange(1, -1, 1, kKsRM | kKsDelete)},
         .group = "generic",
         .since = "4.0.0",
         .summary = "Deletes one or more keys, reclaiming their memory in the background.",
         .complexity = "O(1) per key; freeing large values happens apart from the command.",
         .syntax = "key [key ...]",
         .tips = kMultiKeyTips,
         .handler = Unlink});
  t.Add({.name = "exists",
         .arity = -2,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kAclKsRead | kAclFast,
         .key_specs = {KeyRange(1, -1, 1, kKsRO)},
         .group = "generic",
         .since = "1.0.0",
         .summary = "Counts how many of the given keys exist.",
         .complexity = "O(N) for N keys.",
         .syntax = "key [key ...]",
         .tips = kMultiKeyTips,
         .handler = Exists});
  t.Add({.name = "type",
         .arity = 2,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kAclKsRead | kAclFast,
         .key_specs = {KeyAt(1, kKsRO)},
         .group = "generic",
         .since = "1.0.0",
         .summary = "Returns the type of the value stored at a key.",
         .complexity = "O(1)",
         .syntax = "key",
         .handler = Type});
  t.Add({.name = "rename",
         .arity = 3,
         .flags = kCmdWrite,
         .acl = kAclKsWrite | kAclSlow,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsDelete), KeyAt(2, kKsOW | kKsUpdate)},
         .group = "generic",
         .since = "1.0.0",
         .summary = "Renames a key, overwriting the destination.",
         .complexity = "O(1)",
         .syntax = "key newkey",
         .handler = Rename});
  t.Add({.name = "renamenx",
         .arity = 3,
         .flags = kCmdWrite | kCmdFast,
         .acl = kAclKsWrite | kAclFast,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsDelete), KeyAt(2, kKsOW | kKsInsert)},
         .group = "generic",
         .since = "1.0.0",
         .summary = "Renames a key only when the new name does not exist.",
         .complexity = "O(1)",
         .syntax = "key newkey",
         .handler = RenameNx});
  t.Add({.name = "keys",
         .arity = 2,
         .flags = kCmdReadOnly,
         .acl = kAclKsRead | kAclSlow | kAclDangerous,
         .group = "generic",
         .since = "1.0.0",
         .summary = "Returns every key name matching a glob pattern.",
         .complexity = "O(N) for N keys in the database.",
         .syntax = "pattern",
         .tips = {"request_policy:all_shards", "nondeterministic_output_order"},
         .handler = Keys});
  t.Add({.name = "scan",
         .arity = -2,
         .flags = kCmdReadOnly,
         .acl = kAclKsRead | kAclSlow,
         .group = "generic",
         .since = "2.8.0",
         .summary = "Iterates over key names incrementally with a cursor.",
         .complexity = "O(1) per call; O(N) for a complete iteration.",
         .syntax = "cursor [MATCH pattern] [COUNT count] [TYPE type]",
         .tips = {"nondeterministic_output", "request_policy:special"},
         .handler = Scan});
  t.Add({.name = "randomkey",
         .arity = 1,
         .flags = kCmdReadOnly,
         .acl = kAclKsRead | kAclSlow,
         .group = "generic",
         .since = "1.0.0",
         .summary = "Returns a random key name.",
         .complexity = "O(1)",
         .tips = {"request_policy:all_shards", "nondeterministic_output"},
         .handler = RandomKey});
  t.Add({.name = "touch",
         .arity = -2,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kAclKsRead | kAclFast,
         .key_specs = {KeyRange(1, -1, 1, kKsRO)},
         .group = "generic",
         .since = "3.2.1",
         .summary = "Updates the last access time of keys; returns how many exist.",
         .complexity = "O(N) for N keys.",
         .syntax = "key [key ...]",
         .tips = kMultiKeyTips,
         .handler = Touch});
  t.Add({.name = "dbsize",
         .arity = 1,
         .flags = kCmdReadOnly | kCmdFast,
         .acl = kAclKsRead | kAclFast,
         .group = "server",
         .since = "1.0.0",
         .summary = "Returns the number of keys in the selected database.",
         .complexity = "O(1)",
         .tips = {"request_policy:all_shards", "response_policy:agg_sum"},
         .handler = DbSize});
  t.Add({.name = "swapdb",
         .arity = 3,
         .flags = kCmdWrite | kCmdFast,
         .acl = kAclKsWrite | kAclFast | kAclDangerous,
         .group = "server",
         .since = "4.0.0",
         .summary = "Exchanges the contents of two databases.",
         .complexity = "O(N) for N clients watching or blocked on keys of the two databases.",
         .syntax = "index1:integer index2:integer",
         .handler = SwapDb});
  t.Add({.name = "move",
         .arity = 3,
         .flags = kCmdWrite | kCmdFast,
         .acl = kAclKsWrite | kAclFast,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsUpdate)},
         .group = "generic",
         .since = "1.0.0",
         .summary = "Moves a key to another database.",
         .complexity = "O(1)",
         .syntax = "key db:integer",
         .handler = Move});
  t.Add({.name = "copy",
         .arity = -3,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kAclKsWrite | kAclSlow,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess), KeyAt(2, kKsOW | kKsUpdate)},
         .group = "generic",
         .since = "6.2.0",
         .summary = "Copies a key's value to a new key.",
         .complexity = "O(N) for a collection of N elements; O(1) for strings.",
         .syntax = "source:key destination:key [DB destination-db:integer] [REPLACE]",
         .handler = Copy});
  const std::vector<std::string_view> kFlushTips = {"request_policy:all_shards",
                                                    "response_policy:all_succeeded"};
  t.Add({.name = "flushdb",
         .arity = -1,
         .flags = kCmdWrite,
         .acl = kAclKsWrite | kAclSlow | kAclDangerous,
         .group = "server",
         .since = "1.0.0",
         .summary = "Deletes every key of the selected database.",
         .complexity = "O(N) for N keys in the database.",
         .syntax = "[ASYNC | SYNC]",
         .tips = kFlushTips,
         .handler = FlushDb});
  t.Add({.name = "flushall",
         .arity = -1,
         .flags = kCmdWrite,
         .acl = kAclKsWrite | kAclSlow | kAclDangerous,
         .group = "server",
         .since = "1.0.0",
         .summary = "Deletes every key of every database.",
         .complexity = "O(N) for N keys in all databases.",
         .syntax = "[ASYNC | SYNC]",
         .tips = kFlushTips,
         .handler = FlushAll});
  RegisterObject(t);
  RegisterExpireFamily(t);
}

}  // namespace ember
