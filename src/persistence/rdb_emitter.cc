// RdbSnapshotEmitter (see rdb_emitter.h).
#include "persistence/rdb_emitter.h"

#include <utility>

#include "persistence/rdb_format.h"

namespace ember {

RdbSnapshotEmitter::RdbSnapshotEmitter(RdbWriter::FlushFn sink, RdbSaveOptions opt, int64_t ctime_s,
                                       bool aof_base)
    : opt_(std::move(opt)), ctime_s_(ctime_s), aof_base_(aof_base), w_(opt_.compress) {
  w_.SetFlush(std::move(sink));
}

void RdbSnapshotEmitter::Begin() {
  RdbHeaderInfo info;
  info.version = rdb::kVersion;
  info.used_mem = opt_.used_mem;
  info.ctime_s = ctime_s_;
  info.aof_base = aof_base_;
  WriteRdbHeader(w_, info);
  WriteRdbFunctions(w_, opt_.function_codes);
}

void RdbSnapshotEmitter::Emit(int db, const KvEntry& e, const Db& d) {
  if (db != current_db_) {
    if (db >= int(started_.size())) started_.resize(size_t(db) + 1, false);
    if (!started_[size_t(db)]) {
      // RESIZEDB hints only when a db first appears; later switches (a snapshot emits a key
      // of another db before it changes) are bare SELECTDBs, which loaders accept any number
      // of times.
      WriteRdbSelectDb(w_, db, d.size(), d.expires_count());
      started_[size_t(db)] = true;
    } else {
      w_.Byte(rdb::kOpSelectDb);
      w_.Len(uint64_t(db));
    }
    current_db_ = db;
  }
  WriteRdbEntry(w_, e, opt_.lru_mode, d);
}

void RdbSnapshotEmitter::End() {
  WriteRdbFooter(w_, opt_.checksum);
  w_.Flush();
}

}  // namespace ember
