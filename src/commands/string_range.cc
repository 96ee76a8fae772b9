// String commands, part two: byte-range work on string values — APPEND and SETRANGE (which
// edit a value in place), GETRANGE / SUBSTR, and LCS. Registered from RegisterStringFamily.
//
// In-place edits: the value is converted to kRaw once (a RawString owned by the entry) and
// then grown with RawString::Reserve, which over-allocates geometrically like sds, so a run of
// APPENDs costs amortised O(1) per byte and the KvEntry block itself is never rebuilt. Results
// longer than proto-max-bulk-len are refused before anything is touched, as Redis does.
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "commands/string_util.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

// True if a string of `len` + `extra` bytes would exceed proto-max-bulk-len (or overflow).
bool ExceedsMaxString(const CommandContext& ctx, uint64_t len, uint64_t extra) {
  uint64_t total;
  if (__builtin_add_overflow(len, extra, &total)) return true;
  return total > uint64_t(ctx.cfg().proto_max_bulk_len);
}

// Writes `bytes` at `offset` into the raw string of `e` (room already reserved), zero-filling
// any gap after the current end. Returns the new length.
size_t WriteAt(KvEntry* e, size_t offset, std::string_view bytes) {
  RawString* r = e->raw();
  if (offset > r->len) std::memset(r->data + r->len, 0, offset - r->len);
  if (!bytes.empty()) std::memcpy(r->data + offset, bytes.data(), bytes.size());
  if (offset + bytes.size() > r->len) r->len = offset + bytes.size();
  return r->len;
}

// APPEND key value
void Append(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1), tail = ctx.arg(2);
  KvEntry* e = db.LookupWrite(key);
  if (!e) {
    // A new key stores the argument as SET would (int / embstr / raw, like Redis).
    db.Add(KvEntry::CreateString(key, tail));
    db.NotifyModified(key);
    NotifyKeyspaceEvent(ctx, kNotifyString, "append", key);
    return ctx.reply().Integer(int64_t(tail.size()));
  }
  if (e->type() != ObjType::kString) return ctx.reply().Error(errors::kWrongType);
  size_t len = e->StringLength();
  if (ExceedsMaxString(ctx, len, tail.size())) return ctx.reply().Error(errors::kStringTooLong);
  e = RawWithRoom(db, e, len + tail.size());
  size_t total = WriteAt(e, len, tail);
  db.NotifyModified(key);
  NotifyKeyspaceEvent(ctx, kNotifyString, "append", key);
  ctx.reply().Integer(int64_t(total));
}

// SETRANGE key offset value
void SetRange(CommandContext& ctx) {
  int64_t offset;
  if (!ParseInt64(ctx.arg(2), &offset)) return ctx.reply().Error(errors::kNotInteger);
  if (offset < 0) return ctx.reply().Error(errors::kOffsetOutOfRange);
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1), value = ctx.arg(3);
  KvEntry* e = db.LookupWrite(key);
  if (e && e->type() != ObjType::kString) return ctx.reply().Error(errors::kWrongType);
  size_t old_len = e ? e->StringLength() : 0;
  if (value.empty()) return ctx.reply().Integer(int64_t(old_len));  // nothing written
  if (ExceedsMaxString(ctx, uint64_t(offset), value.size())) {
    return ctx.reply().Error(errors::kStringTooLong);
  }
  size_t end = size_t(offset) + value.size();
  if (e) {
    e = RawWithRoom(db, e, end);
  } else {
    RawString* r = RawString::Create({}, end);  // exact size, zero-filled by WriteAt
    e = KvEntry::CreateObj(key, ObjType::kString, ObjEncoding::kRaw, r);
    db.Add(e);
  }
  size_t total = WriteAt(e, size_t(offset), value);
  db.NotifyModified(key);
  NotifyKeyspaceEvent(ctx, kNotifyString, "setrange", key);
  ctx.reply().Integer(int64_t(total));
}

// The [start, end] byte range of a string of `len` bytes that GETRANGE returns, with Redis's
// index rules: negative indexes count from the end, both are clamped into the string, and an
// inverted range is empty. Returns false for an empty result.
bool ClampRange(int64_t start, int64_t end, size_t len, size_t* from, size_t* count) {
  if (len == 0) return false;
  if (start < 0 && end < 0 && start > end) return false;
  int64_t n = int64_t(len);
  if (start < 0) start += n;
  if (end < 0) end += n;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= n) end = n - 1;
  if (start > end) return false;
  *from = size_t(start);
  *count = size_t(end - start + 1);
  return true;
}

// GETRANGE key start end   (and SUBSTR, its old name)
void GetRange(CommandContext& ctx) {
  int64_t start, end;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &end)) {
    return ctx.reply().Error(errors::kNotInteger);
  }
  KvEntry* e = ctx.db().LookupRead(ctx.arg(1), ctx.read_flags());
  if (!e) return ctx.reply().Bulk("");
  if (e->type() != ObjType::kString) return ctx.reply().Error(errors::kWrongType);
  char scratch[24];
  std::string_view s = e->StringValue(scratch);
  size_t from = 0, count = 0;
  if (!ClampRange(start, end, s.size(), &from, &count)) return ctx.reply().Bulk("");
  ctx.reply().Bulk(s.substr(from, count));
}

// ---------------------------------------------------------------------------------------------
// LCS
//
// Classic dynamic programming: cell (i, j) of an (alen+1) x (blen+1) table holds the length of
// the longest common subsequence of a[0..i) and b[0..j). Walking back from the bottom-right
// corner — diagonally on equal bytes, otherwise towards the larger neighbour (b's side on a
// tie) — spells the subsequence from its end and yields the matched runs, latest first, which
// is the order Redis reports them in. The table costs 4 bytes per cell, so its size is checked
// against proto-max-bulk-len before it is allocated.

struct LcsOptions {
  bool len = false;
  bool idx = false;
  bool with_match_len = false;
  int64_t min_match_len = 0;
};

struct LcsRange {
  uint32_t a_start, a_end, b_start, b_end;
  uint32_t length() const { return a_end - a_start + 1; }
};

struct FreeDeleter {
  void operator()(uint32_t* p) const { std::free(p); }
};

class LcsTable {
 public:
  // Fills the table; false if it cannot be allocated.
  bool Build(std::string_view a, std::string_view b) {
    a_ = a;
    b_ = b;
    stride_ = b.size() + 1;
    cells_.reset(static_cast<uint32_t*>(std::malloc((a.size() + 1) * stride_ * sizeof(uint32_t))));
    if (!cells_) return false;
    for (size_t i = 0; i <= a.size(); i++) {
      for (size_t j = 0; j <= b.size(); j++) {
        uint32_t v = 0;
        if (i > 0 && j > 0) {
          v = a[i - 1] == b[j - 1] ? At(i - 1, j - 1) + 1 : std::max(At(i - 1, j), At(i, j - 1));
        }
        cells_.get()[i * stride_ + j] = v;
      }
    }
    return true;
  }

  uint32_t Length() const { return At(a_.size(), b_.size()); }

  // Walks back, writing the subsequence into *text (if non-null) and the runs of at least
  // `min_len` bytes into *ranges (if non-null).
  void Trace(std::string* text, std::vector<LcsRange>* ranges, int64_t min_len) const {
    size_t i = a_.size(), j = b_.size(), pos = Length();
    if (text) text->assign(pos, '\0');
    bool open = false;
    LcsRange run{};
    auto close = [&] {
      if (open && ranges && int64_t(run.length()) >= min_len) ranges->push_back(run);
      open = false;
    };
    while (i > 0 && j > 0) {
      if (a_[i - 1] == b_[j - 1]) {
        if (text) (*text)[--pos] = a_[i - 1];
        i--;
        j--;
        if (!open) run = {uint32_t(i), uint32_t(i), uint32_t(j), uint32_t(j)};
        run.a_start = uint32_t(i);
        run.b_start = uint32_t(j);
        open = true;
        if (i == 0 || j == 0) close();
      } else {
        if (At(i - 1, j) > At(i, j - 1)) {
          i--;
        } else {
          j--;
        }
        close();
      }
    }
  }

 private:
  uint32_t At(size_t i, size_t j) const { return cells_.get()[i * stride_ + j]; }

  std::string_view a_, b_;
  size_t stride_ = 0;
  std::unique_ptr<uint32_t, FreeDeleter> cells_;
};

// Parses LCS's options (after the two keys); replies and returns false on an error.
bool ParseLcsOptions(CommandContext& ctx, LcsOptions* opt) {
  ArgParser p(ctx.args(), 3);
  while (p.HasMore()) {
    if (p.Flag("IDX")) {
      opt->idx = true;
    } else if (p.Flag("LEN")) {
      opt->len = true;
    } else if (p.Flag("WITHMATCHLEN")) {
      opt->with_match_len = true;
    } else if (p.remaining() >= 2 && p.Flag("MINMATCHLEN")) {
      if (!ParseInt64(p.Next(), &opt->min_match_len)) {
        ctx.reply().Error(errors::kNotInteger);
        return false;
      }
      if (opt->min_match_len < 0) opt->min_match_len = 0;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  if (opt->idx && opt->len) {
    ctx.reply().Error(errors::kLcsLenAndIdx);
    return false;
  }
  return true;
}

void ReplyLcsIdx(ReplyBuilder& r, const std::vector<LcsRange>& ranges, uint32_t total,
                 bool with_len) {
  r.MapHeader(2);
  r.Bulk("matches");
  r.ArrayHeader(ranges.size());
  for (const LcsRange& m : ranges) {
    r.ArrayHeader(with_len ? 3 : 2);
    r.ArrayHeader(2);
    r.Integer(m.a_start);
    r.Integer(m.a_end);
    r.ArrayHeader(2);
    r.Integer(m.b_start);
    r.Integer(m.b_end);
    if (with_len) r.Integer(m.length());
  }
  r.Bulk("len");
  r.Integer(total);
}

// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN min-match-len] [WITHMATCHLEN]
void Lcs(CommandContext& ctx) {
  Db& db = ctx.db();
  KvEntry* ea = db.LookupRead(ctx.arg(1), ctx.read_flags());
  KvEntry* eb = db.LookupRead(ctx.arg(2), ctx.read_flags());
  if ((ea && ea->type() != ObjType::kString) || (eb && eb->type() != ObjType::kString)) {
    return ctx.reply().Error(errors::kLcsNotStrings);
  }
  char scratch_a[24], scratch_b[24];
  std::string_view a = ea ? ea->StringValue(scratch_a) : std::string_view();
  std::string_view b = eb ? eb->StringValue(scratch_b) : std::string_view();
  LcsOptions opt;
  if (!ParseLcsOptions(ctx, &opt)) return;
  if (a.size() >= UINT32_MAX - 1 || b.size() >= UINT32_MAX - 1) {
    return ctx.reply().Error(errors::kLcsTooLong);
  }
  uint64_t cells = uint64_t(a.size() + 1) * uint64_t(b.size() + 1);
  uint64_t bytes;
  if (__builtin_mul_overflow(cells, uint64_t(sizeof(uint32_t)), &bytes)) {
    return ctx.reply().Error(errors::kLcsAllocFailed);
  }
  if (bytes > uint64_t(ctx.cfg().proto_max_bulk_len)) {
    return ctx.reply().Error(errors::kLcsOverMaxBulk);
  }
  LcsTable table;
  if (!table.Build(a, b)) return ctx.reply().Error(errors::kLcsAllocFailed);
  if (opt.len) return ctx.reply().Integer(table.Length());
  if (opt.idx) {
    std::vector<LcsRange> ranges;
    table.Trace(nullptr, &ranges, opt.min_match_len);
    return ReplyLcsIdx(ctx.reply(), ranges, table.Length(), opt.with_match_len);
  }
  std::string text;
  table.Trace(&text, nullptr, 0);
  ctx.reply().Bulk(text);
}

}  // namespace

void RegisterStringRangeFamily(CommandTable& t) {
  constexpr uint64_t kReadSlow = kAclRead | kAclString | kAclSlow;
  t.Add({.name = "append",
         .arity = 3,
         .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
         .acl = kAclWrite | kAclString | kAclFast,
         .key_specs = {KeyAt(1, kKsRW | kKsInsert)},
         .group = "string",
         .since = "2.0.0",
         .summary = "Appends a string to a key's value, creating the key when absent.",
         .complexity = "O(1) amortised",
         .syntax = "key value",
         .handler = Append});
  t.Add({.name = "setrange",
         .arity = 4,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kAclWrite | kAclString | kAclSlow,
         .key_specs = {KeyAt(1, kKsRW | kKsUpdate)},
         .group = "string",
         .since = "2.2.0",
         .summary = "Overwrites part of a key's string value from a byte offset, padding with "
                    "zero bytes as needed.",
         .complexity = "O(1), plus copying the new bytes",
         .syntax = "key offset value",
         .handler = SetRange});
  t.Add({.name = "getrange",
         .arity = 4,
         .flags = kCmdReadOnly,
         .acl = kReadSlow,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "string",
         .since = "2.4.0",
         .summary = "Returns a byte range of a key's string value.",
         .complexity = "O(N) where N is the length of the returned range",
         .syntax = "key start end",
         .handler = GetRange});
  t.Add({.name = "substr",
         .arity = 4,
         .flags = kCmdReadOnly,
         .acl = kReadSlow,
         .key_specs = {KeyAt(1, kKsRO | kKsAccess)},
         .group = "string",
         .since = "1.0.0",
         .summary = "Returns a byte range of a key's string value (old name of GETRANGE).",
         .complexity = "O(N) where N is the length of the returned range",
         .syntax = "key start end",
         .handler = GetRange});
  t.Add({.name = "lcs",
         .arity = -3,
         .flags = kCmdReadOnly,
         .acl = kReadSlow,
         .key_specs = {KeyRange(1, 2, 1, kKsRO | kKsAccess)},
         .group = "string",
         .since = "7.0.0",
         .summary = "Finds the longest common subsequence of two keys' string values.",
         .complexity = "O(N*M) where N and M are the lengths of the two strings",
         .syntax = "key1:key key2:key [LEN] [IDX] [MINMATCHLEN min-match-len:integer] "
                   "[WITHMATCHLEN]",
         .handler = Lcs});
}

}  // namespace ember
