// Test helper: bytes from a hex string (payloads captured from redis-server, written as hex).
#pragma once

#include <string>
#include <string_view>

namespace ember::testing {

inline std::string Hex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

}  // namespace ember::testing
