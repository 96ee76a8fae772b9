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
//    Resizes rehash the whole table at once (growth doubles at load 1, shrinking halves below
//    load 1/8); SCAN uses Redis's reverse-binary cursor, which keeps its guarantee (every
//    element present for the whole scan is returned) across such resizes between calls.
//
// Per-field expiry (HEXPIRE, HSETEX, ...; Redis 7.4 "hash field expiration"). Times are
// absolute Unix milliseconds; a field is expired once now > its time, as keys are. Hashes
// without field TTLs pay nothing per field:
//
//  - Listpack: a hash listpack WITHOUT backlens holds field,value pairs; the first TTL turns it
//    into a listpack WITH backlens holding field,value,ttl triples (ttl 0 = none) — the
//    "listpackex" encoding, as OBJECT ENCODING reports it. The backlen bit of the listpack
//    header is the marker (hashes never need backlens otherwise), so both variants share the
//    KvEntry encoding kListpack and its free/copy/size hooks. Triples are kept sorted by TTL
//    with TTL-less fields last (in insertion order), as Redis does: the earliest expiry is the
//    first triple's and reclaiming expired fields erases a prefix.
//  - HashTable: bit kNodeExpire of a node's `flags` byte says "an 8-byte expiry time follows
//    the flags"; nodes without it keep the layout above. The table counts its fields with a
//    TTL and keeps a LOWER BOUND of their earliest expiry (exact after DeleteExpired; deleting
//    or persisting the earliest field leaves it low, which only costs one early pass).
//    DeleteExpired walks the whole table: O(size) per reclaim pass, paid only when a field is
//    due (Redis keeps a per-hash expiry index instead; worth adding if huge hashes with
//    staggered field TTLs show up).
//
// Expired fields are not hidden by the accessors here (they have no clock): the command layer
// calls DeleteExpired (through Db::ExpireFields) before it reads or writes a hash whose
// earliest field expiry has passed, and active expiry reclaims hashes nobody touches.
//
// Conversion is one way (listpack -> listpackex -> hashtable), as in Redis; TTLs survive it.
// A HashObject is a non-owning handle on (encoding, pointer) as stored in the KvEntry;
// mutating calls may change both, and the caller stores them back (KvEntry::set_obj, or a
// fresh entry when the encoding changes).
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
  // Value and expiry (KvEntry::kNoExpire when none) of `field`, or false.
  bool Find(std::string_view field, std::string_view* value, int64_t* expire) const;
  // Sets field=value; true if the field is new. An existing field loses its TTL unless
  // `keep_ttl` (HSET replaces the field; HINCRBY and HSETEX KEEPTTL only change its value).
  bool Set(std::string_view field, std::string_view value, bool keep_ttl = false);
  // Adds a field known to be absent (conversion, copy), with an optional expiry.
  void AddNew(std::string_view field, std::string_view value, int64_t expire = KvEntry::kNoExpire);
  bool Delete(std::string_view field);
  // Sets (or with KvEntry::kNoExpire removes) the expiry of `field`; false if absent.
  bool SetExpire(std::string_view field, int64_t when_ms);
  // Deletes every field whose expiry is before `now_ms`; returns how many. Afterwards
  // min_expire() is exact.
  size_t DeleteExpired(int64_t now_ms);
  // Fields that have an expiry, and a lower bound of the earliest one (kNoExpire if none).
  size_t ttl_fields() const { return ttl_fields_; }
  int64_t min_expire() const { return ttl_fields_ ? min_expire_ : KvEntry::kNoExpire; }
  void ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const;
  // Like ForEach, with each field's expiry (kNoExpire when none).
  void ForEachWithExpire(
      const std::function<void(std::string_view, std::string_view, int64_t)>& fn) const;
  // Reverse-binary cursor scan of one bucket (more if `count` not reached); returns the next
  // cursor (0 when done).
  uint64_t Scan(uint64_t cursor, size_t count,
                const std::function<void(std::string_view, std::string_view)>& fn) const;
  // A random field (table must be non-empty), nearly uniform: see the .cc.
  std::pair<std::string_view, std::string_view> Random(std::mt19937_64& rng) const;
  size_t MemoryUsage() const;
  HashTable* Clone() const;

 private:
  struct Node;
  static Node* MakeNode(std::string_view field, std::string_view value, int64_t expire);
  static const char* Payload(const Node* n);
  static int64_t NodeExpire(const Node* n);
  static std::string_view NodeField(const Node* n);
  static std::string_view NodeValue(const Node* n);
  Node** Slot(std::string_view field) const;
  // Replaces *slot with a copy carrying `expire` (kNoExpire: none); keeps the counters.
  void Rebuild(Node** slot, std::string_view value, int64_t expire);
  void NoteExpire(int64_t when_ms);
  void Resize(size_t buckets);

  Node** buckets_ = nullptr;
  size_t nbuckets_ = 0;  // power of two, or 0
  size_t size_ = 0;
  size_t ttl_fields_ = 0;   // nodes with kNodeExpire
  int64_t min_expire_ = 0;  // lower bound of their expiries (meaningful when ttl_fields_ > 0)
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
  // Registers destructor, copier, memory-usage and encoding-name hooks for both encodings
  // (idempotent; called by RegisterHashFamily, not by a static initializer, so that core tests
  // can install their own hooks for these slots).
  static void RegisterHooks();

  ObjEncoding encoding() const { return enc_; }
  void* obj() const { return obj_; }
  // True for a listpack of field,value,ttl triples ("listpackex").
  bool IsListpackEx() const;
  // "listpack", "listpackex" or "hashtable".
  std::string_view EncodingName() const;

  size_t Len() const;
  // Looks `field` up; a listpack integer is rendered into scratch (Listpack::kScratch bytes).
  bool Get(std::string_view field, char* scratch, std::string_view* value) const;
  bool Exists(std::string_view field) const;
  // Sets field=value converting to a hashtable past `limits`; true if the field is new. An
  // existing field loses its TTL unless `keep_ttl`.
  bool Set(std::string_view field, std::string_view value, const HashLimits& limits,
           bool keep_ttl = false);
  bool Delete(std::string_view field);
  // Converts a listpack that would exceed `limits` once `incoming` more fields (with the
  // given longest length) are added. Call before a batch of Sets to convert once.
  void ConvertIfNeeded(size_t incoming, size_t longest, const HashLimits& limits);
  void ConvertToHashtable();
  // Calls fn(field, value) for every pair (listpack: insertion order; listpackex: fields
  // with a TTL first, by expiry).
  void ForEach(const std::function<void(std::string_view, std::string_view)>& fn) const;
  // All pairs copied out (small hashes, random sampling).
  std::vector<std::pair<std::string, std::string>> Pairs() const;
  // One random pair, copied.
  std::pair<std::string, std::string> RandomPair(std::mt19937_64& rng) const;

  // --- field expiry (times in absolute ms; KvEntry::kNoExpire = none) ---
  // Expiry of `field` into *when_ms; false if the field is absent.
  bool GetExpire(std::string_view field, int64_t* when_ms) const;
  // Sets, or with kNoExpire removes, the expiry of an existing field (a listpack becomes a
  // listpackex on its first TTL); false if the field is absent.
  bool SetExpire(std::string_view field, int64_t when_ms);
  // Earliest field expiry (a lower bound for a hashtable, see above), or kNoExpire when no
  // field has one. O(1).
  int64_t MinFieldExpire() const;
  // Deletes the fields whose expiry is before `now_ms`; returns how many.
  size_t DeleteExpired(int64_t now_ms);

  void Destroy();

 private:
  ObjEncoding enc_;
  void* obj_;
};

}  // namespace ember
