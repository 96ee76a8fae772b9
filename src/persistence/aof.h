// Aof: the append-only file as Redis 7 lays it out (multi-part: appenddirname/, a manifest, a
// base file in RDB or AOF format and incremental files), appendfsync always|everysec|no,
// BGREWRITEAOF in the background, automatic rewrites, loading at startup.
//
// Writing: Propagate() appends each propagated command (RESP, SELECT when the db changes,
// "#TS:" annotations with aof-timestamp-enabled) to an in-memory buffer; BeforeSleep() — run
// before the replies of the event-loop turn are written — appends the buffer to the current
// incr file and, with `always`, fdatasyncs it (group commit: one fsync covers the turn). With
// `everysec` a background thread fsyncs at most once a second; while one is still running the
// write is postponed up to 2 s (then done anyway and counted in aof_delayed_fsync). A failed
// write is truncated back, retried each turn, and refuses writes (-MISCONF) until it succeeds;
// with `always` a failed write or fsync ends the process (the exit hook, injectable by tests).
//
// Rewriting (BGREWRITEAOF, auto-aof-rewrite-*, CONFIG SET appendonly yes): a new incr file is
// opened at once, a new base is produced from a forkless point-in-time snapshot
// (persistence/snapshot.h) on the command thread in slices, written by a background writer,
// and on completion the manifest is replaced atomically and the old files deleted.
// Code split: aof.cc (writing, fsync, config, INFO), aof_load.cc (startup, manifest on disk,
// loading), aof_rewrite.cc (rewrite, base emitters); formats in aof_format.h.
// Ownership: Persistence owns it; it registers as a PropagationTarget while enabled.
// Thread: command thread (plus its own fsync thread, which only syncs files).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "persistence/aof_format.h"
#include "server/propagate.h"

namespace ember {

class Server;
class FileSystem;
class WritableFile;

class Aof : public PropagationTarget {
 public:
  explicit Aof(Server& server);
  ~Aof() override;

  // Startup with appendonly yes: loads the AOF directory (upgrading an old single-file AOF),
  // creates the base/incr files when missing, and starts appending. "" or a fatal error.
  std::string LoadAtStartup();
  void Propagate(int db, std::span<const std::string> argv) override;
  void BeforeSleep();
  void Cron();
  // BGREWRITEAOF: the status reply text or an error reply ("-ERR ...").
  std::string StartRewrite();
  // BGREWRITEAOF inside EXEC (or a script): starts from the cron once the request is over, so
  // the writes of the transaction land before the new incr file.
  void ScheduleRewrite();
  bool rewrite_in_progress() const;
  std::string_view WriteRefusal() const;
  void AppendInfo(std::string* out);
  // SHUTDOWN: writes and fsyncs what is buffered. "" or an error.
  std::string OnShutdown();
  // DEBUG LOADAOF: flush the AOF, empty the dataset and load it again; "" or the error reply.
  std::string DebugLoad();
  // DEBUG AOF-FLUSH-SLEEP <us>: sleep that long before each write of the buffer (tests make
  // a reply wait for its AOF write with it).
  void set_flush_sleep_us(int64_t us) { flush_sleep_us_ = us; }

  // CONFIG SET appendonly yes / no (also called by the config hook). "" or the reason.
  std::string Enable();
  void Disable();
  bool enabled() const { return state_ != State::kOff; }

  // Tests: replaces exit() for the fatal errors of appendfsync always.
  void set_exit_hook(std::function<void(int)> fn) { exit_hook_ = std::move(fn); }
  // Tests: waits until queued background fsyncs are done.
  void WaitForBackgroundJobs();
  // Steps a running rewrite to completion (tests, shutdown).
  void FinishRewrite();
  uint64_t delayed_fsync() const { return delayed_fsync_; }
  uint64_t current_size() const { return current_size_; }
  // Bytes held by the propagation buffer (INFO mem_aof_buffer, MEMORY STATS aof.buffer).
  // (An empty string's inline capacity is no heap memory.)
  size_t buffer_bytes() const { return buf_.capacity() < sizeof(buf_) ? 0 : buf_.capacity(); }
  const aof::Manifest& manifest() const { return manifest_; }

 private:
  int64_t flush_sleep_us_ = 0;  // DEBUG AOF-FLUSH-SLEEP
  enum class State { kOff, kOn, kWaitRewrite };
  enum class FsyncPolicy { kNo, kAlways, kEverySec };
  struct FsyncWorker;
  struct RewriteJob;

  // --- aof.cc ---
  void RegisterConfigHooks();
  void ReadConfig();
  void Flush(bool force);
  void HandleWriteError(const std::string& what, int err);
  void StartBackgroundFsync();
  void SetWriteOk();
  void Fatal(const std::string& msg);
  int64_t NowSec() const;
  FileSystem& fs();
  std::string DirPath() const;
  std::string PathOf(std::string_view name) const;
  const std::string& prefix() const;

  // --- aof_load.cc ---
  std::string LoadManifestFromDisk();
  std::string UpgradeOldStyle();
  std::string LoadFiles(bool* loaded_any);
  // Loads one file; `last` allows truncation handling. Sets *truncated when cut.
  std::string LoadOneFile(const aof::FileInfo& f, bool last, bool* truncated);
  std::string ExecuteCommands(std::string_view data, size_t start, const std::string& name,
                              bool last, const std::string& path, bool* truncated);
  std::string OpenOnStart();
  std::string PersistManifest();
  void DeleteHistoryFiles();
  // Opens (creates when `create`) an incr file for appending as the current one.
  std::string OpenIncr(const std::string& path, bool create);
  std::string OpenNewIncrForRewrite();
  void CloseCurrentIncr();

  // --- aof_rewrite.cc ---
  std::string BeginRewrite();
  void StepRewrite(int64_t budget_us);
  void CompleteRewrite();
  // Stops a running rewrite; `failure`: counts as a failed rewrite (an error, not a request).
  void AbortRewrite(const std::string& why, bool failure = true);
  void RewriteFailed();
  // Writes a base file of the current dataset synchronously (startup with an empty
  // dataset). "" or the error.
  std::string WriteBaseSync(const std::string& path);
  void MaybeAutoRewrite();

  Server& server_;
  State state_ = State::kOff;
  FsyncPolicy policy_ = FsyncPolicy::kEverySec;
  bool timestamp_enabled_ = false;
  std::function<void(int)> exit_hook_;

  aof::Manifest manifest_;
  std::shared_ptr<WritableFile> file_;  // the current incr file
  std::string file_path_;
  uint64_t file_size_ = 0;  // bytes written to the current incr file
  std::string buf_;         // propagated, not yet written
  int selected_db_ = -1;
  int64_t last_ts_ = 0;

  uint64_t current_size_ = 0;  // base + incr files (aof_current_size)
  uint64_t base_size_ = 0;     // aof_rewrite_base_size / aof_base_size
  uint64_t rewrite_base_size_ = 0;

  // fsync bookkeeping
  std::unique_ptr<FsyncWorker> worker_;
  int64_t last_fsync_s_ = 0;
  int64_t postponed_start_s_ = 0;
  uint64_t delayed_fsync_ = 0;
  bool write_err_ = false;
  int write_errno_ = 0;
  int64_t last_write_error_log_s_ = 0;
  std::string refusal_;

  // rewrite
  std::unique_ptr<RewriteJob> rewrite_;
  bool rewrite_scheduled_ = false;
  int64_t rewrite_start_s_ = 0;
  int64_t last_rewrite_time_s_ = -1;
  bool last_rewrite_ok_ = true;
  uint64_t rewrites_ = 0;
  uint64_t rewrite_failures_ = 0;
  int64_t next_rewrite_allowed_s_ = 0;
  int rewrite_delay_minutes_ = 0;
};

}  // namespace ember
