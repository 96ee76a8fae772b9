// RDB value codec: one key's value to and from its RDB serialization — the part shared by RDB
// files, the AOF's RDB preamble and DUMP/RESTORE payloads. Writing picks the RDB type for an
// entry (Redis 7.0-loadable types); reading accepts every type Redis 2.x-7.4 writes and builds
// the entry in the encoding Ember itself would choose for that size (the limits passed in).
// Streams are coded in rdb_stream.cc; everything else in rdb_value.cc.
// Thread: the command thread (it reads/builds live objects).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/hash_object.h"
#include "core/kv_entry.h"
#include "core/set_object.h"
#include "core/stream.h"
#include "core/zset_object.h"
#include "persistence/rdb_io.h"

namespace ember {

// Encoding thresholds for values built while loading (from the server config).
struct RdbLoadLimits {
  HashLimits hash;
  SetLimits set;
  ZSetLimits zset;
  int64_t list_max_listpack_size = -2;
  StreamLimits stream;
};

// The RDB type byte WriteRdbValue writes for `e`.
uint8_t RdbValueType(const KvEntry& e);
// The lowest RDB version able to hold `e` (rdb::kVersion, or kVersionHashFieldTtl for a hash
// with field TTLs).
int RdbVersionFor(const KvEntry& e);
// Writes the value of `e` (not its type byte, key or expiry).
void WriteRdbValue(RdbWriter& w, const KvEntry& e);

// Reads a value of RDB type `type` and returns a new entry for `key` (owned by the caller,
// expiry `expire_ms`, not linked anywhere). nullptr with r.ok() means "nothing to store": an
// empty collection, or a module value that was skipped (logged as a warning by the caller,
// who sees `*skipped_module`). nullptr with !r.ok(): corrupt input, reason in r.error().
// `deep_check`: validate encodings fully (RESTORE with sanitize-dump-payload, fuzzing);
// duplicates in sets/hashes/zsets are errors then, as in Redis.
KvEntry* ReadRdbValue(RdbReader& r, uint8_t type, std::string_view key, int64_t expire_ms,
                      const RdbLoadLimits& limits, bool deep_check, bool* skipped_module);

// Streams (rdb_stream.cc). Write: always kTypeStreamListpacks2 for version-10 output (or 3 when
// writing version 12). Read: types 15, 19 and 21; returns nullptr with !r.ok() on error.
void WriteRdbStream(RdbWriter& w, const Stream& s, int rdb_version);
Stream* ReadRdbStream(RdbReader& r, uint8_t type, const StreamLimits& limits, bool deep_check);

// DUMP payload: type byte, value, 2-byte RDB version, CRC-64 (all little endian).
std::string DumpPayload(const KvEntry& e);
// Checks the footer of a payload: false if the version is newer than Ember loads or the
// checksum does not match (RESTORE replies "DUMP payload version or checksum are wrong").
bool VerifyDumpPayload(std::string_view payload, int* version);

}  // namespace ember
