// Unit tests for the subscription registry and delivery (server/pubsub.h) and the output queue
// it feeds (server/client.h): swap-remove index bookkeeping under random subscribe /
// unsubscribe / client removal checked against a simple model, IsChannelSubscriber, large
// messages queued as one shared chunk, output order and partial writes through a real socket
// (writev over chunks and the reply buffer), and the client-output-buffer-limit rules (hard,
// soft with its clock, per class) on the ManualClock.
#include "server/pubsub.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

TEST(PubSubTest, PublishWithoutSubscribersIsZero) {
  Harness h;
  EXPECT_EQ(h.server().pubsub().Publish("ch", "msg"), 0u);
  EXPECT_EQ(h.server().pubsub().PublishShard("ch", "msg"), 0u);
}

TEST(PubSubTest, IsChannelSubscriberIgnoresPatternsAndShards) {
  Harness h;
  PubSub& ps = h.server().pubsub();
  Client& c = h.client();
  EXPECT_FALSE(ps.IsChannelSubscriber(c, "__redis__:invalidate"));
  ps.Subscribe(c, SubKind::kPattern, "__redis__:*");
  ps.Subscribe(c, SubKind::kShard, "__redis__:invalidate");
  EXPECT_FALSE(ps.IsChannelSubscriber(c, "__redis__:invalidate"));
  EXPECT_TRUE(ps.Subscribe(c, SubKind::kChannel, "__redis__:invalidate"));
  EXPECT_FALSE(ps.Subscribe(c, SubKind::kChannel, "__redis__:invalidate"));
  EXPECT_TRUE(ps.IsChannelSubscriber(c, "__redis__:invalidate"));
  EXPECT_TRUE(ps.Unsubscribe(c, SubKind::kChannel, "__redis__:invalidate"));
  EXPECT_FALSE(ps.Unsubscribe(c, SubKind::kChannel, "__redis__:invalidate"));
  EXPECT_FALSE(ps.IsChannelSubscriber(c, "__redis__:invalidate"));
  EXPECT_TRUE(c.flags & kClientPubSub);  // the pattern and shard subscriptions remain
  ps.RemoveClient(c);
  EXPECT_FALSE(c.flags & kClientPubSub);
}

// Random operations on 40 clients x 6 channels, compared with a model after every step:
// subscriber counts, PUBLISH receivers, and who actually got the message.
TEST(PubSubTest, SwapRemoveKeepsIndexesConsistent) {
  Harness h;
  Server& s = h.server();
  PubSub& ps = s.pubsub();
  std::vector<Client*> clients;
  for (int i = 0; i < 40; i++) clients.push_back(s.CreateFakeClient());
  std::map<std::string, std::set<Client*>> model;
  std::mt19937 rng(7);
  for (int step = 0; step < 3000; step++) {
    Client* c = clients[rng() % clients.size()];
    std::string ch = "ch" + std::to_string(rng() % 6);
    int op = int(rng() % 10);
    if (op < 5) {
      EXPECT_EQ(ps.Subscribe(*c, SubKind::kChannel, ch), model[ch].insert(c).second);
    } else if (op < 9) {
      EXPECT_EQ(ps.Unsubscribe(*c, SubKind::kChannel, ch), model[ch].erase(c) == 1);
    } else {
      ps.RemoveClient(*c);
      for (auto& [name, set] : model) set.erase(c);
    }
    size_t active = 0;
    for (auto& [name, set] : model) {
      ASSERT_EQ(ps.NumSubscribers(SubKind::kChannel, name), set.size()) << name;
      active += set.empty() ? 0 : 1;
    }
    ASSERT_EQ(ps.size(SubKind::kChannel), active);
    if (step % 100 == 0) {
      for (Client* x : clients) x->obuf.clear();
      ASSERT_EQ(ps.Publish(ch, "m"), model[ch].size());
      for (Client* x : clients) ASSERT_EQ(x->obuf.empty(), model[ch].count(x) == 0);
    }
  }
}

TEST(PubSubTest, LargeMessagesAreSharedNotCopied) {
  Harness h;
  Server& s = h.server();
  std::vector<Client*> subs;
  for (int i = 0; i < 3; i++) {
    subs.push_back(s.CreateFakeClient());
    s.pubsub().Subscribe(*subs.back(), SubKind::kChannel, "big");
  }
  subs[2]->reply().set_resp(3);
  subs[0]->obuf = "+before\r\n";
  std::string payload(4000, 'x');
  EXPECT_EQ(s.pubsub().Publish("big", payload), 3u);
  size_t encoded = std::string("*3\r\n$7\r\nmessage\r\n$3\r\nbig\r\n$4000\r\n").size() + 4002;
  EXPECT_EQ(subs[0]->output_chunks(), 2u);  // "+before" sealed first, then the message
  EXPECT_EQ(subs[0]->PendingOutputBytes(), 9 + encoded);
  EXPECT_EQ(subs[1]->output_chunks(), 1u);
  EXPECT_TRUE(subs[1]->obuf.empty());
  EXPECT_EQ(subs[1]->PendingOutputBytes(), encoded);
  EXPECT_EQ(subs[2]->PendingOutputBytes(), encoded);
  // A small message is copied into the reply buffer.
  EXPECT_EQ(s.pubsub().Publish("big", "small"), 3u);
  EXPECT_EQ(subs[1]->output_chunks(), 1u);
  EXPECT_EQ(subs[1]->obuf, "*3\r\n$7\r\nmessage\r\n$3\r\nbig\r\n$5\r\nsmall\r\n");
  EXPECT_EQ(subs[2]->obuf, ">3\r\n$7\r\nmessage\r\n$3\r\nbig\r\n$5\r\nsmall\r\n");
}

// A client on one end of a socketpair, not registered with the server's loop.
class SocketClient {
 public:
  explicit SocketClient(Server& s, int sndbuf = 0) {
    EXPECT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds_), 0);
    if (sndbuf) setsockopt(fds_[0], SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
    client_ = std::make_unique<Client>(&s, 999999, std::make_unique<Connection>(fds_[0], true));
  }
  ~SocketClient() { close(fds_[1]); }
  Client& c() { return *client_; }
  // Everything readable on the peer end now.
  std::string Drain() {
    std::string out;
    char buf[65536];
    ssize_t n;
    while ((n = read(fds_[1], buf, sizeof(buf))) > 0) out.append(buf, size_t(n));
    return out;
  }

 private:
  int fds_[2];
  std::unique_ptr<Client> client_;
};

TEST(PubSubTest, FlushWritesChunksAndBufferInOrderAcrossPartialWrites) {
  Harness h;
  Server& s = h.server();
  SocketClient sc(s, 4096);
  Client& c = sc.c();
  s.pubsub().Subscribe(c, SubKind::kChannel, "ch");
  std::string expect;
  for (int i = 0; i < 200; i++) {
    std::string payload(i % 3 == 0 ? 3000 : 10, char('a' + i % 26));
    s.pubsub().Publish("ch", payload);
    expect += "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$" + std::to_string(payload.size()) + "\r\n" +
              payload + "\r\n";
  }
  EXPECT_EQ(c.PendingOutputBytes(), expect.size());
  std::string got;
  for (int round = 0; round < 10000 && got.size() < expect.size(); round++) {
    ASSERT_TRUE(c.Flush());
    got += sc.Drain();
    ASSERT_EQ(c.PendingOutputBytes(), expect.size() - got.size());
  }
  EXPECT_EQ(got, expect);
  EXPECT_FALSE(c.has_pending_output());
  s.pubsub().RemoveClient(c);
}

TEST(PubSubTest, HardLimitClosesAtOnceAndCountsInInfo) {
  Harness h;
  Server& s = h.server();
  ASSERT_EQ(s.config().Set({{"client-output-buffer-limit", "pubsub 10000 0 0"}}), "");
  SocketClient sc(s);
  Client& c = sc.c();
  s.pubsub().Subscribe(c, SubKind::kChannel, "ch");
  s.pubsub().Publish("ch", std::string(5000, 'x'));
  EXPECT_FALSE(c.EnforceOutputLimits(h.clock().NowMs()));
  s.pubsub().Publish("ch", std::string(5000, 'x'));
  EXPECT_TRUE(c.EnforceOutputLimits(h.clock().NowMs()));
  EXPECT_TRUE(c.closing());
  EXPECT_EQ(s.stats().client_output_buffer_limit_disconnections, 1u);
  // A closing client is still counted by PUBLISH (as in Redis) but gets nothing more.
  size_t pending = c.PendingOutputBytes();
  EXPECT_EQ(s.pubsub().Publish("ch", "x"), 1u);
  EXPECT_EQ(c.PendingOutputBytes(), pending);
  EXPECT_NE(h.Run({"INFO", "stats"}).find("client_output_buffer_limit_disconnections:1\r\n"),
            std::string::npos);
  s.pubsub().RemoveClient(c);
}

TEST(PubSubTest, SoftLimitNeedsToLastLongerThanItsSeconds) {
  Harness h;
  Server& s = h.server();
  ASSERT_EQ(s.config().Set({{"client-output-buffer-limit", "pubsub 0 1000 2"}}), "");
  SocketClient sc(s);
  Client& c = sc.c();
  s.pubsub().Subscribe(c, SubKind::kChannel, "ch");
  s.pubsub().Publish("ch", std::string(2000, 'x'));
  EXPECT_FALSE(c.EnforceOutputLimits(h.clock().NowMs()));  // the clock starts
  h.clock().AdvanceMs(2000);
  EXPECT_FALSE(c.EnforceOutputLimits(h.clock().NowMs()));
  // Draining below the limit restarts the clock.
  ASSERT_TRUE(c.Flush());
  sc.Drain();
  EXPECT_EQ(c.obuf_soft_limit_since_ms, 0);
  s.pubsub().Publish("ch", std::string(2000, 'x'));
  h.clock().AdvanceMs(10);
  EXPECT_FALSE(c.EnforceOutputLimits(h.clock().NowMs()));
  h.clock().AdvanceMs(2000);
  EXPECT_FALSE(c.EnforceOutputLimits(h.clock().NowMs()));
  h.clock().AdvanceMs(1);
  EXPECT_TRUE(c.EnforceOutputLimits(h.clock().NowMs()));
  s.pubsub().RemoveClient(c);
}

TEST(PubSubTest, LimitsFollowTheClientClass) {
  Harness h;
  Server& s = h.server();
  ASSERT_EQ(s.config().Set({{"client-output-buffer-limit", "pubsub 100 0 0"}}), "");
  SocketClient sc(s);
  Client& c = sc.c();
  c.obuf.assign(5000, 'x');  // a normal client: the normal class is unlimited by default
  EXPECT_FALSE(c.EnforceOutputLimits(h.clock().NowMs()));
  ASSERT_EQ(s.config().Set({{"client-output-buffer-limit", "normal 1000 0 0"}}), "");
  EXPECT_TRUE(c.EnforceOutputLimits(h.clock().NowMs()));
  // Fake clients (no connection) are never limited.
  h.client().obuf.assign(5000, 'x');
  EXPECT_FALSE(h.client().EnforceOutputLimits(h.clock().NowMs()));
}

TEST(ChunkRefTest, SharesAndReleases) {
  ChunkRef a(std::string("hello"));
  {
    ChunkRef b = a;
    ChunkRef c;
    c = b;
    EXPECT_EQ(c.data(), a.data());
    EXPECT_EQ(c.size(), 5u);
  }
  ChunkRef d = std::move(a);
  EXPECT_FALSE(a);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_EQ(std::string(d.data(), d.size()), "hello");
}

}  // namespace
}  // namespace ember
