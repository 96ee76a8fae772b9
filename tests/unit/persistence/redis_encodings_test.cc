// Unit tests for Redis's small encodings (persistence/redis_encodings.h). Listpack and intset
// blobs were captured from DUMP payloads of a real redis-server 7.0.15 (rdbcompression off, the
// RDB string header stripped); ziplists and zipmaps are written by hand from the format, since
// Redis 7 only meets them in old files. Every truncation and every single-byte corruption of
// the blobs is fed to the decoders in an exactly sized heap buffer, so a sanitizer build
// catches any read past the end.
#include "persistence/redis_encodings.h"
#include "hex.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ember::redisenc {
namespace {

using ember::testing::Hex;

std::vector<std::string> Texts(const std::vector<Item>& items) {
  std::vector<std::string> out;
  std::string scratch;
  for (const Item& it : items) out.emplace_back(it.Text(&scratch));
  return out;
}

// A hash listpack from redis 7.0.15 (HSET h a 1 b hello c -5 ... in this order): every integer
// encoding and the canonical-integer rules for strings ("007", "-0", "+1", " 1", "1.5", "").
const char* kHashListpack =
    "0e010000360081610201018162028568656c6c6f06816302dffb02816e02f13930038362696704f2a086010483"
    "6e656704f26079fe048369333204f3ffffff7f058369363404f4ffffffffffffff7f09836d363404f400000000"
    "0000008009846c656164058330303704826d7a03822d300384706c757305822b31038273700382203103856d34"
    "30393606d0000285703430393506cfff02856d3430393706f1ffef03866d333237363807f10080038670333237"
    "363807f20080000481660283312e350481650280018470313237057f01847031323805c08002826d3103dfff02"
    "826d3903f20000800482703903f2ffff7f048370313004f30000800005836d333304f4ffffff7fffffffff09ff";

const std::vector<std::string> kHashItems = {"a",      "1",
                                             "b",      "hello",
                                             "c",      "-5",
                                             "n",      "12345",
                                             "big",    "100000",
                                             "neg",    "-100000",
                                             "i32",    "2147483647",
                                             "i64",    "9223372036854775807",
                                             "m64",    "-9223372036854775808",
                                             "lead",   "007",
                                             "mz",     "-0",
                                             "plus",   "+1",
                                             "sp",     " 1",
                                             "m4096",  "-4096",
                                             "p4095",  "4095",
                                             "m4097",  "-4097",
                                             "m32768", "-32768",
                                             "p32768", "32768",
                                             "f",      "1.5",
                                             "e",      "",
                                             "p127",   "127",
                                             "p128",   "128",
                                             "m1",     "-1",
                                             "m9",     "-8388608",
                                             "p9",     "8388607",
                                             "p10",    "8388608",
                                             "m33",    "-2147483649"};

// HSET h2 s64 <64 x 'y'> s63 <63 x 'z'> s200 <200 x 'w'>: 6-bit and 12-bit strings and
// two-byte backlens.
std::string HashListpack2() {
  return Hex("67010000060083733634"
             "04e040") +
         std::string(64, 'y') +
         Hex("42837336330"
             "4bf") +
         std::string(63, 'z') + Hex("40847332303005e0c8") + std::string(200, 'w') + Hex("01caff");
}

// ZADD z 1 a 2.5 b -3 c.
const char* kZsetListpack = "1a0000000600816302dffd02816102010181620283322e3504ff";
// RPUSH l a 1 2 300 <70 x 'x'>: one quicklist node.
std::string ListListpack() {
  return Hex("5a000000050081610201010201c12c02e046") + std::string(70, 'x') + Hex("48ff");
}

// Decoding must fail cleanly for every proper prefix and never read out of bounds for any
// single-byte change.
template <typename Decode>
void CheckHostile(const std::string& blob, Decode decode) {
  for (size_t n = 0; n < blob.size(); ++n) {
    std::unique_ptr<char[]> buf(new char[n + 1]);
    memcpy(buf.get(), blob.data(), n);
    std::string err;
    EXPECT_FALSE(decode(std::string_view(buf.get(), n), &err)) << "prefix " << n;
    EXPECT_FALSE(err.empty());
  }
  const uint8_t kFlips[] = {0x00, 0xFF, 0x80, 0x01, 0x7F, 0xFE, 0xF0, 0xC0};
  for (size_t i = 0; i < blob.size(); ++i) {
    for (uint8_t f : kFlips) {
      std::unique_ptr<char[]> buf(new char[blob.size()]);
      memcpy(buf.get(), blob.data(), blob.size());
      buf[i] = static_cast<char>(f);
      std::string err;
      decode(std::string_view(buf.get(), blob.size()), &err);
      buf[i] = static_cast<char>(buf[i] ^ 0x5A);
      decode(std::string_view(buf.get(), blob.size()), &err);
    }
  }
}

bool LpDecode(std::string_view b, std::string* err) {
  std::vector<Item> v;
  return DecodeListpack(b, &v, err);
}
bool ZlDecode(std::string_view b, std::string* err) {
  std::vector<Item> v;
  return DecodeZiplist(b, &v, err);
}
bool ZmDecode(std::string_view b, std::string* err) {
  std::vector<Item> v;
  return DecodeZipmap(b, &v, err);
}
bool IsDecode(std::string_view b, std::string* err) {
  std::vector<int64_t> v;
  return DecodeIntset(b, &v, err);
}

TEST(ListpackTest, DecodesRedisHash) {
  std::vector<Item> items;
  std::string err;
  const std::string blob = Hex(kHashListpack);
  ASSERT_TRUE(DecodeListpack(blob, &items, &err)) << err;
  EXPECT_EQ(Texts(items), kHashItems);
  EXPECT_TRUE(items[1].is_int);
  EXPECT_EQ(items[1].ival, 1);
  EXPECT_FALSE(items[19].is_int);  // "007"
  EXPECT_EQ(items[17].ival, INT64_MIN);
}

TEST(ListpackTest, BuilderMatchesRedisBytes) {
  ListpackBuilder b;
  for (const std::string& s : kHashItems) b.AppendString(s);
  EXPECT_EQ(b.count(), kHashItems.size());
  std::string want = Hex(kHashListpack);
  EXPECT_EQ(b.bytes(), want.size());
  EXPECT_EQ(b.Finish(), want);
  EXPECT_EQ(b.count(), 0u);  // reset

  b.AppendString("s64");
  b.AppendString(std::string(64, 'y'));
  b.AppendString("s63");
  b.AppendString(std::string(63, 'z'));
  b.AppendString("s200");
  b.AppendString(std::string(200, 'w'));
  EXPECT_EQ(b.Finish(), HashListpack2());

  b.AppendString("c");
  b.AppendString("-3");
  b.AppendString("a");
  b.AppendInt(1);
  b.AppendString("b");
  b.AppendString("2.5");
  EXPECT_EQ(b.Finish(), Hex(kZsetListpack));

  for (const char* s : {"a", "1", "2", "300"}) b.AppendString(s);
  b.AppendString(std::string(70, 'x'));
  EXPECT_EQ(b.Finish(), ListListpack());
}

TEST(ListpackTest, BigStringsMatchRedisLayout) {
  // HSET h3 s4096 <4096 x 'q'> s4095 <4095 x 'r'>: 32-bit and 12-bit strings, 2-byte backlens.
  ListpackBuilder b;
  b.AppendString("s4096");
  b.AppendString(std::string(4096, 'q'));
  b.AppendString("s4095");
  b.AppendString(std::string(4095, 'r'));
  std::string lp = b.Finish();
  ASSERT_EQ(lp.size(), 8236u - 1 - 2 - 10);  // DUMP size minus type, string header, footer
  EXPECT_EQ(lp.substr(0, 18), Hex("1f2000000400857334303936"
                                  "06f000100000"));
  EXPECT_EQ(lp.substr(lp.size() - 3), Hex("2081ff"));
  std::vector<Item> items;
  std::string err;
  ASSERT_TRUE(DecodeListpack(lp, &items, &err)) << err;
  ASSERT_EQ(items.size(), 4u);
  EXPECT_EQ(items[1].sval, std::string(4096, 'q'));
  EXPECT_EQ(items[3].sval, std::string(4095, 'r'));
}

TEST(ListpackTest, IntegerEncodingBoundariesRoundTrip) {
  const int64_t vals[] = {0,
                          127,
                          128,
                          -1,
                          -4096,
                          4095,
                          -4097,
                          4096,
                          -32768,
                          32767,
                          -32769,
                          32768,
                          -8388608,
                          8388607,
                          -8388609,
                          8388608,
                          INT32_MIN,
                          INT32_MAX,
                          int64_t{INT32_MIN} - 1,
                          int64_t{INT32_MAX} + 1,
                          INT64_MIN,
                          INT64_MAX};
  ListpackBuilder b;
  for (int64_t v : vals) b.AppendInt(v);
  std::vector<Item> items;
  std::string err;
  const std::string ints = b.Finish();
  ASSERT_TRUE(DecodeListpack(ints, &items, &err)) << err;
  ASSERT_EQ(items.size(), std::size(vals));
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_TRUE(items[i].is_int);
    EXPECT_EQ(items[i].ival, vals[i]);
  }
  ListpackBuilder s;
  s.AppendString("99999999999999999999");  // overflows int64: stays a string
  s.AppendString("-9223372036854775809");
  const std::string strings = s.Finish();
  ASSERT_TRUE(DecodeListpack(strings, &items, &err));
  EXPECT_FALSE(items[0].is_int);
  EXPECT_FALSE(items[1].is_int);
}

TEST(ListpackTest, EmptyAndUnknownCount) {
  ListpackBuilder b;
  std::string empty = b.Finish();
  EXPECT_EQ(empty, Hex("07000000"
                       "0000ff"));
  std::vector<Item> items;
  std::string err;
  EXPECT_TRUE(DecodeListpack(empty, &items, &err));
  EXPECT_TRUE(items.empty());
  // 70000 elements: the header count saturates at 65535 ("unknown").
  for (int i = 0; i < 70000; ++i) b.AppendInt(i % 100);
  std::string big = b.Finish();
  EXPECT_EQ(big.substr(4, 2), Hex("ffff"));
  ASSERT_TRUE(DecodeListpack(big, &items, &err)) << err;
  EXPECT_EQ(items.size(), 70000u);
}

TEST(ListpackTest, RejectsCorruption) {
  std::string lp = Hex(kZsetListpack);
  std::vector<Item> items;
  std::string err;
  std::string bad = lp;
  bad[4] = 5;  // count
  EXPECT_FALSE(DecodeListpack(bad, &items, &err));
  bad = lp;
  bad[8] = 3;  // backlen of the first entry
  EXPECT_FALSE(DecodeListpack(bad, &items, &err));
  bad = lp;
  bad[6] = static_cast<char>(0xF5);  // no such encoding
  EXPECT_FALSE(DecodeListpack(bad, &items, &err));
  bad = lp;
  bad.back() = 0;
  EXPECT_FALSE(DecodeListpack(bad, &items, &err));
  bad = lp + "x";  // total bytes no longer match
  EXPECT_FALSE(DecodeListpack(bad, &items, &err));
}

TEST(ListpackTest, HostileInput) {
  CheckHostile(Hex(kHashListpack), LpDecode);
  CheckHostile(Hex(kZsetListpack), LpDecode);
  CheckHostile(HashListpack2(), LpDecode);
  CheckHostile(ListListpack(), LpDecode);
}

// --- ziplist ---------------------------------------------------------------------------------

// Writes a ziplist from already-encoded entry bodies (encoding + data), computing prevlens,
// the tail offset and the header; independent of the decoder under test.
std::string MakeZiplist(const std::vector<std::string>& bodies) {
  std::string entries;
  size_t prev = 0;
  size_t tail = 10;
  for (const std::string& body : bodies) {
    tail = 10 + entries.size();
    std::string e;
    if (prev < 254) {
      e.push_back(static_cast<char>(prev));
    } else {
      e.push_back(static_cast<char>(0xFE));
      for (int i = 0; i < 4; ++i) e.push_back(static_cast<char>((prev >> (8 * i)) & 0xFF));
    }
    e += body;
    prev = e.size();
    entries += e;
  }
  size_t total = 10 + entries.size() + 1;
  std::string out;
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((total >> (8 * i)) & 0xFF));
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((tail >> (8 * i)) & 0xFF));
  out.push_back(static_cast<char>(bodies.size() & 0xFF));
  out.push_back(static_cast<char>(bodies.size() >> 8));
  return out + entries + "\xff";
}

std::vector<std::string> ZiplistBodies() {
  std::string s70 = Hex("4046") + std::string(70, 'm');  // 14-bit length, big-endian
  std::string s300 = Hex("41"
                         "2c") +
                     std::string(300, 'n');                          // needs a 5-byte prevlen next
  std::string s20000 = Hex("8000004e20") + std::string(20000, 'o');  // 32-bit big-endian length
  return {
      Hex("03") + "abc",
      Hex("f1"),    // immediate 0
      Hex("fd"),    // immediate 12
      Hex("fe9c"),  // int8 -100
      Hex("c0"
          "3930"),      // int16 12345
      Hex("f06079fe"),  // int24 -100000
      Hex("d0"
          "ffffff7f"),  // int32 INT32_MAX
      Hex("e0"
          "0000000000000080"),  // int64 INT64_MIN
      s70,
      s300,
      Hex("00"),  // empty string after a 303-byte entry
      s20000,
      Hex("f0"
          "ffff7f"),  // int24 8388607
  };
}

TEST(ZiplistTest, DecodesAllEncodings) {
  // Literal: "a" then immediate 5.
  std::vector<Item> items;
  std::string err;
  const std::string literal =
      Hex("100000000d0000000200"
          "000161"
          "03f6"
          "ff");
  ASSERT_TRUE(DecodeZiplist(literal, &items, &err)) << err;
  EXPECT_EQ(Texts(items), (std::vector<std::string>{"a", "5"}));

  std::string zl = MakeZiplist(ZiplistBodies());
  ASSERT_TRUE(DecodeZiplist(zl, &items, &err)) << err;
  std::vector<std::string> want = {"abc",
                                   "0",
                                   "12",
                                   "-100",
                                   "12345",
                                   "-100000",
                                   "2147483647",
                                   "-9223372036854775808",
                                   std::string(70, 'm'),
                                   std::string(300, 'n'),
                                   "",
                                   std::string(20000, 'o'),
                                   "8388607"};
  EXPECT_EQ(Texts(items), want);
  EXPECT_TRUE(items[3].is_int);
  EXPECT_FALSE(items[10].is_int);

  std::string empty = MakeZiplist({});
  ASSERT_TRUE(DecodeZiplist(empty, &items, &err)) << err;
  EXPECT_TRUE(items.empty());
}

TEST(ZiplistTest, RejectsCorruption) {
  std::string zl = MakeZiplist({Hex("0161"), Hex("0162"), Hex("f3")});
  std::vector<Item> items;
  std::string err;
  ASSERT_TRUE(DecodeZiplist(zl, &items, &err)) << err;
  std::string bad = zl;
  bad[4] = 10;  // tail points at the first entry
  EXPECT_FALSE(DecodeZiplist(bad, &items, &err));
  bad = zl;
  bad[8] = 2;  // count
  EXPECT_FALSE(DecodeZiplist(bad, &items, &err));
  bad = zl;
  bad[13] = 2;  // prevlen of the second entry
  EXPECT_FALSE(DecodeZiplist(bad, &items, &err));
  bad = zl;
  bad[17] = static_cast<char>(0xF0 | 0x0E);  // 0xFE is int8: value byte missing -> overrun
  EXPECT_FALSE(DecodeZiplist(bad, &items, &err));
  bad = zl;
  bad[11] = static_cast<char>(0x81);  // 0x81 is not a valid string encoding
  EXPECT_FALSE(DecodeZiplist(bad, &items, &err));
  // A count of 65535 means "unknown": accepted with any number of entries.
  bad = zl;
  bad[8] = bad[9] = static_cast<char>(0xFF);
  EXPECT_TRUE(DecodeZiplist(bad, &items, &err));
}

TEST(ZiplistTest, HostileInput) {
  CheckHostile(MakeZiplist({Hex("0161"), Hex("f1"), Hex("fe9c"), Hex("c03930"), Hex("f06079fe"),
                            Hex("d0ffffff7f"), Hex("e00000000000000080"),
                            Hex("4046") + std::string(70, 'm')}),
               ZlDecode);
  CheckHostile(MakeZiplist({Hex("412c") + std::string(300, 'n'), Hex("0161")}), ZlDecode);
}

// --- zipmap ----------------------------------------------------------------------------------

TEST(ZipmapTest, Decodes) {
  // {"k": "v", "f": "val" (2 free bytes)}.
  std::string zm = Hex("02016b0100760166030276616c0000ff");
  std::vector<Item> items;
  std::string err;
  ASSERT_TRUE(DecodeZipmap(zm, &items, &err)) << err;
  EXPECT_EQ(Texts(items), (std::vector<std::string>{"k", "v", "f", "val"}));
  // A 300-byte value uses the 5-byte length; count 254 means "unknown".
  std::string big = Hex("fe"
                        "0161"
                        "fe2c010000"
                        "00") +
                    std::string(300, 'z') + Hex("ff");
  ASSERT_TRUE(DecodeZipmap(big, &items, &err)) << err;
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[1].sval, std::string(300, 'z'));
  EXPECT_FALSE(DecodeZipmap(Hex("00ff"), &items, &err));                              // empty
  EXPECT_FALSE(DecodeZipmap(Hex("03016b0100760166030276616c0000ff"), &items, &err));  // count
  EXPECT_FALSE(DecodeZipmap(Hex("01016bff"), &items, &err));  // key without a value
  CheckHostile(zm, ZmDecode);
  CheckHostile(big, ZmDecode);
}

// --- intset ----------------------------------------------------------------------------------

TEST(IntsetTest, DecodesRedisBlobs) {
  std::vector<int64_t> v;
  std::string err;
  ASSERT_TRUE(DecodeIntset(Hex("0200000004000000f9ff010002000300"), &v, &err)) << err;
  EXPECT_EQ(v, (std::vector<int64_t>{-7, 1, 2, 3}));
  ASSERT_TRUE(DecodeIntset(Hex("04000000020000000100000070110100"), &v, &err)) << err;
  EXPECT_EQ(v, (std::vector<int64_t>{1, 70000}));
  ASSERT_TRUE(DecodeIntset(Hex("08000000020000000100000000000000"
                               "0000000000010000"),
                           &v, &err))
      << err;
  EXPECT_EQ(v, (std::vector<int64_t>{1, int64_t{1} << 40}));
}

TEST(IntsetTest, RejectsCorruption) {
  std::vector<int64_t> v;
  std::string err;
  EXPECT_FALSE(DecodeIntset(Hex("0300000001000000010000"), &v, &err));    // encoding 3
  EXPECT_FALSE(DecodeIntset(Hex("020000000300000001000200"), &v, &err));  // short
  EXPECT_FALSE(DecodeIntset(Hex("02000000000000"), &v, &err));            // header cut
  EXPECT_FALSE(DecodeIntset(Hex("0200000000000000"), &v, &err));          // empty
  EXPECT_FALSE(DecodeIntset(Hex("02000000020000000200"
                                "0100"),
                            &v, &err));  // unsorted
  EXPECT_FALSE(DecodeIntset(Hex("02000000020000000100"
                                "0100"),
                            &v, &err));  // duplicate
  CheckHostile(Hex("0200000004000000f9ff010002000300"), IsDecode);
  CheckHostile(Hex("08000000020000000100000000000000"
                   "0000000000010000"),
               IsDecode);
}

}  // namespace
}  // namespace ember::redisenc
