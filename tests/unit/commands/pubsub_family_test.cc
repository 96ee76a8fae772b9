// Unit tests for the Pub/Sub commands (commands/pubsub_family.cc) through the in-process
// harness: confirmations and their counts, unsubscribe from nothing, message / pmessage /
// smessage framing in RESP2 and RESP3, PUBLISH receiver counts, the RESP2 subscribed-mode rule,
// PUBSUB introspection, pushes held back behind the publishing client's own reply (EXEC,
// CLIENT REPLY OFF), RESET, and CLIENT LIST's sub/psub/ssub fields.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/pubsub.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

// Runs a command for client c and returns its raw output since the last call.
std::string RawOn(Server& s, Client& c, const std::vector<std::string>& args) {
  std::vector<std::string_view> views(args.begin(), args.end());
  c.obuf.clear();
  s.Execute(c, views);
  return c.obuf;
}

// Renders every RESP value in `raw`, joined by " | ".
std::string RenderAll(const std::string& raw) {
  std::string out;
  size_t pos = 0;
  while (pos < raw.size()) {
    if (!out.empty()) out += " | ";
    out += Harness::Render(raw, &pos);
  }
  return out;
}

std::string On(Server& s, Client& c, const std::vector<std::string>& args) {
  return RenderAll(RawOn(s, c, args));
}

// Takes (and clears) what a subscriber received.
std::string Take(Client& c) {
  std::string out = RenderAll(c.obuf);
  c.obuf.clear();
  return out;
}

class PubSubFamilyTest : public ::testing::Test {
 protected:
  Server& s() { return h_.server(); }
  Harness h_;
};

TEST_F(PubSubFamilyTest, SubscribeConfirmationsCarryTheRunningCount) {
  EXPECT_EQ(
      RenderAll(h_.RunRaw({"SUBSCRIBE", "a", "b", "a"})),
      "[subscribe, a, (integer) 1] | [subscribe, b, (integer) 2] | [subscribe, a, (integer) 2]");
  EXPECT_EQ(h_.RunRaw({"PSUBSCRIBE", "p*"}), "*3\r\n$10\r\npsubscribe\r\n$2\r\np*\r\n:3\r\n");
  // Shard channels count on their own.
  EXPECT_EQ(h_.Run({"SSUBSCRIBE", "s"}), "[ssubscribe, s, (integer) 1]");
  EXPECT_EQ(RenderAll(h_.RunRaw({"UNSUBSCRIBE", "b", "zz"})),
            "[unsubscribe, b, (integer) 2] | [unsubscribe, zz, (integer) 2]");
  EXPECT_EQ(h_.Run({"PUNSUBSCRIBE"}), "[punsubscribe, p*, (integer) 1]");
  EXPECT_EQ(h_.Run({"SUNSUBSCRIBE"}), "[sunsubscribe, s, (integer) 0]");
  EXPECT_TRUE(h_.client().flags & kClientPubSub);
  EXPECT_EQ(h_.Run({"UNSUBSCRIBE"}), "[unsubscribe, a, (integer) 0]");
  EXPECT_FALSE(h_.client().flags & kClientPubSub);
}

TEST_F(PubSubFamilyTest, UnsubscribeFromNothingRepliesANullName) {
  EXPECT_EQ(h_.RunRaw({"UNSUBSCRIBE"}), "*3\r\n$11\r\nunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(h_.RunRaw({"PUNSUBSCRIBE"}), "*3\r\n$12\r\npunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(h_.RunRaw({"SUNSUBSCRIBE"}), "*3\r\n$12\r\nsunsubscribe\r\n$-1\r\n:0\r\n");
  EXPECT_EQ(RenderAll(h_.RunRaw({"UNSUBSCRIBE", "x", "y"})),
            "[unsubscribe, x, (integer) 0] | [unsubscribe, y, (integer) 0]");
  h_.Run({"HELLO", "3"});
  EXPECT_EQ(h_.RunRaw({"UNSUBSCRIBE"}), ">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n");
}

TEST_F(PubSubFamilyTest, MessageFramingResp2AndResp3) {
  Client* a = s().CreateFakeClient();
  Client* b = s().CreateFakeClient();
  On(s(), *a, {"SUBSCRIBE", "news"});
  a->obuf.clear();
  On(s(), *b, {"HELLO", "3"});
  EXPECT_EQ(RawOn(s(), *b, {"PSUBSCRIBE", "n*"}), ">3\r\n$10\r\npsubscribe\r\n$2\r\nn*\r\n:1\r\n");
  b->obuf.clear();
  EXPECT_EQ(h_.Run({"PUBLISH", "news", "hi"}), "(integer) 2");
  EXPECT_EQ(a->obuf, "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(b->obuf, ">4\r\n$8\r\npmessage\r\n$2\r\nn*\r\n$4\r\nnews\r\n$2\r\nhi\r\n");
  EXPECT_EQ(h_.Run({"PUBLISH", "other", "x"}), "(integer) 0");
  // Binary-safe names and payloads.
  a->obuf.clear();
  std::string bin("a\0\r\nb", 5);
  On(s(), *a, {"SUBSCRIBE", bin});
  a->obuf.clear();
  EXPECT_EQ(h_.Run({"PUBLISH", bin, bin}), "(integer) 1");
  EXPECT_EQ(a->obuf, "*3\r\n$7\r\nmessage\r\n$5\r\n" + bin + "\r\n$5\r\n" + bin + "\r\n");
}

TEST_F(PubSubFamilyTest, PublishCountsEveryDeliveryIncludingOverlappingPatterns) {
  Client* a = s().CreateFakeClient();
  On(s(), *a, {"SUBSCRIBE", "foo.bar"});
  On(s(), *a, {"PSUBSCRIBE", "foo.*", "*bar"});
  a->obuf.clear();
  EXPECT_EQ(h_.Run({"PUBLISH", "foo.bar", "m"}), "(integer) 3");
  std::string got = Take(*a);
  EXPECT_NE(got.find("[message, foo.bar, m]"), std::string::npos) << got;
  EXPECT_NE(got.find("[pmessage, foo.*, foo.bar, m]"), std::string::npos) << got;
  EXPECT_NE(got.find("[pmessage, *bar, foo.bar, m]"), std::string::npos) << got;
  EXPECT_EQ(h_.Run({"PUBLISH", "foo1", "m"}), "(integer) 0");
  EXPECT_EQ(h_.Run({"PUBLISH", "xbar", "m"}), "(integer) 1");
  EXPECT_EQ(Take(*a), "[pmessage, *bar, xbar, m]");
}

TEST_F(PubSubFamilyTest, ShardChannelsAreSeparate) {
  Client* a = s().CreateFakeClient();
  On(s(), *a, {"SSUBSCRIBE", "ch"});
  On(s(), *a, {"PSUBSCRIBE", "*"});
  a->obuf.clear();
  EXPECT_EQ(h_.Run({"SPUBLISH", "ch", "x"}), "(integer) 1");
  EXPECT_EQ(Take(*a), "[smessage, ch, x]");  // patterns never see shard messages
  EXPECT_EQ(h_.Run({"PUBLISH", "ch", "y"}), "(integer) 1");
  EXPECT_EQ(Take(*a), "[pmessage, *, ch, y]");
  EXPECT_EQ(h_.Run({"SPUBLISH", "nobody", "x"}), "(integer) 0");
}

TEST_F(PubSubFamilyTest, Resp2SubscribedModeAllowsOnlyThePubSubCommands) {
  h_.Run({"SUBSCRIBE", "a"});
  EXPECT_EQ(h_.Run({"GET", "x"}),
            "(error) ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / "
            "QUIT / RESET are allowed in this context");
  EXPECT_EQ(h_.Run({"CLIENT", "LIST"}),
            "(error) ERR Can't execute 'client|list': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / "
            "PING / QUIT / RESET are allowed in this context");
  // Unknown commands and arity errors come first, as in Redis.
  EXPECT_EQ(h_.Run({"NOSUCH"}).substr(0, 30), "(error) ERR unknown command 'N");
  EXPECT_EQ(h_.Run({"PING"}), "[pong, ]");
  EXPECT_EQ(h_.Run({"PING", "x"}), "[pong, x]");
  EXPECT_EQ(h_.Run({"PSUBSCRIBE", "p"}), "[psubscribe, p, (integer) 2]");
  EXPECT_EQ(h_.Run({"UNSUBSCRIBE"}), "[unsubscribe, a, (integer) 1]");
  EXPECT_EQ(h_.Run({"PUNSUBSCRIBE"}), "[punsubscribe, p, (integer) 0]");
  EXPECT_EQ(h_.Run({"GET", "x"}), "(nil)");
  EXPECT_EQ(h_.Run({"PING"}), "PONG");
}

TEST_F(PubSubFamilyTest, Resp3ClientsMixCommandsAndPushes) {
  h_.Run({"HELLO", "3"});
  EXPECT_EQ(h_.RunRaw({"SUBSCRIBE", "a"}), ">3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n");
  EXPECT_EQ(h_.Run({"SET", "k", "v"}), "OK");
  EXPECT_EQ(h_.Run({"GET", "k"}), "v");
  EXPECT_EQ(h_.Run({"PING"}), "PONG");
}

TEST_F(PubSubFamilyTest, PublishToSelfFollowsTheReply) {
  h_.Run({"HELLO", "3"});
  h_.Run({"SUBSCRIBE", "foo"});
  EXPECT_EQ(h_.RunRaw({"PUBLISH", "foo", "bar"}),
            ":1\r\n>3\r\n$7\r\nmessage\r\n$3\r\nfoo\r\n$3\r\nbar\r\n");
  h_.Run({"MULTI"});
  h_.Run({"PING", "abc"});
  h_.Run({"PUBLISH", "foo", "bar"});
  h_.Run({"PUBLISH", "foo", "vaz"});
  EXPECT_EQ(RenderAll(h_.RunRaw({"EXEC"})),
            "[abc, (integer) 1, (integer) 1] | [message, foo, bar] | [message, foo, vaz]");
}

TEST_F(PubSubFamilyTest, UnsubscribeInsideExecRepliesInline) {
  h_.Run({"HELLO", "3"});
  h_.Run({"SUBSCRIBE", "foo", "bar", "baz"});
  h_.Run({"MULTI"});
  h_.Run({"PING", "abc"});
  h_.Run({"UNSUBSCRIBE", "bar"});
  h_.Run({"UNSUBSCRIBE", "baz"});
  h_.Run({"PING", "def"});
  EXPECT_EQ(h_.Run({"EXEC"}),
            "[abc, [unsubscribe, bar, (integer) 2], [unsubscribe, baz, (integer) 1], def]");
}

TEST_F(PubSubFamilyTest, SsubscribeIsRefusedInsideExec) {
  h_.Run({"MULTI"});
  h_.Run({"SSUBSCRIBE", "q"});
  h_.Run({"SUBSCRIBE", "b"});
  EXPECT_EQ(h_.Run({"EXEC"}),
            "[(error) ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client, "
            "[subscribe, b, (integer) 1]]");
}

TEST_F(PubSubFamilyTest, ConfirmationsAndMessagesIgnoreClientReplyOff) {
  h_.Run({"HELLO", "3"});
  EXPECT_EQ(h_.RunRaw({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h_.Run({"SUBSCRIBE", "channel"}), "[subscribe, channel, (integer) 1]");
  EXPECT_EQ(h_.Run({"PSUBSCRIBE", "ch*"}), "[psubscribe, ch*, (integer) 2]");
  EXPECT_EQ(h_.RunRaw({"GET", "x"}), "");
  EXPECT_EQ(RenderAll(h_.RunRaw({"PUBLISH", "channel", "hello"})),
            "[message, channel, hello] | [pmessage, ch*, channel, hello]");
  EXPECT_EQ(h_.Run({"UNSUBSCRIBE", "channel"}), "[unsubscribe, channel, (integer) 1]");
  h_.Run({"CLIENT", "REPLY", "ON"});
  // SKIP silences the next command only, never its pushes.
  h_.Run({"CLIENT", "REPLY", "SKIP"});
  EXPECT_EQ(h_.Run({"PUNSUBSCRIBE"}), "[punsubscribe, ch*, (integer) 0]");
}

TEST_F(PubSubFamilyTest, ResetLeavesEverySubscription) {
  h_.Run({"SUBSCRIBE", "a"});
  h_.Run({"PSUBSCRIBE", "b*"});
  h_.Run({"SSUBSCRIBE", "c"});
  EXPECT_EQ(h_.Run({"RESET"}), "RESET");
  EXPECT_FALSE(h_.client().flags & kClientPubSub);
  EXPECT_EQ(h_.Run({"PUBLISH", "a", "x"}), "(integer) 0");
  EXPECT_EQ(h_.Run({"PUBLISH", "bb", "x"}), "(integer) 0");
  EXPECT_EQ(h_.Run({"SPUBLISH", "c", "x"}), "(integer) 0");
  EXPECT_EQ(h_.Run({"PUBSUB", "NUMPAT"}), "(integer) 0");
}

TEST_F(PubSubFamilyTest, PubsubIntrospection) {
  Client* a = s().CreateFakeClient();
  Client* b = s().CreateFakeClient();
  On(s(), *a, {"SUBSCRIBE", "news.1", "news.2", "sport"});
  On(s(), *b, {"SUBSCRIBE", "news.1"});
  On(s(), *a, {"PSUBSCRIBE", "foo*", "bar*"});
  On(s(), *b, {"PSUBSCRIBE", "foo*"});
  On(s(), *b, {"SSUBSCRIBE", "s1", "s2"});
  std::string all = h_.Run({"PUBSUB", "CHANNELS"});
  for (const char* ch : {"news.1", "news.2", "sport"}) EXPECT_NE(all.find(ch), std::string::npos);
  std::string news = h_.Run({"PUBSUB", "CHANNELS", "news.*"});
  EXPECT_TRUE(news == "[news.1, news.2]" || news == "[news.2, news.1]") << news;
  EXPECT_EQ(h_.Run({"PUBSUB", "CHANNELS", "zzz*"}), "[]");
  EXPECT_EQ(h_.Run({"PUBSUB", "NUMSUB", "news.1", "sport", "none"}),
            "[news.1, (integer) 2, sport, (integer) 1, none, (integer) 0]");
  EXPECT_EQ(h_.Run({"PUBSUB", "NUMSUB"}), "[]");
  EXPECT_EQ(h_.Run({"PUBSUB", "NUMPAT"}), "(integer) 2");
  std::string shard = h_.Run({"PUBSUB", "SHARDCHANNELS"});
  EXPECT_TRUE(shard == "[s1, s2]" || shard == "[s2, s1]") << shard;
  EXPECT_EQ(h_.Run({"PUBSUB", "SHARDCHANNELS", "s1"}), "[s1]");
  EXPECT_EQ(h_.Run({"PUBSUB", "SHARDNUMSUB", "s1", "news.1"}),
            "[s1, (integer) 1, news.1, (integer) 0]");
  // Errors, with Redis's texts.
  EXPECT_EQ(h_.Run({"PUBSUB", "CHANNELS", "a", "b"}),
            "(error) ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try "
            "PUBSUB HELP.");
  EXPECT_EQ(h_.Run({"PUBSUB", "NUMPAT", "x"}),
            "(error) ERR wrong number of arguments for 'pubsub|numpat' command");
  EXPECT_EQ(h_.Run({"PUBSUB", "foo"}), "(error) ERR unknown subcommand 'foo'. Try PUBSUB HELP.");
  EXPECT_EQ(h_.Run({"PUBSUB"}), "(error) ERR wrong number of arguments for 'pubsub' command");
  EXPECT_EQ(h_.Run({"PUBSUB", "HELP"}).substr(0, 27), "[PUBSUB <subcommand> [<arg>");
  // RESP3: still flat arrays.
  h_.Run({"HELLO", "3"});
  EXPECT_EQ(h_.RunRaw({"PUBSUB", "NUMSUB", "sport"}), "*2\r\n$5\r\nsport\r\n:1\r\n");
}

TEST_F(PubSubFamilyTest, InfoAndClientListCountSubscriptions) {
  Client* a = s().CreateFakeClient();
  On(s(), *a, {"CLIENT", "SETNAME", "sub"});
  On(s(), *a, {"SUBSCRIBE", "x", "y"});
  On(s(), *a, {"PSUBSCRIBE", "p*"});
  On(s(), *a, {"SSUBSCRIBE", "s"});
  std::string info = h_.Run({"INFO", "stats"});
  EXPECT_NE(info.find("pubsub_channels:2\r\n"), std::string::npos);
  EXPECT_NE(info.find("pubsub_patterns:1\r\n"), std::string::npos);
  EXPECT_NE(info.find("pubsubshard_channels:1\r\n"), std::string::npos);
  std::string list = h_.Run({"CLIENT", "LIST"});
  size_t at = list.find("name=sub ");
  ASSERT_NE(at, std::string::npos);
  std::string line = list.substr(at, list.find('\n', at) - at);
  EXPECT_NE(line.find(" flags=P "), std::string::npos) << line;
  EXPECT_NE(line.find(" sub=2 psub=1 ssub=1 "), std::string::npos) << line;
  EXPECT_NE(h_.Run({"CLIENT", "LIST", "TYPE", "pubsub"}).find("name=sub "), std::string::npos);
}

TEST_F(PubSubFamilyTest, CommandTableRows) {
  EXPECT_EQ(h_.Run({"COMMAND", "INFO", "publish"}).substr(0, 53),
            "[[publish, (integer) 3, [pubsub, loading, stale, fast");
  std::string ss = h_.Run({"COMMAND", "GETKEYS", "SSUBSCRIBE", "a", "b"});
  EXPECT_EQ(ss, "[a, b]");
}

}  // namespace
}  // namespace ember
