// FUNCTION DUMP / RESTORE payloads in Redis's layout (see functions.h): RDB function records,
// the RDB version and a CRC-64. Reads plain and LZF-compressed RDB strings.
#include <cstring>

#include "scripting/functions.h"
#include "server/errors.h"

namespace ember {
namespace {

constexpr unsigned char kOpcodeFunction = 245;       // RDB_OPCODE_FUNCTION2
constexpr unsigned char kOpcodeFunctionPreGa = 246;  // RDB_OPCODE_FUNCTION_PRE_GA
constexpr uint16_t kRdbVersion = 11;                 // Redis 7.2

// CRC-64/Jones, reflected: one table built on first use.
const uint64_t* CrcTable() {
  static uint64_t table[256];
  static bool init = [] {
    for (uint64_t i = 0; i < 256; i++) {
      uint64_t c = i;
      for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ 0x95AC9329AC4BC9B5ull : c >> 1;
      table[i] = c;
    }
    return true;
  }();
  (void)init;
  return table;
}

void AppendLength(std::string* out, uint64_t len) {
  if (len < (1 << 6)) {
    out->push_back(char(len));
  } else if (len < (1 << 14)) {
    out->push_back(char(0x40 | (len >> 8)));
    out->push_back(char(len & 0xff));
  } else if (len <= 0xffffffffull) {
    out->push_back(char(0x80));
    for (int i = 3; i >= 0; i--) out->push_back(char((len >> (8 * i)) & 0xff));
  } else {
    out->push_back(char(0x81));
    for (int i = 7; i >= 0; i--) out->push_back(char((len >> (8 * i)) & 0xff));
  }
}

// Reads an RDB length; *encoded is set for the 0xC0.. special encodings (value in *len).
bool ReadLength(std::string_view in, size_t* pos, uint64_t* len, bool* encoded) {
  *encoded = false;
  if (*pos >= in.size()) return false;
  auto byte = [&](size_t i) { return static_cast<unsigned char>(in[i]); };
  unsigned char b = byte((*pos)++);
  switch (b >> 6) {
    case 0:
      *len = b & 0x3f;
      return true;
    case 1:
      if (*pos >= in.size()) return false;
      *len = (uint64_t(b & 0x3f) << 8) | byte((*pos)++);
      return true;
    case 3:
      *encoded = true;
      *len = b & 0x3f;
      return true;
    default: {
      int n = b == 0x80 ? 4 : b == 0x81 ? 8 : 0;
      if (n == 0 || *pos + size_t(n) > in.size()) return false;
      uint64_t v = 0;
      for (int i = 0; i < n; i++) v = (v << 8) | byte((*pos)++);
      *len = v;
      return true;
    }
  }
}

// LZF decompression (the format liblzf writes): literal runs and back references.
bool LzfDecompress(std::string_view in, size_t out_len, std::string* out) {
  out->clear();
  out->reserve(out_len);
  size_t i = 0;
  while (i < in.size()) {
    unsigned ctrl = static_cast<unsigned char>(in[i++]);
    if (ctrl < 32) {
      size_t n = ctrl + 1;
      if (i + n > in.size() || out->size() + n > out_len) return false;
      out->append(in.substr(i, n));
      i += n;
    } else {
      size_t n = ctrl >> 5;
      if (n == 7) {
        if (i >= in.size()) return false;
        n += static_cast<unsigned char>(in[i++]);
      }
      n += 2;
      if (i >= in.size()) return false;
      size_t back = ((ctrl & 0x1f) << 8) + static_cast<unsigned char>(in[i++]) + 1;
      if (back > out->size() || out->size() + n > out_len) return false;
      size_t from = out->size() - back;
      for (size_t k = 0; k < n; k++) out->push_back((*out)[from + k]);
    }
  }
  return out->size() == out_len;
}

bool ReadString(std::string_view in, size_t* pos, std::string* out) {
  uint64_t len;
  bool encoded;
  if (!ReadLength(in, pos, &len, &encoded)) return false;
  if (!encoded) {
    if (*pos + len > in.size()) return false;
    out->assign(in.substr(*pos, len));
    *pos += len;
    return true;
  }
  if (len <= 2) {  // integers stored as 1, 2 or 4 bytes
    int n = 1 << len;
    if (*pos + size_t(n) > in.size()) return false;
    int64_t v = 0;
    for (int i = 0; i < n; i++) v |= int64_t(static_cast<unsigned char>(in[*pos + i])) << (8 * i);
    if (n == 1) v = int8_t(v);
    if (n == 2) v = int16_t(v);
    if (n == 4) v = int32_t(v);
    *pos += size_t(n);
    *out = std::to_string(v);
    return true;
  }
  if (len != 3) return false;
  uint64_t clen, ulen;
  bool e1, e2;
  if (!ReadLength(in, pos, &clen, &e1) || !ReadLength(in, pos, &ulen, &e2) || e1 || e2 ||
      *pos + clen > in.size()) {
    return false;
  }
  bool ok = LzfDecompress(in.substr(*pos, clen), ulen, out);
  *pos += clen;
  return ok;
}

}  // namespace

uint64_t Crc64(uint64_t crc, const void* data, size_t len) {
  const uint64_t* t = CrcTable();
  const auto* p = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < len; i++) crc = t[(crc ^ p[i]) & 0xff] ^ (crc >> 8);
  return crc;
}

std::string FunctionLibraries::Dump() const {
  std::string out;
  for (auto& [name, lib] : libraries_) {
    out.push_back(char(kOpcodeFunction));
    AppendLength(&out, lib->code.size());
    out += lib->code;
  }
  out.push_back(char(kRdbVersion & 0xff));
  out.push_back(char(kRdbVersion >> 8));
  uint64_t crc = Crc64(0, out.data(), out.size());
  for (int i = 0; i < 8; i++) out.push_back(char((crc >> (8 * i)) & 0xff));
  return out;
}

std::string FunctionLibraries::Restore(std::string_view payload, RestorePolicy policy) {
  if (payload.size() < 10) return std::string(errors::kFunctionPayloadInvalid);
  const auto* footer = reinterpret_cast<const unsigned char*>(payload.data() + payload.size() - 10);
  uint16_t version = uint16_t(footer[0] | (footer[1] << 8));
  uint64_t crc = 0;
  for (int i = 0; i < 8; i++) crc |= uint64_t(footer[2 + i]) << (8 * i);
  if (version > kRdbVersion || Crc64(0, payload.data(), payload.size() - 8) != crc) {
    return std::string(errors::kFunctionPayloadInvalid);
  }
  std::string_view body = payload.substr(0, payload.size() - 10);
  std::vector<std::unique_ptr<FunctionLibrary>> incoming;
  auto release_all = [&] {
    for (auto& l : incoming) Release(*l);
  };
  size_t pos = 0;
  std::string code;
  while (pos < body.size()) {
    unsigned char op = static_cast<unsigned char>(body[pos++]);
    if (op == kOpcodeFunctionPreGa) {
      release_all();
      return std::string(errors::kFunctionPreGaPayload);
    }
    if (op != kOpcodeFunction) {
      release_all();
      return std::string(errors::kFunctionPayloadNotFunction);
    }
    if (!ReadString(body, &pos, &code)) {
      release_all();
      return std::string(errors::kFunctionPayloadInvalid);
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
