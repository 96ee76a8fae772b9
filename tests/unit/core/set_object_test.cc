// Unit tests for SetObject and StrSet: Redis 7.2's encoding choices and conversions (intset,
// listpack, hashtable), random ops against a model in each encoding, random members and
// sampling, and the SCAN guarantee across resizes.
#include "core/set_object.h"

#include <gtest/gtest.h>

#include <map>
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

constexpr SetLimits kDefaults;

TEST(SetObjectTest, CreatePicksEncodingFromFirstMemberAndHint) {
  struct Case {
    const char* first;
    size_t hint;
    ObjEncoding want;
  } cases[] = {
      {"12", 1, ObjEncoding::kIntset},      {"12", 512, ObjEncoding::kIntset},
      {"12", 513, ObjEncoding::kHashtable}, {"a", 1, ObjEncoding::kListpack},
      {"a", 128, ObjEncoding::kListpack},   {"a", 129, ObjEncoding::kHashtable},
      {"012", 1, ObjEncoding::kListpack},  // not canonical: a string
  };
  for (const Case& c : cases) {
    SetObject s = SetObject::Create(c.first, c.hint, kDefaults);
    EXPECT_EQ(s.encoding(), c.want) << c.first << " " << c.hint;
    EXPECT_EQ(s.Size(), 0u);
    s.Destroy();
  }
}

TEST(SetObjectTest, IntsetBecomesListpackOnStringMember) {
  SetObject s = SetObject::Create("12", 1, kDefaults);
  EXPECT_TRUE(s.Add("12", kDefaults));
  EXPECT_FALSE(s.Add("12", kDefaults));
  EXPECT_TRUE(s.Add("-7", kDefaults));
  EXPECT_FALSE(s.Contains("012"));  // not canonical: a different member
  EXPECT_TRUE(s.Add("012", kDefaults));
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);
  EXPECT_EQ(Members(s), (std::set<std::string>{"12", "-7", "012"}));
  EXPECT_TRUE(s.Contains("12"));
  EXPECT_TRUE(s.Contains("-7"));
  EXPECT_FALSE(s.Contains("7"));
  EXPECT_TRUE(s.Remove("-7"));
  EXPECT_FALSE(s.Remove("-7"));
  EXPECT_EQ(s.Size(), 2u);
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);  // never converts back by itself
  s.Destroy();
}

TEST(SetObjectTest, IntsetBecomesHashtableWhenListpackWouldNotFit) {
  // Too many integers already.
  SetObject s = SetObject::CreateIntset();
  for (int i = 0; i < 128; i++) s.Add(std::to_string(i), kDefaults);
  s.Add("x", kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(s.Size(), 129u);
  s.Destroy();
  // One member fewer: still a listpack.
  s = SetObject::CreateIntset();
  for (int i = 0; i < 127; i++) s.Add(std::to_string(i), kDefaults);
  s.Add("x", kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);
  EXPECT_EQ(s.Size(), 128u);
  s.Add("y", kDefaults);  // the 129th member
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  s.Destroy();
  // A long string.
  s = SetObject::CreateIntset();
  s.Add("1", kDefaults);
  s.Add(std::string(65, 'a'), kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  s.Destroy();
  // An integer longer (as text) than set-max-listpack-value.
  SetLimits small_values{.max_intset = 512, .max_listpack = 128, .max_listpack_value = 3};
  s = SetObject::CreateIntset();
  s.Add("-1000", small_values);
  s.Add("ab", small_values);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  s.Destroy();
  s = SetObject::CreateIntset();
  s.Add("-10", small_values);
  s.Add("100", small_values);
  s.Add("ab", small_values);
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);
  EXPECT_EQ(Members(s), (std::set<std::string>{"-10", "100", "ab"}));
  s.Destroy();
}

TEST(SetObjectTest, IntsetConvertsToHashtablePastItsLimit) {
  SetLimits limits{.max_intset = 4, .max_listpack = 128, .max_listpack_value = 64};
  SetObject s = SetObject::CreateIntset();
  for (int i = 0; i < 4; i++) s.Add(std::to_string(i), limits);
  EXPECT_EQ(s.encoding(), ObjEncoding::kIntset);
  s.Add("3", limits);  // already there: no conversion
  EXPECT_EQ(s.encoding(), ObjEncoding::kIntset);
  s.Add("4", limits);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);  // never a listpack, as 7.2
  EXPECT_EQ(s.Size(), 5u);
  EXPECT_TRUE(s.Contains("4"));
  EXPECT_FALSE(s.Contains("5"));
  s.Destroy();
}

TEST(SetObjectTest, ListpackConvertsPastItsLimits) {
  SetObject s = SetObject::CreateListpack();
  for (int i = 0; i < 128; i++) EXPECT_TRUE(s.Add("m" + std::to_string(i), kDefaults));
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);
  EXPECT_FALSE(s.Add("m5", kDefaults));
  s.Add("m128", kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(s.Size(), 129u);
  s.Destroy();
  s = SetObject::CreateListpack();
  s.Add(std::string(64, 'a'), kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);
  s.Add(std::string(65, 'a'), kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(s.Size(), 2u);
  s.Destroy();
}

TEST(SetObjectTest, PrepareForBatch) {
  SetObject s = SetObject::CreateListpack();
  s.Add("a", kDefaults);
  s.PrepareForBatch(128, kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);
  s.PrepareForBatch(129, kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(Members(s), (std::set<std::string>{"a"}));
  s.Destroy();
  s = SetObject::CreateIntset();
  s.Add("1", kDefaults);
  s.PrepareForBatch(512, kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kIntset);
  s.PrepareForBatch(513, kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  s.Destroy();
}

TEST(SetObjectTest, ConvertToIntsetIfIntegers) {
  SetObject s = SetObject::CreateListpack();
  for (const char* m : {"3", "-1", "2"}) s.Add(m, kDefaults);
  s.ConvertToIntsetIfIntegers(kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kIntset);
  EXPECT_EQ(Members(s), (std::set<std::string>{"3", "-1", "2"}));
  s.Destroy();
  s = SetObject::CreateListpack();
  for (const char* m : {"3", "x"}) s.Add(m, kDefaults);
  s.ConvertToIntsetIfIntegers(kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);
  s.Destroy();
  // A hashtable of integers: only within set-max-intset-entries.
  s = SetObject::CreateListpack();
  for (int i = 0; i < 200; i++) s.Add(std::to_string(i), kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  SetLimits few{.max_intset = 100, .max_listpack = 128, .max_listpack_value = 64};
  s.ConvertToIntsetIfIntegers(few);
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  s.ConvertToIntsetIfIntegers(kDefaults);
  EXPECT_EQ(s.encoding(), ObjEncoding::kIntset);
  EXPECT_EQ(s.Size(), 200u);
  s.Destroy();
}

// Random adds and removes against a model, starting from each encoding.
void RunModel(SetObject s, bool strings_early, ObjEncoding final_enc) {
  std::mt19937_64 rng(7);
  std::set<std::string> model;
  for (int i = 0; i < 20000; i++) {
    std::string m = (rng() % 4 == 0) ? "m" + std::to_string(rng() % 3000)
                                     : std::to_string(int64_t(rng() % 3000) - 1500);
    if (!strings_early && i < 2000 && m[0] == 'm') continue;  // stay an intset for a while
    if (rng() % 3 == 0) {
      EXPECT_EQ(s.Remove(m), model.erase(m) == 1);
    } else {
      EXPECT_EQ(s.Add(m, kDefaults), model.insert(m).second);
    }
    ASSERT_EQ(s.Size(), model.size());
  }
  EXPECT_EQ(s.encoding(), final_enc);
  EXPECT_EQ(Members(s), model);
  for (const std::string& m : model) EXPECT_TRUE(s.Contains(m));
  char scratch[Listpack::kScratch];
  uint64_t id;
  for (int i = 0; i < 100; i++) {
    EXPECT_EQ(model.count(std::string(s.Random(rng, scratch, &id))), 1u);
  }
  for (const std::string& m : model) EXPECT_TRUE(s.Remove(m));
  EXPECT_EQ(s.Size(), 0u);
  s.Destroy();
}

TEST(SetObjectTest, RandomOpsMatchModel) {
  RunModel(SetObject::CreateIntset(), false, ObjEncoding::kHashtable);
  RunModel(SetObject::CreateListpack(), true, ObjEncoding::kHashtable);
}

TEST(SetObjectTest, SmallListpackMatchesModel) {
  // Few distinct members: the set stays a listpack through thousands of operations.
  std::mt19937_64 rng(11);
  SetObject s = SetObject::CreateListpack();
  std::set<std::string> model;
  for (int i = 0; i < 5000; i++) {
    int v = int(rng() % 100) - 50;
    std::string m = (v % 3 == 0) ? "s" + std::to_string(v) : std::to_string(v);
    if (rng() % 2) {
      EXPECT_EQ(s.Remove(m), model.erase(m) == 1);
    } else {
      EXPECT_EQ(s.Add(m, kDefaults), model.insert(m).second);
    }
    ASSERT_EQ(s.Size(), model.size());
  }
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);
  EXPECT_EQ(Members(s), model);
  s.Destroy();
}

TEST(SetObjectTest, ListpackSamplingIsDistinctAndCoversEveryMember) {
  std::mt19937_64 rng(3);
  SetObject s = SetObject::CreateListpack();
  std::set<std::string> model;
  for (int i = 0; i < 20; i++) {
    std::string m = i % 2 ? "m" + std::to_string(i) : std::to_string(i);
    s.Add(m, kDefaults);
    model.insert(m);
  }
  std::map<std::string, int> hits;
  for (int round = 0; round < 2000; round++) {
    std::set<std::string> picked;
    s.SampleDistinct(5, rng, [&](std::string_view m) { picked.emplace(m); });
    ASSERT_EQ(picked.size(), 5u);
    for (const std::string& m : picked) {
      EXPECT_EQ(model.count(m), 1u);
      hits[m]++;
    }
  }
  // Each member is picked with probability 1/4: about 500 times in 2000 rounds.
  EXPECT_EQ(hits.size(), 20u);
  for (const auto& [m, n] : hits) EXPECT_GT(n, 300) << m;
  std::set<std::string> all;
  s.SampleDistinct(20, rng, [&](std::string_view m) { all.emplace(m); });
  EXPECT_EQ(all, model);
  s.Destroy();
}

TEST(SetObjectTest, ListpackPopDistinct) {
  std::mt19937_64 rng(5);
  for (size_t k : {1, 3, 10, 19, 20}) {
    SetObject s = SetObject::CreateListpack();
    std::set<std::string> model;
    for (int i = 0; i < 20; i++) {
      std::string m = i % 3 ? "m" + std::to_string(i) : std::to_string(i * 1000);
      s.Add(m, kDefaults);
      model.insert(m);
    }
    std::set<std::string> popped;
    s.PopDistinct(k, rng, [&](std::string_view m) { popped.emplace(m); });
    EXPECT_EQ(popped.size(), k);
    EXPECT_EQ(s.Size(), 20 - k);
    std::set<std::string> left = Members(s);
    for (const std::string& m : popped) {
      EXPECT_EQ(model.count(m), 1u);
      EXPECT_EQ(left.count(m), 0u);
      EXPECT_FALSE(s.Contains(m));
    }
    EXPECT_EQ(left.size() + popped.size(), model.size());
    s.Destroy();
  }
}

TEST(SetObjectTest, LongMembersAndEmptyMember) {
  SetObject s = SetObject::Create("x", 1, kDefaults);
  EXPECT_TRUE(s.Add("x", kDefaults));
  EXPECT_TRUE(s.Add("", kDefaults));
  EXPECT_TRUE(s.Contains(""));
  EXPECT_EQ(s.encoding(), ObjEncoding::kListpack);
  std::string big(1000, 'z');
  EXPECT_TRUE(s.Add(big, kDefaults));
  EXPECT_EQ(s.encoding(), ObjEncoding::kHashtable);
  EXPECT_TRUE(s.Contains(big));
  EXPECT_TRUE(s.Contains(""));
  EXPECT_EQ(Members(s), (std::set<std::string>{"", "x", big}));
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

TEST(SetObjectTest, SmallEncodingsScanWhole) {
  SetObject s = SetObject::CreateListpack();
  for (const char* m : {"a", "1", "b"}) s.Add(m, kDefaults);
  std::set<std::string> seen;
  EXPECT_EQ(s.Scan(12345, [&seen](std::string_view m) { seen.emplace(m); }), 0u);
  EXPECT_EQ(seen, (std::set<std::string>{"a", "1", "b"}));
  s.Destroy();
}

TEST(SetObjectTest, CloneAndHooks) {
  StrSet t;
  for (int i = 0; i < 100; i++) t.Add("k" + std::to_string(i));
  StrSet* c = t.Clone();
  EXPECT_EQ(c->size(), 100u);
  EXPECT_TRUE(c->Contains("k99"));
  delete c;
  // Entries own their set objects, in every encoding, through the registered hooks.
  for (ObjEncoding enc : {ObjEncoding::kIntset, ObjEncoding::kListpack, ObjEncoding::kHashtable}) {
    SetObject s = SetObject::CreateIntset();
    s.Add("1", kDefaults);
    if (enc != ObjEncoding::kIntset) s.Add("a", kDefaults);
    if (enc == ObjEncoding::kHashtable) s.Add(std::string(100, 'b'), kDefaults);
    ASSERT_EQ(s.encoding(), enc);
    KvEntry* e = KvEntry::CreateObj("key", ObjType::kSet, s.encoding(), s.obj());
    KvEntry* copy = KvEntry::Clone(e, "key2", KvEntry::kNoExpire);
    ASSERT_NE(copy, nullptr);
    EXPECT_EQ(EncodingName(*copy), EncodingName(*e));
    EXPECT_EQ(Members(SetObject::FromEntry(copy)), Members(s));
    EXPECT_GT(e->MemoryUsage(), s.MemoryUsage());
    KvEntry::Destroy(copy);
    KvEntry::Destroy(e);
  }
}

}  // namespace
}  // namespace ember
