// ListObject and QuickList: the two encodings of a LIST value; see list_object.h.
#include "core/list_object.h"

#include <malloc.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>
#include <vector>

#include "core/listpack.h"

namespace ember {
namespace {

constexpr size_t kSizeLimits[] = {4096, 8192, 16384, 32768, 65536};

void NodeLimits(int64_t fill, size_t* bytes, size_t* count) {
  *bytes = SIZE_MAX;
  *count = SIZE_MAX;
  if (fill >= 0) {
    *count = fill == 0 ? 1 : size_t(fill);
  } else {
    size_t level = size_t(-(fill + 1));
    if (level >= std::size(kSizeLimits)) level = std::size(kSizeLimits) - 1;
    *bytes = kSizeLimits[level];
  }
}

bool NodeOk(const uint8_t* lp, int64_t fill) {
  return ListNodeFits(Listpack::Bytes(lp), Listpack::Count(lp), fill);
}

// Copies entries [pos, end) of `lp` out as strings (node split / merge).
std::vector<std::string> CopyTail(const uint8_t* lp, uint32_t pos) {
  std::vector<std::string> out;
  char scratch[Listpack::kScratch];
  for (; !Listpack::AtEnd(lp, pos); pos = Listpack::Next(lp, pos)) {
    out.emplace_back(Listpack::Get(lp, pos).View(scratch));
  }
  return out;
}

uint8_t* AppendStrings(uint8_t* lp, const std::vector<std::string>& items) {
  std::vector<std::string_view> views(items.begin(), items.end());
  return Listpack::AppendMany(lp, views.data(), views.size());
}

void DestroyQuick(void* obj) { delete static_cast<QuickList*>(obj); }
void* CopyQuick(const void* obj) {
  const auto* q = static_cast<const QuickList*>(obj);
  auto* c = new QuickList();
  for (const uint8_t* lp : q->nodes) c->nodes.push_back(Listpack::Clone(lp));
  c->count = q->count;
  return c;
}
size_t QuickUsage(const void* obj) {
  const auto* q = static_cast<const QuickList*>(obj);
  size_t total = malloc_usable_size(const_cast<QuickList*>(q));
  for (const uint8_t* lp : q->nodes) total += Listpack::MemoryUsage(lp);
  return total + q->nodes.size() * sizeof(uint8_t*);
}

}  // namespace

bool ListNodeFits(size_t bytes, size_t count, int64_t fill, bool shrink) {
  size_t max_bytes, max_count;
  NodeLimits(fill, &max_bytes, &max_count);
  if (shrink) {
    if (max_bytes != SIZE_MAX) max_bytes /= 2;
    if (max_count != SIZE_MAX) max_count /= 2;
  }
  return bytes <= max_bytes && count <= max_count;
}

QuickList::~QuickList() {
  for (uint8_t* lp : nodes) Listpack::Free(lp);
}

void ListObject::RegisterHooks() {
  Listpack::RegisterObjHooks(ObjType::kList);
  RegisterObjDestructor(ObjType::kList, ObjEncoding::kQuicklist, DestroyQuick);
  RegisterObjCopier(ObjType::kList, ObjEncoding::kQuicklist, CopyQuick);
  RegisterObjMemoryUsage(ObjType::kList, ObjEncoding::kQuicklist, QuickUsage);
  RegisterObjFreeEffort(ObjType::kList, ObjEncoding::kQuicklist, [](const void* obj) {
    return static_cast<const QuickList*>(obj)->nodes.size();  // one listpack per node
  });
}

ListObject ListObject::Create() { return {ObjEncoding::kListpack, Listpack::New(true)}; }

void ListObject::Destroy() {
  if (enc_ == ObjEncoding::kQuicklist) {
    DestroyQuick(obj_);
  } else {
    Listpack::Free(static_cast<uint8_t*>(obj_));
  }
  obj_ = nullptr;
}

size_t ListObject::Len() const {
  if (enc_ == ObjEncoding::kQuicklist) return static_cast<QuickList*>(obj_)->count;
  return Listpack::Count(static_cast<uint8_t*>(obj_));
}

size_t ListObject::NumNodes() const {
  if (enc_ == ObjEncoding::kQuicklist) return static_cast<QuickList*>(obj_)->nodes.size();
  return 1;
}

uint8_t*& ListObject::Node(size_t i) const {
  if (enc_ == ObjEncoding::kQuicklist) return static_cast<QuickList*>(obj_)->nodes[i];
  return *reinterpret_cast<uint8_t**>(const_cast<void**>(&obj_));
}

ListObject::Cursor ListObject::Locate(int64_t index) const {
  size_t n = NumNodes();
  if (index * 2 < int64_t(Len())) {
    for (size_t i = 0; i < n; i++) {
      int64_t c = Listpack::Count(Node(i));
      if (index < c) return {i, Listpack::Seek(Node(i), index)};
      index -= c;
    }
  } else {
    int64_t back = int64_t(Len()) - index;  // 1-based from the tail
    for (size_t i = n; i-- > 0;) {
      int64_t c = Listpack::Count(Node(i));
      if (back <= c) return {i, Listpack::Seek(Node(i), -back)};
      back -= c;
    }
  }
  return {n, 0};  // unreachable for a valid index
}

// ---------------------------------------------------------------------------------------------
// Node maintenance

void ListObject::ConvertToQuicklist(int64_t fill) {
  auto* q = new QuickList();
  q->count = Listpack::Count(static_cast<uint8_t*>(obj_));
  q->nodes.push_back(static_cast<uint8_t*>(obj_));
  enc_ = ObjEncoding::kQuicklist;
  obj_ = q;
  // Split until every node fits (halving keeps this O(n log n) for one oversized listpack).
  for (size_t i = 0; i < q->nodes.size();) {
    if (!NodeOk(q->nodes[i], fill) && Listpack::Count(q->nodes[i]) > 1) {
      SplitNode(i);
    } else {
      i++;
    }
  }
}

void ListObject::MaybeConvertToListpack(int64_t fill) {
  if (enc_ != ObjEncoding::kQuicklist) return;
  auto* q = static_cast<QuickList*>(obj_);
  if (q->nodes.size() > 1) return;
  uint8_t* lp = q->nodes.empty() ? Listpack::New(true) : q->nodes.front();
  if (!q->nodes.empty() &&
      !ListNodeFits(Listpack::Bytes(lp), Listpack::Count(lp), fill, /*shrink=*/true)) {
    return;
  }
  q->nodes.clear();
  delete q;
  enc_ = ObjEncoding::kListpack;
  obj_ = lp;
}

void ListObject::SplitNode(size_t i) {
  auto* q = static_cast<QuickList*>(obj_);
  uint8_t* lp = q->nodes[i];
  uint32_t half = Listpack::Count(lp) / 2;
  uint32_t mid = Listpack::Seek(lp, half);
  std::vector<std::string> tail = CopyTail(lp, mid);
  q->nodes[i] = Listpack::Erase(lp, mid, uint32_t(tail.size()));
  q->nodes.insert(q->nodes.begin() + ptrdiff_t(i) + 1, AppendStrings(Listpack::New(true), tail));
}

void ListObject::EraseNode(size_t i) {
  auto* q = static_cast<QuickList*>(obj_);
  Listpack::Free(q->nodes[i]);
  q->nodes.erase(q->nodes.begin() + ptrdiff_t(i));
}

// Merges node i+1 into node i when both fit in one node.
void ListObject::MergeFrom(size_t i, int64_t fill) {
  auto* q = static_cast<QuickList*>(obj_);
  if (i + 1 >= q->nodes.size()) return;
  uint8_t* a = q->nodes[i];
  uint8_t* b = q->nodes[i + 1];
  size_t bytes = Listpack::Bytes(a) + Listpack::Bytes(b) - Listpack::kHeaderSize;
  if (!ListNodeFits(bytes, Listpack::Count(a) + Listpack::Count(b), fill)) return;
  q->nodes[i] = AppendStrings(a, CopyTail(b, Listpack::First(b)));
  EraseNode(i + 1);
}

void ListObject::FixNode(size_t i, int64_t delta, int64_t fill) {
  if (enc_ == ObjEncoding::kListpack) {
    if (delta > 0 && !NodeOk(Node(0), fill)) ConvertToQuicklist(fill);
    return;
  }
  auto* q = static_cast<QuickList*>(obj_);
  q->count = size_t(int64_t(q->count) + delta);
  uint8_t* lp = q->nodes[i];
  if (Listpack::Count(lp) == 0) {
    EraseNode(i);
    if (i > 0) MergeFrom(i - 1, fill);
  } else if (!NodeOk(lp, fill) && Listpack::Count(lp) > 1) {
    SplitNode(i);
  } else if (delta < 0) {
    MergeFrom(i, fill);
    if (i > 0) MergeFrom(i - 1, fill);
  }
  MaybeConvertToListpack(fill);
}

void ListObject::Rebalance(int64_t fill) {
  if (enc_ != ObjEncoding::kQuicklist) return;
  auto* q = static_cast<QuickList*>(obj_);
  size_t count = 0;
  for (size_t i = 0; i < q->nodes.size();) {
    if (Listpack::Count(q->nodes[i]) == 0) {
      EraseNode(i);
      continue;
    }
    count += Listpack::Count(q->nodes[i]);
    i++;
  }
  q->count = count;
  for (size_t i = 0; i + 1 < q->nodes.size();) {
    size_t before = q->nodes.size();
    MergeFrom(i, fill);
    if (q->nodes.size() == before) i++;
  }
  MaybeConvertToListpack(fill);
}

// ---------------------------------------------------------------------------------------------
// Operations

void ListObject::Push(ListEnd end, std::string_view v, int64_t fill) {
  bool head = end == ListEnd::kHead;
  if (enc_ == ObjEncoding::kQuicklist) {
    auto* q = static_cast<QuickList*>(obj_);
    uint8_t*& lp = head ? q->nodes.front() : q->nodes.back();
    lp = head ? Listpack::Insert(lp, Listpack::First(lp), v) : Listpack::Append(lp, v);
    if (!NodeOk(lp, fill) && Listpack::Count(lp) > 1) {  // full: the element starts a new node
      lp = Listpack::Erase(lp, head ? Listpack::First(lp) : Listpack::Last(lp));
      uint8_t* fresh = Listpack::Append(Listpack::New(true), v);
      if (head) {
        q->nodes.push_front(fresh);
      } else {
        q->nodes.push_back(fresh);
      }
    }
    q->count++;
    return;
  }
  uint8_t*& lp = Node(0);
  lp = head ? Listpack::Insert(lp, Listpack::First(lp), v) : Listpack::Append(lp, v);
  if (NodeOk(lp, fill)) return;
  // Outgrown: as Redis 7.2, the list becomes a quicklist — also when its only element is over
  // the node limit (that element then has a node of its own) —, whose first node is the old
  // listpack while the new element goes to a node of its own.
  if (Listpack::Count(lp) == 1) return ConvertToQuicklist(fill);
  lp = Listpack::Erase(lp, head ? Listpack::First(lp) : Listpack::Last(lp));
  ConvertToQuicklist(fill);
  Push(end, v, fill);
}

bool ListObject::Pop(ListEnd end, std::string* out, int64_t fill) {
  if (Len() == 0) return false;
  size_t i = end == ListEnd::kHead ? 0 : NumNodes() - 1;
  uint8_t*& lp = Node(i);
  uint32_t pos = end == ListEnd::kHead ? Listpack::First(lp) : Listpack::Last(lp);
  char scratch[Listpack::kScratch];
  out->assign(Listpack::Get(lp, pos).View(scratch));
  lp = Listpack::Erase(lp, pos);
  FixNode(i, -1, fill);
  return true;
}

bool ListObject::Index(int64_t index, std::string* out) const {
  if (index < 0) index += int64_t(Len());
  if (index < 0 || index >= int64_t(Len())) return false;
  Cursor c = Locate(index);
  char scratch[Listpack::kScratch];
  out->assign(Listpack::Get(Node(c.node), c.pos).View(scratch));
  return true;
}

bool ListObject::Set(int64_t index, std::string_view v, int64_t fill) {
  if (index < 0) index += int64_t(Len());
  if (index < 0 || index >= int64_t(Len())) return false;
  // Redis 7.2 decides LSET's conversion as if the value were added, not replaced: a listpack
  // that could not take one more element of this size becomes a quicklist.
  if (enc_ == ObjEncoding::kListpack) {
    const uint8_t* lp = Node(0);
    if (!ListNodeFits(Listpack::Bytes(lp) + v.size(), Listpack::Count(lp) + 1, fill)) {
      ConvertToQuicklist(fill);
    }
  }
  Cursor c = Locate(index);
  Node(c.node) = Listpack::Replace(Node(c.node), c.pos, v);
  FixNode(c.node, 0, fill);
  if (enc_ == ObjEncoding::kListpack && !NodeOk(Node(0), fill)) ConvertToQuicklist(fill);
  return true;
}

bool ListObject::Insert(std::string_view pivot, bool after, std::string_view v, int64_t fill) {
  for (size_t i = 0; i < NumNodes(); i++) {
    uint8_t*& lp = Node(i);
    uint32_t pos = Listpack::Find(lp, Listpack::First(lp), pivot);
    if (Listpack::AtEnd(lp, pos)) continue;
    if (after) pos = Listpack::Next(lp, pos);
    lp = Listpack::Insert(lp, pos, v);
    FixNode(i, 1, fill);
    return true;
  }
  return false;
}

size_t ListObject::Remove(int64_t count, std::string_view v, int64_t fill) {
  size_t limit = count == 0 ? SIZE_MAX : size_t(count < 0 ? -(count + 1) + 1 : count);
  size_t removed = 0;
  size_t n = NumNodes();
  if (count >= 0) {
    for (size_t i = 0; i < n && removed < limit; i++) {
      uint8_t*& lp = Node(i);
      uint32_t pos = Listpack::First(lp);
      while (removed < limit) {
        pos = Listpack::Find(lp, pos, v);
        if (Listpack::AtEnd(lp, pos)) break;
        lp = Listpack::Erase(lp, pos);
        removed++;
      }
    }
  } else {
    for (size_t i = n; i-- > 0 && removed < limit;) {
      uint8_t*& lp = Node(i);
      uint32_t pos = Listpack::Last(lp);
      while (removed < limit && !Listpack::AtEnd(lp, pos)) {
        if (Listpack::Equals(lp, pos, v)) {
          lp = Listpack::Erase(lp, pos);
          removed++;
        }
        pos = Listpack::Prev(lp, pos);
      }
    }
  }
  if (removed) Rebalance(fill);
  return removed;
}

void ListObject::Trim(int64_t start, int64_t stop, int64_t fill) {
  int64_t len = int64_t(Len());
  int64_t keep_from = start, keep_to = stop;
  if (start > stop || start >= len) {
    keep_from = 0;
    keep_to = -1;
  }
  // Walk nodes, erasing the parts outside [keep_from, keep_to].
  int64_t base = 0;
  for (size_t i = 0; i < NumNodes(); i++) {
    uint8_t*& lp = Node(i);
    int64_t c = Listpack::Count(lp);
    int64_t lo = std::max<int64_t>(keep_from - base, 0);    // first kept, node-relative
    int64_t hi = std::min<int64_t>(keep_to - base, c - 1);  // last kept, node-relative
    if (lo > hi) {
      lp = Listpack::Erase(lp, Listpack::First(lp), uint32_t(c));
    } else {
      if (hi < c - 1) lp = Listpack::Erase(lp, Listpack::Seek(lp, hi + 1), uint32_t(c - 1 - hi));
      if (lo > 0) lp = Listpack::Erase(lp, Listpack::First(lp), uint32_t(lo));
    }
    base += c;
  }
  Rebalance(fill);
}

void ListObject::Range(int64_t start, int64_t stop,
                       const std::function<void(std::string_view)>& fn) const {
  if (start > stop || start >= int64_t(Len())) return;
  Cursor c = Locate(start);
  char scratch[Listpack::kScratch];
  for (int64_t left = stop - start + 1; left > 0; left--) {
    uint8_t* lp = Node(c.node);
    fn(Listpack::Get(lp, c.pos).View(scratch));
    c.pos = Listpack::Next(lp, c.pos);
    if (Listpack::AtEnd(lp, c.pos) && c.node + 1 < NumNodes()) {
      c.node++;
      c.pos = Listpack::First(Node(c.node));
    }
  }
}

void ListObject::Walk(bool reverse,
                      const std::function<bool(std::string_view, int64_t)>& fn) const {
  char scratch[Listpack::kScratch];
  size_t n = NumNodes();
  if (!reverse) {
    int64_t idx = 0;
    for (size_t i = 0; i < n; i++) {
      const uint8_t* lp = Node(i);
      for (uint32_t p = Listpack::First(lp); !Listpack::AtEnd(lp, p); p = Listpack::Next(lp, p)) {
        if (!fn(Listpack::Get(lp, p).View(scratch), idx++)) return;
      }
    }
    return;
  }
  int64_t idx = int64_t(Len()) - 1;
  for (size_t i = n; i-- > 0;) {
    const uint8_t* lp = Node(i);
    for (uint32_t p = Listpack::Last(lp); !Listpack::AtEnd(lp, p); p = Listpack::Prev(lp, p)) {
      if (!fn(Listpack::Get(lp, p).View(scratch), idx--)) return;
    }
  }
}

}  // namespace ember
