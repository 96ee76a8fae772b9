// The Acl registry: users by name (the default user always exists), ACL SETUSER's
// all-or-nothing application of rules (with "(...)" selectors split over several arguments),
// DELUSER, requirepass, authentication, the dispatcher's check and the ACL LOG. Rules and
// checks themselves are in acl.cc, aclfile handling in acl_file.cc.
#include <charconv>

#include "server/acl.h"
#include "server/command_context.h"
#include "server/server.h"

namespace ember {

namespace {
// Entries this close in time with the same reason, context, object and user are one entry
// with a count (Redis's grouping window).
constexpr int64_t kLogGroupingMs = 60000;
}  // namespace

std::string AclMergeSelectorArgs(std::span<const std::string_view> in,
                                 std::vector<std::string>* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); i++) {
    std::string_view a = in[i];
    if (a.empty() || a.front() != '(' || a.back() == ')') {
      out->emplace_back(a);
      continue;
    }
    std::string merged(a);
    bool closed = false;
    size_t j = i + 1;
    for (; j < in.size(); j++) {
      merged += ' ';
      merged += in[j];
      if (!in[j].empty() && in[j].back() == ')') {
        closed = true;
        break;
      }
    }
    if (!closed) {
      return "ERR Unmatched parenthesis in acl selector starting at '" + std::string(a) + "'.";
    }
    out->push_back(std::move(merged));
    i = j;
  }
  return "";
}

Acl::Acl(Server* server) : server_(server) {
  default_user_ = CreateUser(users_, "default");
  ResetDefaultUser(*default_user_);
  if (!server->cfg().requirepass.empty()) SetRequirePass(server->cfg().requirepass);
}

bool Acl::pubsub_all() const {
  return server_->config().GetValue("acl-pubsub-default") == "allchannels";
}

AclUser* Acl::CreateUser(UserMap& users, std::string_view name) {
  auto u = std::make_unique<AclUser>();
  u->name = std::string(name);
  u->selectors.emplace_back();
  if (pubsub_all()) (void)u->selectors[0].Apply("allchannels");
  u->Refresh();
  AclUser* p = u.get();
  users[u->name] = std::move(u);
  return p;
}

void Acl::ResetDefaultUser(AclUser& u) {
  for (std::string_view op : {"reset", "on", "nopass", "~*", "&*", "+@all"}) {
    (void)u.Apply(op, true);
  }
  u.Refresh();
}

AclUser* Acl::Find(std::string_view name) {
  auto it = users_.find(name);
  return it == users_.end() ? nullptr : it->second.get();
}

std::string AclApplyRules(AclUser* u, std::span<const std::string_view> rules, bool pubsub_all) {
  std::vector<std::string> ops;
  std::string err = AclMergeSelectorArgs(rules, &ops);
  if (!err.empty()) return err;
  for (const std::string& op : ops) {
    std::string reason = u->Apply(op, pubsub_all);
    if (!reason.empty()) return "ERR Error in ACL SETUSER modifier '" + op + "': " + reason;
  }
  u->Refresh();
  return "";
}

std::string Acl::SetUser(std::string_view name, std::span<const std::string_view> rules) {
  if (name.find(' ') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return "ERR Usernames can't contain spaces or null characters";
  }
  AclUser* existing = Find(name);
  AclUser copy;
  if (existing) {
    copy = *existing;
  } else {
    copy.name = std::string(name);
    copy.selectors.emplace_back();
    if (pubsub_all()) (void)copy.selectors[0].Apply("allchannels");
  }
  std::string err = AclApplyRules(&copy, rules, pubsub_all());
  if (!err.empty()) return err;
  AclUser* u = existing ? existing : CreateUser(users_, name);
  *u = std::move(copy);
  KillSubscribersWithoutPermission(*u);
  return "";
}

void Acl::CloseClientsOf(const AclUser* u, Client* self) {
  for (const auto& [id, c] : server_->clients()) {
    if (c->user != u || c->closing()) continue;
    if (c.get() == self) {
      c->flags |= kClientCloseAfterReply;
    } else {
      server_->FreeClient(c.get());
    }
    c->user = default_user_;
    c->authenticated = false;
  }
}

bool Acl::DelUser(std::string_view name, Client* self) {
  auto it = users_.find(name);
  if (it == users_.end() || it->second.get() == default_user_) return false;
  CloseClientsOf(it->second.get(), self);
  users_.erase(it);
  return true;
}

void Acl::SetRequirePass(std::string_view pass) {
  AclUser& u = *default_user_;
  u.passwords.clear();
  if (pass.empty()) {
    u.nopass = true;
  } else {
    u.nopass = false;
    u.passwords.push_back(AclHashPassword(pass));
  }
}

// Redis closes a subscriber whose user no longer allows one of its subscriptions (a pattern
// subscription must be allowed literally).
void Acl::KillSubscribersWithoutPermission(const AclUser& user) {
  auto allowed = [&](std::string_view name, bool is_pattern) {
    for (const AclSelector& s : user.selectors)
      if (s.ChannelAllowed(name, is_pattern)) return true;
    return false;
  };
  for (const auto& [id, c] : server_->clients()) {
    if (c->user != &user || !c->subs || c->closing()) continue;
    bool kill = false;
    for (SubKind k : {SubKind::kChannel, SubKind::kShard, SubKind::kPattern}) {
      for (const auto& [name, slot] : c->subs->names[int(k)]) {
        if (!allowed(name, k == SubKind::kPattern)) kill = true;
      }
    }
    if (kill) server_->FreeClient(c.get());
  }
}

bool Acl::Authenticate(CommandContext& ctx, std::string_view username, std::string_view pass) {
  Client& c = ctx.client();
  AclUser* u = Find(username);
  if (u && u->enabled && u->PasswordMatches(pass)) {
    c.user = u;
    c.authenticated = true;
    return true;
  }
  Log(ctx, AclDenied::kAuth, "toplevel", ctx.arg(0), username);
  return false;
}

AclVerdict Acl::CheckAndLog(Client& c, const CommandSpec& cmd,
                            std::span<const std::string_view> args, std::string_view context,
                            CommandContext* info) {
  AclVerdict v = c.user->Check(cmd, args);
  if (v.ok()) return v;
  std::string_view object =
      v.denied == AclDenied::kCommand ? std::string_view(cmd.name) : args[size_t(v.pos)];
  if (info) {
    Log(*info, v.denied, context, object, c.user->name);
  } else {
    CommandContext ctx(*server_, c, cmd, args);
    Log(ctx, v.denied, context, object, c.user->name);
  }
  return v;
}

void Acl::Log(CommandContext& ctx, AclDenied reason, std::string_view context,
              std::string_view object, std::string_view username) {
  switch (reason) {
    case AclDenied::kAuth:
      stats_.denied_auth++;
      break;
    case AclDenied::kKey:
      stats_.denied_key++;
      break;
    case AclDenied::kChannel:
      stats_.denied_channel++;
      break;
    default:
      stats_.denied_cmd++;
      break;
  }
  int64_t now = ctx.server().clock().NowMs();
  std::string info = ClientInfoString(ctx, ctx.client());
  for (auto it = log_.begin(); it != log_.end(); ++it) {
    if (it->reason == reason && it->context == context && it->object == object &&
        it->username == username && now - it->created_ms < kLogGroupingMs) {
      AclLogEntry e = std::move(*it);
      log_.erase(it);
      e.count++;
      e.updated_ms = now;
      e.client_info = std::move(info);
      log_.push_front(std::move(e));
      return;
    }
  }
  AclLogEntry e;
  e.reason = reason;
  e.context = std::string(context);
  e.object = std::string(object);
  e.username = std::string(username);
  e.client_info = std::move(info);
  e.entry_id = next_entry_id_++;
  e.created_ms = e.updated_ms = now;
  log_.push_front(std::move(e));
  int64_t max_len = 128;
  std::string v = server_->config().GetValue("acllog-max-len");
  std::from_chars(v.data(), v.data() + v.size(), max_len);
  while (int64_t(log_.size()) > max_len) log_.pop_back();
}

}  // namespace ember
