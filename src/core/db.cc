// Db and Keyspace: expiry semantics, LRU clock and active expiry on top of Dict.
//
// Expiry follows Redis 7: a key with expiry time `when` (absolute ms) is expired once the
// clock's cached now is strictly greater than `when` (keyIsExpired: now > when). Reads and
// writes delete an expired key they meet (lazy expiry); ActiveExpireCycle reclaims the keys
// nobody touches.
//
// Active expiry essay. Expiry times live inside the entries, so there is no separate index of
// volatile keys to sample from; instead the cycle walks the main table with a persistent SCAN
// cursor (valid across resizes, see dict.cc) and checks the volatile entries of each visited
// bucket. Entries found expired are collected during the Scan callback and deleted after the
// step, so the table is never modified while Scan walks a chain. Effort adapts as in Redis:
// after every batch of >= 20 volatile keys, the cycle stops early if fewer than 10% of them had
// expired (the keyspace is "clean enough"; the rest is left to lazy expiry and later cycles),
// and continues while more are stale, until the time budget is spent (clock checked every 16
// buckets) or a full pass over the table completes.
#include "core/db.h"

#include <cassert>
#include <memory>
#include <utility>

#include "core/hash_object.h"
#include "core/lfu.h"

namespace ember {
namespace {

constexpr uint32_t kLruClockMax = (1u << 24) - 1;
constexpr size_t kExpireBatchKeys = 20;     // volatile keys per effort check
constexpr size_t kAcceptableStalePct = 10;  // stop when a batch had fewer stale keys
constexpr int kBucketsPerTimeCheck = 16;

// Dbs built outside a Keyspace (unit tests) share this state: no snapshot ever runs on them.
SnapshotState g_no_snapshot;

}  // namespace

Db::Db(int index, Clock* clock, KeyspaceStats* stats, KeyspaceObserver* observer,
       SnapshotState* snapshot)
    : index_(index),
      clock_(clock),
      stats_(stats),
      observer_(observer),
      snapshot_(snapshot != nullptr ? snapshot : &g_no_snapshot) {}

// ---------------------------------------------------------------------------------------------
// Lookups

bool Db::IsExpired(const KvEntry* e) const {
  return e->has_expire() && !expiry_frozen_ && e->expire_ms() < clock_->NowMs();
}

KvEntry* Db::LookupRead(std::string_view key, LookupFlags flags) {
  KvEntry* e = dict_.Find(key);
  if (e != nullptr && IsExpired(e)) {
    if (!HasFlag(flags, LookupFlags::kNoExpire) && !expire_suspended_) DeleteExpired(e);
    e = nullptr;
  }
  if (!HasFlag(flags, LookupFlags::kNoStats)) {
    if (e != nullptr) {
      ++stats_->keyspace_hits;
    } else {
      ++stats_->keyspace_misses;
      if (observer_ != nullptr && !HasFlag(flags, LookupFlags::kNoNotify)) {
        observer_->OnKeyMiss(index_, key);
      }
    }
  }
  if (e != nullptr && !HasFlag(flags, LookupFlags::kNoTouch)) Touch(e);
  return e;
}

KvEntry* Db::LookupWrite(std::string_view key) {
  KvEntry* e = LookupRead(key, LookupFlags::kNoStats);
  if (e != nullptr) WillModify(e);  // the caller may change it in place
  return e;
}

// An access: restamps the LRU clock, or decays and probabilistically bumps the LFU counter.
void Db::Touch(KvEntry* e) {
  if (access_->lfu) {
    e->set_lru(
        LfuTouch(e->lru(), access_->lfu_log_factor, access_->lfu_decay_time, clock_->NowMs()));
  } else {
    e->set_lru(LruClock());
  }
}

uint32_t Db::NewAccessField() const {
  return access_->lfu ? LfuField(kLfuInitVal, clock_->NowMs()) : LruClock();
}

uint8_t Db::LfuCounter(const KvEntry* e) const {
  return LfuDecayedCounter(e->lru(), access_->lfu_decay_time, clock_->NowMs());
}

uint32_t Db::LruClock() const { return uint32_t(clock_->NowMs() / 1000) & kLruClockMax; }

uint64_t Db::IdleSeconds(const KvEntry* e) const {
  return (LruClock() - e->lru()) & kLruClockMax;  // modular: survives the 194-day wraparound
}

// ---------------------------------------------------------------------------------------------
// Mutation
//
// Snapshot hook: every method below that replaces, changes or removes an existing entry calls
// WillModify on it first (for removals, right after unlinking: the block is still intact), and
// every entry linked here is stamped with the current epoch, so a running snapshot sees it as
// not part of its image.

void Db::DeleteExpired(KvEntry* e) {
  WillModify(e);
  // Unlink by key: Dict::Unlink returns this very entry (keys are unique).
  KvEntry* unlinked = dict_.Unlink(e->key());
  AccountRemoved(unlinked);
  ++stats_->expired_keys;
  if (observer_ != nullptr) {
    observer_->OnExpired(index_, unlinked->key());
    observer_->OnModified(index_, unlinked->key());
  }
  FreeEntry(unlinked, FreeReason::kExpire);
}

void Db::Add(KvEntry* e) {
  e->set_lru(NewAccessField());
  MarkSnapshotDone(e);
  dict_.Insert(e);
  AccountAdded(e);
  IndexIfFieldTtl(e);
  if (observer_ != nullptr) observer_->OnKeyAdded(index_, e->key());
}

KvEntry* Db::Upsert(KvEntry* e) {
  KvEntry* old = dict_.Find(e->key());
  if (old != nullptr && IsExpired(old)) {
    DeleteExpired(old);  // as Redis's SET: the lookup expires the old key first
    old = nullptr;
  }
  if (old == nullptr) {
    Add(e);
    return e;
  }
  WillModify(old);
  // As Redis's overwrite: under LFU the new value inherits the old key's counter, counting
  // this write as an access to it; under LRU the write is the access.
  if (access_->lfu) e->set_lru(old->lru());
  Touch(e);
  MarkSnapshotDone(e);
  dict_.Replace(old, e);
  AccountRemoved(old);
  AccountAdded(e);
  IndexIfFieldTtl(e);
  FreeEntry(old, FreeReason::kServerDel);  // the value SET & co. overwrote
  return e;
}

KvEntry* Db::ReplaceEntry(KvEntry* old_e, KvEntry* fresh, bool move_obj) {
  if (SnapshotPending(old_e)) {
    // With move_obj the heap object may already have been changed or converted by the caller,
    // which should have looked the key up with LookupWrite. Emitting old_e is safe only when it
    // still points at the (moved) object; otherwise the best left is the new value.
    bool old_intact = !move_obj || uint8_t(old_e->encoding()) < uint8_t(ObjEncoding::kRaw) ||
                      (old_e->encoding() == fresh->encoding() && old_e->obj() == fresh->obj());
    assert(old_intact && "entry changed before the snapshot hook ran (use LookupWrite)");
    WillModify(old_intact ? old_e : fresh);
  }
  MarkSnapshotDone(fresh);
  fresh->set_lru(old_e->lru());
  dict_.Replace(old_e, fresh);
  AccountRemoved(old_e);
  AccountAdded(fresh);
  if (move_obj) {
    KvEntry::DestroyShell(old_e);
  } else {
    FreeEntry(old_e, FreeReason::kServerDel);
  }
  return fresh;
}

KvEntry* Db::Unlink(std::string_view key) {
  KvEntry* e = dict_.Unlink(key);
  if (e == nullptr) return nullptr;
  WillModify(e);
  AccountRemoved(e);
  if (IsExpired(e)) {
    ++stats_->expired_keys;
    if (observer_ != nullptr) {
      observer_->OnExpired(index_, e->key());
      observer_->OnModified(index_, e->key());
    }
    FreeEntry(e, FreeReason::kExpire);
    return nullptr;
  }
  return e;
}

bool Db::Delete(std::string_view key, FreeReason why) {
  KvEntry* e = Unlink(key);
  if (e == nullptr) return false;
  FreeEntry(e, why);
  return true;
}

void Db::Evict(KvEntry* e, const std::function<void()>& freed) {
  WillModify(e);
  KvEntry* unlinked = dict_.Unlink(e->key());  // this very entry (keys are unique)
  AccountRemoved(unlinked);
  ++stats_->evicted_keys;
  evict_key_.assign(unlinked->key());
  FreeEntry(unlinked, FreeReason::kEvict);
  if (freed) freed();
  if (observer_ != nullptr) {
    observer_->OnEvicted(index_, evict_key_);
    observer_->OnModified(index_, evict_key_);
  }
}

KvEntry* Db::SetExpire(KvEntry* e, int64_t when_ms) {
  WillModify(e);
  if (e->has_expire()) {
    e->set_expire_ms(when_ms);
    return e;
  }
  KvEntry* fresh = KvEntry::WithExpire(e, when_ms);
  MarkSnapshotDone(fresh);
  dict_.Replace(e, fresh);
  KvEntry::DestroyShell(e);
  ++expires_;
  return fresh;
}

KvEntry* Db::Persist(KvEntry* e) {
  if (!e->has_expire()) return e;
  WillModify(e);
  KvEntry* fresh = KvEntry::WithExpire(e, KvEntry::kNoExpire);
  MarkSnapshotDone(fresh);
  dict_.Replace(e, fresh);
  KvEntry::DestroyShell(e);
  --expires_;
  return fresh;
}

void Db::Clear(bool async) {
  if (snapshot_->hook != nullptr) snapshot_->hook->PreserveAll(*this);
  if (observer_ != nullptr && observer_->OnFlush(index_, dict_.size())) {
    dict_.ForEach([this](KvEntry* e) { observer_->OnModified(index_, e->key()); });
  }
  if (async && freer_ != nullptr && dict_.size() != 0) {
    auto detached = std::make_unique<Dict>();
    dict_.Swap(*detached);
    freer_->FreeDict(std::move(detached));
  } else {
    dict_.Clear();
  }
  expires_ = 0;
  expire_cursor_ = 0;
  field_expiry_.Clear();
}

void Db::SwapContents(Db& other) {
  if (snapshot_->hook != nullptr) {
    snapshot_->hook->PreserveAll(*this);
    snapshot_->hook->PreserveAll(other);
  }
  dict_.Swap(other.dict_);
  std::swap(expires_, other.expires_);
  std::swap(expire_cursor_, other.expire_cursor_);
  field_expiry_.Swap(other.field_expiry_);
}

// ---------------------------------------------------------------------------------------------
// Iteration and expiry

uint64_t Db::Scan(uint64_t cursor, const std::function<void(KvEntry*)>& fn) {
  expired_batch_.clear();
  int64_t now = clock_->NowMs();
  uint64_t next = dict_.Scan(cursor, [&](KvEntry* e) {
    if (e->has_expire() && e->expire_ms() < now) {
      expired_batch_.push_back(e);
    } else {
      fn(e);
    }
  });
  for (KvEntry* e : expired_batch_) DeleteExpired(e);
  expired_batch_.clear();
  return next;
}

KvEntry* Db::RandomEntry() {
  // Each expired pick is deleted, so this ends: at worst the Db empties.
  for (;;) {
    KvEntry* e = dict_.Random();
    if (e == nullptr || !IsExpired(e)) return e;
    DeleteExpired(e);
  }
}

size_t Db::ActiveExpireCycle(int64_t budget_us) {
  if (expires_ == 0) return 0;
  const int64_t start_us = SystemClock::MonotonicUs();
  const int64_t now_ms = clock_->NowMs();
  size_t total_expired = 0;
  size_t total_sampled = 0;
  size_t batch_sampled = 0;
  size_t batch_expired = 0;
  int buckets = 0;
  bool time_cap = false;

  expired_batch_.clear();
  do {
    expire_cursor_ = dict_.Scan(expire_cursor_, [&](KvEntry* e) {
      if (!e->has_expire()) return;
      ++batch_sampled;
      if (e->expire_ms() < now_ms) expired_batch_.push_back(e);
    });
    for (KvEntry* e : expired_batch_) DeleteExpired(e);
    batch_expired += expired_batch_.size();
    expired_batch_.clear();

    if (batch_sampled >= kExpireBatchKeys) {
      total_sampled += batch_sampled;
      total_expired += batch_expired;
      bool clean = batch_expired * 100 < batch_sampled * kAcceptableStalePct;
      batch_sampled = batch_expired = 0;
      if (clean) break;
    }
    if (++buckets % kBucketsPerTimeCheck == 0 &&
        SystemClock::MonotonicUs() - start_us >= budget_us) {
      time_cap = true;
      break;
    }
  } while (expire_cursor_ != 0 && expires_ != 0);
  total_sampled += batch_sampled;
  total_expired += batch_expired;

  if (time_cap) ++stats_->expired_time_cap_reached_count;
  if (total_sampled != 0) {
    // Moving average of the stale share, as Redis's stat_expired_stale_perc (5% new sample).
    uint64_t perc_x100 = total_expired * 10000 / total_sampled;
    stats_->expired_stale_perc_x100 = (perc_x100 * 5 + stats_->expired_stale_perc_x100 * 95) / 100;
  }
  expire_cycle_us_ += uint64_t(SystemClock::MonotonicUs() - start_us);
  stats_->expire_cycle_cpu_milliseconds += expire_cycle_us_ / 1000;
  expire_cycle_us_ %= 1000;
  return total_expired;
}

// ---------------------------------------------------------------------------------------------
// Hash field expiry
//
// A hash whose fields carry TTLs is filed in field_expiry_ under (a lower bound of) its
// earliest field expiry. Commands expire a hash's due fields lazily before using it
// (ExpireFields); ActiveExpireFields pops the hashes that came due, earliest first, deletes
// their expired fields and files them again under their next expiry. Budget: the clock is
// checked every kHashesPerTimeCheck hashes; one hash is always finished (a listpack is small;
// a hashtable pass is O(its size), see core/hash_object.h).

namespace {
constexpr int kHashesPerTimeCheck = 16;
}  // namespace

void FieldExpiryIndex::Note(std::string_view key, int64_t when_ms) {
  auto it = when_.find(key);
  if (it == when_.end()) {
    it = when_.emplace(std::string(key), when_ms).first;
  } else {
    if (it->second <= when_ms) return;
    queue_.erase({it->second, it->first});
    it->second = when_ms;
  }
  queue_.emplace(when_ms, it->first);
}

std::string FieldExpiryIndex::PopFirst() {
  auto first = queue_.begin();
  auto node = when_.extract(when_.find(first->second));
  queue_.erase(first);
  return std::move(node.key());
}

void FieldExpiryIndex::Clear() {
  queue_.clear();
  when_.clear();
}

void FieldExpiryIndex::Swap(FieldExpiryIndex& other) {
  when_.swap(other.when_);  // node-based: the views in queue_ stay valid
  queue_.swap(other.queue_);
}

void Db::IndexIfFieldTtl(const KvEntry* e) {
  if (e->type() != ObjType::kHash) return;
  int64_t when = HashObject(e->encoding(), e->obj()).MinFieldExpire();
  if (when != KvEntry::kNoExpire) field_expiry_.Note(e->key(), when);
}

KvEntry* Db::ExpireFields(KvEntry* e) {
  int64_t when = HashObject(e->encoding(), e->obj()).MinFieldExpire();
  int64_t now = clock_->NowMs();
  if (when == KvEntry::kNoExpire || when >= now) return e;
  return PurgeFields(e, now);
}

KvEntry* Db::PurgeFields(KvEntry* e, int64_t now_ms) {
  WillModify(e);
  HashObject h(e->encoding(), e->obj());
  size_t removed = h.DeleteExpired(now_ms);
  e->set_obj(h.obj());  // a listpack may move; deleting never changes the encoding
  stats_->expired_subkeys += removed;
  if (removed != 0) NotifyModified(e->key());
  if (h.Len() == 0) {
    KvEntry* unlinked = dict_.Unlink(e->key());
    AccountRemoved(unlinked);
    if (observer_ != nullptr) observer_->OnFieldsExpired(index_, unlinked->key(), true);
    FreeEntry(unlinked, FreeReason::kExpire);
    return nullptr;
  }
  if (removed != 0 && observer_ != nullptr) observer_->OnFieldsExpired(index_, e->key(), false);
  int64_t next = h.MinFieldExpire();
  if (next != KvEntry::kNoExpire) field_expiry_.Note(e->key(), next);
  return e;
}

size_t Db::ActiveExpireFields(int64_t budget_us) {
  const int64_t start_us = SystemClock::MonotonicUs();
  const int64_t now_ms = clock_->NowMs();
  size_t removed = 0;
  int hashes = 0;
  while (field_expiry_.Due(now_ms)) {
    std::string key = field_expiry_.PopFirst();
    KvEntry* e = dict_.Find(key);
    if (e != nullptr && IsExpired(e)) {
      DeleteExpired(e);
    } else if (e != nullptr && e->type() == ObjType::kHash) {
      uint64_t before = stats_->expired_subkeys;
      PurgeFields(e, now_ms);
      removed += stats_->expired_subkeys - before;
    }
    if (++hashes % kHashesPerTimeCheck == 0 && SystemClock::MonotonicUs() - start_us >= budget_us) {
      ++stats_->expired_time_cap_reached_count;
      break;
    }
  }
  return removed;
}

// ---------------------------------------------------------------------------------------------
// Keyspace

Keyspace::Keyspace(int num_dbs, Clock* clock, KeyspaceObserver* observer)
    : clock_(clock), observer_(observer) {
  dbs_.reserve(size_t(num_dbs));
  for (int i = 0; i < num_dbs; ++i) {
    dbs_.push_back(std::make_unique<Db>(i, clock, &stats_, observer, &snapshot_));
    dbs_.back()->set_access_policy(&access_);
  }
}

void Keyspace::SwapDb(int a, int b) {
  if (a == b) return;
  if (observer_ != nullptr) observer_->OnSwapDb(a, b);
  dbs_[a]->SwapContents(*dbs_[b]);
}

void Keyspace::FlushAll(bool async) {
  for (auto& db : dbs_) db->Clear(async);
}

void Keyspace::Cron(int64_t budget_us) {
  const int64_t start = SystemClock::MonotonicUs();
  for (auto& db : dbs_) db->dict().MaybeShrink();
  for (auto& db : dbs_) {
    if (!db->dict().rehashing()) continue;
    int64_t left = budget_us - (SystemClock::MonotonicUs() - start);
    if (left <= 0) break;
    db->dict().RehashFor(left);
  }
}

size_t Keyspace::ActiveExpire(int64_t budget_us) {
  const int64_t start = SystemClock::MonotonicUs();
  const int n = num_dbs();
  size_t expired = 0;
  for (int i = 0; i < n; ++i) {
    Db& db = *dbs_[expire_db_cursor_];
    if (db.expires_count() != 0 || db.field_expiry_keys() != 0) {
      int64_t left = budget_us - (SystemClock::MonotonicUs() - start);
      if (left <= 0) break;  // this Db goes first next time
      if (db.expires_count() != 0) expired += db.ActiveExpireCycle(left);
      left = budget_us - (SystemClock::MonotonicUs() - start);
      if (db.field_expiry_keys() != 0 && left > 0) db.ActiveExpireFields(left);
    }
    expire_db_cursor_ = expire_db_cursor_ + 1 == n ? 0 : expire_db_cursor_ + 1;
  }
  return expired;
}

size_t Keyspace::TotalKeys() const {
  size_t n = 0;
  for (const auto& db : dbs_) n += db->size();
  return n;
}

KvEntry* Db::StoreObject(std::string_view key, KvEntry* e, ObjType type, ObjEncoding enc,
                         void* obj) {
  if (e == nullptr) {
    KvEntry* fresh = KvEntry::CreateObj(key, type, enc, obj);
    Add(fresh);
    return fresh;
  }
  if (enc != e->encoding()) {
    KvEntry* fresh = KvEntry::CreateObj(key, type, enc, obj, e->expire_ms());
    return ReplaceEntry(e, fresh, /*move_obj=*/true);
  }
  // `obj` was changed already: `e` must have been preserved by LookupWrite. If a caller missed
  // that, emitting the new value beats losing the key from the image.
  assert(!SnapshotPending(e) && "entry changed before the snapshot hook ran (use LookupWrite)");
  e->set_obj(obj);
  WillModify(e);
  return e;
}

}  // namespace ember
