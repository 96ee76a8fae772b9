// Snapshot: a point-in-time image of the keyspace produced WITHOUT fork, so a BGSAVE or an AOF
// rewrite never doubles memory through copy-on-write. See snapshot.cc for the essay; in short:
//
//  - Start() flips the keyspace's snapshot epoch: from then on every entry not yet emitted is
//    "pending" (one bit in the entry's meta byte compared with the epoch).
//  - Step() walks each Db with a SCAN-style cursor on the command thread, in slices of a few
//    hundred microseconds, emitting pending entries and marking them done.
//  - Before any change to a pending entry (write lookup, delete, expiry, overwrite, rename,
//    flush, swapdb) the Db calls the snapshot hook, which emits the entry's current (= start
//    time) value first. Entries created after Start() are born "done".
//  - Emitted bytes go to a BackgroundFileWriter: a bounded queue drained by a writer thread
//    that appends to the file and fsyncs at the end. When the queue is full the command thread
//    waits, which bounds the extra memory to the queue size.
//
// Ownership: the server's RdbSaver / Aof own a running Snapshot; the Snapshot registers itself
// on the Keyspace and unregisters when finished or aborted. Thread: command thread, except
// BackgroundFileWriter's internal thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/db.h"
#include "persistence/file_system.h"

namespace ember {

// What a snapshot produces for each entry (an RDB record, or AOF commands for a rewrite
// without RDB preamble). Begin/End frame the output (header, functions, footer).
class SnapshotEmitter {
 public:
  virtual ~SnapshotEmitter() = default;
  virtual void Begin() = 0;
  virtual void Emit(int db, const KvEntry& e, const Db& d) = 0;
  virtual void End() = 0;
  // False once the output failed (I/O error); the snapshot then stops.
  virtual bool ok() const = 0;
};

// Appends chunks to a file on a background thread. Push() blocks the caller while more than
// `max_queued` bytes wait. Finish() waits for the queue, fsyncs and closes, returning the first
// error seen.
class BackgroundFileWriter {
 public:
  BackgroundFileWriter(std::unique_ptr<WritableFile> file, size_t max_queued = 8 << 20);
  ~BackgroundFileWriter();
  bool Push(std::string chunk);  // false once an error happened
  // No more chunks: the writer thread drains the queue, fsyncs and closes without blocking the
  // caller; closed() turns true when it is done (then Finish() returns at once).
  void Close();
  bool closed() const;
  IoStatus Finish();
  bool failed() const;
  uint64_t bytes_written() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

class Snapshot {
 public:
  // Begins a snapshot of `ks` feeding `emitter` (Begin() is called now). nullptr when another
  // snapshot of `ks` is running (one at a time).
  static std::unique_ptr<Snapshot> Start(Keyspace& ks, std::unique_ptr<SnapshotEmitter> emitter);
  ~Snapshot();  // aborts if not done (unregisters the hook)

  // Emits entries for up to `budget_us`; true once every entry has been emitted and End()
  // was called.
  bool Step(int64_t budget_us);
  // Runs Step until done (SAVE-like completion, FLUSHALL during a snapshot, shutdown).
  void Finish();
  // Stops without emitting the rest (End() is not called); ok() turns false.
  void Abort();
  bool done() const;
  bool ok() const;
  SnapshotEmitter& emitter();
  uint64_t keys_emitted() const;

 private:
  Snapshot();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ember
