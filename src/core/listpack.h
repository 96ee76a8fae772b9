// Listpack: a compact sequence of strings and integers packed into ONE heap block, the small
// encoding of hashes (and later sets, sorted sets and list nodes). Our own format, not Redis's.
//
// Block layout:
//
//   uint32 bytes    bits 0-30: total size of the block (header included);
//                   bit 31: entries carry a backlen
//   uint16 count    number of entries; 65535 means "at least that many": Count() then walks
//                   the entries (O(n), only for unusually long listpacks)
//   entry*          back to back, no terminator (the end is at `bytes`)
//
// Entry layout:
//
//   header   LEB128 varint. Bit 0 = 1: an integer, the rest is the zig-zag encoded int64.
//            Bit 0 = 0: a string, the rest is its length, and the bytes follow.
//   payload  the string bytes (none for integers)
//   backlen  size of header+payload, written as a varint read BACKWARDS: the last byte holds
//            bits 0-6, and bit 7 set means another (more significant) byte precedes it.
//            Optional per listpack (chosen at New): only structures iterated backwards
//            (list nodes, sorted sets) pay for it; hashes and sets leave it out.
//
// With backlens "f1" costs 4 bytes (1 + 2 + 1), an integer in -32..31 2 bytes and "42" 3
// bytes; without, one byte less each (a 10-field hash of short strings: ~128 bytes). Strings
// are stored as integers only when they are canonical int64 text (StringToInt64) with
// |v| < 2^62 (the header keeps one tag bit), so the original bytes always come back exactly.
//
// Positions are byte offsets into the block (uint32); kHeaderSize is the first entry and
// Bytes(lp) is "end". Forward steps are O(1), backward steps O(1) with backlens (else O(n));
// Find and indexing are O(n); insert/erase/replace are O(n) memmoves plus a realloc (the
// block is always exactly sized, which is what keeps small collections compact). Callers keep sizes
// small (the families convert to a bigger encoding past their thresholds), so O(n) stays cheap and
// cache-friendly. Every mutating function may move the block and returns the new pointer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/kv_entry.h"

namespace ember {

class Listpack {
 public:
  static constexpr uint32_t kHeaderSize = 6;
  // Scratch size for rendering an integer entry as text.
  static constexpr size_t kScratch = 24;

  // One decoded entry: an integer or a string view into the block (valid until it changes).
  struct Entry {
    bool is_int;
    int64_t ival;
    std::string_view sval;
    // The entry as text; integers are rendered into `scratch` (kScratch bytes).
    std::string_view View(char* scratch) const;
  };

  // `backward`: entries carry a backlen so Prev/Last are O(1) (lists, sorted sets). Without
  // it (hashes, sets: nothing iterates them backwards) each entry is a byte or more smaller
  // and Prev/Last walk forward from the start, O(n).
  static uint8_t* New(bool backward = true);
  static void Free(uint8_t* lp);
  static uint8_t* Clone(const uint8_t* lp);

  static uint32_t Bytes(const uint8_t* lp);
  static uint32_t Count(const uint8_t* lp);
  // True if the listpack was created with backlens.
  static bool Backward(const uint8_t* lp);
  // Heap bytes used by the block (allocator size class included).
  static size_t MemoryUsage(const uint8_t* lp);
  // Registers the KvEntry hooks (free, copy, memory usage) for values of `type` stored as a
  // single listpack (ObjEncoding::kListpack); every collection type uses the same three.
  static void RegisterObjHooks(ObjType type);

  // Iteration: First/Last return Bytes(lp) ("end") when empty; Next returns end after the
  // last entry; Prev returns end before the first one.
  static uint32_t First(const uint8_t* lp) { return kHeaderSize; }
  static uint32_t Last(const uint8_t* lp);
  static uint32_t Next(const uint8_t* lp, uint32_t pos);
  static uint32_t Prev(const uint8_t* lp, uint32_t pos);
  static bool AtEnd(const uint8_t* lp, uint32_t pos) { return pos >= Bytes(lp); }
  // Position of the index-th entry (negative counts from the end), or end if out of range.
  static uint32_t Seek(const uint8_t* lp, int64_t index);

  static Entry Get(const uint8_t* lp, uint32_t pos);
  // True if the entry at pos equals `s` byte for byte (as text).
  static bool Equals(const uint8_t* lp, uint32_t pos, std::string_view s);
  // First entry at or after `pos` equal to `s`, checking every (skip+1)-th entry (skip=1
  // looks only at the fields of field,value pairs); end if none.
  static uint32_t Find(const uint8_t* lp, uint32_t pos, std::string_view s, uint32_t skip = 0);

  // Inserts `s` before the entry at `pos` (pos == end appends).
  static uint8_t* Insert(uint8_t* lp, uint32_t pos, std::string_view s);
  static uint8_t* Append(uint8_t* lp, std::string_view s) { return Insert(lp, Bytes(lp), s); }
  // Appends several entries with a single reallocation.
  static uint8_t* AppendMany(uint8_t* lp, const std::string_view* items, size_t n);
  // Erases `n` entries starting at `pos`.
  static uint8_t* Erase(uint8_t* lp, uint32_t pos, uint32_t n = 1);
  // Replaces the entry at `pos` with `s` (its position stays `pos`).
  static uint8_t* Replace(uint8_t* lp, uint32_t pos, std::string_view s);
};

}  // namespace ember
