// IntSet: the "intset" encoding of a SET whose members are all integers — one heap block
// holding a sorted array of packed integers, all of the same width (2, 4 or 8 bytes). The
// width is the smallest that fits every member; adding a member that does not fit upgrades
// the whole array in place (it never downgrades). Lookups are binary searches; inserts and
// removals move the tail with memmove, which is cheap at the sizes the encoding is used for
// (set-max-intset-entries, 512 by default).
//
// Block layout: uint32 width (bytes per member), uint32 count, then `count` little-endian
// members of `width` bytes in ascending order. The block is reallocated on every size change,
// so it never holds slack. Functions that change the size return the (possibly moved) block;
// the caller stores the new pointer. Ownership: whoever holds the pointer (a KvEntry of type
// set with encoding kIntset) frees it with Destroy. Thread: command thread only.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ember {

class IntSet {
 public:
  // A new empty set (16-bit width).
  static IntSet* Create();
  static void Destroy(IntSet* s);
  static IntSet* Copy(const IntSet* s);

  // Inserts v; *added tells whether it was absent. Returns the possibly moved block.
  [[nodiscard]] static IntSet* Add(IntSet* s, int64_t v, bool* added);
  // Removes v; *removed tells whether it was present. Returns the possibly moved block.
  [[nodiscard]] static IntSet* Remove(IntSet* s, int64_t v, bool* removed);

  bool Contains(int64_t v) const;
  size_t size() const { return count_; }
  // The i-th smallest member (i < size()).
  int64_t Get(size_t i) const;
  // Bytes per member: 2, 4 or 8.
  uint32_t width() const { return width_; }
  // Bytes of the block (MEMORY USAGE).
  size_t BlobBytes() const { return sizeof(IntSet) + size_t(width_) * count_; }

 private:
  IntSet() = default;
  static uint32_t WidthFor(int64_t v);
  static IntSet* Resize(IntSet* s, size_t count);
  void Set(size_t i, int64_t v);
  // Binary search: true and the index if found; else false and the insertion index.
  bool Search(int64_t v, size_t* pos) const;
  uint8_t* data() { return reinterpret_cast<uint8_t*>(this) + sizeof(IntSet); }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(this) + sizeof(IntSet); }

  uint32_t width_;
  uint32_t count_;
};

}  // namespace ember
