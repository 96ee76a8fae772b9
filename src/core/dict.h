// Dict: the keyspace hash table. Chained hashing through KvEntry::next (no separate node per
// key), power-of-two bucket arrays, and Redis-style incremental rehashing between two arrays
// so that growth and shrink never stop the world: each mutating call migrates a few buckets
// and the server cron migrates more within a time budget. Bucket arrays are allocated with
// mmap (lazily zeroed pages) and old arrays are released off the command thread, so neither
// allocation nor freeing stalls a command.
//
// Load factor: grows when size > kMaxLoad * buckets (kMaxLoad = 2: chains stay short but the
// bucket array costs ~4-8 bytes per key instead of ~8-16), shrinks when size < buckets / 8.
//
// SCAN guarantee (see Scan): a key present from the start to the end of a full scan is
// returned at least once, also while the table grows, shrinks or rehashes; cursors use
// Redis's reverse-binary increment so they stay valid across resizes.
//
// Hashing is seeded (per-process random seed) to resist collision attacks.
// Ownership: the Dict owns every linked entry and frees them in Clear()/destructor.
// Thread: command-execution thread only, except that a Dict detached by FLUSHALL/FLUSHDB ASYNC
// is destroyed on the lazy-free thread (server/lazyfree.h): nothing else references it then.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>

#include "core/kv_entry.h"

namespace ember {

class Dict {
 public:
  static constexpr size_t kMaxLoad = 2;

  Dict();
  ~Dict();
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  // Swaps the whole contents with another Dict (SWAPDB, FLUSHDB ASYNC).
  void Swap(Dict& other) noexcept;

  static uint64_t Hash(std::string_view key);

  // maxmemory: a growth that would need `more_bytes` of new buckets is put off while the hook
  // says no and the load is below kMaxDeferredLoad (chains stay short enough), so a doubling
  // bucket array does not push used memory over the limit and evict keys (Redis does the
  // same). nullptr (default): always grow. Set by the server's evictor; command thread only.
  using ExpandVeto = bool (*)(size_t more_bytes);
  static constexpr size_t kMaxDeferredLoad = 2 * kMaxLoad;
  static void set_expand_veto(ExpandVeto veto);

  // Returns the entry with `key`, or nullptr. Does a rehash step if rehashing.
  KvEntry* Find(std::string_view key);
  // Memory-level parallelism for pipelined requests: PrefetchBucket issues a prefetch of the
  // bucket slot of `key`, PrefetchEntry (called later, when the slot is likely cached) one of
  // the first entry in that bucket. Both are hints only and never modify the table.
  void PrefetchBucket(std::string_view key) const;
  void PrefetchEntry(std::string_view key) const;
  // Links `e`; its key must not be present. May start a resize.
  void Insert(KvEntry* e);
  // Sizes the table for `n` keys ahead of bulk inserts (RDB RESIZEDB), so loading does not
  // rehash its way up; no-op while rehashing or when already big enough.
  void Reserve(size_t n) {
    if (!rehashing() && n > kMaxLoad * bucket_count()) Expand(n / kMaxLoad + 1);
  }
  // Replaces linked entry `old_e` with `new_e` (same key) in place in its chain. Does not
  // free `old_e`.
  void Replace(KvEntry* old_e, KvEntry* new_e);
  // Unlinks and returns the entry with `key` (caller owns it), or nullptr.
  KvEntry* Unlink(std::string_view key);

  size_t size() const { return size_; }
  size_t bucket_count() const;  // buckets of both arrays together
  bool rehashing() const;
  // Migrates up to `n` buckets. Returns true while rehashing is still in progress.
  bool RehashStep(int n);
  // Migrates buckets for about `budget_us` microseconds; returns true while still rehashing.
  bool RehashFor(int64_t budget_us);
  // Starts a shrink if the table is much larger than needed (called from cron).
  void MaybeShrink();

  // Redis SCAN: calls fn for the entries of the bucket(s) at `cursor`, returns the next cursor
  // (0 when the scan is complete). fn must not modify the Dict.
  uint64_t Scan(uint64_t cursor, const std::function<void(KvEntry*)>& fn) const;
  // A random entry (nullptr if empty). Uniform over buckets, then over the chain.
  KvEntry* Random();
  // Sampling for eviction (Redis's dictGetSomeKeys idea): walks consecutive buckets from a
  // random one (in both tables while rehashing), collecting up to `max` entries into `out`,
  // only entries with a TTL if `volatile_only`, and stops after `max_buckets` buckets or a
  // full lap. Cheaper than `max` Random() calls and good enough: eviction wants a few
  // candidates, not a uniform draw. Returns how many were stored.
  size_t Sample(KvEntry** out, size_t max, bool volatile_only, size_t max_buckets);
  // Calls fn for every entry; fn must not modify the Dict.
  void ForEach(const std::function<void(KvEntry*)>& fn) const;
  // Frees every entry (via KvEntry::Destroy) and resets to empty.
  void Clear();
  // Bytes used by the bucket arrays (for INFO/MEMORY).
  size_t BucketBytes() const;
  // Bytes of all Dicts' bucket arrays that were mmap'd directly (not seen by the allocator's
  // statistics); used_memory adds them. Any thread.
  static size_t MappedBucketBytes();

 private:
  struct Table {
    KvEntry** buckets = nullptr;
    uint64_t mask = 0;  // size - 1; size 0 when buckets == nullptr
    size_t used = 0;
    size_t size() const { return buckets ? mask + 1 : 0; }
  };
  void Expand(size_t min_size);
  void ResizeTo(size_t new_size);
  void MigrateBucket(size_t idx);
  void FinishRehashIfDone();
  // The link (bucket slot or `next` field) pointing at the entry with `key`, or nullptr;
  // *table receives the table index when non-null.
  KvEntry** FindLink(std::string_view key, uint64_t h, int* table);
  static KvEntry** AllocBuckets(size_t n);
  static void FreeBuckets(KvEntry** b, size_t n);

  Table t_[2];
  int64_t rehash_idx_ = -1;  // -1 when not rehashing; else next bucket of t_[0] to move
  size_t size_ = 0;
};

}  // namespace ember
