// Users from configuration: `user` directives and requirepass at startup, and the aclfile
// (ACL LOAD replaces every user all-or-nothing; ACL SAVE writes them atomically). An aclfile
// holds one "user <name> <rules...>" line per user, with redis.conf quoting; blank lines and
// lines starting with '#' are skipped. Errors name the file and line, as Redis's do.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

#include "protocol/resp_parser.h"
#include "server/acl.h"
#include "server/server.h"

namespace ember {

constexpr std::string_view kAclNoChangeWarning =
    "WARNING: ACL errors detected, no change to the previously active ACL rules was performed";

std::string AclValidateUserDirective(const std::vector<std::string>& words) {
  AclUser u;
  u.name = words.empty() ? "" : words[0];
  u.selectors.emplace_back();
  std::vector<std::string_view> rules(words.begin() + (words.empty() ? 0 : 1), words.end());
  std::vector<std::string> ops;
  std::string err = AclMergeSelectorArgs(rules, &ops);
  if (!err.empty()) return "Error in user declaration '" + u.name + "': " + err.substr(4);
  for (const std::string& op : ops) {
    std::string reason = u.Apply(op, false);
    if (!reason.empty()) return "Error in user declaration '" + op + "': " + reason;
  }
  return "";
}

std::string Acl::LoadAtStartup() {
  const ServerConfig& cfg = server_->cfg();
  std::string aclfile = server_->config().GetValue("aclfile");
  if (!cfg.user.empty() && !aclfile.empty()) {
    return "Configuring Redis with users defined in redis.conf and at the same setting an ACL "
           "file path is invalid. This setup is very likely to lead to configuration errors and "
           "security holes, please define either an ACL file or declare users directly in your "
           "redis.conf, but not both.";
  }
  if (!cfg.requirepass.empty()) SetRequirePass(cfg.requirepass);
  std::set<std::string, std::less<>> seen;
  for (const std::vector<std::string>& words : cfg.user) {
    const std::string& name = words[0];
    if (!seen.insert(name).second) {
      return "Error in user declaration '" + name +
             "': Duplicate user found. A user can only be defined once in config files";
    }
    AclUser* u = Find(name);
    if (u == default_user_) {
      (void)u->Apply("reset", pubsub_all());
    } else if (!u) {
      u = CreateUser(users_, name);
    }
    std::vector<std::string_view> rules(words.begin() + 1, words.end());
    std::string err = AclApplyRules(u, rules, pubsub_all());
    if (!err.empty()) return "Error in user declaration '" + name + "': " + err.substr(4);
  }
  if (!aclfile.empty()) {
    std::string err = LoadFile(nullptr);
    if (!err.empty()) {
      if (err.starts_with("ERR ")) err.erase(0, 4);
      return "Aborting Redis startup because of ACL errors: " + err;
    }
  }
  return "";
}

std::string Acl::ParseAclFile(std::string_view text, UserMap* out) {
  std::string file = server_->config().GetValue("aclfile");
  std::string errors;
  int line_no = 0;
  size_t pos = 0;
  std::vector<std::string> words;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    line_no++;
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t'))
      line.remove_suffix(1);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    if (line.empty() || line[0] == '#') continue;
    std::string where = file + ":" + std::to_string(line_no) + ": ";
    if (!SplitArgs(line, &words)) {
      errors += where + "unbalanced quotes in acl line. ";
      continue;
    }
    if (words.empty()) continue;
    if (words[0] != "user" || words.size() < 2) {
      errors += file + ":" + std::to_string(line_no) + " should start with user keyword. ";
      continue;
    }
    const std::string& name = words[1];
    if (name.find(' ') != std::string::npos) {
      errors += where + "username '" + name + "' contains invalid characters. ";
      continue;
    }
    if (out->count(name)) {
      errors += where + "Duplicate user '" + name + "' found. ";
      continue;
    }
    AclUser* u = CreateUser(*out, name);
    std::vector<std::string_view> rules(words.begin() + 2, words.end());
    std::string err = AclApplyRules(u, rules, pubsub_all());
    if (!err.empty()) {
      if (err.starts_with("ERR ")) err.erase(0, 4);
      errors += where + err + ". ";
    }
  }
  if (!errors.empty()) return errors + std::string(kAclNoChangeWarning);
  return "";
}

std::string Acl::LoadFile(Client* self) {
  std::string file = server_->config().GetValue("aclfile");
  if (file.empty()) {
    return "ERR This Redis instance is not configured to use an ACL file. You may want to "
           "specify users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming "
           "you have a Redis configuration file set) in order to store users in the Redis "
           "configuration.";
  }
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return "ERR Error loading ACLs, opening file '" + file + "': " + std::strerror(errno);
  }
  std::stringstream ss;
  ss << in.rdbuf();
  UserMap loaded;
  std::string err = ParseAclFile(ss.str(), &loaded);
  if (!err.empty()) return "ERR " + err;
  // The default user object stays (clients point at it); it takes the file's rules, or the
  // defaults when the file does not mention it. Every other user is replaced and its clients
  // are closed, as Redis does.
  auto def = loaded.find("default");
  if (def != loaded.end()) {
    *default_user_ = std::move(*def->second);
    loaded.erase(def);
  } else {
    ResetDefaultUser(*default_user_);
  }
  default_user_->Refresh();
  for (auto& [name, u] : users_) {
    if (u.get() != default_user_) CloseClientsOf(u.get(), self);  // self: after its reply
  }
  std::unique_ptr<AclUser> keep = std::move(users_["default"]);
  users_.clear();
  users_["default"] = std::move(keep);
  for (auto& [name, u] : loaded) users_[name] = std::move(u);
  KillSubscribersWithoutPermission(*default_user_);
  return "";
}

std::string Acl::SaveFile() {
  std::string file = server_->config().GetValue("aclfile");
  if (file.empty()) return "ERR This Redis instance is not configured to use an ACL file.";
  std::string text;
  for (const auto& [name, u] : users_) text += u->Describe() + "\n";
  std::string tmp = file + ".tmp-" + std::to_string(getpid());
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    return "ERR There was an error trying to save the ACLs. Please check the server logs for "
           "more information";
  }
  size_t off = 0;
  bool ok = true;
  while (off < text.size()) {
    ssize_t n = write(fd, text.data() + off, text.size() - off);
    if (n <= 0) {
      ok = false;
      break;
    }
    off += size_t(n);
  }
  ok = ok && fsync(fd) == 0;
  ok = (close(fd) == 0) && ok;
  if (!ok || rename(tmp.c_str(), file.c_str()) != 0) {
    unlink(tmp.c_str());
    return "ERR There was an error trying to save the ACLs. Please check the server logs for "
           "more information";
  }
  return "";
}

}  // namespace ember
