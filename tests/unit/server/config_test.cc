// Config: redis.conf parsing (quotes, escapes, units, include, errors with line numbers), the
// redis-server command line, CONFIG GET/SET/REWRITE semantics. Expected texts were observed on
// redis-server 7.0.15; Debian's /etc/redis/redis.conf is loaded as a real-world fixture.
#include "server/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace ember {
namespace {

namespace fs = std::filesystem;

std::string Value(const Config& c, std::string_view name) { return c.GetValue(name); }

std::map<std::string, std::string> GetMap(const Config& c, std::vector<std::string_view> pats) {
  std::map<std::string, std::string> m;
  for (auto& [k, v] : c.Get(pats)) m[k] = v;
  return m;
}

// A scratch directory, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "ember-config-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  std::string Write(const std::string& name, const std::string& text) const {
    std::string p = (fs::path(path_) / name).string();
    std::ofstream(p) << text;
    return p;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs LoadFromArgs with the given arguments.
bool LoadArgs(Config& c, std::vector<std::string> args, int* code) {
  args.insert(args.begin(), "ember-server");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  return c.LoadFromArgs(static_cast<int>(argv.size()), argv.data(), code);
}

TEST(ConfigTest, DefaultsMatchRedis) {
  Config c;
  EXPECT_EQ(Value(c, "port"), "6379");
  EXPECT_EQ(Value(c, "bind"), "* -::*");
  EXPECT_EQ(Value(c, "save"), "3600 1 300 100 60 10000");
  EXPECT_EQ(Value(c, "client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  EXPECT_EQ(Value(c, "proto-max-bulk-len"), "536870912");
  EXPECT_EQ(Value(c, "maxmemory-policy"), "noeviction");
  EXPECT_EQ(Value(c, "appendonly"), "no");
  EXPECT_EQ(Value(c, "unixsocketperm"), "0");
  EXPECT_EQ(Value(c, "hash-max-ziplist-entries"), "512");
  EXPECT_EQ(Value(c, "lua-time-limit"), "5000");
  EXPECT_EQ(Value(c, "enable-debug-command"), "no");
  EXPECT_EQ(c.values().save_params.size(), 3u);
}

TEST(ConfigTest, ParsesTypesAndUnits) {
  Config c;
  ASSERT_EQ(c.LoadFromString("port 7000\n"
                             "maxmemory 1gb\n"
                             "proto-max-bulk-len 2MB\n"
                             "client-query-buffer-limit 2000k\n"
                             "hash-max-listpack-value 1Kb\n"
                             "PROTECTED-MODE no\n"
                             "appendfsync ALWAYS\n"
                             "maxmemory-policy allkeys-lru\n"
                             "   # indented comment\n"
                             "\n"
                             "hz 1000\n"),
            "");
  const ServerConfig& v = c.values();
  EXPECT_EQ(v.port, 7000);
  EXPECT_EQ(v.maxmemory, 1024ll * 1024 * 1024);
  EXPECT_EQ(v.proto_max_bulk_len, 2 * 1024 * 1024);
  EXPECT_EQ(v.client_query_buffer_limit, 2000 * 1000);
  EXPECT_EQ(Value(c, "hash-max-listpack-value"), "1024");
  EXPECT_FALSE(v.protected_mode);
  EXPECT_EQ(v.appendfsync, "always");
  EXPECT_EQ(v.maxmemory_policy, "allkeys-lru");
  EXPECT_EQ(v.hz, 500);  // clamped like Redis
  EXPECT_EQ(Value(c, "maxmemory"), "1073741824");
}

TEST(ConfigTest, QuotesAndEscapes) {
  Config c;
  ASSERT_EQ(c.LoadFromString("requirepass \"a b\\n\\t\\\"q\\\"\\x41\\\\\"\n"
                             "masterauth 'it\\'s'\n"
                             "logfile \"\"\n"
                             "dbfilename x\"y z\"\n"),
            "");
  EXPECT_EQ(c.values().requirepass, "a b\n\t\"q\"A\\");
  EXPECT_EQ(Value(c, "masterauth"), "it's");
  EXPECT_EQ(c.values().logfile, "");
  EXPECT_EQ(c.values().dbfilename, "xy z");
}

TEST(ConfigTest, ErrorsNameTheLine) {
  struct Case {
    std::string text;
    int line;
    std::string shown;
    std::string reason;
  } cases[] = {
      {"port 0\nport \"abc\"\n", 2, "port \"abc\"", "argument couldn't be parsed into an integer"},
      {"port 70000", 1, "port 70000", "argument must be between 0 and 65535 inclusive"},
      {"daemonize maybe", 1, "daemonize maybe", "argument must be 'yes' or 'no'"},
      {"maxmemory-policy foo", 1, "maxmemory-policy foo",
       "argument(s) must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
       "volatile-ttl, allkeys-lru, allkeys-lfu, allkeys-random, noeviction"},
      {"maxmemory 10xb", 1, "maxmemory 10xb", "argument must be a memory value"},
      {"maxmemory -1", 1, "maxmemory -1", "argument must be a memory value"},
      {"maxmemory 1.5gb", 1, "maxmemory 1.5gb", "argument must be a memory value"},
      {"port 1 2", 1, "port 1 2", "wrong number of arguments"},
      {"  port \"abc  ", 1, "port \"abc", "Unbalanced quotes in configuration line"},
      {"port \"1\"x", 1, "port \"1\"x", "Unbalanced quotes in configuration line"},
      {"save 1", 1, "save 1", "Invalid save parameters"},
      {"save 0 1", 1, "save 0 1", "Invalid save parameters"},
      {"bogus 1", 1, "bogus 1", "Bad directive or wrong number of arguments"},
      {"include", 1, "include", "Bad directive or wrong number of arguments"},
      {"port +5", 1, "port +5", "argument couldn't be parsed into an integer"},
      {"port 012", 1, "port 012", "argument couldn't be parsed into an integer"},
      {"timeout -1", 1, "timeout -1", "argument must be between 0 and 2147483647 inclusive"},
      {"databases 0", 1, "databases 0", "argument must be between 1 and 2147483647 inclusive"},
      {"maxclients 0", 1, "maxclients 0", "argument must be between 1 and 4294967295 inclusive"},
      {"slowlog-log-slower-than -5", 1, "slowlog-log-slower-than -5",
       "argument must be between -1 and 9223372036854775807 inclusive"},
      {"proto-max-bulk-len 10", 1, "proto-max-bulk-len 10",
       "argument must be between 1048576 and 9223372036854775807 inclusive"},
      {"unixsocketperm 999", 1, "unixsocketperm 999",
       "argument couldn't be parsed as an octal number"},
      {"unixsocketperm 1000", 1, "unixsocketperm 1000",
       "argument must be between 0 and 777 inclusive"},
      {"enable-debug-command maybe", 1, "enable-debug-command maybe",
       "argument(s) must be one of the following: no, yes, local"},
      {"appendfsync x", 1, "appendfsync x",
       "argument(s) must be one of the following: everysec, always, no"},
      {"notify-keyspace-events Z", 1, "notify-keyspace-events Z",
       "Invalid event class character. Use 'Ag$lshzxeKEtmdn'."},
      {"client-output-buffer-limit foo 1 2 3", 1, "client-output-buffer-limit foo 1 2 3",
       "Invalid client class specified in buffer limit configuration."},
      {"client-output-buffer-limit normal 1 2", 1, "client-output-buffer-limit normal 1 2",
       "Wrong number of arguments in buffer limit configuration."},
      {"client-output-buffer-limit normal x 2 3", 1, "client-output-buffer-limit normal x 2 3",
       "Error in hard, soft or soft_seconds setting in buffer limit configuration."},
      {"requirepass", 1, "requirepass", "wrong number of arguments"},
      {"rename-command foo", 1, "rename-command foo", "Bad directive or wrong number of arguments"},
      {"replicaof a b", 1, "replicaof a b", "Invalid master port"},
      {"slaveof a", 1, "slaveof a", "wrong number of arguments"},
      {"oom-score-adj-values 1 2", 1, "oom-score-adj-values 1 2", "wrong number of arguments"},
      {"dir /nonexistent-ember-dir", 1, "dir /nonexistent-ember-dir", "No such file or directory"},
  };
  for (const Case& k : cases) {
    Config c;
    std::string err = c.LoadFromString(k.text);
    EXPECT_EQ(c.last_load_error().line, k.line) << k.text;
    EXPECT_EQ(c.last_load_error().line_text, k.shown) << k.text;
    EXPECT_EQ(c.last_load_error().reason, k.reason) << k.text;
    EXPECT_EQ(err, "\n*** FATAL CONFIG FILE ERROR (Ember " EMBER_VERSION
                   ") ***\nReading the configuration file, at line " +
                       std::to_string(k.line) + "\n>>> '" + k.shown + "'\n" + k.reason + "\n");
  }
}

TEST(ConfigTest, LastWinsAndAccumulation) {
  Config c;
  ASSERT_EQ(c.LoadFromString("port 1\nport 2\n"
                             "bind 127.0.0.1 ::1\nbind 10.0.0.1\n"
                             "save 100 1\nsave 200 2\n"
                             "client-output-buffer-limit normal 1mb 2mb 3\n"
                             "client-output-buffer-limit pubsub 1 2 3 replica 4 5 6\n"
                             "rename-command FLUSHALL \"\"\nrename-command CONFIG cfg\n"
                             "user default on nopass ~* +@all\nuser bob off\n"),
            "");
  EXPECT_EQ(c.values().port, 2);
  EXPECT_EQ(Value(c, "bind"), "10.0.0.1");
  EXPECT_EQ(Value(c, "save"), "100 1 200 2");
  EXPECT_EQ(Value(c, "client-output-buffer-limit"),
            "normal 1048576 2097152 3 slave 4 5 6 pubsub 1 2 3");
  ASSERT_EQ(c.values().rename_command.size(), 2u);
  EXPECT_EQ(c.values().rename_command[0].second, "");
  EXPECT_EQ(c.values().user.size(), 2u);
  EXPECT_EQ(c.values().user[1][0], "bob");
}

TEST(ConfigTest, SaveEmptyDisablesAndLaterLinesAppend) {
  Config c;
  ASSERT_EQ(c.LoadFromString("save \"\"\n"), "");
  EXPECT_EQ(Value(c, "save"), "");
  EXPECT_TRUE(c.values().save_params.empty());
  ASSERT_EQ(c.LoadFromString("save 10 1\n"), "");
  EXPECT_EQ(Value(c, "save"), "10 1");
  ASSERT_EQ(c.LoadFromString("save \"\"\n"), "");
  EXPECT_EQ(Value(c, "save"), "");
}

TEST(ConfigTest, NotifyKeyspaceEventsNormalized) {
  Config c;
  for (auto [in, out] : std::vector<std::pair<std::string, std::string>>{
           {"KEA", "AKE"}, {"Ex", "xE"}, {"Kmn$", "$nKm"}, {"An", "A"}, {"", ""}}) {
    ASSERT_EQ(c.Set({{"notify-keyspace-events", in}}), "");
    EXPECT_EQ(Value(c, "notify-keyspace-events"), out) << in;
  }
  ASSERT_EQ(c.Set({{"notify-keyspace-events", "Kx"}}), "");
  EXPECT_EQ(c.values().notify_keyspace_event_flags, kNotifyKeyspace | kNotifyExpired);
}

TEST(ConfigTest, IncludeNestedAndGlob) {
  TempDir dir;
  dir.Write("inner.conf", "maxmemory 2mb\n");
  std::string mid = dir.Write("mid.conf", "hz 20\ninclude " + dir.path() + "/inner.conf\n");
  dir.Write("a.part", "timeout 5\n");
  dir.Write("b.part", "timeout 6\n");
  Config c;
  ASSERT_EQ(c.LoadFromString("port 1\ninclude " + mid + "\ninclude " + dir.path() +
                             "/*.part\ninclude " + dir.path() + "/nomatch*.conf\n"),
            "");
  EXPECT_EQ(c.values().hz, 20);
  EXPECT_EQ(c.values().maxmemory, 2 * 1024 * 1024);
  EXPECT_EQ(c.values().timeout, 6);  // glob matches are read in sorted order

  // An error inside an included file names that file's line.
  dir.Write("bad.conf", "\n\nbogus x\n");
  Config d;
  std::string err = d.LoadFromString("port 1\ninclude " + dir.path() + "/bad.conf\n");
  EXPECT_EQ(d.last_load_error().line, 3);
  EXPECT_EQ(d.last_load_error().line_text, "bogus x");

  Config e;
  err = e.LoadFromString("include /nonexistent-ember.conf\n");
  EXPECT_EQ(err,
            "Fatal error, can't open config file '/nonexistent-ember.conf': No such file or "
            "directory\n");

  // Self-inclusion stops instead of recursing forever.
  std::string loop = dir.Write("loop.conf", "include " + dir.path() + "/loop.conf\n");
  Config f;
  EXPECT_NE(f.LoadFromString("include " + loop + "\n"), "");
}

TEST(ConfigTest, CommandLineAppendsAfterFile) {
  TempDir dir;
  std::string file = dir.Write("r.conf", "port 1\nbind 127.0.0.1\n");
  Config c;
  int code = -1;
  ASSERT_TRUE(LoadArgs(c,
                       {file, "--port", "7000", "--bind", "127.0.0.1", "::1", "--save",
                        "--maxmemory", "1mb", "--requirepass", "--x"},
                       &code));
  EXPECT_EQ(code, 0);
  EXPECT_EQ(c.values().port, 7000);
  EXPECT_EQ(Value(c, "bind"), "127.0.0.1 ::1");
  EXPECT_EQ(Value(c, "save"), "");  // bare --save means save ""
  EXPECT_EQ(c.values().maxmemory, 1024 * 1024);
  EXPECT_EQ(c.values().requirepass, "--x");  // value right after a bare option
  EXPECT_EQ(c.config_file(), file);

  Config d;
  ASSERT_TRUE(LoadArgs(d, {"--port 7001", "--hz", "20"}, &code));  // "--name value" in one arg
  EXPECT_EQ(d.values().port, 7001);
  EXPECT_EQ(d.values().hz, 20);
  EXPECT_EQ(d.config_file(), "");

  // A multi-argument directive may be given as one quoted argument.
  Config e;
  ASSERT_TRUE(LoadArgs(e, {"--save", "100 1 200 2", "--bind", "127.0.0.1 ::1"}, &code));
  EXPECT_EQ(Value(e, "save"), "100 1 200 2");
  EXPECT_EQ(Value(e, "bind"), "127.0.0.1 ::1");
}

TEST(ConfigTest, CommandLineErrorsAndVersion) {
  Config c;
  int code = -1;
  testing::internal::CaptureStderr();
  EXPECT_FALSE(LoadArgs(c, {"--port", "0", "--bogus", "1"}, &code));
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  // The options start on line 2: line 1 is the (empty) file.
  EXPECT_NE(err.find("Reading the configuration file, at line 3\n>>> 'bogus \"1\"'\n"
                     "Bad directive or wrong number of arguments\n"),
            std::string::npos)
      << err;

  Config d;
  testing::internal::CaptureStderr();
  EXPECT_FALSE(LoadArgs(d, {"/nonexistent-ember.conf"}, &code));
  EXPECT_EQ(code, 1);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("can't open config file"),
            std::string::npos);

  Config e;
  testing::internal::CaptureStdout();
  EXPECT_FALSE(LoadArgs(e, {"--version"}, &code));
  EXPECT_EQ(code, 0);
  EXPECT_EQ(testing::internal::GetCapturedStdout().rfind("Ember server v=", 0), 0u);
  testing::internal::CaptureStderr();
  EXPECT_FALSE(LoadArgs(e, {"-h"}, &code));
  EXPECT_EQ(code, 1);  // like redis-server: usage on stderr, exit status 1
  EXPECT_NE(testing::internal::GetCapturedStderr().find("Usage"), std::string::npos);
}

TEST(ConfigTest, GetGlobsAliasesAndCase) {
  Config c;
  auto m = GetMap(c, {"hash-max-*"});
  EXPECT_EQ(m.size(), 4u);  // names and ziplist aliases both match
  EXPECT_EQ(m["hash-max-ziplist-entries"], "512");
  EXPECT_EQ(m["hash-max-listpack-entries"], "512");

  auto exact = c.Get({"hash-max-ziplist-entries"});
  ASSERT_EQ(exact.size(), 1u);
  EXPECT_EQ(exact[0].first, "hash-max-ziplist-entries");

  auto upper = c.Get({"PORT"});  // exact names are case-insensitive and echoed as given
  ASSERT_EQ(upper.size(), 1u);
  EXPECT_EQ(upper[0], (std::pair<std::string, std::string>{"PORT", "6379"}));
  EXPECT_EQ(c.Get({"POR?"}).at(0).first, "port");

  auto several = c.Get({"port", "port", "por?", "maxmemory", "nosuch"});
  ASSERT_EQ(several.size(), 2u);
  EXPECT_EQ(several[0].first, "port");
  EXPECT_EQ(several[1].first, "maxmemory");

  auto all = c.Get({"*"});
  EXPECT_GT(all.size(), 180u);
  EXPECT_TRUE(c.Get({"nosuch*"}).empty());
}

TEST(ConfigTest, SetValidatesAllOrNothing) {
  Config c;
  EXPECT_EQ(c.Set({{"foo", "1"}}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(c.Set({{"databases", "3"}}),
            "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
            "immutable config");
  EXPECT_EQ(c.Set({{"dir", "/tmp"}}),
            "ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected "
            "config");
  EXPECT_EQ(c.Set({{"maxmemory", "abc"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be "
            "a memory value");
  EXPECT_EQ(c.Set({{"MAXMEMORY", "abc"}}),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be "
            "a memory value");
  EXPECT_EQ(c.Set({{"hz", "5"}, {"HZ", "6"}}),
            "ERR CONFIG SET failed (possibly related to argument 'HZ') - duplicate parameter");
  EXPECT_EQ(c.Set({{"maxmemory", "abc"}, {"foo", "1"}}),
            "ERR Unknown option or number of arguments for CONFIG SET - 'foo'");
  EXPECT_EQ(c.Set({{"databases", "1"}, {"foo", "1"}}),
            "ERR CONFIG SET failed (possibly related to argument 'databases') - can't set "
            "immutable config");
  EXPECT_EQ(c.Set({{"save", "1"}}),
            "ERR CONFIG SET failed (possibly related to argument 'save') - Invalid save "
            "parameters");
  // A bad value anywhere leaves every value untouched.
  EXPECT_NE(c.Set({{"maxmemory", "10mb"}, {"timeout", "-1"}}), "");
  EXPECT_EQ(c.values().maxmemory, 0);

  EXPECT_EQ(c.Set({{"maxmemory", "1GB"},
                   {"hash-max-ziplist-entries", "3"},
                   {"hash-max-listpack-entries", "4"},
                   {"save", "10 1 20 2"},
                   {"client-output-buffer-limit", "pubsub 5 6 7"},
                   {"maxmemory-policy", "ALLKEYS-LRU"},
                   {"appendonly", "YES"}}),
            "");
  EXPECT_EQ(c.values().maxmemory, 1024ll * 1024 * 1024);
  EXPECT_EQ(Value(c, "hash-max-ziplist-entries"), "4");
  EXPECT_EQ(Value(c, "save"), "10 1 20 2");
  EXPECT_EQ(Value(c, "client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 5 6 7");
  EXPECT_EQ(c.values().maxmemory_policy, "allkeys-lru");
  EXPECT_TRUE(c.values().appendonly);
  EXPECT_EQ(c.Set({{"save", ""}}), "");
  EXPECT_TRUE(c.values().save_params.empty());
}

TEST(ConfigTest, ProtectedConfigsFollowEnableProtectedConfigs) {
  Config c;
  ASSERT_EQ(c.LoadFromString("enable-protected-configs local\n"), "");
  EXPECT_NE(c.Set({{"dbfilename", "x.rdb"}}), "");
  EXPECT_EQ(c.Set({{"dbfilename", "x.rdb"}}, /*local_client=*/true), "");
  EXPECT_EQ(c.values().dbfilename, "x.rdb");
}

TEST(ConfigTest, FailingHookRollsEverythingBack) {
  Config c;
  std::vector<std::string> calls;
  c.OnApply("maxmemory", [&](const ServerConfig& v) {
    calls.push_back("maxmemory=" + std::to_string(v.maxmemory));
    return std::string();
  });
  c.OnApply("port", [&](const ServerConfig& v) {
    calls.push_back("port=" + std::to_string(v.port));
    return v.port == 1 ? std::string("Unable to listen on this port") : std::string();
  });
  std::string err = c.Set({{"maxmemory", "5mb"}, {"port", "1"}, {"timeout", "9"}});
  EXPECT_EQ(err,
            "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on "
            "this port");
  EXPECT_EQ(c.values().maxmemory, 0);
  EXPECT_EQ(c.values().port, 6379);
  EXPECT_EQ(c.values().timeout, 0);
  // Applied in order, then re-applied with the restored values.
  EXPECT_EQ(calls,
            (std::vector<std::string>{"maxmemory=5242880", "port=1", "maxmemory=0", "port=6379"}));
  // Hooks run only for values that actually change.
  calls.clear();
  EXPECT_EQ(c.Set({{"port", "6379"}, {"maxmemory", "1"}}), "");
  EXPECT_EQ(calls, std::vector<std::string>{"maxmemory=1"});
}

TEST(ConfigTest, RewriteWithoutFileFails) {
  Config c;
  EXPECT_EQ(c.Rewrite(), "ERR The server is running without a config file");
}

TEST(ConfigTest, RewriteRoundTrip) {
  TempDir dir;
  std::string file = dir.Write("r.conf",
                               "# my settings\n"
                               "port 7000\n"
                               "maxmemory 1gb\n"
                               "rename-command FLUSHALL \"\"\n"
                               "# timeout comment\n"
                               "timeout 10\n"
                               "timeout 20\n"
                               "save 100 1\n"
                               "save 200 2\n");
  Config c;
  int code;
  ASSERT_TRUE(LoadArgs(c, {file}, &code));
  ASSERT_EQ(
      c.Set({{"timeout", "30"}, {"requirepass", "s3 cret"}, {"maxmemory-policy", "allkeys-lfu"}}),
      "");
  ASSERT_EQ(c.Rewrite(), "");
  std::string out = ReadAll(file);
  EXPECT_EQ(out,
            "# my settings\n"
            "port 7000\n"
            "maxmemory 1gb\n"
            "rename-command FLUSHALL \"\"\n"
            "# timeout comment\n"
            "timeout 30\n"
            "save 100 1\n"
            "save 200 2\n"
            "# Generated by CONFIG REWRITE\n"
            "maxmemory-policy allkeys-lfu\n"
            "requirepass \"s3 cret\"\n");
  // Reloading the rewritten file gives the same values; a second rewrite changes nothing.
  Config d;
  ASSERT_TRUE(LoadArgs(d, {file}, &code));
  EXPECT_EQ(d.Get({"*"}), c.Get({"*"}));
  ASSERT_EQ(d.Rewrite(), "");
  EXPECT_EQ(ReadAll(file), out);
  // No temporary files left behind.
  int files = 0;
  for (auto& e : fs::directory_iterator(dir.path())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(ConfigTest, LoadsDebianRedisConf) {
  const char* path = "/etc/redis/redis.conf";
  if (access(path, R_OK) != 0) GTEST_SKIP() << "no " << path;
  Config c;
  int code = -1;
  testing::internal::CaptureStderr();
  bool ok = LoadArgs(c, {path}, &code);
  std::string err = testing::internal::GetCapturedStderr();
  ASSERT_TRUE(ok) << err;
  EXPECT_EQ(Value(c, "bind"), "127.0.0.1 -::1");
  EXPECT_EQ(Value(c, "oom-score-adj-values"), "0 200 800");
  EXPECT_EQ(Value(c, "client-output-buffer-limit"),
            "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
  EXPECT_EQ(c.values().logfile, "/var/log/redis/redis-server.log");
}

TEST(ConfigTest, EveryDefaultRoundTripsThroughSet) {
  Config c;
  for (auto& [name, value] : c.Get({"*"})) {
    std::string err = c.Set({{name, value}});
    if (err.find("immutable") != std::string::npos || err.find("protected") != std::string::npos) {
      continue;
    }
    EXPECT_EQ(err, "") << name;
    EXPECT_EQ(c.GetValue(name), value) << name;
  }
}

TEST(ConfigTest, Sensitive) {
  EXPECT_TRUE(Config::IsSensitive("requirepass"));
  EXPECT_TRUE(Config::IsSensitive("MASTERAUTH"));
  EXPECT_FALSE(Config::IsSensitive("port"));
}

}  // namespace
}  // namespace ember
