// SetObject: the value of a SET key, in one of two encodings (named as Redis 7.0 reports them
// in OBJECT ENCODING):
//   - kIntset: every member is a canonical 64-bit integer and there are at most
//     set-max-intset-entries (512) of them — an IntSet (core/intset.h), 2-8 bytes per member.
//   - kHashtable: anything else — a StrSet (below).
// A set converts from intset to hashtable when a non-integer member arrives or it outgrows the
// limit, and never converts back (as Redis). Redis 7.2 adds a listpack encoding for small
// non-integer sets; Ember does not have it yet (such sets are hashtables, as in Redis 7.0).
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
// StoreSet. The entry owns the object (hooks registered per (kSet, encoding) free, copy and
// size it). Thread: command thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/intset.h"
#include "core/kv_entry.h"

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
  std::string_view Random(uint64_t (*rnd)()) const;
  // One SCAN step: calls f for the members of the cursor's bucket and returns the next cursor
  // (0 when the iteration is complete).
  template <class F>
  uint64_t Scan(uint64_t cursor, F&& f) const {
    uint64_t mask = buckets() - 1;
    for (Node* n = table_[cursor & mask]; n; n = n->next) f(Member(n));
    return NextCursor(cursor, mask);
  }
  // Heap bytes of the table, its bucket array and member blocks (estimate of the allocator's
  // size classes is not attempted: requested sizes).
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

// Handle on a set value: (encoding, pointer), as stored in a KvEntry of type kSet.
class SetObject {
 public:
  SetObject(ObjEncoding enc, void* obj) : enc_(enc), obj_(obj) {}
  static SetObject FromEntry(const KvEntry* e) { return {e->encoding(), e->obj()}; }
  // A new empty set in the encoding Redis picks for a set whose first member is `first`
  // (intset if it is an integer).
  static SetObject CreateFor(std::string_view first);
  // A new empty intset (the start of every *STORE result, as Redis).
  static SetObject CreateIntset();
  // Registers the destructor, copier and memory-usage hooks (idempotent).
  static void RegisterHooks();

  ObjEncoding encoding() const { return enc_; }
  void* obj() const { return obj_; }
  size_t Size() const;
  bool Contains(std::string_view m) const;
  // Adds `m`, converting to a hashtable when `m` is not an integer or the intset would hold
  // more than `max_intset` members. True if it was absent.
  bool Add(std::string_view m, int64_t max_intset);
  // True if `m` was present.
  bool Remove(std::string_view m);
  // Calls f(std::string_view) for every member (intset members are rendered as decimal text
  // into a scratch buffer valid only during the call).
  template <class F>
  void ForEach(F&& f) const {
    if (enc_ == ObjEncoding::kIntset) {
      const IntSet* s = intset();
      char buf[24];
      for (size_t i = 0; i < s->size(); i++) f(std::string_view(buf, Int64ToChars(s->Get(i), buf)));
    } else {
      strset()->ForEach(f);
    }
  }
  // A random member, rendered into `scratch` (>= 21 bytes) for an intset; for a hashtable the
  // view points into the set. *id identifies the member within the set (for de-duplication).
  // Requires Size() > 0.
  std::string_view Random(char* scratch, uint64_t* id) const;
  // One SSCAN step for a hashtable (see StrSet::Scan); an intset returns everything at once
  // with cursor 0, as Redis does for small encodings.
  template <class F>
  uint64_t Scan(uint64_t cursor, F&& f) const {
    if (enc_ == ObjEncoding::kIntset) {
      ForEach(f);
      return 0;
    }
    return strset()->Scan(cursor, f);
  }
  // Frees the object.
  void Destroy();
  size_t MemoryUsage() const;

  IntSet* intset() const { return static_cast<IntSet*>(obj_); }
  StrSet* strset() const { return static_cast<StrSet*>(obj_); }

 private:
  void ConvertToHashtable(size_t reserve);

  ObjEncoding enc_;
  void* obj_;
};

// Stores a (possibly moved or converted) set object back into its entry.
void StoreSet(KvEntry* e, const SetObject& s);

// Random 64-bit numbers for SPOP / SRANDMEMBER (per-thread generator, seeded once).
uint64_t SetRandom();

}  // namespace ember
