// Aof (see aof.h): the AOF directory on disk — reading and atomically replacing the manifest,
// upgrading a Redis 6 single-file AOF into the multi-part layout, loading the base (RDB
// preamble or commands) and incr files through an unlisted fake client (MULTI/EXEC blocks
// applied at EXEC, truncated tails handled per aof-load-truncated), creating the base/incr
// files at startup, opening incr files, deleting history files, and DEBUG LOADAOF.
#include <cctype>
#include <cinttypes>
#include <cstring>

#include "persistence/aof.h"
#include "persistence/aof_internal.h"
#include "persistence/file_system.h"
#include "persistence/loading.h"
#include "persistence/persistence.h"
#include "persistence/rdb_file.h"
#include "scripting/functions.h"
#include "scripting/scripting.h"
#include "server/arg_parser.h"
#include "server/command_table.h"
#include "server/log.h"
#include "server/server.h"

namespace ember {
namespace {}  // namespace

std::string Aof::LoadAtStartup() {
  ReadConfig();
  std::string err = LoadManifestFromDisk();
  if (err.empty()) err = UpgradeOldStyle();
  bool loaded = false;
  if (err.empty()) err = LoadFiles(&loaded);
  if (!err.empty()) return err;
  if (loaded) Log(LogLevel::kNotice, "DB loaded from append only file");
  err = OpenOnStart();
  if (!err.empty()) return err;
  state_ = State::kOn;
  server_.propagator().AddTarget(this);
  return {};
}

std::string Aof::LoadManifestFromDisk() {
  manifest_ = aof::Manifest();
  if (!fs().Exists(DirPath())) {
    Log(LogLevel::kDebug, "The AOF directory " + DirPath() + " doesn't exist");
    return {};
  }
  std::string path = PathOf(aof::ManifestFileName(prefix()));
  if (!fs().Exists(path)) {
    Log(LogLevel::kDebug, "The AOF manifest file " + path + " doesn't exist");
    return {};
  }
  std::unique_ptr<MappedFile> file;
  if (IoStatus st = fs().Map(path, &file); !st.ok()) {
    return "Fatal error: can't open the AOF manifest " + path + " for reading: " + st.msg;
  }
  aof::ManifestError merr;
  if (!aof::ParseManifest(file->data(), &manifest_, &merr)) return merr.Describe();
  return {};
}

// Redis 7's upgrade of an old single-file AOF (appendfilename in the working directory): it
// becomes the base of a new manifest and moves into appenddirname.
std::string Aof::UpgradeOldStyle() {
  const std::string& old = prefix();
  if (!fs().Exists(old)) return {};
  bool upgrade = !fs().Exists(DirPath()) || manifest_.empty() ||
                 (manifest_.base && manifest_.incr.empty() && manifest_.base->name == old &&
                  !fs().Exists(PathOf(old)));
  if (!upgrade) return {};
  if (IoStatus st = fs().MakeDir(DirPath()); !st.ok()) {
    return "Can't open or create append-only dir " + DirPath() + ": " + st.msg;
  }
  manifest_.base = aof::FileInfo{old, 1, aof::FileType::kBase};
  manifest_.curr_base_seq = 1;
  if (std::string err = PersistManifest(); !err.empty()) return err;
  if (IoStatus st = fs().Rename(old, PathOf(old)); !st.ok()) {
    return "Error trying to move the old AOF file " + old + " into dir " + DirPath() + ": " +
           st.msg;
  }
  Log(LogLevel::kNotice, "Successfully migrated an old-style AOF file (" + old +
                             ") into the AOF directory (" + DirPath() + ").");
  return {};
}

std::string Aof::LoadFiles(bool* loaded_any) {
  *loaded_any = false;
  if (manifest_.empty()) return {};
  std::vector<const aof::FileInfo*> files;
  if (manifest_.base) files.push_back(&*manifest_.base);
  for (const aof::FileInfo& f : manifest_.incr) files.push_back(&f);
  uint64_t total = 0, base_size = 0;
  for (const aof::FileInfo* f : files) {
    uint64_t size = 0;
    if (IoStatus st = fs().FileSize(PathOf(f->name), &size); !st.ok()) {
      return "Unable to obtain the AOF file " + f->name + " length. stat: " + st.msg;
    }
    if (f->type == aof::FileType::kBase) base_size = size;
    total += size;
  }
  if (total == 0) return {};
  Loader& loader = server_.persistence().loader();
  loader.BeginLoading(total, 0);
  // Replayed commands must not be propagated back into the AOF (or anywhere else).
  bool was_target = state_ != State::kOff;
  if (was_target) server_.propagator().RemoveTarget(this);
  std::string err;
  for (size_t i = 0; i < files.size() && err.empty(); i++) {
    bool last = i + 1 == files.size();
    bool truncated = false;
    int64_t start = SystemClock::MonotonicUs();
    err = LoadOneFile(*files[i], last, &truncated);
    if (err.empty()) {
      Logf(LogLevel::kNotice, "DB loaded from %s file %s: %.3f seconds",
           files[i]->type == aof::FileType::kBase ? "base" : "incr", files[i]->name.c_str(),
           double(SystemClock::MonotonicUs() - start) / 1e6);
    }
  }
  if (was_target) server_.propagator().AddTarget(this);
  loader.EndLoading(server_.keyspace().TotalKeys(), 0);
  if (!err.empty()) return err;
  *loaded_any = true;
  current_size_ = 0;
  for (const aof::FileInfo* f : files) {
    uint64_t size = 0;
    if (fs().FileSize(PathOf(f->name), &size).ok()) current_size_ += size;
  }
  base_size_ = rewrite_base_size_ = base_size;
  return {};
}

std::string Aof::LoadOneFile(const aof::FileInfo& f, bool last, bool* truncated) {
  std::string path = PathOf(f.name);
  std::unique_ptr<MappedFile> file;
  if (IoStatus st = fs().Map(path, &file); !st.ok()) {
    return "Fatal error: can't open the append log file " + f.name + " for reading: " + st.msg;
  }
  std::string_view data = file->data();
  if (data.empty()) return {};
  size_t start = 0;
  if (data.substr(0, 5) == "REDIS") {
    bool base = f.type == aof::FileType::kBase;
    Log(LogLevel::kNotice, base && f.name.ends_with(".rdb")
                               ? "Reading RDB base file on AOF loading..."
                               : "Reading RDB preamble from AOF file...");
    RdbLoadOptions opt = RdbLoadOptionsFor(server_);
    opt.skip_expired = false;  // as Redis for an AOF preamble: the commands may refer to them
    Loader& loader = server_.persistence().loader();
    opt.on_progress = [&loader](uint64_t bytes) { loader.Progress(bytes); };
    opt.on_function = [this](std::string_view code, std::string* err) {
      std::string name;
      *err = server_.scripting().libraries().Load(code, false, &name);
      return err->empty();
    };
    RdbLoadResult res;
    std::string err;
    if (!LoadRdb(data, server_.keyspace(), opt, &res, &err)) {
      return "Error reading the RDB " +
             std::string(f.name.ends_with(".rdb") ? "base file " : "preamble of the AOF file ") +
             f.name + ", AOF loading aborted: " + err;
    }
    start = res.bytes_consumed;
    if (start < data.size()) Log(LogLevel::kNotice, "Reading the remaining AOF tail...");
  }
  return ExecuteCommands(data, start, f.name, last, path, truncated);
}

// Redis's loadSingleAppendOnlyFile for the command part.
std::string Aof::ExecuteCommands(std::string_view data, size_t start, const std::string& name,
                                 bool last, const std::string& path, bool* truncated) {
  const CommandTable& table = CommandTable::Instance();
  std::unique_ptr<Client> client = server_.CreateUnlistedClient();
  aof::CommandReader reader(data, start);
  std::vector<std::string_view> argv;
  struct Queued {
    const CommandSpec* cmd;
    std::vector<std::string_view> argv;
  };
  std::vector<Queued> multi;
  bool in_multi = false;
  size_t valid_up_to = start, valid_before_multi = start;
  Loader& loader = server_.persistence().loader();
  uint64_t last_progress = 0;
  aof::ReadStatus st;
  while ((st = reader.Next(&argv)) == aof::ReadStatus::kCommand) {
    const CommandSpec* cmd = table.Find(argv[0]);
    if (cmd && !cmd->subcommands.empty() && argv.size() >= 2) cmd = table.FindSub(cmd, argv[1]);
    if (!cmd) {
      return "Unknown command '" + std::string(argv[0]) + "' reading the append only file " + name;
    }
    int argc = int(argv.size());
    if ((cmd->arity > 0 && argc != cmd->arity) || argc < -cmd->arity) {
      return "Bad file format reading the append only file " + name + " (wrong number of " +
             "arguments for '" + cmd->name + "' at offset " +
             std::to_string(reader.error_offset()) +
             "): make a backup of your AOF file, then use ./redis-check-aof --fix "
             "<filename.manifest>";
    }
    if (EqualsIgnoreCase(cmd->name, "multi")) {
      if (!in_multi) valid_before_multi = valid_up_to;
      in_multi = true;
    } else if (EqualsIgnoreCase(cmd->name, "exec")) {
      if (in_multi) {
        for (Queued& q : multi) {
          server_.Call(*client, *q.cmd, q.argv);
          client->obuf.clear();
        }
      }
      multi.clear();
      in_multi = false;
    } else if (in_multi) {
      multi.push_back({cmd, argv});
    } else {
      server_.Call(*client, *cmd, argv);
      client->obuf.clear();
      if (client->flags & kClientBlocked) {  // never written by a server; refuse, don't wait
        server_.blocking().RemoveClient(*client);
        return "Bad file format reading the append only file " + name +
               " (the blocking "
               "command '" +
               cmd->name + "' at offset " + std::to_string(reader.error_offset()) + " would block)";
      }
    }
    valid_up_to = reader.offset();
    if (valid_up_to - last_progress >= (1 << 20)) {
      last_progress = valid_up_to;
      loader.Progress(valid_up_to);
    }
  }
  if (st == aof::ReadStatus::kEnd && !in_multi) return {};
  if (st == aof::ReadStatus::kFormat) {
    return "Bad file format reading the append only file " + name + " (at offset " +
           std::to_string(reader.error_offset()) +
           "): make a backup of your AOF file, then use ./redis-check-aof --fix "
           "<filename.manifest>";
  }
  if (st == aof::ReadStatus::kEnd) {  // the data ended inside MULTI: drop the open block
    Log(LogLevel::kWarning, "Revert incomplete MULTI/EXEC transaction in AOF file " + name);
  }
  if (in_multi) valid_up_to = valid_before_multi;
  bool allow = server_.config().GetValue("aof-load-truncated") == "yes";
  if (allow) {
    if (!last) return "Fatal error: the truncated file is not the last file";
    Log(LogLevel::kWarning, "!!! Warning: short read while loading the AOF file " + name + "!!!");
    Log(LogLevel::kWarning,
        "!!! Truncating the AOF " + name + " at offset " + std::to_string(valid_up_to) + " !!!");
    IoStatus t = fs().Truncate(path, valid_up_to);
    if (t.ok()) {
      Log(LogLevel::kWarning,
          "AOF " + name + " loaded anyway because aof-load-truncated is enabled");
      *truncated = true;
      return {};
    }
    Log(LogLevel::kWarning, "Error truncating the AOF file " + name + ": " + t.msg);
  }
  return "Unexpected end of file reading the append only file " + name +
         " (last valid command ends at offset " + std::to_string(valid_up_to) +
         "). You can: 1) Make a backup of your AOF file, then use ./redis-check-aof --fix "
         "<filename.manifest>. 2) Alternatively you can set the 'aof-load-truncated' "
         "configuration option to yes and restart the server.";
}

// Redis's aofOpenIfNeededOnServerStart: a base from the (empty) dataset when there is none,
// the last incr file opened for appending (a new one when there is none), history deleted.
std::string Aof::OpenOnStart() {
  if (IoStatus st = fs().MakeDir(DirPath()); !st.ok()) {
    return "Can't open or create append-only dir " + DirPath() + ": " + st.msg;
  }
  bool dirty = false;
  if (!manifest_.base && manifest_.incr.empty()) {
    bool rdb = server_.config().GetValue("aof-use-rdb-preamble") == "yes";
    std::string name = aof::BaseFileName(prefix(), manifest_.curr_base_seq + 1, rdb);
    Log(LogLevel::kNotice, "Creating AOF base file " + name + " on server start");
    if (std::string err = WriteBaseSync(PathOf(name)); !err.empty()) return err;
    manifest_.curr_base_seq++;
    manifest_.base = aof::FileInfo{name, manifest_.curr_base_seq, aof::FileType::kBase};
    uint64_t size = 0;
    (void)fs().FileSize(PathOf(name), &size);
    base_size_ = rewrite_base_size_ = size;
    current_size_ = size;
    dirty = true;
  }
  std::string incr;
  bool create = manifest_.incr.empty();
  if (create) {
    manifest_.curr_incr_seq++;
    incr = aof::IncrFileName(prefix(), manifest_.curr_incr_seq);
    manifest_.incr.push_back({incr, manifest_.curr_incr_seq, aof::FileType::kIncr});
    dirty = true;
    Log(LogLevel::kNotice, "Creating AOF incr file " + incr + " on server start");
  } else {
    incr = manifest_.incr.back().name;
    Log(LogLevel::kNotice, "Opening AOF incr file " + incr + " on server start");
  }
  if (std::string err = OpenIncr(PathOf(incr), create); !err.empty()) return err;
  if (dirty) {
    if (std::string err = PersistManifest(); !err.empty()) return err;
  }
  DeleteHistoryFiles();
  return {};
}

std::string Aof::OpenIncr(const std::string& path, bool create) {
  std::unique_ptr<WritableFile> f;
  IoStatus st = fs().OpenWritable(path, !create, &f);
  if (!st.ok()) return "Can't open the append-only file " + path + ": " + st.msg;
  CloseCurrentIncr();
  file_ = std::move(f);
  file_path_ = path;
  file_size_ = file_->size();
  selected_db_ = -1;
  last_ts_ = 0;
  return {};
}

void Aof::CloseCurrentIncr() {
  if (!file_) return;
  if (!worker_) worker_ = std::make_unique<FsyncWorker>();
  worker_->Push({std::move(file_), file_size_, true});
  file_.reset();
  file_path_.clear();
  file_size_ = 0;
}

// Redis's openNewIncrAofForAppend: the writes after a rewrite starts go to a new incr file
// (listed in the manifest at once), or to a temporary one while the AOF is being turned on.
std::string Aof::OpenNewIncrForRewrite() {
  if (state_ == State::kWaitRewrite) {
    std::string path = PathOf(aof::TempIncrFileName(prefix()));
    std::string err = OpenIncr(path, true);
    if (err.empty())
      Log(LogLevel::kNotice, "Creating AOF incr file " + path + " on background rewrite");
    return err;
  }
  aof::Manifest saved = manifest_;
  manifest_.curr_incr_seq++;
  std::string name = aof::IncrFileName(prefix(), manifest_.curr_incr_seq);
  std::unique_ptr<WritableFile> f;
  IoStatus st = fs().OpenWritable(PathOf(name), false, &f);
  if (!st.ok()) {
    manifest_ = std::move(saved);
    return "Can't open the append-only file " + name + ": " + st.msg;
  }
  manifest_.incr.push_back({name, manifest_.curr_incr_seq, aof::FileType::kIncr});
  if (std::string err = PersistManifest(); !err.empty()) {
    manifest_ = std::move(saved);
    (void)f->Close();
    (void)fs().Remove(PathOf(name));
    return err;
  }
  CloseCurrentIncr();
  file_ = std::move(f);
  file_path_ = PathOf(name);
  file_size_ = 0;
  selected_db_ = -1;
  last_ts_ = 0;
  Log(LogLevel::kNotice, "Creating AOF incr file " + name + " on background rewrite");
  return {};
}

std::string Aof::PersistManifest() {
  std::string path = PathOf(aof::ManifestFileName(prefix()));
  IoStatus st = fs().WriteFileAtomically(path, manifest_.ToString());
  if (!st.ok()) {
    std::string err = "Error trying to write the AOF manifest file " + path + ": " + st.msg;
    Log(LogLevel::kWarning, err);
    return err;
  }
  return {};
}

void Aof::DeleteHistoryFiles() {
  if (manifest_.history.empty()) return;
  if (server_.config().GetValue("aof-disable-auto-gc") == "yes") return;
  for (const aof::FileInfo& f : manifest_.history) {
    Log(LogLevel::kNotice, "Removing the history file " + f.name + " in the background");
    (void)fs().Remove(PathOf(f.name));
  }
  manifest_.history.clear();
  (void)PersistManifest();
}

// DEBUG LOADAOF: Redis flushes the AOF, empties the dataset and loads the files again.
std::string Aof::DebugLoad() {
  if (state_ == State::kOn) Flush(true);
  if (rewrite_) AbortRewrite("DEBUG LOADAOF", false);
  server_.keyspace().FlushAll();
  if (Scripting* s = server_.scripting_if_created()) s->libraries().Flush();
  aof::Manifest before = manifest_;
  std::string err = LoadManifestFromDisk();
  bool loaded = false;
  if (err.empty()) err = LoadFiles(&loaded);
  if (!err.empty()) {
    manifest_ = std::move(before);
    Log(LogLevel::kWarning, "DEBUG LOADAOF: " + err);
    return "ERR Error loading the AOF: " + err;
  }
  if (state_ != State::kOff) {  // the open incr file continues
    manifest_.curr_base_seq = std::max(manifest_.curr_base_seq, before.curr_base_seq);
    manifest_.curr_incr_seq = std::max(manifest_.curr_incr_seq, before.curr_incr_seq);
  }
  return {};
}

}  // namespace ember
