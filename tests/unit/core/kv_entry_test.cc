// Tests for KvEntry (packed per-key block), RawString growth and integer parsing.
#include "core/kv_entry.h"

#include <gtest/gtest.h>
#include <malloc.h>

#include <cstring>
#include <limits>
#include <memory>
#include <string>

namespace ember {
namespace {

struct EntryDeleter {
  void operator()(KvEntry* e) const { KvEntry::Destroy(e); }
};
using EntryPtr = std::unique_ptr<KvEntry, EntryDeleter>;

std::string Str(const KvEntry* e) {
  char scratch[24];
  return std::string(e->StringValue(scratch));
}

TEST(KvEntryTest, HeaderIsPacked) { EXPECT_EQ(sizeof(KvEntry), 12u); }

TEST(KvEntryTest, EmbStrBasics) {
  EntryPtr e(KvEntry::CreateString("user:1", "hello"));
  EXPECT_EQ(e->key(), "user:1");
  EXPECT_EQ(e->type(), ObjType::kString);
  EXPECT_EQ(e->encoding(), ObjEncoding::kEmbStr);
  EXPECT_FALSE(e->has_expire());
  EXPECT_EQ(e->expire_ms(), KvEntry::kNoExpire);
  EXPECT_EQ(Str(e.get()), "hello");
  EXPECT_EQ(e->StringLength(), 5u);
  EXPECT_EQ(e->next, nullptr);
  EXPECT_EQ(e->lru(), 0u);
}

TEST(KvEntryTest, EncodingChoice) {
  EntryPtr a(KvEntry::CreateString("k", "12345"));
  EXPECT_EQ(a->encoding(), ObjEncoding::kInt);
  EXPECT_EQ(a->int_value(), 12345);
  EXPECT_EQ(Str(a.get()), "12345");
  EXPECT_EQ(a->StringLength(), 5u);

  EntryPtr b(KvEntry::CreateString("k", "012"));  // leading zero: not canonical
  EXPECT_EQ(b->encoding(), ObjEncoding::kEmbStr);
  EXPECT_EQ(Str(b.get()), "012");

  std::string s44(44, 'x'), s45(45, 'y');
  EntryPtr c(KvEntry::CreateString("k", s44));
  EXPECT_EQ(c->encoding(), ObjEncoding::kEmbStr);
  EXPECT_EQ(Str(c.get()), s44);
  EntryPtr d(KvEntry::CreateString("k", s45));
  EXPECT_EQ(d->encoding(), ObjEncoding::kRaw);
  EXPECT_EQ(Str(d.get()), s45);
  EXPECT_EQ(d->StringLength(), 45u);
  EXPECT_EQ(d->raw()->len, 45u);

  EntryPtr empty(KvEntry::CreateString("k", ""));
  EXPECT_EQ(empty->encoding(), ObjEncoding::kEmbStr);
  EXPECT_EQ(Str(empty.get()), "");

  EntryPtr r(KvEntry::CreateRawString("k", "12"));
  EXPECT_EQ(r->encoding(), ObjEncoding::kRaw);
  EXPECT_EQ(Str(r.get()), "12");
}

TEST(KvEntryTest, IntExtremes) {
  EntryPtr mn(KvEntry::CreateInt("k", std::numeric_limits<int64_t>::min()));
  EXPECT_EQ(Str(mn.get()), "-9223372036854775808");
  EXPECT_EQ(mn->StringLength(), 20u);
  EntryPtr mx(KvEntry::CreateString("k", "9223372036854775807"));
  EXPECT_EQ(mx->encoding(), ObjEncoding::kInt);
  EXPECT_EQ(mx->int_value(), std::numeric_limits<int64_t>::max());
  EntryPtr over(KvEntry::CreateString("k", "9223372036854775808"));
  EXPECT_EQ(over->encoding(), ObjEncoding::kEmbStr);
}

TEST(KvEntryTest, ExpiryAndLru) {
  EntryPtr e(KvEntry::CreateString("key", "value", 1'700'000'000'123));
  EXPECT_TRUE(e->has_expire());
  EXPECT_EQ(e->expire_ms(), 1'700'000'000'123);
  EXPECT_EQ(e->key(), "key");
  EXPECT_EQ(Str(e.get()), "value");
  e->set_expire_ms(42);
  EXPECT_EQ(e->expire_ms(), 42);
  EXPECT_EQ(e->key(), "key");
  e->set_lru(0xABCDEF);
  EXPECT_EQ(e->lru(), 0xABCDEFu);
  EXPECT_EQ(e->type(), ObjType::kString);
  EXPECT_EQ(e->encoding(), ObjEncoding::kEmbStr);
  EXPECT_EQ(e->expire_ms(), 42);
}

TEST(KvEntryTest, WithExpireAddsAndRemovesKeepingValue) {
  for (std::string value : {std::string("-77"), std::string("short"), std::string(100, 'r')}) {
    KvEntry* e = KvEntry::CreateString("some-key", value);
    e->set_lru(1234);
    void* obj_before = e->encoding() == ObjEncoding::kRaw ? e->obj() : nullptr;
    KvEntry* with = KvEntry::WithExpire(e, 5000);
    KvEntry::DestroyShell(e);
    EXPECT_TRUE(with->has_expire());
    EXPECT_EQ(with->expire_ms(), 5000);
    EXPECT_EQ(with->key(), "some-key");
    EXPECT_EQ(Str(with), value);
    EXPECT_EQ(with->lru(), 1234u);
    if (obj_before) {
      EXPECT_EQ(with->obj(), obj_before);  // moved, not copied
    }

    KvEntry* without = KvEntry::WithExpire(with, KvEntry::kNoExpire);
    KvEntry::DestroyShell(with);
    EXPECT_FALSE(without->has_expire());
    EXPECT_EQ(without->key(), "some-key");
    EXPECT_EQ(Str(without), value);
    KvEntry::Destroy(without);
  }
}

TEST(KvEntryTest, LongKeyUsesMultiByteVarint) {
  std::string key(300, 'k');
  key[299] = 'z';
  std::string val(40, 'v');
  EntryPtr e(KvEntry::CreateString(key, val, 77));
  EXPECT_EQ(e->key(), key);
  EXPECT_EQ(Str(e.get()), val);
  EXPECT_EQ(e->expire_ms(), 77);
  std::string big_key(20000, 'q');
  EntryPtr f(KvEntry::CreateInt(big_key, -5));
  EXPECT_EQ(f->key(), big_key);
  EXPECT_EQ(f->int_value(), -5);
}

TEST(KvEntryTest, BinarySafe) {
  std::string key("a\0b", 3), val("\0\xff\0", 3);
  EntryPtr e(KvEntry::CreateString(key, val));
  EXPECT_EQ(e->key(), key);
  EXPECT_EQ(Str(e.get()), val);
}

TEST(KvEntryTest, SixteenBySixteenFitsTargetSizeClass) {
  std::string key(16, 'k'), val(16, 'v');
  EntryPtr e(KvEntry::CreateString(key, val));
  EXPECT_GE(malloc_usable_size(e.get()), 46u);
  EntryPtr t(KvEntry::CreateString(key, val, 123456));
#ifdef EMBER_USE_JEMALLOC
  EXPECT_LE(malloc_usable_size(e.get()), 48u);
  EXPECT_LE(malloc_usable_size(t.get()), 64u);  // 54 bytes with the TTL slot
  EXPECT_LE(e->MemoryUsage(), 48u);
#endif
  EXPECT_GE(e->MemoryUsage(), 46u);
}

TEST(KvEntryTest, CloneCopiesStrings) {
  EntryPtr i(KvEntry::CreateInt("a", 99));
  EntryPtr e(KvEntry::CreateString("a", "embedded"));
  EntryPtr r(KvEntry::CreateString("a", std::string(64, 'R')));
  EntryPtr ci(KvEntry::Clone(i.get(), "b", KvEntry::kNoExpire));
  EntryPtr ce(KvEntry::Clone(e.get(), "bb", 10));
  EntryPtr cr(KvEntry::Clone(r.get(), "bbb", KvEntry::kNoExpire));
  EXPECT_EQ(ci->key(), "b");
  EXPECT_EQ(ci->int_value(), 99);
  EXPECT_EQ(ce->key(), "bb");
  EXPECT_EQ(ce->expire_ms(), 10);
  EXPECT_EQ(Str(ce.get()), "embedded");
  EXPECT_EQ(cr->key(), "bbb");
  EXPECT_EQ(Str(cr.get()), std::string(64, 'R'));
  EXPECT_NE(cr->raw(), r->raw());  // deep copy
}

int g_destroyed = 0;

TEST(KvEntryTest, ObjectRegistries) {
  RegisterObjDestructor(ObjType::kHash, ObjEncoding::kHashtable, [](void* p) {
    ++g_destroyed;
    delete static_cast<std::string*>(p);
  });
  auto* obj = new std::string("collection");
  KvEntry* e = KvEntry::CreateObj("h", ObjType::kHash, ObjEncoding::kHashtable, obj);
  EXPECT_EQ(e->type(), ObjType::kHash);
  EXPECT_EQ(e->encoding(), ObjEncoding::kHashtable);
  EXPECT_EQ(e->obj(), obj);
  EXPECT_EQ(KvEntry::Clone(e, "h2", KvEntry::kNoExpire), nullptr);  // no copier yet

  RegisterObjCopier(ObjType::kHash, ObjEncoding::kHashtable, [](const void* p) -> void* {
    return new std::string(*static_cast<const std::string*>(p));
  });
  RegisterObjMemoryUsage(ObjType::kHash, ObjEncoding::kHashtable,
                         [](const void*) -> size_t { return 1000; });
  KvEntry* c = KvEntry::Clone(e, "h2", KvEntry::kNoExpire);
  ASSERT_NE(c, nullptr);
  EXPECT_NE(c->obj(), obj);
  EXPECT_EQ(*static_cast<std::string*>(c->obj()), "collection");
  EXPECT_GE(c->MemoryUsage(), 1000u);

  auto* other = new std::string("other");
  delete static_cast<std::string*>(c->obj());
  c->set_obj(other);
  EXPECT_EQ(c->obj(), other);
  KvEntry* moved = KvEntry::WithExpire(c, 1);
  KvEntry::DestroyShell(c);
  EXPECT_EQ(moved->obj(), other);
  EXPECT_EQ(moved->expire_ms(), 1);

  g_destroyed = 0;
  KvEntry::Destroy(e);
  KvEntry::Destroy(moved);
  EXPECT_EQ(g_destroyed, 2);
  RegisterObjDestructor(ObjType::kHash, ObjEncoding::kHashtable, nullptr);
  RegisterObjCopier(ObjType::kHash, ObjEncoding::kHashtable, nullptr);
  RegisterObjMemoryUsage(ObjType::kHash, ObjEncoding::kHashtable, nullptr);
}

TEST(RawStringTest, CreateAndGrow) {
  RawString* r = RawString::Create("abc", 3);
  EXPECT_EQ(r->view(), "abc");
  EXPECT_EQ(r->cap, 3u);
  r = RawString::Reserve(r, 3);  // enough already
  EXPECT_EQ(r->cap, 3u);
  r = RawString::Reserve(r, 10);
  EXPECT_EQ(r->cap, 20u);  // doubles below 1MB
  EXPECT_EQ(r->view(), "abc");
  std::memcpy(r->data + r->len, "defghij", 7);
  r->len += 7;
  EXPECT_EQ(r->view(), "abcdefghij");
  r = RawString::Reserve(r, (1 << 20) + 5);
  EXPECT_EQ(r->cap, size_t(2 << 20) + 5);  // +1MB beyond 1MB
  EXPECT_EQ(r->view(), "abcdefghij");
  r->data[r->cap - 1] = 'z';  // capacity is writable
  RawString::Destroy(r);

  RawString* fresh = RawString::Reserve(nullptr, 8);
  EXPECT_EQ(fresh->len, 0u);
  EXPECT_GE(fresh->cap, 8u);
  RawString::Destroy(fresh);

  RawString* spare = RawString::Create("x", 100);
  EXPECT_EQ(spare->cap, 100u);
  RawString::Destroy(spare);
}

TEST(StringToInt64Test, AcceptsCanonical) {
  struct Case {
    const char* s;
    int64_t v;
  } cases[] = {{"0", 0},
               {"1", 1},
               {"-1", -1},
               {"10", 10},
               {"1234567890", 1234567890},
               {"9223372036854775807", std::numeric_limits<int64_t>::max()},
               {"-9223372036854775808", std::numeric_limits<int64_t>::min()}};
  for (const auto& c : cases) {
    int64_t v = 12345;
    EXPECT_TRUE(StringToInt64(c.s, &v)) << c.s;
    EXPECT_EQ(v, c.v) << c.s;
  }
}

TEST(StringToInt64Test, RejectsNonCanonical) {
  const char* bad[] = {"",
                       "-",
                       "+1",
                       "-0",
                       "00",
                       "01",
                       "-01",
                       " 1",
                       "1 ",
                       "1a",
                       "a1",
                       "1.0",
                       "0x10",
                       "--1",
                       "9223372036854775808",
                       "-9223372036854775809",
                       "18446744073709551615",
                       "18446744073709551616",
                       "99999999999999999999",
                       "123456789012345678901",  // 21 chars
                       "-00000000000000000001"};
  for (const char* s : bad) {
    int64_t v = 7;
    EXPECT_FALSE(StringToInt64(s, &v)) << s;
  }
  EXPECT_FALSE(StringToInt64(std::string_view("1\0", 2), nullptr));
}

TEST(StringToInt64Test, RoundTripsWithInt64ToChars) {
  char buf[24];
  for (int64_t v : {int64_t(0), int64_t(-1), int64_t(42), std::numeric_limits<int64_t>::min(),
                    std::numeric_limits<int64_t>::max(), int64_t(-1000000000000)}) {
    size_t n = Int64ToChars(v, buf);
    int64_t back;
    ASSERT_TRUE(StringToInt64(std::string_view(buf, n), &back));
    EXPECT_EQ(back, v);
  }
}

}  // namespace
}  // namespace ember
