// ReplyBuilder: RESP2 vs RESP3 shapes and Redis's number formatting.
#include "protocol/reply_builder.h"

#include <gtest/gtest.h>

#include <cmath>

namespace ember {
namespace {

TEST(ReplyBuilder, Resp2Shapes) {
  std::string out;
  ReplyBuilder r(&out, 2);
  r.MapHeader(1);
  r.Bulk("a");
  r.Double(1.5);
  r.NullBulk();
  r.NullArray();
  r.Bool(true);
  r.SetHeader(0);
  EXPECT_EQ(out, "*2\r\n$1\r\na\r\n$3\r\n1.5\r\n$-1\r\n*-1\r\n:1\r\n*0\r\n");
}

TEST(ReplyBuilder, Resp3Shapes) {
  std::string out;
  ReplyBuilder r(&out, 3);
  r.MapHeader(1);
  r.Bulk("a");
  r.Double(1.5);
  r.NullBulk();
  r.Bool(false);
  r.SetHeader(2);
  r.PushHeader(1);
  r.BigNumber("123");
  r.Verbatim("hi");
  EXPECT_EQ(out, "%1\r\n$1\r\na\r\n,1.5\r\n_\r\n#f\r\n~2\r\n>1\r\n(123\r\n=6\r\ntxt:hi\r\n");
}

TEST(ReplyBuilder, ErrorsHaveNoNewlines) {
  std::string out;
  ReplyBuilder r(&out);
  r.Error("ERR bad\r\nthing");
  EXPECT_EQ(out, "-ERR bad  thing\r\n");
}

TEST(ReplyBuilder, DoubleFormatting) {
  char buf[64];
  EXPECT_EQ(std::string(buf, ReplyBuilder::FormatDouble(1.1, buf)), "1.1000000000000001");
  EXPECT_EQ(std::string(buf, ReplyBuilder::FormatDouble(INFINITY, buf)), "inf");
  EXPECT_EQ(std::string(buf, ReplyBuilder::FormatDouble(-INFINITY, buf)), "-inf");
  EXPECT_EQ(std::string(buf, ReplyBuilder::FormatDouble(3, buf)), "3");
  char hb[ReplyBuilder::kHumanDoubleMax];
  EXPECT_EQ(std::string(hb, ReplyBuilder::FormatHumanDouble(10.5L, hb)), "10.5");
  EXPECT_EQ(std::string(hb, ReplyBuilder::FormatHumanDouble(3.0L, hb)), "3");
  EXPECT_EQ(std::string(hb, ReplyBuilder::FormatHumanDouble(5.0e3L, hb)), "5000");
  EXPECT_EQ(std::string(hb, ReplyBuilder::FormatHumanDouble(-0.0L, hb)), "0");
}

}  // namespace
}  // namespace ember
