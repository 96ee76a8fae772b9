// Config: every redis.conf directive Ember knows, in one declarative table, and the typed
// values the rest of the server reads (ServerConfig). Sources, in order: a config file (or "-"
// for stdin) with redis.conf syntax — quoted strings, `include`, memory units (1k, 1kb, 512mb,
// 1gb, case-insensitive), yes/no booleans — then `--directive value ...` command-line options,
// exactly as redis-server accepts them. CONFIG GET (glob patterns, several at once), CONFIG SET
// (several pairs, validated all-or-nothing, with apply hooks that can fail and roll back),
// CONFIG REWRITE (rewrites the file in place keeping comments and unknown lines, as Redis
// does) and CONFIG RESETSTAT (a hook) are served from the same table.
//
// Directives that later issues give behaviour to (save, appendonly, maxmemory, ...) are
// accepted, validated and stored now, so redis-server command lines start unchanged.
// Ownership: the Server owns one Config. Thread: command thread only.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ember {

// Typed values, read directly on hot paths. Field names follow the directive names.
struct ServerConfig {
  // network
  int port = 6379;
  std::vector<std::string> bind = {"*", "-::*"};
  std::string unixsocket;
  int unixsocketperm = 0;  // octal in the file, e.g. 700
  bool protected_mode = true;
  int tcp_backlog = 511;
  int timeout = 0;  // idle seconds, 0 = never
  int tcp_keepalive = 300;
  int maxclients = 10000;
  // general
  int databases = 16;
  std::string dir;  // working directory; applied with chdir at startup and on CONFIG SET
  std::string loglevel = "notice";  // debug, verbose, notice, warning, nothing
  std::string logfile;              // "" = stdout
  std::string pidfile;
  bool daemonize = false;
  std::string requirepass;
  int hz = 10;
  bool dynamic_hz = true;
  int64_t proto_max_bulk_len = 512ll * 1024 * 1024;
  int64_t client_query_buffer_limit = 1024ll * 1024 * 1024;
  int64_t slowlog_log_slower_than = 10000;  // microseconds
  int64_t slowlog_max_len = 128;
  int64_t latency_monitor_threshold = 0;
  std::string notify_keyspace_events;
  int active_expire_effort = 1;
  bool enable_debug_command = false;  // "yes" | "no" | "local"; stored as text too
  std::string enable_debug_command_text = "no";
  // persistence (stored now, acted on by the persistence issue)
  std::string save = "3600 1 300 100 60 10000";
  // The same schedule, typed: (seconds, changes) pairs; empty when `save ""`.
  std::vector<std::pair<int64_t, int64_t>> save_params = {{3600, 1}, {300, 100}, {60, 10000}};
  bool appendonly = false;
  std::string appendfsync = "everysec";
  std::string appendfilename = "appendonly.aof";
  std::string appenddirname = "appendonlydir";
  std::string dbfilename = "dump.rdb";
  bool rdbcompression = true;
  bool rdbchecksum = true;
  bool stop_writes_on_bgsave_error = true;
  // memory (stored now, acted on by the memory issue)
  int64_t maxmemory = 0;
  std::string maxmemory_policy = "noeviction";
  int maxmemory_samples = 5;
  int maxmemory_eviction_tenacity = 10;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;
  // lazy freeing (server/lazyfree.h): which deletions free big values in the background
  bool lazyfree_lazy_eviction = false;
  bool lazyfree_lazy_expire = false;
  bool lazyfree_lazy_server_del = false;
  bool lazyfree_lazy_user_del = false;
  bool lazyfree_lazy_user_flush = false;
  bool replica_lazy_flush = false;
  // collection encodings (hash-max-listpack-*: listpack -> hashtable thresholds)
  int64_t hash_max_listpack_entries = 512;
  int64_t hash_max_listpack_value = 64;
  // list-max-listpack-size: <0 = node byte limit (-1 4KB .. -5 64KB), >0 = entries per node
  int64_t list_max_listpack_size = -2;
  int64_t zset_max_listpack_entries = 128;
  int64_t zset_max_listpack_value = 64;
  int64_t set_max_intset_entries = 512;  // intset -> hashtable threshold for sets
  int64_t hll_sparse_max_bytes = 3000;   // HLL sparse -> dense promotion size (bytes)
  // set-max-listpack-*: thresholds of the listpack encoding of non-integer sets (Redis 7.2)
  int64_t set_max_listpack_entries = 128;
  int64_t set_max_listpack_value = 64;
  // stream-node-max-*: limits of one packed block of stream entries (0 = no limit)
  int64_t stream_node_max_bytes = 4096;
  int64_t stream_node_max_entries = 100;
  // output buffers, indexed by ClientClass: normal, replica, pubsub (client-output-buffer-limit)
  struct OutputBufferLimit {
    int64_t hard_bytes = 0;
    int64_t soft_bytes = 0;
    int64_t soft_seconds = 0;
  };
  enum ClientClass { kClientNormal = 0, kClientReplica = 1, kClientPubsub = 2 };
  std::array<OutputBufferLimit, 3> client_output_buffer_limit = {
      {{0, 0, 0}, {256ll << 20, 64ll << 20, 60}, {32ll << 20, 8ll << 20, 60}}};
  // notify-keyspace-events parsed into Redis's bit values (kNotify* below).
  uint32_t notify_keyspace_event_flags = 0;
  // Directives that only exist in files and accumulate, kept for their owners (ACL, commands).
  std::vector<std::pair<std::string, std::string>> rename_command;  // (command, new name or "")
  std::vector<std::vector<std::string>> user;                       // args of each `user` line
  std::vector<std::vector<std::string>> loadmodule;                 // path and args per line
};

// Bits of ServerConfig::notify_keyspace_event_flags, same values as Redis.
inline constexpr uint32_t kNotifyKeyspace = 1 << 0;  // K
inline constexpr uint32_t kNotifyKeyevent = 1 << 1;  // E
inline constexpr uint32_t kNotifyGeneric = 1 << 2;   // g
inline constexpr uint32_t kNotifyString = 1 << 3;    // $
inline constexpr uint32_t kNotifyList = 1 << 4;      // l
inline constexpr uint32_t kNotifySet = 1 << 5;       // s
inline constexpr uint32_t kNotifyHash = 1 << 6;      // h
inline constexpr uint32_t kNotifyZset = 1 << 7;      // z
inline constexpr uint32_t kNotifyExpired = 1 << 8;   // x
inline constexpr uint32_t kNotifyEvicted = 1 << 9;   // e
inline constexpr uint32_t kNotifyStream = 1 << 10;   // t
inline constexpr uint32_t kNotifyKeyMiss = 1 << 11;  // m
inline constexpr uint32_t kNotifyModule = 1 << 12;   // d
inline constexpr uint32_t kNotifyNew = 1 << 13;      // n

class Config {
 public:
  Config();

  // Parses redis-server's command line: [file.conf | -] [--directive arg ...]. Also handles
  // --version / -v and --help / -h by setting *exit_code and printing (returns false then).
  // On a bad directive prints Redis's "*** FATAL CONFIG FILE ERROR ***" block naming the line
  // to stderr and sets *exit_code = 1.
  bool LoadFromArgs(int argc, char** argv, int* exit_code);
  // Parses redis.conf text (used by LoadFromArgs and tests). `origin` names the source in
  // errors. Returns "" on success or the error message: for a bad line, the whole block
  // redis-server prints ("\n*** FATAL CONFIG FILE ERROR (...) ***\nReading the configuration
  // file, at line N\n>>> 'line'\nreason\n"); details are also in last_load_error().
  std::string LoadFromString(std::string_view text, std::string_view origin = "");
  struct LoadError {
    int line = 0;           // 1-based, within the text (or included file) that failed
    std::string line_text;  // the offending line, trimmed
    std::string reason;     // e.g. "argument couldn't be parsed into an integer"
  };
  const LoadError& last_load_error() const { return last_error_; }

  const ServerConfig& values() const { return v_; }
  ServerConfig& mutable_values() { return v_; }

  // CONFIG GET: (name, value) pairs for every directive (or alias) matching any pattern.
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string_view>& patterns) const;
  // CONFIG SET: applies all pairs or none. Returns "" or the full error text, e.g.
  // "ERR Unknown option or number of arguments for CONFIG SET - 'foo'".
  std::string Set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs);
  // Same; `local_client` says whether the caller is on a local connection, which unlocks
  // protected directives (dir, dbfilename, ...) when enable-protected-configs is "local".
  std::string Set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs,
                  bool local_client);
  // The CONFIG GET text of one directive or alias (case-insensitive), or "" if unknown.
  std::string GetValue(std::string_view name) const;
  // True for directives whose values must not be logged (requirepass, masterauth, ...).
  static bool IsSensitive(std::string_view name);
  // CONFIG REWRITE: "" or the error text. Fails when there is no config file.
  std::string Rewrite();

  // Called after a directive changed through CONFIG SET (name is canonical; an alias given
  // here is mapped to it). A hook returning a non-empty reason (e.g. "Failed to bind to
  // specified addresses.") rolls the whole CONFIG SET back; Set() wraps it as
  // "ERR CONFIG SET failed (possibly related to argument 'name') - reason".
  using ApplyHook = std::function<std::string(const ServerConfig&)>;
  void OnApply(std::string_view name, ApplyHook hook);

  const std::string& config_file() const { return config_file_; }  // absolute path or ""
  const std::vector<std::string>& executable_argv() const { return argv_; }

 private:
  ServerConfig v_;
  // Values of directives that are accepted and stored but have no ServerConfig field yet,
  // canonical CONFIG GET text keyed by canonical name.
  std::map<std::string, std::string, std::less<>> stored_;
  bool save_seen_in_files_ = false;  // first `save` line in files replaces the default
  int include_depth_ = 0;
  LoadError last_error_;
  std::string config_file_;
  std::vector<std::string> argv_;
  std::vector<std::pair<std::string, ApplyHook>> hooks_;
};

}  // namespace ember
