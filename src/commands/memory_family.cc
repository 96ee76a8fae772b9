// MEMORY USAGE / STATS / DOCTOR / MALLOC-STATS / PURGE / HELP: memory diagnostics.
//
// MEMORY USAGE measures a key exactly (entry block plus its value's heap blocks, by the
// allocator's usable sizes) instead of Redis's sampled estimate; SAMPLES is parsed and
// validated as Redis does but does not change the answer. MEMORY STATS reports Redis's field
// names from the same figures INFO memory uses.
#include <cstdio>
#include <string>

#include "core/dict.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/info.h"

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

// Bytes held by connected clients: query buffers and queued replies.
uint64_t ClientsMemory(Server& server) {
  uint64_t n = 0;
  for (const auto& [id, c] : server.clients()) {
    if (!c->conn()) continue;
    n += c->qbuf.capacity() + c->PendingOutputBytes() + c->obuf.capacity() + sizeof(Client);
  }
  return n;
}

// Figures shared by MEMORY STATS and MEMORY DOCTOR.
struct MemoryReport {
  MemoryInfo m;
  uint64_t startup = 0, clients = 0, tables = 0, overhead = 0, dataset = 0, keys = 0;
};

MemoryReport BuildReport(Server& server) {
  MemoryReport r;
  r.m = ReadMemoryInfo();
  r.startup = std::min(StartupMemory(), r.m.used);
  r.clients = ClientsMemory(server);
  Keyspace& ks = server.keyspace();
  for (int i = 0; i < ks.num_dbs(); i++) {
    r.tables += ks.db(i).dict().BucketBytes();
    r.keys += ks.db(i).size();
  }
  r.overhead = r.startup + r.clients + r.tables;
  r.dataset = r.m.used > r.overhead ? r.m.used - r.overhead : 0;
  return r;
}

double Ratio(uint64_t a, uint64_t b) { return b ? double(a) / double(b) : 0; }

// MEMORY STATS
void MemoryStats(CommandContext& ctx) {
  MemoryReport r = BuildReport(ctx.server());
  const MemoryInfo& m = r.m;
  Keyspace& ks = ctx.server().keyspace();
  size_t dbs_with_keys = 0;
  for (int i = 0; i < ks.num_dbs(); i++) dbs_with_keys += ks.db(i).size() ? 1 : 0;
  ReplyBuilder& out = ctx.reply();
  out.MapHeader(27 + dbs_with_keys);
  auto num = [&](std::string_view k, uint64_t v) {
    out.Bulk(k);
    out.Integer(int64_t(v));
  };
  auto dbl = [&](std::string_view k, double v) {
    out.Bulk(k);
    out.Double(v);
  };
  num("peak.allocated", m.peak);
  num("total.allocated", m.used);
  num("startup.allocated", r.startup);
  num("replication.backlog", 0);
  num("clients.slaves", 0);
  num("clients.normal", r.clients);
  num("cluster.links", 0);
  num("aof.buffer", 0);
  num("lua.caches", 0);
  num("functions.caches", 0);
  for (int i = 0; i < ks.num_dbs(); i++) {
    Db& db = ks.db(i);
    if (db.size() == 0) continue;
    out.Bulk("db." + std::to_string(i));
    out.MapHeader(2);
    num("overhead.hashtable.main", db.dict().BucketBytes());
    num("overhead.hashtable.expires", 0);  // expiry lives inside each entry: no second table
  }
  num("overhead.total", r.overhead);
  num("keys.count", r.keys);
  num("keys.bytes-per-key", r.keys ? (m.used - r.startup) / r.keys : 0);
  num("dataset.bytes", r.dataset);
  dbl("dataset.percentage", 100.0 * Ratio(r.dataset, m.used > r.startup ? m.used - r.startup : 0));
  dbl("peak.percentage", 100.0 * Ratio(m.used, m.peak));
  num("allocator.allocated", m.allocator_allocated);
  num("allocator.active", m.allocator_active);
  num("allocator.resident", m.allocator_resident);
  dbl("allocator-fragmentation.ratio", Ratio(m.allocator_active, m.allocator_allocated));
  num("allocator-fragmentation.bytes", m.allocator_active - m.allocator_allocated);
  dbl("allocator.rss-ratio", Ratio(m.allocator_resident, m.allocator_active));
  num("allocator.rss-bytes", m.allocator_resident - m.allocator_active);
  dbl("rss-overhead.ratio", Ratio(m.rss, m.allocator_resident));
  out.Bulk("rss-overhead.bytes");
  out.Integer(int64_t(m.rss) - int64_t(m.allocator_resident));
  dbl("fragmentation", Ratio(m.rss, m.used));
  out.Bulk("fragmentation.bytes");
  out.Integer(int64_t(m.rss) - int64_t(m.used));
}

// MEMORY DOCTOR
void MemoryDoctor(CommandContext& ctx) {
  MemoryReport r = BuildReport(ctx.server());
  std::string text;
  if (r.m.used < 5 * 1024 * 1024) {
    text =
        "This instance holds too little data (under 5 MB) for a memory report to mean "
        "anything. Load some data and ask again.";
  } else {
    std::string findings;
    double frag = Ratio(r.m.rss, r.m.used);
    if (frag > 1.4) {
      char buf[256];
      snprintf(buf, sizeof(buf),
               " * High fragmentation: RSS is %.2f times the allocated memory. MEMORY PURGE "
               "may give unused pages back to the system.\n",
               frag);
      findings += buf;
    }
    if (r.m.peak > r.m.used * 3 / 2) {
      findings +=
          " * The peak was more than 150% of the current usage: memory freed since then may "
          "still be resident.\n";
    }
    if (r.clients > 200 * 1024 * 1024) {
      findings +=
          " * Client buffers take more than 200 MB: check for slow readers or huge "
          "pipelines (CLIENT LIST shows qbuf and omem per client).\n";
    }
    text = findings.empty() ? "No memory problems found." : "Memory findings:\n\n" + findings;
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
