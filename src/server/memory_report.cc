// The used_memory breakdown shared by INFO memory and MEMORY STATS/DOCTOR. See
// memory_report.h.
#include "server/memory_report.h"

#include <algorithm>

#include "core/db.h"
#include "core/kv_entry.h"
#include "persistence/aof.h"
#include "persistence/persistence.h"
#include "scripting/functions.h"
#include "scripting/scripting.h"
#include "server/client.h"
#include "server/multi.h"
#include "server/pubsub.h"
#include "server/server.h"

namespace ember {
namespace {

// Per-entry bytes the table itself costs beyond the key and value: the chain link and the
// meta/LRU header every KvEntry starts with (kv_entry.h layout).
constexpr uint64_t kEntryHeaderBytes = sizeof(void*) + 4;
// A key with a TTL carries its expiry stamp in the entry.
constexpr uint64_t kExpireBytes = sizeof(int64_t);

double Percent(uint64_t part, uint64_t whole) {
  return whole ? 100.0 * double(part) / double(whole) : 0.0;
}

void AddScripting(Server& server, MemoryReport* r) {
  Scripting* s = server.scripting_if_created();
  if (!s) return;
  r->lua_caches = s->scripts_memory() + s->eval_vm_memory();
  // Function and library records are estimated as INFO's used_memory_functions does.
  const FunctionLibraries& libs = s->libraries();
  r->functions_caches =
      libs.function_count() * 128 + libs.library_count() * 256 + s->functions_vm_memory();
}

void AddKeyspace(Server& server, MemoryReport* r) {
  Keyspace& ks = server.keyspace();
  for (int i = 0; i < ks.num_dbs(); i++) {
    Db& db = ks.db(i);
    if (db.size() == 0) continue;
    MemoryReport::DbOverhead d;
    d.db = i;
    d.main = db.dict().BucketBytes() + db.size() * kEntryHeaderBytes;
    d.expires = db.expires_count() * kExpireBytes;
    r->dbs.push_back(d);
    r->keys += db.size();
  }
}

}  // namespace

double MemoryReport::dataset_perc() const {
  return Percent(dataset, m.used > startup ? m.used - startup : 0);
}

double MemoryReport::peak_perc() const { return Percent(m.used, m.peak); }

uint64_t MemoryReport::bytes_per_key() const {
  return keys && m.used > startup ? (m.used - startup) / keys : 0;
}

uint64_t ClientMemoryUsage(const Client& c) {
  // Queued reply chunks: everything pending beyond what sits in `obuf` (whose capacity is
  // counted whole).
  size_t pending = c.PendingOutputBytes();
  size_t in_obuf = c.output_chunks() ? c.obuf.size() : c.obuf.size() - c.opos;
  uint64_t n = sizeof(Client) + c.qbuf.capacity() + c.obuf.capacity() + (pending - in_obuf);
  n += c.name.capacity() > sizeof(c.name) ? c.name.capacity() : 0;
  if (c.tx) n += c.tx->MemoryUsage();
  if (c.subs) n += sizeof(ClientSubscriptions) + c.subs->MemoryUsage();
  return n;
}

MemoryReport BuildMemoryReport(Server& server) {
  MemoryReport r;
  r.m = ReadMemoryInfo();
  r.startup = std::min(StartupMemory(), r.m.used);
  for (const auto& [id, c] : server.clients()) {
    if (c->conn()) r.clients_normal += ClientMemoryUsage(*c);
  }
  r.aof_buffer = server.persistence().aof().buffer_bytes();
  AddScripting(server, &r);
  AddKeyspace(server, &r);
  r.overhead = r.startup + r.clients_normal + r.clients_slaves + r.repl_backlog + r.cluster_links +
               r.aof_buffer + r.lua_caches + r.functions_caches;
  for (const MemoryReport::DbOverhead& d : r.dbs) r.overhead += d.main + d.expires;
  r.dataset = r.m.used > r.overhead ? r.m.used - r.overhead : 0;
  return r;
}

}  // namespace ember
