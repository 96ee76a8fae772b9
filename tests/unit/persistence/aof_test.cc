// Tests for the Aof (persistence/aof.h) inside an in-process server: the directory layout at
// startup, what Propagate + BeforeSleep write, fsync policies and write errors through a
// FaultyFileSystem (EIO on fsync, ENOSPC on write, the fatal exit of appendfsync always),
// loading (truncated tails, MULTI blocks, old-style upgrade), BGREWRITEAOF and INFO.
#include "persistence/aof.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "command_harness.h"
#include "persistence/file_system.h"
#include "persistence/persistence.h"

namespace ember {
namespace {

namespace fsys = std::filesystem;
using testing::Harness;

std::string ReadFile(const fsys::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const fsys::path& p, std::string_view data) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << data;
}

std::string Cmd(std::initializer_list<std::string_view> argv) {
  std::string s;
  aof::AppendCommand(&s, argv);
  return s;
}

// Each test runs in a fresh working directory (the AOF paths are relative to it, as the server
// chdirs to `dir`).
class AofTest : public ::testing::Test {
 public:
  void SetUp() override {
    old_cwd_ = fsys::current_path();
    dir_ = fsys::temp_directory_path() /
           ("ember_aof_test_" + std::to_string(getpid()) + "_" + std::to_string(counter_++));
    fsys::remove_all(dir_);
    fsys::create_directories(dir_);
    fsys::current_path(dir_);
  }
  void TearDown() override {
    fsys::current_path(old_cwd_);
    fsys::remove_all(dir_);
  }

  static Config MakeConfig(const std::string& extra = "") {
    Config c;
    std::string err = c.LoadFromString("appendonly yes\n" + extra);
    EXPECT_EQ(err, "");
    return c;
  }
  static Aof& AofOf(Harness& h) { return h.server().persistence().aof(); }
  // Starts the AOF of a fresh server as main() would.
  static std::unique_ptr<Harness> Start(const std::string& extra = "") {
    auto h = std::make_unique<Harness>(MakeConfig(extra));
    std::string err = AofOf(*h).LoadAtStartup();
    EXPECT_EQ(err, "");
    return h;
  }
  static std::string IncrPath(Harness& h) {
    return "appendonlydir/" + AofOf(h).manifest().incr.back().name;
  }
  static void Prop(Harness& h, int db, std::vector<std::string> argv) {
    AofOf(h).Propagate(db, argv);
  }

  fsys::path old_cwd_, dir_;
  static inline int counter_ = 0;
};

TEST_F(AofTest, StartupCreatesBaseIncrAndManifest) {
  auto h = Start();
  EXPECT_TRUE(fsys::exists("appendonlydir/appendonly.aof.1.base.rdb"));
  EXPECT_TRUE(fsys::exists("appendonlydir/appendonly.aof.1.incr.aof"));
  EXPECT_EQ(ReadFile("appendonlydir/appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  EXPECT_EQ(ReadFile("appendonlydir/appendonly.aof.1.base.rdb").substr(0, 5), "REDIS");
}

TEST_F(AofTest, AofFormatBaseWhenPreambleOff) {
  auto h = Start("aof-use-rdb-preamble no\n");
  EXPECT_TRUE(fsys::exists("appendonlydir/appendonly.aof.1.base.aof"));
}

TEST_F(AofTest, PropagateWritesSelectAndCommandsBeforeSleep) {
  auto h = Start();
  Prop(*h, 0, {"SET", "a", "1"});
  Prop(*h, 0, {"INCR", "a"});
  Prop(*h, 2, {"DEL", "x"});
  EXPECT_EQ(ReadFile(IncrPath(*h)), "");  // buffered until before-sleep
  AofOf(*h).BeforeSleep();
  EXPECT_EQ(ReadFile(IncrPath(*h)), Cmd({"SELECT", "0"}) + Cmd({"SET", "a", "1"}) +
                                        Cmd({"INCR", "a"}) + Cmd({"SELECT", "2"}) +
                                        Cmd({"DEL", "x"}));
}

TEST_F(AofTest, TimestampAnnotations) {
  auto h = Start("aof-timestamp-enabled yes\n");
  h->clock().SetMs(1700000000123);
  Prop(*h, 0, {"SET", "a", "1"});
  Prop(*h, 0, {"SET", "b", "1"});
  h->clock().AdvanceMs(1000);
  Prop(*h, 0, {"SET", "c", "1"});
  AofOf(*h).BeforeSleep();
  EXPECT_EQ(ReadFile(IncrPath(*h)), "#TS:1700000000\r\n" + Cmd({"SELECT", "0"}) +
                                        Cmd({"SET", "a", "1"}) + Cmd({"SET", "b", "1"}) +
                                        "#TS:1700000001\r\n" + Cmd({"SET", "c", "1"}));
}

TEST_F(AofTest, RestartLoadsIncrFile) {
  {
    auto h = Start();
    Prop(*h, 0, {"SET", "a", "1"});
    Prop(*h, 0, {"RPUSH", "l", "x", "y"});
    Prop(*h, 1, {"SET", "b", "2"});
    AofOf(*h).BeforeSleep();
    EXPECT_EQ(AofOf(*h).OnShutdown(), "");
  }
  auto h = Start();
  EXPECT_EQ(h->Run({"GET", "a"}), "1");
  EXPECT_EQ(h->Run({"LRANGE", "l", "0", "-1"}), "[x, y]");
  EXPECT_EQ(h->Run({"SELECT", "1"}), "OK");
  EXPECT_EQ(h->Run({"GET", "b"}), "2");
  // The same incr file stays current.
  EXPECT_EQ(AofOf(*h).manifest().incr.size(), 1u);
}

TEST_F(AofTest, MultiBlocksAppliedAtExecAndOpenBlockReverted) {
  {
    auto h = Start();
    AofOf(*h).OnShutdown();
  }
  std::string data = Cmd({"SELECT", "0"}) + Cmd({"MULTI"}) + Cmd({"SET", "a", "1"}) +
                     Cmd({"INCR", "a"}) + Cmd({"EXEC"});
  size_t good = data.size();
  data += Cmd({"MULTI"}) + Cmd({"SET", "b", "1"});
  WriteFile("appendonlydir/appendonly.aof.1.incr.aof", data);
  auto h = Start();
  EXPECT_EQ(h->Run({"GET", "a"}), "2");
  EXPECT_EQ(h->Run({"EXISTS", "b"}), "(integer) 0");
  EXPECT_EQ(fsys::file_size("appendonlydir/appendonly.aof.1.incr.aof"), good);
}

TEST_F(AofTest, TruncatedTailLoadedWhenAllowed) {
  {
    auto h = Start();
    AofOf(*h).OnShutdown();
  }
  std::string good = Cmd({"SELECT", "0"}) + Cmd({"SET", "a", "1"});
  std::string cut = Cmd({"SET", "b", "2"}).substr(0, 9);
  WriteFile("appendonlydir/appendonly.aof.1.incr.aof", good + cut);
  {
    Harness h(MakeConfig("aof-load-truncated no\n"));
    std::string err = AofOf(h).LoadAtStartup();
    EXPECT_NE(err.find("Unexpected end of file reading the append only file"), std::string::npos)
        << err;
  }
  auto h = Start();  // aof-load-truncated yes is the default
  EXPECT_EQ(h->Run({"GET", "a"}), "1");
  EXPECT_EQ(fsys::file_size("appendonlydir/appendonly.aof.1.incr.aof"), good.size());
}

TEST_F(AofTest, BadFormatAndUnknownCommandAreFatal) {
  {
    auto h = Start();
    AofOf(*h).OnShutdown();
  }
  WriteFile("appendonlydir/appendonly.aof.1.incr.aof", "garbage\r\n");
  {
    Harness h(MakeConfig());
    EXPECT_NE(AofOf(h).LoadAtStartup().find("Bad file format"), std::string::npos);
  }
  WriteFile("appendonlydir/appendonly.aof.1.incr.aof", Cmd({"BLPOP", "nolist", "0"}));
  {
    Harness h(MakeConfig());
    // A blocking command in an AOF never waits (it is refused or answers as on timeout).
    std::string err = AofOf(h).LoadAtStartup();
    EXPECT_TRUE(err.empty() || err.find("would block") != std::string::npos) << err;
    EXPECT_FALSE(h.client().flags & kClientBlocked);
  }
  WriteFile("appendonlydir/appendonly.aof.1.incr.aof", Cmd({"NOSUCHCMD", "x"}));
  Harness h(MakeConfig());
  EXPECT_NE(AofOf(h).LoadAtStartup().find("Unknown command 'NOSUCHCMD'"), std::string::npos);
}

TEST_F(AofTest, BadManifestIsFatal) {
  fsys::create_directories("appendonlydir");
  WriteFile("appendonlydir/appendonly.aof.manifest", "file a seq 1 type z\n");
  Harness h(MakeConfig());
  std::string err = AofOf(h).LoadAtStartup();
  EXPECT_NE(err.find("Unknown AOF file type"), std::string::npos) << err;
}

TEST_F(AofTest, MissingFileIsFatal) {
  fsys::create_directories("appendonlydir");
  WriteFile("appendonlydir/appendonly.aof.manifest", "file gone.aof seq 1 type i\n");
  Harness h(MakeConfig());
  EXPECT_NE(AofOf(h).LoadAtStartup().find("Unable to obtain the AOF file gone.aof length"),
            std::string::npos);
}

TEST_F(AofTest, OldStyleAofIsUpgraded) {
  WriteFile("appendonly.aof", Cmd({"SELECT", "0"}) + Cmd({"SET", "old", "yes"}));
  auto h = Start();
  EXPECT_EQ(h->Run({"GET", "old"}), "yes");
  EXPECT_FALSE(fsys::exists("appendonly.aof"));
  EXPECT_TRUE(fsys::exists("appendonlydir/appendonly.aof"));
  EXPECT_EQ(ReadFile("appendonlydir/appendonly.aof.manifest"),
            "file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n");
}

TEST_F(AofTest, WriteErrorRefusesWritesUntilRetrySucceeds) {
  auto h = Start("appendfsync everysec\n");
  FaultyFileSystem faulty(&FileSystem::Posix());
  h->server().persistence().set_file_system(&faulty);
  // Reopen the incr file through the faulty file system.
  EXPECT_EQ(h->Run({"CONFIG", "SET", "appendonly", "no"}), "OK");
  EXPECT_EQ(h->Run({"CONFIG", "SET", "appendonly", "yes"}), "OK");
  AofOf(*h).FinishRewrite();
  std::string first = Cmd({"SELECT", "0"}) + Cmd({"SET", "a", "1"});
  Prop(*h, 0, {"SET", "a", "1"});
  faulty.FailAppendsAfter(5, ENOSPC);  // a short write, then ENOSPC
  AofOf(*h).BeforeSleep();
  EXPECT_EQ(AofOf(*h).WriteRefusal(),
            "MISCONF Errors writing to the AOF file: No space left on device");
  EXPECT_EQ(ReadFile(IncrPath(*h)), "");  // the partial write was truncated away
  std::string info;
  AofOf(*h).AppendInfo(&info);
  EXPECT_NE(info.find("aof_last_write_status:err"), std::string::npos);
  faulty.Reset();
  AofOf(*h).Cron();  // retried without new writes
  EXPECT_EQ(AofOf(*h).WriteRefusal(), "");
  EXPECT_EQ(ReadFile(IncrPath(*h)), first);
  h->server().persistence().set_file_system(&FileSystem::Posix());
}

TEST_F(AofTest, BackgroundFsyncErrorRefusesWrites) {
  auto h = Start("appendfsync everysec\n");
  FaultyFileSystem faulty(&FileSystem::Posix());
  h->server().persistence().set_file_system(&faulty);
  // Reopen the incr file through the faulty file system.
  EXPECT_EQ(h->Run({"CONFIG", "SET", "appendonly", "no"}), "OK");
  EXPECT_EQ(h->Run({"CONFIG", "SET", "appendonly", "yes"}), "OK");
  AofOf(*h).FinishRewrite();
  faulty.FailSyncs(1, EIO);
  h->clock().AdvanceMs(5000);
  Prop(*h, 0, {"SET", "a", "1"});
  AofOf(*h).BeforeSleep();
  AofOf(*h).WaitForBackgroundJobs();
  AofOf(*h).Cron();
  EXPECT_EQ(AofOf(*h).WriteRefusal(), "MISCONF Errors writing to the AOF file: Input/output error");
  // The next fsync (a second later) works and writes are accepted again.
  h->clock().AdvanceMs(1500);
  AofOf(*h).Cron();
  AofOf(*h).WaitForBackgroundJobs();
  AofOf(*h).Cron();
  EXPECT_EQ(AofOf(*h).WriteRefusal(), "");
  h->server().persistence().set_file_system(&FileSystem::Posix());
}

TEST_F(AofTest, AlwaysPolicyExitsOnFsyncError) {
  auto h = Start("appendfsync always\n");
  FaultyFileSystem faulty(&FileSystem::Posix());
  h->server().persistence().set_file_system(&faulty);
  EXPECT_EQ(h->Run({"CONFIG", "SET", "appendonly", "no"}), "OK");
  EXPECT_EQ(h->Run({"CONFIG", "SET", "appendonly", "yes"}), "OK");
  AofOf(*h).FinishRewrite();
  int exit_code = -1;
  AofOf(*h).set_exit_hook([&](int code) { exit_code = code; });
  faulty.FailSyncs(1, EIO);
  Prop(*h, 0, {"SET", "a", "1"});
  AofOf(*h).BeforeSleep();
  EXPECT_EQ(exit_code, 1);
  // A failed write is fatal too.
  exit_code = -1;
  faulty.FailAppendsAfter(0, ENOSPC);
  Prop(*h, 0, {"SET", "b", "1"});
  AofOf(*h).BeforeSleep();
  EXPECT_EQ(exit_code, 1);
  faulty.Reset();
  h->server().persistence().set_file_system(&FileSystem::Posix());
}

TEST_F(AofTest, AlwaysPolicySyncsEveryTurn) {
  auto h = Start("appendfsync always\n");
  Prop(*h, 0, {"SET", "a", "1"});
  AofOf(*h).BeforeSleep();
  EXPECT_EQ(ReadFile(IncrPath(*h)), Cmd({"SELECT", "0"}) + Cmd({"SET", "a", "1"}));
  std::string info;
  AofOf(*h).AppendInfo(&info);
  EXPECT_NE(info.find("aof_pending_bio_fsync:0"), std::string::npos);
}

void RewriteRoundTrip(const std::string& extra, const std::string& base_name) {
  {
    auto h = AofTest::Start(extra);
    EXPECT_EQ(h->Run({"SET", "s", "v"}), "OK");
    EXPECT_EQ(h->Run({"SET", "n", "42"}), "OK");
    EXPECT_EQ(h->Run({"PEXPIREAT", "n", "99999999999999"}), "(integer) 1");
    EXPECT_EQ(h->Run({"RPUSH", "l", "a", "b"}), "(integer) 2");
    EXPECT_EQ(h->Run({"SADD", "set", "m"}), "(integer) 1");
    EXPECT_EQ(h->Run({"ZADD", "z", "1.5", "m"}), "(integer) 1");
    EXPECT_EQ(h->Run({"HSET", "h", "f", "v"}), "(integer) 1");
    EXPECT_EQ(h->Run({"SELECT", "5"}), "OK");
    EXPECT_EQ(h->Run({"SET", "db5", "x"}), "OK");
    EXPECT_EQ(h->Run({"BGREWRITEAOF"}), "Background append only file rewriting started");
    EXPECT_EQ(h->Run({"BGREWRITEAOF"}),
              "(error) ERR Background append only file rewriting already in progress");
    AofTest::AofOf(*h).FinishRewrite();
    EXPECT_FALSE(AofTest::AofOf(*h).rewrite_in_progress());
    EXPECT_EQ(ReadFile("appendonlydir/appendonly.aof.manifest"),
              "file " + base_name + " seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n");
    EXPECT_FALSE(fsys::exists("appendonlydir/appendonly.aof.1.incr.aof"));
    std::string info;
    AofTest::AofOf(*h).AppendInfo(&info);
    EXPECT_NE(info.find("aof_rewrites:1"), std::string::npos);
    EXPECT_NE(info.find("aof_last_bgrewrite_status:ok"), std::string::npos);
    AofTest::AofOf(*h).OnShutdown();
  }
  auto h = AofTest::Start(extra);
  EXPECT_EQ(h->Run({"GET", "s"}), "v");
  EXPECT_EQ(h->Run({"PEXPIRETIME", "n"}), "(integer) 99999999999999");
  EXPECT_EQ(h->Run({"LRANGE", "l", "0", "-1"}), "[a, b]");
  EXPECT_EQ(h->Run({"SMEMBERS", "set"}), "[m]");
  EXPECT_EQ(h->Run({"ZSCORE", "z", "m"}), "1.5");
  EXPECT_EQ(h->Run({"HGET", "h", "f"}), "v");
  EXPECT_EQ(h->Run({"SELECT", "5"}), "OK");
  EXPECT_EQ(h->Run({"GET", "db5"}), "x");
}

TEST_F(AofTest, RewriteWithRdbPreamble) { RewriteRoundTrip("", "appendonly.aof.2.base.rdb"); }

TEST_F(AofTest, RewriteWithAofBase) {
  RewriteRoundTrip("aof-use-rdb-preamble no\n", "appendonly.aof.2.base.aof");
}

TEST_F(AofTest, FailedRewriteKeepsPreviousFiles) {
  auto h = Start();
  EXPECT_EQ(h->Run({"SET", "a", "1"}), "OK");
  FaultyFileSystem faulty(&FileSystem::Posix());
  h->server().persistence().set_file_system(&faulty);
  // The manifest naming the new incr file (132 bytes) fits; the new base hits a full disk.
  faulty.FailAppendsAfter(140, ENOSPC);
  EXPECT_EQ(h->Run({"BGREWRITEAOF"}), "Background append only file rewriting started");
  AofOf(*h).FinishRewrite();
  faulty.Reset();
  std::string info;
  AofOf(*h).AppendInfo(&info);
  EXPECT_NE(info.find("aof_last_bgrewrite_status:err"), std::string::npos);
  EXPECT_NE(info.find("aof_rewrites_consecutive_failures:1"), std::string::npos);
  // The old base stays; the incr file opened at rewrite start stays listed after the old one.
  EXPECT_EQ(ReadFile("appendonlydir/appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n"
            "file appendonly.aof.2.incr.aof seq 2 type i\n");
  for (const auto& e : fsys::directory_iterator("appendonlydir")) {
    EXPECT_EQ(e.path().filename().string().find("temp-"), std::string::npos) << e.path();
  }
  // A rewrite that cannot persist its manifest at start is refused, nothing changes.
  std::string before = ReadFile("appendonlydir/appendonly.aof.manifest");
  faulty.FailRenames(1, EIO);
  EXPECT_EQ(h->Run({"BGREWRITEAOF"}),
            "(error) ERR Can't execute an AOF background rewriting. Please check the server logs "
            "for more information.");
  EXPECT_EQ(ReadFile("appendonlydir/appendonly.aof.manifest"), before);
  EXPECT_FALSE(fsys::exists("appendonlydir/appendonly.aof.3.incr.aof"));
  // The next rewrite works and the old files go away.
  faulty.Reset();
  EXPECT_EQ(h->Run({"BGREWRITEAOF"}), "Background append only file rewriting started");
  AofOf(*h).FinishRewrite();
  EXPECT_EQ(AofOf(*h).manifest().history.size(), 0u);
  EXPECT_FALSE(fsys::exists("appendonlydir/appendonly.aof.1.base.rdb"));
  h->server().persistence().set_file_system(&FileSystem::Posix());
}

TEST_F(AofTest, EnableAtRuntimeUsesTempIncrUntilRewriteCompletes) {
  Harness h(MakeConfig("appendonly no\n"));
  EXPECT_EQ(h.Run({"SET", "a", "1"}), "OK");
  EXPECT_EQ(h.Run({"CONFIG", "SET", "appendonly", "yes"}), "OK");
  EXPECT_TRUE(AofOf(h).enabled());
  EXPECT_TRUE(fsys::exists("appendonlydir/temp-appendonly.aof.incr"));
  AofOf(h).FinishRewrite();
  EXPECT_FALSE(fsys::exists("appendonlydir/temp-appendonly.aof.incr"));
  EXPECT_EQ(ReadFile("appendonlydir/appendonly.aof.manifest"),
            "file appendonly.aof.1.base.rdb seq 1 type b\n"
            "file appendonly.aof.1.incr.aof seq 1 type i\n");
  Prop(h, 0, {"SET", "b", "2"});
  AofOf(h).BeforeSleep();
  EXPECT_EQ(ReadFile("appendonlydir/appendonly.aof.1.incr.aof"),
            Cmd({"SELECT", "0"}) + Cmd({"SET", "b", "2"}));
  EXPECT_EQ(h.Run({"CONFIG", "SET", "appendonly", "no"}), "OK");
  EXPECT_FALSE(AofOf(h).enabled());
  std::string info;
  AofOf(h).AppendInfo(&info);
  EXPECT_NE(info.find("aof_enabled:0"), std::string::npos);
}

TEST_F(AofTest, BgRewriteInsideExecIsScheduled) {
  auto h = Start();
  EXPECT_EQ(h->Run({"MULTI"}), "OK");
  EXPECT_EQ(h->Run({"BGREWRITEAOF"}), "QUEUED");
  EXPECT_EQ(h->Run({"EXEC"}), "[Background append only file rewriting scheduled]");
  std::string info;
  AofOf(*h).AppendInfo(&info);
  EXPECT_NE(info.find("aof_rewrite_scheduled:1"), std::string::npos);
  AofOf(*h).Cron();
  EXPECT_TRUE(AofOf(*h).rewrite_in_progress());
  AofOf(*h).FinishRewrite();
}

TEST_F(AofTest, AutoRewriteOnGrowth) {
  auto h = Start("auto-aof-rewrite-min-size 100\nauto-aof-rewrite-percentage 100\n");
  for (int i = 0; i < 20; i++) Prop(*h, 0, {"SET", "key" + std::to_string(i), "value"});
  AofOf(*h).BeforeSleep();
  AofOf(*h).Cron();
  EXPECT_TRUE(AofOf(*h).rewrite_in_progress());
  AofOf(*h).FinishRewrite();
  EXPECT_EQ(AofOf(*h).manifest().curr_base_seq, 2);
}

TEST_F(AofTest, DebugLoadReloadsFromDisk) {
  auto h = Start();
  Prop(*h, 0, {"SET", "a", "1"});
  AofOf(*h).BeforeSleep();
  EXPECT_EQ(AofOf(*h).DebugLoad(), "");
  EXPECT_EQ(h->Run({"GET", "a"}), "1");
}

}  // namespace
}  // namespace ember
