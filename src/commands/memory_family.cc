// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP: memory diagnostics.
//
// MEMORY USAGE measures a key exactly (entry block plus its value's heap blocks, by the
// allocator's usable sizes) instead of Redis's sampled estimate; SAMPLES is parsed and
// validated as Redis does but does not change the answer. MEMORY STATS and DOCTOR read the
// breakdown INFO memory prints (server/memory_report.h); MALLOC-STATS and PURGE talk to
// jemalloc (a build without it answers as Redis does with libc malloc).
#include <cstdio>
#include <string>

#include "core/dict.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/info.h"
#include "server/memory_report.h"
#include "server/server.h"

#ifdef EMBER_USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace ember {
namespace {

// MEMORY USAGE key [SAMPLES count]
void MemoryUsage(CommandContext& ctx) {
  for (size_t i = 3; i < ctx.argc(); i += 2) {
    if (!EqualsIgnoreCase(ctx.arg(i), "SAMPLES") || i + 1 >= ctx.argc()) {
      return ctx.reply().Error(errors::kSyntax);
    }
    int64_t samples;
    if (!ParseInt64(ctx.arg(i + 1), &samples)) return ctx.reply().Error(errors::kNotInteger);
    if (samples < 0) return ctx.reply().Error(errors::kSyntax);
  }
  KvEntry* e = ctx.db().LookupRead(ctx.arg(2), LookupFlags::kNoTouch | LookupFlags::kNoStats);
  if (!e) return ctx.reply().NullBulk();
  // The entry's share of its bucket array (one slot pointer) counts too, as Redis counts its
  // dictEntry.
  ctx.reply().Integer(int64_t(e->MemoryUsage() + sizeof(void*)));
}

double Ratio(uint64_t a, uint64_t b) { return b ? double(a) / double(b) : 0; }

// MEMORY STATS: Redis 7's fields, in its order, from the breakdown INFO memory prints.
void MemoryStats(CommandContext& ctx) {
  MemoryReport r = BuildMemoryReport(ctx.server());
  const MemoryInfo& m = r.m;
  ReplyBuilder& out = ctx.reply();
  out.MapHeader(27 + r.dbs.size());
  auto num = [&](std::string_view k, uint64_t v) {
    out.Bulk(k);
    out.Integer(int64_t(v));
  };
  auto signed_num = [&](std::string_view k, int64_t v) {
    out.Bulk(k);
    out.Integer(v);
  };
  auto dbl = [&](std::string_view k, double v) {
    out.Bulk(k);
    out.Double(v);
  };
  num("peak.allocated", m.peak);
  num("total.allocated", m.used);
  num("startup.allocated", r.startup);
  num("replication.backlog", r.repl_backlog);
  num("clients.slaves", r.clients_slaves);
  num("clients.normal", r.clients_normal);
  num("cluster.links", r.cluster_links);
  num("aof.buffer", r.aof_buffer);
  num("lua.caches", r.lua_caches);
  num("functions.caches", r.functions_caches);
  for (const MemoryReport::DbOverhead& d : r.dbs) {
    out.Bulk("db." + std::to_string(d.db));
    out.MapHeader(3);
    num("overhead.hashtable.main", d.main);
    num("overhead.hashtable.expires", d.expires);
    num("overhead.hashtable.slot-to-keys", 0);  // no cluster mode
  }
  num("overhead.total", r.overhead);
  num("keys.count", r.keys);
  num("keys.bytes-per-key", r.bytes_per_key());
  num("dataset.bytes", r.dataset);
  dbl("dataset.percentage", r.dataset_perc());
  dbl("peak.percentage", r.peak_perc());
  num("allocator.allocated", m.allocator_allocated);
  num("allocator.active", m.allocator_active);
  num("allocator.resident", m.allocator_resident);
  dbl("allocator-fragmentation.ratio", Ratio(m.allocator_active, m.allocator_allocated));
  signed_num("allocator-fragmentation.bytes",
             int64_t(m.allocator_active) - int64_t(m.allocator_allocated));
  dbl("allocator-rss.ratio", Ratio(m.allocator_resident, m.allocator_active));
  signed_num("allocator-rss.bytes", int64_t(m.allocator_resident) - int64_t(m.allocator_active));
  dbl("rss-overhead.ratio", Ratio(m.rss, m.allocator_resident));
  signed_num("rss-overhead.bytes", int64_t(m.rss) - int64_t(m.allocator_resident));
  dbl("fragmentation", Ratio(m.rss, m.used));
  signed_num("fragmentation.bytes", int64_t(m.rss) - int64_t(m.used));
}

// The conditions MEMORY DOCTOR looks at (Redis checks the same ones).
struct DoctorFindings {
  bool peak = false;            // peak much higher than now
  bool frag = false;            // RSS much higher than used memory
  bool big_clients = false;     // normal clients' buffers are large on average
  bool big_scripts = false;     // the script cache is large
  bool allocator_frag = false;  // allocator-level fragmentation
  bool allocator_rss = false;   // allocator keeps many unused resident pages
  bool rss_overhead = false;    // memory outside the allocator (libraries, stacks)
  bool any() const {
    return peak || frag || big_clients || big_scripts || allocator_frag || allocator_rss ||
           rss_overhead;
  }
};

DoctorFindings Diagnose(Server& server, const MemoryReport& r) {
  const MemoryInfo& m = r.m;
  DoctorFindings f;
  f.peak = m.peak / 2 > m.used;  // peak over 150% of now
  // Fragmentation thresholds need enough data to mean something (tiny instances are mostly
  // allocator and library overhead).
  bool sizable = m.used > 10 * 1024 * 1024;
  f.frag = sizable && Ratio(m.rss, m.used) > 1.4;
  f.allocator_frag = sizable && Ratio(m.allocator_active, m.allocator_allocated) > 1.1 &&
                     m.allocator_active - m.allocator_allocated > 10 * 1024 * 1024;
  f.allocator_rss = sizable && Ratio(m.allocator_resident, m.allocator_active) > 1.1 &&
                    m.allocator_resident - m.allocator_active > 10 * 1024 * 1024;
  f.rss_overhead = sizable && Ratio(m.rss, m.allocator_resident) > 1.1 &&
                   int64_t(m.rss) - int64_t(m.allocator_resident) > 10 * 1024 * 1024;
  size_t clients = server.connected_clients();
  f.big_clients = clients && r.clients_normal / clients > 200 * 1024;
  f.big_scripts = r.lua_caches > 1000 * 1024;
  return f;
}

std::string DoctorText(const MemoryReport& r, const DoctorFindings& f) {
  std::string t = "Ember memory report:\n\n";
  char buf[256];
  if (f.peak) {
    snprintf(buf, sizeof(buf),
             " * Peak usage: memory use peaked at %s, more than 150%% of the %s in use now. "
             "RSS may lag behind until the allocator returns the freed pages (MEMORY PURGE).\n\n",
             BytesToHuman(r.m.peak).c_str(), BytesToHuman(r.m.used).c_str());
    t += buf;
  }
  if (f.frag) {
    snprintf(buf, sizeof(buf),
             " * High fragmentation: the process's RSS is %.2f times the memory in use. "
             "MEMORY PURGE gives unused pages back; a restart compacts fully.\n\n",
             Ratio(r.m.rss, r.m.used));
    t += buf;
  }
  if (f.allocator_frag) {
    t += " * Allocator fragmentation: many partly used pages in the allocator's size classes.\n\n";
  }
  if (f.allocator_rss) {
    t += " * The allocator holds many free pages that are still resident; MEMORY PURGE "
         "returns them.\n\n";
  }
  if (f.rss_overhead) {
    t += " * Much resident memory lies outside the allocator (libraries, stacks, mappings).\n\n";
  }
  if (f.big_clients) {
    t += " * Big client buffers: connected clients hold over 200 KB each on average (slow "
         "readers, big pipelines, pub/sub backlogs). CLIENT LIST shows qbuf and omem per "
         "client; client-output-buffer-limit bounds them.\n\n";
  }
  if (f.big_scripts) {
    t += " * Big script cache: over 1000 KB of EVAL scripts are cached. Scripts built with "
         "values inside instead of using ARGV fill it; SCRIPT FLUSH empties it.\n\n";
  }
  return t;
}

// MEMORY DOCTOR
void MemoryDoctor(CommandContext& ctx) {
  MemoryReport r = BuildMemoryReport(ctx.server());
  std::string text;
  if (r.m.used < 5 * 1024 * 1024) {
    text =
        "This instance is empty or holds very little data (under 5 MB): there is nothing for "
        "a memory diagnosis to look at yet. Load some data and ask again.";
  } else {
    DoctorFindings f = Diagnose(ctx.server(), r);
    text = f.any() ? DoctorText(r, f)
                   : "No memory problems found: usage, fragmentation and client buffers look "
                     "healthy.";
  }
  ctx.reply().Verbatim(text, "txt");
}

// MEMORY MALLOC-STATS
void MemoryMallocStats(CommandContext& ctx) {
  std::string text;
#ifdef EMBER_USE_JEMALLOC
  malloc_stats_print(
      [](void* opaque, const char* s) { static_cast<std::string*>(opaque)->append(s); }, &text,
      nullptr);
#else
  text = "Stats not supported for the current allocator";
#endif
  ctx.reply().Verbatim(text, "txt");
}

// MEMORY PURGE
void MemoryPurge(CommandContext& ctx) {
#ifdef EMBER_USE_JEMALLOC
  char cmd[64];
  snprintf(cmd, sizeof(cmd), "arena.%d.purge", MALLCTL_ARENAS_ALL);
  mallctl(cmd, nullptr, nullptr, nullptr, 0);
#endif
  ctx.reply().Ok();
}

// MEMORY HELP
void MemoryHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "DOCTOR",
      "    Report memory problems, if any.",
      "MALLOC-STATS",
      "    The allocator's own statistics report.",
      "PURGE",
      "    Ask the allocator to give unused dirty pages back to the system.",
      "STATS",
      "    Memory usage of the server, broken down.",
      "USAGE <key> [SAMPLES <count>]",
      "    Bytes used by <key> and its value (Ember measures exactly; SAMPLES is accepted).",
      "HELP",
      "    Print this help.",
  };
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(std::size(kLines));
  for (std::string_view l : kLines) r.SimpleString(l);
}

}  // namespace

void RegisterMemoryFamily(CommandTable& t) {
  CommandSpec* mem = t.Add({.name = "memory",
                            .arity = -2,
                            .acl = kAclSlow,
                            .group = "server",
                            .since = "4.0.0",
                            .summary = "A container for memory diagnostics commands.",
                            .complexity = "Depends on subcommand.",
                            .handler = MemoryHelp});
  const std::vector<std::string_view> kShardTips = {
      "nondeterministic_output", "request_policy:all_shards", "response_policy:special"};
  t.AddSub(mem, {.name = "usage",
                 .arity = -3,
                 .flags = kCmdReadOnly,
                 .acl = kAclRead | kAclSlow,
                 .key_specs = {KeyAt(2, kKsRO)},
                 .since = "4.0.0",
                 .summary = "Estimates the memory usage of a key.",
                 .complexity = "O(N) where N is the number of samples.",
                 .syntax = "key [SAMPLES count]",
                 .handler = MemoryUsage});
  t.AddSub(mem, {.name = "stats",
                 .arity = 2,
                 .acl = kAclSlow,
                 .since = "4.0.0",
                 .summary = "Returns details about memory usage.",
                 .complexity = "O(1)",
                 .tips = kShardTips,
                 .handler = MemoryStats});
  t.AddSub(mem, {.name = "doctor",
                 .arity = 2,
                 .acl = kAclSlow,
                 .since = "4.0.0",
                 .summary = "Outputs a memory problems report.",
                 .complexity = "O(1)",
                 .tips = kShardTips,
                 .handler = MemoryDoctor});
  t.AddSub(mem, {.name = "malloc-stats",
                 .arity = 2,
                 .acl = kAclSlow,
                 .since = "4.0.0",
                 .summary = "Returns the allocator statistics.",
                 .complexity = "Depends on how much memory is allocated, could be slow",
                 .tips = kShardTips,
                 .handler = MemoryMallocStats});
  t.AddSub(mem, {.name = "purge",
                 .arity = 2,
                 .acl = kAclSlow,
                 .since = "4.0.0",
                 .summary = "Asks the allocator to release memory.",
                 .complexity = "Depends on how much memory is allocated, could be slow",
                 .tips = {"request_policy:all_shards", "response_policy:all_succeeded"},
                 .handler = MemoryPurge});
  t.AddSub(mem, {.name = "help",
                 .arity = 2,
                 .flags = kCmdLoading | kCmdStale,
                 .acl = kAclSlow,
                 .since = "4.0.0",
                 .summary = "Returns helpful text about the different subcommands.",
                 .complexity = "O(1)",
                 .handler = MemoryHelp});
}

}  // namespace ember
