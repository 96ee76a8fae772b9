// Unit tests for the MEMORY family: USAGE argument rules and sizes, STATS fields, the
// remaining subcommands' reply shapes.
#include <gtest/gtest.h>

#include <string>

#include "command_harness.h"

namespace ember {
namespace {

using testing::Harness;

int64_t IntOf(const std::string& reply) {
  EXPECT_EQ(reply.rfind("(integer) ", 0), 0u) << reply;
  return std::stoll(reply.substr(10));
}

TEST(MemoryFamily, UsageOfMissingKeyIsNil) {
  Harness h;
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "nokey"}), "(nil)");
}

TEST(MemoryFamily, UsageArgumentErrors) {
  Harness h;
  h.Run({"SET", "k", "v"});
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "k", "SAMPLES", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "k", "SAMPLES", "-1"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "k", "SAMPLES"}), "(error) ERR syntax error");
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "k", "bogus", "1"}), "(error) ERR syntax error");
  // Options are checked before the key is looked up, like Redis.
  EXPECT_EQ(h.Run({"MEMORY", "USAGE", "nokey", "SAMPLES", "x"}),
            "(error) ERR value is not an integer or out of range");
  EXPECT_EQ(h.Run({"MEMORY", "USAGE"}),
            "(error) ERR wrong number of arguments for 'memory|usage' command");
}

TEST(MemoryFamily, UsageGrowsWithTheValue) {
  Harness h;
  h.Run({"SET", "small", "v"});
  h.Run({"SET", "big", std::string(10000, 'x')});
  int64_t small = IntOf(h.Run({"MEMORY", "USAGE", "small"}));
  int64_t big = IntOf(h.Run({"MEMORY", "USAGE", "big", "SAMPLES", "0"}));
  EXPECT_GT(small, 0);
  EXPECT_GE(big, small + 10000);
  for (int i = 0; i < 1000; i++) h.Run({"HSET", "h", "field" + std::to_string(i), "value"});
  int64_t hash = IntOf(h.Run({"MEMORY", "USAGE", "h"}));
  EXPECT_GT(hash, 1000 * 10);
}

TEST(MemoryFamily, StatsHasRedisFields) {
  Harness h;
  h.Run({"SET", "k", "v"});
  std::string stats = h.Run({"MEMORY", "STATS"});
  for (const char* field :
       {"peak.allocated", "total.allocated", "startup.allocated", "clients.normal",
        "overhead.total", "keys.count", "keys.bytes-per-key", "dataset.bytes", "dataset.percentage",
        "allocator.allocated", "fragmentation", "db.0", "overhead.hashtable.main"}) {
    EXPECT_NE(stats.find(field), std::string::npos) << field;
  }
  EXPECT_EQ(h.Run({"MEMORY", "STATS", "x"}),
            "(error) ERR wrong number of arguments for 'memory|stats' command");
}

TEST(MemoryFamily, OtherSubcommands) {
  Harness h;
  EXPECT_EQ(h.Run({"MEMORY", "PURGE"}), "OK");
  EXPECT_FALSE(h.Run({"MEMORY", "DOCTOR"}).empty());
  EXPECT_FALSE(h.Run({"MEMORY", "MALLOC-STATS"}).empty());
  EXPECT_EQ(h.Run({"MEMORY", "HELP"}).rfind("[MEMORY <subcommand>", 0), 0u);
  EXPECT_EQ(h.Run({"MEMORY", "FOO"}), "(error) ERR unknown subcommand 'FOO'. Try MEMORY HELP.");
}

}  // namespace
}  // namespace ember
