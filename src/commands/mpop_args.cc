// ParseMPopArgs: see mpop_args.h.
#include "commands/mpop_args.h"

#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {

bool ParseMPopArgs(CommandContext& ctx, size_t numkeys_idx, std::string_view first_word,
                   std::string_view second_word, MPopArgs* a) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(numkeys_idx), &numkeys) || numkeys <= 0) {
    return ctx.reply().Error(errors::kNumkeysPositive), false;
  }
  if (numkeys >= int64_t(ctx.argc() - numkeys_idx - 1)) {
    return ctx.reply().Error(errors::kSyntax), false;
  }
  size_t side_idx = numkeys_idx + 1 + size_t(numkeys);
  std::string_view side = ctx.arg(side_idx);
  if (EqualsIgnoreCase(side, first_word)) {
    a->second = false;
  } else if (EqualsIgnoreCase(side, second_word)) {
    a->second = true;
  } else {
    return ctx.reply().Error(errors::kSyntax), false;
  }
  a->keys = ctx.args().subspan(numkeys_idx + 1, size_t(numkeys));
  a->count = 1;
  bool count_seen = false;
  for (size_t j = side_idx + 1; j < ctx.argc(); j++) {
    if (!count_seen && EqualsIgnoreCase(ctx.arg(j), "COUNT") && j + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(++j), &a->count) || a->count <= 0) {
        return ctx.reply().Error(errors::kCountPositive), false;
      }
      count_seen = true;
    } else {
      return ctx.reply().Error(errors::kSyntax), false;
    }
  }
  return true;
}

}  // namespace ember
