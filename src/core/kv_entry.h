// KvEntry: one key and its value in a single heap block — the unit the keyspace table stores.
//
// Memory per key is a product feature (target: half of Redis's bytes per key), so a key, its
// small value, its optional expiry time and its LRU/LFU bits share one allocation, and the
// table chains entries through an intrusive `next` pointer instead of separate nodes.
//
// Layout (packed, no padding; sizes for a 16-byte key and 16-byte value total 46 bytes, which
// is jemalloc's 48-byte size class):
//
//   offset 0  KvEntry* next        chain link, owned by Dict
//   offset 8  uint8_t  meta        bits 0-2 ObjType, bit 3 snapshot epoch (persistence/
//                                  snapshot.cc), bits 4-6 ObjEncoding, bit 7 has-expire
//   offset 9  uint8_t  lru[3]      24-bit LRU clock (seconds, as Redis) or LFU time+counter
//   [8 bytes  int64 expire_ms]     only when has-expire
//   varint    key length, then the key bytes
//   value:    kInt    -> 8 bytes int64
//             kEmbStr -> varint length, then the bytes (strings up to 44 bytes, as Redis)
//             other   -> 8-byte pointer to a heap object owned by the entry (kRaw: RawString;
//                        collection encodings: their own structures, added by later families)
//
// Entries are immutable in size: any change that alters the layout size (a longer value, adding
// a TTL) builds a new entry and the Db swaps it into the table. Ownership: the Dict that links
// an entry owns it; KvEntry::Destroy frees it and its heap object. Single-threaded (the
// command-execution thread), except that Destroy may run on the lazy-free thread after unlink.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace ember {

// Numbering matches Redis's OBJ_* type codes (used by RDB later).
enum class ObjType : uint8_t {
  kString = 0,
  kList = 1,
  kSet = 2,
  kZSet = 3,
  kHash = 4,
  kStream = 6
};

enum class ObjEncoding : uint8_t {
  kInt = 0,     // string holding a 64-bit integer, stored inline
  kEmbStr = 1,  // short string stored inline
  kRaw = 2,     // string in a separate growable RawString
  // Collection encodings, named as OBJECT ENCODING reports them. What the heap object is
  // depends on the type as well (a hashtable set and a hashtable hash are different
  // structures), so hooks below are registered per (type, encoding).
  kListpack = 3,   // small hash/list/set/zset packed in one block (streams: "stream")
  kQuicklist = 4,  // list
  kIntset = 5,     // set of integers
  kHashtable = 6,  // big hash or set
  kSkiplist = 7,   // big sorted set
};

// A growable heap string used for kRaw values (APPEND/SETRANGE targets, values > 44 bytes).
struct RawString {
  size_t len;
  size_t cap;
  char data[1];  // actually `cap` bytes

  static RawString* Create(std::string_view s, size_t cap);
  static void Destroy(RawString* r);
  // Grows capacity to at least `need` bytes, doubling like sds; may move the block.
  static RawString* Reserve(RawString* r, size_t need);
  std::string_view view() const { return {data, len}; }
};

// Hooks for collection objects: families register them per (type, encoding) so that
// KvEntry::Destroy can free, Clone copy and MemoryUsage size their heap objects.
using ObjDestructor = void (*)(void* obj);
void RegisterObjDestructor(ObjType type, ObjEncoding enc, ObjDestructor fn);
// Deep-copy hook (COPY): returns a new object owned by the caller, or nullptr if not copyable.
// Without one, KvEntry::Clone returns nullptr for that encoding.
using ObjCopier = void* (*)(const void* obj);
void RegisterObjCopier(ObjType type, ObjEncoding enc, ObjCopier fn);
// Heap bytes of an object (MEMORY USAGE, accounting); without one only the entry is counted.
using ObjMemoryUsageFn = size_t (*)(const void* obj);
void RegisterObjMemoryUsage(ObjType type, ObjEncoding enc, ObjMemoryUsageFn fn);
// Encoding name of an object whose (type, encoding) slot covers variants OBJECT ENCODING tells
// apart (a hash listpack with field TTLs is "listpackex"); without one EncodingName decides.
using ObjEncodingNameFn = std::string_view (*)(const void* obj);
void RegisterObjEncodingName(ObjType type, ObjEncoding enc, ObjEncodingNameFn fn);
// Work to free an object, in allocations (a list's nodes, a hashtable's entries, a stream's
// blocks and group records), so the lazy freer (server/lazyfree.h) frees only big values off
// the command thread; without one an object counts 1.
using ObjFreeEffortFn = size_t (*)(const void* obj);
void RegisterObjFreeEffort(ObjType type, ObjEncoding enc, ObjFreeEffortFn fn);

class KvEntry {
 public:
  static constexpr size_t kEmbStrMax = 44;  // like Redis: longer strings are raw
  static constexpr int64_t kNoExpire = -1;

  // Creates a string entry. Picks kInt when `value` is a canonical 64-bit integer of at most
  // 20 characters (as Redis's string2ll: no leading zeros, no '+', no spaces), kEmbStr when
  // short, else kRaw.
  static KvEntry* CreateString(std::string_view key, std::string_view value,
                               int64_t expire_ms = kNoExpire);
  // Creates a string entry with encoding kRaw regardless of length (APPEND, SETRANGE).
  static KvEntry* CreateRawString(std::string_view key, std::string_view value,
                                  int64_t expire_ms = kNoExpire);
  static KvEntry* CreateInt(std::string_view key, int64_t value, int64_t expire_ms = kNoExpire);
  // Creates a kEmbStr entry even for integer-looking text (INCRBYFLOAT's result is stored
  // embstr, as Redis does); `value` must be at most kEmbStrMax bytes.
  static KvEntry* CreateEmbString(std::string_view key, std::string_view value,
                                  int64_t expire_ms = kNoExpire);
  // Creates an entry owning heap object `obj` (raw strings, collections).
  static KvEntry* CreateObj(std::string_view key, ObjType type, ObjEncoding enc, void* obj,
                            int64_t expire_ms = kNoExpire);
  // Copy of `e` with a different expiry (kNoExpire removes it). Moves ownership of any heap
  // object from `e` to the copy; `e` must then be freed with DestroyShell().
  static KvEntry* WithExpire(KvEntry* e, int64_t expire_ms);
  // Frees the entry and its heap object.
  static void Destroy(KvEntry* e);
  // Frees only the entry block (its heap object was moved elsewhere).
  static void DestroyShell(KvEntry* e);
  // Deep copy under a new key (COPY, RENAME): heap objects are duplicated for strings; for
  // collections a copier must be registered (later issues); returns nullptr if not copyable.
  static KvEntry* Clone(const KvEntry* e, std::string_view new_key, int64_t expire_ms);

  KvEntry* next;  // owned by Dict: the chain link

  std::string_view key() const;
  ObjType type() const { return ObjType(meta_ & 0x07); }
  ObjEncoding encoding() const { return ObjEncoding((meta_ >> 4) & 0x07); }
  bool has_expire() const { return meta_ & 0x80; }
  // Changes the encoding in place (meta bits 4-6). Only between heap-object encodings of the
  // same type (e.g. a set's intset -> hashtable), whose value slot is the same 8-byte pointer;
  // the caller stores the new object with set_obj.
  void set_encoding(ObjEncoding enc) { meta_ = uint8_t((meta_ & ~0x70) | (uint8_t(enc) << 4)); }
  int64_t expire_ms() const;  // kNoExpire if none
  // Snapshot epoch bit (meta bit 3): the Db compares it with the keyspace's epoch to tell
  // whether a running snapshot still has to emit this entry. Copies made by WithExpire keep it.
  bool snapshot_bit() const { return (meta_ & 0x08) != 0; }
  void set_snapshot_bit(bool b) { meta_ = uint8_t((meta_ & ~0x08) | (b ? 0x08 : 0)); }
  // Sets the expiry in place; requires has_expire() (the slot exists).
  void set_expire_ms(int64_t ms);

  // --- string values ---
  bool is_int() const { return encoding() == ObjEncoding::kInt; }
  int64_t int_value() const;
  // Overwrites the inline integer in place; requires is_int() (INCR family fast path).
  void set_int_value(int64_t v);
  // The string value; an integer is rendered into `scratch` (at least 21 bytes).
  std::string_view StringValue(char* scratch) const;
  size_t StringLength() const;

  // --- heap object values (kRaw and collections) ---
  void* obj() const;
  void set_obj(void* p);
  RawString* raw() const { return static_cast<RawString*>(obj()); }

  // 24-bit LRU/LFU field.
  uint32_t lru() const {
    return uint32_t(lru_[0]) | uint32_t(lru_[1]) << 8 | uint32_t(lru_[2]) << 16;
  }
  void set_lru(uint32_t v) {
    lru_[0] = uint8_t(v);
    lru_[1] = uint8_t(v >> 8);
    lru_[2] = uint8_t(v >> 16);
  }

  // Bytes of the entry block plus its heap object (for MEMORY USAGE and accounting).
  size_t MemoryUsage() const;
  // Allocations freeing this entry's value takes (see RegisterObjFreeEffort); 1 for strings
  // and small encodings.
  size_t FreeEffort() const;

 private:
  KvEntry() = default;
  // key() is inline because the table compares keys on every chain step.
  const char* key_pos() const {
    const char* p = reinterpret_cast<const char*>(this) + sizeof(KvEntry);
    return has_expire() ? p + sizeof(int64_t) : p;
  }
  const char* value_pos() const;

  uint8_t meta_;
  uint8_t lru_[3];
  // variable part follows
} __attribute__((packed));

inline std::string_view KvEntry::key() const {
  const char* p = key_pos();
  uint64_t n = uint8_t(*p++);
  if (n >= 0x80) {  // keys of 128 bytes or more: multi-byte varint
    n &= 0x7f;
    int shift = 7;
    uint8_t b;
    do {
      b = uint8_t(*p++);
      n |= uint64_t(b & 0x7f) << shift;
      shift += 7;
    } while (b & 0x80);
  }
  return {p, size_t(n)};
}

// The encoding's name as OBJECT ENCODING and DEBUG OBJECT spell it ("int", "embstr", "raw",
// "listpack", ...; a stream's is "stream").
std::string_view EncodingName(const KvEntry& e);

// True if `s` is a canonical integer in int64 range (Redis's string2ll rules); sets *out.
bool StringToInt64(std::string_view s, int64_t* out);
// Writes the decimal form of `v` into buf (>= 21 bytes); returns the length.
size_t Int64ToChars(int64_t v, char* buf);

}  // namespace ember
