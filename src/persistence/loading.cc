// Loader (see loading.h): startup loading of dump.rdb (or the AOF through Aof::LoadAtStartup),
// DEBUG RELOAD, the -LOADING window with INFO's loading_* fields, and the config-derived
// RDB load/save options the rest of persistence shares.
#include "persistence/loading.h"

#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <ctime>

#include "core/clock.h"
#include "persistence/aof.h"
#include "persistence/file_system.h"
#include "persistence/persistence.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_saver.h"
#include "scripting/functions.h"
#include "scripting/scripting.h"
#include "server/errors.h"
#include "server/info.h"
#include "server/log.h"
#include "server/server.h"

namespace ember {

namespace {

constexpr uint64_t kServeEventsBytes = 2 << 20;  // let clients in every ~2 MB ...
constexpr int64_t kServeEventsUs = 100'000;      // ... or every 100 ms, whichever comes first
constexpr int64_t kProgressLogUs = 5'000'000;    // a progress line every 5 s on big loads

bool IsLfuPolicy(const ServerConfig& cfg) {
  return cfg.maxmemory_policy.find("lfu") != std::string::npos;
}

// The "used-mem" aux field of an RDB image's header, 0 if absent (INFO loading_rdb_used_mem).
uint64_t PeekUsedMem(std::string_view data) {
  RdbReader r(data);
  std::string_view magic;
  if (!r.Raw(9, &magic)) return 0;
  uint8_t op;
  while (r.remaining() > 0 && r.data()[r.pos()] == char(rdb::kOpAux) && r.Byte(&op)) {
    std::string key, value;
    if (!r.String(&key) || !r.String(&value)) return 0;
    if (key == "used-mem") return strtoull(value.c_str(), nullptr, 10);
  }
  return 0;
}

void LogAuxFields(const RdbLoadResult& res, int64_t now_s) {
  auto it = res.aux.find("redis-ver");
  if (it != res.aux.end()) {
    Logf(LogLevel::kNotice, "Loading RDB produced by version %s", it->second.c_str());
  }
  if (it = res.aux.find("ctime"); it != res.aux.end()) {
    int64_t age = now_s - strtoll(it->second.c_str(), nullptr, 10);
    Logf(LogLevel::kNotice, "RDB age %" PRId64 " seconds", age < 0 ? 0 : age);
  }
  if (it = res.aux.find("used-mem"); it != res.aux.end()) {
    double mb = double(strtoull(it->second.c_str(), nullptr, 10)) / (1024 * 1024);
    Logf(LogLevel::kNotice, "RDB memory usage when created %.2f Mb", mb);
  }
}

}  // namespace

RdbLoadOptions RdbLoadOptionsFor(Server& server) {
  const ServerConfig& cfg = server.cfg();
  RdbLoadOptions opt;
  opt.limits.hash = {cfg.hash_max_listpack_entries, cfg.hash_max_listpack_value};
  opt.limits.set = {.max_intset = cfg.set_max_intset_entries,
                    .max_listpack = cfg.set_max_listpack_entries,
                    .max_listpack_value = cfg.set_max_listpack_value};
  opt.limits.zset = {cfg.zset_max_listpack_entries, cfg.zset_max_listpack_value};
  opt.limits.list_max_listpack_size = cfg.list_max_listpack_size;
  opt.limits.stream = {.node_max_bytes = size_t(cfg.stream_node_max_bytes),
                       .node_max_entries = size_t(cfg.stream_node_max_entries)};
  opt.now_ms = server.clock().NowMs();
  opt.lfu = IsLfuPolicy(cfg);
  return opt;
}

std::vector<std::string> FunctionLibraryCodes(Server& server) {
  std::vector<std::string> codes;
  Scripting* scripting = server.scripting_if_created();
  if (scripting == nullptr || scripting->libraries().library_count() == 0) return codes;
  // FUNCTION DUMP's payload is exactly the records an RDB file holds (function opcode and
  // code string per library) plus a 10-byte footer, so it is the one place to read them.
  std::string payload = scripting->libraries().Dump();
  if (payload.size() < 10) return codes;
  RdbReader r(std::string_view(payload).substr(0, payload.size() - 10));
  uint8_t op;
  while (r.remaining() > 0 && r.Byte(&op) && op == rdb::kOpFunction2) {
    std::string code;
    if (!r.String(&code)) break;
    codes.push_back(std::move(code));
  }
  return codes;
}

RdbSaveOptions RdbSaveOptionsFor(Server& server) {
  const ServerConfig& cfg = server.cfg();
  RdbSaveOptions opt;
  opt.compress = cfg.rdbcompression;
  opt.checksum = cfg.rdbchecksum;
  if (IsLfuPolicy(cfg)) {
    opt.lru_mode = RdbLruMode::kFreq;
  } else if (cfg.maxmemory_policy.find("lru") != std::string::npos) {
    opt.lru_mode = RdbLruMode::kIdle;
  }
  opt.function_codes = FunctionLibraryCodes(server);
  opt.used_mem = UsedMemory();
  return opt;
}

// --- the loading window ---

// A config directive's integer value, `fallback` when unset or unknown (test-only knobs).
static int64_t ConfigInt(Server& server, std::string_view name, int64_t fallback) {
  std::string v = server.config().GetValue(name);
  return v.empty() ? fallback : strtoll(v.c_str(), nullptr, 10);
}

void Loader::BeginLoading(uint64_t total_bytes, uint64_t rdb_used_mem) {
  // Test knobs, as in Redis: key-load-delay (microseconds per key loaded) and
  // loading-process-events-interval-bytes (how often clients are served).
  key_load_delay_us_ = ConfigInt(server_, "key-load-delay", 0);
  events_interval_bytes_ = uint64_t(std::max<int64_t>(
      ConfigInt(server_, "loading-process-events-interval-bytes", kServeEventsBytes), 1024));
  keys_at_last_progress_ = server_.keyspace().TotalKeys();
  loading_ = true;
  server_.keyspace().SetExpiryFrozen(true);
  start_time_s_ = int64_t(time(nullptr));
  start_us_ = SystemClock::MonotonicUs();
  total_bytes_ = total_bytes;
  loaded_bytes_ = 0;
  rdb_used_mem_ = rdb_used_mem;
  last_events_us_ = last_log_us_ = start_us_;
  last_events_bytes_ = 0;
}

void Loader::Progress(uint64_t bytes_done) {
  loaded_bytes_ = bytes_done;
  if (key_load_delay_us_ > 0) {  // slows loading down so tests can act while it runs
    size_t keys = server_.keyspace().TotalKeys();
    int64_t us = int64_t(keys - std::min(keys, keys_at_last_progress_)) * key_load_delay_us_;
    keys_at_last_progress_ = keys;
    if (us > 0) usleep(useconds_t(std::min<int64_t>(us, 1'000'000)));
  }
  int64_t now_us = SystemClock::MonotonicUs();
  if (now_us - last_log_us_ >= kProgressLogUs && total_bytes_ > 0) {
    last_log_us_ = now_us;
    Logf(LogLevel::kNotice, "Loading: %.2f%% (%" PRIu64 " of %" PRIu64 " bytes)",
         double(bytes_done) * 100 / double(total_bytes_), bytes_done, total_bytes_);
  }
  if (bytes_done - last_events_bytes_ >= events_interval_bytes_ ||
      now_us - last_events_us_ >= kServeEventsUs) {
    last_events_bytes_ = bytes_done;
    last_events_us_ = now_us;
    // Clients get -LOADING, INFO and PING work. Only at startup: during DEBUG RELOAD the
    // calling client's request is still in use, so the server stays blocked as for a SAVE.
    if (serve_clients_) server_.ProcessEventsWhileBusy();
  }
}

void Loader::EndLoading(uint64_t keys_loaded, uint64_t keys_expired) {
  loading_ = false;
  server_.keyspace().SetExpiryFrozen(false);
  last_keys_loaded_ = keys_loaded;
  last_keys_expired_ = keys_expired;
}

void Loader::AppendInfo(std::string* out) {
  char buf[512];
  snprintf(buf, sizeof(buf), "loading:%d\r\nasync_loading:0\r\n", loading_ ? 1 : 0);
  out->append(buf);
  if (!loading_) return;
  int64_t elapsed = int64_t(time(nullptr)) - start_time_s_;
  double perc = total_bytes_ ? double(loaded_bytes_) * 100 / double(total_bytes_) : 0;
  int64_t eta = 1;
  if (elapsed > 0 && loaded_bytes_ > 0) {
    double rate = double(loaded_bytes_) / double(elapsed);
    eta = int64_t(double(total_bytes_ - std::min(total_bytes_, loaded_bytes_)) / rate);
  }
  snprintf(buf, sizeof(buf),
           "loading_start_time:%" PRId64 "\r\nloading_total_bytes:%" PRIu64
           "\r\nloading_rdb_used_mem:%" PRIu64 "\r\nloading_loaded_bytes:%" PRIu64
           "\r\nloading_loaded_perc:%.2f\r\nloading_eta_seconds:%" PRId64 "\r\n",
           start_time_s_, total_bytes_, rdb_used_mem_, loaded_bytes_, perc, eta);
  out->append(buf);
}

// --- loading an RDB file ---

std::string Loader::LoadRdbFile(const std::string& path, bool merge) {
  std::unique_ptr<MappedFile> file;
  if (IoStatus st = server_.persistence().fs().Map(path, &file); !st.ok()) return st.msg;
  std::string_view data = file->data();

  RdbLoadOptions opt = RdbLoadOptionsFor(server_);
  opt.replace_existing = merge;
  opt.on_progress = [this](uint64_t bytes) { Progress(bytes); };
  opt.on_function = [this, merge](std::string_view code, std::string* err) {
    std::string name;
    *err = server_.scripting().libraries().Load(code, merge, &name);
    return err->empty();
  };

  BeginLoading(data.size(), PeekUsedMem(data));
  RdbLoadResult res;
  std::string err;
  bool ok = LoadRdb(data, server_.keyspace(), opt, &res, &err);
  if (ok && res.bytes_consumed < data.size()) {
    err = std::to_string(data.size() - res.bytes_consumed) +
          " bytes of trailing garbage after the end of the RDB (at offset " +
          std::to_string(res.bytes_consumed) + ")";
    ok = false;
  }
  EndLoading(res.keys_loaded, res.keys_expired);
  if (!ok) return err;

  LogAuxFields(res, int64_t(time(nullptr)));
  if (res.modules_skipped > 0) {
    Logf(LogLevel::kWarning, "Skipped %" PRIu64 " module values/aux records (no modules loaded)",
         res.modules_skipped);
  }
  Logf(LogLevel::kNotice, "Done loading RDB, keys loaded: %" PRIu64 ", keys expired: %" PRIu64 ".",
       res.keys_loaded, res.keys_expired);
  return {};
}

std::string Loader::LoadAtStartup() {
  if (server_.cfg().appendonly) {
    serve_clients_ = true;  // the AOF loader reports through Begin/Progress/EndLoading
    std::string err = server_.persistence().aof().LoadAtStartup();
    serve_clients_ = false;
    return err;
  }
  const std::string& path = server_.cfg().dbfilename;
  if (!server_.persistence().fs().Exists(path)) {
    Logf(LogLevel::kNotice, "No RDB file '%s' to load: starting with an empty dataset",
         path.c_str());
    return {};
  }
  int64_t start = SystemClock::MonotonicUs();
  serve_clients_ = true;
  std::string err = LoadRdbFile(path, false);
  serve_clients_ = false;
  if (!err.empty()) {
    return "Fatal error loading the DB from '" + path + "': " + err + ". Exiting.";
  }
  Logf(LogLevel::kNotice, "DB loaded from disk: %.3f seconds",
       double(SystemClock::MonotonicUs() - start) / 1e6);
  return {};
}

std::string Loader::DebugReload(bool merge, bool noflush, bool nosave) {
  if (loading_) return std::string(errors::kLoading);
  const std::string& path = server_.cfg().dbfilename;
  if (!nosave) {  // as SAVE (refused during a BGSAVE; updates LASTSAVE and the dirty count)
    std::string err = server_.persistence().rdb().Save();
    if (!err.empty()) return err;
  }
  if (!noflush) {
    server_.keyspace().FlushAll();
    if (Scripting* s = server_.scripting_if_created()) s->libraries().Flush();
  }
  std::string err = LoadRdbFile(path, merge);
  if (!err.empty()) {
    Logf(LogLevel::kWarning, "DEBUG RELOAD: error loading '%s': %s", path.c_str(), err.c_str());
    return std::string(errors::kRdbReloadFailed);
  }
  Log(LogLevel::kNotice, "DB reloaded by DEBUG RELOAD");
  return {};
}

}  // namespace ember
