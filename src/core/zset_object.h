// ZSetObject: the value of a ZSET (sorted set) key, in one of two encodings (as Redis, so
// OBJECT ENCODING answers the same):
//
//  - kListpack: a Listpack (core/listpack.h, with backlens) of member,score,member,score...
//    sorted by (score, member). Used while the set has at most zset-max-listpack-entries
//    members and no member is longer than zset-max-listpack-value bytes. A score is stored as
//    an integer entry when it is integral and exact (|s| < 2^53; -0 becomes 0 there, as in
//    Redis): 1-9 bytes; as its %.15g text when that is at most 7 bytes and exact ("1.5",
//    "inf"); else as its 8 raw IEEE bytes (10 bytes with header and backlen). Measured
//    (used_memory, 2000 sets of 100 members "member:N"): integer scores 15.5 bytes per member
//    (Redis 7.0: 16.1), scores i*1.25 18.1 (18.6), scores i*0.1 18.1 (31.4).
//  - kSkiplist: ZSkipList below, ONE heap node per member holding everything, packed to the
//    byte (layout in zset_object.cc): score 8, backward link 8, member-hash chain link 8,
//    level-0 forward pointer 8, level 1 byte, then 12 bytes per extra level (forward pointer
//    + uint32 span, so rank queries are O(log n); the level-0 span is always 1 and not
//    stored), a varint member length (1 byte below 128) and the member bytes. A level-1 node
//    for a 14-byte member is exactly 48 bytes, one jemalloc class (levels: p = 1/4, so 75%
//    of nodes are level 1). The member -> node index is an open chained table of node
//    pointers (8 bytes per bucket, load <= 1), so there is no separate dict entry or second
//    copy of the member. Measured (bench/memory_zsets.py, one set of 1M members
//    "member:%07d"): 67.0 bytes RSS / 61.4 used_memory per member (Redis 7.0: 116.6 /
//    109.8, ratio 0.57); ~52 of them are the node, ~8.4 the buckets. (An open-addressing
//    index without the chain link was considered: at load <= 0.8 it needs 2^21 slots for
//    1M members, 16 B/member, more than the 8 B link it saves, which for 14-byte members
//    does not even change the node's size class.)
//
// Conversion is one way (listpack -> skiplist). A ZSetObject is a non-owning handle on
// (encoding, pointer) as stored in the KvEntry; mutating calls may change both, and the caller
// stores them back (KvEntry::set_obj, or a fresh entry when the encoding changes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>

#include "core/kv_entry.h"

namespace ember {

// Predicate "this (score, member) comes before the range", true on a prefix of the order.
using ZBelowFn = std::function<bool(double score, std::string_view member)>;
// Visitor of (member, score).
using ZVisitFn = std::function<void(std::string_view member, double score)>;

class ZSkipList {
 public:
  static constexpr int kMaxLevel = 32;
  struct Node;

  ZSkipList();
  ~ZSkipList();
  ZSkipList(const ZSkipList&) = delete;
  ZSkipList& operator=(const ZSkipList&) = delete;

  size_t size() const { return length_; }
  // Score of `member`, or false.
  bool Score(std::string_view member, double* score) const;
  // Inserts a member known to be absent.
  void Insert(double score, std::string_view member);
  // Sets the score of `member` (inserting it if absent); true if new.
  bool Set(double score, std::string_view member);
  bool Delete(std::string_view member);
  // 0-based rank of `member`.
  bool Rank(std::string_view member, size_t* rank, double* score) const;
  size_t CountBelow(const ZBelowFn& below) const;
  void ForRange(size_t lo, size_t hi, bool rev, const ZVisitFn& fn) const;
  void DeleteRange(size_t lo, size_t hi);
  // The element at 0-based `rank` (< size()).
  std::pair<std::string_view, double> At(size_t rank) const;
  uint64_t Scan(uint64_t cursor, size_t count, const ZVisitFn& fn) const;
  size_t MemoryUsage() const;
  ZSkipList* Clone() const;
  // Checks the structure's invariants (tests).
  bool Validate() const;

 private:
  Node* NodeByRank(size_t rank1) const;  // 1-based
  Node** Slot(std::string_view member) const;
  void HashAdd(Node* n);
  void HashRemove(Node* n);
  void Resize(size_t buckets);
  // Unlinks `x` from the levels given its predecessors `update`.
  void Unlink(Node* x, Node** update);
  int RandomLevel();

  Node* header_;
  Node* tail_ = nullptr;
  size_t length_ = 0;
  int level_ = 1;
  Node** buckets_ = nullptr;
  size_t nbuckets_ = 0;
  uint64_t rng_state_ = 0x9E3779B97F4A7C15ull;
};

struct ZSetLimits {
  int64_t max_entries;  // zset-max-listpack-entries
  int64_t max_value;    // zset-max-listpack-value
};

class ZSetObject {
 public:
  ZSetObject(ObjEncoding enc, void* obj) : enc_(enc), obj_(obj) {}
  // An empty listpack zset (the caller owns it through a KvEntry).
  static ZSetObject Create();
  // Registers destructor, copier and memory-usage hooks for both encodings (idempotent).
  static void RegisterHooks();

  ObjEncoding encoding() const { return enc_; }
  void* obj() const { return obj_; }

  size_t Len() const;
  bool Score(std::string_view member, double* score) const;
  // Sets member's score (inserting it), converting past `limits`; true if the member is new.
  bool Set(std::string_view member, double score, const ZSetLimits& limits);
  bool Delete(std::string_view member);
  // 0-based ascending rank and score of `member`, or false.
  bool Rank(std::string_view member, size_t* rank, double* score) const;
  // Number of leading elements (in (score, member) order) for which below() holds.
  size_t CountBelow(const ZBelowFn& below) const;
  // Visits ranks [lo, hi) (0-based, hi <= Len()) ascending, or descending when rev.
  void ForRange(size_t lo, size_t hi, bool rev, const ZVisitFn& fn) const;
  // Deletes ranks [lo, hi).
  void DeleteRange(size_t lo, size_t hi);
  // Element at 0-based `rank`, member copied.
  std::pair<std::string, double> At(size_t rank) const;
  // One step of ZSCAN: a listpack returns everything and cursor 0.
  uint64_t Scan(uint64_t cursor, size_t count, const ZVisitFn& fn) const;
  void ConvertToSkiplist();
  void Destroy();

 private:
  ObjEncoding enc_;
  void* obj_;
};

}  // namespace ember
