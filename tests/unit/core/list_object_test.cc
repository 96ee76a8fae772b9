// Tests for ListObject / QuickList: every operation against a std::deque model with random
// operation sequences at several node limits (so nodes split, merge and the encoding flips
// both ways), the listpack <-> quicklist thresholds, clone and memory accounting.
#include "core/list_object.h"

#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <string>
#include <vector>

#include "core/listpack.h"

namespace ember {
namespace {

std::vector<std::string> All(const ListObject& l) {
  std::vector<std::string> out;
  l.Walk(false, [&out](std::string_view v, int64_t) {
    out.emplace_back(v);
    return true;
  });
  return out;
}

void ExpectSame(const ListObject& l, const std::deque<std::string>& m) {
  ASSERT_EQ(l.Len(), m.size());
  std::vector<std::string> got = All(l);
  ASSERT_EQ(got, std::vector<std::string>(m.begin(), m.end()));
  std::vector<std::string> rev;
  l.Walk(true, [&](std::string_view v, int64_t idx) {
    EXPECT_EQ(idx, int64_t(m.size() - 1 - rev.size()));
    rev.emplace_back(v);
    return true;
  });
  ASSERT_EQ(rev, std::vector<std::string>(m.rbegin(), m.rend()));
  if (l.encoding() == ObjEncoding::kQuicklist) {
    const auto* q = static_cast<const QuickList*>(l.obj());
    size_t total = 0;
    for (const uint8_t* lp : q->nodes) {
      ASSERT_GT(Listpack::Count(lp), 0u);
      total += Listpack::Count(lp);
    }
    ASSERT_EQ(total, q->count);
  }
}

TEST(ListObjectTest, PushPopBothEnds) {
  ListObject l = ListObject::Create();
  l.Push(ListEnd::kTail, "b", -2);
  l.Push(ListEnd::kHead, "a", -2);
  l.Push(ListEnd::kTail, "42", -2);
  EXPECT_EQ(l.encoding(), ObjEncoding::kListpack);
  EXPECT_EQ(All(l), (std::vector<std::string>{"a", "b", "42"}));
  std::string v;
  ASSERT_TRUE(l.Pop(ListEnd::kTail, &v, -2));
  EXPECT_EQ(v, "42");
  ASSERT_TRUE(l.Pop(ListEnd::kHead, &v, -2));
  EXPECT_EQ(v, "a");
  ASSERT_TRUE(l.Pop(ListEnd::kHead, &v, -2));
  EXPECT_FALSE(l.Pop(ListEnd::kHead, &v, -2));
  EXPECT_EQ(l.Len(), 0u);
  l.Destroy();
}

TEST(ListObjectTest, CountLimitConvertsAndConvertsBack) {
  ListObject l = ListObject::Create();
  for (int i = 0; i < 4; i++) l.Push(ListEnd::kTail, std::to_string(i), 4);
  EXPECT_EQ(l.encoding(), ObjEncoding::kListpack);
  l.Push(ListEnd::kTail, "4", 4);
  EXPECT_EQ(l.encoding(), ObjEncoding::kQuicklist);
  std::string v;
  l.Pop(ListEnd::kTail, &v, 4);  // 4 left in 2 nodes
  l.Pop(ListEnd::kTail, &v, 4);  // 3 left: one node, but above half the limit
  EXPECT_EQ(l.encoding(), ObjEncoding::kQuicklist);
  l.Pop(ListEnd::kTail, &v, 4);  // 2 left: half the limit
  EXPECT_EQ(l.encoding(), ObjEncoding::kListpack);
  l.Destroy();
}

TEST(ListObjectTest, ByteLimitConverts) {
  ListObject l = ListObject::Create();
  std::string big(1000, 'x');
  int n = 0;
  while (l.encoding() == ObjEncoding::kListpack) {
    l.Push(ListEnd::kTail, big, -2);
    n++;
  }
  EXPECT_EQ(n, 9);  // 8 KB per node: the 9th 1 KB element overflows
  for (int i = 0; i < 200; i++) l.Push(ListEnd::kHead, big, -2);
  auto* q = static_cast<QuickList*>(l.obj());
  for (const uint8_t* lp : q->nodes) EXPECT_LE(Listpack::Bytes(lp), 8192u);
  l.Destroy();
}

TEST(ListObjectTest, OversizedElementGetsItsOwnNode) {
  ListObject l = ListObject::Create();
  l.Push(ListEnd::kTail, "a", -1);
  l.Push(ListEnd::kTail, std::string(10000, 'y'), -1);
  l.Push(ListEnd::kTail, "b", -1);
  EXPECT_EQ(l.encoding(), ObjEncoding::kQuicklist);
  std::string v;
  ASSERT_TRUE(l.Index(1, &v));
  EXPECT_EQ(v.size(), 10000u);
  ASSERT_TRUE(l.Index(-1, &v));
  EXPECT_EQ(v, "b");
  l.Destroy();
}

std::string RandomValue(std::mt19937_64& rng) {
  switch (rng() % 4) {
    case 0:
      return std::to_string(int64_t(rng() % 2000) - 1000);  // integer encoding
    case 1:
      return std::string(1 + rng() % 300, char('a' + rng() % 3));
    default:
      return "v" + std::to_string(rng() % 20);
  }
}

void RandomOps(int64_t fill, uint64_t seed, int ops) {
  std::mt19937_64 rng(seed);
  ListObject l = ListObject::Create();
  std::deque<std::string> m;
  std::string v;
  for (int op = 0; op < ops; op++) {
    int64_t len = int64_t(m.size());
    switch (rng() % 10) {
      case 0:
      case 1: {
        std::string s = RandomValue(rng);
        l.Push(ListEnd::kHead, s, fill);
        m.push_front(s);
        break;
      }
      case 2:
      case 3: {
        std::string s = RandomValue(rng);
        l.Push(ListEnd::kTail, s, fill);
        m.push_back(s);
        break;
      }
      case 4: {
        bool head = rng() % 2;
        bool ok = l.Pop(head ? ListEnd::kHead : ListEnd::kTail, &v, fill);
        ASSERT_EQ(ok, !m.empty());
        if (ok) {
          ASSERT_EQ(v, head ? m.front() : m.back());
          head ? m.pop_front() : m.pop_back();
        }
        break;
      }
      case 5: {
        int64_t idx = len ? int64_t(rng() % uint64_t(len * 2)) - len : 0;
        std::string s = RandomValue(rng);
        bool ok = l.Set(idx, s, fill);
        ASSERT_EQ(ok, len > 0);
        if (ok) m[size_t(idx < 0 ? idx + len : idx)] = s;
        if (len) {
          ASSERT_TRUE(l.Index(idx, &v));
          ASSERT_EQ(v, s);
        }
        break;
      }
      case 6: {
        std::string pivot = "v" + std::to_string(rng() % 20);
        std::string s = RandomValue(rng);
        bool after = rng() % 2;
        auto it = std::find(m.begin(), m.end(), pivot);
        ASSERT_EQ(l.Insert(pivot, after, s, fill), it != m.end());
        if (it != m.end()) m.insert(after ? it + 1 : it, s);
        break;
      }
      case 7: {
        std::string target = "v" + std::to_string(rng() % 20);
        int64_t count = int64_t(rng() % 5) - 2;
        size_t removed = l.Remove(count, target, fill);
        size_t expect = 0;
        size_t limit = count == 0 ? SIZE_MAX : size_t(count < 0 ? -count : count);
        if (count >= 0) {
          for (auto it = m.begin(); it != m.end() && expect < limit;) {
            if (*it == target) {
              it = m.erase(it);
              expect++;
            } else {
              ++it;
            }
          }
        } else {
          for (size_t i = m.size(); i-- > 0 && expect < limit;) {
            if (m[i] == target) {
              m.erase(m.begin() + ptrdiff_t(i));
              expect++;
            }
          }
        }
        ASSERT_EQ(removed, expect);
        break;
      }
      case 8: {
        if (rng() % 8 != 0 || len == 0) break;  // trims shrink a lot: keep them rare
        int64_t start = int64_t(rng() % uint64_t(len));
        int64_t stop = start + int64_t(rng() % uint64_t(len));
        if (stop >= len) stop = len - 1;
        l.Trim(start, stop, fill);
        m = std::deque<std::string>(m.begin() + start, m.begin() + stop + 1);
        break;
      }
      default: {
        if (len == 0) break;
        int64_t start = int64_t(rng() % uint64_t(len));
        int64_t stop = std::min<int64_t>(len - 1, start + int64_t(rng() % 50));
        std::vector<std::string> got;
        l.Range(start, stop, [&got](std::string_view s) { got.emplace_back(s); });
        ASSERT_EQ(got, std::vector<std::string>(m.begin() + start, m.begin() + stop + 1));
        break;
      }
    }
    if (op % 50 == 0) ExpectSame(l, m);
    if (l.encoding() == ObjEncoding::kListpack) {
      ASSERT_TRUE(ListNodeFits(Listpack::Bytes(static_cast<uint8_t*>(l.obj())), l.Len(), fill));
    }
  }
  ExpectSame(l, m);
  l.Destroy();
}

TEST(ListObjectTest, RandomOpsMatchDequeCountLimit) {
  for (uint64_t seed = 1; seed <= 5; seed++) RandomOps(3, seed, 3000);
}

TEST(ListObjectTest, RandomOpsMatchDequeByteLimit) {
  for (uint64_t seed = 1; seed <= 5; seed++) RandomOps(-1, seed, 3000);
}

TEST(ListObjectTest, RandomOpsMatchDequeDefault) { RandomOps(-2, 42, 6000); }

TEST(ListObjectTest, CloneAndMemoryUsage) {
  ListObject::RegisterHooks();
  ListObject l = ListObject::Create();
  for (int i = 0; i < 100; i++) l.Push(ListEnd::kTail, "element-" + std::to_string(i), 5);
  ASSERT_EQ(l.encoding(), ObjEncoding::kQuicklist);
  KvEntry* e = KvEntry::CreateObj("k", ObjType::kList, l.encoding(), l.obj());
  KvEntry* c = KvEntry::Clone(e, "k2", KvEntry::kNoExpire);
  ASSERT_NE(c, nullptr);
  ListObject copy(c->encoding(), c->obj());
  EXPECT_EQ(All(copy), All(l));
  EXPECT_GT(e->MemoryUsage(), 100u * 10);
  KvEntry::Destroy(e);
  KvEntry::Destroy(c);
}

}  // namespace
}  // namespace ember
