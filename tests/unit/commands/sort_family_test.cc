// Unit tests for SORT / SORT_RO (sort_family.cc) through the in-process harness: every
// option and error with Redis 7.0's replies, BY/GET pattern rules, the numeric parsing rules,
// tie-breaking, LIMIT clamping, STORE, and the command-table facts (key specs, GETKEYS).
#include <gtest/gtest.h>

#include <string>

#include "command_harness.h"

namespace ember {
namespace {

using testing::Harness;
using testing::kNotInt;
using testing::kSyntax;
using testing::kWrongType;

constexpr const char* kNotDouble = "(error) ERR One or more scores can't be converted into double";

class SortTest : public ::testing::Test {
 protected:
  Harness h;
};

TEST_F(SortTest, NumericAndAlpha) {
  h.Run({"RPUSH", "l", "3", "1", "2", "10"});
  EXPECT_EQ(h.Run({"SORT", "l"}), "[1, 2, 3, 10]");
  EXPECT_EQ(h.Run({"SORT", "l", "DESC"}), "[10, 3, 2, 1]");
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA"}), "[1, 10, 2, 3]");
  EXPECT_EQ(h.Run({"SORT", "l", "alpha", "desc"}), "[3, 2, 10, 1]");
  EXPECT_EQ(h.Run({"SORT", "l", "DESC", "ASC"}), "[1, 2, 3, 10]");  // the last order wins
  EXPECT_EQ(h.Run({"SORT_RO", "l", "DESC"}), "[10, 3, 2, 1]");
  h.Run({"RPUSH", "f", "1.1", "5.10", "3.10", "-inf", "0.25", "inf", "1e3"});
  EXPECT_EQ(h.Run({"SORT", "f"}), "[-inf, 0.25, 1.1, 3.10, 5.10, 1e3, inf]");
}

TEST_F(SortTest, SetsAndSortedSets) {
  h.Run({"SADD", "s", "5", "-1", "30", "4"});
  EXPECT_EQ(h.Run({"SORT", "s"}), "[-1, 4, 5, 30]");
  EXPECT_EQ(h.Run({"SORT", "s", "ALPHA"}), "[-1, 30, 4, 5]");
  h.Run({"SADD", "t", "b", "a", "c"});
  EXPECT_EQ(h.Run({"SORT", "t", "ALPHA", "DESC"}), "[c, b, a]");
  h.Run({"ZADD", "z", "1", "a", "5", "b", "2", "c", "10", "d", "3", "e"});
  EXPECT_EQ(h.Run({"SORT", "z", "ALPHA", "DESC"}), "[e, d, c, b, a]");
  EXPECT_EQ(h.Run({"SORT", "z"}), kNotDouble);
  // BY nosort keeps the sorted set's own order; LIMIT applies to it directly.
  EXPECT_EQ(h.Run({"SORT", "z", "BY", "nosort"}), "[a, c, e, b, d]");
  EXPECT_EQ(h.Run({"SORT", "z", "BY", "nosort", "DESC"}), "[d, b, e, c, a]");
  EXPECT_EQ(h.Run({"SORT", "z", "BY", "nosort", "LIMIT", "0", "2", "DESC"}), "[d, b]");
  EXPECT_EQ(h.Run({"SORT", "z", "BY", "nosort", "LIMIT", "1", "2"}), "[c, e]");
  EXPECT_EQ(h.Run({"SORT", "z", "BY", "nosort", "LIMIT", "5", "10"}), "[]");
  EXPECT_EQ(h.Run({"SORT", "z", "BY", "nosort", "LIMIT", "-10", "100"}), "[a, c, e, b, d]");
  // The sorted set keeps its compact encoding (Redis would convert it to a skiplist).
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "z"}), "listpack");
}

TEST_F(SortTest, NoSortOnLists) {
  h.Run({"LPUSH", "l", "2", "1", "4", "3", "5"});
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "nosort"}), "[5, 3, 4, 1, 2]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "nosort", "DESC"}), "[2, 1, 4, 3, 5]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "nosort", "LIMIT", "1", "2"}), "[3, 4]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "nosort", "LIMIT", "1", "2", "DESC"}), "[1, 4]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "nosort", "LIMIT", "4", "9", "DESC"}), "[5]");
  // A constant BY turns sorting off even when a later BY has a '*' (as Redis).
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "nosort", "BY", "w_*"}), "[5, 3, 4, 1, 2]");
  // Non-numbers are not an error when nothing is sorted.
  h.Run({"RPUSH", "words", "b", "a"});
  EXPECT_EQ(h.Run({"SORT", "words", "BY", "x"}), "[b, a]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "nosort", "STORE", "dst"}), "(integer) 5");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[5, 3, 4, 1, 2]");
}

TEST_F(SortTest, UnsortedSetIsSortedAlphaWhenStored) {
  h.Run({"SADD", "s", "b", "aa", "a", "c", "10", "9"});
  EXPECT_EQ(h.Run({"SORT", "s", "BY", "nosort", "STORE", "dst"}), "(integer) 6");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[10, 9, a, aa, b, c]");
  EXPECT_EQ(h.Run({"SORT", "s", "BY", "_", "DESC", "LIMIT", "0", "2", "STORE", "dst"}),
            "(integer) 2");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[c, b]");
}

TEST_F(SortTest, ByPatterns) {
  h.Run({"RPUSH", "l", "3", "1", "2", "10"});
  h.Run({"MSET", "w_3", "30", "w_1", "100", "w_2", "20"});
  // A missing weight scores 0; ties order by the element's bytes.
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "w_*"}), "[10, 2, 3, 1]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "w_*", "DESC"}), "[1, 3, 2, 10]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "w_*", "LIMIT", "1", "2"}), "[2, 3]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "nokey_*"}), "[1, 10, 2, 3]");
  h.Run({"HSET", "h_1", "f", "a"});
  h.Run({"HSET", "h_2", "f", "b"});
  h.Run({"HSET", "h_10", "g", "x"});
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "h_*->f"}), kNotDouble);
  // ALPHA BY: missing values first, ties keep the list order (ASC and DESC).
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "h_*->f", "ALPHA"}), "[3, 10, 1, 2]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "h_*->f", "ALPHA", "DESC"}), "[2, 1, 3, 10]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "h_*->f", "ALPHA", "LIMIT", "1", "2"}), "[10, 1]");
  // A key of the wrong type reads as missing.
  h.Run({"SET", "h_3", "plain"});
  h.Run({"HSET", "w_10", "x", "1"});
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "h_*->f", "ALPHA"}), "[3, 10, 1, 2]");
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "w_*"}), "[10, 2, 3, 1]");
  // Integer-encoded weights and hash values from a listpack.
  h.Run({"HSET", "n_3", "v", "-5"});
  h.Run({"HSET", "n_1", "v", "7"});
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "n_*->v"}), "[3, 10, 2, 1]");
}

TEST_F(SortTest, PatternParsing) {
  h.Run({"RPUSH", "l", "a"});
  h.Run({"SET", "x:a->", "100"});
  h.Run({"SET", "pre-a-post", "v1"});
  h.Run({"SET", "a*b", "star"});
  h.Run({"HSET", "hash:a", "f->g", "deep"});
  // "->" with nothing after it is part of the key name.
  EXPECT_EQ(h.Run({"SORT", "l", "BY", "num", "GET", "x:*->"}), "[100]");
  EXPECT_EQ(h.Run({"SORT_RO", "l", "BY", "nosort", "GET", "x:*->"}), "[100]");
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA", "GET", "pre-*-post", "GET", "#", "GET", "const"}),
            "[v1, a, (nil)]");
  // Only the first '*' is substituted; the field is everything after the first "->".
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA", "GET", "**b"}), "[star]");
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA", "GET", "*", "GET", "*->x"}), "[(nil), (nil)]");
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA", "GET", "hash:*->f->g"}), "[deep]");
  // A NUL byte ends the pattern for the '*' search, and "#\0..." is "#".
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA", "GET", std::string("#\0x", 3)}), "[a]");
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA", "GET", std::string("x\0*", 3)}), "[(nil)]");
  // Without BY or ALPHA the element itself must be a number.
  EXPECT_EQ(h.Run({"SORT", "l", "GET", "#"}), kNotDouble);
}

TEST_F(SortTest, GetManyPatterns) {
  h.Run({"RPUSH", "jobs", "1", "2", "3"});
  h.Run({"HSET", "job:1", "pri", "5", "name", "one"});
  h.Run({"HSET", "job:2", "pri", "1", "name", "two"});
  h.Run({"HSET", "job:3", "pri", "3"});
  EXPECT_EQ(h.Run({"SORT", "jobs", "BY", "job:*->pri", "GET", "#", "GET", "job:*->name"}),
            "[2, two, 3, (nil), 1, one]");
  EXPECT_EQ(h.Run({"SORT", "jobs", "BY", "job:*->pri", "GET", "job:*->name", "STORE", "out"}),
            "(integer) 3");
  EXPECT_EQ(h.Run({"LRANGE", "out", "0", "-1"}), "[two, , one]");
  EXPECT_EQ(h.Run({"SORT", "jobs", "GET", "nothing"}), "[(nil), (nil), (nil)]");
  EXPECT_EQ(h.Run({"SORT", "jobs", "LIMIT", "0", "0", "GET", "#"}), "[]");
}

TEST_F(SortTest, NumericParsingFollowsStrtod) {
  auto sorted = [this](const std::string& v) {
    h.Run({"DEL", "n"});
    h.Run({"RPUSH", "n", v, "1"});
    return h.Run({"SORT", "n"});
  };
  EXPECT_EQ(sorted(" 1"), "[ 1, 1]");  // equal scores: by bytes
  EXPECT_EQ(sorted("0x10"), "[1, 0x10]");
  EXPECT_EQ(sorted(""), "[, 1]");
  EXPECT_EQ(sorted("+5"), "[1, +5]");
  EXPECT_EQ(sorted("-inf"), "[-inf, 1]");
  EXPECT_EQ(sorted("infinity"), "[1, infinity]");
  EXPECT_EQ(sorted("  -2.5e1"), "[  -2.5e1, 1]");
  EXPECT_EQ(sorted(std::string("0\0junk", 6)), std::string("[0\0junk, 1]", 11));
  EXPECT_EQ(sorted("1e400"), kNotDouble);
  EXPECT_EQ(sorted("1e-320"), kNotDouble);
  EXPECT_EQ(sorted("1 "), kNotDouble);
  EXPECT_EQ(sorted("nan"), kNotDouble);
  EXPECT_EQ(sorted("abc"), kNotDouble);
  // The error leaves a STORE destination untouched.
  h.Run({"SET", "dst", "keep"});
  EXPECT_EQ(h.Run({"SORT", "n", "STORE", "dst"}), kNotDouble);
  EXPECT_EQ(h.Run({"GET", "dst"}), "keep");
}

TEST_F(SortTest, AlphaComparesAsCStringsUnlessStoring) {
  // Without STORE Redis compares with strcoll, which stops at a NUL byte: equal keys keep
  // their input order. With STORE whole strings are compared.
  std::string b1("a\0b", 3), b2("a\0a", 3);
  h.Run({"RPUSH", "l", b1, b2});
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA"}), "[" + b1 + ", " + b2 + "]");
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA", "STORE", "d"}), "(integer) 2");
  EXPECT_EQ(h.Run({"LRANGE", "d", "0", "-1"}), "[" + b2 + ", " + b1 + "]");
  // Byte order: upper case first, then high bytes last.
  h.Run({"RPUSH", "m", "b", "B", "\xc3\xa9", "a"});
  EXPECT_EQ(h.Run({"SORT", "m", "ALPHA"}), "[B, a, b, \xc3\xa9]");
}

TEST_F(SortTest, LimitClamping) {
  h.Run({"RPUSH", "l", "3", "1", "2"});
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "1", "1"}), "[2]");
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "-1", "-1"}), "[1, 2, 3]");
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "5", "1"}), "[]");
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "1", "0"}), "[]");
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "0", "9223372036854775807"}), "[1, 2, 3]");
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "2", "9223372036854775807"}), "[3]");
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "9223372036854775807", "1"}), "[]");
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "-9223372036854775808", "2"}), "[1, 2]");
  EXPECT_EQ(h.Run({"SORT_RO", "l", "BY", "a", "LIMIT", "2", "9223372036854775807"}), "[2]");
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "1", "5", "DESC"}), "[2, 1]");
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "a", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "1", "1.5"}), kNotInt);
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "1"}), kSyntax);
  EXPECT_EQ(h.Run({"SORT", "nokey", "LIMIT", "0", "-5", "DESC", "ASC"}), "[]");
}

TEST_F(SortTest, Errors) {
  h.Run({"SET", "str", "x"});
  h.Run({"HSET", "hash", "f", "v"});
  EXPECT_EQ(h.Run({"SORT", "str"}), kWrongType);
  EXPECT_EQ(h.Run({"SORT", "hash"}), kWrongType);
  EXPECT_EQ(h.Run({"SORT_RO", "str"}), kWrongType);
  // Options are checked before the key's type.
  EXPECT_EQ(h.Run({"SORT", "str", "foo"}), kSyntax);
  EXPECT_EQ(h.Run({"SORT", "str", "LIMIT", "a", "b"}), kNotInt);
  EXPECT_EQ(h.Run({"SORT", "str", "FOO", "LIMIT", "a", "b"}), kSyntax);
  EXPECT_EQ(h.Run({"SORT", "nokey", "GET"}), kSyntax);
  EXPECT_EQ(h.Run({"SORT", "nokey", "BY"}), kSyntax);
  EXPECT_EQ(h.Run({"SORT", "nokey", "STORE"}), kSyntax);
  EXPECT_EQ(h.Run({"SORT_RO", "nokey", "STORE", "d"}), kSyntax);
  EXPECT_EQ(h.Run({"SORT_RO", "str", "STORE", "d"}), kSyntax);
  EXPECT_EQ(h.Run({"SORT"}), "(error) ERR wrong number of arguments for 'sort' command");
  EXPECT_EQ(h.Run({"SORT_RO"}), "(error) ERR wrong number of arguments for 'sort_ro' command");
  EXPECT_EQ(h.Run({"SORT", "nokey"}), "[]");
}

TEST_F(SortTest, Store) {
  h.Run({"RPUSH", "l", "3", "1", "2"});
  h.Run({"SET", "dst", "old", "EX", "100"});
  EXPECT_EQ(h.Run({"SORT", "l", "STORE", "dst"}), "(integer) 3");
  EXPECT_EQ(h.Run({"TYPE", "dst"}), "list");
  EXPECT_EQ(h.Run({"TTL", "dst"}), "(integer) -1");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[1, 2, 3]");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "dst"}), "listpack");
  // The last STORE wins; storing into the sorted key itself is fine.
  EXPECT_EQ(h.Run({"SORT", "l", "DESC", "STORE", "x", "STORE", "l"}), "(integer) 3");
  EXPECT_EQ(h.Run({"EXISTS", "x"}), "(integer) 0");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[3, 2, 1]");
  // An empty result deletes the destination and creates nothing.
  EXPECT_EQ(h.Run({"SORT", "l", "LIMIT", "10", "10", "STORE", "dst"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "dst"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SORT", "nokey", "STORE", "dst"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "dst"}), "(integer) 0");
  // GET with STORE stores "" for a missing value, one entry per pattern.
  EXPECT_EQ(h.Run({"SORT", "l", "GET", "#", "GET", "no_*", "STORE", "dst"}), "(integer) 6");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[1, , 2, , 3, ]");
}

TEST_F(SortTest, StoreBigListIsQuicklist) {
  std::vector<std::string> push = {"RPUSH", "l"};
  for (int i = 0; i < 1000; i++) push.push_back("element-number-" + std::to_string(5000 - i));
  h.Run(push);
  EXPECT_EQ(h.Run({"SORT", "l", "ALPHA", "STORE", "dst"}), "(integer) 1000");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "dst"}), "quicklist");
  EXPECT_EQ(h.Run({"LINDEX", "dst", "0"}), "element-number-4001");
  EXPECT_EQ(h.Run({"LINDEX", "dst", "-1"}), "element-number-5000");
}

TEST_F(SortTest, TiesAreDeterministic) {
  h.Run({"SADD", "s", "b", "a", "c", "aa", "aaa", "azz"});
  h.Run({"MSET", "score:a", "1", "score:b", "1", "score:c", "1", "score:aa", "1"});
  EXPECT_EQ(h.Run({"SORT", "s", "BY", "score:*"}), "[aaa, azz, a, aa, b, c]");
  EXPECT_EQ(h.Run({"SORT", "s", "BY", "score:*", "DESC"}), "[c, b, aa, a, azz, aaa]");
  EXPECT_EQ(h.Run({"SORT", "s", "BY", "score:*", "LIMIT", "2", "2"}), "[a, aa]");
}

TEST_F(SortTest, Resp3) {
  h.Run({"HELLO", "3"});
  h.Run({"RPUSH", "l", "2", "1"});
  EXPECT_EQ(h.RunRaw({"SORT", "l", "GET", "#", "GET", "x*"}),
            "*4\r\n$1\r\n1\r\n_\r\n$1\r\n2\r\n_\r\n");
}

TEST_F(SortTest, CommandInfoAndGetKeys) {
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "SORT", "abc", "STORE", "def"}), "[abc, def]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "SORT_RO", "abc"}), "[abc]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "SORT", "abc", "STORE", "invalid", "STORE", "stillbad",
                   "STORE", "def"}),
            "[abc, def]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "SORT", "k", "GET", "STORE"}), "[k]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "SORT", "k", "LIMIT", "STORE", "1", "STORE", "d"}),
            "[k, d]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYSANDFLAGS", "SORT", "k", "STORE", "d"}),
            "[[k, [RO, access]], [d, [OW, update]]]");
  std::string info = h.Run({"COMMAND", "INFO", "SORT"});
  EXPECT_NE(info.find("[sort, (integer) -2, [write, denyoom, movablekeys], (integer) 1, "
                      "(integer) 1, (integer) 1, [@write, @set, @sortedset, @list, @slow, "
                      "@dangerous]"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("flags, [OW, update], begin_search, [type, unknown, spec, []], "
                      "find_keys, [type, unknown, spec, []]]"),
            std::string::npos)
      << info;
  std::string ro = h.Run({"COMMAND", "INFO", "SORT_RO"});
  EXPECT_NE(ro.find("[sort_ro, (integer) -2, [readonly, movablekeys], (integer) 1, (integer) 1, "
                    "(integer) 1, [@read, @set, @sortedset, @list, @slow, @dangerous]"),
            std::string::npos)
      << ro;
}

}  // namespace
}  // namespace ember
