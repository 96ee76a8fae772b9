// RDB files: the file-level layout around the value codec (rdb_value.h) — magic and version,
// aux fields, function libraries, SELECTDB/RESIZEDB, per-key expiry and LRU/LFU opcodes, EOF
// and the CRC-64 footer — and the synchronous save and load of a whole keyspace. Used by SAVE,
// BGSAVE (through snapshot.h, which emits entries one by one with WriteRdbEntry), DEBUG RELOAD,
// startup loading, the AOF's RDB preamble and ember-check-rdb.
// Thread: the command thread for anything touching a Keyspace; the pure writers/readers are
// thread-agnostic.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/db.h"
#include "persistence/file_system.h"
#include "persistence/rdb_io.h"
#include "persistence/rdb_value.h"

namespace ember {

struct RdbHeaderInfo {
  int version = 10;       // rdb::kVersion, or kVersionHashFieldTtl
  uint64_t used_mem = 0;  // aux "used-mem"
  bool aof_base = false;  // aux "aof-base" 1 when this is an AOF's base file
  int64_t ctime_s = 0;    // aux "ctime"
};

// "REDIS00NN" and the aux fields Redis writes (redis-ver, redis-bits, ctime, used-mem,
// aof-base).
void WriteRdbHeader(RdbWriter& w, const RdbHeaderInfo& info);
// One kOpFunction2 record per library (its source code).
void WriteRdbFunctions(RdbWriter& w, const std::vector<std::string>& library_codes);
// SELECTDB n and RESIZEDB (size, expires) hints.
void WriteRdbSelectDb(RdbWriter& w, int db, uint64_t size, uint64_t expires);
// [EXPIRETIME_MS t] [IDLE s | FREQ f] type key value. `lru_mode`: write IDLE (LRU policies)
// or FREQ (LFU policies) or neither, as Redis does per maxmemory-policy.
enum class RdbLruMode { kNone, kIdle, kFreq };
void WriteRdbEntry(RdbWriter& w, const KvEntry& e, RdbLruMode lru_mode, const Db& db);
// EOF and the CRC-64 of everything before it (0 when !checksum, as rdbchecksum no).
void WriteRdbFooter(RdbWriter& w, bool checksum);

struct RdbLoadOptions {
  RdbLoadLimits limits;
  bool deep_check = false;  // sanitize-dump-payload yes / fuzzing
  bool verify_checksum = true;
  bool skip_expired = true;  // drop keys already expired (as a master does)
  int64_t now_ms = 0;
  // The server runs an LFU maxmemory policy: FREQ records set the access counter; otherwise
  // IDLE records set the LRU clock (as Redis, each only under its kind of policy).
  bool lfu = false;
  // A key that already exists is replaced instead of failing the load (DEBUG RELOAD MERGE).
  bool replace_existing = false;
  // Receives each function library's code; returns false with *err to fail the load.
  std::function<bool(std::string_view code, std::string* err)> on_function;
  // Called every ~1 MB / 1024 keys with the bytes consumed (loading progress, serving
  // -LOADING to clients in between).
  std::function<void(uint64_t bytes_done)> on_progress;
};

struct RdbLoadResult {
  int version = 0;
  uint64_t keys_loaded = 0;
  uint64_t keys_expired = 0;  // skipped because already expired
  uint64_t modules_skipped = 0;
  uint64_t bytes_consumed = 0;  // where the RDB ended (an AOF preamble continues after it)
  std::map<std::string, std::string> aux;
};

// Loads an RDB image into `ks` (keys go to the dbs named by SELECTDB; a key that already
// exists is an error, as Redis). On error returns false and *err says where and why
// ("... at offset N"); keys loaded before the error stay (the caller decides to abort).
bool LoadRdb(std::string_view data, Keyspace& ks, const RdbLoadOptions& opt, RdbLoadResult* result,
             std::string* err);

struct RdbSaveOptions {
  bool compress = true;  // rdbcompression
  bool checksum = true;  // rdbchecksum
  RdbLruMode lru_mode = RdbLruMode::kNone;
  std::vector<std::string> function_codes;
  uint64_t used_mem = 0;
};

// Synchronous save of the whole keyspace to `path`, atomically (fs.WriteFileAtomically
// semantics, streamed: temp file, fsync, rename, dir fsync). SAVE, SHUTDOWN, DEBUG RELOAD.
IoStatus SaveRdbFile(FileSystem& fs, const std::string& path, Keyspace& ks,
                     const RdbSaveOptions& opt);

}  // namespace ember
