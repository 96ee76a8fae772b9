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

#include <cstdint>
#include <functional>
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
};

class Config {
 public:
  Config();

  // Parses redis-server's command line: [file.conf | -] [--directive arg ...]. Also handles
  // --version / -v and --help / -h by setting *exit_code and printing (returns false then).
  // On a bad directive prints Redis's "*** FATAL CONFIG FILE ERROR ***" block naming the line
  // to stderr and sets *exit_code = 1.
  bool LoadFromArgs(int argc, char** argv, int* exit_code);
  // Parses redis.conf text (used by LoadFromArgs and tests). `origin` names the source in
  // errors. Returns "" on success or the error message.
  std::string LoadFromString(std::string_view text, std::string_view origin = "");

  const ServerConfig& values() const { return v_; }
  ServerConfig& mutable_values() { return v_; }

  // CONFIG GET: (name, value) pairs for every directive (or alias) matching any pattern.
  std::vector<std::pair<std::string, std::string>> Get(
      const std::vector<std::string_view>& patterns) const;
  // CONFIG SET: applies all pairs or none. Returns "" or the full error text, e.g.
  // "ERR Unknown option or number of arguments for CONFIG SET - 'foo'".
  std::string Set(const std::vector<std::pair<std::string_view, std::string_view>>& pairs);
  // CONFIG REWRITE: "" or the error text. Fails when there is no config file.
  std::string Rewrite();

  // Called after a directive changed through CONFIG SET (name is canonical). A hook returning
  // a non-empty error rolls the whole CONFIG SET back.
  using ApplyHook = std::function<std::string(const ServerConfig&)>;
  void OnApply(std::string_view name, ApplyHook hook);

  const std::string& config_file() const { return config_file_; }  // absolute path or ""
  const std::vector<std::string>& executable_argv() const { return argv_; }

 private:
  ServerConfig v_;
  std::string config_file_;
  std::vector<std::string> argv_;
  std::vector<std::pair<std::string, ApplyHook>> hooks_;
};

}  // namespace ember
