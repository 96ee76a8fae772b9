// KvEntry and RawString: the packed per-key heap block and the growable string it may point to.
//
// Every access to the variable part of an entry goes through memcpy (unaligned-safe): the
// block is packed, so the expiry, an inline int64 or an object pointer can sit at any offset.
// The layout helpers below are the only code that knows the byte positions; everything else
// uses key()/value accessors.
#include "core/kv_entry.h"

#include <malloc.h>

#include <array>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <new>

namespace ember {
namespace {

constexpr size_t kHeader = sizeof(KvEntry);  // next + meta + lru = 12 bytes (packed)
static_assert(kHeader == 12, "KvEntry header must stay packed");
constexpr uint8_t kExpireBit = 0x80;
constexpr size_t kRawHeader = offsetof(RawString, data);
constexpr size_t kRawLinearLimit = 1 << 20;  // sds-like: double below 1MB, then +1MB

// Indexed by type * 8 + encoding.
std::array<ObjDestructor, 64> g_destructors{};
std::array<ObjCopier, 64> g_copiers{};
std::array<ObjMemoryUsageFn, 64> g_sizers{};
std::array<ObjEncodingNameFn, 64> g_enc_names{};
std::array<ObjFreeEffortFn, 64> g_free_efforts{};
size_t HookIndex(ObjType t, ObjEncoding e) { return (size_t(t) & 7) * 8 + size_t(e); }

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

char* PutVarint(char* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = char(uint8_t(v) | 0x80);
    v >>= 7;
  }
  *p++ = char(v);
  return p;
}

// Decodes a varint at p; the single-byte case (every key shorter than 128 bytes) is inlined.
inline const char* GetVarint(const char* p, uint64_t* v) {
  uint8_t b = uint8_t(*p++);
  if (b < 0x80) {
    *v = b;
    return p;
  }
  uint64_t r = b & 0x7f;
  int shift = 7;
  do {
    b = uint8_t(*p++);
    r |= uint64_t(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  *v = r;
  return p;
}

bool IsObjEncoding(ObjEncoding enc) { return uint8_t(enc) >= uint8_t(ObjEncoding::kRaw); }

size_t ValueSize(ObjEncoding enc, size_t emb_len) {
  switch (enc) {
    case ObjEncoding::kInt:
      return sizeof(int64_t);
    case ObjEncoding::kEmbStr:
      return VarintSize(emb_len) + emb_len;
    default:
      return sizeof(void*);
  }
}

// Allocates a block and writes header, expiry and key; returns the value position.
KvEntry* AllocEntry(std::string_view key, uint8_t meta, int64_t expire_ms, size_t value_size,
                    char** value_pos) {
  bool has_expire = expire_ms != KvEntry::kNoExpire;
  size_t total = kHeader + (has_expire ? sizeof(int64_t) : 0) + VarintSize(key.size()) +
                 key.size() + value_size;
  char* block = static_cast<char*>(std::malloc(total));
  if (block == nullptr) throw std::bad_alloc();
  std::memset(block, 0, kHeader);  // next = nullptr, lru = 0
  block[sizeof(KvEntry*)] = char(meta | (has_expire ? kExpireBit : 0));
  char* p = block + kHeader;
  if (has_expire) {
    std::memcpy(p, &expire_ms, sizeof(expire_ms));
    p += sizeof(expire_ms);
  }
  p = PutVarint(p, key.size());
  std::memcpy(p, key.data(), key.size());
  *value_pos = p + key.size();
  return reinterpret_cast<KvEntry*>(block);
}

uint8_t MakeMeta(ObjType type, ObjEncoding enc) {
  return uint8_t(uint8_t(type) & 0x07) | uint8_t((uint8_t(enc) & 0x07) << 4);
}

KvEntry* CreateEmbStr(std::string_view key, std::string_view value, int64_t expire_ms) {
  char* v;
  KvEntry* e = AllocEntry(key, MakeMeta(ObjType::kString, ObjEncoding::kEmbStr), expire_ms,
                          ValueSize(ObjEncoding::kEmbStr, value.size()), &v);
  v = PutVarint(v, value.size());
  std::memcpy(v, value.data(), value.size());
  return e;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Registries for collection encodings.

void RegisterObjDestructor(ObjType type, ObjEncoding enc, ObjDestructor fn) {
  g_destructors[HookIndex(type, enc)] = fn;
}
void RegisterObjCopier(ObjType type, ObjEncoding enc, ObjCopier fn) {
  g_copiers[HookIndex(type, enc)] = fn;
}
void RegisterObjMemoryUsage(ObjType type, ObjEncoding enc, ObjMemoryUsageFn fn) {
  g_sizers[HookIndex(type, enc)] = fn;
}

void RegisterObjEncodingName(ObjType type, ObjEncoding enc, ObjEncodingNameFn fn) {
  g_enc_names[HookIndex(type, enc)] = fn;
}

void RegisterObjFreeEffort(ObjType type, ObjEncoding enc, ObjFreeEffortFn fn) {
  g_free_efforts[HookIndex(type, enc)] = fn;
}

// ---------------------------------------------------------------------------------------------
// RawString

RawString* RawString::Create(std::string_view s, size_t cap) {
  if (cap < s.size()) cap = s.size();
  auto* r = static_cast<RawString*>(std::malloc(kRawHeader + cap));
  if (r == nullptr) throw std::bad_alloc();
  r->len = s.size();
  r->cap = cap;
  if (!s.empty()) std::memcpy(r->data, s.data(), s.size());
  return r;
}

void RawString::Destroy(RawString* r) { std::free(r); }

RawString* RawString::Reserve(RawString* r, size_t need) {
  if (r == nullptr) return Create({}, need);
  if (need <= r->cap) return r;
  size_t cap = need < kRawLinearLimit ? need * 2 : need + kRawLinearLimit;
  auto* grown = static_cast<RawString*>(std::realloc(r, kRawHeader + cap));
  if (grown == nullptr) throw std::bad_alloc();
  grown->cap = cap;
  return grown;
}

// ---------------------------------------------------------------------------------------------
// KvEntry construction and destruction

KvEntry* KvEntry::CreateString(std::string_view key, std::string_view value, int64_t expire_ms) {
  int64_t iv;
  if (value.size() <= 20 && StringToInt64(value, &iv)) return CreateInt(key, iv, expire_ms);
  if (value.size() <= kEmbStrMax) return CreateEmbStr(key, value, expire_ms);
  return CreateRawString(key, value, expire_ms);
}

KvEntry* KvEntry::CreateRawString(std::string_view key, std::string_view value, int64_t expire_ms) {
  RawString* r = RawString::Create(value, value.size());
  return CreateObj(key, ObjType::kString, ObjEncoding::kRaw, r, expire_ms);
}

KvEntry* KvEntry::CreateEmbString(std::string_view key, std::string_view value, int64_t expire_ms) {
  return CreateEmbStr(key, value, expire_ms);
}

KvEntry* KvEntry::CreateInt(std::string_view key, int64_t value, int64_t expire_ms) {
  char* v;
  KvEntry* e = AllocEntry(key, MakeMeta(ObjType::kString, ObjEncoding::kInt), expire_ms,
                          sizeof(int64_t), &v);
  std::memcpy(v, &value, sizeof(value));
  return e;
}

KvEntry* KvEntry::CreateObj(std::string_view key, ObjType type, ObjEncoding enc, void* obj,
                            int64_t expire_ms) {
  char* v;
  KvEntry* e = AllocEntry(key, MakeMeta(type, enc), expire_ms, sizeof(void*), &v);
  std::memcpy(v, &obj, sizeof(obj));
  return e;
}

KvEntry* KvEntry::WithExpire(KvEntry* e, int64_t expire_ms) {
  // The value bytes (inline int, embedded string or object pointer) are copied verbatim, which
  // moves ownership of a heap object to the copy.
  std::string_view k = e->key();
  const char* old_v = e->value_pos();
  size_t value_size;
  if (e->encoding() == ObjEncoding::kEmbStr) {
    uint64_t n;
    const char* p = GetVarint(old_v, &n);
    value_size = size_t(p - old_v) + n;
  } else {
    value_size = ValueSize(e->encoding(), 0);
  }
  char* v;
  KvEntry* fresh = AllocEntry(k, e->meta_ & ~kExpireBit, expire_ms, value_size, &v);
  std::memcpy(v, old_v, value_size);
  fresh->set_lru(e->lru());
  return fresh;
}

void KvEntry::Destroy(KvEntry* e) {
  if (e == nullptr) return;
  ObjEncoding enc = e->encoding();
  if (enc == ObjEncoding::kRaw) {
    RawString::Destroy(e->raw());
  } else if (IsObjEncoding(enc)) {
    if (ObjDestructor fn = g_destructors[HookIndex(e->type(), enc)]) fn(e->obj());
  }
  std::free(e);
}

void KvEntry::DestroyShell(KvEntry* e) { std::free(e); }

KvEntry* KvEntry::Clone(const KvEntry* e, std::string_view new_key, int64_t expire_ms) {
  switch (e->encoding()) {
    case ObjEncoding::kInt:
      return CreateInt(new_key, e->int_value(), expire_ms);
    case ObjEncoding::kEmbStr: {
      char scratch[24];
      return CreateEmbStr(new_key, e->StringValue(scratch), expire_ms);
    }
    case ObjEncoding::kRaw: {
      const RawString* src = e->raw();
      RawString* copy = RawString::Create(src->view(), src->len);
      return CreateObj(new_key, e->type(), ObjEncoding::kRaw, copy, expire_ms);
    }
    default: {
      ObjCopier fn = g_copiers[HookIndex(e->type(), e->encoding())];
      if (fn == nullptr) return nullptr;
      void* copy = fn(e->obj());
      if (copy == nullptr) return nullptr;
      return CreateObj(new_key, e->type(), e->encoding(), copy, expire_ms);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// KvEntry accessors

const char* KvEntry::value_pos() const {
  std::string_view k = key();
  return k.data() + k.size();
}

int64_t KvEntry::expire_ms() const {
  if (!has_expire()) return kNoExpire;
  int64_t v;
  std::memcpy(&v, reinterpret_cast<const char*>(this) + kHeader, sizeof(v));
  return v;
}

void KvEntry::set_expire_ms(int64_t ms) {
  std::memcpy(reinterpret_cast<char*>(this) + kHeader, &ms, sizeof(ms));
}

int64_t KvEntry::int_value() const {
  int64_t v;
  std::memcpy(&v, value_pos(), sizeof(v));
  return v;
}

void KvEntry::set_int_value(int64_t v) {
  std::memcpy(const_cast<char*>(value_pos()), &v, sizeof(v));
}

std::string_view KvEntry::StringValue(char* scratch) const {
  switch (encoding()) {
    case ObjEncoding::kInt:
      return {scratch, Int64ToChars(int_value(), scratch)};
    case ObjEncoding::kEmbStr: {
      uint64_t n;
      const char* p = GetVarint(value_pos(), &n);
      return {p, size_t(n)};
    }
    case ObjEncoding::kRaw:
      return raw()->view();
    default:
      return {};
  }
}

size_t KvEntry::StringLength() const {
  switch (encoding()) {
    case ObjEncoding::kInt: {
      char buf[24];
      return Int64ToChars(int_value(), buf);
    }
    case ObjEncoding::kEmbStr: {
      uint64_t n;
      GetVarint(value_pos(), &n);
      return size_t(n);
    }
    case ObjEncoding::kRaw:
      return raw()->len;
    default:
      return 0;
  }
}

void* KvEntry::obj() const {
  void* p;
  std::memcpy(&p, value_pos(), sizeof(p));
  return p;
}

void KvEntry::set_obj(void* p) { std::memcpy(const_cast<char*>(value_pos()), &p, sizeof(p)); }

size_t KvEntry::MemoryUsage() const {
  size_t n = malloc_usable_size(const_cast<KvEntry*>(this));
  ObjEncoding enc = encoding();
  if (enc == ObjEncoding::kRaw) {
    n += malloc_usable_size(raw());
  } else if (IsObjEncoding(enc)) {
    if (ObjMemoryUsageFn fn = g_sizers[HookIndex(type(), enc)]) n += fn(obj());
  }
  return n;
}

size_t KvEntry::FreeEffort() const {
  ObjEncoding enc = encoding();
  if (!IsObjEncoding(enc) || enc == ObjEncoding::kRaw) return 1;
  ObjFreeEffortFn fn = g_free_efforts[HookIndex(type(), enc)];
  return fn != nullptr ? fn(obj()) : 1;
}

// ---------------------------------------------------------------------------------------------
// Integer conversion

bool StringToInt64(std::string_view s, int64_t* out) {
  size_t n = s.size();
  if (n == 0 || n > 20) return false;
  const char* p = s.data();
  const char* end = p + n;
  if (n == 1 && p[0] == '0') {
    if (out) *out = 0;
    return true;
  }
  bool negative = false;
  if (*p == '-') {
    negative = true;
    if (++p == end) return false;
  }
  // First digit 1-9: rejects leading zeros, "-0", '+', spaces.
  if (*p < '1' || *p > '9') return false;
  uint64_t v = uint64_t(*p++ - '0');
  for (; p < end; ++p) {
    if (*p < '0' || *p > '9') return false;
    if (__builtin_mul_overflow(v, uint64_t(10), &v)) return false;
    if (__builtin_add_overflow(v, uint64_t(*p - '0'), &v)) return false;
  }
  if (negative) {
    if (v > uint64_t(INT64_MAX) + 1) return false;
    if (out) *out = int64_t(0 - v);
  } else {
    if (v > uint64_t(INT64_MAX)) return false;
    if (out) *out = int64_t(v);
  }
  return true;
}

size_t Int64ToChars(int64_t v, char* buf) {
  auto r = std::to_chars(buf, buf + 21, v);
  return size_t(r.ptr - buf);
}

std::string_view EncodingName(const KvEntry& e) {
  if (ObjEncodingNameFn fn = g_enc_names[HookIndex(e.type(), e.encoding())]) return fn(e.obj());
  switch (e.encoding()) {
    case ObjEncoding::kInt:
      return "int";
    case ObjEncoding::kEmbStr:
      return "embstr";
    case ObjEncoding::kRaw:
      return "raw";
    case ObjEncoding::kListpack:
      return e.type() == ObjType::kStream ? "stream" : "listpack";
    case ObjEncoding::kQuicklist:
      return "quicklist";
    case ObjEncoding::kIntset:
      return "intset";
    case ObjEncoding::kHashtable:
      return "hashtable";
    case ObjEncoding::kSkiplist:
      return "skiplist";
  }
  return "unknown";  // the meta byte holds only the encodings above
}

}  // namespace ember
