// RDB files (see rdb_file.h): the records around each value — header and aux fields, function
// libraries, SELECTDB/RESIZEDB, per-key EXPIRETIME_MS/IDLE/FREQ, EOF and the CRC-64 footer —
// the loader that walks every opcode Redis 2.x-7.4 writes, and the streamed atomic save.
// The value bytes themselves are coded by rdb_value.cc; the format is described in docs/rdb.md.
#include "persistence/rdb_file.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <ctime>

#include "persistence/rdb_format.h"

namespace ember {

namespace {

constexpr std::string_view kRedisVer = "7.2.4";  // the redis_version INFO reports
constexpr uint32_t kLruClockMax = (1u << 24) - 1;
constexpr uint64_t kProgressBytes = 1 << 20;
constexpr uint64_t kProgressKeys = 1024;

void WriteAux(RdbWriter& w, std::string_view key, std::string_view value) {
  w.Byte(rdb::kOpAux);
  w.String(key);
  w.String(value);
}

void WriteAuxInt(RdbWriter& w, std::string_view key, int64_t value) {
  w.Byte(rdb::kOpAux);
  w.String(key);
  w.IntString(value);
}

// True for the type bytes that introduce a key/value pair (Redis's rdbIsObjectType).
bool IsValueType(uint8_t t) {
  return t <= rdb::kTypeModule2 || (t >= rdb::kTypeHashZipmap && t <= rdb::kTypeHashListpackEx);
}

}  // namespace

// --- writing ---

void WriteRdbHeader(RdbWriter& w, const RdbHeaderInfo& info) {
  char magic[16];
  snprintf(magic, sizeof(magic), "%s%04d", rdb::kMagic, info.version);
  w.Raw(std::string_view(magic, 9));
  WriteAux(w, "redis-ver", kRedisVer);
  WriteAuxInt(w, "redis-bits", int64_t(sizeof(void*) * 8));
  WriteAuxInt(w, "ctime", info.ctime_s);
  WriteAuxInt(w, "used-mem", int64_t(info.used_mem));
  WriteAuxInt(w, "aof-base", info.aof_base ? 1 : 0);
}

void WriteRdbFunctions(RdbWriter& w, const std::vector<std::string>& library_codes) {
  for (const std::string& code : library_codes) {
    w.Byte(rdb::kOpFunction2);
    w.String(code);
  }
}

void WriteRdbSelectDb(RdbWriter& w, int db, uint64_t size, uint64_t expires) {
  w.Byte(rdb::kOpSelectDb);
  w.Len(uint64_t(db));
  w.Byte(rdb::kOpResizeDb);
  w.Len(size);
  w.Len(expires);
}

void WriteRdbEntry(RdbWriter& w, const KvEntry& e, RdbLruMode lru_mode, const Db& db) {
  if (e.has_expire()) {
    w.Byte(rdb::kOpExpireTimeMs);
    w.Millis(e.expire_ms());
  }
  if (lru_mode == RdbLruMode::kIdle) {
    w.Byte(rdb::kOpIdle);
    w.Len(db.IdleSeconds(&e));
  } else if (lru_mode == RdbLruMode::kFreq) {
    w.Byte(rdb::kOpFreq);
    w.Byte(uint8_t(e.lru() & 0xff));  // the LFU counter (low 8 bits under an LFU policy)
  }
  w.Byte(RdbValueType(e));
  w.String(e.key());
  WriteRdbValue(w, e);
}

void WriteRdbFooter(RdbWriter& w, bool checksum) {
  w.Byte(rdb::kOpEof);
  w.U64(checksum ? w.crc() : 0);  // the CRC covers everything up to and including EOF
}

// --- loading ---

namespace {

// Walks the records of one RDB image. State that spans records (current db, the expiry and
// LRU/LFU of the next key) lives here.
class RdbLoader {
 public:
  RdbLoader(std::string_view data, Keyspace& ks, const RdbLoadOptions& opt, RdbLoadResult* res)
      : r_(data), ks_(ks), opt_(opt), res_(res) {}

  bool Run(std::string* err);

 private:
  bool Header();
  bool Record(uint8_t type, bool* done);
  bool Aux();
  bool SelectDb();
  bool SkipModuleAux();
  bool Function(bool pre_ga);
  bool KeyValue(uint8_t type);
  void Link(KvEntry* e);
  bool Footer();
  void Progress();

  RdbReader r_;
  Keyspace& ks_;
  const RdbLoadOptions& opt_;
  RdbLoadResult* res_;
  int version_ = 0;
  int db_ = 0;
  int64_t expire_ms_ = KvEntry::kNoExpire;
  int64_t lru_idle_ = -1;
  int lfu_freq_ = -1;
  uint64_t next_progress_bytes_ = kProgressBytes;
  uint64_t keys_since_progress_ = 0;
};

bool RdbLoader::Run(std::string* err) {
  bool ok = Header();
  bool done = false;
  while (ok && !done) {
    uint8_t type;
    ok = r_.Byte(&type) && Record(type, &done);
  }
  if (ok) ok = Footer();
  res_->bytes_consumed = r_.pos();
  res_->version = version_;
  if (!ok) {
    *err = r_.ok() ? std::string("corrupt RDB") : r_.error();
    return false;
  }
  return true;
}

bool RdbLoader::Header() {
  std::string_view magic;
  if (r_.remaining() < 9) {
    return r_.Fail("Truncated RDB header: " + std::to_string(r_.remaining()) +
                   " bytes where the 9-byte signature should be");
  }
  if (!r_.Raw(9, &magic)) return false;
  if (magic.substr(0, 5) != "REDIS") {
    return r_.Fail("Wrong signature trying to load DB from file");
  }
  int v = 0;
  for (char c : magic.substr(5)) {
    if (c < '0' || c > '9') return r_.Fail("Wrong signature trying to load DB from file");
    v = v * 10 + (c - '0');
  }
  if (v < rdb::kMinLoadVersion || v > rdb::kMaxLoadVersion) {
    return r_.Fail("Can't handle RDB format version " + std::to_string(v));
  }
  version_ = v;
  return true;
}

bool RdbLoader::Record(uint8_t type, bool* done) {
  switch (type) {
    case rdb::kOpExpireTime: {
      int32_t s;
      if (!r_.Seconds(&s)) return false;
      expire_ms_ = int64_t(s) * 1000;
      return true;
    }
    case rdb::kOpExpireTimeMs:
      return r_.Millis(&expire_ms_);
    case rdb::kOpFreq: {
      uint8_t f;
      if (!r_.Byte(&f)) return false;
      lfu_freq_ = f;
      return true;
    }
    case rdb::kOpIdle: {
      uint64_t idle;
      if (!r_.Len(&idle)) return false;
      lru_idle_ = int64_t(std::min<uint64_t>(idle, kLruClockMax));
      return true;
    }
    case rdb::kOpEof:
      *done = true;
      return true;
    case rdb::kOpSelectDb:
      return SelectDb();
    case rdb::kOpResizeDb: {
      uint64_t size, expires;
      if (!r_.Len(&size) || !r_.Len(&expires)) return false;
      // Size the table once instead of rehashing through every doubling. A key takes at
      // least 3 bytes of file, which bounds what a corrupt hint can make us allocate.
      ks_.db(db_).Reserve(size_t(std::min<uint64_t>(size, r_.remaining() / 3)));
      return true;
    }
    case rdb::kOpSlotInfo: {
      uint64_t slot, size, expires;
      return r_.Len(&slot) && r_.Len(&size) && r_.Len(&expires);  // cluster hint, unused
    }
    case rdb::kOpAux:
      return Aux();
    case rdb::kOpModuleAux:
      return SkipModuleAux();
    case rdb::kOpFunction2:
      return Function(false);
    case rdb::kOpFunctionPreGa:
      return Function(true);
    default:
      if (!IsValueType(type)) return r_.Fail("Unknown RDB encoding type " + std::to_string(type));
      return KeyValue(type);
  }
}

bool RdbLoader::Aux() {
  std::string key, value;
  if (!r_.String(&key) || !r_.String(&value)) return false;
  res_->aux[key] = std::move(value);  // unknown fields are kept and otherwise ignored
  return true;
}

bool RdbLoader::SelectDb() {
  uint64_t db;
  if (!r_.Len(&db)) return false;
  if (db >= uint64_t(ks_.num_dbs())) {
    return r_.Fail("SELECTDB " + std::to_string(db) +
                   ": data file was created with a server configured to handle more than " +
                   std::to_string(ks_.num_dbs()) + " databases");
  }
  db_ = int(db);
  return true;
}

// A module's aux data: module id, when-opcode, when, then typed values up to the module EOF.
// Ember has no modules, so the values are parsed only to be skipped.
bool RdbLoader::SkipModuleAux() {
  uint64_t module_id, when_opcode, when;
  if (!r_.Len(&module_id) || !r_.Len(&when_opcode) || !r_.Len(&when)) return false;
  for (;;) {
    uint64_t op;
    if (!r_.Len(&op)) return false;
    std::string_view skip;
    std::string scratch;
    uint64_t n;
    switch (op) {
      case rdb::kModuleOpEof:
        res_->modules_skipped++;
        return true;
      case rdb::kModuleOpSint:
      case rdb::kModuleOpUint:
        if (!r_.Len(&n)) return false;
        break;
      case rdb::kModuleOpFloat:
        if (!r_.Raw(4, &skip)) return false;
        break;
      case rdb::kModuleOpDouble:
        if (!r_.Raw(8, &skip)) return false;
        break;
      case rdb::kModuleOpString:
        if (!r_.String(&scratch, &skip)) return false;
        break;
      default:
        return r_.Fail("Unknown module opcode " + std::to_string(op) + " in module aux data");
    }
  }
}

bool RdbLoader::Function(bool pre_ga) {
  if (pre_ga) return r_.Fail("Pre-release function format not supported");
  std::string scratch;
  std::string_view code;
  if (!r_.String(&scratch, &code)) return false;
  if (!opt_.on_function) return true;
  std::string why;
  if (!opt_.on_function(code, &why)) return r_.Fail("Failed loading library: " + why);
  return true;
}

bool RdbLoader::KeyValue(uint8_t type) {
  std::string key_scratch;
  std::string_view key;
  if (!r_.String(&key_scratch, &key)) return false;
  std::string key_copy(key);  // ReadRdbValue may reuse the reader's scratch space
  bool skipped_module = false;
  KvEntry* e =
      ReadRdbValue(r_, type, key_copy, expire_ms_, opt_.limits, opt_.deep_check, &skipped_module);
  int64_t expire = expire_ms_;
  expire_ms_ = KvEntry::kNoExpire;
  if (e == nullptr) {
    if (!r_.ok()) return false;
    if (skipped_module) res_->modules_skipped++;
    lru_idle_ = lfu_freq_ = -1;
    return true;
  }
  if (opt_.skip_expired && expire != KvEntry::kNoExpire && expire < opt_.now_ms) {
    KvEntry::Destroy(e);
    res_->keys_expired++;
  } else {
    Db& db = ks_.db(db_);
    if (KvEntry* old = db.dict().Find(key_copy); old != nullptr) {
      if (!opt_.replace_existing) {
        KvEntry::Destroy(e);
        return r_.Fail("Duplicate key '" + key_copy + "' in DB " + std::to_string(db_));
      }
      db.Delete(key_copy);
    }
    Link(e);
    res_->keys_loaded++;
  }
  lru_idle_ = lfu_freq_ = -1;
  Progress();
  return true;
}

// Links a loaded entry and restores its access information as the server's policy reads it.
void RdbLoader::Link(KvEntry* e) {
  Db& db = ks_.db(db_);
  db.Add(e);
  int64_t now_ms = opt_.now_ms;
  if (opt_.lfu) {
    if (lfu_freq_ >= 0) {
      uint32_t minutes = uint32_t(now_ms / 60000) & 0xffff;
      e->set_lru(minutes << 8 | uint32_t(lfu_freq_));
    }
  } else if (lru_idle_ >= 0) {
    e->set_lru((db.LruClock() - uint32_t(lru_idle_)) & kLruClockMax);
  }
}

void RdbLoader::Progress() {
  if (!opt_.on_progress) return;
  if (++keys_since_progress_ < kProgressKeys && r_.pos() < next_progress_bytes_) return;
  keys_since_progress_ = 0;
  next_progress_bytes_ = r_.pos() + kProgressBytes;
  opt_.on_progress(r_.pos());
}

bool RdbLoader::Footer() {
  if (version_ < 5) return true;  // no checksum before RDB 5
  size_t covered = r_.pos();
  uint64_t stored;
  if (!r_.U64(&stored)) return false;
  if (!opt_.verify_checksum || stored == 0) return true;  // 0: written with rdbchecksum no
  uint64_t computed = Crc64(0, r_.data().data(), covered);
  if (computed != stored) {
    char msg[128];
    snprintf(msg, sizeof(msg), "RDB CRC error: Wrong RDB checksum expected: (%llx) got: (%llx)",
             static_cast<unsigned long long>(stored), static_cast<unsigned long long>(computed));
    return r_.Fail(msg);
  }
  return true;
}

}  // namespace

bool LoadRdb(std::string_view data, Keyspace& ks, const RdbLoadOptions& opt, RdbLoadResult* result,
             std::string* err) {
  RdbLoader loader(data, ks, opt, result);
  return loader.Run(err);
}

// --- saving ---

namespace {

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The version the file needs: 10, or 12 when some hash carries field TTLs.
int VersionFor(Keyspace& ks) {
  int version = rdb::kVersion;
  for (int i = 0; i < ks.num_dbs() && version < rdb::kVersionHashFieldTtl; i++) {
    ks.db(i).dict().ForEach([&](KvEntry* e) {
      if (e->type() == ObjType::kHash) version = std::max(version, RdbVersionFor(*e));
    });
  }
  return version;
}

void WriteKeyspace(RdbWriter& w, Keyspace& ks, const RdbSaveOptions& opt) {
  for (int i = 0; i < ks.num_dbs() && w.ok(); i++) {
    Db& db = ks.db(i);
    if (db.size() == 0) continue;
    WriteRdbSelectDb(w, i, db.size(), db.expires_count());
    db.dict().ForEach([&](KvEntry* e) {
      if (w.ok()) WriteRdbEntry(w, *e, opt.lru_mode, db);
    });
  }
}

}  // namespace

IoStatus SaveRdbFile(FileSystem& fs, const std::string& path, Keyspace& ks,
                     const RdbSaveOptions& opt) {
  std::string tmp = DirOf(path) + "/temp-" + std::to_string(getpid()) + ".rdb";
  std::unique_ptr<WritableFile> file;
  IoStatus st = fs.OpenWritable(tmp, false, &file);
  if (!st.ok()) return st;

  RdbWriter w(opt.compress);
  w.SetFlush([&](std::string_view bytes) {
    st = file->Append(bytes);
    return st.ok();
  });
  RdbHeaderInfo info;
  info.version = VersionFor(ks);
  info.used_mem = opt.used_mem;
  info.ctime_s = ks.clock() ? ks.clock()->NowMs() / 1000 : int64_t(time(nullptr));
  WriteRdbHeader(w, info);
  WriteRdbFunctions(w, opt.function_codes);
  WriteKeyspace(w, ks, opt);
  if (w.ok()) WriteRdbFooter(w, opt.checksum);
  bool flushed = w.Flush();
  if (st.ok() && !flushed) st = IoStatus::FromErrno(EIO, "write", tmp);
  if (st.ok()) st = file->Sync();
  IoStatus closed = file->Close();
  if (st.ok()) st = closed;
  if (st.ok()) st = fs.Rename(tmp, path);
  if (!st.ok()) {
    (void)fs.Remove(tmp);  // the previous file at `path` is untouched
    return st;
  }
  return fs.SyncDir(DirOf(path));
}

}  // namespace ember
