// SHA-1 (FIPS 180-4) for the script cache: EVAL names a script by the hex SHA-1 of its body,
// EVALSHA looks it up by that name, and redis.sha1hex exposes the same digest to scripts.
// Not used for anything security-related.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace ember {

// 40 lower-case hex digits of SHA-1(data) into out (no terminator).
void Sha1Hex(std::string_view data, char out[40]);

}  // namespace ember
