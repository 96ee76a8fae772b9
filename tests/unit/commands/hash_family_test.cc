// Unit tests for the hash family (hash_family.cc) through the in-process harness: replies and
// error texts as Redis 7.2 gives them, encodings at the listpack thresholds, TTL kept across
// writes and conversion, empty hashes deleting their key, RESP3 shapes, HRANDFIELD and HSCAN,
// and that hashes without field TTLs pay nothing for the feature.
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

class HashFamilyTest : public ::testing::Test {
 protected:
  Db& db() { return h.server().keyspace().db(0); }
  KvEntry* Entry(const std::string& key) { return db().dict().Find(key); }
  std::string Encoding(const std::string& key) { return h.Run({"OBJECT", "ENCODING", key}); }

  Harness h;
};

TEST_F(HashFamilyTest, SetGetBasics) {
  EXPECT_EQ(h.Run({"HSET", "h", "a", "1", "b", "2"}), "(integer) 2");
  EXPECT_EQ(h.Run({"HSET", "h", "a", "x", "c", "3"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HGET", "h", "a"}), "x");
  EXPECT_EQ(h.Run({"HGET", "h", "zz"}), "(nil)");
  EXPECT_EQ(h.Run({"HGET", "nokey", "a"}), "(nil)");
  EXPECT_EQ(h.Run({"HMGET", "h", "a", "zz", "b"}), "[x, (nil), 2]");
  EXPECT_EQ(h.Run({"HMGET", "nokey", "a"}), "[(nil)]");
  EXPECT_EQ(h.Run({"HGETALL", "h"}), "[a, x, b, 2, c, 3]");  // insertion order
  EXPECT_EQ(h.Run({"HKEYS", "h"}), "[a, b, c]");
  EXPECT_EQ(h.Run({"HVALS", "h"}), "[x, 2, 3]");
  EXPECT_EQ(h.Run({"HGETALL", "nokey"}), "[]");
  EXPECT_EQ(h.Run({"HLEN", "h"}), "(integer) 3");
  EXPECT_EQ(h.Run({"HLEN", "nokey"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HSTRLEN", "h", "a"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HSTRLEN", "h", "zz"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HEXISTS", "h", "b"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HEXISTS", "h", "zz"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HMSET", "h", "d", "4"}), "OK");
  EXPECT_EQ(h.Run({"HSETNX", "h", "d", "5"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HSETNX", "h", "e", "5"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HSETNX", "new", "f", "v"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HGET", "h", "e"}), "5");
  EXPECT_EQ(h.Run({"TYPE", "h"}), "hash");
  EXPECT_EQ(Encoding("h"), "listpack");
}

TEST_F(HashFamilyTest, ArityAndWrongType) {
  EXPECT_EQ(h.Run({"HSET", "h", "a"}), "(error) ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(h.Run({"HSET", "h", "a", "1", "b"}),
            "(error) ERR wrong number of arguments for 'hset' command");
  EXPECT_EQ(h.Run({"HMSET", "h", "a", "1", "b"}),
            "(error) ERR wrong number of arguments for 'hmset' command");
  EXPECT_EQ(h.Run({"HGET", "h"}), "(error) ERR wrong number of arguments for 'hget' command");
  EXPECT_EQ(h.Run({"EXISTS", "h"}), "(integer) 0");
  h.Run({"SET", "s", "v"});
  for (auto cmd : std::vector<std::vector<std::string>>{{"HSET", "s", "a", "1"},
                                                        {"HSETNX", "s", "a", "1"},
                                                        {"HGET", "s", "a"},
                                                        {"HMGET", "s", "a"},
                                                        {"HMSET", "s", "a", "1"},
                                                        {"HGETALL", "s"},
                                                        {"HDEL", "s", "a"},
                                                        {"HLEN", "s"},
                                                        {"HSTRLEN", "s", "a"},
                                                        {"HEXISTS", "s", "a"},
                                                        {"HKEYS", "s"},
                                                        {"HVALS", "s"},
                                                        {"HINCRBY", "s", "a", "1"},
                                                        {"HINCRBYFLOAT", "s", "a", "1"},
                                                        {"HRANDFIELD", "s"},
                                                        {"HSCAN", "s", "0"}}) {
    EXPECT_EQ(h.Run(cmd), kWrongType) << cmd[0];
  }
  EXPECT_EQ(h.Run({"GET", "s"}), "v");
}

TEST_F(HashFamilyTest, DeleteRemovesEmptyKey) {
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  h.Run({"EXPIRE", "h", "100"});
  EXPECT_EQ(h.Run({"HDEL", "h", "a", "zz", "a"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TTL", "h"}), "(integer) 100");
  EXPECT_EQ(h.Run({"HDEL", "h", "b"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "h"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HDEL", "h", "b"}), "(integer) 0");
}

TEST_F(HashFamilyTest, IncrBy) {
  EXPECT_EQ(h.Run({"HINCRBY", "h", "n", "5"}), "(integer) 5");
  EXPECT_EQ(h.Run({"HINCRBY", "h", "n", "-7"}), "(integer) -2");
  EXPECT_EQ(h.Run({"HGET", "h", "n"}), "-2");
  EXPECT_EQ(h.Run({"HINCRBY", "h", "n", "x"}), kNotInt);
  h.Run({"HSET", "h", "s", "abc", "big", "9223372036854775807", "sp", " 1"});
  EXPECT_EQ(h.Run({"HINCRBY", "h", "s", "1"}), "(error) ERR hash value is not an integer");
  EXPECT_EQ(h.Run({"HINCRBY", "h", "sp", "1"}), "(error) ERR hash value is not an integer");
  EXPECT_EQ(h.Run({"HINCRBY", "h", "big", "1"}),
            "(error) ERR increment or decrement would overflow");
  EXPECT_EQ(h.Run({"HINCRBY", "h", "big", "-1"}), "(integer) 9223372036854775806");
  EXPECT_EQ(h.Run({"HINCRBY", "nokey", "n", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"EXISTS", "nokey"}), "(integer) 0");
}

TEST_F(HashFamilyTest, IncrByFloat) {
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "f", "1.5"}), "1.5");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "f", "0.1"}), "1.6");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "f", "-1.6"}), "0");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "f", "1e3"}), "1000");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "f", "0x10"}), "1016");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "f", "abc"}), "(error) ERR value is not a valid float");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "f", "inf"}), "(error) ERR value is NaN or Infinity");
  h.Run({"HSET", "h", "s", "abc"});
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "s", "1"}), "(error) ERR hash value is not a float");
  h.Run({"HSET", "h", "m", "1e308"});
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "m", "1e308"}).substr(0, 3), "199");
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "nokey", "f", "inf"}), "(error) ERR value is NaN or Infinity");
  EXPECT_EQ(h.Run({"EXISTS", "nokey"}), "(integer) 0");
}

TEST_F(HashFamilyTest, EncodingThresholdsKeepTtl) {
  h.Run({"CONFIG", "SET", "hash-max-listpack-entries", "4"});
  h.Run({"CONFIG", "SET", "hash-max-listpack-value", "8"});
  h.Run({"HSET", "h", "f1", "1", "f2", "2", "f3", "3", "f4", "4"});
  h.Run({"EXPIRE", "h", "100"});
  EXPECT_EQ(Encoding("h"), "listpack");
  EXPECT_EQ(h.Run({"HSET", "h", "f5", "5"}), "(integer) 1");
  EXPECT_EQ(Encoding("h"), "hashtable");
  EXPECT_EQ(h.Run({"TTL", "h"}), "(integer) 100");
  EXPECT_EQ(h.Run({"HLEN", "h"}), "(integer) 5");
  EXPECT_EQ(h.Run({"HDEL", "h", "f1", "f2", "f3", "f4"}), "(integer) 4");
  EXPECT_EQ(Encoding("h"), "hashtable");  // no conversion back, as Redis
  h.Run({"HSET", "v", "f", "12345678"});
  EXPECT_EQ(Encoding("v"), "listpack");
  h.Run({"HSET", "v", "f", "123456789"});
  EXPECT_EQ(Encoding("v"), "hashtable");
  h.Run({"HSET", "w", "longfield", "1"});
  EXPECT_EQ(Encoding("w"), "hashtable");
  h.Run({"HINCRBYFLOAT", "x", "f", "0.1234567"});
  EXPECT_EQ(Encoding("x"), "hashtable");
  EXPECT_EQ(h.Run({"HGET", "x", "f"}), "0.1234567");
}

TEST_F(HashFamilyTest, Resp3Shapes) {
  h.Run({"HELLO", "3"});
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  EXPECT_EQ(h.RunRaw({"HGETALL", "h"}), "%2\r\n$1\r\na\r\n$1\r\n1\r\n$1\r\nb\r\n$1\r\n2\r\n");
  EXPECT_EQ(h.RunRaw({"HGETALL", "nokey"}), "%0\r\n");
  std::string r = h.RunRaw({"HRANDFIELD", "h", "5", "WITHVALUES"});
  EXPECT_EQ(r.substr(0, 8), "*2\r\n*2\r\n");
  EXPECT_EQ(h.RunRaw({"HGET", "h", "zz"}), "_\r\n");
}

TEST_F(HashFamilyTest, RandField) {
  EXPECT_EQ(h.Run({"HRANDFIELD", "nokey"}), "(nil)");
  EXPECT_EQ(h.Run({"HRANDFIELD", "nokey", "3"}), "[]");
  h.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  std::string one = h.Run({"HRANDFIELD", "h"});
  EXPECT_TRUE(one == "a" || one == "b" || one == "c");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "0"}), "[]");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "5"}), "[a, b, c]");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "5", "WITHVALUES"}), "[a, 1, b, 2, c, 3]");
  std::string two = h.Run({"HRANDFIELD", "h", "2"});
  EXPECT_EQ(std::count(two.begin(), two.end(), ','), 1);
  std::string neg = h.Run({"HRANDFIELD", "h", "-7"});
  EXPECT_EQ(std::count(neg.begin(), neg.end(), ','), 6);
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "1", "foo"}), kSyntax);
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "1", "WITHVALUES", "x"}), kSyntax);
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "x", "1", "2"}), kNotInt);  // count checked first
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "-9223372036854775808"}),
            "(error) ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  h.Run({"SET", "s", "v"});
  EXPECT_EQ(h.Run({"HRANDFIELD", "s", "1", "foo"}), kSyntax);  // before the type check
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "-9223372036854775807", "WITHVALUES"}),
            "(error) ERR value is out of range");
  // Distinct sampling on a hashtable.
  for (int i = 0; i < 1000; i++) h.Run({"HSET", "big", "f" + std::to_string(i), "v"});
  std::string s = h.Run({"HRANDFIELD", "big", "100"});
  std::set<std::string> fields;
  size_t pos = 1;
  while (pos < s.size()) {
    size_t end = s.find_first_of(",]", pos);
    fields.insert(s.substr(pos, end - pos));
    pos = end + 2;
  }
  EXPECT_EQ(fields.size(), 100u);
}

TEST_F(HashFamilyTest, Scan) {
  h.Run({"HSET", "h", "a", "1", "b", "2", "ab", "3"});
  EXPECT_EQ(h.Run({"HSCAN", "h", "0"}), "[0, [a, 1, b, 2, ab, 3]]");
  EXPECT_EQ(h.Run({"HSCAN", "h", "0", "MATCH", "a*"}), "[0, [a, 1, ab, 3]]");
  EXPECT_EQ(h.Run({"HSCAN", "h", "0", "NOVALUES"}), "[0, [a, b, ab]]");
  EXPECT_EQ(h.Run({"HSCAN", "nokey", "0"}), "[0, []]");
  EXPECT_EQ(h.Run({"HSCAN", "h", "abc"}), "(error) ERR invalid cursor");
  EXPECT_EQ(h.Run({"HSCAN", "h", "0", "COUNT", "0"}), kSyntax);
  EXPECT_EQ(h.Run({"HSCAN", "h", "0", "COUNT", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"HSCAN", "h", "0", "COUNT"}), kSyntax);
  EXPECT_EQ(h.Run({"HSCAN", "h", "0", "FOO", "1"}), kSyntax);
  // Hashtable: a real cursor that returns every field.
  for (int i = 0; i < 1000; i++) h.Run({"HSET", "big", "f" + std::to_string(i), "v"});
  EXPECT_EQ(Encoding("big"), "hashtable");
  std::set<std::string> seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::string raw = h.RunRaw({"HSCAN", "big", cursor, "COUNT", "50", "NOVALUES"});
    size_t p = raw.find("\r\n", 4);  // "*2\r\n$<n>\r\n<cursor>\r\n*<m>\r\n..."
    size_t cstart = p + 2;
    size_t cend = raw.find("\r\n", cstart);
    cursor = raw.substr(cstart, cend - cstart);
    size_t q = raw.find("\r\n", cend + 2) + 2;
    while (q < raw.size()) {
      size_t l = raw.find("\r\n", q);
      size_t vstart = l + 2;
      size_t vend = raw.find("\r\n", vstart);
      seen.insert(raw.substr(vstart, vend - vstart));
      q = vend + 2;
    }
    calls++;
  } while (cursor != "0");
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GT(calls, 1);
}

TEST_F(HashFamilyTest, CopyAndMemoryUsage) {
  h.Run({"HSET", "h", "a", "1"});
  for (int i = 0; i < 600; i++) h.Run({"HSET", "big", "f" + std::to_string(i), "v"});
  EXPECT_EQ(h.Run({"COPY", "h", "h2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"COPY", "big", "big2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HGETALL", "h2"}), "[a, 1]");
  EXPECT_EQ(h.Run({"HLEN", "big2"}), "(integer) 600");
  EXPECT_EQ(h.Run({"HSET", "big2", "f0", "changed"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HGET", "big", "f0"}), "v");
  EXPECT_GT(Entry("big")->MemoryUsage(), 600u * 16);
  EXPECT_EQ(h.Run({"RENAME", "big", "big3"}), "OK");
  EXPECT_EQ(h.Run({"HGET", "big3", "f599"}), "v");
}

// Field TTLs (hash_ttl_family_test.cc covers their commands) cost plain hashes nothing: no
// listpackex, no entry in the per-db index, the same bytes per field.
TEST_F(HashFamilyTest, PlainHashesPayNothingForFieldTtls) {
  for (int i = 0; i < 10; i++) h.Run({"HSET", "h", "f" + std::to_string(i), "v"});
  for (int i = 0; i < 600; i++) h.Run({"HSET", "big", "f" + std::to_string(i), "v"});
  h.Run({"HINCRBY", "h", "n", "1"});
  h.Run({"HDEL", "h", "f0"});
  EXPECT_EQ(Encoding("h"), "listpack");
  EXPECT_EQ(Encoding("big"), "hashtable");
  EXPECT_EQ(db().field_expiry_keys(), 0u);
  size_t small = Entry("h")->MemoryUsage(), big = Entry("big")->MemoryUsage();
  h.Run({"HPERSIST", "h", "FIELDS", "1", "f1"});  // nothing to persist: nothing changes
  h.Run({"HPERSIST", "big", "FIELDS", "1", "f1"});
  EXPECT_EQ(Encoding("h"), "listpack");
  EXPECT_EQ(Entry("h")->MemoryUsage(), small);
  EXPECT_EQ(Entry("big")->MemoryUsage(), big);
  // The HSET family writes fields without TTL, so they never create an index entry either.
  h.Run({"HEXPIRE", "h", "100", "FIELDS", "1", "f1"});
  h.Run({"HSET", "h", "f1", "w"});
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "1", "f1"}), "[(integer) -1]");
}

}  // namespace
}  // namespace ember
