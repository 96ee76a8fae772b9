// used_memory from jemalloc's per-thread allocated/freed counters, summed over a registry of
// the process's threads. See used_memory.h for the design.
#include "server/used_memory.h"

#include <algorithm>
#include <atomic>
#include <mutex>

#include "core/dict.h"

#ifdef EMBER_USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#elif defined(__SANITIZE_ADDRESS__)
#define EMBER_ASAN_STATS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMBER_ASAN_STATS 1
#endif
#endif

#ifdef EMBER_ASAN_STATS
// From ASan's runtime (sanitizer/allocator_interface.h, not shipped with every compiler).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#elif !defined(EMBER_USE_JEMALLOC)
#include <malloc.h>
#endif

namespace ember {
namespace {

std::atomic<uint64_t> g_peak{0};

void RaisePeak(uint64_t used) {
  uint64_t cur = g_peak.load(std::memory_order_relaxed);
  while (used > cur && !g_peak.compare_exchange_weak(cur, used, std::memory_order_relaxed)) {
  }
}

#ifdef EMBER_USE_JEMALLOC

// One live thread's counters. jemalloc updates them with plain stores on the owning thread;
// readers on other threads load them with relaxed atomic loads (aligned 64-bit words), which
// may see a value a few allocations old but never a torn one.
struct ThreadCounters {
  const uint64_t* allocated = nullptr;
  const uint64_t* freed = nullptr;
};

uint64_t Load(const uint64_t* p) { return __atomic_load_n(p, __ATOMIC_RELAXED); }

// The registry: a fixed table of slots, written under a mutex by threads registering or
// exiting (rare) and read without locks (every command). A sequence counter, odd while a
// writer is changing the table, lets a reader detect that a thread retired mid-sum (its net
// moving from its slot to `retired_`) and sum again, so no reading counts a thread twice or
// not at all. `retired_` is (allocated - freed) of exited threads modulo 2^64: a thread may
// free more than it allocated (it frees what others allocated), and the wrapped sum comes out
// right once all terms are added.
class Registry {
 public:
  static constexpr int kSlots = 256;

  void Add(ThreadCounters c) {
    std::lock_guard lock(mu_);
    for (int i = 0; i < kSlots; i++) {
      if (slots_[i].allocated.load(std::memory_order_relaxed)) continue;
      BeginWrite();
      slots_[i].freed.store(c.freed, std::memory_order_relaxed);
      slots_[i].allocated.store(c.allocated, std::memory_order_relaxed);
      if (i >= used_.load(std::memory_order_relaxed)) used_.store(i + 1, std::memory_order_relaxed);
      live_++;
      EndWrite();
      return;
    }
    overflow_++;  // more than kSlots live threads: this one goes uncounted
  }
  void Retire(const uint64_t* allocated) {
    std::lock_guard lock(mu_);
    int n = used_.load(std::memory_order_relaxed);
    for (int i = 0; i < n; i++) {
      if (slots_[i].allocated.load(std::memory_order_relaxed) != allocated) continue;
      BeginWrite();
      const uint64_t* freed = slots_[i].freed.load(std::memory_order_relaxed);
      retired_.store(retired_.load(std::memory_order_relaxed) + Load(allocated) - Load(freed),
                     std::memory_order_relaxed);
      slots_[i].allocated.store(nullptr, std::memory_order_relaxed);
      live_--;
      EndWrite();
      return;
    }
  }
  uint64_t Net() const {
    for (;;) {
      uint64_t seq = seq_.load(std::memory_order_acquire);
      if (seq & 1) continue;  // a writer is mid-change
      uint64_t net = retired_.load(std::memory_order_relaxed);
      int n = used_.load(std::memory_order_relaxed);
      for (int i = 0; i < n; i++) {
        const uint64_t* a = slots_[i].allocated.load(std::memory_order_relaxed);
        if (!a) continue;
        net += Load(a) - Load(slots_[i].freed.load(std::memory_order_relaxed));
      }
      std::atomic_thread_fence(std::memory_order_acquire);
      if (seq_.load(std::memory_order_relaxed) == seq) return net;
    }
  }
  int live() {
    std::lock_guard lock(mu_);
    return live_;
  }

 private:
  struct Slot {
    std::atomic<const uint64_t*> allocated{nullptr};
    std::atomic<const uint64_t*> freed{nullptr};
  };
  void BeginWrite() {
    seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
    std::atomic_thread_fence(std::memory_order_release);
  }
  void EndWrite() {
    seq_.store(seq_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

  std::mutex mu_;  // serializes writers
  std::atomic<uint64_t> seq_{0};
  std::atomic<uint64_t> retired_{0};
  std::atomic<int> used_{0};  // slots [0, used_) may be occupied
  Slot slots_[kSlots];
  int live_ = 0;
  int overflow_ = 0;
};

// Never destroyed: threads may exit (and retire) after static destructors have started.
Registry& TheRegistry() {
  static Registry* r = new Registry;
  return *r;
}

// Per-thread registration; its destructor runs at thread exit, before jemalloc tears down the
// thread's state (C++ thread_local destructors run before pthread key destructors).
class ThreadRegistration {
 public:
  ThreadRegistration() {
    uint64_t* a = nullptr;
    uint64_t* f = nullptr;
    size_t sz = sizeof(a);
    if (mallctl("thread.allocatedp", &a, &sz, nullptr, 0) != 0) return;
    sz = sizeof(f);
    if (mallctl("thread.deallocatedp", &f, &sz, nullptr, 0) != 0) return;
    allocated_ = a;
    TheRegistry().Add({a, f});
  }
  ~ThreadRegistration() {
    if (allocated_) TheRegistry().Retire(allocated_);
  }
  ThreadRegistration(const ThreadRegistration&) = delete;
  ThreadRegistration& operator=(const ThreadRegistration&) = delete;

 private:
  const uint64_t* allocated_ = nullptr;
};

void EnsureRegistered() { thread_local ThreadRegistration registration; }

// The thread that loads this library (the main thread) is registered before main() runs, so
// a process that never calls RegisterMemoryThread on it still counts it.
[[maybe_unused]] const bool g_main_registered = [] {
  EnsureRegistered();
  return true;
}();

uint64_t AllocatorBytes() {
  EnsureRegistered();  // a thread asking is a thread that allocates: count it too
  return TheRegistry().Net();
}

#elif defined(EMBER_ASAN_STATS)

uint64_t AllocatorBytes() { return __sanitizer_get_current_allocated_bytes(); }

#else

uint64_t AllocatorBytes() {
  struct mallinfo2 mi = mallinfo2();
  return uint64_t(mi.uordblks) + uint64_t(mi.hblkhd);
}

#endif

}  // namespace

void RegisterMemoryThread() {
#ifdef EMBER_USE_JEMALLOC
  EnsureRegistered();
#endif
}

uint64_t AllocatorUsedBytes() { return AllocatorBytes(); }

uint64_t UsedMemory() {
  uint64_t used = AllocatorBytes() + Dict::MappedBucketBytes();
  RaisePeak(used);
  return used;
}

uint64_t UsedMemoryPeak() { return g_peak.load(std::memory_order_relaxed); }

void NoteUsedMemory(uint64_t used) { RaisePeak(used); }

void ResetUsedMemoryPeak() {
  g_peak.store(0, std::memory_order_relaxed);
  RaisePeak(UsedMemory());
}

int RegisteredMemoryThreads() {
#ifdef EMBER_USE_JEMALLOC
  return TheRegistry().live();
#else
  return 0;
#endif
}

bool UsedMemoryIsExact() {
#ifdef EMBER_USE_JEMALLOC
  return true;
#else
  return false;
#endif
}

}  // namespace ember
