// Persistence facade (see persistence.h): routes the server's hooks to the loader, the RDB
// saver and the AOF.
#include "persistence/persistence.h"

#include "persistence/aof.h"
#include "persistence/file_system.h"
#include "persistence/loading.h"
#include "persistence/rdb_saver.h"
#include "server/server.h"

namespace ember {

Persistence::Persistence(Server& server)
    : server_(server),
      fs_(&FileSystem::Posix()),
      loader_(std::make_unique<Loader>(server)),
      rdb_(std::make_unique<RdbSaver>(server)),
      aof_(std::make_unique<Aof>(server)) {}

Persistence::~Persistence() = default;

std::string Persistence::LoadAtStartup() { return loader_->LoadAtStartup(); }

bool Persistence::loading() const { return loader_->loading(); }

void Persistence::Cron() {
  rdb_->Cron();
  aof_->Cron();
}

void Persistence::BeforeSleep() { aof_->BeforeSleep(); }

std::string_view Persistence::WriteRefusal() const {
  std::string_view r = rdb_->WriteRefusal();
  return r.empty() ? aof_->WriteRefusal() : r;
}

void Persistence::AppendInfo(std::string* out) {
  loader_->AppendInfo(out);
  rdb_->AppendInfo(out);
  aof_->AppendInfo(out);
}

std::string Persistence::OnShutdown(bool force_save, bool no_save, bool force) {
  std::string err = aof_->OnShutdown();
  if (!err.empty() && !force) return err;
  return rdb_->OnShutdown(force_save, no_save, force);
}

}  // namespace ember
