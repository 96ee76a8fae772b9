// Unit tests for SetObject and StrSet: encoding conversions, random ops against a model,
// random members, and the SCAN guarantee across resizes.
#include "core/set_object.h"

#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>

namespace ember {
namespace {

std::set<std::string> Members(const SetObject& s) {
  std::set<std::string> out;
  s.ForEach([&out](std::string_view m) { out.emplace(m); });
  return out;
}

TEST(SetObjectTest, IntsetConvertsOnStringMember) {
  SetObject s = SetObject::CreateFor("12");
  EXPECT_EQ(s.encoding(), ObjEncoding::kIntset);
  EXPECT_TRUE(s.Add("12", 512));
  EXPECT_FALSE(s.Add("12", 512));
  EXPECT_TRUE(s.Add("-7", 512));
  EXPECT_FALSE(s.Contains("012"));  // not canonical: a different member
  EXPECT_TRUE(s.Add("012", 512));
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(Members(s), (std::set<std::string>{"12", "-7", "012"}));
  EXPECT_TRUE(s.Remove("-7"));
  EXPECT_FALSE(s.Remove("-7"));
  EXPECT_EQ(s.Size(), 2u);
  s.Destroy();
}

TEST(SetObjectTest, IntsetConvertsPastLimit) {
  SetObject s = SetObject::CreateIntset();
  for (int i = 0; i < 4; i++) s.Add(std::to_string(i), 4);
  EXPECT_EQ(s.encoding(), ObjEncoding::kIntset);
  s.Add("3", 4);  // already there: no conversion
  EXPECT_EQ(s.encoding(), ObjEncoding::kIntset);
  s.Add("4", 4);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(s.Size(), 5u);
  EXPECT_TRUE(s.Contains("4"));
  EXPECT_FALSE(s.Contains("5"));
  s.Destroy();
  SetObject t = SetObject::CreateFor("abc");
  EXPECT_EQ(t.encoding(), ObjEncoding::kHashtable);
  t.Destroy();
}

TEST(SetObjectTest, RandomOpsMatchModel) {
  std::mt19937_64 rng(7);
  SetObject s = SetObject::CreateIntset();
  std::set<std::string> model;
  for (int i = 0; i < 20000; i++) {
    std::string m = (rng() % 4 == 0) ? "m" + std::to_string(rng() % 3000)
                                     : std::to_string(int64_t(rng() % 3000) - 1500);
    if (i < 2000 && m[0] == 'm') continue;  // stay an intset for a while
    if (rng() % 3 == 0) {
      EXPECT_EQ(s.Remove(m), model.erase(m) == 1);
    } else {
      EXPECT_EQ(s.Add(m, 512), model.insert(m).second);
    }
    ASSERT_EQ(s.Size(), model.size());
  }
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(Members(s), model);
  for (const std::string& m : model) EXPECT_TRUE(s.Contains(m));
  // Random members belong to the set.
  char scratch[24];
  uint64_t id;
  for (int i = 0; i < 100; i++) EXPECT_EQ(model.count(std::string(s.Random(scratch, &id))), 1u);
  // Remove everything: the table shrinks back.
  for (const std::string& m : model) EXPECT_TRUE(s.Remove(m));
  EXPECT_EQ(s.Size(), 0u);
  s.Destroy();
}

TEST(SetObjectTest, LongMembersAndEmptyMember) {
  SetObject s = SetObject::CreateFor("x");
  std::string big(1000, 'z');
  EXPECT_TRUE(s.Add(big, 512));
  EXPECT_TRUE(s.Add("", 512));
  EXPECT_TRUE(s.Contains(big));
  EXPECT_TRUE(s.Contains(""));
  EXPECT_EQ(Members(s), (std::set<std::string>{"", big}));
  EXPECT_GT(s.MemoryUsage(), 1000u);
  s.Destroy();
}

TEST(SetObjectTest, ScanReturnsEveryStableMemberAcrossResizes) {
  StrSet t;
  for (int i = 0; i < 1000; i++) t.Add("s" + std::to_string(i));
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int step = 0;
  do {
    cursor = t.Scan(cursor, [&seen](std::string_view m) { seen.emplace(m); });
    // Grow and shrink the table during the scan with members that come and go.
    step++;
    if (step == 50) {
      for (int i = 0; i < 5000; i++) t.Add("tmp" + std::to_string(i));
    }
    if (step == 900) {
      for (int i = 0; i < 5000; i++) t.Remove("tmp" + std::to_string(i));
    }
  } while (cursor != 0);
  for (int i = 0; i < 1000; i++) EXPECT_EQ(seen.count("s" + std::to_string(i)), 1u) << i;
}

TEST(SetObjectTest, CloneAndHooks) {
  StrSet t;
  for (int i = 0; i < 100; i++) t.Add("k" + std::to_string(i));
  StrSet* c = t.Clone();
  EXPECT_EQ(c->size(), 100u);
  EXPECT_TRUE(c->Contains("k99"));
  delete c;
  // Entries own their set objects through the registered hooks.
  SetObject s = SetObject::CreateFor("1");
  s.Add("1", 512);
  KvEntry* e = KvEntry::CreateObj("key", ObjType::kSet, s.encoding(), s.obj());
  s.Add("a", 512);
  StoreSet(e, s);
  EXPECT_EQ(e->encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(EncodingName(*e), "hashtable");
  KvEntry* copy = KvEntry::Clone(e, "key2", KvEntry::kNoExpire);
  ASSERT_NE(copy, nullptr);
  EXPECT_EQ(SetObject::FromEntry(copy).Size(), 2u);
  EXPECT_GT(e->MemoryUsage(), 0u);
  KvEntry::Destroy(copy);
  KvEntry::Destroy(e);
}

}  // namespace
}  // namespace ember
