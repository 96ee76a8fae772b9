// Unit tests for the keyspace commands (key_family.cc) through the in-process harness: replies
// and error texts as Redis 7 gives them, SCAN's full-iteration guarantee under MATCH/TYPE/COUNT
// and table resizes, RENAME/MOVE/COPY keeping TTLs, SWAPDB, FLUSH and OBJECT.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "../command_harness.h"
#include "server/command_table.h"

namespace ember {
namespace {

using testing::Harness;

// Runs SCAN and parses the raw reply into (next cursor, keys).
struct ScanPage {
  std::string cursor;
  std::vector<std::string> keys;
};

std::string ReadLine(const std::string& s, size_t* pos) {
  size_t eol = s.find("\r\n", *pos);
  std::string line = s.substr(*pos, eol - *pos);
  *pos = eol + 2;
  return line;
}

std::string ReadBulk(const std::string& s, size_t* pos) {
  std::string hdr = ReadLine(s, pos);
  EXPECT_EQ(hdr[0], '$');
  size_t n = std::stoul(hdr.substr(1));
  std::string v = s.substr(*pos, n);
  *pos += n + 2;
  return v;
}

ScanPage ScanOnce(Harness& h, std::vector<std::string> args) {
  std::string raw = h.RunRaw(args);
  ScanPage page;
  size_t pos = 0;
  EXPECT_EQ(ReadLine(raw, &pos), "*2") << raw;
  page.cursor = ReadBulk(raw, &pos);
  std::string arr = ReadLine(raw, &pos);
  size_t n = std::stoul(arr.substr(1));
  for (size_t i = 0; i < n; i++) page.keys.push_back(ReadBulk(raw, &pos));
  return page;
}

// Full SCAN iteration with the given options; returns every key reported (with repeats).
std::vector<std::string> ScanAll(Harness& h, const std::vector<std::string>& opts) {
  std::vector<std::string> all;
  std::string cursor = "0";
  int calls = 0;
  do {
    std::vector<std::string> args = {"SCAN", cursor};
    args.insert(args.end(), opts.begin(), opts.end());
    ScanPage p = ScanOnce(h, args);
    all.insert(all.end(), p.keys.begin(), p.keys.end());
    cursor = p.cursor;
    EXPECT_LT(++calls, 100000);
  } while (cursor != "0");
  return all;
}

TEST(KeyFamily, DelUnlinkExistsCountDuplicates) {
  Harness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SET", "b", "2"});
  EXPECT_EQ(h.Run({"EXISTS", "a", "a", "b", "c"}), "(integer) 3");
  EXPECT_EQ(h.Run({"DEL", "a", "a", "c"}), "(integer) 1");
  EXPECT_EQ(h.Run({"UNLINK", "b", "b"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "a", "b"}), "(integer) 0");
  EXPECT_EQ(h.Run({"DEL"}), "(error) ERR wrong number of arguments for 'del' command");
}

TEST(KeyFamily, TypeAndTouch) {
  Harness h;
  h.Run({"SET", "s", "v"});
  EXPECT_EQ(h.Run({"TYPE", "s"}), "string");
  EXPECT_EQ(h.Run({"TYPE", "nope"}), "none");
  EXPECT_EQ(h.Run({"TOUCH", "s", "s", "nope"}), "(integer) 2");
}

TEST(KeyFamily, TouchRefreshesIdleTimeAndObjectDoesNot) {
  Harness h;
  h.Run({"SET", "k", "v"});
  h.clock().AdvanceMs(10'000);
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "k"}), "(integer) 10");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "k"}), "embstr");
  EXPECT_EQ(h.Run({"TYPE", "k"}), "string");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "k"}), "(integer) 10");
  EXPECT_EQ(h.Run({"TOUCH", "k"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "k"}), "(integer) 0");
}

TEST(KeyFamily, RenameMovesValueAndTtl) {
  Harness h;
  h.Run({"SET", "a", "hello"});
  h.Run({"PEXPIRE", "a", "5000"});
  h.Run({"SET", "b", "old"});
  EXPECT_EQ(h.Run({"RENAME", "a", "b"}), "OK");
  EXPECT_EQ(h.Run({"GET", "b"}), "hello");
  EXPECT_EQ(h.Run({"PTTL", "b"}), "(integer) 5000");
  EXPECT_EQ(h.Run({"EXISTS", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"RENAME", "a", "b"}), "(error) ERR no such key");
  // A long (raw) value moves too.
  std::string big(100, 'x');
  h.Run({"SET", "r", big});
  EXPECT_EQ(h.Run({"RENAME", "r", "r2"}), "OK");
  EXPECT_EQ(h.Run({"GET", "r2"}), big);
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "r2"}), "raw");
  // Renaming onto a key with a TTL drops the destination's TTL.
  h.Run({"SET", "x", "1"});
  h.Run({"SET", "y", "2", "EX", "100"});
  EXPECT_EQ(h.Run({"RENAME", "x", "y"}), "OK");
  EXPECT_EQ(h.Run({"TTL", "y"}), "(integer) -1");
}

TEST(KeyFamily, RenameSameKeyAndNx) {
  Harness h;
  h.Run({"SET", "a", "1"});
  EXPECT_EQ(h.Run({"RENAME", "a", "a"}), "OK");
  EXPECT_EQ(h.Run({"RENAMENX", "a", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"RENAME", "zz", "zz"}), "(error) ERR no such key");
  EXPECT_EQ(h.Run({"RENAMENX", "zz", "q"}), "(error) ERR no such key");
  h.Run({"SET", "b", "2"});
  EXPECT_EQ(h.Run({"RENAMENX", "a", "b"}), "(integer) 0");
  EXPECT_EQ(h.Run({"RENAMENX", "a", "c"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GET", "c"}), "1");
}

TEST(KeyFamily, RenameAndMoveCountAsAccess) {
  // As in Redis, the write lookup of the source refreshes its access time.
  Harness h;
  h.Run({"SET", "a", "hello"});
  h.Run({"SET", "m", "hello"});
  h.clock().AdvanceMs(7000);
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "a"}), "(integer) 7");
  h.Run({"RENAME", "a", "b"});
  h.Run({"MOVE", "m", "1"});
  h.clock().AdvanceMs(2000);
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "b"}), "(integer) 2");
  h.Run({"SELECT", "1"});
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "m"}), "(integer) 2");
}

TEST(KeyFamily, RenameOfExpiredKeyFails) {
  Harness h;
  h.Run({"SET", "a", "1", "PX", "100"});
  h.clock().AdvanceMs(101);
  EXPECT_EQ(h.Run({"RENAME", "a", "b"}), "(error) ERR no such key");
}

TEST(KeyFamily, KeysMatchesPatternAndSkipsExpired) {
  Harness h;
  h.Run({"SET", "user:1", "a"});
  h.Run({"SET", "user:2", "b"});
  h.Run({"SET", "other", "c"});
  h.Run({"SET", "user:3", "d", "PX", "10"});
  h.clock().AdvanceMs(11);
  std::string r = h.Run({"KEYS", "user:*"});
  EXPECT_TRUE(r == "[user:1, user:2]" || r == "[user:2, user:1]") << r;
  EXPECT_EQ(h.Run({"KEYS", "oth?r"}), "[other]");
  EXPECT_EQ(h.Run({"KEYS", "nomatch*"}), "[]");
}

TEST(KeyFamily, ScanArgumentErrors) {
  Harness h;
  EXPECT_EQ(h.Run({"SCAN", "x"}), "(error) ERR invalid cursor");
  EXPECT_EQ(h.Run({"SCAN", " 1"}), "(error) ERR invalid cursor");
  EXPECT_EQ(h.Run({"SCAN", "18446744073709551616"}), "(error) ERR invalid cursor");
  EXPECT_EQ(h.Run({"SCAN", "0", "COUNT", "0"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SCAN", "0", "COUNT", "-1"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SCAN", "0", "COUNT", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"SCAN", "0", "MATCH"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"SCAN", "0", "FOO", "bar"}), "(error) ERR syntax error");
  // strtoul's acceptance: empty, '+', and a wrapping '-' are valid cursors.
  EXPECT_EQ(h.Run({"SCAN", ""}), "[0, []]");
  EXPECT_EQ(h.Run({"SCAN", "+0"}), "[0, []]");
  EXPECT_EQ(h.Run({"SCAN", "18446744073709551615"}), "[0, []]");
  EXPECT_EQ(h.Run({"SCAN", "0", "TYPE", "nosuchtype"}), "[0, []]");
}

TEST(KeyFamily, ScanFullIterationReturnsEveryKey) {
  Harness h;
  std::set<std::string> expected;
  for (int i = 0; i < 2000; i++) {
    std::string k = "key:" + std::to_string(i);
    h.Run({"SET", k, "v"});
    expected.insert(k);
  }
  for (const char* count : {"1", "7", "100", "5000"}) {
    std::vector<std::string> all = ScanAll(h, {"COUNT", count});
    std::set<std::string> got(all.begin(), all.end());
    EXPECT_EQ(got, expected) << "COUNT " << count;
  }
}

TEST(KeyFamily, ScanMatchAndTypeFilter) {
  Harness h;
  std::set<std::string> expected;
  for (int i = 0; i < 500; i++) {
    std::string k = (i % 3 == 0 ? "a:" : "b:") + std::to_string(i);
    h.Run({"SET", k, "v"});
    if (i % 3 == 0) expected.insert(k);
  }
  std::vector<std::string> all = ScanAll(h, {"MATCH", "a:*", "COUNT", "10"});
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), expected);
  all = ScanAll(h, {"TYPE", "STRING", "MATCH", "a:*"});
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()), expected);
  EXPECT_TRUE(ScanAll(h, {"TYPE", "list"}).empty());
}

TEST(KeyFamily, ScanGuaranteeWhileTableGrowsAndShrinks) {
  Harness h;
  std::set<std::string> stable;
  for (int i = 0; i < 300; i++) {
    std::string k = "stable:" + std::to_string(i);
    h.Run({"SET", k, "v"});
    stable.insert(k);
  }
  for (int i = 0; i < 300; i++) h.Run({"SET", "temp:" + std::to_string(i), "v"});
  std::set<std::string> got;
  std::string cursor = "0";
  int step = 0, added = 0;
  do {
    ScanPage p = ScanOnce(h, {"SCAN", cursor, "COUNT", "5"});
    got.insert(p.keys.begin(), p.keys.end());
    cursor = p.cursor;
    // Grow the table (new keys), then remove the temporary ones to let it shrink.
    if (step < 20) {
      for (int j = 0; j < 100; j++) h.Run({"SET", "new:" + std::to_string(added++), "v"});
    } else if (step == 20) {
      for (int i = 0; i < 300; i++) h.Run({"DEL", "temp:" + std::to_string(i)});
      h.server().keyspace().Cron(1'000'000);
    }
    step++;
  } while (cursor != "0");
  for (const std::string& k : stable) EXPECT_TRUE(got.count(k)) << k;
}

TEST(KeyFamily, ScanSkipsExpiredKeys) {
  Harness h;
  h.Run({"SET", "live", "1"});
  h.Run({"SET", "dead", "1", "PX", "5"});
  h.clock().AdvanceMs(6);
  std::vector<std::string> all = ScanAll(h, {});
  EXPECT_EQ(all, std::vector<std::string>{"live"});
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 1");  // the expired key met by SCAN was reclaimed
}

TEST(KeyFamily, RandomKeyAndDbSize) {
  Harness h;
  EXPECT_EQ(h.Run({"RANDOMKEY"}), "(nil)");
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 0");
  h.Run({"SET", "only", "1"});
  EXPECT_EQ(h.Run({"RANDOMKEY"}), "only");
  h.Run({"SET", "gone", "1", "PX", "1"});
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 2");
  h.clock().AdvanceMs(2);
  for (int i = 0; i < 20; i++) EXPECT_EQ(h.Run({"RANDOMKEY"}), "only");
}

TEST(KeyFamily, SwapDb) {
  Harness h;
  h.Run({"SET", "a", "db0"});
  h.Run({"SELECT", "1"});
  h.Run({"SET", "b", "db1", "EX", "100"});
  EXPECT_EQ(h.Run({"SWAPDB", "0", "1"}), "OK");
  EXPECT_EQ(h.Run({"GET", "a"}), "db0");
  EXPECT_EQ(h.Run({"EXISTS", "b"}), "(integer) 0");
  h.Run({"SELECT", "0"});
  EXPECT_EQ(h.Run({"GET", "b"}), "db1");
  EXPECT_EQ(h.Run({"TTL", "b"}), "(integer) 100");
  EXPECT_EQ(h.Run({"SWAPDB", "0", "0"}), "OK");
  EXPECT_EQ(h.Run({"SWAPDB", "x", "1"}), "(error) ERR invalid first DB index");
  EXPECT_EQ(h.Run({"SWAPDB", "1", "x"}), "(error) ERR invalid second DB index");
  EXPECT_EQ(h.Run({"SWAPDB", "0", "16"}), "(error) ERR DB index is out of range");
  EXPECT_EQ(h.Run({"SWAPDB", "-1", "0"}), "(error) ERR DB index is out of range");
}

TEST(KeyFamily, Move) {
  Harness h;
  h.Run({"SET", "k", "v", "EX", "50"});
  EXPECT_EQ(h.Run({"MOVE", "k", "0"}), "(error) ERR source and destination objects are the same");
  EXPECT_EQ(h.Run({"MOVE", "k", "16"}), "(error) ERR DB index is out of range");
  EXPECT_EQ(h.Run({"MOVE", "k", "x"}), "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"MOVE", "nope", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"MOVE", "k", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "k"}), "(integer) 0");
  h.Run({"SET", "k", "again"});
  EXPECT_EQ(h.Run({"MOVE", "k", "1"}), "(integer) 0");  // exists in the target
  h.Run({"SELECT", "1"});
  EXPECT_EQ(h.Run({"GET", "k"}), "v");
  EXPECT_EQ(h.Run({"TTL", "k"}), "(integer) 50");
}

TEST(KeyFamily, CopyWithDbAndReplace) {
  Harness h;
  h.Run({"SET", "src", "value", "PX", "9000"});
  EXPECT_EQ(h.Run({"COPY", "src", "src"}),
            "(error) ERR source and destination objects are the same");
  EXPECT_EQ(h.Run({"COPY", "src", "dst"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GET", "dst"}), "value");
  EXPECT_EQ(h.Run({"PTTL", "dst"}), "(integer) 9000");
  h.Run({"SET", "other", "x"});
  EXPECT_EQ(h.Run({"COPY", "src", "other"}), "(integer) 0");
  EXPECT_EQ(h.Run({"GET", "other"}), "x");
  EXPECT_EQ(h.Run({"COPY", "src", "other", "REPLACE"}), "(integer) 1");
  EXPECT_EQ(h.Run({"GET", "other"}), "value");
  EXPECT_EQ(h.Run({"COPY", "missing", "z"}), "(integer) 0");
  // Another database: same key name is fine there.
  EXPECT_EQ(h.Run({"COPY", "src", "src", "DB", "2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"COPY", "src", "src", "DB", "2"}), "(integer) 0");
  EXPECT_EQ(h.Run({"COPY", "src", "src", "db", "2", "replace"}), "(integer) 1");
  EXPECT_EQ(h.Run({"COPY", "src", "b", "DB", "16"}), "(error) ERR DB index is out of range");
  EXPECT_EQ(h.Run({"COPY", "src", "b", "DB", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"COPY", "src", "b", "DB"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"COPY", "src", "b", "FOO"}), "(error) ERR syntax error");
  // The copy is independent of the source.
  std::string big(200, 'y');
  h.Run({"SET", "bigsrc", big});
  h.Run({"COPY", "bigsrc", "bigdst"});
  h.Run({"DEL", "bigsrc"});
  EXPECT_EQ(h.Run({"GET", "bigdst"}), big);
  h.Run({"SELECT", "2"});
  EXPECT_EQ(h.Run({"GET", "src"}), "value");
  EXPECT_EQ(h.Run({"PTTL", "src"}), "(integer) 9000");
}

TEST(KeyFamily, FlushDbAndFlushAll) {
  Harness h;
  h.Run({"SET", "a", "1"});
  h.Run({"SELECT", "3"});
  h.Run({"SET", "b", "1", "EX", "10"});
  EXPECT_EQ(h.Run({"FLUSHDB", "FOO"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"FLUSHDB", "ASYNC", "SYNC"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"FLUSHDB", "sync"}), "OK");
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 0");
  h.Run({"SELECT", "0"});
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 1");
  h.Run({"SELECT", "3"});
  h.Run({"SET", "c", "1"});
  EXPECT_EQ(h.Run({"FLUSHALL", "ASYNC"}), "OK");
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 0");
  h.Run({"SELECT", "0"});
  EXPECT_EQ(h.Run({"DBSIZE"}), "(integer) 0");
  EXPECT_EQ(h.Run({"FLUSHALL"}), "OK");
  EXPECT_EQ(h.server().keyspace().db(3).expires_count(), 0u);
}

TEST(KeyFamily, ObjectEncodingAndRefcount) {
  Harness h;
  h.Run({"SET", "i", "123"});
  h.Run({"SET", "big", "123456"});
  h.Run({"SET", "neg", "-1"});
  h.Run({"SET", "e", "hello"});
  h.Run({"SET", "r", std::string(45, 'x')});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "i"}), "int");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "e"}), "embstr");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "r"}), "raw");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "none"}), "(nil)");
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "i"}), "(integer) 2147483647");
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "big"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "neg"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "e"}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "none"}), "(nil)");
  // With a memory limit and an LRU policy Redis stops sharing integers.
  ServerConfig& cfg = h.server().config().mutable_values();
  cfg.maxmemory = 100 << 20;
  cfg.maxmemory_policy = "allkeys-lru";
  EXPECT_EQ(h.Run({"OBJECT", "REFCOUNT", "i"}), "(integer) 1");
}

TEST(KeyFamily, ObjectFreqAndIdletimeByPolicy) {
  Harness h;
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"OBJECT", "FREQ", "k"}),
            "(error) ERR An LFU maxmemory policy is not selected, access frequency not tracked. "
            "Please note that when switching between policies at runtime LRU and LFU data will "
            "take some time to adjust.");
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "k"}), "(integer) 0");
  h.server().config().mutable_values().maxmemory_policy = "volatile-lfu";
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "k"}),
            "(error) ERR An LFU maxmemory policy is selected, idle time not tracked. Please note "
            "that when switching between policies at runtime LRU and LFU data will take some "
            "time to adjust.");
  EXPECT_EQ(h.Run({"OBJECT", "FREQ", "nope"}), "(nil)");
  std::string freq = h.Run({"OBJECT", "FREQ", "k"});
  EXPECT_EQ(freq.rfind("(integer) ", 0), 0u) << freq;
}

TEST(KeyFamily, ObjectHelpAndErrors) {
  Harness h;
  std::string help = h.Run({"OBJECT", "HELP"});
  EXPECT_NE(help.find("ENCODING <key>"), std::string::npos);
  EXPECT_NE(help.find("FREQ <key>"), std::string::npos);
  EXPECT_EQ(h.Run({"OBJECT", "foo"}), "(error) ERR unknown subcommand 'foo'. Try OBJECT HELP.");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING"}),
            "(error) ERR wrong number of arguments for 'object|encoding' command");
  EXPECT_EQ(h.Run({"OBJECT"}), "(error) ERR wrong number of arguments for 'object' command");
}

TEST(KeyFamily, CommandRowsMatchRedis) {
  const CommandTable& t = CommandTable::Instance();
  const CommandSpec* del = t.Find("del");
  ASSERT_NE(del, nullptr);
  EXPECT_EQ(del->arity, -2);
  EXPECT_EQ(del->acl, kAclKeyspace | kAclWrite | kAclSlow);
  int first, last, step;
  del->LegacyKeyRange(&first, &last, &step);
  EXPECT_EQ(first, 1);
  EXPECT_EQ(last, -1);
  const CommandSpec* rename = t.Find("rename");
  rename->LegacyKeyRange(&first, &last, &step);
  EXPECT_EQ(last, 2);
  const CommandSpec* copy = t.Find("copy");
  EXPECT_TRUE(copy->has(kCmdDenyOom));
  EXPECT_EQ(copy->key_specs.size(), 2u);
  const CommandSpec* obj = t.Find("object");
  ASSERT_NE(obj, nullptr);
  const CommandSpec* enc = t.FindSub(obj, "ENCODING");
  ASSERT_NE(enc, nullptr);
  enc->LegacyKeyRange(&first, &last, &step);
  EXPECT_EQ(first, 2);
  EXPECT_EQ(last, 2);
  EXPECT_TRUE(t.Find("swapdb")->acl & kAclDangerous);
  EXPECT_TRUE(t.Find("expire")->has(kCmdFast));
  EXPECT_EQ(t.Find("pexpireat")->arity, -3);
}

}  // namespace
}  // namespace ember
