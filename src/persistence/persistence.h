// Persistence: the server's durability machinery in one place — the file system it writes
// through, startup/DEBUG loading (loading.h), RDB snapshots and save points (rdb_saver.h), and
// the append-only file (aof.h). The Server owns one Persistence and calls its hooks: Cron()
// every tick, BeforeSleep() before replies are written (so an appendfsync-always write is on
// disk before its reply leaves), WriteRefusal() in the dispatcher (-MISCONF, AOF errors),
// AppendInfo() for INFO persistence.
// Ownership: Server owns Persistence; Persistence owns its three parts. Thread: command thread.
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace ember {

class Server;
class FileSystem;
class Loader;
class RdbSaver;
class Aof;

class Persistence {
 public:
  explicit Persistence(Server& server);
  ~Persistence();

  FileSystem& fs() { return *fs_; }
  // Tests inject a FaultyFileSystem (not owned; must outlive the server's use of it).
  void set_file_system(FileSystem* fs) { fs_ = fs; }

  Loader& loader() { return *loader_; }
  RdbSaver& rdb() { return *rdb_; }
  Aof& aof() { return *aof_; }

  // Startup: loads the AOF directory (appendonly yes) or the RDB file. "" or a fatal error.
  std::string LoadAtStartup();
  // True while a dataset is being loaded: commands without the `loading` flag get -LOADING.
  bool loading() const;

  void Cron();
  void BeforeSleep();
  // "" when writes may run, else the error reply for a write (-MISCONF ..., AOF write error).
  std::string_view WriteRefusal() const;
  // INFO persistence section body (fields only, no header).
  void AppendInfo(std::string* out);
  // SHUTDOWN: final AOF fsync, save if save points are set (or `force_save`/`no_save`).
  // Returns "" or the error that makes SHUTDOWN refuse (unless `force`).
  std::string OnShutdown(bool force_save, bool no_save, bool force);

 private:
  Server& server_;
  FileSystem* fs_;
  std::unique_ptr<Loader> loader_;
  std::unique_ptr<RdbSaver> rdb_;
  std::unique_ptr<Aof> aof_;
};

}  // namespace ember
