// Unit tests for Stream (core/stream.h): id parsing and formatting, packed blocks under the
// node limits, ranges in both directions, deletion, exact and approximate trimming, cloning,
// checked against a std::map model under random operations.
#include "core/stream.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace ember {
namespace {

using Fields = std::vector<std::string>;
using Model = std::map<StreamId, Fields>;

std::vector<std::string_view> Views(const Fields& f) { return {f.begin(), f.end()}; }

void Add(Stream& s, Model& m, StreamId id, const Fields& f, StreamLimits lim = {}) {
  auto v = Views(f);
  s.Append(id, v, lim);
  m[id] = f;
}

// All entries of a range as a model.
Model Collect(const Stream& s, StreamId start, StreamId end, bool reverse = false, size_t count = 0,
              std::vector<StreamId>* order = nullptr) {
  Model out;
  s.Range(start, end, reverse, count, [&](StreamId id, std::span<const std::string_view> fv) {
    out[id] = Fields(fv.begin(), fv.end());
    if (order) order->push_back(id);
    return true;
  });
  return out;
}

void ExpectSame(const Stream& s, const Model& m) {
  ASSERT_EQ(s.length(), m.size());
  EXPECT_EQ(Collect(s, StreamId::Min(), StreamId::Max()), m);
  if (!m.empty()) {
    EXPECT_EQ(s.first_id(), m.begin()->first);
    EXPECT_EQ(s.last_entry_id(), m.rbegin()->first);
  } else {
    EXPECT_EQ(s.first_id(), StreamId{});
  }
}

TEST(StreamIdTest, ParseAndFormat) {
  StreamId id;
  ASSERT_TRUE(StreamId::Parse("1-2", 0, &id));
  EXPECT_EQ(id, (StreamId{1, 2}));
  ASSERT_TRUE(StreamId::Parse("15", 7, &id));
  EXPECT_EQ(id, (StreamId{15, 7}));
  ASSERT_TRUE(StreamId::Parse("18446744073709551615-18446744073709551615", 0, &id));
  EXPECT_EQ(id, StreamId::Max());
  EXPECT_EQ(id.ToString(), "18446744073709551615-18446744073709551615");
  EXPECT_FALSE(StreamId::Parse("18446744073709551616", 0, &id));
  EXPECT_FALSE(StreamId::Parse("", 0, &id));
  EXPECT_FALSE(StreamId::Parse("-", 0, &id));
  EXPECT_FALSE(StreamId::Parse("1-", 0, &id));
  EXPECT_FALSE(StreamId::Parse("-1", 0, &id));
  EXPECT_FALSE(StreamId::Parse("1-2-3", 0, &id));
  EXPECT_FALSE(StreamId::Parse("abc", 0, &id));
  EXPECT_FALSE(StreamId::Parse("1-x", 0, &id));
  // Redis's string2ull falls back to strtoull: leading zeros are accepted.
  ASSERT_TRUE(StreamId::Parse("007-01", 0, &id));
  EXPECT_EQ(id, (StreamId{7, 1}));
  EXPECT_FALSE(StreamId::Parse(std::string(128, '1'), 0, &id));
}

TEST(StreamIdTest, NextPrev) {
  StreamId out;
  EXPECT_TRUE((StreamId{1, UINT64_MAX}).Next(&out));
  EXPECT_EQ(out, (StreamId{2, 0}));
  EXPECT_FALSE(StreamId::Max().Next(&out));
  EXPECT_TRUE((StreamId{2, 0}).Prev(&out));
  EXPECT_EQ(out, (StreamId{1, UINT64_MAX}));
  EXPECT_FALSE(StreamId::Min().Prev(&out));
}

TEST(StreamTest, AppendRangeGet) {
  Stream s;
  Model m;
  Add(s, m, {1, 0}, {"a", "1", "b", "hello"});
  Add(s, m, {1, 1}, {"a", "-5", "b", ""});
  Add(s, m, {5, 0}, {"x", "y"});  // other fields
  Add(s, m, {5, 3}, {"a", "9223372036854775807", "b", "-9223372036854775808"});
  ExpectSame(s, m);
  EXPECT_EQ(s.last_id(), (StreamId{5, 3}));
  EXPECT_EQ(s.entries_added(), 4u);

  Fields got;
  EXPECT_TRUE(s.Get({1, 1}, [&](StreamId, std::span<const std::string_view> fv) {
    got.assign(fv.begin(), fv.end());
    return true;
  }));
  EXPECT_EQ(got, (Fields{"a", "-5", "b", ""}));
  EXPECT_FALSE(s.Get({1, 2}, [](auto, auto) { return true; }));

  std::vector<StreamId> order;
  Collect(s, {1, 1}, {5, 0}, true, 0, &order);
  EXPECT_EQ(order, (std::vector<StreamId>{{5, 0}, {1, 1}}));
  order.clear();
  Collect(s, StreamId::Min(), StreamId::Max(), false, 2, &order);
  EXPECT_EQ(order, (std::vector<StreamId>{{1, 0}, {1, 1}}));
  EXPECT_EQ(Collect(s, {6, 0}, StreamId::Max()).size(), 0u);
  EXPECT_EQ(Collect(s, {5, 0}, {1, 0}).size(), 0u);
}

TEST(StreamTest, NodeLimitsSplitBlocks) {
  Stream s;
  Model m;
  StreamLimits lim{.node_max_bytes = 0, .node_max_entries = 10};
  for (uint64_t i = 1; i <= 95; i++) Add(s, m, {i, 0}, {"f", std::to_string(i)}, lim);
  EXPECT_EQ(s.block_count(), 10u);
  ExpectSame(s, m);

  Stream t;
  Model tm;
  StreamLimits bytes{.node_max_bytes = 200, .node_max_entries = 0};
  for (uint64_t i = 1; i <= 100; i++) Add(t, tm, {i, 0}, {"f", std::string(50, 'x')}, bytes);
  EXPECT_GE(t.block_count(), 25u);
  ExpectSame(t, tm);
}

TEST(StreamTest, DeleteFreesEmptyBlocks) {
  Stream s;
  Model m;
  StreamLimits lim{.node_max_bytes = 0, .node_max_entries = 3};
  for (uint64_t i = 1; i <= 9; i++) Add(s, m, {i, 0}, {"f", "v"}, lim);
  EXPECT_EQ(s.block_count(), 3u);
  for (uint64_t i : {4, 5, 6}) {
    EXPECT_TRUE(s.Delete({i, 0}));
    m.erase({i, 0});
  }
  EXPECT_FALSE(s.Delete({5, 0}));
  EXPECT_FALSE(s.Delete({100, 0}));
  EXPECT_EQ(s.block_count(), 2u);
  EXPECT_EQ(s.max_deleted_id(), (StreamId{6, 0}));
  EXPECT_TRUE(s.Delete({2, 0}));
  m.erase({2, 0});
  EXPECT_EQ(s.max_deleted_id(), (StreamId{6, 0}));
  ExpectSame(s, m);
  // Deleting the last entries keeps last_id.
  for (uint64_t i : {7, 8, 9}) s.Delete({i, 0}), m.erase({i, 0});
  ExpectSame(s, m);
  EXPECT_EQ(s.last_id(), (StreamId{9, 0}));
  Add(s, m, {10, 0}, {"g", "w"}, lim);
  ExpectSame(s, m);
}

TEST(StreamTest, TrimMaxLenExactAndApprox) {
  StreamLimits lim{.node_max_bytes = 0, .node_max_entries = 100};
  Stream s;
  Model m;
  for (uint64_t i = 1; i <= 1000; i++) Add(s, m, {i, 0}, {"f", std::to_string(i)}, lim);
  // Approximate: whole blocks only, as Redis (1000 entries in blocks of 100, ~555 -> 600).
  EXPECT_EQ(s.TrimMaxLen(555, true, 0), 400u);
  EXPECT_EQ(s.length(), 600u);
  // With a limit smaller than a block nothing goes.
  EXPECT_EQ(s.TrimMaxLen(10, true, 50), 0u);
  EXPECT_EQ(s.TrimMaxLen(10, true, 250), 200u);
  EXPECT_EQ(s.length(), 400u);
  // Exact.
  EXPECT_EQ(s.TrimMaxLen(333, false, 0), 67u);
  EXPECT_EQ(s.length(), 333u);
  EXPECT_EQ(s.first_id(), (StreamId{668, 0}));
  while (m.size() > 333) m.erase(m.begin());
  ExpectSame(s, m);
  EXPECT_EQ(s.TrimMaxLen(0, false, 0), 333u);
  EXPECT_EQ(s.length(), 0u);
  EXPECT_EQ(s.block_count(), 0u);
  EXPECT_EQ(s.max_deleted_id(), StreamId{});
}

TEST(StreamTest, TrimMinId) {
  StreamLimits lim{.node_max_bytes = 0, .node_max_entries = 10};
  Stream s;
  Model m;
  for (uint64_t i = 1; i <= 50; i++) Add(s, m, {i, 0}, {"f", "v"}, lim);
  EXPECT_EQ(s.TrimMinId({25, 0}, true, 0), 20u);  // blocks 1-10, 11-20
  EXPECT_EQ(s.TrimMinId({25, 0}, false, 0), 4u);
  EXPECT_EQ(s.first_id(), (StreamId{25, 0}));
  EXPECT_EQ(s.TrimMinId({25, 0}, false, 0), 0u);
  // A MINID past everything with the last entry deleted empties the stream.
  s.Delete({50, 0});
  EXPECT_EQ(s.TrimMinId({50, 0}, false, 0), 25u);
  EXPECT_EQ(s.length(), 0u);
  EXPECT_EQ(s.block_count(), 0u);
}

TEST(StreamTest, CloneIsDeep) {
  Stream s;
  Model m;
  for (uint64_t i = 1; i <= 250; i++) Add(s, m, {i, i}, {"f", std::to_string(i), "g", "x"});
  s.Delete({3, 3});
  m.erase({3, 3});
  auto c = s.Clone();
  s.TrimMaxLen(0, false, 0);
  ExpectSame(*c, m);
  EXPECT_EQ(c->max_deleted_id(), (StreamId{3, 3}));
  EXPECT_EQ(c->entries_added(), 250u);
  EXPECT_GT(c->MemoryUsage(), 250u * 4);
}

TEST(StreamTest, RandomAgainstModel) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 20; round++) {
    StreamLimits lim{.node_max_bytes = size_t(rng() % 3 ? 0 : 64 + rng() % 500),
                     .node_max_entries = size_t(rng() % 12)};
    Stream s;
    Model m;
    StreamId next{1, 0};
    for (int op = 0; op < 2000; op++) {
      int r = int(rng() % 100);
      if (r < 60) {
        Fields f;
        size_t n = 1 + rng() % 3;
        bool same = rng() % 4 != 0;
        for (size_t i = 0; i < n; i++) {
          f.push_back(same ? "field" + std::to_string(i) : std::to_string(rng() % 5));
          switch (rng() % 4) {
            case 0:
              f.push_back(std::to_string(int64_t(rng())));
              break;
            case 1:
              f.push_back(std::string(rng() % 40, 'v'));
              break;
            case 2:
              f.push_back("0" + std::to_string(rng() % 100));
              break;
            default:
              f.push_back(std::to_string(rng() % 1000));
              break;
          }
        }
        Add(s, m, next, f, lim);
        next = rng() % 3 ? StreamId{next.ms, next.seq + 1 + rng() % 3}
                         : StreamId{next.ms + 1 + rng() % 100000, rng() % 4};
      } else if (r < 80 && !m.empty()) {
        auto it = m.begin();
        std::advance(it, rng() % m.size());
        EXPECT_TRUE(s.Delete(it->first));
        m.erase(it);
      } else if (r < 85) {
        uint64_t maxlen = m.size() > 0 ? rng() % (m.size() + 1) : 0;
        bool approx = rng() % 2;
        size_t removed = s.TrimMaxLen(maxlen, approx, approx ? rng() % 50 : 0);
        for (size_t i = 0; i < removed; i++) m.erase(m.begin());
        if (!approx) {
          EXPECT_LE(s.length(), maxlen);
        }
      } else if (r < 88 && !m.empty()) {
        auto it = m.begin();
        std::advance(it, rng() % m.size());
        StreamId minid = it->first;
        bool approx = rng() % 2;
        size_t removed = s.TrimMinId(minid, approx, 0);
        for (size_t i = 0; i < removed; i++) m.erase(m.begin());
        if (!approx) {
          EXPECT_EQ(s.first_id(), minid);
        }
      } else if (!m.empty()) {
        auto a = m.begin(), b = m.begin();
        std::advance(a, rng() % m.size());
        std::advance(b, rng() % m.size());
        StreamId lo = std::min(a->first, b->first), hi = std::max(a->first, b->first);
        Model expect(m.lower_bound(lo), m.upper_bound(hi));
        bool reverse = rng() % 2;
        std::vector<StreamId> order;
        ASSERT_EQ(Collect(s, lo, hi, reverse, 0, &order), expect);
        ASSERT_TRUE(std::is_sorted(order.begin(), order.end(), [&](StreamId x, StreamId y) {
          return reverse ? y < x : x < y;
        }));
        size_t count = 1 + rng() % 5;
        order.clear();
        Collect(s, lo, hi, reverse, count, &order);
        ASSERT_EQ(order.size(), std::min(count, expect.size()));
      }
      ASSERT_EQ(s.length(), m.size());
    }
    ExpectSame(s, m);
    auto c = s.Clone();
    ExpectSame(*c, m);
  }
}

}  // namespace
}  // namespace ember
