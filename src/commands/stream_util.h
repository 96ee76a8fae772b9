// Helpers shared by the stream command families (stream_family.cc: XADD, XRANGE, XREAD ...;
// stream_group_family.cc: XGROUP, XREADGROUP, XINFO ...): parsing of stream ids in each of
// the forms commands accept, the trimming options of XADD/XTRIM, the millisecond BLOCK
// timeout, reply writers for entries, the block limits from config and the typed key lookup.
//
// Parsers return "" on success or the exact error text to reply (errors.h), never reply
// themselves, so a handler can check every argument before touching the keyspace, in the
// order Redis does.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/stream.h"

namespace ember {

class CommandContext;
class KvEntry;
class ReplyBuilder;
struct ServerConfig;

namespace stream_util {

// --- ids ---------------------------------------------------------------------------------------
//
// Forms (as Redis): "ms-seq", or "ms" alone with the sequence filled in by the caller's
// `missing_seq` (0 for a start, UINT64_MAX for an end). Both parts are unsigned 64-bit decimals
// read with Redis's string2ull rules. "-" and "+" stand for 0-0 and the maximum id, except in
// strict contexts (XADD, XDEL, XSETID, MINID, XCLAIM, XACK ...), which refuse them.

// Id argument, "-"/"+" allowed. Error: errors::kStreamInvalidId.
std::string_view ParseId(std::string_view arg, uint64_t missing_seq, StreamId* out);
// Id argument, "-"/"+" refused. Error: errors::kStreamInvalidId.
std::string_view ParseStrictId(std::string_view arg, uint64_t missing_seq, StreamId* out);

// XADD's id argument: "*" (auto), "ms-*" (explicit time, automatic sequence) or explicit.
struct XAddId {
  bool given = false;      // false for "*"
  bool seq_given = false;  // false for "*" and "ms-*"
  StreamId id;             // when given (seq meaningless unless seq_given)
};
std::string_view ParseXAddId(std::string_view arg, XAddId* out);

// Range bounds of XRANGE/XREVRANGE (and XPENDING): "-", "+", "ms" (ms-0 for a start,
// ms-max for an end), "ms-seq", and exclusive "(ms-seq" / "(ms", which resolve to the next
// (start) or previous (end) id. Errors: kStreamInvalidId, kStreamInvalidStartInterval /
// kStreamInvalidEndInterval (an exclusive bound past the end of the id space).
std::string_view ParseRangeStart(std::string_view arg, StreamId* out);
std::string_view ParseRangeEnd(std::string_view arg, StreamId* out);

// XREAD / XREADGROUP id arguments. "$" (entries added after the call), "+" (the last entry,
// Redis 7.4) and ">" (XREADGROUP: never delivered to the group) are returned as kinds for the
// command to resolve against the stream; anything else is a strict id (missing seq = 0).
enum class ReadIdKind { kExplicit, kDollar, kPlus, kGreater };
struct ReadId {
  ReadIdKind kind = ReadIdKind::kExplicit;
  StreamId id;  // kExplicit
};
std::string_view ParseReadId(std::string_view arg, ReadId* out);

// The BLOCK <milliseconds> argument of XREAD/XREADGROUP into an absolute deadline (0 = wait
// forever), with Redis's errors (integer, not negative, no overflow past INT64_MAX).
std::string_view ParseBlockMs(std::string_view arg, int64_t now_ms, int64_t* deadline_ms);

// --- XADD / XTRIM options ----------------------------------------------------------------------

enum class TrimStrategy { kNone, kMaxLen, kMinId };

struct AddTrimArgs {
  TrimStrategy strategy = TrimStrategy::kNone;
  bool approx = false;  // "~"
  uint64_t maxlen = 0;  // kMaxLen
  StreamId minid;       // kMinId
  // Entries an approximate trim may remove at most (0 = no cap): LIMIT, or Redis's default of
  // 100 * stream-node-max-entries (10000 when that is 0 or over 1000000) when "~" came alone.
  uint64_t limit = 0;
  // XADD only.
  bool nomkstream = false;
  XAddId id;
  size_t fields_pos = 0;  // index of the first field argument (XADD), args.size() for XTRIM
};

// Parses "[NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] <* | id>" (XADD,
// `xadd` true, from args[2], stopping after the id) or
// "MAXLEN|MINID [=|~] threshold [LIMIT count]" (XTRIM, from args[2] to the end) with Redis's
// rules and errors; node_max_entries is config stream-node-max-entries. `trusted` (replaying
// an AOF) accepts "= threshold LIMIT n", which Redis itself writes there, as an exact trim.
std::string_view ParseAddTrimArgs(std::span<const std::string_view> args, bool xadd,
                                  int64_t node_max_entries, AddTrimArgs* out, bool trusted = false);

// Trims `s` as the parsed options say; returns the number of entries removed.
size_t Trim(Stream& s, const AddTrimArgs& a);

// --- replies -----------------------------------------------------------------------------------

// One entry: [id, [f1, v1, f2, v2 ...]].
void ReplyEntry(ReplyBuilder& rb, StreamId id, std::span<const std::string_view> fv);
// The entries of `s` in [start, end] (reverse: from end down), at most `count` (0 = all), as
// an array of entries. Returns how many were written.
size_t ReplyRange(ReplyBuilder& rb, const Stream& s, StreamId start, StreamId end, bool reverse,
                  size_t count);
// Writes an array header for `n` elements at byte offset `mark` of the reply buffer, in front
// of elements already written after it (for replies whose length is known only at the end).
void InsertArrayHeader(ReplyBuilder& rb, size_t mark, size_t n);

// --- keyspace ----------------------------------------------------------------------------------

// Block limits from config stream-node-max-bytes / stream-node-max-entries.
StreamLimits LimitsFrom(const ServerConfig& cfg);

// Looks `key` up (write: a write lookup, else a read one honouring NO-TOUCH) expecting a
// stream. Returns false after replying WRONGTYPE; otherwise *s is the stream or nullptr when
// the key is absent (*e, if given, receives the entry).
bool LookupStream(CommandContext& ctx, std::string_view key, bool write, Stream** s,
                  KvEntry** e = nullptr);
// Creates an empty stream under `key` (which must be absent) and returns it.
Stream* CreateStream(CommandContext& ctx, std::string_view key);

// Registers the KvEntry hooks of stream values (destructor, COPY, MEMORY USAGE).
void RegisterStreamHooks();

}  // namespace stream_util
}  // namespace ember
