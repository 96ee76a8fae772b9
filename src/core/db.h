// Db and Keyspace: the logical databases (SELECT 0..N-1) on top of Dict, with Redis's expiry
// semantics. A Db owns one Dict; expiry times live inside the entries (no second table), and
// the Db keeps the count of keys with a TTL. Expired keys are removed lazily when accessed and
// actively by ActiveExpireCycle, which walks the table with a persistent SCAN-style cursor and
// adapts its effort to how many of the keys it meets have expired.
//
// Everything that later layers need to hook (WATCH invalidation, keyspace notifications,
// replication of expiries) goes through KeyspaceObserver, so core/ depends on nothing above it.
// Ownership: Keyspace owns its Dbs; a Db owns its entries. Thread: command thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/dict.h"
#include "core/kv_entry.h"

namespace ember {

// Counters shared by all Dbs of a Keyspace (INFO stats).
struct KeyspaceStats {
  uint64_t keyspace_hits = 0;
  uint64_t keyspace_misses = 0;
  uint64_t expired_keys = 0;
  uint64_t expired_stale_perc_x100 = 0;  // last active cycle's estimate of stale keys, percent*100
  uint64_t expired_time_cap_reached_count = 0;
  uint64_t expire_cycle_cpu_milliseconds = 0;
  uint64_t expired_subkeys = 0;  // hash fields deleted because their TTL passed
  uint64_t evicted_keys = 0;     // keys removed by maxmemory eviction (Db::Evict)
};

// Hooks for layers above core/ (filled in by the server; all optional).
class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  // A key was expired (lazily or actively) and removed.
  virtual void OnExpired(int db, std::string_view key) {}
  // A key was created, modified or deleted by a command (called by commands via
  // Db::NotifyModified, and by Db itself on expiry/flush).
  virtual void OnModified(int db, std::string_view key) {}
  // SWAPDB is about to exchange the contents of databases a and b (both still unswapped).
  virtual void OnSwapDb(int a, int b) {}
  // Add linked a key that did not exist (keyspace event "new").
  virtual void OnKeyAdded(int db, std::string_view key) {}
  // A read lookup found no live key (keyspace event "keymiss"; not for kNoStats/kNoNotify).
  virtual void OnKeyMiss(int db, std::string_view key) {}
  // Fields of hash `key` expired and were deleted; `key_deleted` if that emptied the hash
  // and its key is gone (keyspace events "hexpired", then "del").
  virtual void OnFieldsExpired(int db, std::string_view key, bool key_deleted) {}
  // Db::Clear is about to delete all `keys` keys of `db` (FLUSHDB, FLUSHALL, loading). True
  // asks for an OnModified per key as well; an observer with no per-key interest at the moment
  // accounts for the flush here and returns false, so a flush costs no walk over the keys
  // (FLUSHALL ASYNC of a big dataset stays O(1) on the command thread).
  virtual bool OnFlush(int db, size_t keys) { return true; }
  // A key was evicted to free memory (Db::Evict); OnModified follows, as for expiry.
  virtual void OnEvicted(int db, std::string_view key) {}
};

// Why the Db is freeing an entry; selects which lazyfree-lazy-* setting applies (the lazy
// freer in server/lazyfree.h decides whether a value is big enough to free off-thread).
enum class FreeReason : uint8_t {
  kUserDel,    // DEL, and the value dropped by a user command (lazyfree-lazy-user-del)
  kUnlink,     // UNLINK: always lazy for big values
  kServerDel,  // implicit deletes: SET over a value, RENAME's target, ... (lazy-server-del)
  kExpire,     // lazy and active expiry (lazyfree-lazy-expire)
  kEvict,      // maxmemory eviction (lazyfree-lazy-eviction)
};

// Frees entries the Db has unlinked. Without one (unit tests) the Db frees inline. The entry
// is already unlinked and the snapshot hook has already preserved it, so a background thread
// may free it. Thread: called on the command thread.
class EntryFreer {
 public:
  virtual ~EntryFreer() = default;
  virtual void Free(KvEntry* e, FreeReason why) = 0;
  // Frees a whole table detached by Db::Clear(async) with everything linked in it.
  virtual void FreeDict(std::unique_ptr<Dict> d) { d.reset(); }
};

class Db;

// The snapshot hook (persistence/snapshot.cc has the essay). While a point-in-time snapshot
// runs, an entry whose snapshot bit differs from the keyspace's epoch is "pending": it belongs
// to the image and has not been emitted yet. The Db calls the hook before anything changes or
// removes a pending entry, so the hook can emit its start-time value first.
class SnapshotHook {
 public:
  virtual ~SnapshotHook() = default;
  // Linked, pending entry `e` of `db` is about to change or go away: emit it and mark it done.
  virtual void Preserve(Db& db, KvEntry* e) = 0;
  // Every entry of `db` is about to change at once (FLUSHDB, SWAPDB): emit all pending ones.
  virtual void PreserveAll(Db& db) = 0;
};

// Shared by a Keyspace and its Dbs: the current epoch parity and the running snapshot's hook
// (nullptr when none runs). New and replaced entries are stamped with `epoch`.
struct SnapshotState {
  bool epoch = false;
  SnapshotHook* hook = nullptr;
};

// How accesses are recorded in an entry's 24-bit LRU/LFU field, shared by a Keyspace and its
// Dbs and set by the server from maxmemory-policy, lfu-log-factor and lfu-decay-time: the LRU
// clock (seconds) by default, or the LFU minute + logarithmic counter (core/lfu.h) under an
// LFU policy.
struct AccessPolicy {
  bool lfu = false;
  int lfu_log_factor = 10;
  int lfu_decay_time = 1;
};
inline constexpr AccessPolicy kDefaultAccessPolicy{};  // LRU: Dbs outside a Keyspace

enum class LookupFlags : uint32_t {
  kNone = 0,
  kNoTouch = 1,   // do not update LRU/LFU (CLIENT NO-TOUCH, OBJECT, TYPE with no-touch)
  kNoStats = 2,   // do not count keyspace hits/misses (write lookups)
  kNoExpire = 4,  // do not delete an expired key (replicas, internal peeks); still reports absent
  kNoNotify = 8,  // no "keymiss" keyspace event on a miss (OBJECT)
};
constexpr LookupFlags operator|(LookupFlags a, LookupFlags b) {
  return LookupFlags(uint32_t(a) | uint32_t(b));
}
constexpr bool HasFlag(LookupFlags a, LookupFlags b) { return (uint32_t(a) & uint32_t(b)) != 0; }

// Hashes that have fields with a TTL, ordered by the earliest time one of their fields may
// expire (a lower bound, see core/hash_object.h), for active reclaim of field TTLs. Keyed by
// name, so an entry may go stale (key deleted, renamed, overwritten, TTLs removed): the
// reclaimer drops such entries when they come due instead of every command keeping this exact.
class FieldExpiryIndex {
 public:
  // Files `key` under `when_ms`, or keeps its earlier time if it is already filed.
  void Note(std::string_view key, int64_t when_ms);
  // True if the earliest filed time is before `now_ms`.
  bool Due(int64_t now_ms) const { return !queue_.empty() && queue_.begin()->first < now_ms; }
  // Removes and returns the key filed earliest (the index must not be empty).
  std::string PopFirst();
  size_t size() const { return when_.size(); }
  void Clear();
  void Swap(FieldExpiryIndex& other);

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, int64_t, Hash, std::equal_to<>> when_;
  std::set<std::pair<int64_t, std::string_view>> queue_;  // views of when_'s keys
};

class Db {
 public:
  Db(int index, Clock* clock, KeyspaceStats* stats, KeyspaceObserver* observer,
     SnapshotState* snapshot = nullptr);

  int index() const { return index_; }
  size_t size() const { return dict_.size(); }
  size_t expires_count() const { return expires_; }
  Dict& dict() { return dict_; }

  // Read lookup: absent or expired -> nullptr (an expired key is deleted and counted in
  // expired_keys). Counts a keyspace hit/miss and refreshes LRU unless told otherwise.
  KvEntry* LookupRead(std::string_view key, LookupFlags flags = LookupFlags::kNone);
  // Write lookup: same expiry handling, no hit/miss counting.
  KvEntry* LookupWrite(std::string_view key);

  // Pre-sizes the table for `n` keys (RDB loading's RESIZEDB hint).
  void Reserve(size_t n) { dict_.Reserve(n); }
  // Links a new entry; the key must be absent (use after LookupWrite returned nullptr).
  // Stamps the entry's LRU clock (a command that must keep an idle time, e.g. RENAME, sets
  // the field again afterwards).
  void Add(KvEntry* e);
  // Inserts `e`, replacing and freeing any existing entry with the same key (SET semantics:
  // the old TTL is gone unless `e` carries one). An expired old entry counts as expired first,
  // as Redis's lookup before SET does. Stamps e's LRU clock. Returns e.
  KvEntry* Upsert(KvEntry* e);
  // Swaps linked `old_e` for `fresh` (same key) and frees `old_e`'s block; if `move_obj` the
  // heap object was moved into `fresh` and only the shell of old_e is freed. `fresh` inherits
  // old_e's LRU/LFU field.
  KvEntry* ReplaceEntry(KvEntry* old_e, KvEntry* fresh, bool move_obj);
  // Makes heap object `obj` (of `type`, encoded `enc`) the value of `key`: links a new entry
  // when `e` is nullptr, swaps in a re-encoded entry (keeping TTL and LRU) when the encoding
  // changed, or just repoints `e`. Collection families call it after every change.
  KvEntry* StoreObject(std::string_view key, KvEntry* e, ObjType type, ObjEncoding enc, void* obj);
  // Deletes the key; true if it existed (not counting an already expired key). `why` picks
  // the lazyfree setting that applies: implicit deletes by default, kUserDel for DEL, kUnlink.
  bool Delete(std::string_view key, FreeReason why = FreeReason::kServerDel);
  // Unlinks the key and hands ownership to the caller (UNLINK/lazy free, MOVE, RENAME).
  KvEntry* Unlink(std::string_view key);

  // Sets the expiry of linked entry `e` (absolute ms); returns the possibly moved entry.
  KvEntry* SetExpire(KvEntry* e, int64_t when_ms);
  // Removes the expiry; returns the possibly moved entry.
  KvEntry* Persist(KvEntry* e);
  // True if `e` has an expiry in the past according to the clock.
  bool IsExpired(const KvEntry* e) const;
  // While set (CLIENT PAUSE), reads treat expired keys as missing but do not delete them, as
  // Redis does: nothing changes the dataset during a pause.
  void set_expire_suspended(bool on) { expire_suspended_ = on; }
  // While set (loading a dataset), nothing counts as expired, as in Redis: an AOF's PEXPIREAT
  // of a past time and the keys it applies to are kept until loading ends.
  void set_expiry_frozen(bool on) { expiry_frozen_ = on; }
  bool expiry_frozen() const { return expiry_frozen_; }

  // SCAN over this Db: calls fn for non-expired entries of the cursor's bucket(s); returns the
  // next cursor. Expired entries met are deleted after the step.
  uint64_t Scan(uint64_t cursor, const std::function<void(KvEntry*)>& fn);
  // A random non-expired entry, or nullptr (RANDOMKEY).
  KvEntry* RandomEntry();
  // Deletes everything (OnModified is called for every key first when an observer is set).
  // `async` (FLUSHDB/FLUSHALL ASYNC): the table is detached in O(1) and handed whole to the
  // EntryFreer, which frees it in the background (inline when no freer is set).
  void Clear(bool async = false);

  // One round of active expiry within `budget_us`: returns the number of keys expired.
  size_t ActiveExpireCycle(int64_t budget_us);

  // --- Hash field TTLs (HEXPIRE & co.) ---
  // Files hash `key` as having a field that may expire at `when_ms` (an earlier time on file
  // stays). Hash commands call it after setting a field TTL; Add/Upsert file hashes that
  // arrive with field TTLs (RENAME, MOVE, COPY, RESTORE).
  void IndexFieldExpire(std::string_view key, int64_t when_ms) { field_expiry_.Note(key, when_ms); }
  // Lazy field expiry: if linked hash entry `e` has a field whose TTL passed, deletes its
  // expired fields (counted in expired_subkeys); returns nullptr if that emptied the hash and
  // its key was deleted, else `e`.
  KvEntry* ExpireFields(KvEntry* e);
  // Hashes filed as having field TTLs (INFO keyspace "subexpiry"; stale entries included).
  size_t field_expiry_keys() const { return field_expiry_.size(); }
  // Active field expiry within `budget_us`: reclaims the due hashes, earliest first; returns
  // the number of fields deleted.
  size_t ActiveExpireFields(int64_t budget_us);

  // Frees unlinked entry `e` through the Keyspace's EntryFreer (inline when none is set).
  void FreeEntry(KvEntry* e, FreeReason why) {
    if (freer_ != nullptr) {
      freer_->Free(e, why);
    } else {
      KvEntry::Destroy(e);
    }
  }
  void set_freer(EntryFreer* f) { freer_ = f; }

  void NotifyModified(std::string_view key) {
    if (observer_) observer_->OnModified(index_, key);
  }

  // Swap contents with another Db (SWAPDB): entries, expiry counts.
  void SwapContents(Db& other);

  // --- Snapshot hook (see SnapshotHook) ---
  // Call before changing linked entry `e` in place when it was not obtained via LookupWrite
  // (a read lookup in a command that then writes, e.g. PFCOUNT's cache, XACK). LookupWrite,
  // and every Db method that replaces or removes an entry, call it themselves.
  void WillModify(KvEntry* e) {
    if (snapshot_->hook != nullptr && e->snapshot_bit() != snapshot_->epoch) {
      snapshot_->hook->Preserve(*this, e);
    }
  }
  // True while a running snapshot still has to emit `e`.
  bool SnapshotPending(const KvEntry* e) const {
    return snapshot_->hook != nullptr && e->snapshot_bit() != snapshot_->epoch;
  }
  // Marks `e` as emitted (or as not part of the running snapshot).
  void MarkSnapshotDone(KvEntry* e) const { e->set_snapshot_bit(snapshot_->epoch); }

  // --- Access tracking and eviction (server/eviction.h) ---
  void set_access_policy(const AccessPolicy* p) { access_ = p; }
  const AccessPolicy& access_policy() const { return *access_; }
  // The access field a new entry starts with: the LRU clock, or the LFU initial counter.
  uint32_t NewAccessField() const;
  // The LFU counter of `e` after decay (OBJECT FREQ, eviction); meaningful under LFU only.
  uint8_t LfuCounter(const KvEntry* e) const;
  // Removes linked entry `e` to free memory: snapshot hook, unlink, evicted_keys,
  // FreeEntry(kEvict), then `freed` (the evictor measures what freeing gave back without the
  // notifications' own allocations), then OnEvicted + OnModified (WATCH, tracking invalidation,
  // keyspace event, propagation).
  void Evict(KvEntry* e, const std::function<void()>& freed = nullptr);
  // Up to `max` entries (only those with a TTL if `volatile_only`) from about `max_buckets`
  // consecutive buckets starting at a random one; see Dict::Sample. Returns how many.
  size_t SampleEntries(KvEntry** out, size_t max, bool volatile_only, size_t max_buckets) {
    return dict_.Sample(out, max, volatile_only, max_buckets);
  }

  // Current LRU clock value (seconds resolution, 24 bits, like Redis's LRU_CLOCK).
  uint32_t LruClock() const;
  // Seconds since the entry was last touched (OBJECT IDLETIME).
  uint64_t IdleSeconds(const KvEntry* e) const;

 private:
  void DeleteExpired(KvEntry* e);
  void Touch(KvEntry* e);
  void AccountAdded(const KvEntry* e) { expires_ += e->has_expire(); }
  void AccountRemoved(const KvEntry* e) { expires_ -= e->has_expire(); }
  // Deletes the fields of hash entry `e` expired at `now_ms`; see ExpireFields.
  KvEntry* PurgeFields(KvEntry* e, int64_t now_ms);
  // Files a hash entry that carries field TTLs (Add/Upsert).
  void IndexIfFieldTtl(const KvEntry* e);

  int index_;
  bool expire_suspended_ = false;  // see set_expire_suspended
  bool expiry_frozen_ = false;     // see set_expiry_frozen
  Clock* clock_;
  KeyspaceStats* stats_;
  KeyspaceObserver* observer_;
  SnapshotState* snapshot_;
  EntryFreer* freer_ = nullptr;                         // see FreeEntry
  const AccessPolicy* access_ = &kDefaultAccessPolicy;  // see set_access_policy
  Dict dict_;
  size_t expires_ = 0;
  uint64_t expire_cursor_ = 0;
  uint64_t expire_cycle_us_ = 0;         // sub-millisecond remainder of expiry-cycle time
  std::vector<KvEntry*> expired_batch_;  // scratch: expired entries met by one Scan step
  std::string evict_key_;                // scratch: the evicted key, for the notifications
  FieldExpiryIndex field_expiry_;
};

// All databases of one server.
class Keyspace {
 public:
  Keyspace(int num_dbs, Clock* clock, KeyspaceObserver* observer = nullptr);
  int num_dbs() const { return int(dbs_.size()); }
  Db& db(int i) { return *dbs_[i]; }
  KeyspaceStats& stats() { return stats_; }
  Clock* clock() const { return clock_; }
  // Swaps the contents of two Dbs (SWAPDB).
  void SwapDb(int a, int b);
  void FlushAll(bool async = false);  // Db::Clear(async) on every Db
  // Cron hook: incremental rehash and shrink for every Db within budget_us.
  void Cron(int64_t budget_us);
  // Db::set_expire_suspended on every Db (CLIENT PAUSE).
  void SetExpireSuspended(bool on) {
    for (auto& d : dbs_) d->set_expire_suspended(on);
  }
  // Db::set_expiry_frozen on every Db (loading).
  void SetExpiryFrozen(bool on) {
    for (auto& d : dbs_) d->set_expiry_frozen(on);
  }
  // Active expiry across Dbs within budget_us (round-robin over Dbs).
  size_t ActiveExpire(int64_t budget_us);
  size_t TotalKeys() const;
  // Snapshot epoch and hook shared with the Dbs (persistence/snapshot.cc).
  SnapshotState& snapshot_state() { return snapshot_; }
  // Installs the freer every Db uses for unlinked entries (server/lazyfree.h); nullptr: inline.
  void set_freer(EntryFreer* f) {
    for (auto& d : dbs_) d->set_freer(f);
  }
  // LRU or LFU access tracking for every Db (the server sets it from the eviction policy).
  AccessPolicy& access_policy() { return access_; }

 private:
  Clock* clock_;
  KeyspaceObserver* observer_;
  KeyspaceStats stats_;
  SnapshotState snapshot_;
  AccessPolicy access_;
  std::vector<std::unique_ptr<Db>> dbs_;
  int expire_db_cursor_ = 0;
};

}  // namespace ember
