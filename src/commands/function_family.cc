// Functions: FUNCTION LOAD / DELETE / FLUSH / LIST / STATS / DUMP / RESTORE / KILL / HELP and
// FCALL, FCALL_RO. Libraries live in scripting/functions.h; running goes through
// scripting/scripting.h like EVAL.
#include "core/clock.h"
#include "scripting/functions.h"
#include "scripting/scripting.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/info.h"

namespace ember {
namespace {

FunctionLibraries& Libraries(CommandContext& ctx) { return ctx.server().scripting().libraries(); }

// Writes that grow memory are refused over maxmemory (FUNCTION LOAD / RESTORE are denyoom).
bool RefuseOverMaxmemory(CommandContext& ctx) {
  if (ctx.cfg().maxmemory > 0 && UsedMemory() > uint64_t(ctx.cfg().maxmemory)) {
    ctx.reply().Error(errors::kOom);
    return true;
  }
  return false;
}

// FCALL function numkeys [key [key ...]] [arg [arg ...]]
// Scripts propagate the commands they run (effects replication), never themselves.
void FCall(CommandContext& ctx) {
  ctx.PreventPropagation();
  ctx.server().scripting().FCall(ctx, false);
}
// FCALL_RO function numkeys [key [key ...]] [arg [arg ...]]
void FCallRo(CommandContext& ctx) {
  ctx.PreventPropagation();
  ctx.server().scripting().FCall(ctx, true);
}

// FUNCTION LOAD [REPLACE] function-code
void FunctionLoad(CommandContext& ctx) {
  bool replace = false;
  size_t i = 2;
  for (; i + 1 < ctx.argc(); i++) {
    if (!EqualsIgnoreCase(ctx.arg(i), "REPLACE")) {
      return ctx.reply().Error(errors::FunctionUnknownOption(ctx.arg(i)));
    }
    replace = true;
  }
  if (RefuseOverMaxmemory(ctx)) return;
  std::string name;
  std::string err = Libraries(ctx).Load(ctx.arg(i), replace, &name);
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.server().AddDirty(1);  // a change to save and to propagate, as in Redis
  ctx.reply().Bulk(name);
}

// FUNCTION DELETE library-name
void FunctionDelete(CommandContext& ctx) {
  if (!Libraries(ctx).Delete(ctx.arg(2))) return ctx.reply().Error(errors::kLibraryNotFound);
  ctx.server().AddDirty(1);
  ctx.reply().Ok();
}

// FUNCTION FLUSH [ASYNC | SYNC]
void FunctionFlush(CommandContext& ctx) {
  if (ctx.argc() > 3) {
    return ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "FUNCTION"));
  }
  if (ctx.argc() == 3 && !EqualsIgnoreCase(ctx.arg(2), "ASYNC") &&
      !EqualsIgnoreCase(ctx.arg(2), "SYNC")) {
    return ctx.reply().Error(errors::kFunctionFlushOption);
  }
  // No mode: lazyfree-lazy-user-flush decides, as for FLUSHALL.
  bool async =
      ctx.argc() == 3 ? EqualsIgnoreCase(ctx.arg(2), "ASYNC") : ctx.cfg().lazyfree_lazy_user_flush;
  Libraries(ctx).Flush(async);
  ctx.server().AddDirty(1);
  ctx.reply().Ok();
}

// FUNCTION LIST [LIBRARYNAME library-name-pattern] [WITHCODE]
void FunctionList(CommandContext& ctx) {
  bool with_code = false, has_pattern = false;
  std::string_view pattern;
  for (size_t i = 2; i < ctx.argc(); i++) {
    std::string_view a = ctx.arg(i);
    if (!with_code && EqualsIgnoreCase(a, "WITHCODE")) {
      with_code = true;
    } else if (!has_pattern && EqualsIgnoreCase(a, "LIBRARYNAME")) {
      if (i + 1 >= ctx.argc()) return ctx.reply().Error(errors::kFunctionListNoName);
      pattern = ctx.arg(++i);
      has_pattern = true;
    } else {
      return ctx.reply().Error(errors::FunctionListUnknownArgument(a));
    }
  }
  Libraries(ctx).List(ctx.reply(), pattern, has_pattern, with_code);
}

// FUNCTION STATS
void FunctionStats(CommandContext& ctx) {
  Scripting& s = ctx.server().scripting();
  ReplyBuilder& r = ctx.reply();
  r.MapHeader(2);
  r.Bulk("running_script");
  const ScriptRun* run = s.running();
  if (!run || run->eval) {
    r.NullBulk();
  } else {
    r.MapHeader(3);
    r.Bulk("name");
    r.Bulk(run->name);
    r.Bulk("command");
    r.ArrayHeader(run->caller_args.size());
    for (std::string_view a : run->caller_args) r.Bulk(a);
    r.Bulk("duration_ms");
    r.Integer((SystemClock::MonotonicUs() - run->start_us) / 1000);
  }
  r.Bulk("engines");
  r.MapHeader(1);
  r.Bulk("LUA");
  r.MapHeader(2);
  r.Bulk("libraries_count");
  r.Integer(int64_t(s.libraries().library_count()));
  r.Bulk("functions_count");
  r.Integer(int64_t(s.libraries().function_count()));
}

// FUNCTION DUMP
void FunctionDump(CommandContext& ctx) { ctx.reply().Bulk(Libraries(ctx).Dump()); }

// FUNCTION RESTORE serialized-value [FLUSH | APPEND | REPLACE]
void FunctionRestore(CommandContext& ctx) {
  if (ctx.argc() > 4) {
    return ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "FUNCTION"));
  }
  FunctionLibraries::RestorePolicy policy = FunctionLibraries::RestorePolicy::kAppend;
  if (ctx.argc() == 4) {
    std::string_view p = ctx.arg(3);
    if (EqualsIgnoreCase(p, "FLUSH")) {
      policy = FunctionLibraries::RestorePolicy::kFlush;
    } else if (EqualsIgnoreCase(p, "REPLACE")) {
      policy = FunctionLibraries::RestorePolicy::kReplace;
    } else if (!EqualsIgnoreCase(p, "APPEND")) {
      return ctx.reply().Error(errors::kFunctionRestorePolicy);
    }
  }
  if (RefuseOverMaxmemory(ctx)) return;
  std::string err = Libraries(ctx).Restore(ctx.arg(2), policy);
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.server().AddDirty(1);
  ctx.reply().Ok();
}

// FUNCTION KILL
void FunctionKill(CommandContext& ctx) { ctx.server().scripting().Kill(ctx, /*eval=*/false); }

// FUNCTION HELP
void FunctionHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "FUNCTION <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "LOAD [REPLACE] <FUNCTION CODE>",
      "    Create a library from code starting with '#!lua name=<library>'; REPLACE swaps an",
      "    existing library of that name.",
      "DELETE <LIBRARY NAME>",
      "    Remove a library and its functions.",
      "LIST [LIBRARYNAME PATTERN] [WITHCODE]",
      "    Libraries (optionally those matching a glob pattern): name, engine, functions with",
      "    their descriptions and flags, and the code with WITHCODE.",
      "STATS",
      "    The function running now (name, command, duration_ms) and per-engine counts.",
      "KILL",
      "    Stop the running function, if it has not written anything.",
      "FLUSH [ASYNC|SYNC]",
      "    Remove every library.",
      "DUMP",
      "    A payload holding every library, for FUNCTION RESTORE.",
      "RESTORE <PAYLOAD> [FLUSH|APPEND|REPLACE]",
      "    Load the libraries of a payload. APPEND (default) fails on a name collision,",
      "    REPLACE replaces same-named libraries, FLUSH removes every library first.",
      "HELP",
      "    Print this help.",
  };
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(std::size(kLines));
  for (std::string_view l : kLines) r.SimpleString(l);
}

constexpr uint64_t kFcallFlags = kCmdNoScript | kCmdStale | kCmdNoMandatoryKeys | kCmdMovableKeys;

CommandSpec FcallRow(const char* name, bool ro, CommandHandler handler) {
  KeySpec keys = KeyNumKeys(2, ro ? (kKsRO | kKsAccess) : (kKsRW | kKsAccess | kKsUpdate));
  keys.notes =
      ro ? "We cannot tell how the keys will be used so we assume the worst, RO and ACCESS"
         : "We cannot tell how the keys will be used so we assume the worst, RW and UPDATE";
  return {.name = name,
          .arity = -3,
          .flags = kFcallFlags | (ro ? kCmdReadOnly : kCmdMayReplicate),
          .acl = kAclSlow | kAclScripting,
          .key_specs = {keys},
          .group = "scripting",
          .since = "7.0.0",
          .summary = ro ? "Invokes a read-only function." : "Invokes a function.",
          .complexity = "Depends on the function that is executed.",
          .syntax = "function numkeys [key [key ...]] [arg [arg ...]]",
          .handler = handler};
}

struct SubRow {
  const char* name;
  int arity;
  uint64_t flags;
  uint64_t acl;
  const char* summary;
  const char* complexity;
  const char* syntax;
  std::vector<std::string_view> tips;
  CommandHandler handler;
};

}  // namespace

void RegisterFunctionFamily(CommandTable& t) {
  t.Add(FcallRow("fcall", false, FCall))->runtime_flags =
      [](Server& server, const CommandSpec& cmd, std::span<const std::string_view> args) {
        return server.scripting().CommandFlags(cmd, args);
      };
  t.Add(FcallRow("fcall_ro", true, FCallRo));
  CommandSpec* fn = t.Add({.name = "function",
                           .arity = -2,
                           .acl = kAclSlow,
                           .group = "scripting",
                           .since = "7.0.0",
                           .summary = "A container for function commands.",
                           .complexity = "Depends on subcommand.",
                           .handler = FunctionHelp});
  constexpr uint64_t kW = kAclWrite | kAclSlow | kAclScripting;
  constexpr uint64_t kS = kAclSlow | kAclScripting;
  const std::vector<std::string_view> kAllShards = {"request_policy:all_shards",
                                                    "response_policy:all_succeeded"};
  const SubRow rows[] = {
      {"load", -3, kCmdWrite | kCmdDenyOom | kCmdNoScript, kW, "Creates a library.",
       "O(1) (considering compilation time is redundant)", "[REPLACE] function-code", kAllShards,
       FunctionLoad},
      {"delete", 3, kCmdWrite | kCmdNoScript, kW, "Deletes a library and its functions.", "O(1)",
       "library-name", kAllShards, FunctionDelete},
      {"flush", -2, kCmdWrite | kCmdNoScript, kW, "Deletes all libraries and functions.",
       "O(N) where N is the number of functions deleted", "[ASYNC | SYNC]", kAllShards,
       FunctionFlush},
      {"list",
       -2,
       kCmdNoScript,
       kS,
       "Returns information about all libraries.",
       "O(N) where N is the number of functions",
       "[LIBRARYNAME library-name-pattern] [WITHCODE]",
       {"nondeterministic_output_order"},
       FunctionList},
      {"stats",
       2,
       kCmdNoScript | kCmdAllowBusy,
       kS,
       "Returns information about the function that's currently running and information about "
       "the available execution engines.",
       "O(1)",
       "",
       {"nondeterministic_output", "request_policy:all_shards", "response_policy:special"},
       FunctionStats},
      {"dump",
       2,
       kCmdNoScript,
       kS,
       "Dumps all libraries into a serialized binary payload.",
       "O(N) where N is the number of functions",
       "",
       {},
       FunctionDump},
      {"restore", -3, kCmdWrite | kCmdDenyOom | kCmdNoScript, kW,
       "Restores all libraries from a payload.",
       "O(N) where N is the number of functions on the payload",
       "serialized-value [FLUSH | APPEND | REPLACE]", kAllShards, FunctionRestore},
      {"kill",
       2,
       kCmdNoScript | kCmdAllowBusy,
       kS,
       "Terminates a function during execution.",
       "O(1)",
       "",
       {"request_policy:all_shards", "response_policy:one_succeeded"},
       FunctionKill},
      {"help",
       2,
       kCmdLoading | kCmdStale,
       kS,
       "Returns helpful text about the different subcommands.",
       "O(1)",
       "",
       {},
       FunctionHelp},
  };
  for (const SubRow& r : rows) {
    t.AddSub(fn, {.name = r.name,
                  .arity = r.arity,
                  .flags = r.flags,
                  .acl = r.acl,
                  .since = "7.0.0",
                  .summary = r.summary,
                  .complexity = r.complexity,
                  .syntax = r.syntax,
                  .tips = r.tips,
                  .handler = r.handler});
  }
}

}  // namespace ember
