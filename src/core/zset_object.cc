// ZSetObject and ZSkipList: the two encodings of a ZSET value; see zset_object.h.
#include "core/zset_object.h"

#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/dict.h"
#include "core/listpack.h"

namespace ember {
namespace {

// (score, member) strict order: by score, then bytewise by member.
bool Less(double s1, std::string_view m1, double s2, std::string_view m2) {
  if (s1 != s2) return s1 < s2;
  return m1 < m2;
}

// Reverses the bits of v (SCAN cursor arithmetic).
uint64_t Rev(uint64_t v) {
  v = ((v >> 1) & 0x5555555555555555ull) | ((v & 0x5555555555555555ull) << 1);
  v = ((v >> 2) & 0x3333333333333333ull) | ((v & 0x3333333333333333ull) << 2);
  v = ((v >> 4) & 0x0F0F0F0F0F0F0F0Full) | ((v & 0x0F0F0F0F0F0F0F0Full) << 4);
  return __builtin_bswap64(v);
}

// Listpack score entries, the shortest exact form of:
//  - integral scores below 2^53 as integer text (stored as a listpack integer, 1-9 bytes);
//  - scores whose %.15g text is at most 7 bytes and reads back exactly ("1.5", "-0.25",
//    "inf") as that text;
//  - anything else as its 8 raw IEEE bytes, plus a 'd' in the rare case those bytes happen to
//    read as canonical integer text (the listpack would store them as an integer).
// Decoding tells them apart by the entry: integer; 8 or 9 bytes: raw; else text.
constexpr double kExactIntLimit = 9007199254740992.0;  // 2^53
constexpr size_t kMaxTextScore = 7;

std::string_view EncodeScore(double s, char* buf /* >= 24 */) {
  if (s == std::trunc(s) && std::fabs(s) < kExactIntLimit) {
    return {buf, Int64ToChars(int64_t(s), buf)};
  }
  int n = std::snprintf(buf, 24, "%.15g", s);
  if (n > 0 && size_t(n) <= kMaxTextScore && std::strtod(buf, nullptr) == s) {
    return {buf, size_t(n)};
  }
  std::memcpy(buf, &s, 8);
  int64_t dummy;
  if (StringToInt64(std::string_view(buf, 8), &dummy)) {
    buf[8] = 'd';
    return {buf, 9};
  }
  return {buf, 8};
}

double DecodeScore(const Listpack::Entry& e) {
  if (e.is_int) return double(e.ival);
  double s;
  if (e.sval.size() >= 8) {
    std::memcpy(&s, e.sval.data(), 8);
    return s;
  }
  char text[kMaxTextScore + 1];
  std::memcpy(text, e.sval.data(), e.sval.size());
  text[e.sval.size()] = '\0';
  return std::strtod(text, nullptr);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// ZSkipList

// One heap block per member, packed to the byte (a level-1 node with a 14-byte member is 48
// bytes, one jemalloc class):
//   [0] score  [8] backward  [16] hnext (member-hash chain)  [24] level-0 forward pointer
//   [32] level (1 byte)
//   [33] levels 1..level-1, 12 bytes each, unaligned: forward pointer (8) + span (uint32)
//   then the member length as a LEB128 varint (1 byte below 128) and the member bytes.
// The level-0 span is implicitly 1 (it is never stored).
struct ZSkipList::Node {
  double score;
  Node* backward;
  Node* hnext;
  Node* fwd0;
  uint8_t level;
  // unsigned char rest[]: upper levels, varint length, member bytes.

  static constexpr size_t kUpper = 12;
  static constexpr size_t kHeader = 33;

  unsigned char* Up(int i) {
    return reinterpret_cast<unsigned char*>(this) + kHeader + size_t(i - 1) * kUpper;
  }
  const unsigned char* Up(int i) const {
    return reinterpret_cast<const unsigned char*>(this) + kHeader + size_t(i - 1) * kUpper;
  }
  Node* fwd(int i) const {
    if (i == 0) return fwd0;
    Node* p;
    std::memcpy(&p, Up(i), sizeof(p));
    return p;
  }
  void set_fwd(int i, Node* p) {
    if (i == 0) {
      fwd0 = p;
    } else {
      std::memcpy(Up(i), &p, sizeof(p));
    }
  }
  size_t span(int i) const {
    if (i == 0) return 1;
    uint32_t s;
    std::memcpy(&s, Up(i) + 8, sizeof(s));
    return s;
  }
  void set_span(int i, size_t s) {
    if (i == 0) return;
    auto v = uint32_t(s);
    std::memcpy(Up(i) + 8, &v, sizeof(v));
  }
  std::string_view member() const {
    const unsigned char* p = Up(level);
    size_t len = 0;
    for (int shift = 0;; shift += 7) {
      unsigned char b = *p++;
      len |= size_t(b & 0x7F) << shift;
      if (b < 0x80) break;
    }
    return {reinterpret_cast<const char*>(p), len};
  }
  static Node* Make(int level, double score, std::string_view member) {
    unsigned char varint[10];
    size_t vlen = 0;
    for (size_t len = member.size();; len >>= 7) {
      varint[vlen++] = uint8_t((len & 0x7F) | (len >= 0x80 ? 0x80 : 0));
      if (len < 0x80) break;
    }
    size_t total = kHeader + kUpper * size_t(level - 1) + vlen + member.size();
    // Never below sizeof(Node) (the struct rounds 33 up to 40); free with jemalloc's classes.
    total = std::max(total, sizeof(Node));
    auto* n = static_cast<Node*>(std::malloc(total));
    n->score = score;
    n->backward = nullptr;
    n->hnext = nullptr;
    n->fwd0 = nullptr;
    n->level = uint8_t(level);
    for (int i = 1; i < level; i++) {
      n->set_fwd(i, nullptr);
      n->set_span(i, 0);
    }
    unsigned char* p = n->Up(level);
    std::memcpy(p, varint, vlen);
    if (!member.empty()) std::memcpy(p + vlen, member.data(), member.size());
    return n;
  }
};
static_assert(offsetof(ZSkipList::Node, level) == 32);

ZSkipList::ZSkipList() : header_(Node::Make(kMaxLevel, 0, {})) {}

ZSkipList::~ZSkipList() {
  Node* x = header_->fwd(0);
  while (x) {
    Node* next = x->fwd(0);
    std::free(x);
    x = next;
  }
  std::free(header_);
  std::free(buckets_);
}

int ZSkipList::RandomLevel() {
  int level = 1;
  while (level < kMaxLevel) {
    // xorshift64*: cheap and deterministic per list; p = 1/4 per extra level.
    rng_state_ ^= rng_state_ >> 12;
    rng_state_ ^= rng_state_ << 25;
    rng_state_ ^= rng_state_ >> 27;
    if (((rng_state_ * 0x2545F4914F6CDD1Dull) >> 62) != 0) break;
    level++;
  }
  return level;
}

ZSkipList::Node** ZSkipList::Slot(std::string_view member) const {
  if (nbuckets_ == 0) return nullptr;
  Node** slot = &buckets_[Dict::Hash(member) & (nbuckets_ - 1)];
  while (*slot && (*slot)->member() != member) slot = &(*slot)->hnext;
  return slot;
}

void ZSkipList::Resize(size_t buckets) {
  auto** nb = static_cast<Node**>(std::calloc(buckets, sizeof(Node*)));
  for (size_t i = 0; i < nbuckets_; i++) {
    Node* n = buckets_[i];
    while (n) {
      Node* next = n->hnext;
      Node** head = &nb[Dict::Hash(n->member()) & (buckets - 1)];
      n->hnext = *head;
      *head = n;
      n = next;
    }
  }
  std::free(buckets_);
  buckets_ = nb;
  nbuckets_ = buckets;
}

void ZSkipList::HashAdd(Node* n) {
  if (length_ >= nbuckets_) Resize(nbuckets_ ? nbuckets_ * 2 : 4);
  Node** head = &buckets_[Dict::Hash(n->member()) & (nbuckets_ - 1)];
  n->hnext = *head;
  *head = n;
}

void ZSkipList::HashRemove(Node* n) {
  Node** slot = &buckets_[Dict::Hash(n->member()) & (nbuckets_ - 1)];
  while (*slot != n) slot = &(*slot)->hnext;
  *slot = n->hnext;
}

bool ZSkipList::Score(std::string_view member, double* score) const {
  Node** slot = Slot(member);
  if (!slot || !*slot) return false;
  *score = (*slot)->score;
  return true;
}

void ZSkipList::Insert(double score, std::string_view member) {
  Node* update[kMaxLevel];
  size_t rank[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    rank[i] = i == level_ - 1 ? 0 : rank[i + 1];
    for (Node* next; (next = x->fwd(i)) && Less(next->score, next->member(), score, member);) {
      rank[i] += x->span(i);
      x = next;
    }
    update[i] = x;
  }
  int level = RandomLevel();
  if (level > level_) {
    for (int i = level_; i < level; i++) {
      rank[i] = 0;
      update[i] = header_;
      header_->set_span(i, length_);
    }
    level_ = level;
  }
  x = Node::Make(level, score, member);
  for (int i = 0; i < level; i++) {
    x->set_fwd(i, update[i]->fwd(i));
    update[i]->set_fwd(i, x);
    x->set_span(i, update[i]->span(i) - (rank[0] - rank[i]));
    update[i]->set_span(i, rank[0] - rank[i] + 1);
  }
  for (int i = level; i < level_; i++) update[i]->set_span(i, update[i]->span(i) + 1);
  x->backward = update[0] == header_ ? nullptr : update[0];
  if (x->fwd(0)) {
    x->fwd(0)->backward = x;
  } else {
    tail_ = x;
  }
  HashAdd(x);
  length_++;
}

void ZSkipList::Unlink(Node* x, Node** update) {
  for (int i = 0; i < level_; i++) {
    if (update[i]->fwd(i) == x) {
      update[i]->set_span(i, update[i]->span(i) + x->span(i) - 1);
      update[i]->set_fwd(i, x->fwd(i));
    } else {
      update[i]->set_span(i, update[i]->span(i) - 1);
    }
  }
  if (x->fwd(0)) {
    x->fwd(0)->backward = x->backward;
  } else {
    tail_ = x->backward;
  }
  while (level_ > 1 && !header_->fwd(level_ - 1)) level_--;
  length_--;
}

bool ZSkipList::Delete(std::string_view member) {
  Node** slot = Slot(member);
  if (!slot || !*slot) return false;
  Node* target = *slot;
  Node* update[kMaxLevel];
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    for (Node* next;
         (next = x->fwd(i)) && Less(next->score, next->member(), target->score, member);) {
      x = next;
    }
    update[i] = x;
  }
  HashRemove(target);
  Unlink(target, update);
  std::free(target);
  if (nbuckets_ > 4 && length_ < nbuckets_ / 8) Resize(nbuckets_ / 2);
  return true;
}

bool ZSkipList::Set(double score, std::string_view member) {
  double old;
  if (Score(member, &old)) {
    if (old == score) return false;
    Delete(member);
    Insert(score, member);
    return false;
  }
  Insert(score, member);
  return true;
}

bool ZSkipList::Rank(std::string_view member, size_t* rank, double* score) const {
  double s;
  if (!Score(member, &s)) return false;
  size_t r = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    for (Node* next; (next = x->fwd(i)) && !Less(s, member, next->score, next->member());) {
      r += x->span(i);
      x = next;
    }
  }
  *rank = r - 1;
  *score = s;
  return true;
}

size_t ZSkipList::CountBelow(const ZBelowFn& below) const {
  size_t r = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    for (Node* next; (next = x->fwd(i)) && below(next->score, next->member());) {
      r += x->span(i);
      x = next;
    }
  }
  return r;
}

ZSkipList::Node* ZSkipList::NodeByRank(size_t rank1) const {
  size_t traversed = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->fwd(i) && traversed + x->span(i) <= rank1) {
      traversed += x->span(i);
      x = x->fwd(i);
    }
    if (traversed == rank1) return x;
  }
  return nullptr;
}

void ZSkipList::ForRange(size_t lo, size_t hi, bool rev, const ZVisitFn& fn) const {
  if (lo >= hi) return;
  if (!rev) {
    Node* x = NodeByRank(lo + 1);
    for (size_t n = hi - lo; n > 0 && x; n--, x = x->fwd(0)) fn(x->member(), x->score);
  } else {
    Node* x = NodeByRank(hi);
    for (size_t n = hi - lo; n > 0 && x; n--, x = x->backward) fn(x->member(), x->score);
  }
}

void ZSkipList::DeleteRange(size_t lo, size_t hi) {
  if (lo >= hi) return;
  Node* update[kMaxLevel];
  size_t traversed = 0;
  Node* x = header_;
  for (int i = level_ - 1; i >= 0; i--) {
    while (x->fwd(i) && traversed + x->span(i) <= lo) {
      traversed += x->span(i);
      x = x->fwd(i);
    }
    update[i] = x;
  }
  x = x->fwd(0);
  for (size_t n = hi - lo; n > 0 && x; n--) {
    Node* next = x->fwd(0);
    HashRemove(x);
    Unlink(x, update);
    std::free(x);
    x = next;
  }
  while (nbuckets_ > 4 && length_ < nbuckets_ / 8) Resize(nbuckets_ / 2);
}

std::pair<std::string_view, double> ZSkipList::At(size_t rank) const {
  Node* x = NodeByRank(rank + 1);
  return {x->member(), x->score};
}

uint64_t ZSkipList::Scan(uint64_t cursor, size_t count, const ZVisitFn& fn) const {
  if (nbuckets_ == 0) return 0;
  uint64_t mask = nbuckets_ - 1;
  size_t emitted = 0;
  size_t steps = 0;
  do {
    for (Node* n = buckets_[cursor & mask]; n; n = n->hnext) {
      fn(n->member(), n->score);
      emitted++;
    }
    cursor |= ~mask;
    cursor = Rev(cursor);
    cursor++;
    cursor = Rev(cursor);
    steps++;
  } while (cursor != 0 && emitted < count && steps < count * 10);
  return cursor;
}

size_t ZSkipList::MemoryUsage() const {
  size_t total = malloc_usable_size(const_cast<ZSkipList*>(this)) + malloc_usable_size(header_);
  if (buckets_) total += malloc_usable_size(buckets_);
  for (Node* x = header_->fwd(0); x; x = x->fwd(0)) total += malloc_usable_size(x);
  return total;
}

ZSkipList* ZSkipList::Clone() const {
  auto* c = new ZSkipList();
  for (Node* x = header_->fwd(0); x; x = x->fwd(0)) c->Insert(x->score, x->member());
  return c;
}

bool ZSkipList::Validate() const {
  size_t n = 0;
  Node* prev = nullptr;
  for (Node* x = header_->fwd(0); x; x = x->fwd(0)) {
    if (x->backward != prev) return false;
    if (prev && !Less(prev->score, prev->member(), x->score, x->member())) return false;
    Node** slot = Slot(x->member());
    if (!slot || *slot != x) return false;
    n++;
    if (NodeByRank(n) != x) return false;
    prev = x;
  }
  return n == length_ && tail_ == prev;
}

// ---------------------------------------------------------------------------------------------
// ZSetObject

namespace {

void DestroyList(void* obj) { delete static_cast<ZSkipList*>(obj); }
void* CopyList(const void* obj) { return static_cast<const ZSkipList*>(obj)->Clone(); }
size_t ListUsage(const void* obj) { return static_cast<const ZSkipList*>(obj)->MemoryUsage(); }

}  // namespace

void ZSetObject::RegisterHooks() {
  Listpack::RegisterObjHooks(ObjType::kZSet);
  RegisterObjDestructor(ObjType::kZSet, ObjEncoding::kSkiplist, DestroyList);
  RegisterObjCopier(ObjType::kZSet, ObjEncoding::kSkiplist, CopyList);
  RegisterObjMemoryUsage(ObjType::kZSet, ObjEncoding::kSkiplist, ListUsage);
  RegisterObjFreeEffort(ObjType::kZSet, ObjEncoding::kSkiplist, [](const void* obj) {
    return static_cast<const ZSkipList*>(obj)->size();  // one node per member
  });
}

ZSetObject ZSetObject::Create() { return {ObjEncoding::kListpack, Listpack::New(true)}; }

size_t ZSetObject::Len() const {
  if (enc_ == ObjEncoding::kListpack) return Listpack::Count(static_cast<uint8_t*>(obj_)) / 2;
  return static_cast<ZSkipList*>(obj_)->size();
}

bool ZSetObject::Score(std::string_view member, double* score) const {
  if (enc_ == ObjEncoding::kSkiplist) return static_cast<ZSkipList*>(obj_)->Score(member, score);
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = Listpack::Find(lp, Listpack::First(lp), member, 1);
  if (Listpack::AtEnd(lp, pos)) return false;
  *score = DecodeScore(Listpack::Get(lp, Listpack::Next(lp, pos)));
  return true;
}

void ZSetObject::ConvertToSkiplist() {
  if (enc_ != ObjEncoding::kListpack) return;
  auto* list = new ZSkipList();
  ForRange(0, Len(), false, [list](std::string_view m, double s) { list->Insert(s, m); });
  Listpack::Free(static_cast<uint8_t*>(obj_));
  enc_ = ObjEncoding::kSkiplist;
  obj_ = list;
}

bool ZSetObject::Set(std::string_view member, double score, const ZSetLimits& limits) {
  if (enc_ == ObjEncoding::kListpack && int64_t(member.size()) > limits.max_value) {
    ConvertToSkiplist();
  }
  if (enc_ == ObjEncoding::kSkiplist) return static_cast<ZSkipList*>(obj_)->Set(score, member);
  bool existed = Delete(member);
  auto* lp = static_cast<uint8_t*>(obj_);
  char mscratch[Listpack::kScratch];
  uint32_t pos = Listpack::First(lp);
  while (!Listpack::AtEnd(lp, pos)) {
    uint32_t spos = Listpack::Next(lp, pos);
    double s = DecodeScore(Listpack::Get(lp, spos));
    if (Less(score, member, s, Listpack::Get(lp, pos).View(mscratch))) break;
    pos = Listpack::Next(lp, spos);
  }
  char sbuf[Listpack::kScratch];
  std::string_view enc = EncodeScore(score, sbuf);
  lp = Listpack::Insert(lp, pos, member);
  lp = Listpack::Insert(lp, Listpack::Next(lp, pos), enc);
  obj_ = lp;
  if (int64_t(Len()) > limits.max_entries) ConvertToSkiplist();
  return !existed;
}

bool ZSetObject::Delete(std::string_view member) {
  if (enc_ == ObjEncoding::kSkiplist) return static_cast<ZSkipList*>(obj_)->Delete(member);
  auto* lp = static_cast<uint8_t*>(obj_);
  uint32_t pos = Listpack::Find(lp, Listpack::First(lp), member, 1);
  if (Listpack::AtEnd(lp, pos)) return false;
  obj_ = Listpack::Erase(lp, pos, 2);
  return true;
}

bool ZSetObject::Rank(std::string_view member, size_t* rank, double* score) const {
  if (enc_ == ObjEncoding::kSkiplist) {
    return static_cast<ZSkipList*>(obj_)->Rank(member, rank, score);
  }
  auto* lp = static_cast<uint8_t*>(obj_);
  size_t r = 0;
  for (uint32_t pos = Listpack::First(lp); !Listpack::AtEnd(lp, pos); r++) {
    uint32_t spos = Listpack::Next(lp, pos);
    if (Listpack::Equals(lp, pos, member)) {
      *rank = r;
      *score = DecodeScore(Listpack::Get(lp, spos));
      return true;
    }
    pos = Listpack::Next(lp, spos);
  }
  return false;
}

size_t ZSetObject::CountBelow(const ZBelowFn& below) const {
  if (enc_ == ObjEncoding::kSkiplist) return static_cast<ZSkipList*>(obj_)->CountBelow(below);
  auto* lp = static_cast<uint8_t*>(obj_);
  char scratch[Listpack::kScratch];
  size_t r = 0;
  for (uint32_t pos = Listpack::First(lp); !Listpack::AtEnd(lp, pos); r++) {
    uint32_t spos = Listpack::Next(lp, pos);
    if (!below(DecodeScore(Listpack::Get(lp, spos)), Listpack::Get(lp, pos).View(scratch))) break;
    pos = Listpack::Next(lp, spos);
  }
  return r;
}

void ZSetObject::ForRange(size_t lo, size_t hi, bool rev, const ZVisitFn& fn) const {
  if (lo >= hi) return;
  if (enc_ == ObjEncoding::kSkiplist)
    return static_cast<ZSkipList*>(obj_)->ForRange(lo, hi, rev, fn);
  auto* lp = static_cast<uint8_t*>(obj_);
  char scratch[Listpack::kScratch];
  if (!rev) {
    uint32_t pos = Listpack::Seek(lp, int64_t(lo) * 2);
    for (size_t n = hi - lo; n > 0 && !Listpack::AtEnd(lp, pos); n--) {
      uint32_t spos = Listpack::Next(lp, pos);
      fn(Listpack::Get(lp, pos).View(scratch), DecodeScore(Listpack::Get(lp, spos)));
      pos = Listpack::Next(lp, spos);
    }
    return;
  }
  uint32_t pos = Listpack::Seek(lp, int64_t(hi - 1) * 2);
  for (size_t n = hi - lo; n > 0 && !Listpack::AtEnd(lp, pos); n--) {
    uint32_t spos = Listpack::Next(lp, pos);
    fn(Listpack::Get(lp, pos).View(scratch), DecodeScore(Listpack::Get(lp, spos)));
    uint32_t prev_score = Listpack::Prev(lp, pos);
    if (Listpack::AtEnd(lp, prev_score)) break;
    pos = Listpack::Prev(lp, prev_score);
  }
}

void ZSetObject::DeleteRange(size_t lo, size_t hi) {
  if (lo >= hi) return;
  if (enc_ == ObjEncoding::kSkiplist) return static_cast<ZSkipList*>(obj_)->DeleteRange(lo, hi);
  auto* lp = static_cast<uint8_t*>(obj_);
  obj_ = Listpack::Erase(lp, Listpack::Seek(lp, int64_t(lo) * 2), uint32_t(hi - lo) * 2);
}

std::pair<std::string, double> ZSetObject::At(size_t rank) const {
  std::pair<std::string, double> out;
  ForRange(rank, rank + 1, false, [&out](std::string_view m, double s) {
    out = {std::string(m), s};
  });
  return out;
}

uint64_t ZSetObject::Scan(uint64_t cursor, size_t count, const ZVisitFn& fn) const {
  if (enc_ == ObjEncoding::kSkiplist) {
    return static_cast<ZSkipList*>(obj_)->Scan(cursor, count, fn);
  }
  ForRange(0, Len(), false, fn);
  return 0;
}

void ZSetObject::Destroy() {
  if (enc_ == ObjEncoding::kSkiplist) {
    DestroyList(obj_);
  } else {
    Listpack::Free(static_cast<uint8_t*>(obj_));
  }
  obj_ = nullptr;
}

}  // namespace ember
