// LazyFreer: frees big values, whole flushed tables and retired Lua interpreters on a
// background thread, so that UNLINK, FLUSHALL ASYNC or the expiry of a million-member set does
// not stall the command thread for the time free() takes over every allocation.
//
// What goes to the thread (Redis 7's rules):
//   - an entry the Db unlinked (EntryFreer::Free) when its FreeReason asks for lazy freeing —
//     UNLINK always; DEL, implicit deletes (SET over a value, RENAME's target ...), expiry and
//     eviction when lazyfree-lazy-user-del / -server-del / -expire / -eviction say yes — and
//     freeing it is "big effort": more than kEffortThreshold allocations (KvEntry::FreeEffort:
//     a list's nodes, a hashtable/skiplist's entries, a stream's blocks and group records).
//     Everything else is freed inline: handing a small value over costs more than freeing it.
//   - a whole Dict detached by FLUSHDB/FLUSHALL ASYNC (Db::Clear(async)), counted as its keys.
//   - any other job (SubmitJob): SCRIPT FLUSH / FUNCTION FLUSH ASYNC close the old interpreter.
// INFO memory reports lazyfree_pending_objects (handed over, not yet freed) and
// lazyfreed_objects (freed by the thread since start or CONFIG RESETSTAT).
//
// Why freeing off-thread is safe: an entry reaches the freer only after the Db unlinked it and
// the snapshot hook preserved it (core/db.h), so nothing on the command thread can reach it
// again; and every registered ObjDestructor (quicklist, listpacks, intset, set/hash hashtables,
// skiplist, streams with their consumer groups and PELs) only frees memory the value owns —
// no globals, shared caches or reference counts. Dict::Clear is safe too: large bucket arrays
// go to its unmapper through a locked queue and an atomic byte count.
//
// The thread starts with the first job (a Server that never frees a big value starts none)
// and registers with used_memory's per-thread accounting (server/used_memory.h), so the bytes
// it frees leave used_memory as they are freed. Destruction finishes every queued job, then
// joins the thread.
//
// Ownership: the Server owns one LazyFreer and installs it with Keyspace::set_freer; jobs own
// what they free. Thread: every member is called on the command thread, except the counters
// (pending_objects, freed_objects), which any thread may read.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/db.h"

namespace ember {

struct ServerConfig;

class LazyFreer : public EntryFreer {
 public:
  // Values whose FreeEffort is above this are freed in the background (Redis's
  // LAZYFREE_THRESHOLD); also the number of scripts or functions above which SCRIPT FLUSH /
  // FUNCTION FLUSH ASYNC close the interpreter in the background.
  static constexpr size_t kEffortThreshold = 64;

  // `cfg` supplies the lazyfree-lazy-* settings and must outlive the freer; nullptr means all
  // "no" (only UNLINK and explicit ASYNC flushes are lazy).
  explicit LazyFreer(const ServerConfig* cfg);
  ~LazyFreer() override;
  LazyFreer(const LazyFreer&) = delete;
  LazyFreer& operator=(const LazyFreer&) = delete;

  // EntryFreer: frees `e` in the background when `why` asks for lazy freeing and `e` is big
  // (ShouldFreeLazily), else at once.
  void Free(KvEntry* e, FreeReason why) override;
  // EntryFreer: frees a detached table in the background; counts its keys as pending.
  void FreeDict(std::unique_ptr<Dict> d) override;
  // Runs `job` on the thread, counting `objects` as pending until it has run.
  void SubmitJob(std::function<void()> job, size_t objects);

  // True if the setting behind `why` asks for lazy freeing (kUnlink: always).
  bool LazyFor(FreeReason why) const;
  // LazyFor(why) and the value is big effort.
  bool ShouldFreeLazily(const KvEntry* e, FreeReason why) const {
    return LazyFor(why) && e->FreeEffort() > kEffortThreshold;
  }

  // INFO memory: lazyfree_pending_objects and lazyfreed_objects.
  size_t pending_objects() const { return pending_.load(std::memory_order_relaxed); }
  uint64_t freed_objects() const { return freed_.load(std::memory_order_relaxed); }
  // CONFIG RESETSTAT: lazyfreed_objects restarts from 0.
  void ResetStats() { freed_.store(0, std::memory_order_relaxed); }

  // Blocks until every job handed over so far has run (tests, DEBUG-style waits).
  void WaitIdle();

 private:
  struct Job {
    KvEntry* entry = nullptr;
    std::unique_ptr<Dict> dict;
    std::function<void()> fn;
    size_t objects = 0;
  };
  void Push(Job job);
  void Run();
  static void Execute(Job& job);

  const ServerConfig* cfg_;
  std::atomic<size_t> pending_{0};
  std::atomic<uint64_t> freed_{0};

  std::mutex mu_;
  std::condition_variable wake_;  // the thread waits for jobs or stop_
  std::condition_variable idle_;  // WaitIdle waits for queue_ empty and !busy_
  std::deque<Job> queue_;
  bool busy_ = false;  // the thread is running a job it popped
  bool stop_ = false;
  std::thread thread_;  // started by the first Push
};

}  // namespace ember
