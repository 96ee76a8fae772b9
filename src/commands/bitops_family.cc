// Bitmap commands on string values: SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD and
// BITFIELD_RO. The handlers turn Redis's arguments into bit ranges and call the kernels in
// core/bitops.h, which do the work a 64-bit word at a time.
//
// Values: a read works on the string's bytes, and an integer-encoded value on its decimal text,
// as in Redis. A write (SETBIT, BITFIELD SET/INCRBY) first makes the value kRaw and long
// enough, zero-filling new bytes (GrowZeroed in string_util.h). Growth over-allocates
// geometrically, so setting ever higher bits costs amortised O(1) per byte rather than a copy
// of the whole string each time. BITOP builds its result in a new kRaw value (Redis stores it
// raw even when short) and deletes the destination when every source is empty.
//
// Offsets are limited to proto-max-bulk-len bytes (the same error text as a malformed
// offset). Argument checks run in Redis's order, which matters for which error wins: GETBIT
// and SETBIT check the offset (and bit) before the key's type; BITCOUNT and BITPOS look the
// key up first, so a missing key answers 0 (or BITPOS's default) whatever the other arguments.
#include <algorithm>
#include <array>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include "commands/string_util.h"
#include "core/bitops.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

using bitops::ByteSpan;
using bitops::FieldType;
using bitops::Overflow;

// A string value's bytes; an integer is rendered into `scratch`.
ByteSpan ValueBytes(const KvEntry* e, char* scratch) {
  return e ? bitops::AsBytes(e->StringValue(scratch)) : ByteSpan();
}

// Parses a bit offset. With `field_bits` > 0 (BITFIELD), "#n" means n fields of that width;
// the product wraps in 64 bits as it does in Redis. The offset's byte must be below
// proto-max-bulk-len.
bool ParseBitOffset(const CommandContext& ctx, std::string_view arg, unsigned field_bits,
                    uint64_t* out) {
  bool fields = field_bits > 0 && !arg.empty() && arg[0] == '#';
  int64_t v;
  if (!ParseInt64(fields ? arg.substr(1) : arg, &v)) return false;
  if (fields) v = int64_t(uint64_t(v) * field_bits);
  if (v < 0 || (v >> 3) >= ctx.cfg().proto_max_bulk_len) return false;
  *out = uint64_t(v);
  return true;
}

// Looks `key` up for a bit write and makes its value kRaw and at least `len` bytes long,
// creating it when absent. Returns nullptr after replying WRONGTYPE. *grown tells whether the
// key was created or lengthened.
KvEntry* BitmapForWrite(CommandContext& ctx, std::string_view key, size_t len, bool* grown) {
  KvEntry* e;
  if (!ctx.LookupTyped(key, ObjType::kString, true, &e)) return nullptr;
  Db& db = ctx.db();
  if (!e) {
    RawString* r = RawString::Create({}, len);
    std::memset(r->data, 0, len);
    r->len = len;
    e = KvEntry::CreateObj(key, ObjType::kString, ObjEncoding::kRaw, r);
    db.Add(e);
    *grown = true;
    return e;
  }
  size_t old_len = e->StringLength();
  e = GrowZeroed(db, e, len);
  *grown = old_len < len;
  return e;
}

bitops::MutableByteSpan RawBytes(KvEntry* e) {
  RawString* r = e->raw();
  return {reinterpret_cast<uint8_t*>(r->data), r->len};
}

// SETBIT key offset value
void SetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.arg(2), 0, &offset)) return ctx.reply().Error(errors::kBitOffset);
  int64_t value;
  if (!ParseInt64(ctx.arg(3), &value) || (value & ~int64_t(1))) {
    return ctx.reply().Error(errors::kBitValue);
  }
  bool grown = false;
  KvEntry* e = BitmapForWrite(ctx, ctx.arg(1), size_t(offset >> 3) + 1, &grown);
  if (!e) return;
  bool old = bitops::SetBit(RawBytes(e), offset, value != 0);
  if (grown || old != (value != 0)) {
    ctx.db().NotifyModified(ctx.arg(1));
    NotifyKeyspaceEvent(ctx, kNotifyString, "setbit", ctx.arg(1));
  }
  ctx.reply().Integer(old);
}

// GETBIT key offset
void GetBit(CommandContext& ctx) {
  uint64_t offset;
  if (!ParseBitOffset(ctx, ctx.arg(2), 0, &offset)) return ctx.reply().Error(errors::kBitOffset);
  KvEntry* e;
  if (!ctx.LookupTyped(ctx.arg(1), ObjType::kString, false, &e)) return;
  char scratch[24];
  ctx.reply().Integer(bitops::GetBit(ValueBytes(e, scratch), offset));
}

// ---------------------------------------------------------------------------------------------
// BITCOUNT / BITPOS ranges

// An inclusive range of bit positions.
struct BitRange {
  uint64_t first, last;
};

// Resolves a [start, end] range counted in bytes (or bits, with `in_bits`) of a `len`-byte
// string with Redis's index rules: negative indexes count from the end, both are clamped into
// the string. Returns nullopt for an empty range.
std::optional<BitRange> ResolveRange(int64_t start, int64_t end, size_t len, bool in_bits) {
  int64_t total = int64_t(len) * (in_bits ? 8 : 1);
  if (start < 0) start += total;
  if (end < 0) end += total;
  if (start < 0) start = 0;
  if (end < 0) end = 0;
  if (end >= total) end = total - 1;
  if (start > end) return std::nullopt;
  if (in_bits) return BitRange{uint64_t(start), uint64_t(end)};
  return BitRange{uint64_t(start) * 8, uint64_t(end) * 8 + 7};
}

// Parses the BYTE | BIT unit argument; false if it is neither.
bool ParseUnit(std::string_view arg, bool* in_bits) {
  if (EqualsIgnoreCase(arg, "BIT")) {
    *in_bits = true;
  } else if (EqualsIgnoreCase(arg, "BYTE")) {
    *in_bits = false;
  } else {
    return false;
  }
  return true;
}

// BITCOUNT key [start end [BYTE | BIT]]
void BitCount(CommandContext& ctx) {
  KvEntry* e;
  if (!ctx.LookupTyped(ctx.arg(1), ObjType::kString, false, &e)) return;
  if (!e) return ctx.reply().Integer(0);
  char scratch[24];
  ByteSpan s = ValueBytes(e, scratch);
  size_t argc = ctx.argc();
  int64_t start = 0, end = -1;
  bool in_bits = false;
  if (argc == 4 || argc == 5) {
    if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &end)) {
      return ctx.reply().Error(errors::kNotInteger);
    }
    // An inverted negative range is empty before the unit is even looked at (as in Redis).
    if (start < 0 && end < 0 && start > end) return ctx.reply().Integer(0);
    if (argc == 5 && !ParseUnit(ctx.arg(4), &in_bits)) return ctx.reply().Error(errors::kSyntax);
  } else if (argc != 2) {
    return ctx.reply().Error(errors::kSyntax);
  }
  std::optional<BitRange> r = ResolveRange(start, end, s.size(), in_bits);
  ctx.reply().Integer(r ? int64_t(bitops::CountRange(s, r->first, r->last)) : 0);
}

// BITPOS key bit [start [end [BYTE | BIT]]]
//
// Looking for a 0 without an explicit end treats the string as followed by zero bits, so a
// string of all ones answers the position just past its end; with an explicit end the search
// stays inside the range and answers -1.
void BitPos(CommandContext& ctx) {
  int64_t bit;
  if (!ParseInt64(ctx.arg(2), &bit)) return ctx.reply().Error(errors::kNotInteger);
  if (bit != 0 && bit != 1) return ctx.reply().Error(errors::kBitposBit);
  KvEntry* e;
  if (!ctx.LookupTyped(ctx.arg(1), ObjType::kString, false, &e)) return;
  if (!e) return ctx.reply().Integer(bit ? -1 : 0);  // an absent key is all zeros
  char scratch[24];
  ByteSpan s = ValueBytes(e, scratch);
  size_t argc = ctx.argc();
  int64_t start = 0, end = -1;
  bool in_bits = false, end_given = false;
  if (argc >= 4 && argc <= 6) {
    if (!ParseInt64(ctx.arg(3), &start)) return ctx.reply().Error(errors::kNotInteger);
    if (argc == 6 && !ParseUnit(ctx.arg(5), &in_bits)) return ctx.reply().Error(errors::kSyntax);
    if (argc >= 5) {
      if (!ParseInt64(ctx.arg(4), &end)) return ctx.reply().Error(errors::kNotInteger);
      end_given = true;
    }
  } else if (argc != 3) {
    return ctx.reply().Error(errors::kSyntax);
  }
  std::optional<BitRange> r = ResolveRange(start, end, s.size(), in_bits);
  if (!r) return ctx.reply().Integer(-1);
  int64_t pos = bitops::FindFirst(s, bit == 1, r->first, r->last);
  if (pos < 0 && bit == 0 && !end_given) pos = int64_t(r->last + 1);
  ctx.reply().Integer(pos);
}

// ---------------------------------------------------------------------------------------------
// BITOP

std::optional<bitops::BitOp> ParseBitOp(std::string_view name) {
  if (EqualsIgnoreCase(name, "AND")) return bitops::BitOp::kAnd;
  if (EqualsIgnoreCase(name, "OR")) return bitops::BitOp::kOr;
  if (EqualsIgnoreCase(name, "XOR")) return bitops::BitOp::kXor;
  if (EqualsIgnoreCase(name, "NOT")) return bitops::BitOp::kNot;
  return std::nullopt;
}

// BITOP operation destkey key [key ...]
void BitOp(CommandContext& ctx) {
  std::optional<bitops::BitOp> op = ParseBitOp(ctx.arg(1));
  if (!op) return ctx.reply().Error(errors::kSyntax);
  if (*op == bitops::BitOp::kNot && ctx.argc() != 4) {
    return ctx.reply().Error(errors::kBitopNotOneKey);
  }
  size_t nkeys = ctx.argc() - 3;
  std::vector<ByteSpan> sources(nkeys);
  std::vector<std::array<char, 24>> scratch(nkeys);  // integer-encoded sources' text
  size_t max_len = 0;
  for (size_t i = 0; i < nkeys; i++) {
    KvEntry* e;
    if (!ctx.LookupTyped(ctx.arg(3 + i), ObjType::kString, false, &e)) return;
    sources[i] = ValueBytes(e, scratch[i].data());
    max_len = std::max(max_len, sources[i].size());
  }
  Db& db = ctx.db();
  std::string_view dest = ctx.arg(2);
  if (max_len == 0) {  // every source empty: the result is an empty string, i.e. no key
    if (db.Delete(dest)) {
      db.NotifyModified(dest);
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", dest);
    }
    return ctx.reply().Integer(0);
  }
  RawString* r = RawString::Create({}, max_len);
  r->len = max_len;
  bitops::Combine(*op, sources, {reinterpret_cast<uint8_t*>(r->data), max_len});
  db.Upsert(KvEntry::CreateObj(dest, ObjType::kString, ObjEncoding::kRaw, r));
  db.NotifyModified(dest);
  NotifyKeyspaceEvent(ctx, kNotifyString, "set", dest);
  ctx.reply().Integer(int64_t(max_len));
}

// ---------------------------------------------------------------------------------------------
// BITFIELD

enum class FieldOpKind : uint8_t { kGet, kSet, kIncrBy };

struct FieldOp {
  FieldOpKind kind;
  FieldType type;
  Overflow overflow;
  uint64_t offset;
  int64_t value;  // SET's value or INCRBY's increment
};

// What a first pass over the subcommands learns.
struct FieldOpsSummary {
  size_t count = 0;
  bool writes = false;
  uint64_t last_written_bit = 0;  // highest bit a SET/INCRBY touches
};

std::optional<FieldOpKind> ParseFieldOpKind(std::string_view name, size_t remaining) {
  if (EqualsIgnoreCase(name, "GET") && remaining >= 2) return FieldOpKind::kGet;
  if (EqualsIgnoreCase(name, "SET") && remaining >= 3) return FieldOpKind::kSet;
  if (EqualsIgnoreCase(name, "INCRBY") && remaining >= 3) return FieldOpKind::kIncrBy;
  return std::nullopt;
}

std::optional<Overflow> ParseOverflow(std::string_view name) {
  if (EqualsIgnoreCase(name, "WRAP")) return Overflow::kWrap;
  if (EqualsIgnoreCase(name, "SAT")) return Overflow::kSat;
  if (EqualsIgnoreCase(name, "FAIL")) return Overflow::kFail;
  return std::nullopt;
}

// Parses BITFIELD's subcommands left to right and calls on_op(const FieldOp&) for each GET,
// SET and INCRBY; OVERFLOW applies to the writes after it. Returns the error text of the first
// bad argument, or an empty view. The handler runs it twice — once to validate everything and
// size the string before any operation runs (as Redis does), once to execute — so no list of
// operations is allocated.
template <typename OnOp>
std::string_view ParseFieldOps(const CommandContext& ctx, OnOp&& on_op) {
  Overflow overflow = Overflow::kWrap;
  ArgParser p(ctx.args(), 2);
  while (p.HasMore()) {
    std::string_view name = p.Next();
    if (EqualsIgnoreCase(name, "OVERFLOW") && p.HasMore()) {
      std::optional<Overflow> o = ParseOverflow(p.Next());
      if (!o) return errors::kBitfieldOverflowType;
      overflow = *o;
      continue;
    }
    std::optional<FieldOpKind> kind = ParseFieldOpKind(name, p.remaining());
    if (!kind) return errors::kSyntax;
    std::optional<FieldType> type = bitops::ParseFieldType(p.Next());
    if (!type) return errors::kBitfieldType;
    FieldOp op{*kind, *type, overflow, 0, 0};
    if (!ParseBitOffset(ctx, p.Next(), type->bits, &op.offset)) return errors::kBitOffset;
    if (*kind != FieldOpKind::kGet && !ParseInt64(p.Next(), &op.value)) {
      return errors::kNotInteger;
    }
    on_op(op);
  }
  return {};
}

enum class WriteOutcome : uint8_t { kRefused, kSame, kChanged };

// Runs one SET / INCRBY on `bytes` and replies its result (nil when OVERFLOW FAIL refuses it).
WriteOutcome RunFieldWrite(ReplyBuilder& reply, bitops::MutableByteSpan bytes, const FieldOp& op) {
  int64_t old = bitops::GetTyped(bytes, op.offset, op.type);
  bool set = op.kind == FieldOpKind::kSet;
  std::optional<int64_t> fresh = set ? bitops::FieldAdd(op.type, op.value, 0, op.overflow)
                                     : bitops::FieldAdd(op.type, old, op.value, op.overflow);
  if (!fresh) {
    reply.NullBulk();
    return WriteOutcome::kRefused;
  }
  reply.Integer(set ? old : *fresh);
  bitops::SetField(bytes, op.offset, op.type.bits, uint64_t(*fresh));
  return old != *fresh ? WriteOutcome::kChanged : WriteOutcome::kSame;
}

// BITFIELD / BITFIELD_RO; `read_only` refuses anything but GET.
void BitFieldGeneric(CommandContext& ctx, bool read_only) {
  FieldOpsSummary sum;
  std::string_view err = ParseFieldOps(ctx, [&sum](const FieldOp& op) {
    sum.count++;
    if (op.kind == FieldOpKind::kGet) return;
    sum.writes = true;
    sum.last_written_bit = std::max(sum.last_written_bit, op.offset + op.type.bits - 1);
  });
  if (!err.empty()) return ctx.reply().Error(err);
  std::string_view key = ctx.arg(1);
  KvEntry* e = nullptr;
  bool grown = false;
  if (!sum.writes) {
    if (!ctx.LookupTyped(key, ObjType::kString, false, &e)) return;
  } else {
    if (read_only) return ctx.reply().Error(errors::kBitfieldRoGetOnly);
    e = BitmapForWrite(ctx, key, size_t(sum.last_written_bit >> 3) + 1, &grown);
    if (!e) return;
  }
  ReplyBuilder& reply = ctx.reply();
  reply.ArrayHeader(sum.count);
  bool changed = false;
  char scratch[24];
  ParseFieldOps(ctx, [&](const FieldOp& op) {
    if (op.kind == FieldOpKind::kGet) {
      reply.Integer(bitops::GetTyped(ValueBytes(e, scratch), op.offset, op.type));
      return;
    }
    // A write into a created or lengthened string is a change even if the field keeps its
    // value; a refused one (OVERFLOW FAIL) is not.
    WriteOutcome w = RunFieldWrite(reply, RawBytes(e), op);
    changed |= w == WriteOutcome::kChanged || (w == WriteOutcome::kSame && grown);
  });
  if (changed) {
    ctx.db().NotifyModified(key);
    NotifyKeyspaceEvent(ctx, kNotifyString, "setbit", key);
  }
}

// BITFIELD key [GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] SET encoding offset value |
//   INCRBY encoding offset increment ...]
void BitField(CommandContext& ctx) { BitFieldGeneric(ctx, false); }

// BITFIELD_RO key [GET encoding offset [GET encoding offset ...]]
void BitFieldRo(CommandContext& ctx) { BitFieldGeneric(ctx, true); }

}  // namespace

void RegisterBitopsFamily(CommandTable& t) {
  constexpr uint64_t kRead = kAclRead | kAclBitmap;
  constexpr uint64_t kWrite = kAclWrite | kAclBitmap | kAclSlow;
  const KeyedRow rows[] = {
      {"setbit", 4, kCmdWrite | kCmdDenyOom, kWrite, kKsRW | kKsAccess | kKsUpdate, "2.2.0",
       "Sets or clears one bit of a key's string value, growing it as needed, and returns the "
       "bit's previous value.",
       "O(1)", "key offset value:integer", SetBit},
      {"getbit", 3, kCmdReadOnly | kCmdFast, kRead | kAclFast, kKsRO | kKsAccess, "2.2.0",
       "Returns one bit of a key's string value (0 past its end).", "O(1)", "key offset", GetBit},
      {"bitcount", -2, kCmdReadOnly, kRead | kAclSlow, kKsRO | kKsAccess, "2.6.0",
       "Counts the set bits of a key's string value, optionally within a byte or bit range.",
       "O(N)", "key [start end [BYTE | BIT]]", BitCount},
      {"bitpos", -3, kCmdReadOnly, kRead | kAclSlow, kKsRO | kKsAccess, "2.8.7",
       "Finds the first set or clear bit of a key's string value, optionally within a byte or "
       "bit range.",
       "O(N)", "key bit:integer [start [end [BYTE | BIT]]]", BitPos},
      {"bitfield", -2, kCmdWrite | kCmdDenyOom, kWrite,
       kKsRW | kKsUpdate | kKsAccess | kKsVariableFlags, "3.2.0",
       "Reads, writes and increments integers of any width up to 64 bits stored at arbitrary "
       "bit offsets of a key's string value.",
       "O(1) for each subcommand specified",
       "key [(GET encoding offset | [OVERFLOW WRAP | SAT | FAIL] (SET encoding offset "
       "value:integer | INCRBY encoding offset increment)) ...]",
       BitField},
      {"bitfield_ro", -2, kCmdReadOnly | kCmdFast, kRead | kAclFast, kKsRO | kKsAccess, "6.0.0",
       "Reads integers stored at arbitrary bit offsets of a key's string value (the read-only "
       "form of BITFIELD).",
       "O(1) for each subcommand specified", "key [GET encoding offset [GET encoding offset ...]]",
       BitFieldRo},
  };
  AddKeyedRows(t, "bitmap", rows);
  t.Add({.name = "bitop",
         .arity = -4,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kWrite,
         .key_specs = {KeyAt(2, kKsOW | kKsUpdate), KeyRange(3, -1, 1, kKsRO | kKsAccess)},
         .group = "bitmap",
         .since = "2.6.0",
         .summary = "Combines the string values of keys bitwise (AND, OR, XOR, NOT) and stores "
                    "the result in a destination key.",
         .complexity = "O(N)",
         .syntax = "operation destkey key [key ...]",
         .handler = BitOp});
}

}  // namespace ember
