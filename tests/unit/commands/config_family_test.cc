// Unit tests for CONFIG GET / SET / RESETSTAT / REWRITE / HELP through the in-process harness.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

#include "command_harness.h"

namespace ember {
namespace {

using testing::Harness;

TEST(ConfigTest, GetSingleAndMany) {
  Harness h;
  EXPECT_EQ(h.Run({"CONFIG", "GET", "hz"}), "[hz, 10]");
  EXPECT_EQ(h.Run({"CONFIG", "GET", "HZ"}), "[HZ, 10]");  // an exact name is echoed, as Redis
  EXPECT_EQ(h.Run({"CONFIG", "GET", "nosuchparam"}), "[]");
  std::string two = h.Run({"CONFIG", "GET", "hz", "maxclients"});
  EXPECT_NE(two.find("hz, 10"), std::string::npos) << two;
  EXPECT_NE(two.find("maxclients, 10000"), std::string::npos) << two;
  std::string glob = h.Run({"CONFIG", "GET", "maxmemory*"});
  EXPECT_NE(glob.find("maxmemory-policy, noeviction"), std::string::npos) << glob;
  EXPECT_EQ(h.Run({"CONFIG", "GET"}),
            "(error) ERR wrong number of arguments for 'config|get' command");
}

TEST(ConfigTest, GetIsAMapInResp3) {
  Harness h;
  h.client().reply().set_resp(3);
  EXPECT_EQ(h.RunRaw({"CONFIG", "GET", "hz"}), "%1\r\n$2\r\nhz\r\n$2\r\n10\r\n");
  h.client().reply().set_resp(2);
  EXPECT_EQ(h.RunRaw({"CONFIG", "GET", "hz"}), "*2\r\n$2\r\nhz\r\n$2\r\n10\r\n");
}

TEST(ConfigTest, SetRoundTrip) {
  Harness h;
  EXPECT_EQ(h.Run({"CONFIG", "SET", "hz", "20"}), "OK");
  EXPECT_EQ(h.Run({"CONFIG", "GET", "hz"}), "[hz, 20]");
  EXPECT_EQ(h.server().cfg().hz, 20);
  EXPECT_EQ(h.Run({"CONFIG", "SET", "slowlog-log-slower-than", "0", "maxclients", "50"}), "OK");
  EXPECT_EQ(h.server().cfg().slowlog_log_slower_than, 0);
  EXPECT_EQ(h.server().cfg().maxclients, 50);
  EXPECT_EQ(h.Run({"CONFIG", "SET", "maxmemory", "1mb"}), "OK");
  EXPECT_EQ(h.Run({"CONFIG", "GET", "maxmemory"}), "[maxmemory, 1048576]");
  EXPECT_NE(h.Run({"INFO", "memory"}).find("\r\nmaxmemory:1048576\r\n"), std::string::npos);
}

TEST(ConfigTest, SetErrors) {
  Harness h;
  EXPECT_EQ(h.Run({"CONFIG", "SET", "hz"}),
            "(error) ERR wrong number of arguments for 'config|set' command");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "hz", "10", "maxclients"}),
            "(error) ERR wrong number of arguments for 'config|set' command");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "foo", "bar"}),
            "(error) ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "maxclients", "abc"}),
            "(error) ERR CONFIG SET failed (possibly related to argument 'maxclients') - "
            "argument couldn't be parsed into an integer");
}

TEST(ConfigTest, SetIsAllOrNothing) {
  Harness h;
  std::string err = h.Run({"CONFIG", "SET", "hz", "15", "maxclients", "abc"});
  EXPECT_EQ(err.rfind("(error) ERR CONFIG SET failed", 0), 0u) << err;
  EXPECT_EQ(h.Run({"CONFIG", "GET", "hz"}), "[hz, 10]");
  EXPECT_EQ(h.server().cfg().hz, 10);
  err = h.Run({"CONFIG", "SET", "hz", "10", "hz", "11"});
  EXPECT_EQ(err.rfind("(error) ERR CONFIG SET failed (possibly related to argument 'hz')", 0), 0u)
      << err;
}

TEST(ConfigTest, ResetStat) {
  Harness h;
  h.Run({"CONFIG", "RESETSTAT"});  // command counters live in the process-wide table
  h.Run({"SET", "k", "v"});
  h.Run({"GET"});
  std::string before = h.Run({"INFO", "commandstats", "errorstats"});
  EXPECT_NE(before.find("cmdstat_set:calls=1,"), std::string::npos);
  EXPECT_NE(before.find("errorstat_ERR:count=1"), std::string::npos);
  EXPECT_EQ(h.Run({"CONFIG", "RESETSTAT"}), "OK");
  std::string after = h.Run({"INFO", "commandstats", "errorstats"});
  EXPECT_EQ(after.find("cmdstat_set"), std::string::npos) << after;
  EXPECT_EQ(after.find("errorstat_ERR"), std::string::npos) << after;
  EXPECT_NE(h.Run({"INFO", "stats"}).find("total_error_replies:0\r\n"), std::string::npos);
  EXPECT_EQ(h.Run({"CONFIG", "RESETSTAT", "x"}),
            "(error) ERR wrong number of arguments for 'config|resetstat' command");
}

TEST(ConfigTest, RewriteWithoutFile) {
  Harness h;
  EXPECT_EQ(h.Run({"CONFIG", "REWRITE"}),
            "(error) ERR The server is running without a config file");
}

TEST(ConfigTest, RewriteWithFile) {
  char dir[] = "/tmp/ember-config-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/ember.conf";
  {
    std::ofstream f(path);
    f << "# my settings\nhz 10\nport 0\n";
  }
  std::string arg0 = "ember-server", arg1 = path;
  char* argv[] = {arg0.data(), arg1.data(), nullptr};
  Config c;
  int exit_code = 0;
  ASSERT_TRUE(c.LoadFromArgs(2, argv, &exit_code));
  Harness h(std::move(c));
  EXPECT_EQ(h.Run({"CONFIG", "SET", "hz", "33"}), "OK");
  EXPECT_EQ(h.Run({"CONFIG", "REWRITE"}), "OK");
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_NE(text.str().find("# my settings"), std::string::npos) << text.str();
  EXPECT_NE(text.str().find("hz 33"), std::string::npos) << text.str();
  std::remove(path.c_str());
  std::remove(dir);
}

TEST(ConfigTest, HelpAndUnknownSubcommand) {
  Harness h;
  std::string help = h.Run({"CONFIG", "HELP"});
  EXPECT_EQ(help.rfind("[CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:", 0), 0u);
  EXPECT_NE(help.find("RESETSTAT"), std::string::npos);
  EXPECT_EQ(h.Run({"CONFIG", "FOO"}), "(error) ERR unknown subcommand 'FOO'. Try CONFIG HELP.");
  EXPECT_EQ(h.Run({"CONFIG"}), "(error) ERR wrong number of arguments for 'config' command");
}

}  // namespace
}  // namespace ember
