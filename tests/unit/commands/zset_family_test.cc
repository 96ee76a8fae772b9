// Unit tests for the sorted-set family (zset_family.cc) through the in-process harness:
// replies and error texts as Redis 7.2 gives them (scores as %.17g), every command incl.
// WRONGTYPE, encodings at the listpack thresholds, TTL kept across conversion, empty sets
// deleting their key, and RESP3 shapes.
#include <gtest/gtest.h>

#include <algorithm>
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

constexpr const char* kNotFloat = "(error) ERR value is not a valid float";
constexpr const char* kMinMaxFloat = "(error) ERR min or max is not a float";
constexpr const char* kMinMaxLex = "(error) ERR min or max not valid string range item";

class ZSetFamilyTest : public ::testing::Test {
 protected:
  std::string Encoding(const std::string& key) { return h.Run({"OBJECT", "ENCODING", key}); }
  Harness h;
};

TEST_F(ZSetFamilyTest, AddAndRead) {
  EXPECT_EQ(h.Run({"ZADD", "z", "1", "a", "2", "b", "1.5", "c"}), "(integer) 3");
  EXPECT_EQ(h.Run({"ZADD", "z", "3", "a", "4", "d"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}), "[c, 1.5, b, 2, a, 3, d, 4]");
  EXPECT_EQ(h.Run({"ZCARD", "z"}), "(integer) 4");
  EXPECT_EQ(h.Run({"ZCARD", "nokey"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZSCORE", "z", "c"}), "1.5");
  EXPECT_EQ(h.Run({"ZSCORE", "z", "zz"}), "(nil)");
  EXPECT_EQ(h.Run({"ZMSCORE", "z", "a", "zz", "d"}), "[3, (nil), 4]");
  EXPECT_EQ(h.Run({"ZADD", "z", "1.1", "e"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZSCORE", "z", "e"}), "1.1000000000000001");
  EXPECT_EQ(h.Run({"ZADD", "z", "-inf", "f", "+inf", "g"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "0", "WITHSCORES"}), "[f, -inf]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "-1", "-1", "WITHSCORES"}), "[g, inf]");
  EXPECT_EQ(h.Run({"ZRANK", "z", "c"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZREVRANK", "z", "c"}), "(integer) 4");
  EXPECT_EQ(h.Run({"ZRANK", "z", "c", "WITHSCORE"}), "[(integer) 2, 1.5]");
  EXPECT_EQ(h.Run({"ZRANK", "z", "zz", "WITHSCORE"}), "(nil)");
  EXPECT_EQ(h.Run({"ZRANK", "z", "zz"}), "(nil)");
  EXPECT_EQ(h.Run({"ZRANK", "z", "c", "x"}), kSyntax);
  EXPECT_EQ(h.Run({"ZRANK", "z", "c", "WITHSCORE", "x"}),
            "(error) ERR wrong number of arguments for 'zrank' command");
}

TEST_F(ZSetFamilyTest, AddOptions) {
  EXPECT_EQ(h.Run({"ZADD", "z", "XX", "NX", "1", "a"}),
            "(error) ERR XX and NX options at the same time are not compatible");
  EXPECT_EQ(h.Run({"ZADD", "z", "GT", "LT", "1", "a"}),
            "(error) ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(h.Run({"ZADD", "z", "NX", "GT", "1", "a"}),
            "(error) ERR GT, LT, and/or NX options at the same time are not compatible");
  EXPECT_EQ(h.Run({"ZADD", "z", "INCR", "1", "a", "2", "b"}),
            "(error) ERR INCR option supports a single increment-element pair");
  EXPECT_EQ(h.Run({"ZADD", "z", "1", "a", "2"}), kSyntax);
  EXPECT_EQ(h.Run({"ZADD", "z", "x", "a"}), kNotFloat);
  EXPECT_EQ(h.Run({"ZADD", "z", "nan", "a"}), kNotFloat);
  EXPECT_EQ(h.Run({"EXISTS", "z"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZADD", "z", "XX", "1", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "z"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZADD", "z", "XX", "INCR", "1", "a"}), "(nil)");
  EXPECT_EQ(h.Run({"ZADD", "z", "1", "a", "2", "b"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZADD", "z", "NX", "5", "a", "3", "c"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZSCORE", "z", "a"}), "1");
  EXPECT_EQ(h.Run({"ZADD", "z", "CH", "XX", "5", "a", "2", "b", "9", "new"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZADD", "z", "GT", "CH", "4", "a", "6", "b"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}), "[c, 3, a, 5, b, 6]");
  EXPECT_EQ(h.Run({"ZADD", "z", "LT", "CH", "4", "a", "7", "b"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZADD", "z", "INCR", "2.5", "a"}), "6.5");
  EXPECT_EQ(h.Run({"ZADD", "z", "INCR", "NX", "1", "a"}), "(nil)");
  EXPECT_EQ(h.Run({"ZADD", "z", "INCR", "GT", "-1", "a"}), "(nil)");
  EXPECT_EQ(h.Run({"ZINCRBY", "z", "1", "a"}), "7.5");
  EXPECT_EQ(h.Run({"ZINCRBY", "z", "2", "fresh"}), "2");
  EXPECT_EQ(h.Run({"ZINCRBY", "z", "x", "a"}), kNotFloat);
  EXPECT_EQ(h.Run({"ZADD", "z", "inf", "i"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZINCRBY", "z", "-inf", "i"}),
            "(error) ERR resulting score is not a number (NaN)");
  EXPECT_EQ(h.Run({"ZSCORE", "z", "i"}), "inf");
}

TEST_F(ZSetFamilyTest, RemoveAndEmptyDeletesKey) {
  h.Run({"ZADD", "z", "1", "a", "2", "b"});
  EXPECT_EQ(h.Run({"ZREM", "z", "a", "zz"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZREM", "nokey", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZREM", "z", "b"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "z"}), "(integer) 0");
}

TEST_F(ZSetFamilyTest, CountAndScoreRanges) {
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  EXPECT_EQ(h.Run({"ZCOUNT", "z", "2", "3"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZCOUNT", "z", "(2", "+inf"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZCOUNT", "z", "-inf", "(1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZCOUNT", "z", "5", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZCOUNT", "z", "x", "1"}), kMinMaxFloat);
  EXPECT_EQ(h.Run({"ZCOUNT", "nokey", "0", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZRANGEBYSCORE", "z", "(1", "3", "WITHSCORES"}), "[b, 2, c, 3]");
  EXPECT_EQ(h.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "2"}), "[b, c]");
  EXPECT_EQ(h.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "-1", "2"}), "[]");
  EXPECT_EQ(h.Run({"ZRANGEBYSCORE", "z", "-inf", "+inf", "LIMIT", "1", "-1"}), "[b, c, d]");
  EXPECT_EQ(h.Run({"ZRANGEBYSCORE", "z", "0", "1", "REV"}), kSyntax);
  EXPECT_EQ(h.Run({"ZREVRANGEBYSCORE", "z", "3", "(1"}), "[c, b]");
  EXPECT_EQ(h.Run({"ZREVRANGEBYSCORE", "z", "+inf", "-inf", "LIMIT", "1", "2"}), "[c, b]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "(1", "3", "BYSCORE", "LIMIT", "0", "1"}), "[b]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "3", "(1", "BYSCORE", "REV", "WITHSCORES"}), "[c, 3, b, 2]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "1", "LIMIT", "0", "1"}),
            "(error) ERR syntax error, LIMIT is only supported in combination with either "
            "BYSCORE or BYLEX");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "x", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"}), kSyntax);
}

TEST_F(ZSetFamilyTest, RankRanges) {
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  EXPECT_EQ(h.Run({"ZRANGE", "z", "1", "2"}), "[b, c]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "-2", "100"}), "[c, d]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "3", "1"}), "[]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "0", "REV"}), "[d]");
  EXPECT_EQ(h.Run({"ZREVRANGE", "z", "0", "1", "WITHSCORES"}), "[d, 4, c, 3]");
  EXPECT_EQ(h.Run({"ZRANGE", "nokey", "0", "-1"}), "[]");
}

TEST_F(ZSetFamilyTest, LexRanges) {
  h.Run({"ZADD", "z", "0", "a", "0", "b", "0", "c", "0", "d"});
  EXPECT_EQ(h.Run({"ZRANGEBYLEX", "z", "-", "+"}), "[a, b, c, d]");
  EXPECT_EQ(h.Run({"ZRANGEBYLEX", "z", "(a", "[c"}), "[b, c]");
  EXPECT_EQ(h.Run({"ZRANGEBYLEX", "z", "-", "+", "LIMIT", "1", "2"}), "[b, c]");
  EXPECT_EQ(h.Run({"ZREVRANGEBYLEX", "z", "[c", "-"}), "[c, b, a]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "[b", "(d", "BYLEX"}), "[b, c]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "+", "[b", "BYLEX", "REV"}), "[d, c, b]");
  EXPECT_EQ(h.Run({"ZLEXCOUNT", "z", "[b", "+"}), "(integer) 3");
  EXPECT_EQ(h.Run({"ZLEXCOUNT", "z", "b", "+"}), kMinMaxLex);
  EXPECT_EQ(h.Run({"ZRANGEBYLEX", "z", "a", "b"}), kMinMaxLex);
  EXPECT_EQ(h.Run({"ZRANGE", "z", "-", "+", "BYLEX", "WITHSCORES"}),
            "(error) ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  EXPECT_EQ(h.Run({"ZREMRANGEBYLEX", "z", "[a", "(c"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "-1"}), "[c, d]");
}

TEST_F(ZSetFamilyTest, RemoveRanges) {
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d", "5", "e"});
  EXPECT_EQ(h.Run({"ZREMRANGEBYRANK", "z", "0", "1"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZREMRANGEBYRANK", "z", "x", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"ZREMRANGEBYSCORE", "z", "(3", "4"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZREMRANGEBYSCORE", "z", "x", "4"}), kMinMaxFloat);
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "-1"}), "[c, e]");
  EXPECT_EQ(h.Run({"ZREMRANGEBYRANK", "z", "0", "-1"}), "(integer) 2");
  EXPECT_EQ(h.Run({"EXISTS", "z"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZREMRANGEBYRANK", "nokey", "0", "-1"}), "(integer) 0");
}

TEST_F(ZSetFamilyTest, Pops) {
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c", "4", "d"});
  EXPECT_EQ(h.Run({"ZPOPMIN", "z"}), "[a, 1]");
  EXPECT_EQ(h.Run({"ZPOPMAX", "z", "2"}), "[d, 4, c, 3]");
  EXPECT_EQ(h.Run({"ZPOPMIN", "z", "-1"}), "(error) ERR value is out of range, must be positive");
  EXPECT_EQ(h.Run({"ZPOPMIN", "z", "1", "2"}), kSyntax);
  EXPECT_EQ(h.Run({"ZPOPMIN", "z", "0"}), "[]");
  EXPECT_EQ(h.Run({"ZPOPMIN", "z", "10"}), "[b, 2]");
  EXPECT_EQ(h.Run({"EXISTS", "z"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZPOPMIN", "z"}), "[]");
}

TEST_F(ZSetFamilyTest, RangeStore) {
  h.Run({"ZADD", "src", "1", "a", "2", "b", "3", "c"});
  EXPECT_EQ(h.Run({"ZRANGESTORE", "dst", "src", "1", "-1"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZRANGE", "dst", "0", "-1", "WITHSCORES"}), "[b, 2, c, 3]");
  EXPECT_EQ(h.Run({"ZRANGESTORE", "dst", "src", "(1", "2", "BYSCORE"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZRANGE", "dst", "0", "-1"}), "[b]");
  EXPECT_EQ(h.Run({"ZRANGESTORE", "dst", "nokey", "0", "-1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "dst"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZRANGESTORE", "dst", "src", "0", "-1", "WITHSCORES"}), kSyntax);
}

TEST_F(ZSetFamilyTest, WrongType) {
  h.Run({"SET", "s", "x"});
  for (auto cmd : std::vector<std::vector<std::string>>{{"ZADD", "s", "1", "a"},
                                                        {"ZINCRBY", "s", "1", "a"},
                                                        {"ZREM", "s", "a"},
                                                        {"ZCARD", "s"},
                                                        {"ZSCORE", "s", "a"},
                                                        {"ZMSCORE", "s", "a"},
                                                        {"ZCOUNT", "s", "0", "1"},
                                                        {"ZLEXCOUNT", "s", "-", "+"},
                                                        {"ZRANK", "s", "a"},
                                                        {"ZREVRANK", "s", "a"},
                                                        {"ZRANGE", "s", "0", "1"},
                                                        {"ZREVRANGE", "s", "0", "1"},
                                                        {"ZRANGEBYSCORE", "s", "0", "1"},
                                                        {"ZREVRANGEBYSCORE", "s", "0", "1"},
                                                        {"ZRANGEBYLEX", "s", "-", "+"},
                                                        {"ZREVRANGEBYLEX", "s", "+", "-"},
                                                        {"ZPOPMIN", "s"},
                                                        {"ZPOPMAX", "s"},
                                                        {"ZREMRANGEBYRANK", "s", "0", "1"},
                                                        {"ZREMRANGEBYSCORE", "s", "0", "1"},
                                                        {"ZREMRANGEBYLEX", "s", "-", "+"},
                                                        {"ZRANDMEMBER", "s"},
                                                        {"ZSCAN", "s", "0"},
                                                        {"ZRANGESTORE", "d", "s", "0", "1"}}) {
    EXPECT_EQ(h.Run(cmd), kWrongType) << cmd[0];
  }
  EXPECT_EQ(h.Run({"ZRANGESTORE", "s", "nokey", "0", "1"}), "(integer) 0");  // overwrites dst
  EXPECT_EQ(h.Run({"EXISTS", "s"}), "(integer) 0");
}

TEST_F(ZSetFamilyTest, EncodingsAndTtl) {
  for (int i = 0; i < 128; i++) h.Run({"ZADD", "z", std::to_string(i), "m" + std::to_string(i)});
  EXPECT_EQ(Encoding("z"), "listpack");
  h.Run({"EXPIRE", "z", "100"});
  h.Run({"ZADD", "z", "1000", "last"});
  EXPECT_EQ(Encoding("z"), "skiplist");
  EXPECT_EQ(h.Run({"TTL", "z"}), "(integer) 100");
  EXPECT_EQ(h.Run({"ZCARD", "z"}), "(integer) 129");
  EXPECT_EQ(h.Run({"ZRANK", "z", "last"}), "(integer) 128");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "1", "2", "WITHSCORES"}), "[m1, 1, m2, 2]");
  h.Run({"ZADD", "long", "1", std::string(65, 'x')});
  EXPECT_EQ(Encoding("long"), "skiplist");
  h.Run({"CONFIG", "SET", "zset-max-listpack-entries", "2"});
  h.Run({"ZADD", "c", "1", "a", "2", "b"});
  EXPECT_EQ(Encoding("c"), "listpack");
  h.Run({"ZADD", "c", "3", "c"});
  EXPECT_EQ(Encoding("c"), "skiplist");
  EXPECT_EQ(h.Run({"COPY", "z", "z2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZCARD", "z2"}), "(integer) 129");
}

TEST_F(ZSetFamilyTest, RandMember) {
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "nokey"}), "(nil)");
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "nokey", "3"}), "[]");
  h.Run({"ZADD", "z", "1", "a", "2", "b", "3", "c"});
  std::set<std::string> ok = {"a", "b", "c"};
  EXPECT_TRUE(ok.count(h.Run({"ZRANDMEMBER", "z"})));
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "5", "WITHSCORES"}), "[a, 1, b, 2, c, 3]");
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "0"}), "[]");
  std::string two = h.Run({"ZRANDMEMBER", "z", "2"});
  EXPECT_EQ(std::count(two.begin(), two.end(), ','), 1);
  std::string rep = h.Run({"ZRANDMEMBER", "z", "-5"});
  EXPECT_EQ(std::count(rep.begin(), rep.end(), ','), 4);
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "1", "x"}), kSyntax);
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"}),
            "(error) ERR value is out of range");
}

TEST_F(ZSetFamilyTest, Scan) {
  h.Run({"ZADD", "z", "1", "a", "2.5", "b"});
  EXPECT_EQ(h.Run({"ZSCAN", "z", "0"}), "[0, [a, 1, b, 2.5]]");
  EXPECT_EQ(h.Run({"ZSCAN", "z", "0", "MATCH", "b*"}), "[0, [b, 2.5]]");
  EXPECT_EQ(h.Run({"ZSCAN", "nokey", "0"}), "[0, []]");
  EXPECT_EQ(h.Run({"ZSCAN", "z", "x"}), "(error) ERR invalid cursor");
}

TEST_F(ZSetFamilyTest, Resp3Shapes) {
  h.Run({"HELLO", "3"});
  h.Run({"ZADD", "z", "1", "a", "2.5", "b"});
  EXPECT_EQ(h.Run({"ZSCORE", "z", "b"}), "(double) 2.5");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "-1", "WITHSCORES"}),
            "[[a, (double) 1], [b, (double) 2.5]]");
  EXPECT_EQ(h.Run({"ZRANGE", "z", "0", "-1"}), "[a, b]");
  EXPECT_EQ(h.Run({"ZINCRBY", "z", "1", "a"}), "(double) 2");
  EXPECT_EQ(h.Run({"ZRANK", "z", "a", "WITHSCORE"}), "[(integer) 0, (double) 2]");
  EXPECT_EQ(h.Run({"ZRANK", "z", "x", "WITHSCORE"}), "(nil)");
  EXPECT_EQ(h.Run({"ZMSCORE", "z", "a", "x"}), "[(double) 2, (nil)]");
  EXPECT_EQ(h.Run({"ZRANDMEMBER", "z", "5", "WITHSCORES"}), "[[a, (double) 2], [b, (double) 2.5]]");
  EXPECT_EQ(h.Run({"ZPOPMIN", "z"}), "[a, (double) 2]");
  EXPECT_EQ(h.Run({"ZPOPMIN", "z", "1"}), "[[b, (double) 2.5]]");
}

}  // namespace
}  // namespace ember

namespace ember {
namespace {

class ZSetOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    h.Run({"ZADD", "a", "1", "x", "2", "y", "3", "z"});
    h.Run({"ZADD", "b", "10", "y", "20", "z", "30", "w"});
    h.Run({"SADD", "s", "z", "q"});
  }
  Harness h;
};

TEST_F(ZSetOpsTest, UnionInterDiff) {
  EXPECT_EQ(h.Run({"ZUNION", "2", "a", "b", "WITHSCORES"}), "[x, 1, y, 12, z, 23, w, 30]");
  EXPECT_EQ(h.Run({"ZUNION", "2", "a", "b", "WEIGHTS", "2", "1", "AGGREGATE", "MIN"}),
            "[x, y, z, w]");
  EXPECT_EQ(h.Run({"ZINTER", "2", "a", "b", "AGGREGATE", "MAX", "WITHSCORES"}), "[y, 10, z, 20]");
  EXPECT_EQ(h.Run({"ZINTER", "2", "a", "s", "WITHSCORES"}), "[z, 4]");  // set members score 1
  EXPECT_EQ(h.Run({"ZDIFF", "2", "a", "b", "WITHSCORES"}), "[x, 1]");
  EXPECT_EQ(h.Run({"ZDIFF", "1", "a", "WEIGHTS", "1"}), kSyntax);
  EXPECT_EQ(h.Run({"ZUNION", "0", "a"}),
            "(error) ERR at least 1 input key is needed for 'zunion' command");
  EXPECT_EQ(h.Run({"ZUNION", "3", "a"}), kSyntax);
  EXPECT_EQ(h.Run({"ZUNION", "1", "a", "WEIGHTS", "x"}), "(error) ERR weight value is not a float");
  h.Run({"SET", "str", "v"});
  EXPECT_EQ(h.Run({"ZUNION", "2", "a", "str"}), kWrongType);
}

TEST_F(ZSetOpsTest, Stores) {
  EXPECT_EQ(h.Run({"ZUNIONSTORE", "d", "2", "a", "b"}), "(integer) 4");
  EXPECT_EQ(h.Run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), "[x, 1, y, 12, z, 23, w, 30]");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "d"}), "listpack");
  EXPECT_EQ(h.Run({"ZINTERSTORE", "d", "2", "a", "b", "WEIGHTS", "1", "0"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZRANGE", "d", "0", "-1", "WITHSCORES"}), "[y, 2, z, 3]");
  EXPECT_EQ(h.Run({"ZDIFFSTORE", "d", "2", "a", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "d"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZUNIONSTORE", "d", "1", "a", "WITHSCORES"}), kSyntax);
}

TEST_F(ZSetOpsTest, InterCardAndMPop) {
  EXPECT_EQ(h.Run({"ZINTERCARD", "2", "a", "b"}), "(integer) 2");
  EXPECT_EQ(h.Run({"ZINTERCARD", "2", "a", "b", "LIMIT", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"ZINTERCARD", "1", "a", "LIMIT", "-1"}), "(error) ERR LIMIT can't be negative");
  EXPECT_EQ(h.Run({"ZMPOP", "2", "nokey", "a", "MIN", "COUNT", "2"}), "[a, [[x, 1], [y, 2]]]");
  EXPECT_EQ(h.Run({"ZMPOP", "1", "a", "MAX", "COUNT", "5"}), "[a, [[z, 3]]]");
  EXPECT_EQ(h.Run({"EXISTS", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"ZMPOP", "1", "a", "MIN"}), "(nil)");
  EXPECT_EQ(h.Run({"ZMPOP", "0", "a", "MIN"}), "(error) ERR numkeys should be greater than 0");
  EXPECT_EQ(h.Run({"ZMPOP", "1", "b", "MIN", "COUNT", "0"}),
            "(error) ERR count should be greater than 0");
  EXPECT_EQ(h.Run({"ZMPOP", "1", "b", "FOO"}), kSyntax);
}

}  // namespace
}  // namespace ember
