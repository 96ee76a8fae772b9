// ACL users and selectors: the rule parser (Redis 7.2 rule language and error texts), the
// permission checks, and rendering rules back for ACL GETUSER / ACL LIST. The Acl class's
// user registry, authentication and ACL LOG are in acl_registry.cc; aclfile handling in
// acl_file.cc. See acl.h for the model.
#include "server/acl.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>

#include "core/glob.h"
#include "server/arg_parser.h"
#include "server/command_table.h"

namespace ember {
namespace {

constexpr std::string_view kErrSyntax = "Syntax error";
constexpr std::string_view kErrUnknownCmd = "Unknown command or category name in ACL";
constexpr std::string_view kErrKeyAfterAll =
    "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have "
    "any effect. Try 'resetkeys' to start with an empty list of patterns";
constexpr std::string_view kErrChannelAfterAll =
    "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not "
    "have any effect. Try 'resetchannels' to start with an empty list of channels";
constexpr std::string_view kErrFirstArgOfSub =
    "Allowing first-arg of a subcommand is not supported";
constexpr std::string_view kErrBadHash =
    "The password hash must be exactly 64 characters and contain only lowercase hexadecimal "
    "characters";
constexpr std::string_view kErrNoSuchPass =
    "The password you are trying to remove from the user does not exist";

uint32_t CommandCount() { return CommandTable::Instance().acl_id_count(); }

// The bit of category `name` (case-insensitive), 0 if unknown.
uint64_t CategoryBit(std::string_view name) {
  auto names = AclCategoryNames();
  for (size_t i = 0; i < names.size(); i++) {
    if (EqualsIgnoreCase(names[i], name)) return uint64_t(1) << i;
  }
  return 0;
}

bool IsHexHash(std::string_view h) {
  if (h.size() != 64) return false;
  for (char ch : h) {
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  }
  return true;
}

// Key-spec flags to the permissions a key needs: access reads, insert/update/delete write.
uint8_t PermsOf(uint32_t ks_flags) {
  uint8_t p = 0;
  if (ks_flags & kKsAccess) p |= kAclKeyRead;
  if (ks_flags & (kKsInsert | kKsUpdate | kKsDelete)) p |= kAclKeyWrite;
  return p;
}

// Commands whose key flags depend on the arguments (key spec VARIABLE_FLAGS): SET without GET
// only overwrites; BITFIELD with only GET subcommands only reads.
uint32_t ResolveVariableFlags(const CommandSpec& cmd, std::span<const std::string_view> args,
                              uint32_t flags) {
  if (!(flags & kKsVariableFlags)) return flags;
  if (cmd.name == "set") {
    for (size_t i = 3; i < args.size(); i++)
      if (EqualsIgnoreCase(args[i], "GET")) return flags;
    return kKsOW | kKsUpdate;
  }
  if (cmd.name == "bitfield") {
    for (size_t i = 2; i < args.size(); i++) {
      if (EqualsIgnoreCase(args[i], "SET") || EqualsIgnoreCase(args[i], "INCRBY")) return flags;
    }
    return kKsRO | kKsAccess;
  }
  return flags;
}

// Where the channels of a pub/sub command are: first index, whether every later argument is
// one (SUBSCRIBE) or just the first (PUBLISH), and whether they are patterns (PSUBSCRIBE).
struct ChannelArgs {
  bool any = false;
  bool all_rest = false;
  bool patterns = false;
};
ChannelArgs ChannelArgsOf(const CommandSpec& cmd) {
  const std::string& n = cmd.name;
  if (n == "publish" || n == "spublish") return {true, false, false};
  if (n == "subscribe" || n == "ssubscribe") return {true, true, false};
  if (n == "psubscribe") return {true, true, true};
  return {};
}

}  // namespace

std::string AclHashPassword(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  static const char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned i = 0; i < len; i++) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 15]);
  }
  return out;
}

// --- AclSelector -----------------------------------------------------------------------------

AclSelector::AclSelector() : bits_(CommandCount() / 64 + 1, 0) {}

std::string AclSelector::Apply(std::string_view op) {
  if (op.empty()) return std::string(kErrSyntax);
  if (EqualsIgnoreCase(op, "allkeys") || op == "~*") {
    all_keys_ = true;
    keys_.clear();
    return "";
  }
  if (EqualsIgnoreCase(op, "resetkeys")) {
    all_keys_ = false;
    keys_.clear();
    return "";
  }
  if (EqualsIgnoreCase(op, "allchannels") || op == "&*") {
    all_channels_ = true;
    channels_.clear();
    return "";
  }
  if (EqualsIgnoreCase(op, "resetchannels")) {
    all_channels_ = false;
    channels_.clear();
    return "";
  }
  if (EqualsIgnoreCase(op, "allcommands") || EqualsIgnoreCase(op, "+@all")) {
    SetAll(true);
    return "";
  }
  if (EqualsIgnoreCase(op, "nocommands") || EqualsIgnoreCase(op, "-@all")) {
    SetAll(false);
    return "";
  }
  if (op[0] == '~') return ApplyKeyPattern(op.substr(1), kAclKeyAll);
  if (op[0] == '%') {
    if (all_keys_) return std::string(kErrKeyAfterAll);  // checked before the flags, as Redis
    uint8_t perms = 0;
    size_t i = 1;
    for (; i < op.size() && op[i] != '~'; i++) {
      if (op[i] == 'R' || op[i] == 'r') {
        perms |= kAclKeyRead;
      } else if (op[i] == 'W' || op[i] == 'w') {
        perms |= kAclKeyWrite;
      } else {
        return std::string(kErrSyntax);
      }
    }
    if (perms == 0) return std::string(kErrSyntax);
    return ApplyKeyPattern(i + 1 <= op.size() ? op.substr(std::min(i + 1, op.size())) : "", perms);
  }
  if (op[0] == '&') {
    if (all_channels_) return std::string(kErrChannelAfterAll);
    std::string_view ch = op.substr(1);
    if (std::find(channels_.begin(), channels_.end(), ch) == channels_.end())
      channels_.emplace_back(ch);
    return "";
  }
  if (op[0] == '+' || op[0] == '-') return ApplyCommandRule(op);
  return std::string(kErrSyntax);
}

std::string AclSelector::ApplyKeyPattern(std::string_view pattern, uint8_t perms) {
  if (all_keys_) return std::string(kErrKeyAfterAll);
  if (perms == kAclKeyAll && pattern == "*") {
    all_keys_ = true;
    keys_.clear();
    return "";
  }
  for (KeyPattern& k : keys_) {
    if (k.pattern == pattern) {
      k.perms |= perms;
      return "";
    }
  }
  keys_.push_back({std::string(pattern), perms});
  return "";
}

std::string AclSelector::ApplyCommandRule(std::string_view op) {
  bool allow = op[0] == '+';
  const CommandTable& table = CommandTable::Instance();
  if (op.size() > 1 && op[1] == '@') {
    uint64_t cat = CategoryBit(op.substr(2));
    if (!cat) return std::string(kErrUnknownCmd);
    SetCategory(cat, allow);
    AddRule(std::string(1, op[0]) + "@" + AsciiLower(op.substr(2)), nullptr);
    return "";
  }
  std::string_view name = op.substr(1);
  size_t bar = name.find('|');
  if (bar == std::string_view::npos) {
    const CommandSpec* cmd = table.Find(name);
    if (!cmd) return std::string(kErrUnknownCmd);
    SetCommand(*cmd, allow);
    AddRule(std::string(1, op[0]) + cmd->name, cmd);
    return "";
  }
  const CommandSpec* parent = table.Find(name.substr(0, bar));
  if (!parent) return std::string(kErrUnknownCmd);
  std::string_view rest = name.substr(bar + 1);
  size_t bar2 = rest.find('|');
  if (!parent->subcommands.empty()) {
    const CommandSpec* sub = table.FindSub(parent, rest.substr(0, bar2));
    if (!sub) return std::string(kErrUnknownCmd);
    if (bar2 != std::string_view::npos) return std::string(kErrFirstArgOfSub);
    SetBit(sub->acl_id, allow);
    AddRule(std::string(1, op[0]) + sub->name, sub);
    return "";
  }
  // A first-arg rule (+select|0): only allowing, and only one argument.
  if (!allow || bar2 != std::string_view::npos || rest.empty()) {
    return std::string(kErrUnknownCmd);
  }
  if (!Bit(parent->acl_id)) {
    auto& v = first_args_[parent->acl_id];
    bool have = false;
    for (const std::string& a : v) have = have || EqualsIgnoreCase(a, rest);
    if (!have) v.emplace_back(rest);
  }
  AddRule("+" + parent->name + "|" + AsciiLower(rest), nullptr);
  return "";
}

void AclSelector::SetAll(bool allow) {
  std::fill(bits_.begin(), bits_.end(), allow ? ~uint64_t(0) : 0);
  future_ = allow;
  rules_.clear();
  first_args_.clear();
}

void AclSelector::SetBit(uint32_t id, bool allow) {
  if (allow)
    bits_[id >> 6] |= uint64_t(1) << (id & 63);
  else
    bits_[id >> 6] &= ~(uint64_t(1) << (id & 63));
  if (!first_args_.empty()) first_args_.erase(id);
}

void AclSelector::SetCommand(const CommandSpec& cmd, bool allow) {
  SetBit(cmd.acl_id, allow);
  for (const auto& sub : cmd.subcommands) SetBit(sub->acl_id, allow);
}

void AclSelector::SetCategory(uint64_t cat, bool allow) {
  for (const auto& cmd : CommandTable::Instance().commands()) {
    if (cmd->acl & cat) SetBit(cmd->acl_id, allow);
    for (const auto& sub : cmd->subcommands) {
      if (sub->acl & cat) SetBit(sub->acl_id, allow);
    }
  }
}

// Compaction keeps the rule list reproducing the bitmap while dropping what a later rule
// overrides: the same target with either sign, and for a whole command also its subcommand
// and first-arg rules ("+config|get +config" is "+config").
void AclSelector::AddRule(std::string rule, const CommandSpec* cmd) {
  std::string_view target = std::string_view(rule).substr(1);
  bool whole_command = cmd && !cmd->parent;
  std::erase_if(rules_, [&](const std::string& r) {
    std::string_view t = std::string_view(r).substr(1);
    if (t == target) return true;
    return whole_command && t.size() > target.size() && t.starts_with(target) &&
           t[target.size()] == '|';
  });
  rules_.push_back(std::move(rule));
}

bool AclSelector::all_commands() const {
  if (!future_) return false;
  uint32_t n = CommandCount();
  for (uint32_t id = 0; id < n; id++)
    if (!Bit(id)) return false;
  return true;
}

bool AclSelector::CommandAllowed(const CommandSpec& cmd,
                                 std::span<const std::string_view> args) const {
  // AUTH, HELLO, QUIT, RESET (no-auth commands) are open to every user, as in Redis.
  if (Bit(cmd.acl_id) || cmd.has(kCmdNoAuth)) return true;
  if (first_args_.empty() || args.size() < 2) return false;
  auto it = first_args_.find(cmd.acl_id);
  if (it == first_args_.end()) return false;
  for (const std::string& a : it->second)
    if (EqualsIgnoreCase(a, args[1])) return true;
  return false;
}

bool AclSelector::KeyAllowed(std::string_view key, uint8_t perms) const {
  if (all_keys_) return true;
  for (const KeyPattern& k : keys_) {
    if ((k.perms & perms) != perms) continue;
    if (GlobMatch(k.pattern, key)) return true;
  }
  return false;
}

bool AclSelector::ChannelAllowed(std::string_view channel, bool is_pattern) const {
  if (all_channels_) return true;
  for (const std::string& p : channels_) {
    if (is_pattern ? p == channel : GlobMatch(p, channel)) return true;
  }
  return false;
}

AclVerdict AclSelector::Check(const CommandSpec& cmd,
                              std::span<const std::string_view> args) const {
  if (!CommandAllowed(cmd, args)) return {AclDenied::kCommand, 0};
  if (!all_keys_ && (!cmd.key_specs.empty() || cmd.get_keys)) {
    thread_local std::vector<int> idx;
    thread_local std::vector<uint32_t> flags;
    idx.clear();
    flags.clear();
    CommandTable::GetKeys(cmd, args, &idx, &flags);
    for (size_t i = 0; i < idx.size(); i++) {
      uint32_t f = i < flags.size() ? ResolveVariableFlags(cmd, args, flags[i]) : 0;
      if (f & kKsNotKey) continue;  // shard channels (SSUBSCRIBE) are checked as channels
      if (!KeyAllowed(args[size_t(idx[i])], PermsOf(f))) return {AclDenied::kKey, idx[i]};
    }
  }
  if (!all_channels_ && (cmd.flags & kCmdPubSub)) {
    ChannelArgs ca = ChannelArgsOf(cmd);
    if (ca.any) {
      size_t end = ca.all_rest ? args.size() : std::min<size_t>(2, args.size());
      for (size_t i = 1; i < end; i++) {
        if (!ChannelAllowed(args[i], ca.patterns)) return {AclDenied::kChannel, int(i)};
      }
    }
  }
  return {};
}

std::string AclSelector::DescribeKeys() const {
  if (all_keys_) return "~*";
  std::string out;
  for (const KeyPattern& k : keys_) {
    if (!out.empty()) out += ' ';
    if (k.perms == kAclKeyRead) out += "%R";
    if (k.perms == kAclKeyWrite) out += "%W";
    out += '~';
    out += k.pattern;
  }
  return out;
}

std::string AclSelector::DescribeChannels() const {
  if (all_channels_) return "&*";
  std::string out;
  for (const std::string& c : channels_) {
    if (!out.empty()) out += ' ';
    out += '&';
    out += c;
  }
  return out;
}

std::string AclSelector::DescribeCommands() const {
  std::string out = future_ ? "+@all" : "-@all";
  for (const std::string& r : rules_) {
    out += ' ';
    out += r;
  }
  return out;
}

std::string AclSelector::Describe() const {
  std::string out = DescribeKeys();
  if (!out.empty()) out += ' ';
  if (all_channels_) {
    out += "&* ";
  } else {
    out += "resetchannels ";
    std::string ch = DescribeChannels();
    if (!ch.empty()) out += ch + " ";
  }
  out += DescribeCommands();
  return out;
}

// --- AclUser ---------------------------------------------------------------------------------

std::string AclUser::Apply(std::string_view op, bool pubsub_all) {
  if (EqualsIgnoreCase(op, "on")) {
    enabled = true;
  } else if (EqualsIgnoreCase(op, "off")) {
    enabled = false;
  } else if (EqualsIgnoreCase(op, "skip-sanitize-payload")) {
    sanitize = 2;
  } else if (EqualsIgnoreCase(op, "sanitize-payload")) {
    sanitize = 1;
  } else if (EqualsIgnoreCase(op, "nopass")) {
    nopass = true;
    passwords.clear();
  } else if (EqualsIgnoreCase(op, "resetpass")) {
    nopass = false;
    passwords.clear();
  } else if (!op.empty() && (op[0] == '>' || op[0] == '#')) {
    std::string h = op[0] == '>' ? AclHashPassword(op.substr(1)) : std::string(op.substr(1));
    if (op[0] == '#' && !IsHexHash(h)) return std::string(kErrBadHash);
    if (std::find(passwords.begin(), passwords.end(), h) == passwords.end()) passwords.push_back(h);
    nopass = false;
  } else if (!op.empty() && (op[0] == '<' || op[0] == '!')) {
    std::string h = op[0] == '<' ? AclHashPassword(op.substr(1)) : std::string(op.substr(1));
    if (op[0] == '!' && !IsHexHash(h)) return std::string(kErrBadHash);
    auto it = std::find(passwords.begin(), passwords.end(), h);
    if (it == passwords.end()) return std::string(kErrNoSuchPass);
    passwords.erase(it);
  } else if (op.size() >= 2 && op.front() == '(' && op.back() == ')') {
    AclSelector s;
    std::string_view inner = op.substr(1, op.size() - 2);
    size_t i = 0;
    while (i < inner.size()) {
      if (inner[i] == ' ') {
        i++;
        continue;
      }
      size_t j = inner.find(' ', i);
      if (j == std::string_view::npos) j = inner.size();
      std::string err = s.Apply(inner.substr(i, j - i));
      if (!err.empty()) return err;
      i = j;
    }
    selectors.push_back(std::move(s));
  } else if (EqualsIgnoreCase(op, "clearselectors")) {
    selectors.resize(1);
  } else if (EqualsIgnoreCase(op, "reset")) {
    passwords.clear();
    nopass = false;
    enabled = false;
    sanitize = 1;
    selectors.resize(1);
    AclSelector& root = selectors[0];
    (void)root.Apply("resetkeys");
    (void)root.Apply(pubsub_all ? "allchannels" : "resetchannels");
    (void)root.Apply("-@all");
  } else {
    return selectors[0].Apply(op);
  }
  return "";
}

bool AclUser::PasswordMatches(std::string_view password) const {
  if (nopass) return true;
  std::string h = AclHashPassword(password);
  bool match = false;
  for (const std::string& p : passwords) {
    if (CRYPTO_memcmp(p.data(), h.data(), h.size()) == 0) match = true;
  }
  return match;
}

bool AclUser::CanAccessKey(std::string_view key, uint8_t perms) const {
  if (unrestricted) return true;
  for (const AclSelector& s : selectors)
    if (s.KeyAllowed(key, perms)) return true;
  return false;
}

AclVerdict AclUser::Check(const CommandSpec& cmd, std::span<const std::string_view> args) const {
  AclVerdict best{AclDenied::kCommand, 0};
  for (const AclSelector& s : selectors) {
    AclVerdict v = s.Check(cmd, args);
    if (v.ok()) return v;
    if (v.denied > best.denied || (v.denied == best.denied && v.pos > best.pos)) best = v;
  }
  return best;
}

std::string AclUser::Describe() const {
  std::string out = "user " + name;
  out += enabled ? " on" : " off";
  if (nopass) out += " nopass";
  if (sanitize == 1) out += " sanitize-payload";
  if (sanitize == 2) out += " skip-sanitize-payload";
  for (const std::string& p : passwords) out += " #" + p;
  out += " " + selectors[0].Describe();
  for (size_t i = 1; i < selectors.size(); i++) out += " (" + selectors[i].Describe() + ")";
  return out;
}

void AclUser::Refresh() {
  const AclSelector& root = selectors[0];
  unrestricted = root.all_keys() && root.all_channels() && root.all_commands();
}

// --- error texts -----------------------------------------------------------------------------

std::string AclDeniedError(const AclUser& user, const CommandSpec& cmd, AclDenied why) {
  switch (why) {
    case AclDenied::kKey:
      return "NOPERM No permissions to access a key";
    case AclDenied::kChannel:
      return "NOPERM No permissions to access a channel";
    default:
      return "NOPERM User " + user.name + " has no permissions to run the '" + cmd.name +
             "' command";
  }
}

std::string AclDeniedMessage(const AclUser& user, const CommandSpec& cmd, AclDenied why,
                             std::string_view object) {
  switch (why) {
    case AclDenied::kKey:
      return "User " + user.name + " has no permissions to access the '" + std::string(object) +
             "' key";
    case AclDenied::kChannel:
      return "User " + user.name + " has no permissions to access the '" + std::string(object) +
             "' channel";
    default:
      return "User " + user.name + " has no permissions to run the '" + cmd.name + "' command";
  }
}

}  // namespace ember
