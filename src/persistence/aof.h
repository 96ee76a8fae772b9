// Aof: the append-only file as Redis 7 lays it out (multi-part: appenddirname/, a manifest, a
// base file in RDB or AOF format and incremental files), appendfsync always|everysec|no,
// BGREWRITEAOF in the background, automatic rewrites, loading at startup.
// Ownership: Persistence owns it; it registers as a PropagationTarget while enabled.
// Thread: command thread (plus its own fsync thread).
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "server/propagate.h"

namespace ember {

class Server;

class Aof : public PropagationTarget {
 public:
  explicit Aof(Server& server) : server_(server) {}
  // Startup with appendonly yes: "" or a fatal error.
  std::string LoadAtStartup();
  void Propagate(int db, std::span<const std::string> argv) override {}
  void BeforeSleep() {}
  void Cron() {}
  // BGREWRITEAOF: the status reply text or an error reply ("-ERR ...").
  std::string StartRewrite() { return "-ERR not implemented"; }
  std::string_view WriteRefusal() const { return {}; }
  void AppendInfo(std::string* out);
  std::string OnShutdown() { return {}; }
  // DEBUG LOADAOF: flush the AOF, empty the dataset and load it again; "" or the error reply.
  std::string DebugLoad() { return "ERR DEBUG LOADAOF not built yet"; }

 private:
  Server& server_;
};

}  // namespace ember
