// SetObject and StrSet implementation: see set_object.h.
#include "core/set_object.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>

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

std::string_view StrSet::Random(std::mt19937_64& rng) const {
  // Picking a random bucket and then a random node of its chain would favour members in short
  // chains (SRANDMEMBER's chi-square test notices). Instead gather up to kSample members from
  // consecutive buckets starting at a random one and pick one of those, as Redis's
  // dictGetFairRandomKey does.
  constexpr size_t kSample = 16;
  const Node* sample[kSample];
  size_t n = 0;
  uint64_t mask = buckets() - 1;
  uint64_t b = rng() & mask;
  for (size_t steps = 0; n < kSample && steps < buckets(); steps++, b = (b + 1) & mask) {
    for (const Node* node = table_[b]; node && n < kSample; node = node->next) sample[n++] = node;
  }
  return Member(sample[rng() % n]);
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
  size_t bytes = malloc_usable_size(const_cast<StrSet*>(this)) + malloc_usable_size(table_);
  for (size_t b = 0; b < buckets(); b++) {
    for (Node* n = table_[b]; n; n = n->next) bytes += malloc_usable_size(n);
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// SetObject

namespace {

void DestroyIntset(void* obj) { IntSet::Destroy(static_cast<IntSet*>(obj)); }
void DestroyTable(void* obj) { delete static_cast<StrSet*>(obj); }
void* CopyIntset(const void* obj) { return IntSet::Copy(static_cast<const IntSet*>(obj)); }
void* CopyTable(const void* obj) { return static_cast<const StrSet*>(obj)->Clone(); }
size_t IntsetUsage(const void* obj) { return malloc_usable_size(const_cast<void*>(obj)); }
size_t TableUsage(const void* obj) { return static_cast<const StrSet*>(obj)->MemoryUsage(); }

[[maybe_unused]] const bool kHooksRegistered = [] {
  SetObject::RegisterHooks();
  return true;
}();

// Redis caps an intset at 2^30 members whatever set-max-intset-entries says.
int64_t MaxIntsetEntries(const SetLimits& limits) {
  return std::min<int64_t>(limits.max_intset, int64_t{1} << 30);
}

size_t DecimalLength(int64_t v) {
  char buf[Listpack::kScratch];
  return Int64ToChars(v, buf);
}

}  // namespace

void SetObject::RegisterHooks() {
  RegisterObjDestructor(ObjType::kSet, ObjEncoding::kIntset, DestroyIntset);
  RegisterObjDestructor(ObjType::kSet, ObjEncoding::kHashtable, DestroyTable);
  RegisterObjCopier(ObjType::kSet, ObjEncoding::kIntset, CopyIntset);
  RegisterObjCopier(ObjType::kSet, ObjEncoding::kHashtable, CopyTable);
  RegisterObjMemoryUsage(ObjType::kSet, ObjEncoding::kIntset, IntsetUsage);
  RegisterObjMemoryUsage(ObjType::kSet, ObjEncoding::kHashtable, TableUsage);
  RegisterObjFreeEffort(ObjType::kSet, ObjEncoding::kHashtable, [](const void* obj) {
    return static_cast<const StrSet*>(obj)->size();  // one block per member
  });
  Listpack::RegisterObjHooks(ObjType::kSet);
}

SetObject SetObject::CreateIntset() { return {ObjEncoding::kIntset, IntSet::Create()}; }

// No backlens: nothing walks a set backwards, and it saves a byte per member.
SetObject SetObject::CreateListpack() {
  return {ObjEncoding::kListpack, Listpack::New(/*backward=*/false)};
}

SetObject SetObject::Create(std::string_view first, size_t size_hint, const SetLimits& limits) {
  int64_t v;
  if (StringToInt64(first, &v) && int64_t(size_hint) <= limits.max_intset) return CreateIntset();
  if (int64_t(size_hint) <= limits.max_listpack) return CreateListpack();
  auto* t = new StrSet();
  t->Reserve(size_hint);
  return {ObjEncoding::kHashtable, t};
}

size_t SetObject::Size() const {
  switch (enc_) {
    case ObjEncoding::kIntset:
      return intset()->size();
    case ObjEncoding::kListpack:
      return Listpack::Count(listpack());
    default:
      return strset()->size();
  }
}

bool SetObject::Contains(std::string_view m) const {
  if (enc_ == ObjEncoding::kHashtable) return strset()->Contains(m);
  if (enc_ == ObjEncoding::kListpack) {
    const uint8_t* lp = listpack();
    return !Listpack::AtEnd(lp, Listpack::Find(lp, Listpack::First(lp), m));
  }
  int64_t v;
  return StringToInt64(m, &v) && intset()->Contains(v);
}

void SetObject::PrepareForBatch(size_t incoming, const SetLimits& limits) {
  if ((enc_ == ObjEncoding::kListpack && int64_t(incoming) > limits.max_listpack) ||
      (enc_ == ObjEncoding::kIntset && int64_t(incoming) > limits.max_intset)) {
    ConvertToHashtable(incoming);
  }
}

void SetObject::ConvertToHashtable(size_t reserve) {
  auto* t = new StrSet();
  t->Reserve(std::max(reserve, Size()));
  ForEach([t](std::string_view m) { t->Add(m); });
  Destroy();
  enc_ = ObjEncoding::kHashtable;
  obj_ = t;
}

void SetObject::ConvertIntsetToListpack() {
  const IntSet* s = intset();
  // Render every member once into one buffer, then append them with a single allocation.
  std::string text;
  std::vector<std::pair<size_t, size_t>> spans;
  spans.reserve(s->size());
  char buf[Listpack::kScratch];
  for (size_t i = 0; i < s->size(); i++) {
    size_t n = Int64ToChars(s->Get(i), buf);
    spans.emplace_back(text.size(), n);
    text.append(buf, n);
  }
  std::vector<std::string_view> items;
  items.reserve(spans.size());
  for (auto [off, n] : spans) items.emplace_back(text.data() + off, n);
  uint8_t* lp = Listpack::AppendMany(Listpack::New(/*backward=*/false), items.data(), items.size());
  Destroy();
  enc_ = ObjEncoding::kListpack;
  obj_ = lp;
}

bool SetObject::IntsetFitsListpack(std::string_view m, const SetLimits& limits) const {
  const IntSet* s = intset();
  if (int64_t(s->size()) >= limits.max_listpack || int64_t(m.size()) > limits.max_listpack_value) {
    return false;
  }
  if (s->size() == 0) return true;
  // The longest decimal form is the smallest or the largest member's.
  size_t longest = std::max(DecimalLength(s->Get(0)), DecimalLength(s->Get(s->size() - 1)));
  return int64_t(longest) <= limits.max_listpack_value;
}

void SetObject::AddToIntset(int64_t v, const SetLimits& limits, bool* added) {
  obj_ = IntSet::Add(intset(), v, added);
  if (*added && int64_t(intset()->size()) > MaxIntsetEntries(limits)) {
    ConvertToHashtable(intset()->size());
  }
}

bool SetObject::Add(std::string_view m, const SetLimits& limits) {
  if (enc_ == ObjEncoding::kIntset) {
    int64_t v;
    if (StringToInt64(m, &v)) {
      bool added;
      AddToIntset(v, limits, &added);
      return added;
    }
    if (IntsetFitsListpack(m, limits)) {
      ConvertIntsetToListpack();
    } else {
      ConvertToHashtable(intset()->size() + 1);
    }
  }
  if (enc_ == ObjEncoding::kListpack) {
    uint8_t* lp = listpack();
    if (!Listpack::AtEnd(lp, Listpack::Find(lp, Listpack::First(lp), m))) return false;
    if (int64_t(Listpack::Count(lp)) < limits.max_listpack &&
        int64_t(m.size()) <= limits.max_listpack_value) {
      obj_ = Listpack::Append(lp, m);
      return true;
    }
    ConvertToHashtable(Listpack::Count(lp) + 1);
  }
  return strset()->Add(m);
}

bool SetObject::Remove(std::string_view m) {
  if (enc_ == ObjEncoding::kHashtable) return strset()->Remove(m);
  if (enc_ == ObjEncoding::kListpack) {
    uint8_t* lp = listpack();
    uint32_t pos = Listpack::Find(lp, Listpack::First(lp), m);
    if (Listpack::AtEnd(lp, pos)) return false;
    obj_ = Listpack::Erase(lp, pos);
    return true;
  }
  int64_t v;
  if (!StringToInt64(m, &v)) return false;
  bool removed;
  obj_ = IntSet::Remove(intset(), v, &removed);
  return removed;
}

void SetObject::ConvertToIntsetIfIntegers(const SetLimits& limits) {
  if (enc_ == ObjEncoding::kIntset || int64_t(Size()) > MaxIntsetEntries(limits)) return;
  bool all_integers = true;
  ForEach([&all_integers](std::string_view m) {
    int64_t v;
    all_integers = all_integers && StringToInt64(m, &v);
  });
  if (!all_integers) return;
  IntSet* s = IntSet::Create();
  ForEach([&s](std::string_view m) {
    int64_t v;
    bool added;
    StringToInt64(m, &v);
    s = IntSet::Add(s, v, &added);
  });
  Destroy();
  enc_ = ObjEncoding::kIntset;
  obj_ = s;
}

std::string_view SetObject::Random(std::mt19937_64& rng, char* scratch, uint64_t* id) const {
  if (enc_ == ObjEncoding::kIntset) {
    size_t i = rng() % intset()->size();
    *id = i;
    return {scratch, Int64ToChars(intset()->Get(i), scratch)};
  }
  if (enc_ == ObjEncoding::kListpack) {
    const uint8_t* lp = listpack();
    uint32_t pos = Listpack::Seek(lp, int64_t(rng() % Listpack::Count(lp)));
    *id = pos;
    return Listpack::Get(lp, pos).View(scratch);
  }
  std::string_view m = strset()->Random(rng);
  *id = reinterpret_cast<uintptr_t>(m.data());
  return m;
}

// Selection sampling (Knuth's algorithm S): walking n entries with k still to pick, take the
// current one with probability k/n. Every k-subset is equally likely, in one pass.
std::vector<uint32_t> SetObject::SamplePositions(size_t k, std::mt19937_64& rng) const {
  const uint8_t* lp = listpack();
  std::vector<uint32_t> out;
  out.reserve(k);
  size_t left = Listpack::Count(lp);
  for (uint32_t p = Listpack::First(lp); out.size() < k && !Listpack::AtEnd(lp, p);
       p = Listpack::Next(lp, p), left--) {
    if (rng() % left < k - out.size()) out.push_back(p);
  }
  return out;
}

void SetObject::ErasePositions(const std::vector<uint32_t>& positions) {
  // From the back, so that earlier offsets stay valid; adjacent entries go in one Erase.
  uint8_t* lp = listpack();
  size_t i = positions.size();
  while (i > 0) {
    size_t j = i - 1;
    uint32_t run = 1;
    while (j > 0 && Listpack::Next(lp, positions[j - 1]) == positions[j]) {
      j--;
      run++;
    }
    lp = Listpack::Erase(lp, positions[j], run);
    i = j;
  }
  obj_ = lp;
}

void SetObject::Destroy() {
  switch (enc_) {
    case ObjEncoding::kIntset:
      IntSet::Destroy(intset());
      break;
    case ObjEncoding::kListpack:
      Listpack::Free(listpack());
      break;
    default:
      delete strset();
  }
  obj_ = nullptr;
}

size_t SetObject::MemoryUsage() const {
  switch (enc_) {
    case ObjEncoding::kIntset:
      return IntsetUsage(obj_);
    case ObjEncoding::kListpack:
      return Listpack::MemoryUsage(listpack());
    default:
      return strset()->MemoryUsage();
  }
}

}  // namespace ember
