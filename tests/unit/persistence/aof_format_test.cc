// Tests for the AOF formats (persistence/aof_format.h): manifest parse/format and its errors,
// file names, RESP encoding, the command reader (annotations, truncation at every byte, format
// errors) and the MULTI/EXEC-aware scan used by ember-check-aof.
#include "persistence/aof_format.h"

#include <gtest/gtest.h>

namespace ember::aof {
namespace {

TEST(AofManifest, ParseAndFormatRoundTrip) {
  std::string text =
      "file appendonly.aof.2.base.rdb seq 2 type b\n"
      "file appendonly.aof.1.incr.aof seq 1 type h\n"
      "file appendonly.aof.3.incr.aof seq 3 type i\n"
      "file appendonly.aof.4.incr.aof seq 4 type i\n";
  Manifest m;
  ManifestError err;
  ASSERT_TRUE(ParseManifest(text, &m, &err)) << err.reason;
  ASSERT_TRUE(m.base.has_value());
  EXPECT_EQ(m.base->name, "appendonly.aof.2.base.rdb");
  EXPECT_EQ(m.curr_base_seq, 2);
  EXPECT_EQ(m.curr_incr_seq, 4);
  ASSERT_EQ(m.history.size(), 1u);
  ASSERT_EQ(m.incr.size(), 2u);
  EXPECT_EQ(m.ToString(), text);
}

TEST(AofManifest, KeysInAnyOrderCommentsAndQuotedNames) {
  Manifest m;
  ManifestError err;
  ASSERT_TRUE(ParseManifest(
      "# comment\ntype i seq 1 file \"a b.aof\"\nfile x seq 1 type b extra val\n", &m, &err))
      << err.reason;
  ASSERT_EQ(m.incr.size(), 1u);
  EXPECT_EQ(m.incr[0].name, "a b.aof");
  EXPECT_EQ(m.base->name, "x");
  // Names needing quotes are written quoted and parse back the same.
  std::string out = m.ToString();
  EXPECT_NE(out.find("\"a b.aof\""), std::string::npos);
  Manifest again;
  ASSERT_TRUE(ParseManifest(out, &again, &err));
  EXPECT_EQ(again.incr[0].name, "a b.aof");
}

void ExpectManifestError(std::string_view text, const std::string& reason, int line) {
  Manifest m;
  ManifestError err;
  EXPECT_FALSE(ParseManifest(text, &m, &err)) << text;
  EXPECT_EQ(err.reason, reason) << text;
  EXPECT_EQ(err.line, line) << text;
  EXPECT_NE(err.Describe().find("FATAL AOF MANIFEST FILE ERROR"), std::string::npos);
}

TEST(AofManifest, Errors) {
  ExpectManifestError("", "Found an empty AOF manifest", 0);
  ExpectManifestError("file a seq 1\n", "Invalid AOF manifest file format", 1);
  ExpectManifestError("file a seq 1 type\n", "Invalid AOF manifest file format", 1);
  ExpectManifestError("\n", "Invalid AOF manifest file format", 1);
  ExpectManifestError("file a seq 0 type i\n", "Invalid AOF manifest file format", 1);
  ExpectManifestError("file a/b seq 1 type i\n", "File can't be a path, just a filename", 1);
  ExpectManifestError("file a seq 1 type b\nfile b seq 2 type b\n",
                      "Found duplicate base file information", 2);
  ExpectManifestError("file a seq 2 type i\nfile b seq 2 type i\n",
                      "Found a non-monotonic sequence number", 2);
  ExpectManifestError("file a seq 1 type x\n", "Unknown AOF file type", 1);
  ExpectManifestError("file a seq 1 type i", "The AOF manifest file contains too long line", 1);
  ExpectManifestError("file \"a seq 1 type i\n", "Invalid AOF manifest file format", 1);
  ExpectManifestError("file " + std::string(2000, 'x') + " seq 1 type i\n",
                      "The AOF manifest file contains too long line", 1);
}

TEST(AofNames, RedisLayout) {
  EXPECT_EQ(BaseFileName("appendonly.aof", 1, true), "appendonly.aof.1.base.rdb");
  EXPECT_EQ(BaseFileName("appendonly.aof", 7, false), "appendonly.aof.7.base.aof");
  EXPECT_EQ(IncrFileName("appendonly.aof", 3), "appendonly.aof.3.incr.aof");
  EXPECT_EQ(ManifestFileName("appendonly.aof"), "appendonly.aof.manifest");
  EXPECT_EQ(TempIncrFileName("appendonly.aof"), "temp-appendonly.aof.incr");
  EXPECT_EQ(JoinPath("appendonlydir", "x"), "appendonlydir/x");
  EXPECT_EQ(JoinPath("", "x"), "x");
}

TEST(AofCommands, EncodeAndRead) {
  std::string buf;
  AppendCommand(&buf, {std::string_view("SET"), std::string_view("k"), std::string_view("")});
  EXPECT_EQ(buf, "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n");
  buf += "#TS:1700000000\r\n";
  std::vector<std::string> argv = {"RPUSH", "l", std::string("a\r\nb", 4)};
  AppendCommand(&buf, std::span<const std::string>(argv));
  CommandReader r(buf);
  std::vector<std::string_view> out;
  ASSERT_EQ(r.Next(&out), ReadStatus::kCommand);
  EXPECT_EQ(out, (std::vector<std::string_view>{"SET", "k", ""}));
  ASSERT_EQ(r.Next(&out), ReadStatus::kCommand);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[2], std::string_view("a\r\nb", 4));
  EXPECT_EQ(r.Next(&out), ReadStatus::kEnd);
  EXPECT_EQ(r.offset(), buf.size());
}

// Every proper prefix of a valid AOF either ends on a command boundary (kEnd) or reports
// kTruncated with the offset of the last complete command.
TEST(AofCommands, TruncatedAtEveryByte) {
  std::string buf;
  AppendCommand(&buf, {std::string_view("SET"), std::string_view("key"), std::string_view("v")});
  size_t first = buf.size();
  AppendCommand(&buf, {std::string_view("INCR"), std::string_view("n")});
  for (size_t cut = 0; cut < buf.size(); cut++) {
    CommandReader r(std::string_view(buf).substr(0, cut));
    std::vector<std::string_view> argv;
    ReadStatus st;
    int n = 0;
    while ((st = r.Next(&argv)) == ReadStatus::kCommand) n++;
    if (cut == 0 || cut == first) {
      EXPECT_EQ(st, ReadStatus::kEnd) << cut;
    } else {
      EXPECT_EQ(st, ReadStatus::kTruncated) << cut;
      EXPECT_EQ(r.offset(), cut < first ? 0 : first) << cut;
    }
    EXPECT_EQ(n, cut < first ? 0 : 1) << cut;
  }
}

TEST(AofCommands, FormatErrors) {
  std::vector<std::string_view> argv;
  EXPECT_EQ(CommandReader("SET a b\r\n").Next(&argv), ReadStatus::kFormat);
  EXPECT_EQ(CommandReader("*0\r\n").Next(&argv), ReadStatus::kFormat);
  EXPECT_EQ(CommandReader("*-1\r\n").Next(&argv), ReadStatus::kFormat);
  EXPECT_EQ(CommandReader("*x\r\n").Next(&argv), ReadStatus::kFormat);
  EXPECT_EQ(CommandReader("*1\r\n+3\r\nabc\r\n").Next(&argv), ReadStatus::kFormat);
  EXPECT_EQ(CommandReader("*1\r\n$-5\r\nabc\r\n").Next(&argv), ReadStatus::kFormat);
  // A huge count or length with too little data is a cut file, not an allocation.
  EXPECT_EQ(CommandReader("*2147483647\r\n$1\r\na\r\n").Next(&argv), ReadStatus::kTruncated);
  EXPECT_EQ(CommandReader("*1\r\n$99999999999\r\nabc\r\n").Next(&argv), ReadStatus::kTruncated);
  // An annotation without its newline at the end is truncated too.
  EXPECT_EQ(CommandReader("#TS:1").Next(&argv), ReadStatus::kTruncated);
}

TEST(AofScan, MultiExecPairing) {
  std::string ok, open;
  AppendCommand(&ok, {std::string_view("MULTI")});
  AppendCommand(&ok, {std::string_view("INCR"), std::string_view("a")});
  AppendCommand(&ok, {std::string_view("EXEC")});
  ScanResult r = ScanCommands(ok, 0);
  EXPECT_EQ(r.status, ReadStatus::kEnd);
  EXPECT_EQ(r.valid_up_to, ok.size());
  EXPECT_EQ(r.commands, 3u);

  open = ok;
  AppendCommand(&open, {std::string_view("MULTI")});
  AppendCommand(&open, {std::string_view("INCR"), std::string_view("a")});
  r = ScanCommands(open, 0);
  EXPECT_EQ(r.status, ReadStatus::kTruncated);
  EXPECT_TRUE(r.open_multi);
  EXPECT_EQ(r.valid_up_to, ok.size());

  std::string bad;
  AppendCommand(&bad, {std::string_view("EXEC")});
  r = ScanCommands(bad, 0);
  EXPECT_EQ(r.status, ReadStatus::kFormat);
  EXPECT_NE(r.message.find("Unexpected EXEC"), std::string::npos);
}

}  // namespace
}  // namespace ember::aof
