// Tests for Listpack: encoding of strings and integers, forward/backward iteration, Seek,
// Find with skip, insert/erase/replace, and a long random sequence checked against a
// std::vector<std::string> model.
#include "core/listpack.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace ember {
namespace {

std::vector<std::string> Forward(const uint8_t* lp) {
  std::vector<std::string> out;
  char scratch[Listpack::kScratch];
  for (uint32_t p = Listpack::First(lp); !Listpack::AtEnd(lp, p); p = Listpack::Next(lp, p)) {
    out.emplace_back(Listpack::Get(lp, p).View(scratch));
  }
  return out;
}

std::vector<std::string> Backward(const uint8_t* lp) {
  std::vector<std::string> out;
  char scratch[Listpack::kScratch];
  for (uint32_t p = Listpack::Last(lp); !Listpack::AtEnd(lp, p); p = Listpack::Prev(lp, p)) {
    out.insert(out.begin(), std::string(Listpack::Get(lp, p).View(scratch)));
  }
  return out;
}

TEST(ListpackTest, EmptyBlock) {
  uint8_t* lp = Listpack::New();
  EXPECT_EQ(Listpack::Bytes(lp), Listpack::kHeaderSize);
  EXPECT_EQ(Listpack::Count(lp), 0u);
  EXPECT_TRUE(Listpack::AtEnd(lp, Listpack::First(lp)));
  EXPECT_TRUE(Listpack::AtEnd(lp, Listpack::Last(lp)));
  EXPECT_TRUE(Listpack::AtEnd(lp, Listpack::Seek(lp, 0)));
  Listpack::Free(lp);
}

TEST(ListpackTest, IntegersAndStringsRoundTrip) {
  uint8_t* lp = Listpack::New();
  std::vector<std::string> items = {"f1",
                                    "42",
                                    "-7",
                                    "007",
                                    "+1",
                                    "",
                                    "9223372036854775807",
                                    "-9223372036854775808",
                                    "9223372036854775808",
                                    std::string(300, 'x'),
                                    " 1"};
  for (const auto& s : items) lp = Listpack::Append(lp, s);
  EXPECT_EQ(Forward(lp), items);
  EXPECT_EQ(Backward(lp), items);
  EXPECT_EQ(Listpack::Count(lp), items.size());
  EXPECT_TRUE(Listpack::Get(lp, Listpack::Seek(lp, 1)).is_int);
  EXPECT_EQ(Listpack::Get(lp, Listpack::Seek(lp, 1)).ival, 42);
  EXPECT_FALSE(Listpack::Get(lp, Listpack::Seek(lp, 3)).is_int);  // "007" stays text
  EXPECT_FALSE(Listpack::Get(lp, Listpack::Seek(lp, 8)).is_int);  // out of int64 range
  // Compact: "f1" is 4 bytes, "7" 2 bytes.
  uint8_t* small = Listpack::New();
  small = Listpack::Append(small, "f1");
  small = Listpack::Append(small, "7");
  EXPECT_EQ(Listpack::Bytes(small), Listpack::kHeaderSize + 6);
  Listpack::Free(small);
  Listpack::Free(lp);
}

TEST(ListpackTest, SeekAndFind) {
  uint8_t* lp = Listpack::New();
  for (std::string s : {"a", "1", "b", "2", "1", "a"}) lp = Listpack::Append(lp, s);
  char scratch[Listpack::kScratch];
  EXPECT_EQ(Listpack::Get(lp, Listpack::Seek(lp, -1)).View(scratch), "a");
  EXPECT_EQ(Listpack::Get(lp, Listpack::Seek(lp, 4)).View(scratch), "1");
  EXPECT_TRUE(Listpack::AtEnd(lp, Listpack::Seek(lp, 6)));
  EXPECT_TRUE(Listpack::AtEnd(lp, Listpack::Seek(lp, -7)));
  // skip=1 looks only at even positions (fields of pairs).
  uint32_t p = Listpack::Find(lp, Listpack::First(lp), "1", 1);
  EXPECT_EQ(p, Listpack::Seek(lp, 4));
  EXPECT_EQ(Listpack::Find(lp, Listpack::First(lp), "1"), Listpack::Seek(lp, 1));
  EXPECT_TRUE(Listpack::AtEnd(lp, Listpack::Find(lp, Listpack::First(lp), "2", 1)));
  EXPECT_TRUE(Listpack::AtEnd(lp, Listpack::Find(lp, Listpack::First(lp), "01")));
  EXPECT_TRUE(Listpack::Equals(lp, Listpack::Seek(lp, 3), "2"));
  EXPECT_FALSE(Listpack::Equals(lp, Listpack::Seek(lp, 3), "02"));
  Listpack::Free(lp);
}

TEST(ListpackTest, InsertEraseReplace) {
  uint8_t* lp = Listpack::New();
  lp = Listpack::Append(lp, "b");
  lp = Listpack::Insert(lp, Listpack::First(lp), "a");
  lp = Listpack::Append(lp, "c");
  EXPECT_EQ(Forward(lp), (std::vector<std::string>{"a", "b", "c"}));
  lp = Listpack::Replace(lp, Listpack::Seek(lp, 1), std::string(200, 'z'));
  EXPECT_EQ(Backward(lp), (std::vector<std::string>{"a", std::string(200, 'z'), "c"}));
  lp = Listpack::Replace(lp, Listpack::Seek(lp, 1), "5");
  EXPECT_EQ(Forward(lp), (std::vector<std::string>{"a", "5", "c"}));
  lp = Listpack::Erase(lp, Listpack::First(lp), 2);
  EXPECT_EQ(Forward(lp), (std::vector<std::string>{"c"}));
  lp = Listpack::Erase(lp, Listpack::First(lp), 5);  // more than there are
  EXPECT_EQ(Listpack::Count(lp), 0u);
  EXPECT_EQ(Listpack::Bytes(lp), Listpack::kHeaderSize);
  Listpack::Free(lp);
}

class ListpackModeTest : public ::testing::TestWithParam<bool> {};

TEST_P(ListpackModeTest, RandomOpsMatchVectorModel) {
  std::mt19937 rng(12345);
  uint8_t* lp = Listpack::New(/*backward=*/GetParam());
  EXPECT_EQ(Listpack::Backward(lp), GetParam());
  std::vector<std::string> model;
  auto random_item = [&rng]() -> std::string {
    switch (rng() % 4) {
      case 0:
        return std::to_string(int64_t(rng()) - int64_t(rng()) * 100000);
      case 1:
        return std::string(rng() % 200, char('a' + rng() % 26));
      case 2:
        return std::to_string(rng() % 100);
      default:
        return "s" + std::to_string(rng() % 50);
    }
  };
  for (int step = 0; step < 5000; step++) {
    int op = int(rng() % 5);
    size_t n = model.size();
    if (op <= 1 || n == 0) {
      std::string s = random_item();
      size_t at = n ? rng() % (n + 1) : 0;
      lp = Listpack::Insert(lp, at == n ? Listpack::Bytes(lp) : Listpack::Seek(lp, int64_t(at)), s);
      model.insert(model.begin() + at, s);
    } else if (op == 2) {
      size_t at = rng() % n;
      uint32_t cnt = uint32_t(1 + rng() % 3);
      lp = Listpack::Erase(lp, Listpack::Seek(lp, int64_t(at)), cnt);
      model.erase(model.begin() + at, model.begin() + std::min(n, at + cnt));
    } else if (op == 3) {
      size_t at = rng() % n;
      std::string s = random_item();
      lp = Listpack::Replace(lp, Listpack::Seek(lp, int64_t(at)), s);
      model[at] = s;
    } else {
      size_t at = rng() % n;
      uint32_t p = Listpack::Find(lp, Listpack::First(lp), model[at]);
      size_t first = size_t(std::find(model.begin(), model.end(), model[at]) - model.begin());
      EXPECT_EQ(p, Listpack::Seek(lp, int64_t(first)));
    }
    ASSERT_EQ(Listpack::Count(lp), model.size());
    if (step % 100 == 0) {
      ASSERT_EQ(Forward(lp), model);
      ASSERT_EQ(Backward(lp), model);
    }
  }
  EXPECT_EQ(Forward(lp), model);
  uint8_t* copy = Listpack::Clone(lp);
  EXPECT_EQ(Backward(copy), model);
  EXPECT_EQ(Listpack::Backward(copy), GetParam());
  EXPECT_GE(Listpack::MemoryUsage(copy), Listpack::Bytes(copy));
  Listpack::Free(copy);
  Listpack::Free(lp);
}

TEST(ListpackTest, CountPastSixteenBits) {
  uint8_t* lp = Listpack::New(false);
  std::vector<std::string> items(70000, "x");
  std::vector<std::string_view> views(items.begin(), items.end());
  lp = Listpack::AppendMany(lp, views.data(), 65534);
  EXPECT_EQ(Listpack::Count(lp), 65534u);
  lp = Listpack::AppendMany(lp, views.data(), 70000 - 65534);
  EXPECT_EQ(Listpack::Count(lp), 70000u);  // saturated header: counted by walking
  lp = Listpack::Erase(lp, Listpack::First(lp), 10);
  EXPECT_EQ(Listpack::Count(lp), 69990u);
  Listpack::Free(lp);
}

INSTANTIATE_TEST_SUITE_P(WithAndWithoutBacklens, ListpackModeTest, ::testing::Bool());

TEST(ListpackTest, NoBacklenModeIsSmaller) {
  uint8_t* a = Listpack::New(true);
  uint8_t* b = Listpack::New(false);
  for (const std::string& s : std::vector<std::string>{"f1", "v1", "7", std::string(300, 'y')}) {
    a = Listpack::Append(a, s);
    b = Listpack::Append(b, s);
  }
  EXPECT_EQ(Listpack::Bytes(a) - Listpack::Bytes(b), 5u);  // 1+1+1+2 backlen bytes
  EXPECT_EQ(Backward(b), Forward(a));
  EXPECT_EQ(Listpack::Get(b, Listpack::Seek(b, -2)).ival, 7);
  Listpack::Free(a);
  Listpack::Free(b);
}

}  // namespace
}  // namespace ember
