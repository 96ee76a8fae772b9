// Unit tests for the dispatcher (Server::Execute) through the in-process harness: the order
// of its checks (unknown command → arity → auth), Redis's exact error texts, commandstats and
// errorstats bookkeeping, reply suppression (CLIENT REPLY OFF/SKIP), the MONITOR feed format
// and the slowlog's argument truncation.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "command_harness.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/config.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

const CommandSpec& Spec(std::string_view name) {
  const CommandSpec* spec = CommandTable::Instance().Find(name);
  EXPECT_NE(spec, nullptr) << name;
  return *spec;
}

Config WithPassword(const std::string& pass) {
  Config c;
  c.mutable_values().requirepass = pass;
  return c;
}

// --- unknown commands and arity ------------------------------------------------------------

TEST(DispatcherTest, UnknownCommandText) {
  Harness h;
  EXPECT_EQ(h.Run({"foo", "a", "b"}),
            "(error) ERR unknown command 'foo', with args beginning with: 'a' 'b' ");
  EXPECT_EQ(h.Run({"foo"}), "(error) ERR unknown command 'foo', with args beginning with: ");
  EXPECT_EQ(h.RunRaw({"nosuch"}), "-ERR unknown command 'nosuch', with args beginning with: \r\n");
}

TEST(DispatcherTest, UnknownCommandTruncatesLikeRedis) {
  Harness h;
  // Arguments are appended while the list is under 128 bytes; each is cut to what is left.
  std::string a100(100, 'a'), b50(50, 'b');
  EXPECT_EQ(h.Run({"foo", a100, b50, "c"}),
            "(error) ERR unknown command 'foo', with args beginning with: '" + a100 + "' '" +
                std::string(25, 'b') + "' ");
  std::string a200(200, 'a');
  EXPECT_EQ(h.Run({"foo", a200, "b"}),
            "(error) ERR unknown command 'foo', with args beginning with: '" +
                std::string(128, 'a') + "' ");
  // The command name itself is cut to 128 bytes.
  EXPECT_EQ(
      h.Run({std::string(200, 'F')}),
      "(error) ERR unknown command '" + std::string(128, 'F') + "', with args beginning with: ");
}

TEST(DispatcherTest, CommandNamesAreCaseInsensitive) {
  Harness h;
  EXPECT_EQ(h.Run({"SeT", "k", "v"}), "OK");
  EXPECT_EQ(h.Run({"gEt", "k"}), "v");
  EXPECT_EQ(h.Run({"PING"}), "PONG");
}

TEST(DispatcherTest, WrongArityText) {
  Harness h;
  EXPECT_EQ(h.Run({"get"}), "(error) ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(h.Run({"GET", "a", "b"}), "(error) ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(h.Run({"set", "k"}), "(error) ERR wrong number of arguments for 'set' command");
  EXPECT_EQ(h.Run({"ECHO"}), "(error) ERR wrong number of arguments for 'echo' command");
}

TEST(DispatcherTest, ContainerCommands) {
  Harness h;
  const CommandSpec* config = CommandTable::Instance().Find("config");
  if (config == nullptr || config->subcommands.empty()) GTEST_SKIP() << "CONFIG not registered";
  EXPECT_EQ(h.Run({"config", "nosuch"}),
            "(error) ERR unknown subcommand 'nosuch'. Try CONFIG HELP.");
  EXPECT_EQ(h.Run({"config"}), "(error) ERR wrong number of arguments for 'config' command");
}

// --- authentication ------------------------------------------------------------------------

TEST(DispatcherTest, NoAuthWhenRequirepassIsSet) {
  Harness h(WithPassword("pw"));
  h.client().authenticated = false;  // a fresh network client with requirepass set
  EXPECT_EQ(h.Run({"GET", "k"}), "(error) NOAUTH Authentication required.");
  EXPECT_EQ(h.Run({"PING"}), "(error) NOAUTH Authentication required.");
  // Unknown commands and wrong arity are reported before the auth check, as in Redis 7.
  EXPECT_EQ(h.Run({"foo"}), "(error) ERR unknown command 'foo', with args beginning with: ");
  EXPECT_EQ(h.Run({"get"}), "(error) ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(h.Run({"AUTH", "bad"}),
            "(error) WRONGPASS invalid username-password pair or user is disabled.");
  EXPECT_FALSE(h.client().authenticated);
  EXPECT_EQ(h.Run({"AUTH", "pw"}), "OK");
  EXPECT_TRUE(h.client().authenticated);
  EXPECT_EQ(h.Run({"SET", "k", "v"}), "OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "v");
}

TEST(DispatcherTest, NoAuthCommandsRunUnauthenticated) {
  Harness h(WithPassword("pw"));
  h.client().authenticated = false;
  // QUIT, AUTH, HELLO and RESET carry the no-auth flag.
  EXPECT_TRUE(Spec("auth").has(kCmdNoAuth));
  EXPECT_TRUE(Spec("hello").has(kCmdNoAuth));
  EXPECT_EQ(h.Run({"RESET"}), "RESET");
  EXPECT_FALSE(h.client().authenticated);
  EXPECT_EQ(h.Run({"HELLO", "2", "AUTH", "default", "pw"}).substr(0, 16), "[server, redis, ");
  EXPECT_TRUE(h.client().authenticated);
}

TEST(DispatcherTest, AuthWithoutPasswordConfigured) {
  Harness h;
  EXPECT_EQ(h.Run({"AUTH", "x"}),
            "(error) ERR AUTH <password> called without any password configured for the "
            "default user. Are you sure your configuration is correct?");
}

// --- statistics ----------------------------------------------------------------------------

TEST(DispatcherTest, CommandStatsCounters) {
  Harness h;
  const CommandSpec& get = Spec("get");
  const CommandSpec& incr = Spec("incr");
  CommandSpec::Stats get0 = get.stats, incr0 = incr.stats;
  uint64_t processed0 = h.server().stats().total_commands_processed;
  uint64_t client0 = h.client().commands_processed;

  EXPECT_EQ(h.Run({"GET", "missing"}), "(nil)");
  EXPECT_EQ(h.Run({"GET", "missing"}), "(nil)");
  EXPECT_EQ(h.Run({"GET"}), "(error) ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(get.stats.calls, get0.calls + 2);
  EXPECT_EQ(get.stats.rejected_calls, get0.rejected_calls + 1);
  EXPECT_EQ(get.stats.failed_calls, get0.failed_calls);

  EXPECT_EQ(h.Run({"SET", "s", "abc"}), "OK");
  EXPECT_EQ(h.Run({"INCR", "s"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"INCR", "n"}), "(integer) 1");
  EXPECT_EQ(incr.stats.calls, incr0.calls + 2);
  EXPECT_EQ(incr.stats.failed_calls, incr0.failed_calls + 1);
  EXPECT_EQ(incr.stats.rejected_calls, incr0.rejected_calls);

  // Rejected calls do not count as processed commands.
  EXPECT_EQ(h.server().stats().total_commands_processed, processed0 + 5);
  EXPECT_EQ(h.client().commands_processed, client0 + 5);
  EXPECT_EQ(h.client().last_cmd, &incr);
}

TEST(DispatcherTest, ErrorStats) {
  Harness h(WithPassword("pw"));
  ServerStats& st = h.server().stats();
  uint64_t total0 = st.total_error_replies;
  uint64_t err0 = st.error_counts["ERR"];
  uint64_t noauth0 = st.error_counts["NOAUTH"];
  uint64_t wrongpass0 = st.error_counts["WRONGPASS"];
  h.Run({"nosuch"});
  h.Run({"get"});
  h.client().authenticated = false;
  h.Run({"GET", "k"});
  h.Run({"AUTH", "bad"});
  EXPECT_EQ(st.total_error_replies, total0 + 4);
  EXPECT_EQ(st.error_counts["ERR"], err0 + 2);
  EXPECT_EQ(st.error_counts["NOAUTH"], noauth0 + 1);
  EXPECT_EQ(st.error_counts["WRONGPASS"], wrongpass0 + 1);
  // An unauthenticated rejection counts against the command it would have run.
  uint64_t rejected0 = Spec("set").stats.rejected_calls;
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(Spec("set").stats.rejected_calls, rejected0 + 1);
}

// --- reply suppression ---------------------------------------------------------------------

TEST(DispatcherTest, ReplyOffFlagSuppressesReplies) {
  Harness h;
  h.client().flags |= kClientReplyOff;
  EXPECT_EQ(h.RunRaw({"SET", "k", "v"}), "");
  EXPECT_EQ(h.RunRaw({"GET", "k"}), "");
  h.client().flags &= ~uint64_t(kClientReplyOff);
  EXPECT_EQ(h.Run({"GET", "k"}), "v");  // the command still ran
}

TEST(DispatcherTest, ReplySkipNextSuppressesOneReply) {
  Harness h;
  h.client().flags |= kClientReplySkipNext;
  EXPECT_EQ(h.RunRaw({"SET", "k", "1"}), "");
  EXPECT_EQ(h.Run({"INCR", "k"}), "(integer) 2");
  EXPECT_EQ(h.Run({"GET", "k"}), "2");
}

TEST(DispatcherTest, ClientReplyCommand) {
  const CommandSpec* client = CommandTable::Instance().Find("client");
  if (client == nullptr || !CommandTable::Instance().FindSub(client, "reply")) {
    GTEST_SKIP() << "CLIENT REPLY not registered yet";
  }
  Harness h;
  EXPECT_EQ(h.RunRaw({"CLIENT", "REPLY", "OFF"}), "");
  EXPECT_EQ(h.RunRaw({"SET", "k", "v"}), "");
  EXPECT_EQ(h.Run({"CLIENT", "REPLY", "ON"}), "OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "v");
  EXPECT_EQ(h.RunRaw({"CLIENT", "REPLY", "SKIP"}), "");
  EXPECT_EQ(h.RunRaw({"SET", "k", "w"}), "");
  EXPECT_EQ(h.Run({"GET", "k"}), "w");
}

// --- MONITOR feed --------------------------------------------------------------------------

TEST(DispatcherTest, MonitorFeedFormat) {
  Harness h;
  Client* mon = h.server().CreateFakeClient();
  h.server().AddMonitor(mon);
  mon->obuf.clear();
  h.Run({"SET", "k", "a \"b\"\n\x01\\"});
  // +<seconds>.<micros> [<db> <addr>] "arg" ... with C-style escapes, one status line.
  std::regex line(R"(^\+\d+\.\d{6} \[0 [^\]]+\] "SET" "k" "a \\"b\\"\\n\\x01\\\\"\r\n$)");
  EXPECT_TRUE(std::regex_match(mon->obuf, line)) << mon->obuf;

  mon->obuf.clear();
  h.Run({"SELECT", "3"});
  h.Run({"GET", "k"});
  size_t pos = mon->obuf.find("\r\n");
  ASSERT_NE(pos, std::string::npos);
  std::string second = mon->obuf.substr(pos + 2);
  EXPECT_TRUE(std::regex_match(second, std::regex(R"(^\+\d+\.\d{6} \[3 [^\]]+\] "GET" "k"\r\n$)")))
      << second;

  // Rejected commands are not fed.
  mon->obuf.clear();
  h.Run({"nosuch"});
  h.Run({"get"});
  EXPECT_EQ(mon->obuf, "");

  h.server().RemoveMonitor(mon);
  h.Run({"PING"});
  EXPECT_EQ(mon->obuf, "");
}

// --- slowlog -----------------------------------------------------------------------------

TEST(DispatcherTest, SlowlogRecordsAndTruncates) {
  Config c;
  c.mutable_values().slowlog_log_slower_than = 0;  // log everything
  Harness h(std::move(c));
  h.server().slowlog().clear();
  h.Run({"SET", "k", std::string(200, 'x')});
  ASSERT_EQ(h.server().slowlog().size(), 1u);
  const SlowlogEntry& e = h.server().slowlog().front();
  ASSERT_EQ(e.args.size(), 3u);
  EXPECT_EQ(e.args[0], "SET");
  EXPECT_EQ(e.args[2], std::string(128, 'x') + "... (72 more bytes)");

  std::vector<std::string> many = {"MSET"};
  for (int i = 0; i < 20; i++) {
    many.push_back("k" + std::to_string(i));
    many.push_back("v");
  }
  EXPECT_EQ(h.Run(many), "OK");
  const SlowlogEntry& m = h.server().slowlog().front();
  ASSERT_EQ(m.args.size(), 32u);
  EXPECT_EQ(m.args[31], "... (10 more arguments)");
  EXPECT_GT(m.id, e.id);
}

}  // namespace
}  // namespace ember
