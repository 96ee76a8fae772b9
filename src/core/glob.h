// Glob-style pattern matching with Redis's rules (KEYS, SCAN MATCH, CONFIG GET, PSUBSCRIBE,
// ACL key patterns): '*', '?', '[abc]', '[^a]', '[a-z]', and '\' escapes. Bounded recursion so
// hostile patterns cannot exhaust the stack or take exponential time.
#pragma once

#include <string_view>

namespace ember {

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace ember
