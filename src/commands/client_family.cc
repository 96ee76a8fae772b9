// CLIENT subcommands: ID, SETNAME, GETNAME, LIST, INFO, KILL, NO-EVICT, NO-TOUCH, REPLY,
// SETINFO, PAUSE, UNPAUSE, HELP — the calling connection's own settings and the admin view of
// every connection. Each subcommand is its own row under the "client" container, so arity,
// flags and ACL categories are checked by the dispatcher. The state lives in Client
// (server/client.h); pausing and the REPLY OFF/SKIP filtering are done by the dispatcher
// (Server::Execute), this file only sets the flags. CLIENT TRACKING/CACHING/GETREDIR/
// TRACKINGINFO are rows of tracking_family.cc.
#include <climits>
#include <string>
#include <vector>

#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/memory_report.h"
#include "server/pubsub.h"
#include "server/tracking.h"

namespace ember {
namespace {

enum class ClientType { kNormal, kReplica, kPubSub, kMaster };

// Parses a CLIENT LIST/KILL type name; false if unknown.
bool ParseClientType(std::string_view s, ClientType* t) {
  if (EqualsIgnoreCase(s, "normal"))
    *t = ClientType::kNormal;
  else if (EqualsIgnoreCase(s, "replica") || EqualsIgnoreCase(s, "slave"))
    *t = ClientType::kReplica;
  else if (EqualsIgnoreCase(s, "pubsub"))
    *t = ClientType::kPubSub;
  else if (EqualsIgnoreCase(s, "master"))
    *t = ClientType::kMaster;
  else
    return false;
  return true;
}

// A MONITOR client counts as normal, as in Redis; replication links arrive later.
ClientType TypeOf(const Client& c) {
  return (c.flags & kClientPubSub) ? ClientType::kPubSub : ClientType::kNormal;
}

// The flags= letters of CLIENT LIST, in Redis's order.
std::string FlagLetters(const Client& c) {
  std::string f;
  uint64_t fl = c.flags;
  if (fl & kClientMonitor) f += 'O';
  if (fl & kClientPubSub) f += 'P';
  if (fl & kClientMulti) f += 'x';
  if (fl & (kClientBlocked | kClientPaused)) f += 'b';  // a parked (paused) client is blocked
  if (fl & kClientTracking) f += 't';
  if (c.tracking_flags & kTrackingBrokenRedir) f += 'R';
  if (c.tracking_flags & kTrackingBcast) f += 'B';
  if (fl & kClientDirtyCas) f += 'd';
  if (fl & kClientCloseAfterReply) f += 'c';
  if (fl & kClientCloseAsap) f += 'A';
  if (fl & kClientUnixSocket) f += 'U';
  if (fl & kClientNoEvict) f += 'e';
  if (fl & kClientNoTouch) f += 'T';
  if (f.empty()) f = "N";
  return f;
}

// Appends one CLIENT LIST line (with its trailing newline) for client c. The caller's own line
// reports the command being executed, as Redis does.
void AppendClientLine(CommandContext& ctx, const Client& c, std::string* out) {
  bool self = &c == &ctx.client();
  int64_t now = ctx.NowMs();
  const CommandSpec* cmd = self ? &ctx.spec() : c.last_cmd;
  size_t argv_mem = 0;
  if (self) {
    for (std::string_view a : ctx.args()) argv_mem += a.size();
  }
  Connection* conn = const_cast<Client&>(c).conn();
  std::string events;
  if (conn) {
    events = "r";
    if (c.flags & kClientWriteHandler) events += 'w';
  }
  size_t qbuf = c.qbuf.size(), qcap = c.qbuf.capacity();
  // obl: bytes in the reply buffer; oll: sealed chunks queued behind it; omem: every pending
  // byte, shared message chunks included (what client-output-buffer-limit measures).
  size_t omem = c.PendingOutputBytes();
  size_t oll = c.output_chunks();
  size_t obl = oll ? c.obuf.size() : c.obuf.size() - c.opos;
  size_t sub = c.subs ? c.subs->count(SubKind::kChannel) : 0;
  size_t psub = c.subs ? c.subs->count(SubKind::kPattern) : 0;
  size_t ssub = c.subs ? c.subs->count(SubKind::kShard) : 0;
  // Transaction fields: multi= queued commands (-1 outside MULTI), multi-mem= bytes of the
  // transaction context. (Redis 7.4's watch= field is not in 7.2, the version Ember reports.)
  long long multi = -1;
  if (c.flags & kClientMulti) multi = c.tx ? static_cast<long long>(c.tx->queue.size()) : 0;
  size_t multi_mem = c.tx ? c.tx->MemoryUsage() : 0;
  size_t tot_mem = ClientMemoryUsage(c);  // what INFO's mem_clients_normal sums
  char nums[512];
  snprintf(nums, sizeof(nums),
           " age=%lld idle=%lld flags=%s db=%d sub=%zu psub=%zu ssub=%zu multi=%lld qbuf=%zu "
           "qbuf-free=%zu argv-mem=%zu multi-mem=%zu rbs=%zu rbp=%zu obl=%zu oll=%zu omem=%zu "
           "tot-mem=%zu events=%s cmd=",
           static_cast<long long>((now - c.ctime_ms) / 1000),
           static_cast<long long>((now - c.last_interaction_ms) / 1000), FlagLetters(c).c_str(),
           c.db_index, sub, psub, ssub, multi, qbuf, qcap - qbuf, argv_mem, multi_mem, qcap, qcap,
           obl, oll, omem, tot_mem, events.c_str());
  *out += "id=" + std::to_string(c.id);
  *out += " addr=";
  if (conn) *out += conn->peer();
  *out += " laddr=";
  if (conn) *out += conn->local();
  *out += " fd=" + std::to_string(conn ? conn->fd() : -1);
  *out += " name=" + c.name;
  *out += nums;
  *out += cmd ? cmd->name : std::string("NULL");
  *out += " user=" + c.user->name;
  *out += " redir=" + std::to_string((c.flags & kClientTracking)
                                         ? static_cast<long long>(c.tracking_redirect)
                                         : -1LL);
  *out += " resp=" + std::to_string(const_cast<Client&>(c).reply().resp());
  *out += " lib-name=" + c.lib_name;
  *out += " lib-ver=" + c.lib_ver + "\n";
}

bool Listed(const Client& c) { return !(c.flags & kClientCloseAsap); }

// CLIENT ID
void ClientId(CommandContext& ctx) { ctx.reply().Integer(int64_t(ctx.client().id)); }

// CLIENT SETNAME connection-name
void ClientSetName(CommandContext& ctx) {
  if (!IsValidClientAttr(ctx.arg(2))) return ctx.reply().Error(errors::kClientNameInvalid);
  ctx.client().name = std::string(ctx.arg(2));
  ctx.reply().Ok();
}

// CLIENT GETNAME
void ClientGetName(CommandContext& ctx) {
  if (ctx.client().name.empty()) return ctx.reply().NullBulk();
  ctx.reply().Bulk(ctx.client().name);
}

// CLIENT LIST [TYPE NORMAL | MASTER | REPLICA | PUBSUB] [ID client-id [client-id ...]]
void ClientList(CommandContext& ctx) {
  std::string out;
  Server& server = ctx.server();
  if (ctx.argc() == 2) {
    for (const auto& [id, c] : server.clients())
      if (Listed(*c)) AppendClientLine(ctx, *c, &out);
  } else if (ctx.argc() == 4 && EqualsIgnoreCase(ctx.arg(2), "TYPE")) {
    ClientType type;
    if (!ParseClientType(ctx.arg(3), &type)) {
      return ctx.reply().Error(errors::UnknownClientType(ctx.arg(3)));
    }
    for (const auto& [id, c] : server.clients())
      if (Listed(*c) && TypeOf(*c) == type) AppendClientLine(ctx, *c, &out);
  } else if (ctx.argc() > 3 && EqualsIgnoreCase(ctx.arg(2), "ID")) {
    std::vector<int64_t> ids;
    for (size_t i = 3; i < ctx.argc(); i++) {
      int64_t id;
      if (!ParseInt64(ctx.arg(i), &id)) return ctx.reply().Error(errors::kInvalidClientId);
      ids.push_back(id);
    }
    for (int64_t id : ids) {
      Client* c = id > 0 ? server.FindClient(uint64_t(id)) : nullptr;
      if (c) AppendClientLine(ctx, *c, &out);
    }
  } else {
    return ctx.reply().Error(errors::kSyntax);
  }
  ctx.reply().Verbatim(out);
}

// CLIENT INFO
void ClientInfo(CommandContext& ctx) {
  std::string out;
  AppendClientLine(ctx, ctx.client(), &out);
  ctx.reply().Verbatim(out);
}

// The filters of the new CLIENT KILL form; unset ones match everything.
struct KillFilter {
  int64_t id = 0;
  bool has_type = false;
  ClientType type = ClientType::kNormal;
  std::string_view user, addr, laddr;
  bool has_user = false, has_addr = false, has_laddr = false;
  bool skipme = true;
  int64_t maxage = -1;

  bool Matches(const Client& c, const Client& self, int64_t now_ms) const {
    if (skipme && &c == &self) return false;
    if (id && c.id != uint64_t(id)) return false;
    if (has_type && TypeOf(c) != type) return false;
    if (has_user && c.user->name != user) return false;
    Connection* conn = const_cast<Client&>(c).conn();
    if (has_addr && (!conn || conn->peer() != addr)) return false;
    if (has_laddr && (!conn || conn->local() != laddr)) return false;
    if (maxage >= 0 && (now_ms - c.ctime_ms) / 1000 <= maxage) return false;
    return true;
  }
};

// True if `user` is an ACL user.
bool UserExists(Server& server, std::string_view user) { return server.acl().Find(user); }

// Parses the option/value pairs of CLIENT KILL; replies with the error and returns false.
bool ParseKillFilter(CommandContext& ctx, KillFilter* f) {
  for (size_t i = 2; i < ctx.argc(); i += 2) {
    std::string_view opt = ctx.arg(i);
    if (i + 1 >= ctx.argc()) {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
    std::string_view val = ctx.arg(i + 1);
    if (EqualsIgnoreCase(opt, "ID")) {
      if (!ParseInt64(val, &f->id) || f->id <= 0) {
        ctx.reply().Error(errors::kClientIdNotPositive);
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "TYPE")) {
      if (!ParseClientType(val, &f->type)) {
        ctx.reply().Error(errors::UnknownClientType(val));
        return false;
      }
      f->has_type = true;
    } else if (EqualsIgnoreCase(opt, "ADDR")) {
      f->addr = val;
      f->has_addr = true;
    } else if (EqualsIgnoreCase(opt, "LADDR")) {
      f->laddr = val;
      f->has_laddr = true;
    } else if (EqualsIgnoreCase(opt, "USER")) {
      if (!UserExists(ctx.server(), val)) {
        ctx.reply().Error(errors::NoSuchUser(val));
        return false;
      }
      f->user = val;
      f->has_user = true;
    } else if (EqualsIgnoreCase(opt, "SKIPME")) {
      if (EqualsIgnoreCase(val, "yes")) {
        f->skipme = true;
      } else if (EqualsIgnoreCase(val, "no")) {
        f->skipme = false;
      } else {
        ctx.reply().Error(errors::kSyntax);
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "MAXAGE")) {
      if (!ParseInt64(val, &f->maxage)) {
        ctx.reply().Error(errors::kNotInteger);
        return false;
      }
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Closes client c: the caller itself after this reply, any other one before the next turn.
void Kill(CommandContext& ctx, Client& c) {
  if (&c == &ctx.client())
    c.flags |= kClientCloseAfterReply;
  else
    c.CloseAsync();
}

// CLIENT KILL ip:port
// CLIENT KILL [ID client-id] [TYPE type] [USER username] [ADDR ip:port] [LADDR ip:port]
//     [SKIPME YES | NO] [MAXAGE maxage] ...
void ClientKill(CommandContext& ctx) {
  Server& server = ctx.server();
  if (ctx.argc() == 3) {  // old form: exactly one address, may kill the caller
    for (const auto& [id, c] : server.clients()) {
      if (!Listed(*c) || !c->conn() || c->conn()->peer() != ctx.arg(2)) continue;
      Kill(ctx, *c);
      return ctx.reply().Ok();
    }
    return ctx.reply().Error(errors::kNoSuchClient);
  }
  KillFilter f;
  if (!ParseKillFilter(ctx, &f)) return;
  std::vector<Client*> victims;
  for (const auto& [id, c] : server.clients()) {
    if (Listed(*c) && f.Matches(*c, ctx.client(), ctx.NowMs())) victims.push_back(c.get());
  }
  for (Client* c : victims) Kill(ctx, *c);
  ctx.reply().Integer(int64_t(victims.size()));
}

// Parses ON/OFF; replies with a syntax error and returns false otherwise.
bool ParseOnOff(CommandContext& ctx, std::string_view s, bool* on) {
  if (EqualsIgnoreCase(s, "ON"))
    *on = true;
  else if (EqualsIgnoreCase(s, "OFF"))
    *on = false;
  else
    return ctx.reply().Error(errors::kSyntax), false;
  return true;
}

void SetFlag(Client& c, uint64_t flag, bool on) {
  if (on)
    c.flags |= flag;
  else
    c.flags &= ~flag;
}

// CLIENT NO-EVICT ON | OFF
void ClientNoEvict(CommandContext& ctx) {
  bool on;
  if (!ParseOnOff(ctx, ctx.arg(2), &on)) return;
  SetFlag(ctx.client(), kClientNoEvict, on);
  ctx.reply().Ok();
}

// CLIENT NO-TOUCH ON | OFF
void ClientNoTouch(CommandContext& ctx) {
  bool on;
  if (!ParseOnOff(ctx, ctx.arg(2), &on)) return;
  SetFlag(ctx.client(), kClientNoTouch, on);
  ctx.reply().Ok();
}

// CLIENT REPLY ON | OFF | SKIP
// The dispatcher drops replies while kClientReplyOff is set, and the reply of the command
// after SKIP (kClientReplySkipNext); OFF and SKIP themselves answer nothing.
void ClientReply(CommandContext& ctx) {
  Client& c = ctx.client();
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "ON")) {
    c.flags &= ~uint64_t(kClientReplyOff | kClientReplySkip | kClientReplySkipNext);
    ctx.reply().Ok();
  } else if (EqualsIgnoreCase(mode, "OFF")) {
    c.flags |= kClientReplyOff;
  } else if (EqualsIgnoreCase(mode, "SKIP")) {
    if (!(c.flags & kClientReplyOff)) c.flags |= kClientReplySkipNext;
  } else {
    ctx.reply().Error(errors::kSyntax);
  }
}

// CLIENT SETINFO LIB-NAME libname | LIB-VER libver
void ClientSetInfo(CommandContext& ctx) {
  std::string_view attr = ctx.arg(2), val = ctx.arg(3);
  std::string* dest;
  if (EqualsIgnoreCase(attr, "LIB-NAME"))
    dest = &ctx.client().lib_name;
  else if (EqualsIgnoreCase(attr, "LIB-VER"))
    dest = &ctx.client().lib_ver;
  else
    return ctx.reply().Error(errors::UnrecognizedOption(attr));
  if (!IsValidClientAttr(val)) return ctx.reply().Error(errors::ClientAttrInvalid(attr));
  *dest = std::string(val);
  ctx.reply().Ok();
}

// CLIENT PAUSE timeout [WRITE | ALL]
void ClientPause(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    return ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "CLIENT"));
  }
  bool all = true;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "WRITE"))
      all = false;
    else if (!EqualsIgnoreCase(ctx.arg(3), "ALL"))
      return ctx.reply().Error(errors::kClientPauseMode);
  }
  int64_t ms;
  if (!ParseInt64(ctx.arg(2), &ms)) return ctx.reply().Error(errors::kTimeoutNotInteger);
  if (ms < 0) return ctx.reply().Error(errors::kTimeoutNegative);
  int64_t now = ctx.NowMs();
  int64_t until = ms > INT64_MAX - now ? INT64_MAX : now + ms;
  ctx.server().PauseClients(until, all);
  ctx.reply().Ok();
}

// CLIENT UNBLOCK client-id [TIMEOUT | ERROR]
void ClientUnblock(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    return ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "CLIENT"));
  }
  bool error = false;
  if (ctx.argc() == 4) {
    if (EqualsIgnoreCase(ctx.arg(3), "ERROR")) {
      error = true;
    } else if (!EqualsIgnoreCase(ctx.arg(3), "TIMEOUT")) {
      return ctx.reply().Error(errors::kUnblockReason);
    }
  }
  int64_t id;
  if (!ParseInt64(ctx.arg(2), &id)) return ctx.reply().Error(errors::kNotInteger);
  Client* target = id > 0 ? ctx.server().FindClient(uint64_t(id)) : nullptr;
  bool released = target && ctx.server().blocking().Unblock(*target, error);
  ctx.reply().Integer(released ? 1 : 0);
}

// CLIENT UNPAUSE
void ClientUnpause(CommandContext& ctx) {
  ctx.server().UnpauseClients();
  ctx.reply().Ok();
}

// CLIENT HELP
void ClientHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "GETNAME",
      "    The name of this connection (nil when unnamed).",
      "ID",
      "    The unique id of this connection.",
      "INFO",
      "    A CLIENT LIST line describing this connection.",
      "KILL <ip:port>",
      "    Close the connection coming from <ip:port>.",
      "KILL <option> <value> [<option> <value> [...]]",
      "    Close every connection matching all the filters; replies with their number.",
      "    * ID <client-id>",
      "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
      "    * USER <username>",
      "    * ADDR (<ip:port>|<unixsocket>:0)",
      "    * LADDR (<ip:port>|<unixsocket>:0)",
      "    * SKIPME (YES|NO)   (default YES: never close this connection)",
      "    * MAXAGE <seconds>  (only connections older than this)",
      "LIST [TYPE (NORMAL|MASTER|REPLICA|PUBSUB)] [ID <client-id> ...]",
      "    One line per connection, optionally only of one type or with the given ids.",
      "NO-EVICT (ON|OFF)",
      "    Exempt this connection from client eviction.",
      "NO-TOUCH (ON|OFF)",
      "    When ON, reads by this connection leave the keys' access time unchanged.",
      "PAUSE <timeout> [WRITE|ALL]",
      "    Hold the commands of all clients (or only writes) for <timeout> milliseconds.",
      "REPLY (ON|OFF|SKIP)",
      "    Turn replies to this connection on or off, or drop the next one.",
      "SETINFO (LIB-NAME|LIB-VER) <value>",
      "    Record the client library's name or version for CLIENT LIST.",
      "SETNAME <name>",
      "    Name this connection.",
      "TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]] [OPTIN] [OPTOUT] "
      "[NOLOOP]",
      "    Turn client-side caching invalidations for this connection on or off.",
      "CACHING (YES|NO)",
      "    With OPTIN / OPTOUT tracking: cache (or not) the keys of the next command.",
      "GETREDIR",
      "    The id invalidations are redirected to (0: none, -1: tracking is off).",
      "TRACKINGINFO",
      "    The tracking options, redirect and prefixes of this connection.",
      "UNBLOCK <clientid> [TIMEOUT|ERROR]",
      "    Release a client blocked on keys, as if it timed out, or with an UNBLOCKED error.",
      "UNPAUSE",
      "    End a CLIENT PAUSE now.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply().ArrayHeader(std::size(kLines));
  for (std::string_view l : kLines) ctx.reply().SimpleString(l);
}

// Only reached for a bare "CLIENT" that passed arity (never, with arity -2), kept so the row
// has a handler.
void ClientContainer(CommandContext& ctx) {
  ctx.reply().Error(errors::WrongArity(ctx.spec().name));
}

}  // namespace

std::string ClientInfoString(CommandContext& ctx, const Client& c) {
  std::string line;
  AppendClientLine(ctx, c, &line);
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

void RegisterClientFamily(CommandTable& t) {
  constexpr uint64_t kFlags = kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint64_t kAdmin = kCmdAdmin | kFlags;
  constexpr uint64_t kAcl = kAclSlow | kAclConnection;
  constexpr uint64_t kAdminAcl = kAclAdmin | kAclSlow | kAclDangerous | kAclConnection;
  CommandSpec* client = t.Add({.name = "client",
                               .arity = -2,
                               .acl = kAclSlow,
                               .group = "connection",
                               .since = "2.4.0",
                               .summary = "A container for client connection commands.",
                               .complexity = "Depends on subcommand.",
                               .syntax = "",
                               .handler = ClientContainer});
  auto sub = [&](std::string_view name, int arity, uint64_t flags, uint64_t acl,
                 std::string_view since, std::string_view summary, std::string_view complexity,
                 std::string_view syntax, CommandHandler h,
                 std::vector<std::string_view> tips = {}) {
    t.AddSub(client, {.name = std::string(name),
                      .arity = arity,
                      .flags = flags,
                      .acl = acl,
                      .since = since,
                      .summary = summary,
                      .complexity = complexity,
                      .syntax = syntax,
                      .tips = std::move(tips),
                      .handler = h});
  };
  sub("id", 2, kFlags, kAcl, "5.0.0", "Returns the unique id of the connection.", "O(1)", "",
      ClientId);
  sub("setname", 3, kFlags, kAcl, "2.6.9", "Sets the connection's name.", "O(1)", "connection-name",
      ClientSetName);
  sub("getname", 2, kFlags, kAcl, "2.6.9", "Returns the connection's name.", "O(1)", "",
      ClientGetName);
  sub("list", -2, kAdmin, kAdminAcl, "2.4.0", "Describes the client connections, one per line.",
      "O(N) where N is the number of client connections",
      "[TYPE NORMAL | MASTER | REPLICA | PUBSUB] [ID client-id [client-id ...]]", ClientList,
      {"nondeterministic_output"});
  sub("info", 2, kFlags, kAcl, "6.2.0", "Describes the calling connection.", "O(1)", "", ClientInfo,
      {"nondeterministic_output"});
  sub("kill", -3, kAdmin, kAdminAcl, "2.4.0",
      "Closes the connections at an address or matching filters.",
      "O(N) where N is the number of client connections",
      "(ip:port | ([ID client-id] [TYPE NORMAL | MASTER | SLAVE | REPLICA | PUBSUB] "
      "[USER username] [ADDR addr] [LADDR laddr] [SKIPME YES | NO] [MAXAGE maxage]))",
      ClientKill);
  sub("no-evict", 3, kAdmin, kAdminAcl, "7.0.0",
      "Exempts or re-includes the connection in client eviction.", "O(1)", "ON | OFF",
      ClientNoEvict);
  sub("no-touch", 3, kFlags, kAcl, "7.2.0",
      "Controls whether the connection's reads update the keys' access time.", "O(1)", "ON | OFF",
      ClientNoTouch);
  sub("reply", 3, kFlags, kAcl, "3.2.0", "Turns the replies to the connection on or off.", "O(1)",
      "ON | OFF | SKIP", ClientReply);
  sub("setinfo", 4, kFlags, kAcl, "7.2.0",
      "Records the client library's name or version for the connection.", "O(1)",
      "(LIB-NAME libname | LIB-VER libver)", ClientSetInfo,
      {"request_policy:all_nodes", "response_policy:all_succeeded"});
  sub("pause", -3, kAdmin, kAdminAcl, "3.0.0",
      "Suspends commands of clients (all, or only writes) for a while.", "O(1)",
      "timeout [WRITE | ALL]", ClientPause);
  sub("unblock", -3, kAdmin, kAdminAcl, "5.0.0",
      "Releases a client blocked by a blocking command, as a timeout or with an error.",
      "O(log N) where N is the number of client connections", "client-id [TIMEOUT | ERROR]",
      ClientUnblock);
  sub("unpause", 2, kAdmin, kAdminAcl, "6.2.0", "Ends a CLIENT PAUSE.",
      "O(N) Where N is the number of paused clients", "", ClientUnpause);
  sub("help", 2, kCmdLoading | kCmdStale, kAcl, "5.0.0", "Shows what the CLIENT subcommands do.",
      "O(1)", "", ClientHelp);
}

}  // namespace ember
