// AOF commands: BGREWRITEAOF (the append-only file itself lives in persistence/aof.h).
#include <string>

#include "persistence/aof.h"
#include "persistence/persistence.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {
namespace {

// BGREWRITEAOF
void BgRewriteAof(CommandContext& ctx) {
  Aof& aof = ctx.server().persistence().aof();
  if (aof.rewrite_in_progress()) return ctx.reply().Error(errors::kAofRewriteInProgress);
  // Inside EXEC the transaction's writes are propagated when it ends: the rewrite waits for
  // the cron so that they land in the old incr file, before the snapshot's instant.
  if (ctx.client().flags & kClientMulti) {
    aof.ScheduleRewrite();
    return ctx.reply().SimpleString("Background append only file rewriting scheduled");
  }
  std::string r = aof.StartRewrite();
  if (!r.empty() && r[0] == '-') return ctx.reply().Error(std::string_view(r).substr(1));
  ctx.reply().SimpleString(r);
}

}  // namespace

void RegisterAofFamily(CommandTable& t) {
  t.Add({.name = "bgrewriteaof",
         .arity = 1,
         .flags = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading,
         .acl = kAclAdmin | kAclSlow | kAclDangerous,
         .group = "server",
         .since = "1.0.0",
         .summary = "Asynchronously rewrites the append-only file to disk.",
         .complexity = "O(1)",
         .syntax = "",
         .handler = BgRewriteAof});
}

}  // namespace ember
