// Unit tests for the blocking list and sorted-set commands (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH,
// BLMPOP in list_family.cc; BZPOPMIN, BZPOPMAX, BZMPOP in zset_blocking.cc) and CLIENT
// UNBLOCK's argument checks: immediate replies (RESP2 and RESP3), Redis's argument errors in
// Redis's order, the replies where a command cannot block (the harness's own client runs
// commands directly, like EXEC and scripts do) and on timeout, and a wake-up for each command.
// Texts and reply shapes were checked against redis-server 7.0.15.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

// A fake client fed through its query buffer, so that it can block (see blocking_test.cc).
class Conn {
 public:
  explicit Conn(Server& s) : c_(s.CreateFakeClient()) {}
  void Send(const std::vector<std::string>& args) {
    std::string bytes = "*" + std::to_string(args.size()) + "\r\n";
    for (const std::string& a : args) bytes += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    c_->qbuf.Append(bytes);
    c_->ProcessInput();
  }
  // Everything received since the last call: rendered (Harness::Render), or raw.
  std::string Reply() {
    size_t pos = 0;
    std::string out = c_->obuf.empty() ? "" : Harness::Render(c_->obuf, &pos);
    c_->obuf.clear();
    return out;
  }
  std::string Raw() {
    std::string out = c_->obuf;
    c_->obuf.clear();
    return out;
  }
  bool blocked() const { return c_->flags & kClientBlocked; }
  uint64_t id() const { return c_->id; }

 private:
  Client* c_;
};

// Sends `args` from a fresh connection that blocks, pushes with `push` from the harness's
// client, and returns what the blocked connection received.
std::string WokenBy(Harness& h, const std::vector<std::string>& args,
                    const std::vector<std::string>& push) {
  Conn w(h.server());
  w.Send(args);
  if (!w.blocked()) return "not blocked: " + w.Reply();
  Conn p(h.server());
  p.Send(push);
  return w.Reply();
}

// Blocks with `args`, lets the deadline pass and returns the raw timeout reply.
std::string TimeoutReply(Harness& h, const std::vector<std::string>& args) {
  Conn w(h.server());
  w.Send(args);
  if (!w.blocked()) return "not blocked: " + w.Raw();
  h.clock().AdvanceMs(100);
  h.server().Cron();
  return w.Raw();
}

// --- BLPOP / BRPOP ----------------------------------------------------------------------------

TEST(BlockingFamilyTest, BLPopImmediate) {
  Harness h;
  h.Run({"RPUSH", "b", "1", "2", "3"});
  EXPECT_EQ(h.Run({"BLPOP", "a", "b", "0"}), "[b, 1]");
  EXPECT_EQ(h.Run({"BRPOP", "a", "b", "0"}), "[b, 3]");
  EXPECT_EQ(h.Run({"BRPOP", "b", "0"}), "[b, 2]");
  EXPECT_EQ(h.Run({"EXISTS", "b"}), "(integer) 0");
  // Keys are checked in order: a wrong type before a list is an error, after it is not seen.
  h.Run({"SET", "s", "x"});
  h.Run({"RPUSH", "l", "v"});
  EXPECT_EQ(h.Run({"BLPOP", "nx", "s", "l", "0"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(h.Run({"BLPOP", "l", "s", "0"}), "[l, v]");
}

TEST(BlockingFamilyTest, BLPopCannotBlockRepliesNullArray) {
  Harness h;
  EXPECT_EQ(h.RunRaw({"BLPOP", "nx", "0"}), "*-1\r\n");
  EXPECT_EQ(h.RunRaw({"BRPOP", "nx", "nx2", "1"}), "*-1\r\n");
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"BLPOP", "nx", "0"}), "_\r\n");
}

TEST(BlockingFamilyTest, TimeoutErrors) {
  Harness h;
  EXPECT_EQ(h.Run({"BLPOP", "k", "-1"}), "(error) ERR timeout is negative");
  EXPECT_EQ(h.Run({"BLPOP", "k", "abc"}), "(error) ERR timeout is not a float or out of range");
  EXPECT_EQ(h.Run({"BRPOP", "k", "inf"}), "(error) ERR timeout is out of range");
  EXPECT_EQ(h.Run({"BZPOPMIN", "k", "nan"}), "(error) ERR timeout is not a float or out of range");
  EXPECT_EQ(h.Run({"BRPOPLPUSH", "a", "b", "-0.5"}), "(error) ERR timeout is negative");
  EXPECT_EQ(h.Run({"BLMOVE", "a", "b", "LEFT", "LEFT", "x"}),
            "(error) ERR timeout is not a float or out of range");
  EXPECT_EQ(h.Run({"BLPOP", "k"}), "(error) ERR wrong number of arguments for 'blpop' command");
}

TEST(BlockingFamilyTest, BLPopWakesUp) {
  Harness h;
  EXPECT_EQ(WokenBy(h, {"BLPOP", "a", "b", "0"}, {"RPUSH", "b", "x", "y"}), "[b, x]");
  EXPECT_EQ(WokenBy(h, {"BRPOP", "c", "0"}, {"RPUSH", "c", "x", "y"}), "[c, y]");
  EXPECT_EQ(TimeoutReply(h, {"BLPOP", "nx", "0.1"}), "*-1\r\n");
}

// --- BLMOVE / BRPOPLPUSH ----------------------------------------------------------------------

TEST(BlockingFamilyTest, BLMoveImmediate) {
  Harness h;
  h.Run({"RPUSH", "src", "1", "2", "3", "4"});
  EXPECT_EQ(h.Run({"BLMOVE", "src", "dst", "LEFT", "RIGHT", "0"}), "1");
  EXPECT_EQ(h.Run({"BLMOVE", "src", "dst", "right", "left", "0"}), "4");
  EXPECT_EQ(h.Run({"BLMOVE", "src", "dst", "LEFT", "LEFT", "0"}), "2");
  EXPECT_EQ(h.Run({"BRPOPLPUSH", "src", "dst", "0"}), "3");
  EXPECT_EQ(h.Run({"LRANGE", "dst", "0", "-1"}), "[3, 2, 4, 1]");
  EXPECT_EQ(h.Run({"EXISTS", "src"}), "(integer) 0");
  h.Run({"RPUSH", "self", "a", "b"});
  EXPECT_EQ(h.Run({"BLMOVE", "self", "self", "LEFT", "RIGHT", "0"}), "a");
  EXPECT_EQ(h.Run({"LRANGE", "self", "0", "-1"}), "[b, a]");
}

TEST(BlockingFamilyTest, BLMoveErrors) {
  Harness h;
  h.Run({"SET", "s", "x"});
  h.Run({"RPUSH", "l", "v"});
  EXPECT_EQ(h.Run({"BLMOVE", "l", "s", "LEFT", "UP", "0"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"BLMOVE", "l", "s", "UP", "LEFT", "-1"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"BLMOVE", "l", "s", "LEFT", "LEFT", "-1"}), "(error) ERR timeout is negative");
  EXPECT_EQ(h.Run({"BLMOVE", "s", "l", "LEFT", "LEFT", "0"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(h.Run({"BLMOVE", "l", "s", "LEFT", "LEFT", "0"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(h.Run({"LRANGE", "l", "0", "-1"}), "[v]");
  EXPECT_EQ(h.Run({"BRPOPLPUSH", "a", "b"}),
            "(error) ERR wrong number of arguments for 'brpoplpush' command");
}

TEST(BlockingFamilyTest, BLMoveCannotBlockRepliesNullBulk) {
  Harness h;
  EXPECT_EQ(h.RunRaw({"BLMOVE", "nx", "d", "LEFT", "LEFT", "0"}), "$-1\r\n");
  EXPECT_EQ(h.RunRaw({"BRPOPLPUSH", "nx", "d", "0"}), "$-1\r\n");
}

TEST(BlockingFamilyTest, BLMoveWakesUpAndTimesOutWithNullArray) {
  Harness h;
  EXPECT_EQ(WokenBy(h, {"BLMOVE", "a", "b", "RIGHT", "LEFT", "0"}, {"RPUSH", "a", "1", "2"}), "2");
  EXPECT_EQ(h.Run({"LRANGE", "b", "0", "-1"}), "[2]");
  EXPECT_EQ(WokenBy(h, {"BRPOPLPUSH", "c", "b", "0"}, {"RPUSH", "c", "x"}), "x");
  EXPECT_EQ(h.Run({"LRANGE", "b", "0", "-1"}), "[x, 2]");
  // Redis answers a timed-out BLMOVE with a null array, not the null bulk of MULTI.
  EXPECT_EQ(TimeoutReply(h, {"BLMOVE", "nx", "b", "LEFT", "LEFT", "0.05"}), "*-1\r\n");
  EXPECT_EQ(TimeoutReply(h, {"BRPOPLPUSH", "nx", "b", "0.05"}), "*-1\r\n");
}

TEST(BlockingFamilyTest, ServedBLMoveWithWrongDestinationFails) {
  Harness h;
  h.Run({"SET", "dst", "x"});
  EXPECT_EQ(WokenBy(h, {"BRPOPLPUSH", "src", "dst", "0"}, {"RPUSH", "src", "a", "b", "c"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
  EXPECT_EQ(h.Run({"LRANGE", "src", "0", "-1"}), "[a, b, c]");
}

// --- BLMPOP -----------------------------------------------------------------------------------

TEST(BlockingFamilyTest, BLMPopArguments) {
  Harness h;
  h.Run({"SET", "s", "x"});
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"BLMPOP", "0", "0", "l", "LEFT"}, "(error) ERR numkeys should be greater than 0"},
      {{"BLMPOP", "0", "abc", "l", "LEFT"}, "(error) ERR numkeys should be greater than 0"},
      {{"BLMPOP", "-1", "1", "l", "LEFT"}, "(error) ERR timeout is negative"},
      {{"BLMPOP", "abc", "1", "l", "LEFT"}, "(error) ERR timeout is not a float or out of range"},
      {{"BLMPOP", "0", "2", "l", "LEFT"}, "(error) ERR syntax error"},
      {{"BLMPOP", "0", "9223372036854775807", "l", "LEFT"}, "(error) ERR syntax error"},
      {{"BLMPOP", "0", "1", "l", "UP"}, "(error) ERR syntax error"},
      {{"BLMPOP", "-1", "1", "l", "UP"}, "(error) ERR syntax error"},
      {{"BLMPOP", "0", "1", "l", "LEFT", "COUNT", "0"},
       "(error) ERR count should be greater than 0"},
      {{"BLMPOP", "-1", "1", "l", "LEFT", "COUNT", "0"},
       "(error) ERR count should be greater than 0"},
      {{"BLMPOP", "0", "1", "l", "LEFT", "COUNT", "1", "COUNT", "1"}, "(error) ERR syntax error"},
      {{"BLMPOP", "0", "1", "l", "LEFT", "COUNT"}, "(error) ERR syntax error"},
      {{"BLMPOP", "0", "1", "l", "LEFT", "foo"}, "(error) ERR syntax error"},
      {{"BLMPOP", "0", "1", "s", "LEFT"},
       "(error) WRONGTYPE Operation against a key holding the wrong kind of value"},
      {{"BLMPOP", "0", "1", "l"}, "(error) ERR wrong number of arguments for 'blmpop' command"},
  };
  for (const auto& [args, want] : cases) EXPECT_EQ(h.Run(args), want) << args[2] << args[3];
}

TEST(BlockingFamilyTest, BLMPop) {
  Harness h;
  h.Run({"RPUSH", "l2", "a", "b", "c"});
  EXPECT_EQ(h.Run({"BLMPOP", "0", "2", "l1", "l2", "LEFT"}), "[l2, [a]]");
  EXPECT_EQ(h.Run({"BLMPOP", "0", "2", "l1", "l2", "RIGHT", "COUNT", "5"}), "[l2, [c, b]]");
  EXPECT_EQ(h.RunRaw({"BLMPOP", "0", "1", "l2", "LEFT"}), "*-1\r\n");
  EXPECT_EQ(WokenBy(h, {"BLMPOP", "0", "2", "x", "y", "LEFT", "COUNT", "2"},
                    {"RPUSH", "y", "1", "2", "3"}),
            "[y, [1, 2]]");
  EXPECT_EQ(TimeoutReply(h, {"BLMPOP", "0.01", "1", "nx", "LEFT"}), "*-1\r\n");
}

// --- BZPOPMIN / BZPOPMAX ----------------------------------------------------------------------

TEST(BlockingFamilyTest, BZPopImmediate) {
  Harness h;
  h.Run({"ZADD", "z", "1.5", "a", "2", "b", "3", "c"});
  EXPECT_EQ(h.RunRaw({"BZPOPMIN", "nx", "z", "0"}), "*3\r\n$1\r\nz\r\n$1\r\na\r\n$3\r\n1.5\r\n");
  EXPECT_EQ(h.Run({"BZPOPMAX", "z", "0"}), "[z, c, 3]");
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"BZPOPMIN", "z", "0"}), "*3\r\n$1\r\nz\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(h.Run({"EXISTS", "z"}), "(integer) 0");
  EXPECT_EQ(h.RunRaw({"BZPOPMIN", "z", "0"}), "_\r\n");
  h.Run({"SET", "s", "x"});
  EXPECT_EQ(h.Run({"BZPOPMAX", "nx", "s", "0"}),
            "(error) WRONGTYPE Operation against a key holding the wrong kind of value");
}

TEST(BlockingFamilyTest, BZPopWakesUp) {
  Harness h;
  EXPECT_EQ(WokenBy(h, {"BZPOPMIN", "z1", "z2", "0"}, {"ZADD", "z2", "5", "m", "1", "n"}),
            "[z2, n, 1]");
  EXPECT_EQ(WokenBy(h, {"BZPOPMAX", "z3", "0"}, {"ZADD", "z3", "5", "m", "1", "n"}), "[z3, m, 5]");
  EXPECT_EQ(TimeoutReply(h, {"BZPOPMAX", "nx", "0.01"}), "*-1\r\n");
  // A list does not serve a zset waiter.
  EXPECT_EQ(WokenBy(h, {"BZPOPMIN", "k", "0"}, {"RPUSH", "k", "v"}), "");
}

// --- BZMPOP -----------------------------------------------------------------------------------

TEST(BlockingFamilyTest, BZMPopArguments) {
  Harness h;
  h.Run({"SET", "s", "x"});
  const std::pair<std::vector<std::string>, std::string> cases[] = {
      {{"BZMPOP", "0", "0", "z", "MIN"}, "(error) ERR numkeys should be greater than 0"},
      {{"BZMPOP", "0", "abc", "z", "MIN"}, "(error) ERR numkeys should be greater than 0"},
      {{"BZMPOP", "0", "-1", "z", "MAX"}, "(error) ERR numkeys should be greater than 0"},
      {{"BZMPOP", "-1", "1", "z", "MIN"}, "(error) ERR timeout is negative"},
      {{"BZMPOP", "abc", "1", "z", "MIN"}, "(error) ERR timeout is not a float or out of range"},
      {{"BZMPOP", "0", "1", "z", "bad_where"}, "(error) ERR syntax error"},
      {{"BZMPOP", "0", "1", "z", "MIN", "bar_arg"}, "(error) ERR syntax error"},
      {{"BZMPOP", "0", "1", "z", "MAX", "MIN"}, "(error) ERR syntax error"},
      {{"BZMPOP", "0", "1", "z", "COUNT"}, "(error) ERR syntax error"},
      {{"BZMPOP", "0", "1", "z", "MIN", "COUNT", "1", "COUNT", "2"}, "(error) ERR syntax error"},
      {{"BZMPOP", "0", "2", "z", "z2", "bad_arg"}, "(error) ERR syntax error"},
      {{"BZMPOP", "0", "2", "z", "MIN"}, "(error) ERR syntax error"},
      {{"BZMPOP", "0", "1", "z", "MIN", "COUNT", "0"},
       "(error) ERR count should be greater than 0"},
      {{"BZMPOP", "0", "1", "z", "MAX", "COUNT", "a"},
       "(error) ERR count should be greater than 0"},
      {{"BZMPOP", "0", "1", "z", "MIN", "COUNT", "-1"},
       "(error) ERR count should be greater than 0"},
      {{"BZMPOP", "0", "1", "s", "MIN"},
       "(error) WRONGTYPE Operation against a key holding the wrong kind of value"},
      {{"BZMPOP", "0", "1", "z"}, "(error) ERR wrong number of arguments for 'bzmpop' command"},
  };
  for (const auto& [args, want] : cases) EXPECT_EQ(h.Run(args), want) << args[2] << args[4];
}

TEST(BlockingFamilyTest, BZMPop) {
  Harness h;
  h.Run({"ZADD", "z", "1.5", "a", "2", "b"});
  EXPECT_EQ(h.RunRaw({"BZMPOP", "0", "2", "nx", "z", "MAX", "COUNT", "5"}),
            "*2\r\n$1\r\nz\r\n*2\r\n*2\r\n$1\r\nb\r\n$1\r\n2\r\n*2\r\n$1\r\na\r\n$3\r\n1.5\r\n");
  h.Run({"ZADD", "z", "2", "b"});
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"BZMPOP", "0", "1", "z", "MIN"}),
            "*2\r\n$1\r\nz\r\n*1\r\n*2\r\n$1\r\nb\r\n,2\r\n");
  EXPECT_EQ(h.RunRaw({"BZMPOP", "0", "1", "z", "MIN"}), "_\r\n");
  EXPECT_EQ(WokenBy(h, {"BZMPOP", "0", "1", "q", "MIN", "COUNT", "10"}, {"ZADD", "q", "1", "m"}),
            "[q, [[m, 1]]]");
  EXPECT_EQ(TimeoutReply(h, {"BZMPOP", "0.01", "1", "nx", "MIN"}), "*-1\r\n");
}

TEST(BlockingFamilyTest, BZMPopBlocksOnKeysOnly) {
  Harness h;
  Conn w(h.server());
  w.Send({"BZMPOP", "0", "1", "myzset", "MIN", "COUNT", "10"});
  ASSERT_TRUE(w.blocked());
  for (const char* key : {"0", "1", "MIN", "COUNT", "10"}) h.Run({"ZADD", key, "1", "m"});
  h.server().blocking().Serve();
  EXPECT_TRUE(w.blocked());
  Conn p(h.server());
  p.Send({"ZADD", "myzset", "1", "zset"});
  EXPECT_EQ(w.Reply(), "[myzset, [[zset, 1]]]");
}

// --- CLIENT UNBLOCK arguments -----------------------------------------------------------------

TEST(BlockingFamilyTest, ClientUnblockArguments) {
  Harness h;
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK", "abc"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK", "abc", "foo"}),
            "(error) ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK", "1", "foo"}),
            "(error) ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
  EXPECT_EQ(h.Run({"CLIENT", "unblock", "1", "error", "x"}),
            "(error) ERR unknown subcommand or wrong number of arguments for 'unblock'. Try "
            "CLIENT HELP.");
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK"}),
            "(error) ERR wrong number of arguments for 'client|unblock' command");
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK", "0"}), "(integer) 0");
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK", "-5"}), "(integer) 0");
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK", "99999", "TIMEOUT"}), "(integer) 0");
  EXPECT_EQ(h.Run({"CLIENT", "UNBLOCK", std::to_string(h.client().id)}), "(integer) 0");
}

TEST(BlockingFamilyTest, CommandRows) {
  Harness h;
  std::string info = h.Run({"COMMAND", "INFO", "blpop"});
  EXPECT_NE(info.find("[blpop, (integer) -3, [write, blocking], (integer) 1, (integer) -2"),
            std::string::npos)
      << info;
  EXPECT_NE(info.find("@blocking"), std::string::npos) << info;
  EXPECT_NE(h.Run({"COMMAND", "INFO", "blmpop"}).find("movablekeys"), std::string::npos);
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "BZMPOP", "0", "2", "a", "b", "MIN"}), "[a, b]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "BLMOVE", "a", "b", "LEFT", "LEFT", "0"}), "[a, b]");
  EXPECT_EQ(h.Run({"COMMAND", "GETKEYS", "BLPOP", "a", "b", "0"}), "[a, b]");
}

}  // namespace
}  // namespace ember
