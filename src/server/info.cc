// INFO text builder: one function per section, selected by a bit set parsed from the
// command's arguments. See info.h.
#include "server/info.h"

#include <malloc.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <random>

#include <vector>
#include "persistence/persistence.h"

#include "core/dict.h"
#include "scripting/scripting.h"
#include "server/arg_parser.h"
#include "server/command_table.h"
#include "server/eviction.h"
#include "server/lazyfree.h"
#include "server/memory_report.h"
#include "server/server.h"

#ifdef EMBER_USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace ember {
namespace {

// Sections in Redis's output order.
enum Section : uint32_t {
  kServer = 1 << 0,
  kClients = 1 << 1,
  kMemory = 1 << 2,
  kPersistence = 1 << 3,
  kStats = 1 << 4,
  kReplication = 1 << 5,
  kCpu = 1 << 6,
  kModules = 1 << 7,
  kCommandStats = 1 << 8,
  kErrorStats = 1 << 9,
  kLatencyStats = 1 << 10,
  kCluster = 1 << 11,
  kKeyspace = 1 << 12,
};

constexpr uint32_t kDefaultSections = kServer | kClients | kMemory | kPersistence | kStats |
                                      kReplication | kCpu | kModules | kErrorStats | kCluster |
                                      kKeyspace;
constexpr uint32_t kAllSections = kDefaultSections | kCommandStats | kLatencyStats;

struct SectionName {
  std::string_view name;
  uint32_t bits;
};
constexpr SectionName kSectionNames[] = {
    {"server", kServer},
    {"clients", kClients},
    {"memory", kMemory},
    {"persistence", kPersistence},
    {"stats", kStats},
    {"replication", kReplication},
    {"cpu", kCpu},
    {"modules", kModules},
    {"commandstats", kCommandStats},
    {"errorstats", kErrorStats},
    {"latencystats", kLatencyStats},
    {"cluster", kCluster},
    {"keyspace", kKeyspace},
    {"default", kDefaultSections},
    {"all", kAllSections},
    {"everything", kAllSections},
};

uint32_t ParseSections(std::span<const std::string_view> args) {
  if (args.empty()) return kDefaultSections;
  uint32_t bits = 0;
  for (std::string_view a : args) {
    for (const SectionName& s : kSectionNames) {
      if (EqualsIgnoreCase(a, s.name)) bits |= s.bits;
    }
  }
  return bits;
}

// printf-style append of one "field:value\r\n" line (or any text).
void Appendf(std::string* out, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
void Appendf(std::string* out, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (size_t(n) < sizeof(buf)) {
    out->append(buf, size_t(n));
    return;
  }
  std::string big(size_t(n) + 1, '\0');
  va_start(ap, fmt);
  vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  big.resize(size_t(n));
  out->append(big);
}

using ull = unsigned long long;
using ll = long long;

uint64_t ReadRss() {
  FILE* f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  unsigned long size = 0, resident = 0;
  int n = fscanf(f, "%lu %lu", &size, &resident);
  fclose(f);
  if (n != 2) return 0;
  return uint64_t(resident) * uint64_t(sysconf(_SC_PAGESIZE));
}

uint64_t TotalSystemMemory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? uint64_t(pages) * uint64_t(page) : 0;
}

std::string ExecutablePath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof(buf) - 1);
  return n > 0 ? std::string(buf, size_t(n)) : std::string();
}

// A replication ID for this process (replication arrives later; Redis shows one anyway).
const std::string& ReplicationId() {
  static const std::string id = [] {
    std::random_device rd;
    std::string s;
    static const char kHex[] = "0123456789abcdef";
    for (int i = 0; i < 40; i++) s.push_back(kHex[rd() % 16]);
    return s;
  }();
  return id;
}

void ServerSection(Server& server, std::string* out) {
  const ServerConfig& c = server.cfg();
  utsname u{};
  uname(&u);
  int64_t now_us = server.clock().NowUs();
  int64_t uptime = (now_us / 1000 - server.start_time_ms()) / 1000;
  out->append("# Server\r\n");
  Appendf(out, "redis_version:%.*s\r\n", int(kRedisCompatVersion.size()),
          kRedisCompatVersion.data());
  Appendf(out, "ember_version:%s\r\n", EMBER_VERSION);
  out->append("redis_git_sha1:00000000\r\nredis_git_dirty:0\r\nredis_build_id:0\r\n");
  out->append("redis_mode:standalone\r\n");
  Appendf(out, "os:%s %s %s\r\n", u.sysname, u.release, u.machine);
  Appendf(out, "arch_bits:%d\r\n", int(sizeof(void*) * 8));
  out->append("monotonic_clock:POSIX clock_gettime\r\nmultiplexing_api:epoll\r\n");
  out->append("atomicvar_api:c11-builtin\r\n");
  Appendf(out, "gcc_version:%d.%d.%d\r\n", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
  Appendf(out, "process_id:%d\r\nprocess_supervised:no\r\n", int(getpid()));
  Appendf(out, "run_id:%s\r\n", server.run_id().c_str());
  Appendf(out, "tcp_port:%d\r\n", server.tcp_port() ? server.tcp_port() : c.port);
  Appendf(out, "server_time_usec:%lld\r\n", ll(now_us));
  Appendf(out, "uptime_in_seconds:%lld\r\nuptime_in_days:%lld\r\n", ll(uptime), ll(uptime / 86400));
  Appendf(out, "hz:%d\r\nconfigured_hz:%d\r\n", c.hz, c.hz);
  Appendf(out, "lru_clock:%u\r\n", server.keyspace().db(0).LruClock());
  Appendf(out, "executable:%s\r\n", ExecutablePath().c_str());
  Appendf(out, "config_file:%s\r\n", server.config().config_file().c_str());
  out->append("io_threads_active:0\r\n");
  int n = 0;
  if (c.port != 0) {
    std::string binds;
    for (const std::string& b : c.bind) binds += ",bind=" + b;
    Appendf(out, "listener%d:name=tcp%s,port=%d\r\n", n++, binds.c_str(), c.port);
  }
  if (!c.unixsocket.empty()) {
    Appendf(out, "listener%d:name=unix,bind=%s\r\n", n++, c.unixsocket.c_str());
  }
}

void ClientsSection(Server& server, std::string* out) {
  size_t max_in = 0, max_out = 0, pubsub = 0;
  for (const auto& [id, c] : server.clients()) {
    if (!c->conn()) continue;
    max_in = std::max(max_in, c->qbuf.size());
    max_out = std::max(max_out, c->PendingOutputBytes());
    if (c->flags & kClientPubSub) pubsub++;
  }
  out->append("# Clients\r\n");
  Appendf(out, "connected_clients:%zu\r\ncluster_connections:0\r\n", server.connected_clients());
  Appendf(out, "maxclients:%d\r\n", server.cfg().maxclients);
  Appendf(out, "client_recent_max_input_buffer:%zu\r\n", max_in);
  Appendf(out, "client_recent_max_output_buffer:%zu\r\n", max_out);
  Appendf(out, "blocked_clients:%zu\r\n", server.blocked_clients());
  Appendf(out, "tracking_clients:%zu\r\n", server.tracking().clients());
  Appendf(out, "pubsub_clients:%zu\r\n", pubsub);
  Appendf(out, "watching_clients:%zu\r\n", server.watches().watching_clients());
  Appendf(out, "clients_in_timeout_table:%zu\r\n", server.blocking().clients_with_timeout());
  Appendf(out, "total_watched_keys:%zu\r\n", server.watches().watched_keys());
  Appendf(out, "total_blocking_keys:%zu\r\n", server.blocking().blocking_keys());
  Appendf(out, "total_blocking_keys_on_nokey:%zu\r\n", server.blocking().blocking_keys_on_nokey());
}

// allocator_frag_*, allocator_rss_*, rss_overhead_*, mem_fragmentation_*: each layer's
// ratio and the bytes it adds (allocated -> active pages -> resident -> process RSS).
void AppendMemoryRatios(const MemoryInfo& m, std::string* out) {
  auto ratio = [](uint64_t a, uint64_t b) { return b ? double(a) / double(b) : 0.0; };
  Appendf(out, "allocator_frag_ratio:%.2f\r\n", ratio(m.allocator_active, m.allocator_allocated));
  Appendf(out, "allocator_frag_bytes:%lld\r\n", ll(m.allocator_active) - ll(m.allocator_allocated));
  Appendf(out, "allocator_rss_ratio:%.2f\r\n", ratio(m.allocator_resident, m.allocator_active));
  Appendf(out, "allocator_rss_bytes:%lld\r\n", ll(m.allocator_resident) - ll(m.allocator_active));
  Appendf(out, "rss_overhead_ratio:%.2f\r\n", ratio(m.rss, m.allocator_resident));
  Appendf(out, "rss_overhead_bytes:%lld\r\n", ll(m.rss) - ll(m.allocator_resident));
  Appendf(out, "mem_fragmentation_ratio:%.2f\r\n", ratio(m.rss, m.used));
  Appendf(out, "mem_fragmentation_bytes:%lld\r\n", ll(m.rss) - ll(m.used));
}

void MemorySection(Server& server, std::string* out) {
  const ServerConfig& c = server.cfg();
  MemoryReport r = BuildMemoryReport(server);
  const MemoryInfo& m = r.m;
  uint64_t sys = TotalSystemMemory();
  out->append("# Memory\r\n");
  Appendf(out, "used_memory:%llu\r\n", ull(m.used));
  Appendf(out, "used_memory_human:%s\r\n", BytesToHuman(m.used).c_str());
  Appendf(out, "used_memory_rss:%llu\r\n", ull(m.rss));
  Appendf(out, "used_memory_rss_human:%s\r\n", BytesToHuman(m.rss).c_str());
  Appendf(out, "used_memory_peak:%llu\r\n", ull(m.peak));
  Appendf(out, "used_memory_peak_human:%s\r\n", BytesToHuman(m.peak).c_str());
  Appendf(out, "used_memory_peak_perc:%.2f%%\r\n", r.peak_perc());
  Appendf(out, "used_memory_overhead:%llu\r\n", ull(r.overhead));
  Appendf(out, "used_memory_startup:%llu\r\n", ull(r.startup));
  Appendf(out, "used_memory_dataset:%llu\r\n", ull(r.dataset));
  Appendf(out, "used_memory_dataset_perc:%.2f%%\r\n", r.dataset_perc());
  Appendf(out, "allocator_allocated:%llu\r\n", ull(m.allocator_allocated));
  Appendf(out, "allocator_active:%llu\r\n", ull(m.allocator_active));
  Appendf(out, "allocator_resident:%llu\r\n", ull(m.allocator_resident));
  Appendf(out, "total_system_memory:%llu\r\n", ull(sys));
  Appendf(out, "total_system_memory_human:%s\r\n", BytesToHuman(sys).c_str());
  AppendScriptingMemoryInfo(server, out);  // used_memory_lua, number_of_cached_scripts ...
  Appendf(out, "maxmemory:%lld\r\n", ll(c.maxmemory));
  Appendf(out, "maxmemory_human:%s\r\n", BytesToHuman(uint64_t(c.maxmemory)).c_str());
  Appendf(out, "maxmemory_policy:%s\r\n", c.maxmemory_policy.c_str());
  AppendMemoryRatios(m, out);
  Appendf(out, "mem_not_counted_for_evict:%llu\r\n", ull(server.evictor().NotCountedMemory()));
  out->append("mem_replication_backlog:0\r\n");
  Appendf(out, "mem_total_replication_buffers:%llu\r\n", ull(r.repl_backlog));
  Appendf(out, "mem_clients_slaves:%llu\r\n", ull(r.clients_slaves));
  Appendf(out, "mem_clients_normal:%llu\r\n", ull(r.clients_normal));
  Appendf(out, "mem_cluster_links:%llu\r\n", ull(r.cluster_links));
  Appendf(out, "mem_aof_buffer:%llu\r\n", ull(r.aof_buffer));
  Appendf(out, "mem_allocator:%.*s\r\n", int(AllocatorName().size()), AllocatorName().data());
  out->append("active_defrag_running:0\r\n");
  Appendf(out, "lazyfree_pending_objects:%zu\r\n", server.lazyfree().pending_objects());
  Appendf(out, "lazyfreed_objects:%llu\r\n", ull(server.lazyfree().freed_objects()));
}

void PersistenceSection(Server& server, std::string* out) {
  out->append("# Persistence\r\n");
  server.persistence().AppendInfo(out);
}

void StatsSection(Server& server, std::string* out) {
  const ServerStats& s = server.stats();
  const KeyspaceStats& ks = server.keyspace().stats();
  out->append("# Stats\r\n");
  Appendf(out, "total_connections_received:%llu\r\n", ull(s.total_connections_received));
  Appendf(out, "total_commands_processed:%llu\r\n", ull(s.total_commands_processed));
  Appendf(out, "instantaneous_ops_per_sec:%lld\r\n", ll(s.ops_ring.PerSecond()));
  Appendf(out, "total_net_input_bytes:%llu\r\n", ull(s.net_input_bytes));
  Appendf(out, "total_net_output_bytes:%llu\r\n", ull(s.net_output_bytes));
  out->append("total_net_repl_input_bytes:0\r\ntotal_net_repl_output_bytes:0\r\n");
  Appendf(out, "instantaneous_input_kbps:%.2f\r\n", s.net_in_ring.PerSecond() / 1024);
  Appendf(out, "instantaneous_output_kbps:%.2f\r\n", s.net_out_ring.PerSecond() / 1024);
  out->append("instantaneous_input_repl_kbps:0.00\r\ninstantaneous_output_repl_kbps:0.00\r\n");
  Appendf(out, "rejected_connections:%llu\r\n", ull(s.rejected_connections));
  out->append("sync_full:0\r\nsync_partial_ok:0\r\nsync_partial_err:0\r\n");
  Appendf(out, "expired_keys:%llu\r\n", ull(ks.expired_keys));
  Appendf(out, "expired_stale_perc:%.2f\r\n", double(ks.expired_stale_perc_x100) / 100);
  Appendf(out, "expired_time_cap_reached_count:%llu\r\n", ull(ks.expired_time_cap_reached_count));
  Appendf(out, "expire_cycle_cpu_milliseconds:%llu\r\n", ull(ks.expire_cycle_cpu_milliseconds));
  Appendf(out, "evicted_keys:%llu\r\nevicted_clients:0\r\n", ull(ks.evicted_keys));
  Appendf(out, "total_eviction_exceeded_time:%llu\r\n", ull(server.evictor().total_exceeded_ms()));
  Appendf(out, "current_eviction_exceeded_time:%llu\r\n",
          ull(server.evictor().current_exceeded_ms()));
  AppendScriptingStatsInfo(server, out);  // evicted_scripts
  Appendf(out, "keyspace_hits:%llu\r\nkeyspace_misses:%llu\r\n", ull(ks.keyspace_hits),
          ull(ks.keyspace_misses));
  const PubSub& ps = server.pubsub();
  Appendf(out, "pubsub_channels:%zu\r\npubsub_patterns:%zu\r\npubsubshard_channels:%zu\r\n",
          ps.size(SubKind::kChannel), ps.size(SubKind::kPattern), ps.size(SubKind::kShard));
  out->append(
      "latest_fork_usec:0\r\ntotal_forks:0\r\nmigrate_cached_sockets:0\r\n"
      "slave_expires_tracked_keys:0\r\nactive_defrag_hits:0\r\nactive_defrag_misses:0\r\n"
      "active_defrag_key_hits:0\r\nactive_defrag_key_misses:0\r\ntotal_active_defrag_time:0\r\n"
      "current_active_defrag_time:0\r\n");
  const Tracking& tr = server.tracking();
  Appendf(out, "tracking_total_keys:%zu\r\ntracking_total_items:%zu\r\n", tr.total_keys(),
          tr.total_items());
  Appendf(out, "tracking_total_prefixes:%zu\r\n", tr.total_prefixes());
  Appendf(out, "unexpected_error_replies:%llu\r\n", ull(s.unexpected_error_replies));
  Appendf(out, "total_error_replies:%llu\r\n", ull(s.total_error_replies));
  out->append("dump_payload_sanitizations:0\r\n");
  Appendf(out, "total_reads_processed:%llu\r\n", ull(s.total_reads_processed));
  Appendf(out, "total_writes_processed:%llu\r\n", ull(s.total_writes_processed));
  out->append(
      "io_threaded_reads_processed:0\r\nio_threaded_writes_processed:0\r\n"
      "reply_buffer_shrinks:0\r\nreply_buffer_expands:0\r\n");
  Appendf(out, "eventloop_cycles:%llu\r\n", ull(server.cron_loops()));
  Appendf(out, "client_query_buffer_limit_disconnections:%llu\r\n",
          ull(s.client_query_buffer_limit_disconnections));
  Appendf(out, "client_output_buffer_limit_disconnections:%llu\r\n",
          ull(s.client_output_buffer_limit_disconnections));
  const AclStats& acl = server.acl().stats();
  Appendf(out,
          "acl_access_denied_auth:%llu\r\nacl_access_denied_cmd:%llu\r\n"
          "acl_access_denied_key:%llu\r\nacl_access_denied_channel:%llu\r\n",
          ull(acl.denied_auth), ull(acl.denied_cmd), ull(acl.denied_key), ull(acl.denied_channel));
}

void ReplicationSection(std::string* out) {
  out->append("# Replication\r\nrole:master\r\nconnected_slaves:0\r\n");
  out->append("master_failover_state:no-failover\r\n");
  Appendf(out, "master_replid:%s\r\n", ReplicationId().c_str());
  out->append(
      "master_replid2:0000000000000000000000000000000000000000\r\nmaster_repl_offset:0\r\n"
      "second_repl_offset:-1\r\nrepl_backlog_active:0\r\nrepl_backlog_size:1048576\r\n"
      "repl_backlog_first_byte_offset:0\r\nrepl_backlog_histlen:0\r\n");
}

double Seconds(const timeval& tv) { return double(tv.tv_sec) + double(tv.tv_usec) / 1e6; }

void CpuSection(std::string* out) {
  rusage self{}, children{}, thread{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &children);
  getrusage(RUSAGE_THREAD, &thread);
  out->append("# CPU\r\n");
  Appendf(out, "used_cpu_sys:%.6f\r\nused_cpu_user:%.6f\r\n", Seconds(self.ru_stime),
          Seconds(self.ru_utime));
  Appendf(out, "used_cpu_sys_children:%.6f\r\nused_cpu_user_children:%.6f\r\n",
          Seconds(children.ru_stime), Seconds(children.ru_utime));
  Appendf(out, "used_cpu_sys_main_thread:%.6f\r\nused_cpu_user_main_thread:%.6f\r\n",
          Seconds(thread.ru_stime), Seconds(thread.ru_utime));
}

void AppendCommandStat(const CommandSpec& cmd, std::string* out) {
  const CommandSpec::Stats& s = cmd.stats;
  if (!s.calls && !s.rejected_calls && !s.failed_calls) return;
  Appendf(out,
          "cmdstat_%s:calls=%llu,usec=%llu,usec_per_call=%.2f,rejected_calls=%llu,"
          "failed_calls=%llu\r\n",
          cmd.name.c_str(), ull(s.calls), ull(s.usec),
          s.calls ? double(s.usec) / double(s.calls) : 0.0, ull(s.rejected_calls),
          ull(s.failed_calls));
}

void CommandStatsSection(std::string* out) {
  std::vector<const CommandSpec*> cmds;
  for (const auto& c : CommandTable::Instance().commands()) {
    cmds.push_back(c.get());
    for (const auto& sub : c->subcommands) cmds.push_back(sub.get());
  }
  std::sort(cmds.begin(), cmds.end(),
            [](const CommandSpec* a, const CommandSpec* b) { return a->name < b->name; });
  out->append("# Commandstats\r\n");
  for (const CommandSpec* c : cmds) AppendCommandStat(*c, out);
}

void ErrorStatsSection(Server& server, std::string* out) {
  out->append("# Errorstats\r\n");
  for (const auto& [code, count] : server.stats().error_counts) {
    Appendf(out, "errorstat_%s:count=%llu\r\n", code.c_str(), ull(count));
  }
}

void KeyspaceSection(Server& server, std::string* out) {
  out->append("# Keyspace\r\n");
  Keyspace& ks = server.keyspace();
  for (int i = 0; i < ks.num_dbs(); i++) {
    Db& db = ks.db(i);
    if (db.size() == 0) continue;
    Appendf(out, "db%d:keys=%zu,expires=%zu,avg_ttl=0\r\n", i, db.size(), db.expires_count());
  }
}

}  // namespace

MemoryInfo ReadMemoryInfo() {
  MemoryInfo m;
  m.used = UsedMemory();
#ifdef EMBER_USE_JEMALLOC
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  mallctl("epoch", &epoch, &sz, &epoch, sz);
  size_t v = 0;
  sz = sizeof(v);
  if (mallctl("stats.allocated", &v, &sz, nullptr, 0) == 0) m.allocator_allocated = v;
  if (mallctl("stats.active", &v, &sz, nullptr, 0) == 0) m.allocator_active = v;
  if (mallctl("stats.resident", &v, &sz, nullptr, 0) == 0) m.allocator_resident = v;
#else
  struct mallinfo2 mi = mallinfo2();
  m.allocator_allocated = uint64_t(mi.uordblks) + uint64_t(mi.hblkhd);
  m.allocator_active = uint64_t(mi.arena) + uint64_t(mi.hblkhd);
  m.allocator_resident = m.allocator_active;
#endif
  m.rss = ReadRss();
  m.peak = UsedMemoryPeak();
  return m;
}

void ResetMemoryPeak() { ResetUsedMemoryPeak(); }

namespace {
uint64_t g_startup_memory = 0;
}  // namespace

void RecordStartupMemory() { g_startup_memory = UsedMemory(); }
uint64_t StartupMemory() { return g_startup_memory; }

std::string_view AllocatorName() {
#ifdef EMBER_USE_JEMALLOC
#define EMBER_STR2(x) #x
#define EMBER_STR(x) EMBER_STR2(x)
  return "jemalloc-" EMBER_STR(JEMALLOC_VERSION_MAJOR) "." EMBER_STR(
      JEMALLOC_VERSION_MINOR) "." EMBER_STR(JEMALLOC_VERSION_BUGFIX);
#undef EMBER_STR
#undef EMBER_STR2
#else
  return "libc";
#endif
}

std::string BytesToHuman(uint64_t n) {
  static constexpr const char* kUnits[] = {"K", "M", "G", "T", "P"};
  char buf[64];
  if (n < 1024) {
    snprintf(buf, sizeof(buf), "%lluB", ull(n));
    return buf;
  }
  double d = double(n) / 1024;
  size_t u = 0;
  while (d >= 1024 && u + 1 < std::size(kUnits)) {
    d /= 1024;
    u++;
  }
  snprintf(buf, sizeof(buf), "%.2f%s", d, kUnits[u]);
  return buf;
}

std::string BuildInfo(Server& server, std::span<const std::string_view> args) {
  uint32_t bits = ParseSections(args);
  std::string out;
  out.reserve(1024);  // small: used_memory is read mid-build (maxmemory tests allow 4KB)
  auto section = [&](uint32_t bit) {
    if (!(bits & bit)) return false;
    if (!out.empty()) out.append("\r\n");
    return true;
  };
  if (section(kServer)) ServerSection(server, &out);
  if (section(kClients)) ClientsSection(server, &out);
  if (section(kMemory)) MemorySection(server, &out);
  if (section(kPersistence)) PersistenceSection(server, &out);
  if (section(kStats)) StatsSection(server, &out);
  if (section(kReplication)) ReplicationSection(&out);
  if (section(kCpu)) CpuSection(&out);
  if (section(kModules)) out.append("# Modules\r\n");
  if (section(kCommandStats)) CommandStatsSection(&out);
  if (section(kErrorStats)) ErrorStatsSection(server, &out);
  if (section(kLatencyStats)) out.append("# Latencystats\r\n");
  if (section(kCluster)) out.append("# Cluster\r\ncluster_enabled:0\r\n");
  if (section(kKeyspace)) KeyspaceSection(server, &out);
  return out;
}

}  // namespace ember
