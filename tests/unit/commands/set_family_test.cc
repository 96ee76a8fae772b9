// Unit tests for the set family through the in-process harness: every command's replies,
// errors and WRONGTYPE, encodings at Redis's thresholds, key deletion when a set empties.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "../command_harness.h"

namespace ember {
namespace {

using testing::Harness;
using testing::kWrongType;

// The members of a rendered array "[a, b]" as a sorted set (order is unspecified).
std::set<std::string> Parse(const std::string& rendered) {
  std::set<std::string> out;
  std::string s = rendered.substr(1, rendered.size() - 2);
  size_t pos = 0;
  while (!s.empty() && pos <= s.size()) {
    size_t comma = s.find(", ", pos);
    if (comma == std::string::npos) comma = s.size();
    out.insert(s.substr(pos, comma - pos));
    pos = comma + 2;
  }
  return out;
}

using Members = std::set<std::string>;

TEST(SetFamilyTest, AddRemCardMembers) {
  Harness h;
  EXPECT_EQ(h.Run({"SADD", "s", "1", "2", "2", "3"}), "(integer) 3");
  EXPECT_EQ(h.Run({"SADD", "s", "3", "4"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SCARD", "s"}), "(integer) 4");
  EXPECT_EQ(Parse(h.Run({"SMEMBERS", "s"})), (Members{"1", "2", "3", "4"}));
  EXPECT_EQ(h.Run({"SREM", "s", "1", "9"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SISMEMBER", "s", "2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SISMEMBER", "s", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SMISMEMBER", "s", "1", "2", "x"}), "[(integer) 0, (integer) 1, (integer) 0]");
  EXPECT_EQ(h.Run({"SMISMEMBER", "nokey", "1"}), "[(integer) 0]");
  EXPECT_EQ(h.Run({"SREM", "s", "2", "3", "4"}), "(integer) 3");
  EXPECT_EQ(h.Run({"EXISTS", "s"}), "(integer) 0");  // empty set deleted
  EXPECT_EQ(h.Run({"SREM", "s", "2"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SCARD", "s"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SMEMBERS", "s"}), "[]");
  EXPECT_EQ(h.Run({"SADD", "s"}), "(error) ERR wrong number of arguments for 'sadd' command");
}

TEST(SetFamilyTest, Resp3SetReply) {
  Harness h;
  h.Run({"SADD", "s", "a"});
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"SMEMBERS", "s"}), "~1\r\n$1\r\na\r\n");
  EXPECT_EQ(h.RunRaw({"SRANDMEMBER", "s", "1"}), "*1\r\n$1\r\na\r\n");
  EXPECT_EQ(h.RunRaw({"SPOP", "nokey", "2"}), "~0\r\n");
}

std::vector<std::string> Cmd(std::vector<std::string> head, const std::string& prefix, int n) {
  for (int i = 0; i < n; i++) head.push_back(prefix + std::to_string(i));
  return head;
}

TEST(SetFamilyTest, Encodings) {
  Harness h;
  h.Run(Cmd({"SADD", "s"}, "", 512));
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "s"}), "intset");
  h.Run({"SADD", "s", "512"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "s"}), "hashtable");  // outgrown intset: hashtable
  h.Run({"SADD", "t", "1", "2"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "t"}), "intset");
  h.Run({"SADD", "t", "x"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "t"}), "listpack");
  h.Run({"SREM", "t", "x"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "t"}), "listpack");  // never converts back
  EXPECT_EQ(Parse(h.Run({"SMEMBERS", "t"})), (Members{"1", "2"}));
  h.Run({"SADD", "u", "a", "1"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "u"}), "listpack");
  h.Run(Cmd({"SADD", "u"}, "m", 126));
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "u"}), "listpack");  // 128 members
  h.Run({"SADD", "u", "one-more"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "u"}), "hashtable");
  EXPECT_EQ(h.Run({"SCARD", "u"}), "(integer) 129");
  h.Run({"SADD", "long", "a", std::string(64, 'x')});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "long"}), "listpack");
  h.Run({"SADD", "long", std::string(65, 'x')});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "long"}), "hashtable");
  // An intset with 128 members gets a string: too big for a listpack.
  h.Run(Cmd({"SADD", "i128"}, "", 128));
  h.Run({"SADD", "i128", "x"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "i128"}), "hashtable");
}

TEST(SetFamilyTest, SaddSizeHint) {
  Harness h;
  // A new key: the number of members given picks the encoding, duplicates or not.
  std::vector<std::string> dup = {"SADD", "a"};
  for (int i = 0; i < 129; i++) dup.push_back("same");
  EXPECT_EQ(h.Run(dup), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "a"}), "hashtable");
  dup[1] = "b";
  dup[2] = "1";  // first member an integer, 129 members: listpack is too small, intset fits
  h.Run(dup);
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "b"}), "listpack");  // became one on "same"
  std::vector<std::string> ints = Cmd({"SADD", "c"}, "", 513);
  h.Run(ints);
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "c"}), "hashtable");
  // An existing small set converts up front when the batch alone is over its limit.
  h.Run({"SADD", "d", "x"});
  dup[1] = "d";
  dup[2] = "same";
  EXPECT_EQ(h.Run(dup), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "hashtable");
  h.Run({"SADD", "e", "1"});
  ints[1] = "e";
  h.Run(ints);
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "e"}), "hashtable");
}

TEST(SetFamilyTest, ListpackConfig) {
  Harness h;
  EXPECT_EQ(h.Run({"CONFIG", "GET", "set-max-listpack-entries"}),
            "[set-max-listpack-entries, 128]");
  EXPECT_EQ(h.Run({"CONFIG", "GET", "set-max-listpack-value"}), "[set-max-listpack-value, 64]");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "set-max-listpack-entries", "2"}), "OK");
  h.Run({"SADD", "v", "a", "b"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "v"}), "listpack");
  h.Run({"SADD", "v", "c"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "v"}), "hashtable");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "set-max-listpack-value", "3"}), "OK");
  h.Run({"SADD", "w", "abc"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "w"}), "listpack");
  h.Run({"SADD", "w", "abcd"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "w"}), "hashtable");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "set-max-listpack-entries", "0"}), "OK");
  h.Run({"SADD", "z", "a"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "z"}), "hashtable");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "set-max-intset-entries", "2"}), "OK");
  h.Run({"SADD", "n", "1", "2"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "n"}), "intset");
  h.Run({"SADD", "n", "3"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "n"}), "hashtable");
}

TEST(SetFamilyTest, ReencodingKeepsTtl) {
  Harness h;
  h.Run({"SADD", "k", "1"});
  h.Run({"EXPIRE", "k", "100"});
  h.Run({"SADD", "k", "a"});  // intset -> listpack: a new entry swapped in
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "k"}), "listpack");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 100");
  h.Run({"SADD", "k", std::string(100, 'z')});  // listpack -> hashtable
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "k"}), "hashtable");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 100");
  EXPECT_EQ(h.Run({"SCARD", "k"}), "(integer) 3");
}

TEST(SetFamilyTest, WrongType) {
  Harness h;
  h.Run({"SET", "str", "x"});
  h.Run({"SADD", "s", "a"});
  for (auto cmd : std::vector<std::vector<std::string>>{
           {"SADD", "str", "a"},
           {"SREM", "str", "a"},
           {"SMEMBERS", "str"},
           {"SISMEMBER", "str", "a"},
           {"SMISMEMBER", "str", "a"},
           {"SCARD", "str"},
           {"SPOP", "str"},
           {"SPOP", "str", "0"},
           {"SRANDMEMBER", "str"},
           {"SRANDMEMBER", "str", "0"},
           {"SMOVE", "str", "s", "a"},
           {"SMOVE", "s", "str", "a"},
           {"SINTER", "nokey", "str"},
           {"SINTERCARD", "2", "nokey", "str"},
           {"SUNION", "s", "str"},
           {"SDIFF", "nokey", "str"},
           {"SINTERSTORE", "d", "s", "str"},
           {"SUNIONSTORE", "d", "str"},
           {"SDIFFSTORE", "d", "s", "str"},
           {"SSCAN", "str", "0"},
       }) {
    EXPECT_EQ(h.Run(cmd), kWrongType) << cmd[0];
  }
  // A store onto a string key overwrites it.
  EXPECT_EQ(h.Run({"SUNIONSTORE", "str", "s"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TYPE", "str"}), "set");
}

TEST(SetFamilyTest, SpopAndSrandmember) {
  Harness h;
  h.Run({"SADD", "s", "a", "b", "c", "d"});
  EXPECT_EQ(h.Run({"SPOP", "nokey"}), "(nil)");
  EXPECT_EQ(h.Run({"SPOP", "nokey", "3"}), "[]");
  EXPECT_EQ(h.Run({"SPOP", "s", "-1"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(h.Run({"SPOP", "s", "x"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(h.Run({"SPOP", "s", "1", "2"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SPOP", "s", "0"}), "[]");
  std::string one = h.Run({"SPOP", "s"});
  EXPECT_EQ(h.Run({"SISMEMBER", "s", one}), "(integer) 0");
  Members two = Parse(h.Run({"SPOP", "s", "2"}));
  EXPECT_EQ(two.size(), 2u);
  EXPECT_EQ(h.Run({"SCARD", "s"}), "(integer) 1");
  EXPECT_EQ(Parse(h.Run({"SPOP", "s", "5"})).size(), 1u);
  EXPECT_EQ(h.Run({"EXISTS", "s"}), "(integer) 0");

  h.Run({"SADD", "r", "1", "2", "3", "x"});
  EXPECT_EQ(h.Run({"SRANDMEMBER", "nokey"}), "(nil)");
  EXPECT_EQ(h.Run({"SRANDMEMBER", "nokey", "3"}), "[]");
  EXPECT_EQ(h.Run({"SRANDMEMBER", "r", "0"}), "[]");
  EXPECT_EQ(h.Run({"SRANDMEMBER", "r", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"SRANDMEMBER", "r", "-9223372036854775808"}),
            "(error) ERR value is out of range, value must between -9223372036854775807 and "
            "9223372036854775807");
  EXPECT_EQ(Parse(h.Run({"SRANDMEMBER", "r", "10"})), (Members{"1", "2", "3", "x"}));
  for (int i = 0; i < 20; i++) {
    Members m = Parse(h.Run({"SRANDMEMBER", "r", "3"}));
    EXPECT_EQ(m.size(), 3u);
    for (const auto& x : m) EXPECT_EQ(h.Run({"SISMEMBER", "r", x}), "(integer) 1");
    Members one_member = Parse(h.Run({"SRANDMEMBER", "r", "1"}));
    EXPECT_EQ(one_member.size(), 1u);
  }
  std::string neg = h.Run({"SRANDMEMBER", "r", "-10"});
  EXPECT_EQ(std::count(neg.begin(), neg.end(), ','), 9);
  EXPECT_EQ(h.Run({"SCARD", "r"}), "(integer) 4");
  // A large intset and a large hashtable: distinct picks by the sparse path.
  std::vector<std::string> add = {"SADD", "big"};
  for (int i = 0; i < 300; i++) add.push_back(std::to_string(i));
  h.Run(add);
  EXPECT_EQ(Parse(h.Run({"SRANDMEMBER", "big", "20"})).size(), 20u);
  h.Run({"SADD", "big", "x"});
  EXPECT_EQ(Parse(h.Run({"SRANDMEMBER", "big", "20"})).size(), 20u);
  EXPECT_EQ(Parse(h.Run({"SPOP", "big", "200"})).size(), 200u);
  EXPECT_EQ(h.Run({"SCARD", "big"}), "(integer) 101");
}

TEST(SetFamilyTest, SMove) {
  Harness h;
  h.Run({"SADD", "a", "1", "2"});
  EXPECT_EQ(h.Run({"SMOVE", "nokey", "a", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SMOVE", "a", "a", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"SMOVE", "a", "a", "9"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SMOVE", "a", "b", "9"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SMOVE", "a", "b", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "b"}), "intset");
  EXPECT_EQ(h.Run({"SMOVE", "a", "b", "2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "a"}), "(integer) 0");
  EXPECT_EQ(Parse(h.Run({"SMEMBERS", "b"})), (Members{"1", "2"}));
  h.Run({"SADD", "c", "x"});
  EXPECT_EQ(h.Run({"SMOVE", "c", "b", "x"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "b"}), "listpack");
  EXPECT_EQ(h.Run({"EXISTS", "c"}), "(integer) 0");
  h.Run({"SADD", "c", "y", "z"});
  EXPECT_EQ(h.Run({"SMOVE", "c", "new", "y"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "new"}), "listpack");
  EXPECT_EQ(h.Run({"SMOVE", "b", "new2", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "new2"}), "intset");
  EXPECT_EQ(Parse(h.Run({"SMEMBERS", "b"})), (Members{"2", "x"}));
}

TEST(SetFamilyTest, Algebra) {
  Harness h;
  h.Run({"SADD", "a", "1", "2", "3", "x"});
  h.Run({"SADD", "b", "2", "3", "4"});
  h.Run({"SADD", "c", "3", "x", "y"});
  EXPECT_EQ(Parse(h.Run({"SINTER", "a", "b"})), (Members{"2", "3"}));
  EXPECT_EQ(Parse(h.Run({"SINTER", "a", "b", "c"})), (Members{"3"}));
  EXPECT_EQ(h.Run({"SINTER", "a", "nokey"}), "[]");
  EXPECT_EQ(Parse(h.Run({"SUNION", "a", "nokey", "b"})), (Members{"1", "2", "3", "4", "x"}));
  EXPECT_EQ(Parse(h.Run({"SDIFF", "a", "b", "nokey"})), (Members{"1", "x"}));
  EXPECT_EQ(h.Run({"SDIFF", "nokey", "a"}), "[]");
  EXPECT_EQ(h.Run({"SDIFF", "a", "a"}), "[]");
  EXPECT_EQ(h.Run({"SINTERSTORE", "d", "a", "b"}), "(integer) 2");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "intset");
  EXPECT_EQ(h.Run({"SUNIONSTORE", "d", "a", "c"}), "(integer) 5");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "listpack");
  EXPECT_EQ(h.Run({"SDIFFSTORE", "d", "d", "b"}), "(integer) 3");  // destination as a source
  EXPECT_EQ(Parse(h.Run({"SMEMBERS", "d"})), (Members{"1", "x", "y"}));
  h.Run({"EXPIRE", "d", "100"});
  EXPECT_EQ(h.Run({"SUNIONSTORE", "d", "b"}), "(integer) 3");
  EXPECT_EQ(h.Run({"TTL", "d"}), "(integer) -1");  // overwritten: TTL gone
  EXPECT_EQ(h.Run({"SINTERSTORE", "d", "a", "nokey"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "d"}), "(integer) 0");
  h.Run({"SADD", "d", "z"});
  EXPECT_EQ(h.Run({"SDIFFSTORE", "d", "a", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "d"}), "(integer) 0");
}

TEST(SetFamilyTest, AlgebraResultEncodings) {
  Harness h;
  h.Run({"SADD", "lp1", "1", "2", "3", "x"});
  h.Run({"SADD", "lp2", "2", "3", "y"});
  // Intersections that are all integers are stored as intsets, whatever the sources.
  EXPECT_EQ(h.Run({"SINTERSTORE", "d", "lp1", "lp2"}), "(integer) 2");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "intset");
  h.Run({"SADD", "lp2", "x"});
  EXPECT_EQ(h.Run({"SINTERSTORE", "d", "lp1", "lp2"}), "(integer) 3");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "listpack");
  h.Run(Cmd({"SADD", "ht1"}, "m", 200));
  h.Run(Cmd({"SADD", "ht2"}, "m", 300));
  h.Run(Cmd({"SADD", "ht1"}, "", 150));
  h.Run(Cmd({"SADD", "ht2"}, "", 150));
  EXPECT_EQ(h.Run({"SINTERSTORE", "d", "ht1", "ht2"}), "(integer) 350");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "hashtable");
  h.Run(Cmd({"SREM", "ht1"}, "m", 200));
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "ht1"}), "hashtable");
  EXPECT_EQ(h.Run({"SINTERSTORE", "d", "ht1", "ht2"}), "(integer) 150");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "intset");  // 150 integers: intset again
  // Unions and differences start as an intset and convert as members arrive.
  h.Run(Cmd({"SADD", "i1"}, "", 100));
  EXPECT_EQ(h.Run({"SUNIONSTORE", "d", "i1", "lp1"}), "(integer) 101");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "listpack");
  EXPECT_EQ(h.Run({"SDIFFSTORE", "d", "lp1", "lp2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "intset");  // {1}
  EXPECT_EQ(h.Run({"SDIFFSTORE", "d", "ht2", "i1"}), "(integer) 350");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "hashtable");
  EXPECT_EQ(h.Run({"SUNIONSTORE", "d", "i1"}), "(integer) 100");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "intset");
  EXPECT_EQ(Parse(h.Run({"SINTER", "lp1", "lp2", "lp1"})), (Members{"2", "3", "x"}));
  EXPECT_EQ(Parse(h.Run({"SDIFF", "lp1", "lp2"})), (Members{"1"}));
  EXPECT_EQ(Parse(h.Run({"SUNION", "lp1", "lp2"})), (Members{"1", "2", "3", "x", "y"}));
}

TEST(SetFamilyTest, ListpackRandomMembers) {
  Harness h;
  h.Run(Cmd({"SADD", "lp", "x"}, "m", 19));
  ASSERT_EQ(h.Run({"OBJECT", "ENCODING", "lp"}), "listpack");
  Members all = Parse(h.Run({"SMEMBERS", "lp"}));
  EXPECT_EQ(all.size(), 20u);
  for (int i = 0; i < 20; i++) {
    Members m = Parse(h.Run({"SRANDMEMBER", "lp", "7"}));
    EXPECT_EQ(m.size(), 7u);
    for (const auto& x : m) EXPECT_EQ(all.count(x), 1u);
    EXPECT_EQ(all.count(h.Run({"SRANDMEMBER", "lp"})), 1u);
  }
  std::string neg = h.Run({"SRANDMEMBER", "lp", "-50"});
  EXPECT_EQ(std::count(neg.begin(), neg.end(), ','), 49);
  EXPECT_EQ(Parse(h.Run({"SRANDMEMBER", "lp", "20"})), all);
  // SPOP: one, a few (picked in one pass), most (the listpack keeps what is left).
  std::string one = h.Run({"SPOP", "lp"});
  EXPECT_EQ(all.count(one), 1u);
  EXPECT_EQ(h.Run({"SISMEMBER", "lp", one}), "(integer) 0");
  Members few = Parse(h.Run({"SPOP", "lp", "3"}));
  EXPECT_EQ(few.size(), 3u);
  Members most = Parse(h.Run({"SPOP", "lp", "14"}));
  EXPECT_EQ(most.size(), 14u);
  EXPECT_EQ(h.Run({"SCARD", "lp"}), "(integer) 2");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "lp"}), "listpack");
  Members left = Parse(h.Run({"SMEMBERS", "lp"}));
  Members seen = left;
  seen.insert(one);
  seen.insert(few.begin(), few.end());
  seen.insert(most.begin(), most.end());
  EXPECT_EQ(seen, all);  // every member went exactly one way
  EXPECT_EQ(Parse(h.Run({"SPOP", "lp", "2"})), left);
  EXPECT_EQ(h.Run({"EXISTS", "lp"}), "(integer) 0");
}

TEST(SetFamilyTest, SpopKeepingFewRebuildsTheSet) {
  Harness h;
  h.Run(Cmd({"SADD", "ht"}, "m", 300));
  h.Run({"EXPIRE", "ht", "100"});
  EXPECT_EQ(Parse(h.Run({"SPOP", "ht", "280"})).size(), 280u);
  EXPECT_EQ(h.Run({"SCARD", "ht"}), "(integer) 20");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "ht"}), "listpack");  // as Redis 7.2
  EXPECT_EQ(h.Run({"TTL", "ht"}), "(integer) 100");
  h.Run(Cmd({"SADD", "is"}, "", 300));
  EXPECT_EQ(Parse(h.Run({"SPOP", "is", "290"})).size(), 290u);
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "is"}), "intset");
  EXPECT_EQ(h.Run({"SCARD", "is"}), "(integer) 10");
  // Popping few from a hashtable leaves it one.
  h.Run(Cmd({"SADD", "ht2"}, "m", 300));
  EXPECT_EQ(Parse(h.Run({"SPOP", "ht2", "10"})).size(), 10u);
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "ht2"}), "hashtable");
  EXPECT_EQ(h.Run({"SCARD", "ht2"}), "(integer) 290");
}

TEST(SetFamilyTest, SInterCard) {
  Harness h;
  h.Run({"SADD", "a", "1", "2", "3", "x"});
  h.Run({"SADD", "b", "2", "3", "x"});
  EXPECT_EQ(h.Run({"SINTERCARD", "2", "a", "b"}), "(integer) 3");
  EXPECT_EQ(h.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "2"}), "(integer) 2");
  EXPECT_EQ(h.Run({"SINTERCARD", "2", "a", "b", "limit", "0"}), "(integer) 3");
  EXPECT_EQ(h.Run({"SINTERCARD", "2", "a", "b", "LIMIT", "1", "LIMIT", "5"}), "(integer) 3");
  EXPECT_EQ(h.Run({"SINTERCARD", "2", "a", "nokey"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SINTERCARD", "0", "a"}), "(error) ERR numkeys should be greater than 0");
  EXPECT_EQ(h.Run({"SINTERCARD", "x", "a"}), "(error) ERR numkeys should be greater than 0");
  EXPECT_EQ(h.Run({"SINTERCARD", "3", "a", "b"}),
            "(error) ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(h.Run({"SINTERCARD", "1", "a", "LIMIT", "-1"}), "(error) ERR LIMIT can't be negative");
  EXPECT_EQ(h.Run({"SINTERCARD", "1", "a", "LIMIT", "x"}), "(error) ERR LIMIT can't be negative");
  EXPECT_EQ(h.Run({"SINTERCARD", "1", "a", "LIMIT"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SINTERCARD", "1", "a", "FOO", "1"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "SINTERCARD", "2", "a", "b", "LIMIT", "1"}), "[a, b]");
}

TEST(SetFamilyTest, SScan) {
  Harness h;
  h.Run({"SADD", "i", "1", "2", "3"});
  EXPECT_EQ(h.Run({"SSCAN", "i", "0"}), "[0, [1, 2, 3]]");
  EXPECT_EQ(h.Run({"SSCAN", "i", "0", "MATCH", "2"}), "[0, [2]]");
  EXPECT_EQ(h.Run({"SSCAN", "i", "x"}), "(error) ERR invalid cursor");
  EXPECT_EQ(h.Run({"SSCAN", "i", "0", "COUNT", "0"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SSCAN", "i", "0", "COUNT", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"SSCAN", "i", "0", "MATCH"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SSCAN", "i", "0", "TYPE", "set"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SSCAN", "nokey", "0", "COUNT", "0"}), "[0, []]");
  h.Run({"SADD", "lp", "a", "b", "1"});
  EXPECT_EQ(h.Run({"SSCAN", "lp", "0", "COUNT", "1"}), "[0, [a, b, 1]]");
  EXPECT_EQ(h.Run({"SSCAN", "lp", "7", "MATCH", "[a1]"}), "[0, [a, 1]]");
  std::vector<std::string> add = {"SADD", "h"};
  for (int i = 0; i < 1000; i++) add.push_back("m" + std::to_string(i));
  h.Run(add);
  Members seen;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::string r = h.Run({"SSCAN", "h", cursor, "COUNT", "50"});
    size_t comma = r.find(", ");
    cursor = r.substr(1, comma - 1);
    Members page = Parse(r.substr(comma + 2, r.size() - comma - 3));
    seen.insert(page.begin(), page.end());
    calls++;
  } while (cursor != "0" && calls < 10000);
  EXPECT_EQ(seen.size(), 1000u);
  EXPECT_GT(calls, 1);
}

}  // namespace
}  // namespace ember
