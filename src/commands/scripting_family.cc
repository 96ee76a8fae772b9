// Lua scripts: EVAL, EVALSHA, EVAL_RO, EVALSHA_RO and SCRIPT LOAD / EXISTS / FLUSH / KILL /
// DEBUG / HELP. The engine (script cache, sandbox, redis.call) is scripting/scripting.h; the
// handlers here parse arguments and reply.
#include "scripting/scripting.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {
namespace {

// EVAL script numkeys [key [key ...]] [arg [arg ...]]
void Eval(CommandContext& ctx) {
  ctx.PreventPropagation();  // its commands propagate themselves (effects replication)
  ctx.server().scripting().Eval(ctx, false, false);
}
// EVALSHA sha1 numkeys [key [key ...]] [arg [arg ...]]
void EvalSha(CommandContext& ctx) {
  ctx.PreventPropagation();  // its commands propagate themselves (effects replication)
  ctx.server().scripting().Eval(ctx, true, false);
}
// EVAL_RO script numkeys [key [key ...]] [arg [arg ...]]
void EvalRo(CommandContext& ctx) {
  ctx.PreventPropagation();  // its commands propagate themselves (effects replication)
  ctx.server().scripting().Eval(ctx, false, true);
}
// EVALSHA_RO sha1 numkeys [key [key ...]] [arg [arg ...]]
void EvalShaRo(CommandContext& ctx) {
  ctx.PreventPropagation();  // its commands propagate themselves (effects replication)
  ctx.server().scripting().Eval(ctx, true, true);
}

// SCRIPT LOAD script
void ScriptLoad(CommandContext& ctx) {
  std::string sha;
  std::string err = ctx.server().scripting().LoadScript(ctx.arg(2), &sha);
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.reply().Bulk(sha);
}

// SCRIPT EXISTS sha1 [sha1 ...]
void ScriptExists(CommandContext& ctx) {
  Scripting& s = ctx.server().scripting();
  ctx.reply().ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) ctx.reply().Integer(s.ScriptExists(ctx.arg(i)) ? 1 : 0);
}

// SCRIPT FLUSH [ASYNC | SYNC]
void ScriptFlush(CommandContext& ctx) {
  if (ctx.argc() > 3 || (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "ASYNC") &&
                         !EqualsIgnoreCase(ctx.arg(2), "SYNC"))) {
    return ctx.reply().Error(errors::kScriptFlushOption);
  }
  // No mode: lazyfree-lazy-user-flush decides, as for FLUSHALL.
  bool async =
      ctx.argc() == 3 ? EqualsIgnoreCase(ctx.arg(2), "ASYNC") : ctx.cfg().lazyfree_lazy_user_flush;
  ctx.server().scripting().FlushScripts(async);
  ctx.reply().Ok();
}

// SCRIPT KILL
void ScriptKill(CommandContext& ctx) { ctx.server().scripting().Kill(ctx, /*eval=*/true); }

// SCRIPT DEBUG YES | SYNC | NO — Ember has no Lua debugger: NO is the only mode.
void ScriptDebug(CommandContext& ctx) {
  std::string_view mode = ctx.arg(2);
  if (EqualsIgnoreCase(mode, "NO")) return ctx.reply().Ok();
  if (EqualsIgnoreCase(mode, "YES") || EqualsIgnoreCase(mode, "SYNC")) {
    return ctx.reply().Error("ERR Ember has no Lua debugger; SCRIPT DEBUG only accepts NO");
  }
  ctx.reply().Error("ERR Use SCRIPT DEBUG YES/SYNC/NO");
}

// SCRIPT HELP
void ScriptHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "SCRIPT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DEBUG (YES|SYNC|NO)",
      "    Lua debugging mode for later scripts (Ember: only NO, no debugger).",
      "EXISTS <sha1> [<sha1> ...]",
      "    For each SHA-1, 1 if the script cache holds it, else 0.",
      "FLUSH [ASYNC|SYNC]",
      "    Empty the script cache (both modes free it at once).",
      "KILL",
      "    Stop the running script, if it has not written anything.",
      "LOAD <script>",
      "    Compile a script into the cache and return its SHA-1, without running it.",
      "HELP",
      "    Print this help.",
  };
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(std::size(kLines));
  for (std::string_view l : kLines) r.SimpleString(l);
}

constexpr uint64_t kEvalFlags = kCmdNoScript | kCmdStale | kCmdNoMandatoryKeys | kCmdMovableKeys;
constexpr std::string_view kKeysNoteRw =
    "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE";
constexpr std::string_view kKeysNoteRo =
    "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS";

// CommandSpec::runtime_flags of EVAL/EVALSHA (and FCALL): a no-writes script is no write.
uint64_t ScriptCommandFlags(Server& server, const CommandSpec& cmd,
                            std::span<const std::string_view> args) {
  return server.scripting().CommandFlags(cmd, args);
}

CommandSpec EvalRow(const char* name, bool ro, bool sha, CommandHandler handler) {
  KeySpec keys = KeyNumKeys(2, ro ? (kKsRO | kKsAccess) : (kKsRW | kKsAccess | kKsUpdate));
  if (!sha) keys.notes = ro ? kKeysNoteRo : kKeysNoteRw;
  return {.name = name,
          .arity = -3,
          .flags = kEvalFlags | (ro ? kCmdReadOnly : kCmdMayReplicate),
          .acl = kAclSlow | kAclScripting,
          .key_specs = {keys},
          .group = "scripting",
          .since = ro ? "7.0.0" : "2.6.0",
          .summary = sha ? (ro ? "Runs a cached read-only Lua script by its SHA-1."
                               : "Runs a cached Lua script by its SHA-1.")
                         : (ro ? "Runs a read-only Lua script." : "Runs a Lua script."),
          .complexity = "Depends on the script that is executed.",
          .syntax = sha ? "sha1 numkeys [key [key ...]] [arg [arg ...]]"
                        : "script numkeys [key [key ...]] [arg [arg ...]]",
          .handler = handler};
}

}  // namespace

void RegisterScriptingFamily(CommandTable& t) {
  t.Add(EvalRow("eval", false, false, Eval))->runtime_flags = ScriptCommandFlags;
  t.Add(EvalRow("evalsha", false, true, EvalSha))->runtime_flags = ScriptCommandFlags;
  t.Add(EvalRow("eval_ro", true, false, EvalRo));
  t.Add(EvalRow("evalsha_ro", true, true, EvalShaRo));
  CommandSpec* script = t.Add({.name = "script",
                               .arity = -2,
                               .acl = kAclSlow,
                               .group = "scripting",
                               .since = "2.6.0",
                               .summary = "A container for Lua scripts management commands.",
                               .complexity = "Depends on subcommand.",
                               .handler = ScriptHelp});
  t.AddSub(script, {.name = "load",
                    .arity = 3,
                    .flags = kCmdNoScript | kCmdStale,
                    .acl = kAclSlow | kAclScripting,
                    .since = "2.6.0",
                    .summary = "Loads a Lua script into the script cache without running it.",
                    .complexity = "O(N) with N being the length in bytes of the script body.",
                    .syntax = "script",
                    .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
                    .handler = ScriptLoad});
  t.AddSub(script, {.name = "exists",
                    .arity = -3,
                    .flags = kCmdNoScript,
                    .acl = kAclSlow | kAclScripting,
                    .since = "2.6.0",
                    .summary = "Tells whether Lua scripts are in the script cache.",
                    .complexity = "O(N) with N being the number of scripts to check.",
                    .syntax = "sha1 [sha1 ...]",
                    .tips = {"request_policy:all_shards", "response_policy:agg_logical_and"},
                    .handler = ScriptExists});
  t.AddSub(script, {.name = "flush",
                    .arity = -2,
                    .flags = kCmdNoScript,
                    .acl = kAclSlow | kAclScripting,
                    .since = "2.6.0",
                    .summary = "Removes every script from the script cache.",
                    .complexity = "O(N) with N being the number of scripts in cache",
                    .syntax = "[ASYNC | SYNC]",
                    .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
                    .handler = ScriptFlush});
  t.AddSub(script, {.name = "kill",
                    .arity = 2,
                    .flags = kCmdNoScript | kCmdAllowBusy,
                    .acl = kAclSlow | kAclScripting,
                    .since = "2.6.0",
                    .summary = "Stops the running script if it has not written anything.",
                    .complexity = "O(1)",
                    .tips = {"request_policy:all_shards", "response_policy:one_succeeded"},
                    .handler = ScriptKill});
  t.AddSub(script, {.name = "debug",
                    .arity = 3,
                    .flags = kCmdNoScript,
                    .acl = kAclSlow | kAclScripting,
                    .since = "3.2.0",
                    .summary = "Sets the debug mode of later Lua scripts.",
                    .complexity = "O(1)",
                    .syntax = "YES | SYNC | NO",
                    .handler = ScriptDebug});
  t.AddSub(script, {.name = "help",
                    .arity = 2,
                    .flags = kCmdLoading | kCmdStale,
                    .acl = kAclSlow | kAclScripting,
                    .since = "5.0.0",
                    .summary = "Returns helpful text about the different subcommands.",
                    .complexity = "O(1)",
                    .handler = ScriptHelp});
}

}  // namespace ember
