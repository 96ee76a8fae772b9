// Unit tests for IntSet: sorted packed integers with width upgrades, checked against a
// std::set model under random operations.
#include "core/intset.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <set>

namespace ember {
namespace {

void ExpectSameAs(const IntSet* s, const std::set<int64_t>& model) {
  ASSERT_EQ(s->size(), model.size());
  size_t i = 0;
  for (int64_t v : model) EXPECT_EQ(s->Get(i++), v);
}

TEST(IntSetTest, AddRemoveContains) {
  IntSet* s = IntSet::Create();
  bool added, removed;
  s = IntSet::Add(s, 5, &added);
  EXPECT_TRUE(added);
  s = IntSet::Add(s, 5, &added);
  EXPECT_FALSE(added);
  s = IntSet::Add(s, -3, &added);
  s = IntSet::Add(s, 100, &added);
  EXPECT_TRUE(s->Contains(5));
  EXPECT_FALSE(s->Contains(6));
  EXPECT_FALSE(s->Contains(int64_t(1) << 40));  // wider than the set: absent
  ExpectSameAs(s, {-3, 5, 100});
  s = IntSet::Remove(s, 5, &removed);
  EXPECT_TRUE(removed);
  s = IntSet::Remove(s, 5, &removed);
  EXPECT_FALSE(removed);
  s = IntSet::Remove(s, int64_t(1) << 40, &removed);
  EXPECT_FALSE(removed);
  ExpectSameAs(s, {-3, 100});
  IntSet::Destroy(s);
}

TEST(IntSetTest, UpgradesKeepOrder) {
  IntSet* s = IntSet::Create();
  bool added;
  for (int64_t v : {1, -2, 3}) s = IntSet::Add(s, v, &added);
  EXPECT_EQ(s->width(), 2u);
  s = IntSet::Add(s, 70000, &added);  // up to 32 bits, at the end
  EXPECT_EQ(s->width(), 4u);
  ExpectSameAs(s, {-2, 1, 3, 70000});
  s = IntSet::Add(s, std::numeric_limits<int64_t>::min(), &added);  // 64 bits, at the front
  EXPECT_EQ(s->width(), 8u);
  ExpectSameAs(s, {std::numeric_limits<int64_t>::min(), -2, 1, 3, 70000});
  s = IntSet::Add(s, std::numeric_limits<int64_t>::max(), &added);
  EXPECT_TRUE(s->Contains(std::numeric_limits<int64_t>::max()));
  EXPECT_EQ(s->BlobBytes(), 8u + 6 * 8);
  IntSet* c = IntSet::Copy(s);
  ExpectSameAs(c, {std::numeric_limits<int64_t>::min(), -2, 1, 3, 70000,
                   std::numeric_limits<int64_t>::max()});
  IntSet::Destroy(c);
  IntSet::Destroy(s);
}

TEST(IntSetTest, RandomOpsMatchModel) {
  std::mt19937_64 rng(42);
  const int64_t ranges[] = {100, 40000, int64_t(1) << 40, std::numeric_limits<int64_t>::max()};
  for (int64_t range : ranges) {
    IntSet* s = IntSet::Create();
    std::set<int64_t> model;
    for (int i = 0; i < 4000; i++) {
      int64_t v = int64_t(rng() % uint64_t(range)) - range / 2;
      bool changed;
      if (rng() % 3 == 0) {
        s = IntSet::Remove(s, v, &changed);
        EXPECT_EQ(changed, model.erase(v) == 1);
      } else {
        s = IntSet::Add(s, v, &changed);
        EXPECT_EQ(changed, model.insert(v).second);
      }
      ASSERT_EQ(s->Contains(v), model.count(v) == 1);
    }
    ExpectSameAs(s, model);
    IntSet::Destroy(s);
  }
}

}  // namespace
}  // namespace ember
