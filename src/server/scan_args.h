// Shared argument parsing for the SCAN family (SCAN, SSCAN, HSCAN, ZSCAN): the cursor as Redis
// reads it and the "[MATCH pattern] [COUNT count] [TYPE type] [NOVALUES]" options, with
// Redis's error replies.
#pragma once

#include <cstdint>
#include <string_view>

namespace ember {

class CommandContext;
class ReplyBuilder;

struct ScanArgs {
  int64_t count = 10;
  std::string_view pattern;  // used only when use_pattern ("*" needs no matching)
  bool use_pattern = false;
  std::string_view type;  // SCAN's TYPE filter
  bool use_type = false;
  bool no_values = false;  // HSCAN NOVALUES
};

// Options a command accepts besides MATCH and COUNT.
enum ScanArgOption : unsigned { kScanAllowType = 1, kScanAllowNoValues = 2 };

// A cursor as Redis parses it (strtoull over the whole argument): unsigned 64-bit decimal, a
// leading '-' wraps like strtoull, leading white space and trailing junk are refused.
bool ParseScanCursor(std::string_view s, uint64_t* out);

// Writes a cursor as the SCAN family replies it: a bulk string of the decimal value.
void ReplyScanCursor(ReplyBuilder& r, uint64_t cursor);

// Parses options from ctx.arg(first) on. Replies with the error and returns false on a bad one.
bool ParseScanArgs(CommandContext& ctx, size_t first, unsigned allowed, ScanArgs* out);

}  // namespace ember
