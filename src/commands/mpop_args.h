// The shared argument form of LMPOP, BLMPOP, ZMPOP and BZMPOP:
// "numkeys key [key ...] <first-word> | <second-word> [COUNT count]".
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace ember {

class CommandContext;

struct MPopArgs {
  std::span<const std::string_view> keys;
  bool second = false;  // the second word (RIGHT, MAX) was given
  int64_t count = 1;
};

// Parses MPopArgs with numkeys at `numkeys_idx`, checking in Redis's order (numkeys, the
// side word, then COUNT), e.g. words "LEFT"/"RIGHT" or "MIN"/"MAX". Returns false after
// replying the error.
bool ParseMPopArgs(CommandContext& ctx, size_t numkeys_idx, std::string_view first_word,
                   std::string_view second_word, MPopArgs* a);

}  // namespace ember
