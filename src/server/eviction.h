// Eviction: keeps used memory under maxmemory by deleting keys chosen by maxmemory-policy, and
// tells the dispatcher when it cannot (the command is then refused with -OOM if it may grow
// memory: denyoom, see Server::Execute).
//
// Policies: noeviction (never evict; refuse instead), allkeys-lru / volatile-lru (longest idle
// first), allkeys-lfu / volatile-lfu (lowest decayed LFU counter first, core/lfu.h),
// allkeys-random / volatile-random, volatile-ttl (soonest expiry first). volatile-* consider
// only keys with a TTL and fail when no database has one.
//
// Selection (VictimSelector). Like Redis, an approximation: each round samples
// maxmemory-samples keys of every non-empty database (Dict::Sample: consecutive buckets from a
// random start) and merges them into a pool of the 16 best candidates seen so far, scored so
// that higher means "evict first" (idle seconds; 255 - LFU counter; -expire time). The pool
// survives between evictions, so the candidates of many rounds compete and the result gets
// close to true LRU/LFU for little work. The pool holds key names, not pointers: a candidate
// deleted or changed meanwhile is looked up again and dropped if gone (or no longer volatile),
// and one accessed since it was scored (its score dropped) is re-filed rather than evicted.
// There is no table of volatile keys, so volatile-* sample more buckets when TTLs are rare
// (about size/expires_count buckets per wanted key, bounded) and give up after a few empty
// rounds.
//
// Performing (Evictor::Perform). Runs before every command while maxmemory is set, on CONFIG
// SET maxmemory, and as a continuation. Measures used memory minus what does not count for
// eviction (the AOF buffer, which the deletions themselves fill), evicts until the overshoot
// is freed (the memory each deletion gave back, measured), and bounds its time by
// maxmemory-eviction-tenacity: 10 (default) allows ~500 us per call, each step above adds 15%,
// 100 means no limit. When the time is up and memory is still over the limit, it returns
// kRunning (commands are not refused) and a continuation step is queued on the event loop
// (an eventfd that keeps the loop from sleeping), which evicts another slice each loop turn
// until under the limit — CONFIG SET maxmemory far below the data set evicts down without
// one long stall. With lazyfree-lazy-eviction big values are freed by a background thread, so
// the memory a deletion frees is not seen at once: every 16 evictions it re-reads used memory
// and stops as soon as it is under the limit instead of evicting on a stale measure.
// Nothing is evicted while loading, while clients are paused, or while a script is busy.
// While maxmemory is set, the keyspace tables put off doubling their bucket arrays when that
// would cross the limit (Dict::set_expand_veto), rather than evicting keys to pay for it.
//
// INFO: evicted_keys (KeyspaceStats), total_eviction_exceeded_time and
// current_eviction_exceeded_time (time spent over the limit, ms), mem_not_counted_for_evict.
// Ownership: the Server owns one Evictor. Thread: command thread only.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/db.h"

namespace ember {

class Server;
class Client;
struct CommandSpec;
struct ServerConfig;

enum class EvictionPolicy : uint8_t {
  kNoEviction,
  kAllKeysLru,
  kAllKeysLfu,
  kAllKeysRandom,
  kVolatileLru,
  kVolatileLfu,
  kVolatileRandom,
  kVolatileTtl,
};

// The policy named as in maxmemory-policy (case-insensitive), or nullopt.
std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name);
bool IsVolatilePolicy(EvictionPolicy p);
bool IsLfuPolicy(EvictionPolicy p);

// Chooses the next key to evict from a Keyspace (no server needed: unit tests drive it with a
// ManualClock). Keeps the candidate pool between calls.
class VictimSelector {
 public:
  static constexpr size_t kPoolSize = 16;

  struct Victim {
    int db = -1;
    KvEntry* entry = nullptr;  // linked in keyspace.db(db); nullptr when nothing to evict
  };

  // The best key to evict under `policy` sampling `samples` keys per database, or an empty
  // Victim when no key qualifies (empty keyspace, volatile-* without TTLs, noeviction).
  Victim Select(Keyspace& ks, EvictionPolicy policy, int samples);
  // Forgets the pool (the policy changed: old scores are not comparable).
  void Clear() { pool_size_ = 0; }
  size_t pool_size() const { return pool_size_; }

 private:
  struct Candidate {
    uint64_t score = 0;  // higher: evict first
    int db = 0;
    std::string key;
  };
  Victim SelectFromPool(Keyspace& ks, EvictionPolicy policy, int samples);
  Victim SelectRandom(Keyspace& ks, bool volatile_only);
  // Samples `db` and merges the samples into the pool; false if the db has nothing to offer.
  bool Populate(Db& db, EvictionPolicy policy, int samples);
  void Offer(uint64_t score, int db, std::string_view key);
  void Reinsert();
  static uint64_t Score(const Db& db, const KvEntry* e, EvictionPolicy policy);

  std::array<Candidate, kPoolSize + 1> pool_;  // ascending score; one spare for insertion
  size_t pool_size_ = 0;
  int next_random_db_ = 0;
  std::vector<KvEntry*> samples_;
};

// Maxmemory enforcement for one Server (see the top of this file).
class Evictor {
 public:
  enum class Result { kOk, kRunning, kFail };

  explicit Evictor(Server& server);
  ~Evictor();
  Evictor(const Evictor&) = delete;
  Evictor& operator=(const Evictor&) = delete;

  // Re-reads maxmemory-policy and the LFU settings (config hooks call it; also at startup).
  void ApplyConfig(const ServerConfig& cfg);
  EvictionPolicy policy() const { return policy_; }

  // Evicts until used memory is within maxmemory or the time budget is spent. kOk: within the
  // limit (or no limit / not safe to evict now); kRunning: still over, a continuation is
  // queued; kFail: over the limit and nothing left to evict.
  Result Perform();

  // Queues an eviction step on the event loop (CONFIG SET maxmemory: evict after the command).
  void EvictSoon() { ScheduleContinuation(); }

  // The dispatcher's check before running `cmd` with `args` for client `c` (`queued_flags`:
  // for EXEC, the flags of its queued commands): evicts first, then returns true when the
  // command must be refused with -OOM — a denyoom command (a script's flags decide for
  // EVAL/FCALL), an EXEC holding one, or anything but EXEC/DISCARD/QUIT/RESET in MULTI.
  // Remembers the outcome for scripts (pre_command_oom).
  bool RefuseCommand(const Client& c, const CommandSpec& cmd,
                     std::span<const std::string_view> args, uint64_t queued_flags);
  // Whether memory was still over the limit before the running top-level command.
  bool pre_command_oom() const { return pre_command_oom_; }

  // used_memory minus what is not counted for eviction.
  uint64_t MemoryForEviction() const;
  // Bytes not counted for eviction (INFO mem_not_counted_for_evict): the AOF buffer.
  uint64_t NotCountedMemory() const;

  // INFO stats, in milliseconds.
  uint64_t total_exceeded_ms() const;
  uint64_t current_exceeded_ms() const;
  void ResetStats();

  // The time budget of one Perform for a tenacity (0..100), in microseconds; 0 for 100
  // (unlimited).
  static uint64_t TimeLimitUs(int tenacity);

  // Tests: a replacement for UsedMemory().
  void set_memory_source(std::function<uint64_t()> fn) { memory_source_ = std::move(fn); }
  bool continuation_pending() const { return continuation_armed_; }

 private:
  class Continuation;
  bool SafeToEvict() const;
  uint64_t ReadMemory() const;
  void NoteOutcome(Result r);
  void ScheduleContinuation();
  void RunContinuation();

  Server& server_;
  EvictionPolicy policy_ = EvictionPolicy::kNoEviction;
  VictimSelector selector_;
  std::function<uint64_t()> memory_source_;
  std::unique_ptr<Continuation> continuation_;
  bool continuation_armed_ = false;
  bool pre_command_oom_ = false;
  int64_t exceeded_since_us_ = 0;  // monotonic start of the current over-the-limit period
  uint64_t total_exceeded_us_ = 0;
};

}  // namespace ember
