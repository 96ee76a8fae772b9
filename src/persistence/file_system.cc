// PosixFileSystem and FaultyFileSystem (see file_system.h). Placeholder.
#include "persistence/file_system.h"

#include <cerrno>

namespace ember {

namespace {
class PosixFileSystem final : public FileSystem {
 public:
  IoStatus OpenWritable(const std::string& p, bool, std::unique_ptr<WritableFile>*) override {
    return IoStatus::FromErrno(ENOSYS, "open", p);
  }
  IoStatus Map(const std::string& p, std::unique_ptr<MappedFile>*) override {
    return IoStatus::FromErrno(ENOSYS, "map", p);
  }
  IoStatus Rename(const std::string& f, const std::string&) override {
    return IoStatus::FromErrno(ENOSYS, "rename", f);
  }
  IoStatus Remove(const std::string& p) override { return IoStatus::FromErrno(ENOSYS, "rm", p); }
  IoStatus Truncate(const std::string& p, uint64_t) override {
    return IoStatus::FromErrno(ENOSYS, "truncate", p);
  }
  IoStatus SyncDir(const std::string& p) override { return IoStatus::FromErrno(ENOSYS, "sync", p); }
  IoStatus MakeDir(const std::string& p) override {
    return IoStatus::FromErrno(ENOSYS, "mkdir", p);
  }
  bool Exists(const std::string&) override { return false; }
  IoStatus FileSize(const std::string& p, uint64_t*) override {
    return IoStatus::FromErrno(ENOSYS, "stat", p);
  }
  IoStatus ListDir(const std::string& p, std::vector<std::string>*) override {
    return IoStatus::FromErrno(ENOSYS, "list", p);
  }
};
}  // namespace

IoStatus IoStatus::FromErrno(int e, std::string_view what, std::string_view path) {
  return {e, std::string(what) + " " + std::string(path)};
}

FileSystem& FileSystem::Posix() {
  static PosixFileSystem fs;
  return fs;
}

}  // namespace ember
