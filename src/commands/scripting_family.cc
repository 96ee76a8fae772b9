// Scripting commands (EVAL, FUNCTION ...). Lua arrives with the scripting issue; for now the
// function registry is always empty, so FUNCTION FLUSH — which empties it — is exact, and
// tools that flush everything between tests (Redis's own suite does) work.
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {
namespace {

// FUNCTION FLUSH [ASYNC | SYNC]
void FunctionFlush(CommandContext& ctx) {
  if (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "ASYNC") &&
      !EqualsIgnoreCase(ctx.arg(2), "SYNC")) {
    return ctx.reply().Error("ERR FUNCTION FLUSH only supports SYNC|ASYNC option");
  }
  ctx.reply().Ok();
}

}  // namespace

void RegisterScriptingFamily(CommandTable& t) {
  CommandSpec* fn = t.Add({.name = "function",
                           .arity = -2,
                           .group = "scripting",
                           .since = "7.0.0",
                           .summary = "A container for function commands.",
                           .complexity = "Depends on subcommand."});
  t.AddSub(fn, {.name = "flush",
                .arity = -2,
                .flags = kCmdWrite | kCmdNoScript | kCmdMayReplicate,
                .acl = kAclWrite | kAclSlow | kAclScripting,
                .since = "7.0.0",
                .summary = "Deletes all libraries and functions.",
                .complexity = "O(N) where N is the number of functions deleted",
                .syntax = "[ASYNC | SYNC]",
                .handler = FunctionFlush});
}

}  // namespace ember
