// Acl: Redis 7 access control lists — users, their passwords, their permissions (a root
// selector plus optional extra selectors), authentication, the per-command permission check
// the dispatcher runs, ACL LOG, and loading/saving users from `user` directives or an aclfile.
//
// Model. A user has flags (on/off, nopass, sanitize-payload), a set of SHA-256 password hashes
// and a list of selectors; selectors[0] is the root selector, whose rules are given at the top
// level of ACL SETUSER, the others come from "(...)" groups. A selector holds
//   - a bitmap of allowed commands indexed by CommandSpec::acl_id (subcommands have their own
//     ids), plus "first-arg" allowances for commands without subcommands (+select|0);
//   - the compacted list of command rules as given (+@all -@hash +hget): ACL GETUSER / LIST
//     print it back, Redis 7.2 style, and the bitmap is what checks read;
//   - key patterns with read/write permissions (~p, %R~p, %W~p, allkeys) and channel patterns
//     (&p, allchannels).
// A command runs when any selector allows the command and all its keys and channels; when none
// does, the most relevant denial (Redis's order: command < key < channel, then the later
// argument) is reported and logged.
//
// Fast path: a user whose root selector allows every command, key and channel (the default
// user out of the box) is marked `unrestricted`, and the dispatcher skips the check entirely.
//
// Protected mode (helper "tls"): Server::acl().DefaultUserNoPass() says whether the default
// user is on and needs no password.
//
// Ownership: the Server owns the Acl; users are owned by the Acl and stay at the same address
// while they exist (clients point at them). Deleting a user closes its clients first.
// Thread: command thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

class Server;
class Client;
class CommandContext;
struct CommandSpec;

// Why a request was refused, in Redis's order of relevance (higher wins between selectors).
enum class AclDenied : uint8_t { kNone = 0, kCommand = 1, kKey = 2, kAuth = 3, kChannel = 4 };

// Result of a permission check: what was denied and which argument (key/channel) caused it.
struct AclVerdict {
  AclDenied denied = AclDenied::kNone;
  int pos = 0;
  bool ok() const { return denied == AclDenied::kNone; }
};

// Key permission bits of a key pattern.
inline constexpr uint8_t kAclKeyRead = 1;
inline constexpr uint8_t kAclKeyWrite = 2;
inline constexpr uint8_t kAclKeyAll = kAclKeyRead | kAclKeyWrite;

// One set of permissions (the root selector of a user, or one "(...)" selector).
class AclSelector {
 public:
  AclSelector();

  // Applies one selector rule (~p, %RW~p, allkeys, resetkeys, &p, allchannels, resetchannels,
  // +cmd, -cmd, +@cat, -@cat, +cmd|sub, allcommands, nocommands). Returns "" or the reason
  // for Redis's "Error in ACL SETUSER modifier" message.
  std::string Apply(std::string_view op);

  // Is the command with these arguments allowed, keys and channels included?
  AclVerdict Check(const CommandSpec& cmd, std::span<const std::string_view> args) const;
  bool CommandAllowed(const CommandSpec& cmd, std::span<const std::string_view> args) const;
  // Is `key` allowed for an access needing `perms` (kAclKeyRead/Write; 0: any pattern)?
  bool KeyAllowed(std::string_view key, uint8_t perms) const;
  // Is a channel (or, is_pattern, a PSUBSCRIBE pattern, matched literally) allowed?
  bool ChannelAllowed(std::string_view channel, bool is_pattern) const;

  // Rendering as ACL GETUSER shows the parts and ACL LIST shows the whole.
  std::string DescribeKeys() const;
  std::string DescribeChannels() const;  // "" when none, "&*" with allchannels
  std::string DescribeCommands() const;  // "+@all -@hash +hget"
  std::string Describe() const;          // keys, channels (with resetchannels), commands

  bool all_keys() const { return all_keys_; }
  bool all_channels() const { return all_channels_; }
  // Every command allowed (and future ones: +@all with nothing removed after).
  bool all_commands() const;
  const std::vector<std::string>& channels() const { return channels_; }

 private:
  struct KeyPattern {
    std::string pattern;
    uint8_t perms;
  };
  std::string ApplyCommandRule(std::string_view op);
  std::string ApplyKeyPattern(std::string_view pattern, uint8_t perms);
  void SetAll(bool allow);
  void SetCommand(const CommandSpec& cmd, bool allow);
  void SetCategory(uint64_t cat, bool allow);
  void SetBit(uint32_t id, bool allow);
  bool Bit(uint32_t id) const { return (bits_[id >> 6] >> (id & 63)) & 1; }
  // Records a rule in the compacted rule list: earlier rules it overrides are removed.
  void AddRule(std::string rule, const CommandSpec* cmd);

  std::vector<uint64_t> bits_;
  bool future_ = false;  // +@all: commands outside the table are allowed too
  std::unordered_map<uint32_t, std::vector<std::string>> first_args_;
  std::vector<std::string> rules_;
  std::vector<KeyPattern> keys_;
  std::vector<std::string> channels_;
  bool all_keys_ = false;
  bool all_channels_ = false;
};

struct AclUser {
  std::string name;
  bool enabled = false;
  bool nopass = false;
  // 0: neither flag, 1: sanitize-payload, 2: skip-sanitize-payload.
  uint8_t sanitize = 1;
  std::vector<std::string> passwords;  // SHA-256 hex digests, in insertion order
  std::vector<AclSelector> selectors;  // [0]: the root selector
  // Root allows every command, key and channel: the dispatcher skips the check.
  bool unrestricted = false;

  // Applies one SETUSER rule (user flags, passwords, selectors, or a root selector rule).
  // `pubsub_all`: acl-pubsub-default is allchannels (used by `reset`).
  std::string Apply(std::string_view op, bool pubsub_all);
  bool PasswordMatches(std::string_view password) const;  // constant-time per hash
  // Does some selector allow `key` for `perms`? (SORT's BY/GET patterns ask about "*".)
  bool CanAccessKey(std::string_view key, uint8_t perms) const;
  AclVerdict Check(const CommandSpec& cmd, std::span<const std::string_view> args) const;
  // "user name on #hash ~* &* +@all (...)" as ACL LIST and aclfiles write it.
  std::string Describe() const;
  void Refresh();  // recomputes `unrestricted`
};

// One ACL LOG entry.
struct AclLogEntry {
  uint64_t count = 1;
  AclDenied reason = AclDenied::kCommand;
  std::string context;  // toplevel, multi, lua
  std::string object;   // command, key, channel or "AUTH"
  std::string username;
  std::string client_info;
  uint64_t entry_id = 0;
  int64_t created_ms = 0;
  int64_t updated_ms = 0;
};

// INFO stats acl_access_denied_*.
struct AclStats {
  uint64_t denied_auth = 0, denied_cmd = 0, denied_key = 0, denied_channel = 0;
};

// SHA-256 of `data` as 64 lower-case hex digits.
std::string AclHashPassword(std::string_view data);
// The reason shown by the -NOPERM reply of a refused command ("NOPERM ...").
std::string AclDeniedError(const AclUser& user, const CommandSpec& cmd, AclDenied why);
// The verbose text of ACL DRYRUN and scripts ("User u has no permissions to access the 'k'
// key").
std::string AclDeniedMessage(const AclUser& user, const CommandSpec& cmd, AclDenied why,
                             std::string_view object);
// Joins a "(...)" selector given over several arguments ("(+get", "~k*)") into one rule.
// Returns "" or the "Unmatched parenthesis" error.
std::string AclMergeSelectorArgs(std::span<const std::string_view> in,
                                 std::vector<std::string>* out);
// Applies SETUSER rules to u in order; returns "" or the complete error text.
std::string AclApplyRules(AclUser* u, std::span<const std::string_view> rules, bool pubsub_all);
// Checks the rules of one `user` directive while the config is parsed (words: name, rules).
// Returns "" or "Error in user declaration '...': reason".
std::string AclValidateUserDirective(const std::vector<std::string>& words);
// One CLIENT LIST line without the newline (client_family.cc); ACL LOG's client-info.
std::string ClientInfoString(CommandContext& ctx, const Client& c);

class Acl {
 public:
  explicit Acl(Server* server);
  Acl(const Acl&) = delete;
  Acl& operator=(const Acl&) = delete;

  AclUser* default_user() { return default_user_; }
  AclUser* Find(std::string_view name);
  const std::map<std::string, std::unique_ptr<AclUser>, std::less<>>& users() const {
    return users_;
  }
  // Protected mode: the default user is on and needs no password.
  bool DefaultUserNoPass() const { return default_user_->enabled && default_user_->nopass; }
  // New connections must authenticate (default user off, or it has passwords).
  bool AuthRequired() const { return !DefaultUserNoPass(); }

  // ACL SETUSER: applies every rule or none (creates the user if missing). Returns "" or the
  // complete error text ("ERR Error in ACL SETUSER modifier ...").
  std::string SetUser(std::string_view name, std::span<const std::string_view> rules);
  // ACL DELUSER of one user (not default): closes its clients (`self` after its reply). True
  // if it existed.
  bool DelUser(std::string_view name, Client* self);
  // requirepass (startup and CONFIG SET): the default user's only password, or nopass.
  void SetRequirePass(std::string_view pass);

  // AUTH / HELLO AUTH: on success points c at the user; on failure logs it (reason auth).
  // ctx is the AUTH / HELLO command (its client, and argv[0] as the log's object).
  bool Authenticate(CommandContext& ctx, std::string_view user, std::string_view pass);

  // The dispatcher's check for c (its user) running cmd; logs and counts a denial.
  // `info`: the command whose client-info the log shows (EXEC, EVAL) when not cmd itself.
  AclVerdict CheckAndLog(Client& c, const CommandSpec& cmd, std::span<const std::string_view> args,
                         std::string_view context, CommandContext* info = nullptr);
  // Adds an ACL LOG entry (grouping similar ones) and counts it in INFO; ctx is the command
  // running (client-info).
  void Log(CommandContext& ctx, AclDenied reason, std::string_view context, std::string_view object,
           std::string_view username);
  std::deque<AclLogEntry>& log() { return log_; }
  void ResetLog() { log_.clear(); }
  const AclStats& stats() const { return stats_; }
  void ResetStats() { stats_ = {}; }

  // Startup: `user` directives, or the aclfile (not both). Returns "" or the error that stops
  // the server.
  std::string LoadAtStartup();
  // ACL LOAD: replaces every user from the aclfile, all or nothing. Returns "" or "ERR ...".
  std::string LoadFile(Client* self);
  // ACL SAVE: writes every user to the aclfile atomically. Returns "" or "ERR ...".
  std::string SaveFile();

  // After permissions changed: closes subscribers that lost a channel they listen to.
  void KillSubscribersWithoutPermission(const AclUser& user);

 private:
  using UserMap = std::map<std::string, std::unique_ptr<AclUser>, std::less<>>;
  AclUser* CreateUser(UserMap& users, std::string_view name);
  void ResetDefaultUser(AclUser& u);
  // Parses aclfile text into `out`; returns "" or the error naming the line.
  std::string ParseAclFile(std::string_view text, UserMap* out);
  bool pubsub_all() const;
  void CloseClientsOf(const AclUser* u, Client* self);

  Server* server_;
  UserMap users_;
  AclUser* default_user_ = nullptr;
  std::deque<AclLogEntry> log_;
  uint64_t next_entry_id_ = 0;
  AclStats stats_;
};

}  // namespace ember
