// RdbSaver: SAVE, BGSAVE [SCHEDULE] (forkless, snapshot.h), save points, LASTSAVE,
// stop-writes-on-bgsave-error, and INFO's rdb_* fields.
// Ownership: Persistence owns it. Thread: command thread.
#pragma once

#include <cstdint>
#include <string>

namespace ember {

class Server;

class RdbSaver {
 public:
  explicit RdbSaver(Server& server) : server_(server) {}
  // SAVE: "" or the error reply.
  std::string Save();
  // BGSAVE: the status reply text ("Background saving started") or an error reply ("-ERR ...").
  std::string BackgroundSave(bool schedule);
  int64_t lastsave() const { return lastsave_; }
  void Cron();
  // "" or the -MISCONF error while the last background save failed and
  // stop-writes-on-bgsave-error is yes.
  std::string_view WriteRefusal() const { return {}; }
  void AppendInfo(std::string* out);
  std::string OnShutdown(bool force_save, bool no_save, bool force);

 private:
  Server& server_;
  int64_t lastsave_ = 0;
};

}  // namespace ember
