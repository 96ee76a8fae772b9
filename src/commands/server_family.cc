// Server commands: INFO, TIME, SLOWLOG, MONITOR, SHUTDOWN and DEBUG — introspection
// and administration of the running process. The INFO text itself is built by server/info.cc;
// CONFIG lives in config_family.cc, CLIENT in client_family.cc.
#include <time.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "core/list_object.h"
#include "persistence/aof.h"
#include "persistence/loading.h"
#include "persistence/persistence.h"
#include "persistence/rdb_value.h"
#include "scripting/sha1.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/info.h"
#include "server/log.h"

namespace ember {
namespace {

// Replies with a HELP text: a header line naming the command, the given lines, and the HELP
// entry every container command ends with — each as a status line, like Redis.
void ReplyHelp(ReplyBuilder& r, std::string_view cmd,
               std::initializer_list<std::string_view> lines) {
  r.ArrayHeader(lines.size() + 3);
  r.SimpleString(std::string(cmd) + " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view l : lines) r.SimpleString(l);
  r.SimpleString("HELP");
  r.SimpleString("    Print this help.");
}

// INFO [section [section ...]]
void Info(CommandContext& ctx) {
  std::string text = BuildInfo(ctx.server(), ctx.args().subspan(1));
  ctx.reply().Verbatim(text, "txt");
}

// TIME
void Time(CommandContext& ctx) {
  int64_t us = ctx.clock().NowUs();
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(2);
  r.Bulk(std::to_string(us / 1'000'000));
  r.Bulk(std::to_string(us % 1'000'000));
}

// --- SLOWLOG ---

void ReplySlowlogEntry(ReplyBuilder& r, const SlowlogEntry& e) {
  r.ArrayHeader(6);
  r.Integer(int64_t(e.id));
  r.Integer(e.time_sec);
  r.Integer(e.duration_us);
  r.ArrayHeader(e.args.size());
  for (const std::string& a : e.args) r.Bulk(a);
  r.Bulk(e.peer);
  r.Bulk(e.client_name);
}

// SLOWLOG GET [count]
void SlowlogGet(CommandContext& ctx) {
  int64_t count = 10;
  if (ctx.argc() == 3) {
    if (!ParseInt64(ctx.arg(2), &count) || count < -1) {
      return ctx.reply().Error(errors::kSlowlogCount);
    }
  } else if (ctx.argc() > 3) {
    return ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "SLOWLOG"));
  }
  const std::deque<SlowlogEntry>& log = ctx.server().slowlog();
  size_t n = count == -1 ? log.size() : std::min(log.size(), size_t(count));
  ctx.reply().ArrayHeader(n);
  for (size_t i = 0; i < n; i++) ReplySlowlogEntry(ctx.reply(), log[i]);
}

// SLOWLOG LEN
void SlowlogLen(CommandContext& ctx) {
  ctx.reply().Integer(int64_t(ctx.server().slowlog().size()));
}

// SLOWLOG RESET
void SlowlogReset(CommandContext& ctx) {
  ctx.server().slowlog().clear();
  ctx.reply().Ok();
}

// SLOWLOG HELP
void SlowlogHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "SLOWLOG",
            {"GET [<count>]",
             "    Show the <count> most recent slow commands, newest first (default 10; -1 for",
             "    every entry). Each entry holds an id, a unix timestamp, the duration in",
             "    microseconds, the arguments, the client address and the client name.", "LEN",
             "    Show how many entries the slow log holds.", "RESET", "    Empty the slow log."});
}

// MONITOR
void Monitor(CommandContext& ctx) {
  Client& c = ctx.client();
  if (c.flags & kClientMulti) return ctx.reply().Error(errors::kMonitorDenyBlocking);
  if (c.flags & kClientMonitor) return;  // already monitoring: Redis stays silent
  ctx.server().AddMonitor(&c);
  ctx.reply().Ok();
}

// SHUTDOWN [NOSAVE | SAVE] [NOW] [FORCE] [ABORT]
void Shutdown(CommandContext& ctx) {
  bool nosave = false, save = false, now = false, force = false, abort = false;
  ArgParser p(ctx.args(), 1);
  while (p.HasMore()) {
    if (p.Flag("NOSAVE"))
      nosave = true;
    else if (p.Flag("SAVE"))
      save = true;
    else if (p.Flag("NOW"))
      now = true;
    else if (p.Flag("FORCE"))
      force = true;
    else if (p.Flag("ABORT"))
      abort = true;
    else
      return ctx.reply().Error(errors::kSyntax);
  }
  if ((abort && (nosave || save || now || force)) || (nosave && save)) {
    return ctx.reply().Error(errors::kSyntax);
  }
  // Shutdown is immediate (no replica wait), so there is never one in progress to abort.
  if (abort) return ctx.reply().Error(errors::kNoShutdownInProgress);
  Log(LogLevel::kWarning, "User requested shutdown...");
  if (ctx.server().persistence().loading()) {
    // During a load the dataset is partial: never save it over its source, and leave now (the
    // loader would otherwise run to the end first), as Redis does.
    (void)ctx.server().persistence().OnShutdown(false, true, true);
    fflush(nullptr);
    _exit(0);
  }
  // Final AOF fsync and, with save points (or SAVE), a synchronous RDB save; its error makes
  // SHUTDOWN refuse unless FORCE.
  std::string err = ctx.server().persistence().OnShutdown(save, nosave, force);
  if (!err.empty() && !force) return ctx.reply().Error(err);
  // No reply: the connection closes when the process exits, as with Redis.
  ctx.server().RequestShutdown(0);
}

// True if the client connects over a unix socket or from a loopback address.
bool IsLocalClient(Client& c) {
  if (!c.conn() || (c.flags & kClientUnixSocket)) return true;
  const std::string& peer = c.conn()->peer();
  return peer.starts_with("127.") || peer.starts_with("::1:") || peer.starts_with("[::1]");
}

// --- MODULE ---
// Ember loads no modules: MODULE LIST is empty and LOAD/LOADEX fail as a failed load does in
// Redis. LOAD, LOADEX and UNLOAD are protected by enable-module-command (no | yes | local).

bool ModuleCommandAllowed(CommandContext& ctx) {
  std::string mode = ctx.server().config().GetValue("enable-module-command");
  return mode == "yes" || (mode == "local" && IsLocalClient(ctx.client()));
}

// MODULE LOAD path [arg ...] | MODULE LOADEX path [CONFIG name value ...] [ARGS arg ...]
void ModuleLoad(CommandContext& ctx) {
  if (!ModuleCommandAllowed(ctx)) return ctx.reply().Error(errors::kModuleNotAllowed);
  Logf(LogLevel::kWarning, "Module %.*s failed to load: modules are not supported",
       int(ctx.arg(2).size()), ctx.arg(2).data());
  ctx.reply().Error(errors::kModuleLoadFailed);
}

// MODULE UNLOAD name
void ModuleUnload(CommandContext& ctx) {
  if (!ModuleCommandAllowed(ctx)) return ctx.reply().Error(errors::kModuleNotAllowed);
  ctx.reply().Error(errors::kModuleUnloadNoSuch);
}

// MODULE LIST
void ModuleList(CommandContext& ctx) { ctx.reply().ArrayHeader(0); }

// MODULE HELP
void ModuleHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "MODULE",
            {"LIST", "    Return a list of loaded modules.", "LOAD <path> [<arg> ...]",
             "    Load a module library from <path>, passing to it any optional arguments.",
             "LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]",
             "    Load a module library from <path>, while passing it module configurations and "
             "optional arguments.",
             "UNLOAD <name>", "    Unload a module."});
}

// --- DEBUG ---

bool DebugAllowed(CommandContext& ctx) {
  const ServerConfig& c = ctx.cfg();
  std::string_view mode = c.enable_debug_command_text;
  if (EqualsIgnoreCase(mode, "yes")) return true;
  if (EqualsIgnoreCase(mode, "local")) return IsLocalClient(ctx.client());
  return c.enable_debug_command;
}

// Bytes of an RDB length prefix for n (6-bit, 14-bit, 32-bit or 64-bit forms).
size_t RdbLenSize(uint64_t n) {
  if (n < (1u << 6)) return 1;
  if (n < (1u << 14)) return 2;
  if (n <= UINT32_MAX) return 5;
  return 9;
}

// Approximate size of the value in an RDB file (uncompressed), as DEBUG OBJECT reports.
size_t SerializedLength(const KvEntry& e) {
  if (e.type() != ObjType::kString) return e.MemoryUsage();
  int64_t v;
  char scratch[24];
  std::string_view s = e.StringValue(scratch);
  if (s.size() <= 11 && StringToInt64(s, &v)) {
    if (v >= INT8_MIN && v <= INT8_MAX) return 2;
    if (v >= INT16_MIN && v <= INT16_MAX) return 3;
    if (v >= INT32_MIN && v <= INT32_MAX) return 5;
  }
  return RdbLenSize(s.size()) + s.size();
}

// DEBUG OBJECT key
void DebugObject(CommandContext& ctx) {
  Db& db = ctx.db();
  KvEntry* e = db.LookupRead(
      ctx.arg(2), LookupFlags::kNoTouch | LookupFlags::kNoStats | LookupFlags::kNoExpire);
  if (!e) return ctx.reply().Error(errors::kNoSuchKey);
  char line[256];
  std::string_view enc = EncodingName(*e);
  snprintf(line, sizeof(line),
           "Value at:%p refcount:1 encoding:%.*s serializedlength:%zu lru:%u lru_seconds_idle:%llu",
           static_cast<void*>(e), int(enc.size()), enc.data(), SerializedLength(*e), e->lru(),
           static_cast<unsigned long long>(db.IdleSeconds(e)));
  ctx.reply().SimpleString(line);
}

// DEBUG SLEEP seconds — blocks the whole server, on purpose (tests use it to simulate a busy
// server). Like Redis, the number is read with strtod, so garbage sleeps zero seconds.
void DebugSleep(CommandContext& ctx) {
  std::string s(ctx.arg(2));
  double secs = strtod(s.c_str(), nullptr);
  if (secs > 0) {
    int64_t us = int64_t(secs * 1e6);
    timespec ts{time_t(us / 1'000'000), long(us % 1'000'000) * 1000};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
  }
  ctx.reply().Ok();
}

// DEBUG POPULATE count [prefix] [size]
void DebugPopulate(CommandContext& ctx) {
  int64_t count, size = 0;
  if (!ParseInt64(ctx.arg(2), &count) || count < 0) {
    return ctx.reply().Error(errors::kNotInteger);
  }
  std::string prefix = ctx.argc() >= 4 ? std::string(ctx.arg(3)) : "key";
  if (ctx.argc() == 5 && (!ParseInt64(ctx.arg(4), &size) || size < 0)) {
    return ctx.reply().Error(errors::kNotInteger);
  }
  Db& db = ctx.db();
  std::string key, value;
  for (int64_t i = 0; i < count; i++) {
    key = prefix + ":" + std::to_string(i);
    if (db.LookupWrite(key)) continue;  // existing keys are left alone
    value = "value:" + std::to_string(i);
    if (ctx.argc() == 5) value.resize(size_t(size), '\0');
    db.Add(KvEntry::CreateString(key, value));
  }
  ctx.reply().Ok();
}

// --- DEBUG DIGEST ---
// A 20-byte fingerprint of the dataset that does not depend on encodings or on the order of
// members in unordered collections (each member's SHA-1 is XORed in), so it is equal before
// and after a save/reload, a rewrite or a replication. It is Ember's own: the tests compare
// digests from one server, never with Redis's values. An empty dataset digests to all zeros.
using Digest = std::array<uint8_t, 20>;

Digest Sha1Of(std::string_view data) {
  char hex[40];
  Sha1Hex(data, hex);
  Digest d;
  for (size_t i = 0; i < d.size(); i++) {
    auto nib = [](char c) { return uint8_t(c <= '9' ? c - '0' : c - 'a' + 10); };
    d[i] = uint8_t(nib(hex[2 * i]) << 4 | nib(hex[2 * i + 1]));
  }
  return d;
}

void XorInto(Digest& acc, const Digest& d) {
  for (size_t i = 0; i < acc.size(); i++) acc[i] ^= d[i];
}

std::string_view View(const Digest& d) {
  return {reinterpret_cast<const char*>(d.data()), d.size()};
}

std::string DigestHex(const Digest& d) {
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : d) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  return out;
}

Digest ValueDigest(const KvEntry& e) {
  std::string buf;
  Digest acc{};
  switch (e.type()) {
    case ObjType::kString: {
      char scratch[24];
      return Sha1Of(buf.append("string:").append(e.StringValue(scratch)));
    }
    case ObjType::kList: {
      ListObject l(e.encoding(), e.obj());
      buf = "list:";
      l.Range(0, int64_t(l.Len()) - 1, [&](std::string_view v) {
        buf.append(std::to_string(v.size())).append(":").append(v);
      });
      return Sha1Of(buf);
    }
    case ObjType::kSet:
      SetObject(e.encoding(), e.obj()).ForEach([&](std::string_view m) {
        XorInto(acc, Sha1Of(m));
      });
      return Sha1Of(std::string("set:").append(View(acc)));
    case ObjType::kZSet: {
      ZSetObject z(e.encoding(), e.obj());
      z.ForRange(0, z.Len(), false, [&](std::string_view m, double score) {
        char num[64];
        int n = snprintf(num, sizeof(num), "%.17g", score);
        XorInto(acc, Sha1Of(std::string(m).append(1, '\0').append(num, size_t(n))));
      });
      return Sha1Of(std::string("zset:").append(View(acc)));
    }
    case ObjType::kHash:
      HashObject(e.encoding(), e.obj()).ForEach([&](std::string_view f, std::string_view v) {
        XorInto(acc, Sha1Of(std::string(f).append(1, '\0').append(v)));
      });
      return Sha1Of(std::string("hash:").append(View(acc)));
    case ObjType::kStream:
      return Sha1Of(DumpPayload(e));  // a stream's serialization is canonical (ordered by ID)
  }
  return acc;
}

// DEBUG DIGEST
void DebugDigest(CommandContext& ctx) {
  Digest total{};
  Keyspace& ks = ctx.server().keyspace();
  for (int i = 0; i < ks.num_dbs(); i++) {
    ks.db(i).dict().ForEach([&](KvEntry* e) {
      std::string key_part = std::to_string(i) + ":" + std::string(e->key()) + ":";
      key_part.append(View(ValueDigest(*e)));
      if (e->has_expire()) key_part.append(":expire:").append(std::to_string(e->expire_ms()));
      XorInto(total, Sha1Of(key_part));
    });
  }
  ctx.reply().SimpleString(DigestHex(total));
}

// DEBUG DIGEST-VALUE [key ...]
void DebugDigestValue(CommandContext& ctx) {
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    KvEntry* e = ctx.db().LookupRead(ctx.arg(i), LookupFlags::kNoTouch | LookupFlags::kNoStats);
    ctx.reply().SimpleString(DigestHex(e ? ValueDigest(*e) : Digest{}));
  }
}

// DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]
void DebugReload(CommandContext& ctx) {
  bool merge = false, noflush = false, nosave = false;
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view opt = ctx.arg(i);
    if (EqualsIgnoreCase(opt, "MERGE")) {
      merge = true;
    } else if (EqualsIgnoreCase(opt, "NOFLUSH")) {
      noflush = true;
    } else if (EqualsIgnoreCase(opt, "NOSAVE")) {
      nosave = true;
    } else {
      return ctx.reply().Error(errors::kDebugReloadOptions);
    }
  }
  std::string err = ctx.server().persistence().loader().DebugReload(merge, noflush, nosave);
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.reply().Ok();
}

// DEBUG LOADAOF
void DebugLoadAof(CommandContext& ctx) {
  std::string err = ctx.server().persistence().aof().DebugLoad();
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.reply().Ok();
}

void DebugHelp(CommandContext& ctx) {
  ReplyHelp(ctx.reply(), "DEBUG",
            {"DIGEST",
             "    Output a hex signature representing the current DB content.",
             "DIGEST-VALUE <key> [<key> ...]",
             "    Output a hex signature of the values of all the specified keys.",
             "ERROR <string>",
             "    Reply with <string> as an error.",
             "LOADAOF",
             "    Flush the AOF and load the dataset from it again.",
             "LOG <message>",
             "    Write <message> to the server log.",
             "OBJECT <key>",
             "    Show low-level details of the value stored at <key>.",
             "POPULATE <count> [<prefix>] [<size>]",
             "    Create <count> string keys named <prefix>:<n> (default prefix 'key'); values",
             "    are 'value:<n>', padded or cut to <size> bytes when given.",
             "AOF-FLUSH-SLEEP <microsec>",
             "    Sleep that long before each write of the AOF buffer.",
             "RELOAD [MERGE] [NOFLUSH] [NOSAVE]",
             "    Save the RDB file, empty the dataset and load it back. MERGE: keys read that",
             "    already exist replace them; NOFLUSH: keep the dataset; NOSAVE: do not save.",
             "SET-ACTIVE-EXPIRE <0|1>",
             "    Turn the background expiry of keys off or on.",
             "SLEEP <seconds>",
             "    Block the whole server for <seconds> (may be fractional)."});
}

// DEBUG AOF-FLUSH-SLEEP <microseconds>
void DebugAofFlushSleep(CommandContext& ctx) {
  int64_t us;
  if (!ParseInt64(ctx.arg(2), &us) || us < 0) return ctx.reply().Error(errors::kNotInteger);
  ctx.server().persistence().aof().set_flush_sleep_us(us);
  ctx.reply().Ok();
}

// DEBUG subcommand [arg ...]
void Debug(CommandContext& ctx) {
  if (!DebugAllowed(ctx)) return ctx.reply().Error(errors::kDebugNotAllowed);
  std::string_view sub = ctx.arg(1);
  size_t argc = ctx.argc();
  if (EqualsIgnoreCase(sub, "HELP") && argc == 2) return DebugHelp(ctx);
  if (EqualsIgnoreCase(sub, "SLEEP") && argc == 3) return DebugSleep(ctx);
  if (EqualsIgnoreCase(sub, "RELOAD")) return DebugReload(ctx);
  if (EqualsIgnoreCase(sub, "DIGEST") && argc == 2) return DebugDigest(ctx);
  if (EqualsIgnoreCase(sub, "DIGEST-VALUE")) return DebugDigestValue(ctx);
  if (EqualsIgnoreCase(sub, "LOADAOF") && argc == 2) return DebugLoadAof(ctx);
  if (EqualsIgnoreCase(sub, "AOF-FLUSH-SLEEP") && argc == 3) return DebugAofFlushSleep(ctx);
  if (EqualsIgnoreCase(sub, "OBJECT") && argc == 3) return DebugObject(ctx);
  if (EqualsIgnoreCase(sub, "POPULATE") && argc >= 3 && argc <= 5) return DebugPopulate(ctx);
  if (EqualsIgnoreCase(sub, "SET-ACTIVE-EXPIRE") && argc == 3) {
    ctx.server().set_active_expire(atoi(std::string(ctx.arg(2)).c_str()) != 0);
    return ctx.reply().Ok();
  }
  if (EqualsIgnoreCase(sub, "LOG") && argc == 3) {
    Log(LogLevel::kWarning, "DEBUG LOG: " + std::string(ctx.arg(2)));
    return ctx.reply().Ok();
  }
  if (EqualsIgnoreCase(sub, "ERROR") && argc == 3) return ctx.reply().Error(ctx.arg(2));
  ctx.reply().Error(errors::UnknownSubcommandOrArity(sub, "DEBUG"));
}

}  // namespace

static void RegisterModuleCommand(CommandTable& t) {
  constexpr uint64_t kModuleAcl = kAclAdmin | kAclSlow | kAclDangerous;
  constexpr uint64_t kLoadFlags = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading;
  CommandSpec* module = t.Add({.name = "module",
                               .arity = -2,
                               .acl = kAclSlow,
                               .group = "server",
                               .since = "4.0.0",
                               .summary = "A container for module commands.",
                               .complexity = "Depends on subcommand.",
                               .syntax = ""});
  t.AddSub(module, {.name = "help",
                    .arity = 2,
                    .flags = kCmdLoading | kCmdStale,
                    .acl = kAclSlow,
                    .since = "5.0.0",
                    .summary = "Returns helpful text about the different subcommands.",
                    .complexity = "O(1)",
                    .syntax = "",
                    .handler = ModuleHelp});
  t.AddSub(module, {.name = "list",
                    .arity = 2,
                    .flags = kCmdAdmin | kCmdNoScript,
                    .acl = kModuleAcl,
                    .since = "4.0.0",
                    .summary = "Returns all loaded modules.",
                    .complexity = "O(N) where N is the number of loaded modules.",
                    .syntax = "",
                    .tips = {"nondeterministic_output_order"},
                    .handler = ModuleList});
  t.AddSub(module, {.name = "load",
                    .arity = -3,
                    .flags = kLoadFlags,
                    .acl = kModuleAcl,
                    .since = "4.0.0",
                    .summary = "Loads a module.",
                    .complexity = "O(1)",
                    .syntax = "path [arg [arg ...]]",
                    .handler = ModuleLoad});
  t.AddSub(module, {.name = "loadex",
                    .arity = -3,
                    .flags = kLoadFlags,
                    .acl = kModuleAcl,
                    .since = "7.0.0",
                    .summary = "Loads a module using extended parameters.",
                    .complexity = "O(1)",
                    .syntax = "path [CONFIG name value [CONFIG name value ...]] [ARGS args "
                              "[args ...]]",
                    .handler = ModuleLoad});
  t.AddSub(module, {.name = "unload",
                    .arity = 3,
                    .flags = kLoadFlags,
                    .acl = kModuleAcl,
                    .since = "4.0.0",
                    .summary = "Unloads a module.",
                    .complexity = "O(1)",
                    .syntax = "name",
                    .handler = ModuleUnload});
}

void RegisterServerFamily(CommandTable& t) {
  constexpr uint64_t kAdminFlags = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint64_t kAdminAcl = kAclAdmin | kAclSlow | kAclDangerous;
  t.Add(
      {.name = "info",
       .arity = -1,
       .flags = kCmdLoading | kCmdStale,
       .acl = kAclSlow | kAclDangerous,
       .group = "server",
       .since = "1.0.0",
       .summary = "Returns information and statistics about the server, by section.",
       .complexity = "O(1)",
       .syntax = "[section [section ...]]",
       .tips = {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
       .handler = Info});
  t.Add({.name = "time",
         .arity = 1,
         .flags = kCmdLoading | kCmdStale | kCmdFast,
         .acl = kAclFast,
         .group = "server",
         .since = "2.6.0",
         .summary = "Returns the server's current time.",
         .complexity = "O(1)",
         .syntax = "",
         .tips = {"nondeterministic_output"},
         .handler = Time});
  t.Add({.name = "monitor",
         .arity = 1,
         .flags = kAdminFlags,
         .acl = kAdminAcl,
         .group = "server",
         .since = "1.0.0",
         .summary = "Streams every command the server processes to this connection.",
         .complexity = "",
         .syntax = "",
         .handler = Monitor});
  t.Add({.name = "shutdown",
         .arity = -1,
         .flags = kAdminFlags | kCmdNoMulti | kCmdAllowBusy,
         .acl = kAdminAcl,
         .group = "server",
         .since = "1.0.0",
         .summary = "Optionally saves the data set, then stops the server.",
         .complexity = "O(N) when saving, where N is the total number of keys in all databases",
         .syntax = "[NOSAVE | SAVE] [NOW] [FORCE] [ABORT]",
         .handler = Shutdown});
  t.Add({.name = "debug",
         .arity = -2,
         .flags = kAdminFlags,
         .acl = kAdminAcl,
         .group = "server",
         .since = "1.0.0",
         .summary = "A container for debugging commands.",
         .complexity = "Depends on subcommand.",
         .syntax = "",
         .handler = Debug});

  RegisterModuleCommand(t);

  CommandSpec* slowlog = t.Add({.name = "slowlog",
                                .arity = -2,
                                .acl = kAclSlow,
                                .group = "server",
                                .since = "2.2.12",
                                .summary = "A container for slow log commands.",
                                .complexity = "Depends on subcommand.",
                                .syntax = ""});
  constexpr uint64_t kLogFlags = kCmdAdmin | kCmdLoading | kCmdStale;
  t.AddSub(slowlog, {.name = "get",
                     .arity = -2,
                     .flags = kLogFlags,
                     .acl = kAdminAcl,
                     .since = "2.2.12",
                     .summary = "Returns the slow log's entries.",
                     .complexity = "O(N) where N is the number of entries returned",
                     .syntax = "[count]",
                     .tips = {"request_policy:all_nodes", "nondeterministic_output"},
                     .handler = SlowlogGet});
  t.AddSub(slowlog, {.name = "len",
                     .arity = 2,
                     .flags = kLogFlags,
                     .acl = kAdminAcl,
                     .since = "2.2.12",
                     .summary = "Returns the number of entries in the slow log.",
                     .complexity = "O(1)",
                     .syntax = "",
                     .tips = {"request_policy:all_nodes", "response_policy:agg_sum",
                              "nondeterministic_output"},
                     .handler = SlowlogLen});
  t.AddSub(slowlog, {.name = "reset",
                     .arity = 2,
                     .flags = kLogFlags,
                     .acl = kAdminAcl,
                     .since = "2.2.12",
                     .summary = "Clears all entries from the slow log.",
                     .complexity = "O(N) where N is the number of entries in the slowlog",
                     .syntax = "",
                     .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
                     .handler = SlowlogReset});
  t.AddSub(slowlog, {.name = "help",
                     .arity = 2,
                     .flags = kCmdLoading | kCmdStale,
                     .acl = kAclSlow,
                     .since = "6.2.0",
                     .summary = "Returns helpful text about the different subcommands.",
                     .complexity = "O(1)",
                     .syntax = "",
                     .handler = SlowlogHelp});
}

}  // namespace ember
