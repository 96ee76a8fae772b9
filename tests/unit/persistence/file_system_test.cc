// Tests for the persistence file-system layer: PosixFileSystem's operations on a scratch
// directory, WriteFileAtomically, and FaultyFileSystem's injected faults (a full disk, a failed
// fsync, a failed rename), checking that the previous good file always survives and no temp
// file is left behind.
#include "persistence/file_system.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

namespace ember {
namespace {

class FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ember-fs-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Path(const std::string& name) const { return dir_ + "/" + name; }

  std::string Read(const std::string& path) {
    std::unique_ptr<MappedFile> f;
    IoStatus st = fs_.Map(path, &f);
    EXPECT_TRUE(st.ok()) << st.msg;
    return st.ok() ? std::string(f->data()) : std::string();
  }

  std::vector<std::string> Names() {
    std::vector<std::string> names;
    EXPECT_TRUE(fs_.ListDir(dir_, &names).ok());
    std::sort(names.begin(), names.end());
    return names;
  }

  FileSystem& fs_ = FileSystem::Posix();
  std::string dir_;
};

TEST_F(FileSystemTest, WriteAppendSyncAndMap) {
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(fs_.OpenWritable(Path("a"), false, &f).ok());
  ASSERT_TRUE(f->Append("hello ").ok());
  ASSERT_TRUE(f->Append("world").ok());
  EXPECT_EQ(f->size(), 11u);
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(Read(Path("a")), "hello world");

  // Append mode continues the file and knows its size.
  ASSERT_TRUE(fs_.OpenWritable(Path("a"), true, &f).ok());
  EXPECT_EQ(f->size(), 11u);
  ASSERT_TRUE(f->Append("!").ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(Read(Path("a")), "hello world!");

  // Truncating open empties it; an empty file maps to an empty view.
  ASSERT_TRUE(fs_.OpenWritable(Path("a"), false, &f).ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(Read(Path("a")), "");
}

TEST_F(FileSystemTest, RenameRemoveTruncateSizeList) {
  ASSERT_TRUE(fs_.WriteFileAtomically(Path("x"), "0123456789").ok());
  uint64_t size = 0;
  ASSERT_TRUE(fs_.FileSize(Path("x"), &size).ok());
  EXPECT_EQ(size, 10u);
  ASSERT_TRUE(fs_.Truncate(Path("x"), 4).ok());
  EXPECT_EQ(Read(Path("x")), "0123");
  ASSERT_TRUE(fs_.Rename(Path("x"), Path("y")).ok());
  EXPECT_FALSE(fs_.Exists(Path("x")));
  EXPECT_TRUE(fs_.Exists(Path("y")));
  ASSERT_TRUE(fs_.MakeDir(Path("sub")).ok());
  ASSERT_TRUE(fs_.MakeDir(Path("sub")).ok());  // existing directory is fine
  EXPECT_FALSE(fs_.MakeDir(Path("y")).ok());   // a file is in the way
  EXPECT_EQ(Names(), (std::vector<std::string>{"sub", "y"}));
  ASSERT_TRUE(fs_.SyncDir(dir_).ok());
  ASSERT_TRUE(fs_.Remove(Path("y")).ok());
  EXPECT_FALSE(fs_.Exists(Path("y")));
}

TEST_F(FileSystemTest, ErrorsNameTheFile) {
  std::unique_ptr<MappedFile> m;
  IoStatus st = fs_.Map(Path("missing"), &m);
  EXPECT_EQ(st.err, ENOENT);
  EXPECT_NE(st.msg.find("missing"), std::string::npos) << st.msg;
  EXPECT_EQ(fs_.Remove(Path("missing")).err, ENOENT);
  uint64_t size;
  EXPECT_EQ(fs_.FileSize(Path("missing"), &size).err, ENOENT);
  std::unique_ptr<WritableFile> f;
  EXPECT_EQ(fs_.OpenWritable(Path("nodir/file"), false, &f).err, ENOENT);
  std::vector<std::string> names;
  EXPECT_EQ(fs_.ListDir(Path("nodir"), &names).err, ENOENT);
}

TEST_F(FileSystemTest, WriteFileAtomicallyReplaces) {
  ASSERT_TRUE(fs_.WriteFileAtomically(Path("f"), "old").ok());
  ASSERT_TRUE(fs_.WriteFileAtomically(Path("f"), "new contents").ok());
  EXPECT_EQ(Read(Path("f")), "new contents");
  EXPECT_EQ(Names(), (std::vector<std::string>{"f"}));
}

TEST_F(FileSystemTest, FullDiskKeepsOldFile) {
  ASSERT_TRUE(fs_.WriteFileAtomically(Path("f"), "good").ok());
  FaultyFileSystem faulty(&fs_);
  faulty.FailAppendsAfter(3, ENOSPC);
  IoStatus st = faulty.WriteFileAtomically(Path("f"), "a much longer replacement");
  EXPECT_EQ(st.err, ENOSPC);
  EXPECT_NE(st.msg.find("No space left"), std::string::npos) << st.msg;
  EXPECT_EQ(Read(Path("f")), "good");
  EXPECT_EQ(Names(), (std::vector<std::string>{"f"}));  // temp file removed
}

TEST_F(FileSystemTest, FailedFsyncKeepsOldFile) {
  ASSERT_TRUE(fs_.WriteFileAtomically(Path("f"), "good").ok());
  FaultyFileSystem faulty(&fs_);
  faulty.FailSyncs(1, EIO);
  EXPECT_EQ(faulty.WriteFileAtomically(Path("f"), "replacement").err, EIO);
  EXPECT_EQ(Read(Path("f")), "good");
  EXPECT_EQ(Names(), (std::vector<std::string>{"f"}));
  // Only one failure was asked for: the next write goes through.
  ASSERT_TRUE(faulty.WriteFileAtomically(Path("f"), "replacement").ok());
  EXPECT_EQ(Read(Path("f")), "replacement");
}

TEST_F(FileSystemTest, FailedRenameKeepsOldFile) {
  ASSERT_TRUE(fs_.WriteFileAtomically(Path("f"), "good").ok());
  FaultyFileSystem faulty(&fs_);
  faulty.FailRenames(1, EXDEV);
  EXPECT_EQ(faulty.WriteFileAtomically(Path("f"), "replacement").err, EXDEV);
  EXPECT_EQ(Read(Path("f")), "good");
  EXPECT_EQ(Names(), (std::vector<std::string>{"f"}));
}

TEST_F(FileSystemTest, FaultyAppendWritesWhatFitsThenFails) {
  FaultyFileSystem faulty(&fs_);
  faulty.FailAppendsAfter(5, ENOSPC);
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(faulty.OpenWritable(Path("p"), false, &f).ok());
  ASSERT_TRUE(f->Append("abc").ok());
  EXPECT_EQ(f->Append("defgh").err, ENOSPC);  // "de" fits
  EXPECT_EQ(f->Append("x").err, ENOSPC);      // the disk stays full
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(Read(Path("p")), "abcde");

  faulty.Reset();
  ASSERT_TRUE(faulty.OpenWritable(Path("p"), true, &f).ok());
  ASSERT_TRUE(f->Append("fg").ok());
  ASSERT_TRUE(f->Sync().ok());
  ASSERT_TRUE(f->Close().ok());
  EXPECT_EQ(Read(Path("p")), "abcdefg");
}

TEST_F(FileSystemTest, FaultyBudgetSpansFiles) {
  FaultyFileSystem faulty(&fs_);
  faulty.FailAppendsAfter(4, ENOSPC);
  std::unique_ptr<WritableFile> a, b;
  ASSERT_TRUE(faulty.OpenWritable(Path("a"), false, &a).ok());
  ASSERT_TRUE(faulty.OpenWritable(Path("b"), false, &b).ok());
  ASSERT_TRUE(a->Append("12").ok());
  ASSERT_TRUE(b->Append("34").ok());
  EXPECT_EQ(a->Append("5").err, ENOSPC);
  faulty.FailAppendsAfter(-1, 0);  // disabled again
  ASSERT_TRUE(a->Append("5").ok());
}

}  // namespace
}  // namespace ember
