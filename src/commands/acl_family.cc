// ACL command family: ACL SETUSER / GETUSER / DELUSER / LIST / USERS / WHOAMI / CAT / GENPASS /
// LOG / DRYRUN / LOAD / SAVE / HELP. The user model, rule language and checks live in
// server/acl.h; these handlers parse arguments and shape replies as Redis 7.2 does.
#include <openssl/rand.h>

#include <string>

#include "server/acl.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {
namespace {

Acl& AclOf(CommandContext& ctx) { return ctx.server().acl(); }

// ACL SETUSER username [rule [rule ...]]
void AclSetUser(CommandContext& ctx) {
  std::string err = AclOf(ctx).SetUser(ctx.arg(2), ctx.args().subspan(3));
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.reply().Ok();
}

void ReplySelectorFields(ReplyBuilder& r, const AclSelector& s) {
  r.Bulk("commands");
  r.Bulk(s.DescribeCommands());
  r.Bulk("keys");
  r.Bulk(s.DescribeKeys());
  r.Bulk("channels");
  r.Bulk(s.DescribeChannels());
}

// ACL GETUSER username
void AclGetUser(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply();
  const AclUser* u = AclOf(ctx).Find(ctx.arg(2));
  if (!u) return r.NullBulk();
  r.MapHeader(6);
  r.Bulk("flags");
  std::vector<std::string_view> flags;
  flags.push_back(u->enabled ? "on" : "off");
  if (u->nopass) flags.push_back("nopass");
  if (u->sanitize == 2) flags.push_back("skip-sanitize-payload");
  if (u->sanitize == 1) flags.push_back("sanitize-payload");
  r.ArrayHeader(flags.size());
  for (std::string_view f : flags) r.Bulk(f);
  r.Bulk("passwords");
  r.ArrayHeader(u->passwords.size());
  for (const std::string& p : u->passwords) r.Bulk(p);
  ReplySelectorFields(r, u->selectors[0]);
  r.Bulk("selectors");
  r.ArrayHeader(u->selectors.size() - 1);
  for (size_t i = 1; i < u->selectors.size(); i++) {
    r.MapHeader(3);
    ReplySelectorFields(r, u->selectors[i]);
  }
}

// ACL DELUSER username [username ...]
void AclDelUser(CommandContext& ctx) {
  for (size_t i = 2; i < ctx.argc(); i++) {
    if (ctx.arg(i) == "default") return ctx.reply().Error(errors::kAclDeleteDefault);
  }
  int64_t n = 0;
  for (size_t i = 2; i < ctx.argc(); i++) n += AclOf(ctx).DelUser(ctx.arg(i), &ctx.client());
  ctx.reply().Integer(n);
}

// ACL LIST
void AclList(CommandContext& ctx) {
  const auto& users = AclOf(ctx).users();
  ctx.reply().ArrayHeader(users.size());
  for (const auto& [name, u] : users) ctx.reply().Bulk(u->Describe());
}

// ACL USERS
void AclUsers(CommandContext& ctx) {
  const auto& users = AclOf(ctx).users();
  ctx.reply().ArrayHeader(users.size());
  for (const auto& [name, u] : users) ctx.reply().Bulk(name);
}

// ACL WHOAMI
void AclWhoAmI(CommandContext& ctx) { ctx.reply().Bulk(ctx.client().user->name); }

// ACL CAT [category]
void AclCategories(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply();
  auto names = AclCategoryNames();
  if (ctx.argc() == 2) {
    r.ArrayHeader(names.size());
    for (std::string_view n : names) r.Bulk(n);
    return;
  }
  if (ctx.argc() > 3) return r.Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "ACL"));
  uint64_t bit = 0;
  for (size_t i = 0; i < names.size(); i++) {
    if (EqualsIgnoreCase(names[i], ctx.arg(2))) bit = uint64_t(1) << i;
  }
  if (!bit) return r.Error(errors::AclUnknownCategory(ctx.arg(2)));
  std::vector<std::string_view> out;
  for (const auto& cmd : CommandTable::Instance().commands()) {
    if (cmd->acl & bit) out.push_back(cmd->name);
    for (const auto& sub : cmd->subcommands) {
      if (sub->acl & bit) out.push_back(sub->name);
    }
  }
  r.ArrayHeader(out.size());
  for (std::string_view n : out) r.Bulk(n);
}

// ACL GENPASS [bits]
void AclGenPass(CommandContext& ctx) {
  int64_t bits = 256;
  if (ctx.argc() > 3) return ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "ACL"));
  if (ctx.argc() == 3 && (!ParseInt64(ctx.arg(2), &bits) || bits <= 0 || bits > 4096)) {
    return ctx.reply().Error(errors::kAclGenPassBits);
  }
  size_t chars = size_t((bits + 3) / 4);
  std::string bytes((chars + 1) / 2, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(bytes.data()), int(bytes.size()));
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 15]);
  }
  out.resize(chars);
  ctx.reply().Bulk(out);
}

std::string_view ReasonName(AclDenied r) {
  switch (r) {
    case AclDenied::kKey:
      return "key";
    case AclDenied::kChannel:
      return "channel";
    case AclDenied::kAuth:
      return "auth";
    default:
      return "command";
  }
}

// ACL LOG [count | RESET]
void AclLog(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply();
  Acl& acl = AclOf(ctx);
  int64_t count = 10;
  if (ctx.argc() > 3) return r.Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "ACL"));
  if (ctx.argc() == 3) {
    if (EqualsIgnoreCase(ctx.arg(2), "RESET")) {
      acl.ResetLog();
      return r.Ok();
    }
    if (!ParseInt64(ctx.arg(2), &count) || count < 0) {
      return r.Error(errors::kMustBePositive);
    }
  }
  const auto& log = acl.log();
  size_t n = std::min(size_t(count), log.size());
  int64_t now = ctx.NowMs();
  r.ArrayHeader(n);
  for (size_t i = 0; i < n; i++) {
    const AclLogEntry& e = log[i];
    r.MapHeader(10);
    r.Bulk("count");
    r.Integer(int64_t(e.count));
    r.Bulk("reason");
    r.Bulk(ReasonName(e.reason));
    r.Bulk("context");
    r.Bulk(e.context);
    r.Bulk("object");
    r.Bulk(e.object);
    r.Bulk("username");
    r.Bulk(e.username);
    r.Bulk("age-seconds");
    r.Double(double(now - e.created_ms) / 1000.0);
    r.Bulk("client-info");
    r.Bulk(e.client_info);
    r.Bulk("entry-id");
    r.Integer(int64_t(e.entry_id));
    r.Bulk("timestamp-created");
    r.Integer(e.created_ms);
    r.Bulk("timestamp-last-updated");
    r.Integer(e.updated_ms);
  }
}

// ACL DRYRUN username command [arg [arg ...]]
void AclDryRun(CommandContext& ctx) {
  ReplyBuilder& r = ctx.reply();
  const AclUser* u = AclOf(ctx).Find(ctx.arg(2));
  if (!u) return r.Error(errors::AclUserNotFound(ctx.arg(2)));
  std::span<const std::string_view> args = ctx.args().subspan(3);
  const CommandTable& table = CommandTable::Instance();
  const CommandSpec* cmd = table.Find(args[0]);
  if (cmd && !cmd->subcommands.empty() && args.size() >= 2) cmd = table.FindSub(cmd, args[1]);
  if (!cmd) return r.Error(errors::AclCommandNotFound(args[0]));
  int argc = int(args.size());
  if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
    return r.Error(errors::WrongArity(cmd->name));
  }
  AclVerdict v = u->Check(*cmd, args);
  if (v.ok()) return r.Ok();
  std::string_view object =
      v.denied == AclDenied::kCommand ? std::string_view(cmd->name) : args[size_t(v.pos)];
  r.Bulk(AclDeniedMessage(*u, *cmd, v.denied, object));
}

// ACL LOAD
void AclLoad(CommandContext& ctx) {
  std::string err = AclOf(ctx).LoadFile(&ctx.client());
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.reply().Ok();
}

// ACL SAVE
void AclSave(CommandContext& ctx) {
  std::string err = AclOf(ctx).SaveFile();
  if (!err.empty()) return ctx.reply().Error(err);
  ctx.reply().Ok();
}

// ACL HELP
void AclHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "ACL <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CAT [<category>]",
      "    List all commands that belong to <category>, or all command categories",
      "    when no category is specified.",
      "DELUSER <username> [<username> ...]",
      "    Delete a list of users.",
      "DRYRUN <username> <command> [<arg> ...]",
      "    Returns whether the user can execute the given command without executing the "
      "command.",
      "GETUSER <username>",
      "    Get the user's details.",
      "GENPASS [<bits>]",
      "    Generate a secure 256-bit user password. The optional `bits` argument can",
      "    be used to specify a different size.",
      "LIST",
      "    Show users details in config file format.",
      "LOAD",
      "    Reload users from the ACL file.",
      "LOG [<count> | RESET]",
      "    Show the ACL log entries.",
      "SAVE",
      "    Save the current config to the ACL file.",
      "SETUSER <username> <attribute> [<attribute> ...]",
      "    Create or modify a user with the specified attributes.",
      "USERS",
      "    List all the registered usernames.",
      "WHOAMI",
      "    Return the current connection username.",
      "HELP",
      "    Prints this help.",
  };
  ctx.reply().ArrayHeader(std::size(kLines));
  for (std::string_view l : kLines) ctx.reply().SimpleString(l);
}

void AclContainer(CommandContext& ctx) { ctx.reply().Error(errors::WrongArity(ctx.spec().name)); }

}  // namespace

void RegisterAclFamily(CommandTable& t) {
  constexpr uint64_t kBase = kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint64_t kAdmin = kBase | kCmdAdmin;
  constexpr uint64_t kAdminAcl = kAclAdmin | kAclSlow | kAclDangerous;
  CommandSpec* acl = t.Add({.name = "acl",
                            .arity = -2,
                            .flags = 0,
                            .acl = kAclSlow,
                            .group = "server",
                            .since = "6.0.0",
                            .summary = "A container for Access List Control commands.",
                            .complexity = "Depends on subcommand.",
                            .syntax = "",
                            .handler = AclContainer});
  struct Row {
    const char* name;
    int arity;
    uint64_t flags;
    uint64_t acl;
    std::string_view summary;
    std::string_view complexity;
    std::string_view syntax;
    CommandHandler handler;
  };
  static const Row kRows[] = {
      {"cat", -2, kBase, kAclSlow, "Lists the ACL categories, or the commands inside a category.",
       "O(1) since the categories and commands are a fixed set.", "[category]", AclCategories},
      {"deluser", -3, kAdmin, kAdminAcl, "Deletes ACL users, and terminates their connections.",
       "O(1) amortized time considering the typical user.", "username [username ...]", AclDelUser},
      {"dryrun", -4, kAdmin, kAdminAcl,
       "Simulates the execution of a command by a user, without executing the command.", "O(1).",
       "username command [arg [arg ...]]", AclDryRun},
      {"genpass", -2, kBase, kAclSlow,
       "Generates a pseudorandom, secure password that can be used to identify ACL users.", "O(N)",
       "[bits:integer]", AclGenPass},
      {"getuser", 3, kAdmin, kAdminAcl, "Lists the ACL rules of a user.",
       "O(N). Where N is the number of password, command and pattern rules that the user has.",
       "username", AclGetUser},
      {"help", 2, kCmdLoading | kCmdStale, kAclSlow,
       "Returns helpful text about the different "
       "subcommands.",
       "O(1)", "", AclHelp},
      {"list", 2, kAdmin, kAdminAcl, "Dumps the effective rules in ACL file format.",
       "O(N). Where N is the number of configured users.", "", AclList},
      {"load", 2, kAdmin, kAdminAcl, "Reloads the rules from the configured ACL file.",
       "O(N). Where N is the number of configured users.", "", AclLoad},
      {"log", -2, kAdmin, kAdminAcl, "Lists recent security events generated due to ACL rules.",
       "O(N) with N being the number of entries shown.", "[count:integer | RESET]", AclLog},
      {"save", 2, kAdmin, kAdminAcl, "Saves the effective ACL rules in the configured ACL file.",
       "O(N). Where N is the number of configured users.", "", AclSave},
      {"setuser", -3, kAdmin, kAdminAcl, "Creates and modifies an ACL user and its rules.",
       "O(N). Where N is the number of rules provided.", "username [rule [rule ...]]", AclSetUser},
      {"users", 2, kAdmin, kAdminAcl, "Lists all ACL users.",
       "O(N). Where N is the number of configured users.", "", AclUsers},
      {"whoami", 2, kBase, kAclSlow,
       "Returns the authenticated username of the current connection.", "O(1)", "", AclWhoAmI},
  };
  for (const Row& row : kRows) {
    t.AddSub(acl, {.name = row.name,
                   .arity = row.arity,
                   .flags = row.flags,
                   .acl = row.acl,
                   .since = "6.0.0",
                   .summary = row.summary,
                   .complexity = row.complexity,
                   .syntax = row.syntax,
                   .handler = row.handler});
  }
}

}  // namespace ember
