// Unit tests for the hash field TTL commands (hash_ttl_family.cc) through the in-process
// harness with a ManualClock: every documented reply code and error of HEXPIRE & co., HTTL &
// co., HPERSIST, HGETEX, HSETEX and HGETDEL; expired fields hidden from every hash command and
// deleted lazily; encodings (listpack -> listpackex -> hashtable) keeping TTLs; active reclaim
// by the cron (keys vanish without being read); RENAME / COPY / MOVE / SWAPDB keeping TTLs.
// No differential oracle exists (redis-server 7.0 lacks these commands), so the expected
// replies here are pinned from the Redis 7.4 / 8.0 documentation and behaviour.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "command_harness.h"
#include "core/hash_object.h"
#include "core/kv_entry.h"
#include "server/arg_parser.h"

namespace ember {
namespace {

using testing::Harness;
using testing::kNotInt;
using testing::kWrongType;

constexpr const char* kFieldsMissing =
    "(error) ERR Mandatory argument FIELDS is missing or not at the right position";
constexpr const char* kGreaterThanZero =
    "(error) ERR Parameter `numFields` should be greater than 0";
constexpr const char* kPositive = "(error) ERR Number of fields must be a positive integer";
constexpr const char* kMismatch =
    "(error) ERR The `numfields` parameter must match the number of arguments";
constexpr const char* kNegative = "(error) ERR invalid expire time, must be >= 0";
constexpr int64_t kStartMs = 1'700'000'000'000;  // the ManualClock's start

class HashTtlTest : public ::testing::Test {
 protected:
  Db& db(int i = 0) { return h.server().keyspace().db(i); }
  KvEntry* Entry(const std::string& key, int i = 0) { return db(i).dict().Find(key); }
  // Fields actually stored (expired ones included), without going through a command.
  size_t StoredFields(const std::string& key, int i = 0) {
    KvEntry* e = Entry(key, i);
    return e ? HashObject(e->encoding(), e->obj()).Len() : 0;
  }
  std::string Encoding(const std::string& key) { return h.Run({"OBJECT", "ENCODING", key}); }
  uint64_t ExpiredSubkeys() { return h.server().keyspace().stats().expired_subkeys; }
  void Cron() { h.server().Cron(); }

  Harness h;
};

// ---------------------------------------------------------------------------------------------
// HEXPIRE & co.

TEST_F(HashTtlTest, HExpireReplyCodes) {
  h.Run({"HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"});
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "100", "FIELDS", "3", "a", "b", "zz"}),
            "[(integer) 1, (integer) 1, (integer) -2]");
  // NX: only fields without a TTL.
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "200", "NX", "FIELDS", "2", "a", "c"}),
            "[(integer) 0, (integer) 1]");
  // XX: only fields with one.
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "300", "XX", "FIELDS", "2", "a", "d"}),
            "[(integer) 1, (integer) 0]");
  // GT: a field without TTL counts as never expiring, so GT refuses it.
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "250", "gt", "FIELDS", "3", "a", "b", "d"}),
            "[(integer) 0, (integer) 1, (integer) 0]");
  // LT: accepted on a field without TTL.
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "250", "lt", "FIELDS", "3", "a", "b", "d"}),
            "[(integer) 1, (integer) 0, (integer) 1]");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "4", "a", "b", "c", "d"}),
            "[(integer) 250, (integer) 250, (integer) 200, (integer) 250]");
  // Zero (or a past time) deletes the field: code 2.
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "0", "FIELDS", "2", "a", "zz"}), "[(integer) 2, (integer) -2]");
  EXPECT_EQ(h.Run({"HEXISTS", "h", "a"}), "(integer) 0");
  EXPECT_EQ(ExpiredSubkeys(), 1u);
  EXPECT_EQ(h.Run({"HPEXPIREAT", "h", std::to_string(kStartMs), "FIELDS", "1", "b"}),
            "[(integer) 2]");  // "now" is not in the future
  EXPECT_EQ(h.Run({"HEXPIREAT", "h", "1", "FIELDS", "2", "c", "d"}), "[(integer) 2, (integer) 2]");
  EXPECT_EQ(h.Run({"EXISTS", "h"}), "(integer) 0");  // the last field took the key with it
}

TEST_F(HashTtlTest, HExpireVariantsComputeAbsoluteTimes) {
  h.Run({"HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"});
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "FIELDS", "1", "a"}), "[(integer) 1]");
  EXPECT_EQ(h.Run({"HPEXPIRE", "h", "1500", "FIELDS", "1", "b"}), "[(integer) 1]");
  EXPECT_EQ(h.Run({"HEXPIREAT", "h", "1700000100", "FIELDS", "1", "c"}), "[(integer) 1]");
  EXPECT_EQ(h.Run({"HPEXPIREAT", "h", "1700000000250", "FIELDS", "1", "d"}), "[(integer) 1]");
  EXPECT_EQ(h.Run({"HPEXPIRETIME", "h", "FIELDS", "4", "a", "b", "c", "d"}),
            "[(integer) 1700000010000, (integer) 1700000001500, (integer) 1700000100000, "
            "(integer) 1700000000250]");
  // Seconds round up, like Redis.
  EXPECT_EQ(h.Run({"HEXPIRETIME", "h", "FIELDS", "4", "a", "b", "c", "d"}),
            "[(integer) 1700000010, (integer) 1700000002, (integer) 1700000100, "
            "(integer) 1700000001]");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "2", "b", "d"}), "[(integer) 2, (integer) 1]");
  EXPECT_EQ(h.Run({"HPTTL", "h", "FIELDS", "2", "b", "d"}), "[(integer) 1500, (integer) 250]");
  h.clock().AdvanceMs(250);
  EXPECT_EQ(h.Run({"HPTTL", "h", "FIELDS", "2", "b", "d"}), "[(integer) 1250, (integer) 0]");
  h.clock().AdvanceMs(1);  // d is expired now: gone
  EXPECT_EQ(h.Run({"HPTTL", "h", "FIELDS", "2", "b", "d"}), "[(integer) 1249, (integer) -2]");
  EXPECT_EQ(h.Run({"HLEN", "h"}), "(integer) 3");
}

TEST_F(HashTtlTest, HExpireErrors) {
  h.Run({"HSET", "h", "a", "1"});
  h.Run({"SET", "s", "x"});
  // The key type is checked before the arguments, as Redis does.
  EXPECT_EQ(h.Run({"HEXPIRE", "s", "abc", "FIELDS", "1", "a"}), kWrongType);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "abc", "FIELDS", "1", "a"}), kNotInt);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "-1", "FIELDS", "1", "a"}), kNegative);
  EXPECT_EQ(h.Run({"HPEXPIREAT", "h", "-5", "FIELDS", "1", "a"}), kNegative);
  // Latest accepted absolute time: 2^46 - 1 ms.
  EXPECT_EQ(h.Run({"HPEXPIREAT", "h", "70368744177663", "FIELDS", "1", "a"}), "[(integer) 1]");
  EXPECT_EQ(h.Run({"HPEXPIREAT", "h", "70368744177664", "FIELDS", "1", "a"}),
            "(error) ERR invalid expire time in 'hpexpireat' command");
  EXPECT_EQ(h.Run({"HEXPIREAT", "h", "70368744178", "FIELDS", "1", "a"}),
            "(error) ERR invalid expire time in 'hexpireat' command");
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "70368744177", "FIELDS", "1", "a"}),
            "(error) ERR invalid expire time in 'hexpire' command");  // now + that overflows
  EXPECT_EQ(h.Run({"HPEXPIRE", "h", "9223372036854775807", "FIELDS", "1", "a"}),
            "(error) ERR invalid expire time in 'hpexpire' command");
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "FOO", "1", "a"}), kFieldsMissing);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "NX", "XX", "FIELDS", "1", "a"}), kFieldsMissing);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "FIELDS", "0", "a"}), kGreaterThanZero);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "FIELDS", "-1", "a"}), kGreaterThanZero);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "FIELDS", "x", "a"}), kGreaterThanZero);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "FIELDS", "2", "a"}), kMismatch);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "FIELDS", "1", "a", "b"}), kMismatch);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "NX", "FIELDS", "1"}), kMismatch);
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "10", "FIELDS", "1"}),
            "(error) ERR wrong number of arguments for 'hexpire' command");
  // Errors change nothing.
  EXPECT_EQ(h.Run({"HPEXPIRETIME", "h", "FIELDS", "1", "a"}), "[(integer) 70368744177663]");
}

TEST_F(HashTtlTest, MissingKeyReplies) {
  EXPECT_EQ(h.Run({"HEXPIRE", "nokey", "10", "FIELDS", "2", "a", "b"}),
            "[(integer) -2, (integer) -2]");
  EXPECT_EQ(h.Run({"HPEXPIREAT", "nokey", "10", "XX", "FIELDS", "1", "a"}), "[(integer) -2]");
  EXPECT_EQ(h.Run({"HTTL", "nokey", "FIELDS", "1", "a"}), "[(integer) -2]");
  EXPECT_EQ(h.Run({"HPTTL", "nokey", "FIELDS", "1", "a"}), "[(integer) -2]");
  EXPECT_EQ(h.Run({"HEXPIRETIME", "nokey", "FIELDS", "1", "a"}), "[(integer) -2]");
  EXPECT_EQ(h.Run({"HPEXPIRETIME", "nokey", "FIELDS", "1", "a"}), "[(integer) -2]");
  EXPECT_EQ(h.Run({"HPERSIST", "nokey", "FIELDS", "2", "a", "b"}), "[(integer) -2, (integer) -2]");
  EXPECT_EQ(h.Run({"HGETEX", "nokey", "EX", "10", "FIELDS", "2", "a", "b"}), "[(nil), (nil)]");
  EXPECT_EQ(h.Run({"HGETDEL", "nokey", "FIELDS", "1", "a"}), "[(nil)]");
  EXPECT_EQ(h.Run({"HSETEX", "nokey", "FXX", "FIELDS", "1", "a", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"EXISTS", "nokey"}), "(integer) 0");
  // Argument errors still come first for a missing key.
  EXPECT_EQ(h.Run({"HTTL", "nokey", "FIELDS", "2", "a"}), kMismatch);
}

TEST_F(HashTtlTest, WrongTypeEverywhere) {
  h.Run({"SET", "s", "x"});
  for (auto& cmd : std::vector<std::vector<std::string>>{
           {"HEXPIRE", "s", "1", "FIELDS", "1", "a"},
           {"HPEXPIRE", "s", "1", "FIELDS", "1", "a"},
           {"HEXPIREAT", "s", "1", "FIELDS", "1", "a"},
           {"HPEXPIREAT", "s", "1", "FIELDS", "1", "a"},
           {"HTTL", "s", "FIELDS", "1", "a"},
           {"HPTTL", "s", "FIELDS", "1", "a"},
           {"HEXPIRETIME", "s", "FIELDS", "1", "a"},
           {"HPEXPIRETIME", "s", "FIELDS", "1", "a"},
           {"HPERSIST", "s", "FIELDS", "1", "a"},
           {"HGETEX", "s", "FIELDS", "1", "a"},
           {"HGETDEL", "s", "FIELDS", "1", "a"},
           {"HSETEX", "s", "FIELDS", "1", "a", "1"},
           {"HTTL", "s", "FIELDS", "0", "a"},  // WRONGTYPE before the count check
       }) {
    EXPECT_EQ(h.Run(cmd), kWrongType) << cmd[0];
  }
  EXPECT_EQ(h.Run({"GET", "s"}), "x");
}

// ---------------------------------------------------------------------------------------------
// HTTL & co., HPERSIST

TEST_F(HashTtlTest, HttlCodesAndErrors) {
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  h.Run({"HPEXPIRE", "h", "2500", "FIELDS", "1", "a"});
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "3", "a", "b", "zz"}),
            "[(integer) 3, (integer) -1, (integer) -2]");
  EXPECT_EQ(h.Run({"HPTTL", "h", "FIELDS", "3", "a", "b", "zz"}),
            "[(integer) 2500, (integer) -1, (integer) -2]");
  EXPECT_EQ(h.Run({"HEXPIRETIME", "h", "FIELDS", "2", "b", "zz"}), "[(integer) -1, (integer) -2]");
  EXPECT_EQ(h.Run({"HPEXPIRETIME", "h", "FIELDS", "2", "b", "zz"}), "[(integer) -1, (integer) -2]");
  for (std::string cmd : {"HTTL", "HPTTL", "HEXPIRETIME", "HPEXPIRETIME", "HPERSIST"}) {
    EXPECT_EQ(h.Run({cmd, "h", "FIELDS", "0", "a"}), kPositive) << cmd;
    EXPECT_EQ(h.Run({cmd, "h", "FIELDS", "one", "a"}), kPositive) << cmd;
    EXPECT_EQ(h.Run({cmd, "h", "FIELDS", "2", "a"}), kMismatch) << cmd;
    EXPECT_EQ(h.Run({cmd, "h", "FIELDS", "1", "a", "b"}), kMismatch) << cmd;
    EXPECT_EQ(h.Run({cmd, "h", "FIELD", "1", "a"}), kFieldsMissing) << cmd;
    EXPECT_EQ(h.Run({cmd, "h", "FIELDS", "1"}),
              "(error) ERR wrong number of arguments for '" + AsciiLower(cmd) + "' command")
        << cmd;
  }
}

TEST_F(HashTtlTest, HPersist) {
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  h.Run({"HEXPIRE", "h", "100", "FIELDS", "1", "a"});
  EXPECT_EQ(h.Run({"HPERSIST", "h", "FIELDS", "3", "a", "b", "zz"}),
            "[(integer) 1, (integer) -1, (integer) -2]");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "1", "a"}), "[(integer) -1]");
  EXPECT_EQ(h.Run({"HPERSIST", "h", "FIELDS", "1", "a"}), "[(integer) -1]");
  h.clock().AdvanceMs(200'000);
  EXPECT_EQ(h.Run({"HGET", "h", "a"}), "1");  // persisted: still there
  // An expired field cannot be persisted: it is gone.
  h.Run({"HPEXPIRE", "h", "10", "FIELDS", "1", "b"});
  h.clock().AdvanceMs(11);
  EXPECT_EQ(h.Run({"HPERSIST", "h", "FIELDS", "1", "b"}), "[(integer) -2]");
}

// ---------------------------------------------------------------------------------------------
// Expired fields are invisible and lazily deleted

TEST_F(HashTtlTest, ExpiredFieldsAreInvisibleToEveryCommand) {
  h.Run({"HSET", "h", "keep", "1", "gone", "22", "n", "5"});
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "2", "gone", "n"});
  h.clock().AdvanceMs(101);
  EXPECT_EQ(StoredFields("h"), 3u);  // nothing reclaimed yet
  EXPECT_EQ(h.Run({"HGET", "h", "gone"}), "(nil)");
  EXPECT_EQ(StoredFields("h"), 1u);  // the read deleted the expired fields
  EXPECT_EQ(ExpiredSubkeys(), 2u);
  h.Run({"HSET", "h", "gone", "22", "n", "5"});
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "2", "gone", "n"});
  h.clock().AdvanceMs(101);
  EXPECT_EQ(h.Run({"HMGET", "h", "keep", "gone"}), "[1, (nil)]");
  h.Run({"HSET", "h", "gone", "22", "n", "5"});
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "2", "gone", "n"});
  h.clock().AdvanceMs(101);
  EXPECT_EQ(h.Run({"HLEN", "h"}), "(integer) 1");  // exact: expired fields never counted
  EXPECT_EQ(h.Run({"HGETALL", "h"}), "[keep, 1]");
  EXPECT_EQ(h.Run({"HKEYS", "h"}), "[keep]");
  EXPECT_EQ(h.Run({"HVALS", "h"}), "[1]");
  EXPECT_EQ(h.Run({"HEXISTS", "h", "gone"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HSTRLEN", "h", "gone"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HRANDFIELD", "h", "-5"}), "[keep, keep, keep, keep, keep]");
  EXPECT_EQ(h.Run({"HSCAN", "h", "0"}), "[0, [keep, 1]]");
  // Writers see the field as absent too.
  h.Run({"HSET", "h", "n", "5"});
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "1", "n"});
  h.clock().AdvanceMs(101);
  EXPECT_EQ(h.Run({"HINCRBY", "h", "n", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "1", "n"}), "[(integer) -1]");
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "1", "n"});
  h.clock().AdvanceMs(101);
  EXPECT_EQ(h.Run({"HSETNX", "h", "n", "new"}), "(integer) 1");
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "1", "n"});
  h.clock().AdvanceMs(101);
  EXPECT_EQ(h.Run({"HDEL", "h", "n"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HSET", "h", "n", "x"}), "(integer) 1");
}

TEST_F(HashTtlTest, LastFieldExpiringDeletesTheKey) {
  h.Run({"HSET", "h", "a", "1"});
  h.Run({"HPEXPIRE", "h", "10", "FIELDS", "1", "a"});
  h.clock().AdvanceMs(11);
  EXPECT_EQ(h.Run({"EXISTS", "h"}), "(integer) 1");  // key commands do not look inside
  EXPECT_EQ(h.Run({"HLEN", "h"}), "(integer) 0");
  EXPECT_EQ(Entry("h"), nullptr);
  EXPECT_EQ(h.Run({"EXISTS", "h"}), "(integer) 0");
  h.Run({"HSET", "h", "a", "1"});
  h.Run({"HPEXPIRE", "h", "10", "FIELDS", "1", "a"});
  h.clock().AdvanceMs(11);
  EXPECT_EQ(h.Run({"HSET", "h", "b", "2"}), "(integer) 1");  // a fresh hash
  EXPECT_EQ(h.Run({"HGETALL", "h"}), "[b, 2]");
}

// ---------------------------------------------------------------------------------------------
// Writes and TTLs

TEST_F(HashTtlTest, OverwritesClearOrKeepTtl) {
  h.Run({"HSET", "h", "a", "1", "b", "2", "c", "3", "d", "4"});
  h.Run({"HEXPIRE", "h", "100", "FIELDS", "4", "a", "b", "c", "d"});
  EXPECT_EQ(h.Run({"HSET", "h", "a", "10"}), "(integer) 0");  // HSET replaces: TTL gone
  EXPECT_EQ(h.Run({"HMSET", "h", "b", "20"}), "OK");
  EXPECT_EQ(h.Run({"HINCRBY", "h", "c", "5"}), "(integer) 8");  // changes the value only
  EXPECT_EQ(h.Run({"HINCRBYFLOAT", "h", "d", "0.5"}), "4.5");
  EXPECT_EQ(h.Run({"HSETNX", "h", "c", "x"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "4", "a", "b", "c", "d"}),
            "[(integer) -1, (integer) -1, (integer) 100, (integer) 100]");
}

TEST_F(HashTtlTest, EncodingsKeepTtls) {
  h.Run({"CONFIG", "SET", "hash-max-listpack-entries", "4"});
  h.Run({"CONFIG", "SET", "hash-max-listpack-value", "8"});
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  EXPECT_EQ(Encoding("h"), "listpack");
  EXPECT_EQ(h.Run({"HEXPIRE", "h", "100", "FIELDS", "1", "zz"}), "[(integer) -2]");
  EXPECT_EQ(Encoding("h"), "listpack");  // nothing got a TTL
  h.Run({"HEXPIRE", "h", "100", "FIELDS", "1", "a"});
  EXPECT_EQ(Encoding("h"), "listpackex");
  h.Run({"HPERSIST", "h", "FIELDS", "1", "a"});
  EXPECT_EQ(Encoding("h"), "listpackex");  // as Redis: stays
  h.Run({"HEXPIRE", "h", "100", "FIELDS", "1", "a"});
  h.Run({"HSET", "h", "c", "3", "d", "4"});
  EXPECT_EQ(Encoding("h"), "listpackex");
  h.Run({"HSET", "h", "e", "5"});  // fifth field
  EXPECT_EQ(Encoding("h"), "hashtable");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "2", "a", "e"}), "[(integer) 100, (integer) -1]");
  // A long value converts a listpackex as well.
  h.Run({"HSET", "g", "a", "1"});
  h.Run({"HPEXPIRE", "g", "5000", "FIELDS", "1", "a"});
  h.Run({"HSET", "g", "b", "a-long-value"});
  EXPECT_EQ(Encoding("g"), "hashtable");
  EXPECT_EQ(h.Run({"HPTTL", "g", "FIELDS", "1", "a"}), "[(integer) 5000]");
  // MEMORY USAGE sizes both.
  EXPECT_NE(h.Run({"MEMORY", "USAGE", "g"}), "(nil)");
}

TEST_F(HashTtlTest, HashtableFieldTtls) {
  h.Run({"CONFIG", "SET", "hash-max-listpack-entries", "4"});
  for (int i = 0; i < 50; i++) h.Run({"HSET", "big", "f" + std::to_string(i), "v"});
  EXPECT_EQ(Encoding("big"), "hashtable");
  EXPECT_EQ(h.Run({"HPEXPIRE", "big", "100", "FIELDS", "2", "f1", "f2"}),
            "[(integer) 1, (integer) 1]");
  EXPECT_EQ(h.Run({"HPEXPIRE", "big", "50", "GT", "FIELDS", "2", "f1", "f3"}),
            "[(integer) 0, (integer) 0]");
  EXPECT_EQ(h.Run({"HPEXPIRE", "big", "0", "FIELDS", "1", "f4"}), "[(integer) 2]");
  EXPECT_EQ(h.Run({"HLEN", "big"}), "(integer) 49");
  h.clock().AdvanceMs(101);
  EXPECT_EQ(h.Run({"HLEN", "big"}), "(integer) 47");
  EXPECT_EQ(h.Run({"HGET", "big", "f1"}), "(nil)");
}

// ---------------------------------------------------------------------------------------------
// HGETEX

TEST_F(HashTtlTest, HGetEx) {
  h.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(h.Run({"HGETEX", "h", "FIELDS", "2", "a", "zz"}), "[1, (nil)]");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "1", "a"}), "[(integer) -1]");
  EXPECT_EQ(h.Run({"HGETEX", "h", "EX", "100", "FIELDS", "2", "a", "zz"}), "[1, (nil)]");
  EXPECT_EQ(h.Run({"HGETEX", "h", "PX", "5000", "FIELDS", "1", "b"}), "[2]");
  EXPECT_EQ(h.Run({"HGETEX", "h", "EXAT", "1700000050", "FIELDS", "1", "c"}), "[3]");
  EXPECT_EQ(h.Run({"HPEXPIRETIME", "h", "FIELDS", "3", "a", "b", "c"}),
            "[(integer) 1700000100000, (integer) 1700000005000, (integer) 1700000050000]");
  EXPECT_EQ(h.Run({"HGETEX", "h", "PXAT", "1700000007000", "FIELDS", "1", "c"}), "[3]");
  EXPECT_EQ(h.Run({"HPTTL", "h", "FIELDS", "1", "c"}), "[(integer) 7000]");
  EXPECT_EQ(h.Run({"HGETEX", "h", "persist", "FIELDS", "2", "a", "c"}), "[1, 3]");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "3", "a", "b", "c"}),
            "[(integer) -1, (integer) 5, (integer) -1]");
  // A time that is not in the future deletes the fields after returning them.
  EXPECT_EQ(h.Run({"HGETEX", "h", "PX", "0", "FIELDS", "3", "a", "a", "b"}), "[1, (nil), 2]");
  EXPECT_EQ(h.Run({"HGETALL", "h"}), "[c, 3]");
  EXPECT_EQ(h.Run({"HGETEX", "h", "EXAT", "1", "FIELDS", "1", "c"}), "[3]");
  EXPECT_EQ(h.Run({"EXISTS", "h"}), "(integer) 0");
}

TEST_F(HashTtlTest, HGetExErrors) {
  h.Run({"HSET", "h", "a", "1"});
  EXPECT_EQ(h.Run({"HGETEX", "h", "EX", "abc", "FIELDS", "1", "a"}), kNotInt);
  EXPECT_EQ(h.Run({"HGETEX", "h", "EX", "-1", "FIELDS", "1", "a"}), kNegative);
  EXPECT_EQ(h.Run({"HGETEX", "h", "EXAT", "70368744178", "FIELDS", "1", "a"}),
            "(error) ERR invalid expire time in 'hgetex' command");
  EXPECT_EQ(h.Run({"HGETEX", "h", "FOO", "FIELDS", "1", "a"}), kFieldsMissing);
  EXPECT_EQ(h.Run({"HGETEX", "h", "EX", "10", "FIELD", "1", "a"}), kFieldsMissing);
  EXPECT_EQ(h.Run({"HGETEX", "h", "PERSIST", "FIELDS", "0", "a"}), kPositive);
  EXPECT_EQ(h.Run({"HGETEX", "h", "FIELDS", "2", "a"}), kMismatch);
  EXPECT_EQ(h.Run({"HGETEX", "h", "EX", "10", "FIELDS"}), kPositive);  // no count at all
  EXPECT_EQ(h.Run({"HGETEX", "h", "PERSIST", "FIELDS", "1"}), kMismatch);
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "1", "a"}), "[(integer) -1]");  // untouched
}

// ---------------------------------------------------------------------------------------------
// HSETEX

TEST_F(HashTtlTest, HSetEx) {
  EXPECT_EQ(h.Run({"HSETEX", "h", "FIELDS", "2", "a", "1", "b", "2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HGETALL", "h"}), "[a, 1, b, 2]");
  EXPECT_EQ(h.Run({"HSETEX", "h", "EX", "100", "FIELDS", "1", "a", "10"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "2", "a", "b"}), "[(integer) 100, (integer) -1]");
  EXPECT_EQ(h.Run({"HSETEX", "h", "KEEPTTL", "FIELDS", "1", "a", "11"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "1", "a"}), "[(integer) 100]");
  EXPECT_EQ(h.Run({"HSETEX", "h", "FIELDS", "1", "a", "12"}), "(integer) 1");  // TTL dropped
  EXPECT_EQ(h.Run({"HTTL", "h", "FIELDS", "1", "a"}), "[(integer) -1]");
  EXPECT_EQ(h.Run({"HSETEX", "h", "PX", "1500", "FIELDS", "1", "c", "3"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HSETEX", "h", "EXAT", "1700000200", "FIELDS", "1", "d", "4"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HSETEX", "h", "PXAT", "1700000000700", "FIELDS", "1", "e", "5"}),
            "(integer) 1");
  EXPECT_EQ(h.Run({"HPTTL", "h", "FIELDS", "3", "c", "d", "e"}),
            "[(integer) 1500, (integer) 200000, (integer) 700]");
  EXPECT_EQ(h.Run({"HGET", "h", "a"}), "12");
  // FNX: only when none of the fields exists; FXX: only when all do.
  EXPECT_EQ(h.Run({"HSETEX", "h", "FNX", "FIELDS", "2", "new", "1", "a", "x"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HSETEX", "h", "FNX", "EX", "5", "FIELDS", "1", "new", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HSETEX", "h", "FXX", "FIELDS", "2", "a", "x", "zz", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HSETEX", "h", "FXX", "KEEPTTL", "FIELDS", "2", "a", "x", "c", "y"}),
            "(integer) 1");
  EXPECT_EQ(h.Run({"HMGET", "h", "a", "c", "zz", "new"}), "[x, y, (nil), 1]");
  EXPECT_EQ(h.Run({"HPTTL", "h", "FIELDS", "2", "c", "new"}), "[(integer) 1500, (integer) 5000]");
  // An expired field does not exist for FNX / FXX.
  h.clock().AdvanceMs(701);  // e expired
  EXPECT_EQ(h.Run({"HSETEX", "h", "FXX", "FIELDS", "1", "e", "1"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HSETEX", "h", "FNX", "FIELDS", "1", "e", "1"}), "(integer) 1");
  // A time that is not in the future deletes the fields it sets.
  EXPECT_EQ(h.Run({"HSETEX", "h", "PX", "0", "FIELDS", "1", "a", "y"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HEXISTS", "h", "a"}), "(integer) 0");
  EXPECT_EQ(h.Run({"HSETEX", "fresh", "EXAT", "1", "FIELDS", "1", "a", "1"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "fresh"}), "(integer) 0");
}

TEST_F(HashTtlTest, HSetExErrors) {
  const std::string arity = "(error) ERR wrong number of arguments for 'hsetex' command";
  EXPECT_EQ(h.Run({"HSETEX", "h", "FNX", "FXX", "FIELDS", "1", "a", "1"}),
            "(error) ERR Only one of FXX or FNX arguments can be specified");
  EXPECT_EQ(h.Run({"HSETEX", "h", "FXX", "FXX", "FIELDS", "1", "a", "1"}),
            "(error) ERR Only one of FXX or FNX arguments can be specified");
  EXPECT_EQ(h.Run({"HSETEX", "h", "EX", "10", "KEEPTTL", "FIELDS", "1", "a", "1"}),
            "(error) ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified");
  EXPECT_EQ(h.Run({"HSETEX", "h", "KEEPTTL", "PX", "10", "FIELDS", "1", "a", "1"}),
            "(error) ERR Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified");
  EXPECT_EQ(h.Run({"HSETEX", "h", "NX", "FIELDS", "1", "a", "1"}),
            "(error) ERR unknown argument: NX");
  EXPECT_EQ(h.Run({"HSETEX", "h", "EX", "x", "FIELDS", "1", "a", "1"}), kNotInt);
  EXPECT_EQ(h.Run({"HSETEX", "h", "EX", "-1", "FIELDS", "1", "a", "1"}), kNegative);
  EXPECT_EQ(h.Run({"HSETEX", "h", "PXAT", "70368744177664", "FIELDS", "1", "a", "1"}),
            "(error) ERR invalid expire time in 'hsetex' command");
  EXPECT_EQ(h.Run({"HSETEX", "h", "FIELDS", "0", "a", "1"}),
            "(error) ERR invalid number of fields");
  EXPECT_EQ(h.Run({"HSETEX", "h", "FIELDS", "x", "a", "1"}),
            "(error) ERR invalid number of fields");
  EXPECT_EQ(h.Run({"HSETEX", "h", "FIELDS", "2", "a", "1"}), arity);
  EXPECT_EQ(h.Run({"HSETEX", "h", "FIELDS", "1", "a", "1", "b"}), arity);
  EXPECT_EQ(h.Run({"HSETEX", "h", "FIELDS", "1", "a"}), arity);
  EXPECT_EQ(h.Run({"HSETEX", "h", "EX", "10", "FIELDS", "1", "a"}), arity);
  EXPECT_EQ(h.Run({"EXISTS", "h"}), "(integer) 0");
  // Arguments are checked before the key type.
  h.Run({"SET", "s", "x"});
  EXPECT_EQ(h.Run({"HSETEX", "s", "FNX", "FNX", "FIELDS", "1", "a", "1"}),
            "(error) ERR Only one of FXX or FNX arguments can be specified");
}

TEST_F(HashTtlTest, HSetExConvertsWithTtls) {
  h.Run({"CONFIG", "SET", "hash-max-listpack-entries", "4"});
  EXPECT_EQ(h.Run({"HSETEX", "h", "PX", "800", "FIELDS", "5", "a", "1", "b", "2", "c", "3", "d",
                   "4", "e", "5"}),
            "(integer) 1");
  EXPECT_EQ(Encoding("h"), "hashtable");
  EXPECT_EQ(h.Run({"HPTTL", "h", "FIELDS", "2", "a", "e"}), "[(integer) 800, (integer) 800]");
  h.clock().AdvanceMs(801);
  Cron();
  EXPECT_EQ(Entry("h"), nullptr);
}

// ---------------------------------------------------------------------------------------------
// HGETDEL

TEST_F(HashTtlTest, HGetDel) {
  h.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  EXPECT_EQ(h.Run({"HGETDEL", "h", "FIELDS", "3", "a", "zz", "a"}), "[1, (nil), (nil)]");
  EXPECT_EQ(h.Run({"HGETALL", "h"}), "[b, 2, c, 3]");
  EXPECT_EQ(h.Run({"HGETDEL", "h", "FIELDS", "0", "b"}), kPositive);
  EXPECT_EQ(h.Run({"HGETDEL", "h", "FIELDS", "1", "b", "c"}), kMismatch);
  EXPECT_EQ(h.Run({"HGETDEL", "h", "FIELDZ", "1", "b"}), kFieldsMissing);
  h.Run({"HPEXPIRE", "h", "10", "FIELDS", "1", "b"});
  h.clock().AdvanceMs(11);
  EXPECT_EQ(h.Run({"HGETDEL", "h", "FIELDS", "2", "b", "c"}), "[(nil), 3]");
  EXPECT_EQ(h.Run({"EXISTS", "h"}), "(integer) 0");  // emptied: key deleted
}

// ---------------------------------------------------------------------------------------------
// Active reclaim and keyspace operations

TEST_F(HashTtlTest, ActiveReclaimDeletesFieldsAndKeysNobodyReads) {
  h.Run({"HSET", "session:1", "user", "ann", "token", "t1", "cart", "c1"});
  h.Run({"HSET", "session:2", "user", "bob", "token", "t2"});
  h.Run({"HPEXPIRE", "session:1", "1000", "FIELDS", "2", "token", "cart"});
  h.Run({"HPEXPIRE", "session:2", "2000", "FIELDS", "2", "user", "token"});
  EXPECT_EQ(db().field_expiry_keys(), 2u);
  h.clock().AdvanceMs(999);
  Cron();
  EXPECT_EQ(StoredFields("session:1"), 3u);
  h.clock().AdvanceMs(2);
  Cron();
  EXPECT_EQ(StoredFields("session:1"), 1u);
  EXPECT_EQ(StoredFields("session:2"), 2u);
  EXPECT_EQ(db().field_expiry_keys(), 1u);  // session:1 has no TTL left
  h.clock().AdvanceMs(1000);
  Cron();
  EXPECT_EQ(Entry("session:2"), nullptr);
  EXPECT_EQ(db().field_expiry_keys(), 0u);
  EXPECT_EQ(ExpiredSubkeys(), 4u);
  EXPECT_EQ(h.Run({"HGETALL", "session:1"}), "[user, ann]");
}

TEST_F(HashTtlTest, ActiveReclaimRefilesUnderTheNextExpiry) {
  h.Run({"HSET", "h", "a", "1", "b", "2", "c", "3"});
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "1", "a"});
  h.Run({"HPEXPIRE", "h", "200", "FIELDS", "1", "b"});
  h.Run({"HPEXPIRE", "h", "50", "FIELDS", "1", "c"});
  h.Run({"HPERSIST", "h", "FIELDS", "1", "c"});  // the filed time (50) is now stale
  h.clock().AdvanceMs(60);
  Cron();
  EXPECT_EQ(StoredFields("h"), 3u);  // nothing due yet: only re-filed
  h.clock().AdvanceMs(50);
  Cron();
  EXPECT_EQ(StoredFields("h"), 2u);
  h.clock().AdvanceMs(100);
  Cron();
  EXPECT_EQ(StoredFields("h"), 1u);
  EXPECT_EQ(db().field_expiry_keys(), 0u);
}

TEST_F(HashTtlTest, StaleIndexEntriesAreHarmless) {
  h.Run({"HSET", "h", "a", "1"});
  h.Run({"HPEXPIRE", "h", "10", "FIELDS", "1", "a"});
  h.Run({"DEL", "h"});
  h.Run({"HSET", "h", "a", "fresh"});  // same name, no TTL
  h.Run({"SET", "str", "x"});
  h.Run({"HSET", "str2", "a", "1"});
  h.Run({"HPEXPIRE", "str2", "10", "FIELDS", "1", "a"});
  h.Run({"DEL", "str2"});
  h.Run({"SET", "str2", "now-a-string"});
  h.clock().AdvanceMs(11);
  Cron();
  EXPECT_EQ(h.Run({"HGET", "h", "a"}), "fresh");
  EXPECT_EQ(h.Run({"GET", "str2"}), "now-a-string");
  EXPECT_EQ(db().field_expiry_keys(), 0u);
}

TEST_F(HashTtlTest, KeyTtlAndFieldTtlTogether) {
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "1", "a"});
  h.Run({"PEXPIRE", "h", "50"});
  h.clock().AdvanceMs(101);
  Cron();
  EXPECT_EQ(Entry("h"), nullptr);  // the key expired as a whole
  EXPECT_EQ(db().field_expiry_keys(), 0u);
}

TEST_F(HashTtlTest, RenameCopyMoveSwapKeepFieldTtls) {
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "1", "a"});
  EXPECT_EQ(h.Run({"RENAME", "h", "r"}), "OK");
  EXPECT_EQ(h.Run({"HPTTL", "r", "FIELDS", "2", "a", "b"}), "[(integer) 100, (integer) -1]");
  EXPECT_EQ(h.Run({"COPY", "r", "c"}), "(integer) 1");
  EXPECT_EQ(h.Run({"HPTTL", "c", "FIELDS", "1", "a"}), "[(integer) 100]");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "c"}), "listpackex");
  h.Run({"HSET", "m", "x", "1", "y", "2"});
  h.Run({"HPEXPIRE", "m", "100", "FIELDS", "1", "x"});
  EXPECT_EQ(h.Run({"MOVE", "m", "1"}), "(integer) 1");
  h.Run({"HSET", "w", "x", "1", "y", "2"});
  h.Run({"HPEXPIRE", "w", "100", "FIELDS", "1", "x"});
  EXPECT_EQ(h.Run({"SWAPDB", "0", "2"}), "OK");
  h.clock().AdvanceMs(101);
  Cron();
  // Reclaimed under their new names and databases, without being read.
  EXPECT_EQ(StoredFields("r", 2), 1u);
  EXPECT_EQ(StoredFields("c", 2), 1u);
  EXPECT_EQ(StoredFields("w", 2), 1u);
  EXPECT_EQ(StoredFields("m", 1), 1u);
  EXPECT_EQ(ExpiredSubkeys(), 4u);
}

TEST_F(HashTtlTest, FlushClearsTheIndex) {
  h.Run({"HSET", "h", "a", "1"});
  h.Run({"HPEXPIRE", "h", "100", "FIELDS", "1", "a"});
  EXPECT_EQ(db().field_expiry_keys(), 1u);
  h.Run({"FLUSHALL"});
  EXPECT_EQ(db().field_expiry_keys(), 0u);
}

TEST_F(HashTtlTest, CommandMetadata) {
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "hexpire"})
                .rfind("[[hexpire, (integer) -6, [write, fast], "
                       "(integer) 1, (integer) 1, (integer) 1, [@write",
                       0),
            0u);
  EXPECT_NE(h.Run({"COMMAND", "DOCS", "hsetex"}).find("fnx"), std::string::npos);
  EXPECT_NE(h.Run({"COMMAND", "INFO", "hgetdel"}), "[(nil)]");
}

}  // namespace
}  // namespace ember
