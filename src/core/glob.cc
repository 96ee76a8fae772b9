// Glob matching with the exact semantics of Redis's stringmatchlen(), without its recursion.
//
// Every pattern token except '*' consumes exactly one byte of the subject ('?', a literal, an
// escaped byte, a [set]), so the classic "remember the last star" algorithm decides the same
// question as Redis's backtracking search: when a token fails, only the most recent star needs
// to swallow one more byte, because any earlier star's alternatives are covered by the later
// one. That keeps hostile patterns such as "a*a*a*a*b" at O(pattern x subject) time and O(1)
// stack. Redis quirks kept on purpose (clients rely on identical results):
//   - the empty subject matches only the empty pattern ("*" does not match "");
//   - an unclosed '[' set runs to the end of the pattern;
//   - in a set, "x-y" is a range even when y is ']', reversed ranges are swapped, bytes are
//     compared as signed chars, and an escaped byte is compared case-sensitively;
//   - a trailing '\' matches a literal backslash.
#include "core/glob.h"

#include <cstddef>

namespace ember {
namespace {

int Lower(int c) { return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c; }

class Matcher {
 public:
  Matcher(std::string_view pattern, bool nocase) : pat_(pattern), nocase_(nocase) {}

  // Byte at i as Redis sees it: a signed char, '\0' past the end (Redis reads the terminator).
  int At(size_t i) const { return i < pat_.size() ? static_cast<signed char>(pat_[i]) : 0; }

  bool Same(int a, int b) const { return nocase_ ? Lower(a) == Lower(b) : a == b; }

  // Matches the single non-star token at *p against byte c; advances *p past the token.
  bool MatchToken(size_t* p, int c) const {
    size_t i = *p;
    switch (At(i)) {
      case '?':
        *p = i + 1;
        return true;
      case '[':
        return MatchSet(p, c);
      case '\\':
        if (pat_.size() - i >= 2) ++i;
        [[fallthrough]];
      default:
        *p = i + 1;
        return Same(At(i), c);
    }
  }

 private:
  bool MatchSet(size_t* p, int c) const {
    size_t i = *p + 1;
    const size_t n = pat_.size();
    const bool negate = At(i) == '^';
    if (negate) ++i;
    bool match = false;
    while (true) {
      if (At(i) == '\\' && n - i >= 2) {
        ++i;
        if (At(i) == c) match = true;
      } else if (i < n && At(i) == ']') {
        break;
      } else if (i >= n) {
        i = n - 1;  // unclosed set: the pattern ends here
        break;
      } else if (n - i >= 3 && At(i + 1) == '-') {
        int lo = At(i), hi = At(i + 2), x = c;
        if (lo > hi) std::swap(lo, hi);
        if (nocase_) lo = Lower(lo), hi = Lower(hi), x = Lower(x);
        i += 2;
        if (x >= lo && x <= hi) match = true;
      } else if (Same(At(i), c)) {
        match = true;
      }
      ++i;
    }
    *p = i + 1;
    return negate ? !match : match;
  }

  std::string_view pat_;
  bool nocase_;
};

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase) {
  if (str.empty()) return pattern.empty();
  Matcher m(pattern, nocase);
  const size_t np = pattern.size();
  size_t p = 0, s = 0;
  size_t star_p = std::string_view::npos;  // pattern index just after the last star
  size_t star_s = 0;                       // subject index that star currently ends at
  while (s < str.size()) {
    if (p < np && pattern[p] == '*') {
      while (p < np && pattern[p] == '*') ++p;
      if (p == np) return true;  // trailing star swallows the rest
      star_p = p;
      star_s = s;
      continue;
    }
    size_t next = p;
    if (p < np && m.MatchToken(&next, static_cast<signed char>(str[s]))) {
      p = next;
      ++s;
      continue;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    s = ++star_s;
  }
  while (p < np && pattern[p] == '*') ++p;
  return p == np;
}

}  // namespace ember
