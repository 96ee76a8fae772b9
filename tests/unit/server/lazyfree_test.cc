// Tests for LazyFreer (server/lazyfree.h): the effort threshold, which FreeReason is lazy under
// which setting, freeing on the background thread, the pending/freed counters, WaitIdle and
// shutdown; a Keyspace with the freer installed, where DEL, UNLINK, overwrites, expiry and
// FLUSHALL ASYNC must free every value exactly once; and the commands (UNLINK, DEL,
// FLUSHDB/FLUSHALL, SCRIPT FLUSH, FUNCTION FLUSH) through the in-process harness.
//
// Values are lists in the quicklist encoding whose destructor is replaced by a counting one
// (restored after each test), so a test knows how many values were freed and on which thread.
#include "server/lazyfree.h"

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "command_harness.h"
#include "core/hash_object.h"
#include "core/list_object.h"
#include "core/listpack.h"
#include "core/set_object.h"
#include "core/zset_object.h"
#include "server/config.h"
#include "server/propagate.h"

namespace ember {
namespace {

constexpr int64_t kStart = 1'700'000'000'000;

std::atomic<int> g_destroyed{0};
std::atomic<int> g_destroyed_off_thread{0};
std::thread::id g_main_thread;

void CountingDestroy(void* obj) {
  g_destroyed.fetch_add(1);
  if (std::this_thread::get_id() != g_main_thread) g_destroyed_off_thread.fetch_add(1);
  delete static_cast<QuickList*>(obj);
}

// A quicklist of `nodes` one-element listpacks: FreeEffort == nodes.
void* MakeQuickList(size_t nodes) {
  auto* q = new QuickList();
  for (size_t i = 0; i < nodes; i++) {
    q->nodes.push_back(Listpack::Append(Listpack::New(true), std::to_string(i)));
    q->count++;
  }
  return q;
}

KvEntry* ListEntry(std::string_view key, size_t nodes, int64_t expire_ms = KvEntry::kNoExpire) {
  return KvEntry::CreateObj(key, ObjType::kList, ObjEncoding::kQuicklist, MakeQuickList(nodes),
                            expire_ms);
}

constexpr size_t kBig = LazyFreer::kEffortThreshold + 1;
constexpr size_t kSmall = LazyFreer::kEffortThreshold;

class LazyFreerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ListObject::RegisterHooks();  // the real effort hook ...
    RegisterObjDestructor(ObjType::kList, ObjEncoding::kQuicklist, CountingDestroy);  // counted
    g_main_thread = std::this_thread::get_id();
    g_destroyed = 0;
    g_destroyed_off_thread = 0;
  }
  void TearDown() override { ListObject::RegisterHooks(); }

  ServerConfig cfg_;
};

TEST_F(LazyFreerTest, EffortThreshold) {
  KvEntry* small = ListEntry("a", kSmall);
  KvEntry* big = ListEntry("b", kBig);
  KvEntry* str = KvEntry::CreateString("s", std::string(1000, 'x'));
  EXPECT_EQ(small->FreeEffort(), kSmall);
  EXPECT_EQ(big->FreeEffort(), kBig);
  EXPECT_EQ(str->FreeEffort(), 1u);
  LazyFreer f(&cfg_);
  EXPECT_FALSE(f.ShouldFreeLazily(small, FreeReason::kUnlink));
  EXPECT_TRUE(f.ShouldFreeLazily(big, FreeReason::kUnlink));
  EXPECT_FALSE(f.ShouldFreeLazily(str, FreeReason::kUnlink));
  KvEntry::Destroy(small);
  KvEntry::Destroy(big);
  KvEntry::Destroy(str);
}

TEST_F(LazyFreerTest, EffortOfEveryCollectionEncoding) {
  SetObject::RegisterHooks();
  HashObject::RegisterHooks();
  ZSetObject::RegisterHooks();
  auto* set = new StrSet();
  auto* hash = new HashTable();
  auto* zset = new ZSkipList();
  for (int i = 0; i < 100; i++) {
    set->Add("m" + std::to_string(i));
    hash->Set("f" + std::to_string(i), "v");
    zset->Insert(i, "m" + std::to_string(i));
  }
  KvEntry* es = KvEntry::CreateObj("s", ObjType::kSet, ObjEncoding::kHashtable, set);
  KvEntry* eh = KvEntry::CreateObj("h", ObjType::kHash, ObjEncoding::kHashtable, hash);
  KvEntry* ez = KvEntry::CreateObj("z", ObjType::kZSet, ObjEncoding::kSkiplist, zset);
  KvEntry* lp = KvEntry::CreateObj("l", ObjType::kHash, ObjEncoding::kListpack,
                                   Listpack::Append(Listpack::New(false), "x"));
  EXPECT_EQ(es->FreeEffort(), 100u);
  EXPECT_EQ(eh->FreeEffort(), 100u);
  EXPECT_EQ(ez->FreeEffort(), 100u);
  EXPECT_EQ(lp->FreeEffort(), 1u);  // one block, however many elements
  for (KvEntry* e : {es, eh, ez, lp}) KvEntry::Destroy(e);
}

TEST_F(LazyFreerTest, ReasonsFollowTheirSettings) {
  LazyFreer f(&cfg_);
  EXPECT_TRUE(f.LazyFor(FreeReason::kUnlink));
  for (FreeReason r :
       {FreeReason::kUserDel, FreeReason::kServerDel, FreeReason::kExpire, FreeReason::kEvict}) {
    EXPECT_FALSE(f.LazyFor(r));
  }
  cfg_.lazyfree_lazy_user_del = true;
  EXPECT_TRUE(f.LazyFor(FreeReason::kUserDel));
  EXPECT_FALSE(f.LazyFor(FreeReason::kServerDel));
  cfg_.lazyfree_lazy_server_del = true;
  cfg_.lazyfree_lazy_expire = true;
  cfg_.lazyfree_lazy_eviction = true;
  EXPECT_TRUE(f.LazyFor(FreeReason::kServerDel));
  EXPECT_TRUE(f.LazyFor(FreeReason::kExpire));
  EXPECT_TRUE(f.LazyFor(FreeReason::kEvict));
  LazyFreer no_cfg(nullptr);
  EXPECT_TRUE(no_cfg.LazyFor(FreeReason::kUnlink));
  EXPECT_FALSE(no_cfg.LazyFor(FreeReason::kUserDel));
}

TEST_F(LazyFreerTest, BigValueIsFreedOnTheThread) {
  LazyFreer f(&cfg_);
  f.Free(ListEntry("k", kBig), FreeReason::kUnlink);
  f.WaitIdle();
  EXPECT_EQ(g_destroyed, 1);
  EXPECT_EQ(g_destroyed_off_thread, 1);
  EXPECT_EQ(f.pending_objects(), 0u);
  EXPECT_EQ(f.freed_objects(), 1u);
}

TEST_F(LazyFreerTest, SmallValueOrEagerReasonIsFreedInline) {
  LazyFreer f(&cfg_);
  f.Free(ListEntry("small", kSmall), FreeReason::kUnlink);
  EXPECT_EQ(g_destroyed, 1);                             // at once, before any wait
  f.Free(ListEntry("big", kBig), FreeReason::kUserDel);  // lazyfree-lazy-user-del is off
  EXPECT_EQ(g_destroyed, 2);
  f.Free(KvEntry::CreateString("s", "v"), FreeReason::kUnlink);
  f.WaitIdle();
  EXPECT_EQ(g_destroyed_off_thread, 0);
  EXPECT_EQ(f.freed_objects(), 0u);
}

// A job that blocks until released, to observe the queue while work is outstanding.
class Latch {
 public:
  void Wait() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return open_; });
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
};

TEST_F(LazyFreerTest, CountersWhileJobsArePending) {
  LazyFreer f(&cfg_);
  Latch latch;
  f.SubmitJob([&latch] { latch.Wait(); }, 3);
  f.Free(ListEntry("a", kBig), FreeReason::kUnlink);
  f.Free(ListEntry("b", kBig), FreeReason::kUnlink);
  EXPECT_EQ(f.pending_objects(), 5u);
  EXPECT_EQ(f.freed_objects(), 0u);
  latch.Open();
  f.WaitIdle();
  EXPECT_EQ(f.pending_objects(), 0u);
  EXPECT_EQ(f.freed_objects(), 5u);
  EXPECT_EQ(g_destroyed_off_thread, 2);
  f.ResetStats();
  EXPECT_EQ(f.freed_objects(), 0u);
}

TEST_F(LazyFreerTest, ShutdownFinishesQueuedJobs) {
  std::atomic<int> ran{0};
  Latch latch;
  {
    LazyFreer f(&cfg_);
    f.SubmitJob([&latch] { latch.Wait(); }, 1);
    for (int i = 0; i < 10; i++)
      f.Free(ListEntry("k" + std::to_string(i), kBig), FreeReason::kUnlink);
    f.SubmitJob([&ran] { ran++; }, 1);
    latch.Open();
  }  // ~LazyFreer: every queued job still runs, then the thread is joined
  EXPECT_EQ(g_destroyed, 10);
  EXPECT_EQ(ran, 1);
}

TEST_F(LazyFreerTest, NoThreadUntilTheFirstJob) {
  LazyFreer f(&cfg_);
  f.WaitIdle();  // nothing queued: returns at once
  EXPECT_EQ(f.pending_objects(), 0u);
}

// --- a Keyspace with the freer installed ------------------------------------------------------

class KeyspaceFreeTest : public LazyFreerTest {
 protected:
  KeyspaceFreeTest() : clock_(kStart), ks_(2, &clock_), freer_(&cfg_) { ks_.set_freer(&freer_); }
  Db& db() { return ks_.db(0); }
  void Drain() { freer_.WaitIdle(); }

  ManualClock clock_;
  Keyspace ks_;
  LazyFreer freer_;
};

TEST_F(KeyspaceFreeTest, DeleteFollowsItsReason) {
  db().Add(ListEntry("user", kBig));
  db().Add(ListEntry("unlink", kBig));
  db().Add(ListEntry("server", kBig));
  EXPECT_TRUE(db().Delete("user", FreeReason::kUserDel));
  EXPECT_EQ(g_destroyed, 1);  // lazyfree-lazy-user-del off: inline
  EXPECT_TRUE(db().Delete("unlink", FreeReason::kUnlink));
  EXPECT_TRUE(db().Delete("server"));  // implicit delete, lazy-server-del off: inline
  Drain();
  EXPECT_EQ(g_destroyed, 3);
  EXPECT_EQ(g_destroyed_off_thread, 1);
  EXPECT_EQ(freer_.freed_objects(), 1u);
  EXPECT_FALSE(db().Delete("unlink", FreeReason::kUnlink));

  cfg_.lazyfree_lazy_user_del = true;
  db().Add(ListEntry("user", kBig));
  EXPECT_TRUE(db().Delete("user", FreeReason::kUserDel));
  Drain();
  EXPECT_EQ(g_destroyed, 4);
  EXPECT_EQ(g_destroyed_off_thread, 2);
}

TEST_F(KeyspaceFreeTest, OverwriteFollowsServerDel) {
  db().Add(ListEntry("k", kBig));
  db().Upsert(KvEntry::CreateString("k", "v"));
  EXPECT_EQ(g_destroyed, 1);
  cfg_.lazyfree_lazy_server_del = true;
  db().Upsert(ListEntry("k", kBig));
  db().Upsert(KvEntry::CreateString("k", "v"));
  Drain();
  EXPECT_EQ(g_destroyed, 2);
  EXPECT_EQ(g_destroyed_off_thread, 1);
  // ReplaceEntry dropping the old value (not moving it) frees through the same path.
  db().Upsert(ListEntry("k", kBig));
  KvEntry* old = db().LookupWrite("k");
  db().ReplaceEntry(old, KvEntry::CreateString("k", "w"), /*move_obj=*/false);
  Drain();
  EXPECT_EQ(g_destroyed, 3);
  EXPECT_EQ(g_destroyed_off_thread, 2);
  EXPECT_EQ(db().size(), 1u);
}

TEST_F(KeyspaceFreeTest, ExpiryFollowsLazyExpire) {
  db().Add(ListEntry("a", kBig, kStart + 10));
  db().Add(ListEntry("b", kBig, kStart + 10));
  db().Add(ListEntry("c", kBig, kStart + 10));
  clock_.AdvanceMs(20);
  EXPECT_EQ(db().LookupRead("a"), nullptr);  // lazy expiry, inline
  EXPECT_EQ(g_destroyed, 1);
  cfg_.lazyfree_lazy_expire = true;
  EXPECT_EQ(db().LookupRead("b"), nullptr);    // lazy expiry, background
  EXPECT_EQ(ks_.ActiveExpire(1'000'000), 1u);  // active expiry, background
  Drain();
  EXPECT_EQ(g_destroyed, 3);
  EXPECT_EQ(g_destroyed_off_thread, 2);
  EXPECT_EQ(ks_.stats().expired_keys, 3u);
  EXPECT_EQ(db().size(), 0u);
}

TEST_F(KeyspaceFreeTest, FlushAsyncDetachesTheTables) {
  for (int i = 0; i < 100; i++) {
    db().Add(ListEntry("k" + std::to_string(i), i % 2 ? kBig : 1));
    ks_.db(1).Add(KvEntry::CreateString("s" + std::to_string(i), "v", kStart + 1000));
  }
  ks_.FlushAll(/*async=*/true);
  EXPECT_EQ(db().size(), 0u);
  EXPECT_EQ(ks_.db(1).size(), 0u);
  EXPECT_EQ(ks_.db(1).expires_count(), 0u);
  db().Add(ListEntry("new", 1));  // the Db is usable at once
  Drain();
  EXPECT_EQ(g_destroyed, 100);  // the flushed ones, each once; "new" is still linked
  EXPECT_EQ(g_destroyed_off_thread, 100);
  EXPECT_EQ(freer_.freed_objects(), 200u);  // every key of both tables
  EXPECT_EQ(freer_.pending_objects(), 0u);
  db().Clear();  // sync: inline
  EXPECT_EQ(g_destroyed, 101);
  db().Clear(/*async=*/true);  // empty: nothing to hand over
  Drain();
  EXPECT_EQ(freer_.freed_objects(), 200u);
}

TEST_F(KeyspaceFreeTest, WithoutAFreerEverythingIsInline) {
  ks_.set_freer(nullptr);
  db().Add(ListEntry("a", kBig));
  db().Add(ListEntry("b", kBig));
  EXPECT_TRUE(db().Delete("a", FreeReason::kUnlink));
  db().Clear(/*async=*/true);
  EXPECT_EQ(g_destroyed, 2);
  EXPECT_EQ(g_destroyed_off_thread, 0);
}

// --- commands ---------------------------------------------------------------------------------

class LazyFreeCommandTest : public ::testing::Test {
 protected:
  LazyFreer& freer() { return h_.server().lazyfree(); }
  // RPUSH enough elements for a quicklist of more than kEffortThreshold nodes.
  void MakeBigList(const std::string& key) {
    std::vector<std::string> args = {"RPUSH", key};
    for (int i = 0; i < 10000; i++) args.push_back(std::string(100, char('a' + i % 26)));
    h_.Run(args);
    ASSERT_EQ(h_.Run({"OBJECT", "ENCODING", key}), "quicklist");
  }
  uint64_t FreedAfterDrain() {
    freer().WaitIdle();
    return freer().freed_objects();
  }
  testing::Harness h_;
};

TEST_F(LazyFreeCommandTest, UnlinkAndDel) {
  MakeBigList("a");
  EXPECT_EQ(h_.Run({"UNLINK", "a", "missing"}), "(integer) 1");
  EXPECT_EQ(FreedAfterDrain(), 1u);
  MakeBigList("b");
  EXPECT_EQ(h_.Run({"DEL", "b"}), "(integer) 1");
  EXPECT_EQ(FreedAfterDrain(), 1u);
  h_.Run({"CONFIG", "SET", "lazyfree-lazy-user-del", "yes"});
  MakeBigList("c");
  EXPECT_EQ(h_.Run({"DEL", "c"}), "(integer) 1");
  EXPECT_EQ(FreedAfterDrain(), 2u);
  h_.Run({"SET", "s", "v"});
  EXPECT_EQ(h_.Run({"UNLINK", "s"}), "(integer) 1");  // small: freed inline
  EXPECT_EQ(FreedAfterDrain(), 2u);
  h_.Run({"CONFIG", "RESETSTAT"});
  EXPECT_EQ(freer().freed_objects(), 0u);
}

TEST_F(LazyFreeCommandTest, ImplicitDeletesFollowServerDel) {
  h_.Run({"CONFIG", "SET", "lazyfree-lazy-server-del", "yes"});
  MakeBigList("a");
  EXPECT_EQ(h_.Run({"SET", "a", "v"}), "OK");
  EXPECT_EQ(FreedAfterDrain(), 1u);
  MakeBigList("b");
  EXPECT_EQ(h_.Run({"RENAME", "a", "b"}), "OK");
  EXPECT_EQ(FreedAfterDrain(), 2u);
  EXPECT_EQ(h_.Run({"GET", "b"}), "v");
}

TEST_F(LazyFreeCommandTest, FlushModes) {
  for (int i = 0; i < 10; i++) h_.Run({"SET", "k" + std::to_string(i), "v"});
  EXPECT_EQ(h_.Run({"FLUSHDB", "SYNC"}), "OK");
  EXPECT_EQ(FreedAfterDrain(), 0u);
  for (int i = 0; i < 10; i++) h_.Run({"SET", "k" + std::to_string(i), "v"});
  EXPECT_EQ(h_.Run({"FLUSHALL", "ASYNC"}), "OK");
  EXPECT_EQ(h_.Run({"DBSIZE"}), "(integer) 0");
  EXPECT_EQ(FreedAfterDrain(), 10u);
  h_.Run({"CONFIG", "SET", "lazyfree-lazy-user-flush", "yes"});
  for (int i = 0; i < 5; i++) h_.Run({"SET", "k" + std::to_string(i), "v"});
  EXPECT_EQ(h_.Run({"FLUSHDB"}), "OK");
  EXPECT_EQ(FreedAfterDrain(), 15u);
  for (int i = 0; i < 5; i++) h_.Run({"SET", "k" + std::to_string(i), "v"});
  EXPECT_EQ(h_.Run({"FLUSHALL", "SYNC"}), "OK");  // SYNC overrides the setting
  EXPECT_EQ(FreedAfterDrain(), 15u);
  EXPECT_EQ(h_.Run({"FLUSHALL", "LAZY"}), testing::kSyntax);
}

TEST_F(LazyFreeCommandTest, ScriptFlushAsyncClosesABigCacheInTheBackground) {
  for (int i = 0; i < 10; i++) h_.Run({"EVAL", "return " + std::to_string(i), "0"});
  EXPECT_EQ(h_.Run({"SCRIPT", "FLUSH", "ASYNC"}), "OK");  // few scripts: inline, as Redis
  EXPECT_EQ(FreedAfterDrain(), 0u);
  for (int i = 0; i < 100; i++) h_.Run({"SCRIPT", "LOAD", "return " + std::to_string(i)});
  EXPECT_EQ(h_.Run({"SCRIPT", "FLUSH", "ASYNC"}), "OK");
  EXPECT_EQ(FreedAfterDrain(), 100u);
  EXPECT_EQ(h_.Run({"EVAL", "return 'fresh'", "0"}), "fresh");
  EXPECT_EQ(h_.Run({"SCRIPT", "FLUSH", "LATER"}).rfind("(error) ERR", 0), 0u);
}

TEST_F(LazyFreeCommandTest, FunctionFlushAsyncClosesTheInterpreterInTheBackground) {
  std::string code = "#!lua name=big\n";
  for (int i = 0; i < 100; i++) {
    code += "redis.register_function('f" + std::to_string(i) + "', function() return " +
            std::to_string(i) + " end)\n";
  }
  EXPECT_EQ(h_.Run({"FUNCTION", "LOAD", code}), "big");
  EXPECT_EQ(h_.Run({"FCALL", "f42", "0"}), "(integer) 42");
  EXPECT_EQ(h_.Run({"FUNCTION", "FLUSH", "ASYNC"}), "OK");
  EXPECT_EQ(FreedAfterDrain(), 100u);
  EXPECT_EQ(h_.Run({"FCALL", "f42", "0"}), "(error) ERR Function not found");
  EXPECT_EQ(h_.Run({"FUNCTION", "LOAD",
                    "#!lua name=small\nredis.register_function('g', "
                    "function() return 7 end)"}),
            "small");
  EXPECT_EQ(h_.Run({"FCALL", "g", "0"}), "(integer) 7");
  EXPECT_EQ(h_.Run({"FUNCTION", "FLUSH", "ASYNC"}), "OK");  // one function: inline
  EXPECT_EQ(FreedAfterDrain(), 100u);
  EXPECT_EQ(h_.Run({"FUNCTION", "LIST"}), "[]");
}

// Without watchers, blocked clients or tracking a flush skips the per-key walk (Server::OnFlush);
// the dirty counter still grows by one per key, and WATCH still sees the flush.
TEST_F(LazyFreeCommandTest, FlushCountsChangesAndTouchesWatchedKeys) {
  for (int i = 0; i < 10; i++) h_.Run({"SET", "k" + std::to_string(i), "v"});
  uint64_t before = h_.server().dirty();
  EXPECT_EQ(h_.Run({"FLUSHALL", "ASYNC"}), "OK");
  EXPECT_EQ(h_.server().dirty(), before + 11);  // ten keys and the command, as Redis
  h_.Run({"SET", "k", "v"});
  h_.Run({"WATCH", "k"});
  EXPECT_EQ(h_.Run({"FLUSHDB", "ASYNC"}), "OK");
  h_.Run({"MULTI"});
  h_.Run({"SET", "k", "w"});
  EXPECT_EQ(h_.Run({"EXEC"}), "(nil)");
  EXPECT_EQ(FreedAfterDrain(), 11u);
}

// Keys deleted because a TTL given in the past: freed and replicated per lazyfree-lazy-expire.
class PastTtlRecorder final : public PropagationTarget {
 public:
  void Propagate(int db, std::span<const std::string> argv) override {
    std::string line;
    for (const std::string& a : argv) line += (line.empty() ? "" : " ") + a;
    lines.push_back(line);
  }
  std::vector<std::string> lines;
};

TEST_F(LazyFreeCommandTest, PastTtlDeletesFollowLazyExpire) {
  PastTtlRecorder rec;
  h_.server().propagator().AddTarget(&rec);
  h_.Run({"SET", "a", "1"});
  h_.Run({"SET", "b", "1"});
  EXPECT_EQ(h_.Run({"EXPIRE", "a", "-1"}), "(integer) 1");
  EXPECT_EQ(h_.Run({"GETEX", "b", "PXAT", "1"}), "1");
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "lazyfree-lazy-expire", "yes"}), "OK");
  MakeBigList("c");
  h_.Run({"SET", "d", "1"});
  EXPECT_EQ(h_.Run({"PEXPIREAT", "c", "1"}), "(integer) 1");
  EXPECT_EQ(h_.Run({"GETEX", "d", "EXAT", "1"}), "1");
  EXPECT_EQ(FreedAfterDrain(), 1u);  // the big list, in the background
  h_.server().propagator().RemoveTarget(&rec);
  std::vector<std::string> deletes;
  for (const std::string& l : rec.lines) {
    if (l.rfind("DEL ", 0) == 0 || l.rfind("UNLINK ", 0) == 0) deletes.push_back(l);
  }
  EXPECT_EQ(deletes, (std::vector<std::string>{"DEL a", "DEL b", "UNLINK c", "UNLINK d"}));
}

TEST_F(LazyFreeCommandTest, FullSyncFlushFollowsReplicaLazyFlush) {
  for (int i = 0; i < 10; i++) h_.Run({"SET", "k" + std::to_string(i), "v"});
  h_.server().FlushForFullSync();
  EXPECT_EQ(h_.Run({"DBSIZE"}), "(integer) 0");
  EXPECT_EQ(FreedAfterDrain(), 0u);
  EXPECT_EQ(h_.Run({"CONFIG", "SET", "replica-lazy-flush", "yes"}), "OK");
  for (int i = 0; i < 10; i++) h_.Run({"SET", "k" + std::to_string(i), "v"});
  h_.server().FlushForFullSync();
  EXPECT_EQ(h_.Run({"DBSIZE"}), "(integer) 0");
  EXPECT_EQ(FreedAfterDrain(), 10u);
}

}  // namespace
}  // namespace ember
