// HyperLogLog commands: PFADD, PFCOUNT, PFMERGE and the internal PFDEBUG / PFSELFTEST, on
// string values holding sketches in Redis's byte layout (core/hyperloglog.h), so GET, SET,
// APPEND and friends see exactly the bytes Redis would have.
//
// A sketch is edited in place, so its value is kept kRaw (a RawString owned by the entry; an
// embstr HLL written with SET is converted on first touch, as Redis unshares it). PFCOUNT is a
// read command that still writes: a single-key count stores the cardinality in the header
// cache, which is why it counts as a modification of the key when the cache was stale.
// Multi-key PFCOUNT and PFMERGE merge register-wise maxima into a 16 KiB array first.
#include <string>

#include "core/hyperloglog.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

// The bytes of a string entry; integers (never sketches) give an empty view.
std::string_view ValueOf(const KvEntry* e) {
  if (e->is_int()) return {};
  char unused[24];  // StringValue renders only integers into it
  return e->StringValue(unused);
}

enum class Found { kAbsent, kHll, kReplied };

// Looks `key` up (for a read or a write) and checks that it holds a sketch, replying the error
// Redis gives otherwise: WRONGTYPE for another type, the HLL-specific WRONGTYPE for a string
// that is not a sketch (integers included).
Found LookupHll(CommandContext& ctx, std::string_view key, bool write, KvEntry** out) {
  KvEntry* e = write ? ctx.db().LookupWrite(key) : ctx.db().LookupRead(key, ctx.read_flags());
  *out = e;
  if (!e) return Found::kAbsent;
  if (e->type() != ObjType::kString) {
    ctx.reply().Error(errors::kWrongType);
    return Found::kReplied;
  }
  if (!hll::IsHll(ValueOf(e))) {
    ctx.reply().Error(errors::kNotHll);
    return Found::kReplied;
  }
  return Found::kHll;
}

// Makes the string entry `e` kRaw so its bytes can be edited in place; returns the (possibly
// replaced) entry, keeping TTL and LRU.
KvEntry* Unshare(Db& db, KvEntry* e) {
  if (e->encoding() == ObjEncoding::kRaw) return e;
  std::string_view v = ValueOf(e);
  RawString* r = RawString::Create(v, v.size());
  KvEntry* fresh =
      KvEntry::CreateObj(e->key(), ObjType::kString, ObjEncoding::kRaw, r, e->expire_ms());
  return db.ReplaceEntry(e, fresh, false);
}

// A new key holding an empty sketch, linked into the Db.
KvEntry* AddEmptySketch(Db& db, std::string_view key) {
  KvEntry* e = KvEntry::CreateObj(key, ObjType::kString, ObjEncoding::kRaw, hll::CreateSketch());
  db.Add(e);
  return e;
}

// Merges the registers of every existing sketch among args[from..] into *max. Replies the error
// and returns false on a wrong type or a corrupt sketch; *any_dense tells whether an input was
// dense.
bool MergeInputs(CommandContext& ctx, size_t from, hll::RegisterArray* max, bool* any_dense) {
  for (size_t i = from; i < ctx.argc(); i++) {
    KvEntry* e;
    Found f = LookupHll(ctx, ctx.arg(i), false, &e);
    if (f == Found::kReplied) return false;
    if (f == Found::kAbsent) continue;
    std::string_view v = ValueOf(e);
    if (hll::EncodingOf(v) == hll::Encoding::kDense) *any_dense = true;
    if (!hll::MergeMax(v, max)) {
      ctx.reply().Error(errors::kHllCorrupt);
      return false;
    }
  }
  return true;
}

// Writes register maxima `max` into the destination sketch *r (which they already include).
// A sparse destination is raised register by register, in ascending order, so its bytes are
// what Redis produces; once dense (from the start when `to_dense`, or after a promotion on the
// way) the maxima are simply packed. False if the destination cannot be made dense.
bool StoreMerged(RawString** r, const hll::RegisterArray& max, bool to_dense,
                 int64_t sparse_max_bytes) {
  if (to_dense && !hll::PromoteToDense(r)) return false;
  if (hll::EncodingOf((*r)->view()) == hll::Encoding::kSparse) {
    hll::SparseCursor cursor;
    for (uint32_t i = 0; i < hll::kRegisters; i++) {
      if (max[i] == 0) continue;
      (void)hll::SetRegister(r, i, max[i], sparse_max_bytes, &cursor);
      if (hll::EncodingOf((*r)->view()) == hll::Encoding::kDense) break;
    }
    if (hll::EncodingOf((*r)->view()) == hll::Encoding::kSparse) return true;
  }
  hll::DensePack(reinterpret_cast<uint8_t*>((*r)->data) + hll::kHeaderSize, max);
  return true;
}

// PFADD key [element [element ...]]
void PfAdd(CommandContext& ctx) {
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  Found f = LookupHll(ctx, key, true, &e);
  if (f == Found::kReplied) return;
  bool updated = f == Found::kAbsent;
  e = updated ? AddEmptySketch(db, key) : Unshare(db, e);
  RawString* r = e->raw();
  bool corrupt = false;
  for (size_t i = 2; i < ctx.argc() && !corrupt; i++) {
    hll::Update u = hll::Add(&r, ctx.arg(i), ctx.cfg().hll_sparse_max_bytes);
    updated |= u == hll::Update::kChanged;
    corrupt = u == hll::Update::kCorrupt;
  }
  e->set_obj(r);
  if (updated) {
    if (!corrupt) hll::InvalidateCache(r->data);
    db.NotifyModified(key);
  }
  if (corrupt) return ctx.reply().Error(errors::kHllCorrupt);
  if (updated) NotifyKeyspaceEvent(ctx, kNotifyString, "pfadd", key);
  ctx.reply().Integer(updated ? 1 : 0);
}

// PFCOUNT key [key ...]
void PfCount(CommandContext& ctx) {
  if (ctx.argc() > 2) {
    hll::RegisterArray max{};
    bool any_dense = false;
    if (!MergeInputs(ctx, 1, &max, &any_dense)) return;
    return ctx.reply().Integer(int64_t(hll::CountRegisters(max)));  // no cache is written
  }
  std::string_view key = ctx.arg(1);
  KvEntry* e;
  Found f = LookupHll(ctx, key, false, &e);
  if (f == Found::kReplied) return;
  if (f == Found::kAbsent) return ctx.reply().Integer(0);
  ctx.db().WillModify(e);  // a read lookup, as Redis, but the cached count is written in place
  e = Unshare(ctx.db(), e);
  std::string_view v = ValueOf(e);
  if (hll::CacheValid(v)) return ctx.reply().Integer(int64_t(hll::CachedCardinality(v)));
  std::optional<uint64_t> card = hll::Count(v);
  if (!card) return ctx.reply().Error(errors::kHllCorrupt);
  hll::StoreCardinality(e->raw()->data, *card);
  ctx.db().NotifyModified(key);
  ctx.reply().Integer(int64_t(*card));
  // A read command that changed the value (its cached count): propagated, as Redis does.
  if (ctx.propagating()) ctx.PropagateUnchanged();
}

// PFMERGE destkey [sourcekey [sourcekey ...]]
void PfMerge(CommandContext& ctx) {
  hll::RegisterArray max{};
  bool any_dense = false;
  if (!MergeInputs(ctx, 1, &max, &any_dense)) return;  // destkey is an input too
  Db& db = ctx.db();
  std::string_view key = ctx.arg(1);
  KvEntry* e = db.LookupWrite(key);
  e = e ? Unshare(db, e) : AddEmptySketch(db, key);
  RawString* r = e->raw();
  bool ok = StoreMerged(&r, max, any_dense, ctx.cfg().hll_sparse_max_bytes);
  e->set_obj(r);
  if (!ok) return ctx.reply().Error(errors::kHllCorrupt);
  hll::InvalidateCache(r->data);
  db.NotifyModified(key);
  NotifyKeyspaceEvent(ctx, kNotifyString, "pfadd", key);  // Redis reports a merge as a PFADD
  ctx.reply().Ok();
}

// Replies the 16384 register values of the sketch in `e`, converting it to dense first.
void ReplyRegisters(CommandContext& ctx, KvEntry* e) {
  RawString* r = e->raw();
  if (hll::EncodingOf(r->view()) == hll::Encoding::kSparse) {
    bool ok = hll::PromoteToDense(&r);
    e->set_obj(r);
    if (!ok) return ctx.reply().Error(errors::kHllCorrupt);
    ctx.db().NotifyModified(e->key());
  }
  const auto* regs = reinterpret_cast<const uint8_t*>(r->data) + hll::kHeaderSize;
  ctx.reply().ArrayHeader(hll::kRegisters);
  for (uint32_t i = 0; i < hll::kRegisters; i++) ctx.reply().Integer(hll::DenseGet(regs, i));
}

// PFDEBUG subcommand key   (GETREG | DECODE | ENCODING | TODENSE)
void PfDebug(CommandContext& ctx) {
  std::string_view sub = ctx.arg(1);
  KvEntry* e;
  Found f = LookupHll(ctx, ctx.arg(2), true, &e);
  if (f == Found::kReplied) return;
  if (f == Found::kAbsent) return ctx.reply().Error(errors::kPfDebugNoKey);
  e = Unshare(ctx.db(), e);
  bool sparse = hll::EncodingOf(e->raw()->view()) == hll::Encoding::kSparse;
  if (EqualsIgnoreCase(sub, "GETREG")) return ReplyRegisters(ctx, e);
  if (EqualsIgnoreCase(sub, "DECODE")) {
    if (!sparse) return ctx.reply().Error(errors::kHllNotSparse);
    return ctx.reply().Bulk(hll::DescribeSparse(e->raw()->view()));
  }
  if (EqualsIgnoreCase(sub, "ENCODING"))
    return ctx.reply().SimpleString(sparse ? "sparse" : "dense");
  if (EqualsIgnoreCase(sub, "TODENSE")) {
    if (!sparse) return ctx.reply().Integer(0);
    RawString* r = e->raw();
    bool ok = hll::PromoteToDense(&r);
    e->set_obj(r);
    if (!ok) return ctx.reply().Error(errors::kHllCorrupt);
    ctx.db().NotifyModified(e->key());
    return ctx.reply().Integer(1);
  }
  ctx.reply().Error(errors::UnknownPfDebugSubcommand(sub));
}

// PFSELFTEST
void PfSelfTest(CommandContext& ctx) {
  std::string failure = hll::SelfTest();
  if (!failure.empty()) return ctx.reply().Error(errors::HllSelfTestFailed(failure));
  ctx.reply().Ok();
}

}  // namespace

void RegisterHyperLogLogFamily(CommandTable& t) {
  t.Add({.name = "pfadd",
         .arity = -2,
         .flags = kCmdWrite | kCmdDenyOom | kCmdFast,
         .acl = kAclWrite | kAclHyperLogLog | kAclFast,
         .key_specs = {KeyAt(1, kKsRW | kKsInsert)},
         .group = "hyperloglog",
         .since = "2.8.9",
         .summary = "Adds elements to a HyperLogLog sketch, creating the key if needed.",
         .complexity = "O(1) to add every element.",
         .syntax = "key [element [element ...]]",
         .handler = PfAdd});
  t.Add({.name = "pfcount",
         .arity = -2,
         // Read-only, yet it may write the cache: MAY_REPLICATE as in Redis 7.2 (7.0 lacks it).
         .flags = kCmdReadOnly | kCmdMayReplicate,
         .acl = kAclRead | kAclHyperLogLog | kAclSlow,
         .key_specs = {KeyRange(1, -1, 1, kKsRW | kKsAccess)},
         .group = "hyperloglog",
         .since = "2.8.9",
         .summary = "Estimates how many distinct elements the union of HyperLogLog sketches saw.",
         .complexity = "O(1) with a very small average constant time when called with a single "
                       "key. O(N) with N being the number of keys, and much bigger constant "
                       "times, when called with multiple keys.",
         .syntax = "key [key ...]",
         .handler = PfCount});
  t.Add({.name = "pfmerge",
         .arity = -2,
         .flags = kCmdWrite | kCmdDenyOom,
         .acl = kAclWrite | kAclHyperLogLog | kAclSlow,
         .key_specs = {KeyAt(1, kKsRW | kKsAccess | kKsInsert),
                       KeyRange(2, -1, 1, kKsRO | kKsAccess)},
         .group = "hyperloglog",
         .since = "2.8.9",
         .summary = "Stores the register-wise union of HyperLogLog sketches in a key.",
         .complexity = "O(N) to merge N HyperLogLogs, but with high constant times.",
         .syntax = "destkey [sourcekey [sourcekey ...]]",
         .handler = PfMerge});
  t.Add({.name = "pfdebug",
         .arity = 3,
         .flags = kCmdWrite | kCmdDenyOom | kCmdAdmin,
         .acl = kAclWrite | kAclHyperLogLog | kAclAdmin | kAclSlow | kAclDangerous,
         .key_specs = {KeyAt(2, kKsRW | kKsAccess)},
         .group = "hyperloglog",
         .since = "2.8.9",
         .summary = "Inspects or converts the internal encoding of a HyperLogLog (debugging).",
         .complexity = "N/A",
         .syntax = "subcommand key",
         .handler = PfDebug});
  t.Add({.name = "pfselftest",
         .arity = 1,
         .flags = kCmdAdmin,
         .acl = kAclHyperLogLog | kAclAdmin | kAclSlow | kAclDangerous,
         .group = "hyperloglog",
         .since = "2.8.9",
         .summary = "Runs the HyperLogLog implementation's self test.",
         .complexity = "N/A",
         .handler = PfSelfTest});
}

}  // namespace ember
