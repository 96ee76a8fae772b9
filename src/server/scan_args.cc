// SCAN-family argument parsing.
#include "server/scan_args.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {

bool ParseScanCursor(std::string_view s, uint64_t* out) {
  if (!s.empty() && (s[0] == ' ' || (s[0] >= '\t' && s[0] <= '\r'))) return false;
  std::string buf(s);  // NUL-terminated copy for strtoull; short cursors stay inline (SSO)
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(buf.c_str(), &end, 10);
  if (*end != '\0' || errno == ERANGE) return false;
  *out = v;
  return true;
}

void ReplyScanCursor(ReplyBuilder& r, uint64_t cursor) {
  char buf[24];
  int n = std::snprintf(buf, sizeof(buf), "%llu", static_cast<unsigned long long>(cursor));
  r.Bulk(std::string_view(buf, size_t(n)));
}

bool ParseScanArgs(CommandContext& ctx, size_t first, unsigned allowed, ScanArgs* out) {
  auto fail = [&ctx](std::string_view err) {
    ctx.reply().Error(err);
    return false;
  };
  for (size_t i = first; i < ctx.argc(); i++) {
    std::string_view name = ctx.arg(i);
    if ((allowed & kScanAllowNoValues) && EqualsIgnoreCase(name, "NOVALUES")) {
      out->no_values = true;
      continue;
    }
    if (i + 1 >= ctx.argc()) return fail(errors::kSyntax);
    std::string_view value = ctx.arg(++i);
    if (EqualsIgnoreCase(name, "COUNT")) {
      if (!ParseInt64(value, &out->count)) return fail(errors::kNotInteger);
      if (out->count < 1) return fail(errors::kSyntax);
    } else if (EqualsIgnoreCase(name, "MATCH")) {
      out->pattern = value;
      out->use_pattern = value != "*";
    } else if ((allowed & kScanAllowType) && EqualsIgnoreCase(name, "TYPE")) {
      // An unknown type name simply matches nothing (Redis 7.2 defers the error to 8.0).
      out->type = value;
      out->use_type = true;
    } else {
      return fail(errors::kSyntax);
    }
  }
  return true;
}

}  // namespace ember
