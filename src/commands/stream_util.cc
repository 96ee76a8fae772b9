// Stream command helpers: id and option parsing, entry replies, typed lookup, value hooks.
// See stream_util.h.
#include "commands/stream_util.h"

#include <memory>
#include <string>

#include "core/kv_entry.h"
#include "protocol/reply_builder.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/config.h"
#include "server/errors.h"

namespace ember::stream_util {

// --- ids ---------------------------------------------------------------------------------------

std::string_view ParseId(std::string_view arg, uint64_t missing_seq, StreamId* out) {
  if (arg == "-") {
    *out = StreamId::Min();
    return {};
  }
  if (arg == "+") {
    *out = StreamId::Max();
    return {};
  }
  return ParseStrictId(arg, missing_seq, out);
}

std::string_view ParseStrictId(std::string_view arg, uint64_t missing_seq, StreamId* out) {
  return StreamId::Parse(arg, missing_seq, out) ? std::string_view() : errors::kStreamInvalidId;
}

std::string_view ParseXAddId(std::string_view arg, XAddId* out) {
  *out = XAddId{};
  if (arg == "*") return {};
  // "ms-*": the part after the first '-' is exactly "*" (Redis looks at the first dash).
  size_t dash = arg.find('-');
  if (dash != std::string_view::npos && arg.substr(dash + 1) == "*") {
    StreamId id;
    if (arg.size() > 127 || !StreamId::Parse(arg.substr(0, dash), 0, &id)) {
      return errors::kStreamInvalidId;
    }
    out->given = true;
    out->id = id;
    return {};
  }
  if (auto err = ParseStrictId(arg, 0, &out->id); !err.empty()) return err;
  out->given = out->seq_given = true;
  return {};
}

namespace {

// "(id" -> exclusive; a lone "(" is an ordinary (invalid) id.
bool SplitExclusive(std::string_view* arg) {
  if (arg->size() > 1 && (*arg)[0] == '(') {
    arg->remove_prefix(1);
    return true;
  }
  return false;
}

}  // namespace

std::string_view ParseRangeStart(std::string_view arg, StreamId* out) {
  if (SplitExclusive(&arg)) {
    if (auto err = ParseStrictId(arg, 0, out); !err.empty()) return err;
    return out->Next(out) ? std::string_view() : errors::kStreamInvalidStartInterval;
  }
  return ParseId(arg, 0, out);
}

std::string_view ParseRangeEnd(std::string_view arg, StreamId* out) {
  if (SplitExclusive(&arg)) {
    if (auto err = ParseStrictId(arg, UINT64_MAX, out); !err.empty()) return err;
    return out->Prev(out) ? std::string_view() : errors::kStreamInvalidEndInterval;
  }
  return ParseId(arg, UINT64_MAX, out);
}

std::string_view ParseReadId(std::string_view arg, ReadId* out) {
  *out = ReadId{};
  if (arg == "$") {
    out->kind = ReadIdKind::kDollar;
  } else if (arg == "+") {
    out->kind = ReadIdKind::kPlus;
  } else if (arg == ">") {
    out->kind = ReadIdKind::kGreater;
  } else {
    return ParseStrictId(arg, 0, &out->id);
  }
  return {};
}

std::string_view ParseBlockMs(std::string_view arg, int64_t now_ms, int64_t* deadline_ms) {
  int64_t ms;
  if (!ParseInt64(arg, &ms)) return errors::kTimeoutNotInteger;
  if (ms < 0) return errors::kTimeoutNegative;
  if (ms > 0) {
    if (ms > INT64_MAX - now_ms) return errors::kTimeoutOutOfRange;
    ms += now_ms;
  }
  *deadline_ms = ms;
  return {};
}

// --- XADD / XTRIM options ----------------------------------------------------------------------

namespace {

// MAXLEN / MINID [= | ~] threshold, at args[*i] (the keyword); leaves *i on the threshold.
std::string_view ParseStrategy(std::span<const std::string_view> args, size_t* i, bool minid,
                               AddTrimArgs* out) {
  if (out->strategy != TrimStrategy::kNone) return errors::kStreamTrimBoth;
  size_t more = args.size() - 1 - *i;
  out->approx = false;
  std::string_view next = args[*i + 1];
  if (more >= 2 && next == "~") {
    out->approx = true;
    ++*i;
  } else if (more >= 2 && next == "=") {
    ++*i;
  }
  std::string_view threshold = args[++*i];
  if (minid) {
    out->strategy = TrimStrategy::kMinId;
    return ParseStrictId(threshold, 0, &out->minid);
  }
  int64_t maxlen;
  if (!ParseInt64(threshold, &maxlen)) return errors::kNotInteger;
  if (maxlen < 0) return errors::kStreamMaxlenNegative;
  out->strategy = TrimStrategy::kMaxLen;
  out->maxlen = uint64_t(maxlen);
  return {};
}

}  // namespace

std::string_view ParseAddTrimArgs(std::span<const std::string_view> args, bool xadd,
                                  int64_t node_max_entries, AddTrimArgs* out, bool trusted) {
  *out = AddTrimArgs{};
  bool limit_given = false;
  size_t i = 2;
  for (; i < args.size(); i++) {
    bool more = i + 1 < args.size();
    std::string_view opt = args[i];
    if (xadd && opt == "*") {
      break;
    } else if (more && (EqualsIgnoreCase(opt, "MAXLEN") || EqualsIgnoreCase(opt, "MINID"))) {
      if (auto err = ParseStrategy(args, &i, EqualsIgnoreCase(opt, "MINID"), out); !err.empty()) {
        return err;
      }
    } else if (more && EqualsIgnoreCase(opt, "LIMIT")) {
      int64_t limit;
      if (!ParseInt64(args[++i], &limit)) return errors::kNotInteger;
      if (limit < 0) return errors::kStreamLimitNegative;
      out->limit = uint64_t(limit);
      limit_given = true;
    } else if (xadd && EqualsIgnoreCase(opt, "NOMKSTREAM")) {
      out->nomkstream = true;
    } else if (xadd) {
      if (auto err = ParseXAddId(opt, &out->id); !err.empty()) return err;
      break;
    } else {
      return errors::kSyntax;
    }
  }
  out->fields_pos = i + 1;
  if (out->limit != 0 && out->strategy == TrimStrategy::kNone) {
    return errors::kStreamLimitNoStrategy;
  }
  if (!xadd && out->strategy == TrimStrategy::kNone) return errors::kStreamXTrimNoStrategy;
  if (limit_given) {
    if (!out->approx && !trusted) return errors::kStreamLimitNoApprox;
    if (!out->approx) out->limit = 0;  // an exact trim has no work cap
  } else if (out->approx) {
    // Redis caps the work of an approximate trim at 100 blocks' worth of entries.
    int64_t cap = 10000;
    if (node_max_entries > 0) cap = node_max_entries > 10000 ? 1000000 : 100 * node_max_entries;
    out->limit = uint64_t(cap);
  }
  return {};
}

size_t Trim(Stream& s, const AddTrimArgs& a) {
  switch (a.strategy) {
    case TrimStrategy::kMaxLen:
      return s.TrimMaxLen(a.maxlen, a.approx, a.limit);
    case TrimStrategy::kMinId:
      return s.TrimMinId(a.minid, a.approx, a.limit);
    case TrimStrategy::kNone:
      break;
  }
  return 0;
}

// --- replies -----------------------------------------------------------------------------------

void ReplyEntry(ReplyBuilder& rb, StreamId id, std::span<const std::string_view> fv) {
  char buf[48];
  rb.ArrayHeader(2);
  rb.Bulk({buf, id.Format(buf)});
  rb.ArrayHeader(fv.size());
  for (std::string_view s : fv) rb.Bulk(s);
}

void InsertArrayHeader(ReplyBuilder& rb, size_t mark, size_t n) {
  char buf[32];
  buf[0] = '*';
  size_t len = 1 + Int64ToChars(int64_t(n), buf + 1);
  buf[len++] = '\r';
  buf[len++] = '\n';
  rb.buffer()->insert(mark, buf, len);
}

size_t ReplyRange(ReplyBuilder& rb, const Stream& s, StreamId start, StreamId end, bool reverse,
                  size_t count) {
  size_t mark = rb.buffer()->size();
  size_t n =
      s.Range(start, end, reverse, count, [&](StreamId id, std::span<const std::string_view> fv) {
        ReplyEntry(rb, id, fv);
        return true;
      });
  InsertArrayHeader(rb, mark, n);
  return n;
}

// --- keyspace ----------------------------------------------------------------------------------

StreamLimits LimitsFrom(const ServerConfig& cfg) {
  return {.node_max_bytes = size_t(cfg.stream_node_max_bytes),
          .node_max_entries = size_t(cfg.stream_node_max_entries)};
}

bool LookupStream(CommandContext& ctx, std::string_view key, bool write, Stream** s, KvEntry** e) {
  KvEntry* entry;
  if (!ctx.LookupTyped(key, ObjType::kStream, write, &entry)) return false;
  *s = entry ? static_cast<Stream*>(entry->obj()) : nullptr;
  if (e) *e = entry;
  return true;
}

Stream* CreateStream(CommandContext& ctx, std::string_view key) {
  auto* s = new Stream();
  ctx.db().Add(KvEntry::CreateObj(key, ObjType::kStream, ObjEncoding::kListpack, s));
  return s;
}

namespace {

void DestroyStream(void* obj) { delete static_cast<Stream*>(obj); }
void* CopyStream(const void* obj) { return static_cast<const Stream*>(obj)->Clone().release(); }
size_t StreamUsage(const void* obj) { return static_cast<const Stream*>(obj)->MemoryUsage(); }
// Blocks, plus per consumer group its record, its consumers and its pending entries.
size_t StreamFreeEffort(const void* obj) {
  const auto* s = static_cast<const Stream*>(obj);
  size_t effort = s->block_count();
  for (const auto& [name, g] : s->groups()) effort += 1 + g->consumers.size() + g->pel.size();
  return effort;
}

}  // namespace

void RegisterStreamHooks() {
  RegisterObjDestructor(ObjType::kStream, ObjEncoding::kListpack, DestroyStream);
  RegisterObjCopier(ObjType::kStream, ObjEncoding::kListpack, CopyStream);
  RegisterObjMemoryUsage(ObjType::kStream, ObjEncoding::kListpack, StreamUsage);
  RegisterObjFreeEffort(ObjType::kStream, ObjEncoding::kListpack, StreamFreeEffort);
}

}  // namespace ember::stream_util
