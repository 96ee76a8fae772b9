// INFO: builds the text the INFO command replies with — Redis's sections ("# Server",
// "# Clients", ...) and field names, so monitoring tools and client libraries that parse INFO
// (redis-py's info(), redis_exporter, redis-cli --stat) read Ember unchanged. Fields for
// features Ember does not have yet (replication, AOF, modules) carry Redis's idle values.
//
// Also the process memory figures (allocator statistics, RSS) that INFO memory, MEMORY STATS
// and eviction read.
// Thread: command thread only (the memory peak is a process-wide counter it updates).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "server/used_memory.h"  // UsedMemory(), RegisterMemoryThread()

namespace ember {

class Server;

// Allocator and process memory, in bytes.
struct MemoryInfo {
  uint64_t used = 0;                 // bytes handed out by the allocator (used_memory)
  uint64_t peak = 0;                 // highest `used` seen by any ReadMemoryInfo call
  uint64_t rss = 0;                  // resident set size from /proc/self/statm
  uint64_t allocator_allocated = 0;  // jemalloc stats.allocated
  uint64_t allocator_active = 0;     // jemalloc stats.active
  uint64_t allocator_resident = 0;   // jemalloc stats.resident
};

// Reads used_memory (used_memory.h), fresh allocator statistics (jemalloc: advances the stats
// epoch; otherwise mallinfo2) and the RSS, and updates the peak. For INFO/MEMORY, not for
// per-command checks (those call UsedMemory()).
MemoryInfo ReadMemoryInfo();
// Forgets the used_memory peak (CONFIG RESETSTAT); the next reading starts it afresh.
void ResetMemoryPeak();
// Records used_memory once the server is initialised (MEMORY STATS startup.allocated).
void RecordStartupMemory();
uint64_t StartupMemory();
// The allocator name INFO reports in mem_allocator ("jemalloc-5.3.0" or "libc").
std::string_view AllocatorName();
// Redis's human-readable byte count: "967.53K", "1.00M", "12B".
std::string BytesToHuman(uint64_t n);

// The INFO reply text for the given section arguments (the arguments after INFO; empty means
// the default sections). Section names are case-insensitive; "default", "all" and
// "everything" select groups; unknown names are ignored (an empty text if nothing matches).
// Lines end in "\r\n"; sections are separated by an empty line, in Redis's fixed order.
std::string BuildInfo(Server& server, std::span<const std::string_view> sections);

}  // namespace ember
