// Bitmap kernels: pure functions on byte spans behind SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP
// and BITFIELD (commands/bitops_family.cc). They know nothing about keys, replies or Redis's
// argument rules; the family turns arguments into bit ranges and calls these.
//
// Bit numbering follows Redis: bit 0 is the most significant bit of byte 0, bit 7 its least
// significant bit, bit 8 the most significant bit of byte 1, and so on — a bitmap reads left
// to right like the bytes were one big-endian number. Bitfields use the same order, so an
// 8-bit field at a byte boundary is that byte, and a 16-bit one is a big-endian uint16.
//
// Speed: the kernels work on 64-bit words (unaligned loads through memcpy, which compile to
// plain moves), so BITCOUNT and BITPOS over a big bitmap run at memory speed instead of a byte
// at a time. Popcount is compiled twice — with the POPCNT instruction and without — and a CPU
// check on first use picks one, since the default x86-64 target may not assume POPCNT.
// Thread-safe (no state).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace ember::bitops {

using ByteSpan = std::span<const uint8_t>;
using MutableByteSpan = std::span<uint8_t>;

inline ByteSpan AsBytes(std::string_view s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

// Number of set bits in `s`.
uint64_t Popcount(ByteSpan s);
// Number of set bits at positions [first, last] (inclusive; last < 8 * s.size()).
uint64_t CountRange(ByteSpan s, uint64_t first, uint64_t last);
// Position of the first bit equal to `bit` at positions [first, last] (inclusive;
// last < 8 * s.size()), or -1 if there is none.
int64_t FindFirst(ByteSpan s, bool bit, uint64_t first, uint64_t last);

// The bit at `offset`; bits past the end of `s` read as 0.
bool GetBit(ByteSpan s, uint64_t offset);
// Sets the bit at `offset` (< 8 * s.size()) to `value`; returns its previous value.
bool SetBit(MutableByteSpan s, uint64_t offset, bool value);

// BITOP: combines `sources` into `out`, whose size must be the longest source's size; shorter
// sources count as zero-padded on the right. kNot takes exactly one source.
enum class BitOp : uint8_t { kAnd, kOr, kXor, kNot };
void Combine(BitOp op, std::span<const ByteSpan> sources, MutableByteSpan out);

// ---------------------------------------------------------------------------------------------
// Bitfields: integers of 1..64 bits at any bit offset.

// A field type as BITFIELD spells it: "i1".."i64" (signed) or "u1".."u63" (unsigned: u64
// values could not be replied as RESP integers).
struct FieldType {
  bool is_signed = false;
  uint8_t bits = 0;
};
// Parses "i16" / "u8" with Redis's rules (lower-case sign letter, canonical decimal width).
std::optional<FieldType> ParseFieldType(std::string_view s);

// The raw `bits` (1..64) bits at `offset`, right-aligned; bits past the end of `s` read as 0.
uint64_t GetField(ByteSpan s, uint64_t offset, unsigned bits);
// The field at `offset` interpreted as `type` (signed fields are sign-extended).
int64_t GetTyped(ByteSpan s, uint64_t offset, FieldType type);
// Writes the low `bits` bits of `value` at `offset`; the field must lie inside `s`.
void SetField(MutableByteSpan s, uint64_t offset, unsigned bits, uint64_t value);

// What BITFIELD does when a result does not fit its field.
enum class Overflow : uint8_t { kWrap, kSat, kFail };

// The value to store when `incr` is added to `value` in a field of `type` under `overflow`
// (SET stores value + 0). For unsigned types `value` is taken as a uint64 (so a negative SET
// argument is a huge number that overflows upwards, as in Redis). Returns nullopt when the
// result overflows and `overflow` is kFail (nothing is written, the reply is nil).
//
// For signed fields narrower than 64 bits the over/underflow direction of an out-of-range SET
// value follows Redis's arithmetic exactly, including its one quirk: a value so negative that
// `max - value` wraps in 64 bits counts as an overflow (SAT stores the maximum).
std::optional<int64_t> FieldAdd(FieldType type, int64_t value, int64_t incr, Overflow overflow);

}  // namespace ember::bitops
