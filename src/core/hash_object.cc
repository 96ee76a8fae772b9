// HashObject and HashTable: the two encodings of a HASH value; see hash_object.h.
#include "core/hash_object.h"

#include <malloc.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>

#include "core/dict.h"
#include "core/listpack.h"

namespace ember {
namespace {

size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

size_t PutVarint(char* p, uint64_t v) {
  size_t n = 0;
  while (v >= 0x80) {
    p[n++] = char(uint8_t(v) | 0x80);
    v >>= 7;
  }
  p[n++] = char(uint8_t(v));
  return n;
}

const char* GetVarint(const char* p, uint64_t* out) {
  uint64_t v = 0;
  int shift = 0;
  uint8_t b;
  do {
    b = uint8_t(*p++);
    v |= uint64_t(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  *out = v;
  return p;
}

// Reverses the low `bits` bits of v (SCAN cursor arithmetic).
uint64_t Rev(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
  return __builtin_bswap64(v);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// HashTable

struct HashTable::Node {
  Node* next;
  uint8_t flags;  // reserved: per-field expiry present (later)
  char data[];    // varint flen, field, varint vlen, value (starts at offset 9)
};

HashTable::Node* HashTable::MakeNode(std::string_view field, std::string_view value) {
  size_t total = offsetof(Node, data) + VarintSize(field.size()) + field.size() +
                 VarintSize(value.size()) + value.size();
  auto* n = static_cast<Node*>(std::malloc(total));
  n->next = nullptr;
  n->flags = 0;
  char* p = n->data;
  p += PutVarint(p, field.size());
  std::memcpy(p, field.data(), field.size());
  p += field.size();
  p += PutVarint(p, value.size());
  std::memcpy(p, value.data(), value.size());
  return n;
}

std::string_view HashTable::NodeField(const Node* n) {
  uint64_t len;
  const char* p = GetVarint(n->data, &len);
  return {p, size_t(len)};
}

std::string_view HashTable::NodeValue(const Node* n) {
  std::string_view f = NodeField(n);
  uint64_t len;
  const char* p = GetVarint(f.data() + f.size(), &len);
  return {p, size_t(len)};
}

HashTable::~HashTable() {
  for (size_t i = 0; i < nbuckets_; i++) {
    Node* n = buckets_[i];
    while (n) {
      Node* next = n->next;
      std::free(n);
      n = next;
    }
  }
  std::free(buckets_);
}

HashTable::Node** HashTable::Slot(std::string_view field) const {
  if (nbuckets_ == 0) return nullptr;
  Node** slot = &buckets_[Dict::Hash(field) & (nbuckets_ - 1)];
  while (*slot && NodeField(*slot) != field) slot = &(*slot)->next;
  return slot;
}

void HashTable::Resize(size_t buckets) {
  auto** nb = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
  for (size_t i = 0; i < nbuckets_; i++) {
    Node* n = buckets_[i];
    while (n) {
      Node* next = n->next;
      Node** head = &nb[Dict::Hash(NodeField(n)) & (buckets - 1)];
      n->next = *head;
      *head = n;
      n = next;
    }
  }
  std::free(buckets_);
  buckets_ = nb;
  nbuckets_ = buckets;
}

bool HashTable::Get(std::string_view field, std::string_view* value) const {
  Node** slot = Slot(field);
  if (!slot || !*slot) return false;
  *value = NodeValue(*slot);
  return true;
}

bool HashTable::Set(std::string_view field, std::string_view value) {
  Node** slot = Slot(field);
  if (slot && *slot) {
    Node* old = *slot;
    if (NodeValue(old).size() == value.size()) {  // same layout: overwrite in place
      std::memcpy(const_cast<char*>(NodeValue(old).data()), value.data(), value.size());
      return false;
    }
    Node* fresh = MakeNode(field, value);
    fresh->next = old->next;
    fresh->flags = old->flags;
    *slot = fresh;
    std::free(old);
    return false;
  }
  AddNew(field, value);
  return true;
}

void HashTable::AddNew(std::string_view field, std::string_view value) {
  if (size_ >= nbuckets_) Resize(nbuckets_ ? nbuckets_ * 2 : 4);
  Node* n = MakeNode(field, value);
  Node** head = &buckets_[Dict::Hash(field) & (nbuckets_ - 1)];
  n->next = *head;
  *head = n;
  size_++;
}

bool HashTable::Delete(std::string_view field) {
  Node** slot = Slot(field);
  if (!slot || !*slot) return false;
  Node* n = *slot;
  *slot = n->next;
  std::free(n);
  size_--;
  if (nbuckets_ > 4 && size_ < nbuckets_ / 8) Resize(nbuckets_ / 2);
  return true;
}

void HashTable::ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const {
  for (size_t i = 0; i < nbuckets_; i++) {
    for (Node* n = buckets_[i]; n; n = n->next) fn(NodeField(n), NodeValue(n));
  }
}

uint64_t HashTable::Scan(uint64_t cursor, size_t count,
                         const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (nbuckets_ == 0) return 0;
  uint64_t mask = nbuckets_ - 1;
  size_t emitted = 0;
  size_t steps = 0;
  do {
    for (Node* n = buckets_[cursor & mask]; n; n = n->next) {
      fn(NodeField(n), NodeValue(n));
      emitted++;
    }
    // Increment the reversed cursor (Redis's dictScan arithmetic).
    cursor |= ~mask;
    cursor = Rev(cursor);
    cursor++;
    cursor = Rev(cursor);
    steps++;
  } while (cursor != 0 && emitted < count && steps < count * 10);
  return cursor;
}

std::pair<std::string_view, std::string_view> HashTable::Random(std::mt19937_64& rng) const {
  Node* head;
  do {
    head = buckets_[rng() & (nbuckets_ - 1)];
  } while (!head);
  size_t len = 0;
  for (Node* n = head; n; n = n->next) len++;
  Node* n = head;
  for (size_t i = rng() % len; i > 0; i--) n = n->next;
  return {NodeField(n), NodeValue(n)};
}

size_t HashTable::MemoryUsage() const {
  size_t total = malloc_usable_size(const_cast<HashTable*>(this));
  if (buckets_) total += malloc_usable_size(buckets_);
  for (size_t i = 0; i < nbuckets_; i++) {
    for (Node* n = buckets_[i]; n; n = n->next) total += malloc_usable_size(n);
  }
  return total;
}

HashTable* HashTable::Clone() const {
  auto* c = new HashTable();
  c->Resize(nbuckets_ ? nbuckets_ : 4);
  ForEach([c](std::string_view f, std::string_view v) { c->AddNew(f, v); });
  return c;
}

// ---------------------------------------------------------------------------------------------
// HashObject

namespace {

void DestroyTable(void* obj) { delete static_cast<HashTable*>(obj); }
void* CopyTable(const void* obj) { return static_cast<const HashTable*>(obj)->Clone(); }
size_t TableUsage(const void* obj) { return static_cast<const HashTable*>(obj)->MemoryUsage(); }

}  // namespace

void HashObject::RegisterHooks() {
  Listpack::RegisterObjHooks(ObjType::kHash);
  RegisterObjDestructor(ObjType::kHash, ObjEncoding::kHashtable, DestroyTable);
  RegisterObjCopier(ObjType::kHash, ObjEncoding::kHashtable, CopyTable);
  RegisterObjMemoryUsage(ObjType::kHash, ObjEncoding::kHashtable, TableUsage);
}

HashObject HashObject::Create() {
  // No backlens: nothing walks a hash backwards, and it saves a byte per field and value.
  return {ObjEncoding::kListpack, Listpack::New(/*backward=*/false)};
}

size_t HashObject::Len() const {
  if (enc_ == ObjEncoding::kListpack) return Listpack::Count(static_cast<uint8_t*>(obj_)) / 2;
  return static_cast<HashTable*>(obj_)->size();
}

bool HashObject::Get(std::string_view field, char* scratch, std::string_view* value) const {
  if (enc_ == ObjEncoding::kHashtable) return static_cast<HashTable*>(obj_)->Get(field, value);
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = Listpack::Find(lp, Listpack::First(lp), field, 1);
  if (Listpack::AtEnd(lp, pos)) return false;
  *value = Listpack::Get(lp, Listpack::Next(lp, pos)).View(scratch);
  return true;
}

bool HashObject::Exists(std::string_view field) const {
  char scratch[Listpack::kScratch];
  std::string_view v;
  return Get(field, scratch, &v);
}

void HashObject::ConvertIfNeeded(size_t incoming, size_t longest, const HashLimits& limits) {
  if (enc_ != ObjEncoding::kListpack) return;
  if (int64_t(longest) > limits.max_value || int64_t(Len() + incoming) > limits.max_entries) {
    ConvertToHashtable();
  }
}

void HashObject::ConvertToHashtable() {
  if (enc_ != ObjEncoding::kListpack) return;
  auto* lp = static_cast<uint8_t*>(obj_);
  auto* t = new HashTable();
  ForEach([t](std::string_view f, std::string_view v) { t->AddNew(f, v); });
  Listpack::Free(lp);
  enc_ = ObjEncoding::kHashtable;
  obj_ = t;
}

bool HashObject::Set(std::string_view field, std::string_view value, const HashLimits& limits) {
  if (enc_ == ObjEncoding::kListpack &&
      (int64_t(field.size()) > limits.max_value || int64_t(value.size()) > limits.max_value)) {
    ConvertToHashtable();
  }
  if (enc_ == ObjEncoding::kHashtable) return static_cast<HashTable*>(obj_)->Set(field, value);
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = Listpack::Find(lp, Listpack::First(lp), field, 1);
  if (!Listpack::AtEnd(lp, pos)) {
    obj_ = Listpack::Replace(lp, Listpack::Next(lp, pos), value);
    return false;
  }
  std::string_view pair[2] = {field, value};
  obj_ = Listpack::AppendMany(lp, pair, 2);
  if (int64_t(Len()) > limits.max_entries) ConvertToHashtable();
  return true;
}

bool HashObject::Delete(std::string_view field) {
  if (enc_ == ObjEncoding::kHashtable) return static_cast<HashTable*>(obj_)->Delete(field);
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = Listpack::Find(lp, Listpack::First(lp), field, 1);
  if (Listpack::AtEnd(lp, pos)) return false;
  obj_ = Listpack::Erase(lp, pos, 2);
  return true;
}

void HashObject::ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (enc_ == ObjEncoding::kHashtable) return static_cast<HashTable*>(obj_)->ForEach(fn);
  auto* lp = static_cast<uint8_t*>(obj_);
  char fs[Listpack::kScratch], vs[Listpack::kScratch];
  for (uint32_t pos = Listpack::First(lp); !Listpack::AtEnd(lp, pos);) {
    uint32_t vpos = Listpack::Next(lp, pos);
    fn(Listpack::Get(lp, pos).View(fs), Listpack::Get(lp, vpos).View(vs));
    pos = Listpack::Next(lp, vpos);
  }
}

std::vector<std::pair<std::string, std::string>> HashObject::Pairs() const {
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(Len());
  ForEach([&out](std::string_view f, std::string_view v) { out.emplace_back(f, v); });
  return out;
}

std::pair<std::string, std::string> HashObject::RandomPair(std::mt19937_64& rng) const {
  if (enc_ == ObjEncoding::kHashtable) {
    auto [f, v] = static_cast<HashTable*>(obj_)->Random(rng);
    return {std::string(f), std::string(v)};
  }
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = Listpack::Seek(lp, int64_t(rng() % Len()) * 2);
  char fs[Listpack::kScratch], vs[Listpack::kScratch];
  return {std::string(Listpack::Get(lp, pos).View(fs)),
          std::string(Listpack::Get(lp, Listpack::Next(lp, pos)).View(vs))};
}

void HashObject::Destroy() {
  if (enc_ == ObjEncoding::kHashtable) {
    DestroyTable(obj_);
  } else {
    Listpack::Free(static_cast<uint8_t*>(obj_));
  }
  obj_ = nullptr;
}

}  // namespace ember
