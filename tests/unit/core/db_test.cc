// Tests for Db and Keyspace: lazy and active expiry on a ManualClock, hit/miss stats, the
// expires counter on every path, LRU clock, SCAN/RANDOMKEY over expired keys, SWAPDB.
#include "core/db.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

namespace ember {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

class RecordingObserver : public KeyspaceObserver {
 public:
  void OnExpired(int db, std::string_view key) override { expired.emplace_back(key); }
  void OnModified(int db, std::string_view key) override { modified.emplace_back(key); }
  std::vector<std::string> expired;
  std::vector<std::string> modified;
};

class DbTest : public ::testing::Test {
 protected:
  DbTest() : clock_(kStart), db_(0, &clock_, &stats_, &observer_) {}

  // The counter Db maintains must equal the truth.
  size_t CountVolatile() {
    size_t n = 0;
    db_.dict().ForEach([&](KvEntry* e) { n += e->has_expire(); });
    return n;
  }
  void CheckInvariant() { ASSERT_EQ(db_.expires_count(), CountVolatile()); }

  ManualClock clock_;
  KeyspaceStats stats_;
  RecordingObserver observer_;
  Db db_;
};

TEST_F(DbTest, HitsAndMisses) {
  db_.Add(KvEntry::CreateString("a", "1"));
  EXPECT_NE(db_.LookupRead("a"), nullptr);
  EXPECT_EQ(db_.LookupRead("b"), nullptr);
  EXPECT_EQ(stats_.keyspace_hits, 1u);
  EXPECT_EQ(stats_.keyspace_misses, 1u);
  EXPECT_NE(db_.LookupRead("a", LookupFlags::kNoStats), nullptr);
  EXPECT_EQ(db_.LookupRead("b", LookupFlags::kNoStats | LookupFlags::kNoTouch), nullptr);
  EXPECT_NE(db_.LookupWrite("a"), nullptr);
  EXPECT_EQ(db_.LookupWrite("b"), nullptr);
  EXPECT_EQ(stats_.keyspace_hits, 1u);
  EXPECT_EQ(stats_.keyspace_misses, 1u);
}

TEST_F(DbTest, LazyExpiryUsesStrictlyGreater) {
  db_.Add(KvEntry::CreateString("k", "v", kStart + 100));
  EXPECT_EQ(db_.expires_count(), 1u);
  clock_.AdvanceMs(100);  // now == when: still alive (Redis: expired when now > when)
  EXPECT_NE(db_.LookupRead("k"), nullptr);
  EXPECT_FALSE(db_.IsExpired(db_.dict().Find("k")));
  clock_.AdvanceMs(1);
  EXPECT_TRUE(db_.IsExpired(db_.dict().Find("k")));
  EXPECT_EQ(db_.LookupRead("k"), nullptr);
  EXPECT_EQ(db_.size(), 0u);
  EXPECT_EQ(db_.expires_count(), 0u);
  EXPECT_EQ(stats_.expired_keys, 1u);
  EXPECT_EQ(stats_.keyspace_hits, 1u);
  EXPECT_EQ(stats_.keyspace_misses, 1u);
  ASSERT_EQ(observer_.expired, std::vector<std::string>{"k"});
  EXPECT_EQ(observer_.modified, std::vector<std::string>{"k"});
}

TEST_F(DbTest, LookupWriteExpiresToo) {
  db_.Add(KvEntry::CreateString("k", "v", kStart + 5));
  clock_.AdvanceMs(6);
  EXPECT_EQ(db_.LookupWrite("k"), nullptr);
  EXPECT_EQ(db_.size(), 0u);
  EXPECT_EQ(stats_.expired_keys, 1u);
  EXPECT_EQ(stats_.keyspace_misses, 0u);
}

TEST_F(DbTest, NoExpireFlagReportsAbsentButKeeps) {
  db_.Add(KvEntry::CreateString("k", "v", kStart + 5));
  clock_.AdvanceMs(10);
  EXPECT_EQ(db_.LookupRead("k", LookupFlags::kNoExpire), nullptr);
  EXPECT_EQ(db_.size(), 1u);
  EXPECT_EQ(stats_.expired_keys, 0u);
  EXPECT_TRUE(observer_.expired.empty());
}

TEST_F(DbTest, LruTouchAndIdle) {
  db_.Add(KvEntry::CreateString("k", "v"));
  KvEntry* e = db_.dict().Find("k");
  EXPECT_EQ(e->lru(), db_.LruClock());
  EXPECT_EQ(db_.LruClock(), uint32_t(kStart / 1000) & 0xFFFFFF);
  clock_.AdvanceMs(10'500);
  EXPECT_EQ(db_.IdleSeconds(e), 10u);
  db_.LookupRead("k", LookupFlags::kNoTouch);
  EXPECT_EQ(db_.IdleSeconds(e), 10u);
  db_.LookupRead("k");
  EXPECT_EQ(db_.IdleSeconds(e), 0u);
  clock_.AdvanceMs(3000);
  db_.LookupWrite("k");  // writes touch as well
  EXPECT_EQ(db_.IdleSeconds(e), 0u);

  // Wraparound of the 24-bit clock.
  e->set_lru(0xFFFFFE);
  int64_t secs = (int64_t(kStart / 1000) & ~int64_t(0xFFFFFF)) + (int64_t(1) << 24) + 3;
  clock_.SetMs(secs * 1000);
  EXPECT_EQ(db_.LruClock(), 3u);
  EXPECT_EQ(db_.IdleSeconds(e), 5u);
}

TEST_F(DbTest, ExpiresCountOnEveryPath) {
  db_.Add(KvEntry::CreateString("a", "1", kStart + 1000));
  db_.Add(KvEntry::CreateString("b", "2"));
  CheckInvariant();
  EXPECT_EQ(db_.expires_count(), 1u);

  // Upsert: volatile -> persistent, persistent -> volatile, new key.
  db_.Upsert(KvEntry::CreateString("a", "x"));
  CheckInvariant();
  db_.Upsert(KvEntry::CreateString("b", "y", kStart + 1000));
  CheckInvariant();
  db_.Upsert(KvEntry::CreateString("c", "z", kStart + 1000));
  CheckInvariant();
  EXPECT_EQ(db_.expires_count(), 2u);
  EXPECT_EQ(db_.size(), 3u);

  // SetExpire adds a slot (entry moves) or updates in place; Persist removes it.
  KvEntry* a = db_.LookupWrite("a");
  KvEntry* a2 = db_.SetExpire(a, kStart + 50);
  EXPECT_EQ(a2->expire_ms(), kStart + 50);
  EXPECT_EQ(db_.dict().Find("a"), a2);
  CheckInvariant();
  EXPECT_EQ(db_.SetExpire(a2, kStart + 60), a2);
  EXPECT_EQ(a2->expire_ms(), kStart + 60);
  CheckInvariant();
  KvEntry* a3 = db_.Persist(a2);
  EXPECT_FALSE(a3->has_expire());
  EXPECT_EQ(db_.Persist(a3), a3);
  CheckInvariant();
  char scratch[24];
  EXPECT_EQ(db_.LookupRead("a")->StringValue(scratch), "x");

  // ReplaceEntry with and without moving the heap object.
  KvEntry* b = db_.LookupWrite("b");
  db_.ReplaceEntry(b, KvEntry::CreateString("b", "no-ttl"), false);
  CheckInvariant();
  KvEntry* c = db_.LookupWrite("c");
  RawString* raw = RawString::Create(std::string(60, 'r'), 60);
  KvEntry* c_raw = KvEntry::CreateObj("c", ObjType::kString, ObjEncoding::kRaw, raw, kStart + 9);
  db_.ReplaceEntry(c, c_raw, false);
  CheckInvariant();
  KvEntry* moved = KvEntry::WithExpire(c_raw, KvEntry::kNoExpire);
  db_.ReplaceEntry(c_raw, moved, true);
  EXPECT_EQ(db_.LookupRead("c")->raw(), raw);
  CheckInvariant();

  // Delete / Unlink.
  db_.Upsert(KvEntry::CreateString("d", "1", kStart + 1000));
  db_.Upsert(KvEntry::CreateString("e", "1", kStart + 1000));
  CheckInvariant();
  EXPECT_TRUE(db_.Delete("d"));
  EXPECT_FALSE(db_.Delete("d"));
  CheckInvariant();
  KvEntry* owned = db_.Unlink("e");
  ASSERT_NE(owned, nullptr);
  CheckInvariant();
  KvEntry::Destroy(owned);

  db_.Clear();
  EXPECT_EQ(db_.expires_count(), 0u);
  EXPECT_EQ(db_.size(), 0u);
}

TEST_F(DbTest, DeleteAndUnlinkOfExpiredKeyCountAsExpiry) {
  db_.Add(KvEntry::CreateString("a", "1", kStart + 1));
  db_.Add(KvEntry::CreateString("b", "1", kStart + 1));
  clock_.AdvanceMs(2);
  EXPECT_FALSE(db_.Delete("a"));
  EXPECT_EQ(db_.Unlink("b"), nullptr);
  EXPECT_EQ(db_.size(), 0u);
  EXPECT_EQ(db_.expires_count(), 0u);
  EXPECT_EQ(stats_.expired_keys, 2u);
  EXPECT_EQ(observer_.expired.size(), 2u);
}

TEST_F(DbTest, UpsertOverExpiredKey) {
  db_.Add(KvEntry::CreateString("a", "old", kStart + 1));
  clock_.AdvanceMs(2);
  db_.Upsert(KvEntry::CreateString("a", "new"));
  EXPECT_EQ(stats_.expired_keys, 1u);
  EXPECT_EQ(db_.size(), 1u);
  EXPECT_EQ(db_.expires_count(), 0u);
  char scratch[24];
  EXPECT_EQ(db_.LookupRead("a")->StringValue(scratch), "new");
}

TEST_F(DbTest, ScanSkipsAndDeletesExpired) {
  for (int i = 0; i < 1000; ++i) {
    int64_t ttl = i % 2 ? kStart + 10 : KvEntry::kNoExpire;
    db_.Add(KvEntry::CreateString("k" + std::to_string(i), "v", ttl));
  }
  clock_.AdvanceMs(11);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = db_.Scan(cursor, [&](KvEntry* e) {
      EXPECT_FALSE(e->has_expire());
      seen.insert(std::string(e->key()));
    });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 500u);
  EXPECT_EQ(db_.size(), 500u);
  EXPECT_EQ(db_.expires_count(), 0u);
  EXPECT_EQ(stats_.expired_keys, 500u);
}

TEST_F(DbTest, RandomEntrySkipsExpired) {
  for (int i = 0; i < 100; ++i) {
    db_.Add(KvEntry::CreateString("v" + std::to_string(i), "v", kStart + 10));
  }
  db_.Add(KvEntry::CreateString("keep", "v"));
  clock_.AdvanceMs(11);
  for (int i = 0; i < 20; ++i) {
    KvEntry* e = db_.RandomEntry();
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->key(), "keep");
  }
  db_.Delete("keep");
  db_.Clear();
  EXPECT_EQ(db_.RandomEntry(), nullptr);

  db_.Add(KvEntry::CreateString("x", "v", kStart + 20));
  clock_.AdvanceMs(20);
  EXPECT_EQ(db_.RandomEntry(), nullptr);  // all expired: emptied
  EXPECT_EQ(db_.size(), 0u);
}

TEST_F(DbTest, ActiveExpireReclaimsEverything) {
  constexpr int kN = 200'000;
  for (int i = 0; i < kN; ++i) {
    int64_t ttl = i % 4 == 0 ? KvEntry::kNoExpire : kStart + 1000 + i % 100;
    db_.Add(KvEntry::CreateString("key:" + std::to_string(i), "value", ttl));
  }
  EXPECT_EQ(db_.ActiveExpireCycle(25'000), 0u);  // nothing expired yet
  clock_.AdvanceMs(2000);
  size_t total = 0;
  int cycles = 0;
  while (db_.expires_count() > 0 && cycles < 1000) {
    total += db_.ActiveExpireCycle(25'000);  // hz=10, 25% CPU
    ++cycles;
  }
  EXPECT_EQ(db_.expires_count(), 0u);
  EXPECT_EQ(total, size_t(kN - kN / 4));
  EXPECT_EQ(db_.size(), size_t(kN / 4));
  EXPECT_EQ(stats_.expired_keys, total);
  EXPECT_EQ(observer_.expired.size(), total);
  EXPECT_LT(cycles, 100);  // a few seconds of cron at hz=10 even in debug builds
  EXPECT_EQ(db_.ActiveExpireCycle(25'000), 0u);
}

TEST_F(DbTest, ActiveExpireStopsEarlyWhenClean) {
  constexpr int kN = 50'000;
  for (int i = 0; i < kN; ++i) {
    db_.Add(KvEntry::CreateString("key:" + std::to_string(i), "v", kStart + 1'000'000));
  }
  // A single stale key among many volatile ones: one cycle looks at a sample and stops.
  db_.Add(KvEntry::CreateString("stale", "v", kStart + 1));
  clock_.AdvanceMs(2);
  db_.ActiveExpireCycle(1'000'000);
  EXPECT_GE(db_.size(), size_t(kN));  // did not need to walk everything
  EXPECT_EQ(stats_.expired_time_cap_reached_count, 0u);
  // Repeated cycles eventually reach it (persistent cursor).
  for (int i = 0; i < 100'000 && db_.dict().Find("stale"); ++i) db_.ActiveExpireCycle(1'000'000);
  EXPECT_EQ(db_.dict().Find("stale"), nullptr);
}

TEST_F(DbTest, ActiveExpireRespectsTimeBudget) {
  for (int i = 0; i < 100'000; ++i) {
    db_.Add(KvEntry::CreateString("key:" + std::to_string(i), "v", kStart + 1));
  }
  clock_.AdvanceMs(2);
  size_t n = db_.ActiveExpireCycle(1);  // ~1us: stops at the first time check
  EXPECT_GT(n, 0u);
  EXPECT_LT(n, 100'000u);
  EXPECT_EQ(stats_.expired_time_cap_reached_count, 1u);
}

TEST(KeyspaceTest, SwapDbFlushAndTotals) {
  ManualClock clock(kStart);
  Keyspace ks(16, &clock);
  EXPECT_EQ(ks.num_dbs(), 16);
  ks.db(0).Add(KvEntry::CreateString("a", "1", kStart + 100));
  ks.db(0).Add(KvEntry::CreateString("b", "1"));
  ks.db(3).Add(KvEntry::CreateString("c", "1"));
  EXPECT_EQ(ks.TotalKeys(), 3u);
  ks.SwapDb(0, 3);
  EXPECT_EQ(ks.db(0).size(), 1u);
  EXPECT_EQ(ks.db(0).expires_count(), 0u);
  EXPECT_NE(ks.db(0).LookupRead("c"), nullptr);
  EXPECT_EQ(ks.db(3).size(), 2u);
  EXPECT_EQ(ks.db(3).expires_count(), 1u);
  EXPECT_NE(ks.db(3).LookupRead("a"), nullptr);
  EXPECT_EQ(ks.db(3).index(), 3);
  EXPECT_EQ(ks.stats().keyspace_hits, 2u);  // shared stats
  ks.SwapDb(5, 5);
  ks.FlushAll();
  EXPECT_EQ(ks.TotalKeys(), 0u);
  EXPECT_EQ(ks.db(3).expires_count(), 0u);
}

TEST(KeyspaceTest, ActiveExpireRoundRobinAndCron) {
  ManualClock clock(kStart);
  Keyspace ks(4, &clock);
  for (int d = 0; d < 4; ++d) {
    for (int i = 0; i < 5000; ++i) {
      ks.db(d).Add(KvEntry::CreateString("k" + std::to_string(i), "v", kStart + 1));
    }
  }
  clock.AdvanceMs(2);
  size_t total = 0;
  for (int i = 0; i < 200 && ks.TotalKeys() > 0; ++i) total += ks.ActiveExpire(25'000);
  EXPECT_EQ(total, 20'000u);
  EXPECT_EQ(ks.TotalKeys(), 0u);
  EXPECT_EQ(ks.stats().expired_keys, 20'000u);
  // The emptied tables shrink through the cron.
  for (int i = 0; i < 10; ++i) ks.Cron(1'000'000);
  for (int d = 0; d < 4; ++d) {
    EXPECT_FALSE(ks.db(d).dict().rehashing());
    EXPECT_LE(ks.db(d).dict().bucket_count(), 4u);
  }
}

}  // namespace
}  // namespace ember
