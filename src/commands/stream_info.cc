// XINFO: introspection of streams and their consumer groups (XINFO STREAM [FULL [COUNT n]],
// XINFO GROUPS, XINFO CONSUMERS, XINFO HELP), with Redis 7.2's fields in Redis's order.
// Part of the consumer-group family (stream_group_family.cc registers these rows).
//
// Notes on fields Ember computes differently from Redis's layout: "radix-tree-keys" is the
// number of entry blocks (Redis's listpacks, one key each in its radix tree) and
// "radix-tree-nodes" an estimate of the nodes such a tree would have. "lag" and "entries-read"
// follow Redis 7.2's rules (core/stream_group.cc) and are nil where Redis cannot know them.
#include <algorithm>
#include <optional>
#include <span>
#include <string_view>

#include "commands/stream_util.h"
#include "core/stream.h"
#include "server/arg_parser.h"
#include "server/command_context.h"
#include "server/errors.h"

namespace ember {
namespace {

void ReplyId(ReplyBuilder& rb, StreamId id) {
  char buf[48];
  rb.Bulk(std::string_view(buf, id.Format(buf)));
}

// The group's entries-read and lag: integers, or nil where unknown.
void ReplyReadCounters(ReplyBuilder& rb, const Stream& s, const StreamGroup& g) {
  rb.Bulk("entries-read");
  if (g.entries_read >= 0) {
    rb.Integer(g.entries_read);
  } else {
    rb.Null();
  }
  rb.Bulk("lag");
  std::optional<uint64_t> lag = s.Lag(g);
  if (lag) {
    rb.Integer(int64_t(*lag));  // negative after an ENTRIESREAD past the end (see Lag)
  } else {
    rb.Null();
  }
}

// The first (or last) entry, or nil for an empty stream.
void ReplyEdgeEntry(ReplyBuilder& rb, const Stream& s, bool last) {
  size_t n = s.Range(StreamId::Min(), StreamId::Max(), last, 1,
                     [&rb](StreamId id, std::span<const std::string_view> fv) {
                       stream_util::ReplyEntry(rb, id, fv);
                       return true;
                     });
  if (n == 0) rb.Null();
}

// The fields XINFO STREAM shares with its FULL form.
void ReplyStreamHead(ReplyBuilder& rb, const Stream& s) {
  size_t blocks = s.block_count();
  rb.Bulk("length");
  rb.Integer(int64_t(s.length()));
  rb.Bulk("radix-tree-keys");
  rb.Integer(int64_t(blocks));
  rb.Bulk("radix-tree-nodes");
  rb.Integer(int64_t(blocks == 0 ? 1 : 2 * blocks));
  rb.Bulk("last-generated-id");
  ReplyId(rb, s.last_id());
  rb.Bulk("max-deleted-entry-id");
  ReplyId(rb, s.max_deleted_id());
  rb.Bulk("entries-added");
  rb.Integer(int64_t(s.entries_added()));
  rb.Bulk("recorded-first-entry-id");
  ReplyId(rb, s.first_id());
}

// One consumer of XINFO STREAM FULL: its clocks as absolute times, its PEL (up to `count`).
void ReplyFullConsumer(ReplyBuilder& rb, const StreamGroup& g, const StreamConsumer& c,
                       size_t count) {
  rb.MapHeader(5);
  rb.Bulk("name");
  rb.Bulk(c.name);
  rb.Bulk("seen-time");
  rb.Integer(c.seen_time_ms);
  rb.Bulk("active-time");
  rb.Integer(c.active_time_ms);
  rb.Bulk("pel-count");
  rb.Integer(int64_t(c.pel.size()));
  rb.Bulk("pending");
  size_t n = count ? std::min(count, c.pel.size()) : c.pel.size();
  rb.ArrayHeader(n);
  for (auto it = c.pel.begin(); n > 0; ++it, --n) {
    const StreamPendingEntry& pe = g.pel.find(*it)->second;  // the consumer index invariant
    rb.ArrayHeader(3);
    ReplyId(rb, *it);
    rb.Integer(pe.delivery_time_ms);
    rb.Integer(int64_t(pe.delivery_count));
  }
}

// One group of XINFO STREAM FULL.
void ReplyFullGroup(ReplyBuilder& rb, const Stream& s, std::string_view name, const StreamGroup& g,
                    size_t count) {
  rb.MapHeader(7);
  rb.Bulk("name");
  rb.Bulk(name);
  rb.Bulk("last-delivered-id");
  ReplyId(rb, g.last_id);
  ReplyReadCounters(rb, s, g);
  rb.Bulk("pel-count");
  rb.Integer(int64_t(g.pel.size()));
  rb.Bulk("pending");
  size_t n = count ? std::min(count, g.pel.size()) : g.pel.size();
  rb.ArrayHeader(n);
  for (auto it = g.pel.begin(); n > 0; ++it, --n) {
    rb.ArrayHeader(4);
    ReplyId(rb, it->first);
    rb.Bulk(it->second.consumer->name);
    rb.Integer(it->second.delivery_time_ms);
    rb.Integer(int64_t(it->second.delivery_count));
  }
  rb.Bulk("consumers");
  rb.ArrayHeader(g.consumers.size());
  for (const auto& [cname, c] : g.consumers) ReplyFullConsumer(rb, g, *c, count);
}

// XINFO STREAM's options: none, "FULL" or "FULL COUNT n" (n < 0: the default 10, 0: all).
// False after replying an error.
bool ParseStreamInfoOptions(CommandContext& ctx, bool* full, size_t* count) {
  size_t optc = ctx.argc() - 3;
  *full = optc > 0;
  *count = 10;
  if (optc == 0) return true;
  bool ok = (optc == 1 || optc == 3) && EqualsIgnoreCase(ctx.arg(3), "FULL") &&
            (optc == 1 || EqualsIgnoreCase(ctx.arg(4), "COUNT"));
  if (!ok) {
    ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "XINFO"));
    return false;
  }
  if (optc == 3) {
    int64_t n;
    if (!ParseInt64(ctx.arg(5), &n)) {
      ctx.reply().Error(errors::kNotInteger);
      return false;
    }
    *count = n < 0 ? 10 : size_t(n);
  }
  return true;
}

// The stream at args[2] for XINFO; false after replying "no such key" or WRONGTYPE.
bool LookupInfoStream(CommandContext& ctx, Stream** s) {
  if (!stream_util::LookupStream(ctx, ctx.arg(2), false, s)) return false;
  if (*s) return true;
  ctx.reply().Error(errors::kNoSuchKey);
  return false;
}

// XINFO STREAM key [FULL [COUNT count]]
void XInfoStream(CommandContext& ctx) {
  Stream* s;
  if (!LookupInfoStream(ctx, &s)) return;
  bool full;
  size_t count;
  if (!ParseStreamInfoOptions(ctx, &full, &count)) return;
  ReplyBuilder& rb = ctx.reply();
  rb.MapHeader(full ? 9 : 10);
  ReplyStreamHead(rb, *s);
  if (!full) {
    rb.Bulk("groups");
    rb.Integer(int64_t(s->groups().size()));
    rb.Bulk("first-entry");
    ReplyEdgeEntry(rb, *s, false);
    rb.Bulk("last-entry");
    ReplyEdgeEntry(rb, *s, true);
    return;
  }
  rb.Bulk("entries");
  stream_util::ReplyRange(rb, *s, StreamId::Min(), StreamId::Max(), false, count);
  rb.Bulk("groups");
  rb.ArrayHeader(s->groups().size());
  for (const auto& [name, g] : s->groups()) ReplyFullGroup(rb, *s, name, *g, count);
}

// XINFO GROUPS key
void XInfoGroups(CommandContext& ctx) {
  Stream* s;
  if (!LookupInfoStream(ctx, &s)) return;
  ReplyBuilder& rb = ctx.reply();
  rb.ArrayHeader(s->groups().size());
  for (const auto& [name, g] : s->groups()) {
    rb.MapHeader(6);
    rb.Bulk("name");
    rb.Bulk(name);
    rb.Bulk("consumers");
    rb.Integer(int64_t(g->consumers.size()));
    rb.Bulk("pending");
    rb.Integer(int64_t(g->pel.size()));
    rb.Bulk("last-delivered-id");
    ReplyId(rb, g->last_id);
    ReplyReadCounters(rb, *s, *g);
  }
}

// XINFO CONSUMERS key group
void XInfoConsumers(CommandContext& ctx) {
  Stream* s;
  if (!LookupInfoStream(ctx, &s)) return;
  StreamGroup* g = s->FindGroup(ctx.arg(3));
  if (!g) return ctx.reply().Error(errors::NoSuchGroupForKey(ctx.arg(3), ctx.arg(2)));
  int64_t now = ctx.NowMs();
  ReplyBuilder& rb = ctx.reply();
  rb.ArrayHeader(g->consumers.size());
  for (const auto& [name, c] : g->consumers) {
    rb.MapHeader(4);
    rb.Bulk("name");
    rb.Bulk(name);
    rb.Bulk("pending");
    rb.Integer(int64_t(c->pel.size()));
    rb.Bulk("idle");  // since it was last named by a command
    rb.Integer(std::max<int64_t>(now - c->seen_time_ms, 0));
    rb.Bulk("inactive");  // since it last got an entry; -1 if it never did
    rb.Integer(c->active_time_ms == -1 ? -1 : now - c->active_time_ms);
  }
}

// XINFO HELP
void XInfoHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "CONSUMERS <key> <groupname>",
      "    List the consumers of a group with their pending counts and idle times.",
      "GROUPS <key>",
      "    List the consumer groups of a stream.",
      "STREAM <key> [FULL [COUNT <count>]]",
      "    Describe a stream; FULL adds its entries, groups, consumers and pending lists.",
      "HELP",
      "    Print this help.",
  };
  ReplyBuilder& r = ctx.reply();
  r.ArrayHeader(std::size(kLines) + 1);
  r.SimpleString("XINFO <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
  for (std::string_view l : kLines) r.SimpleString(l);
}

}  // namespace

void RegisterStreamInfoFamily(CommandTable& t) {
  CommandSpec* xinfo = t.Add({.name = "xinfo",
                              .arity = -2,
                              .acl = kAclSlow,
                              .group = "stream",
                              .since = "5.0.0",
                              .summary = "A container for stream introspection commands.",
                              .complexity = "Depends on subcommand.",
                              .syntax = ""});
  constexpr uint64_t kAcl = kAclRead | kAclStream | kAclSlow;
  t.AddSub(xinfo, {.name = "stream",
                   .arity = -3,
                   .flags = kCmdReadOnly,
                   .acl = kAcl,
                   .key_specs = {KeyAt(2, kKsRO | kKsAccess)},
                   .since = "5.0.0",
                   .summary = "Returns information about a stream.",
                   .complexity = "O(1); FULL: O(N) in the entries, pending records and "
                                 "consumers returned",
                   .syntax = "key [FULL [COUNT count]]",
                   .handler = XInfoStream});
  t.AddSub(xinfo, {.name = "groups",
                   .arity = 3,
                   .flags = kCmdReadOnly,
                   .acl = kAcl,
                   .key_specs = {KeyAt(2, kKsRO | kKsAccess)},
                   .since = "5.0.0",
                   .summary = "Returns the consumer groups of a stream.",
                   .complexity = "O(1)",
                   .syntax = "key",
                   .handler = XInfoGroups});
  t.AddSub(xinfo, {.name = "consumers",
                   .arity = 4,
                   .flags = kCmdReadOnly,
                   .acl = kAcl,
                   .key_specs = {KeyAt(2, kKsRO | kKsAccess)},
                   .since = "5.0.0",
                   .summary = "Returns the consumers of a consumer group.",
                   .complexity = "O(1)",
                   .syntax = "key group",
                   .tips = {"nondeterministic_output"},
                   .handler = XInfoConsumers});
  t.AddSub(xinfo, {.name = "help",
                   .arity = 2,
                   .flags = kCmdLoading | kCmdStale,
                   .acl = kAclStream | kAclSlow,
                   .since = "5.0.0",
                   .summary = "Returns helpful text about the different subcommands.",
                   .complexity = "O(1)",
                   .syntax = "",
                   .handler = XInfoHelp});
}

}  // namespace ember
