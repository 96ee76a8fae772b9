// RdbSaver: SAVE, BGSAVE [SCHEDULE] (forkless, snapshot.h), save points, LASTSAVE,
// stop-writes-on-bgsave-error, SHUTDOWN's final save, and INFO's rdb_* fields.
//
// A BGSAVE is a Snapshot feeding an RdbEmitter (RDB records through RdbWriter) whose bytes a
// BackgroundFileWriter appends to dir/temp-bgsave-<pid>.rdb. The snapshot advances in slices
// on the command thread, one per event-loop turn (an always-readable eventfd keeps the loop
// from sleeping while one runs) and in Cron: kSliceUs on an idle loop, else as long as the
// turn's other work took (a fair half of the thread for a full-speed writer); once every entry is
// emitted the writer thread fsyncs and closes the file, and Cron renames it over dbfilename and
// fsyncs the directory. State and counters follow Redis (lastsave, lastbgsave_status, the 5-second
// retry delay after a failed background save, rdb_bgsave_scheduled). Ownership: Persistence owns
// it; it owns the running snapshot and its file writer. Thread: command thread (the file writer has
// its own thread).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace ember {

class Server;
class Snapshot;
class BackgroundFileWriter;

class RdbSaver {
 public:
  // Longest snapshot slice (one per event-loop turn while a BGSAVE runs).
  static constexpr int64_t kSliceUs = 1000;
  // Redis's CONFIG_BGSAVE_RETRY_DELAY: save points wait this long after a failed BGSAVE.
  static constexpr int64_t kRetryDelaySec = 5;

  explicit RdbSaver(Server& server);
  ~RdbSaver();

  // SAVE: "" or the error reply (without the leading '-').
  std::string Save();
  // BGSAVE: the status reply text ("Background saving started") or an error reply ("-ERR ...").
  // `schedule`: BGSAVE SCHEDULE (or BGSAVE inside MULTI/EXEC, `in_exec`).
  std::string BackgroundSave(bool schedule, bool in_exec = false);
  int64_t lastsave() const { return lastsave_; }
  bool bgsave_in_progress() const { return snapshot_ != nullptr || writer_ != nullptr; }
  void Cron();
  // Advances a running BGSAVE by one slice; completes it when its file is written.
  void Advance(int64_t budget_us);
  // Runs a running BGSAVE to its end (tests, shutdown paths that want the file).
  void WaitForBackgroundSave();
  // "" or the -MISCONF error while the last background save failed and
  // stop-writes-on-bgsave-error is yes (and save points are configured).
  std::string_view WriteRefusal() const;
  void AppendInfo(std::string* out);
  // SHUTDOWN: stops a running BGSAVE and saves synchronously when save points are set
  // (`force_save`: SHUTDOWN SAVE; `no_save`: SHUTDOWN NOSAVE). "" or the error that makes
  // SHUTDOWN refuse (ignored when `force`).
  std::string OnShutdown(bool force_save, bool no_save, bool force);
  // Counters for INFO and tests.
  uint64_t changes_since_last_save() const;
  bool last_bgsave_ok() const { return last_bgsave_ok_; }

 private:
  class Stepper;
  std::string StartBackground();  // "" or "-ERR ..."
  void CompleteBackground();
  void AbortBackground();
  void DoneBackground(bool ok, int64_t now_s);
  std::string FinalPath() const;
  void CheckSavePoints(int64_t now_s);

  Server& server_;
  int64_t lastsave_ = 0;  // unix seconds of the last successful save (startup time at first)
  uint64_t dirty_at_last_save_ = 0;
  uint64_t dirty_before_bgsave_ = 0;
  bool last_bgsave_ok_ = true;
  int64_t last_bgsave_try_ = 0;
  bool bgsave_scheduled_ = false;
  uint64_t rdb_saves_ = 0;
  int64_t last_bgsave_time_sec_ = -1;
  int64_t bgsave_start_s_ = 0;
  uint64_t save_keys_total_ = 0;
  uint64_t save_keys_processed_ = 0;  // of the last or current BGSAVE

  // The running BGSAVE (snapshot_ is released when all is emitted; writer_ when its file is
  // closed and renamed).
  std::unique_ptr<BackgroundFileWriter> writer_;
  std::unique_ptr<Snapshot> snapshot_;
  std::unique_ptr<Stepper> stepper_;
  std::string temp_path_;
  std::string final_path_;
};

}  // namespace ember
