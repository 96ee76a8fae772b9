// Helpers shared by the command families that edit string values in place: APPEND and
// SETRANGE (string_range.cc) and the bitmap commands (bitops_family.cc).
#pragma once

#include <cstddef>

#include "core/db.h"
#include "core/kv_entry.h"

namespace ember {

// Makes string entry `e` (linked in `db`) kRaw with room for at least `need` bytes and returns
// the possibly replaced entry. A kInt / kEmbStr value is copied into a new RawString (the TTL
// and LRU are kept); a kRaw one grows with RawString::Reserve, which over-allocates
// geometrically like sds, so repeated growth costs amortised O(1) per byte. The length is not
// changed: the caller writes the new bytes.
KvEntry* RawWithRoom(Db& db, KvEntry* e, size_t need);

// Makes `e` kRaw and at least `len` bytes long, zero-filling any new bytes (SETBIT, BITFIELD).
// Returns the possibly replaced entry.
KvEntry* GrowZeroed(Db& db, KvEntry* e, size_t len);

}  // namespace ember
