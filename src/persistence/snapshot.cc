// Snapshot and BackgroundFileWriter (see snapshot.h): point-in-time images of the keyspace
// without fork.
//
// Why not fork. Redis's BGSAVE forks and lets the child serialize the parent's memory as it was
// at fork time; the kernel keeps that image alive with copy-on-write. Every page the parent
// writes while the child runs is duplicated, so with a writer touching keys all over the
// keyspace the extra resident memory approaches the size of the data set (2x in the worst
// case), and the fork itself copies the page tables (tens of ms per GB, with the whole server
// stopped). Ember keeps the image alive per key instead of per page:
//
// The epoch bit. Each KvEntry has one spare bit in its meta byte; the Keyspace keeps an epoch
// parity (SnapshotState). Outside a snapshot every entry's bit equals the epoch. Start() flips
// the epoch, which in O(1) makes every existing entry "pending" (bit != epoch) = part of the
// image and not yet written. From then on:
//   * Entries linked by the Db (Add, Upsert, ReplaceEntry, SetExpire's copies) are stamped with
//     the new epoch: they did not exist at start time, so they are not part of the image.
//   * Before the Db changes or removes a pending entry (LookupWrite hands it to a writer;
//     Delete/Unlink, Upsert/ReplaceEntry of the old entry, SetExpire/Persist, lazy and active
//     expiry, hash field expiry) it calls SnapshotHook::Preserve, and the snapshot emits the
//     entry right then — its value is still the start-time value, since nothing touched it
//     before — and flips its bit. FLUSHDB/FLUSHALL and SWAPDB call PreserveAll on the Dbs they
//     are about to change (O(size), the same order as the flush itself).
//   * Step() walks each Db with the Dict's SCAN cursor in slices of a few hundred
//     microseconds on the command thread and emits every pending entry it meets. SCAN's
//     guarantee (an entry present for the whole walk is visited at least once, across resizes
//     and rehashing) covers entries nobody touches; entries that are touched were emitted by
//     the hook; entries visited twice are skipped by their bit.
// So each key of the start-time keyspace is emitted exactly once with its start-time value,
// and the only extra memory is the output queue: the image costs one bit per key instead of a
// copy of every page written. Emission order follows the walk and the writes, not the Dbs, so
// the emitter is told the Db of every entry (the RDB emitter writes SELECTDB when it changes).
//
// Abort. If the snapshot stops early (I/O error, shutdown) some entries still carry the old
// parity; Abort walks the Dbs once and stamps them with the current epoch so the invariant
// "bit == epoch outside a snapshot" holds again for the next one.
//
// Output. The emitter's bytes go to a BackgroundFileWriter: a queue of chunks drained by its own
// thread, which appends them to the file and, once closed, fsyncs and closes it. Push() blocks
// while more than `max_queued` bytes wait, which bounds the extra memory (8 MB by default) when
// the disk is slower than serialization.
//
// Threads: Snapshot runs on the command thread only; BackgroundFileWriter's queue is shared
// with its writer thread under a mutex.
#include "persistence/snapshot.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <utility>

#include "core/clock.h"
#include "server/used_memory.h"

namespace ember {

// ---------------------------------------------------------------------------------------------
// BackgroundFileWriter

struct BackgroundFileWriter::Impl {
  std::unique_ptr<WritableFile> file;
  size_t max_queued;
  std::mutex mu;
  std::condition_variable has_work;  // writer thread waits: queue empty and not closing
  std::condition_variable has_room;  // Push waits: queue over max_queued
  std::deque<std::string> queue;
  size_t queued_bytes = 0;
  bool closing = false;
  bool finished = false;
  bool sync_on_close = true;
  IoStatus status;                  // first error (guarded by mu)
  std::atomic<bool> failed{false};  // mirror of !status.ok() for lock-free reads
  std::atomic<uint64_t> written{0};
  std::thread thread;

  void Run() {
    RegisterMemoryThread();  // frees the chunks the command thread allocated
    for (;;) {
      std::string chunk;
      {
        std::unique_lock lock(mu);
        has_work.wait(lock, [&] { return !queue.empty() || closing; });
        if (queue.empty()) break;  // closing and drained
        chunk = std::move(queue.front());
        queue.pop_front();
        queued_bytes -= chunk.size();
      }
      has_room.notify_all();
      if (failed.load(std::memory_order_relaxed)) continue;  // drop: the file is bad anyway
      IoStatus st = file->Append(chunk);
      if (!st.ok()) {
        Fail(std::move(st));
      } else {
        written.fetch_add(chunk.size(), std::memory_order_relaxed);
      }
    }
    if (!failed.load() && sync_on_close) {
      IoStatus st = file->Sync();
      if (!st.ok()) Fail(std::move(st));
    }
    IoStatus st = file->Close();
    if (!st.ok()) Fail(std::move(st));
    std::lock_guard lock(mu);
    finished = true;
  }

  void Fail(IoStatus st) {
    std::lock_guard lock(mu);
    if (status.ok()) status = std::move(st);
    failed.store(true);
    has_room.notify_all();
  }
};

BackgroundFileWriter::BackgroundFileWriter(std::unique_ptr<WritableFile> file, size_t max_queued)
    : impl_(std::make_unique<Impl>()) {
  impl_->file = std::move(file);
  impl_->max_queued = max_queued;
  impl_->thread = std::thread([impl = impl_.get()] { impl->Run(); });
}

BackgroundFileWriter::~BackgroundFileWriter() {
  if (!impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->mu);
    impl_->closing = true;
    impl_->sync_on_close = false;  // abandoned: no point in an fsync
    impl_->queue.clear();
    impl_->queued_bytes = 0;
  }
  impl_->has_work.notify_all();
  impl_->thread.join();
}

bool BackgroundFileWriter::Push(std::string chunk) {
  if (chunk.empty()) return !failed();
  {
    std::unique_lock lock(impl_->mu);
    // A chunk larger than the cap still goes in when the queue is empty.
    impl_->has_room.wait(lock, [&] {
      return impl_->failed.load() || impl_->queued_bytes == 0 ||
             impl_->queued_bytes + chunk.size() <= impl_->max_queued;
    });
    if (impl_->failed.load()) return false;
    impl_->queued_bytes += chunk.size();
    impl_->queue.push_back(std::move(chunk));
  }
  impl_->has_work.notify_one();
  return true;
}

void BackgroundFileWriter::Close() {
  {
    std::lock_guard lock(impl_->mu);
    impl_->closing = true;
  }
  impl_->has_work.notify_all();
}

bool BackgroundFileWriter::closed() const {
  std::lock_guard lock(impl_->mu);
  return impl_->finished;
}

IoStatus BackgroundFileWriter::Finish() {
  Close();
  if (impl_->thread.joinable()) impl_->thread.join();
  std::lock_guard lock(impl_->mu);
  return impl_->status;
}

bool BackgroundFileWriter::failed() const { return impl_->failed.load(); }

uint64_t BackgroundFileWriter::bytes_written() const { return impl_->written.load(); }

// ---------------------------------------------------------------------------------------------
// Snapshot

namespace {
constexpr int kBucketsPerTimeCheck = 32;
}  // namespace

struct Snapshot::Impl : public SnapshotHook {
  Keyspace* ks = nullptr;
  std::unique_ptr<SnapshotEmitter> emitter;
  int db = 0;           // Db being walked
  uint64_t cursor = 0;  // its SCAN cursor
  bool done = false;
  bool ok = true;
  uint64_t keys = 0;

  void Preserve(Db& d, KvEntry* e) override {
    if (ok) {
      emitter->Emit(d.index(), *e, d);
      ++keys;
    }
    d.MarkSnapshotDone(e);
  }

  void PreserveAll(Db& d) override {
    d.dict().ForEach([&](KvEntry* e) {
      if (d.SnapshotPending(e)) Preserve(d, e);
    });
  }

  void Unregister() {
    SnapshotState& st = ks->snapshot_state();
    if (st.hook == this) st.hook = nullptr;
  }

  // Stops early: every entry still pending gets the current epoch (see the essay).
  void Abort() {
    if (done) return;
    SnapshotState& st = ks->snapshot_state();
    for (int i = 0; i < ks->num_dbs(); ++i) {
      ks->db(i).dict().ForEach([&](KvEntry* e) { e->set_snapshot_bit(st.epoch); });
    }
    Unregister();
    done = true;
    ok = false;
  }

  void Complete() {
    Unregister();
    emitter->End();
    done = true;
    ok = emitter->ok();
  }

  bool Step(int64_t budget_us) {
    if (done) return true;
    const int64_t start = SystemClock::MonotonicUs();
    int buckets = 0;
    while (db < ks->num_dbs()) {
      if (!emitter->ok()) {
        Abort();
        return true;
      }
      Db& d = ks->db(db);
      if (d.size() != 0) {
        cursor = d.dict().Scan(cursor, [&](KvEntry* e) {
          if (d.SnapshotPending(e)) Preserve(d, e);
        });
      } else {
        cursor = 0;
      }
      if (cursor == 0) {
        ++db;
      }
      if (++buckets % kBucketsPerTimeCheck == 0 &&
          SystemClock::MonotonicUs() - start >= budget_us) {
        return false;
      }
    }
    if (!emitter->ok()) {
      Abort();
      return true;
    }
    Complete();
    return true;
  }
};

std::unique_ptr<Snapshot> Snapshot::Start(Keyspace& ks, std::unique_ptr<SnapshotEmitter> emitter) {
  SnapshotState& st = ks.snapshot_state();
  if (st.hook != nullptr) return nullptr;  // one snapshot at a time
  std::unique_ptr<Snapshot> s(new Snapshot());
  s->impl_ = std::make_unique<Impl>();
  Impl& impl = *s->impl_;
  impl.ks = &ks;
  impl.emitter = std::move(emitter);
  impl.emitter->Begin();
  st.epoch = !st.epoch;  // every existing entry is now pending
  st.hook = &impl;
  return s;
}

Snapshot::Snapshot() = default;

Snapshot::~Snapshot() {
  if (impl_) impl_->Abort();
}

bool Snapshot::Step(int64_t budget_us) { return impl_->Step(budget_us); }

void Snapshot::Finish() {
  while (!impl_->Step(1'000'000)) {
  }
}

void Snapshot::Abort() { impl_->Abort(); }

bool Snapshot::done() const { return impl_->done; }

bool Snapshot::ok() const { return impl_->ok && impl_->emitter->ok(); }

SnapshotEmitter& Snapshot::emitter() { return *impl_->emitter; }

uint64_t Snapshot::keys_emitted() const { return impl_->keys; }

}  // namespace ember
