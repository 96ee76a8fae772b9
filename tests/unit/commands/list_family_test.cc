// Unit tests for the list family (list_family.cc) through the in-process harness: replies and
// error texts as Redis gives them, WRONGTYPE, empty lists deleting their key, encodings at
// list-max-listpack-size, TTL kept across conversion, RESP2/RESP3 null shapes.
#include <gtest/gtest.h>

#include <string>

#include "command_harness.h"

namespace ember {
namespace {

using testing::Harness;
using testing::kNotInt;
using testing::kSyntax;
using testing::kWrongType;

constexpr const char* kPositive = "(error) ERR value is out of range, must be positive";

class ListFamilyTest : public ::testing::Test {
 protected:
  std::string Encoding(const std::string& key) { return h.Run({"OBJECT", "ENCODING", key}); }
  Harness h;
};

TEST_F(ListFamilyTest, PushPopBasics) {
  EXPECT_EQ(h.Run({"RPUSH", "l", "a", "b", "c"}), "(integer) 3");
  EXPECT_EQ(h.Run({"LPUSH", "l", "x", "y"}), "(integer) 5");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[y, x, a, b, c]");
  EXPECT_EQ(h.Run({"LLEN", "l"}), "(integer) 5");
  EXPECT_EQ(h.Run({"LPOP", "l"}), "y");
  EXPECT_EQ(h.Run({"RPOP", "l"}), "c");
  EXPECT_EQ(h.Run({"LPOP", "l", "2"}), "[x, a]");
  EXPECT_EQ(h.Run({"RPOP", "l", "0"}), "[]");
  EXPECT_EQ(h.Run({"RPOP", "l", "5"}), "[b]");
  EXPECT_EQ(h.Run({"EXISTS", "l"}), "(integer) 0");
  EXPECT_EQ(h.Run({"LPOP", "l"}), "(nil)");
  EXPECT_EQ(h.RunRaw({"LPOP", "l", "1"}), "*-1\r\n");
  EXPECT_EQ(h.Run({"LPOP", "l", "1", "1"}),
            "(error) ERR wrong number of arguments for 'lpop' command");
  EXPECT_EQ(h.RunRaw({"LPOP", "l"}), "$-1\r\n");
  EXPECT_EQ(h.Run({"LPOP", "l", "-1"}), kPositive);
  EXPECT_EQ(h.Run({"LPOP", "l", "x"}), kPositive);
  EXPECT_EQ(h.Run({"LLEN", "nokey"}), "(integer) 0");
  EXPECT_EQ(h.Run({"LPUSH", "l"}), "(error) ERR wrong number of arguments for 'lpush' command");
}

TEST_F(ListFamilyTest, PushXOnlyExisting) {
  EXPECT_EQ(h.Run({"LPUSHX", "l", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"RPUSHX", "l", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "l"}), "(integer) 0");
  h.Run({"RPUSH", "l", "m"});
  EXPECT_EQ(h.Run({"LPUSHX", "l", "a", "b"}), "(integer) 3");
  EXPECT_EQ(h.Run({"RPUSHX", "l", "z"}), "(integer) 4");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[b, a, m, z]");
}

TEST_F(ListFamilyTest, WrongType) {
  h.Run({"SET", "s", "x"});
  for (auto cmd : std::vector<std::vector<std::string>>{{"LPUSH", "s", "a"},
                                                        {"RPUSHX", "s", "a"},
                                                        {"LPOP", "s"},
                                                        {"RPOP", "s", "2"},
                                                        {"LLEN", "s"},
                                                        {"LRANGE", "s", "0", "1"},
                                                        {"LINDEX", "s", "0"},
                                                        {"LSET", "s", "0", "x"},
                                                        {"LINSERT", "s", "BEFORE", "a", "b"},
                                                        {"LREM", "s", "0", "a"},
                                                        {"LTRIM", "s", "0", "1"},
                                                        {"LPOS", "s", "a"},
                                                        {"LMPOP", "1", "s", "LEFT"},
                                                        {"RPOPLPUSH", "s", "d"}}) {
    EXPECT_EQ(h.Run(cmd), kWrongType) << cmd[0];
  }
  h.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(h.Run({"LMOVE", "l", "s", "LEFT", "RIGHT"}), kWrongType);
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[a]");  // nothing popped
  EXPECT_EQ(h.Run({"LMOVE", "nokey", "s", "LEFT", "RIGHT"}), "(nil)");
}

TEST_F(ListFamilyTest, IndexSetRange) {
  h.Run({"RPUSH", "l", "a", "b", "c", "d"});
  EXPECT_EQ(h.Run({"LINDEX", "l", "0"}), "a");
  EXPECT_EQ(h.Run({"LINDEX", "l", "-1"}), "d");
  EXPECT_EQ(h.Run({"LINDEX", "l", "4"}), "(nil)");
  EXPECT_EQ(h.Run({"LINDEX", "l", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"LINDEX", "nokey", "x"}), "(nil)");
  EXPECT_EQ(h.Run({"LSET", "l", "-2", "C"}), "OK");
  EXPECT_EQ(h.Run({"LSET", "l", "4", "x"}), "(error) ERR index out of range");
  EXPECT_EQ(h.Run({"LSET", "nokey", "0", "x"}), "(error) ERR no such key");
  EXPECT_EQ(h.Run({"LSET", "l", "x", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"LRANGE", "l", "1", "2"}), "[b, C]");
  EXPECT_EQ(h.Run({"LRANGE", "l", "-100", "100"}), "[a, b, C, d]");
  EXPECT_EQ(h.Run({"LRANGE", "l", "3", "1"}), "[]");
  EXPECT_EQ(h.Run({"LRANGE", "l", "5", "10"}), "[]");
  EXPECT_EQ(h.Run({"LRANGE", "l", "a", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"LRANGE", "nokey", "0", "-1"}), "[]");
}

TEST_F(ListFamilyTest, InsertRemTrim) {
  h.Run({"RPUSH", "l", "a", "b", "a", "c", "a"});
  EXPECT_EQ(h.Run({"LINSERT", "l", "BEFORE", "b", "X"}), "(integer) 6");
  EXPECT_EQ(h.Run({"LINSERT", "l", "after", "c", "Y"}), "(integer) 7");
  EXPECT_EQ(h.Run({"LINSERT", "l", "AFTER", "zz", "Y"}), "(integer) -1");
  EXPECT_EQ(h.Run({"LINSERT", "nokey", "AFTER", "zz", "Y"}), "(integer) 0");
  EXPECT_EQ(h.Run({"LINSERT", "l", "MIDDLE", "a", "Y"}), kSyntax);
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[a, X, b, a, c, Y, a]");
  EXPECT_EQ(h.Run({"LREM", "l", "-1", "a"}), "(integer) 1");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[a, X, b, a, c, Y]");
  EXPECT_EQ(h.Run({"LREM", "l", "0", "a"}), "(integer) 2");
  EXPECT_EQ(h.Run({"LREM", "l", "0", "zz"}), "(integer) 0");
  EXPECT_EQ(h.Run({"LREM", "l", "x", "a"}), kNotInt);
  EXPECT_EQ(h.Run({"LREM", "nokey", "1", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"LTRIM", "l", "1", "-2"}), "OK");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[b, c]");
  EXPECT_EQ(h.Run({"LTRIM", "l", "a", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"LTRIM", "nokey", "0", "1"}), "OK");
  EXPECT_EQ(h.Run({"LTRIM", "l", "5", "1"}), "OK");
  EXPECT_EQ(h.Run({"EXISTS", "l"}), "(integer) 0");
  h.Run({"RPUSH", "l", "a"});
  EXPECT_EQ(h.Run({"LREM", "l", "1", "a"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "l"}), "(integer) 0");
}

TEST_F(ListFamilyTest, Pos) {
  h.Run({"RPUSH", "l", "a", "b", "c", "a", "b", "c", "a"});
  EXPECT_EQ(h.Run({"LPOS", "l", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "RANK", "2"}), "(integer) 3");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "RANK", "-1"}), "(integer) 6");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "RANK", "-2", "COUNT", "0"}), "[(integer) 3, (integer) 0]");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "COUNT", "0"}), "[(integer) 0, (integer) 3, (integer) 6]");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "COUNT", "2"}), "[(integer) 0, (integer) 3]");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "COUNT", "0", "MAXLEN", "4"}), "[(integer) 0, (integer) 3]");
  EXPECT_EQ(h.Run({"LPOS", "l", "c", "MAXLEN", "2"}), "(nil)");
  EXPECT_EQ(h.Run({"LPOS", "l", "zz"}), "(nil)");
  EXPECT_EQ(h.Run({"LPOS", "l", "zz", "COUNT", "1"}), "[]");
  EXPECT_EQ(h.Run({"LPOS", "nokey", "zz"}), "(nil)");
  EXPECT_EQ(h.Run({"LPOS", "nokey", "zz", "COUNT", "1"}), "[]");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "RANK", "0"}),
            "(error) ERR RANK can't be zero: use 1 to start from the first match, 2 from the "
            "second ... or use negative to start from the end of the list");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "COUNT", "-1"}), "(error) ERR COUNT can't be negative");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "MAXLEN", "-1"}), "(error) ERR MAXLEN can't be negative");
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "RANK", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "RANK"}), kSyntax);
  EXPECT_EQ(h.Run({"LPOS", "l", "a", "FOO", "1"}), kSyntax);
}

TEST_F(ListFamilyTest, MoveAndRPopLPush) {
  h.Run({"RPUSH", "src", "a", "b", "c"});
  EXPECT_EQ(h.Run({"LMOVE", "src", "dst", "LEFT", "RIGHT"}), "a");
  EXPECT_EQ(h.Run({"LMOVE", "src", "dst", "right", "left"}), "c");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[c, a]");
  EXPECT_EQ(h.Run({"RPOPLPUSH", "src", "dst"}), "b");
  EXPECT_EQ(h.Run({"EXISTS", "src"}), "(integer) 0");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[b, c, a]");
  EXPECT_EQ(h.Run({"RPOPLPUSH", "dst", "dst"}), "a");  // rotation
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[a, b, c]");
  EXPECT_EQ(h.Run({"LMOVE", "dst", "dst", "LEFT", "LEFT"}), "a");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[a, b, c]");
  EXPECT_EQ(h.Run({"LMOVE", "nokey", "dst", "LEFT", "LEFT"}), "(nil)");
  EXPECT_EQ(h.Run({"LMOVE", "dst", "x", "UP", "LEFT"}), kSyntax);
  h.Run({"RPUSH", "one", "x"});
  EXPECT_EQ(h.Run({"RPOPLPUSH", "one", "one"}), "x");
  EXPECT_EQ(h.Run({"LRANGE", "one", "0", "-1"}), "[x]");
}

TEST_F(ListFamilyTest, MPop) {
  h.Run({"RPUSH", "b", "1", "2", "3"});
  EXPECT_EQ(h.Run({"LMPOP", "2", "a", "b", "LEFT"}), "[b, [1]]");
  EXPECT_EQ(h.Run({"LMPOP", "2", "a", "b", "RIGHT", "COUNT", "5"}), "[b, [3, 2]]");
  EXPECT_EQ(h.Run({"LMPOP", "2", "a", "b", "RIGHT"}), "(nil)");
  EXPECT_EQ(h.RunRaw({"LMPOP", "1", "a", "LEFT"}), "*-1\r\n");
  const char* kNumkeys = "(error) ERR numkeys should be greater than 0";
  const char* kCount = "(error) ERR count should be greater than 0";
  EXPECT_EQ(h.Run({"LMPOP", "0", "a", "LEFT"}), kNumkeys);
  EXPECT_EQ(h.Run({"LMPOP", "x", "a", "LEFT"}), kNumkeys);
  EXPECT_EQ(h.Run({"LMPOP", "3", "a", "LEFT"}), kSyntax);
  EXPECT_EQ(h.Run({"LMPOP", "1", "a", "MIDDLE"}), kSyntax);
  EXPECT_EQ(h.Run({"LMPOP", "1", "a", "LEFT", "COUNT", "0"}), kCount);
  EXPECT_EQ(h.Run({"LMPOP", "1", "a", "LEFT", "COUNT", "x"}), kCount);
  EXPECT_EQ(h.Run({"LMPOP", "1", "a", "LEFT", "COUNT", "1", "COUNT", "1"}), kSyntax);
  EXPECT_EQ(h.Run({"LMPOP", "1", "a", "LEFT", "FOO"}), kSyntax);
  EXPECT_EQ(h.Run({"LMPOP", "1", "a"}),
            "(error) ERR wrong number of arguments for 'lmpop' command");
}

TEST_F(ListFamilyTest, Resp3Nulls) {
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"LPOP", "nokey", "2"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"LPOP", "nokey"}), "_\r\n");
  EXPECT_EQ(h.RunRaw({"LMPOP", "1", "nokey", "LEFT"}), "_\r\n");
}

TEST_F(ListFamilyTest, EncodingThresholdsAndTtl) {
  h.Run({"CONFIG", "SET", "list-max-listpack-size", "4"});
  h.Run({"RPUSH", "l", "1", "2", "3", "4"});
  EXPECT_EQ(Encoding("l"), "listpack");
  h.Run({"EXPIRE", "l", "100"});
  h.Run({"RPUSH", "l", "5"});
  EXPECT_EQ(Encoding("l"), "quicklist");
  EXPECT_EQ(h.Run({"TTL", "l"}), "(integer) 100");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[1, 2, 3, 4, 5]");
  h.Run({"RPOP", "l", "3"});
  EXPECT_EQ(Encoding("l"), "listpack");
  EXPECT_EQ(h.Run({"TTL", "l"}), "(integer) 100");
  h.Run({"CONFIG", "SET", "list-max-listpack-size", "-2"});
  for (int i = 0; i < 128; i++) h.Run({"RPUSH", "small", "element:" + std::to_string(i)});
  EXPECT_EQ(Encoding("small"), "listpack");
  h.Run({"RPUSH", "small", std::string(9000, 'x')});
  EXPECT_EQ(Encoding("small"), "quicklist");
  h.Run({"RPOP", "small"});
  EXPECT_EQ(Encoding("small"), "listpack");
  EXPECT_EQ(h.Run({"LLEN", "small"}), "(integer) 128");
  EXPECT_EQ(h.Run({"LINDEX", "small", "127"}), "element:127");
}

TEST_F(ListFamilyTest, LargeListAcrossNodes) {
  h.Run({"CONFIG", "SET", "list-max-listpack-size", "8"});
  for (int i = 0; i < 100; i++) h.Run({"RPUSH", "l", std::to_string(i)});
  EXPECT_EQ(h.Run({"LINDEX", "l", "57"}), "57");
  EXPECT_EQ(h.Run({"LSET", "l", "57", "x"}), "OK");
  EXPECT_EQ(h.Run({"LINSERT", "l", "BEFORE", "x", "y"}), "(integer) 101");
  EXPECT_EQ(h.Run({"LRANGE", "l", "55", "59"}), "[55, 56, y, x, 58]");
  EXPECT_EQ(h.Run({"LPOS", "l", "x"}), "(integer) 58");
  EXPECT_EQ(h.Run({"LTRIM", "l", "50", "60"}), "OK");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[50, 51, 52, 53, 54, 55, 56, y, x, 58, 59]");
  EXPECT_EQ(Encoding("l"), "quicklist");
}

TEST_F(ListFamilyTest, CommandInfo) {
  EXPECT_EQ(h.Run({"COMMAND", "COUNT"}).empty(), false);
  std::string info = h.Run({"COMMAND", "INFO", "lmpop"});
  EXPECT_NE(info.find("movablekeys"), std::string::npos) << info;
  info = h.Run({"COMMAND", "INFO", "lmove"});
  EXPECT_NE(info.find("(integer) 2"), std::string::npos) << info;
}

}  // namespace
}  // namespace ember
