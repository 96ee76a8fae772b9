// Unit tests for the blocking manager (server/blocking.h) through the in-process harness:
// timeout parsing, first-come first-served wake-ups, deduplicated keys and ready signals,
// deadlines on the ManualClock (cron), a retry keeping its deadline, clients that close while
// queued, pipelined requests behind a blocked one, chains of moves served in one pass, and the
// INFO / commandstats bookkeeping.
//
// Blocking needs a request at the front of a query buffer, so the clients here talk through
// their query buffers (Conn) exactly as network clients do; the harness's own client runs
// commands directly and therefore never blocks.
#include "server/blocking.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/errors.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

// A fake client fed through its query buffer.
class Conn {
 public:
  explicit Conn(Server& s) : c_(s.CreateFakeClient()) {}

  // Appends one request (RESP) to the query buffer and processes the input.
  void Send(const std::vector<std::string>& args) { SendMany({args}); }
  void SendMany(const std::vector<std::vector<std::string>>& reqs) {
    std::string bytes;
    for (const auto& args : reqs) {
      bytes += "*" + std::to_string(args.size()) + "\r\n";
      for (const std::string& a : args)
        bytes += "$" + std::to_string(a.size()) + "\r\n" + a + "\r\n";
    }
    c_->qbuf.Append(bytes);
    c_->ProcessInput();
  }
  // The replies received since the last call, rendered by Harness::Render.
  std::vector<std::string> Replies() {
    std::vector<std::string> out;
    size_t pos = 0;
    while (pos < c_->obuf.size()) out.push_back(Harness::Render(c_->obuf, &pos));
    c_->obuf.clear();
    return out;
  }
  bool blocked() const { return c_->flags & kClientBlocked; }
  Client& client() { return *c_; }

 private:
  Client* c_;
};

using Replies = std::vector<std::string>;

// --- timeout parsing --------------------------------------------------------------------------

TEST(BlockingTest, ParseTimeout) {
  const int64_t now = 1'000'000;
  int64_t d = -1;
  EXPECT_EQ(ParseBlockTimeout("0", now, &d), "");
  EXPECT_EQ(d, 0);
  EXPECT_EQ(ParseBlockTimeout("0.1", now, &d), "");
  EXPECT_EQ(d, now + 100);
  EXPECT_EQ(ParseBlockTimeout("0.0001", now, &d), "");  // rounds up to 1 ms, not "forever"
  EXPECT_EQ(d, now + 1);
  EXPECT_EQ(ParseBlockTimeout("2", now, &d), "");
  EXPECT_EQ(d, now + 2000);
  EXPECT_EQ(ParseBlockTimeout("0x10", now, &d), "");  // strtold's hex, as Redis
  EXPECT_EQ(d, now + 16000);
  EXPECT_EQ(ParseBlockTimeout("-0.0001", now, &d), "");  // ceil(-0.1 ms) == 0: forever
  EXPECT_EQ(d, 0);
  EXPECT_EQ(ParseBlockTimeout("-1", now, &d), errors::kTimeoutNegative);
  EXPECT_EQ(ParseBlockTimeout("-inf", now, &d), errors::kTimeoutNegative);
  for (const char* bad : {"abc", "", " 1", "1 ", "nan", "1s"}) {
    EXPECT_EQ(ParseBlockTimeout(bad, now, &d), errors::kTimeoutNotFloat) << bad;
  }
  EXPECT_EQ(ParseBlockTimeout("inf", now, &d), errors::kTimeoutOutOfRange);
  EXPECT_EQ(ParseBlockTimeout("1e16", now, &d), errors::kTimeoutOutOfRange);
  // Fits in ms, but not once added to the current time.
  EXPECT_EQ(ParseBlockTimeout("9223372036854775", now, &d), errors::kTimeoutOutOfRange);
}

// --- waking up --------------------------------------------------------------------------------

TEST(BlockingTest, WaitersAreServedFirstComeFirstServed) {
  Harness h;
  Conn a(h.server()), b(h.server()), c(h.server()), pusher(h.server());
  for (Conn* w : {&a, &b, &c}) w->Send({"BLPOP", "q", "0"});
  EXPECT_TRUE(a.blocked() && b.blocked() && c.blocked());
  EXPECT_EQ(h.server().blocked_clients(), 3u);
  EXPECT_EQ(h.server().blocking().blocking_keys(), 1u);
  pusher.Send({"RPUSH", "q", "1", "2"});
  EXPECT_EQ(pusher.Replies(), Replies{"(integer) 2"});
  EXPECT_EQ(a.Replies(), Replies{"[q, 1]"});
  EXPECT_EQ(b.Replies(), Replies{"[q, 2]"});
  EXPECT_TRUE(c.blocked());
  EXPECT_EQ(c.Replies(), Replies{});
  pusher.Send({"RPUSH", "q", "3"});
  EXPECT_EQ(c.Replies(), Replies{"[q, 3]"});
  EXPECT_EQ(h.server().blocked_clients(), 0u);
  EXPECT_EQ(h.server().blocking().blocking_keys(), 0u);
}

TEST(BlockingTest, DuplicateKeysAndSignalsCountOnce) {
  Harness h;
  Conn w(h.server()), p(h.server());
  w.Send({"BLPOP", "q", "q", "other", "q", "0"});
  EXPECT_EQ(h.server().blocking().blocking_keys(), 2u);
  // Several writes to the key in one transaction make it ready once: one element is served.
  p.Send({"MULTI"});
  p.Send({"RPUSH", "q", "a"});
  p.Send({"RPUSH", "q", "b"});
  p.Send({"EXEC"});
  EXPECT_EQ(w.Replies(), Replies{"[q, a]"});
  EXPECT_EQ(h.Run({"LRANGE", "q", "0", "-1"}), "[b]");
  EXPECT_EQ(h.server().blocking().blocking_keys(), 0u);
}

TEST(BlockingTest, KeyOfTheWrongTypeDoesNotWake) {
  Harness h;
  Conn w(h.server()), p(h.server());
  w.Send({"BLPOP", "q", "0"});
  p.SendMany({{"MULTI"}, {"LPUSH", "q", "a"}, {"DEL", "q"}, {"SET", "q", "x"}, {"EXEC"}});
  EXPECT_TRUE(w.blocked());
  EXPECT_EQ(w.Replies(), Replies{});
  // A zset waiter is not served by a list, nor a list waiter by a zset.
  Conn z(h.server());
  z.Send({"BZPOPMIN", "k", "0"});
  p.Send({"RPUSH", "k", "listval"});
  EXPECT_TRUE(z.blocked());
  p.Send({"DEL", "k"});
  p.Send({"ZADD", "k", "1", "m"});
  EXPECT_EQ(z.Replies(), Replies{"[k, m, 1]"});
}

TEST(BlockingTest, OtherDatabaseDoesNotWake) {
  Harness h;
  Conn w(h.server()), p(h.server());
  w.Send({"SELECT", "2"});
  w.Send({"BLPOP", "q", "0"});
  p.Send({"RPUSH", "q", "db0"});
  EXPECT_TRUE(w.blocked());
  p.Send({"SELECT", "2"});
  p.Send({"RPUSH", "q", "db2"});
  EXPECT_EQ(w.Replies(), (Replies{"OK", "[q, db2]"}));
}

TEST(BlockingTest, SwapDbMakesBothDatabasesReady) {
  Harness h;
  Conn w0(h.server()), w1(h.server()), p(h.server());
  w0.Send({"BLPOP", "a", "0"});
  w1.Send({"SELECT", "1"});
  w1.Replies();
  w1.Send({"BLPOP", "b", "0"});
  p.Send({"RPUSH", "b", "for-db1"});  // db 0 now holds b, db 1 nothing
  p.Send({"SELECT", "1"});
  p.Send({"RPUSH", "a", "for-db0"});
  p.Send({"SWAPDB", "0", "1"});
  EXPECT_EQ(w0.Replies(), Replies{"[a, for-db0]"});
  EXPECT_EQ(w1.Replies(), Replies{"[b, for-db1]"});
}

TEST(BlockingTest, ChainOfMovesIsServedInOnePass) {
  Harness h;
  Conn m1(h.server()), m2(h.server()), last(h.server()), p(h.server());
  m1.Send({"BLMOVE", "a", "b", "LEFT", "RIGHT", "0"});
  m2.Send({"BRPOPLPUSH", "b", "c", "0"});
  last.Send({"BLPOP", "c", "0"});
  p.Send({"RPUSH", "a", "x"});
  EXPECT_EQ(m1.Replies(), Replies{"x"});
  EXPECT_EQ(m2.Replies(), Replies{"x"});
  EXPECT_EQ(last.Replies(), Replies{"[c, x]"});
  EXPECT_EQ(h.Run({"EXISTS", "a", "b", "c"}), "(integer) 0");
  EXPECT_EQ(h.server().blocked_clients(), 0u);
}

TEST(BlockingTest, CircularMovesDoNotLoopForever) {
  Harness h;
  Conn m1(h.server()), m2(h.server()), p(h.server());
  m1.Send({"BRPOPLPUSH", "x", "y", "0"});
  m2.Send({"BRPOPLPUSH", "y", "x", "0"});
  p.Send({"RPUSH", "x", "v"});
  EXPECT_EQ(m1.Replies(), Replies{"v"});
  EXPECT_EQ(m2.Replies(), Replies{"v"});
  EXPECT_EQ(h.Run({"LRANGE", "x", "0", "-1"}), "[v]");
}

TEST(BlockingTest, PipelinedPushWakesWaiterBeforeTheNextCommand) {
  Harness h;
  Conn w(h.server()), p(h.server());
  w.Send({"BLPOP", "q", "0"});
  p.SendMany({{"RPUSH", "q", "v"}, {"LLEN", "q"}});
  EXPECT_EQ(p.Replies(), (Replies{"(integer) 1", "(integer) 0"}));
  EXPECT_EQ(w.Replies(), Replies{"[q, v]"});
}

TEST(BlockingTest, RequestsBehindABlockedOneRunAfterIt) {
  Harness h;
  Conn w(h.server()), p(h.server());
  w.SendMany({{"BLPOP", "q", "0"}, {"SET", "after", "1"}, {"RPUSH", "q2", "z"}});
  EXPECT_TRUE(w.blocked());
  EXPECT_EQ(h.Run({"GET", "after"}), "(nil)");
  // More input while blocked waits too.
  w.Send({"GET", "after"});
  EXPECT_EQ(w.Replies(), Replies{});
  Conn w2(h.server());
  w2.Send({"BLPOP", "q2", "0"});
  p.Send({"RPUSH", "q", "v"});
  EXPECT_EQ(w.Replies(), (Replies{"[q, v]", "OK", "(integer) 1", "1"}));
  // Its pipelined RPUSH served the second waiter.
  EXPECT_EQ(w2.Replies(), Replies{"[q2, z]"});
}

TEST(BlockingTest, BlockedAgainBehindAnotherBlock) {
  Harness h;
  Conn w(h.server()), p(h.server());
  w.SendMany({{"BLPOP", "q", "0"}, {"BLPOP", "q", "0"}, {"PING"}});
  p.Send({"RPUSH", "q", "1"});
  EXPECT_EQ(w.Replies(), Replies{"[q, 1]"});
  EXPECT_TRUE(w.blocked());
  p.Send({"RPUSH", "q", "2"});
  EXPECT_EQ(w.Replies(), (Replies{"[q, 2]", "PONG"}));
}

// --- deadlines --------------------------------------------------------------------------------

TEST(BlockingTest, DeadlinesFollowTheClock) {
  Harness h;
  Conn w(h.server()), forever(h.server());
  w.Send({"BLPOP", "q", "1.5"});
  forever.Send({"BLPOP", "q", "0"});
  EXPECT_EQ(h.server().blocking().clients_with_timeout(), 1u);
  h.clock().AdvanceMs(1499);
  h.server().Cron();
  EXPECT_TRUE(w.blocked());
  h.clock().AdvanceMs(1);
  h.server().Cron();
  EXPECT_FALSE(w.blocked());
  EXPECT_EQ(w.Replies(), Replies{"(nil)"});
  EXPECT_EQ(h.server().blocking().clients_with_timeout(), 0u);
  h.clock().AdvanceMs(1'000'000);
  h.server().Cron();
  EXPECT_TRUE(forever.blocked());
}

TEST(BlockingTest, TimedOutClientResumesItsPipeline) {
  Harness h;
  Conn w(h.server());
  w.SendMany({{"BZPOPMIN", "z", "0.01"}, {"PING"}});
  EXPECT_EQ(w.Replies(), Replies{});
  h.clock().AdvanceMs(10);
  h.server().Cron();
  EXPECT_EQ(w.Replies(), (Replies{"(nil)", "PONG"}));
}

TEST(BlockingTest, RetryThatBlocksAgainKeepsPlaceAndDeadline) {
  Harness h;
  BlockingManager& m = h.server().blocking();
  Conn w(h.server());
  w.Send({"BLPOP", "q", "5"});
  int64_t deadline = m.next_deadline_ms();
  ASSERT_NE(deadline, 0);
  // What the handler does when it runs again and still finds nothing: Block() while retrying.
  BlockState& st = *w.client().block;
  st.retrying = true;
  std::vector<std::string_view> keys{"q"};
  m.Block(w.client(), 0, keys, deadline + 99999, ObjType::kList);
  st.retrying = false;
  EXPECT_TRUE(st.reblocked);
  EXPECT_EQ(m.next_deadline_ms(), deadline);
  EXPECT_EQ(m.blocked_clients(), 1u);
  EXPECT_EQ(st.waits.size(), 1u);
}

// --- leaving the queues -----------------------------------------------------------------------

TEST(BlockingTest, ClosingClientIsSkippedAndRemoved) {
  Harness h;
  Conn gone(h.server()), w(h.server()), p(h.server());
  gone.Send({"BLPOP", "q", "0"});
  w.Send({"BLPOP", "q", "0"});
  gone.client().CloseAsync();
  p.Send({"RPUSH", "q", "v"});
  EXPECT_EQ(gone.Replies(), Replies{});
  EXPECT_EQ(w.Replies(), Replies{"[q, v]"});
  h.server().blocking().RemoveClient(gone.client());  // what freeing the client does
  EXPECT_EQ(h.server().blocked_clients(), 0u);
  EXPECT_EQ(h.server().blocking().blocking_keys(), 0u);
}

TEST(BlockingTest, ClientUnblock) {
  Harness h;
  Conn w(h.server()), admin(h.server());
  w.SendMany({{"BLMOVE", "a", "b", "LEFT", "LEFT", "0"}, {"PING"}});
  std::string id = std::to_string(w.client().id);
  admin.Send({"CLIENT", "UNBLOCK", id});
  EXPECT_EQ(admin.Replies(), Replies{"(integer) 1"});
  // The released client got its timeout reply, then ran what it had pipelined.
  EXPECT_EQ(w.Replies(), (Replies{"(nil)", "PONG"}));
  admin.Send({"CLIENT", "UNBLOCK", id});
  EXPECT_EQ(admin.Replies(), Replies{"(integer) 0"});
  w.Send({"BZMPOP", "0", "1", "z", "MIN"});
  admin.Send({"CLIENT", "UNBLOCK", id, "error"});
  EXPECT_EQ(admin.Replies(), Replies{"(integer) 1"});
  EXPECT_EQ(w.Replies(), Replies{"(error) UNBLOCKED client unblocked via CLIENT UNBLOCK"});
  EXPECT_EQ(h.server().blocked_clients(), 0u);
}

// --- bookkeeping ------------------------------------------------------------------------------

TEST(BlockingTest, InfoAndCommandStats) {
  Harness h;
  h.Run({"CONFIG", "RESETSTAT"});
  Conn w(h.server()), p(h.server());
  w.Send({"BLPOP", "a", "b", "2"});
  std::string info = h.Run({"INFO", "clients"});
  EXPECT_NE(info.find("blocked_clients:1\r\n"), std::string::npos);
  EXPECT_NE(info.find("total_blocking_keys:2\r\n"), std::string::npos);
  EXPECT_NE(info.find("clients_in_timeout_table:1\r\n"), std::string::npos);
  EXPECT_NE(info.find("total_blocking_keys_on_nokey:0\r\n"), std::string::npos);
  std::string list = h.Run({"CLIENT", "LIST", "ID", std::to_string(w.client().id)});
  EXPECT_NE(list.find(" flags=b "), std::string::npos) << list;
  EXPECT_NE(list.find(" cmd=blpop "), std::string::npos) << list;
  // Not counted while parked; once when served.
  EXPECT_EQ(h.Run({"INFO", "commandstats"}).find("cmdstat_blpop"), std::string::npos);
  p.Send({"RPUSH", "b", "v"});
  EXPECT_EQ(w.Replies(), Replies{"[b, v]"});
  std::string stats = h.Run({"INFO", "commandstats"});
  EXPECT_NE(stats.find("cmdstat_blpop:calls=1,"), std::string::npos) << stats;
  // Once when timed out.
  w.Send({"BLPOP", "a", "0.001"});
  h.clock().AdvanceMs(1);
  h.server().Cron();
  stats = h.Run({"INFO", "commandstats"});
  EXPECT_NE(stats.find("cmdstat_blpop:calls=2,"), std::string::npos) << stats;
  EXPECT_NE(stats.find("failed_calls=0"), std::string::npos) << stats;
}

}  // namespace
}  // namespace ember
