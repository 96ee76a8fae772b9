// Loader: loading a dataset into the running server — at startup (the AOF directory when
// appendonly yes, else dir/dbfilename) and for DEBUG RELOAD / DEBUG LOADAOF — while answering
// clients -LOADING and logging progress, with INFO's loading_* fields.
// Ownership: Persistence owns it. Thread: command thread.
#pragma once

#include <cstdint>
#include <string>

namespace ember {

class Server;

class Loader {
 public:
  explicit Loader(Server& server) : server_(server) {}
  // "" or a fatal error to print before exiting.
  std::string LoadAtStartup();
  // DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: "" or the error reply.
  std::string DebugReload(bool merge, bool noflush, bool nosave);
  bool loading() const { return loading_; }
  void AppendInfo(std::string* out);

 private:
  Server& server_;
  bool loading_ = false;
};

}  // namespace ember
