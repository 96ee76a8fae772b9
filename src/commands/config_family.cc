// CONFIG commands: GET, SET, RESETSTAT, REWRITE and HELP. The directive table, parsing,
// validation, all-or-nothing SET with apply hooks and the in-place file rewrite live in
// server/config.cc; these handlers only shape arguments and replies.
#include <string>
#include <utility>
#include <vector>

#include "server/command_context.h"
#include "server/errors.h"
#include "server/info.h"
#include "server/log.h"

namespace ember {
namespace {

// CONFIG GET parameter [parameter ...]
void ConfigGet(CommandContext& ctx) {
  std::vector<std::string_view> patterns(ctx.args().begin() + 2, ctx.args().end());
  std::vector<std::pair<std::string, std::string>> found = ctx.server().config().Get(patterns);
  ReplyBuilder& r = ctx.reply();
  r.MapHeader(found.size());  // a flat array in RESP2, a map in RESP3 (as Redis 7)
  for (const auto& [name, value] : found) {
    r.Bulk(name);
    r.Bulk(value);
  }
}

// CONFIG SET parameter value [parameter value ...]
void ConfigSet(CommandContext& ctx) {
  if (ctx.argc() % 2 != 0) return ctx.reply().Error(errors::WrongArity(ctx.spec().name));
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  pairs.reserve((ctx.argc() - 2) / 2);
  for (size_t i = 2; i + 1 < ctx.argc(); i += 2) pairs.emplace_back(ctx.arg(i), ctx.arg(i + 1));
  std::string err = ctx.server().config().Set(pairs, ctx.client().IsLocal());
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.reply().Ok();
}

// CONFIG RESETSTAT
void ConfigResetStat(CommandContext& ctx) {
  ctx.server().ResetStats();
  ResetMemoryPeak();
  ctx.reply().Ok();
}

// CONFIG REWRITE
void ConfigRewrite(CommandContext& ctx) {
  std::string err = ctx.server().config().Rewrite();
  if (!err.empty()) {
    Logf(LogLevel::kWarning, "CONFIG REWRITE failed: %s", err.c_str());
    return ctx.reply().Error(err);
  }
  Log(LogLevel::kNotice, "CONFIG REWRITE executed with success.");
  ctx.reply().Ok();
}

// CONFIG HELP
void ConfigHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "GET <pattern> [<pattern> ...]",
      "    Show every configuration parameter whose name matches one of the glob-style",
      "    patterns, with its current value.",
      "SET <directive> <value> [<directive> <value> ...]",
      "    Change one or more configuration parameters. Either every change applies or none.",
      "RESETSTAT",
      "    Zero the statistics that INFO reports.",
      "REWRITE",
      "    Save the running configuration into the configuration file.",
      "HELP",
      "    Print this help.",
  };
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(std::size(kLines) + 1);
  r.SimpleString("CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view l : kLines) r.SimpleString(l);
}

}  // namespace

void RegisterConfigFamily(CommandTable& t) {
  constexpr uint64_t kFlags = kCmdAdmin | kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint64_t kAcl = kAclAdmin | kAclSlow | kAclDangerous;
  CommandSpec* config = t.Add({.name = "config",
                               .arity = -2,
                               .acl = kAclSlow,
                               .group = "server",
                               .since = "2.0.0",
                               .summary = "A container for server configuration commands.",
                               .complexity = "Depends on subcommand.",
                               .syntax = ""});
  t.AddSub(config, {.name = "get",
                    .arity = -3,
                    .flags = kFlags,
                    .acl = kAcl,
                    .since = "2.0.0",
                    .summary = "Returns the values of matching configuration parameters.",
                    .complexity = "O(N) when N is the number of configuration parameters provided",
                    .syntax = "parameter [parameter ...]",
                    .handler = ConfigGet});
  t.AddSub(config, {.name = "set",
                    .arity = -4,
                    .flags = kFlags,
                    .acl = kAcl,
                    .since = "2.0.0",
                    .summary = "Changes one or more configuration parameters at run time.",
                    .complexity = "O(N) when N is the number of configuration parameters provided",
                    .syntax = "parameter value [parameter value ...]",
                    .tips = {"request_policy:all_nodes", "response_policy:all_succeeded"},
                    .handler = ConfigSet});
  t.AddSub(config, {.name = "resetstat",
                    .arity = 2,
                    .flags = kFlags,
                    .acl = kAcl,
                    .since = "2.0.0",
                    .summary = "Resets the server's statistics.",
                    .complexity = "O(1)",
                    .syntax = "",
                    .handler = ConfigResetStat});
  t.AddSub(config, {.name = "rewrite",
                    .arity = 2,
                    .flags = kFlags,
                    .acl = kAcl,
                    .since = "2.8.0",
                    .summary = "Writes the running configuration back to the configuration file.",
                    .complexity = "O(1)",
                    .syntax = "",
                    .handler = ConfigRewrite});
  t.AddSub(config, {.name = "help",
                    .arity = 2,
                    .flags = kCmdLoading | kCmdStale,
                    .acl = kAclSlow,
                    .since = "5.0.0",
                    .summary = "Returns helpful text about the different subcommands.",
                    .complexity = "O(1)",
                    .syntax = "",
                    .handler = ConfigHelp});
}

}  // namespace ember
