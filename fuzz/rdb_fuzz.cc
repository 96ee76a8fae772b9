// libFuzzer target for the RDB loader: every input is loaded as a whole RDB file into a scratch
// 16-db keyspace with the deep checks on (as RESTORE with sanitize-dump-payload), checksum
// verification off so the fuzzer reaches the value decoders. Nothing read from disk may crash,
// leak or read out of bounds. Build with clang and -DEMBER_FUZZ=ON; seed the corpus with dump
// files (tests/integration writes some) or an empty directory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "commands/stream_util.h"
#include "core/clock.h"
#include "core/db.h"
#include "core/hash_object.h"
#include "core/list_object.h"
#include "core/set_object.h"
#include "core/zset_object.h"
#include "persistence/rdb_file.h"

// The command families register how to free each object type; without a server, do it here.
static const bool kHooks = [] {
  ember::ListObject::RegisterHooks();
  ember::SetObject::RegisterHooks();
  ember::ZSetObject::RegisterHooks();
  ember::HashObject::RegisterHooks();
  ember::stream_util::RegisterStreamHooks();
  return true;
}();

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)kHooks;
  static ember::ManualClock clock(1'700'000'000'000);
  ember::Keyspace ks(16, &clock);
  ember::RdbLoadOptions opt;
  opt.limits.hash = {128, 64};
  opt.limits.zset = {128, 64};
  opt.deep_check = true;
  opt.verify_checksum = false;
  opt.now_ms = clock.NowMs();
  opt.on_function = [](std::string_view code, std::string*) { return !code.empty(); };
  ember::RdbLoadResult res;
  std::string err;
  ember::LoadRdb(std::string_view(reinterpret_cast<const char*>(data), size), ks, opt, &res, &err);
  // Touch what was built, so a half-built object is noticed here rather than never.
  for (int i = 0; i < ks.num_dbs(); i++) {
    ks.db(i).dict().ForEach([](ember::KvEntry* e) { (void)e->MemoryUsage(); });
  }
  return 0;
}
