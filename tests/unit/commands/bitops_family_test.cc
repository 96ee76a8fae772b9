// Unit tests for the bitmap family (bitops_family.cc) through the in-process harness: every
// error text and the order in which Redis checks them, ranges in bytes and bits with negative
// indexes, BITPOS's zero padding, BITOP's destination handling, BITFIELD's overflow modes and
// "#" offsets, integer-encoded values read as their decimal text, encodings and TTLs after a
// write, and amortised growth of a bitmap set from low to high bits. Expected replies were
// taken from redis-server 7.0.15.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "command_harness.h"
#include "core/kv_entry.h"

namespace ember {
namespace {

using testing::Harness;
using testing::kNotInt;
using testing::kSyntax;
using testing::kWrongType;

constexpr const char* kBadOffset = "(error) ERR bit offset is not an integer or out of range";
constexpr const char* kBadBit = "(error) ERR bit is not an integer or out of range";
constexpr const char* kBadType =
    "(error) ERR Invalid bitfield type. Use something like i16 u8. Note that u64 is not "
    "supported but i64 is.";

// "[1, (nil), -2]" -> the harness's rendering of an array of integers and nils.
std::string Ints(const std::string& list) {
  std::string out;
  for (size_t i = 0; i < list.size(); i++) {
    char c = list[i];
    bool starts_number =
        (c == '-' || (c >= '0' && c <= '9')) && (list[i - 1] == '[' || list[i - 1] == ' ');
    if (starts_number) out += "(integer) ";
    out += c;
  }
  return out;
}

class BitopsFamilyTest : public ::testing::Test {
 protected:
  Db& db() { return h.server().keyspace().db(0); }
  KvEntry* Entry(const std::string& key) { return db().dict().Find(key); }
  std::string Encoding(const std::string& key) { return h.Run({"OBJECT", "ENCODING", key}); }
  Harness h;
};

// ---------------------------------------------------------------------------------------------
// SETBIT / GETBIT

TEST_F(BitopsFamilyTest, SetBitGetBit) {
  EXPECT_EQ(h.Run({"GETBIT", "k", "0"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SETBIT", "k", "1", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SETBIT", "k", "7", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"GET", "k"}), "A");  // 0b01000001
  EXPECT_EQ(h.Run({"SETBIT", "k", "7", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SETBIT", "k", "7", "0"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GETBIT", "k", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GETBIT", "k", "7"}), "(integer) 0");
  EXPECT_EQ(h.Run({"GETBIT", "k", "100"}), "(integer) 0");  // past the end
  EXPECT_EQ(h.Run({"SETBIT", "k", "23", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"STRLEN", "k"}), "(integer) 3");
  EXPECT_EQ(h.Run({"GET", "k"}), std::string("@\0\x01", 3));
  EXPECT_EQ(Encoding("k"), "raw");
}

TEST_F(BitopsFamilyTest, SetBitGetBitErrors) {
  for (const char* bad : {"-1", "x", "1.5", " 1", "+1", "4294967296", "99999999999999999999"}) {
    EXPECT_EQ(h.Run({"SETBIT", "k", bad, "1"}), kBadOffset) << bad;
    EXPECT_EQ(h.Run({"GETBIT", "k", bad}), kBadOffset) << bad;
  }
  for (const char* bad : {"2", "-1", "x", "", "01"}) {
    EXPECT_EQ(h.Run({"SETBIT", "k", "0", bad}), kBadBit) << bad;
  }
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SETBIT", "k", "0"}),
            "(error) ERR wrong number of arguments for 'setbit' command");
  EXPECT_EQ(h.Run({"GETBIT", "k"}), "(error) ERR wrong number of arguments for 'getbit' command");
  // Offset and bit are checked before the key's type.
  h.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(h.Run({"SETBIT", "l", "x", "1"}), kBadOffset);
  EXPECT_EQ(h.Run({"SETBIT", "l", "0", "2"}), kBadBit);
  EXPECT_EQ(h.Run({"GETBIT", "l", "x"}), kBadOffset);
  EXPECT_EQ(h.Run({"SETBIT", "l", "0", "1"}), kWrongType);
  EXPECT_EQ(h.Run({"GETBIT", "l", "0"}), kWrongType);
}

TEST_F(BitopsFamilyTest, OffsetLimitFollowsProtoMaxBulkLen) {
  Config c;
  c.mutable_values().proto_max_bulk_len = 4;  // bytes, so bits 0..31
  Harness small(std::move(c));
  EXPECT_EQ(small.Run({"SETBIT", "k", "31", "1"}), "(integer) 0");
  EXPECT_EQ(small.Run({"SETBIT", "k", "32", "1"}), kBadOffset);
  EXPECT_EQ(small.Run({"GETBIT", "k", "32"}), kBadOffset);
  EXPECT_EQ(small.Run({"BITFIELD", "k", "GET", "u8", "32"}), kBadOffset);
  EXPECT_EQ(small.Run({"BITFIELD", "k", "GET", "u8", "#4"}), kBadOffset);
  // A field may end past the limit when its first bit is inside (as in Redis).
  EXPECT_EQ(small.Run({"BITFIELD", "k", "SET", "u8", "31", "255"}), Ints("[128]"));
  EXPECT_EQ(small.Run({"STRLEN", "k"}), "(integer) 5");
}

TEST_F(BitopsFamilyTest, IntegerEncodedValuesAreTheirText) {
  h.Run({"SET", "n", "12"});  // "12" = 0x31 0x32
  EXPECT_EQ(Encoding("n"), "int");
  EXPECT_EQ(h.Run({"GETBIT", "n", "2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GETBIT", "n", "4"}), "(integer) 0");
  EXPECT_EQ(h.Run({"BITCOUNT", "n"}), "(integer) 6");
  EXPECT_EQ(h.Run({"BITPOS", "n", "1"}), "(integer) 2");
  EXPECT_EQ(h.Run({"BITFIELD_RO", "n", "GET", "u16", "0"}), Ints("[12594]"));
  EXPECT_EQ(h.Run({"BITOP", "AND", "d", "n", "n"}), "(integer) 2");
  EXPECT_EQ(h.Run({"GET", "d"}), "12");
  EXPECT_EQ(Encoding("n"), "int");                             // reads leave it alone
  EXPECT_EQ(h.Run({"SETBIT", "n", "7", "1"}), "(integer) 1");  // unchanged, but now raw
  EXPECT_EQ(Encoding("n"), "raw");
  EXPECT_EQ(h.Run({"GET", "n"}), "12");
  h.Run({"SET", "e", "hello"});
  EXPECT_EQ(Encoding("e"), "embstr");
  EXPECT_EQ(h.Run({"SETBIT", "e", "0", "0"}), "(integer) 0");
  EXPECT_EQ(Encoding("e"), "raw");
}

TEST_F(BitopsFamilyTest, SetBitKeepsTtl) {
  h.Run({"SET", "k", "abc", "EX", "100"});
  EXPECT_EQ(h.Run({"SETBIT", "k", "100", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 100");
  EXPECT_EQ(h.Run({"BITFIELD", "k", "SET", "u8", "200", "1"}), Ints("[0]"));
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 100");
}

TEST_F(BitopsFamilyTest, GrowthIsAmortised) {
  // Setting ever higher bits must not copy the whole string each time: the buffer grows
  // geometrically, so only a logarithmic number of distinct capacities is ever seen.
  std::set<size_t> caps;
  for (int64_t bit = 0; bit < 8 * 200000; bit += 8 * 97) {
    ASSERT_EQ(h.Run({"SETBIT", "k", std::to_string(bit), "1"}), "(integer) 0");
    caps.insert(Entry("k")->raw()->cap);
  }
  EXPECT_LT(caps.size(), 25u);
  EXPECT_EQ(h.Run({"BITCOUNT", "k"}), "(integer) " + std::to_string((200000 + 96) / 97));
}

// ---------------------------------------------------------------------------------------------
// BITCOUNT

TEST_F(BitopsFamilyTest, BitCount) {
  h.Run({"SET", "k", "foobar"});
  EXPECT_EQ(h.Run({"BITCOUNT", "k"}), "(integer) 26");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "0", "0"}), "(integer) 4");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "1", "1"}), "(integer) 6");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "1", "1", "byte"}), "(integer) 6");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "5", "30", "BIT"}), "(integer) 17");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "-2", "-1"}), "(integer) 7");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "-100", "-1", "bit"}), "(integer) 26");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "100", "200"}), "(integer) 0");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "3", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "0", "-1"}), "(integer) 26");
  EXPECT_EQ(h.Run({"BITCOUNT", "nokey"}), "(integer) 0");
  h.Run({"SET", "empty", ""});
  EXPECT_EQ(h.Run({"BITCOUNT", "empty"}), "(integer) 0");
  EXPECT_EQ(h.Run({"BITCOUNT", "empty", "0", "-1", "BIT"}), "(integer) 0");
}

TEST_F(BitopsFamilyTest, BitCountErrors) {
  h.Run({"SET", "k", "foobar"});
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "0"}), kSyntax);
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "0", "1", "BIT", "x"}), kSyntax);
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "0", "1", "bits"}), kSyntax);
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "a", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "0", "b"}), kNotInt);
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "a", "b", "x"}), kNotInt);  // numbers before the unit
  // An inverted negative range answers 0 before the unit is looked at.
  EXPECT_EQ(h.Run({"BITCOUNT", "k", "-1", "-2", "foo"}), "(integer) 0");
  // A missing key answers 0 whatever the arguments; the type is checked before them.
  EXPECT_EQ(h.Run({"BITCOUNT", "nokey", "a", "b"}), "(integer) 0");
  EXPECT_EQ(h.Run({"BITCOUNT", "nokey", "0"}), "(integer) 0");
  h.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(h.Run({"BITCOUNT", "l", "x"}), kWrongType);
  EXPECT_EQ(h.Run({"BITCOUNT"}), "(error) ERR wrong number of arguments for 'bitcount' command");
}

// ---------------------------------------------------------------------------------------------
// BITPOS

TEST_F(BitopsFamilyTest, BitPos) {
  h.Run({"SET", "ones", "\xff\xff\xff"});
  h.Run({"SET", "mixed", std::string("\x00\xff\xf0", 3)});
  h.Run({"SET", "zeros", std::string(3, '\0')});
  // Looking for 0 without an end: the string counts as followed by zeros.
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0"}), "(integer) 24");
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0", "0"}), "(integer) 24");
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0", "1"}), "(integer) 24");
  // With an explicit end the search stays inside the range.
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0", "0", "-1"}), "(integer) -1");
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0", "0", "-1", "BIT"}), "(integer) -1");
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0", "5", "1"}), "(integer) -1");  // empty range
  EXPECT_EQ(h.Run({"BITPOS", "ones", "0", "5"}), "(integer) -1");
  EXPECT_EQ(h.Run({"BITPOS", "mixed", "1"}), "(integer) 8");
  EXPECT_EQ(h.Run({"BITPOS", "mixed", "1", "2"}), "(integer) 16");
  EXPECT_EQ(h.Run({"BITPOS", "mixed", "1", "2", "-1", "byte"}), "(integer) 16");
  EXPECT_EQ(h.Run({"BITPOS", "mixed", "1", "7", "15", "bit"}), "(integer) 8");
  EXPECT_EQ(h.Run({"BITPOS", "mixed", "0", "8", "15", "bit"}), "(integer) -1");
  EXPECT_EQ(h.Run({"BITPOS", "mixed", "0", "8", "20", "bit"}), "(integer) 20");
  EXPECT_EQ(h.Run({"BITPOS", "mixed", "0", "-4", "-1", "bit"}), "(integer) 20");
  EXPECT_EQ(h.Run({"BITPOS", "zeros", "1"}), "(integer) -1");
  EXPECT_EQ(h.Run({"BITPOS", "zeros", "0", "10"}), "(integer) -1");
  EXPECT_EQ(h.Run({"BITPOS", "zeros", "0", "1"}), "(integer) 8");
  // An absent key is an endless run of zeros.
  EXPECT_EQ(h.Run({"BITPOS", "nokey", "0"}), "(integer) 0");
  EXPECT_EQ(h.Run({"BITPOS", "nokey", "1", "5", "7"}), "(integer) -1");
  h.Run({"SET", "empty", ""});
  EXPECT_EQ(h.Run({"BITPOS", "empty", "0"}), "(integer) -1");
  EXPECT_EQ(h.Run({"BITPOS", "empty", "1"}), "(integer) -1");
}

TEST_F(BitopsFamilyTest, BitPosErrors) {
  h.Run({"SET", "k", "abc"});
  EXPECT_EQ(h.Run({"BITPOS", "k", "2"}), "(error) ERR The bit argument must be 1 or 0.");
  EXPECT_EQ(h.Run({"BITPOS", "k", "-1"}), "(error) ERR The bit argument must be 1 or 0.");
  EXPECT_EQ(h.Run({"BITPOS", "k", "a"}), kNotInt);
  EXPECT_EQ(h.Run({"BITPOS", "k", "0", "a"}), kNotInt);
  EXPECT_EQ(h.Run({"BITPOS", "k", "0", "0", "b"}), kNotInt);
  // The unit is checked before the end.
  EXPECT_EQ(h.Run({"BITPOS", "k", "0", "0", "b", "foo"}), kSyntax);
  EXPECT_EQ(h.Run({"BITPOS", "k", "0", "0", "1", "bit", "x"}), kSyntax);
  // The bit is checked before the key; nothing else is for a missing key.
  EXPECT_EQ(h.Run({"BITPOS", "nokey", "2"}), "(error) ERR The bit argument must be 1 or 0.");
  EXPECT_EQ(h.Run({"BITPOS", "nokey", "0", "a", "b", "c", "d"}), "(integer) 0");
  h.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(h.Run({"BITPOS", "l", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"BITPOS", "l", "1", "x"}), kWrongType);
  EXPECT_EQ(h.Run({"BITPOS", "k"}), "(error) ERR wrong number of arguments for 'bitpos' command");
}

// ---------------------------------------------------------------------------------------------
// BITOP

TEST_F(BitopsFamilyTest, BitOp) {
  h.Run({"SET", "a", "\xf0\x0f"});
  h.Run({"SET", "b", "\xff"});
  EXPECT_EQ(h.Run({"BITOP", "AND", "d", "a", "b"}), "(integer) 2");
  EXPECT_EQ(h.Run({"GET", "d"}), std::string("\xf0\x00", 2));
  EXPECT_EQ(h.Run({"BITOP", "or", "d", "a", "b"}), "(integer) 2");
  EXPECT_EQ(h.Run({"GET", "d"}), "\xff\x0f");
  EXPECT_EQ(h.Run({"BITOP", "Xor", "d", "a", "b", "nokey"}), "(integer) 2");
  EXPECT_EQ(h.Run({"GET", "d"}), "\x0f\x0f");
  EXPECT_EQ(h.Run({"BITOP", "NOT", "d", "a"}), "(integer) 2");
  EXPECT_EQ(h.Run({"GET", "d"}), "\x0f\xf0");
  EXPECT_EQ(Encoding("d"), "raw");  // stored raw even when short, as Redis does
  EXPECT_EQ(h.Run({"BITOP", "AND", "d", "a", "nokey"}), "(integer) 2");
  EXPECT_EQ(h.Run({"GET", "d"}), std::string(2, '\0'));
  // The destination may be a source.
  EXPECT_EQ(h.Run({"BITOP", "NOT", "a", "a"}), "(integer) 2");
  EXPECT_EQ(h.Run({"GET", "a"}), "\x0f\xf0");
}

TEST_F(BitopsFamilyTest, BitOpDestination) {
  h.Run({"SET", "a", "x"});
  // The result replaces any value and drops its TTL.
  h.Run({"RPUSH", "d", "e"});
  h.Run({"EXPIRE", "d", "100"});
  EXPECT_EQ(h.Run({"BITOP", "OR", "d", "a"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TYPE", "d"}), "string");
  EXPECT_EQ(h.Run({"TTL", "d"}), "(integer) -1");
  // An all-empty result deletes the destination.
  h.Run({"SET", "empty", ""});
  EXPECT_EQ(h.Run({"BITOP", "AND", "d", "nokey", "empty"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "d"}), "(integer) 0");
  EXPECT_EQ(h.Run({"BITOP", "NOT", "d", "nokey"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "d"}), "(integer) 0");
}

TEST_F(BitopsFamilyTest, BitOpErrors) {
  h.Run({"SET", "d", "keep"});
  EXPECT_EQ(h.Run({"BITOP", "NAND", "d", "a"}), kSyntax);
  EXPECT_EQ(h.Run({"BITOP", "NOT", "d", "a", "b"}),
            "(error) ERR BITOP NOT must be called with a single source key.");
  EXPECT_EQ(h.Run({"BITOP", "AND", "d"}),
            "(error) ERR wrong number of arguments for 'bitop' command");
  h.Run({"RPUSH", "l", "a"});
  h.Run({"SET", "s", "x"});
  EXPECT_EQ(h.Run({"BITOP", "AND", "d", "s", "l"}), kWrongType);
  EXPECT_EQ(h.Run({"GET", "d"}), "keep");  // nothing written
}

TEST_F(BitopsFamilyTest, BitOpLongValuesWordAtATime) {
  std::string a(10000, '\0'), b(7001, '\0');
  for (size_t i = 0; i < a.size(); i++) a[i] = char(i * 7);
  for (size_t i = 0; i < b.size(); i++) b[i] = char(i * 13 + 1);
  h.Run({"SET", "a", a});
  h.Run({"SET", "b", b});
  EXPECT_EQ(h.Run({"BITOP", "XOR", "d", "a", "b"}), "(integer) 10000");
  std::string want = a;
  for (size_t i = 0; i < b.size(); i++) want[i] = char(a[i] ^ b[i]);
  EXPECT_EQ(h.Run({"GET", "d"}), want);
  EXPECT_EQ(h.Run({"BITOP", "AND", "d", "a", "b"}), "(integer) 10000");
  want = std::string(10000, '\0');
  for (size_t i = 0; i < b.size(); i++) want[i] = char(a[i] & b[i]);
  EXPECT_EQ(h.Run({"GET", "d"}), want);
}

// ---------------------------------------------------------------------------------------------
// BITFIELD / BITFIELD_RO

TEST_F(BitopsFamilyTest, BitFieldBasics) {
  EXPECT_EQ(h.Run({"BITFIELD", "k"}), "[]");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 0");
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8", "0"}), Ints("[0]"));
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 0");
  EXPECT_EQ(h.Run({"BITFIELD", "k", "SET", "u8", "0", "255", "GET", "u8", "0", "GET", "i8", "0"}),
            Ints("[0, 255, -1]"));
  EXPECT_EQ(h.Run({"BITFIELD", "k", "INCRBY", "u2", "100", "1", "GET", "u2", "100"}),
            Ints("[1, 1]"));
  EXPECT_EQ(h.Run({"STRLEN", "k"}), "(integer) 13");
  // Fields cross byte boundaries, big-endian bit order.
  EXPECT_EQ(h.Run({"BITFIELD", "k", "SET", "u5", "7", "23"}), Ints("[16]"));
  EXPECT_EQ(h.Run({"GETRANGE", "k", "0", "1"}), "\xff\x70");
  EXPECT_EQ(h.Run({"BITFIELD", "k", "SET", "i64", "3", "-2", "GET", "i64", "3", "GET", "u63", "4"}),
            Ints("[-324259173170675712, -2, 9223372036854775806]"));
  EXPECT_EQ(Encoding("k"), "raw");
}

TEST_F(BitopsFamilyTest, BitFieldHashOffsets) {
  EXPECT_EQ(h.Run({"BITFIELD", "k", "SET", "u8", "#1", "200", "SET", "i16", "#1", "-1"}),
            Ints("[0, 0]"));
  EXPECT_EQ(h.Run({"STRLEN", "k"}), "(integer) 4");
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8", "#1", "GET", "u8", "8", "GET", "i16", "#1"}),
            Ints("[200, 200, -1]"));
  // The product wraps in 64 bits: #2305843009213693953 u8 is bit 8.
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8", "#2305843009213693953"}), Ints("[200]"));
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8", "#-1"}), kBadOffset);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8", "#"}), kBadOffset);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8", "##1"}), kBadOffset);
  EXPECT_EQ(h.Run({"SETBIT", "k", "#1", "1"}), kBadOffset);  // only BITFIELD knows "#"
}

TEST_F(BitopsFamilyTest, BitFieldOverflow) {
  EXPECT_EQ(h.Run({"BITFIELD", "k",    "SET",    "u8", "0", "250", "INCRBY", "u8", "0", "10",
                   "OVERFLOW", "SAT",  "INCRBY", "u8", "0", "300", "INCRBY", "u8", "0", "-1000",
                   "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "-1",  "INCRBY", "u8", "0", "7",
                   "OVERFLOW", "WRAP", "INCRBY", "u8", "0", "-1"}),
            Ints("[0, 4, 255, 0, (nil), 7, 6]"));
  EXPECT_EQ(
      h.Run({"BITFIELD", "k",        "OVERFLOW", "SAT", "SET", "i8", "0",   "200", "GET", "i8",
             "0",        "OVERFLOW", "WRAP",     "SET", "i8",  "0",  "200", "GET", "i8",  "0"}),
      Ints("[6, 127, 127, -56]"));
  EXPECT_EQ(h.Run({"BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "i8", "0", "128", "GET", "i8", "0"}),
            Ints("[(nil), -56]"));
  // Redis's quirk for very negative SET values of narrow signed fields.
  EXPECT_EQ(h.Run({"BITFIELD", "k", "OVERFLOW", "SAT", "SET", "i8", "0", "-9223372036854775808",
                   "GET", "i8", "0", "SET", "u8", "0", "-1", "GET", "u8", "0"}),
            Ints("[-56, 127, 127, 255]"));
  EXPECT_EQ(h.RunRaw({"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1"}),
            "*1\r\n$-1\r\n");
  h.client().reply().set_resp(3);
  EXPECT_EQ(h.RunRaw({"BITFIELD", "k", "OVERFLOW", "FAIL", "INCRBY", "u8", "0", "1"}),
            "*1\r\n_\r\n");
}

TEST_F(BitopsFamilyTest, BitFieldFailStillCreatesTheKey) {
  // As in Redis the string is sized for the writes before they run, so a refused write leaves
  // a zero-filled key behind.
  EXPECT_EQ(h.Run({"BITFIELD", "k", "OVERFLOW", "FAIL", "SET", "u8", "8", "300"}), Ints("[(nil)]"));
  EXPECT_EQ(h.Run({"GET", "k"}), std::string(2, '\0'));
}

TEST_F(BitopsFamilyTest, BitFieldErrors) {
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET"}), kSyntax);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8"}), kSyntax);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "SET", "u8", "0"}), kSyntax);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "INCRBY", "u8", "0"}), kSyntax);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "OVERFLOW"}), kSyntax);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "FOO"}), kSyntax);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "OVERFLOW", "foo"}),
            "(error) ERR Invalid OVERFLOW type specified");
  for (const char* bad : {"u64", "i65", "u0", "x8", "U8", "u08", "8", ""}) {
    EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", bad, "0"}), kBadType) << bad;
  }
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8", "-1"}), kBadOffset);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "GET", "u8", " 1"}), kBadOffset);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "SET", "u8", "0", "abc"}), kNotInt);
  EXPECT_EQ(h.Run({"BITFIELD", "k", "INCRBY", "u8", "0", "1.5"}), kNotInt);
  // Every subcommand is parsed before anything runs: a later error leaves the value alone.
  EXPECT_EQ(h.Run({"BITFIELD", "k", "SET", "u8", "0", "1", "GET", "u99", "0"}), kBadType);
  EXPECT_EQ(h.Run({"GET", "k"}), "v");
  EXPECT_EQ(h.Run({"BITFIELD"}), "(error) ERR wrong number of arguments for 'bitfield' command");
  h.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(h.Run({"BITFIELD", "l", "GET", "u8", "0"}), kWrongType);
  EXPECT_EQ(h.Run({"BITFIELD", "l", "SET", "u8", "0", "1"}), kWrongType);
  EXPECT_EQ(h.Run({"BITFIELD", "l", "BAD"}), kSyntax);  // arguments before the type
  EXPECT_EQ(h.Run({"BITFIELD_RO", "l", "GET", "u8", "0"}), kWrongType);
}

TEST_F(BitopsFamilyTest, BitFieldRo) {
  h.Run({"SET", "k", "\x80"});
  EXPECT_EQ(h.Run({"BITFIELD_RO", "k", "GET", "i8", "0", "GET", "u1", "0"}), Ints("[-128, 1]"));
  EXPECT_EQ(h.Run({"BITFIELD_RO", "k"}), "[]");
  EXPECT_EQ(h.Run({"BITFIELD_RO", "nokey", "GET", "u8", "0"}), Ints("[0]"));
  EXPECT_EQ(h.Run({"BITFIELD_RO", "k", "SET", "u8", "0", "1"}),
            "(error) ERR BITFIELD_RO only supports the GET subcommand");
  EXPECT_EQ(h.Run({"BITFIELD_RO", "k", "OVERFLOW", "SAT", "INCRBY", "u8", "0", "1"}),
            "(error) ERR BITFIELD_RO only supports the GET subcommand");
  // Parse errors anywhere win over the read-only check.
  EXPECT_EQ(h.Run({"BITFIELD_RO", "k", "SET", "u8", "0", "1", "GET", "u8", "0", "x"}), kSyntax);
  EXPECT_EQ(h.Run({"BITFIELD_RO", "k", "OVERFLOW", "WRAP"}), "[]");
  EXPECT_EQ(h.Run({"GET", "k"}), "\x80");
}

TEST_F(BitopsFamilyTest, CommandInfo) {
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "bitop"}),
            "[[bitop, (integer) -4, [write, denyoom], (integer) 2, (integer) -1, (integer) 1, "
            "[@write, @bitmap, @slow], [], [[flags, [OW, update], begin_search, [type, index, "
            "spec, [index, (integer) 2]], find_keys, [type, range, spec, [lastkey, (integer) 0, "
            "keystep, (integer) 1, limit, (integer) 0]]], [flags, [RO, access], begin_search, "
            "[type, index, spec, [index, (integer) 3]], find_keys, [type, range, spec, "
            "[lastkey, (integer) -1, keystep, (integer) 1, limit, (integer) 0]]]], []]]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "BITOP", "AND", "d", "a", "b"}), "[d, a, b]");
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "getbit"}).substr(0, 80),
            "[[getbit, (integer) 3, [readonly, fast], (integer) 1, (integer) 1, (integer) 1, ");
}

}  // namespace
}  // namespace ember
