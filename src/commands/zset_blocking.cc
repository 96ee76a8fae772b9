// Sorted-set pops from the first non-empty of several keys, split from zset_family.cc: ZMPOP
// and the blocking BZPOPMIN, BZPOPMAX and BZMPOP, with Redis 7.2 replies and errors.
//
// Each runs its non-blocking form (ZPOPMIN/ZPOPMAX/ZMPOP semantics) when one of its keys holds
// a sorted set; otherwise it parks the client (CommandContext::Block) and runs again, from the
// start, when one of its keys gets a sorted set (server/blocking.h). Where it cannot block
// (MULTI/EXEC, scripts) it replies a null array at once, as it does on timeout.
#include <algorithm>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/mpop_args.h"
#include "core/zset_object.h"
#include "server/arg_parser.h"
#include "server/blocking.h"
#include "server/command_context.h"
#include "server/errors.h"
#include "server/notify.h"

namespace ember {
namespace {

using Scored = std::pair<std::string, double>;

// Removes up to `count` members with the lowest (or, with `max`, highest) scores from the zset
// at linked entry `e`, best first; deletes the key when it empties. Notifies the change
// (keyspace events "zpopmin"/"zpopmax", then "del" when emptied).
std::vector<Scored> PopScored(CommandContext& ctx, std::string_view key, KvEntry* e, bool max,
                              size_t count) {
  Db& db = ctx.db();
  ZSetObject z(e->encoding(), e->obj());
  size_t n = std::min(count, z.Len());
  size_t lo = max ? z.Len() - n : 0;
  std::vector<Scored> items;
  items.reserve(n);
  z.ForRange(lo, lo + n, max, [&items](std::string_view m, double s) { items.emplace_back(m, s); });
  z.DeleteRange(lo, lo + n);
  db.StoreObject(key, e, ObjType::kZSet, z.encoding(), z.obj());
  bool emptied = z.Len() == 0;
  if (emptied) db.Delete(key);
  db.NotifyModified(key);
  if (n > 0) NotifyKeyspaceEvent(ctx, kNotifyZset, max ? "zpopmax" : "zpopmin", key);
  if (emptied) NotifyKeyspaceEvent(ctx, kNotifyGeneric, "del", key);
  return items;
}

// The first of `keys` holding a sorted set: false after replying WRONGTYPE; *found is empty
// when none does.
bool FindFirstZSet(CommandContext& ctx, std::span<const std::string_view> keys,
                   std::string_view* found, KvEntry** e) {
  for (std::string_view key : keys) {
    if (!ctx.LookupTyped(key, ObjType::kZSet, true, e)) return false;
    if (*e) {
      *found = key;
      return true;
    }
  }
  *found = {};
  return true;
}

// What a pop that took `n` members of `key` replays as: ZPOPMIN/ZPOPMAX key [n].
void PropagatePop(CommandContext& ctx, std::string_view key, bool max, size_t n, bool count) {
  if (!ctx.propagating()) return;
  std::vector<std::string> argv{max ? "ZPOPMAX" : "ZPOPMIN", std::string(key)};
  if (count) argv.push_back(std::to_string(n));
  ctx.PropagateAs(std::move(argv));
}

// Parses the timeout at `idx`; false after replying an error.
bool ParseTimeoutArg(CommandContext& ctx, size_t idx, int64_t* deadline) {
  std::string_view err = ParseBlockTimeout(ctx.arg(idx), ctx.NowMs(), deadline);
  if (err.empty()) return true;
  ctx.reply().Error(err);
  return false;
}

// Nothing to pop: parks the client on `keys`, or replies a null array where it cannot block.
void BlockOrEmpty(CommandContext& ctx, std::span<const std::string_view> keys, int64_t deadline) {
  if (ctx.CanBlock()) return ctx.Block(keys, deadline, ObjType::kZSet);
  ctx.reply().NullArray();
}

void BlockingPop(CommandContext& ctx, bool max) {
  int64_t deadline;
  if (!ParseTimeoutArg(ctx, ctx.argc() - 1, &deadline)) return;
  std::span<const std::string_view> keys = ctx.args().subspan(1, ctx.argc() - 2);
  std::string_view key;
  KvEntry* e;
  if (!FindFirstZSet(ctx, keys, &key, &e)) return;
  if (!e) return BlockOrEmpty(ctx, keys, deadline);
  std::vector<Scored> items = PopScored(ctx, key, e, max, 1);
  PropagatePop(ctx, key, max, 1, false);
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(3);
  r.Bulk(key);
  r.Bulk(items[0].first);
  r.Double(items[0].second);
}

// BZPOPMIN key [key ...] timeout
void BZPopMin(CommandContext& ctx) { BlockingPop(ctx, false); }
// BZPOPMAX key [key ...] timeout
void BZPopMax(CommandContext& ctx) { BlockingPop(ctx, true); }

// Replies ZMPOP's [key, [[member, score] ...]].
void ReplyMPop(ReplyBuilder& r, std::string_view key, const std::vector<Scored>& items) {
  r.ArrayHeader(2);
  r.Bulk(key);
  r.ArrayHeader(items.size());
  for (const Scored& it : items) {
    r.ArrayHeader(2);
    r.Bulk(it.first);
    r.Double(it.second);
  }
}

// ZMPOP numkeys key [key ...] MIN | MAX [COUNT count]
void ZMPop(CommandContext& ctx) {
  MPopArgs a;
  if (!ParseMPopArgs(ctx, 1, "MIN", "MAX", &a)) return;
  std::string_view key;
  KvEntry* e;
  if (!FindFirstZSet(ctx, a.keys, &key, &e)) return;
  if (!e) return ctx.reply().NullArray();
  std::vector<Scored> items = PopScored(ctx, key, e, a.second, size_t(a.count));
  PropagatePop(ctx, key, a.second, items.size(), true);
  ReplyMPop(ctx.reply(), key, items);
}

// BZMPOP timeout numkeys key [key ...] MIN | MAX [COUNT count]
void BZMPop(CommandContext& ctx) {
  MPopArgs a;
  int64_t deadline;
  if (!ParseMPopArgs(ctx, 2, "MIN", "MAX", &a)) return;
  if (!ParseTimeoutArg(ctx, 1, &deadline)) return;
  std::string_view key;
  KvEntry* e;
  if (!FindFirstZSet(ctx, a.keys, &key, &e)) return;
  if (!e) return BlockOrEmpty(ctx, a.keys, deadline);
  std::vector<Scored> items = PopScored(ctx, key, e, a.second, size_t(a.count));
  PropagatePop(ctx, key, a.second, items.size(), true);
  ReplyMPop(ctx.reply(), key, items);
}

}  // namespace

// Rows of the blocking forms (Redis 7.2 flags: "blocking", no "noscript": in a script they act
// as their non-blocking forms).
void RegisterZSetBlocking(CommandTable& t) {
  t.Add(CommandSpec{.name = "zmpop",
                    .arity = -4,
                    .flags = kCmdWrite,
                    .acl = kAclWrite | kAclSortedSet | kAclSlow,
                    .key_specs = {KeyNumKeys(1, kKsRW | kKsAccess | kKsDelete)},
                    .group = "sorted-set",
                    .since = "7.0.0",
                    .summary = "Pops members with the lowest or highest scores from the first "
                               "non-empty sorted set.",
                    .complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N "
                                  "being the number of elements in the sorted set, and M being "
                                  "the number of elements popped.",
                    .syntax = "numkeys key [key ...] MIN | MAX [COUNT count]",
                    .handler = ZMPop});
  constexpr uint32_t kPopKey = kKsRW | kKsAccess | kKsDelete;
  constexpr uint64_t kFastAcl = kAclWrite | kAclSortedSet | kAclFast | kAclBlocking;
  constexpr std::string_view kComplexity =
      "O(log(N)) with N being the number of elements in the sorted set.";
  const KeyedRow pops[] = {
      {"bzpopmin", -3, kCmdWrite | kCmdFast | kCmdBlocking, kFastAcl, 0, "5.0.0",
       "Removes and returns the member with the lowest score from the first non-empty sorted "
       "set, or blocks until one is available.",
       kComplexity, "key [key ...] timeout:double", BZPopMin},
      {"bzpopmax", -3, kCmdWrite | kCmdFast | kCmdBlocking, kFastAcl, 0, "5.0.0",
       "Removes and returns the member with the highest score from the first non-empty sorted "
       "set, or blocks until one is available.",
       kComplexity, "key [key ...] timeout:double", BZPopMax},
  };
  for (const KeyedRow& row : pops) {
    t.Add(row.ToSpec("sorted-set", {KeyRange(1, -2, 1, kPopKey)}));
  }
  const KeyedRow bzmpop{"bzmpop",
                        -5,
                        kCmdWrite | kCmdBlocking,
                        kAclWrite | kAclSortedSet | kAclSlow | kAclBlocking,
                        0,
                        "7.0.0",
                        "Removes and returns members by score from the first non-empty sorted "
                        "set, or blocks until one is available.",
                        "O(K) + O(M*log(N)) where K is the number of provided keys, N being the "
                        "number of elements in the sorted set, and M being the number of "
                        "elements popped.",
                        "timeout:double numkeys key [key ...] MIN | MAX [COUNT count:integer]",
                        BZMPop};
  t.Add(bzmpop.ToSpec("sorted-set", {KeyNumKeys(2, kPopKey)}));
}

}  // namespace ember
