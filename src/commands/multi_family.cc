// Transactions: MULTI, EXEC, DISCARD, WATCH, UNWATCH.
//
// MULTI only sets the client's kClientMulti flag; from then on the dispatcher queues every
// request except EXEC, DISCARD, MULTI, WATCH, QUIT and RESET (server/multi.h QueueCommand),
// and a request it rejects while queueing (unknown command, arity, NOAUTH, no-multi) marks the
// transaction failed (kClientDirtyExec). EXEC runs the queued commands through Server::Call,
// the same path as any request after its checks, with kClientMulti still set so that blocking
// commands do not block and MONITOR refuses; their replies form EXEC's array, a runtime error
// of one command is one element of it. A touched WATCHed key (kClientDirtyCas) makes EXEC
// reply a null array instead.
#include "server/command_context.h"
#include "server/errors.h"
#include "server/multi.h"

namespace ember {
namespace {

// MULTI
void Multi(CommandContext& ctx) {
  Client& c = ctx.client();
  if (c.flags & kClientMulti) return ctx.reply().Error(errors::kMultiNested);
  c.flags |= kClientMulti;
  ctx.reply().Ok();
}

// Runs the queued commands of c's transaction, each reply one element of EXEC's array.
void RunQueued(CommandContext& ctx) {
  Client& c = ctx.client();
  Server& server = ctx.server();
  server.watches().UnwatchAll(c);  // nothing can make this EXEC fail any more
  ReplyBuilder& r = ctx.reply();
  if (!c.tx) return r.ArrayHeader(0);
  const CommandQueue& queue = c.tx->queue;
  r.ArrayHeader(queue.size());
  std::vector<std::string_view> argv;
  for (size_t i = 0; i < queue.size(); i++) {
    // ACL permissions are checked again (they may have changed since queueing); a command
    // denied now replies its error as its array element.
    const CommandSpec& cmd = queue.cmd(i);
    std::span<const std::string_view> args = queue.Args(i, &argv);
    if (!c.user->unrestricted) {
      AclVerdict v = server.acl().CheckAndLog(c, cmd, args, "multi", &ctx);
      if (!v.ok()) {
        r.Error(AclDeniedError(*c.user, cmd, v.denied));
        continue;
      }
    }
    server.Call(c, cmd, args);
  }
}

// EXEC
void Exec(CommandContext& ctx) {
  Client& c = ctx.client();
  Server& server = ctx.server();
  if (!(c.flags & kClientMulti)) return ctx.reply().Error(errors::kExecWithoutMulti);
  // A watched key may have expired without anybody deleting it yet: that is a change too.
  if (server.watches().AnyWatchedKeyExpired(c, server.keyspace())) c.flags |= kClientDirtyCas;
  if (c.flags & kClientDirtyExec) {
    ctx.reply().Error(errors::kExecAbort);
  } else if (c.flags & kClientDirtyCas) {
    ctx.reply().NullArray();
  } else {
    RunQueued(ctx);
  }
  DiscardTransaction(server.watches(), c);
}

// DISCARD
void Discard(CommandContext& ctx) {
  Client& c = ctx.client();
  if (!(c.flags & kClientMulti)) return ctx.reply().Error(errors::kDiscardWithoutMulti);
  DiscardTransaction(ctx.server().watches(), c);
  ctx.reply().Ok();
}

// WATCH key [key ...]
void Watch(CommandContext& ctx) {
  Client& c = ctx.client();
  if (c.flags & kClientMulti) return ctx.reply().Error(errors::kWatchInMulti);
  // A client already marked dirty has lost the race: watching more changes nothing (Redis
  // does not record these either).
  if (!(c.flags & kClientDirtyCas)) {
    Db& db = ctx.db();
    for (size_t i = 1; i < ctx.argc(); i++) {
      KvEntry* e = db.dict().Find(ctx.arg(i));  // no lazy expiry: WATCH changes nothing
      ctx.server().watches().Watch(c, c.db_index, ctx.arg(i), e != nullptr && db.IsExpired(e));
    }
  }
  ctx.reply().Ok();
}

// UNWATCH
void Unwatch(CommandContext& ctx) {
  Client& c = ctx.client();
  ctx.server().watches().UnwatchAll(c);
  c.flags &= ~uint64_t(kClientDirtyCas);
  ReleaseTxStateIfIdle(c);
  ctx.reply().Ok();
}

}  // namespace

void RegisterMultiFamily(CommandTable& t) {
  constexpr uint64_t kTxFlags = kCmdNoScript | kCmdLoading | kCmdStale;
  t.Add({.name = "multi",
         .arity = 1,
         .flags = kTxFlags | kCmdFast | kCmdAllowBusy,
         .acl = kAclTransaction | kAclFast,
         .group = "transactions",
         .since = "1.2.0",
         .summary = "Starts a transaction: later commands are queued until EXEC or DISCARD.",
         .complexity = "O(1)",
         .syntax = "",
         .handler = Multi});
  t.Add({.name = "exec",
         .arity = 1,
         .flags = kTxFlags | kCmdSkipSlowlog,
         .acl = kAclTransaction | kAclSlow,
         .group = "transactions",
         .since = "1.2.0",
         .summary = "Runs the queued commands of a transaction atomically.",
         .complexity = "Depends on commands in the transaction",
         .syntax = "",
         .handler = Exec});
  t.Add({.name = "discard",
         .arity = 1,
         .flags = kTxFlags | kCmdFast | kCmdAllowBusy,
         .acl = kAclTransaction | kAclFast,
         .group = "transactions",
         .since = "2.0.0",
         .summary = "Drops the queued commands of a transaction and leaves it.",
         .complexity = "O(N), when N is the number of queued commands",
         .syntax = "",
         .handler = Discard});
  t.Add({.name = "watch",
         .arity = -2,
         .flags = kTxFlags | kCmdFast | kCmdAllowBusy,
         .acl = kAclTransaction | kAclFast,
         .key_specs = {KeyRange(1, -1, 1, kKsRO)},
         .group = "transactions",
         .since = "2.2.0",
         .summary = "Makes the next EXEC fail if any of the given keys changes before it.",
         .complexity = "O(1) for every key.",
         .syntax = "key [key ...]",
         .handler = Watch});
  t.Add({.name = "unwatch",
         .arity = 1,
         .flags = kTxFlags | kCmdFast | kCmdAllowBusy,
         .acl = kAclTransaction | kAclFast,
         .group = "transactions",
         .since = "2.2.0",
         .summary = "Forgets every key watched by the connection.",
         .complexity = "O(1)",
         .syntax = "",
         .handler = Unwatch});
}

}  // namespace ember
