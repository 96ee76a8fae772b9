// Aof (see aof.h): the write path — propagation into the buffer, writing the buffer to the incr
// file before replies leave, the three fsync policies with a background fsync thread, write
// errors and the -MISCONF refusal — plus config hooks, enabling/disabling at runtime, shutdown
// and INFO persistence's aof_* fields. Loading lives in aof_load.cc, rewriting in aof_rewrite.cc.
#include "persistence/aof.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "persistence/aof_internal.h"
#include "persistence/file_system.h"
#include "persistence/persistence.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/server.h"

namespace ember {

Aof::Aof(Server& server) : server_(server) {
  exit_hook_ = [](int code) { std::exit(code); };
  RegisterConfigHooks();
  ReadConfig();
}

Aof::~Aof() {
  rewrite_.reset();
  worker_.reset();
}

FileSystem& Aof::fs() { return server_.persistence().fs(); }

int64_t Aof::NowSec() const { return server_.clock().NowMs() / 1000; }

const std::string& Aof::prefix() const { return server_.cfg().appendfilename; }

std::string Aof::DirPath() const { return server_.cfg().appenddirname; }

std::string Aof::PathOf(std::string_view name) const { return aof::JoinPath(DirPath(), name); }

void Aof::ReadConfig() {
  const std::string& p = server_.cfg().appendfsync;
  policy_ = p == "always" ? FsyncPolicy::kAlways
            : p == "no"   ? FsyncPolicy::kNo
                          : FsyncPolicy::kEverySec;
  timestamp_enabled_ = server_.config().GetValue("aof-timestamp-enabled") == "yes";
}

void Aof::RegisterConfigHooks() {
  Config& c = server_.config();
  c.OnApply("appendfsync", [this](const ServerConfig&) {
    ReadConfig();
    return std::string();
  });
  c.OnApply("aof-timestamp-enabled", [this](const ServerConfig&) {
    ReadConfig();
    return std::string();
  });
  c.OnApply("aof-disable-auto-gc", [this](const ServerConfig&) {
    DeleteHistoryFiles();  // no-op while it is yes
    return std::string();
  });
  c.OnApply("appendonly", [this](const ServerConfig& v) {
    if (v.appendonly && state_ == State::kOff) return Enable();
    if (!v.appendonly && state_ != State::kOff) Disable();
    return std::string();
  });
}

void Aof::Propagate(int db, std::span<const std::string> argv) {
  if (state_ == State::kOff) return;
  if (timestamp_enabled_) {
    int64_t now = NowSec();
    if (now > last_ts_) {
      buf_ += "#TS:" + std::to_string(now) + "\r\n";
      last_ts_ = now;
    }
  }
  if (db != selected_db_) {
    std::string n = std::to_string(db);
    aof::AppendCommand(&buf_, {std::string_view("SELECT"), std::string_view(n)});
    selected_db_ = db;
  }
  aof::AppendCommand(&buf_, argv);
}

void Aof::BeforeSleep() {
  if (rewrite_) StepRewrite(1000);
  if (state_ != State::kOff) Flush(false);
}

void Aof::Cron() {
  if (rewrite_) StepRewrite(2000);
  if (state_ == State::kOff) {  // BGREWRITEAOF works with the AOF off too
    MaybeAutoRewrite();
    return;
  }
  // A failed background fsync refuses writes until a later one succeeds (Redis 7.0).
  if (worker_ && !write_err_) {
    int err = worker_->last_err.load();
    if (err != 0) {
      write_errno_ = err;
      refusal_ = std::string(errors::kAofWriteErrorPrefix) + strerror(err);
    } else {
      refusal_.clear();
    }
  }
  // Retries a failed write, a postponed one, and the once-a-second fsync of everysec.
  Flush(false);
  MaybeAutoRewrite();
}

bool Aof::rewrite_in_progress() const { return rewrite_ != nullptr; }

std::string_view Aof::WriteRefusal() const {
  if (state_ == State::kOff) return {};
  return refusal_;
}

void Aof::StartBackgroundFsync() {
  if (!worker_) worker_ = std::make_unique<FsyncWorker>();
  worker_->Push({file_, file_size_, false});
}

void Aof::SetWriteOk() {
  if (write_err_) {
    Log(LogLevel::kWarning, "AOF write error looks solved, Redis can write again.");
    write_err_ = false;
  }
  if (!worker_ || worker_->last_err.load() == 0) refusal_.clear();
}

void Aof::Fatal(const std::string& msg) {
  Log(LogLevel::kWarning, msg);
  exit_hook_(1);
}

void Aof::HandleWriteError(const std::string& what, int err) {
  if (policy_ == FsyncPolicy::kAlways) {
    Log(LogLevel::kWarning, "Error writing to the AOF file: " + what);
    Fatal("Can't recover from AOF write error when the AOF fsync policy is 'always'. Exiting...");
    return;
  }
  // Remove what may have been written partially, so the file keeps whole commands only, and
  // reopen for appending at the truncated end; the buffer is retried next time.
  IoStatus t = fs().Truncate(file_path_, file_size_);
  if (!t.ok())
    Log(LogLevel::kWarning,
        "Could not remove short write from the append-only file. "
        "Redis may refuse to load the AOF the next time it starts. "
        "ftruncate: " +
            t.msg);
  std::unique_ptr<WritableFile> reopened;
  if (fs().OpenWritable(file_path_, true, &reopened).ok()) {
    if (file_) (void)file_->Close();
    file_ = std::move(reopened);
  }
  int64_t now = NowSec();
  if (now - last_write_error_log_s_ >= 30) {
    Log(LogLevel::kWarning, "Error writing to the AOF file: " + what);
    last_write_error_log_s_ = now;
  }
  write_err_ = true;
  write_errno_ = err;
  refusal_ = std::string(errors::kAofWriteErrorPrefix) + strerror(err);
}

// Redis's flushAppendOnlyFile: write the buffer, then fsync according to the policy.
void Aof::Flush(bool force) {
  if (!file_) return;
  int64_t now = NowSec();
  bool fsync_busy = worker_ && worker_->pending.load() > 0;
  if (buf_.empty()) {
    // everysec: make sure data written earlier gets synced once its second has passed.
    bool synced = worker_ && worker_->synced_file.load() == file_.get() &&
                  worker_->synced_size.load() == file_size_;
    if (policy_ == FsyncPolicy::kEverySec && !synced && file_size_ > 0 && now > last_fsync_s_ &&
        !fsync_busy) {
      StartBackgroundFsync();
      last_fsync_s_ = now;
    }
    return;
  }
  if (policy_ == FsyncPolicy::kEverySec && !force && fsync_busy) {
    if (postponed_start_s_ == 0) {
      postponed_start_s_ = now;
      return;
    }
    if (now - postponed_start_s_ < 2) return;
    delayed_fsync_++;
    Log(LogLevel::kNotice,
        "Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer "
        "without waiting for fsync to complete, this may slow down Redis.");
  }
  if (flush_sleep_us_ > 0) usleep(useconds_t(flush_sleep_us_));
  IoStatus st = file_->Append(buf_);
  if (!st.ok()) return HandleWriteError(st.msg, st.err);
  postponed_start_s_ = 0;
  file_size_ += buf_.size();
  current_size_ += buf_.size();
  if (buf_.capacity() > (1 << 20)) {
    std::string().swap(buf_);
  } else {
    buf_.clear();
  }
  SetWriteOk();
  if (policy_ == FsyncPolicy::kAlways) {
    IoStatus s = file_->Sync();
    if (!s.ok()) {
      return Fatal("Can't persist AOF for fsync error when the AOF fsync policy is 'always': " +
                   s.msg + ". Exiting...");
    }
    last_fsync_s_ = now;
  } else if (policy_ == FsyncPolicy::kEverySec && now > last_fsync_s_ && !fsync_busy) {
    StartBackgroundFsync();
    last_fsync_s_ = now;
  }
}

void Aof::WaitForBackgroundJobs() {
  if (worker_) worker_->WaitIdle();
}

std::string Aof::OnShutdown() {
  if (state_ == State::kOff) return {};
  // Turning the AOF on: until the first rewrite ends there is no complete AOF to restart
  // from, so a shutdown without FORCE is refused (the caller ignores this error with FORCE).
  if (state_ == State::kWaitRewrite) {
    Log(LogLevel::kWarning, "Writing initial AOF, can't exit.");
    return "Errors trying to SHUTDOWN. Check logs.";
  }
  if (rewrite_) AbortRewrite("shutdown", false);
  Flush(true);
  if (!buf_.empty()) return "Error writing to the AOF file on shutdown";
  WaitForBackgroundJobs();
  if (file_) {
    IoStatus s = file_->Sync();
    if (!s.ok()) {
      Log(LogLevel::kWarning, "Fail to fsync the AOF file: " + s.msg);
      return "Errors trying to shut down the server. Check the logs for more information.";
    }
  }
  return {};
}

// CONFIG SET appendonly yes: Redis's startAppendOnly — the AOF starts with a rewrite whose
// base is the current dataset; writes go to a temporary incr file until it completes.
std::string Aof::Enable() {
  if (state_ != State::kOff) return {};
  ReadConfig();
  IoStatus d = fs().MakeDir(DirPath());
  if (!d.ok()) {
    Log(LogLevel::kWarning, "Can't open or create append-only dir " + DirPath() + ": " + d.msg);
    return "Unable to turn on AOF. Check server logs.";
  }
  if (!manifest_.base && manifest_.incr.empty() &&
      fs().Exists(PathOf(aof::ManifestFileName(prefix())))) {
    std::string err = LoadManifestFromDisk();
    if (!err.empty()) {
      Log(LogLevel::kWarning, err);
      return "Unable to turn on AOF. Check server logs.";
    }
  }
  state_ = State::kWaitRewrite;
  if (server_.keyspace().snapshot_state().hook != nullptr) {  // a BGSAVE is running
    if (std::string err = OpenNewIncrForRewrite(); !err.empty()) {
      state_ = State::kOff;
      Log(LogLevel::kWarning, err);
      return "Unable to turn on AOF. Check server logs.";
    }
    rewrite_scheduled_ = true;
    server_.propagator().AddTarget(this);
    Log(LogLevel::kNotice,
        "AOF was enabled but there is already another background operation. An AOF background "
        "was scheduled to start when possible.");
    return {};
  }
  std::string err = BeginRewrite();
  if (!err.empty()) {
    state_ = State::kOff;
    CloseCurrentIncr();
    Log(LogLevel::kWarning,
        "Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. "
        "Check the above logs for more info about the error.");
    return "Unable to turn on AOF. Check server logs.";
  }
  server_.propagator().AddTarget(this);
  return {};
}

// CONFIG SET appendonly no: Redis's stopAppendOnly.
void Aof::Disable() {
  if (state_ == State::kOff) return;
  Flush(true);
  if (file_) (void)file_->Sync();
  if (rewrite_) AbortRewrite("AOF turned off", false);
  std::string temp_incr = state_ == State::kWaitRewrite ? file_path_ : std::string();
  CloseCurrentIncr();
  WaitForBackgroundJobs();
  if (!temp_incr.empty()) {  // never listed in the manifest: nothing refers to it
    Log(LogLevel::kNotice, "Removing the temp incr aof file " + temp_incr);
    (void)fs().Remove(temp_incr);
  }
  server_.propagator().RemoveTarget(this);
  state_ = State::kOff;
  buf_.clear();
  selected_db_ = -1;
  write_err_ = false;
  refusal_.clear();
  rewrite_scheduled_ = false;
}

void Aof::AppendInfo(std::string* out) {
  int64_t cur_rw = rewrite_ ? NowSec() - rewrite_start_s_ : -1;
  bool write_ok = !write_err_ && (!worker_ || worker_->last_err.load() == 0);
  out->append("aof_enabled:").append(state_ != State::kOff ? "1" : "0").append("\r\n");
  out->append("aof_rewrite_in_progress:").append(rewrite_ ? "1" : "0").append("\r\n");
  out->append("aof_rewrite_scheduled:").append(rewrite_scheduled_ ? "1" : "0").append("\r\n");
  out->append("aof_last_rewrite_time_sec:")
      .append(std::to_string(last_rewrite_time_s_))
      .append("\r\n");
  out->append("aof_current_rewrite_time_sec:").append(std::to_string(cur_rw)).append("\r\n");
  out->append("aof_last_bgrewrite_status:").append(last_rewrite_ok_ ? "ok" : "err").append("\r\n");
  out->append("aof_rewrites:").append(std::to_string(rewrites_)).append("\r\n");
  out->append("aof_rewrites_consecutive_failures:")
      .append(std::to_string(rewrite_failures_))
      .append("\r\n");
  out->append("aof_last_write_status:").append(write_ok ? "ok" : "err").append("\r\n");
  out->append(
      "aof_last_cow_size:0\r\nmodule_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n");
  if (state_ == State::kOff) return;
  out->append("aof_current_size:").append(std::to_string(current_size_)).append("\r\n");
  out->append("aof_base_size:").append(std::to_string(rewrite_base_size_)).append("\r\n");
  out->append("aof_pending_rewrite:").append(rewrite_scheduled_ ? "1" : "0").append("\r\n");
  out->append("aof_buffer_length:").append(std::to_string(buf_.size())).append("\r\n");
  out->append("aof_pending_bio_fsync:")
      .append(std::to_string(worker_ ? worker_->pending.load() : 0))
      .append("\r\n");
  out->append("aof_delayed_fsync:").append(std::to_string(delayed_fsync_)).append("\r\n");
}

}  // namespace ember
