// Number parsing with Redis's acceptance rules.
#include "server/arg_parser.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <string>

#include "core/kv_entry.h"
#include "server/errors.h"

namespace ember {

std::string AsciiLower(std::string_view s) {
  std::string r(s);
  for (char& c : r)
    if (c >= 'A' && c <= 'Z') c = char(c + 32);
  return r;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); i++) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x + 32);
    if (y >= 'A' && y <= 'Z') y = char(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool ParseInt64(std::string_view s, int64_t* out) { return StringToInt64(s, out); }

bool ParseDouble(std::string_view s, double* out) {
  if (s.empty() || s.size() > 5000 || isspace(static_cast<unsigned char>(s[0]))) return false;
  char buf[5001];
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  char* end = nullptr;
  errno = 0;
  double v = strtod(buf, &end);
  if (end != buf + s.size() || std::isnan(v)) return false;
  if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || v == 0)) return false;
  *out = v;
  return true;
}

bool ParseLongDouble(std::string_view s, long double* out) {
  if (s.empty() || s.size() > 5000 || isspace(static_cast<unsigned char>(s[0]))) return false;
  char buf[5001];
  memcpy(buf, s.data(), s.size());
  buf[s.size()] = 0;
  char* end = nullptr;
  errno = 0;
  long double v = strtold(buf, &end);
  if (end != buf + s.size() || std::isnan(v) || errno == ERANGE) return false;
  *out = v;
  return true;
}

std::string_view ParseRandomCountArgs(std::span<const std::string_view> args,
                                      std::string_view keyword, RandomCountArgs* out) {
  out->with_count = args.size() >= 3;
  if (out->with_count && !ParseInt64(args[2], &out->count)) return errors::kNotInteger;
  if (out->count == INT64_MIN) return errors::kRandomCountRange;
  if (args.size() > 4) return errors::kSyntax;
  if (args.size() == 4) {
    if (!EqualsIgnoreCase(args[3], keyword)) return errors::kSyntax;
    out->with_keyword = true;
    if (out->count < -(INT64_MAX / 2) || out->count > INT64_MAX / 2) {
      return errors::kValueOutOfRange;
    }
  }
  return {};
}

}  // namespace ember
