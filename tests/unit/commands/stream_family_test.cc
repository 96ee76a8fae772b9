// Unit tests for the stream commands without consumer groups (stream_family.cc): XADD ids and
// options, XLEN, XRANGE/XREVRANGE with exclusive bounds and COUNT, XREAD (RESP2 and RESP3,
// "$", "+", BLOCK woken by XADD, not by XDEL / DEL / another type), XDEL, XTRIM, XSETID, and the
// generic commands on stream keys (TYPE, OBJECT ENCODING, COPY, DEL). Reply texts and shapes
// were checked against redis-server 7.0.15 (7.2 wording where the two differ).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;
using testing::kSyntax;
using testing::kWrongType;

constexpr const char* kInvalidId =
    "(error) ERR Invalid stream ID specified as stream command argument";
constexpr const char* kTooSmall =
    "(error) ERR The ID specified in XADD is equal or smaller than the target stream top item";

// A fake client fed through its query buffer, so that it can block.
class Conn {
 public:
  explicit Conn(Server& s) : c_(s.CreateFakeClient()) {}
  void Send(const std::vector<std::string>& args) {
    std::string bytes = "*" + std::to_string(args.size()) + "\r\n";
    for (const std::string& a : args) bytes += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    c_->qbuf.Append(bytes);
    c_->ProcessInput();
  }
  std::string Reply() {
    size_t pos = 0;
    std::string out = c_->obuf.empty() ? "" : Harness::Render(c_->obuf, &pos);
    c_->obuf.clear();
    return out;
  }
  bool blocked() const { return c_->flags & kClientBlocked; }

 private:
  Client* c_;
};

TEST(StreamFamilyTest, XAddIds) {
  Harness h;
  h.clock().SetMs(1000);
  EXPECT_EQ(h.Run({"XADD", "s", "0-0", "f", "v"}),
            "(error) ERR The ID specified in XADD must be greater than 0-0");
  EXPECT_EQ(h.Run({"XADD", "s", "0", "f", "v"}),
            "(error) ERR The ID specified in XADD must be greater than 0-0");
  EXPECT_EQ(h.Run({"EXISTS", "s"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XADD", "s", "0-*", "f", "v"}), "0-1");
  EXPECT_EQ(h.Run({"XADD", "s", "5", "f", "v"}), "5-0");
  EXPECT_EQ(h.Run({"XADD", "s", "5", "f", "v"}), kTooSmall);
  EXPECT_EQ(h.Run({"XADD", "s", "5-*", "f", "v"}), "5-1");
  EXPECT_EQ(h.Run({"XADD", "s", "4-*", "f", "v"}), kTooSmall);
  EXPECT_EQ(h.Run({"XADD", "s", "*", "f", "v"}), "1000-0");
  EXPECT_EQ(h.Run({"XADD", "s", "*", "f", "v"}), "1000-1");
  h.clock().AdvanceMs(5);
  EXPECT_EQ(h.Run({"XADD", "s", "*", "f", "v"}), "1005-0");
  EXPECT_EQ(h.Run({"XADD", "s", "-", "f", "v"}), kInvalidId);
  EXPECT_EQ(h.Run({"XADD", "s", "+", "f", "v"}), kInvalidId);
  EXPECT_EQ(h.Run({"XADD", "s", "1-x", "f", "v"}), kInvalidId);
  EXPECT_EQ(h.Run({"XADD", "s", "*", "f"}),
            "(error) ERR wrong number of arguments for 'xadd' command");
  EXPECT_EQ(h.Run({"XADD", "s", "*", "f", "v", "g"}),
            "(error) ERR wrong number of arguments for 'xadd' command");
  EXPECT_EQ(h.Run({"XADD", "s", "18446744073709551615-18446744073709551614", "f", "v"}),
            "18446744073709551615-18446744073709551614");
  EXPECT_EQ(h.Run({"XADD", "s", "18446744073709551615-*", "f", "v"}),
            "18446744073709551615-18446744073709551615");
  EXPECT_EQ(h.Run({"XADD", "s", "*", "f", "v"}),
            "(error) ERR The stream has exhausted the last possible ID, unable to add more items");
  EXPECT_EQ(h.Run({"XLEN", "s"}), "(integer) 8");
  h.Run({"SET", "str", "x"});
  EXPECT_EQ(h.Run({"XADD", "str", "*", "f", "v"}), kWrongType);
  EXPECT_EQ(h.Run({"XADD", "nokey", "NOMKSTREAM", "*", "f", "v"}), "(nil)");
  EXPECT_EQ(h.Run({"EXISTS", "nokey"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XLEN", "str"}), kWrongType);
  EXPECT_EQ(h.Run({"XLEN", "nokey"}), "(integer) 0");
}

TEST(StreamFamilyTest, XAddPartialSeqOverflow) {
  Harness h;
  EXPECT_EQ(h.Run({"XADD", "s", "1-18446744073709551615", "f", "v"}), "1-18446744073709551615");
  EXPECT_EQ(h.Run({"XADD", "s", "1-*", "f", "v"}), kTooSmall);
  EXPECT_EQ(h.Run({"XADD", "s", "2-*", "f", "v"}), "2-0");
}

TEST(StreamFamilyTest, XAddTrimOptions) {
  Harness h;
  EXPECT_EQ(h.Run({"XADD", "s", "MAXLEN", "-1", "*", "f", "v"}),
            "(error) ERR The MAXLEN argument must be >= 0.");
  EXPECT_EQ(h.Run({"XADD", "s", "MAXLEN", "abc", "*", "f", "v"}), testing::kNotInt);
  EXPECT_EQ(h.Run({"XADD", "s", "MAXLEN", "10", "LIMIT", "5", "*", "f", "v"}),
            "(error) ERR syntax error, LIMIT cannot be used without the special ~ option");
  EXPECT_EQ(h.Run({"XADD", "s", "LIMIT", "5", "*", "f", "v"}),
            "(error) ERR syntax error, LIMIT cannot be used without specifying a trimming "
            "strategy");
  EXPECT_EQ(h.Run({"XADD", "s", "LIMIT", "0", "*", "f", "v"}),
            "(error) ERR syntax error, LIMIT cannot be used without the special ~ option");
  EXPECT_EQ(h.Run({"XADD", "s", "LIMIT", "-1", "*", "f", "v"}),
            "(error) ERR The LIMIT argument must be >= 0.");
  EXPECT_EQ(h.Run({"XADD", "s", "MAXLEN", "1", "MINID", "2", "*", "f", "v"}),
            "(error) ERR syntax error, MAXLEN and MINID options at the same time are not "
            "compatible");
  EXPECT_EQ(h.Run({"XADD", "s", "MINID", "-", "*", "f", "v"}), kInvalidId);
  EXPECT_EQ(h.Run({"EXISTS", "s"}), "(integer) 0");
  for (int i = 1; i <= 10; i++) h.Run({"XADD", "s", std::to_string(i), "f", "v"});
  EXPECT_EQ(h.Run({"XADD", "s", "MAXLEN", "=", "3", "11", "f", "v"}), "11-0");
  EXPECT_EQ(h.Run({"XLEN", "s"}), "(integer) 3");
  EXPECT_EQ(h.Run({"XADD", "s", "MINID", "11", "12", "f", "v"}), "12-0");
  EXPECT_EQ(h.Run({"XRANGE", "s", "-", "+"}), "[[11-0, [f, v]], [12-0, [f, v]]]");
  // "~" removes whole blocks only: ~2 keeps the only block, ~0 removes it (as Redis).
  EXPECT_EQ(h.Run({"XADD", "s", "MAXLEN", "~", "2", "13", "f", "v"}), "13-0");
  EXPECT_EQ(h.Run({"XLEN", "s"}), "(integer) 3");
  EXPECT_EQ(h.Run({"XADD", "s", "MAXLEN", "~", "0", "13-1", "f", "v"}), "13-1");
  EXPECT_EQ(h.Run({"XLEN", "s"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XADD", "s", "NOMKSTREAM", "MAXLEN", "1", "14", "f", "v"}), "14-0");
  EXPECT_EQ(h.Run({"XLEN", "s"}), "(integer) 1");
}

TEST(StreamFamilyTest, ApproxTrimWholeBlocks) {
  Harness h;
  h.Run({"CONFIG", "SET", "stream-node-max-entries", "100"});
  for (int i = 1; i <= 1000; i++) h.Run({"XADD", "s", std::to_string(i), "xitem", "v"});
  EXPECT_EQ(h.Run({"XTRIM", "s", "MAXLEN", "~", "555"}), "(integer) 400");
  EXPECT_EQ(h.Run({"XLEN", "s"}), "(integer) 600");
  EXPECT_EQ(h.Run({"XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "150"}), "(integer) 100");
  EXPECT_EQ(h.Run({"XTRIM", "s", "MINID", "~", "750"}), "(integer) 200");
  EXPECT_EQ(h.Run({"XTRIM", "s", "MINID", "750"}), "(integer) 49");
  EXPECT_EQ(h.Run({"XRANGE", "s", "-", "+", "COUNT", "1"}), "[[750-0, [xitem, v]]]");
}

TEST(StreamFamilyTest, XTrimErrors) {
  Harness h;
  h.Run({"SET", "str", "x"});
  EXPECT_EQ(h.Run({"XTRIM", "s", "MAXLEN", "1", "foo"}), kSyntax);
  EXPECT_EQ(h.Run({"XTRIM", "s", "LIMIT", "10", "MAXLEN", "1"}),
            "(error) ERR syntax error, LIMIT cannot be used without the special ~ option");
  EXPECT_EQ(h.Run({"XTRIM", "s", "foo", "bar"}), kSyntax);
  EXPECT_EQ(h.Run({"XTRIM", "nokey", "MAXLEN", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"XTRIM", "str", "MAXLEN", "1"}), kWrongType);
}

TEST(StreamFamilyTest, XRange) {
  Harness h;
  h.Run({"XADD", "s", "1-1", "a", "1"});
  h.Run({"XADD", "s", "2-1", "b", "2"});
  h.Run({"XADD", "s", "2-2", "c", "3", "d", "4"});
  EXPECT_EQ(h.Run({"XRANGE", "s", "-", "+"}),
            "[[1-1, [a, 1]], [2-1, [b, 2]], [2-2, [c, 3, d, 4]]]");
  EXPECT_EQ(h.Run({"XRANGE", "s", "2", "2"}), "[[2-1, [b, 2]], [2-2, [c, 3, d, 4]]]");
  EXPECT_EQ(h.Run({"XRANGE", "s", "(1-1", "+", "COUNT", "1"}), "[[2-1, [b, 2]]]");
  EXPECT_EQ(h.Run({"XRANGE", "s", "-", "(2-2"}), "[[1-1, [a, 1]], [2-1, [b, 2]]]");
  EXPECT_EQ(h.Run({"XREVRANGE", "s", "+", "-", "COUNT", "2"}),
            "[[2-2, [c, 3, d, 4]], [2-1, [b, 2]]]");
  EXPECT_EQ(h.Run({"XREVRANGE", "s", "(2-1", "-"}), "[[1-1, [a, 1]]]");
  EXPECT_EQ(h.Run({"XRANGE", "s", "-", "+", "COUNT", "0"}), "(nil)");
  EXPECT_EQ(h.Run({"XRANGE", "s", "-", "+", "COUNT", "-5"}), "(nil)");
  EXPECT_EQ(h.Run({"XRANGE", "nokey", "-", "+", "COUNT", "0"}), "[]");
  EXPECT_EQ(h.Run({"XRANGE", "s", "2", "1"}), "[]");
  EXPECT_EQ(h.Run({"XRANGE", "s", "(-", "+"}), kInvalidId);
  EXPECT_EQ(h.Run({"XRANGE", "s", "(", "+"}), kInvalidId);
  EXPECT_EQ(h.Run({"XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"}),
            "(error) ERR invalid start ID for the interval");
  EXPECT_EQ(h.Run({"XRANGE", "s", "-", "(0-0"}), "(error) ERR invalid end ID for the interval");
  EXPECT_EQ(h.Run({"XRANGE", "s", "-", "+", "COUNT"}), kSyntax);
  EXPECT_EQ(h.Run({"XRANGE", "s", "-", "+", "FOO", "1"}), kSyntax);
  h.Run({"SET", "str", "x"});
  EXPECT_EQ(h.Run({"XRANGE", "str", "abc", "+"}), kInvalidId);
  EXPECT_EQ(h.Run({"XRANGE", "str", "-", "+"}), kWrongType);
}

TEST(StreamFamilyTest, XDel) {
  Harness h;
  for (int i = 1; i <= 5; i++) h.Run({"XADD", "s", std::to_string(i), "f", "v"});
  EXPECT_EQ(h.Run({"XDEL", "s", "2", "4-0", "4", "9"}), "(integer) 2");
  EXPECT_EQ(h.Run({"XDEL", "s", "1", "abc"}), kInvalidId);
  EXPECT_EQ(h.Run({"XLEN", "s"}), "(integer) 3");  // nothing deleted by the failed call
  EXPECT_EQ(h.Run({"XDEL", "nokey", "1"}), "(integer) 0");
  h.Run({"SET", "str", "x"});
  EXPECT_EQ(h.Run({"XDEL", "str", "abc"}), kWrongType);
  // A stream emptied by XDEL stays, with its last id.
  EXPECT_EQ(h.Run({"XDEL", "s", "1", "3", "5"}), "(integer) 3");
  EXPECT_EQ(h.Run({"EXISTS", "s"}), "(integer) 1");
  EXPECT_EQ(h.Run({"XADD", "s", "5", "f", "v"}), kTooSmall);
}

TEST(StreamFamilyTest, XSetId) {
  Harness h;
  h.Run({"XADD", "s", "1-1", "a", "1"});
  h.Run({"XADD", "s", "2-1", "b", "2"});
  EXPECT_EQ(h.Run({"XSETID", "s", "1-1"}),
            "(error) ERR The ID specified in XSETID is smaller than the target stream top item");
  EXPECT_EQ(h.Run({"XSETID", "nokey", "1-1"}), "(error) ERR no such key");
  EXPECT_EQ(h.Run({"XSETID", "s", "abc"}), kInvalidId);
  EXPECT_EQ(h.Run({"XSETID", "s", "5-5", "ENTRIESADDED", "-1"}),
            "(error) ERR entries_added must be positive");
  EXPECT_EQ(h.Run({"XSETID", "s", "5-5", "ENTRIESADDED", "1"}),
            "(error) ERR The entries_added specified in XSETID is smaller than the target "
            "stream length");
  EXPECT_EQ(h.Run({"XSETID", "s", "5-5", "MAXDELETEDID", "6-6"}),
            "(error) ERR The ID specified in XSETID is smaller than the provided "
            "max_deleted_entry_id");
  EXPECT_EQ(h.Run({"XSETID", "s", "5-5", "ENTRIESADDED"}), kSyntax);
  EXPECT_EQ(h.Run({"XSETID", "s", "5-5", "MAXDELETEDID", "4-4", "ENTRIESADDED", "2"}), "OK");
  EXPECT_EQ(h.Run({"XSETID", "s", "3-3"}),
            "(error) ERR The ID specified in XSETID is smaller than current "
            "max_deleted_entry_id");
  EXPECT_EQ(h.Run({"XADD", "s", "5-5", "f", "v"}), kTooSmall);
  EXPECT_EQ(h.Run({"XADD", "s", "5-*", "f", "v"}), "5-6");
  h.Run({"SET", "str", "x"});
  EXPECT_EQ(h.Run({"XSETID", "str", "1-1"}), kWrongType);
}

TEST(StreamFamilyTest, XReadImmediate) {
  Harness h;
  h.Run({"XADD", "s", "1-1", "a", "1"});
  h.Run({"XADD", "s", "2-1", "b", "2"});
  h.Run({"XADD", "t", "3-1", "c", "3"});
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "s", "t", "1-1", "0"}),
            "[[s, [[2-1, [b, 2]]]], [t, [[3-1, [c, 3]]]]]");
  EXPECT_EQ(h.Run({"XREAD", "COUNT", "1", "STREAMS", "s", "nokey", "0", "0"}),
            "[[s, [[1-1, [a, 1]]]]]");
  EXPECT_EQ(h.Run({"XREAD", "COUNT", "0", "STREAMS", "s", "0"}),
            "[[s, [[1-1, [a, 1]], [2-1, [b, 2]]]]]");
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "s", "$"}), "(nil)");
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "s", "+"}), "[[s, [[2-1, [b, 2]]]]]");
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "nokey", "+"}), "(nil)");
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "s", "s", "0", "1-1"}),
            "[[s, [[1-1, [a, 1]], [2-1, [b, 2]]]], [s, [[2-1, [b, 2]]]]]");
  // In MULTI (and anywhere a client cannot block) BLOCK replies nil at once.
  h.Run({"MULTI"});
  h.Run({"XREAD", "BLOCK", "0", "STREAMS", "s", "$"});
  EXPECT_EQ(h.Run({"EXEC"}), "[(nil)]");
  // RESP3: a map.
  h.Run({"HELLO", "3"});
  EXPECT_EQ(h.RunRaw({"XREAD", "STREAMS", "t", "0"}),
            "%1\r\n$1\r\nt\r\n*1\r\n*2\r\n$3\r\n3-1\r\n*2\r\n$1\r\nc\r\n$1\r\n3\r\n");
  EXPECT_EQ(h.RunRaw({"XREAD", "STREAMS", "t", "$"}), "_\r\n");
}

TEST(StreamFamilyTest, XReadErrors) {
  Harness h;
  h.Run({"XADD", "s", "1-1", "a", "1"});
  h.Run({"SET", "str", "x"});
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "s", "nokey", "0"}),
            "(error) ERR Unbalanced 'xread' list of streams: for each stream key an ID or '$' "
            "must be specified.");
  EXPECT_EQ(h.Run({"XREAD", "FOO", "STREAMS", "s", "0"}), kSyntax);
  EXPECT_EQ(h.Run({"XREAD", "COUNT", "1", "s", "0"}), kSyntax);
  EXPECT_EQ(h.Run({"XREAD", "COUNT", "STREAMS", "s", "0"}), testing::kNotInt);
  EXPECT_EQ(h.Run({"XREAD", "BLOCK", "-1", "STREAMS", "s", "0"}),
            "(error) ERR timeout is negative");
  EXPECT_EQ(h.Run({"XREAD", "BLOCK", "1.5", "STREAMS", "s", "0"}),
            "(error) ERR timeout is not an integer or out of range");
  EXPECT_EQ(h.Run({"XREAD", "NOACK", "STREAMS", "s", "0"}),
            "(error) ERR The NOACK option is only supported by XREADGROUP. You called XREAD "
            "instead.");
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "s", ">"}),
            "(error) ERR The > ID can be specified only when calling XREADGROUP using the GROUP "
            "<group> <consumer> option.");
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "s", "-"}), kInvalidId);
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "str", "s", "abc", "0"}), kWrongType);
  EXPECT_EQ(h.Run({"XREAD", "STREAMS", "s", "str", "abc", "0"}), kInvalidId);
}

TEST(StreamFamilyTest, XReadBlockWokenByXAdd) {
  Harness h;
  h.Run({"XADD", "s", "1-1", "a", "1"});
  Conn w(h.server());
  Conn p(h.server());  // writes through a connection, so blocked clients are served
  w.Send({"XREAD", "BLOCK", "0", "STREAMS", "s", "other", "$", "$"});
  ASSERT_TRUE(w.blocked());
  // XDEL, DEL and a value of another type do not serve it.
  p.Send({"XDEL", "s", "1-1"});
  EXPECT_TRUE(w.blocked());
  p.Send({"DEL", "s"});
  p.Send({"LPUSH", "s", "x"});
  EXPECT_TRUE(w.blocked());
  p.Send({"DEL", "s"});
  // Re-created below the remembered "$" (1-1): still nothing to read.
  p.Send({"XADD", "s", "1-0", "f", "v"});
  EXPECT_TRUE(w.blocked());
  p.Send({"XADD", "s", "1-2", "f", "w"});
  EXPECT_FALSE(w.blocked());
  EXPECT_EQ(w.Reply(), "[[s, [[1-2, [f, w]]]]]");
}

TEST(StreamFamilyTest, XReadBlockOnMissingKeyAndTimeout) {
  Harness h;
  Conn w(h.server());
  Conn p(h.server());
  w.Send({"XREAD", "COUNT", "1", "BLOCK", "100", "STREAMS", "s", "0"});
  ASSERT_TRUE(w.blocked());
  p.Send({"XADD", "s", "3-0", "f", "v"});
  p.Send({"XADD", "s", "4-0", "f", "v"});
  EXPECT_EQ(w.Reply(), "[[s, [[3-0, [f, v]]]]]");
  w.Send({"XREAD", "BLOCK", "100", "STREAMS", "s", "+"});
  EXPECT_EQ(w.Reply(), "[[s, [[4-0, [f, v]]]]]");
  w.Send({"XREAD", "BLOCK", "100", "STREAMS", "s", "$"});
  ASSERT_TRUE(w.blocked());
  h.clock().AdvanceMs(200);
  h.server().Cron();
  EXPECT_FALSE(w.blocked());
  EXPECT_EQ(w.Reply(), "(nil)");
}

TEST(StreamFamilyTest, GenericCommandsOnStreams) {
  Harness h;
  h.Run({"XADD", "s", "1-1", "a", "1"});
  EXPECT_EQ(h.Run({"TYPE", "s"}), "stream");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "s"}), "stream");
  EXPECT_EQ(h.Run({"COPY", "s", "c"}), "(integer) 1");
  h.Run({"XADD", "s", "2-1", "b", "2"});
  EXPECT_EQ(h.Run({"XRANGE", "c", "-", "+"}), "[[1-1, [a, 1]]]");
  EXPECT_EQ(h.Run({"SCAN", "0", "TYPE", "stream"}).find("[0, ["), 0u);
  std::string usage = h.Run({"MEMORY", "USAGE", "s"});
  EXPECT_EQ(usage.rfind("(integer) ", 0), 0u);
  EXPECT_EQ(h.Run({"DEL", "s", "c"}), "(integer) 2");
}

}  // namespace
}  // namespace ember
