// HyperLogLog sketches in Redis's exact byte layout, so that an HLL written by Ember (PFADD,
// PFMERGE, PFCOUNT's cache) is byte-identical to the one Redis writes after the same commands,
// and any HLL string produced by Redis (GET/SET, DUMP/RESTORE) works here unchanged.
//
// An HLL is an ordinary string value:
//
//   bytes 0-3   "HYLL"
//   byte  4     encoding: 0 dense, 1 sparse
//   bytes 5-7   unused (kept as found)
//   bytes 8-15  cached cardinality, little endian; bit 7 of byte 15 set = cache invalid. When
//               the cache is invalidated only that bit is set: the stale low bytes stay.
//   then        the registers: 16384 six-bit registers (p = 14).
//
// Dense: the registers packed LSB-first into 12288 bytes; register i occupies bits 6i..6i+5
// of the little-endian bit stream.
//
// Sparse: run-length opcodes covering exactly 16384 registers:
//   ZERO   00xxxxxx            xxxxxx+1 zero registers (1..64)
//   XZERO  01xxxxxx yyyyyyyy   (xxxxxx << 8 | yyyyyyyy)+1 zero registers (1..16384)
//   VAL    1vvvvvxx            xx+1 registers (1..4) holding vvvvv+1 (1..32)
// A new HLL is one XZERO covering every register. A register is raised in place: its opcode is
// split into at most three (zeros/VAL before, the new VAL, zeros/VAL after), then equal
// neighbouring VALs are joined by a short scan starting one opcode before the change (five
// opcodes at most). That local repair is what Redis does too, and byte-identical results depend
// on reproducing it exactly — the sparse form is history-dependent, not canonical. A sparse HLL
// becomes dense when a register needs a value above 32 or growing would take the string past
// hll-sparse-max-bytes; it never goes back.
//
// Hashing: MurmurHash64A (seed 0xadc83b19) of the element; the low 14 bits pick the register,
// the rest (with a sentinel bit at position 50) gives 1 + its count of trailing zeros.
//
// Estimation: Otmar Ertl's improved raw estimator ("New cardinality estimation algorithms for
// HyperLogLog sketches", 2017) over the histogram of register values, with the sigma and tau
// corrections for the extreme ranges.
//
// Corrupt input (anything a client can SETRANGE into a string) never crashes or reads out of
// bounds: decoders report invalid data, as Redis does, where the opcode runs do not add up to
// exactly 16384 registers. Where Redis reads the string's NUL terminator (an XZERO cut off by
// the end of the string), the decoders read a zero byte, so they agree with Redis on what is
// valid. Single-threaded like every value; no state beyond the buffers passed in.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/kv_entry.h"

namespace ember::hll {

inline constexpr int kPrecision = 14;
inline constexpr uint32_t kRegisters = 1u << kPrecision;  // 16384
inline constexpr int kRegisterBits = 6;
inline constexpr uint8_t kRegisterMax = (1 << kRegisterBits) - 1;
inline constexpr size_t kHeaderSize = 16;
inline constexpr size_t kDenseRegisterBytes = kRegisters * kRegisterBits / 8;  // 12288
inline constexpr size_t kDenseSize = kHeaderSize + kDenseRegisterBytes;
inline constexpr int kQ = 64 - kPrecision;  // hash bits left after the register index
inline constexpr uint64_t kHashSeed = 0xadc83b19ull;
inline constexpr uint8_t kSparseValMaxValue = 32;
inline constexpr int kSparseValMaxLen = 4;
inline constexpr int kSparseZeroMaxLen = 64;
inline constexpr int kSparseXZeroMaxLen = 16384;

enum class Encoding : uint8_t { kDense = 0, kSparse = 1 };

// Register values of a whole sketch, one byte per register (merging, multi-key PFCOUNT).
using RegisterArray = std::array<uint8_t, kRegisters>;

// --- hashing ---------------------------------------------------------------------------------

// Austin Appleby's MurmurHash64A (public domain), reading 8-byte blocks little-endian.
uint64_t MurmurHash64A(std::string_view data, uint64_t seed);

// The register an element lands in and the value it proposes for it (1..kQ+1).
struct Observation {
  uint32_t index;
  uint8_t count;
};
Observation Observe(std::string_view element);

// --- header ----------------------------------------------------------------------------------

// True if `v` passes Redis's check for an HLL string: long enough for the header, the magic,
// a known encoding, and exactly kDenseSize bytes when dense. (Sparse opcodes are checked by the
// operations that decode them.)
bool IsHll(std::string_view v);
// The encoding byte of a string for which IsHll holds.
Encoding EncodingOf(std::string_view v);
bool CacheValid(std::string_view v);
uint64_t CachedCardinality(std::string_view v);
// Writes `card` (< 2^63) into the header of `hll` (at least kHeaderSize bytes): cache valid.
void StoreCardinality(char* hll, uint64_t card);
// Marks the cached cardinality stale: sets bit 7 of byte 15, nothing else.
void InvalidateCache(char* hll);

// --- dense registers -------------------------------------------------------------------------

uint8_t DenseGet(const uint8_t* regs, uint32_t index);
void DenseSet(uint8_t* regs, uint32_t index, uint8_t value);
// Packs a full register array into dense registers (values must be <= kRegisterMax).
void DensePack(uint8_t* regs, const RegisterArray& values);

// --- creation and updates --------------------------------------------------------------------

// The bytes of an empty sketch as PFADD creates it: sparse, cached cardinality 0 (valid).
std::string EmptySketch();
// The same in a RawString (capacity for a few opcodes more).
RawString* CreateSketch();

enum class Update { kUnchanged, kChanged, kCorrupt };

// Remembers where the previous register update left off in a sparse sketch so that a series
// of updates with ascending register indexes (PFMERGE) does not rescan from the start each
// time. A default-constructed cursor starts at the beginning; any cursor is only valid for the
// sketch it was last used with and for indexes above the last one set through it.
struct SparseCursor {
  size_t offset = 0;   // an opcode boundary (relative to the registers)...
  uint32_t first = 0;  // ...and the first register that opcode covers
};

// Raises register `index` of the sketch in `*r` to `count` if it is lower. The RawString may
// be reallocated (growth) or replaced (promotion to dense): *r is updated. A change marks the
// cached cardinality stale. kCorrupt when a sparse sketch has no opcode covering `index` (or
// cannot be promoted); the sketch may then be partly updated, as in Redis.
Update SetRegister(RawString** r, uint32_t index, uint8_t count, int64_t sparse_max_bytes,
                   SparseCursor* cursor = nullptr);
// Observe + SetRegister: PFADD of one element.
Update Add(RawString** r, std::string_view element, int64_t sparse_max_bytes);
// Converts a sparse sketch to dense (no-op when dense), keeping the header bytes except the
// encoding. False, leaving *r untouched, if the sparse opcodes do not cover 16384 registers.
bool PromoteToDense(RawString** r);

// --- reading ---------------------------------------------------------------------------------

// Raises each of `max` (entries below 64, as register values are) to the sketch's register
// value: the register-wise maximum. False if the sketch is a corrupt sparse one.
bool MergeMax(std::string_view hll, RegisterArray* max);
// The estimated cardinality from the registers (ignoring the cache); nullopt if corrupt.
std::optional<uint64_t> Count(std::string_view hll);
// The estimate for a register array (multi-key PFCOUNT).
uint64_t CountRegisters(const RegisterArray& regs);
// Ertl's estimator over a histogram of register values (entries 0..kQ+1 are used).
uint64_t EstimateFromHistogram(const std::array<int, 64>& histogram);

// PFDEBUG DECODE: the sparse opcodes as "z:<len>", "Z:<len>" and "v:<value>,<len>" words
// separated by spaces.
std::string DescribeSparse(std::string_view hll);

// PFSELFTEST: checks the register packing, the sparse/dense equivalence and the estimator's
// error bounds. Returns an empty string on success, else a description of the first failure.
std::string SelfTest();

}  // namespace ember::hll
