// Redis's serialized small encodings (listpack, ziplist, zipmap, intset): validating decoders
// and the listpack builder. Every decoder walks the blob with explicit bounds checks against
// its end, so a truncated or corrupt blob yields false plus a reason and never an out-of-bounds
// read. The layouts (all multi-byte integers little-endian unless noted):
//
//  listpack: <total-bytes u32> <count u16, 65535 = unknown> entries... 0xFF
//    entry = <encoding+data> <backlen: size of encoding+data, 1..5 bytes, read right-to-left>
//  ziplist:  <total-bytes u32> <tail-offset u32> <count u16> entries... 0xFF
//    entry = <prevlen: 1 byte, or 0xFE + u32> <encoding> <data>
//  zipmap:   <count u8, 254 = unknown> (<len> key <len> <free u8> value <free bytes>)... 0xFF
//  intset:   <encoding u32: 2/4/8> <length u32> values sorted ascending
#include "persistence/redis_encodings.h"

#include <charconv>
#include <cstring>

namespace ember::redisenc {
namespace {

constexpr uint8_t kEnd = 0xFF;
constexpr size_t kListpackHeader = 6;
constexpr uint16_t kListpackUnknownCount = 65535;
constexpr size_t kZiplistHeader = 10;
constexpr uint16_t kZiplistUnknownCount = 65535;
constexpr uint8_t kZiplistBigPrevlen = 254;
constexpr uint8_t kZipmapBigLen = 254;
constexpr size_t kMaxIntText = 21;
constexpr size_t kReuseBytes = 64 * 1024;  // ListpackBuilder keeps buffers up to this size  //
                                           // longest text Redis tries to read as an integer + 1

uint64_t LoadLE(const uint8_t* p, int n) {
  uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

int64_t SignExtend(uint64_t v, int bits) {
  if (bits >= 64) return static_cast<int64_t>(v);
  const uint64_t sign = uint64_t{1} << (bits - 1);
  if (v & sign) return static_cast<int64_t>(v | ~((uint64_t{1} << bits) - 1));
  return static_cast<int64_t>(v);
}

bool Fail(std::string* err, const char* why) {
  if (err) *err = why;
  return false;
}

const uint8_t* Bytes(std::string_view s) { return reinterpret_cast<const uint8_t*>(s.data()); }

// Redis's rule for "this string is an integer" in listpacks: canonical decimal, no sign other
// than a leading '-', no leading zeros, no "-0", fits in int64.
bool CanonicalInt(std::string_view s, int64_t* out) {
  if (s.empty() || s.size() >= kMaxIntText) return false;
  if (s.size() == 1 && s[0] == '0') {
    *out = 0;
    return true;
  }
  size_t i = 0;
  bool neg = false;
  if (s[0] == '-') {
    neg = true;
    if (s.size() == 1) return false;
    i = 1;
  }
  if (s[i] < '1' || s[i] > '9') return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c < '0' || c > '9') return false;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (v > (UINT64_MAX - d) / 10) return false;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > uint64_t{1} << 63) return false;
    *out = static_cast<int64_t>(0 - v);
  } else {
    if (v > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(v);
  }
  return true;
}

size_t BacklenSize(uint64_t l) {
  if (l <= 127) return 1;
  if (l < 16383) return 2;
  if (l < 2097151) return 3;
  if (l < 268435455) return 4;
  return 5;
}

// Writes the backlen of an entry of `l` bytes at out; returns its size (1-5).
size_t EncodeBacklen(uint64_t l, char* out) {
  const size_t n = BacklenSize(l);
  // The first byte holds the most significant 7 bits without the continuation flag; every
  // following byte carries 7 bits with bit 7 set, so the field can be read right-to-left.
  for (size_t i = 0; i < n; ++i) {
    uint8_t b = static_cast<uint8_t>((l >> (7 * (n - 1 - i))) & 127);
    if (i > 0) b |= 128;
    out[i] = static_cast<char>(b);
  }
  return n;
}

// Decodes the listpack entry at blob[pos] (pos < end, end = offset of the 0xFF terminator).
// Sets *item and *entry_len (encoding + data, without backlen).
bool ListpackEntry(const uint8_t* p, size_t avail, Item* item, size_t* entry_len,
                   std::string* err) {
  const uint8_t b = p[0];
  auto need = [&](size_t n) { return n <= avail; };
  auto str = [&](size_t hdr, uint64_t len) {
    if (len > avail || hdr + len > avail) return Fail(err, "listpack string out of range");
    item->is_int = false;
    item->sval = std::string_view(reinterpret_cast<const char*>(p + hdr), len);
    *entry_len = hdr + len;
    return true;
  };
  auto num = [&](size_t hdr, int64_t v) {
    if (!need(hdr)) return Fail(err, "listpack integer out of range");
    item->is_int = true;
    item->ival = v;
    *entry_len = hdr;
    return true;
  };
  if ((b & 0x80) == 0) return num(1, b & 0x7F);
  if ((b & 0xC0) == 0x80) return str(1, b & 0x3F);
  if ((b & 0xE0) == 0xC0) {
    if (!need(2)) return Fail(err, "listpack integer out of range");
    return num(2, SignExtend((uint64_t{b & 0x1Fu} << 8) | p[1], 13));
  }
  if ((b & 0xF0) == 0xE0) {
    if (!need(2)) return Fail(err, "listpack string header out of range");
    return str(2, (uint64_t{b & 0x0Fu} << 8) | p[1]);
  }
  switch (b) {
    case 0xF0:
      if (!need(5)) return Fail(err, "listpack string header out of range");
      return str(5, LoadLE(p + 1, 4));
    case 0xF1:
    case 0xF2:
    case 0xF3:
    case 0xF4: {
      static constexpr int kWidth[] = {2, 3, 4, 8};
      int w = kWidth[b - 0xF1];
      if (!need(1 + w)) return Fail(err, "listpack integer out of range");
      return num(1 + w, SignExtend(LoadLE(p + 1, w), w * 8));
    }
    default:
      return Fail(err, "invalid listpack entry encoding");
  }
}

// Ziplist entry encoding (after prevlen) at p with `avail` bytes before the terminator.
bool ZiplistEntry(const uint8_t* p, size_t avail, Item* item, size_t* len, std::string* err) {
  if (avail == 0) return Fail(err, "ziplist entry out of range");
  const uint8_t b = p[0];
  auto str = [&](size_t hdr, uint64_t n) {
    if (hdr > avail || n > avail - hdr) return Fail(err, "ziplist string out of range");
    item->is_int = false;
    item->sval = std::string_view(reinterpret_cast<const char*>(p + hdr), n);
    *len = hdr + n;
    return true;
  };
  auto num = [&](int width) {
    if (static_cast<size_t>(1 + width) > avail) return Fail(err, "ziplist integer out of range");
    item->is_int = true;
    item->ival = SignExtend(LoadLE(p + 1, width), width * 8);
    *len = 1 + width;
    return true;
  };
  switch (b >> 6) {
    case 0:
      return str(1, b & 0x3F);
    case 1:
      if (avail < 2) return Fail(err, "ziplist string header out of range");
      return str(2, (uint64_t{b & 0x3Fu} << 8) | p[1]);  // big-endian 14-bit length
    case 2:
      if (b != 0x80) return Fail(err, "invalid ziplist entry encoding");
      if (avail < 5) return Fail(err, "ziplist string header out of range");
      return str(5, (uint64_t{p[1]} << 24) | (uint64_t{p[2]} << 16) | (uint64_t{p[3]} << 8) |
                        p[4]);  // big-endian 32-bit length
    default:
      break;
  }
  switch (b) {
    case 0xC0:
      return num(2);
    case 0xD0:
      return num(4);
    case 0xE0:
      return num(8);
    case 0xF0:
      return num(3);
    case 0xFE:
      return num(1);
    default:
      if (b >= 0xF1 && b <= 0xFD) {  // 4-bit immediate 0..12
        item->is_int = true;
        item->ival = (b & 0x0F) - 1;
        *len = 1;
        return true;
      }
      return Fail(err, "invalid ziplist entry encoding");
  }
}

// Zipmap length field at p (p < end). 0xFF is the terminator, not a length.
bool ZipmapLen(const uint8_t* p, const uint8_t* end, uint64_t* len, size_t* size) {
  if (p >= end) return false;
  if (p[0] < kZipmapBigLen) {
    *len = p[0];
    *size = 1;
    return true;
  }
  if (p[0] != kZipmapBigLen || end - p < 5) return false;
  *len = LoadLE(p + 1, 4);
  *size = 5;
  return true;
}

}  // namespace

std::string_view Item::Text(std::string* scratch) const {
  if (!is_int) return sval;
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof(buf), ival);
  scratch->assign(buf, r.ptr);
  return *scratch;
}

bool DecodeListpack(std::string_view blob, std::vector<Item>* out, std::string* err) {
  out->clear();
  const uint8_t* b = Bytes(blob);
  const size_t size = blob.size();
  if (size < kListpackHeader + 1) return Fail(err, "listpack too short");
  if (LoadLE(b, 4) != size) return Fail(err, "listpack total bytes mismatch");
  if (b[size - 1] != kEnd) return Fail(err, "listpack missing end byte");
  const uint64_t header_count = LoadLE(b + 4, 2);
  const size_t end = size - 1;
  size_t pos = kListpackHeader;
  while (pos < end) {
    Item item;
    size_t len = 0;
    if (b[pos] == kEnd) return Fail(err, "listpack end byte before its end");
    if (!ListpackEntry(b + pos, end - pos, &item, &len, err)) return false;
    const size_t bl = BacklenSize(len);
    if (len + bl > end - pos) return Fail(err, "listpack backlen out of range");
    // Read the backlen right-to-left as Redis does and compare with the entry size.
    uint64_t val = 0;
    size_t shift = 0;
    const uint8_t* q = b + pos + len + bl - 1;
    for (size_t i = 0;; ++i) {
      val |= uint64_t{static_cast<uint8_t>(*q & 127)} << shift;
      if (!(*q & 128)) {
        if (i + 1 != bl) return Fail(err, "listpack backlen mismatch");
        break;
      }
      if (i + 1 >= bl) return Fail(err, "listpack backlen mismatch");
      shift += 7;
      --q;
    }
    if (val != len) return Fail(err, "listpack backlen mismatch");
    out->push_back(item);
    pos += len + bl;
  }
  if (pos != end) return Fail(err, "listpack entries overrun");
  if (header_count != kListpackUnknownCount && header_count != out->size()) {
    return Fail(err, "listpack count mismatch");
  }
  return true;
}

bool DecodeZiplist(std::string_view blob, std::vector<Item>* out, std::string* err) {
  out->clear();
  const uint8_t* b = Bytes(blob);
  const size_t size = blob.size();
  if (size < kZiplistHeader + 1) return Fail(err, "ziplist too short");
  if (LoadLE(b, 4) != size) return Fail(err, "ziplist total bytes mismatch");
  if (b[size - 1] != kEnd) return Fail(err, "ziplist missing end byte");
  const uint64_t tail = LoadLE(b + 4, 4);
  if (tail > size - 1) return Fail(err, "ziplist tail offset out of range");
  const uint64_t header_count = LoadLE(b + 8, 2);
  const size_t end = size - 1;
  size_t pos = kZiplistHeader;
  size_t prev_pos = 0;
  size_t prev_len = 0;
  bool any = false;
  while (pos < end) {
    if (b[pos] == kEnd) return Fail(err, "ziplist end byte before its end");
    size_t plen_size = b[pos] < kZiplistBigPrevlen ? 1 : 5;
    if (b[pos] > kZiplistBigPrevlen) return Fail(err, "invalid ziplist prevlen");
    if (plen_size > end - pos) return Fail(err, "ziplist prevlen out of range");
    const uint64_t prevlen = plen_size == 1 ? b[pos] : LoadLE(b + pos + 1, 4);
    if (prevlen != prev_len) return Fail(err, "ziplist prevlen mismatch");
    Item item;
    size_t len = 0;
    if (!ZiplistEntry(b + pos + plen_size, end - pos - plen_size, &item, &len, err)) return false;
    out->push_back(item);
    prev_pos = pos;
    prev_len = plen_size + len;
    any = true;
    pos += prev_len;
  }
  if (pos != end) return Fail(err, "ziplist entries overrun");
  if (any ? tail != prev_pos : tail != kZiplistHeader) {
    return Fail(err, "ziplist tail offset mismatch");
  }
  if (header_count != kZiplistUnknownCount && header_count != out->size()) {
    return Fail(err, "ziplist count mismatch");
  }
  return true;
}

bool DecodeZipmap(std::string_view blob, std::vector<Item>* out, std::string* err) {
  out->clear();
  const uint8_t* b = Bytes(blob);
  const size_t size = blob.size();
  if (size < 2) return Fail(err, "zipmap too short");
  if (b[size - 1] != kEnd) return Fail(err, "zipmap missing end byte");
  const uint8_t* end = b + size - 1;  // the terminator
  const uint8_t* p = b + 1;
  size_t pairs = 0;
  auto text = [](const uint8_t* s, uint64_t n) {
    Item it;
    it.sval = std::string_view(reinterpret_cast<const char*>(s), n);
    return it;
  };
  while (p < end) {
    uint64_t klen = 0, vlen = 0;
    size_t ks = 0, vs = 0;
    if (*p == kEnd) return Fail(err, "zipmap end byte before its end");
    if (!ZipmapLen(p, end, &klen, &ks)) return Fail(err, "zipmap key length out of range");
    p += ks;
    if (klen > static_cast<uint64_t>(end - p)) return Fail(err, "zipmap key out of range");
    const uint8_t* key = p;
    p += klen;
    if (p >= end || *p == kEnd) return Fail(err, "zipmap value missing");
    if (!ZipmapLen(p, end, &vlen, &vs)) return Fail(err, "zipmap value length out of range");
    p += vs;
    if (p >= end) return Fail(err, "zipmap free byte out of range");
    const uint64_t free = *p++;
    if (vlen > static_cast<uint64_t>(end - p) || free > static_cast<uint64_t>(end - p) - vlen) {
      return Fail(err, "zipmap value out of range");
    }
    out->push_back(text(key, klen));
    out->push_back(text(p, vlen));
    p += vlen + free;
    ++pairs;
  }
  if (pairs == 0) return Fail(err, "empty zipmap");
  if (b[0] != kZipmapBigLen && b[0] != pairs) return Fail(err, "zipmap count mismatch");
  return true;
}

bool DecodeIntset(std::string_view blob, std::vector<int64_t>* out, std::string* err) {
  out->clear();
  const uint8_t* b = Bytes(blob);
  if (blob.size() < 8) return Fail(err, "intset too short");
  const uint64_t enc = LoadLE(b, 4);
  if (enc != 2 && enc != 4 && enc != 8) return Fail(err, "invalid intset encoding");
  const uint64_t count = LoadLE(b + 4, 4);
  if ((blob.size() - 8) % enc != 0 || (blob.size() - 8) / enc != count) {
    return Fail(err, "intset size mismatch");
  }
  if (count == 0) return Fail(err, "empty intset");
  out->reserve(count);
  for (uint64_t i = 0; i < count; ++i) {
    int64_t v =
        SignExtend(LoadLE(b + 8 + i * enc, static_cast<int>(enc)), static_cast<int>(enc) * 8);
    if (!out->empty() && v <= out->back()) return Fail(err, "intset not sorted or has duplicates");
    out->push_back(v);
  }
  return true;
}

ListpackBuilder::ListpackBuilder() { buf_.assign(kListpackHeader, '\0'); }

void ListpackBuilder::AppendString(std::string_view s) {
  int64_t v = 0;
  if (CanonicalInt(s, &v)) return AppendInt(v);
  const size_t n = s.size();
  char head[5];
  size_t h;
  if (n < 64) {
    head[0] = static_cast<char>(0x80 | n);
    h = 1;
  } else if (n < 4096) {
    head[0] = static_cast<char>(0xE0 | (n >> 8));
    head[1] = static_cast<char>(n & 0xFF);
    h = 2;
  } else {
    head[0] = static_cast<char>(0xF0);
    for (int i = 0; i < 4; ++i) head[1 + i] = static_cast<char>((n >> (8 * i)) & 0xFF);
    h = 5;
  }
  char tail[5];
  const size_t t = EncodeBacklen(h + n, tail);
  buf_.append(head, h);
  buf_.append(s);
  buf_.append(tail, t);
  ++count_;
}

void ListpackBuilder::AppendInt(int64_t v) {
  char e[16];
  size_t n;
  const uint64_t u = static_cast<uint64_t>(v);
  auto put_le = [&](uint8_t tag, int width) {
    e[0] = static_cast<char>(tag);
    for (int i = 0; i < width; ++i) e[1 + i] = static_cast<char>((u >> (8 * i)) & 0xFF);
    return static_cast<size_t>(1 + width);
  };
  if (v >= 0 && v <= 127) {
    e[0] = static_cast<char>(v);
    n = 1;
  } else if (v >= -4096 && v <= 4095) {
    const uint64_t t = u & 0x1FFF;
    e[0] = static_cast<char>(0xC0 | (t >> 8));
    e[1] = static_cast<char>(t & 0xFF);
    n = 2;
  } else if (v >= -32768 && v <= 32767) {
    n = put_le(0xF1, 2);
  } else if (v >= -8388608 && v <= 8388607) {
    n = put_le(0xF2, 3);
  } else if (v >= INT32_MIN && v <= INT32_MAX) {
    n = put_le(0xF3, 4);
  } else {
    n = put_le(0xF4, 8);
  }
  n += EncodeBacklen(n, e + n);  // every int entry is at most 9 bytes: a 1-byte backlen
  buf_.append(e, n);
  ++count_;
}

std::string ListpackBuilder::Finish() {
  buf_.push_back(static_cast<char>(kEnd));
  const uint64_t total = buf_.size();
  for (int i = 0; i < 4; ++i) buf_[i] = static_cast<char>((total >> (8 * i)) & 0xFF);
  const uint64_t n = count_ < kListpackUnknownCount ? count_ : kListpackUnknownCount;
  buf_[4] = static_cast<char>(n & 0xFF);
  buf_[5] = static_cast<char>(n >> 8);
  // A small blob is copied out so the next one reuses this buffer's capacity (stream nodes are
  // built one after another); a big one is handed over as is.
  std::string out;
  if (buf_.size() <= kReuseBytes) {
    out = buf_;
    buf_.resize(kListpackHeader);
  } else {
    out = std::move(buf_);
    buf_.assign(kListpackHeader, '\0');
  }
  count_ = 0;
  return out;
}

}  // namespace ember::redisenc
