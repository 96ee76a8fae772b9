// HashObject: the value of a HASH key, in one of two encodings (as Redis, so OBJECT ENCODING
// answers the same):
//
//  - kListpack: a Listpack (core/listpack.h) of field,value,field,value... in insertion order.
//    Used while the hash has at most hash-max-listpack-entries fields and every field and
//    value is at most hash-max-listpack-value bytes. Lookups are linear but the whole hash is
//    one small block (10 fields "f1".. -> "v1-12345".. fill 128 bytes; Redis needs 160).
//  - kHashtable: HashTable below — chained hashing with power-of-two bucket arrays where each
//    field and its value share ONE heap node {next, flags, varint flen, field, varint vlen,
//    value}. Per field that is 8 (next) + 1 (flags) + 2 varints + the bytes, rounded up to the
//    allocator's size class, plus ~8-16 bytes of bucket array: e.g. "field:123" -> "value:123"
//    is one 32-byte node + ~12 bytes of buckets, against Redis's dictEntry (24) + two sds
//    (16 + 16) + 8-16 of buckets. std::unordered_map<std::string, std::string> would cost
//    ~100 bytes per field (node + two 32-byte std::strings), so it was not used.
//    The `flags` byte is reserved for per-field expiry (HEXPIRE, a later step): a set bit
//    will mean "an 8-byte expiry time follows the flags" without changing the layout for
//    fields that have none. Resizes rehash the whole table at once (growth doubles at load
//    1, shrinking halves below load 1/8); SCAN uses Redis's reverse-binary cursor, which
//    keeps its guarantee (every element present for the whole scan is returned) across
//    such resizes between calls.
//
// Conversion is one way (listpack -> hashtable), as in Redis. A HashObject is a non-owning
// handle on (encoding, pointer) as stored in the KvEntry; mutating calls may change both, and
// the caller stores them back (KvEntry::set_obj, or a fresh entry when the encoding changes).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/kv_entry.h"

namespace ember {

class HashTable {
 public:
  HashTable() = default;
  ~HashTable();
  HashTable(const HashTable&) = delete;
  HashTable& operator=(const HashTable&) = delete;

  size_t size() const { return size_; }
  // Value of `field`, or false.
  bool Get(std::string_view field, std::string_view* value) const;
  // Sets field=value; true if the field is new.
  bool Set(std::string_view field, std::string_view value);
  // Adds a field known to be absent (conversion, copy).
  void AddNew(std::string_view field, std::string_view value);
  bool Delete(std::string_view field);
  void ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const;
  // Reverse-binary cursor scan of one bucket (more if `count` not reached); returns the next
  // cursor (0 when done).
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view, std::string_view)>& fn) const;
  // A random field (table must be non-empty): a random non-empty bucket, then a random node.
  std::pair<std::string_view, std::string_view> Random(std::mt19937_64& rng) const;
  size_t MemoryUsage() const;
  HashTable* Clone() const;

 private:
  struct Node;
  static Node* MakeNode(std::string_view field, std::string_view value);
  static std::string_view NodeField(const Node* n);
  static std::string_view NodeValue(const Node* n);
  Node** Slot(std::string_view field) const;
  void Resize(size_t buckets);

  Node** buckets_ = nullptr;
  size_t nbuckets_ = 0;  // power of two, or 0
  size_t size_ = 0;
};

struct HashLimits {
  int64_t max_entries;  // hash-max-listpack-entries
  int64_t max_value;    // hash-max-listpack-value
};

class HashObject {
 public:
  HashObject(ObjEncoding enc, void* obj) : enc_(enc), obj_(obj) {}
  // An empty listpack hash (the caller owns it through a KvEntry).
  static HashObject Create();
  // Registers destructor, copier and memory-usage hooks for both encodings (idempotent;
  // called by RegisterHashFamily, not by a static initializer, so that core tests can install
  // their own hooks for these slots).
  static void RegisterHooks();

  ObjEncoding encoding() const { return enc_; }
  void* obj() const { return obj_; }

  size_t Len() const;
  // Looks `field` up; a listpack integer is rendered into scratch (Listpack::kScratch bytes).
  bool Get(std::string_view field, char* scratch, std::string_view* value) const;
  bool Exists(std::string_view field) const;
  // Sets field=value converting to a hashtable past `limits`; true if the field is new.
  bool Set(std::string_view field, std::string_view value, const HashLimits& limits);
  bool Delete(std::string_view field);
  // Converts a listpack that would exceed `limits` once `incoming` more fields (with the
  // given longest length) are added. Call before a batch of Sets to convert once.
  void ConvertIfNeeded(size_t incoming, size_t longest, const HashLimits& limits);
  void ConvertToHashtable();
  // Calls fn(field, value) for every pair (listpack: insertion order).
  void ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const;
  // All pairs copied out (small hashes, random sampling).
  std::vector<std::pair<std::string, std::string>> Pairs() const;
  // One random pair, copied.
  std::pair<std::string, std::string> RandomPair(std::mt19937_64& rng) const;

  void Destroy();

 private:
  ObjEncoding enc_;
  void* obj_;
};

}  // namespace ember
