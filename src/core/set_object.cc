// SetObject and StrSet implementation: see set_object.h.
#include "core/set_object.h"

#include <cstdlib>
#include <cstring>
#include <new>
#include <random>

#include "core/dict.h"

namespace ember {

// ---------------------------------------------------------------------------------------------
// StrSet

namespace {

size_t VarintLen(size_t n) {
  size_t len = 1;
  while (n >= 0x80) {
    n >>= 7;
    len++;
  }
  return len;
}

uint64_t Rev64(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0f0f0f0f0f0f0f0full) | ((v & 0x0f0f0f0f0f0f0f0full) << 4);
  return __builtin_bswap64(v);
}

void* CheckedMalloc(size_t n) {
  void* p = std::malloc(n);
  if (!p) throw std::bad_alloc();
  return p;
}

}  // namespace

StrSet::StrSet() {
  table_ = static_cast<Node**>(std::calloc(buckets(), sizeof(Node*)));
  if (!table_) throw std::bad_alloc();
}

StrSet::~StrSet() {
  for (size_t b = 0; b < buckets(); b++) {
    for (Node* n = table_[b]; n;) {
      Node* next = n->next;
      std::free(n);
      n = next;
    }
  }
  std::free(table_);
}

StrSet* StrSet::Clone() const {
  auto* c = new StrSet();
  c->Reserve(size_);
  ForEach([c](std::string_view m) { c->Add(m); });
  return c;
}

std::string_view StrSet::Member(const Node* n) {
  const uint8_t* p = reinterpret_cast<const uint8_t*>(n) + sizeof(Node);
  size_t len = 0;
  int shift = 0;
  uint8_t b;
  do {
    b = *p++;
    len |= size_t(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return {reinterpret_cast<const char*>(p), len};
}

StrSet::Node* StrSet::NewNode(std::string_view m) {
  auto* n = static_cast<Node*>(CheckedMalloc(sizeof(Node) + VarintLen(m.size()) + m.size()));
  n->next = nullptr;
  uint8_t* p = reinterpret_cast<uint8_t*>(n) + sizeof(Node);
  size_t len = m.size();
  while (len >= 0x80) {
    *p++ = uint8_t(len | 0x80);
    len >>= 7;
  }
  *p++ = uint8_t(len);
  if (!m.empty()) std::memcpy(p, m.data(), m.size());
  return n;
}

void StrSet::Rehash(uint32_t new_log2) {
  size_t new_buckets = size_t(1) << new_log2;
  auto** t = static_cast<Node**>(std::calloc(new_buckets, sizeof(Node*)));
  if (!t) throw std::bad_alloc();
  for (size_t b = 0; b < buckets(); b++) {
    for (Node* n = table_[b]; n;) {
      Node* next = n->next;
      size_t i = Dict::Hash(Member(n)) & (new_buckets - 1);
      n->next = t[i];
      t[i] = n;
      n = next;
    }
  }
  std::free(table_);
  table_ = t;
  log2_ = new_log2;
}

void StrSet::Reserve(size_t n) {
  uint32_t l = log2_;
  while ((size_t(1) << l) * kMaxLoad < n) l++;
  if (l != log2_) Rehash(l);
}

bool StrSet::Contains(std::string_view m) const {
  for (Node* n = table_[Dict::Hash(m) & (buckets() - 1)]; n; n = n->next) {
    if (Member(n) == m) return true;
  }
  return false;
}

bool StrSet::Add(std::string_view m) {
  Node** slot = &table_[Dict::Hash(m) & (buckets() - 1)];
  for (Node* n = *slot; n; n = n->next) {
    if (Member(n) == m) return false;
  }
  Node* node = NewNode(m);
  node->next = *slot;
  *slot = node;
  size_++;
  if (size_ > buckets() * kMaxLoad) Rehash(log2_ + 1);
  return true;
}

bool StrSet::Remove(std::string_view m) {
  for (Node** pp = &table_[Dict::Hash(m) & (buckets() - 1)]; *pp; pp = &(*pp)->next) {
    Node* n = *pp;
    if (Member(n) != m) continue;
    *pp = n->next;
    std::free(n);
    size_--;
    // Shrink when sparse (load < 1/8) so a set that was big once does not keep its array.
    if (log2_ > kMinLog2 && size_ < buckets() / 8) {
      uint32_t l = log2_;
      while (l > kMinLog2 && (size_t(1) << (l - 1)) >= size_) l--;
      Rehash(l);
    }
    return true;
  }
  return false;
}

std::string_view StrSet::Random(uint64_t (*rnd)()) const {
  uint64_t mask = buckets() - 1;
  Node* head;
  do {
    head = table_[rnd() & mask];
  } while (!head);
  size_t len = 0;
  for (Node* n = head; n; n = n->next) len++;
  size_t k = rnd() % len;
  Node* n = head;
  while (k--) n = n->next;
  return Member(n);
}

// Redis's reverse-binary cursor increment: set the bits above the mask, reverse, add one,
// reverse back. Buckets are visited in an order such that when the table doubles, every
// bucket already visited maps to buckets that are also already visited (and when it halves,
// at worst some are visited again), so members present throughout are never skipped.
uint64_t StrSet::NextCursor(uint64_t cursor, uint64_t mask) {
  cursor |= ~mask;
  cursor = Rev64(cursor);
  cursor++;
  return Rev64(cursor);
}

size_t StrSet::MemoryUsage() const {
  size_t bytes = sizeof(StrSet) + buckets() * sizeof(Node*);
  ForEach([&bytes](std::string_view m) { bytes += sizeof(Node) + VarintLen(m.size()) + m.size(); });
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// SetObject

namespace {

void DestroyIntset(void* obj) { IntSet::Destroy(static_cast<IntSet*>(obj)); }
void DestroyTable(void* obj) { delete static_cast<StrSet*>(obj); }
void* CopyIntset(const void* obj) { return IntSet::Copy(static_cast<const IntSet*>(obj)); }
void* CopyTable(const void* obj) { return static_cast<const StrSet*>(obj)->Clone(); }
size_t IntsetUsage(const void* obj) { return static_cast<const IntSet*>(obj)->BlobBytes(); }
size_t TableUsage(const void* obj) { return static_cast<const StrSet*>(obj)->MemoryUsage(); }

[[maybe_unused]] const bool kHooksRegistered = [] {
  SetObject::RegisterHooks();
  return true;
}();

}  // namespace

void SetObject::RegisterHooks() {
  RegisterObjDestructor(ObjType::kSet, ObjEncoding::kIntset, DestroyIntset);
  RegisterObjDestructor(ObjType::kSet, ObjEncoding::kHashtable, DestroyTable);
  RegisterObjCopier(ObjType::kSet, ObjEncoding::kIntset, CopyIntset);
  RegisterObjCopier(ObjType::kSet, ObjEncoding::kHashtable, CopyTable);
  RegisterObjMemoryUsage(ObjType::kSet, ObjEncoding::kIntset, IntsetUsage);
  RegisterObjMemoryUsage(ObjType::kSet, ObjEncoding::kHashtable, TableUsage);
}

SetObject SetObject::CreateIntset() { return {ObjEncoding::kIntset, IntSet::Create()}; }

SetObject SetObject::CreateFor(std::string_view first) {
  int64_t v;
  if (StringToInt64(first, &v)) return CreateIntset();
  return {ObjEncoding::kHashtable, new StrSet()};
}

size_t SetObject::Size() const {
  return enc_ == ObjEncoding::kIntset ? intset()->size() : strset()->size();
}

bool SetObject::Contains(std::string_view m) const {
  if (enc_ == ObjEncoding::kHashtable) return strset()->Contains(m);
  int64_t v;
  return StringToInt64(m, &v) && intset()->Contains(v);
}

void SetObject::ConvertToHashtable(size_t reserve) {
  auto* t = new StrSet();
  t->Reserve(reserve);
  ForEach([t](std::string_view m) { t->Add(m); });
  IntSet::Destroy(intset());
  enc_ = ObjEncoding::kHashtable;
  obj_ = t;
}

bool SetObject::Add(std::string_view m, int64_t max_intset) {
  if (enc_ == ObjEncoding::kIntset) {
    int64_t v;
    if (StringToInt64(m, &v)) {
      bool added;
      obj_ = IntSet::Add(intset(), v, &added);
      if (added && int64_t(intset()->size()) > max_intset) ConvertToHashtable(intset()->size());
      return added;
    }
    ConvertToHashtable(intset()->size() + 1);
  }
  return strset()->Add(m);
}

bool SetObject::Remove(std::string_view m) {
  if (enc_ == ObjEncoding::kHashtable) return strset()->Remove(m);
  int64_t v;
  if (!StringToInt64(m, &v)) return false;
  bool removed;
  obj_ = IntSet::Remove(intset(), v, &removed);
  return removed;
}

std::string_view SetObject::Random(char* scratch, uint64_t* id) const {
  if (enc_ == ObjEncoding::kIntset) {
    size_t i = SetRandom() % intset()->size();
    *id = i;
    return {scratch, Int64ToChars(intset()->Get(i), scratch)};
  }
  std::string_view m = strset()->Random(SetRandom);
  *id = reinterpret_cast<uintptr_t>(m.data());
  return m;
}

void SetObject::Destroy() {
  if (enc_ == ObjEncoding::kIntset) {
    IntSet::Destroy(intset());
  } else {
    delete strset();
  }
  obj_ = nullptr;
}

size_t SetObject::MemoryUsage() const {
  return enc_ == ObjEncoding::kIntset ? intset()->BlobBytes() : strset()->MemoryUsage();
}

void StoreSet(KvEntry* e, const SetObject& s) {
  e->set_obj(s.obj());
  if (e->encoding() != s.encoding()) e->set_encoding(s.encoding());
}

uint64_t SetRandom() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng();
}

}  // namespace ember
