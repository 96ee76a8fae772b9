// Server: owns everything of one ember-server process — config, clock, keyspace, event loop,
// listeners, clients, statistics — and runs the dispatcher that every request goes through.
//
// Dispatch order (Execute): lookup in the command table (unknown command/subcommand) → arity →
// auth → no-multi → (later: ACL, OOM, loading) → CLIENT PAUSE → MULTI queueing → Call: handler
// and bookkeeping (commandstats, errorstats, slowlog, MONITOR feed). A request rejected by a
// check while its client is in MULTI also fails the transaction. EXEC runs each queued command
// through Call. Handlers only see a CommandContext.
//
// Cron (hz times a second): clock refresh, client timeouts, incremental rehash, active expiry,
// instantaneous metrics. Before each sleep: pending replies are written in one batch and
// clients marked for closing are freed. Clients blocked on keys (BLPOP & co., blocking.h) are
// served after each top-level request and before sleeping, and timed out by cron and a timer.
// Ownership: main() owns the Server. Thread: the command thread; nothing else touches it.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/clock.h"
#include "core/db.h"
#include "net/event_loop.h"
#include "net/listener.h"
#include "server/acl.h"
#include "server/blocking.h"
#include "server/client.h"
#include "server/config.h"
#include "server/multi.h"
#include "server/propagate.h"
#include "server/pubsub.h"
#include "server/tracking.h"

namespace ember {

struct CommandSpec;
class CommandContext;
class Scripting;
class Persistence;
class Evictor;
class TlsContext;
class LazyFreer;

// Counters for INFO stats.
struct ServerStats {
  uint64_t total_connections_received = 0;
  uint64_t total_commands_processed = 0;
  uint64_t rejected_connections = 0;
  uint64_t net_input_bytes = 0;
  uint64_t net_output_bytes = 0;
  uint64_t total_error_replies = 0;
  uint64_t unexpected_error_replies = 0;
  uint64_t total_reads_processed = 0;
  uint64_t total_writes_processed = 0;
  uint64_t client_query_buffer_limit_disconnections = 0;
  uint64_t client_output_buffer_limit_disconnections = 0;
  std::map<std::string, uint64_t> error_counts;  // errorstats: "ERR" -> count
  // Instantaneous metrics: ring of (time_ms, counter) samples taken by cron.
  struct Ring {
    std::array<int64_t, 16> samples{};
    int idx = 0;
    int64_t last_time_ms = 0;
    uint64_t last_value = 0;
    void Add(int64_t now_ms, uint64_t value);
    double PerSecond() const;
  };
  Ring ops_ring, net_in_ring, net_out_ring;
};

// SLOWLOG entries.
struct SlowlogEntry {
  uint64_t id;
  int64_t time_sec;
  int64_t duration_us;
  std::vector<std::string> args;  // truncated like Redis (32 args, 128 bytes each)
  std::string peer;
  std::string client_name;
};

class Server : public KeyspaceObserver {
 public:
  explicit Server(Config config, std::unique_ptr<Clock> clock = nullptr);
  ~Server() override;

  // Opens listeners and registers the cron. Returns "" or an error to print before exiting.
  std::string Listen();
  // Runs the event loop until shutdown. Returns the process exit code.
  int Run();

  // --- dispatcher ---
  // Executes one request for client c (args[0] is the command name) and appends the reply to
  // the client's output buffer.
  void Execute(Client& c, std::span<const std::string_view> args);
  // Runs one command that passed the dispatcher's checks: MONITOR feed, handler, commandstats,
  // slowlog. EXEC calls it for each queued command.
  void Call(Client& c, const CommandSpec& cmd, std::span<const std::string_view> args);

  // Prefetch hint for a request about to run: stage 0 touches the bucket slot of its first
  // key, stage 1 the first entry of that bucket. Never changes anything.
  void PrefetchKeys(Client& c, std::span<const std::string_view> args, int stage);

  // --- accessors for command families ---
  Config& config() { return config_; }
  const ServerConfig& cfg() const { return config_.values(); }
  Keyspace& keyspace() { return *keyspace_; }
  // The background freer of big values, flushed tables and old interpreters (lazyfree.h).
  LazyFreer& lazyfree() { return *lazyfree_; }
  // Empties every database before a replica loads its master's dataset on a full sync:
  // in the background when replica-lazy-flush is on. Replication (not there yet) calls it.
  void FlushForFullSync();
  Clock& clock() { return *clock_; }
  EventLoop& loop() { return loop_; }
  ServerStats& stats() { return stats_; }
  int64_t start_time_ms() const { return start_time_ms_; }
  uint64_t cron_loops() const { return cronloops_; }
  const std::string& run_id() const { return run_id_; }
  int tcp_port() const { return bound_port_; }
  int tls_port() const { return tls_port_; }
  const std::vector<ListenSocket>& listeners() const { return listeners_; }

  // Clients, ordered by id (= creation order).
  const std::map<uint64_t, std::unique_ptr<Client>>& clients() const { return clients_; }
  Client* FindClient(uint64_t id);
  // Creates a client without a connection (tests, scripting, AOF loading).
  Client* CreateFakeClient();
  void FreeClient(Client* c);
  // Marks a client for writing in the before-sleep batch.
  void QueueWrite(Client* c);
  // Marks a client whose connection holds input above the socket (TLS): it reads again before
  // the loop sleeps, since no readiness event will announce that input.
  void QueueBufferedRead(Client* c) { buffered_reads_.push_back(c); }
  // Protected mode's condition on credentials: true while the default user can log in without
  // a password. (ACL: switch this to Acl::DefaultUserNoPass() when the ACL module lands.)
  bool DefaultUserNeedsNoPassword() const;
  size_t connected_clients() const { return connected_; }
  // INFO blocked_clients: blocked on keys, or held by CLIENT PAUSE (Redis counts both).
  size_t blocked_clients() const { return blocking_.blocked_clients() + paused_.size(); }
  // Clients blocked on keys (BLPOP & co.): wait lists, ready keys, deadlines.
  BlockingManager& blocking() { return blocking_; }

  // Channel and pattern subscriptions, message delivery.
  PubSub& pubsub() { return pubsub_; }

  // Client-side caching: tracked keys, BCAST prefixes, invalidations (CLIENT TRACKING).
  Tracking& tracking() { return tracking_; }

  // Users, permissions, authentication, ACL LOG (server/acl.h).
  Acl& acl() { return *acl_; }

  // WATCHed keys of all clients (transactions).
  WatchRegistry& watches() { return watches_; }

  // RDB, AOF and loading (persistence/persistence.h).
  Persistence& persistence() { return *persistence_; }
  // maxmemory eviction and the OOM check (server/eviction.h).
  Evictor& evictor() { return *evictor_; }
  // Effects of write commands on their way to the AOF / replicas (server/propagate.h).
  Propagator& propagator() { return propagator_; }
  // Changes to the dataset since startup (Redis's server.dirty): every modified key counts
  // one; save points and rdb_changes_since_last_save read it.
  // Keys deleted by expiry do not count (as in Redis).
  uint64_t dirty() const { return dirty_; }
  void AddDirty(uint64_t n) { dirty_ += n; }
  // Takes back changes counted per key where Redis counts the command once (LMOVE: 2 keys).
  void UncountDirty(uint64_t n) { dirty_ -= n < dirty_ ? n : dirty_; }
  // Nesting depth of Call (0: no command runs; EXEC and scripts call commands at depth > 1).
  int call_depth() const { return call_depth_; }

  // MONITOR support.
  void AddMonitor(Client* c);
  void RemoveMonitor(Client* c);

  // Lua scripts and functions (scripting/scripting.h), created on first use.
  Scripting& scripting();
  Scripting* scripting_if_created() { return scripting_.get(); }
  // True while a Lua script or function is running (commands it calls see this).
  bool script_running() const;
  // cmd's flags for this request (CommandSpec::runtime_flags when the row has one).
  uint64_t FlagsOf(const CommandSpec& cmd, std::span<const std::string_view> args);
  // Creates a client without a connection that is not listed among the clients (CLIENT LIST,
  // INFO): the script client. The caller owns it.
  std::unique_ptr<Client> CreateUnlistedClient();
  // True while a script runs past busy-reply-threshold: the dispatcher answers -BUSY.
  bool script_busy() const { return script_busy_; }
  // True while CLIENT PAUSE holds clients (nothing may change the dataset: no eviction).
  bool clients_paused() const { return pause_until_ms_ > clock_->NowMs(); }
  void set_script_busy(bool busy) { script_busy_ = busy; }
  // Called from a busy script's hook: serves ready sockets once without waiting (other
  // clients get -BUSY or run allow-busy commands) and writes their replies.
  void ProcessEventsWhileBusy();
  // Makes the running command count as failed although its error reply was not counted in
  // errorstats (a script returning the error of a command it called, counted there).
  void MarkCallFailed() { error_mark_ = ~uint64_t(0); }
  // Errors replied so far belong to commands nested in the running one (a script's refused
  // redis.call): they do not make the running command count as failed.
  void SettleCallErrors() { error_mark_ = stats_.total_error_replies; }

  // SLOWLOG.
  std::deque<SlowlogEntry>& slowlog() { return slowlog_; }
  uint64_t& slowlog_next_id() { return slowlog_next_id_; }

  // CLIENT PAUSE: until `until_ms`, writes (or all commands) wait.
  void PauseClients(int64_t until_ms, bool all);
  void UnpauseClients();
  // `extra_flags`: flags of the commands an EXEC would run (EXEC waits when it holds a write).
  bool IsPaused(const CommandSpec& cmd, std::span<const std::string_view> args = {},
                uint64_t extra_flags = 0);

  // SHUTDOWN: stops the loop after this turn. Returns false if refused (ABORT handling).
  void RequestShutdown(int exit_code);
  bool shutting_down() const { return shutdown_requested_; }

  // Resets INFO stats (CONFIG RESETSTAT).
  void ResetStats();

  // KeyspaceObserver
  void OnExpired(int db, std::string_view key) override;
  void OnModified(int db, std::string_view key) override;
  void OnSwapDb(int a, int b) override;
  void OnKeyAdded(int db, std::string_view key) override;
  void OnKeyMiss(int db, std::string_view key) override;
  void OnFieldsExpired(int db, std::string_view key, bool key_deleted) override;
  bool OnFlush(int db, size_t keys) override;
  void OnEvicted(int db, std::string_view key) override;

  // DEBUG SET-ACTIVE-EXPIRE.
  void set_active_expire(bool on) { active_expire_enabled_ = on; }
  bool active_expire() const { return active_expire_enabled_; }

  // Runs one cron tick (exposed for tests).
  void Cron();

 private:
  class Acceptor;
  class SignalHandler;
  static constexpr int64_t kCronRehashUs = 500;    // background rehash per cron tick
  static constexpr int64_t kExpireSliceUs = 1000;  // one active-expiry slice at effort 1
  void BeforeSleep();
  // Frees the clients marked kClientCloseAsap (before sleeping, and while loading).
  void FreeClosedClients();
  void RunActiveExpire();
  void AcceptClient(int fd, bool is_unix, bool tls);
  // protected-mode: a client from a non-loopback address while the default user needs no
  // password is refused with -DENIED (after the TLS handshake, on tls-port).
  bool ProtectedModeDenies(const Connection& conn) const;
  // TLS (net/tls.h): builds the context from the tls-* directives, and reads the input TLS
  // connections hold above their sockets.
  std::string ConfigureTls();
  // TCP listeners on `port` for the bind addresses, replacing those of the same kind (plain or
  // TLS) once they are open: CONFIG SET port / tls-port (0 closes them).
  std::string ListenTcpPort(int port, bool tls);
  void CloseTcpListeners(bool tls);
  void ReadBufferedInputs();
  void HandleTimeouts();
  void FeedMonitors(Client& c, std::span<const std::string_view> args);
  void RecordSlowlog(Client& c, std::span<const std::string_view> args, int64_t us);
  // Queues what the command just run propagates (its argv, or the handler's rewrite).
  void QueuePropagation(Client& c, const CommandSpec& cmd, std::span<const std::string_view> args,
                        CommandContext& ctx, uint64_t dirty_before);
  // Propagates the deletion of an expired key (DEL, or UNLINK with lazyfree-lazy-expire).
  void PropagateExpiredKey(int db, std::string_view key);
  // Replies a dispatcher check's error; the transaction of a client in MULTI fails with it.
  void RejectCommand(Client& c, const CommandSpec* cmd, std::string_view error);
  void ResumePausedClients();
  void WritePidFile();
  void ApplyConfigHooks();

  Config config_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<LazyFreer> lazyfree_;  // before keyspace_: outlives the Dbs that use it
  std::unique_ptr<Keyspace> keyspace_;
  EventLoop loop_;
  ServerStats stats_;
  std::vector<ListenSocket> listeners_;
  std::vector<std::unique_ptr<Acceptor>> acceptors_;
  std::vector<std::unique_ptr<Acceptor>> retired_acceptors_;  // closed this turn (tls-port)
  std::unique_ptr<SignalHandler> signals_;
  std::map<uint64_t, std::unique_ptr<Client>> clients_;
  std::vector<Client*> pending_writes_;
  std::vector<Client*> buffered_reads_;  // QueueBufferedRead
  std::unique_ptr<TlsContext> tls_ctx_;  // null until tls-port is configured
  int tls_port_ = 0;
  std::vector<Client*> monitors_;
  WatchRegistry watches_;
  BlockingManager blocking_{this};
  PubSub pubsub_{this};
  Tracking tracking_{this};
  uint64_t error_mark_ = 0;  // total_error_replies when the current Call's handler started
  std::deque<SlowlogEntry> slowlog_;
  uint64_t slowlog_next_id_ = 0;
  uint64_t next_client_id_ = 1;
  size_t connected_ = 0;
  bool close_pending_ = false;
  int64_t start_time_ms_ = 0;
  uint64_t cronloops_ = 0;
  std::string run_id_;
  int bound_port_ = 0;
  bool shutdown_requested_ = false;
  bool active_expire_enabled_ = true;
  bool expire_backlog_ = false;
  int64_t last_expire_slice_us_ = 0;
  int exit_code_ = 0;
  int64_t pause_until_ms_ = 0;
  bool pause_all_ = false;
  std::vector<Client*> paused_;
  std::unique_ptr<Scripting> scripting_;
  bool script_busy_ = false;
  Propagator propagator_;
  uint64_t dirty_ = 0;
  int call_depth_ = 0;
  bool expiring_ = false;  // OnExpired ran: the OnModified that follows is not a change
  std::unique_ptr<Evictor> evictor_;
  std::unique_ptr<Acl> acl_;                  // before clients are created; reads config_
  std::unique_ptr<Persistence> persistence_;  // last: its parts reach into the members above
};

}  // namespace ember
