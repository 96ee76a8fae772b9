// Unit tests for core/hyperloglog: hashing and register choice (values observed on Redis 7.0.15),
// dense packing, the sparse opcode editing rules (splits, joins, promotion), the estimator,
// the PFMERGE cursor giving the same bytes as plain updates, and fuzzing of every decoder with
// corrupt sketches (run under ASan/UBSan to catch out-of-bounds reads and writes).
#include "core/hyperloglog.h"

#include <gtest/gtest.h>

#include <cstring>
#include <limits>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace ember::hll {
namespace {

constexpr int64_t kNoLimit = std::numeric_limits<int64_t>::max();

// Owns a RawString holding a sketch.
class Sketch {
 public:
  Sketch() : r_(CreateSketch()) {}
  explicit Sketch(std::string_view bytes) : r_(RawString::Create(bytes, bytes.size())) {}
  ~Sketch() { RawString::Destroy(r_); }
  Sketch(const Sketch&) = delete;
  Sketch& operator=(const Sketch&) = delete;

  RawString** ptr() { return &r_; }
  std::string_view view() const { return r_->view(); }
  std::string bytes() const { return std::string(view()); }
  Update Add(std::string_view e, int64_t max_bytes = 3000) { return hll::Add(&r_, e, max_bytes); }
  Update Set(uint32_t i, uint8_t v, int64_t max_bytes = 3000) {
    return SetRegister(&r_, i, v, max_bytes);
  }
  Encoding encoding() const { return EncodingOf(view()); }
  std::string Decode() const { return DescribeSparse(view()); }
  RegisterArray Registers() const {
    RegisterArray regs{};
    EXPECT_TRUE(MergeMax(view(), &regs));
    return regs;
  }

 private:
  RawString* r_;
};

std::string Hex(std::string_view s) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

TEST(HyperLogLogTest, ObservationsMatchRedis) {
  // (element, register, value) as PFDEBUG GETREG shows them on redis-server 7.0.15.
  struct Case {
    std::string element;
    uint32_t index;
    uint8_t count;
  };
  const Case cases[] = {{"a", 12711, 2},
                        {"", 5938, 2},
                        {"hello", 9216, 1},
                        {"0123456789abcdefghij", 2027, 1},
                        {std::string("\xff\x00\x80", 3), 913, 1},
                        {"foobar12", 15489, 2}};
  for (const Case& c : cases) {
    Observation o = Observe(c.element);
    EXPECT_EQ(o.index, c.index) << c.element;
    EXPECT_EQ(o.count, c.count) << c.element;
  }
}

TEST(HyperLogLogTest, EmptySketchLayout) {
  std::string e = EmptySketch();
  EXPECT_EQ(Hex(e), "48594c4c0100000000000000000000007fff");
  EXPECT_TRUE(IsHll(e));
  EXPECT_EQ(EncodingOf(e), Encoding::kSparse);
  EXPECT_TRUE(CacheValid(e));
  EXPECT_EQ(CachedCardinality(e), 0u);
  EXPECT_EQ(DescribeSparse(e), "Z:16384");
  EXPECT_EQ(Count(e), 0u);
}

TEST(HyperLogLogTest, PfaddABCBytesMatchRedis) {
  Sketch s;
  for (const char* e : {"a", "b", "c"}) EXPECT_EQ(s.Add(e), Update::kChanged);
  EXPECT_EQ(s.Add("a"), Update::kUnchanged);
  EXPECT_EQ(Hex(s.view()), "48594c4c01000000000000000000008060f38050b1844bfb80425a");
  EXPECT_FALSE(CacheValid(s.view()));
  EXPECT_EQ(Count(s.view()), 3u);
}

TEST(HyperLogLogTest, DecodeAndCountsMatchRedis) {
  Sketch ten;
  for (int i = 0; i < 10; i++) ten.Add(std::to_string(i));
  EXPECT_EQ(ten.Decode(),
            "Z:495 v:2,1 Z:2084 v:1,1 Z:4946 v:1,1 Z:3297 v:1,1 Z:147 v:1,1 Z:2251 v:4,1 Z:884 "
            "v:1,1 Z:728 v:1,1 Z:531 v:4,1 Z:208 v:2,1 Z:803");
  Sketch thousand;
  for (int i = 0; i < 1000; i++) thousand.Add(std::to_string(i));
  EXPECT_EQ(Count(thousand.view()), 1001u);
  Sketch big;
  for (int i = 0; i < 100000; i++) big.Add(std::to_string(i));
  EXPECT_EQ(big.encoding(), Encoding::kDense);
  EXPECT_EQ(Count(big.view()), 99565u);
}

TEST(HyperLogLogTest, HeaderChecks) {
  std::string e = EmptySketch();
  EXPECT_FALSE(IsHll(e.substr(0, 15)));
  EXPECT_TRUE(IsHll(e.substr(0, 16)));  // sparse with no opcodes passes the header check
  std::string bad = e;
  bad[0] = 'h';
  EXPECT_FALSE(IsHll(bad));
  bad = e;
  bad[4] = 2;
  EXPECT_FALSE(IsHll(bad));
  bad[4] = 0;  // dense, but not 12304 bytes long
  EXPECT_FALSE(IsHll(bad));
  std::string dense(kDenseSize, '\0');
  std::memcpy(dense.data(), "HYLL", 4);
  EXPECT_TRUE(IsHll(dense));
  EXPECT_FALSE(IsHll(dense + "x"));
}

TEST(HyperLogLogTest, CacheBits) {
  std::string e = EmptySketch();
  StoreCardinality(e.data(), 0x0102030405060708ull);
  EXPECT_TRUE(CacheValid(e));
  EXPECT_EQ(CachedCardinality(e), 0x0102030405060708ull);
  InvalidateCache(e.data());
  EXPECT_FALSE(CacheValid(e));
  EXPECT_EQ(uint8_t(e[15]), 0x81);  // only the top bit is added
  EXPECT_EQ(uint8_t(e[8]), 0x08);
}

TEST(HyperLogLogTest, DenseRegistersPackLsbFirst) {
  std::vector<uint8_t> regs(kDenseRegisterBytes, 0);
  DenseSet(regs.data(), 0, 63);
  EXPECT_EQ(regs[0], 0x3f);
  DenseSet(regs.data(), 1, 1);
  EXPECT_EQ(regs[0], 0x7f);  // register 1 starts at bit 6
  EXPECT_EQ(regs[1], 0x00);
  DenseSet(regs.data(), 1, 63);
  EXPECT_EQ(regs[0], 0xff);
  EXPECT_EQ(regs[1], 0x0f);
  DenseSet(regs.data(), kRegisters - 1, 63);  // the last register ends on the last byte
  EXPECT_EQ(regs[kDenseRegisterBytes - 1], 0xfc);
  EXPECT_EQ(DenseGet(regs.data(), kRegisters - 1), 63);
  EXPECT_EQ(DenseGet(regs.data(), kRegisters - 2), 0);

  std::mt19937 rng(1);
  RegisterArray want{};
  for (uint32_t i = 0; i < kRegisters; i++) {
    want[i] = uint8_t(rng() % 64);
    DenseSet(regs.data(), i, want[i]);
  }
  for (uint32_t i = 0; i < kRegisters; i++) ASSERT_EQ(DenseGet(regs.data(), i), want[i]) << i;
  std::vector<uint8_t> packed(kDenseRegisterBytes, 0xaa);
  DensePack(packed.data(), want);
  EXPECT_EQ(packed, regs);
}

TEST(HyperLogLogTest, SparseSplitsAndJoins) {
  Sketch s;
  EXPECT_EQ(s.Set(2, 1), Update::kChanged);
  EXPECT_EQ(s.Decode(), "z:2 v:1,1 Z:16381");
  EXPECT_EQ(s.Set(3, 1), Update::kChanged);  // joined with its left neighbour
  EXPECT_EQ(s.Decode(), "z:2 v:1,2 Z:16380");
  EXPECT_EQ(s.Set(4, 1), Update::kChanged);
  EXPECT_EQ(s.Set(1, 1), Update::kChanged);
  EXPECT_EQ(s.Decode(), "z:1 v:1,4 Z:16379");
  EXPECT_EQ(s.Set(0, 1), Update::kChanged);  // a run of four cannot take a fifth
  EXPECT_EQ(s.Decode(), "v:1,1 v:1,4 Z:16379");
  EXPECT_EQ(s.Set(2, 1), Update::kUnchanged);
  EXPECT_EQ(s.Set(2, 3), Update::kChanged);  // split of a VAL run; the left piece joins
  EXPECT_EQ(s.Decode(), "v:1,2 v:3,1 v:1,2 Z:16379");
  EXPECT_EQ(s.Set(100, 5), Update::kChanged);  // a ZERO (<= 64) and an XZERO (> 64) piece
  EXPECT_EQ(s.Decode(), "v:1,2 v:3,1 v:1,2 Z:95 v:5,1 Z:16283");
  EXPECT_EQ(s.Set(16383, 32), Update::kChanged);
  EXPECT_EQ(s.Decode(), "v:1,2 v:3,1 v:1,2 Z:95 v:5,1 Z:16282 v:32,1");
  EXPECT_EQ(s.encoding(), Encoding::kSparse);
  RegisterArray regs = s.Registers();
  EXPECT_EQ(regs[0] + regs[1] + regs[2] + regs[3] + regs[4], 1 + 1 + 3 + 1 + 1);
  EXPECT_EQ(regs[100], 5);
  EXPECT_EQ(regs[16383], 32);
}

TEST(HyperLogLogTest, PromotionOnLargeValueKeepsHeader) {
  Sketch s;
  s.Set(7, 3);
  StoreCardinality(s.ptr()[0]->data, 42);
  s.ptr()[0]->data[5] = 9;  // an "unused" byte is carried over
  EXPECT_EQ(s.Set(9, 33), Update::kChanged);
  EXPECT_EQ(s.encoding(), Encoding::kDense);
  EXPECT_EQ(s.view().size(), kDenseSize);
  EXPECT_EQ(s.view()[5], 9);
  EXPECT_FALSE(CacheValid(s.view()));
  EXPECT_EQ(CachedCardinality(s.view()) & 0xff, 42u);
  RegisterArray regs = s.Registers();
  EXPECT_EQ(regs[7], 3);
  EXPECT_EQ(regs[9], 33);
}

TEST(HyperLogLogTest, PromotionOnSize) {
  Sketch s;
  int64_t limit = 40;
  uint32_t i = 0;
  while (s.encoding() == Encoding::kSparse) {
    size_t before = s.view().size();
    ASSERT_EQ(s.Set(i, 1 + i % 7, limit), Update::kChanged);
    if (s.encoding() == Encoding::kSparse) {
      EXPECT_LE(int64_t(s.view().size()), limit);
    }
    if (s.encoding() == Encoding::kDense) {
      EXPECT_GT(int64_t(before) + 1, limit - 2);
    }
    i += 3;
  }
  RegisterArray regs = s.Registers();
  for (uint32_t j = 0; j < i; j += 3) EXPECT_EQ(regs[j], 1 + j % 7);
  EXPECT_EQ(s.Set(0, 1, limit), Update::kUnchanged);
}

TEST(HyperLogLogTest, PromoteToDenseIsIdempotentAndRejectsCorrupt) {
  Sketch s;
  s.Add("x");
  ASSERT_TRUE(PromoteToDense(s.ptr()));
  std::string dense = s.bytes();
  ASSERT_TRUE(PromoteToDense(s.ptr()));
  EXPECT_EQ(s.bytes(), dense);
  Sketch bad(EmptySketch() + "\x80");  // 16385 registers
  EXPECT_FALSE(PromoteToDense(bad.ptr()));
  EXPECT_EQ(bad.encoding(), Encoding::kSparse);
}

TEST(HyperLogLogTest, SparseAndDenseAgree) {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 20; round++) {
    Sketch sparse, dense;
    ASSERT_TRUE(PromoteToDense(dense.ptr()));
    int n = int(rng() % 1500);
    for (int i = 0; i < n; i++) {
      std::string e = std::to_string(rng());
      EXPECT_EQ(sparse.Add(e, kNoLimit), dense.Add(e, kNoLimit));
    }
    EXPECT_EQ(sparse.Registers(), dense.Registers());
    EXPECT_EQ(Count(sparse.view()), Count(dense.view()));
    EXPECT_EQ(CountRegisters(sparse.Registers()), Count(dense.view()));
  }
}

TEST(HyperLogLogTest, EstimatorEdges) {
  std::array<int, 64> hist{};
  hist[0] = kRegisters;
  EXPECT_EQ(EstimateFromHistogram(hist), 0u);
  hist[0] = kRegisters - 1;
  hist[1] = 1;
  EXPECT_EQ(EstimateFromHistogram(hist), 1u);
  hist = {};
  hist[kQ + 1] = kRegisters;  // every register saturated: the large-range correction kicks in
  EXPECT_GT(EstimateFromHistogram(hist), uint64_t{1} << 60);
}

TEST(HyperLogLogTest, CursorGivesSameBytesAsPlainUpdates) {
  std::mt19937_64 rng(9);
  for (int round = 0; round < 40; round++) {
    Sketch base;
    int n = int(rng() % 400);
    for (int i = 0; i < n; i++) base.Add(std::to_string(rng()), kNoLimit);
    Sketch plain(base.view()), cursored(base.view());
    int64_t limit = round % 3 == 0 ? 600 : kNoLimit;
    SparseCursor cursor;
    for (uint32_t i = 0; i < kRegisters; i++) {
      if (rng() % 8 != 0) continue;
      uint8_t v = uint8_t(1 + rng() % 6);
      Update a = SetRegister(plain.ptr(), i, v, limit);
      Update b = SetRegister(cursored.ptr(), i, v, limit, &cursor);
      ASSERT_EQ(a, b);
      ASSERT_EQ(plain.bytes(), cursored.bytes()) << "round " << round << " register " << i;
    }
  }
}

// Runs every decoder and editor on `bytes`; only checks that nothing crashes or goes out of
// bounds (ASan) and that results are self-consistent.
void Exercise(std::string_view bytes, std::mt19937_64& rng) {
  if (!IsHll(bytes)) return;
  RegisterArray regs{};
  bool merged = MergeMax(bytes, &regs);
  std::optional<uint64_t> count = Count(bytes);
  EXPECT_EQ(merged, count.has_value());
  if (EncodingOf(bytes) == Encoding::kSparse) (void)DescribeSparse(bytes);
  Sketch s(bytes);
  for (int i = 0; i < 8; i++) {
    Update u = SetRegister(s.ptr(), uint32_t(rng() % kRegisters), uint8_t(1 + rng() % 40), 200);
    if (u == Update::kCorrupt) break;
  }
  if (IsHll(s.view())) {
    (void)Count(s.view());
    if (EncodingOf(s.view()) == Encoding::kSparse) (void)DescribeSparse(s.view());
  }
  Sketch t(bytes);
  if (PromoteToDense(t.ptr())) {
    EXPECT_TRUE(merged);
    EXPECT_EQ(t.Registers(), regs);
  }
}

TEST(HyperLogLogTest, FuzzRandomSparseBodies) {
  std::mt19937_64 rng(11);
  for (int round = 0; round < 20000; round++) {
    std::string bytes = EmptySketch().substr(0, kHeaderSize);
    size_t len = rng() % 24;
    for (size_t i = 0; i < len; i++) bytes += char(rng() & 0xff);
    // Bias some bodies towards adding up to exactly 16384 registers.
    if (round % 4 == 0) bytes += "\x7f";
    Exercise(bytes, rng);
  }
}

TEST(HyperLogLogTest, FuzzMutatedSketches) {
  std::mt19937_64 rng(12);
  for (int round = 0; round < 3000; round++) {
    Sketch s;
    int n = int(rng() % (round % 50 == 0 ? 3000 : 200));
    for (int i = 0; i < n; i++) s.Add(std::to_string(rng()));
    std::string bytes = s.bytes();
    int edits = 1 + int(rng() % 5);
    for (int i = 0; i < edits; i++) {
      switch (rng() % 4) {
        case 0:
          bytes[rng() % bytes.size()] = char(rng() & 0xff);
          break;
        case 1:
          bytes.resize(kHeaderSize + rng() % (bytes.size() - kHeaderSize + 1));
          break;
        case 2:
          bytes += char(rng() & 0xff);
          break;
        default:
          bytes[kHeaderSize + rng() % std::max<size_t>(1, bytes.size() - kHeaderSize)] ^= 0x40;
          break;
      }
      if (bytes.size() < kHeaderSize) bytes.resize(kHeaderSize);
    }
    Exercise(bytes, rng);
  }
}

TEST(HyperLogLogTest, TruncatedXZeroReadsZeroLikeRedis) {
  // A final XZERO cut off after its first byte counts (0x3f << 8 | 0) + 1 registers.
  std::string bytes = EmptySketch().substr(0, kHeaderSize);
  bytes += "\x3f\x3f\x3f";  // 3 x 64 zeros
  bytes += "\x3e";          // 63 zeros: 255 so far
  bytes += "\x7f";          // 16129 more with the missing byte read as 0: exactly 16384
  EXPECT_EQ(DescribeSparse(bytes), "z:64 z:64 z:64 z:63 Z:16129");
  EXPECT_EQ(Count(bytes), 0u);
  Sketch s(bytes);
  EXPECT_EQ(s.Set(300, 2), Update::kChanged);
  // The split is ZERO(45) VAL(2,1) XZERO(16083), but the old opcode counted two bytes, so the
  // XZERO's second byte falls off the end (and reads as 0 again).
  EXPECT_EQ(s.Decode(), "z:64 z:64 z:64 z:63 z:45 v:2,1 Z:15873");
}

TEST(HyperLogLogTest, SelfTestPasses) { EXPECT_EQ(SelfTest(), ""); }

}  // namespace
}  // namespace ember::hll
