// RdbSnapshotEmitter: turns a Snapshot (snapshot.h) into an RDB image — header and function
// libraries at Begin, each entry with SELECTDB when the db changes (RESIZEDB hints only the
// first time a db appears), EOF and checksum at End — handing bytes to a sink as they
// accumulate. BGSAVE writes dump.rdb with it and BGREWRITEAOF the AOF's RDB-preamble base.
// Ownership: owned by the Snapshot it feeds. Thread: command thread.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "persistence/rdb_file.h"
#include "persistence/rdb_io.h"
#include "persistence/snapshot.h"

namespace ember {

class RdbSnapshotEmitter final : public SnapshotEmitter {
 public:
  // `sink` receives the bytes (false = I/O error: the emitter then reports !ok()).
  // `aof_base`: the image is an AOF base (aux aof-base 1).
  RdbSnapshotEmitter(RdbWriter::FlushFn sink, RdbSaveOptions opt, int64_t ctime_s, bool aof_base);

  void Begin() override;
  void Emit(int db, const KvEntry& e, const Db& d) override;
  void End() override;
  bool ok() const override { return w_.ok(); }

 private:
  RdbSaveOptions opt_;
  int64_t ctime_s_;
  bool aof_base_;
  RdbWriter w_;
  int current_db_ = -1;
  std::vector<bool> started_;  // dbs whose SELECTDB + RESIZEDB were written
};

}  // namespace ember
