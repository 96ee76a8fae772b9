// used_memory (server/used_memory.h): the per-thread counter sum must follow allocations and
// frees made on several threads — including memory allocated on one thread and freed on
// another, and threads that exit — and agree with jemalloc's own stats.allocated.
#include "server/used_memory.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstdlib>
#include <thread>
#include <vector>

#ifdef EMBER_USE_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace ember {
namespace {

// Allocations of mixed sizes (small bins, large extents); returns their usable bytes.
uint64_t AllocateMixed(std::vector<void*>* out, int n, unsigned seed) {
  uint64_t usable = 0;
  for (int i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    size_t size = 1 + (seed >> 8) % ((i % 50 == 0) ? 200000 : 600);
    void* p = malloc(size);
    usable += malloc_usable_size(p);
    out->push_back(p);
  }
  return usable;
}

// Frees the blocks (not the vector's own buffer, which callers allocated beforehand).
void FreeAll(std::vector<void*>* blocks) {
  for (void* p : *blocks) free(p);
  blocks->clear();
}

#ifdef EMBER_USE_JEMALLOC
void FlushThreadCache() { mallctl("thread.tcache.flush", nullptr, nullptr, nullptr, 0); }

uint64_t JemallocAllocated() {
  FlushThreadCache();
  uint64_t epoch = 1;
  size_t sz = sizeof(epoch);
  mallctl("epoch", &epoch, &sz, &epoch, sz);
  size_t v = 0;
  sz = sizeof(v);
  mallctl("stats.allocated", &v, &sz, nullptr, 0);
  return v;
}
#endif

int64_t Delta(uint64_t after, uint64_t before) { return int64_t(after) - int64_t(before); }

// Bytes of bookkeeping that may move while a test runs (the test's own vectors, gtest).
constexpr int64_t kSlack = 64 * 1024;

TEST(UsedMemoryTest, FollowsAllocationsAndFreesOnOneThread) {
  std::vector<void*> blocks;
  blocks.reserve(20000);
  uint64_t before = AllocatorUsedBytes();
  uint64_t usable = AllocateMixed(&blocks, 20000, 7);
  int64_t grown = Delta(AllocatorUsedBytes(), before);
  EXPECT_NEAR(double(grown), double(usable), double(kSlack));
  FreeAll(&blocks);
  EXPECT_NEAR(double(Delta(AllocatorUsedBytes(), before)), 0.0, double(kSlack));
}

TEST(UsedMemoryTest, CrossThreadFreesAndExitedThreadsBalance) {
  constexpr int kThreads = 4;
  std::vector<std::vector<void*>> handed(kThreads);
  for (auto& h : handed) h.reserve(5000);
  uint64_t usable[kThreads] = {};
  std::vector<std::thread> producers, consumers;
  producers.reserve(kThreads);
  consumers.reserve(kThreads);
  uint64_t before = AllocatorUsedBytes();
  // Each producer allocates and exits, leaving its blocks to others.
  for (int t = 0; t < kThreads; t++) {
    producers.emplace_back([&, t] {
      RegisterMemoryThread();
      usable[t] = AllocateMixed(&handed[t], 5000, 100 + t);
    });
  }
  for (auto& th : producers) th.join();
  uint64_t total = 0;
  for (uint64_t u : usable) total += u;
  EXPECT_NEAR(double(Delta(AllocatorUsedBytes(), before)), double(total), double(kSlack));
  // Consumers on other threads free everything (freed more than they allocated: the
  // registry must keep their negative net when they exit).
  for (int t = 0; t < kThreads; t++) {
    consumers.emplace_back([&, t] {
      RegisterMemoryThread();
      FreeAll(&handed[(t + 1) % kThreads]);
    });
  }
  for (auto& th : consumers) th.join();
  EXPECT_NEAR(double(Delta(AllocatorUsedBytes(), before)), 0.0, double(kSlack));
}

TEST(UsedMemoryTest, LiveThreadsAreCountedWhileRunning) {
  if (!UsedMemoryIsExact()) GTEST_SKIP() << "registration is a no-op without jemalloc";
  int base = RegisteredMemoryThreads();
  std::vector<void*> blocks;
  blocks.reserve(1000);
  std::atomic<int> stage{0};
  uint64_t before = AllocatorUsedBytes();
  uint64_t usable = 0;
  std::thread worker([&] {
    RegisterMemoryThread();
    usable = AllocateMixed(&blocks, 1000, 3);
    stage.store(1);
    while (stage.load() != 2) std::this_thread::yield();
    FreeAll(&blocks);
  });
  while (stage.load() != 1) std::this_thread::yield();
  EXPECT_EQ(RegisteredMemoryThreads(), base + 1);
  EXPECT_NEAR(double(Delta(AllocatorUsedBytes(), before)), double(usable), double(kSlack));
  stage.store(2);
  worker.join();
  EXPECT_EQ(RegisteredMemoryThreads(), base);
  EXPECT_NEAR(double(Delta(AllocatorUsedBytes(), before)), 0.0, double(kSlack));
}

#ifdef EMBER_USE_JEMALLOC
// The figure must agree with jemalloc's own statistics (which cost an epoch refresh) after
// allocations and frees on several threads. Thread caches are flushed first: jemalloc counts
// blocks parked in a thread's cache as allocated, the per-thread counters as freed.
TEST(UsedMemoryTest, AgreesWithJemallocStatsAllocated) {
  std::vector<void*> keep;
  keep.reserve(50000);
  AllocateMixed(&keep, 30000, 11);
  std::vector<std::thread> threads;
  std::vector<std::vector<void*>> per(3);
  for (int t = 0; t < 3; t++) {
    threads.emplace_back([&, t] {
      RegisterMemoryThread();
      per[t].reserve(10000);
      AllocateMixed(&per[t], 10000, 50 + t);
      // Free half of the main thread's blocks from here.
      for (size_t i = size_t(t); i < keep.size(); i += 6) {
        free(keep[i]);
        keep[i] = nullptr;
      }
      FlushThreadCache();
    });
  }
  for (auto& th : threads) th.join();
  uint64_t stats = JemallocAllocated();
  uint64_t ours = AllocatorUsedBytes();
  double tolerance = std::max(256.0 * 1024, 0.01 * double(stats));
  EXPECT_NEAR(double(ours), double(stats), tolerance) << "ours=" << ours << " stats=" << stats;
  for (void* p : keep) free(p);
  for (auto& v : per) FreeAll(&v);
  stats = JemallocAllocated();
  ours = AllocatorUsedBytes();
  EXPECT_NEAR(double(ours), double(stats), std::max(256.0 * 1024, 0.01 * double(stats)))
      << "ours=" << ours << " stats=" << stats;
}
#endif

TEST(UsedMemoryTest, PeakRisesAndResets) {
  uint64_t now = UsedMemory();
  EXPECT_GE(UsedMemoryPeak(), now);
  void* big = malloc(32 << 20);
  static_cast<char*>(big)[0] = 1;
  uint64_t high = UsedMemory();
  EXPECT_GE(high, now + (32 << 20) - kSlack);
  free(big);
  EXPECT_LT(UsedMemory(), high - (16 << 20));
  EXPECT_GE(UsedMemoryPeak(), high);
  ResetUsedMemoryPeak();
  EXPECT_LT(UsedMemoryPeak(), high - (16 << 20));
  EXPECT_GE(UsedMemoryPeak(), UsedMemory() - kSlack);
  NoteUsedMemory(high);
  EXPECT_GE(UsedMemoryPeak(), high);
}

}  // namespace
}  // namespace ember
