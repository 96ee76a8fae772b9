// Stream storage: ids, packed blocks of entries, the block index, ranges, deletion and
// trimming. Consumer-group methods (FindGroup, CreateGroup, DestroyGroup, Lag,
// EstimateEntriesRead, StreamGroup's members) live in stream_group.cc.
//
// Block layout. A block is one malloc'd region: the Block header below, then `data`:
//
//   master fields   varint n, then n elements: the field names of the block's first entry
//   entries         one after another, in id order:
//                     flags      1 byte: kDeleted, kSameFields
//                     ms delta   varint, id.ms - block.first.ms
//                     seq        varint, id.seq - block.first.seq when the ms delta is 0,
//                                else id.seq itself
//                     kSameFields: n value elements (fields are the master fields)
//                     otherwise:   varint n, then field, value, field, value ... elements
//
// An element is a varint header h followed by its bytes: h even is a string of h/2 bytes;
// h odd is an integer (zig-zag encoded in h/2) written for values that are canonical integers
// (Redis's string2ll rules), so "1234" costs 2 bytes. Element views handed to visitors render
// integers into a scratch buffer of the walk.
//
// Why this shape. Entries appended by one producer nearly always carry the same field names
// and close ids, so an entry of two small fields costs the flags, two one- or two-byte id
// deltas and its two values. Nothing points into a block from outside, so a block grows with
// realloc; when a new block is started, the previous one is shrunk to its exact size. Entries
// are never moved or rewritten except for their flags byte: XDEL and exact trimming flag an
// entry deleted; a block with no live entry left is freed. Reverse walks collect the entry
// offsets of one block first (a block holds at most stream-node-max-entries entries, or
// stream-node-max-bytes bytes).
#include "core/stream.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/kv_entry.h"

namespace ember {

// --- StreamId ----------------------------------------------------------------------------------

bool StreamId::Next(StreamId* out) const {
  if (seq != UINT64_MAX) {
    *out = {ms, seq + 1};
    return true;
  }
  if (ms == UINT64_MAX) return false;
  *out = {ms + 1, 0};
  return true;
}

bool StreamId::Prev(StreamId* out) const {
  if (seq != 0) {
    *out = {ms, seq - 1};
    return true;
  }
  if (ms == 0) return false;
  *out = {ms - 1, UINT64_MAX};
  return true;
}

namespace {

size_t U64ToChars(uint64_t v, char* buf) {
  char tmp[20];
  size_t n = 0;
  do {
    tmp[n++] = char('0' + v % 10);
    v /= 10;
  } while (v != 0);
  for (size_t i = 0; i < n; i++) buf[i] = tmp[n - 1 - i];
  return n;
}

// Redis's string2ull: a canonical non-negative int64 (string2ll rules), or else what strtoull
// accepts in base 10 over the whole string without ERANGE (leading spaces, a sign, leading
// zeros; a '-' negates modulo 2^64, as strtoull does).
bool ParseU64Redis(std::string_view s, uint64_t* out) {
  int64_t ll;
  if (StringToInt64(s, &ll)) {
    if (ll < 0) return false;
    *out = uint64_t(ll);
    return true;
  }
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) i++;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (i == s.size()) return false;
  uint64_t v = 0;
  for (; i < s.size(); i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    uint64_t d = uint64_t(s[i] - '0');
    if (v > (UINT64_MAX - d) / 10) return false;  // ERANGE
    v = v * 10 + d;
  }
  *out = neg ? uint64_t(0) - v : v;
  return true;
}

}  // namespace

size_t StreamId::Format(char* buf) const {
  size_t n = U64ToChars(ms, buf);
  buf[n++] = '-';
  return n + U64ToChars(seq, buf + n);
}

std::string StreamId::ToString() const {
  char buf[48];
  return std::string(buf, Format(buf));
}

bool StreamId::Parse(std::string_view s, uint64_t missing_seq, StreamId* out) {
  // Redis copies the argument into a 128-byte C string: longer ones are invalid and an
  // embedded NUL ends it.
  if (s.size() > 127) return false;
  if (size_t nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
  size_t dash = s.find('-');
  uint64_t ms, seq = missing_seq;
  if (!ParseU64Redis(s.substr(0, dash), &ms)) return false;
  if (dash != std::string_view::npos && !ParseU64Redis(s.substr(dash + 1), &seq)) return false;
  *out = {ms, seq};
  return true;
}

// --- encoding helpers --------------------------------------------------------------------------

namespace {

constexpr uint8_t kDeleted = 1;
constexpr uint8_t kSameFields = 2;

inline size_t VarintSize(uint64_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    n++;
  }
  return n;
}

inline uint8_t* PutVarint(uint8_t* p, uint64_t v) {
  while (v >= 0x80) {
    *p++ = uint8_t(v | 0x80);
    v >>= 7;
  }
  *p++ = uint8_t(v);
  return p;
}

inline const uint8_t* GetVarint(const uint8_t* p, uint64_t* v) {
  uint64_t r = *p & 0x7f;
  int shift = 7;
  while (*p++ & 0x80) {
    r |= uint64_t(*p & 0x7f) << shift;
    shift += 7;
  }
  *v = r;
  return p;
}

// An element's varint header: strings 2*len, integers 2*zigzag+1 (only for integers whose
// zig-zag form fits 63 bits, so the header never overflows).
inline uint64_t ElemHeader(std::string_view s) {
  int64_t v;
  if (s.size() <= 20 && StringToInt64(s, &v) && v > -(int64_t(1) << 61) && v < (int64_t(1) << 61)) {
    uint64_t zz = (uint64_t(v) << 1) ^ uint64_t(v >> 63);
    return (zz << 1) | 1;
  }
  return uint64_t(s.size()) << 1;
}

inline size_t ElemSize(std::string_view s) {
  uint64_t h = ElemHeader(s);
  return VarintSize(h) + ((h & 1) ? 0 : s.size());
}

inline uint8_t* PutElem(uint8_t* p, std::string_view s) {
  uint64_t h = ElemHeader(s);
  p = PutVarint(p, h);
  if (!(h & 1)) {
    std::memcpy(p, s.data(), s.size());
    p += s.size();
  }
  return p;
}

inline const uint8_t* SkipElem(const uint8_t* p) {
  uint64_t h;
  p = GetVarint(p, &h);
  return (h & 1) ? p : p + (h >> 1);
}

// Decodes one element; integers are rendered at *num (advanced past them).
inline const uint8_t* GetElem(const uint8_t* p, std::string_view* out, char** num) {
  uint64_t h;
  p = GetVarint(p, &h);
  if (h & 1) {
    uint64_t zz = h >> 1;
    int64_t v = int64_t(zz >> 1) ^ -int64_t(zz & 1);
    size_t n = Int64ToChars(v, *num);
    *out = {*num, n};
    *num += n;
    return p;
  }
  *out = {reinterpret_cast<const char*>(p), size_t(h >> 1)};
  return p + (h >> 1);
}

// True if the element at *p equals s; advances *p past it.
inline bool ElemEquals(const uint8_t** p, std::string_view s) {
  char buf[24];
  char* num = buf;
  std::string_view v;
  *p = GetElem(*p, &v, &num);
  return v == s;
}

}  // namespace

// --- blocks ------------------------------------------------------------------------------------

struct Stream::Block {
  uint32_t cap;          // bytes of data allocated
  uint32_t used;         // bytes of data in use
  uint32_t live;         // entries not deleted
  uint32_t total;        // entries, deleted ones included
  uint32_t nmaster;      // number of master fields
  uint32_t entries_off;  // offset of the first entry in data (after the master fields)
  StreamId first;        // id of the first entry: the index key and the base of id deltas
  StreamId last;         // id of the last entry, deleted or not

  uint8_t* data() { return reinterpret_cast<uint8_t*>(this + 1); }
  const uint8_t* data() const { return reinterpret_cast<const uint8_t*>(this + 1); }
  const uint8_t* begin() const { return data() + entries_off; }
  const uint8_t* end() const { return data() + used; }

  static Block* Allocate(size_t cap) {
    auto* b = static_cast<Block*>(std::malloc(sizeof(Block) + cap));
    if (!b) std::abort();
    b->cap = uint32_t(cap);
    return b;
  }
  static Block* Resize(Block* b, size_t cap) {
    auto* nb = static_cast<Block*>(std::realloc(b, sizeof(Block) + cap));
    if (!nb) std::abort();
    nb->cap = uint32_t(cap);
    return nb;
  }
};

namespace {

// The parsed header of one entry.
struct EntryHead {
  uint8_t flags;
  StreamId id;
  const uint8_t* body;  // after the header
};

inline EntryHead ReadHead(StreamId first, const uint8_t* p) {
  EntryHead h;
  h.flags = *p++;
  uint64_t msd, seq;
  p = GetVarint(p, &msd);
  p = GetVarint(p, &seq);
  h.id = {first.ms + msd, msd == 0 ? first.seq + seq : seq};
  h.body = p;
  return h;
}

inline const uint8_t* SkipBody(const EntryHead& h, uint32_t nmaster) {
  const uint8_t* p = h.body;
  uint64_t n = nmaster, elems;
  if (h.flags & kSameFields) {
    elems = n;
  } else {
    p = GetVarint(p, &n);
    elems = 2 * n;
  }
  for (uint64_t i = 0; i < elems; i++) p = SkipElem(p);
  return p;
}

// Decodes entries' field/value lists into views; integers are rendered into `num_`.
class EntryDecoder {
 public:
  // Decodes the body of `h` (an entry of `b`); returns the end of the entry.
  template <typename B>
  const uint8_t* Decode(const B& b, const EntryHead& h) {
    const uint8_t* p = h.body;
    uint64_t n = b.nmaster;
    if (!(h.flags & kSameFields)) p = GetVarint(p, &n);
    fv_.resize(2 * n);
    // Enough room for every element rendered as an integer (at most 20 characters).
    if (num_.size() < 2 * n * 21) num_.resize(2 * n * 21);
    char* num = num_.data();
    if (h.flags & kSameFields) {
      const uint8_t* f = b.data();
      uint64_t ignored;
      f = GetVarint(f, &ignored);
      for (uint64_t i = 0; i < n; i++) {
        f = GetElem(f, &fv_[2 * i], &num);
        p = GetElem(p, &fv_[2 * i + 1], &num);
      }
    } else {
      for (uint64_t i = 0; i < 2 * n; i++) p = GetElem(p, &fv_[i], &num);
    }
    return p;
  }
  std::span<const std::string_view> fv() const { return fv_; }

 private:
  std::vector<std::string_view> fv_;
  std::vector<char> num_;
};

// Encoded size of an entry body against master fields starting at `master` (nullptr: the
// entry becomes a new block's first entry, whose fields are the master fields).
size_t BodySize(std::span<const std::string_view> fv, const uint8_t* master, bool* same) {
  size_t n = fv.size() / 2;
  *same = true;
  if (master) {
    uint64_t nm;
    const uint8_t* p = GetVarint(master, &nm);
    if (nm != n) {
      *same = false;
    } else {
      for (size_t i = 0; i < n && *same; i++) *same = ElemEquals(&p, fv[2 * i]);
    }
  }
  size_t size = 0;
  if (*same) {
    for (size_t i = 0; i < n; i++) size += ElemSize(fv[2 * i + 1]);
  } else {
    size += VarintSize(n);
    for (std::string_view s : fv) size += ElemSize(s);
  }
  return size;
}

uint8_t* PutBody(uint8_t* p, std::span<const std::string_view> fv, bool same) {
  size_t n = fv.size() / 2;
  if (same) {
    for (size_t i = 0; i < n; i++) p = PutElem(p, fv[2 * i + 1]);
    return p;
  }
  p = PutVarint(p, n);
  for (std::string_view s : fv) p = PutElem(p, s);
  return p;
}

// Id deltas of `id` against a block whose first id is `first`.
inline void IdDeltas(StreamId first, StreamId id, uint64_t* msd, uint64_t* seq) {
  *msd = id.ms - first.ms;
  *seq = *msd == 0 ? id.seq - first.seq : id.seq;
}

}  // namespace

// --- Stream ------------------------------------------------------------------------------------

Stream::Stream() = default;

Stream::~Stream() {
  for (auto& [id, b] : blocks_) std::free(b);
}

size_t Stream::block_count() const { return blocks_.size(); }

StreamId Stream::first_id() const {
  if (blocks_.empty()) return {};
  const Block* b = blocks_.begin()->second;
  for (const uint8_t* p = b->begin(); p < b->end();) {
    EntryHead h = ReadHead(b->first, p);
    if (!(h.flags & kDeleted)) return h.id;
    p = SkipBody(h, b->nmaster);
  }
  return {};  // not reached: blocks without live entries are freed
}

StreamId Stream::last_entry_id() const {
  if (blocks_.empty()) return {};
  const Block* b = blocks_.rbegin()->second;
  StreamId last;
  for (const uint8_t* p = b->begin(); p < b->end();) {
    EntryHead h = ReadHead(b->first, p);
    if (!(h.flags & kDeleted)) last = h.id;
    p = SkipBody(h, b->nmaster);
  }
  return last;
}

void Stream::Append(StreamId id, std::span<const std::string_view> fv, const StreamLimits& limits) {
  auto last = blocks_.empty() ? blocks_.end() : std::prev(blocks_.end());
  Block* b = last == blocks_.end() ? nullptr : last->second;
  bool same;
  size_t body = 0;
  size_t need = 0;
  if (b) {
    body = BodySize(fv, b->data(), &same);
    uint64_t msd, seq;
    IdDeltas(b->first, id, &msd, &seq);
    need = 1 + VarintSize(msd) + VarintSize(seq) + body;
    bool full = (limits.node_max_bytes != 0 && b->used + need >= limits.node_max_bytes) ||
                (limits.node_max_entries != 0 && b->total >= limits.node_max_entries) ||
                uint64_t(b->used) + need > UINT32_MAX;
    if (full) {
      // Close the block: shrink it to its exact size.
      if (b->cap != b->used) last->second = Block::Resize(b, b->used);
      b = nullptr;
    }
  }
  if (!b) {
    body = BodySize(fv, nullptr, &same);
    size_t master = VarintSize(fv.size() / 2);
    for (size_t i = 0; i < fv.size(); i += 2) master += ElemSize(fv[i]);
    need = 1 + 1 + 1 + body;
    b = Block::Allocate(master + need);
    b->used = 0;
    b->live = b->total = 0;
    b->nmaster = uint32_t(fv.size() / 2);
    b->first = id;
    uint8_t* p = PutVarint(b->data(), fv.size() / 2);
    for (size_t i = 0; i < fv.size(); i += 2) p = PutElem(p, fv[i]);
    b->entries_off = b->used = uint32_t(p - b->data());
    last = blocks_.emplace(id, b).first;
  } else if (b->used + need > b->cap) {
    size_t cap = std::max<size_t>(b->used + need, size_t(b->cap) + b->cap / 2);
    if (limits.node_max_bytes != 0)
      cap = std::min(cap, std::max(limits.node_max_bytes, size_t(b->used) + need));
    cap = std::min<size_t>(cap, UINT32_MAX);
    b = last->second = Block::Resize(b, cap);
  }
  uint64_t msd, seq;
  IdDeltas(b->first, id, &msd, &seq);
  uint8_t* p = b->data() + b->used;
  *p++ = same ? kSameFields : 0;
  p = PutVarint(p, msd);
  p = PutVarint(p, seq);
  p = PutBody(p, fv, same);
  b->used = uint32_t(p - b->data());
  b->live++;
  b->total++;
  b->last = id;
  length_++;
  entries_added_++;
  last_id_ = id;
}

Stream::BlockMap::iterator Stream::FreeBlock(BlockMap::iterator it) {
  std::free(it->second);
  return blocks_.erase(it);
}

bool Stream::MarkDeleted(BlockMap::iterator it, uint8_t* p) {
  *p |= kDeleted;
  length_--;
  if (--it->second->live != 0) return false;
  FreeBlock(it);
  return true;
}

bool Stream::Delete(StreamId id) {
  auto it = blocks_.upper_bound(id);
  if (it == blocks_.begin()) return false;
  --it;
  Block* b = it->second;
  if (id > b->last) return false;
  for (uint8_t* p = b->data() + b->entries_off; p < b->end();) {
    EntryHead h = ReadHead(b->first, p);
    if (h.id == id) {
      if (h.flags & kDeleted) return false;
      MarkDeleted(it, p);
      if (id > max_deleted_id_) max_deleted_id_ = id;
      return true;
    }
    if (h.id > id) return false;
    p = const_cast<uint8_t*>(SkipBody(h, b->nmaster));
  }
  return false;
}

// The trimming loop shared by MAXLEN and MINID, as Redis's streamTrim: whole blocks go while
// `remove_whole(block)` says so (and the LIMIT allows); then, unless approximate, live entries
// of the first remaining block are flagged deleted while `remove_entry(id)` says so.
template <typename WholeBlockFn, typename EntryFn2>
size_t Stream::TrimFront(bool approx, uint64_t limit, WholeBlockFn remove_whole,
                         EntryFn2 remove_entry) {
  size_t deleted = 0;
  for (auto it = blocks_.begin(); it != blocks_.end();) {
    Block* b = it->second;
    if (!remove_entry(b->first, true)) break;  // nothing left to remove at all
    if (limit != 0 && deleted + b->live > limit) break;
    if (remove_whole(*b)) {
      length_ -= b->live;
      deleted += b->live;
      it = FreeBlock(it);
      continue;
    }
    if (approx) break;
    for (uint8_t* p = b->data() + b->entries_off; p < b->end();) {
      EntryHead h = ReadHead(b->first, p);
      if (!remove_entry(h.id, false)) break;
      uint8_t* next = const_cast<uint8_t*>(SkipBody(h, b->nmaster));
      if (!(h.flags & kDeleted)) {
        deleted++;
        if (MarkDeleted(it, p)) break;  // the block went with its last live entry
      }
      p = next;
    }
    break;
  }
  return deleted;
}

size_t Stream::TrimMaxLen(uint64_t maxlen, bool approx, uint64_t limit) {
  return TrimFront(
      approx, limit, [&](const Block& b) { return length_ - b.live >= maxlen; },
      [&](StreamId, bool) { return length_ > maxlen; });
}

size_t Stream::TrimMinId(StreamId minid, bool approx, uint64_t limit) {
  return TrimFront(
      approx, limit, [&](const Block& b) { return b.last < minid; },
      [&](StreamId id, bool block_start) { return block_start || id < minid; });
}

size_t Stream::Range(StreamId start, StreamId end, bool reverse, size_t count,
                     const EntryFn& fn) const {
  if (start > end || blocks_.empty()) return 0;
  EntryDecoder dec;
  size_t n = 0;
  if (!reverse) {
    auto it = blocks_.upper_bound(start);
    if (it != blocks_.begin()) --it;
    for (; it != blocks_.end() && it->first <= end; ++it) {
      const Block* b = it->second;
      if (b->last < start) continue;
      for (const uint8_t* p = b->begin(); p < b->end();) {
        EntryHead h = ReadHead(b->first, p);
        if (h.id > end) return n;
        if ((h.flags & kDeleted) || h.id < start) {
          p = SkipBody(h, b->nmaster);
          continue;
        }
        p = dec.Decode(*b, h);
        n++;
        if (!fn(h.id, dec.fv()) || n == count) return n;
      }
    }
    return n;
  }
  std::vector<const uint8_t*> offsets;
  for (auto it = blocks_.upper_bound(end); it != blocks_.begin();) {
    --it;
    const Block* b = it->second;
    if (b->last < start) break;
    offsets.clear();
    for (const uint8_t* p = b->begin(); p < b->end();) {
      offsets.push_back(p);
      p = SkipBody(ReadHead(b->first, p), b->nmaster);
    }
    for (size_t i = offsets.size(); i-- > 0;) {
      EntryHead h = ReadHead(b->first, offsets[i]);
      if (h.id < start) return n;
      if ((h.flags & kDeleted) || h.id > end) continue;
      dec.Decode(*b, h);
      n++;
      if (!fn(h.id, dec.fv()) || n == count) return n;
    }
  }
  return n;
}

bool Stream::Get(StreamId id, const EntryFn& fn) const {
  auto it = blocks_.upper_bound(id);
  if (it == blocks_.begin()) return false;
  const Block* b = std::prev(it)->second;
  if (id > b->last) return false;
  for (const uint8_t* p = b->begin(); p < b->end();) {
    EntryHead h = ReadHead(b->first, p);
    if (h.id > id) return false;
    if (h.id == id) {
      if (h.flags & kDeleted) return false;
      EntryDecoder dec;
      dec.Decode(*b, h);
      fn(h.id, dec.fv());
      return true;
    }
    p = SkipBody(h, b->nmaster);
  }
  return false;
}

size_t Stream::MemoryUsage() const {
  // Map nodes of the index: a red-black node header (32 bytes) with the key and the pointer,
  // rounded to the allocator's 64-byte class.
  constexpr size_t kIndexNode = 64;
  size_t bytes = sizeof(Stream);
  for (const auto& [id, b] : blocks_) bytes += sizeof(Block) + b->cap + kIndexNode;
  for (const auto& [name, g] : groups_) {
    bytes += kIndexNode + name.capacity() + sizeof(StreamGroup);
    // B-tree slots (id + record: 40 bytes; id: 16 bytes) at a typical ~2/3 node fill.
    bytes += g->pel.size() * 60;
    for (const auto& [cname, c] : g->consumers) {
      bytes += kIndexNode + cname.capacity() + sizeof(StreamConsumer) + c->pel.size() * 24;
    }
  }
  return bytes;
}

std::unique_ptr<Stream> Stream::Clone() const {
  auto s = std::make_unique<Stream>();
  for (const auto& [id, b] : blocks_) {
    Block* copy = Block::Allocate(b->used);
    std::memcpy(copy, b, sizeof(Block) + b->used);
    copy->cap = b->used;
    s->blocks_.emplace_hint(s->blocks_.end(), id, copy);
  }
  s->length_ = length_;
  s->last_id_ = last_id_;
  s->max_deleted_id_ = max_deleted_id_;
  s->entries_added_ = entries_added_;
  for (const auto& [name, g] : groups_) {
    auto ng = std::make_unique<StreamGroup>();
    ng->last_id = g->last_id;
    ng->entries_read = g->entries_read;
    for (const auto& [cname, c] : g->consumers) {
      auto nc = std::make_unique<StreamConsumer>();
      nc->name = c->name;
      nc->seen_time_ms = c->seen_time_ms;
      nc->active_time_ms = c->active_time_ms;
      ng->consumers.emplace(cname, std::move(nc));
    }
    for (const auto& [id, pe] : g->pel) {
      StreamConsumer* owner = nullptr;
      if (pe.consumer) {
        auto cit = ng->consumers.find(pe.consumer->name);
        if (cit != ng->consumers.end()) owner = cit->second.get();
      }
      ng->pel.emplace_hint(ng->pel.end(), id,
                           StreamPendingEntry{owner, pe.delivery_time_ms, pe.delivery_count});
      if (owner) owner->pel.insert(owner->pel.end(), id);
    }
    s->groups_.emplace(name, std::move(ng));
  }
  return s;
}

}  // namespace ember
