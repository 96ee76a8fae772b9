// Bitmap kernels (see bitops.h): word-at-a-time popcount, bit search and BITOP, and bitfield
// access through a 128-bit window.
#include "core/bitops.h"

#include <algorithm>
#include <cstring>

#include "core/kv_entry.h"  // StringToInt64

namespace ember::bitops {
namespace {

uint64_t LoadWord(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, sizeof(w));
  return w;
}

void StoreWord(uint8_t* p, uint64_t w) { std::memcpy(p, &w, sizeof(w)); }

// The 8 bytes at `pos` as a big-endian word (bit 0 of the bitmap lands in the MSB), with
// bytes past the end of `s` read as zero.
uint64_t LoadBigEndian(ByteSpan s, size_t pos) {
  if (pos + 8 <= s.size()) return __builtin_bswap64(LoadWord(s.data() + pos));
  uint64_t w = 0;
  for (size_t i = 0; i < 8; i++) {
    w <<= 8;
    if (pos + i < s.size()) w |= s[pos + i];
  }
  return w;
}

// Popcount body; inlined into a POPCNT-enabled and a generic wrapper below so the builtin
// becomes one instruction where the CPU has it.
__attribute__((always_inline)) inline uint64_t PopcountBody(const uint8_t* p, size_t n) {
  uint64_t c0 = 0, c1 = 0, c2 = 0, c3 = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    c0 += uint64_t(__builtin_popcountll(LoadWord(p + i)));
    c1 += uint64_t(__builtin_popcountll(LoadWord(p + i + 8)));
    c2 += uint64_t(__builtin_popcountll(LoadWord(p + i + 16)));
    c3 += uint64_t(__builtin_popcountll(LoadWord(p + i + 24)));
  }
  for (; i + 8 <= n; i += 8) c0 += uint64_t(__builtin_popcountll(LoadWord(p + i)));
  for (; i < n; i++) c1 += uint64_t(__builtin_popcount(p[i]));
  return c0 + c1 + c2 + c3;
}

uint64_t PopcountGeneric(const uint8_t* p, size_t n) { return PopcountBody(p, n); }

#if defined(__x86_64__)
__attribute__((target("popcnt"))) uint64_t PopcountHw(const uint8_t* p, size_t n) {
  return PopcountBody(p, n);
}

uint64_t PopcountAny(const uint8_t* p, size_t n) {
  using Fn = uint64_t (*)(const uint8_t*, size_t);
  static const Fn fn = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("popcnt") ? Fn(PopcountHw) : Fn(PopcountGeneric);
  }();
  return fn(p, n);
}
#else
uint64_t PopcountAny(const uint8_t* p, size_t n) { return PopcountGeneric(p, n); }
#endif

// dst[i] = f(dst[i], src[i]) for i < n, a 64-bit word at a time.
template <typename F>
void ApplyWords(uint8_t* __restrict dst, const uint8_t* __restrict src, size_t n, F f) {
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (size_t k = 0; k < 32; k += 8) {
      StoreWord(dst + i + k, f(LoadWord(dst + i + k), LoadWord(src + i + k)));
    }
  }
  for (; i + 8 <= n; i += 8) StoreWord(dst + i, f(LoadWord(dst + i), LoadWord(src + i)));
  for (; i < n; i++) dst[i] = uint8_t(f(dst[i], src[i]));
}

// Folds bytes [at, at + len) of `src` (zero-padded) into `dst` (the same range of the result).
void Fold(BitOp op, ByteSpan src, size_t at, size_t len, uint8_t* dst) {
  size_t have = src.size() > at ? std::min(len, src.size() - at) : 0;
  const uint8_t* s = src.data() + at;
  switch (op) {
    case BitOp::kAnd:
      ApplyWords(dst, s, have, [](uint64_t a, uint64_t b) { return a & b; });
      std::memset(dst + have, 0, len - have);  // AND with the zero padding
      break;
    case BitOp::kOr:
      ApplyWords(dst, s, have, [](uint64_t a, uint64_t b) { return a | b; });
      break;
    case BitOp::kXor:
      ApplyWords(dst, s, have, [](uint64_t a, uint64_t b) { return a ^ b; });
      break;
    case BitOp::kNot:
      break;  // handled by Combine
  }
}

uint64_t FieldMask(unsigned bits) { return bits >= 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1; }

// Bitfield access: the 1..9 bytes holding a field, as one big-endian number.
struct Window {
  size_t byte;     // first byte
  unsigned bytes;  // how many
  unsigned low;    // unused bits below the field
};

Window WindowOf(uint64_t offset, unsigned bits) {
  unsigned shift = unsigned(offset & 7);
  unsigned bytes = (shift + bits + 7) / 8;
  return {size_t(offset >> 3), bytes, bytes * 8 - shift - bits};
}

}  // namespace

uint64_t Popcount(ByteSpan s) { return PopcountAny(s.data(), s.size()); }

uint64_t CountRange(ByteSpan s, uint64_t first, uint64_t last) {
  size_t fb = size_t(first >> 3), lb = size_t(last >> 3);
  uint8_t head = uint8_t(0xff >> (first & 7));       // bits from `first` to the byte's end
  uint8_t tail = uint8_t(0xff << (7 - (last & 7)));  // bits from the byte's start to `last`
  if (fb == lb) return uint64_t(__builtin_popcount(s[fb] & head & tail));
  return uint64_t(__builtin_popcount(s[fb] & head)) + Popcount(s.subspan(fb + 1, lb - fb - 1)) +
         uint64_t(__builtin_popcount(s[lb] & tail));
}

int64_t FindFirst(ByteSpan s, bool bit, uint64_t first, uint64_t last) {
  // Looking for a 0 is looking for a 1 in the complement; whole words that cannot hold a
  // match (all zeros, or all ones for bit 0) are skipped without byte-swapping.
  const uint64_t skip = bit ? 0 : ~uint64_t(0);
  size_t pos = size_t(first >> 3);
  uint64_t base = uint64_t(pos) * 8;  // bitmap position of the word's MSB
  uint64_t w = (LoadBigEndian(s, pos) ^ skip) & (~uint64_t(0) >> (first - base));
  while (base + 63 < last) {  // the word lies wholly inside the range (and inside s)
    if (w) return int64_t(base + uint64_t(__builtin_clzll(w)));
    pos += 8;
    base += 64;
    while (base + 63 < last && LoadWord(s.data() + pos) == skip) {
      pos += 8;
      base += 64;
    }
    w = LoadBigEndian(s, pos) ^ skip;
  }
  uint64_t keep = last - base + 1;  // 1..64 bits of this word are in the range
  if (keep < 64) w &= ~uint64_t(0) << (64 - keep);
  return w ? int64_t(base + uint64_t(__builtin_clzll(w))) : -1;
}

bool GetBit(ByteSpan s, uint64_t offset) {
  uint64_t byte = offset >> 3;
  if (byte >= s.size()) return false;
  return (s[size_t(byte)] >> (7 - (offset & 7))) & 1;
}

bool SetBit(MutableByteSpan s, uint64_t offset, bool value) {
  uint8_t& b = s[size_t(offset >> 3)];
  uint8_t mask = uint8_t(0x80 >> (offset & 7));
  bool old = (b & mask) != 0;
  b = value ? uint8_t(b | mask) : uint8_t(b & ~mask);
  return old;
}

void Combine(BitOp op, std::span<const ByteSpan> sources, MutableByteSpan out) {
  const size_t n = out.size();
  if (n == 0 || sources.empty()) return;
  if (op == BitOp::kNot) {
    std::memcpy(out.data(), sources[0].data(), n);
    ApplyWords(out.data(), sources[0].data(), n, [](uint64_t, uint64_t b) { return ~b; });
    return;
  }
  // Chunked so each piece of the result stays in L1 while every source is folded into it.
  constexpr size_t kChunk = 4096;
  for (size_t at = 0; at < n; at += kChunk) {
    size_t len = std::min(kChunk, n - at);
    uint8_t* dst = out.data() + at;
    ByteSpan first = sources[0];
    size_t have = first.size() > at ? std::min(len, first.size() - at) : 0;
    if (have) std::memcpy(dst, first.data() + at, have);
    std::memset(dst + have, 0, len - have);
    for (size_t k = 1; k < sources.size(); k++) Fold(op, sources[k], at, len, dst);
  }
}

std::optional<FieldType> ParseFieldType(std::string_view s) {
  if (s.empty() || (s[0] != 'i' && s[0] != 'u')) return std::nullopt;
  // Redis reads the width as a C string, so it ends at the first NUL byte.
  std::string_view width = s.substr(1);
  width = width.substr(0, width.find('\0'));
  int64_t bits;
  if (!StringToInt64(width, &bits)) return std::nullopt;
  bool is_signed = s[0] == 'i';
  if (bits < 1 || bits > (is_signed ? 64 : 63)) return std::nullopt;
  return FieldType{is_signed, uint8_t(bits)};
}

uint64_t GetField(ByteSpan s, uint64_t offset, unsigned bits) {
  Window w = WindowOf(offset, bits);
  unsigned __int128 v = 0;
  for (unsigned i = 0; i < w.bytes; i++) {
    size_t at = w.byte + i;
    v = (v << 8) | (at < s.size() ? s[at] : 0);
  }
  return uint64_t(v >> w.low) & FieldMask(bits);
}

int64_t GetTyped(ByteSpan s, uint64_t offset, FieldType type) {
  uint64_t v = GetField(s, offset, type.bits);
  if (type.is_signed && type.bits < 64 && (v >> (type.bits - 1)) & 1)
    v |= ~uint64_t(0) << type.bits;
  return int64_t(v);
}

void SetField(MutableByteSpan s, uint64_t offset, unsigned bits, uint64_t value) {
  Window w = WindowOf(offset, bits);
  unsigned __int128 v = 0;
  for (unsigned i = 0; i < w.bytes; i++) v = (v << 8) | s[w.byte + i];
  unsigned __int128 mask = (unsigned __int128)FieldMask(bits) << w.low;
  v = (v & ~mask) | ((unsigned __int128)(value & FieldMask(bits)) << w.low);
  for (unsigned i = w.bytes; i-- > 0; v >>= 8) s[w.byte + i] = uint8_t(v);
}

std::optional<int64_t> FieldAdd(FieldType type, int64_t value, int64_t incr, Overflow overflow) {
  const unsigned bits = type.bits;
  const uint64_t uv = uint64_t(value), ui = uint64_t(incr);
  int direction = 0;  // +1 overflow, -1 underflow
  uint64_t max, min = 0, wrapped = uv + ui;
  if (type.is_signed) {
    max = bits == 64 ? uint64_t(INT64_MAX) : (uint64_t(1) << (bits - 1)) - 1;
    min = ~max;  // as int64: -max - 1
    // Headroom up and down, computed in wrapping 64-bit arithmetic as Redis does; they are
    // exact whenever `value` is inside the field's range.
    int64_t room_up = int64_t(max - uv), room_down = int64_t(min - uv);
    bool narrow = bits != 64;
    if (value > int64_t(max) || (narrow && incr > room_up) ||
        (value >= 0 && incr > 0 && incr > room_up)) {
      direction = 1;
    } else if (value < int64_t(min) || (narrow && incr < room_down) ||
               (value < 0 && incr < 0 && incr < room_down)) {
      direction = -1;
    }
    if (narrow) {  // sign-extend the low `bits` bits
      wrapped &= FieldMask(bits);
      if ((wrapped >> (bits - 1)) & 1) wrapped |= ~FieldMask(bits);
    }
  } else {
    max = FieldMask(bits);
    if (uv > max || (incr > 0 && incr > int64_t(max - uv))) {
      direction = 1;
    } else if (incr < 0 && incr < int64_t(0 - uv)) {
      direction = -1;
    }
    wrapped &= max;
  }
  if (direction == 0) return int64_t(uv + ui);
  switch (overflow) {
    case Overflow::kWrap:
      return int64_t(wrapped);
    case Overflow::kSat:
      return int64_t(direction > 0 ? max : min);
    case Overflow::kFail:
      break;
  }
  return std::nullopt;
}

}  // namespace ember::bitops
