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

constexpr uint8_t kNodeExpire = 0x01;  // an int64 expiry follows `flags`

struct HashTable::Node {
  Node* next;
  uint8_t flags;  // kNodeExpire
  char data[];    // [int64 expire], varint flen, field, varint vlen, value (from offset 9)
};

HashTable::Node* HashTable::MakeNode(std::string_view field, std::string_view value,
                                     int64_t expire) {
  bool has_expire = expire != KvEntry::kNoExpire;
  size_t total = offsetof(Node, data) + (has_expire ? sizeof(int64_t) : 0) +
                 VarintSize(field.size()) + field.size() + VarintSize(value.size()) + value.size();
  auto* n = static_cast<Node*>(std::malloc(total));
  n->next = nullptr;
  n->flags = has_expire ? kNodeExpire : 0;
  char* p = n->data;
  if (has_expire) {
    std::memcpy(p, &expire, sizeof(expire));
    p += sizeof(expire);
  }
  p += PutVarint(p, field.size());
  std::memcpy(p, field.data(), field.size());
  p += field.size();
  p += PutVarint(p, value.size());
  std::memcpy(p, value.data(), value.size());
  return n;
}

const char* HashTable::Payload(const Node* n) {
  return (n->flags & kNodeExpire) ? n->data + sizeof(int64_t) : n->data;
}

int64_t HashTable::NodeExpire(const Node* n) {
  if (!(n->flags & kNodeExpire)) return KvEntry::kNoExpire;
  int64_t when;
  std::memcpy(&when, n->data, sizeof(when));
  return when;
}

std::string_view HashTable::NodeField(const Node* n) {
  uint64_t len;
  const char* p = GetVarint(Payload(n), &len);
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

void HashTable::NoteExpire(int64_t when_ms) {
  if (ttl_fields_ == 0 || when_ms < min_expire_) min_expire_ = when_ms;
}

void HashTable::Rebuild(Node** slot, std::string_view value, int64_t expire) {
  Node* old = *slot;
  Node* fresh = MakeNode(NodeField(old), value, expire);
  fresh->next = old->next;
  *slot = fresh;
  std::free(old);
}

bool HashTable::Get(std::string_view field, std::string_view* value) const {
  Node** slot = Slot(field);
  if (!slot || !*slot) return false;
  *value = NodeValue(*slot);
  return true;
}

bool HashTable::Find(std::string_view field, std::string_view* value, int64_t* expire) const {
  Node** slot = Slot(field);
  if (!slot || !*slot) return false;
  *value = NodeValue(*slot);
  *expire = NodeExpire(*slot);
  return true;
}

bool HashTable::Set(std::string_view field, std::string_view value, bool keep_ttl) {
  Node** slot = Slot(field);
  if (slot && *slot) {
    Node* old = *slot;
    bool drop_ttl = !keep_ttl && (old->flags & kNodeExpire);
    if (!drop_ttl && NodeValue(old).size() == value.size()) {  // same layout: in place
      std::memcpy(const_cast<char*>(NodeValue(old).data()), value.data(), value.size());
      return false;
    }
    if (drop_ttl) ttl_fields_--;
    Rebuild(slot, value, drop_ttl ? KvEntry::kNoExpire : NodeExpire(old));
    return false;
  }
  AddNew(field, value);
  return true;
}

void HashTable::AddNew(std::string_view field, std::string_view value, int64_t expire) {
  if (size_ >= nbuckets_) Resize(nbuckets_ ? nbuckets_ * 2 : 4);
  Node* n = MakeNode(field, value, expire);
  Node** head = &buckets_[Dict::Hash(field) & (nbuckets_ - 1)];
  n->next = *head;
  *head = n;
  size_++;
  if (expire != KvEntry::kNoExpire) {
    NoteExpire(expire);
    ttl_fields_++;
  }
}

bool HashTable::Delete(std::string_view field) {
  Node** slot = Slot(field);
  if (!slot || !*slot) return false;
  Node* n = *slot;
  *slot = n->next;
  if (n->flags & kNodeExpire) ttl_fields_--;
  std::free(n);
  size_--;
  if (nbuckets_ > 4 && size_ < nbuckets_ / 8) Resize(nbuckets_ / 2);
  return true;
}

bool HashTable::SetExpire(std::string_view field, int64_t when_ms) {
  Node** slot = Slot(field);
  if (!slot || !*slot) return false;
  Node* n = *slot;
  bool had = n->flags & kNodeExpire;
  if (when_ms == KvEntry::kNoExpire) {
    if (had) {
      Rebuild(slot, NodeValue(n), KvEntry::kNoExpire);
      ttl_fields_--;
    }
    return true;
  }
  if (had) {
    std::memcpy(n->data, &when_ms, sizeof(when_ms));
  } else {
    Rebuild(slot, NodeValue(n), when_ms);
  }
  NoteExpire(when_ms);
  ttl_fields_ += !had;
  return true;
}

size_t HashTable::DeleteExpired(int64_t now_ms) {
  if (ttl_fields_ == 0) return 0;
  size_t removed = 0;
  int64_t next_min = 0;
  bool any_left = false;
  for (size_t i = 0; i < nbuckets_; i++) {
    Node** slot = &buckets_[i];
    while (*slot) {
      Node* n = *slot;
      int64_t when = NodeExpire(n);
      if (when == KvEntry::kNoExpire) {
        slot = &n->next;
      } else if (when < now_ms) {
        *slot = n->next;
        std::free(n);
        removed++;
      } else {
        if (!any_left || when < next_min) next_min = when;
        any_left = true;
        slot = &n->next;
      }
    }
  }
  size_ -= removed;
  ttl_fields_ -= removed;
  min_expire_ = next_min;
  size_t target = nbuckets_;
  while (target > 4 && size_ < target / 8) target /= 2;
  if (target != nbuckets_) Resize(target);
  return removed;
}

void HashTable::ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const {
  for (size_t i = 0; i < nbuckets_; i++) {
    for (Node* n = buckets_[i]; n; n = n->next) fn(NodeField(n), NodeValue(n));
  }
}

void HashTable::ForEachWithExpire(
    const std::function<void(std::string_view, std::string_view, int64_t)>& fn) const {
  for (size_t i = 0; i < nbuckets_; i++) {
    for (Node* n = buckets_[i]; n; n = n->next) fn(NodeField(n), NodeValue(n), NodeExpire(n));
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
  // "Random bucket, then random node of its chain" favours nodes in short chains (HRANDFIELD's
  // chi-square test notices). As Redis's dictGetFairRandomKey: gather up to kSample nodes from
  // consecutive buckets starting at a random one, and pick one of those.
  constexpr size_t kSample = 16;
  const Node* sample[kSample];
  size_t n = 0;
  uint64_t mask = nbuckets_ - 1;
  uint64_t b = rng() & mask;
  for (size_t steps = 0; n < kSample && steps < nbuckets_; steps++, b = (b + 1) & mask) {
    for (const Node* node = buckets_[b]; node && n < kSample; node = node->next) {
      sample[n++] = node;
    }
  }
  const Node* pick = sample[rng() % n];
  return {NodeField(pick), NodeValue(pick)};
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
  ForEachWithExpire(
      [c](std::string_view f, std::string_view v, int64_t when) { c->AddNew(f, v, when); });
  return c;
}

// ---------------------------------------------------------------------------------------------
// Listpack helpers: a plain hash listpack holds field,value pairs; a listpackex (backlens on)
// holds field,value,ttl triples sorted by ttl, 0 (no TTL) last.

namespace {

constexpr int64_t kLpNoTtl = 0;

bool IsEx(const uint8_t* lp) { return Listpack::Backward(lp); }
uint32_t Stride(const uint8_t* lp) { return IsEx(lp) ? 3 : 2; }

// Position of `field`'s entry, or end.
uint32_t FindField(const uint8_t* lp, std::string_view field) {
  return Listpack::Find(lp, Listpack::First(lp), field, Stride(lp) - 1);
}

// The ttl of the triple whose field is at `fpos` (listpackex only).
int64_t TtlAt(const uint8_t* lp, uint32_t fpos) {
  uint32_t tpos = Listpack::Next(lp, Listpack::Next(lp, fpos));
  return Listpack::Get(lp, tpos).ival;
}

// Inserts the triple (field, value, ttl) before position `pos`.
uint8_t* InsertTriple(uint8_t* lp, uint32_t pos, std::string_view field, std::string_view value,
                      int64_t ttl) {
  char buf[24];
  lp = Listpack::Insert(lp, pos, std::string_view(buf, Int64ToChars(ttl, buf)));
  lp = Listpack::Insert(lp, pos, value);
  return Listpack::Insert(lp, pos, field);
}

// Where a triple with `ttl` goes: before the first triple with a later expiry or none; a
// triple without TTL goes last.
uint32_t SortedPos(const uint8_t* lp, int64_t ttl) {
  if (ttl == kLpNoTtl) return Listpack::Bytes(lp);
  uint32_t pos = Listpack::First(lp);
  while (!Listpack::AtEnd(lp, pos)) {
    int64_t t = TtlAt(lp, pos);
    if (t == kLpNoTtl || t > ttl) break;
    pos = Listpack::Next(lp, Listpack::Next(lp, Listpack::Next(lp, pos)));
  }
  return pos;
}

// Moves the triple at `fpos` to its place for `ttl` (kLpNoTtl: the end), with `value`.
uint8_t* Refile(uint8_t* lp, uint32_t fpos, std::string_view value, int64_t ttl) {
  char fs[Listpack::kScratch];
  std::string field(Listpack::Get(lp, fpos).View(fs));
  std::string val(value);  // `value` may point into the block we are about to edit
  lp = Listpack::Erase(lp, fpos, 3);
  return InsertTriple(lp, SortedPos(lp, ttl), field, val, ttl);
}

// A listpackex with the pairs of plain hash listpack `lp` (which is freed), no TTLs.
uint8_t* ToListpackEx(uint8_t* lp) {
  uint8_t* ex = Listpack::New(/*backward=*/true);
  char fs[Listpack::kScratch], vs[Listpack::kScratch];
  for (uint32_t pos = Listpack::First(lp); !Listpack::AtEnd(lp, pos);) {
    uint32_t vpos = Listpack::Next(lp, pos);
    std::string_view triple[3] = {Listpack::Get(lp, pos).View(fs), Listpack::Get(lp, vpos).View(vs),
                                  "0"};
    ex = Listpack::AppendMany(ex, triple, 3);
    pos = Listpack::Next(lp, vpos);
  }
  Listpack::Free(lp);
  return ex;
}

void DestroyTable(void* obj) { delete static_cast<HashTable*>(obj); }
void* CopyTable(const void* obj) { return static_cast<const HashTable*>(obj)->Clone(); }
size_t TableUsage(const void* obj) { return static_cast<const HashTable*>(obj)->MemoryUsage(); }
std::string_view ListpackName(const void* obj) {
  return IsEx(static_cast<const uint8_t*>(obj)) ? "listpackex" : "listpack";
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// HashObject

void HashObject::RegisterHooks() {
  Listpack::RegisterObjHooks(ObjType::kHash);
  RegisterObjEncodingName(ObjType::kHash, ObjEncoding::kListpack, ListpackName);
  RegisterObjDestructor(ObjType::kHash, ObjEncoding::kHashtable, DestroyTable);
  RegisterObjCopier(ObjType::kHash, ObjEncoding::kHashtable, CopyTable);
  RegisterObjMemoryUsage(ObjType::kHash, ObjEncoding::kHashtable, TableUsage);
  RegisterObjFreeEffort(ObjType::kHash, ObjEncoding::kHashtable, [](const void* obj) {
    return static_cast<const HashTable*>(obj)->size();  // one node per field
  });
}

HashObject HashObject::Create() {
  // No backlens: nothing walks a hash backwards, and it saves a byte per field and value.
  return {ObjEncoding::kListpack, Listpack::New(/*backward=*/false)};
}

bool HashObject::IsListpackEx() const {
  return enc_ == ObjEncoding::kListpack && IsEx(static_cast<const uint8_t*>(obj_));
}

std::string_view HashObject::EncodingName() const {
  return enc_ == ObjEncoding::kHashtable ? "hashtable" : ListpackName(obj_);
}

size_t HashObject::Len() const {
  if (enc_ == ObjEncoding::kHashtable) return static_cast<HashTable*>(obj_)->size();
  auto* lp = static_cast<uint8_t*>(obj_);
  return Listpack::Count(lp) / Stride(lp);
}

bool HashObject::Get(std::string_view field, char* scratch, std::string_view* value) const {
  if (enc_ == ObjEncoding::kHashtable) return static_cast<HashTable*>(obj_)->Get(field, value);
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = FindField(lp, field);
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
  char fs[Listpack::kScratch], vs[Listpack::kScratch];
  uint32_t stride = Stride(lp);
  for (uint32_t pos = Listpack::First(lp); !Listpack::AtEnd(lp, pos);) {
    uint32_t vpos = Listpack::Next(lp, pos);
    int64_t ttl = stride == 3 ? TtlAt(lp, pos) : kLpNoTtl;
    t->AddNew(Listpack::Get(lp, pos).View(fs), Listpack::Get(lp, vpos).View(vs),
              ttl == kLpNoTtl ? KvEntry::kNoExpire : ttl);
    pos = Listpack::Next(lp, vpos);
    if (stride == 3) pos = Listpack::Next(lp, pos);
  }
  Listpack::Free(lp);
  enc_ = ObjEncoding::kHashtable;
  obj_ = t;
}

bool HashObject::Set(std::string_view field, std::string_view value, const HashLimits& limits,
                     bool keep_ttl) {
  if (enc_ == ObjEncoding::kListpack &&
      (int64_t(field.size()) > limits.max_value || int64_t(value.size()) > limits.max_value)) {
    ConvertToHashtable();
  }
  if (enc_ == ObjEncoding::kHashtable) {
    return static_cast<HashTable*>(obj_)->Set(field, value, keep_ttl);
  }
  auto* lp = static_cast<uint8_t*>(obj_);
  bool ex = IsEx(lp);
  uint32_t pos = FindField(lp, field);
  if (!Listpack::AtEnd(lp, pos)) {
    if (ex && !keep_ttl && TtlAt(lp, pos) != kLpNoTtl) {
      obj_ = Refile(lp, pos, value, kLpNoTtl);
    } else {
      obj_ = Listpack::Replace(lp, Listpack::Next(lp, pos), value);
    }
    return false;
  }
  std::string_view triple[3] = {field, value, "0"};
  obj_ = Listpack::AppendMany(lp, triple, ex ? 3 : 2);
  if (int64_t(Len()) > limits.max_entries) ConvertToHashtable();
  return true;
}

bool HashObject::Delete(std::string_view field) {
  if (enc_ == ObjEncoding::kHashtable) return static_cast<HashTable*>(obj_)->Delete(field);
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = FindField(lp, field);
  if (Listpack::AtEnd(lp, pos)) return false;
  obj_ = Listpack::Erase(lp, pos, Stride(lp));
  return true;
}

void HashObject::ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const {
  if (enc_ == ObjEncoding::kHashtable) return static_cast<HashTable*>(obj_)->ForEach(fn);
  auto* lp = static_cast<uint8_t*>(obj_);
  bool ex = IsEx(lp);
  char fs[Listpack::kScratch], vs[Listpack::kScratch];
  for (uint32_t pos = Listpack::First(lp); !Listpack::AtEnd(lp, pos);) {
    uint32_t vpos = Listpack::Next(lp, pos);
    fn(Listpack::Get(lp, pos).View(fs), Listpack::Get(lp, vpos).View(vs));
    pos = Listpack::Next(lp, vpos);
    if (ex) pos = Listpack::Next(lp, pos);
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
  uint32_t pos = Listpack::Seek(lp, int64_t(rng() % Len()) * Stride(lp));
  char fs[Listpack::kScratch], vs[Listpack::kScratch];
  return {std::string(Listpack::Get(lp, pos).View(fs)),
          std::string(Listpack::Get(lp, Listpack::Next(lp, pos)).View(vs))};
}

bool HashObject::GetExpire(std::string_view field, int64_t* when_ms) const {
  if (enc_ == ObjEncoding::kHashtable) {
    std::string_view v;
    return static_cast<HashTable*>(obj_)->Find(field, &v, when_ms);
  }
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = FindField(lp, field);
  if (Listpack::AtEnd(lp, pos)) return false;
  int64_t ttl = IsEx(lp) ? TtlAt(lp, pos) : kLpNoTtl;
  *when_ms = ttl == kLpNoTtl ? KvEntry::kNoExpire : ttl;
  return true;
}

bool HashObject::SetExpire(std::string_view field, int64_t when_ms) {
  if (enc_ == ObjEncoding::kHashtable) {
    return static_cast<HashTable*>(obj_)->SetExpire(field, when_ms);
  }
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = FindField(lp, field);
  if (Listpack::AtEnd(lp, pos)) return false;
  int64_t ttl = when_ms == KvEntry::kNoExpire ? kLpNoTtl : when_ms;
  if (!IsEx(lp)) {
    if (ttl == kLpNoTtl) return true;  // a plain listpack has no TTL to remove
    lp = ToListpackEx(lp);
    pos = FindField(lp, field);
  } else if (TtlAt(lp, pos) == ttl) {
    return true;
  }
  char vs[Listpack::kScratch];
  obj_ = Refile(lp, pos, Listpack::Get(lp, Listpack::Next(lp, pos)).View(vs), ttl);
  return true;
}

int64_t HashObject::MinFieldExpire() const {
  if (enc_ == ObjEncoding::kHashtable) return static_cast<HashTable*>(obj_)->min_expire();
  auto* lp = static_cast<uint8_t*>(obj_);
  if (!IsEx(lp) || Listpack::AtEnd(lp, Listpack::First(lp))) return KvEntry::kNoExpire;
  int64_t ttl = TtlAt(lp, Listpack::First(lp));
  return ttl == kLpNoTtl ? KvEntry::kNoExpire : ttl;
}

size_t HashObject::DeleteExpired(int64_t now_ms) {
  if (enc_ == ObjEncoding::kHashtable) {
    return static_cast<HashTable*>(obj_)->DeleteExpired(now_ms);
  }
  auto* lp = static_cast<uint8_t*>(obj_);
  if (!IsEx(lp)) return 0;
  size_t n = 0;
  uint32_t pos = Listpack::First(lp);
  while (!Listpack::AtEnd(lp, pos)) {  // expired triples form a prefix
    int64_t ttl = TtlAt(lp, pos);
    if (ttl == kLpNoTtl || ttl >= now_ms) break;
    pos = Listpack::Next(lp, Listpack::Next(lp, Listpack::Next(lp, pos)));
    n++;
  }
  if (n) obj_ = Listpack::Erase(lp, Listpack::First(lp), uint32_t(n * 3));
  return n;
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
