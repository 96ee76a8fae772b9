// Persistence commands: SAVE, BGSAVE [SCHEDULE], LASTSAVE and BGREWRITEAOF. The work is done by
// the RDB saver (persistence/rdb_saver.h): SAVE writes the file synchronously, BGSAVE starts a
// forkless point-in-time snapshot that advances between requests (persistence/snapshot.h); and
// by the AOF (persistence/aof.h), whose rewrite uses the same snapshots.
#include <string>

#include "persistence/aof.h"
#include "persistence/persistence.h"
#include "persistence/rdb_saver.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {
namespace {

// SAVE
void Save(CommandContext& ctx) {
  std::string err = ctx.server().persistence().rdb().Save();
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.reply().Ok();
}

// BGSAVE [SCHEDULE]
void BgSave(CommandContext& ctx) {
  bool schedule = false;
  if (ctx.argc() > 1) {
    if (ctx.argc() != 2 || !EqualsIgnoreCase(ctx.arg(1), "schedule")) {
      return ctx.reply().Error(errors::kSyntax);
    }
    schedule = true;
  }
  // Inside MULTI/EXEC Redis only schedules it (it cannot fork there); so do we.
  bool in_exec = (ctx.client().flags & kClientMulti) != 0;
  std::string r = ctx.server().persistence().rdb().BackgroundSave(schedule, in_exec);
  if (!r.empty() && r[0] == '-') return ctx.reply().Error(std::string_view(r).substr(1));
  ctx.reply().SimpleString(r);
}

// LASTSAVE
void LastSave(CommandContext& ctx) {
  ctx.reply().Integer(ctx.server().persistence().rdb().lastsave());
}

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

void RegisterPersistenceFamily(CommandTable& t) {
  constexpr uint64_t kAcl = kAclAdmin | kAclSlow | kAclDangerous;
  t.Add({.name = "save",
         .arity = 1,
         .flags = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading | kCmdNoMulti,
         .acl = kAcl,
         .group = "server",
         .since = "1.0.0",
         .summary = "Synchronously saves the database(s) to disk.",
         .complexity = "O(N) where N is the total number of keys in all databases",
         .syntax = "",
         .handler = Save});
  t.Add({.name = "bgsave",
         .arity = -1,
         .flags = kCmdAdmin | kCmdNoScript | kCmdNoAsyncLoading,
         .acl = kAcl,
         .group = "server",
         .since = "1.0.0",
         .summary = "Asynchronously saves the database(s) to disk.",
         .complexity = "O(1)",
         .syntax = "[SCHEDULE]",
         .handler = BgSave});
  t.Add({.name = "lastsave",
         .arity = 1,
         .flags = kCmdLoading | kCmdStale | kCmdFast,
         .acl = kAclAdmin | kAclFast | kAclDangerous,
         .group = "server",
         .since = "1.0.0",
         .summary = "Returns the Unix timestamp of the last successful save to disk.",
         .complexity = "O(1)",
         .syntax = "",
         .tips = {"nondeterministic_output"},
         .handler = LastSave});
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
