// SetObject: the value of a SET key, in one of three encodings (named as Redis 7.2 reports them
// in OBJECT ENCODING, with 7.2's rules for choosing and converting):
//   - kIntset: every member is a canonical 64-bit integer and there are at most
//     set-max-intset-entries (512) of them — an IntSet (core/intset.h), 2-8 bytes per member.
//   - kListpack: a small set with a non-integer member: at most set-max-listpack-entries (128)
//     members of at most set-max-listpack-value (64) bytes, in one Listpack block
//     (core/listpack.h, no backlens) in insertion order. Lookups are linear, but ten 10-byte
//     members fit in ~120 bytes where a hashtable needs ~450.
//   - kHashtable: anything else — a StrSet (below).
// Conversions (Redis 7.2): an intset that receives a non-integer becomes a listpack when the
// result fits the listpack limits (its integers' decimal length included), else a hashtable;
// an intset that outgrows set-max-intset-entries becomes a hashtable; a listpack that outgrows
// its limits becomes a hashtable. Removing members never converts back; only a few whole-set
// rebuilds pick a smaller encoding again (SINTERSTORE's result, SPOP's "keep the few" path).
//
// StrSet, the hashtable encoding, is our own chained table rather than
// std::unordered_set<std::string>: the latter costs a 32-byte std::string plus a separately
// allocated node (next pointer + cached hash) per member — about 64-80 bytes for a 10-byte
// member — while a StrSet member is one block [next pointer][varint length][bytes] (32 bytes in
// jemalloc's size classes for a 10-byte member, 16 for a 7-byte one) plus 4-8 bytes of bucket
// array at a load factor of 1-2. Chaining (not open addressing) keeps members in their home
// bucket, which is what SSCAN's reverse-binary cursor needs for Redis's guarantee: a member
// present for a whole scan is returned at least once, across any number of resizes (a resize
// rehashes the table at once; sets are far smaller than the keyspace, so no incremental
// rehash). The hash is Dict::Hash (per-process seed).
//
// SetObject is a non-owning handle on (encoding, pointer) as stored in a KvEntry; mutating
// calls may move the pointer or change the encoding, and the caller stores both back with
// Db::StoreObject (which swaps in a new entry when the encoding changed). The entry owns the
// object (hooks registered per (kSet, encoding) free, copy and size it). Thread: command
// thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string_view>
#include <vector>

#include "core/intset.h"
#include "core/kv_entry.h"
#include "core/listpack.h"

namespace ember {

// The hashtable encoding of a set: a chained hash table of length-prefixed member blocks.
class StrSet {
 public:
  StrSet();
  ~StrSet();
  StrSet(const StrSet&) = delete;
  StrSet& operator=(const StrSet&) = delete;
  StrSet* Clone() const;

  // True if `m` was absent and is now added.
  bool Add(std::string_view m);
  // True if `m` was present and is now removed.
  bool Remove(std::string_view m);
  bool Contains(std::string_view m) const;
  size_t size() const { return size_; }
  // Grows the bucket array ahead of `n` members (conversion from an intset).
  void Reserve(size_t n);

  // Calls f(std::string_view) for every member.
  template <class F>
  void ForEach(F&& f) const {
    for (size_t b = 0; b < buckets(); b++) {
      for (Node* n = table_[b]; n; n = n->next) f(Member(n));
    }
  }
  // A random member (approximately uniform: a random non-empty bucket, then a random member
  // of its chain). The view stays valid until that member is removed. Requires size() > 0.
  std::string_view Random(std::mt19937_64& rng) const;
  // One SCAN step: calls f for the members of the cursor's bucket and returns the next cursor
  // (0 when the iteration is complete).
  template <class F>
  uint64_t Scan(uint64_t cursor, F&& f) const {
    uint64_t mask = buckets() - 1;
    for (Node* n = table_[cursor & mask]; n; n = n->next) f(Member(n));
    return NextCursor(cursor, mask);
  }
  // Heap bytes of the table, its bucket array and member blocks (allocator size classes
  // included).
  size_t MemoryUsage() const;

 private:
  struct Node {
    Node* next;
    // varint length, then the bytes
  };
  static constexpr uint32_t kMinLog2 = 2;
  static constexpr size_t kMaxLoad = 2;

  size_t buckets() const { return size_t(1) << log2_; }
  static std::string_view Member(const Node* n);
  static Node* NewNode(std::string_view m);
  static uint64_t NextCursor(uint64_t cursor, uint64_t mask);
  void Rehash(uint32_t new_log2);

  Node** table_;
  uint32_t size_ = 0;  // members; a set holds at most 2^32-1
  uint32_t log2_ = kMinLog2;
};

// The thresholds that choose a set's encoding (ServerConfig's set-max-* directives).
struct SetLimits {
  int64_t max_intset = 512;         // set-max-intset-entries
  int64_t max_listpack = 128;       // set-max-listpack-entries
  int64_t max_listpack_value = 64;  // set-max-listpack-value (bytes per member)
};

// Handle on a set value: (encoding, pointer), as stored in a KvEntry of type kSet.
class SetObject {
 public:
  SetObject(ObjEncoding enc, void* obj) : enc_(enc), obj_(obj) {}
  static SetObject FromEntry(const KvEntry* e) { return {e->encoding(), e->obj()}; }
  // A new empty set for about `size_hint` members, the first of which is `first` (Redis 7.2's
  // choice): an intset if `first` is an integer and the hint fits an intset, else a listpack if
  // the hint fits one, else a hashtable sized for the hint.
  static SetObject Create(std::string_view first, size_t size_hint, const SetLimits& limits);
  static SetObject CreateIntset();
  static SetObject CreateListpack();
  // Registers the destructor, copier and memory-usage hooks (idempotent).
  static void RegisterHooks();

  ObjEncoding encoding() const { return enc_; }
  void* obj() const { return obj_; }
  size_t Size() const;
  bool Contains(std::string_view m) const;
  // Before adding a batch of `incoming` members (SADD): converts to a hashtable at once when
  // the batch alone exceeds the current small encoding's entry limit.
  void PrepareForBatch(size_t incoming, const SetLimits& limits);
  // Adds `m`, converting as described at the top. True if it was absent.
  bool Add(std::string_view m, const SetLimits& limits);
  // True if `m` was present.
  bool Remove(std::string_view m);
  // Turns a listpack or hashtable into an intset when every member is an integer and there
  // are at most limits.max_intset of them (the last step of SINTERSTORE, as Redis).
  void ConvertToIntsetIfIntegers(const SetLimits& limits);

  // Calls f(std::string_view) for every member (integers are rendered as decimal text into a
  // scratch buffer valid only during the call).
  template <class F>
  void ForEach(F&& f) const {
    char buf[Listpack::kScratch];
    if (enc_ == ObjEncoding::kIntset) {
      const IntSet* s = intset();
      for (size_t i = 0; i < s->size(); i++) f(std::string_view(buf, Int64ToChars(s->Get(i), buf)));
    } else if (enc_ == ObjEncoding::kListpack) {
      const uint8_t* lp = listpack();
      for (uint32_t p = Listpack::First(lp); !Listpack::AtEnd(lp, p); p = Listpack::Next(lp, p)) {
        f(Listpack::Get(lp, p).View(buf));
      }
    } else {
      strset()->ForEach(f);
    }
  }
  // A random member, rendered into `scratch` (Listpack::kScratch bytes) when stored as an
  // integer; else the view points into the set. *id identifies the member within the set (for
  // de-duplication). Requires Size() > 0.
  std::string_view Random(std::mt19937_64& rng, char* scratch, uint64_t* id) const;
  // Listpack only: calls f(member) for `k` distinct members (k <= Size()) chosen uniformly at
  // random, in one pass (selection sampling), in listpack order.
  template <class F>
  void SampleDistinct(size_t k, std::mt19937_64& rng, F&& f) const {
    const uint8_t* lp = listpack();
    char buf[Listpack::kScratch];
    for (uint32_t pos : SamplePositions(k, rng)) f(Listpack::Get(lp, pos).View(buf));
  }
  // Listpack only: removes `k` distinct random members (k <= Size()), calling f(member) for
  // each before it goes.
  template <class F>
  void PopDistinct(size_t k, std::mt19937_64& rng, F&& f) {
    std::vector<uint32_t> picked = SamplePositions(k, rng);
    char buf[Listpack::kScratch];
    for (uint32_t pos : picked) f(Listpack::Get(listpack(), pos).View(buf));
    ErasePositions(picked);
  }
  // One SSCAN step for a hashtable (see StrSet::Scan); an intset or a listpack returns
  // everything at once with cursor 0, as Redis does for its small encodings.
  template <class F>
  uint64_t Scan(uint64_t cursor, F&& f) const {
    if (enc_ != ObjEncoding::kHashtable) {
      ForEach(f);
      return 0;
    }
    return strset()->Scan(cursor, f);
  }
  // Frees the object.
  void Destroy();
  // Heap bytes of the object (allocator size classes included).
  size_t MemoryUsage() const;

  IntSet* intset() const { return static_cast<IntSet*>(obj_); }
  uint8_t* listpack() const { return static_cast<uint8_t*>(obj_); }
  StrSet* strset() const { return static_cast<StrSet*>(obj_); }

 private:
  void AddToIntset(int64_t v, const SetLimits& limits, bool* added);
  // Converts an intset or a listpack; `reserve` sizes the table for members to come.
  void ConvertToHashtable(size_t reserve);
  void ConvertIntsetToListpack();
  // True if an intset plus the non-integer `m` still fits the listpack limits.
  bool IntsetFitsListpack(std::string_view m, const SetLimits& limits) const;
  std::vector<uint32_t> SamplePositions(size_t k, std::mt19937_64& rng) const;
  // Erases listpack entries at `positions` (ascending byte offsets).
  void ErasePositions(const std::vector<uint32_t>& positions);

  ObjEncoding enc_;
  void* obj_;
};

}  // namespace ember
