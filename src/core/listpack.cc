// Listpack implementation; the format and its costs are described in listpack.h.
#include "core/listpack.h"

#include <malloc.h>

#include <cstdlib>
#include <cstring>

#include "core/kv_entry.h"

namespace ember {
namespace {

uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void Store32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// Header: uint32 word (bit 31 = entries carry backlens, bits 0-30 = block bytes), then a
// uint16 entry count that saturates at kUnknownCount (then Count() walks the entries).
constexpr uint32_t kBacklenFlag = 0x80000000u;
constexpr uint16_t kUnknownCount = 0xffff;
bool HasBacklen(const uint8_t* lp) { return Load32(lp) & kBacklenFlag; }
void SetBytes(uint8_t* lp, uint32_t v) { Store32(lp, (Load32(lp) & kBacklenFlag) | v); }
uint16_t RawCount(const uint8_t* lp) {
  uint16_t v;
  std::memcpy(&v, lp + 4, 2);
  return v;
}
void StoreCount(uint8_t* lp, uint16_t v) { std::memcpy(lp + 4, &v, 2); }
// Adds `delta` entries to the stored count; an unknown count stays unknown.
void AddCount(uint8_t* lp, int64_t delta) {
  uint16_t raw = RawCount(lp);
  if (raw == kUnknownCount) return;
  int64_t n = int64_t(raw) + delta;
  StoreCount(lp, n >= kUnknownCount ? kUnknownCount : uint16_t(n));
}

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

size_t PutVarint(uint8_t* p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = uint8_t(v) | 0x80;
    v >>= 7;
  }
  p[n++] = uint8_t(v);
  return n;
}

uint64_t GetVarint(const uint8_t* p, size_t* len) {
  uint64_t v = 0;
  int shift = 0;
  size_t n = 0;
  uint8_t b;
  do {
    b = p[n++];
    v |= uint64_t(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  *len = n;
  return v;
}

// Backlen: written so that reading from its last byte backwards yields the value.
size_t PutBacklen(uint8_t* p, uint64_t v) {
  size_t n = VarintSize(v);
  for (size_t i = 0; i < n; i++) {
    uint8_t b = uint8_t(v & 0x7f);
    v >>= 7;
    if (i + 1 < n) b |= 0x80;  // every byte but the most significant one continues
    p[n - 1 - i] = b;
  }
  return n;
}

// Reads the backlen ending just before `end`; *len gets its byte count.
uint64_t GetBacklen(const uint8_t* end, size_t* len) {
  uint64_t v = 0;
  int shift = 0;
  size_t n = 0;
  uint8_t b;
  do {
    b = *(end - 1 - n);
    n++;
    v |= uint64_t(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  *len = n;
  return v;
}

uint64_t ZigZag(int64_t v) { return (uint64_t(v) << 1) ^ uint64_t(v >> 63); }
int64_t UnZigZag(uint64_t v) { return int64_t(v >> 1) ^ -int64_t(v & 1); }

// The header value for `s`: integer form if canonical, else string length.
uint64_t HeaderFor(std::string_view s, bool* is_int) {
  int64_t iv;
  // Integers whose zig-zag form needs all 64 bits (|v| >= 2^62) stay strings: the header
  // has one bit fewer.
  *is_int = s.size() <= 20 && StringToInt64(s, &iv) && ZigZag(iv) < (uint64_t{1} << 63);
  if (*is_int) return (ZigZag(iv) << 1) | 1;
  return uint64_t(s.size()) << 1;
}

// Encoded size of a whole entry for `s`.
size_t EncodedSize(std::string_view s, bool backlen) {
  bool is_int;
  uint64_t h = HeaderFor(s, &is_int);
  size_t body = VarintSize(h) + (is_int ? 0 : s.size());
  return body + (backlen ? VarintSize(body) : 0);
}

size_t Encode(uint8_t* p, std::string_view s, bool backlen) {
  bool is_int;
  uint64_t h = HeaderFor(s, &is_int);
  size_t n = PutVarint(p, h);
  if (!is_int) {
    std::memcpy(p + n, s.data(), s.size());
    n += s.size();
  }
  return backlen ? n + PutBacklen(p + n, n) : n;
}

// Size of the whole entry at `p`.
size_t EntrySize(const uint8_t* p, bool backlen) {
  size_t hl;
  uint64_t h = GetVarint(p, &hl);
  size_t body = hl + ((h & 1) ? 0 : size_t(h >> 1));
  return body + (backlen ? VarintSize(body) : 0);
}

uint8_t* Resize(uint8_t* lp, size_t bytes) {
  return static_cast<uint8_t*>(std::realloc(lp, bytes));
}

}  // namespace

std::string_view Listpack::Entry::View(char* scratch) const {
  if (!is_int) return sval;
  return {scratch, Int64ToChars(ival, scratch)};
}

uint8_t* Listpack::New(bool backward) {
  auto* lp = static_cast<uint8_t*>(std::malloc(kHeaderSize));
  Store32(lp, kHeaderSize | (backward ? kBacklenFlag : 0));
  StoreCount(lp, 0);
  return lp;
}

void Listpack::Free(uint8_t* lp) { std::free(lp); }

uint8_t* Listpack::Clone(const uint8_t* lp) {
  auto* c = static_cast<uint8_t*>(std::malloc(Bytes(lp)));
  std::memcpy(c, lp, Bytes(lp));
  return c;
}

uint32_t Listpack::Bytes(const uint8_t* lp) { return Load32(lp) & ~kBacklenFlag; }
uint32_t Listpack::Count(const uint8_t* lp) {
  uint16_t raw = RawCount(lp);
  if (raw != kUnknownCount) return raw;
  uint32_t n = 0;
  for (uint32_t p = First(lp); !AtEnd(lp, p); p = Next(lp, p)) n++;
  return n;
}
bool Listpack::Backward(const uint8_t* lp) { return HasBacklen(lp); }

size_t Listpack::MemoryUsage(const uint8_t* lp) {
  return malloc_usable_size(const_cast<uint8_t*>(lp));
}

uint32_t Listpack::Last(const uint8_t* lp) {
  uint32_t end = Bytes(lp);
  return end == kHeaderSize ? end : Prev(lp, end);
}

uint32_t Listpack::Next(const uint8_t* lp, uint32_t pos) {
  return pos + uint32_t(EntrySize(lp + pos, HasBacklen(lp)));
}

uint32_t Listpack::Prev(const uint8_t* lp, uint32_t pos) {
  if (pos <= kHeaderSize) return Bytes(lp);
  if (!HasBacklen(lp)) {  // no backlens: walk forward to the entry before `pos`
    uint32_t p = kHeaderSize;
    for (uint32_t n = Next(lp, p); n < pos; n = Next(lp, n)) p = n;
    return p;
  }
  size_t bl;
  uint64_t body = GetBacklen(lp + pos, &bl);
  return pos - uint32_t(bl + body);
}

uint32_t Listpack::Seek(const uint8_t* lp, int64_t index) {
  uint32_t n = Count(lp);
  uint32_t end = Bytes(lp);
  if (index < 0) index += n;
  if (index < 0 || index >= int64_t(n)) return end;
  if (index < int64_t(n) / 2 || !HasBacklen(lp)) {
    uint32_t pos = First(lp);
    while (index-- > 0) pos = Next(lp, pos);
    return pos;
  }
  uint32_t pos = Last(lp);
  for (int64_t i = n - 1; i > index; i--) pos = Prev(lp, pos);
  return pos;
}

Listpack::Entry Listpack::Get(const uint8_t* lp, uint32_t pos) {
  size_t hl;
  uint64_t h = GetVarint(lp + pos, &hl);
  if (h & 1) return {true, UnZigZag(h >> 1), {}};
  return {false, 0, {reinterpret_cast<const char*>(lp + pos + hl), size_t(h >> 1)}};
}

bool Listpack::Equals(const uint8_t* lp, uint32_t pos, std::string_view s) {
  Entry e = Get(lp, pos);
  if (!e.is_int) return e.sval == s;
  char scratch[kScratch];
  return e.View(scratch) == s;
}

uint32_t Listpack::Find(const uint8_t* lp, uint32_t pos, std::string_view s, uint32_t skip) {
  uint32_t end = Bytes(lp);
  // Decide once how `s` would be encoded, then compare encodings without decoding text.
  bool is_int;
  uint64_t want = HeaderFor(s, &is_int);
  while (pos < end) {
    size_t hl;
    uint64_t h = GetVarint(lp + pos, &hl);
    if (h == want && (is_int || std::memcmp(lp + pos + hl, s.data(), s.size()) == 0)) return pos;
    for (uint32_t i = 0; i <= skip && pos < end; i++) pos = Next(lp, pos);
  }
  return end;
}

uint8_t* Listpack::Insert(uint8_t* lp, uint32_t pos, std::string_view s) {
  uint32_t bytes = Bytes(lp);
  size_t need = EncodedSize(s, HasBacklen(lp));
  lp = Resize(lp, bytes + need);
  std::memmove(lp + pos + need, lp + pos, bytes - pos);
  Encode(lp + pos, s, HasBacklen(lp));
  SetBytes(lp, uint32_t(bytes + need));
  AddCount(lp, 1);
  return lp;
}

uint8_t* Listpack::AppendMany(uint8_t* lp, const std::string_view* items, size_t n) {
  uint32_t bytes = Bytes(lp);
  size_t need = 0;
  bool bl = HasBacklen(lp);
  for (size_t i = 0; i < n; i++) need += EncodedSize(items[i], bl);
  lp = Resize(lp, bytes + need);
  uint8_t* p = lp + bytes;
  for (size_t i = 0; i < n; i++) p += Encode(p, items[i], bl);
  SetBytes(lp, uint32_t(bytes + need));
  AddCount(lp, int64_t(n));
  return lp;
}

uint8_t* Listpack::Erase(uint8_t* lp, uint32_t pos, uint32_t n) {
  uint32_t bytes = Bytes(lp);
  uint32_t stop = pos;
  uint32_t erased = 0;
  while (erased < n && stop < bytes) {
    stop = Next(lp, stop);
    erased++;
  }
  std::memmove(lp + pos, lp + stop, bytes - stop);
  SetBytes(lp, bytes - (stop - pos));
  AddCount(lp, -int64_t(erased));
  return Resize(lp, bytes - (stop - pos));
}

uint8_t* Listpack::Replace(uint8_t* lp, uint32_t pos, std::string_view s) {
  uint32_t bytes = Bytes(lp);
  bool bl = HasBacklen(lp);
  size_t old_size = EntrySize(lp + pos, bl);
  size_t need = EncodedSize(s, bl);
  uint32_t tail = pos + uint32_t(old_size);
  if (need > old_size) lp = Resize(lp, bytes - old_size + need);
  std::memmove(lp + pos + need, lp + tail, bytes - tail);
  Encode(lp + pos, s, bl);
  uint32_t nb = uint32_t(bytes - old_size + need);
  SetBytes(lp, nb);
  if (need < old_size) lp = Resize(lp, nb);
  return lp;
}

void Listpack::RegisterObjHooks(ObjType type) {
  RegisterObjDestructor(type, ObjEncoding::kListpack,
                        [](void* obj) { Free(static_cast<uint8_t*>(obj)); });
  RegisterObjCopier(type, ObjEncoding::kListpack, [](const void* obj) -> void* {
    return Clone(static_cast<const uint8_t*>(obj));
  });
  RegisterObjMemoryUsage(type, ObjEncoding::kListpack, [](const void* obj) {
    return MemoryUsage(static_cast<const uint8_t*>(obj));
  });
}

}  // namespace ember
