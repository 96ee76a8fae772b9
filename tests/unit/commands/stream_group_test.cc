// Unit tests for the stream consumer-group commands (stream_group_family.cc, stream_info.cc)
// through the in-process harness: XGROUP, XREADGROUP, XACK, XPENDING, XCLAIM, XAUTOCLAIM and
// XINFO, with a manual clock for idle times. Blocking XREADGROUP is covered by the
// integration tests (the harness client cannot block: it gets the timeout reply).
#include <gtest/gtest.h>

#include <string>

#include "command_harness.h"

namespace ember {
namespace {

using testing::Harness;

constexpr const char* kNoGroupRead =
    "(error) NOGROUP No such key 's' or consumer group 'g' in XREADGROUP with GROUP option";

class StreamGroupTest : public ::testing::Test {
 protected:
  void SetUp() override { h.clock().SetMs(1'000'000); }
  // s: 1-0 a 1, 2-0 b 2, 3-0 c 3; group g at 0-0.
  void Fill() {
    ASSERT_EQ(h.Run({"XADD", "s", "1-0", "a", "1"}), "1-0");
    ASSERT_EQ(h.Run({"XADD", "s", "2-0", "b", "2"}), "2-0");
    ASSERT_EQ(h.Run({"XADD", "s", "3-0", "c", "3"}), "3-0");
    ASSERT_EQ(h.Run({"XGROUP", "CREATE", "s", "g", "0"}), "OK");
  }
  Harness h;
};

TEST_F(StreamGroupTest, CreateErrors) {
  EXPECT_EQ(h.Run({"XGROUP", "CREATE", "s", "g", "$"}),
            "(error) ERR The XGROUP subcommand requires the key to exist. Note that for CREATE "
            "you may want to use the MKSTREAM option to create an empty stream automatically.");
  EXPECT_EQ(h.Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"}), "OK");
  EXPECT_EQ(h.Run({"TYPE", "s"}), "stream");
  EXPECT_EQ(h.Run({"XGROUP", "CREATE", "s", "g", "$"}),
            "(error) BUSYGROUP Consumer Group name already exists");
  EXPECT_EQ(h.Run({"XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "-3"}),
            "(error) ERR value for ENTRIESREAD must be positive or -1");
  EXPECT_EQ(h.Run({"XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "x"}), testing::kNotInt);
  EXPECT_EQ(h.Run({"XGROUP", "Create", "s", "g2", "0", "foo"}),
            "(error) ERR unknown subcommand or wrong number of arguments for 'Create'. Try "
            "XGROUP HELP.");
  EXPECT_EQ(
      h.Run({"XGROUP", "CREATE", "s", "g2", "0", "MKSTREAM", "MKSTREAM", "MKSTREAM", "MKSTREAM"}),
      "(error) ERR unknown subcommand or wrong number of arguments for 'CREATE'. Try "
      "XGROUP HELP.");
  EXPECT_EQ(h.Run({"XGROUP", "CREATE", "s", "g2", "-"}),
            "(error) ERR Invalid stream ID specified as stream command argument");
  EXPECT_EQ(h.Run({"SET", "str", "v"}), "OK");
  EXPECT_EQ(h.Run({"XGROUP", "CREATE", "str", "g", "0", "MKSTREAM"}), testing::kWrongType);
  EXPECT_EQ(h.Run({"XGROUP", "SETID", "s", "nog", "0"}),
            "(error) NOGROUP No such consumer group 'nog' for key name 's'");
  EXPECT_EQ(h.Run({"XGROUP", "CREATECONSUMER", "s", "nog", "c"}),
            "(error) NOGROUP No such consumer group 'nog' for key name 's'");
  EXPECT_EQ(h.Run({"XGROUP", "FOO", "s", "g"}),
            "(error) ERR unknown subcommand 'FOO'. Try XGROUP HELP.");
}

TEST_F(StreamGroupTest, GroupLifecycle) {
  Fill();
  EXPECT_EQ(h.Run({"XGROUP", "CREATECONSUMER", "s", "g", "alice"}), "(integer) 1");
  EXPECT_EQ(h.Run({"XGROUP", "CREATECONSUMER", "s", "g", "alice"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "alice", "COUNT", "2", "STREAMS", "s", ">"}),
            "[[s, [[1-0, [a, 1]], [2-0, [b, 2]]]]]");
  EXPECT_EQ(h.Run({"XGROUP", "DELCONSUMER", "s", "g", "alice"}), "(integer) 2");
  EXPECT_EQ(h.Run({"XGROUP", "DELCONSUMER", "s", "g", "alice"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g"}), "[(integer) 0, (nil), (nil), (nil)]");
  // SETID back to the start: everything is new again; "-" is accepted here.
  EXPECT_EQ(h.Run({"XGROUP", "SETID", "s", "g", "-", "ENTRIESREAD", "0"}), "OK");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"}),
            "[[s, [[1-0, [a, 1]], [2-0, [b, 2]], [3-0, [c, 3]]]]]");
  EXPECT_EQ(h.Run({"XGROUP", "SETID", "s", "g", "$"}), "OK");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"}), "(nil)");
  EXPECT_EQ(h.Run({"XGROUP", "DESTROY", "s", "g"}), "(integer) 1");
  EXPECT_EQ(h.Run({"XGROUP", "DESTROY", "s", "g"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">"}), kNoGroupRead);
}

TEST_F(StreamGroupTest, SetIdReassignsPendingEntries) {
  Fill();
  h.Run({"XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", "s", ">"});
  EXPECT_EQ(h.Run({"XGROUP", "SETID", "s", "g", "0"}), "OK");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "c2", "COUNT", "1", "STREAMS", "s", ">"}),
            "[[s, [[1-0, [a, 1]]]]]");
  // 1-0 moved to c2 with its delivery counter restarted.
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "-", "+", "10"}), "[[1-0, c2, (integer) 0, (integer) 1]]");
}

TEST_F(StreamGroupTest, ReadGroupArgumentErrors) {
  Fill();
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "s", ">"}),
            "(error) ERR Unbalanced 'xreadgroup' list of streams: for each stream key an ID or "
            "'>' must be specified.");
  EXPECT_EQ(h.Run({"XREADGROUP", "COUNT", "1", "NOACK", "STREAMS", "s", ">"}),
            "(error) ERR Missing GROUP option for XREADGROUP");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "FOO", "STREAMS", "s", ">"}), testing::kSyntax);
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "COUNT", "x", "STREAMS", "s", ">"}),
            testing::kNotInt);
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "BLOCK", "-1", "STREAMS", "s", ">"}),
            "(error) ERR timeout is negative");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "$"}),
            "(error) ERR The $ ID is meaningless in the context of XREADGROUP: you want to read "
            "the history of this consumer by specifying a proper ID, or use the > ID to get new "
            "messages. The $ ID would just return an empty result set.");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "+"}),
            "(error) ERR Invalid stream ID specified as stream command argument");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "nokey", ">", ">"}),
            "(error) NOGROUP No such key 'nokey' or consumer group 'g' in XREADGROUP with GROUP "
            "option");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "nog", "a", "STREAMS", "s", ">"}),
            "(error) NOGROUP No such key 's' or consumer group 'nog' in XREADGROUP with GROUP "
            "option");
  h.Run({"SET", "str", "v"});
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "str", ">"}), testing::kWrongType);
}

TEST_F(StreamGroupTest, ReadNewAndHistory) {
  Fill();
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">"}),
            "[[s, [[1-0, [a, 1]]]]]");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"}),
            "[[s, [[2-0, [b, 2]], [3-0, [c, 3]]]]]");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"}), "(nil)");
  // History: only the caller's own pending entries, after the given id.
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", "0"}),
            "[[s, [[2-0, [b, 2]], [3-0, [c, 3]]]]]");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "b", "COUNT", "1", "STREAMS", "s", "2-0"}),
            "[[s, [[3-0, [c, 3]]]]]");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", "3"}), "[[s, []]]");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "new", "STREAMS", "s", "0"}), "[[s, []]]");
  // A history read counts as a delivery.
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "2-0", "2-0", "1"}),
            "[[2-0, b, (integer) 0, (integer) 2]]");
  // A deleted entry still pending shows up as [id, nil].
  EXPECT_EQ(h.Run({"XDEL", "s", "2-0"}), "(integer) 1");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", "0"}),
            "[[s, [[2-0, (nil)], [3-0, [c, 3]]]]]");
  // The largest id is how Redis spells ">" internally: it reads new entries.
  h.Run({"XADD", "s", "4-0", "d", "4"});
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "b", "STREAMS", "s",
                   "18446744073709551615-18446744073709551615"}),
            "[[s, [[4-0, [d, 4]]]]]");
}

TEST_F(StreamGroupTest, ReadGroupDeletedTailIsNotNew) {
  Fill();
  h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"});
  h.Run({"XADD", "s", "4-0", "d", "4"});
  h.Run({"XDEL", "s", "4-0"});
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "BLOCK", "10", "STREAMS", "s", ">"}), "(nil)");
}

TEST_F(StreamGroupTest, NoAckAndMultipleStreams) {
  Fill();
  h.Run({"XADD", "t", "5-0", "x", "y"});
  h.Run({"XGROUP", "CREATE", "t", "g", "0"});
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "NOACK", "COUNT", "1", "STREAMS", "s", "t", ">",
                   ">"}),
            "[[s, [[1-0, [a, 1]]]], [t, [[5-0, [x, y]]]]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g"}), "[(integer) 0, (nil), (nil), (nil)]");
  // Only streams with something to give are in the reply.
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "t", ">", ">"}),
            "[[s, [[2-0, [b, 2]], [3-0, [c, 3]]]]]");
  // RESP3: a map of stream -> entries.
  h.Run({"HELLO", "3"});
  h.Run({"XADD", "t", "6-0", "x", "z"});
  EXPECT_EQ(h.RunRaw({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "t", ">", ">"}),
            "%1\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n6-0\r\n*2\r\n$1\r\nx\r\n$1\r\nz\r\n");
  EXPECT_EQ(h.RunRaw({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "t", ">", ">"}), "_\r\n");
}

TEST_F(StreamGroupTest, XAck) {
  Fill();
  h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"});
  EXPECT_EQ(h.Run({"XACK", "s", "g", "1-0", "bad"}),
            "(error) ERR Invalid stream ID specified as stream command argument");
  EXPECT_EQ(h.Run({"XACK", "s", "g", "1-0", "1-0", "2", "9-0"}), "(integer) 2");
  EXPECT_EQ(h.Run({"XACK", "s", "g", "1-0"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XACK", "s", "nog", "bad"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XACK", "nokey", "g", "1-0"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g"}), "[(integer) 1, 3-0, 3-0, [[a, 1]]]");
}

TEST_F(StreamGroupTest, XPending) {
  Fill();
  h.Run({"XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">"});
  h.clock().AdvanceMs(100);
  h.Run({"XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"});
  h.clock().AdvanceMs(50);
  EXPECT_EQ(h.Run({"XPENDING", "s", "g"}), "[(integer) 3, 1-0, 3-0, [[a, 2], [b, 1]]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "-", "+", "10"}),
            "[[1-0, a, (integer) 150, (integer) 1], [2-0, a, (integer) 150, (integer) 1], "
            "[3-0, b, (integer) 50, (integer) 1]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "-", "+", "10", "b"}),
            "[[3-0, b, (integer) 50, (integer) 1]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "-", "+", "10", "nobody"}), "[]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "IDLE", "100", "-", "+", "10"}),
            "[[1-0, a, (integer) 150, (integer) 1], [2-0, a, (integer) 150, (integer) 1]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "(1-0", "(3-0", "10"}),
            "[[2-0, a, (integer) 150, (integer) 1]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "-", "+", "1"}), "[[1-0, a, (integer) 150, (integer) 1]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "-", "+", "-5"}), "[]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "1"}), testing::kSyntax);
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "IDLE", "5", "-", "+"}), testing::kSyntax);
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "IDLE", "x", "-", "+", "10"}), testing::kNotInt);
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "-", "+", "x"}), testing::kNotInt);
  EXPECT_EQ(h.Run({"XPENDING", "nokey", "g"}),
            "(error) NOGROUP No such key 'nokey' or consumer group 'g'");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "(18446744073709551615-18446744073709551615", "+", "1"}),
            "(error) ERR invalid start ID for the interval");
}

TEST_F(StreamGroupTest, XClaim) {
  Fill();
  h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"});
  h.clock().AdvanceMs(200);
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "b", "500", "1-0"}), "[]");  // not idle long enough
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "b", "100", "1-0"}), "[[1-0, [a, 1]]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "1-0", "1-0", "1"}),
            "[[1-0, b, (integer) 0, (integer) 2]]");
  // JUSTID does not count a delivery; RETRYCOUNT sets it; IDLE sets the idle time.
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "c", "0", "1-0", "2-0", "JUSTID"}), "[1-0, 2-0]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "-", "2-0", "10"}),
            "[[1-0, c, (integer) 0, (integer) 2], [2-0, c, (integer) 0, (integer) 1]]");
  EXPECT_EQ(
      h.Run({"XCLAIM", "s", "g", "c", "0", "2-0", "RETRYCOUNT", "7", "IDLE", "1000", "JUSTID"}),
      "[2-0]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "2-0", "2-0", "10"}),
            "[[2-0, c, (integer) 1000, (integer) 7]]");
  // TIME in the future is taken as now.
  h.Run({"XCLAIM", "s", "g", "c", "0", "2-0", "TIME", "99999999999999", "JUSTID"});
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "2-0", "2-0", "10"}),
            "[[2-0, c, (integer) 0, (integer) 7]]");
  // Not pending: ignored unless FORCE.
  h.Run({"XACK", "s", "g", "3-0"});
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "d", "0", "3-0"}), "[]");
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "d", "0", "3-0", "FORCE"}), "[[3-0, [c, 3]]]");
  // A deleted entry: its record is dropped.
  h.Run({"XDEL", "s", "1-0"});
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "d", "0", "1-0", "9-0", "FORCE"}), "[]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g"}), "[(integer) 2, 2-0, 3-0, [[c, 1], [d, 1]]]");
  // LASTID moves the group forward only.
  h.Run({"XCLAIM", "s", "g", "d", "0", "2-0", "LASTID", "5-0", "JUSTID"});
  h.Run({"XADD", "s", "6-0", "f", "6"});
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "d", "STREAMS", "s", ">"}),
            "[[s, [[6-0, [f, 6]]]]]");
}

TEST_F(StreamGroupTest, XClaimErrors) {
  Fill();
  EXPECT_EQ(h.Run({"XCLAIM", "s", "nog", "c", "0", "1-0"}),
            "(error) NOGROUP No such key 's' or consumer group 'nog'");
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "c", "x", "1-0"}),
            "(error) ERR Invalid min-idle-time argument for XCLAIM");
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "c", "0", "1-0", "bad"}),
            "(error) ERR Unrecognized XCLAIM option 'bad'");
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "c", "0", "1-0", "IDLE"}),
            "(error) ERR Unrecognized XCLAIM option 'IDLE'");
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "c", "0", "1-0", "IDLE", "x"}),
            "(error) ERR Invalid IDLE option argument for XCLAIM");
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "c", "0", "1-0", "TIME", "x"}),
            "(error) ERR Invalid TIME option argument for XCLAIM");
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "c", "0", "1-0", "RETRYCOUNT", "x"}),
            "(error) ERR Invalid RETRYCOUNT option argument for XCLAIM");
  EXPECT_EQ(h.Run({"XCLAIM", "s", "g", "c", "0", "1-0", "LASTID", "x"}),
            "(error) ERR Invalid stream ID specified as stream command argument");
}

TEST_F(StreamGroupTest, XAutoClaim) {
  Fill();
  h.Run({"XADD", "s", "4-0", "d", "4"});
  h.Run({"XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"});
  h.clock().AdvanceMs(100);
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "s", "g", "b", "50", "-", "COUNT", "2"}),
            "[3-0, [[1-0, [a, 1]], [2-0, [b, 2]]], []]");
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "s", "g", "b", "50", "3-0", "COUNT", "2"}),
            "[0-0, [[3-0, [c, 3]], [4-0, [d, 4]]], []]");
  // Just claimed: not idle enough any more.
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "s", "g", "c", "50", "-"}), "[0-0, [], []]");
  // Deleted entries are reported and dropped; they count against COUNT.
  h.Run({"XDEL", "s", "1-0", "2-0"});
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "0-0", "COUNT", "1"}), "[2-0, [], [1-0]]");
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "(1-0", "JUSTID"}),
            "[0-0, [3-0, 4-0], [2-0]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "-", "+", "10"}),
            "[[3-0, c, (integer) 0, (integer) 2], [4-0, c, (integer) 0, (integer) 2]]");
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "0"}),
            "(error) ERR COUNT must be > 0");
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "0", "COUNT", "8070450532247928833"}),
            "(error) ERR COUNT must be > 0");
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "s", "g", "c", "0", "0", "FOO"}), testing::kSyntax);
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "s", "g", "c", "x", "0"}),
            "(error) ERR Invalid min-idle-time argument for XAUTOCLAIM");
  // Arguments are checked before the key.
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "nokey", "g", "c", "0", "0", "COUNT", "0"}),
            "(error) ERR COUNT must be > 0");
  EXPECT_EQ(h.Run({"XAUTOCLAIM", "nokey", "g", "c", "0", "0"}),
            "(error) NOGROUP No such key 'nokey' or consumer group 'g'");
}

// A pending list large enough for many B-tree nodes: XAUTOCLAIM walks it while dropping the
// records of deleted entries (every erase moves records between nodes), then scattered XACKs
// and history reads must still find every record through the consumer indexes.
TEST_F(StreamGroupTest, LargePendingList) {
  constexpr int kN = 3000;
  for (int i = 1; i <= kN; i++) {
    std::string id = std::to_string(i) + "-0";
    ASSERT_EQ(h.Run({"XADD", "s", id, "f", "v"}), id);
  }
  ASSERT_EQ(h.Run({"XGROUP", "CREATE", "s", "g", "0"}), "OK");
  h.Run({"XREADGROUP", "GROUP", "g", "a", "COUNT", "1000", "STREAMS", "s", ">"});
  h.Run({"XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"});
  for (int i = 2; i <= kN; i += 2) h.Run({"XDEL", "s", std::to_string(i) + "-0"});
  // b claims everything still in the stream (JUSTID: delivery counts stay at 1); the 1500
  // deleted entries' records are dropped.
  std::string reply = h.Run({"XAUTOCLAIM", "s", "g", "b", "0", "-", "COUNT", "5000", "JUSTID"});
  EXPECT_EQ(reply.substr(0, 6), "[0-0, ");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g"}), "[(integer) 1500, 1-0, 2999-0, [[b, 1500]]]");
  // Acknowledge all but ids 1 (mod 4), in a scattered order.
  int acked = 0;
  for (int k = 0; k < kN; k++) {
    int ms = (k * 7919) % kN + 1;
    if (ms % 2 == 0 || ms % 4 == 1) continue;
    ASSERT_EQ(h.Run({"XACK", "s", "g", std::to_string(ms) + "-0"}), "(integer) 1");
    acked++;
  }
  EXPECT_EQ(acked, 750);
  EXPECT_EQ(h.Run({"XPENDING", "s", "g"}), "[(integer) 750, 1-0, 2997-0, [[b, 750]]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "2990", "+", "10", "b"}),
            "[[2993-0, b, (integer) 0, (integer) 1], [2997-0, b, (integer) 0, (integer) 1]]");
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "b", "COUNT", "2", "STREAMS", "s", "2990"}),
            "[[s, [[2993-0, [f, v]], [2997-0, [f, v]]]]]");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g", "2993", "2993", "1"}),
            "[[2993-0, b, (integer) 0, (integer) 2]]");
  EXPECT_EQ(h.Run({"XGROUP", "DELCONSUMER", "s", "g", "b"}), "(integer) 750");
  EXPECT_EQ(h.Run({"XPENDING", "s", "g"}), "[(integer) 0, (nil), (nil), (nil)]");
}

TEST_F(StreamGroupTest, XInfoStreamAndGroups) {
  Fill();
  h.Run({"XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", ">"});
  EXPECT_EQ(h.Run({"XINFO", "STREAM", "s"}),
            "[length, (integer) 3, radix-tree-keys, (integer) 1, radix-tree-nodes, (integer) 2, "
            "last-generated-id, 3-0, max-deleted-entry-id, 0-0, entries-added, (integer) 3, "
            "recorded-first-entry-id, 1-0, groups, (integer) 1, first-entry, [1-0, [a, 1]], "
            "last-entry, [3-0, [c, 3]]]");
  EXPECT_EQ(h.Run({"XINFO", "GROUPS", "s"}),
            "[[name, g, consumers, (integer) 1, pending, (integer) 1, last-delivered-id, 1-0, "
            "entries-read, (integer) 1, lag, (integer) 2]]");
  EXPECT_EQ(h.Run({"XINFO", "STREAM", "s", "FULL", "COUNT", "1"}),
            "[length, (integer) 3, radix-tree-keys, (integer) 1, radix-tree-nodes, (integer) 2, "
            "last-generated-id, 3-0, max-deleted-entry-id, 0-0, entries-added, (integer) 3, "
            "recorded-first-entry-id, 1-0, entries, [[1-0, [a, 1]]], groups, [[name, g, "
            "last-delivered-id, 1-0, entries-read, (integer) 1, lag, (integer) 2, pel-count, "
            "(integer) 1, pending, [[1-0, a, (integer) 1000000, (integer) 1]], consumers, "
            "[[name, a, seen-time, (integer) 1000000, active-time, (integer) 1000000, "
            "pel-count, (integer) 1, pending, [[1-0, (integer) 1000000, (integer) 1]]]]]]]");
  h.Run({"XDEL", "s", "2-0"});
  EXPECT_EQ(h.Run({"XINFO", "GROUPS", "s"}),
            "[[name, g, consumers, (integer) 1, pending, (integer) 1, last-delivered-id, 1-0, "
            "entries-read, (integer) 1, lag, (nil)]]");
  EXPECT_EQ(h.Run({"XINFO", "STREAM", "s", "FULL", "COUNT"}),
            "(error) ERR unknown subcommand or wrong number of arguments for 'STREAM'. Try XINFO "
            "HELP.");
  EXPECT_EQ(h.Run({"XINFO", "STREAM", "s", "FULL", "COUNT", "x"}), testing::kNotInt);
  EXPECT_EQ(h.Run({"XINFO", "STREAM", "nokey"}), "(error) ERR no such key");
  EXPECT_EQ(h.Run({"XINFO", "GROUPS", "nokey"}), "(error) ERR no such key");
  h.Run({"XGROUP", "CREATE", "e", "g", "$", "MKSTREAM"});
  EXPECT_EQ(h.Run({"XINFO", "STREAM", "e"}),
            "[length, (integer) 0, radix-tree-keys, (integer) 0, radix-tree-nodes, (integer) 1, "
            "last-generated-id, 0-0, max-deleted-entry-id, 0-0, entries-added, (integer) 0, "
            "recorded-first-entry-id, 0-0, groups, (integer) 1, first-entry, (nil), "
            "last-entry, (nil)]");
  EXPECT_EQ(h.Run({"XINFO", "GROUPS", "e"}),
            "[[name, g, consumers, (integer) 0, pending, (integer) 0, last-delivered-id, 0-0, "
            "entries-read, (nil), lag, (integer) 0]]");
}

TEST_F(StreamGroupTest, XInfoConsumersClocks) {
  h.Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
  h.Run({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
  h.clock().AdvanceMs(100);
  EXPECT_EQ(h.Run({"XINFO", "CONSUMERS", "s", "g"}),
            "[[name, alice, pending, (integer) 0, idle, (integer) 100, inactive, (integer) -1]]");
  h.Run({"XADD", "s", "1-0", "f", "v"});
  h.Run({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
  h.clock().AdvanceMs(30);
  EXPECT_EQ(h.Run({"XINFO", "CONSUMERS", "s", "g"}),
            "[[name, alice, pending, (integer) 1, idle, (integer) 30, inactive, (integer) 30]]");
  // Reading nothing refreshes seen-time only.
  h.Run({"XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">"});
  h.clock().AdvanceMs(5);
  EXPECT_EQ(h.Run({"XINFO", "CONSUMERS", "s", "g"}),
            "[[name, alice, pending, (integer) 1, idle, (integer) 5, inactive, (integer) 35]]");
  // XCLAIM names the consumer (created, seen) even when it claims nothing.
  h.Run({"XCLAIM", "s", "g", "bob", "1000000", "1-0"});
  EXPECT_EQ(h.Run({"XINFO", "CONSUMERS", "s", "g"}),
            "[[name, alice, pending, (integer) 1, idle, (integer) 5, inactive, (integer) 35], "
            "[name, bob, pending, (integer) 0, idle, (integer) 0, inactive, (integer) -1]]");
  EXPECT_EQ(h.Run({"XINFO", "CONSUMERS", "s", "nog"}),
            "(error) NOGROUP No such consumer group 'nog' for key name 's'");
}

TEST_F(StreamGroupTest, BlockingReadOutsideABlockableContextRepliesNil) {
  h.Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
  EXPECT_EQ(h.Run({"XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">"}), "(nil)");
  EXPECT_EQ(h.Run({"MULTI"}), "OK");
  h.Run({"XREADGROUP", "GROUP", "g", "a", "BLOCK", "0", "STREAMS", "s", ">"});
  EXPECT_EQ(h.Run({"EXEC"}), "[(nil)]");
}

TEST_F(StreamGroupTest, BlockFromScriptsIsRefused) {
  h.Run({"XGROUP", "CREATE", "s", "g", "$", "MKSTREAM"});
  EXPECT_EQ(h.Run({"EVAL", "return redis.pcall('xreadgroup','group','g','c','STREAMS','s','>')",
                   "1", "s"}),
            "(nil)");
  EXPECT_EQ(
      h.Run({"EVAL", "return redis.pcall('xreadgroup','group','g','c','BLOCK',0,'STREAMS','s','>')",
             "1", "s"}),
      "(error) ERR xreadgroup command is not allowed with BLOCK option from scripts");
}

TEST_F(StreamGroupTest, Help) {
  std::string xgroup = h.Run({"XGROUP", "HELP"});
  EXPECT_NE(xgroup.find("XGROUP <subcommand>"), std::string::npos);
  EXPECT_NE(xgroup.find("CREATECONSUMER"), std::string::npos);
  std::string xinfo = h.Run({"XINFO", "HELP"});
  EXPECT_NE(xinfo.find("CONSUMERS <key> <groupname>"), std::string::npos);
  EXPECT_EQ(h.Run({"XINFO", "HELP", "xxx"}),
            "(error) ERR wrong number of arguments for 'xinfo|help' command");
}

}  // namespace
}  // namespace ember
