// FileSystem: the narrow interface through which all persistence I/O goes (RDB files, the AOF
// directory and manifest), so tests can inject a full disk, a failed fsync or a short write
// and check that the previous good file survives and the error is reported. PosixFileSystem
// is the real one; FaultyFileSystem (tests) wraps another and fails chosen operations.
// Ownership: the server owns one FileSystem for its lifetime. Thread: any (the implementations
// are stateless apart from FaultyFileSystem's counters, which are atomic).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

// Result of an I/O operation: errno (0 = success) and a message naming the file.
struct IoStatus {
  int err = 0;
  std::string msg;
  bool ok() const { return err == 0; }
  static IoStatus Ok() { return {}; }
  static IoStatus FromErrno(int e, std::string_view what, std::string_view path);
};

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual IoStatus Append(std::string_view data) = 0;  // all of it or an error
  virtual IoStatus Sync() = 0;                         // fdatasync
  virtual IoStatus Close() = 0;
  virtual uint64_t size() const = 0;  // bytes in the file
};

// A read-only view of a whole file (mmap'd; empty files give an empty view).
class MappedFile {
 public:
  virtual ~MappedFile() = default;
  virtual std::string_view data() const = 0;
};

class FileSystem {
 public:
  virtual ~FileSystem() = default;
  // The process-wide real file system.
  static FileSystem& Posix();

  // Creates or truncates (`append` false) / opens for appending (`append` true).
  virtual IoStatus OpenWritable(const std::string& path, bool append,
                                std::unique_ptr<WritableFile>* out) = 0;
  virtual IoStatus Map(const std::string& path, std::unique_ptr<MappedFile>* out) = 0;
  virtual IoStatus Rename(const std::string& from, const std::string& to) = 0;
  virtual IoStatus Remove(const std::string& path) = 0;
  virtual IoStatus Truncate(const std::string& path, uint64_t size) = 0;
  virtual IoStatus SyncDir(const std::string& dir) = 0;
  virtual IoStatus MakeDir(const std::string& dir) = 0;  // ok if it exists
  virtual bool Exists(const std::string& path) = 0;
  virtual IoStatus FileSize(const std::string& path, uint64_t* size) = 0;
  virtual IoStatus ListDir(const std::string& dir, std::vector<std::string>* names) = 0;

  // Writes `data` to `path` atomically: temp file in the same directory, write, fsync, rename
  // over `path`, fsync the directory. On any error the temp file is removed and `path` is
  // untouched.
  IoStatus WriteFileAtomically(const std::string& path, std::string_view data);
};

// Test double: forwards to `base` and fails the chosen operations with the chosen errno.
class FaultyFileSystem : public FileSystem {
 public:
  explicit FaultyFileSystem(FileSystem* base) : base_(base) {}
  // After `after_bytes` more bytes are appended (across files), appends fail with `err`
  // (ENOSPC: a full disk). -1 disables.
  void FailAppendsAfter(int64_t after_bytes, int err);
  // The next `count` Sync calls fail with `err` (EIO).
  void FailSyncs(int count, int err);
  void FailRenames(int count, int err);
  void Reset();

  IoStatus OpenWritable(const std::string& path, bool append,
                        std::unique_ptr<WritableFile>* out) override;
  IoStatus Map(const std::string& path, std::unique_ptr<MappedFile>* out) override;
  IoStatus Rename(const std::string& from, const std::string& to) override;
  IoStatus Remove(const std::string& path) override;
  IoStatus Truncate(const std::string& path, uint64_t size) override;
  IoStatus SyncDir(const std::string& dir) override;
  IoStatus MakeDir(const std::string& dir) override;
  bool Exists(const std::string& path) override;
  IoStatus FileSize(const std::string& path, uint64_t* size) override;
  IoStatus ListDir(const std::string& dir, std::vector<std::string>* names) override;

 private:
  friend class FaultyWritableFile;
  FileSystem* base_;
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace ember
