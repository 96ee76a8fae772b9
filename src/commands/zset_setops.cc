// Multi-key sorted-set commands, split from zset_family.cc: ZUNION, ZINTER, ZDIFF (and their
// *STORE forms, with WEIGHTS and AGGREGATE SUM | MIN | MAX), ZINTERCARD, with Redis
// 7.2 replies and errors. Plain sets are accepted as inputs (every member scores 1), as Redis.
//
// Results are computed into a member -> score map, then sorted by (score, member) — the order a
// sorted set would give — for the reply or to build the stored ZSetObject.
#include <algorithm>
#include <cmath>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/set_object.h"
#include "core/zset_object.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

using Scored = std::pair<std::string, double>;

enum class Op { kUnion, kInter, kDiff };
enum class Agg { kSum, kMin, kMax };

// One input: a zset, a plain set, or nothing (missing key).
struct Input {
  const KvEntry* e = nullptr;
  double weight = 1;

  size_t Size() const {
    if (!e) return 0;
    if (e->type() == ObjType::kSet) return SetObject::FromEntry(e).Size();
    return ZSetObject(e->encoding(), e->obj()).Len();
  }
  bool Score(std::string_view m, double* s) const {
    if (!e) return false;
    if (e->type() == ObjType::kSet) {
      *s = 1;
      return SetObject::FromEntry(e).Contains(m);
    }
    return ZSetObject(e->encoding(), e->obj()).Score(m, s);
  }
  template <class F>
  void ForEach(F&& f) const {
    if (!e) return;
    if (e->type() == ObjType::kSet) {
      SetObject::FromEntry(e).ForEach([&f](std::string_view m) { f(m, 1.0); });
      return;
    }
    ZSetObject z(e->encoding(), e->obj());
    z.ForRange(0, z.Len(), false, [&f](std::string_view m, double s) { f(m, s); });
  }
};

struct SetOpArgs {
  Op op;
  Agg agg = Agg::kSum;
  bool with_scores = false;
  std::vector<Input> inputs;
};

double Weighted(double score, double weight) {
  double v = score * weight;
  return std::isnan(v) ? 0 : v;  // 0 * inf counts as 0, as in Redis
}

void Aggregate(double* target, double v, Agg agg) {
  switch (agg) {
    case Agg::kSum:
      *target += v;
      if (std::isnan(*target)) *target = 0;  // inf + -inf
      break;
    case Agg::kMin:
      *target = std::min(*target, v);
      break;
    case Agg::kMax:
      *target = std::max(*target, v);
      break;
  }
}

// Parses "numkeys key [key ...] [WEIGHTS w ...] [AGGREGATE a] [WITHSCORES]" from `first` (the
// numkeys index) and looks the keys up. Replies and returns false on errors.
bool ParseSetOp(CommandContext& ctx, size_t first, bool store, SetOpArgs* a) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(first), &numkeys)) {
    ctx.reply().Error(errors::kNotInteger);
    return false;
  }
  if (numkeys < 1) {
    ctx.reply().Error("ERR at least 1 input key is needed for '" + ctx.spec().name + "' command");
    return false;
  }
  if (uint64_t(numkeys) > ctx.argc() - first - 1) {
    ctx.reply().Error(errors::kSyntax);
    return false;
  }
  a->inputs.resize(size_t(numkeys));
  size_t j = first + 1 + size_t(numkeys);
  for (; j < ctx.argc(); j++) {
    size_t left = ctx.argc() - j - 1;
    if (a->op != Op::kDiff && EqualsIgnoreCase(ctx.arg(j), "WEIGHTS") && left >= size_t(numkeys)) {
      for (auto& in : a->inputs) {
        if (!ParseDouble(ctx.arg(++j), &in.weight)) {
          ctx.reply().Error(errors::kZWeightNotFloat);
          return false;
        }
      }
    } else if (a->op != Op::kDiff && EqualsIgnoreCase(ctx.arg(j), "AGGREGATE") && left >= 1) {
      std::string_view v = ctx.arg(++j);
      if (EqualsIgnoreCase(v, "SUM")) {
        a->agg = Agg::kSum;
      } else if (EqualsIgnoreCase(v, "MIN")) {
        a->agg = Agg::kMin;
      } else if (EqualsIgnoreCase(v, "MAX")) {
        a->agg = Agg::kMax;
      } else {
        ctx.reply().Error(errors::kSyntax);
        return false;
      }
    } else if (!store && EqualsIgnoreCase(ctx.arg(j), "WITHSCORES")) {
      a->with_scores = true;
    } else {
      ctx.reply().Error(errors::kSyntax);
      return false;
    }
  }
  for (size_t i = 0; i < a->inputs.size(); i++) {
    KvEntry* e = ctx.db().LookupRead(ctx.arg(first + 1 + i), ctx.read_flags());
    if (e && e->type() != ObjType::kZSet && e->type() != ObjType::kSet) {
      ctx.reply().Error(errors::kWrongType);
      return false;
    }
    a->inputs[i].e = e;
  }
  return true;
}

std::vector<Scored> Compute(const SetOpArgs& a) {
  std::unordered_map<std::string, double> acc;
  // Union and intersection aggregate from the smallest input up, as Redis does (the order
  // decides the last bits of floating-point sums).
  std::vector<Input> in = a.inputs;
  if (a.op != Op::kDiff) {
    std::stable_sort(in.begin(), in.end(),
                     [](const Input& x, const Input& y) { return x.Size() < y.Size(); });
  }
  if (a.op == Op::kUnion) {
    for (const Input& x : in) {
      x.ForEach([&](std::string_view m, double s) {
        double v = Weighted(s, x.weight);
        auto [it, fresh] = acc.try_emplace(std::string(m), v);
        if (!fresh) Aggregate(&it->second, v, a.agg);
      });
    }
  } else if (a.op == Op::kInter) {
    // Walk the smallest input, probe the others.
    in[0].ForEach([&](std::string_view m, double) {
      double total = 0;
      for (size_t i = 0; i < in.size(); i++) {
        double s;
        if (!in[i].Score(m, &s)) return;
        double v = Weighted(s, in[i].weight);
        if (i == 0) {
          total = v;
        } else {
          Aggregate(&total, v, a.agg);
        }
      }
      acc.emplace(std::string(m), total);
    });
  } else {
    in[0].ForEach([&](std::string_view m, double s) {
      double unused;
      for (size_t i = 1; i < in.size(); i++) {
        if (in[i].Score(m, &unused)) return;
      }
      acc.emplace(std::string(m), s);
    });
  }
  std::vector<Scored> out(acc.begin(), acc.end());
  std::sort(out.begin(), out.end(), [](const Scored& x, const Scored& y) {
    return x.second != y.second ? x.second < y.second : x.first < y.first;
  });
  return out;
}

void ReplyResult(ReplyBuilder& r, const std::vector<Scored>& items, bool with_scores) {
  bool nested = with_scores && r.resp() >= 3;
  r.ArrayHeader(with_scores && !nested ? items.size() * 2 : items.size());
  for (const Scored& it : items) {
    if (nested) r.ArrayHeader(2);
    r.Bulk(it.first);
    if (with_scores) r.Double(it.second);
  }
}

// Replaces `dst` with a sorted set of `items` (deleting it when empty). Keyspace events:
// `event` for a stored result, "del" when an empty result removed dst.
void StoreResult(CommandContext& ctx, std::string_view dst, const std::vector<Scored>& items,
                 std::string_view event) {
  Db& db = ctx.db();
  if (items.empty()) {
    if (db.Delete(dst)) {
      db.NotifyModified(dst);
      NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", dst);
    }
    return;
  }
  ZSetLimits limits{ctx.cfg().zset_max_listpack_entries, ctx.cfg().zset_max_listpack_value};
  ZSetObject z = ZSetObject::Create();
  if (int64_t(items.size()) > limits.max_entries) z.ConvertToSkiplist();
  for (const Scored& it : items) z.Set(it.first, it.second, limits);
  // Replaces any old value (and its TTL); a new key only when dst did not exist ("new").
  db.Upsert(KvEntry::CreateObj(dst, ObjType::kZSet, z.encoding(), z.obj()));
  db.NotifyModified(dst);
  NotifyKeyspaceEvent(ctx, kNotifyZset, event, dst);
}

void SetOpCommand(CommandContext& ctx, Op op) {
  SetOpArgs a{.op = op};
  if (!ParseSetOp(ctx, 1, false, &a)) return;
  ReplyResult(ctx.reply(), Compute(a), a.with_scores);
}

void SetOpStoreCommand(CommandContext& ctx, Op op) {
  SetOpArgs a{.op = op};
  if (!ParseSetOp(ctx, 2, true, &a)) return;
  std::vector<Scored> items = Compute(a);
  static constexpr std::string_view kEvents[] = {"zunionstore", "zinterstore", "zdiffstore"};
  StoreResult(ctx, ctx.arg(1), items, kEvents[int(op)]);
  ctx.reply().Integer(int64_t(items.size()));
}

// ZUNION numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]
// [WITHSCORES]
void ZUnion(CommandContext& ctx) { SetOpCommand(ctx, Op::kUnion); }
// ZINTER numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX]
// [WITHSCORES]
void ZInter(CommandContext& ctx) { SetOpCommand(ctx, Op::kInter); }
// ZDIFF numkeys key [key ...] [WITHSCORES]
void ZDiff(CommandContext& ctx) { SetOpCommand(ctx, Op::kDiff); }
// ZUNIONSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE SUM|MIN|MAX]
void ZUnionStore(CommandContext& ctx) { SetOpStoreCommand(ctx, Op::kUnion); }
// ZINTERSTORE destination numkeys key [key ...] [WEIGHTS ...] [AGGREGATE SUM|MIN|MAX]
void ZInterStore(CommandContext& ctx) { SetOpStoreCommand(ctx, Op::kInter); }
// ZDIFFSTORE destination numkeys key [key ...]
void ZDiffStore(CommandContext& ctx) { SetOpStoreCommand(ctx, Op::kDiff); }

// ZINTERCARD numkeys key [key ...] [LIMIT limit]
void ZInterCard(CommandContext& ctx) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(1), &numkeys)) return ctx.reply().Error(errors::kNotInteger);
  if (numkeys < 1) {
    return ctx.reply().Error("ERR at least 1 input key is needed for 'zintercard' command");
  }
  if (uint64_t(numkeys) > ctx.argc() - 2) return ctx.reply().Error(errors::kSyntax);
  int64_t limit = 0;
  for (size_t j = 2 + size_t(numkeys); j < ctx.argc(); j++) {
    if (EqualsIgnoreCase(ctx.arg(j), "LIMIT") && j + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(++j), &limit) || limit < 0) {
        return ctx.reply().Error(errors::kLimitNegative);
      }
    } else {
      return ctx.reply().Error(errors::kSyntax);
    }
  }
  SetOpArgs a{.op = Op::kInter};
  a.inputs.resize(size_t(numkeys));
  for (size_t i = 0; i < a.inputs.size(); i++) {
    KvEntry* e = ctx.db().LookupRead(ctx.arg(2 + i), ctx.read_flags());
    if (e && e->type() != ObjType::kZSet && e->type() != ObjType::kSet) {
      return ctx.reply().Error(errors::kWrongType);
    }
    a.inputs[i].e = e;
  }
  size_t n = Compute(a).size();
  if (limit > 0 && n > size_t(limit)) n = size_t(limit);
  ctx.reply().Integer(int64_t(n));
}

}  // namespace

// Registers the multi-key rows; called from RegisterZSetFamily.
void RegisterZSetSetOps(CommandTable& t) {
  constexpr uint64_t kReadSlow = kAclRead | kAclSortedSet | kAclSlow;
  constexpr uint64_t kWriteSlow = kAclWrite | kAclSortedSet | kAclSlow;
  struct Row {
    const char* name;
    int arity;
    uint64_t flags;
    uint64_t acl;
    bool store;
    std::string_view since, summary, complexity, syntax;
    CommandHandler handler;
  };
  const Row rows[] = {
      {"zunion", -3, kCmdReadOnly, kReadSlow, false, "6.2.0",
       "Returns the union of sorted sets (and sets).",
       "O(N)+O(M*log(M)) with N the sum of the input sizes and M the result size",
       "numkeys key [key ...] [WEIGHTS weight:double [weight:double ...]] "
       "[AGGREGATE SUM | MIN | MAX] [WITHSCORES]",
       ZUnion},
      {"zinter", -3, kCmdReadOnly, kReadSlow, false, "6.2.0",
       "Returns the intersection of sorted sets (and sets).",
       "O(N*K)+O(M*log(M)) with N the smallest input, K the number of inputs, M the result size",
       "numkeys key [key ...] [WEIGHTS weight:double [weight:double ...]] "
       "[AGGREGATE SUM | MIN | MAX] [WITHSCORES]",
       ZInter},
      {"zdiff", -3, kCmdReadOnly, kReadSlow, false, "6.2.0",
       "Returns the members of the first sorted set absent from the others.",
       "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets",
       "numkeys key [key ...] [WITHSCORES]", ZDiff},
      {"zunionstore", -4, kCmdWrite | kCmdDenyOom, kWriteSlow, true, "2.0.0",
       "Stores the union of sorted sets (and sets) in a key.",
       "O(N)+O(M*log(M)) with N the sum of the input sizes and M the result size",
       "destination numkeys key [key ...] [WEIGHTS weight:double [weight:double ...]] "
       "[AGGREGATE SUM | MIN | MAX]",
       ZUnionStore},
      {"zinterstore", -4, kCmdWrite | kCmdDenyOom, kWriteSlow, true, "2.0.0",
       "Stores the intersection of sorted sets (and sets) in a key.",
       "O(N*K)+O(M*log(M)) with N the smallest input, K the number of inputs, M the result size",
       "destination numkeys key [key ...] [WEIGHTS weight:double [weight:double ...]] "
       "[AGGREGATE SUM | MIN | MAX]",
       ZInterStore},
      {"zdiffstore", -4, kCmdWrite | kCmdDenyOom, kWriteSlow, true, "6.2.0",
       "Stores the members of the first sorted set absent from the others in a key.",
       "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the sets",
       "destination numkeys key [key ...]", ZDiffStore},
  };
  for (const Row& row : rows) {
    CommandSpec spec{.name = row.name,
                     .arity = row.arity,
                     .flags = row.flags,
                     .acl = row.acl,
                     .group = "sorted-set",
                     .since = row.since,
                     .summary = row.summary,
                     .complexity = row.complexity,
                     .syntax = row.syntax,
                     .handler = row.handler};
    if (row.store) {
      spec.key_specs = {KeyAt(1, kKsOW | kKsUpdate), KeyNumKeys(2, kKsRO | kKsAccess)};
    } else {
      spec.key_specs = {KeyNumKeys(1, kKsRO | kKsAccess)};
    }
    t.Add(std::move(spec));
  }
  t.Add(CommandSpec{.name = "zintercard",
                    .arity = -3,
                    .flags = kCmdReadOnly,
                    .acl = kReadSlow,
                    .key_specs = {KeyNumKeys(1, kKsRO | kKsAccess)},
                    .group = "sorted-set",
                    .since = "7.0.0",
                    .summary = "Counts the members of the intersection of sorted sets.",
                    .complexity = "O(N*K) worst case with N being the smallest input sorted set, "
                                  "K being the number of input sorted sets",
                    .syntax = "numkeys key [key ...] [LIMIT limit]",
                    .handler = ZInterCard});
}

}  // namespace ember
