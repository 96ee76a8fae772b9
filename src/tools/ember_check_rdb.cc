// ember-check-rdb: checks an RDB file the way redis-check-rdb does — loads it completely (with
// the deep checks RESTORE's sanitize-dump-payload applies) into a scratch keyspace, without a
// server, and prints the version, aux fields, function libraries, keys and expires per db, and
// either "\o/ RDB looks OK! \o/" (exit 0) or the error with the offset where it was found
// (exit 1).
//
// Usage: ember-check-rdb <rdb-file-name>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "commands/stream_util.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/hash_object.h"
#include "core/list_object.h"
#include "core/set_object.h"
#include "core/zset_object.h"
#include "persistence/file_system.h"
#include "persistence/rdb_file.h"

namespace {

using ember::KvEntry;

struct DbCount {
  uint64_t keys = 0;
  uint64_t expires = 0;
};

void PrintSummary(const ember::RdbLoadResult& res, ember::Keyspace& ks, int64_t now_ms,
                  uint64_t functions) {
  printf("[info] RDB format version %d\n", res.version);
  for (const auto& [key, value] : res.aux) {
    printf("[info] AUX FIELD %s = '%s'\n", key.c_str(), value.c_str());
  }
  if (functions > 0) printf("[info] %" PRIu64 " function libraries\n", functions);
  uint64_t total = 0, expires = 0, already_expired = 0;
  for (int i = 0; i < ks.num_dbs(); i++) {
    ember::Db& db = ks.db(i);
    if (db.size() == 0) continue;
    DbCount c;
    db.dict().ForEach([&](KvEntry* e) {
      c.keys++;
      if (e->has_expire()) {
        c.expires++;
        if (e->expire_ms() < now_ms) already_expired++;
      }
    });
    printf("[info] db %d: %" PRIu64 " keys, %" PRIu64 " expires\n", i, c.keys, c.expires);
    total += c.keys;
    expires += c.expires;
  }
  printf("[info] %" PRIu64 " keys read\n", total);
  printf("[info] %" PRIu64 " expires\n", expires);
  printf("[info] %" PRIu64 " already expired\n", already_expired);
  if (res.modules_skipped > 0) {
    printf("[info] %" PRIu64 " module values skipped\n", res.modules_skipped);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "Usage: %s <rdb-file-name>\n", argv[0]);
    return 1;
  }
  std::string path = argv[1];
  // The command families register how to build, size and free each object type.
  ember::ListObject::RegisterHooks();
  ember::SetObject::RegisterHooks();
  ember::ZSetObject::RegisterHooks();
  ember::HashObject::RegisterHooks();
  ember::stream_util::RegisterStreamHooks();
  printf("[offset 0] Checking RDB file %s\n", path.c_str());
  std::unique_ptr<ember::MappedFile> file;
  if (ember::IoStatus st = ember::FileSystem::Posix().Map(path, &file); !st.ok()) {
    printf("Cannot check RDB: %s\n", st.msg.c_str());
    return 1;
  }
  std::string_view data = file->data();

  ember::SystemClock clock;
  ember::Keyspace ks(16, &clock);  // SELECTDB beyond 15 is reported as Redis would
  ember::RdbLoadOptions opt;
  opt.limits.hash = {128, 64};
  opt.limits.zset = {128, 64};
  opt.deep_check = true;
  opt.skip_expired = false;  // counted, not dropped
  opt.now_ms = clock.NowMs();
  uint64_t functions = 0;
  opt.on_function = [&](std::string_view, std::string*) {
    functions++;
    return true;
  };
  ember::RdbLoadResult res;
  std::string err;
  bool ok = ember::LoadRdb(data, ks, opt, &res, &err);
  if (ok && res.bytes_consumed < data.size()) {
    ok = false;
    err = std::to_string(data.size() - res.bytes_consumed) +
          " bytes of trailing garbage after the end of the RDB (at offset " +
          std::to_string(res.bytes_consumed) + ")";
  }
  if (!ok) {
    printf("--- RDB ERROR DETECTED ---\n");
    printf("[offset %" PRIu64 "] %s\n", res.bytes_consumed, err.c_str());
    printf("[additional info] %" PRIu64 " keys read before the error\n", res.keys_loaded);
    return 1;
  }
  PrintSummary(res, ks, opt.now_ms, functions);
  printf("[offset %" PRIu64 "] Checksum OK\n", res.bytes_consumed);
  printf("[offset %" PRIu64 "] \\o/ RDB looks OK! \\o/\n", res.bytes_consumed);
  return 0;
}
