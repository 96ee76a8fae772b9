// Tests for HashObject / HashTable: get/set/delete in both encodings, conversion at the
// entry-count and value-length thresholds, insertion order of the listpack, the HSCAN cursor
// guarantee across resizes, random pairs, clone and memory accounting.
#include "core/hash_object.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>
#include <string>

#include "core/listpack.h"

namespace ember {
namespace {

constexpr HashLimits kLimits{4, 8};

std::map<std::string, std::string> ToMap(const HashObject& h) {
  std::map<std::string, std::string> m;
  h.ForEach([&m](std::string_view f, std::string_view v) { m[std::string(f)] = v; });
  return m;
}

std::string Get(const HashObject& h, std::string_view f) {
  char scratch[Listpack::kScratch];
  std::string_view v;
  return h.Get(f, scratch, &v) ? std::string(v) : "(nil)";
}

TEST(HashObjectTest, ListpackBasicsKeepInsertionOrder) {
  HashObject h = HashObject::Create();
  EXPECT_TRUE(h.Set("b", "1", kLimits));
  EXPECT_TRUE(h.Set("a", "x", kLimits));
  EXPECT_FALSE(h.Set("b", "22", kLimits));
  EXPECT_EQ(h.encoding(), ObjEncoding::kListpack);
  EXPECT_EQ(h.Len(), 2u);
  EXPECT_EQ(Get(h, "b"), "22");
  EXPECT_EQ(Get(h, "a"), "x");
  EXPECT_EQ(Get(h, "22"), "(nil)");  // values are not matched as fields
  std::vector<std::string> order;
  h.ForEach([&order](std::string_view f, std::string_view) { order.emplace_back(f); });
  EXPECT_EQ(order, (std::vector<std::string>{"b", "a"}));
  EXPECT_TRUE(h.Delete("b"));
  EXPECT_FALSE(h.Delete("b"));
  EXPECT_EQ(h.Len(), 1u);
  h.Destroy();
}

TEST(HashObjectTest, ConvertsPastEntryLimit) {
  HashObject h = HashObject::Create();
  for (int i = 0; i < 4; i++) h.Set("f" + std::to_string(i), std::to_string(i), kLimits);
  EXPECT_EQ(h.encoding(), ObjEncoding::kListpack);
  h.Set("f4", "4", kLimits);
  EXPECT_EQ(h.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(h.Len(), 5u);
  for (int i = 0; i < 5; i++) EXPECT_EQ(Get(h, "f" + std::to_string(i)), std::to_string(i));
  h.Destroy();
}

TEST(HashObjectTest, ConvertsOnLongFieldOrValue) {
  HashObject h = HashObject::Create();
  h.Set("f", "12345678", kLimits);  // exactly the limit: stays
  EXPECT_EQ(h.encoding(), ObjEncoding::kListpack);
  h.Set("f", "123456789", kLimits);
  EXPECT_EQ(h.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(Get(h, "f"), "123456789");
  h.Destroy();
  HashObject g = HashObject::Create();
  g.Set("field-name-too-long", "v", kLimits);
  EXPECT_EQ(g.encoding(), ObjEncoding::kHashtable);
  g.Destroy();
}

TEST(HashObjectTest, HashtableMatchesModel) {
  std::mt19937 rng(7);
  HashObject h(ObjEncoding::kHashtable, new HashTable());
  std::map<std::string, std::string> model;
  for (int i = 0; i < 20000; i++) {
    std::string f = "field:" + std::to_string(rng() % 3000);
    if (rng() % 3 == 0) {
      EXPECT_EQ(h.Delete(f), model.erase(f) == 1);
    } else {
      std::string v(rng() % 30, char('a' + rng() % 26));
      EXPECT_EQ(h.Set(f, v, kLimits), model.count(f) == 0);
      model[f] = v;
    }
  }
  EXPECT_EQ(h.Len(), model.size());
  EXPECT_EQ(ToMap(h), model);
  auto* copy = static_cast<HashTable*>(static_cast<HashTable*>(h.obj())->Clone());
  EXPECT_EQ(ToMap(HashObject(ObjEncoding::kHashtable, copy)), model);
  EXPECT_GT(copy->MemoryUsage(), model.size() * 16);
  delete copy;
  h.Destroy();
}

TEST(HashObjectTest, ScanReturnsEveryFieldAcrossResizes) {
  auto* t = new HashTable();
  for (int i = 0; i < 1000; i++) t->AddNew("f" + std::to_string(i), "v");
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int calls = 0;
  do {
    cursor = t->Scan(
        cursor, 10, [&seen](std::string_view f, std::string_view) { seen.insert(std::string(f)); });
    // Resize in the middle: grow, then shrink (fields 1000+ come and go).
    if (++calls == 10) {
      for (int i = 1000; i < 5000; i++) t->AddNew("f" + std::to_string(i), "v");
    }
    if (calls == 30) {
      for (int i = 1000; i < 5000; i++) t->Delete("f" + std::to_string(i));
    }
  } while (cursor != 0);
  for (int i = 0; i < 1000; i++) EXPECT_TRUE(seen.count("f" + std::to_string(i))) << i;
  delete t;
}

TEST(HashObjectTest, RandomPairsComeFromTheHash) {
  std::mt19937_64 rng(1);
  for (ObjEncoding enc : {ObjEncoding::kListpack, ObjEncoding::kHashtable}) {
    HashObject h = HashObject::Create();
    if (enc == ObjEncoding::kHashtable) h.ConvertToHashtable();
    for (int i = 0; i < 4; i++) h.Set("f" + std::to_string(i), "v" + std::to_string(i), kLimits);
    std::set<std::string> seen;
    for (int i = 0; i < 200; i++) {
      auto [f, v] = h.RandomPair(rng);
      EXPECT_EQ("v" + f.substr(1), v);
      seen.insert(f);
    }
    EXPECT_EQ(seen.size(), 4u);
    h.Destroy();
  }
}

TEST(HashObjectTest, IntegerValuesInListpack) {
  HashObject h = HashObject::Create();
  h.Set("n", "-12345", kLimits);
  h.Set("12", "007", kLimits);
  EXPECT_EQ(Get(h, "n"), "-12345");
  EXPECT_EQ(Get(h, "12"), "007");
  EXPECT_TRUE(h.Exists("12"));
  EXPECT_FALSE(h.Exists("012"));
  auto pairs = h.Pairs();
  ASSERT_EQ(pairs.size(), 2u);
  EXPECT_EQ(pairs[1].first, "12");
  h.Destroy();
}

}  // namespace
}  // namespace ember
