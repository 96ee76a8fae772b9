// Unit tests for keyspace notifications (server/notify.h) through the in-process harness: a
// second fake client holds a pattern subscription on every keyspace/keyevent channel, and each
// test compares the events it received with the ones Redis 7.2 sends — the class filter, the K
// and E channels, the database number, the order of multi-event commands, and the events the
// Server raises for the Db: "expired" (lazy and active, on the ManualClock), "new",
// "keymiss" (not for OBJECT) and "hexpired" for hash field TTLs. The full per-command event
// lists are compared against a real redis-server in tests/integration/test_notifications.py.
#include "server/notify.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;
using Events = std::vector<std::string>;

class NotifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sub_ = h_.server().CreateFakeClient();
    Subscribe("__key*__:*");
  }

  void Subscribe(const std::string& pattern) {
    std::vector<std::string_view> args = {"PSUBSCRIBE", pattern};
    h_.server().Execute(*sub_, args);
    sub_->obuf.clear();
  }

  void Config(const std::string& flags) {
    ASSERT_EQ(h_.Run({"CONFIG", "SET", "notify-keyspace-events", flags}), "OK");
  }

  // Runs each command on the harness client (replies ignored) and returns what the subscriber
  // received, each message as "channel payload".
  Events Run(const std::vector<std::vector<std::string>>& cmds) {
    for (const auto& c : cmds) h_.Run(c);
    return Received();
  }

  Events Received() {
    Events out;
    size_t pos = 0;
    const std::string& buf = sub_->obuf;
    while (pos < buf.size()) {
      std::string msg = Harness::Render(buf, &pos);   // [pmessage, pattern, channel, payload]
      size_t a = msg.find(", ", msg.find(", ") + 2);  // after the pattern
      out.push_back(msg.substr(a + 2, msg.size() - a - 3));
      size_t comma = out.back().find(", ");
      out.back().replace(comma, 2, " ");
    }
    sub_->obuf.clear();
    return out;
  }

  Harness h_;
  Client* sub_ = nullptr;
};

TEST_F(NotifyTest, DisabledByDefault) {
  EXPECT_EQ(Run({{"SET", "k", "v"}, {"DEL", "k"}, {"GET", "nokey"}}), Events{});
}

TEST_F(NotifyTest, KeyspaceAndKeyevent) {
  Config("KA");
  EXPECT_EQ(Run({{"SET", "k", "v"}}), Events{"__keyspace@0__:k set"});
  Config("EA");
  EXPECT_EQ(Run({{"SET", "k", "v"}}), Events{"__keyevent@0__:set k"});
  Config("KEA");
  EXPECT_EQ(Run({{"SET", "k", "v"}}), (Events{"__keyspace@0__:k set", "__keyevent@0__:set k"}));
}

TEST_F(NotifyTest, NeedsKOrE) {
  Config("A");
  EXPECT_EQ(Run({{"SET", "k", "v"}, {"DEL", "k"}}), Events{});
}

TEST_F(NotifyTest, ClassFilter) {
  Config("El");
  EXPECT_EQ(Run({{"SET", "k", "v"}, {"LPUSH", "l", "a"}, {"SADD", "s", "a"}, {"DEL", "l"}}),
            Events{"__keyevent@0__:lpush l"});
  Config("Eg$");
  EXPECT_EQ(Run({{"SET", "k", "v", "EX", "10"}, {"HSET", "h", "f", "v"}, {"DEL", "k"}}),
            (Events{"__keyevent@0__:set k", "__keyevent@0__:expire k", "__keyevent@0__:del k"}));
}

TEST_F(NotifyTest, DatabaseNumberInChannels) {
  Config("KEA");
  EXPECT_EQ(Run({{"SELECT", "12"}, {"INCR", "n"}, {"SELECT", "0"}}),
            (Events{"__keyspace@12__:n incrby", "__keyevent@12__:incrby n"}));
}

TEST_F(NotifyTest, MultiEventOrder) {
  Config("Eg$l");
  EXPECT_EQ(
      Run({{"SET", "a", "1", "PX", "100000"},
           {"RENAME", "a", "b"},
           {"RPUSH", "src", "x"},
           {"LMOVE", "src", "dst", "LEFT", "RIGHT"},
           {"MOVE", "b", "3"}}),
      (Events{"__keyevent@0__:set a", "__keyevent@0__:expire a", "__keyevent@0__:rename_from a",
              "__keyevent@0__:rename_to b", "__keyevent@0__:rpush src", "__keyevent@0__:rpush dst",
              "__keyevent@0__:lpop src", "__keyevent@0__:del src", "__keyevent@0__:move_from b",
              "__keyevent@3__:move_to b"}));
}

TEST_F(NotifyTest, NewKeyEvents) {
  Config("En");
  EXPECT_EQ(Run({{"SET", "foo", "bar"},
                 {"SET", "foo", "baz"},
                 {"SET", "bar", "bar"},
                 {"LPUSH", "l", "x"},
                 {"LPUSH", "l", "y"},
                 {"RENAME", "l", "m"},
                 {"SUNIONSTORE", "s", "nokey"}}),
            (Events{"__keyevent@0__:new foo", "__keyevent@0__:new bar", "__keyevent@0__:new l",
                    "__keyevent@0__:new m"}));
}

TEST_F(NotifyTest, KeyMissOnReadsOnly) {
  Config("Em");
  EXPECT_EQ(
      Run({{"GET", "a"},
           {"SET", "b", "1"},
           {"GET", "b"},
           {"LPUSH", "c", "x"},
           {"EXISTS", "d"},
           {"OBJECT", "ENCODING", "e"},
           {"LRANGE", "f", "0", "-1"}}),
      (Events{"__keyevent@0__:keymiss a", "__keyevent@0__:keymiss d", "__keyevent@0__:keymiss f"}));
}

TEST_F(NotifyTest, LazyExpiry) {
  Config("KEA");
  h_.server().set_active_expire(false);
  h_.Run({"SET", "k", "v", "PX", "100"});
  Received();
  h_.clock().AdvanceMs(200);
  EXPECT_EQ(Run({{"GET", "k"}}), (Events{"__keyspace@0__:k expired", "__keyevent@0__:expired k"}));
  EXPECT_EQ(Run({{"GET", "k"}}), Events{});
}

TEST_F(NotifyTest, LazyExpiryThenKeyMiss) {
  Config("Exm");
  h_.Run({"SET", "k", "v", "PX", "100"});
  h_.clock().AdvanceMs(200);
  EXPECT_EQ(Run({{"GET", "k"}}), (Events{"__keyevent@0__:expired k", "__keyevent@0__:keymiss k"}));
}

TEST_F(NotifyTest, ActiveExpiry) {
  Config("Ex");
  h_.Run({"SET", "k", "v", "PX", "100"});
  h_.Run({"SET", "other", "v"});
  h_.clock().AdvanceMs(200);
  h_.server().Cron();
  EXPECT_EQ(Received(), Events{"__keyevent@0__:expired k"});
}

TEST_F(NotifyTest, ExpiredKeyDeletedByWriteIsExpiredNotDel) {
  Config("Egx");
  h_.Run({"SET", "k", "v", "PX", "100"});
  Received();
  h_.clock().AdvanceMs(200);
  EXPECT_EQ(Run({{"DEL", "k"}}), Events{"__keyevent@0__:expired k"});
}

TEST_F(NotifyTest, HashFieldExpiryLazyAndActive) {
  Config("Egh");
  h_.server().set_active_expire(false);
  EXPECT_EQ(Run({{"HSET", "h", "a", "1", "b", "2"}, {"HPEXPIRE", "h", "100", "FIELDS", "1", "a"}}),
            (Events{"__keyevent@0__:hset h", "__keyevent@0__:hexpire h"}));
  h_.clock().AdvanceMs(200);
  EXPECT_EQ(Run({{"HGET", "h", "b"}}), Events{"__keyevent@0__:hexpired h"});
  h_.Run({"HPEXPIRE", "h", "100", "FIELDS", "1", "b"});
  Received();
  h_.clock().AdvanceMs(200);
  EXPECT_EQ(Run({{"HLEN", "h"}}), (Events{"__keyevent@0__:hexpired h", "__keyevent@0__:del h"}));

  h_.server().set_active_expire(true);
  h_.Run({"HSET", "g", "a", "1", "b", "2"});
  h_.Run({"HPEXPIRE", "g", "100", "FIELDS", "2", "a", "b"});
  Received();
  h_.clock().AdvanceMs(200);
  h_.server().Cron();
  EXPECT_EQ(Received(), (Events{"__keyevent@0__:hexpired g", "__keyevent@0__:del g"}));
}

// A field deleted by HDEL before its TTL passes leaves a stale entry in the field-expiry
// index; reclaiming it later must not report "hexpired".
TEST_F(NotifyTest, NoHexpiredForFieldDeletedBeforeItsTtl) {
  Config("Egh");
  h_.Run({"HSET", "h", "a", "1", "b", "2"});
  h_.Run({"HPEXPIRE", "h", "100", "FIELDS", "1", "a"});
  h_.Run({"HDEL", "h", "a"});
  EXPECT_EQ(Received(),
            (Events{"__keyevent@0__:hset h", "__keyevent@0__:hexpire h", "__keyevent@0__:hdel h"}));
  h_.clock().AdvanceMs(200);
  h_.server().Cron();
  EXPECT_EQ(Run({{"HGETALL", "h"}}), Events{});
}

TEST_F(NotifyTest, EvictedHook) {
  Config("Ee");
  NotifyEvicted(h_.server(), 2, "victim");
  EXPECT_EQ(Received(), Events{"__keyevent@2__:evicted victim"});
  Config("Ex");
  NotifyEvicted(h_.server(), 2, "victim");
  EXPECT_EQ(Received(), Events{});
}

TEST_F(NotifyTest, TransactionsAndBinaryKeys) {
  Config("KE$");
  std::string key("a\0b", 3);
  EXPECT_EQ(Run({{"MULTI"}, {"SET", key, "1"}, {"APPEND", key, "2"}, {"EXEC"}}),
            (Events{"__keyspace@0__:" + key + " set", "__keyevent@0__:set " + key,
                    "__keyspace@0__:" + key + " append", "__keyevent@0__:append " + key}));
}

}  // namespace
}  // namespace ember
