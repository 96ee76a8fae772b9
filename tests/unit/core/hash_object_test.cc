// Tests for HashObject / HashTable: get/set/delete in both encodings, conversion at the
// entry-count and value-length thresholds, insertion order of the listpack, the HSCAN cursor
// guarantee across resizes, random pairs, clone and memory accounting; field TTLs in the
// listpackex triples and in hashtable nodes (order by expiry, reclaim, conversion, copies).
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

// ---------------------------------------------------------------------------------------------
// Field TTLs

constexpr int64_t kNone = KvEntry::kNoExpire;

int64_t ExpireOf(const HashObject& h, std::string_view f) {
  int64_t when = -99;
  return h.GetExpire(f, &when) ? when : -2;
}

std::vector<std::string> Fields(const HashObject& h) {
  std::vector<std::string> out;
  h.ForEach([&out](std::string_view f, std::string_view) { out.emplace_back(f); });
  return out;
}

TEST(HashFieldTtlTest, FirstTtlMakesListpackEx) {
  constexpr HashLimits kRoomy{16, 64};
  HashObject h = HashObject::Create();
  for (std::string f : {"a", "b", "c", "d"}) h.Set(f, "v" + f, kRoomy);
  EXPECT_FALSE(h.IsListpackEx());
  EXPECT_EQ(h.EncodingName(), "listpack");
  EXPECT_EQ(h.MinFieldExpire(), kNone);
  EXPECT_TRUE(h.SetExpire("a", kNone));  // removing a TTL that is not there changes nothing
  EXPECT_FALSE(h.IsListpackEx());
  EXPECT_FALSE(h.SetExpire("zz", 100));
  EXPECT_FALSE(h.IsListpackEx());

  EXPECT_TRUE(h.SetExpire("c", 300));
  EXPECT_TRUE(h.IsListpackEx());
  EXPECT_EQ(h.EncodingName(), "listpackex");
  EXPECT_EQ(h.encoding(), ObjEncoding::kListpack);
  EXPECT_TRUE(h.SetExpire("b", 200));
  EXPECT_TRUE(h.SetExpire("d", 250));
  // Fields with a TTL first, by expiry; then the rest in insertion order.
  EXPECT_EQ(Fields(h), (std::vector<std::string>{"b", "d", "c", "a"}));
  EXPECT_EQ(h.MinFieldExpire(), 200);
  EXPECT_EQ(ExpireOf(h, "a"), kNone);
  EXPECT_EQ(ExpireOf(h, "c"), 300);
  EXPECT_EQ(ExpireOf(h, "zz"), -2);
  EXPECT_EQ(h.Len(), 4u);
  EXPECT_EQ(Get(h, "d"), "vd");

  // Persisting moves the field to the end; re-timing re-sorts.
  EXPECT_TRUE(h.SetExpire("b", kNone));
  EXPECT_TRUE(h.SetExpire("c", 100));
  EXPECT_EQ(Fields(h), (std::vector<std::string>{"c", "d", "a", "b"}));
  EXPECT_EQ(h.MinFieldExpire(), 100);
  h.Destroy();
}

TEST(HashFieldTtlTest, ListpackExSetKeepsOrDropsTtl) {
  constexpr HashLimits kRoomy{16, 64};
  HashObject h = HashObject::Create();
  h.Set("a", "1", kRoomy);
  h.Set("b", "2", kRoomy);
  h.SetExpire("a", 500);
  EXPECT_FALSE(h.Set("a", "11", kRoomy, /*keep_ttl=*/true));
  EXPECT_EQ(ExpireOf(h, "a"), 500);
  EXPECT_EQ(Get(h, "a"), "11");
  EXPECT_FALSE(h.Set("a", "111", kRoomy));  // HSET semantics: the TTL goes
  EXPECT_EQ(ExpireOf(h, "a"), kNone);
  EXPECT_EQ(Get(h, "a"), "111");
  EXPECT_EQ(h.MinFieldExpire(), kNone);
  EXPECT_TRUE(h.IsListpackEx());  // stays listpackex, as in Redis
  EXPECT_TRUE(h.Set("c", "3", kRoomy));
  EXPECT_EQ(ExpireOf(h, "c"), kNone);
  EXPECT_EQ(h.Len(), 3u);
  EXPECT_TRUE(h.Delete("b"));
  EXPECT_EQ(Fields(h), (std::vector<std::string>{"a", "c"}));
  h.Destroy();
}

TEST(HashFieldTtlTest, ListpackExDeleteExpiredErasesPrefix) {
  constexpr HashLimits kRoomy{16, 64};
  HashObject h = HashObject::Create();
  for (int i = 0; i < 6; i++) h.Set("f" + std::to_string(i), std::to_string(i), kRoomy);
  h.SetExpire("f1", 100);
  h.SetExpire("f3", 100);
  h.SetExpire("f4", 200);
  EXPECT_EQ(h.DeleteExpired(100), 0u);  // expired means now > when
  EXPECT_EQ(h.DeleteExpired(101), 2u);
  EXPECT_EQ(h.Len(), 4u);
  EXPECT_EQ(ExpireOf(h, "f1"), -2);
  EXPECT_EQ(h.MinFieldExpire(), 200);
  EXPECT_EQ(h.DeleteExpired(1000), 1u);
  EXPECT_EQ(h.MinFieldExpire(), kNone);
  EXPECT_EQ(Fields(h), (std::vector<std::string>{"f0", "f2", "f5"}));
  h.Destroy();
}

TEST(HashFieldTtlTest, ConversionToHashtableKeepsTtls) {
  HashObject h = HashObject::Create();
  for (int i = 0; i < 4; i++) h.Set("f" + std::to_string(i), "v", kLimits);
  h.SetExpire("f1", 700);
  h.SetExpire("f2", 600);
  h.Set("f4", "v", kLimits);  // past 4 entries
  ASSERT_EQ(h.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(h.EncodingName(), "hashtable");
  EXPECT_EQ(ExpireOf(h, "f1"), 700);
  EXPECT_EQ(ExpireOf(h, "f2"), 600);
  EXPECT_EQ(ExpireOf(h, "f0"), kNone);
  EXPECT_EQ(h.MinFieldExpire(), 600);
  EXPECT_EQ(static_cast<HashTable*>(h.obj())->ttl_fields(), 2u);
  // A long value converts too, with the TTLs.
  HashObject g = HashObject::Create();
  g.Set("a", "1", kLimits);
  g.SetExpire("a", 900);
  g.Set("b", "a-value-longer-than-8", kLimits);
  ASSERT_EQ(g.encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(ExpireOf(g, "a"), 900);
  h.Destroy();
  g.Destroy();
}

TEST(HashFieldTtlTest, HashtableNodesCarryExpiry) {
  auto* t = new HashTable();
  HashObject h(ObjEncoding::kHashtable, t);
  for (int i = 0; i < 100; i++) t->AddNew("f" + std::to_string(i), "value" + std::to_string(i));
  EXPECT_EQ(t->min_expire(), kNone);
  EXPECT_TRUE(h.SetExpire("f7", 500));
  EXPECT_TRUE(h.SetExpire("f8", 400));
  EXPECT_TRUE(h.SetExpire("f8", 450));  // in place
  EXPECT_EQ(t->ttl_fields(), 2u);
  EXPECT_EQ(h.MinFieldExpire(), 400);  // a lower bound until the next reclaim pass
  EXPECT_EQ(ExpireOf(h, "f8"), 450);
  EXPECT_EQ(Get(h, "f8"), "value8");

  EXPECT_FALSE(h.Set("f7", "same-size", kLimits, /*keep_ttl=*/true));
  EXPECT_EQ(ExpireOf(h, "f7"), 500);
  EXPECT_FALSE(h.Set("f7", "x", kLimits));  // drops the TTL
  EXPECT_EQ(ExpireOf(h, "f7"), kNone);
  EXPECT_EQ(t->ttl_fields(), 1u);
  EXPECT_TRUE(h.SetExpire("f9", 300));
  EXPECT_TRUE(h.Delete("f9"));
  EXPECT_EQ(t->ttl_fields(), 1u);
  EXPECT_TRUE(h.SetExpire("f8", kNone));
  EXPECT_EQ(t->ttl_fields(), 0u);
  EXPECT_EQ(h.MinFieldExpire(), kNone);
  EXPECT_EQ(Get(h, "f8"), "value8");
  EXPECT_EQ(h.Len(), 99u);
  h.Destroy();
}

TEST(HashFieldTtlTest, HashtableDeleteExpiredShrinksAndTightensBound) {
  auto* t = new HashTable();
  HashObject h(ObjEncoding::kHashtable, t);
  for (int i = 0; i < 1000; i++) {
    std::string f = "f" + std::to_string(i);
    t->AddNew(f, "v", i == 0 ? 50 : i < 990 ? 100 + i % 7 : kNone);
  }
  t->AddNew("late", "v", 5000);
  EXPECT_TRUE(h.Delete("f0"));  // the earliest: the bound stays low
  EXPECT_EQ(h.MinFieldExpire(), 50);
  EXPECT_EQ(h.DeleteExpired(60), 0u);
  EXPECT_EQ(h.MinFieldExpire(), 100);  // exact after a pass
  EXPECT_EQ(h.DeleteExpired(1000), 989u);
  EXPECT_EQ(h.Len(), 11u);
  EXPECT_EQ(h.MinFieldExpire(), 5000);
  EXPECT_LT(t->MemoryUsage(), 2000u);  // buckets shrank with the fields
  for (int i = 990; i < 1000; i++) EXPECT_EQ(Get(h, "f" + std::to_string(i)), "v");
  h.Destroy();
}

TEST(HashFieldTtlTest, ClonesKeepTtls) {
  auto* t = new HashTable();
  t->AddNew("a", "1", 300);
  t->AddNew("b", "2");
  HashTable* c = t->Clone();
  HashObject copy(ObjEncoding::kHashtable, c);
  EXPECT_EQ(ExpireOf(copy, "a"), 300);
  EXPECT_EQ(ExpireOf(copy, "b"), kNone);
  EXPECT_EQ(c->ttl_fields(), 1u);
  EXPECT_EQ(copy.MinFieldExpire(), 300);
  copy.Destroy();
  delete t;

  constexpr HashLimits kRoomy{16, 64};
  HashObject h = HashObject::Create();
  h.Set("x", "1", kRoomy);
  h.SetExpire("x", 42);
  HashObject lp(ObjEncoding::kListpack,
                Listpack::Clone(static_cast<const uint8_t*>(h.obj())));  // the COPY hook
  EXPECT_TRUE(lp.IsListpackEx());
  EXPECT_EQ(ExpireOf(lp, "x"), 42);
  lp.Destroy();
  h.Destroy();
}

TEST(HashFieldTtlTest, RandomPairsAndPairsOnListpackEx) {
  constexpr HashLimits kRoomy{16, 64};
  std::mt19937_64 rng(3);
  HashObject h = HashObject::Create();
  for (int i = 0; i < 5; i++) h.Set("f" + std::to_string(i), "v" + std::to_string(i), kRoomy);
  h.SetExpire("f2", 10);
  std::set<std::string> seen;
  for (int i = 0; i < 300; i++) {
    auto [f, v] = h.RandomPair(rng);
    EXPECT_EQ("v" + f.substr(1), v);
    seen.insert(f);
  }
  EXPECT_EQ(seen.size(), 5u);
  auto pairs = h.Pairs();
  ASSERT_EQ(pairs.size(), 5u);
  EXPECT_EQ(pairs[0], (std::pair<std::string, std::string>{"f2", "v2"}));
  h.Destroy();
}

TEST(HashFieldTtlTest, EncodingNameHook) {
  HashObject::RegisterHooks();
  constexpr HashLimits kRoomy{16, 64};
  HashObject h = HashObject::Create();
  h.Set("a", "1", kRoomy);
  KvEntry* e = KvEntry::CreateObj("k", ObjType::kHash, h.encoding(), h.obj());
  EXPECT_EQ(EncodingName(*e), "listpack");
  h.SetExpire("a", 5);
  e->set_obj(h.obj());
  EXPECT_EQ(EncodingName(*e), "listpackex");
  KvEntry::Destroy(e);
  // Leave the registries empty again: other core tests install their own hooks there.
  for (ObjEncoding enc : {ObjEncoding::kListpack, ObjEncoding::kHashtable}) {
    RegisterObjDestructor(ObjType::kHash, enc, nullptr);
    RegisterObjCopier(ObjType::kHash, enc, nullptr);
    RegisterObjMemoryUsage(ObjType::kHash, enc, nullptr);
    RegisterObjEncodingName(ObjType::kHash, enc, nullptr);
  }
}

}  // namespace
}  // namespace ember
