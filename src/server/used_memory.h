// used_memory: the process's allocated bytes, exact and cheap enough to read before every
// command (maxmemory checks), without jemalloc's stats epoch.
//
// How: jemalloc keeps two per-thread counters, the usable bytes a thread has allocated and the
// usable bytes it has freed since it started (mallctl "thread.allocatedp"/"thread.deallocatedp"
// hand out pointers to them). Memory allocated on one thread and freed on another moves bytes
// between the two threads' counters, so only the sum over *every* thread that allocates or
// frees is meaningful: sum(allocated) - sum(freed). A small registry holds the counters of the
// live threads; a thread that ends folds its net into a retired total. A reading costs
// O(registered threads) relaxed loads, no locks held by allocation paths.
// used_memory = that sum + the dict bucket arrays that were mmap'd directly
// (Dict::MappedBucketBytes, invisible to the allocator).
//
// Every thread that may allocate or free heap memory must call RegisterMemoryThread() at the
// top of its body (the snapshot writer, the AOF fsync thread, the lazy-free thread, test
// threads); unregistration is automatic at thread exit. Registering late loses nothing (the
// counters run from the thread's start); a thread that never registers makes used_memory drift
// by what it allocated or freed.
//
// Builds without jemalloc (sanitizer/fuzz builds): ASan's allocator statistics, otherwise
// glibc's mallinfo2 (slower, but those builds are for testing only); registration is a no-op.
//
// Thread: all functions may be called from any thread.
#pragma once

#include <cstdint>

namespace ember {

// Registers the calling thread's allocation counters (idempotent). The thread is unregistered
// automatically when it exits (its net bytes move to the retired total).
void RegisterMemoryThread();

// Bytes currently allocated by the process (usable sizes) plus directly mmap'd dict buckets:
// INFO's used_memory. Also raises the peak (UsedMemoryPeak).
uint64_t UsedMemory();

// Allocator bytes only (UsedMemory without the mmap'd dict buckets).
uint64_t AllocatorUsedBytes();

// The highest UsedMemory() seen since start or the last ResetUsedMemoryPeak() (the server's
// cron also samples it, so short spikes between readings are seen at cron resolution).
uint64_t UsedMemoryPeak();
// Raises the peak to `used` if higher (for callers that computed UsedMemory themselves).
void NoteUsedMemory(uint64_t used);
// Restarts the peak from the current used memory (CONFIG RESETSTAT).
void ResetUsedMemoryPeak();

// Number of live registered threads (for tests and MEMORY DOCTOR diagnostics).
int RegisteredMemoryThreads();

// True when the per-thread counters are in use (jemalloc build); false on fallback builds.
bool UsedMemoryIsExact();

}  // namespace ember
