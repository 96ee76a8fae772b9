// Eviction: victim selection (VictimSelector) and maxmemory enforcement (Evictor). The design
// is described in eviction.h.
#include "server/eviction.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "net/event_loop.h"
#include "persistence/aof.h"
#include "persistence/persistence.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/server.h"
#include "server/used_memory.h"

namespace ember {
namespace {

constexpr struct {
  std::string_view name;
  EvictionPolicy policy;
} kPolicyNames[] = {
    {"noeviction", EvictionPolicy::kNoEviction},
    {"allkeys-lru", EvictionPolicy::kAllKeysLru},
    {"allkeys-lfu", EvictionPolicy::kAllKeysLfu},
    {"allkeys-random", EvictionPolicy::kAllKeysRandom},
    {"volatile-lru", EvictionPolicy::kVolatileLru},
    {"volatile-lfu", EvictionPolicy::kVolatileLfu},
    {"volatile-random", EvictionPolicy::kVolatileRandom},
    {"volatile-ttl", EvictionPolicy::kVolatileTtl},
};

// Sampling rounds (each over every database) before a volatile-* selection gives up when keys
// with a TTL exist but none turned up in the buckets sampled.
constexpr int kMaxSelectRounds = 8;
// Buckets one Dict::Sample call may visit per wanted key (all keys), as Redis's
// dictGetSomeKeys; volatile-* multiply it by how rare TTLs are, up to kMaxSampleBuckets.
constexpr size_t kBucketsPerSample = 10;
constexpr size_t kMaxSampleBuckets = 1 << 16;
// Evictions between checks of the time budget (and, with lazy eviction, of used memory).
constexpr int kCheckEvery = 16;

// maxmemory as the keyspace tables see it: growing one's bucket array is put off while that
// would take used memory past the limit (Dict::set_expand_veto). 0: no limit.
uint64_t g_expand_limit = 0;

bool VetoDictExpand(size_t more_bytes) {
  return g_expand_limit != 0 && UsedMemory() + more_bytes > g_expand_limit;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

size_t SampleBuckets(const Db& db, size_t samples, bool volatile_only) {
  size_t buckets = samples * kBucketsPerSample;
  if (volatile_only && db.expires_count() > 0) {
    buckets *= db.size() / db.expires_count() + 1;  // TTLs are rare: look further
  }
  return std::min(buckets, kMaxSampleBuckets);
}

}  // namespace

std::optional<EvictionPolicy> ParseEvictionPolicy(std::string_view name) {
  for (const auto& p : kPolicyNames) {
    if (EqualsIgnoreCase(p.name, name)) return p.policy;
  }
  return std::nullopt;
}

bool IsVolatilePolicy(EvictionPolicy p) {
  return p == EvictionPolicy::kVolatileLru || p == EvictionPolicy::kVolatileLfu ||
         p == EvictionPolicy::kVolatileRandom || p == EvictionPolicy::kVolatileTtl;
}

bool IsLfuPolicy(EvictionPolicy p) {
  return p == EvictionPolicy::kAllKeysLfu || p == EvictionPolicy::kVolatileLfu;
}

// ---------------------------------------------------------------------------------------------
// VictimSelector

VictimSelector::Victim VictimSelector::Select(Keyspace& ks, EvictionPolicy policy, int samples) {
  switch (policy) {
    case EvictionPolicy::kNoEviction:
      return {};
    case EvictionPolicy::kAllKeysRandom:
      return SelectRandom(ks, false);
    case EvictionPolicy::kVolatileRandom:
      return SelectRandom(ks, true);
    default:
      return SelectFromPool(ks, policy, std::max(samples, 1));
  }
}

uint64_t VictimSelector::Score(const Db& db, const KvEntry* e, EvictionPolicy policy) {
  switch (policy) {
    case EvictionPolicy::kAllKeysLfu:
    case EvictionPolicy::kVolatileLfu:
      return 255 - db.LfuCounter(e);
    case EvictionPolicy::kVolatileTtl:
      return std::numeric_limits<uint64_t>::max() - uint64_t(e->expire_ms());
    default:
      return db.IdleSeconds(e);
  }
}

bool VictimSelector::Populate(Db& db, EvictionPolicy policy, int samples) {
  bool volatile_only = IsVolatilePolicy(policy);
  if ((volatile_only ? db.expires_count() : db.size()) == 0) return false;
  samples_.resize(size_t(samples));
  size_t n = db.SampleEntries(samples_.data(), samples_.size(), volatile_only,
                              SampleBuckets(db, samples_.size(), volatile_only));
  for (size_t i = 0; i < n; ++i) {
    Offer(Score(db, samples_[i], policy), db.index(), samples_[i]->key());
  }
  return true;
}

// Inserts a candidate keeping the pool sorted by ascending score; when full, the lowest goes.
void VictimSelector::Offer(uint64_t score, int db, std::string_view key) {
  if (pool_size_ == kPoolSize && score <= pool_[0].score) return;
  for (size_t i = 0; i < pool_size_; ++i) {
    if (pool_[i].db == db && pool_[i].key == key) return;  // already a candidate
  }
  size_t pos = 0;
  while (pos < pool_size_ && pool_[pos].score < score) ++pos;
  // Fill the spare slot past the end (reusing its string's buffer), then rotate it into place.
  Candidate& spare = pool_[pool_size_];
  spare.score = score;
  spare.db = db;
  spare.key.assign(key);
  std::rotate(pool_.begin() + long(pos), pool_.begin() + long(pool_size_),
              pool_.begin() + long(pool_size_) + 1);
  if (++pool_size_ > kPoolSize) {
    std::rotate(pool_.begin(), pool_.begin() + 1, pool_.begin() + long(pool_size_));
    --pool_size_;
  }
}

// Moves the candidate just popped (in the slot past the end) back into sorted position.
void VictimSelector::Reinsert() {
  size_t pos = 0;
  while (pos < pool_size_ && pool_[pos].score < pool_[pool_size_].score) ++pos;
  std::rotate(pool_.begin() + long(pos), pool_.begin() + long(pool_size_),
              pool_.begin() + long(pool_size_) + 1);
  ++pool_size_;
}

VictimSelector::Victim VictimSelector::SelectFromPool(Keyspace& ks, EvictionPolicy policy,
                                                      int samples) {
  bool volatile_only = IsVolatilePolicy(policy);
  for (int round = 0; round < kMaxSelectRounds; ++round) {
    bool any = false;
    for (int i = 0; i < ks.num_dbs(); ++i) any |= Populate(ks.db(i), policy, samples);
    if (!any) {
      pool_size_ = 0;  // nothing qualifies anywhere: every candidate is stale
      return {};
    }
    // Best candidate first; those deleted (or no longer volatile) since they were sampled are
    // dropped, and those accessed since (a lower score now) go back to their new place.
    while (pool_size_ > 0) {
      Candidate& c = pool_[--pool_size_];
      if (c.db >= ks.num_dbs()) continue;
      Db& db = ks.db(c.db);
      KvEntry* e = db.dict().Find(c.key);
      if (e == nullptr || (volatile_only && !e->has_expire())) continue;
      uint64_t now_score = Score(db, e, policy);
      if (now_score >= c.score) return {c.db, e};
      c.score = now_score;
      Reinsert();
    }
  }
  return {};
}

VictimSelector::Victim VictimSelector::SelectRandom(Keyspace& ks, bool volatile_only) {
  int n = ks.num_dbs();
  for (int i = 0; i < n; ++i) {
    int idx = next_random_db_ % n;
    next_random_db_ = (idx + 1) % n;  // rotate, so every database gives up keys in turn
    Db& db = ks.db(idx);
    if (!volatile_only) {
      if (KvEntry* e = db.dict().Random()) return {idx, e};
      continue;
    }
    if (db.expires_count() == 0) continue;
    KvEntry* e = nullptr;
    for (int round = 0; round < kMaxSelectRounds && e == nullptr; ++round) {
      db.SampleEntries(&e, 1, true, SampleBuckets(db, 1, true));
    }
    if (e != nullptr) return {idx, e};
  }
  return {};
}

// ---------------------------------------------------------------------------------------------
// Evictor

// An eventfd that keeps the event loop turning while an eviction continues in slices.
class Evictor::Continuation final : public EventHandler {
 public:
  Continuation(Evictor* owner, EventLoop* loop)
      : owner_(owner), loop_(loop), fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~Continuation() override {
    if (fd_ < 0) return;
    if (registered_) loop_->Remove(fd_);
    close(fd_);
  }
  void Arm() {
    if (fd_ < 0) return;
    if (!registered_) registered_ = loop_->Add(fd_, EventLoop::kReadable, this);
    uint64_t one = 1;
    (void)!write(fd_, &one, sizeof(one));
  }
  void OnEvents(uint32_t) override {
    uint64_t v;
    (void)!read(fd_, &v, sizeof(v));
    owner_->RunContinuation();
  }

 private:
  Evictor* owner_;
  EventLoop* loop_;
  int fd_;
  bool registered_ = false;
};

Evictor::Evictor(Server& server) : server_(server) { ApplyConfig(server.cfg()); }

Evictor::~Evictor() = default;

void Evictor::ApplyConfig(const ServerConfig& cfg) {
  EvictionPolicy p = ParseEvictionPolicy(cfg.maxmemory_policy).value_or(policy_);
  if (p != policy_) selector_.Clear();  // scores of another policy are not comparable
  policy_ = p;
  AccessPolicy& access = server_.keyspace().access_policy();
  access.lfu = IsLfuPolicy(p);
  access.lfu_log_factor = cfg.lfu_log_factor;
  access.lfu_decay_time = cfg.lfu_decay_time;
  g_expand_limit = cfg.maxmemory > 0 ? uint64_t(cfg.maxmemory) : 0;
  Dict::set_expand_veto(&VetoDictExpand);
}

uint64_t Evictor::TimeLimitUs(int tenacity) {
  tenacity = std::clamp(tenacity, 0, 100);
  if (tenacity <= 10) return 50 * uint64_t(tenacity);  // linear up to 500 us
  if (tenacity < 100) return uint64_t(500.0 * std::pow(1.15, tenacity - 10));  // +15% a step
  return std::numeric_limits<uint64_t>::max();
}

uint64_t Evictor::ReadMemory() const { return memory_source_ ? memory_source_() : UsedMemory(); }

uint64_t Evictor::NotCountedMemory() const { return server_.persistence().aof().buffer_bytes(); }

uint64_t Evictor::MemoryForEviction() const {
  uint64_t used = ReadMemory();
  uint64_t skip = NotCountedMemory();
  return used > skip ? used - skip : 0;
}

bool Evictor::SafeToEvict() const {
  // While loading, while a busy script holds the dataset mid-change and while clients are
  // paused (the dataset must stay still), nothing is evicted, as in Redis.
  return !server_.persistence().loading() && !server_.script_busy() && !server_.clients_paused();
}

Evictor::Result Evictor::Perform() {
  const ServerConfig& cfg = server_.cfg();
  if (cfg.maxmemory <= 0 || !SafeToEvict()) {
    NoteOutcome(Result::kOk);
    return Result::kOk;
  }
  const uint64_t limit = uint64_t(cfg.maxmemory);
  uint64_t used = MemoryForEviction();
  if (used <= limit) {
    continuation_armed_ = false;
    NoteOutcome(Result::kOk);
    return Result::kOk;
  }
  const uint64_t to_free = used - limit;
  const uint64_t budget_us = TimeLimitUs(cfg.maxmemory_eviction_tenacity);
  const int64_t start_us = SystemClock::MonotonicUs();
  Keyspace& ks = server_.keyspace();
  Result result = Result::kOk;
  uint64_t freed = 0;
  for (uint64_t evicted = 1; freed < to_free; ++evicted) {
    VictimSelector::Victim v = selector_.Select(ks, policy_, cfg.maxmemory_samples);
    if (v.entry == nullptr) {
      result = Result::kFail;
      break;
    }
    // What freeing gave back, not counting what the notifications allocate (tracking
    // invalidations, keyspace events): as Redis, so clients' buffers do not feed back here.
    uint64_t before = ReadMemory(), after = before;
    ks.db(v.db).Evict(v.entry, [&] { after = ReadMemory(); });
    if (before > after) freed += before - after;
    if (evicted % kCheckEvery != 0) continue;
    // Lazily freed values leave used memory later: look at it rather than at `freed`.
    if (cfg.lazyfree_lazy_eviction && MemoryForEviction() <= limit) break;
    if (uint64_t(SystemClock::MonotonicUs() - start_us) > budget_us) {
      if (MemoryForEviction() > limit) result = Result::kRunning;
      break;
    }
  }
  // Out of candidates, but a background free may already have brought memory under.
  if (result == Result::kFail && MemoryForEviction() <= limit) result = Result::kOk;
  if (result == Result::kRunning) {
    ScheduleContinuation();
  } else {
    // Done: a queued step must not run again before this turn's output is written (clients'
    // pending tracking invalidations would count as memory to free and feed back).
    continuation_armed_ = false;
  }
  NoteOutcome(result);
  return result;
}

void Evictor::ScheduleContinuation() {
  if (continuation_armed_) return;
  if (!continuation_) continuation_ = std::make_unique<Continuation>(this, &server_.loop());
  continuation_armed_ = true;
  continuation_->Arm();
}

void Evictor::RunContinuation() {
  if (!continuation_armed_) return;  // a command's check finished the work meanwhile
  continuation_armed_ = false;
  (void)Perform();  // re-arms itself while still over the limit and within its time budget
}

bool Evictor::RefuseCommand(const Client& c, const CommandSpec& cmd,
                            std::span<const std::string_view> args, uint64_t queued_flags) {
  pre_command_oom_ = Perform() == Result::kFail;
  if (!pre_command_oom_) return false;
  if ((server_.FlagsOf(cmd, args) | queued_flags) & kCmdDenyOom) return true;
  // Queueing in MULTI takes memory too: only what ends a transaction or a connection runs.
  if (c.flags & kClientMulti) {
    return cmd.name != "exec" && cmd.name != "discard" && cmd.name != "quit" && cmd.name != "reset";
  }
  return false;
}

void Evictor::NoteOutcome(Result r) {
  if (r != Result::kOk) {
    if (exceeded_since_us_ == 0) exceeded_since_us_ = SystemClock::MonotonicUs();
  } else if (exceeded_since_us_ != 0) {
    total_exceeded_us_ += uint64_t(SystemClock::MonotonicUs() - exceeded_since_us_);
    exceeded_since_us_ = 0;
  }
}

uint64_t Evictor::current_exceeded_ms() const {
  if (exceeded_since_us_ == 0) return 0;
  return uint64_t(SystemClock::MonotonicUs() - exceeded_since_us_) / 1000;
}

uint64_t Evictor::total_exceeded_ms() const {
  uint64_t current_us =
      exceeded_since_us_ == 0 ? 0 : uint64_t(SystemClock::MonotonicUs() - exceeded_since_us_);
  return (total_exceeded_us_ + current_us) / 1000;
}

void Evictor::ResetStats() {
  total_exceeded_us_ = 0;
  exceeded_since_us_ = 0;
}

}  // namespace ember
