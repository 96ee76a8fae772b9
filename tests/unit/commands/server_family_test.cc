// Unit tests for the server command family (INFO, TIME, LASTSAVE, SLOWLOG, MONITOR, SHUTDOWN,
// DEBUG) through the in-process harness.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "command_harness.h"
#include "server/command_table.h"

namespace ember {
namespace {

using testing::Harness;

// Parses INFO text into field -> value; fails the test on a malformed line.
std::map<std::string, std::string> ParseInfo(const std::string& text) {
  std::map<std::string, std::string> fields;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find("\r\n", pos);
    EXPECT_NE(eol, std::string::npos) << "line without CRLF at " << pos;
    if (eol == std::string::npos) break;
    std::string line = text.substr(pos, eol - pos);
    pos = eol + 2;
    if (line.empty() || line[0] == '#') continue;
    size_t colon = line.find(':');
    EXPECT_NE(colon, std::string::npos) << line;
    if (colon == std::string::npos) continue;
    fields[line.substr(0, colon)] = line.substr(colon + 1);
  }
  return fields;
}

Config DebugEnabled() {
  Config c;
  c.mutable_values().enable_debug_command = true;
  c.mutable_values().enable_debug_command_text = "yes";
  return c;
}

TEST(InfoTest, DefaultSectionsAndFields) {
  Harness h;
  std::string info = h.Run({"INFO"});
  for (const char* header : {"# Server\r\n", "# Clients\r\n", "# Memory\r\n", "# Persistence\r\n",
                             "# Stats\r\n", "# Replication\r\n", "# CPU\r\n", "# Modules\r\n",
                             "# Errorstats\r\n", "# Cluster\r\n", "# Keyspace\r\n"}) {
    EXPECT_NE(info.find(header), std::string::npos) << header;
  }
  EXPECT_EQ(info.find("# Commandstats"), std::string::npos);
  EXPECT_EQ(info.rfind("# Server\r\n", 0), 0u);
  EXPECT_NE(info.find("\r\n\r\n# Clients\r\n"), std::string::npos);
  auto f = ParseInfo(info);
  EXPECT_EQ(f["redis_version"], std::string(kRedisCompatVersion));
  EXPECT_EQ(f["ember_version"], EMBER_VERSION);
  EXPECT_EQ(f["redis_mode"], "standalone");
  EXPECT_EQ(f["multiplexing_api"], "epoll");
  EXPECT_EQ(f["role"], "master");
  EXPECT_EQ(f["maxmemory_policy"], "noeviction");
  EXPECT_EQ(f["io_threads_active"], "0");
  EXPECT_EQ(f["loading"], "0");
  EXPECT_EQ(f["rdb_last_bgsave_status"], "ok");
  EXPECT_EQ(f["hz"], "10");
  EXPECT_EQ(f["master_replid"].size(), 40u);
  EXPECT_EQ(f["run_id"], h.server().run_id());
  for (const char* num :
       {"used_memory", "used_memory_rss", "used_memory_peak", "maxmemory", "connected_clients",
        "maxclients", "total_commands_processed", "total_connections_received", "keyspace_hits",
        "keyspace_misses", "expired_keys", "evicted_keys", "uptime_in_seconds", "process_id",
        "server_time_usec", "lru_clock", "total_error_replies"}) {
    ASSERT_TRUE(f.count(num)) << num;
    EXPECT_NO_THROW((void)std::stoll(f[num])) << num;
  }
  EXPECT_NO_THROW((void)std::stod(f["used_cpu_sys"]));
  EXPECT_NO_THROW((void)std::stod(f["mem_fragmentation_ratio"]));
  EXPECT_EQ(f["server_time_usec"], "1700000000000000");
}

TEST(InfoTest, SectionSelection) {
  Harness h;
  std::string two = h.Run({"INFO", "cpu", "SERVER"});
  EXPECT_EQ(two.rfind("# Server\r\n", 0), 0u);  // Redis's order, not the arguments' order
  EXPECT_NE(two.find("\r\n\r\n# CPU\r\n"), std::string::npos);
  EXPECT_EQ(two.find("# Clients"), std::string::npos);
  EXPECT_EQ(h.Run({"INFO", "nosuchsection"}), "");
  std::string all = h.Run({"INFO", "all"});
  EXPECT_NE(all.find("# Commandstats\r\n"), std::string::npos);
  EXPECT_NE(all.find("# Latencystats\r\n"), std::string::npos);
  EXPECT_NE(h.Run({"INFO", "everything"}).find("# Commandstats"), std::string::npos);
  std::string def = h.Run({"INFO", "default", "commandstats"});
  EXPECT_NE(def.find("# Keyspace"), std::string::npos);
  EXPECT_NE(def.find("# Commandstats"), std::string::npos);
}

TEST(InfoTest, VerbatimInResp3) {
  Harness h;
  h.client().reply().set_resp(3);
  std::string raw = h.RunRaw({"INFO", "server"});
  EXPECT_EQ(raw[0], '=');
  EXPECT_NE(raw.find("\r\ntxt:# Server\r\n"), std::string::npos);
  h.client().reply().set_resp(2);
  EXPECT_EQ(h.RunRaw({"INFO", "server"})[0], '$');
}

TEST(InfoTest, Keyspace) {
  Harness h;
  EXPECT_EQ(h.Run({"INFO", "keyspace"}), "# Keyspace\r\n");
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "2", "EX", "100"});
  h.Run({"SELECT", "3"});
  h.Run({"SET", "c", "3"});
  EXPECT_EQ(h.Run({"INFO", "keyspace"}),
            "# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=0\r\ndb3:keys=1,expires=0,avg_ttl=0\r\n");
}

TEST(InfoTest, CommandStatsAndErrorStats) {
  Harness h;
  h.Run({"CONFIG", "RESETSTAT"});  // command counters live in the process-wide table
  h.Run({"SET", "k", "v"});
  h.Run({"SET", "k", "v"});
  h.Run({"GET", "k"});
  EXPECT_EQ(h.Run({"GET"}), "(error) ERR wrong number of arguments for 'get' command");
  EXPECT_EQ(h.Run({"SET", "k", "v", "EX", "0"}),
            "(error) ERR invalid expire time in 'set' command");
  h.Run({"SLOWLOG", "LEN"});
  auto f = ParseInfo(h.Run({"INFO", "commandstats", "errorstats", "stats"}));
  // Values start with calls=N,usec=M,usec_per_call=X.XX,...
  EXPECT_EQ(f["cmdstat_set"].rfind("calls=3,usec=", 0), 0u) << f["cmdstat_set"];
  EXPECT_NE(f["cmdstat_set"].find(",rejected_calls=0,failed_calls=1"), std::string::npos);
  EXPECT_NE(f["cmdstat_get"].find("calls=1,"), std::string::npos);
  EXPECT_NE(f["cmdstat_get"].find(",rejected_calls=1,failed_calls=0"), std::string::npos);
  EXPECT_NE(f["cmdstat_slowlog|len"].find("calls=1,"), std::string::npos);
  EXPECT_NE(f["cmdstat_get"].find("usec_per_call="), std::string::npos);
  EXPECT_EQ(f["errorstat_ERR"], "count=2");
  EXPECT_EQ(f["total_error_replies"], "2");
  EXPECT_FALSE(f.count("cmdstat_del"));  // never called: not listed
}

TEST(ServerTest, TimeAndLastSave) {
  Harness h;
  EXPECT_EQ(h.Run({"TIME"}), "[1700000000, 0]");
  h.clock().AdvanceMs(1500);
  EXPECT_EQ(h.Run({"TIME"}), "[1700000001, 500000]");
  EXPECT_EQ(h.Run({"LASTSAVE"}), "(integer) 1700000000");
  EXPECT_EQ(h.Run({"TIME", "x"}), "(error) ERR wrong number of arguments for 'time' command");
}

TEST(SlowlogTest, RecordsAndResets) {
  Config c;
  c.mutable_values().slowlog_log_slower_than = 0;
  Harness h(std::move(c));
  h.client().name = "conn1";
  h.Run({"SLOWLOG", "RESET"});
  h.Run({"SET", "key", "value"});
  EXPECT_EQ(h.Run({"SLOWLOG", "LEN"}), "(integer) 2");  // RESET and SET
  // Newest first: [[id, time, duration, [args], peer, name], ...]
  std::string two = h.Run({"SLOWLOG", "GET", "2"});
  EXPECT_EQ(two.rfind("[[(integer) 2, (integer) 1700000000, (integer) ", 0), 0u) << two;
  EXPECT_NE(two.find("[SLOWLOG, LEN], , conn1], [(integer) 1, (integer) 1700000000, (integer) "),
            std::string::npos)
      << two;
  EXPECT_NE(two.find("[SET, key, value], , conn1]]"), std::string::npos) << two;
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "-1"}).find("[[(integer) 3, "), 0u);
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "0"}), "[]");
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "-2"}),
            "(error) ERR count should be greater than or equal to -1");
  EXPECT_EQ(h.Run({"SLOWLOG", "GET", "abc"}),
            "(error) ERR count should be greater than or equal to -1");
  EXPECT_EQ(h.Run({"SLOWLOG", "RESET"}), "OK");
  std::string after = h.Run({"SLOWLOG", "GET"});  // only the RESET itself
  EXPECT_EQ(after.rfind("[[(integer) 8, (integer) 1700000000, ", 0), 0u) << after;
  EXPECT_NE(after.find("[SLOWLOG, RESET], , conn1]]"), std::string::npos) << after;
  EXPECT_EQ(h.Run({"SLOWLOG", "FOO"}), "(error) ERR unknown subcommand 'FOO'. Try SLOWLOG HELP.");
  EXPECT_EQ(h.Run({"SLOWLOG"}), "(error) ERR wrong number of arguments for 'slowlog' command");
  EXPECT_EQ(h.Run({"SLOWLOG", "HELP"}).rfind("[SLOWLOG <subcommand>", 0), 0u);
}

TEST(SlowlogTest, ThresholdAndMaxLen) {
  Config c;
  c.mutable_values().slowlog_log_slower_than = -1;  // disabled
  Harness h(std::move(c));
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"SLOWLOG", "LEN"}), "(integer) 0");
  h.server().config().mutable_values().slowlog_log_slower_than = 0;
  h.server().config().mutable_values().slowlog_max_len = 2;
  for (int i = 0; i < 5; i++) h.Run({"SET", "k", std::to_string(i)});
  EXPECT_EQ(h.Run({"SLOWLOG", "LEN"}), "(integer) 2");
}

TEST(MonitorTest, StreamsOtherClientsCommands) {
  Harness h;
  EXPECT_EQ(h.Run({"MONITOR"}), "OK");
  EXPECT_TRUE(h.client().flags & kClientMonitor);
  EXPECT_EQ(h.RunRaw({"MONITOR"}), "");  // already monitoring: no reply
  Client* other = h.server().CreateFakeClient();
  std::vector<std::string_view> args = {"SET", "k", "a \"b\"\n"};
  h.client().obuf.clear();
  h.server().Execute(*other, args);
  const std::string& out = h.client().obuf;
  EXPECT_EQ(out.rfind("+1700000000.000000 [0 ", 0), 0u) << out;
  EXPECT_NE(out.find("] \"SET\" \"k\" \"a \\\"b\\\"\\n\"\r\n"), std::string::npos) << out;
  // Admin commands are not shown.
  h.client().obuf.clear();
  std::vector<std::string_view> admin = {"CONFIG", "GET", "hz"};
  h.server().Execute(*other, admin);
  EXPECT_EQ(h.client().obuf, "");
}

TEST(ShutdownTest, ArgumentsAndAbort) {
  Harness h;
  EXPECT_EQ(h.Run({"SHUTDOWN", "ABORT"}), "(error) ERR No shutdown in progress.");
  EXPECT_EQ(h.Run({"SHUTDOWN", "NOSAVE", "SAVE"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SHUTDOWN", "ABORT", "NOW"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SHUTDOWN", "BOGUS"}), "(error) ERR syntax error");
  EXPECT_FALSE(h.server().shutting_down());
  EXPECT_EQ(h.RunRaw({"SHUTDOWN", "nosave", "now", "force"}), "");  // no reply
  EXPECT_TRUE(h.server().shutting_down());
}

TEST(DebugTest, RefusedByDefault) {
  Harness h;
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP", "0"}),
            "(error) ERR DEBUG command not allowed. If the enable-debug-command option is set "
            "to \"local\", you can run it from a local connection, otherwise you need to set "
            "this option in the configuration file, and then restart the server.");
  EXPECT_EQ(h.Run({"DEBUG"}), "(error) ERR wrong number of arguments for 'debug' command");
}

TEST(DebugTest, LocalModeAllowsConnectionlessClients) {
  Config c;
  c.mutable_values().enable_debug_command_text = "local";
  Harness h(std::move(c));
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP", "0"}), "OK");
}

TEST(DebugTest, Subcommands) {
  Harness h(DebugEnabled());
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP", "0"}), "OK");
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP", "0.001"}), "OK");
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP", "garbage"}), "OK");  // strtod semantics, like Redis
  EXPECT_EQ(h.Run({"DEBUG", "SET-ACTIVE-EXPIRE", "0"}), "OK");
  EXPECT_FALSE(h.server().active_expire());
  EXPECT_EQ(h.Run({"DEBUG", "set-active-expire", "1"}), "OK");
  EXPECT_TRUE(h.server().active_expire());
  EXPECT_EQ(h.Run({"DEBUG", "SLEEP"}),
            "(error) ERR unknown subcommand or wrong number of arguments for 'SLEEP'. Try DEBUG "
            "HELP.");
  EXPECT_EQ(h.Run({"DEBUG", "NOPE"}),
            "(error) ERR unknown subcommand or wrong number of arguments for 'NOPE'. Try DEBUG "
            "HELP.");
  EXPECT_EQ(h.Run({"DEBUG", "ERROR", "MYERR custom"}), "(error) MYERR custom");
  EXPECT_EQ(h.Run({"DEBUG", "HELP"}).rfind("[DEBUG <subcommand>", 0), 0u);
}

TEST(DebugTest, Object) {
  Harness h(DebugEnabled());
  EXPECT_EQ(h.Run({"DEBUG", "OBJECT", "nokey"}), "(error) ERR no such key");
  h.Run({"SET", "s", "b"});
  h.Run({"SET", "n", "12345"});
  h.Run({"SET", "r", std::string(100, 'x')});
  std::string s = h.Run({"DEBUG", "OBJECT", "s"});
  EXPECT_EQ(s.rfind("Value at:0x", 0), 0u) << s;
  EXPECT_NE(s.find(" refcount:1 encoding:embstr serializedlength:2 lru:"), std::string::npos) << s;
  EXPECT_NE(s.find(" lru_seconds_idle:0"), std::string::npos) << s;
  EXPECT_NE(h.Run({"DEBUG", "OBJECT", "n"}).find("encoding:int serializedlength:3 "),
            std::string::npos);
  EXPECT_NE(h.Run({"DEBUG", "OBJECT", "r"}).find("encoding:raw serializedlength:102 "),
            std::string::npos);
  h.clock().AdvanceMs(5000);
  EXPECT_NE(h.Run({"DEBUG", "OBJECT", "s"}).find("lru_seconds_idle:5"), std::string::npos);
}

TEST(DebugTest, Populate) {
  Harness h(DebugEnabled());
  h.Run({"SET", "key:1", "mine"});
  EXPECT_EQ(h.Run({"DEBUG", "POPULATE", "5"}), "OK");
  EXPECT_EQ(h.Run({"GET", "key:3"}), "value:3");
  EXPECT_EQ(h.Run({"GET", "key:1"}), "mine");  // existing keys stay
  EXPECT_EQ(h.server().keyspace().db(0).size(), 5u);
  EXPECT_EQ(h.Run({"DEBUG", "POPULATE", "2", "p", "10"}), "OK");
  EXPECT_EQ(h.Run({"GET", "p:0"}), std::string("value:0\0\0\0", 10));
  EXPECT_EQ(h.Run({"DEBUG", "POPULATE", "x"}),
            "(error) ERR value is not an integer or out of range");
}

}  // namespace
}  // namespace ember
