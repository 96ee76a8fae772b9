// PosixFileSystem (the real file system: open/write/fdatasync/close, read-only mmap, rename,
// unlink, truncate, directory fsync, mkdir, readdir), FileSystem::WriteFileAtomically, and
// FaultyFileSystem, the test double that fails chosen operations (see file_system.h).
#include "persistence/file_system.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

namespace ember {

IoStatus IoStatus::FromErrno(int e, std::string_view what, std::string_view path) {
  IoStatus s;
  s.err = e;
  s.msg.append(what).append(" '").append(path).append("': ").append(strerror(e));
  return s;
}

namespace {

// The directory part of `path` ("." when it has none).
std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(int fd, std::string path, uint64_t size)
      : fd_(fd), path_(std::move(path)), size_(size) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) close(fd_);
  }

  IoStatus Append(std::string_view data) override {
    if (fd_ < 0) return IoStatus::FromErrno(EBADF, "write", path_);
    while (!data.empty()) {
      ssize_t n = write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return IoStatus::FromErrno(errno, "write", path_);
      }
      if (n == 0) return IoStatus::FromErrno(ENOSPC, "write", path_);
      data.remove_prefix(size_t(n));
      size_ += uint64_t(n);
    }
    return IoStatus::Ok();
  }

  IoStatus Sync() override {
    if (fd_ < 0) return IoStatus::FromErrno(EBADF, "fsync", path_);
    while (fdatasync(fd_) != 0) {
      if (errno != EINTR) return IoStatus::FromErrno(errno, "fsync", path_);
    }
    return IoStatus::Ok();
  }

  IoStatus Close() override {
    if (fd_ < 0) return IoStatus::Ok();
    int fd = fd_;
    fd_ = -1;
    if (close(fd) != 0 && errno != EINTR) return IoStatus::FromErrno(errno, "close", path_);
    return IoStatus::Ok();
  }

  uint64_t size() const override { return size_; }

 private:
  int fd_;
  std::string path_;
  uint64_t size_;
};

class PosixMappedFile final : public MappedFile {
 public:
  PosixMappedFile(void* addr, size_t len) : addr_(addr), len_(len) {}
  ~PosixMappedFile() override {
    if (addr_ != nullptr) munmap(addr_, len_);
  }
  std::string_view data() const override {
    return addr_ == nullptr ? std::string_view()
                            : std::string_view(static_cast<char*>(addr_), len_);
  }

 private:
  void* addr_;
  size_t len_;
};

class PosixFileSystem final : public FileSystem {
 public:
  IoStatus OpenWritable(const std::string& path, bool append,
                        std::unique_ptr<WritableFile>* out) override {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC);
    int fd;
    do {
      fd = open(path.c_str(), flags, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) return IoStatus::FromErrno(errno, "open", path);
    uint64_t size = 0;
    if (append) {
      struct stat st;
      if (fstat(fd, &st) == 0) size = uint64_t(st.st_size);
    }
    *out = std::make_unique<PosixWritableFile>(fd, path, size);
    return IoStatus::Ok();
  }

  IoStatus Map(const std::string& path, std::unique_ptr<MappedFile>* out) override {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return IoStatus::FromErrno(errno, "open", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
      int e = errno;
      close(fd);
      return IoStatus::FromErrno(e, "stat", path);
    }
    void* addr = nullptr;
    size_t len = size_t(st.st_size);
    if (len > 0) {
      addr = mmap(nullptr, len, PROT_READ, MAP_PRIVATE, fd, 0);
      if (addr == MAP_FAILED) {
        int e = errno;
        close(fd);
        return IoStatus::FromErrno(e, "mmap", path);
      }
      madvise(addr, len, MADV_SEQUENTIAL);
    }
    close(fd);  // the mapping stays valid
    *out = std::make_unique<PosixMappedFile>(addr, len);
    return IoStatus::Ok();
  }

  IoStatus Rename(const std::string& from, const std::string& to) override {
    if (rename(from.c_str(), to.c_str()) != 0) return IoStatus::FromErrno(errno, "rename", from);
    return IoStatus::Ok();
  }

  IoStatus Remove(const std::string& path) override {
    if (unlink(path.c_str()) != 0) return IoStatus::FromErrno(errno, "unlink", path);
    return IoStatus::Ok();
  }

  IoStatus Truncate(const std::string& path, uint64_t size) override {
    if (truncate(path.c_str(), off_t(size)) != 0) {
      return IoStatus::FromErrno(errno, "truncate", path);
    }
    return IoStatus::Ok();
  }

  IoStatus SyncDir(const std::string& dir) override {
    int fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return IoStatus::FromErrno(errno, "open directory", dir);
    int rc;
    do {
      rc = fsync(fd);
    } while (rc != 0 && errno == EINTR);
    int e = errno;
    close(fd);
    // Some file systems refuse fsync on directories; that is not a failure of the write.
    if (rc != 0 && e != EINVAL && e != EBADF) return IoStatus::FromErrno(e, "fsync directory", dir);
    return IoStatus::Ok();
  }

  IoStatus MakeDir(const std::string& dir) override {
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      return IoStatus::FromErrno(errno, "mkdir", dir);
    }
    struct stat st;
    if (stat(dir.c_str(), &st) != 0) return IoStatus::FromErrno(errno, "stat", dir);
    if (!S_ISDIR(st.st_mode)) return IoStatus::FromErrno(ENOTDIR, "mkdir", dir);
    return IoStatus::Ok();
  }

  bool Exists(const std::string& path) override { return access(path.c_str(), F_OK) == 0; }

  IoStatus FileSize(const std::string& path, uint64_t* size) override {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return IoStatus::FromErrno(errno, "stat", path);
    *size = uint64_t(st.st_size);
    return IoStatus::Ok();
  }

  IoStatus ListDir(const std::string& dir, std::vector<std::string>* names) override {
    names->clear();
    DIR* d = opendir(dir.c_str());
    if (d == nullptr) return IoStatus::FromErrno(errno, "opendir", dir);
    while (struct dirent* ent = readdir(d)) {
      std::string_view n = ent->d_name;
      if (n == "." || n == "..") continue;
      names->emplace_back(n);
    }
    closedir(d);
    return IoStatus::Ok();
  }
};

}  // namespace

FileSystem& FileSystem::Posix() {
  static PosixFileSystem fs;
  return fs;
}

IoStatus FileSystem::WriteFileAtomically(const std::string& path, std::string_view data) {
  std::string dir = DirOf(path);
  std::string tmp = dir + "/temp-" + std::to_string(getpid()) + "-" +
                    path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
  std::unique_ptr<WritableFile> f;
  IoStatus s = OpenWritable(tmp, false, &f);
  if (!s.ok()) return s;
  if (s = f->Append(data); s.ok()) s = f->Sync();
  IoStatus closed = f->Close();
  if (s.ok()) s = closed;
  if (s.ok()) s = Rename(tmp, path);
  if (!s.ok()) {
    (void)Remove(tmp);
    return s;
  }
  return SyncDir(dir);
}

// --- FaultyFileSystem ---

struct FaultyFileSystem::State {
  std::atomic<int64_t> append_budget{-1};  // bytes still allowed; -1 = unlimited
  std::atomic<int> append_err{0};
  std::atomic<int> sync_failures{0};
  std::atomic<int> sync_err{0};
  std::atomic<int> rename_failures{0};
  std::atomic<int> rename_err{0};
};

// Wraps a real file: appends beyond the budget write what fits and then fail (a disk that
// fills up mid-write), syncs fail while failures are pending.
class FaultyWritableFile final : public WritableFile {
 public:
  FaultyWritableFile(std::unique_ptr<WritableFile> base,
                     std::shared_ptr<FaultyFileSystem::State> state, std::string path)
      : base_(std::move(base)), state_(std::move(state)), path_(std::move(path)) {}

  IoStatus Append(std::string_view data) override;
  IoStatus Sync() override;
  IoStatus Close() override { return base_->Close(); }
  uint64_t size() const override { return base_->size(); }

 private:
  std::unique_ptr<WritableFile> base_;
  std::shared_ptr<FaultyFileSystem::State> state_;
  std::string path_;
};

IoStatus FaultyWritableFile::Append(std::string_view data) {
  int64_t budget = state_->append_budget.load();
  if (budget >= 0 && int64_t(data.size()) > budget) {
    // Write what fits (a short write), then report the error.
    if (budget > 0) {
      IoStatus s = base_->Append(data.substr(0, size_t(budget)));
      if (!s.ok()) return s;
    }
    state_->append_budget.store(0);
    return IoStatus::FromErrno(state_->append_err.load(), "write", path_);
  }
  if (budget >= 0) state_->append_budget.fetch_sub(int64_t(data.size()));
  return base_->Append(data);
}

IoStatus FaultyWritableFile::Sync() {
  int pending = state_->sync_failures.load();
  while (pending > 0) {
    if (state_->sync_failures.compare_exchange_weak(pending, pending - 1)) {
      return IoStatus::FromErrno(state_->sync_err.load(), "fsync", path_);
    }
  }
  return base_->Sync();
}

namespace {
// Consumes one pending failure from `counter`; true if the operation must fail.
bool TakeFailure(std::atomic<int>& counter) {
  int pending = counter.load();
  while (pending > 0) {
    if (counter.compare_exchange_weak(pending, pending - 1)) return true;
  }
  return false;
}
}  // namespace

void FaultyFileSystem::FailAppendsAfter(int64_t after_bytes, int err) {
  if (!state_) state_ = std::make_shared<State>();
  state_->append_err.store(err);
  state_->append_budget.store(after_bytes < 0 ? -1 : after_bytes);
}

void FaultyFileSystem::FailSyncs(int count, int err) {
  if (!state_) state_ = std::make_shared<State>();
  state_->sync_err.store(err);
  state_->sync_failures.store(count);
}

void FaultyFileSystem::FailRenames(int count, int err) {
  if (!state_) state_ = std::make_shared<State>();
  state_->rename_err.store(err);
  state_->rename_failures.store(count);
}

void FaultyFileSystem::Reset() {
  if (!state_) return;
  state_->append_budget.store(-1);
  state_->sync_failures.store(0);
  state_->rename_failures.store(0);
}

IoStatus FaultyFileSystem::OpenWritable(const std::string& path, bool append,
                                        std::unique_ptr<WritableFile>* out) {
  if (!state_) state_ = std::make_shared<State>();
  std::unique_ptr<WritableFile> f;
  IoStatus s = base_->OpenWritable(path, append, &f);
  if (!s.ok()) return s;
  *out = std::make_unique<FaultyWritableFile>(std::move(f), state_, path);
  return s;
}

IoStatus FaultyFileSystem::Map(const std::string& path, std::unique_ptr<MappedFile>* out) {
  return base_->Map(path, out);
}

IoStatus FaultyFileSystem::Rename(const std::string& from, const std::string& to) {
  if (state_ && TakeFailure(state_->rename_failures)) {
    return IoStatus::FromErrno(state_->rename_err.load(), "rename", from);
  }
  return base_->Rename(from, to);
}

IoStatus FaultyFileSystem::Remove(const std::string& path) { return base_->Remove(path); }
IoStatus FaultyFileSystem::Truncate(const std::string& path, uint64_t size) {
  return base_->Truncate(path, size);
}
IoStatus FaultyFileSystem::SyncDir(const std::string& dir) { return base_->SyncDir(dir); }
IoStatus FaultyFileSystem::MakeDir(const std::string& dir) { return base_->MakeDir(dir); }
bool FaultyFileSystem::Exists(const std::string& path) { return base_->Exists(path); }
IoStatus FaultyFileSystem::FileSize(const std::string& path, uint64_t* size) {
  return base_->FileSize(path, size);
}
IoStatus FaultyFileSystem::ListDir(const std::string& dir, std::vector<std::string>* names) {
  return base_->ListDir(dir, names);
}

}  // namespace ember
