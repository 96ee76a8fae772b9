// COMMAND introspection: COMMAND, COUNT, LIST, INFO, DOCS, GETKEYS, GETKEYSANDFLAGS, HELP.
// Everything here is read from the command table (command_table.h) — arity, flags, key specs,
// ACL categories, tips and the syntax grammar (turned into argument trees by
// server/command_docs.cc) — so a row added to any family shows up without touching this file.
// Reply shapes follow Redis 7: flag/category sets of status strings, key specs as maps,
// subcommands nested under their container.
#include <string>
#include <vector>

#include "core/glob.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/command_docs.h"
#include "server/errors.h"

namespace ember {
namespace {

// COMMAND flag names in Redis's order; the hidden ones (may_replicate, sentinel, ...) are
// left out of replies as Redis does.
constexpr std::pair<uint64_t, std::string_view> kFlagNames[] = {
    {kCmdWrite, "write"},
    {kCmdReadOnly, "readonly"},
    {kCmdDenyOom, "denyoom"},
    {kCmdModule, "module"},
    {kCmdAdmin, "admin"},
    {kCmdPubSub, "pubsub"},
    {kCmdNoScript, "noscript"},
    {kCmdBlocking, "blocking"},
    {kCmdLoading, "loading"},
    {kCmdStale, "stale"},
    {kCmdSkipMonitor, "skip_monitor"},
    {kCmdSkipSlowlog, "skip_slowlog"},
    {kCmdAsking, "asking"},
    {kCmdFast, "fast"},
    {kCmdNoAuth, "no_auth"},
    {kCmdNoMandatoryKeys, "no_mandatory_keys"},
    {kCmdNoAsyncLoading, "no_async_loading"},
    {kCmdNoMulti, "no_multi"},
    {kCmdMovableKeys, "movablekeys"},
    {kCmdAllowBusy, "allow_busy"},
};

constexpr std::string_view kKeySpecFlagNames[] = {
    "RO",     "RW",     "OW",      "RM",         "access",        "update",
    "insert", "delete", "not_key", "incomplete", "variable_flags"};

// Like Redis: keys are "movable" unless every key spec is a plain index + range.
bool HasMovableKeys(const CommandSpec& cmd) {
  if (cmd.has(kCmdMovableKeys)) return true;
  for (const KeySpec& ks : cmd.key_specs) {
    if (!ks.bs_keyword.empty() || ks.fk_keynum_index >= 0) return true;
  }
  return false;
}

void ReplyFlags(ReplyBuilder& r, const CommandSpec& cmd) {
  uint64_t flags = cmd.flags;
  if (HasMovableKeys(cmd)) flags |= kCmdMovableKeys;
  size_t n = 0;
  for (const auto& [bit, name] : kFlagNames) n += (flags & bit) != 0;
  r.SetHeader(n);
  for (const auto& [bit, name] : kFlagNames) {
    if (flags & bit) r.SimpleString(name);
  }
}

void ReplyAclCategories(ReplyBuilder& r, uint64_t acl) {
  std::span<const std::string_view> names = AclCategoryNames();
  size_t n = 0;
  for (size_t i = 0; i < names.size(); i++) n += (acl >> i) & 1;
  r.SetHeader(n);
  for (size_t i = 0; i < names.size(); i++) {
    if ((acl >> i) & 1) r.SimpleString("@" + std::string(names[i]));
  }
}

void ReplyKeySpecFlags(ReplyBuilder& r, uint32_t flags) {
  size_t n = 0;
  for (size_t i = 0; i < std::size(kKeySpecFlagNames); i++) n += (flags >> i) & 1;
  r.SetHeader(n);
  for (size_t i = 0; i < std::size(kKeySpecFlagNames); i++) {
    if ((flags >> i) & 1) r.SimpleString(kKeySpecFlagNames[i]);
  }
}

void ReplyKeySpec(ReplyBuilder& r, const KeySpec& ks) {
  r.MapHeader(ks.notes.empty() ? 3 : 4);
  if (!ks.notes.empty()) {
    r.Bulk("notes");
    r.Bulk(ks.notes);
  }
  r.Bulk("flags");
  ReplyKeySpecFlags(r, ks.flags);
  if (ks.unknown) {
    for (std::string_view part : {"begin_search", "find_keys"}) {
      r.Bulk(part);
      r.MapHeader(2);
      r.Bulk("type");
      r.Bulk("unknown");
      r.Bulk("spec");
      r.MapHeader(0);
    }
    return;
  }
  r.Bulk("begin_search");
  r.MapHeader(2);
  r.Bulk("type");
  if (ks.bs_keyword.empty()) {
    r.Bulk("index");
    r.Bulk("spec");
    r.MapHeader(1);
    r.Bulk("index");
    r.Integer(ks.bs_index);
  } else {
    r.Bulk("keyword");
    r.Bulk("spec");
    r.MapHeader(2);
    r.Bulk("keyword");
    r.Bulk(ks.bs_keyword);
    r.Bulk("startfrom");
    r.Integer(ks.bs_keyword_start);
  }
  r.Bulk("find_keys");
  r.MapHeader(2);
  r.Bulk("type");
  if (ks.fk_keynum_index < 0) {
    r.Bulk("range");
    r.Bulk("spec");
    r.MapHeader(3);
    r.Bulk("lastkey");
    r.Integer(ks.fk_last_key);
    r.Bulk("keystep");
    r.Integer(ks.fk_key_step);
    r.Bulk("limit");
    r.Integer(ks.fk_limit);
  } else {
    r.Bulk("keynum");
    r.Bulk("spec");
    r.MapHeader(3);
    r.Bulk("keynumidx");
    r.Integer(ks.fk_keynum_index);
    r.Bulk("firstkey");
    r.Integer(ks.fk_first_key);
    r.Bulk("keystep");
    r.Integer(ks.fk_key_step);
  }
}

// One COMMAND / COMMAND INFO entry: name, arity, flags, first, last, step, categories, tips,
// key specs, subcommands.
void ReplyCommandInfo(ReplyBuilder& r, const CommandSpec& cmd) {
  r.ArrayHeader(10);
  r.Bulk(cmd.name);
  r.Integer(cmd.arity);
  ReplyFlags(r, cmd);
  int first, last, step;
  cmd.LegacyKeyRange(&first, &last, &step);
  r.Integer(first);
  r.Integer(last);
  r.Integer(step);
  ReplyAclCategories(r, cmd.acl);
  r.SetHeader(cmd.tips.size());
  for (std::string_view tip : cmd.tips) r.Bulk(tip);
  r.SetHeader(cmd.key_specs.size());
  for (const KeySpec& ks : cmd.key_specs) ReplyKeySpec(r, ks);
  if (cmd.subcommands.empty()) {
    r.SetHeader(0);
  } else {
    r.ArrayHeader(cmd.subcommands.size());
    for (const auto& sub : cmd.subcommands) ReplyCommandInfo(r, *sub);
  }
}

// Finds a row by "name" or "container|sub" (as COMMAND INFO/DOCS accept); nullptr if unknown.
const CommandSpec* LookupByFullName(std::string_view name) {
  const CommandTable& t = CommandTable::Instance();
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) return t.Find(name);
  const CommandSpec* parent = t.Find(name.substr(0, bar));
  if (!parent) return nullptr;
  return t.FindSub(parent, name.substr(bar + 1));
}

// Commands not removed by rename-command.
size_t ListedCount() {
  const CommandTable& t = CommandTable::Instance();
  size_t n = 0;
  for (const auto& c : t.commands()) n += t.Listed(*c);
  return n;
}

// COMMAND
void CommandAll(CommandContext& ctx) {
  const CommandTable& t = CommandTable::Instance();
  ctx.reply().ArrayHeader(ListedCount());
  for (const auto& c : t.commands()) {
    if (t.Listed(*c)) ReplyCommandInfo(ctx.reply(), *c);
  }
}

// COMMAND COUNT
void CommandCount(CommandContext& ctx) { ctx.reply().Integer(int64_t(ListedCount())); }

// COMMAND INFO [command-name [command-name ...]]
void CommandInfo(CommandContext& ctx) {
  if (ctx.argc() == 2) return CommandAll(ctx);
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    const CommandSpec* c = LookupByFullName(ctx.arg(i));
    if (c)
      ReplyCommandInfo(r, *c);
    else
      r.NullBulk();
  }
}

// COMMAND DOCS [command-name [command-name ...]]
void CommandDocs(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply();
  if (ctx.argc() == 2) {
    const CommandTable& t = CommandTable::Instance();
    r.MapHeader(ListedCount());
    for (const auto& c : t.commands()) {
      if (!t.Listed(*c)) continue;
      r.Bulk(c->name);
      ReplyCommandDocs(r, *c);
    }
    return;
  }
  std::vector<const CommandSpec*> found;  // unknown names are left out, as Redis does
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (const CommandSpec* c = LookupByFullName(ctx.arg(i))) found.push_back(c);
  }
  r.MapHeader(found.size());
  for (const CommandSpec* c : found) {
    r.Bulk(c->name);
    ReplyCommandDocs(r, *c);
  }
}

// Which rows COMMAND LIST reports.
struct ListFilter {
  enum class Kind { kAll, kModule, kAclCat, kPattern } kind = Kind::kAll;
  std::string_view arg;
  uint64_t acl_bit = 0;  // for kAclCat; 0 if the category is unknown (matches nothing)

  bool Matches(const CommandSpec& c) const {
    switch (kind) {
      case Kind::kAll:
        return true;
      case Kind::kModule:
        return false;  // no modules
      case Kind::kAclCat:
        return (c.acl & acl_bit) != 0;
      case Kind::kPattern:
        return GlobMatch(arg, c.name, true);
    }
    return false;
  }
};

void CollectList(const CommandSpec& c, const ListFilter& f, std::vector<std::string_view>* out) {
  if (f.Matches(c)) out->push_back(c.name);
  for (const auto& sub : c.subcommands) CollectList(*sub, f, out);
}

// COMMAND LIST [FILTERBY MODULE module-name | ACLCAT category | PATTERN pattern]
void CommandList(CommandContext& ctx) {
  ListFilter f;
  if (ctx.argc() == 5 && EqualsIgnoreCase(ctx.arg(2), "FILTERBY")) {
    f.arg = ctx.arg(4);
    if (EqualsIgnoreCase(ctx.arg(3), "MODULE")) {
      f.kind = ListFilter::Kind::kModule;
    } else if (EqualsIgnoreCase(ctx.arg(3), "ACLCAT")) {
      f.kind = ListFilter::Kind::kAclCat;
      std::span<const std::string_view> names = AclCategoryNames();
      for (size_t i = 0; i < names.size(); i++) {
        if (EqualsIgnoreCase(names[i], f.arg)) f.acl_bit = uint64_t(1) << i;
      }
    } else if (EqualsIgnoreCase(ctx.arg(3), "PATTERN")) {
      f.kind = ListFilter::Kind::kPattern;
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  } else if (ctx.argc() != 2) {
    return ctx.reply().Error(errors::kSyntax);
  }
  std::vector<std::string_view> names;
  const CommandTable& t = CommandTable::Instance();
  for (const auto& c : t.commands()) {
    if (t.Listed(*c)) CollectList(*c, f, &names);
  }
  ctx.reply().ArrayHeader(names.size());
  for (std::string_view n : names) ctx.reply().Bulk(n);
}

// Resolves the command of a GETKEYS request and checks it can have keys; replies with the
// error and returns nullptr otherwise.
const CommandSpec* GetKeysTarget(CommandContext& ctx, std::span<const std::string_view> cmd_args) {
  const CommandTable& t = CommandTable::Instance();
  const CommandSpec* cmd = t.Find(cmd_args[0]);
  if (cmd && !cmd->subcommands.empty() && cmd_args.size() >= 2) {
    cmd = t.FindSub(cmd, cmd_args[1]);
  }
  if (!cmd) {
    ctx.reply().Error(errors::kGetKeysInvalidCommand);
    return nullptr;
  }
  if (cmd->key_specs.empty()) {
    ctx.reply().Error(errors::kGetKeysNoKeys);
    return nullptr;
  }
  int argc = int(cmd_args.size());
  if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
    ctx.reply().Error(errors::kGetKeysWrongArgCount);
    return nullptr;
  }
  return cmd;
}

// Shared by GETKEYS and GETKEYSANDFLAGS.
void GetKeys(CommandContext& ctx, bool with_flags) {
  std::span<const std::string_view> cmd_args = ctx.args().subspan(2);
  const CommandSpec* cmd = GetKeysTarget(ctx, cmd_args);
  if (!cmd) return;
  std::vector<int> keys;
  std::vector<uint32_t> flags;
  bool ok = CommandTable::GetKeys(*cmd, cmd_args, &keys, &flags);
  ReplyBuilder& r = ctx.reply();
  if (!ok || keys.empty()) {
    if (cmd->has(kCmdNoMandatoryKeys)) return r.ArrayHeader(0);
    return r.Error(errors::kGetKeysInvalidArgs);
  }
  r.ArrayHeader(keys.size());
  for (size_t i = 0; i < keys.size(); i++) {
    if (!with_flags) {
      r.Bulk(cmd_args[size_t(keys[i])]);
      continue;
    }
    r.ArrayHeader(2);
    r.Bulk(cmd_args[size_t(keys[i])]);
    ReplyKeySpecFlags(r, flags[i]);
  }
}

// COMMAND GETKEYS command [arg [arg ...]]
void CommandGetKeys(CommandContext& ctx) { GetKeys(ctx, false); }

// COMMAND GETKEYSANDFLAGS command [arg [arg ...]]
void CommandGetKeysAndFlags(CommandContext& ctx) { GetKeys(ctx, true); }

// COMMAND HELP
void CommandHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "(no subcommand)",
      "    Describe every command of the server.",
      "COUNT",
      "    Count the commands of the server.",
      "LIST [FILTERBY (MODULE <module-name>|ACLCAT <category>|PATTERN <pattern>)]",
      "    List the command names, optionally only those matching a filter.",
      "INFO [<command-name> ...]",
      "    Describe the given commands (all commands when none is given).",
      "DOCS [<command-name> ...]",
      "    Documentation of the given commands (all commands when none is given).",
      "GETKEYS <full-command>",
      "    Extract the key names from a complete command line.",
      "GETKEYSANDFLAGS <full-command>",
      "    Extract the key names and their access flags from a complete command line.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply().ArrayHeader(std::size(kLines));
  for (std::string_view l : kLines) ctx.reply().SimpleString(l);
}

}  // namespace

void RegisterCommandFamily(CommandTable& t) {
  constexpr uint64_t kFlags = kCmdLoading | kCmdStale | kCmdSentinel;
  constexpr uint64_t kAcl = kAclSlow | kAclConnection;
  CommandSpec* cmd = t.Add({.name = "command",
                            .arity = -1,
                            .flags = kFlags,
                            .acl = kAcl,
                            .group = "server",
                            .since = "2.8.13",
                            .summary = "Describes every command of the server.",
                            .complexity = "O(N) where N is the total number of commands",
                            .syntax = "",
                            .tips = {"nondeterministic_output_order"},
                            .handler = CommandAll});
  t.AddSub(cmd, {.name = "count",
                 .arity = 2,
                 .flags = kFlags,
                 .acl = kAcl,
                 .since = "2.8.13",
                 .summary = "Counts the commands of the server.",
                 .complexity = "O(1)",
                 .syntax = "",
                 .handler = CommandCount});
  t.AddSub(cmd, {.name = "list",
                 .arity = -2,
                 .flags = kFlags,
                 .acl = kAcl,
                 .since = "7.0.0",
                 .summary = "Lists command names, optionally filtered by module, ACL category "
                            "or pattern.",
                 .complexity = "O(N) where N is the total number of commands",
                 .syntax = "[FILTERBY (MODULE module-name | ACLCAT category | PATTERN pattern)]",
                 .tips = {"nondeterministic_output_order"},
                 .handler = CommandList});
  t.AddSub(cmd, {.name = "info",
                 .arity = -2,
                 .flags = kFlags,
                 .acl = kAcl,
                 .since = "2.8.13",
                 .summary = "Describes the given commands (all when none is named).",
                 .complexity = "O(N) where N is the number of commands to look up",
                 .syntax = "[command-name [command-name ...]]",
                 .tips = {"nondeterministic_output_order"},
                 .handler = CommandInfo});
  t.AddSub(cmd, {.name = "docs",
                 .arity = -2,
                 .flags = kFlags,
                 .acl = kAcl,
                 .since = "7.0.0",
                 .summary = "Returns documentation of the given commands (all when none is "
                            "named).",
                 .complexity = "O(N) where N is the number of commands to look up",
                 .syntax = "[command-name [command-name ...]]",
                 .tips = {"nondeterministic_output_order"},
                 .handler = CommandDocs});
  t.AddSub(cmd, {.name = "getkeys",
                 .arity = -4,
                 .flags = kFlags,
                 .acl = kAcl,
                 .since = "2.8.13",
                 .summary = "Extracts the key names of a complete command.",
                 .complexity = "O(N) where N is the number of arguments to the command",
                 .syntax = "command arg [arg ...]",
                 .handler = CommandGetKeys});
  t.AddSub(cmd, {.name = "getkeysandflags",
                 .arity = -4,
                 .flags = kFlags,
                 .acl = kAcl,
                 .since = "7.0.0",
                 .summary = "Extracts the key names and their access flags of a complete "
                            "command.",
                 .complexity = "O(N) where N is the number of arguments to the command",
                 .syntax = "command arg [arg ...]",
                 .handler = CommandGetKeysAndFlags});
  t.AddSub(cmd, {.name = "help",
                 .arity = 2,
                 .flags = kFlags,
                 .acl = kAcl,
                 .since = "5.0.0",
                 .summary = "Shows what the COMMAND subcommands do.",
                 .complexity = "O(1)",
                 .syntax = "",
                 .handler = CommandHelp});
}

}  // namespace ember
