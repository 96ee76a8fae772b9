// DUMP / RESTORE through the command harness: round trips of every type, Redis 7's error
// replies and their order, TTL handling (relative, ABSTTL, already expired), REPLACE, IDLETIME
// and FREQ.
#include <gtest/gtest.h>

#include <string>

#include "command_harness.h"
#include "persistence/rdb_io.h"
#include "server/propagate.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;
using testing::kNotInt;
using testing::kSyntax;

constexpr const char* kBusy = "(error) BUSYKEY Target key name already exists.";
constexpr const char* kBadPayload = "(error) ERR DUMP payload version or checksum are wrong";
constexpr const char* kBadData = "(error) ERR Bad data format";

// A payload with a valid footer around `body`.
std::string WithFooter(std::string body, uint16_t version = 10) {
  body.push_back(char(version & 0xff));
  body.push_back(char(version >> 8));
  uint64_t crc = Crc64(0, body.data(), body.size());
  for (int i = 0; i < 8; i++) body.push_back(char(crc >> (8 * i)));
  return body;
}

TEST(DumpTest, MissingKeyIsNil) {
  Harness h;
  EXPECT_EQ(h.Run({"DUMP", "nokey"}), "(nil)");
}

TEST(DumpTest, RoundTripEveryType) {
  Harness h;
  h.Run({"SET", "s", "hello"});
  h.Run({"RPUSH", "l", "a", "b", "3"});
  h.Run({"SADD", "set", "x", "y"});
  h.Run({"SADD", "iset", "1", "2"});
  h.Run({"ZADD", "z", "1.5", "a", "2", "b"});
  h.Run({"HSET", "hsh", "f", "v", "g", "w"});
  h.Run({"XADD", "st", "1-1", "f", "v"});
  struct Case {
    const char* key;
    std::vector<std::string> read;
  } cases[] = {
      {"s", {"GET"}},
      {"l", {"LRANGE", "", "0", "-1"}},
      {"set", {"SORT", "", "ALPHA"}},
      {"iset", {"SORT", ""}},
      {"z", {"ZRANGE", "", "0", "-1", "WITHSCORES"}},
      {"hsh", {"HGETALL"}},
      {"st", {"XRANGE", "", "-", "+"}},
  };
  for (const Case& c : cases) {
    std::string payload = h.Run({"DUMP", c.key});
    std::string copy = std::string(c.key) + "-copy";
    ASSERT_EQ(h.Run({"RESTORE", copy, "0", payload}), "OK") << c.key;
    std::vector<std::string> a = c.read, b = c.read;
    if (a.size() == 1) {
      a.push_back(c.key);
      b.push_back(copy);
    } else {
      a[1] = c.key;
      b[1] = copy;
    }
    EXPECT_EQ(h.Run(b), h.Run(a)) << c.key;
    EXPECT_EQ(h.Run({"OBJECT", "ENCODING", copy}), h.Run({"OBJECT", "ENCODING", c.key}));
    EXPECT_EQ(h.Run({"TTL", copy}), "(integer) -1");
  }
}

TEST(DumpTest, RestoreErrorsInRedisOrder) {
  Harness h;
  h.Run({"SET", "k", "v"});
  std::string p = h.Run({"DUMP", "k"});
  // Options are checked first, then BUSYKEY, then the TTL, then the footer, then the data.
  EXPECT_EQ(h.Run({"RESTORE", "k", "bad", "junk", "BOGUS"}), kSyntax);
  EXPECT_EQ(h.Run({"RESTORE", "k", "bad", "junk", "IDLETIME", "x"}), kNotInt);
  EXPECT_EQ(h.Run({"RESTORE", "k", "bad", "junk", "IDLETIME", "-1"}),
            "(error) ERR Invalid IDLETIME value, must be >= 0");
  EXPECT_EQ(h.Run({"RESTORE", "k", "bad", "junk", "FREQ", "256"}),
            "(error) ERR Invalid FREQ value, must be >= 0 and <= 255");
  EXPECT_EQ(h.Run({"RESTORE", "k", "bad", "junk", "FREQ", "-1"}),
            "(error) ERR Invalid FREQ value, must be >= 0 and <= 255");
  EXPECT_EQ(h.Run({"RESTORE", "k", "bad", "junk", "IDLETIME"}), kSyntax);
  EXPECT_EQ(h.Run({"RESTORE", "k", "0", p, "IDLETIME", "1", "FREQ", "1"}), kSyntax);
  EXPECT_EQ(h.Run({"RESTORE", "k", "0", p, "FREQ", "1", "IDLETIME", "1"}), kSyntax);
  EXPECT_EQ(h.Run({"RESTORE", "k", "bad", "junk"}), kBusy);
  EXPECT_EQ(h.Run({"RESTORE", "n", "bad", "junk"}), kNotInt);
  EXPECT_EQ(h.Run({"RESTORE", "n", "-1", "junk"}), "(error) ERR Invalid TTL value, must be >= 0");
  EXPECT_EQ(h.Run({"RESTORE", "n", "0", "junk"}), kBadPayload);
  EXPECT_EQ(h.Run({"RESTORE", "n", "0", ""}), kBadPayload);
  EXPECT_EQ(h.Run({"RESTORE", "n", "0",
                   WithFooter(std::string("\x00\x05"
                                          "ab",
                                          4))}),
            kBadData);
  EXPECT_EQ(h.Run({"RESTORE", "n", "0", WithFooter("\x63", 10)}), kBadData);  // unknown type
  EXPECT_EQ(h.Run({"RESTORE", "n", "0", WithFooter(std::string("\x02\x00", 2))}), kBadData);
  EXPECT_EQ(h.Run({"RESTORE", "n", "0", WithFooter(std::string("\x00\x01v", 3), 13)}), kBadPayload);
  std::string flipped = p;
  flipped[2] ^= 1;
  EXPECT_EQ(h.Run({"RESTORE", "n", "0", flipped}), kBadPayload);
  EXPECT_EQ(h.Run({"EXISTS", "n"}), "(integer) 0");
  EXPECT_EQ(h.Run({"RESTORE", "k"}), "(error) ERR wrong number of arguments for 'restore' command");
}

TEST(DumpTest, ReplaceAndOptionsCaseInsensitive) {
  Harness h;
  h.Run({"SET", "k", "old"});
  h.Run({"SET", "src", "new"});
  std::string p = h.Run({"DUMP", "src"});
  EXPECT_EQ(h.Run({"RESTORE", "k", "0", p, "replace"}), "OK");
  EXPECT_EQ(h.Run({"GET", "k"}), "new");
  // REPLACE of a key of another type.
  h.Run({"DEL", "k"});
  h.Run({"RPUSH", "k", "x"});
  EXPECT_EQ(h.Run({"RESTORE", "k", "0", p, "REPLACE"}), "OK");
  EXPECT_EQ(h.Run({"TYPE", "k"}), "string");
}

TEST(DumpTest, TtlRelativeAbsoluteAndPast) {
  Harness h;
  h.clock().SetMs(1000000);
  h.Run({"SET", "src", "v"});
  std::string p = h.Run({"DUMP", "src"});
  EXPECT_EQ(h.Run({"RESTORE", "rel", "5000", p}), "OK");
  EXPECT_EQ(h.Run({"PTTL", "rel"}), "(integer) 5000");
  EXPECT_EQ(h.Run({"RESTORE", "abs", "1500000", p, "ABSTTL"}), "OK");
  EXPECT_EQ(h.Run({"PEXPIRETIME", "abs"}), "(integer) 1500000");
  // ABSTTL in the past: nothing is created; with REPLACE the old key is deleted.
  EXPECT_EQ(h.Run({"RESTORE", "past", "999", p, "ABSTTL"}), "OK");
  EXPECT_EQ(h.Run({"EXISTS", "past"}), "(integer) 0");
  h.Run({"SET", "victim", "x"});
  EXPECT_EQ(h.Run({"RESTORE", "victim", "1", p, "ABSTTL", "REPLACE"}), "OK");
  EXPECT_EQ(h.Run({"EXISTS", "victim"}), "(integer) 0");
  // A huge relative TTL does not overflow into the past.
  EXPECT_EQ(h.Run({"RESTORE", "far", "9223372036854775807", p}), "OK");
  EXPECT_EQ(h.Run({"EXISTS", "far"}), "(integer) 1");
  // The payload's own expiry is not part of it: DUMP of a volatile key restores persistent.
  h.Run({"SET", "vol", "v", "PX", "100000"});
  EXPECT_EQ(h.Run({"RESTORE", "vol2", "0", h.Run({"DUMP", "vol"})}), "OK");
  EXPECT_EQ(h.Run({"TTL", "vol2"}), "(integer) -1");
}

TEST(DumpTest, IdletimeAndFreq) {
  Harness h;
  h.clock().SetMs(1000000000);
  h.Run({"SET", "src", "v"});
  std::string p = h.Run({"DUMP", "src"});
  EXPECT_EQ(h.Run({"RESTORE", "idle", "0", p, "IDLETIME", "1000"}), "OK");
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "idle"}), "(integer) 1000");
  h.clock().AdvanceMs(5000);
  EXPECT_EQ(h.Run({"OBJECT", "IDLETIME", "idle"}), "(integer) 1005");
  // FREQ is ignored without an LFU policy, and applied with one.
  EXPECT_EQ(h.Run({"RESTORE", "f0", "0", p, "FREQ", "100"}), "OK");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"}), "OK");
  EXPECT_EQ(h.Run({"RESTORE", "f1", "0", p, "FREQ", "100"}), "OK");
  EXPECT_EQ(h.Run({"OBJECT", "FREQ", "f1"}), "(integer) 100");
}

TEST(DumpTest, RestoresRedisPayload) {
  Harness h;
  // redis-server 7.0.15: RPUSH lp a b c 1 -2 300 70000; DUMP lp.
  const char* hex =
      "1201021d1d00000007008161028162028163020101dffe02c12c02f270110104ff0a00563b5902fae4b2e3";
  std::string p;
  for (size_t i = 0; hex[i] && hex[i + 1]; i += 2) {
    p.push_back(char(std::stoi(std::string(hex + i, 2), nullptr, 16)));
  }
  ASSERT_EQ(h.Run({"RESTORE", "lp", "0", p}), "OK");
  EXPECT_EQ(h.Run({"LRANGE", "lp", "0", "-1"}), "[a, b, c, 1, -2, 300, 70000]");
}

TEST(DumpTest, HashFieldTtlsSurvive) {
  Harness h;
  h.clock().SetMs(1700000000000);
  h.Run({"HSET", "h", "a", "1", "b", "2"});
  h.Run({"HPEXPIREAT", "h", "1800000000000", "FIELDS", "1", "a"});
  std::string p = h.Run({"DUMP", "h"});
  EXPECT_EQ(uint8_t(p[p.size() - 10]), 12);  // RDB 12: field TTLs
  ASSERT_EQ(h.Run({"RESTORE", "h2", "0", p}), "OK");
  EXPECT_EQ(h.Run({"HPEXPIRETIME", "h2", "FIELDS", "2", "a", "b"}),
            "[(integer) 1800000000000, (integer) -1]");
  EXPECT_EQ(h.Run({"HGET", "h2", "b"}), "2");
}

// Records propagated commands as "ARG ARG ..." lines.
class Recorder final : public PropagationTarget {
 public:
  void Propagate(int db, std::span<const std::string> argv) override {
    std::string line;
    for (size_t i = 0; i < argv.size(); i++) line += (i ? " " : "") + argv[i];
    lines.push_back(line);
  }
  std::vector<std::string> lines;
};

// As Redis: a relative TTL propagates as the absolute time with ABSTTL; a RESTORE whose TTL is
// already past propagates the deletion of the replaced key, or nothing.
TEST(DumpTest, Propagation) {
  Harness h;
  Recorder rec;
  h.server().propagator().AddTarget(&rec);
  h.clock().SetMs(1000000);
  h.Run({"SET", "src", "v"});
  std::string p = h.Run({"DUMP", "src"});
  rec.lines.clear();
  h.Run({"RESTORE", "a", "5000", p});
  h.Run({"RESTORE", "b", "0", p});
  h.Run({"RESTORE", "c", "2000000", p, "ABSTTL"});
  h.Run({"RESTORE", "gone", "1", p, "ABSTTL"});
  h.Run({"RESTORE", "b", "1", p, "ABSTTL", "REPLACE"});
  ASSERT_EQ(rec.lines.size(), 4u);
  EXPECT_EQ(rec.lines[0], "RESTORE a 1005000 " + p + " ABSTTL");
  EXPECT_EQ(rec.lines[1], "RESTORE b 0 " + p);
  EXPECT_EQ(rec.lines[2], "RESTORE c 2000000 " + p + " ABSTTL");
  EXPECT_EQ(rec.lines[3], "DEL b");
  h.server().propagator().RemoveTarget(&rec);
}

TEST(DumpTest, CommandInfo) {
  Harness h;
  EXPECT_EQ(h.Run({"COMMAND", "INFO", "dump"}).substr(0, 60),
            "[[dump, (integer) 2, [readonly], (integer) 1, (integer) 1, (");
  std::string restore = h.Run({"COMMAND", "INFO", "restore"});
  EXPECT_NE(restore.find("[restore, (integer) -4, [write, denyoom]"), std::string::npos) << restore;
  EXPECT_NE(restore.find("@dangerous"), std::string::npos) << restore;
}

}  // namespace
}  // namespace ember
