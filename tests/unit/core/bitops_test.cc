// Unit tests for the bitmap kernels (core/bitops.h): every word-at-a-time kernel is checked
// against a naive bit-by-bit model on random data — runs of zeros and ones, odd lengths,
// unaligned starts and ranges that begin and end inside bytes and words — plus the bitfield
// overflow rules against exact 128-bit arithmetic and the values a real Redis 7.0 replies.
#include "core/bitops.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <vector>

namespace ember::bitops {
namespace {

// --- naive models ---------------------------------------------------------------------------

bool NaiveBit(const std::vector<uint8_t>& s, uint64_t i) {
  return i / 8 < s.size() && ((s[i / 8] >> (7 - i % 8)) & 1);
}

uint64_t NaiveCount(const std::vector<uint8_t>& s, uint64_t first, uint64_t last) {
  uint64_t n = 0;
  for (uint64_t i = first; i <= last; i++) n += NaiveBit(s, i);
  return n;
}

int64_t NaiveFind(const std::vector<uint8_t>& s, bool bit, uint64_t first, uint64_t last) {
  for (uint64_t i = first; i <= last; i++)
    if (NaiveBit(s, i) == bit) return int64_t(i);
  return -1;
}

uint64_t NaiveGetField(const std::vector<uint8_t>& s, uint64_t offset, unsigned bits) {
  uint64_t v = 0;
  for (unsigned i = 0; i < bits; i++) v = (v << 1) | NaiveBit(s, offset + i);
  return v;
}

// Random bytes shaped like real bitmaps: stretches of 0x00, 0xff, sparse and random bytes.
std::vector<uint8_t> RandomBitmap(std::mt19937_64& rng, size_t n) {
  std::vector<uint8_t> s(n);
  size_t i = 0;
  while (i < n) {
    size_t run = std::min(n - i, size_t(rng() % 80 + 1));
    int kind = int(rng() % 4);
    for (size_t k = 0; k < run; k++, i++) {
      switch (kind) {
        case 0:
          s[i] = 0;
          break;
        case 1:
          s[i] = 0xff;
          break;
        case 2:
          s[i] = rng() % 16 == 0 ? uint8_t(1u << (rng() % 8)) : 0;
          break;
        default:
          s[i] = uint8_t(rng());
          break;
      }
    }
  }
  return s;
}

ByteSpan Span(const std::vector<uint8_t>& v) { return {v.data(), v.size()}; }

// --- popcount, ranges, search ----------------------------------------------------------------

TEST(BitopsTest, PopcountMatchesModelAtEveryAlignment) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 300; round++) {
    std::vector<uint8_t> s = RandomBitmap(rng, rng() % 300);
    for (size_t skip = 0; skip < 9 && skip <= s.size(); skip++) {
      std::vector<uint8_t> tail(s.begin() + long(skip), s.end());
      uint64_t want = tail.empty() ? 0 : NaiveCount(tail, 0, tail.size() * 8 - 1);
      EXPECT_EQ(Popcount(Span(s).subspan(skip)), want);  // unaligned start within `s`
    }
  }
  EXPECT_EQ(Popcount({}), 0u);
}

TEST(BitopsTest, CountRangeMatchesModel) {
  std::mt19937_64 rng(2);
  for (int round = 0; round < 3000; round++) {
    std::vector<uint8_t> s = RandomBitmap(rng, rng() % 200 + 1);
    uint64_t nbits = s.size() * 8;
    uint64_t a = rng() % nbits, b = rng() % nbits;
    if (a > b) std::swap(a, b);
    ASSERT_EQ(CountRange(Span(s), a, b), NaiveCount(s, a, b)) << a << ".." << b;
  }
}

TEST(BitopsTest, FindFirstMatchesModel) {
  std::mt19937_64 rng(3);
  for (int round = 0; round < 6000; round++) {
    std::vector<uint8_t> s = RandomBitmap(rng, rng() % 200 + 1);
    uint64_t nbits = s.size() * 8;
    uint64_t a = rng() % nbits, b = rng() % nbits;
    if (a > b) std::swap(a, b);
    if (round % 3 == 0) a = 0, b = nbits - 1;
    for (bool bit : {false, true}) {
      ASSERT_EQ(FindFirst(Span(s), bit, a, b), NaiveFind(s, bit, a, b))
          << "bit " << bit << " range " << a << ".." << b << " len " << s.size();
    }
  }
}

TEST(BitopsTest, FindFirstOnUniformStrings) {
  for (size_t n : {1u, 7u, 8u, 9u, 31u, 64u, 65u, 1000u}) {
    std::vector<uint8_t> zeros(n, 0), ones(n, 0xff);
    uint64_t last = n * 8 - 1;
    EXPECT_EQ(FindFirst(Span(zeros), true, 0, last), -1);
    EXPECT_EQ(FindFirst(Span(zeros), false, 3, last), 3);
    EXPECT_EQ(FindFirst(Span(ones), false, 0, last), -1);
    EXPECT_EQ(FindFirst(Span(ones), true, last, last), int64_t(last));
    ones.back() = 0xfe;  // only the very last bit is clear
    EXPECT_EQ(FindFirst(Span(ones), false, 0, last), int64_t(last));
    EXPECT_EQ(FindFirst(Span(ones), false, 0, last - 1), -1);
  }
}

TEST(BitopsTest, GetAndSetBit) {
  std::vector<uint8_t> s(3, 0);
  EXPECT_FALSE(SetBit({s.data(), s.size()}, 0, true));
  EXPECT_FALSE(SetBit({s.data(), s.size()}, 23, true));
  EXPECT_TRUE(SetBit({s.data(), s.size()}, 23, true));
  EXPECT_EQ(s[0], 0x80);
  EXPECT_EQ(s[2], 0x01);
  EXPECT_TRUE(GetBit(Span(s), 0));
  EXPECT_FALSE(GetBit(Span(s), 1));
  EXPECT_FALSE(GetBit(Span(s), 24));  // past the end
  EXPECT_FALSE(GetBit(Span(s), uint64_t(1) << 40));
  EXPECT_TRUE(SetBit({s.data(), s.size()}, 0, false));
  EXPECT_EQ(s[0], 0);
}

// --- BITOP ------------------------------------------------------------------------------------

uint8_t NaiveOp(BitOp op, const std::vector<std::vector<uint8_t>>& srcs, size_t i) {
  auto at = [&](size_t k) -> uint8_t { return i < srcs[k].size() ? srcs[k][i] : 0; };
  uint8_t v = at(0);
  if (op == BitOp::kNot) return uint8_t(~v);
  for (size_t k = 1; k < srcs.size(); k++) {
    if (op == BitOp::kAnd) v &= at(k);
    if (op == BitOp::kOr) v |= at(k);
    if (op == BitOp::kXor) v ^= at(k);
  }
  return v;
}

TEST(BitopsTest, CombineMatchesModel) {
  std::mt19937_64 rng(4);
  for (int round = 0; round < 600; round++) {
    BitOp op = BitOp(rng() % 4);
    size_t nsrc = op == BitOp::kNot ? 1 : rng() % 5 + 1;
    std::vector<std::vector<uint8_t>> srcs;
    size_t max_len = 0;
    for (size_t k = 0; k < nsrc; k++) {
      // Mostly short strings; sometimes longer than one 4 KiB chunk.
      size_t len = rng() % 10 == 0 ? rng() % 10000 : rng() % 100;
      srcs.push_back(RandomBitmap(rng, len));
      max_len = std::max(max_len, len);
    }
    std::vector<ByteSpan> spans;
    for (auto& s : srcs) spans.push_back(Span(s));
    std::vector<uint8_t> out(max_len, 0xaa);
    Combine(op, spans, {out.data(), out.size()});
    for (size_t i = 0; i < max_len; i++) {
      ASSERT_EQ(out[i], NaiveOp(op, srcs, i)) << "op " << int(op) << " byte " << i;
    }
  }
}

// --- bitfields --------------------------------------------------------------------------------

TEST(BitopsTest, ParseFieldType) {
  auto t = ParseFieldType("i64");
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->is_signed);
  EXPECT_EQ(t->bits, 64);
  t = ParseFieldType("u63");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->is_signed);
  EXPECT_EQ(t->bits, 63);
  EXPECT_TRUE(ParseFieldType("u1"));
  EXPECT_TRUE(ParseFieldType("i1"));
  EXPECT_TRUE(ParseFieldType(std::string_view("u8\0junk", 7)));  // ends at the NUL, as Redis
  for (const char* bad : {"", "u", "i", "u64", "i65", "u0", "i0", "U8", "I8", "x8", "u08", "u+8",
                          "u-1", "u 8", "u8 ", "8"}) {
    EXPECT_FALSE(ParseFieldType(bad)) << bad;
  }
}

TEST(BitopsTest, FieldsMatchModel) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 5000; round++) {
    std::vector<uint8_t> s = RandomBitmap(rng, rng() % 20 + 9);
    unsigned bits = unsigned(rng() % 64 + 1);
    uint64_t offset = rng() % (s.size() * 8 + 16);  // may run past the end: zero padding
    ASSERT_EQ(GetField(Span(s), offset, bits), NaiveGetField(s, offset, bits));
    if (offset + bits <= s.size() * 8) {
      uint64_t v = rng();
      std::vector<uint8_t> before = s;
      SetField({s.data(), s.size()}, offset, bits, v);
      uint64_t mask = bits == 64 ? ~uint64_t(0) : (uint64_t(1) << bits) - 1;
      ASSERT_EQ(GetField(Span(s), offset, bits), v & mask);
      for (uint64_t i = 0; i < s.size() * 8; i++) {  // nothing outside the field changed
        if (i < offset || i >= offset + bits) {
          ASSERT_EQ(NaiveBit(s, i), NaiveBit(before, i));
        }
      }
    }
  }
}

TEST(BitopsTest, SignedFieldsSignExtend) {
  std::vector<uint8_t> s = {0xff, 0x00};
  EXPECT_EQ(GetTyped(Span(s), 0, {true, 8}), -1);
  EXPECT_EQ(GetTyped(Span(s), 0, {false, 8}), 255);
  EXPECT_EQ(GetTyped(Span(s), 4, {true, 8}), -16);  // 11110000
  EXPECT_EQ(GetTyped(Span(s), 7, {true, 1}), -1);
  EXPECT_EQ(GetTyped(Span(s), 8, {true, 1}), 0);
  std::vector<uint8_t> all(8, 0xff);
  EXPECT_EQ(GetTyped(Span(all), 0, {true, 64}), -1);
  EXPECT_EQ(GetTyped(Span(all), 0, {false, 63}), INT64_MAX);
}

// Exact model of FieldAdd for a value inside the field's range (plain 128-bit arithmetic).
std::optional<int64_t> ModelAdd(FieldType t, int64_t value, int64_t incr, Overflow ow) {
  __int128 max = t.is_signed ? (__int128(1) << (t.bits - 1)) - 1 : (__int128(1) << t.bits) - 1;
  __int128 min = t.is_signed ? -max - 1 : 0;
  __int128 v = t.is_signed ? __int128(value) : __int128(uint64_t(value));
  __int128 sum = v + incr;
  if (sum >= min && sum <= max) return int64_t(sum);
  if (ow == Overflow::kFail) return std::nullopt;
  if (ow == Overflow::kSat) return int64_t(sum > max ? max : min);
  __int128 span = __int128(1) << t.bits;
  __int128 w = ((sum - min) % span + span) % span + min;
  return int64_t(w);
}

TEST(BitopsTest, FieldAddMatchesExactArithmetic) {
  std::mt19937_64 rng(6);
  auto random_int = [&](unsigned bits) -> int64_t {
    switch (rng() % 4) {
      case 0:
        return int64_t(rng() % 7) - 3;
      case 1:
        return int64_t(rng());
      case 2:
        return (int64_t(1) << (rng() % 63)) * (rng() % 2 ? 1 : -1);
      default:
        return int64_t(rng() >> (64 - bits));
    }
  };
  for (int round = 0; round < 200000; round++) {
    FieldType t{rng() % 2 == 0, 0};
    t.bits = uint8_t(rng() % (t.is_signed ? 64 : 63) + 1);
    // A value inside the field's range (as GET would read it).
    std::vector<uint8_t> s(8);
    for (auto& b : s) b = uint8_t(rng());
    int64_t value = GetTyped(Span(s), 0, t);
    int64_t incr = random_int(t.bits);
    Overflow ow = Overflow(rng() % 3);
    ASSERT_EQ(FieldAdd(t, value, incr, ow), ModelAdd(t, value, incr, ow))
        << (t.is_signed ? "i" : "u") << int(t.bits) << " " << value << " + " << incr;
  }
}

TEST(BitopsTest, FieldAddSetOutOfRangeValues) {
  // SET stores value + 0; out-of-range values wrap, saturate or fail.
  FieldType u8{false, 8}, i8{true, 8}, i63{true, 63}, i64{true, 64};
  EXPECT_EQ(FieldAdd(u8, 300, 0, Overflow::kWrap), 44);
  EXPECT_EQ(FieldAdd(u8, 300, 0, Overflow::kSat), 255);
  EXPECT_EQ(FieldAdd(u8, 300, 0, Overflow::kFail), std::nullopt);
  // A negative value for an unsigned field is a huge unsigned number: it overflows upwards.
  EXPECT_EQ(FieldAdd(u8, -1, 0, Overflow::kSat), 255);
  EXPECT_EQ(FieldAdd(u8, -1, 0, Overflow::kWrap), 255);
  EXPECT_EQ(FieldAdd(u8, -2, 0, Overflow::kWrap), 254);
  EXPECT_EQ(FieldAdd(i8, 200, 0, Overflow::kWrap), -56);
  EXPECT_EQ(FieldAdd(i8, -200, 0, Overflow::kSat), -128);
  EXPECT_EQ(FieldAdd(i8, 128, 0, Overflow::kSat), 127);
  EXPECT_EQ(FieldAdd(i64, INT64_MIN, 0, Overflow::kFail), INT64_MIN);
  // Redis's quirk, checked against redis-server 7.0.15: a value whose distance to the maximum
  // does not fit in 64 bits counts as an overflow, so SAT stores the maximum.
  EXPECT_EQ(FieldAdd(i63, INT64_MIN, 0, Overflow::kSat), (int64_t(1) << 62) - 1);
  EXPECT_EQ(FieldAdd(i8, INT64_MIN, 0, Overflow::kSat), 127);
  EXPECT_EQ(FieldAdd(i8, INT64_MIN, 0, Overflow::kWrap), 0);
  EXPECT_EQ(FieldAdd(i63, -(int64_t(1) << 62) - 1, 0, Overflow::kSat), (int64_t(1) << 62) - 1);
  EXPECT_EQ(FieldAdd(i8, -129, 0, Overflow::kSat), -128);
  // 64-bit signed increments saturate at both ends.
  EXPECT_EQ(FieldAdd(i64, INT64_MAX, 1, Overflow::kSat), INT64_MAX);
  EXPECT_EQ(FieldAdd(i64, INT64_MAX, 1, Overflow::kWrap), INT64_MIN);
  EXPECT_EQ(FieldAdd(i64, INT64_MIN, -1, Overflow::kSat), INT64_MIN);
  EXPECT_EQ(FieldAdd(i64, INT64_MIN, -1, Overflow::kFail), std::nullopt);
}

}  // namespace
}  // namespace ember::bitops
