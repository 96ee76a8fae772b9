// Server: listeners, client lifecycle, the dispatcher, cron and shutdown.
#include "server/server.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>

#include "net/tls.h"
#include "persistence/persistence.h"
#include "scripting/scripting.h"
#include "server/command_context.h"
#include "server/command_table.h"
#include "server/errors.h"
#include "server/eviction.h"
#include "server/lazyfree.h"
#include "server/log.h"
#include "server/notify.h"
#include "server/used_memory.h"

namespace ember {

// Accepts connections on one listening socket.
class Server::Acceptor final : public EventHandler {
 public:
  Acceptor(Server* s, const ListenSocket& ls) : server_(s), sock_(ls) {}
  void OnEvents(uint32_t) override {
    for (int i = 0; i < 1000; i++) {
      int fd = AcceptConnection(sock_.fd);
      if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
          Logf(LogLevel::kVerbose, "Accepting client connection: %s", strerror(errno));
        }
        return;
      }
      server_->AcceptClient(fd, sock_.is_unix, sock_.tls);
    }
  }
  const ListenSocket& sock() const { return sock_; }
  // The listener was closed (CONFIG SET tls-port): events already fetched this turn find no fd.
  void Retire() { sock_.fd = -1; }

 private:
  Server* server_;
  ListenSocket sock_;
};

// SIGTERM/SIGINT through a signalfd, so shutdown runs on the command thread.
class Server::SignalHandler final : public EventHandler {
 public:
  explicit SignalHandler(Server* s) : server_(s) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
  }
  ~SignalHandler() override {
    if (fd_ >= 0) close(fd_);
  }
  int fd() const { return fd_; }
  void OnEvents(uint32_t) override {
    signalfd_siginfo si;
    while (read(fd_, &si, sizeof(si)) == sizeof(si)) {
      const char* name = si.ssi_signo == SIGINT ? "SIGINT" : "SIGTERM";
      if (server_->shutting_down()) {
        Log(LogLevel::kWarning, "You insist... exiting now.");
        _exit(1);
      }
      if (server_->persistence().loading()) {
        // A half-loaded dataset must never be saved over the file it comes from: exit at
        // once without saving, as Redis does when a shutdown signal arrives during loading.
        Logf(LogLevel::kWarning, "Received %s during loading, exiting now without saving.", name);
        (void)server_->persistence().OnShutdown(false, true, true);
        fflush(nullptr);
        _exit(0);
      }
      Logf(LogLevel::kWarning, "Received %s scheduling shutdown...", name);
      // As SHUTDOWN without options: final AOF fsync and save when save points are set; a
      // failed save keeps the server running, as Redis does.
      if (!server_->persistence().OnShutdown(false, false, false).empty()) {
        Logf(LogLevel::kWarning,
             "%s received but errors trying to shut down the server, check the logs for more "
             "information",
             name);
        continue;
      }
      server_->RequestShutdown(0);
    }
  }

 private:
  Server* server_;
  int fd_ = -1;
};

void ServerStats::Ring::Add(int64_t now_ms, uint64_t value) {
  int64_t dt = now_ms - last_time_ms;
  if (last_time_ms != 0 && dt > 0) {
    samples[size_t(idx)] = int64_t((value - last_value) * 1000 / uint64_t(dt));
    idx = (idx + 1) % int(samples.size());
  }
  last_time_ms = now_ms;
  last_value = value;
}

double ServerStats::Ring::PerSecond() const {
  int64_t sum = 0;
  for (int64_t s : samples) sum += s;
  return double(sum) / double(samples.size());
}

namespace {

void CountError(void* arg, std::string_view msg) {
  auto* stats = static_cast<ServerStats*>(arg);
  stats->total_error_replies++;
  size_t sp = msg.find(' ');
  std::string_view code = msg.substr(0, sp);
  if (stats->error_counts.size() < 128 || stats->error_counts.count(std::string(code))) {
    stats->error_counts[std::string(code)]++;
  }
}

std::string RandomHex(size_t n) {
  std::random_device rd;
  std::string s;
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) s.push_back(kHex[rd() % 16]);
  return s;
}

}  // namespace

Server::Server(Config config, std::unique_ptr<Clock> clock)
    : config_(std::move(config)),
      clock_(clock ? std::move(clock) : std::make_unique<SystemClock>()) {
  clock_->Refresh();
  lazyfree_ = std::make_unique<LazyFreer>(&config_.values());
  keyspace_ = std::make_unique<Keyspace>(cfg().databases, clock_.get(), this);
  keyspace_->set_freer(lazyfree_.get());
  start_time_ms_ = clock_->NowMs();
  run_id_ = RandomHex(40);
  CommandTable& table = CommandTable::Instance();  // build the table before serving
  // rename-command (checked by Config when it read the file; a second Server in one process,
  // as in tests, finds them applied already).
  for (const auto& [from, to] : cfg().rename_command) (void)table.Rename(from, to);
  acl_ = std::make_unique<Acl>(this);
  persistence_ = std::make_unique<Persistence>(*this);
  evictor_ = std::make_unique<Evictor>(*this);
  ApplyConfigHooks();
}

Server::~Server() {
  clients_.clear();
  for (auto& l : listeners_) {
    close(l.fd);
    if (l.is_unix) unlink(l.addr.c_str());
  }
}

void Server::ApplyConfigHooks() {
  config_.OnApply("hz", [this](const ServerConfig& v) {
    loop_.SetPeriod(1000 / std::clamp(v.hz, 1, 500));
    return std::string();
  });
  config_.OnApply("loglevel",
                  [](const ServerConfig& v) { return ConfigureLog(v.loglevel, v.logfile); });
  config_.OnApply("requirepass", [this](const ServerConfig& v) {
    acl_->SetRequirePass(v.requirepass);  // the default user's only password (or nopass)
    return std::string();
  });
  // Eviction: the policy decides LRU or LFU access tracking; a lower maxmemory starts evicting
  // right after this command (in time-bounded slices between event-loop turns; never in the
  // middle of a MULTI that holds the CONFIG SET, as Redis 7.2).
  for (std::string_view name :
       {"maxmemory-policy", "lfu-log-factor", "lfu-decay-time", "maxmemory"}) {
    config_.OnApply(name, [this](const ServerConfig& v) {
      evictor_->ApplyConfig(v);
      if (v.maxmemory > 0) evictor_->EvictSoon();
      return std::string();
    });
  }
  // TLS: a new tls-port opens its listeners before the old ones close; new tls-* files build a
  // new context for new connections (those already connected keep theirs), as Redis does.
  config_.OnApply("tls-port", [this](const ServerConfig&) {
    int port = std::atoi(config_.GetValue("tls-port").c_str());
    if (port == tls_port_) return std::string();
    if (port == 0) {
      CloseTcpListeners(true);
      return std::string();
    }
    if (!tls_ctx_ && !ConfigureTls().empty()) {
      return std::string("Unable to update TLS configuration. Check server logs.");
    }
    if (std::string err = ListenTcpPort(port, true); !err.empty()) {
      Log(LogLevel::kWarning, err);
      return std::string("Unable to listen on this port. Check server logs.");
    }
    return std::string();
  });
  config_.OnApply("port", [this](const ServerConfig& v) {
    if (v.port == bound_port_) return std::string();
    if (v.port == 0) {
      CloseTcpListeners(false);
      return std::string();
    }
    if (std::string err = ListenTcpPort(v.port, false); !err.empty()) {
      Log(LogLevel::kWarning, err);
      return std::string("Unable to listen on this port. Check server logs.");
    }
    return std::string();
  });
  for (const char* name :
       {"tls-cert-file", "tls-key-file", "tls-key-file-pass", "tls-client-cert-file",
        "tls-client-key-file", "tls-client-key-file-pass", "tls-dh-params-file", "tls-ca-cert-file",
        "tls-ca-cert-dir", "tls-protocols", "tls-ciphers", "tls-ciphersuites",
        "tls-prefer-server-ciphers", "tls-session-caching", "tls-session-cache-size",
        "tls-session-cache-timeout"}) {
    config_.OnApply(name, [this](const ServerConfig&) {
      if (tls_port_ == 0 || ConfigureTls().empty()) return std::string();
      return std::string("Unable to update TLS configuration. Check server logs.");
    });
  }
  config_.OnApply("dir", [](const ServerConfig& v) {
    if (!v.dir.empty() && chdir(v.dir.c_str()) != 0) return std::string(strerror(errno));
    return std::string();
  });
}

std::string Server::Listen() {
  const ServerConfig& c = cfg();
  // Users (requirepass, `user` directives or the aclfile) before any client can connect.
  if (std::string err = acl_->LoadAtStartup(); !err.empty()) return err;
  int tls_port = std::atoi(config_.GetValue("tls-port").c_str());
  if (c.port != 0 || (c.unixsocket.empty() && tls_port == 0)) {
    std::string err = ListenTcp(c.bind, c.port, c.tcp_backlog, &listeners_);
    if (!err.empty()) return err;
  }
  if (!c.unixsocket.empty()) {
    ListenSocket ls;
    std::string err = ListenUnix(c.unixsocket, c.unixsocketperm, c.tcp_backlog, &ls);
    if (!err.empty()) return err;
    listeners_.push_back(ls);
  }
  bound_port_ = c.port;
  for (auto& l : listeners_) {
    acceptors_.push_back(std::make_unique<Acceptor>(this, l));
    loop_.Add(l.fd, EventLoop::kReadable, acceptors_.back().get());
  }
  if (tls_port != 0) {
    if (!ConfigureTls().empty()) return "Failed to configure TLS. Check logs for more info.";
    if (std::string err = ListenTcpPort(tls_port, true); !err.empty()) return err;
  }
  signals_ = std::make_unique<SignalHandler>(this);
  if (signals_->fd() >= 0) loop_.Add(signals_->fd(), EventLoop::kReadable, signals_.get());
  return "";
}

int Server::Run() {
  WritePidFile();
  loop_.SetTimer(1000 / std::clamp(cfg().hz, 1, 500), [this] { Cron(); });
  loop_.SetBeforeSleep([this] { BeforeSleep(); });
  loop_.SetAfterSleep([this] { clock_->Refresh(); });
  blocking_.AttachLoop(&loop_);
  Log(LogLevel::kNotice, "Ready to accept connections");
  loop_.Run();
  // Shutdown: flush what we can, then close everything.
  for (auto& [id, c] : clients_) c->Flush();
  if (!cfg().pidfile.empty()) unlink(cfg().pidfile.c_str());
  Log(LogLevel::kWarning, "Ember is now ready to exit, bye bye...");
  return exit_code_;
}

void Server::WritePidFile() {
  if (cfg().pidfile.empty()) return;
  FILE* fp = fopen(cfg().pidfile.c_str(), "w");
  if (fp) {
    fprintf(fp, "%d\n", int(getpid()));
    fclose(fp);
  }
}

void Server::AcceptClient(int fd, bool is_unix, bool tls) {
  stats_.total_connections_received++;
  if (connected_ >= size_t(cfg().maxclients) || (tls && !tls_ctx_)) {
    // A TLS peer would take plain text for a broken record: it is just closed.
    std::string msg = "-" + std::string(errors::kMaxClients) + "\r\n";
    if (!tls) (void)!write(fd, msg.data(), msg.size());
    close(fd);
    stats_.rejected_connections++;
    return;
  }
  if (!is_unix) ConfigureTcp(fd, cfg().tcp_keepalive);
  std::unique_ptr<Connection> conn;
  if (tls) {
    conn = std::make_unique<TlsConnection>(
        fd, *tls_ctx_, ParseTlsClientAuth(config_.GetValue("tls-auth-clients")));
  } else {
    conn = std::make_unique<Connection>(fd, is_unix);
  }
  bool denied = ProtectedModeDenies(*conn);
  uint64_t id = next_client_id_++;
  auto client = std::make_unique<Client>(this, id, std::move(conn));
  client->ctime_ms = client->last_interaction_ms = clock_->NowMs();
  client->reply().set_error_hook(&CountError, &stats_);
  Client* c = client.get();
  if (!loop_.Add(fd, EventLoop::kReadable, c)) return;
  clients_.emplace(id, std::move(client));
  connected_++;
  if (denied) {
    // Written raw (not an error reply: no errorstats), after the handshake on tls-port.
    c->obuf.append("-").append(errors::kProtectedModeDenied).append("\r\n");
    c->flags |= kClientCloseAfterReply;
    stats_.rejected_connections++;
    QueueWrite(c);
  }
}

// Redis checks the default user's nopass flag (requirepass, ACL SETUSER default, aclfile).
bool Server::DefaultUserNeedsNoPassword() const { return acl_->default_user()->nopass; }

// Redis 7.0's rule: any bind configuration; unix sockets and loopback peers are local.
bool Server::ProtectedModeDenies(const Connection& conn) const {
  if (!cfg().protected_mode || conn.is_unix() || !DefaultUserNeedsNoPassword()) return false;
  std::string_view peer = conn.peer();
  std::string_view ip = peer.substr(0, peer.rfind(':'));
  return !(ip.starts_with("127.") || ip == "::1");
}

std::string Server::ConfigureTls() {
  TlsSettings s;
  auto get = [this](const char* name) { return config_.GetValue(name); };
  s.cert_file = get("tls-cert-file");
  s.key_file = get("tls-key-file");
  s.key_file_pass = get("tls-key-file-pass");
  s.ca_cert_file = get("tls-ca-cert-file");
  s.ca_cert_dir = get("tls-ca-cert-dir");
  s.dh_params_file = get("tls-dh-params-file");
  s.auth_clients = get("tls-auth-clients");
  s.protocols = get("tls-protocols");
  s.ciphers = get("tls-ciphers");
  s.ciphersuites = get("tls-ciphersuites");
  s.prefer_server_ciphers = get("tls-prefer-server-ciphers") == "yes";
  s.session_caching = get("tls-session-caching") == "yes";
  s.session_cache_size = std::atoll(get("tls-session-cache-size").c_str());
  s.session_cache_timeout = std::atoll(get("tls-session-cache-timeout").c_str());
  std::string err;
  std::unique_ptr<TlsContext> ctx = TlsContext::Create(s, &err);
  if (!ctx) {
    Log(LogLevel::kWarning, err);
    return err;
  }
  tls_ctx_ = std::move(ctx);
  return "";
}

std::string Server::ListenTcpPort(int port, bool tls) {
  std::vector<ListenSocket> socks;
  std::string err = ListenTcp(cfg().bind, port, cfg().tcp_backlog, &socks);
  if (!err.empty()) return err;
  CloseTcpListeners(tls);
  for (ListenSocket& l : socks) {
    l.tls = tls;
    listeners_.push_back(l);
    acceptors_.push_back(std::make_unique<Acceptor>(this, l));
    loop_.Add(l.fd, EventLoop::kReadable, acceptors_.back().get());
  }
  (tls ? tls_port_ : bound_port_) = port;
  return "";
}

void Server::CloseTcpListeners(bool tls) {
  auto match = [tls](const ListenSocket& l) { return !l.is_unix && l.tls == tls; };
  std::erase_if(listeners_, match);
  for (auto it = acceptors_.begin(); it != acceptors_.end();) {
    if (!match((*it)->sock())) {
      ++it;
      continue;
    }
    loop_.Remove((*it)->sock().fd);
    close((*it)->sock().fd);
    (*it)->Retire();
    retired_acceptors_.push_back(std::move(*it));  // freed before sleeping
    it = acceptors_.erase(it);
  }
  (tls ? tls_port_ : bound_port_) = 0;
}

void Server::ReadBufferedInputs() {
  while (!buffered_reads_.empty()) {
    std::vector<Client*> batch;
    batch.swap(buffered_reads_);
    for (Client* c : batch) c->ReadBufferedInput();
  }
}

Client* Server::CreateFakeClient() {
  uint64_t id = next_client_id_++;
  auto client = std::make_unique<Client>(this, id, nullptr);
  client->ctime_ms = client->last_interaction_ms = clock_->NowMs();
  client->reply().set_error_hook(&CountError, &stats_);
  client->authenticated = true;
  client->user = acl_->default_user();
  Client* c = client.get();
  clients_.emplace(id, std::move(client));
  return c;
}

std::unique_ptr<Client> Server::CreateUnlistedClient() {
  auto client = std::make_unique<Client>(this, next_client_id_++, nullptr);
  client->ctime_ms = client->last_interaction_ms = clock_->NowMs();
  client->reply().set_error_hook(&CountError, &stats_);
  client->authenticated = true;
  client->user = acl_->default_user();
  return client;
}

Scripting& Server::scripting() {
  if (!scripting_) scripting_ = std::make_unique<Scripting>(this);
  return *scripting_;
}

bool Server::script_running() const { return scripting_ && scripting_->running(); }

uint64_t Server::FlagsOf(const CommandSpec& cmd, std::span<const std::string_view> args) {
  return cmd.runtime_flags ? cmd.runtime_flags(*this, cmd, args) : cmd.flags;
}

// Other clients' errors (-BUSY) must not make the script's own command look failed: the
// running Call's error mark moves by what was counted meanwhile.
void Server::ProcessEventsWhileBusy() {
  uint64_t errors_before = stats_.total_error_replies;
  loop_.PollOnce();
  int64_t now_ms = clock_->NowMs();
  for (Client* c : pending_writes_) {
    c->flags &= ~uint64_t(kClientPendingWrite);
    if (!c->closing() && !c->EnforceOutputLimits(now_ms)) c->Flush();
  }
  pending_writes_.clear();
  error_mark_ += stats_.total_error_replies - errors_before;
  // While a dataset loads at startup no request is running, so clients that went away can be
  // freed now (INFO connected_clients drops during a long load). A busy script's caller must
  // stay alive until the script returns, so not then.
  if (persistence_->loading()) FreeClosedClients();
}

Client* Server::FindClient(uint64_t id) {
  auto it = clients_.find(id);
  return it == clients_.end() || it->second->closing() ? nullptr : it->second.get();
}

void Server::FreeClient(Client* c) {
  c->flags |= kClientCloseAsap;
  close_pending_ = true;
  blocking_.RemoveClient(*c);  // leaves the wait lists (and INFO blocked_clients) at once
}

void Server::QueueWrite(Client* c) {
  c->SealOutputIfLarge();
  if (c->flags & kClientPendingWrite) return;
  c->flags |= kClientPendingWrite;
  pending_writes_.push_back(c);
}

void Server::AddMonitor(Client* c) {
  if (!(c->flags & kClientMonitor)) {
    c->flags |= kClientMonitor;
    monitors_.push_back(c);
  }
}

void Server::RemoveMonitor(Client* c) {
  monitors_.erase(std::remove(monitors_.begin(), monitors_.end(), c), monitors_.end());
  c->flags &= ~uint64_t(kClientMonitor);
}

// Active expiry runs in short slices so that no client waits long behind it: one slice per
// cron tick and, while the previous slice used its whole budget (expired keys are piling up),
// one more before sleeping at most every 2 ms — Redis's "fast cycle" idea. Together they can
// take about a third of the CPU under heavy TTL churn, yet no single slice exceeds ~1 ms.
void Server::RunActiveExpire() {
  int effort = std::clamp(cfg().active_expire_effort, 1, 10);
  int64_t budget = kExpireSliceUs + int64_t(effort - 1) * kExpireSliceUs / 9;
  int64_t start = SystemClock::MonotonicUs();
  keyspace_->ActiveExpire(budget);
  int64_t end = SystemClock::MonotonicUs();
  expire_backlog_ = end - start >= budget * 9 / 10;
  last_expire_slice_us_ = end;
}

void Server::BeforeSleep() {
  ReadBufferedInputs();  // TLS records already read: no readiness event will announce them
  retired_acceptors_.clear();
  if (expire_backlog_ && active_expire_enabled_ &&
      SystemClock::MonotonicUs() - last_expire_slice_us_ >= 2000) {
    RunActiveExpire();
  }
  // Blocked clients: due timeouts, keys made ready by the cron or timers, resumed input.
  blocking_.HandleTimeouts(clock_->NowMs());
  blocking_.Serve();
  blocking_.ArmTimer();
  tracking_.BroadcastPending();  // BCAST invalidations collected during this turn
  // The AOF is written (and with appendfsync always, synced) before any reply of this turn
  // leaves, so an acknowledged write is durable.
  persistence_->BeforeSleep();
  int64_t now_ms = clock_->NowMs();
  for (Client* c : pending_writes_) {
    c->flags &= ~uint64_t(kClientPendingWrite);
    // Output-buffer limits are checked on what this turn queued, before any of it is written
    // (as Redis checks while appending): an oversized reply is never partly sent.
    if (!c->closing() && !c->EnforceOutputLimits(now_ms)) c->Flush();
  }
  pending_writes_.clear();
  if (!paused_.empty() && pause_until_ms_ <= clock_->NowMs()) UnpauseClients();
  FreeClosedClients();
}

void Server::FreeClosedClients() {
  if (!close_pending_) return;
  close_pending_ = false;
  for (auto it = clients_.begin(); it != clients_.end();) {
    Client* c = it->second.get();
    if (!(c->flags & kClientCloseAsap)) {
      ++it;
      continue;
    }
    if (c->flags & kClientMonitor) RemoveMonitor(c);
    watches_.UnwatchAll(*c);
    blocking_.RemoveClient(*c);
    pubsub_.RemoveClient(*c);
    tracking_.RemoveClient(*c);
    paused_.erase(std::remove(paused_.begin(), paused_.end(), c), paused_.end());
    std::erase(buffered_reads_, c);
    if (c->conn()) {
      loop_.Remove(c->conn()->fd());
      connected_--;
    }
    it = clients_.erase(it);
  }
}

void Server::RequestShutdown(int exit_code) {
  shutdown_requested_ = true;
  exit_code_ = exit_code;
  loop_.Stop();
}

void Server::PauseClients(int64_t until_ms, bool all) {
  pause_until_ms_ = std::max(pause_until_ms_, until_ms);
  pause_all_ = pause_all_ || all;
  keyspace_->SetExpireSuspended(true);  // no lazy (nor active, see Cron) expiry while paused
}

void Server::UnpauseClients() {
  pause_until_ms_ = 0;
  pause_all_ = false;
  keyspace_->SetExpireSuspended(false);
  std::vector<Client*> resume;
  resume.swap(paused_);
  for (Client* c : resume) {
    c->flags &= ~uint64_t(kClientPaused);
    if (!c->closing()) c->ProcessInput();
  }
}

bool Server::IsPaused(const CommandSpec& cmd, std::span<const std::string_view> args,
                      uint64_t extra_flags) {
  if (pause_until_ms_ <= clock_->NowMs()) return false;
  if (pause_all_) return true;
  // Runtime flags (a script's) are only worked out while a write pause is on.
  return ((FlagsOf(cmd, args) | extra_flags) & (kCmdWrite | kCmdMayReplicate)) != 0;
}

void Server::ResetStats() {
  stats_.total_connections_received = 0;
  stats_.total_commands_processed = 0;
  stats_.rejected_connections = 0;
  stats_.net_input_bytes = stats_.net_output_bytes = 0;
  stats_.total_error_replies = 0;
  stats_.unexpected_error_replies = 0;
  stats_.total_reads_processed = stats_.total_writes_processed = 0;
  stats_.client_query_buffer_limit_disconnections = 0;
  stats_.client_output_buffer_limit_disconnections = 0;
  stats_.error_counts.clear();
  KeyspaceStats& ks = keyspace_->stats();
  ks = KeyspaceStats{};
  evictor_->ResetStats();
  lazyfree_->ResetStats();
  acl_->ResetStats();
  for (const auto& cmd : CommandTable::Instance().commands()) {
    cmd->stats = {};
    for (const auto& sub : cmd->subcommands) sub->stats = {};
  }
}

void Server::OnExpired(int db, std::string_view key) {
  NotifyKeyspaceEvent(*this, kNotifyExpired, "expired", key, db);
  tracking_.OnExpired(key);
  expiring_ = true;
  PropagateExpiredKey(db, key);
}

void Server::PropagateExpiredKey(int db, std::string_view key) {
  // Nothing read from a file while loading is propagated (it is there already).
  if (!propagator_.has_targets() || persistence_->loading()) return;
  bool lazy = cfg().lazyfree_lazy_expire;
  propagator_.Add(db, {lazy ? "UNLINK" : "DEL", std::string(key)});
  // Inside a command the DEL goes out with it (Redis 7.0 wraps both in MULTI/EXEC); active
  // expiry and other deletions outside a command are delivered one by one at once.
  if (call_depth_ == 0) propagator_.Flush(false);
}
void Server::OnEvicted(int db, std::string_view key) {
  NotifyEvicted(*this, db, key);
  expiring_ = true;  // as for expiry: the OnModified that follows is not a change to save
  if (!propagator_.has_targets() || persistence_->loading()) return;
  propagator_.Add(db, {cfg().lazyfree_lazy_eviction ? "UNLINK" : "DEL", std::string(key)});
  if (call_depth_ == 0) propagator_.Flush(false);  // outside a command: delivered at once
}
void Server::OnKeyAdded(int db, std::string_view key) {
  if (persistence_->loading()) return;  // keys read from a file are not "new" events
  NotifyKeyspaceEvent(*this, kNotifyNew, "new", key, db);
}
void Server::OnKeyMiss(int db, std::string_view key) {
  NotifyKeyspaceEvent(*this, kNotifyKeyMiss, "keymiss", key, db);
}
void Server::OnFieldsExpired(int db, std::string_view key, bool key_deleted) {
  NotifyKeyspaceEvent(*this, kNotifyHash, "hexpired", key, db);
  if (key_deleted) NotifyKeyspaceEvent(*this, kNotifyGeneric, "del", key, db);
  // Fields whose TTL passed are not named here: they replay as the HPEXPIREAT that set them
  // (absolute times) and expire again on the target; a hash emptied by them propagates DEL.
  if (key_deleted) PropagateExpiredKey(db, key);
}
void Server::OnModified(int db, std::string_view key) {
  if (expiring_) {
    expiring_ = false;  // a key deleted by expiry is not a change to save (Redis)
  } else {
    dirty_++;
  }
  watches_.Touch(db, key);
  blocking_.OnModified(db, key);
  tracking_.OnModified(key);
}
void Server::FlushForFullSync() { keyspace_->FlushAll(cfg().replica_lazy_flush); }

bool Server::OnFlush(int db, size_t keys) {
  // Per-key news matter only to WATCH, blocked clients and client-side caching; without any of
  // them a flush counts one change per key (as Redis's dirty) and skips the walk over the keys.
  if (watches_.watched_keys() != 0 || blocking_.blocking_keys() != 0 || tracking_.active()) {
    return true;
  }
  dirty_ += keys;
  return false;
}
void Server::OnSwapDb(int a, int b) {
  watches_.TouchSwap(keyspace_->db(a), keyspace_->db(b));
  blocking_.OnSwapDb(a, b);
}

void Server::HandleTimeouts() {
  int timeout = cfg().timeout;
  if (timeout <= 0) return;
  int64_t now = clock_->NowMs();
  for (auto& [id, c] : clients_) {
    if (!c->conn() || c->closing()) continue;
    if (c->flags & (kClientMonitor | kClientPubSub | kClientBlocked)) continue;
    if (now - c->last_interaction_ms > int64_t(timeout) * 1000) {
      Log(LogLevel::kVerbose, "Closing idle client");
      c->CloseAsync();
    }
  }
}

void Server::Cron() {
  clock_->Refresh();
  cronloops_++;
  persistence_->Cron();
  int hz = std::clamp(cfg().hz, 1, 500);
  int64_t now = clock_->NowMs();
  stats_.ops_ring.Add(now, stats_.total_commands_processed);
  stats_.net_in_ring.Add(now, stats_.net_input_bytes);
  stats_.net_out_ring.Add(now, stats_.net_output_bytes);
  (void)UsedMemory();  // samples used_memory_peak (cheap: see server/used_memory.h)
  if (cronloops_ % uint64_t(hz) == 0) {
    HandleTimeouts();
    for (auto& [id, c] : clients_) c->qbuf.ShrinkIfIdle(32 * 1024);
    // A client that stopped reading gets no new output to trigger the check: soft limits.
    for (auto& [id, c] : clients_) {
      if (c->has_pending_output()) c->EnforceOutputLimits(now);
    }
  }
  keyspace_->Cron(kCronRehashUs);
  if (active_expire_enabled_ && pause_until_ms_ <= now) RunActiveExpire();
  tracking_.EnforceLimit();  // tracking-table-max-keys, even when no command arrives
  if (!paused_.empty() && pause_until_ms_ <= now) UnpauseClients();
  blocking_.HandleTimeouts(now);
  blocking_.Serve();
}

void Server::FeedMonitors(Client& c, std::span<const std::string_view> args) {
  int64_t us = clock_->NowUs();
  char head[96];
  std::string addr = c.conn() ? c.conn()->peer() : (c.id ? "lua" : "?");
  snprintf(head, sizeof(head), "%lld.%06lld [%d ", static_cast<long long>(us / 1000000),
           static_cast<long long>(us % 1000000), c.db_index);
  std::string line = head;
  line += addr;
  line += "]";
  for (std::string_view a : args) {
    line += " \"";
    for (unsigned char ch : a) {
      switch (ch) {
        case '\\':
          line += "\\\\";
          break;
        case '"':
          line += "\\\"";
          break;
        case '\n':
          line += "\\n";
          break;
        case '\r':
          line += "\\r";
          break;
        case '\t':
          line += "\\t";
          break;
        case '\a':
          line += "\\a";
          break;
        case '\b':
          line += "\\b";
          break;
        default:
          if (isprint(ch)) {
            line.push_back(char(ch));
          } else {
            char hx[8];
            snprintf(hx, sizeof(hx), "\\x%02x", ch);
            line += hx;
          }
      }
    }
    line += "\"";
  }
  for (Client* m : monitors_) {
    if (m == &c || m->closing()) continue;
    m->reply().SimpleString(line);
    QueueWrite(m);
  }
}

void Server::RecordSlowlog(Client& c, std::span<const std::string_view> args, int64_t us) {
  int64_t threshold = cfg().slowlog_log_slower_than;
  if (threshold < 0 || us < threshold) return;
  SlowlogEntry e;
  e.id = slowlog_next_id_++;
  e.time_sec = clock_->NowMs() / 1000;
  e.duration_us = us;
  size_t n = std::min<size_t>(args.size(), 32);
  for (size_t i = 0; i < n; i++) {
    if (n == 32 && i == 31) {
      e.args.push_back("... (" + std::to_string(args.size() - 31) + " more arguments)");
      break;
    }
    std::string_view a = args[i];
    if (a.size() > 128) {
      e.args.push_back(std::string(a.substr(0, 128)) + "... (" + std::to_string(a.size() - 128) +
                       " more bytes)");
    } else {
      e.args.emplace_back(a);
    }
  }
  e.peer = c.conn() ? c.conn()->peer() : "";
  e.client_name = c.name;
  slowlog_.push_front(std::move(e));
  while (int64_t(slowlog_.size()) > std::max<int64_t>(cfg().slowlog_max_len, 0)) {
    slowlog_.pop_back();
  }
}

void Server::QueuePropagation(Client& c, const CommandSpec& cmd,
                              std::span<const std::string_view> args, CommandContext& ctx,
                              uint64_t dirty_before) {
  if (!propagator_.has_targets() || persistence_->loading()) return;
  CommandContext::PropagationRequest& req = ctx.propagation();
  for (auto& argv : req.also) propagator_.Add(c.db_index, std::move(argv));
  // EXEC and scripts never propagate themselves: the commands they ran did.
  if (req.prevented || IsExecCommand(cmd)) return;
  if (req.rewritten) {
    if (!req.own.empty()) propagator_.Add(c.db_index, std::move(req.own));
    return;
  }
  if (dirty_ == dirty_before || !(cmd.has(kCmdWrite) || cmd.has(kCmdMayReplicate))) return;
  propagator_.Add(c.db_index, std::vector<std::string>(args.begin(), args.end()));
}

void Server::PrefetchKeys(Client& c, std::span<const std::string_view> args, int stage) {
  if (args.size() < 2) return;
  const CommandSpec* cmd = CommandTable::Instance().Find(args[0]);
  if (!cmd || cmd->key_specs.empty() || !cmd->key_specs[0].bs_keyword.empty()) return;
  size_t idx = size_t(cmd->key_specs[0].bs_index);
  if (idx >= args.size()) return;
  const Dict& dict = keyspace_->db(c.db_index).dict();
  if (stage == 0)
    dict.PrefetchBucket(args[idx]);
  else
    dict.PrefetchEntry(args[idx]);
}

void Server::RejectCommand(Client& c, const CommandSpec* cmd, std::string_view error) {
  if (cmd) cmd->stats.rejected_calls++;
  if (cmd && IsExecCommand(*cmd)) {
    // A refused EXEC ends the transaction, quoting why (without the generic "ERR " code).
    if (error.starts_with("ERR ")) error.remove_prefix(4);
    c.reply().Error(errors::ExecAbortBecause(error));
    return DiscardTransaction(watches_, c);
  }
  c.reply().Error(error);
  FlagTransaction(c);
}

void Server::Execute(Client& c, std::span<const std::string_view> args) {
  // Pushes meant for c itself (it published to itself) are appended after its reply.
  PubSub::CommandScope pubsub_scope(pubsub_, c);
  Tracking::CommandScope tracking_scope(tracking_, c);  // current client for client caching
  const CommandTable& table = CommandTable::Instance();
  const CommandSpec* cmd = table.Find(args[0]);
  if (!cmd) {
    return RejectCommand(c, nullptr,
                         errors::UnknownCommand(args[0], args.data() + 1, args.size() - 1));
  }
  if (!cmd->subcommands.empty() && args.size() >= 2) {
    const CommandSpec* sub = table.FindSub(cmd, args[1]);
    if (!sub) return RejectCommand(c, cmd, errors::UnknownSubcommand(args[1], cmd->name));
    cmd = sub;
  }
  int argc = int(args.size());
  if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
    return RejectCommand(c, cmd, errors::WrongArity(cmd->name));
  }
  if (!c.authenticated && acl_->AuthRequired() && !cmd->has(kCmdNoAuth)) {
    return RejectCommand(c, cmd, errors::kNoAuth);
  }
  bool in_multi = c.flags & kClientMulti;
  if (in_multi && cmd->has(kCmdNoMulti)) return RejectCommand(c, cmd, errors::kNotAllowedInMulti);
  if ((c.flags & kClientPubSub) && c.reply().resp() == 2 && !AllowedWhileSubscribed(*cmd)) {
    return RejectCommand(c, cmd, errors::SubscribedContext(cmd->name));
  }
  // While a dataset loads (startup), only commands flagged `loading` run.
  if (!cmd->has(kCmdLoading) && persistence_->loading()) {
    return RejectCommand(c, cmd, errors::kLoading);
  }
  if (script_busy_) {  // a script runs past busy-reply-threshold (scripting/scripting.h)
    std::string_view busy = scripting_->BusyReject(*cmd, args);
    if (!busy.empty()) return RejectCommand(c, cmd, busy);
  }
  // The ACL and OOM checks (and READONLY, with replication) reply through RejectCommand, so a
  // command refused while queueing fails the transaction (EXEC then: ExecAbortBecause).
  // ACL: users allowed everything (the default user out of the box) skip the check.
  if (!c.user->unrestricted) {
    AclVerdict v = acl_->CheckAndLog(c, *cmd, args, in_multi ? "multi" : "toplevel");
    if (!v.ok()) return RejectCommand(c, cmd, AclDeniedError(*c.user, *cmd, v.denied));
  }
  uint64_t queued_flags = in_multi && c.tx && IsExecCommand(*cmd) ? c.tx->queue.flags() : 0;
  // maxmemory: evict first, then refuse what may grow memory if still over (eviction.h).
  if (cfg().maxmemory > 0 && evictor_->RefuseCommand(c, *cmd, args, queued_flags)) {
    return RejectCommand(c, cmd, errors::kOom);
  }
  // Persistence errors (-MISCONF: stop-writes-on-bgsave-error after a failed BGSAVE, AOF write
  // errors) refuse write commands, EXEC of a transaction holding one, and PING, as Redis does.
  if (cmd->has(kCmdWrite) || (queued_flags & kCmdWrite) != 0 || cmd->name == "ping") {
    std::string_view refusal = persistence_->WriteRefusal();
    if (!refusal.empty()) return RejectCommand(c, cmd, refusal);
  }
  if (IsPaused(*cmd, args, queued_flags) && c.conn()) {
    c.flags |= kClientPaused;
    paused_.push_back(&c);
    return;
  }
  if (in_multi && !RunsImmediatelyInMulti(*cmd)) return QueueCommand(c, *cmd, args);

  size_t reply_mark = c.obuf.size();
  if (c.flags & kClientReplySkipNext) {
    c.flags = (c.flags & ~uint64_t(kClientReplySkipNext)) | kClientReplySkip;
  }
  Call(c, *cmd, args);
  if (c.flags & (kClientReplyOff | kClientReplySkip)) {
    c.obuf.resize(reply_mark);
    c.flags &= ~uint64_t(kClientReplySkip);
  }
}

// A command fails when its handler replied an error after the mark. The mark is a member, not
// a local, because EXEC's inner Calls move it: EXEC then fails only for an error of its own
// (EXECABORT), not for one of its commands', as in Redis.
void Server::Call(Client& c, const CommandSpec& cmd, std::span<const std::string_view> args) {
  // MONITOR shows a command before its effects, except EXEC, which Redis shows after the
  // commands it ran.
  bool feed = !monitors_.empty() && !cmd.has(kCmdSkipMonitor) && !cmd.has(kCmdAdmin);
  if (c.block && c.block->retrying) feed = false;  // a blocked command is shown once
  bool exec = feed && IsExecCommand(cmd);
  if (feed && !exec) FeedMonitors(c, args);

  error_mark_ = stats_.total_error_replies;
  int64_t start = SystemClock::MonotonicUs();
  CommandContext ctx(*this, c, cmd, args);
  uint64_t dirty_before = dirty_;
  call_depth_++;
  {
    Tracking::CallScope tracking_call(tracking_, cmd, args);  // remembers keys read
    cmd.handler(ctx);
  }
  call_depth_--;
  int64_t dur = SystemClock::MonotonicUs() - start;
  if (!(c.flags & kClientBlocked)) QueuePropagation(c, cmd, args, ctx, dirty_before);
  // Everything one top-level command (with what EXEC or a script ran) changed goes out
  // together.
  if (call_depth_ == 0 && propagator_.pending() != 0) propagator_.Flush();
  // used_memory_peak after every command, before anything can free what it built (as Redis).
  if (call_depth_ == 0) (void)UsedMemory();
  if (c.flags & kClientBlocked) {  // counted once, when it completes (blocking.h)
    c.last_cmd = &cmd;
    return;
  }

  if (exec && !monitors_.empty()) FeedMonitors(c, args);
  cmd.stats.calls++;
  cmd.stats.usec += uint64_t(dur);
  if (stats_.total_error_replies != error_mark_) cmd.stats.failed_calls++;
  error_mark_ = stats_.total_error_replies;
  stats_.total_commands_processed++;
  c.commands_processed++;
  c.last_cmd = &cmd;
  c.last_interaction_ms = clock_->NowMs();
  if (!cmd.has(kCmdSkipSlowlog)) RecordSlowlog(c, args, dur);
}

}  // namespace ember
