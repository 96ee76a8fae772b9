// RdbSaver (see rdb_saver.h): SAVE, BGSAVE on the forkless snapshot engine, save points, the
// MISCONF write refusal and INFO persistence's rdb_* fields.
//
// BGSAVE timeline: StartBackground opens the temp file, starts a BackgroundFileWriter and a
// Snapshot whose emitter writes RDB records (header and functions in Begin, SELECTDB whenever
// the emitted entry's db differs from the previous one, EOF and CRC in End). While it runs, an
// eventfd that is always readable is registered in the event loop, so every loop turn gives the
// snapshot one kSliceUs slice and the loop never sleeps on an idle server. When Step reports the
// last entry, the writer is closed (its thread drains, fsyncs and closes) and the eventfd goes
// away; Cron then sees the writer closed, renames the temp file over dbfilename, fsyncs the
// directory and records the outcome, as Redis does when its child exits.
#include "persistence/rdb_saver.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <utility>
#include <vector>

#include "core/clock.h"
#include "core/db.h"
#include "net/event_loop.h"
#include "persistence/aof.h"
#include "persistence/file_system.h"
#include "persistence/loading.h"
#include "persistence/persistence.h"
#include "persistence/rdb_emitter.h"
#include "persistence/rdb_file.h"
#include "persistence/rdb_format.h"
#include "persistence/rdb_io.h"
#include "persistence/snapshot.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/server.h"

namespace ember {
namespace {

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

// Keeps the event loop turning while a snapshot runs: an eventfd that stays readable (it is
// never read), whose handler runs one slice. It lives as long as the saver and is only
// registered in the loop while a BGSAVE runs, so an event already collected by epoll for a
// turn in which the save ended (SHUTDOWN, a failure) still finds a live, inactive handler.
class RdbSaver::Stepper : public EventHandler {
 public:
  explicit Stepper(RdbSaver* saver) : saver_(saver) {}
  ~Stepper() override {
    Deactivate();
    if (fd_ >= 0) close(fd_);
  }
  void Activate(EventLoop* loop) {
    if (loop_ != nullptr) return;
    if (fd_ < 0) fd_ = eventfd(1, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd_ >= 0 && loop->Add(fd_, EventLoop::kReadable, this)) loop_ = loop;
    last_end_us_ = 0;
    idle_turns_ = 0;
  }
  void Deactivate() {
    if (loop_ == nullptr) return;
    loop_->Remove(fd_);
    loop_ = nullptr;
  }
  // Fair share: when the loop did other work since the last slice (clients were served), the
  // slice gets as much time as that work took, so a full-speed writer keeps about half of the
  // command thread. A turn that served nobody starts at kIdleSliceUs and doubles with each
  // further idle turn up to kSliceUs: pipelining clients are often between two batches (their
  // replies in flight) for a turn, and a long slice then would make them wait; a really idle
  // server reaches full-length slices after a few turns.
  void OnEvents(uint32_t) override {
    if (loop_ == nullptr) return;  // stale event of a save that already ended
    int64_t now = SystemClock::MonotonicUs();
    int64_t other = last_end_us_ == 0 ? 0 : now - last_end_us_;
    int64_t budget;
    if (other < kIdleTurnUs) {
      budget = std::min(kSliceUs, kIdleSliceUs << idle_turns_);
      if (budget < kSliceUs) ++idle_turns_;
    } else {
      budget = std::clamp(other, kMinSliceUs, kSliceUs);
      idle_turns_ = 0;
    }
    saver_->Advance(budget);
    last_end_us_ = SystemClock::MonotonicUs();
  }

 private:
  static constexpr int64_t kIdleTurnUs = 50;  // a loop turn this short served nobody
  static constexpr int64_t kIdleSliceUs = 100;
  static constexpr int64_t kMinSliceUs = 20;

  RdbSaver* saver_;
  EventLoop* loop_ = nullptr;  // set while registered
  int fd_ = -1;
  int64_t last_end_us_ = 0;
  int idle_turns_ = 0;
};

RdbSaver::RdbSaver(Server& server) : server_(server), stepper_(std::make_unique<Stepper>(this)) {
  lastsave_ = server_.start_time_ms() / 1000;
}

RdbSaver::~RdbSaver() { AbortBackground(); }

std::string RdbSaver::FinalPath() const {
  // The process works in `dir` (chdir at startup and on CONFIG SET dir), so a relative `dir`
  // is already applied; an absolute one is used as is (in-process tests do not chdir).
  const ServerConfig& cfg = server_.cfg();
  if (cfg.dir.empty() || cfg.dir[0] != '/') return cfg.dbfilename;
  return cfg.dir + "/" + cfg.dbfilename;
}

uint64_t RdbSaver::changes_since_last_save() const {
  uint64_t d = server_.dirty();
  return d >= dirty_at_last_save_ ? d - dirty_at_last_save_ : 0;
}

// SAVE
std::string RdbSaver::Save() {
  if (bgsave_in_progress()) return std::string(errors::kBgsaveInProgress);
  ++rdb_saves_;
  IoStatus st = SaveRdbFile(server_.persistence().fs(), FinalPath(), server_.keyspace(),
                            RdbSaveOptionsFor(server_));
  if (!st.ok()) {
    Logf(LogLevel::kWarning, "Failed saving the DB: %s", st.msg.c_str());
    return "ERR";
  }
  Log(LogLevel::kNotice, "DB saved on disk");
  dirty_at_last_save_ = server_.dirty();
  lastsave_ = server_.clock().NowMs() / 1000;
  last_bgsave_ok_ = true;
  return {};
}

// BGSAVE [SCHEDULE]
std::string RdbSaver::BackgroundSave(bool schedule, bool in_exec) {
  if (bgsave_in_progress()) return "-" + std::string(errors::kBgsaveInProgress);
  if (server_.persistence().aof().rewrite_in_progress() || in_exec) {
    if (schedule || in_exec) {
      bgsave_scheduled_ = true;
      return "Background saving scheduled";
    }
    return "-" + std::string(errors::kBgsaveAofActive);
  }
  std::string err = StartBackground();
  if (!err.empty()) return err;
  return "Background saving started";
}

std::string RdbSaver::StartBackground() {
  const int64_t now_s = server_.clock().NowMs() / 1000;
  last_bgsave_try_ = now_s;
  bgsave_start_s_ = now_s;
  ++rdb_saves_;
  final_path_ = FinalPath();
  char name[64];
  snprintf(name, sizeof(name), "temp-bgsave-%d.rdb", int(getpid()));
  temp_path_ = DirOf(final_path_) + "/" + name;
  std::unique_ptr<WritableFile> file;
  IoStatus st = server_.persistence().fs().OpenWritable(temp_path_, false, &file);
  if (!st.ok()) {
    // Redis's child fails the same way after the fork: the reply says "started", the outcome
    // is an error status (and MISCONF for writes when configured).
    Logf(LogLevel::kWarning, "Failed opening the temp RDB file %s for saving: %s", name,
         st.msg.c_str());
    DoneBackground(false, now_s);
    return {};
  }
  writer_ = std::make_unique<BackgroundFileWriter>(std::move(file));
  BackgroundFileWriter* out = writer_.get();
  auto emitter = std::make_unique<RdbSnapshotEmitter>(
      [out](std::string_view bytes) { return out->Push(std::string(bytes)); },
      RdbSaveOptionsFor(server_), now_s, /*aof_base=*/false);
  save_keys_total_ = server_.keyspace().TotalKeys();
  save_keys_processed_ = 0;
  snapshot_ = Snapshot::Start(server_.keyspace(), std::move(emitter));
  if (snapshot_ == nullptr) {  // another snapshot (an AOF rewrite) holds the keyspace
    writer_.reset();
    (void)server_.persistence().fs().Remove(temp_path_);
    return "-" + std::string(errors::kBgsaveAofActive);
  }
  dirty_before_bgsave_ = server_.dirty();
  stepper_->Activate(&server_.loop());
  Logf(LogLevel::kNotice, "Background saving started (forkless snapshot, %" PRIu64 " keys)",
       save_keys_total_);
  return {};
}

void RdbSaver::Advance(int64_t budget_us) {
  if (snapshot_ != nullptr) {
    bool finished = snapshot_->Step(budget_us);
    save_keys_processed_ = snapshot_->keys_emitted();
    if (!finished) return;
    stepper_->Deactivate();  // nothing left for the command thread: let the loop sleep again
    if (!snapshot_->ok()) {
      IoStatus st = writer_->Finish();  // the writer's first error says why
      Logf(LogLevel::kWarning, "Write error saving DB on disk: %s",
           st.ok() ? "serialization failed" : st.msg.c_str());
      AbortBackground();
      DoneBackground(false, server_.clock().NowMs() / 1000);
      return;
    }
    snapshot_.reset();
    writer_->Close();  // the writer thread drains, fsyncs and closes
  }
  if (writer_ != nullptr && writer_->closed()) CompleteBackground();
}

void RdbSaver::CompleteBackground() {
  IoStatus st = writer_->Finish();
  writer_.reset();
  FileSystem& fs = server_.persistence().fs();
  if (st.ok()) st = fs.Rename(temp_path_, final_path_);
  if (st.ok()) st = fs.SyncDir(DirOf(final_path_));
  if (!st.ok()) {
    Logf(LogLevel::kWarning, "Write error saving DB on disk: %s", st.msg.c_str());
    (void)fs.Remove(temp_path_);
  }
  DoneBackground(st.ok(), server_.clock().NowMs() / 1000);
}

void RdbSaver::AbortBackground() {
  stepper_->Deactivate();
  bool had_file = snapshot_ != nullptr || writer_ != nullptr;
  snapshot_.reset();  // aborts: every pending entry is stamped done again
  writer_.reset();    // abandons the file (no fsync)
  if (had_file) (void)server_.persistence().fs().Remove(temp_path_);
}

void RdbSaver::DoneBackground(bool ok, int64_t now_s) {
  last_bgsave_time_sec_ = now_s - bgsave_start_s_;
  if (ok) {
    Log(LogLevel::kNotice, "Background saving terminated with success");
    dirty_at_last_save_ = dirty_before_bgsave_;
    lastsave_ = now_s;
    last_bgsave_ok_ = true;
  } else {
    Log(LogLevel::kWarning, "Background saving error");
    last_bgsave_ok_ = false;
  }
}

void RdbSaver::WaitForBackgroundSave() {
  while (bgsave_in_progress()) {
    Advance(1'000'000);
    if (writer_ != nullptr && snapshot_ == nullptr) {
      writer_->Finish();  // waits for the thread; closed() is then true
      CompleteBackground();
    }
  }
}

void RdbSaver::Cron() {
  const int64_t now_s = server_.clock().NowMs() / 1000;
  if (bgsave_in_progress()) {
    Advance(kSliceUs);
    return;
  }
  if (server_.persistence().aof().rewrite_in_progress()) return;
  bool may_retry = last_bgsave_ok_ || now_s - last_bgsave_try_ > kRetryDelaySec;
  if (bgsave_scheduled_ && may_retry) {
    bgsave_scheduled_ = false;
    (void)StartBackground();
    return;
  }
  if (may_retry) CheckSavePoints(now_s);
}

void RdbSaver::CheckSavePoints(int64_t now_s) {
  uint64_t changes = changes_since_last_save();
  for (const auto& [seconds, min_changes] : server_.cfg().save_params) {
    if (changes >= uint64_t(min_changes) && now_s - lastsave_ > seconds) {
      Logf(LogLevel::kNotice, "%" PRIu64 " changes in %" PRId64 " seconds. Saving...", changes,
           seconds);
      (void)StartBackground();
      return;
    }
  }
}

std::string_view RdbSaver::WriteRefusal() const {
  const ServerConfig& cfg = server_.cfg();
  if (cfg.stop_writes_on_bgsave_error && !cfg.save_params.empty() && !last_bgsave_ok_) {
    return errors::kMisconf;
  }
  return {};
}

void RdbSaver::AppendInfo(std::string* out) {
  const int64_t now_s = server_.clock().NowMs() / 1000;
  bool running = bgsave_in_progress();
  char buf[1024];
  snprintf(buf, sizeof(buf),
           "current_cow_peak:0\r\ncurrent_cow_size:0\r\ncurrent_cow_size_age:0\r\n"
           "current_fork_perc:0.00\r\ncurrent_save_keys_processed:%" PRIu64
           "\r\ncurrent_save_keys_total:%" PRIu64
           "\r\n"
           "rdb_changes_since_last_save:%" PRIu64
           "\r\nrdb_bgsave_in_progress:%d\r\n"
           "rdb_last_save_time:%" PRId64
           "\r\nrdb_last_bgsave_status:%s\r\n"
           "rdb_last_bgsave_time_sec:%" PRId64 "\r\nrdb_current_bgsave_time_sec:%" PRId64
           "\r\n"
           "rdb_saves:%" PRIu64
           "\r\nrdb_last_cow_size:0\r\n"
           "rdb_last_load_keys_expired:%" PRIu64 "\r\nrdb_last_load_keys_loaded:%" PRIu64 "\r\n",
           running ? save_keys_processed_ : 0, running ? save_keys_total_ : 0,
           changes_since_last_save(), running ? 1 : 0, lastsave_, last_bgsave_ok_ ? "ok" : "err",
           last_bgsave_time_sec_, running ? now_s - bgsave_start_s_ : int64_t(-1), rdb_saves_,
           server_.persistence().loader().last_load_keys_expired(),
           server_.persistence().loader().last_load_keys_loaded());
  out->append(buf);
}

std::string RdbSaver::OnShutdown(bool force_save, bool no_save, bool force) {
  if (bgsave_in_progress()) {
    Log(LogLevel::kWarning, "There is a running background save. Stopping it!");
    AbortBackground();
  }
  if (!((!server_.cfg().save_params.empty() && !no_save) || force_save)) return {};
  Log(LogLevel::kNotice, "Saving the final RDB snapshot before exiting.");
  std::string err = Save();
  if (err.empty()) return {};
  if (force) {
    Log(LogLevel::kWarning, "Error trying to save the DB. Exit anyway.");
    return {};
  }
  Log(LogLevel::kWarning, "Error trying to save the DB, can't exit.");
  return std::string(errors::kShutdownErrors);
}

}  // namespace ember
