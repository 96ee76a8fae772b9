// Tests for RdbSaver (persistence/rdb_saver.h) through the command harness: BGSAVE's file is a
// loadable point-in-time image, SAVE/BGSAVE/LASTSAVE replies, save points and their retry delay,
// and I/O faults injected with FaultyFileSystem (full disk, failed fsync, failed rename): the
// save fails cleanly, the previous file survives, no temp file is left, and writes get -MISCONF
// while stop-writes-on-bgsave-error applies.
#include "persistence/rdb_saver.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "command_harness.h"
#include "persistence/file_system.h"
#include "persistence/persistence.h"
#include "persistence/rdb_file.h"

namespace ember {
namespace {

using testing::Harness;

class RdbSaverTest : public ::testing::Test {
 protected:
  RdbSaverTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("ember_rdb_saver_test_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    Config cfg;
    cfg.mutable_values().dir = dir_.string();
    cfg.mutable_values().save_params = {{3600, 1}};
    h_ = std::make_unique<Harness>(std::move(cfg));
    h_->clock().SetMs(1'700'000'000'000);
  }
  ~RdbSaverTest() override {
    h_.reset();
    std::filesystem::remove_all(dir_);
  }

  RdbSaver& saver() { return h_->server().persistence().rdb(); }
  std::string Info(const std::string& field) {
    std::string out;
    saver().AppendInfo(&out);
    size_t p = out.find(field + ":");
    if (p == std::string::npos) return "<missing>";
    p += field.size() + 1;
    return out.substr(p, out.find("\r\n", p) - p);
  }
  std::string DumpPath() const { return (dir_ / "dump.rdb").string(); }
  bool TempFilesLeft() const {
    for (auto& f : std::filesystem::directory_iterator(dir_)) {
      if (f.path().filename().string().starts_with("temp-")) return true;
    }
    return false;
  }
  // Loads dump.rdb into a fresh harness.
  std::unique_ptr<Harness> LoadDump() {
    auto h = std::make_unique<Harness>();
    std::unique_ptr<MappedFile> m;
    EXPECT_TRUE(FileSystem::Posix().Map(DumpPath(), &m).ok());
    if (!m) return h;
    RdbLoadOptions opt;
    opt.skip_expired = false;
    RdbLoadResult res;
    std::string err;
    EXPECT_TRUE(LoadRdb(m->data(), h->server().keyspace(), opt, &res, &err)) << err;
    return h;
  }

  std::filesystem::path dir_;
  std::unique_ptr<Harness> h_;
};

TEST_F(RdbSaverTest, BgsaveWritesThePointInTimeImage) {
  for (int i = 0; i < 5000; ++i) h_->Run({"SET", "k" + std::to_string(i), std::to_string(i)});
  h_->Run({"RPUSH", "list", "a", "b"});
  h_->Run({"SELECT", "2"});
  h_->Run({"HSET", "hash", "f", "v"});
  h_->Run({"SELECT", "0"});
  EXPECT_EQ(Info("rdb_changes_since_last_save"), "5002");
  EXPECT_EQ(h_->Run({"BGSAVE"}), "Background saving started");
  EXPECT_EQ(Info("rdb_bgsave_in_progress"), "1");
  EXPECT_EQ(Info("current_save_keys_total"), "5002");
  EXPECT_EQ(h_->Run({"BGSAVE"}), "(error) ERR Background save already in progress");
  EXPECT_EQ(h_->Run({"SAVE"}), "(error) ERR Background save already in progress");
  saver().Advance(0);
  h_->Run({"SET", "k1", "changed"});  // after the start: not in the image
  h_->Run({"DEL", "k2"});
  h_->Run({"SET", "new", "x"});
  h_->clock().AdvanceMs(3000);
  saver().WaitForBackgroundSave();
  EXPECT_EQ(Info("rdb_bgsave_in_progress"), "0");
  EXPECT_EQ(Info("rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(Info("rdb_last_bgsave_time_sec"), "3");
  EXPECT_EQ(Info("rdb_changes_since_last_save"), "3");
  EXPECT_EQ(Info("rdb_saves"), "1");
  EXPECT_EQ(h_->Run({"LASTSAVE"}), "(integer) 1700000003");
  EXPECT_FALSE(TempFilesLeft());

  auto loaded = LoadDump();
  EXPECT_EQ(loaded->Run({"DBSIZE"}), "(integer) 5001");
  EXPECT_EQ(loaded->Run({"GET", "k1"}), "1");
  EXPECT_EQ(loaded->Run({"GET", "k2"}), "2");
  EXPECT_EQ(loaded->Run({"EXISTS", "new"}), "(integer) 0");
  EXPECT_EQ(loaded->Run({"LRANGE", "list", "0", "-1"}), "[a, b]");
  loaded->Run({"SELECT", "2"});
  EXPECT_EQ(loaded->Run({"HGET", "hash", "f"}), "v");
}

TEST_F(RdbSaverTest, SaveAndBgsaveReplies) {
  h_->Run({"SET", "a", "1"});
  EXPECT_EQ(h_->Run({"SAVE"}), "OK");
  EXPECT_TRUE(std::filesystem::exists(DumpPath()));
  EXPECT_EQ(Info("rdb_changes_since_last_save"), "0");
  EXPECT_EQ(h_->Run({"BGSAVE", "SCHEDULE"}), "Background saving started");
  saver().WaitForBackgroundSave();
  EXPECT_EQ(h_->Run({"BGSAVE", "NOW"}), "(error) ERR syntax error");
  EXPECT_EQ(h_->Run({"BGSAVE", "SCHEDULE", "SCHEDULE"}), "(error) ERR syntax error");
  EXPECT_EQ(h_->Run({"MULTI"}), "OK");
  EXPECT_EQ(h_->Run({"BGSAVE"}), "QUEUED");
  EXPECT_EQ(h_->Run({"EXEC"}), "[Background saving scheduled]");
  EXPECT_FALSE(saver().bgsave_in_progress());
  saver().Cron();  // the scheduled save starts from the cron
  EXPECT_TRUE(saver().bgsave_in_progress());
  saver().WaitForBackgroundSave();
  EXPECT_EQ(Info("rdb_saves"), "3");
}

TEST_F(RdbSaverTest, SavePointsAndTheirRetryDelay) {
  h_->server().config().mutable_values().save_params = {{10, 2}};
  h_->Run({"SET", "a", "1"});
  h_->clock().AdvanceMs(11'000);
  saver().Cron();
  EXPECT_FALSE(saver().bgsave_in_progress());  // one change < 2
  h_->Run({"SET", "b", "1"});
  saver().Cron();
  EXPECT_TRUE(saver().bgsave_in_progress());
  saver().WaitForBackgroundSave();
  EXPECT_EQ(Info("rdb_last_bgsave_status"), "ok");

  // A failing save: the next attempt waits for the retry delay.
  FaultyFileSystem faulty(&FileSystem::Posix());
  faulty.FailSyncs(100, EIO);
  h_->server().persistence().set_file_system(&faulty);
  h_->Run({"SET", "c", "1"});
  h_->Run({"SET", "d", "1"});
  h_->clock().AdvanceMs(11'000);
  saver().Cron();
  EXPECT_TRUE(saver().bgsave_in_progress());
  saver().WaitForBackgroundSave();
  EXPECT_EQ(Info("rdb_last_bgsave_status"), "err");
  h_->clock().AdvanceMs(3000);
  saver().Cron();
  EXPECT_FALSE(saver().bgsave_in_progress());
  h_->clock().AdvanceMs(3000);
  faulty.Reset();
  saver().Cron();
  EXPECT_TRUE(saver().bgsave_in_progress());
  saver().WaitForBackgroundSave();
  EXPECT_EQ(Info("rdb_last_bgsave_status"), "ok");
  h_->server().persistence().set_file_system(&FileSystem::Posix());
}

class RdbSaverFaultTest : public RdbSaverTest, public ::testing::WithParamInterface<int> {};

// 0: disk full while writing, 1: fsync fails, 2: rename fails.
TEST_P(RdbSaverFaultTest, FailedBgsaveKeepsThePreviousFileAndRefusesWrites) {
  h_->Run({"SET", "good", "old"});
  ASSERT_EQ(h_->Run({"SAVE"}), "OK");
  std::string before;
  {
    std::unique_ptr<MappedFile> m;
    ASSERT_TRUE(FileSystem::Posix().Map(DumpPath(), &m).ok());
    before = std::string(m->data());
  }
  for (int i = 0; i < 20000; ++i) h_->Run({"SET", "k" + std::to_string(i), std::string(50, 'v')});

  FaultyFileSystem faulty(&FileSystem::Posix());
  if (GetParam() == 0) faulty.FailAppendsAfter(100'000, ENOSPC);
  if (GetParam() == 1) faulty.FailSyncs(1, EIO);
  if (GetParam() == 2) faulty.FailRenames(1, EIO);
  h_->server().persistence().set_file_system(&faulty);
  EXPECT_EQ(h_->Run({"BGSAVE"}), "Background saving started");
  saver().WaitForBackgroundSave();
  EXPECT_EQ(Info("rdb_last_bgsave_status"), "err");
  EXPECT_FALSE(TempFilesLeft());
  {
    std::unique_ptr<MappedFile> m;
    ASSERT_TRUE(FileSystem::Posix().Map(DumpPath(), &m).ok());
    EXPECT_EQ(std::string(m->data()), before);
  }
  EXPECT_TRUE(h_->Run({"SET", "x", "1"}).starts_with("(error) MISCONF Redis is configured"));
  EXPECT_TRUE(h_->Run({"PING"}).starts_with("(error) MISCONF"));
  EXPECT_EQ(h_->Run({"GET", "good"}), "old");
  // Scripts: a write inside EVAL is refused with the same error; reads still work.
  EXPECT_NE(h_->Run({"EVAL", "return redis.call('set','x',1)", "1", "x"}).find("MISCONF"),
            std::string::npos);
  EXPECT_EQ(h_->Run({"EVAL", "return redis.call('get','good')", "1", "good"}), "old");
  // SHUTDOWN's save fails too while the fault lasts (one more rename failure for case 2).
  if (GetParam() == 2) faulty.FailRenames(1, EIO);
  if (GetParam() == 1) faulty.FailSyncs(1, EIO);
  if (GetParam() != 0) {
    EXPECT_EQ(h_->server().persistence().OnShutdown(false, false, false),
              "ERR Errors trying to SHUTDOWN. Check logs.");
  }
  EXPECT_EQ(h_->server().persistence().OnShutdown(false, false, true), "");  // FORCE
  faulty.Reset();
  EXPECT_EQ(h_->Run({"BGSAVE"}), "Background saving started");
  saver().WaitForBackgroundSave();
  EXPECT_EQ(Info("rdb_last_bgsave_status"), "ok");
  EXPECT_EQ(h_->Run({"SET", "x", "1"}), "OK");
  h_->server().persistence().set_file_system(&FileSystem::Posix());
}

INSTANTIATE_TEST_SUITE_P(Faults, RdbSaverFaultTest, ::testing::Values(0, 1, 2));

TEST_F(RdbSaverTest, ShutdownStopsARunningBgsave) {
  for (int i = 0; i < 20000; ++i) h_->Run({"SET", "k" + std::to_string(i), "v"});
  EXPECT_EQ(h_->Run({"BGSAVE"}), "Background saving started");
  saver().Advance(0);
  EXPECT_EQ(h_->server().persistence().OnShutdown(false, true, false), "");  // NOSAVE
  EXPECT_FALSE(saver().bgsave_in_progress());
  EXPECT_FALSE(TempFilesLeft());
  EXPECT_EQ(h_->server().keyspace().snapshot_state().hook, nullptr);
  EXPECT_EQ(h_->server().persistence().OnShutdown(false, false, false), "");  // saves
  EXPECT_TRUE(std::filesystem::exists(DumpPath()));
}

}  // namespace
}  // namespace ember
