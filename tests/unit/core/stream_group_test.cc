// Unit tests for stream consumer groups (core/stream_group.cc): groups and consumers, and the
// entries-read / lag rules of Redis 7.2 in the situations Redis's own suite walks through
// (fresh streams, plain reads, deletions ahead of and behind a group, trimming).
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/stream.h"

namespace ember {
namespace {

void Add(Stream& s, uint64_t ms) {
  std::vector<std::string_view> fv = {"f", "v"};
  s.Append(StreamId{ms, 0}, fv, StreamLimits{});
}

// Delivers the next entry after g's position, as XREADGROUP ">" does; returns its id.
StreamId ReadNext(Stream& s, StreamGroup& g) {
  StreamId start, got;
  EXPECT_TRUE(g.last_id.Next(&start));
  size_t n = s.Range(start, StreamId::Max(), false, 1,
                     [&](StreamId id, std::span<const std::string_view>) {
                       got = id;
                       return true;
                     });
  EXPECT_EQ(n, 1u);
  s.AdvanceGroup(g, got);
  return got;
}

TEST(StreamGroupTest, CreateFindDestroy) {
  Stream s;
  StreamGroup* g = s.CreateGroup("g1", StreamId{5, 1}, 3);
  ASSERT_NE(g, nullptr);
  EXPECT_EQ(g->last_id, (StreamId{5, 1}));
  EXPECT_EQ(g->entries_read, 3);
  EXPECT_EQ(s.CreateGroup("g1", StreamId{}, -1), nullptr);  // BUSYGROUP
  ASSERT_NE(s.CreateGroup("a", StreamId{}, -1), nullptr);
  EXPECT_EQ(s.FindGroup("g1"), g);
  EXPECT_EQ(s.FindGroup("nope"), nullptr);
  // Listed by name.
  std::vector<std::string> names;
  for (const auto& [name, grp] : s.groups()) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"a", "g1"}));
  EXPECT_TRUE(s.DestroyGroup("g1"));
  EXPECT_FALSE(s.DestroyGroup("g1"));
  EXPECT_EQ(s.FindGroup("g1"), nullptr);
}

TEST(StreamGroupTest, Consumers) {
  StreamGroup g;
  bool created;
  StreamConsumer* alice = g.GetOrCreateConsumer("alice", 1000, &created);
  ASSERT_TRUE(created);
  EXPECT_EQ(alice->name, "alice");
  EXPECT_EQ(alice->seen_time_ms, 1000);
  EXPECT_EQ(alice->active_time_ms, -1);
  EXPECT_EQ(g.GetOrCreateConsumer("alice", 2000, &created), alice);
  EXPECT_FALSE(created);
  EXPECT_EQ(alice->seen_time_ms, 1000);  // the caller refreshes it
  EXPECT_EQ(g.FindConsumer("alice"), alice);
  EXPECT_EQ(g.FindConsumer("bob"), nullptr);

  StreamConsumer* bob = g.GetOrCreateConsumer("bob", 1000, &created);
  for (uint64_t ms : {1, 2, 3}) {
    StreamConsumer* owner = ms == 2 ? bob : alice;
    g.pel[StreamId{ms, 0}].consumer = owner;
    owner->pel.insert(StreamId{ms, 0});
  }
  EXPECT_EQ(g.DeleteConsumer("alice"), 2u);
  EXPECT_EQ(g.FindConsumer("alice"), nullptr);
  ASSERT_EQ(g.pel.size(), 1u);  // alice's records went with her
  EXPECT_EQ(g.pel.begin()->first, (StreamId{2, 0}));
  EXPECT_EQ(g.DeleteConsumer("alice"), 0u);
  EXPECT_EQ(g.DeleteConsumer("bob"), 1u);
  EXPECT_TRUE(g.pel.empty());
}

TEST(StreamGroupTest, LagOfFreshAndEmptiedStreams) {
  Stream s;
  StreamGroup* g = s.CreateGroup("g", StreamId{}, -1);
  EXPECT_EQ(s.Lag(*g), 0u);  // nothing ever added
  EXPECT_EQ(s.EstimateEntriesRead(StreamId{7, 0}), 0u);
  Add(s, 1);
  ASSERT_TRUE(s.Delete(StreamId{1, 0}));
  // Empty again, but one entry was added: any id up to the last one is at position 1.
  EXPECT_EQ(s.EstimateEntriesRead(StreamId{}), 1u);
  EXPECT_EQ(s.Lag(*g), 0u);
  EXPECT_EQ(s.EstimateEntriesRead(StreamId{2, 0}), std::nullopt);  // the future
}

TEST(StreamGroupTest, ReadCounterAndLagWithoutDeletions) {
  Stream s;
  for (uint64_t ms = 1; ms <= 5; ms++) Add(s, ms);
  StreamGroup* g = s.CreateGroup("g", StreamId{}, -1);
  EXPECT_EQ(s.Lag(*g), 5u);  // before the first entry: entries_added - length
  ReadNext(s, *g);
  EXPECT_EQ(g->entries_read, 1);  // the first entry: recovered exactly
  EXPECT_EQ(s.Lag(*g), 4u);
  for (int i = 0; i < 4; i++) ReadNext(s, *g);
  EXPECT_EQ(g->entries_read, 5);
  EXPECT_EQ(s.Lag(*g), 0u);
  Add(s, 6);
  EXPECT_EQ(g->entries_read, 5);
  EXPECT_EQ(s.Lag(*g), 1u);
}

TEST(StreamGroupTest, LagWithDeletionAhead) {
  Stream s;
  for (uint64_t ms = 1; ms <= 5; ms++) Add(s, ms);
  ASSERT_TRUE(s.Delete(StreamId{3, 0}));
  StreamGroup* g1 = s.CreateGroup("g1", StreamId{}, -1);
  StreamGroup* g2 = s.CreateGroup("g2", StreamId{}, -1);
  EXPECT_EQ(s.Lag(*g1), std::nullopt);  // a deletion lies ahead: unknown
  for (uint64_t want : {1, 2, 4}) {
    EXPECT_EQ(ReadNext(s, *g1), (StreamId{want, 0}));
    EXPECT_EQ(g1->entries_read, -1);
    EXPECT_EQ(s.Lag(*g1), std::nullopt);
  }
  EXPECT_EQ(ReadNext(s, *g1), (StreamId{5, 0}));  // the last entry: known again
  EXPECT_EQ(g1->entries_read, 5);
  EXPECT_EQ(s.Lag(*g1), 0u);
  Add(s, 6);
  EXPECT_EQ(s.Lag(*g1), 1u);

  // Trimming past the deletion makes positions before the first entry known again.
  s.TrimMinId(StreamId{3, 0}, false, 0);
  EXPECT_EQ(s.Lag(*g1), 1u);
  EXPECT_EQ(s.Lag(*g2), 3u);  // 0-0 is before the first entry (4-0): 6 added - 3 left
  s.TrimMinId(StreamId{5, 0}, false, 0);
  EXPECT_EQ(s.Lag(*g2), 2u);
}

TEST(StreamGroupTest, CounterKeepsCountingWhenDeletionIsBehind) {
  Stream s;
  for (uint64_t ms = 1; ms <= 4; ms++) Add(s, ms);
  StreamGroup* g = s.CreateGroup("g", StreamId{}, 0);
  ReadNext(s, *g);
  ReadNext(s, *g);
  ASSERT_TRUE(s.Delete(StreamId{1, 0}));  // behind the group
  ReadNext(s, *g);
  EXPECT_EQ(g->entries_read, 3);
  EXPECT_EQ(s.Lag(*g), 1u);
  // A deletion ahead of a group with a valid counter: the counter stays, the lag is
  // estimated instead (and here cannot be).
  ASSERT_TRUE(s.Delete(StreamId{4, 0}));
  Add(s, 5);
  EXPECT_EQ(g->entries_read, 3);
  EXPECT_EQ(s.Lag(*g), std::nullopt);
}

TEST(StreamGroupTest, EntriesReadPastTheEndGivesNegativeLag) {
  Stream s;
  Add(s, 1);
  Add(s, 2);
  StreamGroup* g = s.CreateGroup("g", StreamId{}, 100);
  std::optional<uint64_t> lag = s.Lag(*g);
  ASSERT_TRUE(lag.has_value());
  EXPECT_EQ(int64_t(*lag), -98);  // as Redis reports it
}

TEST(StreamGroupTest, CloneKeepsGroupsAndPendingOwners) {
  Stream s;
  Add(s, 1);
  StreamGroup* g = s.CreateGroup("g", StreamId{1, 0}, 1);
  bool created;
  StreamConsumer* c = g->GetOrCreateConsumer("c", 5, &created);
  g->pel[StreamId{1, 0}] = {c, 7, 2};
  c->pel.insert(StreamId{1, 0});
  std::unique_ptr<Stream> copy = s.Clone();
  StreamGroup* cg = copy->FindGroup("g");
  ASSERT_NE(cg, nullptr);
  StreamConsumer* cc = cg->FindConsumer("c");
  ASSERT_NE(cc, nullptr);
  ASSERT_EQ(cc->pel.size(), 1u);
  EXPECT_EQ(*cc->pel.begin(), (StreamId{1, 0}));
  EXPECT_EQ(cg->pel.begin()->second.consumer, cc);
  EXPECT_EQ(cg->pel.begin()->second.delivery_time_ms, 7);
  EXPECT_EQ(cg->pel.begin()->second.delivery_count, 2u);
}

// The group PEL and the consumer indexes agree (the invariant stream.h states).
void ExpectIndexesAgree(const StreamGroup& g) {
  size_t indexed = 0;
  for (const auto& [name, c] : g.consumers) {
    indexed += c->pel.size();
    for (StreamId id : c->pel) {
      auto it = g.pel.find(id);
      ASSERT_NE(it, g.pel.end());
      EXPECT_EQ(it->second.consumer, c.get());
    }
  }
  EXPECT_EQ(indexed, g.pel.size());
}

// Enough records for many B-tree node splits and merges: filled in order over three
// consumers, then thinned in a scattered order, a consumer deleted, and the rest cloned.
TEST(StreamGroupTest, LargePendingListStaysConsistent) {
  Stream s;
  StreamGroup* g = s.CreateGroup("g", StreamId{}, 0);
  bool created;
  StreamConsumer* cs[3];
  for (int i = 0; i < 3; i++) {
    cs[i] = g->GetOrCreateConsumer(std::string(1, char('a' + i)), 0, &created);
  }
  constexpr uint64_t kN = 20000;
  for (uint64_t ms = 1; ms <= kN; ms++) {
    StreamConsumer* owner = cs[ms % 3];
    g->pel.try_emplace(g->pel.end(), StreamId{ms, 0}, StreamPendingEntry{owner, int64_t(ms), 1});
    owner->pel.insert(owner->pel.end(), StreamId{ms, 0});
  }
  ExpectIndexesAgree(*g);
  // Acknowledge every id whose (ms * 7919) % 5 != 0, in a scattered order.
  size_t acked = 0;
  for (uint64_t k = 0; k < kN; k++) {
    uint64_t ms = (k * 7919) % kN + 1;
    if (ms % 5 == 0) continue;
    auto it = g->pel.find(StreamId{ms, 0});
    ASSERT_NE(it, g->pel.end());
    it->second.consumer->pel.erase(StreamId{ms, 0});
    g->pel.erase(it);
    acked++;
  }
  EXPECT_EQ(g->pel.size(), kN - acked);
  EXPECT_EQ(g->pel.size(), kN / 5);
  ExpectIndexesAgree(*g);
  size_t had = cs[0]->pel.size();
  EXPECT_EQ(g->DeleteConsumer("a"), had);
  EXPECT_EQ(g->pel.size(), kN / 5 - had);
  ExpectIndexesAgree(*g);
  std::unique_ptr<Stream> copy = s.Clone();
  StreamGroup* cg = copy->FindGroup("g");
  ASSERT_NE(cg, nullptr);
  EXPECT_EQ(cg->pel.size(), g->pel.size());
  ExpectIndexesAgree(*cg);
  EXPECT_TRUE(
      std::equal(cg->pel.begin(), cg->pel.end(), g->pel.begin(), [](const auto& x, const auto& y) {
        return x.first == y.first && x.second.delivery_time_ms == y.second.delivery_time_ms &&
               x.second.consumer->name == y.second.consumer->name;
      }));
}

}  // namespace
}  // namespace ember
