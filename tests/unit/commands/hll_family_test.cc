// Unit tests for the HyperLogLog family (hll_family.cc) through the in-process harness:
// PFADD/PFCOUNT/PFMERGE replies and stored bytes (checked against values seen on Redis 7.0.15),
// the cached cardinality, error texts for wrong types and corrupt sketches, PFDEBUG and
// PFSELFTEST, hll-sparse-max-bytes, and sketches written with SET (embstr) or carrying a TTL.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "command_harness.h"
#include "core/hyperloglog.h"
#include "core/kv_entry.h"

namespace ember {
namespace {

using testing::Harness;

constexpr const char* kNotHll = "(error) WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr const char* kCorrupt = "(error) INVALIDOBJ Corrupted HLL object detected";

class HllFamilyTest : public ::testing::Test {
 protected:
  KvEntry* Entry(const std::string& key) { return h.server().keyspace().db(0).dict().Find(key); }
  std::string Bytes(const std::string& key) { return h.Run({"GET", key}); }
  // PFADD key e<from> .. e<to-1>.
  std::string AddRange(const std::string& key, int from, int to, const std::string& prefix = "") {
    std::vector<std::string> args = {"PFADD", key};
    for (int i = from; i < to; i++) args.push_back(prefix + std::to_string(i));
    return h.Run(args);
  }

  Harness h;
};

TEST_F(HllFamilyTest, PfaddCreatesAndReportsChanges) {
  EXPECT_EQ(h.Run({"PFADD", "hll"}), "(integer) 1");
  EXPECT_EQ(h.Run({"EXISTS", "hll"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PFCOUNT", "hll"}), "(integer) 0");
  EXPECT_EQ(h.Run({"PFADD", "hll"}), "(integer) 0");
  EXPECT_EQ(h.Run({"PFADD", "hll", "a", "b", "c"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PFADD", "hll", "a", "b", "c"}), "(integer) 0");
  EXPECT_EQ(h.Run({"PFADD", "hll", ""}), "(integer) 1");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "hll"}), "raw");
  EXPECT_EQ(h.Run({"TYPE", "hll"}), "string");
}

TEST_F(HllFamilyTest, BytesMatchRedis) {
  h.Run({"PFADD", "e"});
  std::string empty = "HYLL\x01" + std::string(10, '\0') + "\x80\x7f\xff";
  EXPECT_EQ(Bytes("e"), empty);  // PFADD with no element still invalidates the cache
  h.Run({"PFADD", "h", "a", "b", "c"});
  EXPECT_EQ(Bytes("h"), "HYLL\x01" + std::string(10, '\0') +
                            "\x80\x60\xf3\x80\x50\xb1\x84\x4b\xfb\x80\x42\x5a");
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), "(integer) 3");
  EXPECT_EQ(Bytes("h").substr(8, 8), std::string("\x03") + std::string(7, '\0'));
}

TEST_F(HllFamilyTest, CountsMatchRedis) {
  AddRange("h", 0, 1000);
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), "(integer) 1001");
  AddRange("big", 0, 100000);
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING", "big"}), "dense");
  EXPECT_EQ(h.Run({"PFCOUNT", "big"}), "(integer) 99565");
  EXPECT_EQ(h.Run({"STRLEN", "big"}), "(integer) 12304");
}

TEST_F(HllFamilyTest, CacheInvalidation) {
  h.Run({"PFADD", "h", "a", "b", "c"});
  h.Run({"PFCOUNT", "h"});
  EXPECT_EQ(h.Run({"GETRANGE", "h", "15", "15"}), std::string(1, '\0'));
  h.Run({"PFADD", "h", "a", "b", "c"});
  EXPECT_EQ(h.Run({"GETRANGE", "h", "15", "15"}), std::string(1, '\0'));
  h.Run({"PFADD", "h", "1", "2", "3"});
  EXPECT_EQ(h.Run({"GETRANGE", "h", "15", "15"}), "\x80");
  EXPECT_EQ(h.Run({"GETRANGE", "h", "8", "8"}), "\x03");  // the stale value stays
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), "(integer) 6");
  // A valid cache is trusted without looking at the registers.
  h.Run({"SETRANGE", "h", "8", std::string("\x39\x05\0\0\0\0\0\0", 8)});
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), "(integer) 1337");
}

TEST_F(HllFamilyTest, MultiKeyCountWritesNoCache) {
  AddRange("a", 0, 300, "x");
  AddRange("b", 200, 600, "x");
  std::string a = Bytes("a"), b = Bytes("b");
  std::string union_count = h.Run({"PFCOUNT", "a", "b", "missing"});
  EXPECT_EQ(Bytes("a"), a);
  EXPECT_EQ(Bytes("b"), b);
  h.Run({"PFMERGE", "u", "a", "b"});
  EXPECT_EQ(h.Run({"PFCOUNT", "u"}), union_count);
  EXPECT_EQ(h.Run({"PFCOUNT", "missing", "missing2"}), "(integer) 0");
  EXPECT_EQ(h.Run({"PFCOUNT", "missing"}), "(integer) 0");
}

TEST_F(HllFamilyTest, PfmergeUnion) {
  h.Run({"PFADD", "h1", "a", "b", "c"});
  h.Run({"PFADD", "h2", "b", "c", "d"});
  h.Run({"PFADD", "h3", "c", "d", "e"});
  EXPECT_EQ(h.Run({"PFMERGE", "h", "h1", "h2", "h3"}), "OK");
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), "(integer) 5");
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING", "h"}), "sparse");
  EXPECT_EQ(h.Run({"PFMERGE", "empty"}), "OK");
  EXPECT_EQ(h.Run({"PFCOUNT", "empty"}), "(integer) 0");
  // One dense input makes the destination dense.
  h.Run({"PFDEBUG", "TODENSE", "h3"});
  EXPECT_EQ(h.Run({"PFMERGE", "h1", "h3"}), "OK");
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING", "h1"}), "dense");
  EXPECT_EQ(h.Run({"GETRANGE", "h1", "15", "15"}), "\x80");
  EXPECT_EQ(h.Run({"PFCOUNT", "h1"}), "(integer) 5");
}

TEST_F(HllFamilyTest, SparseMaxBytesConfig) {
  EXPECT_EQ(h.Run({"CONFIG", "GET", "hll-sparse-max-bytes"}), "[hll-sparse-max-bytes, 3000]");
  h.Run({"CONFIG", "SET", "hll-sparse-max-bytes", "30"});
  AddRange("h", 0, 20);
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING", "h"}), "dense");
  h.Run({"CONFIG", "SET", "hll-sparse-max-bytes", "100000"});
  AddRange("s", 0, 5000);
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING", "s"}), "sparse");
}

TEST_F(HllFamilyTest, TypeErrors) {
  h.Run({"SET", "str", "bar"});
  h.Run({"SET", "int", "123"});
  h.Run({"RPUSH", "list", "x"});
  const char* kWrongType =
      "(error) WRONGTYPE Operation against a key holding the wrong kind of value";
  EXPECT_EQ(h.Run({"PFADD", "str", "1"}), kNotHll);
  EXPECT_EQ(h.Run({"PFADD", "int", "1"}), kNotHll);
  EXPECT_EQ(h.Run({"PFADD", "list", "1"}), kWrongType);
  EXPECT_EQ(h.Run({"PFCOUNT", "str"}), kNotHll);
  EXPECT_EQ(h.Run({"PFCOUNT", "missing", "list"}), kWrongType);
  EXPECT_EQ(h.Run({"PFMERGE", "str", "missing"}), kNotHll);
  EXPECT_EQ(h.Run({"PFMERGE", "dest", "str"}), kNotHll);
  EXPECT_EQ(h.Run({"PFMERGE", "list"}), kWrongType);
  EXPECT_EQ(h.Run({"EXISTS", "dest"}), "(integer) 0");
  EXPECT_EQ(h.Run({"GET", "str"}), "bar");
}

TEST_F(HllFamilyTest, CorruptSketches) {
  h.Run({"PFADD", "h", "a", "b", "c"});
  h.Run({"APPEND", "h", "hello"});
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), kCorrupt);
  EXPECT_EQ(h.Run({"PFCOUNT", "h", "h"}), kCorrupt);
  EXPECT_EQ(h.Run({"PFMERGE", "d", "h"}), kCorrupt);
  EXPECT_EQ(h.Run({"PFDEBUG", "TODENSE", "h"}), kCorrupt);
  EXPECT_EQ(h.Run({"PFDEBUG", "GETREG", "h"}), kCorrupt);

  h.Run({"DEL", "h"});
  h.Run({"PFADD", "h", "a", "b", "c"});
  h.Run({"SETRANGE", "h", "0", "0123"});
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), kNotHll);
  h.Run({"DEL", "h"});
  h.Run({"PFADD", "h", "a", "b", "c"});
  h.Run({"SETRANGE", "h", "4", "x"});
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), kNotHll);
  h.Run({"SETRANGE", "h", "4", std::string(1, '\0')});  // "dense" of the wrong length
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), kNotHll);

  // A sparse sketch with no opcodes: the header passes, PFADD finds no register.
  h.Run({"SET", "h", "HYLL\x01" + std::string(11, '\0')});
  EXPECT_EQ(h.Run({"PFADD", "h", "a"}), kCorrupt);
  EXPECT_EQ(h.Run({"PFCOUNT", "h"}), "(integer) 0");  // the cache is valid, as written
}

TEST_F(HllFamilyTest, SketchStoredWithSetIsUnsharedAndKeepsTtl) {
  h.Run({"PFADD", "h", "a", "b", "c"});
  std::string bytes = Bytes("h");
  h.Run({"SET", "copy", bytes, "EX", "100"});
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "copy"}), "embstr");
  EXPECT_EQ(h.Run({"PFCOUNT", "copy"}), "(integer) 3");
  EXPECT_EQ(h.Run({"OBJECT", "ENCODING", "copy"}), "raw");
  EXPECT_EQ(h.Run({"PFADD", "copy", "d"}), "(integer) 1");
  EXPECT_EQ(h.Run({"TTL", "copy"}), "(integer) 100");
  EXPECT_EQ(h.Run({"PFCOUNT", "copy"}), "(integer) 4");
}

TEST_F(HllFamilyTest, Pfdebug) {
  EXPECT_EQ(h.Run({"PFDEBUG", "GETREG", "missing"}),
            "(error) ERR The specified key does not exist");
  h.Run({"SET", "str", "x"});
  EXPECT_EQ(h.Run({"PFDEBUG", "nosuch", "str"}), kNotHll);
  AddRange("h", 0, 10);
  EXPECT_EQ(h.Run({"PFDEBUG", "DECODE", "h"}),
            "Z:495 v:2,1 Z:2084 v:1,1 Z:4946 v:1,1 Z:3297 v:1,1 Z:147 v:1,1 Z:2251 v:4,1 Z:884 "
            "v:1,1 Z:728 v:1,1 Z:531 v:4,1 Z:208 v:2,1 Z:803");
  EXPECT_EQ(h.Run({"PFDEBUG", "encoding", "h"}), "sparse");
  EXPECT_EQ(h.Run({"PFDEBUG", "nosuch", "h"}), "(error) ERR Unknown PFDEBUG subcommand 'nosuch'");
  std::string regs = h.Run({"PFDEBUG", "GETREG", "h"});
  EXPECT_EQ(std::count(regs.begin(), regs.end(), ','), hll::kRegisters - 1);
  EXPECT_NE(regs.find("(integer) 4"), std::string::npos);
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING", "h"}), "dense");  // GETREG converted it
  EXPECT_EQ(h.Run({"PFDEBUG", "DECODE", "h"}), "(error) ERR HLL encoding is not sparse");
  EXPECT_EQ(h.Run({"PFDEBUG", "TODENSE", "h"}), "(integer) 0");
  AddRange("h2", 0, 10);
  EXPECT_EQ(h.Run({"PFDEBUG", "TODENSE", "h2"}), "(integer) 1");
  EXPECT_EQ(h.Run({"PFCOUNT", "h2"}), "(integer) 10");
  EXPECT_EQ(h.Run({"PFDEBUG", "ENCODING"}),
            "(error) ERR wrong number of arguments for 'pfdebug' command");
}

TEST_F(HllFamilyTest, Pfselftest) { EXPECT_EQ(h.Run({"PFSELFTEST"}), "OK"); }

TEST_F(HllFamilyTest, PromotionWhileAdding) {
  // The Redis suite's check: sparse below 1000 elements, dense above 10000, counts within 5%.
  int n = 0;
  while (n < 20000) {
    AddRange("h", n, n + 100, "e");
    n += 100;
    std::string enc = h.Run({"PFDEBUG", "ENCODING", "h"});
    if (n < 1000) {
      EXPECT_EQ(enc, "sparse") << n;
    }
    if (n > 10000) {
      EXPECT_EQ(enc, "dense") << n;
    }
    std::string count = h.Run({"PFCOUNT", "h"});
    int64_t card = std::stoll(count.substr(10));
    EXPECT_LT(std::abs(card - n), card * 5 / 100 + 1) << n;
  }
}

}  // namespace
}  // namespace ember
