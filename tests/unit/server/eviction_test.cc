// Unit tests for maxmemory eviction (server/eviction.h) and the LFU counter (core/lfu.h).
//  - LFU math: logarithmic increment, initial value, decay per lfu-decay-time, minute wrap.
//  - VictimSelector on a Keyspace with a ManualClock, for each of the eight policies: which
//    keys go and which stay (sampling as many keys as there are, so the choice is exact).
//  - Evictor through the in-process harness with a fake memory counter (a fixed cost per key):
//    commands evict down to maxmemory before they run, -OOM for denyoom commands when nothing
//    is evictable, MULTI/EXEC/DISCARD under OOM, evicted_keys and the "evicted" event.
#include "server/eviction.h"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "command_harness.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/lfu.h"
#include "server/client.h"
#include "server/server.h"

namespace ember {
namespace {

using testing::Harness;

constexpr int64_t kMinute = 60'000;

// --- LFU ------------------------------------------------------------------------------------

TEST(LfuTest, IncrementIsLogarithmic) {
  // At or below the initial value every access counts.
  EXPECT_EQ(LfuLogIncr(0, 10, 0.999), 1);
  EXPECT_EQ(LfuLogIncr(kLfuInitVal, 10, 0.999), kLfuInitVal + 1);
  // Above it the odds are 1 / ((counter - 5) * factor + 1): 1/101 at 15 with factor 10.
  EXPECT_EQ(LfuLogIncr(15, 10, 1.0 / 101 - 1e-9), 16);
  EXPECT_EQ(LfuLogIncr(15, 10, 1.0 / 101 + 1e-9), 15);
  // Factor 0: every access counts; 255 saturates.
  EXPECT_EQ(LfuLogIncr(200, 0, 0.999), 201);
  EXPECT_EQ(LfuLogIncr(255, 0, 0.0), 255);
}

TEST(LfuTest, ManyAccessesGrowSlowly) {
  const int64_t now = 1'700'000'000'000;
  uint32_t field = LfuField(kLfuInitVal, now);
  for (int i = 0; i < 1000; ++i) field = LfuTouch(field, 10, 1, now);
  int counter = int(field & 0xff);
  // Redis's table for factor 10: ~18 after 1,000 hits.
  EXPECT_GT(counter, 12);
  EXPECT_LT(counter, 26);
  for (int i = 0; i < 100000; ++i) field = LfuTouch(field, 0, 1, now);
  EXPECT_EQ(field & 0xff, 255u);
}

TEST(LfuTest, DecayPerPeriod) {
  const int64_t t0 = 1'700'000'000'000;
  uint32_t field = LfuField(10, t0);
  EXPECT_EQ(LfuDecayedCounter(field, 1, t0), 10);
  EXPECT_EQ(LfuDecayedCounter(field, 1, t0 + 3 * kMinute), 7);
  EXPECT_EQ(LfuDecayedCounter(field, 2, t0 + 3 * kMinute), 9);
  EXPECT_EQ(LfuDecayedCounter(field, 0, t0 + 300 * kMinute), 10);  // 0: no decay
  EXPECT_EQ(LfuDecayedCounter(field, 1, t0 + 300 * kMinute), 0);
  // The minute field wraps every 2^16 minutes; elapsed time is modular.
  uint32_t wrapped = (0xfffeu << 8) | 10;
  EXPECT_EQ(LfuElapsedMinutes(0xfffe, int64_t(0x10001) * kMinute), 2u);
  EXPECT_EQ(LfuDecayedCounter(wrapped, 1, int64_t(0x10001) * kMinute), 8);
}

// --- VictimSelector ---------------------------------------------------------------------------

class SelectorTest : public ::testing::Test {
 protected:
  SelectorTest() : ks_(16, &clock_) {}

  // Adds key `name` with an LRU field `idle` seconds old (or an LFU counter under LFU) and
  // an optional TTL in ms from now.
  void AddKey(int db, const std::string& name, uint32_t access, int64_t ttl_ms = -1) {
    int64_t expire = ttl_ms < 0 ? KvEntry::kNoExpire : clock_.NowMs() + ttl_ms;
    KvEntry* e = KvEntry::CreateString(name, "v", expire);
    ks_.db(db).Add(e);
    if (ks_.access_policy().lfu) {
      e->set_lru(LfuField(uint8_t(access), clock_.NowMs()));
    } else {
      e->set_lru((ks_.db(db).LruClock() - access) & 0xffffff);
    }
  }

  // Evicts `n` keys chosen under `policy` and returns their names ("db:key").
  std::set<std::string> EvictN(EvictionPolicy policy, int n) {
    std::set<std::string> out;
    for (int i = 0; i < n; ++i) {
      VictimSelector::Victim v = selector_.Select(ks_, policy, kExact);
      if (v.entry == nullptr) break;
      out.insert(std::to_string(v.db) + ":" + std::string(v.entry->key()));
      ks_.db(v.db).Evict(v.entry);
    }
    return out;
  }

  static constexpr int kExact = 1000;  // samples >= keys: every key is a candidate
  ManualClock clock_;
  Keyspace ks_;
  VictimSelector selector_;
};

TEST_F(SelectorTest, ParsesPolicyNames) {
  EXPECT_EQ(ParseEvictionPolicy("allkeys-lru"), EvictionPolicy::kAllKeysLru);
  EXPECT_EQ(ParseEvictionPolicy("VOLATILE-TTL"), EvictionPolicy::kVolatileTtl);
  EXPECT_EQ(ParseEvictionPolicy("noeviction"), EvictionPolicy::kNoEviction);
  EXPECT_FALSE(ParseEvictionPolicy("lru").has_value());
  EXPECT_TRUE(IsVolatilePolicy(EvictionPolicy::kVolatileRandom));
  EXPECT_FALSE(IsVolatilePolicy(EvictionPolicy::kAllKeysLfu));
}

TEST_F(SelectorTest, NoEvictionNeverSelects) {
  AddKey(0, "a", 100);
  EXPECT_EQ(selector_.Select(ks_, EvictionPolicy::kNoEviction, 5).entry, nullptr);
}

TEST_F(SelectorTest, AllKeysLruEvictsLongestIdleAcrossDbs) {
  for (int i = 0; i < 50; ++i) AddKey(i % 3, "k" + std::to_string(i), uint32_t(i));
  std::set<std::string> gone = EvictN(EvictionPolicy::kAllKeysLru, 5);
  EXPECT_EQ(gone, (std::set<std::string>{"1:k49", "0:k48", "2:k47", "1:k46", "0:k45"}));
  EXPECT_EQ(ks_.TotalKeys(), 45u);
  EXPECT_EQ(ks_.stats().evicted_keys, 5u);
}

TEST_F(SelectorTest, AllKeysLfuEvictsLeastFrequent) {
  ks_.access_policy().lfu = true;
  for (int i = 0; i < 40; ++i) AddKey(0, "k" + std::to_string(i), uint32_t(100 + i));
  AddKey(0, "rare1", 1);
  AddKey(0, "rare2", 2);
  EXPECT_EQ(EvictN(EvictionPolicy::kAllKeysLfu, 2), (std::set<std::string>{"0:rare1", "0:rare2"}));
}

TEST_F(SelectorTest, LfuScoresDecayedCounters) {
  ks_.access_policy().lfu = true;
  ks_.access_policy().lfu_decay_time = 1;
  AddKey(0, "was-hot", 50);  // 50, but untouched for 45 minutes -> 5
  clock_.AdvanceMs(45 * kMinute);
  AddKey(0, "warm", 20);
  EXPECT_EQ(ks_.db(0).LfuCounter(ks_.db(0).dict().Find("was-hot")), 5);
  EXPECT_EQ(EvictN(EvictionPolicy::kAllKeysLfu, 1), (std::set<std::string>{"0:was-hot"}));
}

TEST_F(SelectorTest, VolatileLruSparesPersistentKeys) {
  for (int i = 0; i < 20; ++i) AddKey(0, "p" + std::to_string(i), 1000);  // oldest, no TTL
  for (int i = 0; i < 20; ++i) AddKey(0, "v" + std::to_string(i), uint32_t(i), 100'000);
  std::set<std::string> gone = EvictN(EvictionPolicy::kVolatileLru, 3);
  EXPECT_EQ(gone, (std::set<std::string>{"0:v19", "0:v18", "0:v17"}));
  // Every volatile key can go, then nothing qualifies.
  EXPECT_EQ(EvictN(EvictionPolicy::kVolatileLru, 100).size(), 17u);
  EXPECT_EQ(ks_.db(0).size(), 20u);
  EXPECT_EQ(selector_.Select(ks_, EvictionPolicy::kVolatileLru, 5).entry, nullptr);
}

TEST_F(SelectorTest, VolatileLfuSparesPersistentKeys) {
  ks_.access_policy().lfu = true;
  for (int i = 0; i < 10; ++i) AddKey(0, "p" + std::to_string(i), 0);
  for (int i = 0; i < 10; ++i) AddKey(0, "v" + std::to_string(i), uint32_t(10 + i), 100'000);
  EXPECT_EQ(EvictN(EvictionPolicy::kVolatileLfu, 2), (std::set<std::string>{"0:v0", "0:v1"}));
  EXPECT_EQ(EvictN(EvictionPolicy::kVolatileLfu, 100).size(), 8u);
  EXPECT_EQ(ks_.db(0).size(), 10u);
}

TEST_F(SelectorTest, VolatileTtlEvictsSoonestExpiry) {
  AddKey(0, "forever", 5000);
  for (int i = 0; i < 30; ++i) AddKey(1, "t" + std::to_string(i), 0, 1000 * (i + 1));
  EXPECT_EQ(EvictN(EvictionPolicy::kVolatileTtl, 3),
            (std::set<std::string>{"1:t0", "1:t1", "1:t2"}));
  EXPECT_EQ(EvictN(EvictionPolicy::kVolatileTtl, 100).size(), 27u);
  EXPECT_NE(ks_.db(0).dict().Find("forever"), nullptr);
}

TEST_F(SelectorTest, RandomPolicies) {
  for (int i = 0; i < 30; ++i) AddKey(i % 2, "p" + std::to_string(i), 0);
  for (int i = 0; i < 30; ++i) AddKey(i % 4, "v" + std::to_string(i), 0, 100'000);
  std::set<std::string> gone = EvictN(EvictionPolicy::kVolatileRandom, 100);
  EXPECT_EQ(gone.size(), 30u);
  for (const std::string& k : gone) EXPECT_NE(k.find(":v"), std::string::npos) << k;
  EXPECT_EQ(selector_.Select(ks_, EvictionPolicy::kVolatileRandom, 5).entry, nullptr);
  EXPECT_EQ(EvictN(EvictionPolicy::kAllKeysRandom, 100).size(), 30u);
  EXPECT_EQ(ks_.TotalKeys(), 0u);
  EXPECT_EQ(selector_.Select(ks_, EvictionPolicy::kAllKeysRandom, 5).entry, nullptr);
}

TEST_F(SelectorTest, StaleCandidatesAreSkipped) {
  for (int i = 0; i < 10; ++i) AddKey(0, "k" + std::to_string(i), uint32_t(i));
  VictimSelector::Victim v = selector_.Select(ks_, EvictionPolicy::kAllKeysLru, kExact);
  ASSERT_NE(v.entry, nullptr);
  EXPECT_EQ(v.entry->key(), "k9");
  EXPECT_GT(selector_.pool_size(), 0u);
  // The next best candidates go away behind the selector's back.
  ASSERT_TRUE(ks_.db(0).Delete("k9"));
  ASSERT_TRUE(ks_.db(0).Delete("k8"));
  v = selector_.Select(ks_, EvictionPolicy::kAllKeysLru, kExact);
  ASSERT_NE(v.entry, nullptr);
  EXPECT_EQ(v.entry->key(), "k7");
}

TEST_F(SelectorTest, SmallSampleStillPrefersOldKeys) {
  // With Redis's default of 5 samples the pool makes the choice good, not exact: of 1,000
  // keys, the 100 evicted first should be mostly from the oldest half.
  for (int i = 0; i < 1000; ++i) AddKey(0, "k" + std::to_string(i), uint32_t(i));
  int old = 0;
  for (int i = 0; i < 100; ++i) {
    VictimSelector::Victim v = selector_.Select(ks_, EvictionPolicy::kAllKeysLru, 5);
    ASSERT_NE(v.entry, nullptr);
    if (std::stoi(std::string(v.entry->key().substr(1))) >= 500) ++old;
    ks_.db(0).Evict(v.entry);
  }
  EXPECT_GT(old, 90);
}

TEST(EvictorLimitTest, TimeLimitFollowsTenacity) {
  EXPECT_EQ(Evictor::TimeLimitUs(0), 0u);
  EXPECT_EQ(Evictor::TimeLimitUs(10), 500u);
  EXPECT_EQ(Evictor::TimeLimitUs(11), 575u);
  EXPECT_GT(Evictor::TimeLimitUs(99), 60'000'000u);
  EXPECT_EQ(Evictor::TimeLimitUs(100), UINT64_MAX);
}

// --- Evictor through the dispatcher ---------------------------------------------------------

class EvictorTest : public ::testing::Test {
 protected:
  static constexpr uint64_t kBase = 10'000, kPerKey = 100;

  EvictorTest() {
    // A fake used_memory: a fixed base plus a fixed cost per key.
    h_.server().evictor().set_memory_source(
        [this] { return kBase + kPerKey * h_.server().keyspace().TotalKeys(); });
  }

  void SetPolicy(const std::string& policy, uint64_t max_keys) {
    // As many samples as keys: the choice of victims is exact, the tests deterministic.
    ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory-samples", "64"}), "OK");
    ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory-policy", policy}), "OK");
    ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory", std::to_string(kBase + kPerKey * max_keys)}),
              "OK");
  }

  std::string Info(const std::string& field) {
    std::string info = h_.Run({"INFO", "stats"});
    size_t p = info.find(field + ":");
    return info.substr(p + field.size() + 1, info.find('\r', p) - p - field.size() - 1);
  }

  Harness h_;
};

TEST_F(EvictorTest, AllKeysLruKeepsUnderTheLimit) {
  SetPolicy("allkeys-lru", 20);
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(h_.Run({"SET", "k" + std::to_string(i), "v"}), "OK");
    h_.clock().AdvanceMs(1000);
  }
  h_.Run({"PING"});  // the check before a command evicts what the last SET added
  EXPECT_EQ(h_.Run({"DBSIZE"}), "(integer) 20");
  EXPECT_EQ(Info("evicted_keys"), "30");
  // LRU: the newest keys stayed.
  EXPECT_EQ(h_.Run({"EXISTS", "k49", "k30", "k29", "k0"}), "(integer) 2");
  EXPECT_EQ(h_.Run({"CONFIG", "RESETSTAT"}), "OK");
  EXPECT_EQ(Info("evicted_keys"), "0");
}

TEST_F(EvictorTest, NoEvictionRefusesDenyOomCommands) {
  SetPolicy("noeviction", 3);
  for (int i = 0; i < 4; ++i) h_.Run({"SET", "k" + std::to_string(i), "v"});
  const std::string oom = "(error) OOM command not allowed when used memory > 'maxmemory'.";
  EXPECT_EQ(h_.Run({"SET", "x", "y"}), oom);
  EXPECT_EQ(h_.Run({"LPUSH", "l", "a"}), oom);
  EXPECT_EQ(h_.Run({"GET", "k1"}), "v");            // reads still run
  EXPECT_EQ(h_.Run({"DEL", "k1"}), "(integer) 1");  // DEL is not denyoom
  EXPECT_EQ(h_.Run({"DEL", "k2"}), "(integer) 1");
  EXPECT_EQ(h_.Run({"SET", "x", "y"}), "OK");
  EXPECT_EQ(Info("evicted_keys"), "0");
}

TEST_F(EvictorTest, VolatilePolicyWithoutTtlsRefuses) {
  SetPolicy("volatile-lru", 3);
  for (int i = 0; i < 4; ++i) h_.Run({"SET", "k" + std::to_string(i), "v"});
  EXPECT_EQ(h_.Run({"SET", "x", "y"}),
            "(error) OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(h_.Run({"DBSIZE"}), "(integer) 4");
}

TEST_F(EvictorTest, MultiUnderOom) {
  SetPolicy("noeviction", 1);
  h_.Run({"SET", "a", "1"});
  h_.Run({"SET", "b", "1"});
  // Queueing is refused (any command but EXEC/DISCARD/QUIT/RESET) and fails the transaction.
  EXPECT_EQ(h_.Run({"MULTI"}), "OK");
  EXPECT_EQ(h_.Run({"GET", "a"}),
            "(error) OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(h_.Run({"EXEC"}),
            "(error) EXECABORT Transaction discarded because of previous errors.");
  EXPECT_EQ(h_.Run({"MULTI"}), "OK");
  EXPECT_EQ(h_.Run({"DISCARD"}), "OK");
  // A transaction queued before memory ran out holding a denyoom command: EXEC is refused.
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory", "0"}), "OK");
  EXPECT_EQ(h_.Run({"MULTI"}), "OK");
  EXPECT_EQ(h_.Run({"SET", "c", "1"}), "QUEUED");
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory", std::to_string(kBase + kPerKey)}), "QUEUED");
  EXPECT_EQ(h_.Run({"EXEC"}), "[OK, OK]");
  EXPECT_EQ(h_.Run({"MULTI"}), "OK");  // MULTI itself takes no memory
  EXPECT_EQ(h_.Run({"SET", "d", "1"}),
            "(error) OOM command not allowed when used memory > 'maxmemory'.");
  EXPECT_EQ(h_.Run({"DISCARD"}), "OK");
}

TEST_F(EvictorTest, ExecWithDenyOomCommandIsAborted) {
  SetPolicy("noeviction", 100);
  h_.Run({"SET", "a", "1"});
  EXPECT_EQ(h_.Run({"MULTI"}), "OK");
  EXPECT_EQ(h_.Run({"SET", "b", "1"}), "QUEUED");
  // Memory runs out behind the transaction's back (another client's writes).
  h_.server().evictor().set_memory_source([] { return UINT64_MAX / 2; });
  EXPECT_EQ(h_.Run({"EXEC"}),
            "(error) EXECABORT Transaction discarded because of: OOM command not allowed when used "
            "memory > 'maxmemory'.");
  EXPECT_EQ(h_.Run({"GET", "b"}), "(nil)");
}

TEST_F(EvictorTest, EvictedKeysRaiseEventsAndInvalidateWatch) {
  SetPolicy("allkeys-lru", 5);
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "notify-keyspace-events", "Ee"}), "OK");
  Client* sub = h_.server().CreateFakeClient();
  std::vector<std::string_view> psub = {"PSUBSCRIBE", "__keyevent@*__:evicted"};
  h_.server().Execute(*sub, psub);
  sub->obuf.clear();
  for (int i = 0; i < 5; ++i) {
    h_.Run({"SET", "k" + std::to_string(i), "v"});
    h_.clock().AdvanceMs(1000);
  }
  EXPECT_EQ(h_.Run({"WATCH", "k0"}), "OK");  // the oldest: evicted first
  h_.Run({"SET", "k5", "v"});
  h_.Run({"MULTI"});
  h_.Run({"PING"});
  EXPECT_EQ(h_.Run({"EXEC"}), "(nil)");  // the evicted key was watched
  EXPECT_EQ(Info("evicted_keys"), "1");
  EXPECT_EQ(h_.Run({"EXISTS", "k0"}), "(integer) 0");
  size_t pos = 0;
  std::string msg = Harness::Render(sub->obuf, &pos);
  EXPECT_NE(msg.find("__keyevent@0__:evicted"), std::string::npos) << msg;
}

TEST_F(EvictorTest, LfuPolicyCountsAccesses) {
  SetPolicy("allkeys-lfu", 1000);
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "lfu-log-factor", "0"}), "OK");
  h_.Run({"SET", "k", "v"});
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "k"}), "(integer) 5");
  for (int i = 0; i < 10; ++i) h_.Run({"GET", "k"});
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "k"}), "(integer) 15");
  h_.Run({"SET", "k", "w"});  // an overwrite keeps the counter and counts as an access
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "k"}), "(integer) 16");
  h_.clock().AdvanceMs(10 * kMinute);
  EXPECT_EQ(h_.Run({"OBJECT", "FREQ", "k"}), "(integer) 6");
  ASSERT_EQ(h_.Run({"CONFIG", "SET", "maxmemory-policy", "allkeys-lru"}), "OK");
  h_.Run({"SET", "n", "v"});
  EXPECT_EQ(h_.Run({"OBJECT", "IDLETIME", "n"}), "(integer) 0");
}

TEST_F(EvictorTest, ExceededTimeIsTracked) {
  SetPolicy("noeviction", 1);
  h_.Run({"SET", "a", "1"});
  h_.Run({"SET", "b", "1"});
  h_.Run({"PING"});
  EXPECT_TRUE(h_.server().evictor().pre_command_oom());
  h_.Run({"DEL", "a"});
  h_.Run({"PING"});
  EXPECT_FALSE(h_.server().evictor().pre_command_oom());
  EXPECT_EQ(Info("current_eviction_exceeded_time"), "0");
}

}  // namespace
}  // namespace ember
