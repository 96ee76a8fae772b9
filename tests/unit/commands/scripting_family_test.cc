// EVAL / EVALSHA / SCRIPT and FUNCTION / FCALL through the in-process harness: the script
// cache (and its bound), numkeys errors, _RO and shebang flags, OOM rules, SELECT inside a
// script, the lock-release and BullMQ-like multi-key scripts, error statistics counted once,
// libraries (load, replace, collisions, list, stats, dump/restore) and INFO fields.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"
#include "scripting/scripting.h"
#include "server/info.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

constexpr const char* kUnlock =
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
    "else return 0 end";

std::string Info(Harness& h, const std::string& field) {
  std::string info = h.Run({"INFO", "all"});
  size_t p = info.find(field + ":");
  if (p == std::string::npos) return "<missing>";
  size_t e = info.find("\r\n", p);
  return info.substr(p + field.size() + 1, e - p - field.size() - 1);
}

TEST(EvalTest, LockReleaseByShaAndCache) {
  Harness h;
  std::string sha = h.Run({"SCRIPT", "LOAD", kUnlock});
  ASSERT_EQ(sha.size(), 40u);
  h.Run({"SET", "lock", "token1"});
  EXPECT_EQ(h.Run({"EVALSHA", sha, "1", "lock", "other"}), "(integer) 0");
  EXPECT_EQ(h.Run({"GET", "lock"}), "token1");
  EXPECT_EQ(h.Run({"EVALSHA", sha, "1", "lock", "token1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "lock"}), "(integer) 0");
  std::string upper = sha;
  for (char& c : upper) c = char(toupper(c));
  EXPECT_EQ(h.Run({"EVALSHA_RO", upper, "1", "lock", "x"}), "(integer) 0");
  EXPECT_EQ(h.Run({"SCRIPT", "EXISTS", sha, "ffffffffffffffffffffffffffffffffffffffff"}),
            "[(integer) 1, (integer) 0]");
  EXPECT_EQ(h.Run({"SCRIPT", "FLUSH"}), "OK");
  EXPECT_EQ(h.Run({"EVALSHA", sha, "0"}), "(error) NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_EQ(h.Run({"EVALSHA", "short", "0"}),
            "(error) NOSCRIPT No matching script. Please use EVAL.");
  EXPECT_EQ(h.Run({"SCRIPT", "FLUSH", "bad"}),
            "(error) ERR SCRIPT FLUSH only support SYNC|ASYNC option");
}

TEST(EvalTest, NumKeysErrors) {
  Harness h;
  EXPECT_EQ(h.Run({"EVAL", "return 1", "-1"}), "(error) ERR Number of keys can't be negative");
  EXPECT_EQ(h.Run({"EVAL", "return 1", "2", "a"}),
            "(error) ERR Number of keys can't be greater than number of args");
  EXPECT_EQ(h.Run({"EVAL", "return 1", "x"}), testing::kNotInt);
  EXPECT_EQ(h.Run({"EVAL", "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}", "2", "a", "b", "c", "d"}),
            "[a, b, c, d]");
}

TEST(EvalTest, ReadOnlyAndShebangFlags) {
  Harness h;
  EXPECT_EQ(h.Run({"EVAL_RO", "return redis.call('set', 'x', 1)", "1", "x"}).substr(0, 67),
            "(error) ERR Write commands are not allowed from read-only scripts. ");
  EXPECT_EQ(h.Run({"EVAL", "#!lua flags=no-writes\nreturn redis.call('get', 'x')", "0"}), "(nil)");
  EXPECT_EQ(h.Run({"EVAL_RO", "#!lua\nreturn 1", "0"}),
            "(error) ERR Can not execute a script with write flag using *_ro command.");
  EXPECT_EQ(h.Run({"EVAL", "#!not-lua\nreturn 1", "0"}),
            "(error) ERR Unexpected engine in script shebang: #!not-lua");
  EXPECT_EQ(h.Run({"EVAL", "#!lua badger=data\nreturn 1", "0"}),
            "(error) ERR Unknown lua shebang option: badger=data");
  EXPECT_EQ(h.Run({"EVAL", "#!lua flags=allow-oom,what?\nreturn 1", "0"}),
            "(error) ERR Unexpected flag in script shebang: what?");
  // Line numbers count the shebang line.
  std::string r = h.Run({"EVAL", "#!lua\nreturn x", "0"});
  EXPECT_NE(r.find("user_script:2: Script attempted"), std::string::npos) << r;
}

TEST(EvalTest, OomRules) {
  if (UsedMemory() <= 1) GTEST_SKIP() << "no allocator statistics (sanitizer build)";
  Config cfg;
  Harness h(std::move(cfg));
  h.Run({"SET", "x", "123"});
  h.Run({"CONFIG", "SET", "maxmemory", "1"});
  std::string r = h.Run({"EVAL", "redis.call('set', 'x', 1) return 1", "1", "x"});
  EXPECT_TRUE(r.starts_with("(error) OOM command not allowed when used memory > 'maxmemory'."))
      << r;
  EXPECT_EQ(h.Run({"EVAL", "return redis.call('get', 'x')", "1", "x"}), "123");
  EXPECT_TRUE(h.Run({"EVAL", "#!lua flags=\nreturn 1", "0"}).starts_with("(error) OOM "));
  EXPECT_EQ(h.Run({"EVAL", "#!lua flags=allow-oom\nredis.call('set','x',1) return 1", "1", "x"}),
            "(integer) 1");
  EXPECT_EQ(h.Run({"EVAL", "#!lua flags=no-writes\nreturn 1", "0"}), "(integer) 1");
  h.Run({"CONFIG", "SET", "maxmemory", "0"});
}

TEST(EvalTest, SelectInsideScriptDoesNotMoveCaller) {
  Harness h;
  h.Run({"SELECT", "3"});
  h.Run({"SET", "k", "db3"});
  EXPECT_EQ(h.Run({"EVAL",
                   "redis.call('select', 5) redis.call('set', 'k', 'db5') return "
                   "redis.call('get', 'k')",
                   "0"}),
            "db5");
  EXPECT_EQ(h.Run({"GET", "k"}), "db3");
  EXPECT_EQ(h.Run({"EVAL", "return redis.call('get', 'k')", "0"}), "db3");
}

TEST(EvalTest, BlockingCommandsDoNotBlock) {
  Harness h;
  EXPECT_EQ(h.Run({"EVAL", "return redis.pcall('blpop', 'l', 0)", "1", "l"}), "(nil)");
  EXPECT_EQ(h.Run({"EVAL", "return redis.pcall('bzpopmin', 'z', 0)", "1", "z"}), "(nil)");
}

// BullMQ's moveToActive shape: several keys, some never declared, a sorted set of delayed jobs.
TEST(EvalTest, MultiKeyJobQueueScript) {
  Harness h;
  const char* kMove =
      "local jobId = redis.call('rpoplpush', KEYS[1], KEYS[2]) "
      "if jobId then "
      "  local jobKey = ARGV[1] .. jobId "
      "  redis.call('hset', jobKey, 'processedOn', ARGV[2]) "
      "  redis.call('zadd', KEYS[3], ARGV[2], jobId) "
      "  redis.call('xadd', KEYS[4], '*', 'event', 'active', 'jobId', jobId) "
      "  redis.call('incr', ARGV[1] .. 'processed') "
      "  return {jobId, redis.call('hget', jobKey, 'processedOn')} "
      "end return nil";
  h.Run({"LPUSH", "wait", "j1", "j2"});
  EXPECT_EQ(h.Run({"EVAL", kMove, "4", "wait", "active", "timing", "events", "bull:q:", "1000"}),
            "[j1, 1000]");
  EXPECT_EQ(h.Run({"LRANGE", "active", "0", "-1"}), "[j1]");
  EXPECT_EQ(h.Run({"GET", "bull:q:processed"}), "1");
  EXPECT_EQ(h.Run({"ZSCORE", "timing", "j1"}), "1000");
}

TEST(EvalTest, ErrorStatsCountedOnce) {
  Harness h;
  h.Run({"CONFIG", "RESETSTAT"});
  std::string r = h.Run({"EVAL", "return redis.call('select', 99)", "0"});
  EXPECT_TRUE(r.starts_with("(error) ERR DB index is out of range script: ")) << r;
  EXPECT_EQ(Info(h, "total_error_replies"), "1");
  EXPECT_NE(Info(h, "cmdstat_eval").find("failed_calls=1"), std::string::npos);
  EXPECT_NE(Info(h, "cmdstat_select").find("failed_calls=1"), std::string::npos);
  h.Run({"CONFIG", "RESETSTAT"});
  EXPECT_EQ(h.Run({"EVAL", "local t = redis.pcall('select', 99) return t['err']", "0"}),
            "ERR DB index is out of range");
  EXPECT_EQ(Info(h, "total_error_replies"), "1");
  EXPECT_NE(Info(h, "cmdstat_eval").find("failed_calls=0"), std::string::npos);
  h.Run({"CONFIG", "RESETSTAT"});
  h.Run({"EVAL_RO", "return redis.call('set', 'x', 'y')", "1", "x"});
  EXPECT_EQ(Info(h, "errorstat_ERR"), "count=1");
  EXPECT_NE(Info(h, "cmdstat_set").find("rejected_calls=1"), std::string::npos);
  h.Run({"CONFIG", "RESETSTAT"});
  h.Run({"EVAL", "return redis.error_reply('MY_CODE custom')", "0"});
  EXPECT_EQ(Info(h, "errorstat_MY_CODE"), "count=1");
}

TEST(EvalTest, EvalScriptCacheIsBounded) {
  Harness h;
  std::string loaded = h.Run({"SCRIPT", "LOAD", "return 'kept'"});
  for (size_t i = 0; i < Scripting::kMaxEvalScripts + 20; i++) {
    ASSERT_EQ(h.Run({"EVAL", "return " + std::to_string(i), "0"}),
              "(integer) " + std::to_string(i));
  }
  EXPECT_EQ(Info(h, "number_of_cached_scripts"), std::to_string(Scripting::kMaxEvalScripts + 1));
  EXPECT_EQ(Info(h, "evicted_scripts"), "20");
  EXPECT_EQ(h.Run({"EVALSHA", loaded, "0"}), "kept");  // SCRIPT LOAD scripts stay
  EXPECT_EQ(h.Run({"SCRIPT", "FLUSH"}), "OK");
  EXPECT_EQ(Info(h, "number_of_cached_scripts"), "0");
}

TEST(EvalTest, ScriptCommandsInScriptsAreRefused) {
  Harness h;
  for (const char* cmd : {"eval", "script", "multi", "subscribe", "function"}) {
    std::string r = h.Run({"EVAL", std::string("return redis.call('") + cmd + "', 'x')", "0"});
    EXPECT_TRUE(r.find("not allowed from script") != std::string::npos ||
                r.find("Wrong number of args") != std::string::npos ||
                r.find("Unknown Redis command") != std::string::npos)
        << cmd << ": " << r;
  }
}

TEST(EvalTest, KillWithoutScript) {
  Harness h;
  EXPECT_EQ(h.Run({"SCRIPT", "KILL"}), "(error) NOTBUSY No scripts in execution right now.");
  EXPECT_EQ(h.Run({"FUNCTION", "KILL"}), "(error) NOTBUSY No scripts in execution right now.");
}

constexpr const char* kLib =
    "#!lua name=mylib\n"
    "local function incr(keys) return redis.call('incr', keys[1]) end\n"
    "redis.register_function('f1', function(keys, args) return incr(keys) end)\n"
    "redis.register_function{function_name='f2', callback=function(keys, args) return args[1] "
    "end, flags={'no-writes'}, description='echo'}\n";

TEST(FunctionTest, LoadCallListStats) {
  Harness h;
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", kLib}), "mylib");
  EXPECT_EQ(h.Run({"FCALL", "f1", "1", "cnt"}), "(integer) 1");
  EXPECT_EQ(h.Run({"FCALL", "F1", "1", "cnt"}), "(integer) 2");
  EXPECT_EQ(h.Run({"FCALL_RO", "f2", "0", "hi"}), "hi");
  EXPECT_EQ(h.Run({"FCALL_RO", "f1", "1", "cnt"}),
            "(error) ERR Can not execute a script with write flag using *_ro command.");
  EXPECT_EQ(h.Run({"FCALL", "nosuch", "0"}), "(error) ERR Function not found");
  EXPECT_EQ(h.Run({"FCALL", "f1", "x"}), "(error) ERR Bad number of keys provided");
  EXPECT_EQ(h.Run({"FUNCTION", "LIST"}),
            "[[library_name, mylib, engine, LUA, functions, [[name, f1, description, (nil), "
            "flags, []], [name, f2, description, echo, flags, [no-writes]]]]]");
  EXPECT_EQ(h.Run({"FUNCTION", "LIST", "LIBRARYNAME", "zz*"}), "[]");
  EXPECT_EQ(h.Run({"FUNCTION", "LIST", "LIBRARYNAME"}),
            "(error) ERR library name argument was not given");
  EXPECT_EQ(h.Run({"FUNCTION", "LIST", "WITHCODE", "WITHCODE"}),
            "(error) ERR Unknown argument WITHCODE");
  EXPECT_EQ(h.Run({"FUNCTION", "STATS"}),
            "[running_script, (nil), engines, [LUA, [libraries_count, (integer) 1, "
            "functions_count, (integer) 2]]]");
  EXPECT_EQ(Info(h, "number_of_functions"), "2");
  EXPECT_EQ(Info(h, "number_of_libraries"), "1");
}

TEST(FunctionTest, LoadErrorsChangeNothing) {
  Harness h;
  ASSERT_EQ(h.Run({"FUNCTION", "LOAD", kLib}), "mylib");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", kLib}), "(error) ERR Library 'mylib' already exists");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD",
                   "#!lua name=other\nredis.register_function('f1', "
                   "function() return 1 end)"}),
            "(error) ERR Function f1 already exists");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", "REPLACE",
                   "#!lua name=mylib\nredis.register_function('f1', function() return 1 end)\n"
                   "redis.register_function('f2', 'nope')"}),
            "(error) ERR Error registering functions: ERR second argument to "
            "redis.register_function must be a function");
  EXPECT_EQ(h.Run({"FCALL", "f2", "0", "still"}), "still");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", "#!lua name=x\nreturn 1"}),
            "(error) ERR No functions registered");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", "lua name=x"}), "(error) ERR Missing library metadata");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", "#!lua\nreturn 1"}),
            "(error) ERR Library name was not given");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", "#! name=x\nreturn 1"}), "(error) ERR Engine '' not found");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", "#!lua name=x foo=bar\nreturn 1"}),
            "(error) ERR Invalid metadata value given: foo=bar");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD", "#!lua name=a name=b\nreturn 1"}),
            "(error) ERR Invalid metadata value, name argument was given multiple times");
  EXPECT_EQ(h.Run({"FUNCTION", "LOAD",
                   "#!lua name=\"q\"\nredis.register_function('q', "
                   "function() return 1 end)"}),
            "q");
  std::string r = h.Run({"FUNCTION", "LOAD", "#!lua name=t\nlocal a = 1 while 1 do a = a + 1 end"});
  EXPECT_NE(r.find("FUNCTION LOAD timeout"), std::string::npos) << r;
  r = h.Run({"FUNCTION", "LOAD", "#!lua name=t\nreturn math.random()"});
  EXPECT_NE(r.find("nonexistent global variable 'math'"), std::string::npos) << r;
  r = h.Run({"FUNCTION", "LOAD", "#!lua name=t\na = 1"});
  EXPECT_NE(r.find("Attempt to modify a readonly table"), std::string::npos) << r;
  EXPECT_EQ(h.Run({"FUNCTION", "DELETE", "nosuch"}), "(error) ERR Library not found");
  EXPECT_EQ(h.Run({"FUNCTION", "flush", "sync", "extra"}),
            "(error) ERR unknown subcommand or wrong number of arguments for 'flush'. Try "
            "FUNCTION HELP.");
}

TEST(FunctionTest, RegistrationApiIsOnlyForLoading) {
  Harness h;
  ASSERT_EQ(h.Run({"FUNCTION", "LOAD",
                   "#!lua name=lib1\nlocal lib = redis\n"
                   "lib.register_function('f1', function() lib.x = 1 end)\n"
                   "lib.register_function('f2', function() lib.register_function('f3', "
                   "function() end) end)\n"
                   "lib.register_function('f4', function() redis.register_function('f5', "
                   "function() end) end)"}),
            "lib1");
  EXPECT_NE(h.Run({"FCALL", "f1", "0"}).find("Attempt to modify a readonly table"),
            std::string::npos);
  EXPECT_NE(h.Run({"FCALL", "f2", "0"}).find("can only be called on FUNCTION LOAD command"),
            std::string::npos);
  EXPECT_NE(h.Run({"FCALL", "f4", "0"}).find("attempt to call field 'register_function'"),
            std::string::npos);
}

TEST(FunctionTest, DumpRestorePolicies) {
  Harness h;
  ASSERT_EQ(h.Run({"FUNCTION", "LOAD", kLib}), "mylib");
  std::string payload = h.Run({"FUNCTION", "DUMP"});
  EXPECT_EQ(h.Run({"FUNCTION", "RESTORE", payload}), "(error) ERR Library mylib already exists");
  EXPECT_EQ(h.Run({"FUNCTION", "RESTORE", payload, "REPLACE"}), "OK");
  EXPECT_EQ(h.Run({"FUNCTION", "FLUSH"}), "OK");
  EXPECT_EQ(h.Run({"FUNCTION", "LIST"}), "[]");
  EXPECT_EQ(h.Run({"FUNCTION", "RESTORE", payload}), "OK");
  EXPECT_EQ(h.Run({"FCALL", "f2", "0", "back"}), "back");
  EXPECT_EQ(h.Run({"FUNCTION", "RESTORE", payload, "FLUSH"}), "OK");
  EXPECT_EQ(h.Run({"FUNCTION", "RESTORE", "bad_payload"}),
            "(error) ERR DUMP payload version or checksum are wrong");
  EXPECT_EQ(h.Run({"FUNCTION", "RESTORE", payload, "BOGUS"}),
            "(error) ERR Wrong restore policy given, value should be either FLUSH, APPEND or "
            "REPLACE.");
  EXPECT_EQ(h.Run({"FUNCTION", "STATS"}),
            "[running_script, (nil), engines, [LUA, [libraries_count, (integer) 1, "
            "functions_count, (integer) 2]]]");
}

// The payload layout: RDB function opcode first, RDB version 11 and a CRC-64 last. (A payload
// made by redis-server restores in tests/integration/test_scripting.py.)
TEST(FunctionTest, DumpLayout) {
  Harness h;
  ASSERT_EQ(h.Run({"FUNCTION", "LOAD",
                   "#!lua name=rlib\nredis.register_function('rf', "
                   "function() return 'from redis' end)\n"}),
            "rlib");
  std::string payload = h.Run({"FUNCTION", "DUMP"});
  EXPECT_EQ(uint8_t(payload[0]), 0xf5);
  EXPECT_EQ(uint8_t(payload[payload.size() - 10]), 11);  // RDB version 11 (Redis 7.2)
}

TEST(ScriptingInfoTest, MemoryFields) {
  Harness h;
  EXPECT_EQ(Info(h, "number_of_cached_scripts"), "0");
  h.Run({"EVAL", "return 1", "0"});
  EXPECT_EQ(Info(h, "number_of_cached_scripts"), "1");
  EXPECT_NE(Info(h, "used_memory_lua"), "0");
  EXPECT_NE(Info(h, "used_memory_scripts_eval"), "0");
}

}  // namespace
}  // namespace ember
