// ListObject: the value of a LIST key, in one of two encodings (named as Redis 7.2 names them,
// so OBJECT ENCODING answers the same):
//
//  - kListpack: one Listpack (core/listpack.h, with backlens so both ends are O(1)) holding the
//    elements in order. Used while the list fits one node under list-max-listpack-size.
//  - kQuicklist: a QuickList below — a deque of listpack nodes, each within the node limit,
//    so pushes and pops at both ends are O(1) and an insert in the middle only moves bytes
//    inside one node (a node that grows past the limit is split in two; neighbours that fit
//    in one node together are merged when elements are removed).
//
// The node limit follows list-max-listpack-size: a negative value -1..-5 caps a node's bytes
// at 4/8/16/32/64 KB (anything below -5 acts as -5), a positive value caps its entry count
// (0 acts as 1). Sizes are our listpack's bytes, which are smaller than Redis's, so a list
// switches encodings at slightly more elements than in Redis for the byte limits. A listpack
// becomes a quicklist when it outgrows one node; a quicklist left with one node at most half
// the limit becomes a listpack again (as Redis 7.2).
//
// A ListObject is a non-owning handle on (encoding, pointer) as stored in the KvEntry; mutating
// calls may change both, and the caller stores them back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <string_view>

#include "core/kv_entry.h"

namespace ember {

struct QuickList {
  QuickList() = default;
  ~QuickList();
  QuickList(const QuickList&) = delete;
  QuickList& operator=(const QuickList&) = delete;

  std::deque<uint8_t*> nodes;  // listpacks, none empty
  size_t count = 0;            // elements over all nodes
};

enum class ListEnd { kHead, kTail };

class ListObject {
 public:
  ListObject(ObjEncoding enc, void* obj) : enc_(enc), obj_(obj) {}
  // An empty listpack list (the caller owns it through a KvEntry).
  static ListObject Create();
  // Registers destructor, copier and memory-usage hooks for both encodings (idempotent).
  static void RegisterHooks();

  ObjEncoding encoding() const { return enc_; }
  void* obj() const { return obj_; }
  // `fill` is list-max-listpack-size; mutators take it to keep nodes within the limit.
  size_t Len() const;

  void Push(ListEnd end, std::string_view v, int64_t fill);
  // Removes the element at `end` into *out; false if empty.
  bool Pop(ListEnd end, std::string* out, int64_t fill);
  // Element at `index` (negative counts from the tail); false if out of range.
  bool Index(int64_t index, std::string* out) const;
  // Replaces the element at `index`; false if out of range.
  bool Set(int64_t index, std::string_view v, int64_t fill);
  // Inserts `v` before/after the first element equal to `pivot`; false if there is none.
  bool Insert(std::string_view pivot, bool after, std::string_view v, int64_t fill);
  // Removes up to |count| elements equal to `v` (count > 0 from the head, < 0 from the tail,
  // 0 all); returns how many.
  size_t Remove(int64_t count, std::string_view v, int64_t fill);
  // Keeps elements [start, stop] (already clamped: 0 <= start <= stop < Len()); removes all if
  // start > stop.
  void Trim(int64_t start, int64_t stop, int64_t fill);
  // Calls fn for elements [start, stop] in order (clamped as for Trim); the view is valid only
  // during the call.
  void Range(int64_t start, int64_t stop, const std::function<void(std::string_view)>& fn) const;
  // Visits elements from the head (or from the tail if `reverse`) with their index from the
  // head; stops when fn returns false.
  void Walk(bool reverse, const std::function<bool(std::string_view, int64_t)>& fn) const;

  void Destroy();

 private:
  struct Cursor {
    size_t node;
    uint32_t pos;
  };
  size_t NumNodes() const;
  uint8_t*& Node(size_t i) const;
  // Position of element `index` (0 <= index < Len()).
  Cursor Locate(int64_t index) const;
  // Restores the node invariants around node `i` after it changed by `delta` elements.
  void FixNode(size_t i, int64_t delta, int64_t fill);
  void SplitNode(size_t i);
  void EraseNode(size_t i);
  void MergeFrom(size_t i, int64_t fill);
  void Rebalance(int64_t fill);
  void ConvertToQuicklist(int64_t fill);
  void MaybeConvertToListpack(int64_t fill);

  ObjEncoding enc_;
  void* obj_;
};

// True if a node of `bytes` bytes and `count` entries is within the limit for `fill`
// (`shrink`: within half the limit, the test for converting back to a listpack).
bool ListNodeFits(size_t bytes, size_t count, int64_t fill, bool shrink = false);

}  // namespace ember
