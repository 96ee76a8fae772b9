// Pub/Sub commands: SUBSCRIBE, UNSUBSCRIBE, PSUBSCRIBE, PUNSUBSCRIBE, SSUBSCRIBE, SUNSUBSCRIBE,
// PUBLISH, SPUBLISH and the PUBSUB introspection container. Subscriptions and delivery live in
// server/pubsub.h; this file parses, calls it, and writes the confirmations.
//
// The (un)subscribe commands have no ordinary reply: each name they touch gets a push
// ["subscribe", name, count] (an array in RESP2, a '>' push in RESP3), where count is the
// client's channels + patterns (shard channels count on their own). Being pushes, they are
// delivered even under CLIENT REPLY OFF/SKIP, like Redis: the dispatcher drops a silenced
// command's reply, so they are written to the held-back push buffer instead, which is
// appended after the command. RESP2 clients with subscriptions may only run the commands of
// AllowedWhileSubscribed (the dispatcher enforces it); PING answers ["pong", msg] there
// (connection_family.cc).
#include <string>
#include <vector>

#include "server/command_context.h"
#include "server/errors.h"
#include "server/pubsub.h"

namespace ember {
namespace {

// Writes the confirmation pushes of one (un)subscribe command.
class Confirmations {
 public:
  explicit Confirmations(CommandContext& ctx) : held_(nullptr, 2), out_(&ctx.reply()) {
    Client& c = ctx.client();
    if (c.flags & (kClientReplyOff | kClientReplySkip)) {
      if (std::string* buf = ctx.server().pubsub().HeldBack(c)) {
        held_.set_buffer(buf);
        held_.set_resp(c.reply().resp());
        out_ = &held_;
      }
    }
  }
  // ["<type>", name or null, count]
  void Push(std::string_view type, const std::string_view* name, size_t count) {
    out_->PushHeader(3);
    out_->Bulk(type);
    if (name)
      out_->Bulk(*name);
    else
      out_->NullBulk();
    out_->Integer(int64_t(count));
  }

 private:
  ReplyBuilder held_;
  ReplyBuilder* out_;
};

// The count a confirmation of `kind` reports after the change.
size_t CountFor(const Client& c, SubKind kind) {
  if (!c.subs) return 0;
  return kind == SubKind::kShard ? c.subs->count(SubKind::kShard) : c.subs->global();
}

void SubscribeNames(CommandContext& ctx, SubKind kind, std::string_view type) {
  Client& c = ctx.client();
  PubSub& ps = ctx.server().pubsub();
  Confirmations out(ctx);
  for (size_t i = 1; i < ctx.argc(); i++) {
    std::string_view name = ctx.arg(i);
    ps.Subscribe(c, kind, name);
    out.Push(type, &name, CountFor(c, kind));
  }
}

// With names: one confirmation per name, subscribed or not. Without: one per subscription
// dropped, or a single one with a null name when there was none.
void UnsubscribeNames(CommandContext& ctx, SubKind kind, std::string_view type) {
  Client& c = ctx.client();
  PubSub& ps = ctx.server().pubsub();
  Confirmations out(ctx);
  if (ctx.argc() > 1) {
    for (size_t i = 1; i < ctx.argc(); i++) {
      std::string_view name = ctx.arg(i);
      ps.Unsubscribe(c, kind, name);
      out.Push(type, &name, CountFor(c, kind));
    }
    return;
  }
  std::vector<std::string> names = ps.NamesOf(c, kind);
  if (names.empty()) return out.Push(type, nullptr, CountFor(c, kind));
  for (const std::string& n : names) {
    ps.Unsubscribe(c, kind, n);
    std::string_view name = n;
    out.Push(type, &name, CountFor(c, kind));
  }
}

// SUBSCRIBE channel [channel ...]
void Subscribe(CommandContext& ctx) { SubscribeNames(ctx, SubKind::kChannel, "subscribe"); }

// UNSUBSCRIBE [channel [channel ...]]
void Unsubscribe(CommandContext& ctx) { UnsubscribeNames(ctx, SubKind::kChannel, "unsubscribe"); }

// PSUBSCRIBE pattern [pattern ...]
void PSubscribe(CommandContext& ctx) { SubscribeNames(ctx, SubKind::kPattern, "psubscribe"); }

// PUNSUBSCRIBE [pattern [pattern ...]]
void PUnsubscribe(CommandContext& ctx) { UnsubscribeNames(ctx, SubKind::kPattern, "punsubscribe"); }

// SSUBSCRIBE shardchannel [shardchannel ...]
void SSubscribe(CommandContext& ctx) {
  // Inside EXEC a client cannot enter a mode where replies stop matching requests; Redis
  // still lets SUBSCRIBE and PSUBSCRIBE through there for compatibility, not SSUBSCRIBE.
  if (ctx.client().flags & kClientMulti) return ctx.reply().Error(errors::kSsubscribeDenyBlocking);
  SubscribeNames(ctx, SubKind::kShard, "ssubscribe");
}

// SUNSUBSCRIBE [shardchannel [shardchannel ...]]
void SUnsubscribe(CommandContext& ctx) { UnsubscribeNames(ctx, SubKind::kShard, "sunsubscribe"); }

// PUBLISH channel message
void Publish(CommandContext& ctx) {
  ctx.reply().Integer(int64_t(ctx.server().pubsub().Publish(ctx.arg(1), ctx.arg(2))));
}

// SPUBLISH shardchannel message
void SPublish(CommandContext& ctx) {
  ctx.reply().Integer(int64_t(ctx.server().pubsub().PublishShard(ctx.arg(1), ctx.arg(2))));
}

// Replies the active names of `kind`, filtered by the optional pattern at args[2].
void ReplyActiveNames(CommandContext& ctx, SubKind kind) {
  if (ctx.argc() > 3) {
    return ctx.reply().Error(errors::UnknownSubcommandOrArity(ctx.arg(1), "PUBSUB"));
  }
  bool has_pattern = ctx.argc() == 3;
  std::vector<std::string_view> names =
      ctx.server().pubsub().ActiveNames(kind, has_pattern ? ctx.arg(2) : "", has_pattern);
  ctx.reply().ArrayHeader(names.size());
  for (std::string_view n : names) ctx.reply().Bulk(n);
}

// Replies name, subscriber count pairs for args[2..] (a flat array, in RESP3 too).
void ReplyNumSub(CommandContext& ctx, SubKind kind) {
  const PubSub& ps = ctx.server().pubsub();
  ctx.reply().ArrayHeader((ctx.argc() - 2) * 2);
  for (size_t i = 2; i < ctx.argc(); i++) {
    ctx.reply().Bulk(ctx.arg(i));
    ctx.reply().Integer(int64_t(ps.NumSubscribers(kind, ctx.arg(i))));
  }
}

// PUBSUB CHANNELS [pattern]
void PubsubChannels(CommandContext& ctx) { ReplyActiveNames(ctx, SubKind::kChannel); }

// PUBSUB SHARDCHANNELS [pattern]
void PubsubShardChannels(CommandContext& ctx) { ReplyActiveNames(ctx, SubKind::kShard); }

// PUBSUB NUMSUB [channel [channel ...]]
void PubsubNumSub(CommandContext& ctx) { ReplyNumSub(ctx, SubKind::kChannel); }

// PUBSUB SHARDNUMSUB [shardchannel [shardchannel ...]]
void PubsubShardNumSub(CommandContext& ctx) { ReplyNumSub(ctx, SubKind::kShard); }

// PUBSUB NUMPAT
void PubsubNumPat(CommandContext& ctx) {
  ctx.reply().Integer(int64_t(ctx.server().pubsub().size(SubKind::kPattern)));
}

// PUBSUB HELP
void PubsubHelp(CommandContext& ctx) {
  static constexpr std::string_view kLines[] = {
      "PUBSUB <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
      "CHANNELS [<pattern>]",
      "    The channels that have subscribers, optionally only those matching <pattern>.",
      "NUMPAT",
      "    How many distinct patterns clients are subscribed to.",
      "NUMSUB [<channel> ...]",
      "    Each channel with its number of subscribers (pattern subscribers not counted).",
      "SHARDCHANNELS [<pattern>]",
      "    The shard channels that have subscribers, optionally only those matching <pattern>.",
      "SHARDNUMSUB [<shardchannel> ...]",
      "    Each shard channel with its number of subscribers.",
      "HELP",
      "    Print this help.",
  };
  ctx.reply().ArrayHeader(std::size(kLines));
  for (std::string_view l : kLines) ctx.reply().SimpleString(l);
}

// Only reached for a bare "PUBSUB" that passed arity (never, with arity -2), kept so the row
// has a handler.
void PubsubContainer(CommandContext& ctx) {
  ctx.reply().Error(errors::WrongArity(ctx.spec().name));
}

}  // namespace

void RegisterPubSubFamily(CommandTable& t) {
  constexpr uint64_t kSub = kCmdPubSub | kCmdNoScript | kCmdLoading | kCmdStale;
  constexpr uint64_t kPub = kCmdPubSub | kCmdLoading | kCmdStale | kCmdFast | kCmdMayReplicate;
  constexpr uint64_t kSlow = kAclPubSub | kAclSlow;
  const KeySpec shard_names = KeyRange(1, -1, 1, kKsNotKey);
  auto add = [&](std::string_view name, int arity, uint64_t flags, uint64_t acl,
                 std::string_view since, std::string_view summary, std::string_view complexity,
                 std::string_view syntax, CommandHandler h, std::vector<KeySpec> keys = {}) {
    t.Add({.name = std::string(name),
           .arity = arity,
           .flags = flags,
           .acl = acl,
           .key_specs = std::move(keys),
           .group = "pubsub",
           .since = since,
           .summary = summary,
           .complexity = complexity,
           .syntax = syntax,
           .handler = h});
  };
  add("subscribe", -2, kSub | kCmdSentinel, kSlow, "2.0.0",
      "Listens for messages published to the given channels.",
      "O(N) where N is the number of channels given", "channel [channel ...]", Subscribe);
  add("unsubscribe", -1, kSub | kCmdSentinel, kSlow, "2.0.0",
      "Stops listening to the given channels, or to all of them.",
      "O(N) where N is the number of channels given or subscribed", "[channel [channel ...]]",
      Unsubscribe);
  add("psubscribe", -2, kSub | kCmdSentinel, kSlow, "2.0.0",
      "Listens for messages published to channels matching the given patterns.",
      "O(N) where N is the number of patterns given", "pattern [pattern ...]", PSubscribe);
  add("punsubscribe", -1, kSub | kCmdSentinel, kSlow, "2.0.0",
      "Stops listening to the given patterns, or to all of them.",
      "O(N) where N is the number of patterns given or subscribed", "[pattern [pattern ...]]",
      PUnsubscribe);
  add("ssubscribe", -2, kSub, kSlow, "7.0.0",
      "Listens for messages published to the given shard channels.",
      "O(N) where N is the number of shard channels given", "shardchannel [shardchannel ...]",
      SSubscribe, {shard_names});
  add("sunsubscribe", -1, kSub, kSlow, "7.0.0",
      "Stops listening to the given shard channels, or to all of them.",
      "O(N) where N is the number of shard channels given or subscribed",
      "[shardchannel [shardchannel ...]]", SUnsubscribe, {shard_names});
  add("publish", 3, kPub | kCmdSentinel, kAclPubSub | kAclFast, "2.0.0",
      "Posts a message to a channel; returns how many clients received it.",
      "O(N+M) where N is the number of subscribers of the channel and M the number of "
      "subscribed patterns",
      "channel message", Publish);
  add("spublish", 3, kPub, kAclPubSub | kAclFast, "7.0.0",
      "Posts a message to a shard channel; returns how many clients received it.",
      "O(N) where N is the number of subscribers of the shard channel", "shardchannel message",
      SPublish, {KeyAt(1, kKsNotKey)});

  CommandSpec* pubsub = t.Add({.name = "pubsub",
                               .arity = -2,
                               .acl = kAclSlow,
                               .group = "pubsub",
                               .since = "2.8.0",
                               .summary = "A container for Pub/Sub introspection commands.",
                               .complexity = "Depends on subcommand.",
                               .syntax = "",
                               .handler = PubsubContainer});
  constexpr uint64_t kIntro = kCmdPubSub | kCmdLoading | kCmdStale;
  auto sub = [&](std::string_view name, int arity, uint64_t flags, std::string_view since,
                 std::string_view summary, std::string_view complexity, std::string_view syntax,
                 CommandHandler h) {
    t.AddSub(pubsub, {.name = std::string(name),
                      .arity = arity,
                      .flags = flags,
                      .acl = kSlow,
                      .group = "pubsub",
                      .since = since,
                      .summary = summary,
                      .complexity = complexity,
                      .syntax = syntax,
                      .handler = h});
  };
  sub("channels", -2, kIntro, "2.8.0", "Lists the channels that have subscribers.",
      "O(N) where N is the number of active channels", "[pattern]", PubsubChannels);
  sub("numsub", -2, kIntro, "2.8.0", "Counts the subscribers of the given channels.",
      "O(N) where N is the number of channels given", "[channel [channel ...]]", PubsubNumSub);
  sub("numpat", 2, kIntro, "2.8.0", "Counts the distinct patterns clients are subscribed to.",
      "O(1)", "", PubsubNumPat);
  sub("shardchannels", -2, kIntro, "7.0.0", "Lists the shard channels that have subscribers.",
      "O(N) where N is the number of active shard channels", "[pattern]", PubsubShardChannels);
  sub("shardnumsub", -2, kIntro, "7.0.0", "Counts the subscribers of the given shard channels.",
      "O(N) where N is the number of shard channels given", "[shardchannel [shardchannel ...]]",
      PubsubShardNumSub);
  sub("help", 2, kCmdLoading | kCmdStale, "6.2.0", "Shows what the PUBSUB subcommands do.", "O(1)",
      "", PubsubHelp);
}

}  // namespace ember
