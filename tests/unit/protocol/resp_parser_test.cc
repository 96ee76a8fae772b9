// RespParser: complete requests, every split point, byte-by-byte feeding, inline commands,
// and Redis's protocol errors.
#include "protocol/resp_parser.h"

#include <gtest/gtest.h>

#include <random>

namespace ember {
namespace {

std::vector<std::string> ParseAll(const std::string& in, std::string* err = nullptr) {
  RespParser p;
  std::vector<std::string> out;
  size_t off = 0;
  while (off < in.size()) {
    size_t used = 0;
    auto st = p.Parse(in.data() + off, in.size() - off, &used);
    if (st == RespParser::Status::kNeedMore) break;
    if (st == RespParser::Status::kError) {
      if (err) *err = std::string(p.error());
      break;
    }
    std::string joined;
    for (auto a : p.args()) joined += std::string(a) + "|";
    if (!p.args().empty()) out.push_back(joined);
    off += used;
  }
  return out;
}

// Feeds `in` in pieces given by `cuts`, growing one buffer as a connection would.
std::vector<std::string> ParseSplit(const std::string& in, const std::vector<size_t>& cuts) {
  RespParser p;
  std::string buf;
  std::vector<std::string> out;
  size_t fed = 0;
  auto drain = [&] {
    while (true) {
      size_t used = 0;
      auto st = p.Parse(buf.data(), buf.size(), &used);
      if (st != RespParser::Status::kOk) return;
      std::string joined;
      for (auto a : p.args()) joined += std::string(a) + "|";
      if (!p.args().empty()) out.push_back(joined);
      buf.erase(0, used);
    }
  };
  for (size_t c : cuts) {
    buf.append(in, fed, c - fed);
    fed = c;
    drain();
  }
  buf.append(in, fed, std::string::npos);
  drain();
  return out;
}

TEST(RespParser, Multibulk) {
  auto r = ParseAll("*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], "GET|k|");
  EXPECT_EQ(r[1], "PING|");
}

TEST(RespParser, BinarySafeAndEmpty) {
  std::string in = "*3\r\n$3\r\nSET\r\n$0\r\n\r\n$4\r\na\r\nb\r\n";
  auto r = ParseAll(in);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0], "SET||a\r\nb|");
}

TEST(RespParser, EveryTwoWaySplit) {
  std::string in = "*3\r\n$3\r\nSET\r\n$5\r\nhello\r\n$5\r\nworld\r\nPING\r\n";
  for (size_t i = 0; i <= in.size(); i++) {
    auto r = ParseSplit(in, {i});
    ASSERT_EQ(r.size(), 2u) << "split at " << i;
    EXPECT_EQ(r[0], "SET|hello|world|");
    EXPECT_EQ(r[1], "PING|");
  }
}

TEST(RespParser, ByteByByteAndRandomSplits) {
  std::string in;
  std::vector<std::string> expect;
  std::mt19937 rng(42);
  for (int i = 0; i < 200; i++) {
    std::string v(rng() % 300, char('a' + i % 26));
    in += "*2\r\n$4\r\nECHO\r\n$" + std::to_string(v.size()) + "\r\n" + v + "\r\n";
    expect.push_back("ECHO|" + v + "|");
  }
  std::vector<size_t> every;
  for (size_t i = 1; i < in.size(); i++) every.push_back(i);
  EXPECT_EQ(ParseSplit(in, every), expect);
  for (int round = 0; round < 50; round++) {
    std::vector<size_t> cuts;
    for (size_t pos = 0; pos < in.size();) {
      pos += 1 + rng() % 100;
      if (pos < in.size()) cuts.push_back(pos);
    }
    EXPECT_EQ(ParseSplit(in, cuts), expect);
  }
}

TEST(RespParser, Inline) {
  auto r = ParseAll("SET k \"a b\\n\" 'c d'\r\nPING\n\r\n   \n");
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0], "SET|k|a b\n|c d|");
  EXPECT_EQ(r[1], "PING|");
}

TEST(RespParser, EmptyMultibulkSkipped) {
  auto r = ParseAll("*0\r\n*-1\r\n*1\r\n$4\r\nPING\r\n");
  ASSERT_EQ(r.size(), 1u);
}

TEST(RespParser, Errors) {
  std::string err;
  ParseAll("*abc\r\n", &err);
  EXPECT_EQ(err, "ERR Protocol error: invalid multibulk length");
  ParseAll("*1\r\n+foo\r\n", &err);
  EXPECT_EQ(err, "ERR Protocol error: expected '$', got '+'");
  ParseAll("*1\r\n$-5\r\n", &err);
  EXPECT_EQ(err, "ERR Protocol error: invalid bulk length");
  ParseAll("*1\r\n$99999999999\r\n", &err);
  EXPECT_EQ(err, "ERR Protocol error: invalid bulk length");
  ParseAll("SET \"unterminated\r\n", &err);
  EXPECT_EQ(err, "ERR Protocol error: unbalanced quotes in request");
  ParseAll(std::string(70000, 'a'), &err);
  EXPECT_EQ(err, "ERR Protocol error: too big inline request");
  ParseAll("*" + std::string(70000, '1'), &err);
  EXPECT_EQ(err, "ERR Protocol error: too big mbulk count string");
  ParseAll("*1\r\n$" + std::string(70000, '1'), &err);
  EXPECT_EQ(err, "ERR Protocol error: too big bulk count string");
}

TEST(RespParser, BulkLimitAndWanted) {
  RespParser p(10);
  std::string in = "*1\r\n$11\r\n";
  size_t used;
  EXPECT_EQ(p.Parse(in.data(), in.size(), &used), RespParser::Status::kError);
  RespParser q;
  std::string big = "*1\r\n$100000\r\n" + std::string(10, 'x');
  EXPECT_EQ(q.Parse(big.data(), big.size(), &used), RespParser::Status::kNeedMore);
  EXPECT_EQ(q.bytes_wanted(), 13 + 100000 + 2u);
}

TEST(RespParser, Unauthenticated) {
  RespParser p;
  p.set_unauthenticated(true);
  std::string in = "*11\r\n";
  size_t used;
  EXPECT_EQ(p.Parse(in.data(), in.size(), &used), RespParser::Status::kError);
  EXPECT_EQ(p.error(), "ERR Protocol error: unauthenticated multibulk length");
}

TEST(RespParser, FuzzNeverCrashes) {
  std::mt19937 rng(7);
  const char alphabet[] = "*$\r\n0123456789-+abc \"'\\x";
  for (int i = 0; i < 20000; i++) {
    std::string in;
    size_t n = rng() % 64;
    for (size_t j = 0; j < n; j++) in.push_back(alphabet[rng() % (sizeof(alphabet) - 1)]);
    ParseAll(in);
  }
}

}  // namespace
}  // namespace ember
