// Loader: loading a dataset into the running server — at startup (the AOF directory when
// appendonly yes, else dir/dbfilename) and for DEBUG RELOAD — while answering clients
// -LOADING and logging progress, with INFO's loading_* fields. While loaded() is true the
// dispatcher refuses commands without the `loading` flag; between chunks of the file the
// loader lets the event loop serve clients (Server::ProcessEventsWhileBusy).
// Ownership: Persistence owns it. Thread: command thread.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "persistence/rdb_file.h"

namespace ember {

class Server;

// Load options from the server's config (encoding limits, LFU policy, clock).
RdbLoadOptions RdbLoadOptionsFor(Server& server);
// Save options from the server's config (rdbcompression, rdbchecksum, IDLE/FREQ per
// maxmemory-policy, function libraries, used memory).
RdbSaveOptions RdbSaveOptionsFor(Server& server);
// The source code of every function library (FUNCTION LOAD order is not kept: by name).
std::vector<std::string> FunctionLibraryCodes(Server& server);

class Loader {
 public:
  explicit Loader(Server& server) : server_(server) {}
  // "" or a fatal error to print before exiting.
  std::string LoadAtStartup();
  // DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: "" or the error reply.
  std::string DebugReload(bool merge, bool noflush, bool nosave);
  // Loads the RDB file at `path` into the server's keyspace (and its functions into the
  // scripting engine), serving clients -LOADING meanwhile. `merge`: existing keys and
  // libraries are replaced instead of failing the load. "" or the error (where and why).
  std::string LoadRdbFile(const std::string& path, bool merge);
  bool loading() const { return loading_; }
  void AppendInfo(std::string* out);
  // rdb_last_load_keys_loaded / rdb_last_load_keys_expired of INFO persistence.
  uint64_t last_load_keys_loaded() const { return last_keys_loaded_; }
  uint64_t last_load_keys_expired() const { return last_keys_expired_; }

  // Marks a load in progress (the AOF loader uses it too, so clients get -LOADING).
  void BeginLoading(uint64_t total_bytes, uint64_t rdb_used_mem);
  // Progress of the current load: logs now and then, lets clients be served.
  void Progress(uint64_t bytes_done);
  void EndLoading(uint64_t keys_loaded, uint64_t keys_expired);

 private:
  Server& server_;
  bool loading_ = false;
  bool serve_clients_ = false;  // startup load: let the event loop run between chunks
  int64_t start_time_s_ = 0;
  int64_t start_us_ = 0;
  uint64_t total_bytes_ = 0;
  uint64_t loaded_bytes_ = 0;
  uint64_t rdb_used_mem_ = 0;
  int64_t last_events_us_ = 0;
  uint64_t last_events_bytes_ = 0;
  int64_t last_log_us_ = 0;
  uint64_t last_keys_loaded_ = 0;
  uint64_t last_keys_expired_ = 0;
  int64_t key_load_delay_us_ = 0;       // key-load-delay (tests)
  uint64_t events_interval_bytes_ = 0;  // loading-process-events-interval-bytes
  size_t keys_at_last_progress_ = 0;
};

}  // namespace ember
