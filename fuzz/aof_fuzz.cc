// libFuzzer target for the AOF loader's input side: the first byte picks the manifest parser
// (even) or the command reader (odd). Commands read from the rest are checked for consistent
// offsets, scanned as ember-check-aof does (MULTI/EXEC pairing), and the ones from a list of
// data commands are replayed on an in-process server's fake client, as AOF loading replays
// them, so odd argument values reach the handlers. Nothing read from disk may crash, leak or
// read out of bounds. Build with clang and -DEMBER_FUZZ=ON (scripts/fuzz.sh).
#include <strings.h>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "persistence/aof_format.h"
#include "server/config.h"
#include "server/server.h"

namespace {

bool Replayable(std::string_view name) {
  static const char* kNames[] = {
      "set",    "incr",   "del",       "rpush",    "lpush",       "sadd",   "hset",  "zadd",
      "select", "expire", "pexpireat", "multi",    "exec",        "append", "lpop",  "srem",
      "zrem",   "hdel",   "xadd",      "setrange", "incrbyfloat", "lset",   "ltrim", "persist"};
  for (const char* n : kNames) {
    if (name.size() == strlen(n) && strncasecmp(name.data(), n, name.size()) == 0) return true;
  }
  return false;
}

bool Plausible(const ember::aof::Manifest& m) {
  auto ok = [](const ember::aof::FileInfo& f) { return f.name.size() <= 255; };
  if (m.base && !ok(*m.base)) return false;
  for (const auto& f : m.history)
    if (!ok(f)) return false;
  for (const auto& f : m.incr)
    if (!ok(f)) return false;
  return true;
}

ember::Server& TheServer() {
  static ember::Server* server =
      new ember::Server(ember::Config(), std::make_unique<ember::ManualClock>());
  return *server;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 1) == 0) {
    ember::aof::Manifest m;
    ember::aof::ManifestError err;
    // A parsed manifest formats back to text that parses to the same manifest (file names
    // longer than a file system allows may not fit the 1024-byte line limit once quoted).
    if (ember::aof::ParseManifest(in, &m, &err) && Plausible(m)) {
      ember::aof::Manifest again;
      if (!ember::aof::ParseManifest(m.ToString(), &again, &err) && !m.empty()) __builtin_trap();
      if (again.ToString() != m.ToString()) __builtin_trap();
    }
    return 0;
  }
  (void)ember::aof::ScanCommands(in, 0);
  ember::Server& server = TheServer();
  std::unique_ptr<ember::Client> client = server.CreateUnlistedClient();
  ember::aof::CommandReader reader(in);
  std::vector<std::string_view> argv;
  int budget = 64;
  while (reader.Next(&argv) == ember::aof::ReadStatus::kCommand && budget-- > 0) {
    if (reader.offset() > in.size()) __builtin_trap();
    if (!Replayable(argv[0])) continue;
    server.Execute(*client, argv);
    client->obuf.clear();
  }
  server.keyspace().FlushAll();
  return 0;
}
