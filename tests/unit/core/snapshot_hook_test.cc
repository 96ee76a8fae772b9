// Tests for the snapshot hook in core/db (the epoch bit in KvEntry's meta byte and the calls the
// Db makes before changing or removing a pending entry). persistence/snapshot.cc builds the
// snapshot engine on this; here a recording hook checks the contract directly.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/db.h"
#include "core/kv_entry.h"

namespace ember {
namespace {

// Records which keys the Db asked to preserve, and marks them done as the real engine does.
class RecordingHook : public SnapshotHook {
 public:
  void Preserve(Db& db, KvEntry* e) override {
    preserved.push_back(std::string(e->key()));
    db.MarkSnapshotDone(e);
  }
  void PreserveAll(Db& db) override {
    ++bulk;
    db.dict().ForEach([&](KvEntry* e) {
      if (db.SnapshotPending(e)) Preserve(db, e);
    });
  }
  std::vector<std::string> preserved;
  int bulk = 0;
};

class SnapshotHookTest : public ::testing::Test {
 protected:
  SnapshotHookTest() : ks_(2, &clock_) { clock_.SetMs(1'000'000); }

  // Starts a "snapshot": flips the epoch and installs the hook.
  void Start() {
    ks_.snapshot_state().epoch = !ks_.snapshot_state().epoch;
    ks_.snapshot_state().hook = &hook_;
  }
  Db& db() { return ks_.db(0); }
  void Set(const std::string& k, const std::string& v, int64_t exp = KvEntry::kNoExpire) {
    db().Upsert(KvEntry::CreateString(k, v, exp));
  }

  ManualClock clock_;
  Keyspace ks_;
  RecordingHook hook_;
};

TEST(KvEntrySnapshotBit, IsIndependentOfTypeAndEncoding) {
  KvEntry* e = KvEntry::CreateObj("k", ObjType::kStream, ObjEncoding::kListpack, nullptr, 5);
  EXPECT_FALSE(e->snapshot_bit());
  e->set_snapshot_bit(true);
  EXPECT_TRUE(e->snapshot_bit());
  EXPECT_EQ(e->type(), ObjType::kStream);
  EXPECT_EQ(e->encoding(), ObjEncoding::kListpack);
  EXPECT_TRUE(e->has_expire());
  EXPECT_EQ(e->expire_ms(), 5);
  KvEntry* copy = KvEntry::WithExpire(e, KvEntry::kNoExpire);  // copies keep the bit
  EXPECT_TRUE(copy->snapshot_bit());
  EXPECT_EQ(copy->type(), ObjType::kStream);
  copy->set_snapshot_bit(false);
  EXPECT_EQ(copy->type(), ObjType::kStream);
  KvEntry::DestroyShell(e);
  KvEntry::DestroyShell(copy);
}

TEST_F(SnapshotHookTest, NothingIsPendingWithoutASnapshot) {
  Set("a", "1");
  EXPECT_FALSE(db().SnapshotPending(db().dict().Find("a")));
  ks_.snapshot_state().epoch = !ks_.snapshot_state().epoch;  // epoch alone: no hook
  EXPECT_FALSE(db().SnapshotPending(db().dict().Find("a")));
}

TEST_F(SnapshotHookTest, StartMakesEveryEntryPendingAndNewOnesDone) {
  Set("a", "1");
  Set("b", "2");
  Start();
  EXPECT_TRUE(db().SnapshotPending(db().dict().Find("a")));
  EXPECT_TRUE(db().SnapshotPending(db().dict().Find("b")));
  db().Add(KvEntry::CreateString("c", "3"));
  EXPECT_FALSE(db().SnapshotPending(db().dict().Find("c")));
  EXPECT_TRUE(hook_.preserved.empty());
}

TEST_F(SnapshotHookTest, WritesPreserveOnceBeforeTheChange) {
  Set("a", "1");
  Set("b", "2");
  Set("c", "3");
  Set("d", "4");
  Start();
  EXPECT_NE(db().LookupWrite("a"), nullptr);
  EXPECT_NE(db().LookupWrite("a"), nullptr);  // done now: not again
  db().LookupRead("b");                       // reads preserve nothing
  Set("b", "new");                            // Upsert over a pending entry
  EXPECT_TRUE(db().Delete("c"));
  KvEntry* d = db().Unlink("d");
  ASSERT_NE(d, nullptr);
  KvEntry::Destroy(d);
  EXPECT_EQ(hook_.preserved, (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST_F(SnapshotHookTest, ExpiryChangesPreserve) {
  Set("e", "1");
  Set("p", "2", 5'000'000);
  Set("x", "3", 1'000'500);
  Set("y", "4", 1'000'500);
  Start();
  KvEntry* e = db().dict().Find("e");
  e = db().SetExpire(e, 9'000'000);
  EXPECT_FALSE(db().SnapshotPending(e));  // the copy is stamped done
  KvEntry* p = db().Persist(db().dict().Find("p"));
  EXPECT_FALSE(db().SnapshotPending(p));
  clock_.AdvanceMs(1000);
  EXPECT_EQ(db().LookupRead("x"), nullptr);  // lazy expiry deletes: preserved first
  db().ActiveExpireCycle(100'000);           // active expiry too
  EXPECT_EQ(hook_.preserved, (std::vector<std::string>{"e", "p", "x", "y"}));
}

TEST_F(SnapshotHookTest, ReplaceEntryPreservesTheOldEntry) {
  Set("a", "1");
  Start();
  KvEntry* old_e = db().dict().Find("a");
  KvEntry* fresh = db().ReplaceEntry(old_e, KvEntry::CreateString("a", "2"), false);
  EXPECT_FALSE(db().SnapshotPending(fresh));
  EXPECT_EQ(hook_.preserved, (std::vector<std::string>{"a"}));
}

TEST_F(SnapshotHookTest, FlushAndSwapPreserveEverything) {
  Set("a", "1");
  Set("b", "2");
  ks_.db(1).Upsert(KvEntry::CreateString("z", "9"));
  Start();
  ks_.SwapDb(0, 1);
  EXPECT_EQ(hook_.bulk, 2);
  EXPECT_EQ(hook_.preserved.size(), 3u);
  ks_.FlushAll();  // nothing pending any more: preserves nothing new
  EXPECT_EQ(hook_.preserved.size(), 3u);
}

TEST_F(SnapshotHookTest, WillModifyIsTheExplicitHook) {
  Set("a", "1");
  Start();
  KvEntry* e = db().LookupRead("a");
  db().WillModify(e);
  db().WillModify(e);
  EXPECT_EQ(hook_.preserved, (std::vector<std::string>{"a"}));
}

}  // namespace
}  // namespace ember
