// Connection commands: PING, ECHO, QUIT, RESET, AUTH, HELLO, SELECT — protocol version,
// authentication and database selection for the calling client. CLIENT lives in
// client_family.cc.
#include <string>

#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {
namespace {

constexpr std::string_view kHelloNoAuth =
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO "
    "<proto> AUTH <user> <pass> option can be used to authenticate the client and select the "
    "RESP protocol version at the same time";

// Authenticates the calling client as `user` (server/acl.h); a failure is logged in ACL LOG.
bool CheckPassword(CommandContext& ctx, std::string_view user, std::string_view pass) {
  return ctx.server().acl().Authenticate(ctx, user, pass);
}

// PING [message]
void Ping(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply();
  if (ctx.argc() > 2) return r.Error(errors::WrongArity("ping"));
  if ((ctx.client().flags & kClientPubSub) && r.resp() == 2) {
    r.ArrayHeader(2);
    r.Bulk("pong");
    r.Bulk(ctx.argc() > 1 ? ctx.arg(1) : "");
    return;
  }
  if (ctx.argc() > 1)
    r.Bulk(ctx.arg(1));
  else
    r.SimpleString("PONG");
}

// ECHO message
void Echo(CommandContext& ctx) { ctx.reply().Bulk(ctx.arg(1)); }

// QUIT
void Quit(CommandContext& ctx) {
  ctx.reply().Ok();
  ctx.client().flags |= kClientCloseAfterReply;
}

// AUTH [username] password
void Auth(CommandContext& ctx) {
  if (ctx.argc() > 3) return ctx.reply().Error(errors::kSyntax);
  std::string_view user = ctx.argc() == 3 ? ctx.arg(1) : "default";
  std::string_view pass = ctx.arg(ctx.argc() - 1);
  if (ctx.argc() == 2 && ctx.server().acl().default_user()->nopass) {
    return ctx.reply().Error(errors::kAuthNotConfigured);
  }
  if (!CheckPassword(ctx, user, pass)) return ctx.reply().Error(errors::kWrongPass);
  ctx.reply().Ok();
}

void HelloReply(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply();
  r.MapHeader(7);
  r.Bulk("server");
  r.Bulk("redis");
  r.Bulk("version");
  r.Bulk(kRedisCompatVersion);
  r.Bulk("proto");
  r.Integer(r.resp());
  r.Bulk("id");
  r.Integer(int64_t(ctx.client().id));
  r.Bulk("mode");
  r.Bulk("standalone");
  r.Bulk("role");
  r.Bulk("master");
  r.Bulk("modules");
  r.ArrayHeader(0);
}

// HELLO [protover [AUTH username password] [SETNAME clientname]]
void Hello(CommandContext& ctx) {
  int64_t ver = 0;
  size_t i = 1;
  if (ctx.argc() >= 2) {
    if (!ParseInt64(ctx.arg(1), &ver)) return ctx.reply().Error(errors::kProtocolVersion);
    if (ver < 2 || ver > 3) return ctx.reply().Error(errors::kNoProto);
    i = 2;
  }
  std::string_view user, pass, name;
  bool do_auth = false, do_name = false;
  for (; i < ctx.argc(); i++) {
    size_t more = ctx.argc() - i - 1;
    if (EqualsIgnoreCase(ctx.arg(i), "AUTH") && more >= 2) {
      user = ctx.arg(i + 1);
      pass = ctx.arg(i + 2);
      do_auth = true;
      i += 2;
    } else if (EqualsIgnoreCase(ctx.arg(i), "SETNAME") && more >= 1) {
      name = ctx.arg(i + 1);
      do_name = true;
      i += 1;
    } else {
      return ctx.reply().Error("ERR Syntax error in HELLO option '" + std::string(ctx.arg(i)) +
                               "'");
    }
  }
  if (do_auth) {
    if (!CheckPassword(ctx, user, pass)) return ctx.reply().Error(errors::kWrongPass);
  }
  if (!ctx.client().authenticated && ctx.server().acl().AuthRequired()) {
    return ctx.reply().Error(kHelloNoAuth);
  }
  if (do_name) {
    if (!IsValidClientAttr(name)) return ctx.reply().Error(errors::kClientNameInvalid);
    ctx.client().name = std::string(name);
  }
  if (ver) ctx.reply().set_resp(int(ver));
  HelloReply(ctx);
}

// SELECT index
void Select(CommandContext& ctx) {
  int64_t idx;
  if (!ParseInt64(ctx.arg(1), &idx)) return ctx.reply().Error(errors::kNotInteger);
  if (idx < 0 || idx >= ctx.server().keyspace().num_dbs()) {
    return ctx.reply().Error(errors::kDbIndexOutOfRange);
  }
  ctx.client().db_index = int(idx);
  ctx.reply().Ok();
}

// RESET
void Reset(CommandContext& ctx) {
  Client& c = ctx.client();
  if (c.flags & kClientMonitor) ctx.server().RemoveMonitor(&c);
  DiscardTransaction(ctx.server().watches(), c);  // queued commands and watches go
  ctx.server().pubsub().RemoveClient(c);          // and every subscription
  ctx.server().tracking().Disable(c);             // client-side caching off
  c.db_index = 0;
  c.reply().set_resp(2);
  c.name.clear();
  c.user = ctx.server().acl().default_user();
  c.authenticated = !ctx.server().acl().AuthRequired();
  c.flags &= ~uint64_t(kClientMulti | kClientPubSub | kClientNoEvict | kClientNoTouch |
                       kClientReplyOff | kClientReplySkip | kClientReplySkipNext | kClientTracking |
                       kClientDirtyCas | kClientDirtyExec);
  ctx.reply().SimpleString("RESET");
}

}  // namespace

void RegisterConnectionFamily(CommandTable& t) {
  constexpr uint64_t kConn = kAclConnection;
  t.Add({.name = "ping",
         .arity = -1,
         .flags = kCmdFast | kCmdSentinel,
         .acl = kConn | kAclFast,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Returns the server's liveliness response.",
         .complexity = "O(1)",
         .syntax = "[message]",
         .tips = {"request_policy:all_shards", "response_policy:all_succeeded"},
         .handler = Ping});
  t.Add({.name = "echo",
         .arity = 2,
         .flags = kCmdFast,
         .acl = kConn | kAclFast,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Returns the given string.",
         .complexity = "O(1)",
         .syntax = "message",
         .handler = Echo});
  t.Add({.name = "quit",
         .arity = -1,
         .flags = kCmdAllowBusy | kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth,
         .acl = kConn | kAclFast,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Closes the connection.",
         .complexity = "O(1)",
         .syntax = "",
         .handler = Quit});
  t.Add({.name = "auth",
         .arity = -2,
         .flags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdSentinel |
                  kCmdAllowBusy,
         .acl = kConn | kAclFast,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Authenticates the connection.",
         .complexity = "O(N) where N is the number of passwords defined for the user",
         .syntax = "[username] password",
         .handler = Auth});
  t.Add({.name = "hello",
         .arity = -1,
         .flags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdSentinel |
                  kCmdAllowBusy,
         .acl = kConn | kAclFast,
         .group = "connection",
         .since = "6.0.0",
         .summary = "Handshakes with the server: protocol version, authentication, client name.",
         .complexity = "O(1)",
         .syntax = "[protover:integer [AUTH username password] [SETNAME clientname]]",
         .handler = Hello});
  t.Add({.name = "select",
         .arity = 2,
         .flags = kCmdLoading | kCmdStale | kCmdFast,
         .acl = kConn | kAclFast,
         .group = "connection",
         .since = "1.0.0",
         .summary = "Changes the selected database.",
         .complexity = "O(1)",
         .syntax = "index:integer",
         .handler = Select});
  t.Add({.name = "reset",
         .arity = 1,
         .flags = kCmdNoScript | kCmdLoading | kCmdStale | kCmdFast | kCmdNoAuth | kCmdAllowBusy,
         .acl = kConn | kAclFast,
         .group = "connection",
         .since = "6.2.0",
         .summary = "Resets the connection to its initial state.",
         .complexity = "O(1)",
         .syntax = "",
         .handler = Reset});
}

}  // namespace ember
