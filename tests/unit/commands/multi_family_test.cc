// Transactions through the in-process harness: MULTI/EXEC/DISCARD queueing and replies,
// queue-time rejections (EXECABORT), runtime errors inside EXEC, WATCH invalidation by every
// path (writes, deletes, expiry with the ManualClock, FLUSHDB/FLUSHALL, SWAPDB, RENAME, MOVE,
// another client), the stale-key rules of Redis 7, UNWATCH/RESET, and the bookkeeping (CLIENT
// LIST fields, INFO, commandstats, MONITOR order). Texts are Redis 7's.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/multi.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

constexpr const char* kExecAbort =
    "(error) EXECABORT Transaction discarded because of previous errors.";

// A second connection-less client of the same server.
class Other {
 public:
  explicit Other(Harness& h) : h_(h), c_(h.server().CreateFakeClient()) {}
  std::string Run(const std::vector<std::string>& args) {
    std::vector<std::string_view> views(args.begin(), args.end());
    c_->obuf.clear();
    h_.server().Execute(*c_, views);
    size_t pos = 0;
    return Harness::Render(c_->obuf, &pos);
  }
  Client& client() { return *c_; }

 private:
  Harness& h_;
  Client* c_;
};

// MULTI; PING; EXEC — "[PONG]" when the transaction ran, "(nil)" when a watched key changed.
std::string PingTx(Harness& h) {
  EXPECT_EQ(h.Run({"MULTI"}), "OK");
  EXPECT_EQ(h.Run({"PING"}), "QUEUED");
  return h.Run({"EXEC"});
}

std::string InfoField(Harness& h, const std::string& section, const std::string& field) {
  std::string info = h.Run({"INFO", section});
  size_t pos = info.find(field + ":");
  if (pos == std::string::npos) return "<missing>";
  size_t start = pos + field.size() + 1;
  return info.substr(start, info.find('\r', start) - start);
}

// --- MULTI / EXEC / DISCARD ----------------------------------------------------------------

TEST(MultiFamilyTest, QueueAndExec) {
  Harness h;
  h.Run({"RPUSH", "mylist", "a", "b", "c"});
  EXPECT_EQ(h.Run({"MULTI"}), "OK");
  EXPECT_EQ(h.Run({"LRANGE", "mylist", "0", "-1"}), "QUEUED");
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "QUEUED");
  EXPECT_EQ(h.Run({"PING"}), "QUEUED");
  EXPECT_EQ(h.Run({"GET", "k"}), "QUEUED");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "QUEUED");
  // Nothing ran yet: another client does not see k.
  Other other(h);
  EXPECT_EQ(other.Run({"EXISTS", "k"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXEC"}), "[[a, b, c], OK, PONG, v, (integer) 1]");
  EXPECT_EQ(h.Run({"GET", "k"}), "v");
  EXPECT_EQ(h.client().flags & kClientMulti, 0u);
  EXPECT_EQ(h.client().tx, nullptr);  // freed with the transaction
}

TEST(MultiFamilyTest, EmptyTransactionAndNesting) {
  Harness h;
  EXPECT_EQ(h.Run({"MULTI"}), "OK");
  EXPECT_EQ(h.Run({"MULTI"}), "(error) ERR MULTI calls can not be nested");
  EXPECT_EQ(h.Run({"EXEC"}), "[]");  // the nested MULTI does not fail the transaction
  EXPECT_EQ(h.Run({"EXEC"}), "(error) ERR EXEC without MULTI");
  EXPECT_EQ(h.Run({"DISCARD"}), "(error) ERR DISCARD without MULTI");
}

TEST(MultiFamilyTest, DiscardDropsQueuedCommands) {
  Harness h;
  h.Run({"RPUSH", "mylist", "a", "b", "c"});
  EXPECT_EQ(h.Run({"MULTI"}), "OK");
  EXPECT_EQ(h.Run({"DEL", "mylist"}), "QUEUED");
  EXPECT_EQ(h.Run({"DISCARD"}), "OK");
  EXPECT_EQ(h.Run({"LRANGE", "mylist", "0", "-1"}), "[a, b, c]");
  EXPECT_EQ(h.Run({"EXEC"}), "(error) ERR EXEC without MULTI");
}

TEST(MultiFamilyTest, QueueTimeErrorsAbortExec) {
  for (std::vector<std::string> bad :
       std::vector<std::vector<std::string>>{{"non-existing-command"},
                                             {"SET", "x"},
                                             {"CONFIG", "NOSUCH"},
                                             {"SHUTDOWN"},
                                             {"MULTI", "extra"},
                                             {"WATCH"}}) {
    Harness h;
    EXPECT_EQ(h.Run({"MULTI"}), "OK");
    EXPECT_EQ(h.Run({"SET", "foo1", "bar1"}), "QUEUED");
    EXPECT_EQ(h.Run(bad).substr(0, 12), "(error) ERR ") << bad[0];
    EXPECT_EQ(h.Run({"SET", "foo2", "bar2"}), "QUEUED");
    EXPECT_EQ(h.Run({"EXEC"}), kExecAbort) << bad[0];
    EXPECT_EQ(h.Run({"EXISTS", "foo1", "foo2"}), "(integer) 0");
    EXPECT_EQ(h.Run({"PING"}), "PONG");  // the MULTI state is gone
  }
}

TEST(MultiFamilyTest, NoMultiCommandsRefused) {
  Harness h;
  h.Run({"MULTI"});
  EXPECT_EQ(h.Run({"SHUTDOWN"}), "(error) ERR Command not allowed inside a transaction");
  EXPECT_EQ(h.Run({"DISCARD"}), "OK");
}

TEST(MultiFamilyTest, NoAuthWhileQueueingAborts) {
  Harness h;
  h.Run({"CONFIG", "SET", "requirepass", "pw"});  // NOAUTH needs a default user with a password
  h.Run({"MULTI"});
  h.client().authenticated = false;  // as after ACL changes; MULTI itself needs auth
  EXPECT_EQ(h.Run({"GET", "k"}), "(error) NOAUTH Authentication required.");
  h.client().authenticated = true;
  EXPECT_EQ(h.Run({"EXEC"}), kExecAbort);
}

TEST(MultiFamilyTest, RefusedExecEndsTheTransaction) {
  Harness h;
  h.Run({"MULTI"});
  h.Run({"SET", "a", "1"});
  EXPECT_EQ(h.Run({"EXEC", "foo"}),
            "(error) EXECABORT Transaction discarded because of: wrong number of arguments for "
            "'exec' command");
  EXPECT_EQ(h.Run({"EXEC"}), "(error) ERR EXEC without MULTI");
  EXPECT_EQ(h.Run({"EXISTS", "a"}), "(integer) 0");
  // Outside MULTI too, as Redis.
  EXPECT_EQ(h.Run({"EXEC", "foo"}),
            "(error) EXECABORT Transaction discarded because of: wrong number of arguments for "
            "'exec' command");
  EXPECT_EQ(h.Run({"DISCARD", "foo"}),
            "(error) ERR wrong number of arguments for 'discard' command");
}

TEST(MultiFamilyTest, RuntimeErrorsDoNotAbort) {
  Harness h;
  h.Run({"MULTI"});
  h.Run({"SET", "s", "x"});
  h.Run({"INCR", "s"});
  h.Run({"LPUSH", "s", "a"});
  h.Run({"GET", "s"});
  EXPECT_EQ(h.Run({"EXEC"}),
            "[OK, (error) ERR value is not an integer or out of range, (error) WRONGTYPE "
            "Operation against a key holding the wrong kind of value, x]");
}

TEST(MultiFamilyTest, CommandsThatRewriteArgs) {
  Harness h;
  h.Run({"SADD", "myset", "a"});
  h.Run({"MULTI"});
  h.Run({"SPOP", "myset"});
  EXPECT_EQ(h.Run({"EXEC"}), "[a]");
  EXPECT_EQ(h.Run({"EXISTS", "myset"}), "(integer) 0");
}

TEST(MultiFamilyTest, SelectInsideTransactionSticks) {
  Harness h;
  h.Run({"MULTI"});
  h.Run({"SELECT", "2"});
  h.Run({"SET", "k", "in2"});
  EXPECT_EQ(h.Run({"EXEC"}), "[OK, OK]");
  EXPECT_EQ(h.client().db_index, 2);
  EXPECT_EQ(h.Run({"GET", "k"}), "in2");
}

TEST(MultiFamilyTest, QueuedArgumentsAreCopies) {
  Harness h;
  std::string big(100000, 'z');
  big[5] = '\0';
  h.Run({"MULTI"});
  {
    std::vector<std::string> args = {"SET", "big", big};
    std::vector<std::string_view> views(args.begin(), args.end());
    h.server().Execute(h.client(), views);
    args[2].assign(big.size(), '!');  // the request buffer moves on
  }
  h.Run({"SET", std::string("b\0in", 4), ""});
  h.Run({"STRLEN", "big"});
  EXPECT_EQ(h.Run({"EXEC"}), "[OK, OK, (integer) 100000]");
  EXPECT_EQ(h.Run({"GET", "big"}), big);
  EXPECT_EQ(h.Run({"EXISTS", std::string("b\0in", 4)}), "(integer) 1");
}

TEST(MultiFamilyTest, MonitorInsideExecRefused) {
  Harness h;
  h.Run({"MULTI"});
  h.Run({"MONITOR"});
  EXPECT_EQ(h.Run({"EXEC"}), "[(error) ERR MONITOR isn't allowed for DENY BLOCKING client]");
}

TEST(MultiFamilyTest, Resp3AndResp2NullReplies) {
  Harness h;
  h.Run({"WATCH", "w"});
  h.Run({"SET", "w", "1"});
  h.Run({"MULTI"});
  EXPECT_EQ(h.RunRaw({"EXEC"}), "*-1\r\n");
  h.Run({"HELLO", "3"});
  h.Run({"WATCH", "w"});
  h.Run({"SET", "w", "2"});
  h.Run({"MULTI"});
  EXPECT_EQ(h.RunRaw({"EXEC"}), "_\r\n");
}

// --- WATCH ---------------------------------------------------------------------------------

TEST(MultiFamilyTest, WatchUnmodifiedKeysRun) {
  Harness h;
  EXPECT_EQ(h.Run({"WATCH", "x", "y", "z"}), "OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "OK");
  EXPECT_EQ(h.Run({"WATCH", "k"}), "OK");  // watching twice is one watch
  EXPECT_EQ(h.client().tx->watched.size(), 4u);
  EXPECT_EQ(PingTx(h), "[PONG]");
}

TEST(MultiFamilyTest, WatchInsideMultiRefused) {
  Harness h;
  h.Run({"MULTI"});
  EXPECT_EQ(h.Run({"WATCH", "x"}), "(error) ERR WATCH inside MULTI is not allowed");
  EXPECT_EQ(h.Run({"EXEC"}), "[]");  // not a queueing error
}

TEST(MultiFamilyTest, WatchedKeyModifiedByOwnOrOtherClient) {
  Harness h;
  h.Run({"SET", "x", "30"});
  h.Run({"WATCH", "a", "b", "x", "k", "z"});
  h.Run({"SET", "x", "40"});
  EXPECT_EQ(PingTx(h), "(nil)");

  Other other(h);
  h.Run({"WATCH", "x"});
  h.Run({"MULTI"});
  h.Run({"INCR", "x"});
  other.Run({"SET", "x", "1"});  // between MULTI and EXEC
  EXPECT_EQ(h.Run({"EXEC"}), "(nil)");
  EXPECT_EQ(h.Run({"GET", "x"}), "1");
}

TEST(MultiFamilyTest, WatchedMissingKeyCreated) {
  Harness h;
  h.Run({"WATCH", "x"});
  h.Run({"LPUSH", "x", "a"});
  EXPECT_EQ(PingTx(h), "(nil)");
  // A missing key that stays missing is no change, even when DEL is tried on it.
  h.Run({"WATCH", "nokey"});
  h.Run({"DEL", "nokey"});
  EXPECT_EQ(PingTx(h), "[PONG]");
}

TEST(MultiFamilyTest, WatchInvalidatedByEveryKindOfWrite) {
  using Cmd = std::vector<std::string>;
  struct Case {
    Cmd write;
    const char* watched;
  };
  for (const Case& c : std::vector<Case>{
           {{"DEL", "x"}, "x"},
           {{"UNLINK", "x"}, "x"},
           {{"EXPIRE", "x", "10"}, "x"},
           {{"PERSIST", "v"}, "v"},
           {{"APPEND", "x", "!"}, "x"},
           {{"RENAME", "x", "y"}, "x"},
           {{"RENAME", "x", "y"}, "y"},
           {{"RENAME", "x", "d"}, "d"},
           {{"RENAMENX", "x", "n"}, "n"},
           {{"MOVE", "x", "1"}, "x"},
           {{"COPY", "x", "c"}, "c"},
           {{"SADD", "s", "m"}, "s"},
           {{"SMOVE", "s", "s2", "a"}, "s2"},
           {{"SREM", "s", "a"}, "s"},
           {{"HSET", "h", "f", "v"}, "h"},
           {{"ZADD", "z", "1", "m"}, "z"},
           {{"RPOP", "l"}, "l"},
           {{"FLUSHDB"}, "x"},
           {{"FLUSHALL"}, "x"},
           {{"MSET", "q", "1", "x", "2"}, "x"},
           {{"SET", "x", "1", "KEEPTTL"}, "x"},
       }) {
    Harness h;
    h.Run({"SET", "x", "30"});
    h.Run({"SET", "d", "dest"});
    h.Run({"SET", "v", "1", "EX", "100"});
    h.Run({"SADD", "s", "a"});
    h.Run({"RPUSH", "l", "a", "b"});
    h.Run({"WATCH", c.watched});
    Other other(h);
    other.Run(c.write);
    EXPECT_EQ(PingTx(h), "(nil)") << c.write[0] << " " << c.watched;
  }
}

TEST(MultiFamilyTest, WritesThatChangeNothingKeepWatch) {
  Harness h;
  h.Run({"SET", "x", "1"});
  h.Run({"SADD", "s", "a"});
  h.Run({"WATCH", "x", "s", "missing"});
  h.Run({"GET", "x"});
  h.Run({"SADD", "s", "a"});          // already a member
  h.Run({"SREM", "s", "zz"});         // not a member
  h.Run({"EXPIRE", "missing", "5"});  // no such key
  h.Run({"SET", "other", "1"});
  EXPECT_EQ(PingTx(h), "[PONG]");
}

TEST(MultiFamilyTest, FlushTouchesOnlyExistingKeys) {
  Harness h;
  h.Run({"WATCH", "x"});
  h.Run({"FLUSHALL"});
  EXPECT_EQ(PingTx(h), "[PONG]");
  h.Run({"WATCH", "x"});
  h.Run({"FLUSHDB"});
  EXPECT_EQ(PingTx(h), "[PONG]");
  // FLUSHDB of another database does not touch this one's key.
  h.Run({"SET", "x", "1"});
  h.Run({"WATCH", "x"});
  Other other(h);
  other.Run({"SELECT", "1"});
  other.Run({"SET", "x", "in1"});
  other.Run({"FLUSHDB"});
  EXPECT_EQ(PingTx(h), "[PONG]");
}

TEST(MultiFamilyTest, FlushallWhileWatchingSeveralKeys) {
  Harness h;
  h.Run({"MSET", "a", "a", "b", "b"});
  h.Run({"WATCH", "b", "a"});
  h.Run({"FLUSHALL"});
  EXPECT_EQ(h.Run({"PING"}), "PONG");
  EXPECT_EQ(PingTx(h), "(nil)");
}

TEST(MultiFamilyTest, WatchRemembersTheDatabase) {
  Harness h;
  h.Run({"SELECT", "5"});
  h.Run({"SET", "x", "30"});
  h.Run({"WATCH", "x"});
  h.Run({"SELECT", "1"});
  h.Run({"SET", "x", "10"});
  h.Run({"SELECT", "5"});
  EXPECT_EQ(PingTx(h), "[PONG]");
  // ...and EXEC from another selected database still checks db 5's key.
  h.Run({"WATCH", "x"});
  h.Run({"SELECT", "1"});
  Other other(h);
  other.Run({"SELECT", "5"});
  other.Run({"SET", "x", "changed"});
  EXPECT_EQ(PingTx(h), "(nil)");
}

TEST(MultiFamilyTest, SwapdbTouchesWatchedKeys) {
  {  // the watched key exists and SWAPDB takes it away
    Harness h;
    h.Run({"SET", "x", "30"});
    h.Run({"WATCH", "x"});
    h.Run({"SWAPDB", "0", "1"});
    EXPECT_EQ(PingTx(h), "(nil)");
  }
  {  // the watched key is missing and SWAPDB brings one
    Harness h;
    h.Run({"SELECT", "1"});
    h.Run({"SET", "x", "30"});
    h.Run({"SELECT", "0"});
    h.Run({"WATCH", "x"});
    h.Run({"SWAPDB", "0", "1"});
    EXPECT_EQ(PingTx(h), "(nil)");
  }
  {  // watched in the other database of the pair
    Harness h;
    h.Run({"SELECT", "1"});
    h.Run({"WATCH", "x"});
    h.Run({"SELECT", "0"});
    h.Run({"SET", "x", "30"});
    h.Run({"SWAPDB", "1", "0"});
    EXPECT_EQ(PingTx(h), "(nil)");
  }
  {  // missing on both sides, or a database outside the pair: no change
    Harness h;
    h.Run({"WATCH", "x"});
    h.Run({"SELECT", "3"});
    h.Run({"SET", "x", "1"});
    h.Run({"SWAPDB", "0", "1"});
    h.Run({"SWAPDB", "3", "4"});
    h.Run({"SELECT", "0"});
    EXPECT_EQ(PingTx(h), "[PONG]");
  }
}

// --- WATCH and expiry -------------------------------------------------------------------------

TEST(MultiFamilyTest, KeyExpiringAfterWatchFailsExec) {
  Harness h;
  h.server().set_active_expire(false);
  h.Run({"SET", "key", "1", "PX", "100"});
  h.Run({"WATCH", "key"});
  h.clock().AdvanceMs(101);
  h.Run({"MULTI"});
  h.Run({"INCR", "key"});
  // Nobody deleted it, but it is logically gone at EXEC time: that is a change.
  EXPECT_EQ(h.Run({"EXEC"}), "(nil)");
}

TEST(MultiFamilyTest, LazyOrActiveExpiryAfterWatchFailsExec) {
  {
    Harness h;
    h.Run({"SET", "key", "1", "PX", "100"});
    h.Run({"WATCH", "key"});
    h.clock().AdvanceMs(101);
    Other other(h);
    EXPECT_EQ(other.Run({"GET", "key"}), "(nil)");  // lazy expiry deletes it
    EXPECT_EQ(PingTx(h), "(nil)");
  }
  {
    Harness h;
    h.Run({"SET", "key", "1", "PX", "100"});
    h.Run({"WATCH", "key"});
    h.clock().AdvanceMs(101);
    h.server().keyspace().ActiveExpire(1'000'000);
    EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 0");
    EXPECT_EQ(PingTx(h), "(nil)");
  }
}

TEST(MultiFamilyTest, WatchingStaleKeyIsNoChange) {
  Harness h;
  h.server().set_active_expire(false);
  h.Run({"SET", "x", "foo", "PX", "1"});
  h.clock().AdvanceMs(2);
  h.Run({"WATCH", "x"});  // already logically expired: watched as stale
  EXPECT_EQ(PingTx(h), "[PONG]");

  h.Run({"WATCH", "x"});
  EXPECT_EQ(h.Run({"EXISTS", "x"}), "(integer) 0");  // lazy deletion of the stale key
  EXPECT_EQ(PingTx(h), "[PONG]");
}

TEST(MultiFamilyTest, StaleKeyRemovedThenCreatedFailsExec) {
  Harness h;
  h.server().set_active_expire(false);
  h.Run({"SET", "x", "foo", "PX", "1"});
  h.clock().AdvanceMs(2);
  h.Run({"WATCH", "x"});
  h.Run({"SET", "x", "new"});  // expires the stale key, then creates a live one
  EXPECT_EQ(PingTx(h), "(nil)");

  h.Run({"SET", "y", "foo", "PX", "1"});
  h.clock().AdvanceMs(2);
  h.Run({"WATCH", "y"});
  h.server().keyspace().ActiveExpire(1'000'000);
  h.Run({"SET", "y", "new"});
  EXPECT_EQ(PingTx(h), "(nil)");
}

TEST(MultiFamilyTest, FlushdbWhileWatchingStaleKeyIsNoChange) {
  Harness h;
  h.server().set_active_expire(false);
  h.Run({"SET", "x", "foo", "PX", "1"});
  h.clock().AdvanceMs(2);
  h.Run({"WATCH", "x"});
  h.Run({"FLUSHDB"});
  EXPECT_EQ(PingTx(h), "[PONG]");
}

TEST(MultiFamilyTest, SwapdbStaleKeyRules) {
  {  // stale key replaced with no key
    Harness h;
    h.server().set_active_expire(false);
    h.Run({"SELECT", "1"});
    h.Run({"SET", "x", "foo", "PX", "1"});
    h.clock().AdvanceMs(2);
    h.Run({"WATCH", "x"});
    h.Run({"SWAPDB", "0", "1"});
    EXPECT_EQ(PingTx(h), "[PONG]");
  }
  {  // no key replaced with a stale key
    Harness h;
    h.server().set_active_expire(false);
    h.Run({"SET", "x", "foo", "PX", "1"});
    h.clock().AdvanceMs(2);
    h.Run({"SELECT", "1"});
    h.Run({"WATCH", "x"});
    h.Run({"SWAPDB", "0", "1"});
    EXPECT_EQ(PingTx(h), "[PONG]");
  }
  {  // stale key replaced with another stale key
    Harness h;
    h.server().set_active_expire(false);
    h.Run({"SELECT", "1"});
    h.Run({"SET", "x", "foo", "PX", "1"});
    h.Run({"SELECT", "0"});
    h.Run({"SET", "x", "bar", "PX", "1"});
    h.clock().AdvanceMs(2);
    h.Run({"SELECT", "1"});
    h.Run({"WATCH", "x"});
    h.Run({"SWAPDB", "0", "1"});
    EXPECT_EQ(PingTx(h), "[PONG]");
  }
  {  // stale key replaced with a live key
    Harness h;
    h.server().set_active_expire(false);
    h.Run({"SELECT", "1"});
    h.Run({"SET", "x", "foo", "PX", "1"});
    h.Run({"SELECT", "0"});
    h.Run({"SET", "x", "live"});
    h.clock().AdvanceMs(2);
    h.Run({"SELECT", "1"});
    h.Run({"WATCH", "x"});
    h.Run({"SWAPDB", "0", "1"});
    EXPECT_EQ(PingTx(h), "(nil)");
  }
}

// --- UNWATCH, DISCARD, RESET and the end of a transaction -----------------------------------

TEST(MultiFamilyTest, KeysAreNoLongerWatchedAfterExec) {
  Harness h;
  h.Run({"SET", "x", "30"});
  h.Run({"WATCH", "x"});
  EXPECT_EQ(PingTx(h), "[PONG]");
  h.Run({"SET", "x", "40"});
  EXPECT_EQ(PingTx(h), "[PONG]");
  // ...after a failed EXEC as well.
  h.Run({"WATCH", "x"});
  h.Run({"SET", "x", "50"});
  EXPECT_EQ(PingTx(h), "(nil)");
  h.Run({"SET", "x", "60"});
  EXPECT_EQ(PingTx(h), "[PONG]");
}

TEST(MultiFamilyTest, Unwatch) {
  Harness h;
  EXPECT_EQ(h.Run({"UNWATCH"}), "OK");  // nothing watched
  h.Run({"SET", "x", "30"});
  h.Run({"WATCH", "x"});
  h.Run({"SET", "x", "40"});
  EXPECT_EQ(h.Run({"UNWATCH"}), "OK");  // also forgets that x changed
  EXPECT_EQ(PingTx(h), "[PONG]");
  EXPECT_EQ(h.client().tx, nullptr);
}

TEST(MultiFamilyTest, DiscardClearsDirtyFlagAndWatches) {
  Harness h;
  h.Run({"WATCH", "x"});
  h.Run({"SET", "x", "10"});
  h.Run({"MULTI"});
  h.Run({"DISCARD"});
  h.Run({"MULTI"});
  h.Run({"INCR", "x"});
  EXPECT_EQ(h.Run({"EXEC"}), "[(integer) 11]");

  h.Run({"WATCH", "x"});
  h.Run({"MULTI"});
  h.Run({"DISCARD"});
  h.Run({"SET", "x", "10"});  // no longer watched
  h.Run({"MULTI"});
  h.Run({"INCR", "x"});
  EXPECT_EQ(h.Run({"EXEC"}), "[(integer) 11]");
}

TEST(MultiFamilyTest, ResetEndsTransactionAndWatches) {
  Harness h;
  h.Run({"WATCH", "x"});
  h.Run({"MULTI"});
  h.Run({"SET", "x", "1"});
  EXPECT_EQ(h.Run({"RESET"}), "RESET");
  EXPECT_EQ(h.client().tx, nullptr);
  EXPECT_EQ(h.Run({"EXEC"}), "(error) ERR EXEC without MULTI");
  EXPECT_EQ(h.Run({"EXISTS", "x"}), "(integer) 0");
  EXPECT_EQ(h.server().watches().watched_keys(), 0u);
}

TEST(MultiFamilyTest, WatchAfterDirtyIsNoop) {
  Harness h;
  h.Run({"WATCH", "x"});
  h.Run({"SET", "x", "1"});
  EXPECT_EQ(h.Run({"WATCH", "y"}), "OK");
  EXPECT_EQ(h.server().watches().watched_keys(), 0u);
  EXPECT_EQ(PingTx(h), "(nil)");
}

// --- bookkeeping ------------------------------------------------------------------------------

TEST(MultiFamilyTest, ClientListFields) {
  Harness h;
  std::string line = h.Run({"CLIENT", "INFO"});
  EXPECT_NE(line.find(" flags=N "), std::string::npos) << line;
  EXPECT_NE(line.find(" multi=-1 qbuf="), std::string::npos) << line;
  EXPECT_NE(line.find(" multi-mem=0 "), std::string::npos) << line;

  h.Run({"WATCH", "a", "b"});
  h.Run({"MULTI"});
  h.Run({"SET", "a", std::string(1000, 'v')});
  h.Run({"GET", "a"});
  h.Run({"CLIENT", "INFO"});
  std::string out = h.Run({"EXEC"});
  // CLIENT INFO ran inside EXEC: still in MULTI with three queued commands; the watches were
  // dropped when EXEC started.
  EXPECT_NE(out.find(" flags=x "), std::string::npos) << out;
  EXPECT_NE(out.find(" multi=3 qbuf="), std::string::npos) << out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(out, m, std::regex(" multi-mem=(\\d+) ")));
  EXPECT_GT(std::stoul(m[1]), 1000u);
}

TEST(MultiFamilyTest, InfoWatchCounters) {
  Harness h;
  Other other(h);
  EXPECT_EQ(InfoField(h, "clients", "watching_clients"), "0");
  EXPECT_EQ(InfoField(h, "clients", "total_watched_keys"), "0");
  h.Run({"WATCH", "a", "b"});
  other.Run({"WATCH", "b", "c"});
  EXPECT_EQ(InfoField(h, "clients", "watching_clients"), "2");
  EXPECT_EQ(InfoField(h, "clients", "total_watched_keys"), "3");
  other.Run({"SET", "a", "1"});  // h becomes dirty and stops watching
  EXPECT_EQ(InfoField(h, "clients", "watching_clients"), "1");
  EXPECT_EQ(InfoField(h, "clients", "total_watched_keys"), "2");
  other.Run({"UNWATCH"});
  EXPECT_EQ(InfoField(h, "clients", "watching_clients"), "0");
  EXPECT_EQ(InfoField(h, "clients", "total_watched_keys"), "0");
}

TEST(MultiFamilyTest, CommandStats) {
  Harness h;
  h.Run({"CONFIG", "RESETSTAT"});
  h.Run({"MULTI"});
  h.Run({"SET", "s", "x"});
  h.Run({"INCR", "s"});
  h.Run({"EXEC"});
  h.Run({"MULTI"});
  h.Run({"SET", "x"});  // rejected while queueing
  h.Run({"EXEC"});      // EXECABORT: a failed EXEC
  std::string stats = h.Run({"INFO", "commandstats"});
  auto stat = [&](const std::string& cmd) {
    std::smatch m;
    std::regex re("cmdstat_" + cmd + ":calls=(\\d+),.*rejected_calls=(\\d+),failed_calls=(\\d+)");
    if (!std::regex_search(stats, m, re)) return std::string("<missing>");
    return std::string(m[1]) + "/" + std::string(m[2]) + "/" + std::string(m[3]);
  };
  EXPECT_EQ(stat("set"), "1/1/0");   // counted when executed; the bad one as rejected
  EXPECT_EQ(stat("incr"), "1/0/1");  // its runtime error fails INCR...
  EXPECT_EQ(stat("exec"), "2/0/1");  // ...not EXEC; EXECABORT does
  EXPECT_EQ(stat("multi"), "2/0/0");
  EXPECT_EQ(InfoField(h, "errorstats", "errorstat_EXECABORT"), "count=1");
}

TEST(MultiFamilyTest, MonitorSeesExecAfterItsCommands) {
  Harness h;
  Client* mon = h.server().CreateFakeClient();
  h.server().AddMonitor(mon);
  mon->obuf.clear();
  h.Run({"MULTI"});
  h.Run({"SET", "a", "1"});  // not fed when queued
  h.Run({"GET", "a"});
  h.Run({"EXEC"});
  std::regex cmd_re("\\] (\"[a-zA-Z]+\")");
  std::string fed;
  for (std::sregex_iterator it(mon->obuf.begin(), mon->obuf.end(), cmd_re), end; it != end; ++it) {
    fed += (*it)[1].str() + " ";
  }
  EXPECT_EQ(fed, "\"MULTI\" \"SET\" \"GET\" \"EXEC\" ");
  h.server().RemoveMonitor(mon);
}

TEST(MultiFamilyTest, ExecWithWritesWaitsForWritePause) {
  Harness h;
  const CommandSpec& exec = *CommandTable::Instance().Find("exec");
  h.server().PauseClients(h.clock().NowMs() + 10'000, /*all=*/false);
  EXPECT_FALSE(h.server().IsPaused(exec));
  EXPECT_FALSE(h.server().IsPaused(exec, {}, kCmdReadOnly | kCmdFast));
  EXPECT_TRUE(h.server().IsPaused(exec, {}, kCmdWrite));
  EXPECT_TRUE(h.server().IsPaused(exec, {}, kCmdMayReplicate));
  h.server().UnpauseClients();
}

TEST(MultiFamilyTest, CommandRows) {
  const CommandTable& t = CommandTable::Instance();
  for (const char* name : {"multi", "exec", "discard", "watch", "unwatch"}) {
    const CommandSpec* spec = t.Find(name);
    ASSERT_NE(spec, nullptr) << name;
    EXPECT_EQ(spec->group, "transactions");
    EXPECT_TRUE(spec->acl & kAclTransaction);
    EXPECT_FALSE(spec->has(kCmdNoMulti));
  }
  EXPECT_TRUE(t.Find("exec")->has(kCmdSkipSlowlog));
  EXPECT_EQ(t.Find("watch")->arity, -2);
  EXPECT_TRUE(RunsImmediatelyInMulti(*t.Find("quit")));
  EXPECT_TRUE(RunsImmediatelyInMulti(*t.Find("reset")));
  EXPECT_FALSE(RunsImmediatelyInMulti(*t.Find("unwatch")));
  EXPECT_TRUE(IsExecCommand(*t.Find("exec")));
}

}  // namespace
}  // namespace ember
