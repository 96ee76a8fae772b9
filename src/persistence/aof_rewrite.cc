// Aof (see aof.h): rewriting — BGREWRITEAOF, scheduled and automatic rewrites, and the rewrite
// that turns the AOF on at runtime. The new base is a forkless point-in-time snapshot
// (snapshot.h) taken the instant the new incr file opens, so base + new incr replay to the
// dataset exactly; it is emitted in slices on the command thread and written by a background
// writer. Two base formats: the RDB preamble (aof-use-rdb-preamble yes, Redis's default) and
// AOF commands — SET/PEXPIREAT for strings, RESTORE with a DUMP payload for the other types
// (which Redis also replays), FUNCTION LOAD for libraries.
#include <unistd.h>

#include <algorithm>

#include "core/clock.h"
#include "persistence/aof.h"
#include "persistence/aof_internal.h"
#include "persistence/file_system.h"
#include "persistence/loading.h"
#include "persistence/persistence.h"
#include "persistence/rdb_emitter.h"
#include "persistence/rdb_file.h"
#include "persistence/rdb_value.h"
#include "persistence/snapshot.h"
#include "server/errors.h"
#include "server/log.h"
#include "server/server.h"

namespace ember {
namespace {

using Sink = std::function<bool(std::string_view)>;

// AOF-format base: commands that rebuild each entry.
class CommandBaseEmitter final : public SnapshotEmitter {
 public:
  // `timestamp_s` > 0: the base starts with a "#TS:" annotation (aof-timestamp-enabled).
  CommandBaseEmitter(Sink sink, std::vector<std::string> function_codes, int64_t timestamp_s)
      : sink_(std::move(sink)), functions_(std::move(function_codes)), timestamp_s_(timestamp_s) {}
  void Begin() override {
    if (timestamp_s_ > 0) buf_ += "#TS:" + std::to_string(timestamp_s_) + "\r\n";
    for (const std::string& code : functions_) {
      aof::AppendCommand(
          &buf_, {std::string_view("FUNCTION"), std::string_view("LOAD"), std::string_view(code)});
    }
    MaybeFlush();
  }
  void Emit(int db, const KvEntry& e, const Db&) override {
    if (db != cur_db_) {
      std::string n = std::to_string(db);
      aof::AppendCommand(&buf_, {std::string_view("SELECT"), std::string_view(n)});
      cur_db_ = db;
    }
    if (e.type() == ObjType::kString) {
      char scratch[32];
      aof::AppendCommand(&buf_, {std::string_view("SET"), e.key(), e.StringValue(scratch)});
    } else {
      std::string payload = DumpPayload(e);
      aof::AppendCommand(&buf_, {std::string_view("RESTORE"), e.key(), std::string_view("0"),
                                 std::string_view(payload)});
    }
    if (e.has_expire()) {
      std::string when = std::to_string(e.expire_ms());
      aof::AppendCommand(&buf_, {std::string_view("PEXPIREAT"), e.key(), std::string_view(when)});
    }
    MaybeFlush();
  }
  void End() override {
    if (ok_ && !buf_.empty()) ok_ = sink_(buf_);
    buf_.clear();
  }
  bool ok() const override { return ok_; }

 private:
  void MaybeFlush() {
    if (buf_.size() < (64 << 10)) return;
    if (ok_) ok_ = sink_(buf_);
    buf_.clear();
  }
  Sink sink_;
  std::vector<std::string> functions_;
  int64_t timestamp_s_;
  std::string buf_;
  int cur_db_ = -1;
  bool ok_ = true;
};

std::unique_ptr<SnapshotEmitter> MakeEmitter(Server& server, bool rdb, Sink sink) {
  RdbSaveOptions opt = RdbSaveOptionsFor(server);
  if (rdb) {
    return std::make_unique<RdbSnapshotEmitter>(std::move(sink), std::move(opt),
                                                server.clock().NowMs() / 1000, /*aof_base=*/true);
  }
  int64_t ts = server.config().GetValue("aof-timestamp-enabled") == "yes"
                   ? server.clock().NowMs() / 1000
                   : 0;
  return std::make_unique<CommandBaseEmitter>(std::move(sink), std::move(opt.function_codes), ts);
}

std::string TempRewriteName() {
  return "temp-rewriteaof-bg-" + std::to_string(int(getpid())) + ".aof";
}

}  // namespace

std::string Aof::StartRewrite() {
  if (rewrite_) return "-" + std::string(errors::kAofRewriteInProgress);
  if (server_.keyspace().snapshot_state().hook != nullptr) {  // a BGSAVE is running
    rewrite_scheduled_ = true;
    return "Background append only file rewriting scheduled";
  }
  if (!BeginRewrite().empty()) return "-" + std::string(errors::kAofRewriteFailed);
  return "Background append only file rewriting started";
}

void Aof::ScheduleRewrite() { rewrite_scheduled_ = true; }

std::string Aof::BeginRewrite() {
  if (rewrite_) return "a rewrite is already running";
  if (server_.keyspace().snapshot_state().hook != nullptr) return "another snapshot is running";
  if (IoStatus st = fs().MakeDir(DirPath()); !st.ok()) {
    Log(LogLevel::kWarning, "Can't open or create append-only dir " + DirPath() + ": " + st.msg);
    return st.msg;
  }
  // Everything propagated so far belongs to the old incr file, before the snapshot's instant.
  if (state_ == State::kOn) Flush(true);
  // While the AOF is being turned on, what was buffered is part of the snapshot about to start
  // (the temporary incr file restarts empty below).
  if (state_ == State::kWaitRewrite) buf_.clear();
  if (state_ != State::kOff) {
    if (std::string err = OpenNewIncrForRewrite(); !err.empty()) {
      Log(LogLevel::kWarning, err);
      return err;
    }
  }
  auto job = std::make_unique<RewriteJob>();
  job->rdb = server_.config().GetValue("aof-use-rdb-preamble") == "yes";
  job->temp_path = PathOf(TempRewriteName());
  std::unique_ptr<WritableFile> file;
  if (IoStatus st = fs().OpenWritable(job->temp_path, false, &file); !st.ok()) {
    Log(LogLevel::kWarning,
        "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): " + st.msg);
    return st.msg;
  }
  job->writer = std::make_shared<BackgroundFileWriter>(std::move(file));
  std::shared_ptr<BackgroundFileWriter> writer = job->writer;
  Sink sink = [writer](std::string_view chunk) { return writer->Push(std::string(chunk)); };
  job->snap = Snapshot::Start(server_.keyspace(), MakeEmitter(server_, job->rdb, sink));
  if (!job->snap) {
    (void)job->writer->Finish();
    (void)fs().Remove(job->temp_path);
    return "another snapshot is running";
  }
  rewrite_ = std::move(job);
  rewrite_scheduled_ = false;
  rewrite_start_s_ = NowSec();
  Log(LogLevel::kNotice, "Background append only file rewriting started");
  return {};
}

void Aof::StepRewrite(int64_t budget_us) {
  if (!rewrite_) return;
  // rdb-key-save-delay (a testing knob Redis's suite uses to keep a rewrite running): about
  // one key per `delay` microseconds, without blocking the command thread.
  int64_t delay = strtoll(server_.config().GetValue("rdb-key-save-delay").c_str(), nullptr, 10);
  int64_t now_us = SystemClock::MonotonicUs();
  if (delay > 0 && now_us < rewrite_->next_step_us) return;
  uint64_t before = rewrite_->snap->keys_emitted();
  bool done = rewrite_->snap->done() || rewrite_->snap->Step(delay > 0 ? 1 : budget_us);
  if (!rewrite_->snap->ok()) return AbortRewrite("error writing the new base");
  if (delay > 0) {
    uint64_t n = std::max<uint64_t>(1, rewrite_->snap->keys_emitted() - before);
    rewrite_->next_step_us = now_us + delay * int64_t(n);
    if (done && !rewrite_->delay_paid) {  // the last keys' delay passes before completion
      rewrite_->delay_paid = true;
      return;
    }
  }
  if (done) CompleteRewrite();
}

void Aof::FinishRewrite() {
  if (!rewrite_) return;
  rewrite_->snap->Finish();
  if (!rewrite_->snap->ok()) return AbortRewrite("error writing the new base");
  CompleteRewrite();
}

void Aof::RewriteFailed() {
  last_rewrite_ok_ = false;
  rewrite_failures_++;
  if (rewrite_failures_ >= 3) {  // Redis's aofRewriteLimited: back off 1, 2, 4 ... 60 minutes
    rewrite_delay_minutes_ = rewrite_delay_minutes_ ? std::min(rewrite_delay_minutes_ * 2, 60) : 1;
    next_rewrite_allowed_s_ = NowSec() + rewrite_delay_minutes_ * 60;
    Logf(LogLevel::kWarning,
         "Background AOF rewrite has repeatedly failed and triggered the limit, will retry in %d "
         "minutes",
         rewrite_delay_minutes_);
  }
  // Turning the AOF on needs a base: try again from the cron.
  if (state_ == State::kWaitRewrite) rewrite_scheduled_ = true;
}

void Aof::AbortRewrite(const std::string& why, bool failure) {
  if (!rewrite_) return;
  // Worded as Redis's log line (there is no child: the forkless snapshot is stopped).
  Log(LogLevel::kNotice, "Killing running AOF rewrite child: " + why);
  std::string temp = rewrite_->temp_path;
  rewrite_->snap.reset();
  (void)rewrite_->writer->Finish();
  rewrite_.reset();
  (void)fs().Remove(temp);
  last_rewrite_time_s_ = NowSec() - rewrite_start_s_;
  if (failure) RewriteFailed();
}

// Redis's backgroundRewriteDoneHandler: the temp file becomes the new base, the previous base
// and incr files (all but the one opened at rewrite start) become history, the manifest is
// replaced atomically and the history files deleted.
void Aof::CompleteRewrite() {
  std::unique_ptr<RewriteJob> job = std::move(rewrite_);
  job->snap.reset();
  IoStatus st = job->writer->Finish();
  auto fail = [&](const std::string& msg) {
    Log(LogLevel::kWarning, "Background AOF rewrite failed: " + msg);
    (void)fs().Remove(job->temp_path);
    last_rewrite_time_s_ = NowSec() - rewrite_start_s_;
    RewriteFailed();
  };
  if (!st.ok()) return fail(st.msg);
  uint64_t base_size = job->writer->bytes_written();

  aof::Manifest m = manifest_;
  m.curr_base_seq++;
  std::string base_name = aof::BaseFileName(prefix(), m.curr_base_seq, job->rdb);
  if (IoStatus r = fs().Rename(job->temp_path, PathOf(base_name)); !r.ok()) {
    return fail("Error trying to rename the temporary AOF base file: " + r.msg);
  }
  // Files turn into history at the front of the list, as Redis orders them: the old base,
  // then each rewritten incr file.
  if (m.base) {
    m.history.insert(m.history.begin(), {m.base->name, m.base->seq, aof::FileType::kHistory});
  }
  m.base = aof::FileInfo{base_name, m.curr_base_seq, aof::FileType::kBase};
  size_t keep = state_ == State::kOn ? 1 : 0;  // the incr file opened at rewrite start
  while (m.incr.size() > keep) {
    aof::FileInfo f = m.incr.front();
    m.incr.erase(m.incr.begin());
    f.type = aof::FileType::kHistory;
    m.history.insert(m.history.begin(), std::move(f));
  }
  std::string incr_name;
  if (state_ == State::kWaitRewrite) {  // the temp incr file becomes a real one
    m.curr_incr_seq++;
    incr_name = aof::IncrFileName(prefix(), m.curr_incr_seq);
    if (IoStatus r = fs().Rename(file_path_, PathOf(incr_name)); !r.ok()) {
      (void)fs().Remove(PathOf(base_name));
      return fail("Error trying to rename the temporary AOF incr file: " + r.msg);
    }
    m.incr.push_back({incr_name, m.curr_incr_seq, aof::FileType::kIncr});
  }
  aof::Manifest old = std::exchange(manifest_, std::move(m));
  if (!PersistManifest().empty()) {
    manifest_ = std::move(old);
    if (!incr_name.empty()) (void)fs().Rename(PathOf(incr_name), file_path_);
    (void)fs().Remove(PathOf(base_name));
    return fail("can't persist the manifest");
  }
  if (!incr_name.empty()) {
    file_path_ = PathOf(incr_name);
    state_ = State::kOn;
  }
  DeleteHistoryFiles();
  base_size_ = base_size;
  current_size_ = base_size + (state_ == State::kOn ? file_size_ : 0);
  rewrite_base_size_ = current_size_;
  last_rewrite_time_s_ = NowSec() - rewrite_start_s_;
  last_rewrite_ok_ = true;
  rewrites_++;
  rewrite_failures_ = 0;
  rewrite_delay_minutes_ = 0;
  next_rewrite_allowed_s_ = 0;
  Log(LogLevel::kNotice, "Background AOF rewrite terminated with success");
  Log(LogLevel::kNotice, "Background AOF rewrite finished successfully");
}

// The base written at startup when there is none (Redis rewrites synchronously there too):
// the current dataset, written to a temp file, fsynced and renamed.
std::string Aof::WriteBaseSync(const std::string& path) {
  std::string temp = PathOf("temp-rewriteaof-" + std::to_string(int(getpid())) + ".aof");
  std::unique_ptr<WritableFile> file;
  if (IoStatus st = fs().OpenWritable(temp, false, &file); !st.ok()) {
    return "Opening the temp file for AOF rewrite in rewriteAppendOnlyFile(): " + st.msg;
  }
  WritableFile* f = file.get();
  IoStatus io;
  Sink sink = [f, &io](std::string_view chunk) {
    if (io.ok()) io = f->Append(chunk);
    return io.ok();
  };
  bool rdb = server_.config().GetValue("aof-use-rdb-preamble") == "yes";
  std::unique_ptr<SnapshotEmitter> em = MakeEmitter(server_, rdb, sink);
  em->Begin();
  Keyspace& ks = server_.keyspace();
  for (int i = 0; i < ks.num_dbs() && em->ok(); i++) {
    Db& db = ks.db(i);
    uint64_t cursor = 0;
    do {
      cursor = db.Scan(cursor, [&](KvEntry* e) { em->Emit(i, *e, db); });
    } while (cursor != 0 && em->ok());
  }
  em->End();
  if (io.ok() && !em->ok()) io.err = EIO, io.msg = "write error";
  if (io.ok()) io = f->Sync();
  IoStatus closed = f->Close();
  if (io.ok()) io = closed;
  if (io.ok()) io = fs().Rename(temp, path);
  if (io.ok()) io = fs().SyncDir(DirPath());
  if (!io.ok()) {
    (void)fs().Remove(temp);
    return "Write error writing append only file on disk: " + io.msg;
  }
  return {};
}

// Scheduled rewrites (BGREWRITEAOF during a BGSAVE or EXEC, a failed enable) and
// auto-aof-rewrite-percentage / auto-aof-rewrite-min-size.
void Aof::MaybeAutoRewrite() {
  if (rewrite_ || server_.keyspace().snapshot_state().hook != nullptr) return;
  if (rewrite_failures_ >= 3 && NowSec() < next_rewrite_allowed_s_) return;
  if (rewrite_scheduled_) {
    (void)BeginRewrite();
    return;
  }
  if (state_ != State::kOn) return;
  int64_t perc =
      strtoll(server_.config().GetValue("auto-aof-rewrite-percentage").c_str(), nullptr, 10);
  int64_t min =
      strtoll(server_.config().GetValue("auto-aof-rewrite-min-size").c_str(), nullptr, 10);
  if (perc <= 0 || int64_t(current_size_) <= min) return;
  int64_t base = rewrite_base_size_ ? int64_t(rewrite_base_size_) : 1;
  int64_t growth = int64_t(current_size_) * 100 / base - 100;
  if (growth < perc) return;
  Logf(LogLevel::kNotice, "Starting automatic rewriting of AOF on %lld%% growth",
       static_cast<long long>(growth));
  (void)BeginRewrite();
}

}  // namespace ember
