// memory_report: where used_memory goes — the breakdown INFO memory and MEMORY STATS/DOCTOR
// print (Redis's "overhead" vs "dataset" split), computed in one place so the two commands
// always agree.
//
// overhead = startup (used_memory before any data was loaded)
//          + client buffers (query buffer and reply buffer capacities, queued reply chunks,
//            per-client state)
//          + keyspace table overhead (bucket arrays, each entry's chain link and metadata
//            header, the expiry stamps of keys with a TTL)
//          + scripting (EVAL script cache, Lua VMs, function libraries)
//          + the AOF propagation buffer
// dataset  = used_memory - overhead (keys, values, their encodings).
// Thread: command thread (reads clients and the keyspace).
#pragma once

#include <cstdint>
#include <vector>

#include "server/info.h"

namespace ember {

class Client;
class Server;

struct MemoryReport {
  MemoryInfo m;                   // used, peak, rss, allocator statistics
  uint64_t startup = 0;           // used_memory_startup
  uint64_t clients_normal = 0;    // mem_clients_normal / clients.normal
  uint64_t clients_slaves = 0;    // replicas (none in Ember yet)
  uint64_t repl_backlog = 0;      // mem_replication_backlog (none yet)
  uint64_t cluster_links = 0;     // no cluster bus
  uint64_t aof_buffer = 0;        // mem_aof_buffer / aof.buffer
  uint64_t lua_caches = 0;        // EVAL script cache + the EVAL Lua VM
  uint64_t functions_caches = 0;  // function libraries + their Lua VM
  struct DbOverhead {
    int db = 0;
    uint64_t main = 0;     // bucket arrays + per-entry link/metadata headers
    uint64_t expires = 0;  // expiry stamps (Ember keeps them in the entries: no second table)
  };
  std::vector<DbOverhead> dbs;  // databases holding keys
  uint64_t overhead = 0;        // used_memory_overhead / overhead.total
  uint64_t dataset = 0;         // used_memory_dataset / dataset.bytes
  uint64_t keys = 0;            // keys in all databases

  // Redis's derived figures.
  double dataset_perc() const;  // dataset share of (used - startup), percent
  double peak_perc() const;     // used / peak, percent
  uint64_t bytes_per_key() const;
};

// Reads the allocator (ReadMemoryInfo) and walks the clients and databases: O(clients + dbs).
MemoryReport BuildMemoryReport(Server& server);

// Memory a client holds: its state, query buffer, reply buffer and queued reply chunks,
// transaction and subscription state (CLIENT LIST tot-mem, mem_clients_normal).
uint64_t ClientMemoryUsage(const Client& c);

}  // namespace ember
