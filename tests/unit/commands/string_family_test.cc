// Unit tests for the string family (string_family.cc, string_range.cc) through the in-process
// harness: replies and error texts as Redis 7.2 gives them, stored encodings, TTL handling with
// the manual clock, and WRONGTYPE against a non-string entry.
#include <gtest/gtest.h>

#include <string>

#include "command_harness.h"
#include "core/kv_entry.h"

namespace ember {
namespace {

using testing::Harness;
using testing::kNotInt;
using testing::kSyntax;
using testing::kWrongType;

constexpr int64_t kStart = 1'700'000'000'000;  // ManualClock's default start, in ms

// A fake list entry with a registered no-op destructor, to provoke WRONGTYPE.
void NoOpDestructor(void*) {}

class StringFamilyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    RegisterObjDestructor(ObjType::kList, ObjEncoding::kQuicklist, NoOpDestructor);
  }

  Db& db() { return h.server().keyspace().db(0); }
  // Peeks at an entry without expiring it or counting stats.
  KvEntry* Entry(const std::string& key) { return db().dict().Find(key); }
  ObjEncoding Enc(const std::string& key) { return Entry(key)->encoding(); }
  int64_t ExpireAt(const std::string& key) { return Entry(key)->expire_ms(); }
  void AddList(const std::string& key) {
    db().Add(KvEntry::CreateObj(key, ObjType::kList, ObjEncoding::kQuicklist, nullptr));
  }
  KeyspaceStats& stats() { return h.server().keyspace().stats(); }

  Harness h;
};

// ---------------------------------------------------------------------------------------------
// GET / SET

TEST_F(StringFamilyTest, GetSetBasics) {
  EXPECT_EQ(h.Run({"GET", "k"}), "(nil)");
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "v");
  EXPECT_EQ(h.Run({"SET", "k", ""}), "OK");
  EXPECT_EQ(h.RunRaw({"GET", "k"}), "$0\r\n\r\n");
  std::string bin("a\0b\r\n", 5);
  EXPECT_EQ(h.Run({"SET", "k", bin}), "OK");
  EXPECT_EQ(h.Run({"GET", "k"}), bin);
  EXPECT_EQ(h.Run({"GET"}), "(error) ERR wrong number of arguments for 'get' command");
  AddList("l");
  EXPECT_EQ(h.Run({"GET", "l"}), kWrongType);
  EXPECT_EQ(h.Run({"SET", "l", "x"}), "OK");  // SET overwrites any type
  EXPECT_EQ(h.Run({"GET", "l"}), "x");
}

TEST_F(StringFamilyTest, SetEncodings) {
  h.Run({"SET", "k", "123"});
  EXPECT_EQ(Enc("k"), ObjEncoding::kInt);
  h.Run({"SET", "k", "-9223372036854775808"});
  EXPECT_EQ(Enc("k"), ObjEncoding::kInt);
  h.Run({"SET", "k", "012"});
  EXPECT_EQ(Enc("k"), ObjEncoding::kEmbStr);
  h.Run({"SET", "k", "9223372036854775808"});
  EXPECT_EQ(Enc("k"), ObjEncoding::kEmbStr);
  h.Run({"SET", "k", std::string(44, 'x')});
  EXPECT_EQ(Enc("k"), ObjEncoding::kEmbStr);
  h.Run({"SET", "k", std::string(45, 'x')});
  EXPECT_EQ(Enc("k"), ObjEncoding::kRaw);
  EXPECT_EQ(h.Run({"GET", "k"}), std::string(45, 'x'));
}

TEST_F(StringFamilyTest, SetConditions) {
  EXPECT_EQ(h.Run({"SET", "k", "v", "XX"}), "(nil)");
  EXPECT_EQ(h.Run({"GET", "k"}), "(nil)");
  EXPECT_EQ(h.Run({"SET", "k", "v", "NX"}), "OK");
  EXPECT_EQ(h.Run({"SET", "k", "w", "NX"}), "(nil)");
  EXPECT_EQ(h.Run({"GET", "k"}), "v");
  EXPECT_EQ(h.Run({"SET", "k", "w", "xx"}), "OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "w");
  // Repeating an option is fine; conflicting ones are not.
  EXPECT_EQ(h.Run({"SET", "k", "v", "NX", "NX"}), "(nil)");
  EXPECT_EQ(h.Run({"SET", "k", "v", "NX", "XX"}), kSyntax);
  EXPECT_EQ(h.Run({"SET", "k", "v", "XX", "NX"}), kSyntax);
  EXPECT_EQ(h.Run({"SET", "k", "v", "FOO"}), kSyntax);
}

TEST_F(StringFamilyTest, SetExpiryOptions) {
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "10"}), "OK");
  EXPECT_EQ(ExpireAt("k"), kStart + 10'000);
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "1500"}), "OK");
  EXPECT_EQ(ExpireAt("k"), kStart + 1500);
  EXPECT_EQ(h.Run({"SET", "k", "v", "EXAT", "1800000000"}), "OK");
  EXPECT_EQ(ExpireAt("k"), 1'800'000'000'000);
  EXPECT_EQ(h.Run({"SET", "k", "v", "PXAT", "1800000000123"}), "OK");
  EXPECT_EQ(ExpireAt("k"), 1'800'000'000'123);
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "10", "EX", "20"}), "OK");  // the last one wins
  EXPECT_EQ(ExpireAt("k"), kStart + 20'000);
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "OK");  // plain SET drops the TTL
  EXPECT_EQ(ExpireAt("k"), KvEntry::kNoExpire);
  EXPECT_EQ(db().expires_count(), 0u);
}

TEST_F(StringFamilyTest, SetExpiryErrors) {
  const std::string invalid = "(error) ERR invalid expire time in 'set' command";
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "0"}), invalid);
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "-1"}), invalid);
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "9223372036854775"}), invalid);  // overflows as ms
  EXPECT_EQ(h.Run({"SET", "k", "v", "PX", "9223372036854775807"}), invalid);
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "abc"}), kNotInt);
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "1.5"}), kNotInt);
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX"}), kSyntax);
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "abc", "NX", "XX"}), kSyntax);  // syntax first
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "10", "KEEPTTL"}), kSyntax);
  EXPECT_EQ(h.Run({"SET", "k", "v", "KEEPTTL", "EX", "10"}), kSyntax);
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "10", "PX", "10"}), kSyntax);
  EXPECT_EQ(h.Run({"SET", "k", "v", "PERSIST"}), kSyntax);
  EXPECT_EQ(h.Run({"GET", "k"}), "(nil)");
}

TEST_F(StringFamilyTest, SetKeepTtl) {
  h.Run({"SET", "k", "v", "EX", "100"});
  EXPECT_EQ(h.Run({"SET", "k", "w", "KEEPTTL"}), "OK");
  EXPECT_EQ(ExpireAt("k"), kStart + 100'000);
  EXPECT_EQ(h.Run({"GET", "k"}), "w");
  EXPECT_EQ(h.Run({"SET", "n", "w", "KEEPTTL"}), "OK");  // absent key: no TTL to keep
  EXPECT_EQ(ExpireAt("n"), KvEntry::kNoExpire);
}

TEST_F(StringFamilyTest, SetWithPastTimestampStoresAnAlreadyExpiredKey) {
  // Like Redis 7.0: the key is written, then expired (and counted) by the next access.
  EXPECT_EQ(h.Run({"SET", "k", "v", "PXAT", "1"}), "OK");
  EXPECT_EQ(db().size(), 1u);
  EXPECT_EQ(stats().expired_keys, 0u);
  EXPECT_EQ(h.Run({"GET", "k"}), "(nil)");
  EXPECT_EQ(stats().expired_keys, 1u);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(StringFamilyTest, SetGet) {
  EXPECT_EQ(h.Run({"SET", "k", "v", "GET"}), "(nil)");
  EXPECT_EQ(h.Run({"SET", "k", "w", "GET"}), "v");
  EXPECT_EQ(h.Run({"SET", "k", "x", "GET", "GET"}), "w");
  EXPECT_EQ(h.Run({"SET", "k", "y", "NX", "GET"}), "x");  // blocked, old value still returned
  EXPECT_EQ(h.Run({"GET", "k"}), "x");
  EXPECT_EQ(h.Run({"SET", "n", "y", "XX", "GET"}), "(nil)");
  EXPECT_EQ(h.Run({"GET", "n"}), "(nil)");
  h.Run({"SET", "i", "42"});
  EXPECT_EQ(h.Run({"SET", "i", "43", "GET"}), "42");
  AddList("l");
  EXPECT_EQ(h.Run({"SET", "l", "v", "GET"}), kWrongType);
  EXPECT_EQ(h.Run({"SET", "l", "v", "NX", "GET"}), kWrongType);
  EXPECT_EQ(h.Run({"SET", "l", "v", "EX", "0", "GET"}),
            "(error) ERR invalid expire time in 'set' command");
  EXPECT_EQ(Entry("l")->type(), ObjType::kList);  // untouched
}

TEST_F(StringFamilyTest, SetNxSetExPSetEx) {
  EXPECT_EQ(h.Run({"SETNX", "k", "v"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SETNX", "k", "w"}), "(integer) 0");
  EXPECT_EQ(h.Run({"GET", "k"}), "v");
  EXPECT_EQ(h.Run({"SETEX", "k", "10", "x"}), "OK");
  EXPECT_EQ(ExpireAt("k"), kStart + 10'000);
  EXPECT_EQ(h.Run({"PSETEX", "k", "250", "y"}), "OK");
  EXPECT_EQ(ExpireAt("k"), kStart + 250);
  EXPECT_EQ(h.Run({"GET", "k"}), "y");
  EXPECT_EQ(h.Run({"SETEX", "k", "0", "v"}), "(error) ERR invalid expire time in 'setex' command");
  EXPECT_EQ(h.Run({"PSETEX", "k", "-5", "v"}),
            "(error) ERR invalid expire time in 'psetex' command");
  EXPECT_EQ(h.Run({"SETEX", "k", "x", "v"}), kNotInt);
  EXPECT_EQ(h.Run({"SETEX", "k", "10"}),
            "(error) ERR wrong number of arguments for 'setex' command");
  h.clock().AdvanceMs(251);
  EXPECT_EQ(h.Run({"GET", "k"}), "(nil)");
  EXPECT_EQ(h.Run({"SETNX", "k", "z"}), "(integer) 1");  // expired key counts as absent
}

// ---------------------------------------------------------------------------------------------
// GETEX / GETDEL / GETSET

TEST_F(StringFamilyTest, GetEx) {
  EXPECT_EQ(h.Run({"GETEX", "k"}), "(nil)");
  EXPECT_EQ(h.Run({"GETEX", "k", "EX", "abc"}), "(nil)");  // missing key wins over a bad value
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"GETEX", "k"}), "v");
  EXPECT_EQ(ExpireAt("k"), KvEntry::kNoExpire);
  EXPECT_EQ(h.Run({"GETEX", "k", "EX", "10"}), "v");
  EXPECT_EQ(ExpireAt("k"), kStart + 10'000);
  EXPECT_EQ(h.Run({"GETEX", "k", "PX", "10"}), "v");
  EXPECT_EQ(ExpireAt("k"), kStart + 10);
  EXPECT_EQ(h.Run({"GETEX", "k", "EXAT", "1800000000"}), "v");
  EXPECT_EQ(ExpireAt("k"), 1'800'000'000'000);
  EXPECT_EQ(h.Run({"GETEX", "k", "PERSIST"}), "v");
  EXPECT_EQ(ExpireAt("k"), KvEntry::kNoExpire);
  EXPECT_EQ(db().expires_count(), 0u);
  EXPECT_EQ(h.Run({"GETEX", "k", "EX", "abc"}), kNotInt);
  EXPECT_EQ(h.Run({"GETEX", "k", "EX", "0"}), "(error) ERR invalid expire time in 'getex' command");
  EXPECT_EQ(h.Run({"GETEX", "k", "PERSIST", "EX", "10"}), kSyntax);
  EXPECT_EQ(h.Run({"GETEX", "k", "EX", "10", "PERSIST"}), kSyntax);
  EXPECT_EQ(h.Run({"GETEX", "k", "KEEPTTL"}), kSyntax);
  EXPECT_EQ(h.Run({"GETEX", "k", "NX"}), kSyntax);
  EXPECT_EQ(h.Run({"GETEX", "k", "EX"}), kSyntax);
  AddList("l");
  EXPECT_EQ(h.Run({"GETEX", "l", "EX", "abc"}), kWrongType);
}

TEST_F(StringFamilyTest, GetExPastTimestampDeletesWithoutCountingExpiry) {
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"GETEX", "k", "PXAT", "1"}), "v");
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(stats().expired_keys, 0u);
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"GETEX", "k", "PXAT", std::to_string(kStart)}), "v");  // now counts as past
  EXPECT_EQ(h.Run({"GET", "k"}), "(nil)");
}

TEST_F(StringFamilyTest, GetDel) {
  EXPECT_EQ(h.Run({"GETDEL", "k"}), "(nil)");
  h.Run({"SET", "k", "12"});
  EXPECT_EQ(h.Run({"GETDEL", "k"}), "12");
  EXPECT_EQ(db().size(), 0u);
  AddList("l");
  EXPECT_EQ(h.Run({"GETDEL", "l"}), kWrongType);
  EXPECT_EQ(db().size(), 1u);
}

TEST_F(StringFamilyTest, GetSet) {
  EXPECT_EQ(h.Run({"GETSET", "k", "v"}), "(nil)");
  h.Run({"SET", "k", "v", "EX", "100"});
  EXPECT_EQ(h.Run({"GETSET", "k", "5"}), "v");
  EXPECT_EQ(ExpireAt("k"), KvEntry::kNoExpire);  // GETSET drops the TTL
  EXPECT_EQ(Enc("k"), ObjEncoding::kInt);
  AddList("l");
  EXPECT_EQ(h.Run({"GETSET", "l", "v"}), kWrongType);
}

// ---------------------------------------------------------------------------------------------
// MGET / MSET / MSETNX

TEST_F(StringFamilyTest, MGetMSet) {
  EXPECT_EQ(h.Run({"MSET", "a", "1", "b", "2", "a", "3"}), "OK");
  AddList("l");
  EXPECT_EQ(h.Run({"MGET", "a", "b", "c", "l"}), "[3, 2, (nil), (nil)]");
  EXPECT_EQ(h.Run({"MSET", "a"}), "(error) ERR wrong number of arguments for 'mset' command");
  EXPECT_EQ(h.Run({"MSET", "a", "1", "b"}),
            "(error) ERR wrong number of arguments for 'mset' command");
  h.Run({"SET", "t", "v", "EX", "10"});
  EXPECT_EQ(h.Run({"MSET", "t", "w", "l", "s"}), "OK");  // overwrites other types, drops TTL
  EXPECT_EQ(ExpireAt("t"), KvEntry::kNoExpire);
  EXPECT_EQ(h.Run({"GET", "l"}), "s");
}

TEST_F(StringFamilyTest, MSetNx) {
  EXPECT_EQ(h.Run({"MSETNX", "a", "1", "b", "2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"MSETNX", "c", "3", "b", "9"}), "(integer) 0");
  EXPECT_EQ(h.Run({"MGET", "a", "b", "c"}), "[1, 2, (nil)]");
  EXPECT_EQ(h.Run({"MSETNX", "x", "1", "x", "2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GET", "x"}), "2");
  EXPECT_EQ(h.Run({"MSETNX", "a", "1", "b"}),
            "(error) ERR wrong number of arguments for 'msetnx' command");
}

// ---------------------------------------------------------------------------------------------
// APPEND / STRLEN

TEST_F(StringFamilyTest, AppendEncodingsAndTtl) {
  EXPECT_EQ(h.Run({"APPEND", "a", "123"}), "(integer) 3");
  EXPECT_EQ(Enc("a"), ObjEncoding::kInt);  // a new key is stored as SET would
  EXPECT_EQ(h.Run({"APPEND", "b", "abc"}), "(integer) 3");
  EXPECT_EQ(Enc("b"), ObjEncoding::kEmbStr);
  EXPECT_EQ(h.Run({"APPEND", "a", ""}), "(integer) 3");
  EXPECT_EQ(Enc("a"), ObjEncoding::kRaw);  // any append on an existing key makes it raw
  EXPECT_EQ(h.Run({"APPEND", "a", "45"}), "(integer) 5");
  EXPECT_EQ(h.Run({"GET", "a"}), "12345");
  h.Run({"SET", "b", "abc", "EX", "100"});
  EXPECT_EQ(h.Run({"APPEND", "b", "def"}), "(integer) 6");
  EXPECT_EQ(ExpireAt("b"), kStart + 100'000);  // APPEND keeps the TTL
  EXPECT_EQ(h.Run({"GET", "b"}), "abcdef");
  AddList("l");
  EXPECT_EQ(h.Run({"APPEND", "l", "x"}), kWrongType);
}

TEST_F(StringFamilyTest, AppendManyTimesGrowsInPlace) {
  std::string expect;
  for (int i = 0; i < 2000; i++) {
    std::string piece = std::to_string(i) + ",";
    expect += piece;
    EXPECT_EQ(h.Run({"APPEND", "k", piece}), "(integer) " + std::to_string(expect.size()));
  }
  EXPECT_EQ(h.Run({"GET", "k"}), expect);
  EXPECT_EQ(Enc("k"), ObjEncoding::kRaw);
  EXPECT_GE(Entry("k")->raw()->cap, expect.size());
}

TEST_F(StringFamilyTest, AppendLimit) {
  Config c;
  c.mutable_values().proto_max_bulk_len = 10;
  Harness small(std::move(c));
  EXPECT_EQ(small.Run({"APPEND", "k", "12345"}), "(integer) 5");
  EXPECT_EQ(small.Run({"APPEND", "k", "67890"}), "(integer) 10");
  EXPECT_EQ(small.Run({"APPEND", "k", "x"}),
            "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(small.Run({"SETRANGE", "k", "10", "x"}),
            "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(small.Run({"SETRANGE", "k", "9", "x"}), "(integer) 10");
}

TEST_F(StringFamilyTest, StrLen) {
  EXPECT_EQ(h.Run({"STRLEN", "k"}), "(integer) 0");
  h.Run({"SET", "k", "-123"});
  EXPECT_EQ(h.Run({"STRLEN", "k"}), "(integer) 4");
  h.Run({"SET", "k", std::string(100, 'z')});
  EXPECT_EQ(h.Run({"STRLEN", "k"}), "(integer) 100");
  AddList("l");
  EXPECT_EQ(h.Run({"STRLEN", "l"}), kWrongType);
}

// ---------------------------------------------------------------------------------------------
// INCR family

TEST_F(StringFamilyTest, IncrDecr) {
  EXPECT_EQ(h.Run({"INCR", "n"}), "(integer) 1");
  EXPECT_EQ(Enc("n"), ObjEncoding::kInt);
  KvEntry* before = Entry("n");
  EXPECT_EQ(h.Run({"INCR", "n"}), "(integer) 2");
  EXPECT_EQ(Entry("n"), before);  // updated in place
  EXPECT_EQ(h.Run({"INCRBY", "n", "10"}), "(integer) 12");
  EXPECT_EQ(h.Run({"DECR", "n"}), "(integer) 11");
  EXPECT_EQ(h.Run({"DECRBY", "n", "20"}), "(integer) -9");
  EXPECT_EQ(h.Run({"INCRBY", "n", "-1"}), "(integer) -10");
  EXPECT_EQ(h.Run({"GET", "n"}), "-10");
  EXPECT_EQ(h.Run({"DECRBY", "m", "5"}), "(integer) -5");
}

TEST_F(StringFamilyTest, IncrErrors) {
  h.Run({"SET", "s", "abc"});
  EXPECT_EQ(h.Run({"INCR", "s"}), kNotInt);
  h.Run({"SET", "s", "012"});
  EXPECT_EQ(h.Run({"INCR", "s"}), kNotInt);
  h.Run({"SET", "s", " 1"});
  EXPECT_EQ(h.Run({"INCR", "s"}), kNotInt);
  h.Run({"SET", "s", "1.5"});
  EXPECT_EQ(h.Run({"INCRBY", "s", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"INCRBY", "n", "1.5"}), kNotInt);
  EXPECT_EQ(h.Run({"INCRBY", "n", "abc"}), kNotInt);
  h.Run({"SET", "n", "9223372036854775807"});
  EXPECT_EQ(h.Run({"INCR", "n"}), "(error) ERR increment or decrement would overflow");
  h.Run({"SET", "n", "-9223372036854775808"});
  EXPECT_EQ(h.Run({"DECR", "n"}), "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(h.Run({"DECRBY", "z", "-9223372036854775808"}), "(error) ERR decrement would overflow");
  EXPECT_EQ(h.Run({"INCRBY", "z", "-9223372036854775808"}), "(integer) -9223372036854775808");
  AddList("l");
  EXPECT_EQ(h.Run({"INCR", "l"}), kWrongType);
  EXPECT_EQ(h.Run({"INCRBY", "l", "x"}), kNotInt);  // the argument is checked first
}

TEST_F(StringFamilyTest, IncrOnStringValuesAndTtl) {
  h.Run({"APPEND", "r", "1"});
  h.Run({"APPEND", "r", "0"});
  EXPECT_EQ(Enc("r"), ObjEncoding::kRaw);
  EXPECT_EQ(h.Run({"INCR", "r"}), "(integer) 11");
  EXPECT_EQ(Enc("r"), ObjEncoding::kInt);
  h.Run({"SET", "t", "5", "EX", "100"});
  EXPECT_EQ(h.Run({"INCR", "t"}), "(integer) 6");
  EXPECT_EQ(ExpireAt("t"), kStart + 100'000);
  h.Run({"SET", "t", "5", "EX", "100"});
  h.Run({"APPEND", "t", "0"});
  EXPECT_EQ(h.Run({"INCRBY", "t", "5"}), "(integer) 55");
  EXPECT_EQ(ExpireAt("t"), kStart + 100'000);
  h.clock().AdvanceMs(100'001);
  EXPECT_EQ(h.Run({"INCR", "t"}), "(integer) 1");  // expired: starts over without a TTL
  EXPECT_EQ(ExpireAt("t"), KvEntry::kNoExpire);
}

TEST_F(StringFamilyTest, IncrByFloat) {
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "1"}), "1");
  EXPECT_EQ(Enc("f"), ObjEncoding::kEmbStr);  // stored as text, like Redis
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "0.1"}), "1.1");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "-1.1"}), "0");
  h.Run({"SET", "f", "10.50"});
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "0.1"}), "10.6");
  h.Run({"SET", "f", "1.5e3"});
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "1"}), "1501");
  h.Run({"SET", "f", "5"});
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "2.5e-1"}), "5.25");
  EXPECT_EQ(h.Run({"GET", "f"}), "5.25");
  std::string big = h.Run({"INCRBYFLOAT", "g", "1e300"});
  EXPECT_EQ(big.size(), 301u);
  EXPECT_EQ(Enc("g"), ObjEncoding::kRaw);
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "abc"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "f", "inf"}),
            "(error) ERR increment would produce NaN or Infinity");
  h.Run({"SET", "s", "abc"});
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "s", "1"}), "(error) ERR value is not a valid float");
  h.Run({"SET", "t", "1", "PX", "5000"});
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "t", "1.5"}), "2.5");
  EXPECT_EQ(ExpireAt("t"), kStart + 5000);
  AddList("l");
  EXPECT_EQ(h.Run({"INCRBYFLOAT", "l", "x"}), kWrongType);
}

// ---------------------------------------------------------------------------------------------
// GETRANGE / SUBSTR / SETRANGE

TEST_F(StringFamilyTest, GetRange) {
  h.Run({"SET", "k", "Hello World"});
  EXPECT_EQ(h.Run({"GETRANGE", "k", "0", "4"}), "Hello");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "-5", "-1"}), "World");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "0", "-1"}), "Hello World");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "0", "100"}), "Hello World");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "-100", "2"}), "Hel");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "5", "3"}), "");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "-1", "-5"}), "");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "20", "30"}), "");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "-100", "-50"}), "H");
  EXPECT_EQ(h.Run({"SUBSTR", "k", "6", "-1"}), "World");
  EXPECT_EQ(h.RunRaw({"GETRANGE", "nokey", "0", "-1"}), "$0\r\n\r\n");
  h.Run({"SET", "i", "12345"});
  EXPECT_EQ(h.Run({"GETRANGE", "i", "1", "2"}), "23");
  h.Run({"SET", "e", ""});
  EXPECT_EQ(h.Run({"GETRANGE", "e", "0", "-1"}), "");
  EXPECT_EQ(h.Run({"GETRANGE", "k", "a", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"GETRANGE", "k", "-9223372036854775808", "9223372036854775807"}), "Hello World");
  AddList("l");
  EXPECT_EQ(h.Run({"GETRANGE", "l", "0", "1"}), kWrongType);
  EXPECT_EQ(h.Run({"GETRANGE", "l", "x", "1"}), kNotInt);
}

TEST_F(StringFamilyTest, SetRange) {
  EXPECT_EQ(h.Run({"SETRANGE", "k", "0", ""}), "(integer) 0");
  EXPECT_EQ(db().size(), 0u);  // nothing written, no key created
  EXPECT_EQ(h.Run({"SETRANGE", "k", "3", "ab"}), "(integer) 5");
  EXPECT_EQ(h.Run({"GET", "k"}), std::string("\0\0\0ab", 5));
  EXPECT_EQ(Enc("k"), ObjEncoding::kRaw);
  h.Run({"SET", "k", "Hello World"});
  EXPECT_EQ(h.Run({"SETRANGE", "k", "6", "Redis"}), "(integer) 11");
  EXPECT_EQ(h.Run({"GET", "k"}), "Hello Redis");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "20", "!"}), "(integer) 21");
  EXPECT_EQ(h.Run({"GET", "k"}), std::string("Hello Redis\0\0\0\0\0\0\0\0\0!", 21));
  h.Run({"SET", "i", "12345", "EX", "10"});
  EXPECT_EQ(h.Run({"SETRANGE", "i", "0", ""}), "(integer) 5");
  EXPECT_EQ(Enc("i"), ObjEncoding::kInt);  // an empty write changes nothing
  EXPECT_EQ(h.Run({"SETRANGE", "i", "1", "9"}), "(integer) 5");
  EXPECT_EQ(h.Run({"GET", "i"}), "19345");
  EXPECT_EQ(Enc("i"), ObjEncoding::kRaw);
  EXPECT_EQ(ExpireAt("i"), kStart + 10'000);  // SETRANGE keeps the TTL
  EXPECT_EQ(h.Run({"SETRANGE", "k", "-1", "x"}), "(error) ERR offset is out of range");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "x", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"SETRANGE", "k", "536870911", "xx"}),
            "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(h.Run({"SETRANGE", "k", "9223372036854775807", "xx"}),
            "(error) ERR string exceeds maximum allowed size (proto-max-bulk-len)");
  EXPECT_EQ(h.Run({"SETRANGE", "n", "536870911", ""}), "(integer) 0");
  AddList("l");
  EXPECT_EQ(h.Run({"SETRANGE", "l", "0", "x"}), kWrongType);
  EXPECT_EQ(h.Run({"SETRANGE", "l", "0", ""}), kWrongType);
}

// ---------------------------------------------------------------------------------------------
// LCS

TEST_F(StringFamilyTest, Lcs) {
  const std::string kAllMatches =
      "[matches, [[[(integer) 4, (integer) 7], [(integer) 5, (integer) 8]], [[(integer) 2, "
      "(integer) 3], [(integer) 0, (integer) 1]]], len, (integer) 6]";
  h.Run({"MSET", "key1", "ohmytext", "key2", "mynewtext"});
  EXPECT_EQ(h.Run({"LCS", "key1", "key2"}), "mytext");
  EXPECT_EQ(h.Run({"LCS", "key1", "key2", "LEN"}), "(integer) 6");
  EXPECT_EQ(h.Run({"LCS", "key1", "key2", "IDX"}), kAllMatches);
  EXPECT_EQ(
      h.Run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"}),
      "[matches, [[[(integer) 4, (integer) 7], [(integer) 5, (integer) 8]]], len, (integer) 6]");
  EXPECT_EQ(h.Run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4", "WITHMATCHLEN"}),
            "[matches, [[[(integer) 4, (integer) 7], [(integer) 5, (integer) 8], (integer) 4]], "
            "len, (integer) 6]");
  EXPECT_EQ(h.Run({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "-3"}), kAllMatches);
  EXPECT_EQ(h.Run({"LCS", "key1", "nokey"}), "");
  EXPECT_EQ(h.Run({"LCS", "nokey", "nokey", "IDX"}), "[matches, [], len, (integer) 0]");
  h.Run({"SET", "n1", "12345"});
  h.Run({"SET", "n2", "2x4"});
  EXPECT_EQ(h.Run({"LCS", "n1", "n2"}), "24");
  EXPECT_EQ(h.RunRaw({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"}),
            "*4\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            "$3\r\nlen\r\n:6\r\n");
  h.client().reply().set_resp(3);
  EXPECT_EQ(h.RunRaw({"LCS", "key1", "key2", "IDX", "MINMATCHLEN", "4"}),
            "%2\r\n$7\r\nmatches\r\n*1\r\n*2\r\n*2\r\n:4\r\n:7\r\n*2\r\n:5\r\n:8\r\n"
            "$3\r\nlen\r\n:6\r\n");
}

TEST_F(StringFamilyTest, LcsErrors) {
  h.Run({"MSET", "a", "abc", "b", "abd"});
  EXPECT_EQ(h.Run({"LCS", "a", "b", "IDX", "LEN"}),
            "(error) ERR If you want both the length and indexes, please just use IDX.");
  EXPECT_EQ(h.Run({"LCS", "a", "b", "MINMATCHLEN"}), kSyntax);
  EXPECT_EQ(h.Run({"LCS", "a", "b", "MINMATCHLEN", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"LCS", "a", "b", "FOO"}), kSyntax);
  EXPECT_EQ(h.Run({"LCS", "a"}), "(error) ERR wrong number of arguments for 'lcs' command");
  AddList("l");
  EXPECT_EQ(h.Run({"LCS", "a", "l", "FOO"}),
            "(error) ERR The specified keys must contain string values");
  Config c;
  c.mutable_values().proto_max_bulk_len = 100;
  Harness small(std::move(c));
  small.Run({"MSET", "a", std::string(10, 'a'), "b", std::string(10, 'a')});
  EXPECT_EQ(small.Run({"LCS", "a", "b"}),
            "(error) ERR Insufficient memory, transient memory for LCS exceeds "
            "proto-max-bulk-len");
}

// ---------------------------------------------------------------------------------------------
// Keyspace statistics follow Redis's read/write lookups.

TEST_F(StringFamilyTest, HitsAndMisses) {
  h.Run({"SET", "k", "v"});
  h.Run({"INCR", "n"});
  h.Run({"APPEND", "k", "x"});
  EXPECT_EQ(stats().keyspace_hits, 0u);
  EXPECT_EQ(stats().keyspace_misses, 0u);
  h.Run({"GET", "k"});
  h.Run({"MGET", "k", "nokey"});
  h.Run({"SET", "k", "v", "GET"});
  h.Run({"STRLEN", "nokey"});
  EXPECT_EQ(stats().keyspace_hits, 3u);
  EXPECT_EQ(stats().keyspace_misses, 2u);
}

}  // namespace
}  // namespace ember
