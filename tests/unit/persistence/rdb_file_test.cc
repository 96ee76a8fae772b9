// Tests for the RDB file layer (persistence/rdb_file.h): header and aux fields, SELECTDB over
// several dbs, per-key EXPIRETIME_MS / EXPIRETIME / IDLE / FREQ, functions, module aux records,
// a file written by a real redis-server 7.0.15, and the refusals — bad magic, unsupported
// version, wrong checksum, truncation at every length, duplicate keys, SELECTDB out of range.
// SaveRdbFile is checked for atomicity under injected faults (FaultyFileSystem).
#include "persistence/rdb_file.h"
#include "hex.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "persistence/rdb_format.h"

namespace ember {
namespace {

constexpr int64_t kNow = 1'700'000'000'000;

using ember::testing::Hex;

// redis-server 7.0.15 after: SET a hello; SET n 12345; SET e v PXAT 4102444800000;
// SELECT 2; SET b world; FUNCTION LOAD (library "lib" with function f); SAVE.
const std::string kRedisDump =
    Hex("524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa0563"
        "74696d65c2a02a046bfa08757365642d6d656dc238180f00fa08616f662d62617365c000f5404423216c7561"
        "206e616d653d6c69620a72656469732e72656769737465725f66756e6374696f6e282766272c2066756e6374"
        "696f6e28292072657475726e203120656e6429fe00fb0301fc00d8c32cbb030000000165017600016ec13930"
        "0001610568656c6c6ffe02fb010000016205776f726c64ffebb31861d1dc0f04");

RdbLoadOptions DefaultOptions() {
  RdbLoadOptions opt;
  opt.limits.hash = {128, 64};
  opt.limits.zset = {128, 64};
  opt.now_ms = kNow;
  return opt;
}

std::string StringOf(Keyspace& ks, int db, std::string_view key) {
  KvEntry* e = ks.db(db).dict().Find(key);
  if (e == nullptr) return "<absent>";
  char scratch[32];
  return std::string(e->StringValue(scratch));
}

class RdbFileTest : public ::testing::Test {
 protected:
  RdbFileTest() : clock_(kNow), ks_(16, &clock_), loaded_(16, &clock_) {}

  // A whole image of ks_ in memory: header, functions, dbs, footer.
  std::string Image(RdbLruMode lru = RdbLruMode::kNone, bool checksum = true,
                    std::vector<std::string> functions = {}) {
    RdbWriter w(true);
    RdbHeaderInfo info;
    info.ctime_s = kNow / 1000;
    info.used_mem = 12345;
    WriteRdbHeader(w, info);
    WriteRdbFunctions(w, functions);
    for (int i = 0; i < ks_.num_dbs(); i++) {
      Db& db = ks_.db(i);
      if (db.size() == 0) continue;
      WriteRdbSelectDb(w, i, db.size(), db.expires_count());
      db.dict().ForEach([&](KvEntry* e) { WriteRdbEntry(w, *e, lru, db); });
    }
    WriteRdbFooter(w, checksum);
    return w.buffer();
  }

  bool Load(std::string_view data, const RdbLoadOptions& opt = DefaultOptions()) {
    res_ = RdbLoadResult();
    err_.clear();
    return LoadRdb(data, loaded_, opt, &res_, &err_);
  }

  ManualClock clock_;
  Keyspace ks_;
  Keyspace loaded_;
  RdbLoadResult res_;
  std::string err_;
};

TEST_F(RdbFileTest, HeaderAndAuxFields) {
  std::string img = Image();
  EXPECT_EQ(img.substr(0, 9), "REDIS0010");
  ASSERT_TRUE(Load(img)) << err_;
  EXPECT_EQ(res_.version, 10);
  EXPECT_EQ(res_.aux["redis-ver"], "7.2.4");
  EXPECT_EQ(res_.aux["redis-bits"], "64");
  EXPECT_EQ(res_.aux["ctime"], std::to_string(kNow / 1000));
  EXPECT_EQ(res_.aux["used-mem"], "12345");
  EXPECT_EQ(res_.aux["aof-base"], "0");
  EXPECT_EQ(res_.keys_loaded, 0u);
  EXPECT_EQ(res_.bytes_consumed, img.size());
}

TEST_F(RdbFileTest, StringsInSeveralDbsWithExpiry) {
  ks_.db(0).Add(KvEntry::CreateString("a", "hello"));
  ks_.db(0).Add(KvEntry::CreateString("n", "12345"));
  ks_.db(0).Add(KvEntry::CreateString("ttl", "v", kNow + 60'000));
  ks_.db(3).Add(KvEntry::CreateString("b", std::string(1000, 'x')));
  ks_.db(15).Add(KvEntry::CreateString("last", "z"));
  ASSERT_TRUE(Load(Image())) << err_;
  EXPECT_EQ(res_.keys_loaded, 5u);
  EXPECT_EQ(StringOf(loaded_, 0, "a"), "hello");
  EXPECT_EQ(StringOf(loaded_, 0, "n"), "12345");
  EXPECT_TRUE(loaded_.db(0).dict().Find("n")->is_int());
  EXPECT_EQ(loaded_.db(0).dict().Find("ttl")->expire_ms(), kNow + 60'000);
  EXPECT_EQ(loaded_.db(0).expires_count(), 1u);
  EXPECT_EQ(loaded_.db(0).dict().Find("a")->expire_ms(), KvEntry::kNoExpire);
  EXPECT_EQ(StringOf(loaded_, 3, "b"), std::string(1000, 'x'));
  EXPECT_EQ(StringOf(loaded_, 15, "last"), "z");
  EXPECT_EQ(loaded_.TotalKeys(), 5u);
}

TEST_F(RdbFileTest, ExpiredKeysAreSkippedAndCounted) {
  ks_.db(0).Add(KvEntry::CreateString("gone", "v", kNow - 1));
  ks_.db(0).Add(KvEntry::CreateString("kept", "v", kNow + 1000));
  std::string img = Image();
  ASSERT_TRUE(Load(img)) << err_;
  EXPECT_EQ(res_.keys_loaded, 1u);
  EXPECT_EQ(res_.keys_expired, 1u);
  EXPECT_EQ(StringOf(loaded_, 0, "gone"), "<absent>");

  Keyspace fresh(16, &clock_);
  RdbLoadOptions opt = DefaultOptions();
  opt.skip_expired = false;  // AOF preamble / replica
  RdbLoadResult res;
  ASSERT_TRUE(LoadRdb(img, fresh, opt, &res, &err_)) << err_;
  EXPECT_EQ(res.keys_loaded, 2u);
  EXPECT_EQ(res.keys_expired, 0u);
}

TEST_F(RdbFileTest, IdleTimeRoundTrip) {
  KvEntry* e = KvEntry::CreateString("k", "v");
  ks_.db(0).Add(e);
  clock_.AdvanceMs(100'000);  // idle for 100 s
  std::string img = Image(RdbLruMode::kIdle);
  ASSERT_TRUE(Load(img)) << err_;
  EXPECT_EQ(loaded_.db(0).IdleSeconds(loaded_.db(0).dict().Find("k")), 100u);
}

TEST_F(RdbFileTest, FreqRoundTripUnderLfu) {
  KvEntry* e = KvEntry::CreateString("k", "v");
  ks_.db(0).Add(e);
  e->set_lru(0x1234 << 8 | 77);  // minutes | counter
  std::string img = Image(RdbLruMode::kFreq);
  RdbLoadOptions opt = DefaultOptions();
  opt.lfu = true;
  ASSERT_TRUE(Load(img, opt)) << err_;
  EXPECT_EQ(loaded_.db(0).dict().Find("k")->lru() & 0xff, 77u);
  EXPECT_EQ(loaded_.db(0).dict().Find("k")->lru() >> 8, uint32_t(kNow / 60000) & 0xffff);
}

TEST_F(RdbFileTest, LoadsRedis70Dump) {
  std::vector<std::string> codes;
  RdbLoadOptions opt = DefaultOptions();
  opt.on_function = [&](std::string_view code, std::string*) {
    codes.emplace_back(code);
    return true;
  };
  ASSERT_TRUE(Load(kRedisDump, opt)) << err_;
  EXPECT_EQ(res_.aux["redis-ver"], "7.0.15");
  EXPECT_EQ(res_.keys_loaded, 4u);
  EXPECT_EQ(StringOf(loaded_, 0, "a"), "hello");
  EXPECT_EQ(StringOf(loaded_, 0, "n"), "12345");
  EXPECT_EQ(StringOf(loaded_, 0, "e"), "v");
  EXPECT_EQ(loaded_.db(0).dict().Find("e")->expire_ms(), 4102444800000);
  EXPECT_EQ(StringOf(loaded_, 2, "b"), "world");
  ASSERT_EQ(codes.size(), 1u);
  EXPECT_TRUE(codes[0].starts_with("#!lua name=lib\n")) << codes[0];
}

TEST_F(RdbFileTest, FunctionsRoundTripAndRefusal) {
  std::string img = Image(RdbLruMode::kNone, true, {"code one", "code two"});
  std::vector<std::string> codes;
  RdbLoadOptions opt = DefaultOptions();
  opt.on_function = [&](std::string_view code, std::string*) {
    codes.emplace_back(code);
    return true;
  };
  ASSERT_TRUE(Load(img, opt)) << err_;
  EXPECT_EQ(codes, (std::vector<std::string>{"code one", "code two"}));

  opt.on_function = [](std::string_view, std::string* err) {
    *err = "Library 'x' already exists";
    return false;
  };
  ASSERT_FALSE(Load(img, opt));
  EXPECT_NE(err_.find("Library 'x' already exists"), std::string::npos) << err_;
}

TEST_F(RdbFileTest, ChecksumVerifiedDisabledOrSkipped) {
  ks_.db(0).Add(KvEntry::CreateString("key", "value"));
  std::string img = Image();
  std::string bad = img;
  size_t pos = bad.find("value");
  ASSERT_NE(pos, std::string::npos);
  bad[pos] = 'V';
  ASSERT_FALSE(Load(bad));
  EXPECT_NE(err_.find("Wrong RDB checksum"), std::string::npos) << err_;

  // The checksum is checked at the end: keys read before stay, the caller gives up.
  EXPECT_EQ(loaded_.TotalKeys(), 1u);
  loaded_.FlushAll();
  RdbLoadOptions opt = DefaultOptions();
  opt.verify_checksum = false;
  ASSERT_TRUE(Load(bad, opt)) << err_;
  EXPECT_EQ(StringOf(loaded_, 0, "key"), "Value");

  // rdbchecksum no writes a zero checksum, which means "not computed".
  Keyspace other(16, &clock_);
  std::string nosum = Image(RdbLruMode::kNone, false);
  EXPECT_EQ(nosum.substr(nosum.size() - 8), std::string(8, '\0'));
  RdbLoadResult res;
  EXPECT_TRUE(LoadRdb(nosum, other, DefaultOptions(), &res, &err_)) << err_;
}

TEST_F(RdbFileTest, BadMagicAndVersion) {
  ASSERT_FALSE(Load("REDIX0010\xff"));
  EXPECT_NE(err_.find("Wrong signature"), std::string::npos) << err_;
  ASSERT_FALSE(Load("REDIS0013\xff"));
  EXPECT_NE(err_.find("Can't handle RDB format version 13"), std::string::npos) << err_;
  ASSERT_FALSE(Load("REDIS00a0\xff"));
  EXPECT_NE(err_.find("Wrong signature"), std::string::npos) << err_;
  ASSERT_FALSE(Load(""));
  EXPECT_NE(err_.find("Truncated RDB header"), std::string::npos) << err_;
}

TEST_F(RdbFileTest, EveryTruncationIsRefused) {
  ks_.db(0).Add(KvEntry::CreateString("a", "hello"));
  ks_.db(1).Add(KvEntry::CreateString("b", std::string(200, 'y'), kNow + 5000));
  std::string img = Image(RdbLruMode::kIdle, true, {"lib code"});
  for (size_t n = 0; n < img.size(); n++) {
    Keyspace ks(16, &clock_);
    RdbLoadResult res;
    std::string err;
    // An exactly sized heap copy, so a sanitizer build sees any read past the end.
    std::unique_ptr<char[]> copy(new char[n + 1]);
    std::copy(img.data(), img.data() + n, copy.get());
    EXPECT_FALSE(LoadRdb(std::string_view(copy.get(), n), ks, DefaultOptions(), &res, &err))
        << "prefix of " << n << " bytes loaded";
    EXPECT_NE(err.find("offset"), std::string::npos) << n << ": " << err;
  }
}

TEST_F(RdbFileTest, SingleByteCorruptionsNeverCrash) {
  ks_.db(0).Add(KvEntry::CreateString("a", "hello"));
  ks_.db(0).Add(KvEntry::CreateString("num", "-123456"));
  std::string img = Image(RdbLruMode::kIdle, true, {"lib code"});
  RdbLoadOptions opt = DefaultOptions();
  opt.verify_checksum = false;
  for (size_t i = 0; i < img.size(); i++) {
    for (uint8_t x : {uint8_t(0x01), uint8_t(0x80), uint8_t(0xff)}) {
      std::string bad = img;
      bad[i] = char(uint8_t(bad[i]) ^ x);
      Keyspace ks(16, &clock_);
      RdbLoadResult res;
      std::string err;
      LoadRdb(bad, ks, opt, &res, &err);  // any outcome but a crash
    }
  }
}

TEST_F(RdbFileTest, DuplicateKeyIsAnErrorUnlessMerging) {
  ks_.db(0).Add(KvEntry::CreateString("k", "new"));
  std::string img = Image();
  loaded_.db(0).Add(KvEntry::CreateString("k", "old"));
  ASSERT_FALSE(Load(img));
  EXPECT_NE(err_.find("Duplicate key 'k'"), std::string::npos) << err_;
  EXPECT_EQ(StringOf(loaded_, 0, "k"), "old");

  RdbLoadOptions opt = DefaultOptions();
  opt.replace_existing = true;
  ASSERT_TRUE(Load(img, opt)) << err_;
  EXPECT_EQ(StringOf(loaded_, 0, "k"), "new");
  EXPECT_EQ(loaded_.db(0).size(), 1u);
}

// Hand-built records: the opcodes Ember reads but does not write.
class RdbRecordsTest : public RdbFileTest {
 protected:
  RdbWriter w_{false};
  void Start(int version = 10) {
    char magic[10];
    snprintf(magic, sizeof(magic), "REDIS%04d", version);
    w_.Raw(std::string_view(magic, 9));
  }
  std::string Finish() {
    w_.Byte(rdb::kOpEof);
    w_.U64(w_.crc());
    return w_.buffer();
  }
};

TEST_F(RdbRecordsTest, SelectDbOutOfRange) {
  Start();
  w_.Byte(rdb::kOpSelectDb);
  w_.Len(20);
  ASSERT_FALSE(Load(Finish()));
  EXPECT_NE(err_.find("SELECTDB 20"), std::string::npos) << err_;
  EXPECT_NE(err_.find("16 databases"), std::string::npos) << err_;
}

TEST_F(RdbRecordsTest, SecondsExpirySlotInfoUnknownAuxAndModuleAux) {
  Start(9);
  w_.Byte(rdb::kOpAux);
  w_.String("some-future-field");
  w_.String("whatever");
  w_.Byte(rdb::kOpSlotInfo);
  w_.Len(5);
  w_.Len(1);
  w_.Len(0);
  w_.Byte(rdb::kOpModuleAux);  // module id, when-opcode, when, values, module EOF
  w_.Len(0x1234567890ULL);
  w_.Len(rdb::kModuleOpUint);
  w_.Len(2);
  w_.Len(rdb::kModuleOpString);
  w_.String("blob");
  w_.Len(rdb::kModuleOpDouble);
  w_.Raw(std::string(8, '\0'));
  w_.Len(rdb::kModuleOpFloat);
  w_.Raw(std::string(4, '\0'));
  w_.Len(rdb::kModuleOpSint);
  w_.Len(7);
  w_.Len(rdb::kModuleOpEof);
  w_.Byte(rdb::kOpSelectDb);
  w_.Len(4);
  w_.Byte(rdb::kOpExpireTime);
  int32_t secs = int32_t(kNow / 1000 + 3600);
  w_.Raw(std::string_view(reinterpret_cast<const char*>(&secs), 4));
  w_.Byte(rdb::kTypeString);
  w_.String("k");
  w_.String("v");
  ASSERT_TRUE(Load(Finish())) << err_;
  EXPECT_EQ(res_.version, 9);
  EXPECT_EQ(res_.aux["some-future-field"], "whatever");
  EXPECT_EQ(res_.modules_skipped, 1u);
  EXPECT_EQ(loaded_.db(4).dict().Find("k")->expire_ms(), (kNow / 1000 + 3600) * 1000);
}

TEST_F(RdbRecordsTest, PreGaFunctionsAndUnknownTypesRefused) {
  Start();
  w_.Byte(rdb::kOpFunctionPreGa);
  w_.String("x");
  ASSERT_FALSE(Load(Finish()));
  EXPECT_NE(err_.find("Pre-release function format not supported"), std::string::npos) << err_;

  w_ = RdbWriter(false);
  Start();
  w_.Byte(42);
  ASSERT_FALSE(Load(Finish()));
  EXPECT_NE(err_.find("Unknown RDB encoding type 42"), std::string::npos) << err_;
}

TEST_F(RdbRecordsTest, OldVersionWithoutChecksum) {
  Start(4);  // before RDB 5 there is no CRC after EOF
  w_.Byte(rdb::kOpSelectDb);
  w_.Len(0);
  w_.Byte(rdb::kTypeString);
  w_.String("k");
  w_.String("v");
  w_.Byte(rdb::kOpEof);
  std::string img = w_.buffer();
  ASSERT_TRUE(Load(img)) << err_;
  EXPECT_EQ(res_.bytes_consumed, img.size());
  EXPECT_EQ(StringOf(loaded_, 0, "k"), "v");
}

TEST_F(RdbRecordsTest, BytesConsumedStopsAtTheFooter) {
  Start();
  std::string img = Finish() + "AOF tail";
  ASSERT_TRUE(Load(img)) << err_;
  EXPECT_EQ(res_.bytes_consumed, img.size() - 8);
}

// --- SaveRdbFile ---

class SaveRdbFileTest : public RdbFileTest {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ember-rdb-test-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = dir_ + "/dump.rdb";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string ReadFile() {
    std::unique_ptr<MappedFile> f;
    IoStatus st = FileSystem::Posix().Map(path_, &f);
    EXPECT_TRUE(st.ok()) << st.msg;
    return st.ok() ? std::string(f->data()) : std::string();
  }
  std::vector<std::string> Names() {
    std::vector<std::string> names;
    EXPECT_TRUE(FileSystem::Posix().ListDir(dir_, &names).ok());
    return names;
  }
  void Populate(int n, int first = 0) {
    for (int i = first; i < first + n; i++) {
      ks_.db(i % 3).Add(KvEntry::CreateString("key:" + std::to_string(i),
                                              "value:" + std::to_string(i) + std::string(50, 'v'),
                                              i % 5 == 0 ? kNow + 100'000 : KvEntry::kNoExpire));
    }
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SaveRdbFileTest, SavesAndLoadsBack) {
  Populate(5000);
  RdbSaveOptions opt;
  opt.function_codes = {"#!lua name=x\n"};
  IoStatus st = SaveRdbFile(FileSystem::Posix(), path_, ks_, opt);
  ASSERT_TRUE(st.ok()) << st.msg;
  EXPECT_EQ(Names(), std::vector<std::string>{"dump.rdb"});
  std::string data = ReadFile();
  int functions = 0;
  RdbLoadOptions lopt = DefaultOptions();
  lopt.on_function = [&](std::string_view, std::string*) { return ++functions > 0; };
  ASSERT_TRUE(Load(data, lopt)) << err_;
  EXPECT_EQ(functions, 1);
  EXPECT_EQ(res_.keys_loaded, 5000u);
  EXPECT_EQ(loaded_.db(1).size(), ks_.db(1).size());
  EXPECT_EQ(loaded_.db(0).expires_count(), ks_.db(0).expires_count());
  EXPECT_EQ(StringOf(loaded_, 1, "key:4"), "value:4" + std::string(50, 'v'));
}

TEST_F(SaveRdbFileTest, FaultsNeverDamageTheOldFile) {
  Populate(10);
  ASSERT_TRUE(SaveRdbFile(FileSystem::Posix(), path_, ks_, RdbSaveOptions()).ok());
  std::string good = ReadFile();
  Populate(3000, 10);
  FaultyFileSystem faulty(&FileSystem::Posix());

  faulty.FailAppendsAfter(1000, ENOSPC);
  IoStatus st = SaveRdbFile(faulty, path_, ks_, RdbSaveOptions());
  EXPECT_EQ(st.err, ENOSPC) << st.msg;
  EXPECT_EQ(ReadFile(), good);
  EXPECT_EQ(Names(), std::vector<std::string>{"dump.rdb"});

  faulty.Reset();
  faulty.FailSyncs(1, EIO);
  EXPECT_EQ(SaveRdbFile(faulty, path_, ks_, RdbSaveOptions()).err, EIO);
  EXPECT_EQ(ReadFile(), good);
  EXPECT_EQ(Names(), std::vector<std::string>{"dump.rdb"});

  faulty.FailRenames(1, EACCES);
  EXPECT_EQ(SaveRdbFile(faulty, path_, ks_, RdbSaveOptions()).err, EACCES);
  EXPECT_EQ(ReadFile(), good);
  EXPECT_EQ(Names(), std::vector<std::string>{"dump.rdb"});

  ASSERT_TRUE(SaveRdbFile(faulty, path_, ks_, RdbSaveOptions()).ok());
  EXPECT_NE(ReadFile(), good);
}

TEST_F(SaveRdbFileTest, MissingDirectoryIsAnError) {
  IoStatus st = SaveRdbFile(FileSystem::Posix(), dir_ + "/nope/dump.rdb", ks_, RdbSaveOptions());
  EXPECT_EQ(st.err, ENOENT);
}

}  // namespace
}  // namespace ember
