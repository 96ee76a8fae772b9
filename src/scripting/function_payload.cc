// FUNCTION DUMP / RESTORE payloads in Redis's layout (see functions.h): RDB function records,
// the RDB version and a CRC-64. The RDB primitives (strings in every form, LZF, CRC-64) are
// persistence/rdb_io.h's.
#include "persistence/rdb_format.h"
#include "persistence/rdb_io.h"
#include "scripting/functions.h"
#include "server/errors.h"

namespace ember {
namespace {

// FUNCTION DUMP writes, and RESTORE accepts up to, Redis 7.2's RDB version.
constexpr uint16_t kFunctionRdbVersion = 11;

}  // namespace

std::string FunctionLibraries::Dump() const {
  RdbWriter w;
  for (auto& [name, lib] : libraries_) {
    w.Byte(rdb::kOpFunction2);
    w.String(lib->code);
  }
  w.U16(kFunctionRdbVersion);
  w.U64(w.crc());
  return std::move(w.buffer());
}

std::string FunctionLibraries::Restore(std::string_view payload, RestorePolicy policy) {
  if (payload.size() < 10) return std::string(errors::kDumpPayloadInvalid);
  RdbReader footer(payload.substr(payload.size() - 10));
  uint16_t version = 0;
  uint64_t crc = 0;
  if (!footer.U16(&version) || !footer.U64(&crc) || version > kFunctionRdbVersion ||
      Crc64(0, payload.data(), payload.size() - 8) != crc) {
    return std::string(errors::kDumpPayloadInvalid);
  }
  RdbReader r(payload.substr(0, payload.size() - 10));
  std::vector<std::unique_ptr<FunctionLibrary>> incoming;
  auto release_all = [&] {
    for (auto& l : incoming) Release(*l);
  };
  std::string code;
  while (r.remaining() > 0) {
    uint8_t op = 0;
    (void)r.Byte(&op);
    if (op == rdb::kOpFunctionPreGa) {
      release_all();
      return std::string(errors::kFunctionPreGaPayload);
    }
    if (op != rdb::kOpFunction2) {
      release_all();
      return std::string(errors::kFunctionPayloadNotFunction);
    }
    if (!r.String(&code)) {
      release_all();
      return std::string(errors::kDumpPayloadInvalid);
    }
    std::unique_ptr<FunctionLibrary> lib;
    std::string err = Create(code, &lib);
    if (!err.empty()) {
      release_all();
      return err;
    }
    incoming.push_back(std::move(lib));
  }
  if (policy == RestorePolicy::kFlush) Flush();
  return Install(std::move(incoming), policy == RestorePolicy::kReplace, /*quote_names=*/false);
}

}  // namespace ember
