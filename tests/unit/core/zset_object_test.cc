// Unit tests of ZSetObject / ZSkipList: both encodings checked against a
// std::set<pair<double,string>> model under random operations across the conversion.
#include "core/zset_object.h"

#include <algorithm>
#include <cstring>

#include "core/listpack.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace ember {
namespace {

using Model = std::set<std::pair<double, std::string>>;

std::vector<std::pair<std::string, double>> Dump(const ZSetObject& z, bool rev = false) {
  std::vector<std::pair<std::string, double>> out;
  z.ForRange(0, z.Len(), rev, [&](std::string_view m, double s) { out.emplace_back(m, s); });
  return out;
}

std::vector<std::pair<std::string, double>> ModelDump(const Model& m) {
  std::vector<std::pair<std::string, double>> out;
  for (const auto& [s, mem] : m) out.emplace_back(mem, s);
  return out;
}

TEST(ZSetObject, ListpackBasics) {
  ZSetObject z = ZSetObject::Create();
  ZSetLimits lim{128, 64};
  EXPECT_TRUE(z.Set("b", 2, lim));
  EXPECT_TRUE(z.Set("a", 1.5, lim));
  EXPECT_TRUE(z.Set("c", -0.0, lim));
  EXPECT_TRUE(z.Set("12", 1e-300, lim));
  EXPECT_FALSE(z.Set("b", 0.5, lim));
  EXPECT_EQ(z.encoding(), ObjEncoding::kListpack);
  double s;
  ASSERT_TRUE(z.Score("c", &s));
  EXPECT_EQ(s, 0.0);  // -0 is stored as the integer 0 in a listpack, as in Redis
  ASSERT_TRUE(z.Score("12", &s));
  EXPECT_EQ(s, 1e-300);
  auto d = Dump(z);
  ASSERT_EQ(d.size(), 4u);
  EXPECT_EQ(d[0].first, "c");
  EXPECT_EQ(d[1].first, "12");
  EXPECT_EQ(d[2].first, "b");
  EXPECT_EQ(d[3].first, "a");
  size_t rank;
  ASSERT_TRUE(z.Rank("b", &rank, &s));
  EXPECT_EQ(rank, 2u);
  auto rd = Dump(z, true);
  EXPECT_EQ(rd[0].first, "a");
  EXPECT_EQ(rd[3].first, "c");
  z.Destroy();
}

TEST(ZSetObject, ScoresRoundTripBitExact) {
  ZSetObject z = ZSetObject::Create();
  ZSetLimits lim{128, 64};
  std::mt19937_64 rng(7);
  std::vector<double> scores = {
      0.1, -2.5, 1e300, -1e-300, INFINITY, -INFINITY, 9007199254740993.0, 123456789012.0, 3.0};
  for (int i = 0; i < 50; i++) {
    uint64_t bits = rng();
    double d;
    std::memcpy(&d, &bits, 8);
    if (!std::isnan(d)) scores.push_back(d);
  }
  for (size_t i = 0; i < scores.size(); i++) z.Set("m" + std::to_string(i), scores[i], lim);
  for (size_t i = 0; i < scores.size(); i++) {
    double s;
    ASSERT_TRUE(z.Score("m" + std::to_string(i), &s));
    EXPECT_EQ(std::memcmp(&s, &scores[i], 8), 0) << i;
  }
  z.Destroy();
}

void RandomOps(int64_t max_entries, uint64_t seed) {
  ZSetObject z = ZSetObject::Create();
  ZSetLimits lim{max_entries, 64};
  Model model;
  std::map<std::string, double> by_member;
  std::mt19937_64 rng(seed);
  bool converted = false;
  for (int op = 0; op < 3000; op++) {
    std::string m = "m" + std::to_string(rng() % 300);
    double s = double(int(rng() % 50)) / ((rng() % 3) + 1);
    int kind = int(rng() % 10);
    if (kind < 6) {
      auto it = by_member.find(m);
      bool fresh = it == by_member.end();
      if (!fresh) model.erase({it->second, m});
      by_member[m] = s;
      model.insert({s, m});
      ASSERT_EQ(z.Set(m, s, lim), fresh);
    } else if (kind < 8) {
      auto it = by_member.find(m);
      bool had = it != by_member.end();
      if (had) {
        model.erase({it->second, m});
        by_member.erase(it);
      }
      ASSERT_EQ(z.Delete(m), had);
    } else if (kind == 8 && !model.empty()) {
      size_t lo = rng() % model.size();
      size_t hi = std::min(model.size(), lo + rng() % 5);
      auto it = std::next(model.begin(), long(lo));
      for (size_t i = lo; i < hi; i++) {
        by_member.erase(it->second);
        it = model.erase(it);
      }
      z.DeleteRange(lo, hi);
    } else {
      double bound = double(rng() % 50);
      size_t expect = 0;
      for (const auto& [ms, mm] : model) expect += ms < bound;
      ASSERT_EQ(z.CountBelow([bound](double sc, std::string_view) { return sc < bound; }), expect);
    }
    ASSERT_EQ(z.Len(), model.size());
    if (z.encoding() == ObjEncoding::kSkiplist) {
      converted = true;
      ASSERT_TRUE(static_cast<ZSkipList*>(z.obj())->Validate());
    }
    if (op % 100 == 0) {
      ASSERT_EQ(Dump(z), ModelDump(model));
      size_t r = 0;
      for (const auto& [ms, mm] : model) {
        size_t rank;
        double sc;
        ASSERT_TRUE(z.Rank(mm, &rank, &sc));
        ASSERT_EQ(rank, r++);
        ASSERT_EQ(sc, ms);
      }
      if (!model.empty()) {
        size_t k = rng() % model.size();
        auto at = z.At(k);
        auto it = std::next(model.begin(), long(k));
        ASSERT_EQ(at.first, it->second);
        auto rv = Dump(z, true);
        auto fw = ModelDump(model);
        std::reverse(fw.begin(), fw.end());
        ASSERT_EQ(rv, fw);
      }
    }
  }
  EXPECT_EQ(converted, max_entries < 300);
  z.Destroy();
}

TEST(ZSetObject, RandomVsModelListpackOnly) { RandomOps(100000, 1); }
TEST(ZSetObject, RandomVsModelAcrossConversion) { RandomOps(128, 2); }
TEST(ZSetObject, RandomVsModelSkiplist) { RandomOps(0, 3); }

TEST(ZSetObject, LongMemberConverts) {
  ZSetObject z = ZSetObject::Create();
  ZSetLimits lim{128, 64};
  z.Set("short", 1, lim);
  EXPECT_EQ(z.encoding(), ObjEncoding::kListpack);
  z.Set(std::string(65, 'x'), 2, lim);
  EXPECT_EQ(z.encoding(), ObjEncoding::kSkiplist);
  EXPECT_EQ(z.Len(), 2u);
  z.Destroy();
}

TEST(ZSetObject, ScanVisitsEverything) {
  ZSetObject z = ZSetObject::Create();
  ZSetLimits lim{0, 64};
  for (int i = 0; i < 1000; i++) z.Set("k" + std::to_string(i), i, lim);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = z.Scan(cursor, 10, [&](std::string_view m, double) { seen.emplace(m); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 1000u);
  z.Destroy();
}

// Member lengths around the node's varint length boundaries (1 / 2 / 3 bytes).
TEST(ZSkipList, MemberLengthsAcrossVarintBoundaries) {
  ZSkipList l;
  std::vector<size_t> lens = {0, 1, 14, 127, 128, 129, 16383, 16384, 100000};
  for (size_t i = 0; i < lens.size(); i++) {
    l.Insert(double(i % 3), std::string(lens[i], char('a' + i)));
  }
  ASSERT_TRUE(l.Validate());
  for (size_t i = 0; i < lens.size(); i++) {
    std::string m(lens[i], char('a' + i));
    double s;
    ASSERT_TRUE(l.Score(m, &s));
    EXPECT_EQ(s, double(i % 3));
    size_t rank;
    ASSERT_TRUE(l.Rank(m, &rank, &s));
    EXPECT_EQ(l.At(rank).first, m);
  }
  size_t seen = 0;
  l.ForRange(0, l.size(), true, [&](std::string_view m, double) {
    seen++;
    EXPECT_NE(std::find(lens.begin(), lens.end(), m.size()), lens.end());
  });
  EXPECT_EQ(seen, lens.size());
  for (size_t i = 0; i < lens.size(); i += 2) {
    ASSERT_TRUE(l.Delete(std::string(lens[i], char('a' + i))));
  }
  ASSERT_TRUE(l.Validate());
  EXPECT_EQ(l.size(), lens.size() / 2);
}

// The member index grows with the set and shrinks back when most members are deleted; every
// lookup, rank and SCAN stays right across both.
TEST(ZSkipList, IndexGrowsAndShrinks) {
  auto owned = std::make_unique<ZSkipList>();  // MemoryUsage() counts its own heap block
  ZSkipList& l = *owned;
  const int n = 20000;
  for (int i = 0; i < n; i++) l.Insert(double(i % 97), "m" + std::to_string(i));
  ASSERT_TRUE(l.Validate());
  size_t full = l.MemoryUsage();
  for (int i = 0; i < n; i++) {
    if (i % 50 != 0) ASSERT_TRUE(l.Delete("m" + std::to_string(i)));
  }
  ASSERT_TRUE(l.Validate());
  ASSERT_EQ(l.size(), size_t(n / 50));
  EXPECT_LT(l.MemoryUsage() * 20, full);  // nodes and buckets both released
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = l.Scan(cursor, 5, [&](std::string_view m, double) { seen.emplace(m); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), size_t(n / 50));
  for (int i = 0; i < n; i++) {
    double s;
    EXPECT_EQ(l.Score("m" + std::to_string(i), &s), i % 50 == 0);
  }
  l.DeleteRange(0, l.size());
  EXPECT_EQ(l.size(), 0u);
  ASSERT_TRUE(l.Validate());
  l.Insert(1, "again");
  ASSERT_TRUE(l.Validate());
}

// Many equal scores (order by member) and a deep list: ranks from the spans match positions.
TEST(ZSkipList, RanksOnDeepListWithEqualScores) {
  ZSkipList l;
  const int n = 50000;
  for (int i = n - 1; i >= 0; i--) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "k%06d", i);
    l.Insert(7, buf);
  }
  ASSERT_TRUE(l.Validate());
  for (int i = 0; i < n; i += 997) {
    char buf[16];
    std::snprintf(buf, sizeof(buf), "k%06d", i);
    size_t rank;
    double s;
    ASSERT_TRUE(l.Rank(buf, &rank, &s));
    EXPECT_EQ(rank, size_t(i));
    EXPECT_EQ(l.At(size_t(i)).first, buf);
  }
  l.DeleteRange(100, 40000);
  ASSERT_TRUE(l.Validate());
  EXPECT_EQ(l.At(100).first, "k040000");
  std::unique_ptr<ZSkipList> c(l.Clone());
  ASSERT_TRUE(c->Validate());
  EXPECT_EQ(c->size(), l.size());
}

TEST(ZSetObject, MemoryPerMember) {
  ZSetObject z = ZSetObject::Create();
  ZSetLimits lim{0, 64};
  const int n = 10000;
  for (int i = 0; i < n; i++) z.Set("member:" + std::to_string(i), i, lim);
  size_t bytes = static_cast<ZSkipList*>(z.obj())->MemoryUsage();
  double per = double(bytes) / n;
  std::printf("skiplist bytes per member (\"member:N\", ~11 bytes): %.1f\n", per);
  EXPECT_LT(per, 72.0);  // 48-byte level-1 nodes + <= 16 bytes of buckets
  z.Destroy();
  ZSetObject small = ZSetObject::Create();
  ZSetLimits big{128, 64};
  for (int i = 0; i < 100; i++) small.Set("member:" + std::to_string(i), i, big);
  std::printf("listpack bytes per member (100 members): %.1f\n",
              double(Listpack::MemoryUsage(static_cast<uint8_t*>(small.obj()))) / 100);
  small.Destroy();
}

}  // namespace
}  // namespace ember
