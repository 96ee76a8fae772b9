// Dict: chained hash table with incremental rehashing and resize-proof SCAN cursors.
//
// Incremental rehash. A resize allocates the new bucket array as t_[1] and leaves every entry
// in t_[0]; rehash_idx_ is the next bucket of t_[0] to move. Each Find/Insert/Unlink/Random
// moves one bucket (skipping at most ten empty ones) and the cron moves more within a time
// budget, so a resize of a table with millions of keys costs no single command more than a
// few bucket moves. While rehashing: new keys go to t_[1]; lookups probe t_[0] (unless that
// bucket has already been moved) and then t_[1]. When t_[0] is empty, t_[1] becomes t_[0].
// Shrinking uses the same machinery: t_[1] is simply smaller.
//
// SCAN cursors. A cursor is a bucket index whose bits are incremented from the most
// significant (masked) bit downward ("reverse binary"). With table size 2^n, bucket i of a
// table of size 2^m (m > n) holds only keys whose bucket in the small table is i & (2^n - 1);
// the big-table buckets that correspond to one small bucket share the low n bits and differ in
// higher bits. Counting in reverse bit order visits all those higher-bit variants before the
// low n bits change, so:
//   - on growth, the buckets already visited in the small table correspond exactly to the
//     big-table buckets the reversed cursor has already passed, and nothing is skipped;
//   - on shrink, a small-table bucket may be visited again (duplicates are allowed) but never
//     skipped;
//   - while two tables exist, each step visits the small table's bucket at the cursor and then
//     every expansion of it in the big table, so every key is seen whichever table holds it.
// Hence a key present during the whole scan is returned at least once.
//
// Bucket arrays of 64KB or more come from mmap (the kernel hands out zero pages lazily, so a
// 128MB array costs nothing until touched) and are unmapped by a background thread: munmap of
// a large region takes milliseconds and must not stall the command thread.
#include "core/dict.h"

#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cassert>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <new>
#include <thread>
#include <utility>

#include "core/clock.h"

namespace ember {
namespace {

constexpr size_t kInitialBuckets = 4;
constexpr size_t kMmapThresholdBytes = 64 * 1024;
constexpr int kEmptyVisitsPerStep = 10;

uint64_t RandomSeed() {
  uint64_t v = 0;
  if (getrandom(&v, sizeof(v), 0) != ssize_t(sizeof(v))) {
    v = uint64_t(SystemClock::MonotonicUs()) * 0x9E3779B97F4A7C15ULL ^ uint64_t(getpid());
  }
  return v;
}

const uint64_t g_hash_seed = RandomSeed();
Dict::ExpandVeto g_expand_veto = nullptr;
uint64_t g_rng_state = RandomSeed();

// splitmix64: cheap and good enough for picking buckets.
uint64_t NextRandom() {
  uint64_t z = (g_rng_state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

// Uniform in [0, n) without division (Lemire's multiply-shift; bias is negligible for n << 2^64).
uint64_t RandomBelow(uint64_t n) {
  return uint64_t((static_cast<unsigned __int128>(NextRandom()) * n) >> 64);
}

uint64_t ReverseBits(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
  v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0FULL) | ((v & 0x0F0F0F0F0F0F0F0FULL) << 4);
  return __builtin_bswap64(v);
}

// Increments the masked bits of `v` in reverse bit order.
uint64_t NextCursor(uint64_t v, uint64_t mask) {
  v |= ~mask;
  v = ReverseBits(v);
  ++v;
  return ReverseBits(v);
}

// Address of e->next. `next` sits at offset 0 of a malloc'd (hence 16-byte aligned) block, so
// the pointer is aligned even though KvEntry is declared packed.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Waddress-of-packed-member"
inline KvEntry** NextLink(KvEntry* e) { return &e->next; }
#pragma GCC diagnostic pop

inline bool KeyEquals(const KvEntry* e, std::string_view key) {
  std::string_view k = e->key();
  return k.size() == key.size() && std::memcmp(k.data(), key.data(), k.size()) == 0;
}

size_t NextPowerOfTwo(size_t n) {
  if (n <= kInitialBuckets) return kInitialBuckets;
  return size_t(1) << (64 - __builtin_clzll(n - 1));
}

// Unmaps large bucket arrays off the command thread. A function-local static: started on the
// first large free, joined at process exit (pending regions are unmapped first). After it is
// destroyed (a Dict with static storage destroyed later), or in a forked child where the thread
// does not exist, regions are unmapped synchronously.
class BackgroundUnmapper {
 public:
  static void Unmap(void* p, size_t bytes) {
    if (gone_ || forked()) {
      munmap(p, bytes);
      return;
    }
    Get().Push(p, bytes);
  }

 private:
  BackgroundUnmapper() : pid_(getpid()), thread_([this] { Run(); }) {}
  ~BackgroundUnmapper() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    // In a forked child that exits normally the thread exists only in the parent.
    if (getpid() == pid_) {
      thread_.join();
    } else {
      thread_.detach();
    }
    gone_ = true;
  }

  // Any thread: the lazy-free thread frees detached tables (server/lazyfree.h), hence the
  // atomics below.
  static BackgroundUnmapper& Get() {
    static BackgroundUnmapper instance;
    owner_pid_.store(instance.pid_, std::memory_order_relaxed);
    return instance;
  }
  static bool forked() {
    pid_t owner = owner_pid_.load(std::memory_order_relaxed);
    return owner != 0 && getpid() != owner;
  }

  void Push(void* p, size_t bytes) {
    {
      std::lock_guard lock(mu_);
      queue_.emplace_back(p, bytes);
    }
    cv_.notify_one();
  }

  void Run() {
    std::unique_lock lock(mu_);
    for (;;) {
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      while (!queue_.empty()) {
        auto [p, bytes] = queue_.front();
        queue_.pop_front();
        lock.unlock();
        munmap(p, bytes);
        lock.lock();
      }
      if (stop_) return;
    }
  }

  static inline std::atomic<bool> gone_{false};
  static inline std::atomic<pid_t> owner_pid_{0};
  pid_t pid_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<void*, size_t>> queue_;
  bool stop_ = false;
  std::thread thread_;  // last: starts after the other members exist
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Construction, memory

Dict::Dict() = default;

Dict::~Dict() { Clear(); }

void Dict::Swap(Dict& other) noexcept {
  std::swap(t_[0], other.t_[0]);
  std::swap(t_[1], other.t_[1]);
  std::swap(rehash_idx_, other.rehash_idx_);
  std::swap(size_, other.size_);
}

uint64_t Dict::Hash(std::string_view key) {
  return XXH3_64bits_withSeed(key.data(), key.size(), g_hash_seed);
}

namespace {
// Bytes of bucket arrays obtained with mmap (outside the allocator's statistics), so that
// used_memory can include them. Decremented when an array is handed to the unmapper.
std::atomic<size_t> g_mapped_bucket_bytes{0};
}  // namespace

size_t Dict::MappedBucketBytes() { return g_mapped_bucket_bytes.load(std::memory_order_relaxed); }

KvEntry** Dict::AllocBuckets(size_t n) {
  size_t bytes = n * sizeof(KvEntry*);
  void* p;
  if (bytes >= kMmapThresholdBytes) {
    p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    g_mapped_bucket_bytes.fetch_add(bytes, std::memory_order_relaxed);
  } else {
    p = std::calloc(n, sizeof(KvEntry*));
    if (p == nullptr) throw std::bad_alloc();
  }
  return static_cast<KvEntry**>(p);
}

void Dict::FreeBuckets(KvEntry** b, size_t n) {
  if (b == nullptr) return;
  size_t bytes = n * sizeof(KvEntry*);
  if (bytes >= kMmapThresholdBytes) {
    g_mapped_bucket_bytes.fetch_sub(bytes, std::memory_order_relaxed);
    BackgroundUnmapper::Unmap(b, bytes);
  } else {
    std::free(b);
  }
}

size_t Dict::bucket_count() const { return t_[0].size() + t_[1].size(); }

size_t Dict::BucketBytes() const { return bucket_count() * sizeof(KvEntry*); }

bool Dict::rehashing() const { return rehash_idx_ >= 0; }

// ---------------------------------------------------------------------------------------------
// Lookup and mutation

KvEntry** Dict::FindLink(std::string_view key, uint64_t h, int* table) {
  for (int t = 0; t < 2; ++t) {
    Table& tb = t_[t];
    if (tb.buckets == nullptr) break;
    uint64_t idx = h & tb.mask;
    // Buckets of t_[0] below rehash_idx_ have been moved and are empty.
    if (t == 1 || rehash_idx_ < 0 || idx >= uint64_t(rehash_idx_)) {
      for (KvEntry** link = &tb.buckets[idx]; *link != nullptr; link = NextLink(*link)) {
        if (KeyEquals(*link, key)) {
          if (table != nullptr) *table = t;
          return link;
        }
      }
    }
    if (!rehashing()) break;
  }
  return nullptr;
}

void Dict::PrefetchBucket(std::string_view key) const {
  const Table& tb = t_[rehashing() ? 1 : 0];
  if (tb.buckets == nullptr) return;
  __builtin_prefetch(&tb.buckets[Hash(key) & tb.mask]);
}

void Dict::PrefetchEntry(std::string_view key) const {
  const Table& tb = t_[rehashing() ? 1 : 0];
  if (tb.buckets == nullptr) return;
  const KvEntry* head = tb.buckets[Hash(key) & tb.mask];
  if (head != nullptr) __builtin_prefetch(head);
}

KvEntry* Dict::Find(std::string_view key) {
  if (size_ == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  KvEntry** link = FindLink(key, Hash(key), nullptr);
  return link != nullptr ? *link : nullptr;
}

void Dict::Insert(KvEntry* e) {
  if (rehashing()) {
    RehashStep(1);
  } else if (t_[0].buckets == nullptr) {
    Expand(kInitialBuckets);
  } else if (size_ + 1 > kMaxLoad * t_[0].size()) {
    size_t new_size = NextPowerOfTwo(size_ / kMaxLoad + 1);
    bool deferred = g_expand_veto != nullptr && size_ + 1 <= kMaxDeferredLoad * t_[0].size() &&
                    g_expand_veto(new_size * sizeof(KvEntry*));
    if (!deferred) Expand(size_ / kMaxLoad + 1);  // doubles in steady growth: load back to ~1
  }
  uint64_t h = Hash(e->key());
  assert(FindLink(e->key(), h, nullptr) == nullptr && "Dict::Insert: duplicate key");
  Table& tb = t_[rehashing() ? 1 : 0];
  KvEntry*& head = tb.buckets[h & tb.mask];
  e->next = head;
  head = e;
  ++tb.used;
  ++size_;
}

void Dict::Replace(KvEntry* old_e, KvEntry* new_e) {
  uint64_t h = Hash(old_e->key());
  for (Table& tb : t_) {
    if (tb.buckets == nullptr) break;
    for (KvEntry** link = &tb.buckets[h & tb.mask]; *link != nullptr; link = NextLink(*link)) {
      if (*link == old_e) {
        new_e->next = old_e->next;
        *link = new_e;
        old_e->next = nullptr;
        return;
      }
    }
  }
  assert(false && "Dict::Replace: entry not linked");
}

KvEntry* Dict::Unlink(std::string_view key) {
  if (size_ == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  int t = 0;
  KvEntry** link = FindLink(key, Hash(key), &t);
  if (link == nullptr) return nullptr;
  KvEntry* e = *link;
  *link = e->next;
  e->next = nullptr;
  --t_[t].used;
  --size_;
  if (rehashing()) FinishRehashIfDone();
  return e;
}

// ---------------------------------------------------------------------------------------------
// Resizing

void Dict::set_expand_veto(ExpandVeto veto) { g_expand_veto = veto; }

void Dict::Expand(size_t min_size) { ResizeTo(NextPowerOfTwo(min_size)); }

void Dict::ResizeTo(size_t new_size) {
  if (rehashing() || new_size == t_[0].size()) return;
  if (t_[0].buckets == nullptr) {
    t_[0].buckets = AllocBuckets(new_size);
    t_[0].mask = new_size - 1;
    t_[0].used = 0;
    return;
  }
  t_[1].buckets = AllocBuckets(new_size);
  t_[1].mask = new_size - 1;
  t_[1].used = 0;
  rehash_idx_ = 0;
}

constexpr size_t kRehashPrefetchDistance = 8;

void Dict::MigrateBucket(size_t idx) {
  Table& from = t_[0];
  Table& to = t_[1];
  KvEntry* e = from.buckets[idx];
  // Shrinking: every key of bucket idx lands in bucket idx & to.mask; no need to rehash keys.
  bool shrinking = to.mask < from.mask;
  while (e != nullptr) {
    KvEntry* next = e->next;
    uint64_t j = shrinking ? (idx & to.mask) : (Hash(e->key()) & to.mask);
    e->next = to.buckets[j];
    to.buckets[j] = e;
    --from.used;
    ++to.used;
    e = next;
  }
  from.buckets[idx] = nullptr;
}

void Dict::FinishRehashIfDone() {
  if (t_[0].used != 0) return;
  FreeBuckets(t_[0].buckets, t_[0].size());
  t_[0] = t_[1];
  t_[1] = Table{};
  rehash_idx_ = -1;
}

bool Dict::RehashStep(int n) {
  if (!rehashing()) return false;
  int empty_visits = n * kEmptyVisitsPerStep;
  Table& from = t_[0];
  while (n-- > 0 && from.used != 0) {
    // used != 0 guarantees a non-empty bucket at or after rehash_idx_.
    while (from.buckets[rehash_idx_] == nullptr) {
      ++rehash_idx_;
      if (--empty_visits == 0) return true;
    }
    // The bucket array is read sequentially, but its entries are scattered: prefetch the
    // chain heads a few buckets ahead so that later steps find them in cache.
    size_t ahead = size_t(rehash_idx_) + kRehashPrefetchDistance;
    if (ahead < from.size() && from.buckets[ahead] != nullptr) {
      __builtin_prefetch(from.buckets[ahead]);
    }
    MigrateBucket(size_t(rehash_idx_++));
  }
  FinishRehashIfDone();
  return rehashing();
}

bool Dict::RehashFor(int64_t budget_us) {
  if (!rehashing()) return false;
  int64_t start = SystemClock::MonotonicUs();
  while (RehashStep(100)) {
    if (SystemClock::MonotonicUs() - start >= budget_us) break;
  }
  return rehashing();
}

void Dict::MaybeShrink() {
  if (rehashing() || t_[0].buckets == nullptr) return;
  size_t buckets = t_[0].size();
  if (buckets > kInitialBuckets && size_ * 8 < buckets) Expand(size_);
}

// ---------------------------------------------------------------------------------------------
// Iteration

uint64_t Dict::Scan(uint64_t cursor, const std::function<void(KvEntry*)>& fn) const {
  if (size_ == 0) return 0;
  auto emit = [&fn](KvEntry* e) {
    while (e != nullptr) {
      KvEntry* next = e->next;
      fn(e);
      e = next;
    }
  };
  uint64_t v = cursor;
  if (!rehashing()) {
    const Table& tb = t_[0];
    emit(tb.buckets[v & tb.mask]);
    return NextCursor(v, tb.mask);
  }
  const Table* small = &t_[0];
  const Table* big = &t_[1];
  if (small->mask > big->mask) std::swap(small, big);
  emit(small->buckets[v & small->mask]);
  // Every bucket of the big table that is an expansion of the small bucket: they share the low
  // bits, so step the higher bits until they wrap (which carries into the small-table bits).
  do {
    emit(big->buckets[v & big->mask]);
    v = NextCursor(v, big->mask);
  } while ((v & (small->mask ^ big->mask)) != 0);
  return v;
}

KvEntry* Dict::Random() {
  if (size_ == 0) return nullptr;
  if (rehashing()) RehashStep(1);
  KvEntry* head;
  if (rehashing()) {
    // Buckets of t_[0] below rehash_idx_ are empty: draw from the rest of both tables.
    uint64_t s0 = t_[0].size();
    uint64_t lo = uint64_t(rehash_idx_);
    uint64_t span = s0 + t_[1].size() - lo;
    do {
      uint64_t i = lo + RandomBelow(span);
      head = i < s0 ? t_[0].buckets[i] : t_[1].buckets[i - s0];
    } while (head == nullptr);
  } else {
    do {
      head = t_[0].buckets[NextRandom() & t_[0].mask];
    } while (head == nullptr);
  }
  size_t len = 0;
  for (KvEntry* e = head; e != nullptr; e = e->next) ++len;
  for (uint64_t k = RandomBelow(len); k > 0; --k) head = head->next;
  return head;
}

size_t Dict::Sample(KvEntry** out, size_t max, bool volatile_only, size_t max_buckets) {
  if (size_ == 0 || max == 0) return 0;
  if (rehashing()) RehashStep(1);
  const int tables = rehashing() ? 2 : 1;
  const uint64_t big = std::max(t_[0].size(), tables == 2 ? t_[1].size() : 0);
  const uint64_t steps = std::min<uint64_t>(std::max<size_t>(max_buckets, 1), big);
  const uint64_t start = NextRandom();
  size_t n = 0;
  for (uint64_t step = 0; step < steps && n < max; ++step) {
    for (int t = 0; t < tables && n < max; ++t) {
      const Table& tb = t_[t];
      if (step >= tb.size()) continue;  // the smaller table's lap is complete
      uint64_t idx = (start + step) & tb.mask;
      if (t == 0 && tables == 2 && idx < uint64_t(rehash_idx_)) continue;  // moved: empty
      for (KvEntry* e = tb.buckets[idx]; e != nullptr && n < max; e = e->next) {
        if (!volatile_only || e->has_expire()) out[n++] = e;
      }
    }
  }
  return n;
}

void Dict::ForEach(const std::function<void(KvEntry*)>& fn) const {
  for (const Table& tb : t_) {
    for (size_t i = 0; i < tb.size(); ++i) {
      for (KvEntry* e = tb.buckets[i]; e != nullptr;) {
        KvEntry* next = e->next;
        fn(e);
        e = next;
      }
    }
  }
}

void Dict::Clear() {
  for (Table& tb : t_) {
    for (size_t i = 0; i < tb.size() && tb.used != 0; ++i) {
      for (KvEntry* e = tb.buckets[i]; e != nullptr;) {
        KvEntry* next = e->next;
        KvEntry::Destroy(e);
        --tb.used;
        e = next;
      }
    }
    FreeBuckets(tb.buckets, tb.size());
    tb = Table{};
  }
  rehash_idx_ = -1;
  size_ = 0;
}

}  // namespace ember
