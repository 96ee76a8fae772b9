// Tests for Dict: lookups at scale, incremental growth and shrink, the SCAN guarantee across
// resizes, Random's distribution, Swap/Clear.
#include "core/dict.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

namespace ember {
namespace {

std::string Key(int i) { return "key:" + std::to_string(i); }
std::string OtherKey(int i) { return "other:" + std::to_string(i); }

KvEntry* Make(const std::string& k) { return KvEntry::CreateString(k, "v"); }

bool IsPowerOfTwo(size_t n) { return n != 0 && (n & (n - 1)) == 0; }

TEST(DictTest, EmptyDict) {
  Dict d;
  EXPECT_EQ(d.size(), 0u);
  EXPECT_EQ(d.Find("x"), nullptr);
  EXPECT_EQ(d.Unlink("x"), nullptr);
  EXPECT_EQ(d.Random(), nullptr);
  EXPECT_EQ(d.Scan(0, [](KvEntry*) { FAIL(); }), 0u);
  EXPECT_FALSE(d.rehashing());
  EXPECT_FALSE(d.RehashStep(10));
  d.MaybeShrink();
  d.Clear();
  EXPECT_EQ(d.size(), 0u);
}

TEST(DictTest, HashIsStableAndSpreads) {
  EXPECT_EQ(Dict::Hash("abc"), Dict::Hash("abc"));
  EXPECT_NE(Dict::Hash("abc"), Dict::Hash("abd"));
  EXPECT_NE(Dict::Hash(""), Dict::Hash(std::string_view("\0", 1)));
}

TEST(DictTest, InsertFindUnlinkAtScale) {
  constexpr int kN = 200'000;
  Dict d;
  for (int i = 0; i < kN; ++i) {
    d.Insert(Make(Key(i)));
    ASSERT_EQ(d.size(), size_t(i + 1));
  }
  for (int i = 0; i < kN; ++i) {
    KvEntry* e = d.Find(Key(i));
    ASSERT_NE(e, nullptr) << i;
    ASSERT_EQ(e->key(), Key(i));
  }
  EXPECT_EQ(d.Find("missing"), nullptr);
  EXPECT_EQ(d.Find(Key(kN)), nullptr);
  while (d.RehashStep(100)) {
  }
  EXPECT_TRUE(IsPowerOfTwo(d.bucket_count()));
  EXPECT_LE(d.size(), Dict::kMaxLoad * d.bucket_count());
  EXPECT_GE(d.size() * 2, d.bucket_count());  // not wastefully large either
  EXPECT_EQ(d.BucketBytes(), d.bucket_count() * sizeof(void*));

  // Unlink the odd keys.
  for (int i = 1; i < kN; i += 2) {
    KvEntry* e = d.Unlink(Key(i));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->key(), Key(i));
    EXPECT_EQ(e->next, nullptr);
    KvEntry::Destroy(e);
  }
  EXPECT_EQ(d.size(), size_t(kN / 2));
  for (int i = 0; i < kN; ++i) {
    ASSERT_EQ(d.Find(Key(i)) != nullptr, i % 2 == 0) << i;
  }
  EXPECT_EQ(d.Unlink(Key(1)), nullptr);
  size_t seen = 0;
  d.ForEach([&](KvEntry*) { ++seen; });
  EXPECT_EQ(seen, d.size());
}

TEST(DictTest, GrowthIsIncremental) {
  Dict d;
  int i = 0;
  // Fill until a large table starts to grow: the insert that triggers it must not finish it.
  while (!(d.rehashing() && d.size() > 50'000)) d.Insert(Make(Key(i++)));
  size_t at_start = d.size();
  EXPECT_TRUE(d.rehashing());
  // Every key stays findable at every point of the rehash; inserts continue meanwhile.
  int steps = 0;
  while (d.rehashing()) {
    d.Insert(Make(Key(i++)));
    if (++steps % 1000 == 0) {
      for (int k = 0; k < i; k += 97) ASSERT_NE(d.Find(Key(k)), nullptr) << k;
    }
  }
  EXPECT_GT(steps, 100);  // took many commands, never stop-the-world
  EXPECT_GT(d.size(), at_start);
  for (int k = 0; k < i; ++k) ASSERT_NE(d.Find(Key(k)), nullptr) << k;
}

TEST(DictTest, ReplaceInPlaceIncludingDuringRehash) {
  Dict d;
  int n = 0;
  while (!(d.rehashing() && d.size() > 1000)) d.Insert(Make(Key(n++)));
  ASSERT_TRUE(d.rehashing());
  for (int i = 0; i < n; i += 3) {
    KvEntry* old_e = d.Find(Key(i));
    ASSERT_NE(old_e, nullptr);
    KvEntry* fresh = KvEntry::CreateString(Key(i), "replaced");
    d.Replace(old_e, fresh);
    KvEntry::Destroy(old_e);
  }
  EXPECT_EQ(d.size(), size_t(n));
  char scratch[24];
  for (int i = 0; i < n; ++i) {
    KvEntry* e = d.Find(Key(i));
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->StringValue(scratch), i % 3 == 0 ? "replaced" : "v");
  }
}

TEST(DictTest, ShrinkIsIncrementalAndKeepsKeys) {
  constexpr int kN = 100'000;
  Dict d;
  for (int i = 0; i < kN; ++i) d.Insert(Make(Key(i)));
  while (d.RehashStep(1000)) {
  }
  size_t big = d.bucket_count();
  d.MaybeShrink();
  EXPECT_FALSE(d.rehashing());  // full enough: no shrink
  for (int i = 100; i < kN; ++i) KvEntry::Destroy(d.Unlink(Key(i)));
  ASSERT_EQ(d.size(), 100u);
  d.MaybeShrink();
  ASSERT_TRUE(d.rehashing());
  // Lookups, inserts and deletes keep working while the shrink is in progress.
  d.Insert(Make("during-shrink"));
  KvEntry::Destroy(d.Unlink(Key(0)));
  for (int i = 1; i < 100; ++i) ASSERT_NE(d.Find(Key(i)), nullptr) << i;
  EXPECT_NE(d.Find("during-shrink"), nullptr);
  EXPECT_FALSE(d.RehashFor(1'000'000));
  EXPECT_LT(d.bucket_count(), big);
  EXPECT_LE(d.bucket_count(), 256u);
  EXPECT_GE(d.bucket_count() * Dict::kMaxLoad, d.size());
  for (int i = 1; i < 100; ++i) ASSERT_NE(d.Find(Key(i)), nullptr) << i;

  // Delete everything: shrinks down to the minimum table.
  for (int i = 1; i < 100; ++i) KvEntry::Destroy(d.Unlink(Key(i)));
  KvEntry::Destroy(d.Unlink("during-shrink"));
  EXPECT_EQ(d.size(), 0u);
  d.MaybeShrink();
  d.RehashFor(1'000'000);
  EXPECT_LE(d.bucket_count(), 4u);
  d.Insert(Make("again"));
  EXPECT_NE(d.Find("again"), nullptr);
}

// Runs a full SCAN; between steps calls `between(step)`. Returns how often each key was seen.
std::map<std::string, int> ScanAll(Dict& d, const std::function<void(int)>& between) {
  std::map<std::string, int> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = d.Scan(cursor, [&](KvEntry* e) { ++seen[std::string(e->key())]; });
    between(step++);
  } while (cursor != 0);
  return seen;
}

TEST(DictTest, ScanReturnsEachKeyOnceWhenStable) {
  Dict d;
  for (int i = 0; i < 5000; ++i) d.Insert(Make(Key(i)));
  while (d.RehashStep(100)) {
  }
  auto seen = ScanAll(d, [](int) {});
  EXPECT_EQ(seen.size(), 5000u);
  for (auto& [k, n] : seen) EXPECT_EQ(n, 1) << k;
}

TEST(DictTest, ScanWhileRehashingStaticTables) {
  Dict d;
  int n = 0;
  while (!(d.rehashing() && d.size() > 3000)) d.Insert(Make(Key(n++)));
  ASSERT_TRUE(d.rehashing());
  d.RehashStep(50);  // part of the buckets moved
  ASSERT_TRUE(d.rehashing());
  // Scan is const: the table stays mid-rehash for the whole scan.
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = d.Scan(cursor, [&](KvEntry* e) { seen.insert(std::string(e->key())); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), size_t(n));
}

TEST(DictTest, ScanGuaranteeWhileGrowing) {
  constexpr int kBase = 2000;
  Dict d;
  for (int i = 0; i < kBase; ++i) d.Insert(Make(Key(i)));
  int other = 0;
  auto seen = ScanAll(d, [&](int) {
    // Grow fast: the table resizes several times during the scan, often mid-rehash. (Bounded:
    // a table that grows faster than the cursor advances is never fully scanned.)
    for (int j = 0; j < 40 && other < 40'000; ++j) d.Insert(Make(OtherKey(other++)));
    if (other % 400 == 0) d.RehashStep(3);
  });
  EXPECT_GT(d.size(), 8u * kBase);  // grew through several resizes
  for (int i = 0; i < kBase; ++i) EXPECT_TRUE(seen.count(Key(i))) << Key(i);
}

TEST(DictTest, ScanGuaranteeWhileShrinking) {
  constexpr int kBase = 1000;
  constexpr int kOther = 100'000;
  Dict d;
  for (int i = 0; i < kBase; ++i) d.Insert(Make(Key(i)));
  for (int i = 0; i < kOther; ++i) d.Insert(Make(OtherKey(i)));
  while (d.RehashStep(100)) {
  }
  size_t start_buckets = d.bucket_count();
  int next_delete = 0;
  int shrinks = 0;
  auto seen = ScanAll(d, [&](int step) {
    for (int j = 0; j < 2000 && next_delete < kOther; ++j) {
      KvEntry::Destroy(d.Unlink(OtherKey(next_delete++)));
    }
    if (!d.rehashing()) {
      size_t before = d.bucket_count();
      d.MaybeShrink();
      shrinks += d.rehashing() && before > 0;
    }
    if (step % 3 == 0) d.RehashStep(2);  // leave the table mid-rehash between many steps
  });
  EXPECT_GT(shrinks, 0);
  EXPECT_LT(d.bucket_count(), start_buckets);
  for (int i = 0; i < kBase; ++i) EXPECT_TRUE(seen.count(Key(i))) << Key(i);
}

TEST(DictTest, ScanGuaranteeUnderChurn) {
  // Mixed inserts and deletes of other keys, alternating growth and shrink.
  constexpr int kBase = 500;
  Dict d;
  for (int i = 0; i < kBase; ++i) d.Insert(Make(Key(i)));
  std::vector<std::string> live;
  int other = 0;
  auto seen = ScanAll(d, [&](int step) {
    bool grow_phase = (step / 40) % 2 == 0 && step < 2000;
    if (grow_phase) {
      for (int j = 0; j < 300; ++j) {
        live.push_back(OtherKey(other++));
        d.Insert(Make(live.back()));
      }
    } else {
      for (int j = 0; j < 600 && !live.empty(); ++j) {
        KvEntry::Destroy(d.Unlink(live.back()));
        live.pop_back();
      }
      d.MaybeShrink();
    }
  });
  for (int i = 0; i < kBase; ++i) EXPECT_TRUE(seen.count(Key(i))) << Key(i);
}

TEST(DictTest, RandomIsRoughlyUniform) {
  constexpr int kKeys = 100;
  constexpr int kDraws = 100'000;
  Dict d;
  for (int i = 0; i < kKeys; ++i) d.Insert(Make(Key(i)));
  while (d.RehashStep(100)) {
  }
  std::map<std::string, int> counts;
  for (int i = 0; i < kDraws; ++i) ++counts[std::string(d.Random()->key())];
  EXPECT_EQ(counts.size(), size_t(kKeys));
  // Chained buckets make it only roughly uniform (bucket first, then chain position).
  for (auto& [k, n] : counts) {
    EXPECT_GT(n, kDraws / kKeys / 4) << k;
    EXPECT_LT(n, kDraws / kKeys * 4) << k;
  }
}

TEST(DictTest, RandomDuringRehashReturnsLiveEntries) {
  Dict d;
  int n = 0;
  while (!(d.rehashing() && d.size() > 1000)) d.Insert(Make(Key(n++)));
  std::unordered_set<std::string> seen;
  for (int i = 0; i < 20000; ++i) {
    KvEntry* e = d.Random();
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(d.Find(e->key()), e);
    seen.insert(std::string(e->key()));
  }
  EXPECT_GT(seen.size(), size_t(n) * 9 / 10);
}

TEST(DictTest, SwapAndClear) {
  Dict a, b;
  for (int i = 0; i < 1000; ++i) a.Insert(Make(Key(i)));
  b.Insert(Make("only-b"));
  a.Swap(b);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(b.size(), 1000u);
  EXPECT_NE(a.Find("only-b"), nullptr);
  EXPECT_NE(b.Find(Key(999)), nullptr);
  EXPECT_EQ(a.Find(Key(1)), nullptr);
  b.Clear();
  EXPECT_EQ(b.size(), 0u);
  EXPECT_EQ(b.bucket_count(), 0u);
  EXPECT_EQ(b.Find(Key(1)), nullptr);
  b.Insert(Make("x"));
  EXPECT_NE(b.Find("x"), nullptr);
}

TEST(DictTest, LargeArraysAreReleasedRepeatedly) {
  // Exercises the mmap + background unmap path many times (growth frees old arrays).
  for (int round = 0; round < 3; ++round) {
    Dict d;
    for (int i = 0; i < 150'000; ++i) d.Insert(Make(Key(i)));
    d.RehashFor(1'000'000);
    EXPECT_GE(d.BucketBytes(), 64u * 1024);
  }
}

}  // namespace
}  // namespace ember
