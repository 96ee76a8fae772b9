// Argument parsing helpers shared by every command family: numbers with Redis's exact
// acceptance rules, case-insensitive keywords, and a cursor over optional arguments.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace ember {

// ASCII lower-cased copy.
std::string AsciiLower(std::string_view s);
// Case-insensitive ASCII equality.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// Strict int64 as Redis's string2ll (no spaces, no '+', no leading zeros).
bool ParseInt64(std::string_view s, int64_t* out);
// Double as Redis's string2d/getDoubleFromObject: strtod over the whole string, no leading
// space, "inf"/"-inf" allowed, NaN refused.
bool ParseDouble(std::string_view s, double* out);
// Long double as Redis's string2ld (INCRBYFLOAT).
bool ParseLongDouble(std::string_view s, long double* out);

// Arguments of HRANDFIELD / ZRANDMEMBER: "key [count [KEYWORD]]" where KEYWORD is WITHVALUES
// or WITHSCORES. Checked in Redis's order (count, then extra arguments, then the keyword and
// the doubled-count range).
struct RandomCountArgs {
  bool with_count = false;
  int64_t count = 1;
  bool with_keyword = false;
};
// Returns "" or the error text to reply.
std::string_view ParseRandomCountArgs(std::span<const std::string_view> args,
                                      std::string_view keyword, RandomCountArgs* out);

// Walks optional arguments left to right: `while (p.HasMore()) if (p.Flag("NX")) ...`.
class ArgParser {
 public:
  ArgParser(std::span<const std::string_view> args, size_t start) : args_(args), pos_(start) {}
  bool HasMore() const { return pos_ < args_.size(); }
  size_t pos() const { return pos_; }
  size_t remaining() const { return args_.size() - pos_; }
  std::string_view Peek() const { return args_[pos_]; }
  std::string_view Next() { return args_[pos_++]; }
  // Consumes the next argument if it equals `kw` (case-insensitively).
  bool Flag(std::string_view kw) {
    if (HasMore() && EqualsIgnoreCase(args_[pos_], kw)) {
      pos_++;
      return true;
    }
    return false;
  }

 private:
  std::span<const std::string_view> args_;
  size_t pos_;
};

}  // namespace ember
