// Tests for the forkless snapshot engine (persistence/snapshot.h): the point-in-time property
// under a random write load (every key of the start-time keyspace emitted exactly once, with
// its start-time value), abort and restart, one snapshot at a time, and the background file
// writer with injected I/O faults. The emitter used here clones each emitted entry into a
// second server's keyspace, so the image can be compared with commands and does not depend on
// the RDB codec.
#include "persistence/snapshot.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "command_harness.h"
#include "persistence/file_system.h"

namespace ember {
namespace {

using testing::Harness;

// Flat list of the bulk strings / integers in a RESP reply (nesting ignored).
std::vector<std::string> Flatten(const std::string& raw) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < raw.size()) {
    char t = raw[pos];
    size_t eol = raw.find("\r\n", pos);
    std::string line = raw.substr(pos + 1, eol - pos - 1);
    pos = eol + 2;
    if (t == '$') {
      long n = std::stol(line);
      if (n < 0) {
        out.push_back("(nil)");
        continue;
      }
      out.push_back(raw.substr(pos, size_t(n)));
      pos += size_t(n) + 2;
    } else if (t == '*') {
      continue;
    } else {
      out.push_back(line);
    }
  }
  return out;
}

// A canonical text of key's value and TTL in the harness' selected db.
std::string Describe(Harness& h, const std::string& key) {
  std::string type = h.Run({"TYPE", key});
  std::string out = type + " ttl=" + h.Run({"PEXPIRETIME", key}) + " ";
  if (type == "string") return out + h.Run({"GET", key});
  if (type == "list") return out + h.Run({"LRANGE", key, "0", "-1"});
  if (type == "zset") return out + h.Run({"ZRANGE", key, "0", "-1", "WITHSCORES"});
  if (type == "set") {
    std::vector<std::string> m = Flatten(h.RunRaw({"SMEMBERS", key}));
    std::sort(m.begin(), m.end());
    for (auto& s : m) out += s + ",";
    return out;
  }
  if (type == "hash") {
    std::vector<std::string> m = Flatten(h.RunRaw({"HGETALL", key}));
    std::vector<std::string> pairs;
    for (size_t i = 0; i + 1 < m.size(); i += 2) pairs.push_back(m[i] + "=" + m[i + 1]);
    std::sort(pairs.begin(), pairs.end());
    for (auto& s : pairs) out += s + ",";
    return out;
  }
  if (type == "stream") {
    return out + h.Run({"XRANGE", key, "-", "+"}) + h.Run({"XINFO", "STREAM", key, "FULL"});
  }
  return out + "?";
}

// db -> key -> description, for every db of the harness.
using Image = std::map<int, std::map<std::string, std::string>>;

Image Capture(Harness& h) {
  Image img;
  int ndb = h.server().keyspace().num_dbs();
  for (int db = 0; db < ndb; ++db) {
    h.Run({"SELECT", std::to_string(db)});
    for (const std::string& k : Flatten(h.RunRaw({"KEYS", "*"}))) img[db][k] = Describe(h, k);
  }
  h.Run({"SELECT", "0"});
  return img;
}

// Copies every entry of `from` into `to` (same dbs, same keys, deep copies).
void CloneAll(Keyspace& from, Keyspace& to) {
  for (int db = 0; db < from.num_dbs(); ++db) {
    from.db(db).dict().ForEach(
        [&](KvEntry* e) { to.db(db).Add(KvEntry::Clone(e, e->key(), e->expire_ms())); });
  }
}

// Clones each emitted entry into `target`, counting duplicates.
class CloningEmitter : public SnapshotEmitter {
 public:
  explicit CloningEmitter(Keyspace* target) : target_(target) {}
  void Begin() override { ++begins; }
  void Emit(int db, const KvEntry& e, const Db&) override {
    Db& d = target_->db(db);
    if (d.dict().Find(e.key()) != nullptr) {
      ++duplicates;
      return;
    }
    KvEntry* copy = KvEntry::Clone(&e, e.key(), e.expire_ms());
    ASSERT_NE(copy, nullptr);
    d.Add(copy);
    ++emitted;
  }
  void End() override { ++ends; }
  bool ok() const override { return !fail; }

  int begins = 0, ends = 0, duplicates = 0, emitted = 0;
  bool fail = false;

 private:
  Keyspace* target_;
};

void Fill(Harness& h, int keys_per_type, std::mt19937& rng) {
  for (int db = 0; db < 3; ++db) {
    h.Run({"SELECT", std::to_string(db)});
    for (int i = 0; i < keys_per_type; ++i) {
      std::string n = std::to_string(i);
      h.Run({"SET", "s" + n, "v" + n});
      h.Run({"SET", "i" + n, std::to_string(i * 7)});
      h.Run({"SET", "r" + n, std::string(60 + i % 30, char('a' + i % 26))});
      for (int j = 0; j < 1 + i % 5; ++j) {
        std::string m = std::to_string(j);
        h.Run({"RPUSH", "l" + n, "e" + m});
        h.Run({"SADD", "t" + n, "m" + m});
        h.Run({"SADD", "n" + n, m});  // intset
        h.Run({"ZADD", "z" + n, std::to_string(j * 1.5), "z" + m});
        h.Run({"HSET", "h" + n, "f" + m, "v" + m});
      }
      if (i % 10 == 0) {  // bigger encodings: hashtable set/hash, skiplist, quicklist
        for (int j = 0; j < 200; ++j) {
          std::string m = std::to_string(j);
          h.Run({"SADD", "t" + n, "big" + m});
          h.Run({"ZADD", "z" + n, m, "big" + m});
          h.Run({"HSET", "h" + n, "big" + m, m});
          h.Run({"RPUSH", "l" + n, "big" + m});
        }
      }
      h.Run({"XADD", "x" + n, "*", "a", n});
      h.Run({"XADD", "x" + n, "*", "b", n});
      if (i % 3 == 0) {
        h.Run({"XGROUP", "CREATE", "x" + n, "g", "0"});
        h.Run({"XREADGROUP", "GROUP", "g", "c", "COUNT", "1", "STREAMS", "x" + n, ">"});
      }
      if (i % 4 == 0) h.Run({"PEXPIRE", "s" + n, std::to_string(100 + rng() % 5000)});
      if (i % 6 == 0) h.Run({"PEXPIRE", "h" + n, std::to_string(100 + rng() % 5000)});
    }
  }
  h.Run({"SELECT", "0"});
}

// One random write command against a random key of the filled keyspace.
void RandomWrite(Harness& h, std::mt19937& rng, int keys_per_type, bool allow_flush) {
  static const char* kPrefixes = "sirltnzhx";
  std::string key = std::string(1, kPrefixes[rng() % 9]) + std::to_string(rng() % keys_per_type);
  std::string other = std::string(1, kPrefixes[rng() % 9]) + std::to_string(rng() % keys_per_type);
  std::string v = std::to_string(rng() % 1000);
  switch (rng() % 32) {
    case 0:
      h.Run({"SET", key, "new" + v});
      break;
    case 1:
      h.Run({"DEL", key});
      break;
    case 2:
      h.Run({"INCR", key});
      break;
    case 3:
      h.Run({"APPEND", key, "++"});
      break;
    case 4:
      h.Run({"HSET", key, "nf" + v, v});
      break;
    case 5:
      h.Run({"LPUSH", key, v});
      break;
    case 6:
      h.Run({"SADD", key, v});
      break;
    case 7:
      h.Run({"ZADD", key, v, "m" + v});
      break;
    case 8:
      h.Run({"XADD", key, "*", "w", v});
      break;
    case 9:
      h.Run({"PEXPIRE", key, std::to_string(1 + rng() % 3000)});
      break;
    case 10:
      h.Run({"PERSIST", key});
      break;
    case 11:
      h.Run({"RENAME", key, other});
      break;
    case 12:
      h.Run({"MOVE", key, std::to_string(rng() % 3)});
      break;
    case 13:
      h.Run({"COPY", key, other, "REPLACE"});
      break;
    case 14:
      h.Run({"GETDEL", key});
      break;
    case 15:
      h.Run({"SPOP", key});
      break;
    case 16:
      h.Run({"LPOP", key});
      break;
    case 17:
      h.Run({"SELECT", std::to_string(rng() % 3)});
      break;
    case 18:
      h.clock().AdvanceMs(int64_t(rng() % 400));
      break;
    case 19:
      h.Run({"GET", key});
      break;  // lazy expiry
    case 20:
      h.server().keyspace().ActiveExpire(1000);
      break;
    case 21:
      h.Run({"SETRANGE", key, "1", "XY"});
      break;
    case 22:
      h.Run({"HDEL", key, "f0"});
      break;
    case 23:
      h.Run({"ZREM", key, "z0"});
      break;
    case 24:
      h.Run({"LSET", key, "0", "set" + v});
      break;
    case 25:
      h.Run({"XACK", key, "g", "0-1"});
      h.Run({"XTRIM", key, "MAXLEN", "1"});
      break;
    case 26:
      h.Run({"XREADGROUP", "GROUP", "g", "c2", "STREAMS", key, ">"});
      break;
    case 27:
      h.Run({"PFADD", key, v});
      h.Run({"PFCOUNT", key});
      break;
    case 28:
      h.Run({"SETEX", key, "5", v});
      break;
    case 29:
      h.Run({"HINCRBY", key, "f1", "3"});
      break;
    case 30:
      if (allow_flush && rng() % 20 == 0) h.Run({"FLUSHDB"});
      break;
    case 31:
      if (allow_flush && rng() % 10 == 0) h.Run({"SWAPDB", std::to_string(rng() % 3), "1"});
      break;
  }
}

class SnapshotPointInTime : public ::testing::TestWithParam<int> {};

TEST_P(SnapshotPointInTime, ImageEqualsStartTimeKeyspace) {
  std::mt19937 rng(GetParam());
  const int kKeys = 60;
  Harness live;
  live.clock().SetMs(1'700'000'000'000);
  Fill(live, kKeys, rng);

  // Reference: a deep copy of the keyspace at start time.
  Harness ref;
  ref.clock().SetMs(live.clock().NowMs());
  CloneAll(live.server().keyspace(), ref.server().keyspace());

  Harness img;
  img.clock().SetMs(live.clock().NowMs());
  auto emitter = std::make_unique<CloningEmitter>(&img.server().keyspace());
  CloningEmitter* em = emitter.get();
  std::unique_ptr<Snapshot> snap = Snapshot::Start(live.server().keyspace(), std::move(emitter));
  ASSERT_NE(snap, nullptr);
  EXPECT_EQ(Snapshot::Start(live.server().keyspace(), std::make_unique<CloningEmitter>(nullptr)),
            nullptr);  // one at a time

  int steps = 0;
  while (!snap->Step(0)) {  // budget 0: one time check's worth of buckets per step
    for (int i = 0; i < 1 + int(rng() % 6); ++i) RandomWrite(live, rng, kKeys, true);
    ++steps;
  }
  for (int i = 0; i < 200; ++i) RandomWrite(live, rng, kKeys, true);  // hook is gone now
  EXPECT_TRUE(snap->done());
  EXPECT_TRUE(snap->ok());
  EXPECT_GT(steps, 3);
  EXPECT_EQ(em->begins, 1);
  EXPECT_EQ(em->ends, 1);
  EXPECT_EQ(em->duplicates, 0);
  EXPECT_EQ(uint64_t(em->emitted), snap->keys_emitted());

  Image want = Capture(ref);
  Image got = Capture(img);
  EXPECT_EQ(want.size(), got.size());
  for (auto& [db, keys] : want) {
    EXPECT_EQ(keys.size(), got[db].size()) << "db " << db;
    for (auto& [k, desc] : keys) EXPECT_EQ(desc, got[db][k]) << "db " << db << " key " << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Seeds, SnapshotPointInTime, ::testing::Values(1, 2, 3, 4, 5, 6));

TEST(Snapshot, EntriesCreatedAfterStartAreNotInTheImage) {
  Harness live;
  live.Run({"SET", "old", "1"});
  Harness img;
  auto em = std::make_unique<CloningEmitter>(&img.server().keyspace());
  auto snap = Snapshot::Start(live.server().keyspace(), std::move(em));
  live.Run({"SET", "new", "2"});
  live.Run({"SET", "old", "3"});
  snap->Finish();
  EXPECT_EQ(img.Run({"GET", "old"}), "1");
  EXPECT_EQ(img.Run({"EXISTS", "new"}), "(integer) 0");
  EXPECT_EQ(snap->keys_emitted(), 1u);
}

TEST(Snapshot, AbortLeavesKeyspaceReadyForTheNextSnapshot) {
  Harness live;
  for (int i = 0; i < 2000; ++i) live.Run({"SET", "k" + std::to_string(i), "v"});
  {
    Harness img;
    auto snap = Snapshot::Start(live.server().keyspace(),
                                std::make_unique<CloningEmitter>(&img.server().keyspace()));
    snap->Step(0);
    live.Run({"SET", "k1", "changed"});
    snap->Abort();
    EXPECT_TRUE(snap->done());
    EXPECT_FALSE(snap->ok());
    live.Run({"SET", "k2", "after"});  // no hook any more
  }
  Harness img;
  auto snap = Snapshot::Start(live.server().keyspace(),
                              std::make_unique<CloningEmitter>(&img.server().keyspace()));
  snap->Finish();
  EXPECT_TRUE(snap->ok());
  EXPECT_EQ(img.Run({"DBSIZE"}), "(integer) 2000");
  EXPECT_EQ(img.Run({"GET", "k1"}), "changed");
  EXPECT_EQ(img.Run({"GET", "k2"}), "after");
}

TEST(Snapshot, DestroyingARunningSnapshotAborts) {
  Harness live;
  for (int i = 0; i < 500; ++i) live.Run({"SET", "k" + std::to_string(i), "v"});
  Harness img;
  {
    auto snap = Snapshot::Start(live.server().keyspace(),
                                std::make_unique<CloningEmitter>(&img.server().keyspace()));
    snap->Step(0);
  }
  live.Run({"DEL", "k3"});  // must not reach a destroyed hook
  EXPECT_EQ(live.server().keyspace().snapshot_state().hook, nullptr);
}

TEST(Snapshot, EmitterFailureStopsTheSnapshot) {
  Harness live;
  for (int i = 0; i < 3000; ++i) live.Run({"SET", "k" + std::to_string(i), "v"});
  Harness img;
  auto em = std::make_unique<CloningEmitter>(&img.server().keyspace());
  CloningEmitter* e = em.get();
  auto snap = Snapshot::Start(live.server().keyspace(), std::move(em));
  snap->Step(0);
  e->fail = true;
  snap->Finish();
  EXPECT_TRUE(snap->done());
  EXPECT_FALSE(snap->ok());
  EXPECT_EQ(e->ends, 0);
  EXPECT_EQ(live.server().keyspace().snapshot_state().hook, nullptr);
}

TEST(Snapshot, FlushAllDuringSnapshotKeepsTheImage) {
  Harness live;
  for (int i = 0; i < 1000; ++i) live.Run({"SET", "k" + std::to_string(i), std::to_string(i)});
  live.Run({"SELECT", "5"});
  live.Run({"SET", "five", "5"});
  Harness img;
  auto snap = Snapshot::Start(live.server().keyspace(),
                              std::make_unique<CloningEmitter>(&img.server().keyspace()));
  snap->Step(0);
  live.Run({"FLUSHALL"});
  live.Run({"SET", "k1", "x"});
  snap->Finish();
  EXPECT_EQ(img.Run({"DBSIZE"}), "(integer) 1000");
  EXPECT_EQ(img.Run({"GET", "k1"}), "1");
  img.Run({"SELECT", "5"});
  EXPECT_EQ(img.Run({"GET", "five"}), "5");
}

// --- BackgroundFileWriter ---

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("ember_snapshot_test_" + std::to_string(getpid()) + "_" + name))
      .string();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(BackgroundFileWriter, WritesEverythingInOrder) {
  std::string path = TempPath("bfw");
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(FileSystem::Posix().OpenWritable(path, false, &f).ok());
  BackgroundFileWriter w(std::move(f), 1024);  // tiny cap: Push waits often
  std::string want;
  for (int i = 0; i < 2000; ++i) {
    std::string chunk = "chunk" + std::to_string(i) + std::string(size_t(i % 700), 'x');
    want += chunk;
    ASSERT_TRUE(w.Push(chunk));
  }
  ASSERT_TRUE(w.Push(std::string(5000, 'y')));  // larger than the cap
  want += std::string(5000, 'y');
  EXPECT_TRUE(w.Finish().ok());
  EXPECT_TRUE(w.closed());
  EXPECT_EQ(w.bytes_written(), want.size());
  EXPECT_EQ(ReadAll(path), want);
  std::remove(path.c_str());
}

TEST(BackgroundFileWriter, CloseIsAsynchronous) {
  std::string path = TempPath("bfw_close");
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(FileSystem::Posix().OpenWritable(path, false, &f).ok());
  BackgroundFileWriter w(std::move(f));
  ASSERT_TRUE(w.Push("hello"));
  w.Close();
  while (!w.closed()) std::this_thread::yield();
  EXPECT_TRUE(w.Finish().ok());
  EXPECT_EQ(ReadAll(path), "hello");
  std::remove(path.c_str());
}

TEST(BackgroundFileWriter, DiskFullIsReported) {
  std::string path = TempPath("bfw_full");
  FaultyFileSystem fs(&FileSystem::Posix());
  fs.FailAppendsAfter(10'000, ENOSPC);
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(fs.OpenWritable(path, false, &f).ok());
  BackgroundFileWriter w(std::move(f), 4096);
  bool refused = false;
  for (int i = 0; i < 1000 && !refused; ++i) refused = !w.Push(std::string(1000, 'z'));
  IoStatus st = w.Finish();
  EXPECT_EQ(st.err, ENOSPC);
  EXPECT_TRUE(w.failed());
  std::remove(path.c_str());
}

TEST(BackgroundFileWriter, FailedFsyncIsReported) {
  std::string path = TempPath("bfw_eio");
  FaultyFileSystem fs(&FileSystem::Posix());
  fs.FailSyncs(1, EIO);
  std::unique_ptr<WritableFile> f;
  ASSERT_TRUE(fs.OpenWritable(path, false, &f).ok());
  BackgroundFileWriter w(std::move(f));
  EXPECT_TRUE(w.Push("data"));
  EXPECT_EQ(w.Finish().err, EIO);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace ember
