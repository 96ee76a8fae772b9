// PubSub: channel and pattern subscriptions (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE) and message
// delivery (PUBLISH, SPUBLISH, keyspace notifications, tracking redirects).
//
// Subscriptions are kept twice, so that both directions are cheap:
//   - server side, per kind (channel, shard channel, pattern): name -> vector of subscribers,
//     iterated by PUBLISH (a vector, not a node set: fan-out to thousands of clients walks
//     contiguous memory);
//   - client side (ClientSubscriptions, owned by the Client): name -> the client's slot in that
//     vector. Removing a client swaps the last subscriber into its slot and fixes that one's
//     index, so unsubscribing (and dropping every subscription of a closing client) costs
//     O(own subscriptions), independent of how many others listen on the same channels.
//
// Delivery encodes each message once per protocol (RESP2 "*3", RESP3 ">3"): a small message is
// copied into each subscriber's reply buffer (cheaper than a reference for a few dozen bytes),
// a large one is queued by reference as a shared chunk (client.h ChunkRef), so publishing 1 MB
// to a thousand subscribers holds 1 MB, not 1 GB. Messages for the client whose command is
// running (it published to itself, or a keyspace event of its own write) are held back and
// appended after that command's reply, so they never land inside an EXEC array or get dropped
// by CLIENT REPLY OFF; the dispatcher brackets each top-level command with a CommandScope.
//
// Publish with no subscriber at all is a test of two sizes: keyspace notifications call it on
// every write when enabled.
// Ownership: the Server owns the PubSub; clients are referenced by pointer and leave every
// list before they are freed (Server calls RemoveClient). Thread: command thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

class Client;
class Server;
struct CommandSpec;

// The three independent subscription name spaces.
enum class SubKind : uint8_t { kChannel = 0, kShard = 1, kPattern = 2 };
inline constexpr int kSubKinds = 3;

// Hash and equality that accept std::string_view for lookups in string-keyed maps.
struct SubNameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};
struct SubNameEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

// The commands a RESP2 client with subscriptions may still run: (P|S)SUBSCRIBE,
// (P|S)UNSUBSCRIBE, PING, QUIT, RESET (the dispatcher rejects the rest).
bool AllowedWhileSubscribed(const CommandSpec& cmd);

// One client's subscriptions: per kind, name -> index of the client in the server's subscriber
// vector for that name. Allocated by the first subscription, kept until the client goes.
struct ClientSubscriptions {
  std::unordered_map<std::string, uint32_t, SubNameHash, SubNameEq> names[kSubKinds];

  size_t count(SubKind k) const { return names[int(k)].size(); }
  // Channels + patterns: the count SUBSCRIBE/PSUBSCRIBE confirmations report.
  size_t global() const { return count(SubKind::kChannel) + count(SubKind::kPattern); }
  size_t total() const { return global() + count(SubKind::kShard); }
  // Approximate heap bytes (CLIENT LIST tot-mem).
  size_t MemoryUsage() const;
};

class PubSub {
 public:
  explicit PubSub(Server* server) : server_(server) {}
  PubSub(const PubSub&) = delete;
  PubSub& operator=(const PubSub&) = delete;

  // Delivers `message` on `channel` to every subscriber of the channel and of every matching
  // pattern. Returns the number of clients that received it (PUBLISH's reply).
  size_t Publish(std::string_view channel, std::string_view message);
  // SPUBLISH: shard-channel subscribers only (patterns never see shard messages).
  size_t PublishShard(std::string_view channel, std::string_view message);

  // True if client c is subscribed to exactly `channel` (not through a pattern). Client-side
  // caching uses it: a RESP2 redirect client gets invalidations only when subscribed to
  // __redis__:invalidate.
  bool IsChannelSubscriber(const Client& c, std::string_view channel) const;

  // Adds / removes one subscription of c (no reply; the commands reply). Returns false if
  // nothing changed (already subscribed / was not subscribed). Keeps kClientPubSub in step.
  bool Subscribe(Client& c, SubKind kind, std::string_view name);
  bool Unsubscribe(Client& c, SubKind kind, std::string_view name);
  // The names c is subscribed to in `kind` (copies: the caller unsubscribes while iterating).
  std::vector<std::string> NamesOf(const Client& c, SubKind kind) const;
  // Drops every subscription of c without replying (client freed, RESET).
  void RemoveClient(Client& c);

  // --- introspection (PUBSUB, INFO) ---
  // Names with at least one subscriber (PUBSUB CHANNELS / SHARDCHANNELS, INFO).
  size_t size(SubKind kind) const { return subs_[int(kind)].size(); }
  size_t NumSubscribers(SubKind kind, std::string_view name) const;
  // Active names of `kind` matching `pattern` (all when pattern is empty and !has_pattern).
  std::vector<std::string_view> ActiveNames(SubKind kind, std::string_view pattern,
                                            bool has_pattern) const;

  // --- deferral of messages to the running client (see the top of this file) ---
  // The dispatcher keeps one on its stack per top-level command; nested commands (EXEC's,
  // scripts') run inside the outer scope.
  class CommandScope {
   public:
    CommandScope(PubSub& ps, Client& c);
    ~CommandScope();
    CommandScope(const CommandScope&) = delete;
    CommandScope& operator=(const CommandScope&) = delete;

   private:
    PubSub& ps_;
    bool outer_;
  };
  // The buffer where pushes for c wait while c's own top-level command runs (appended after
  // its reply: messages it published to itself, confirmations under CLIENT REPLY OFF/SKIP,
  // tracking invalidations), or null when c is not that client (write to its reply buffer).
  std::string* HeldBack(const Client& c) { return &c == running_ ? &held_ : nullptr; }

 private:
  using SubscriberMap =
      std::unordered_map<std::string, std::vector<Client*>, SubNameHash, SubNameEq>;
  class Message;

  // Appends one encoded message to c's output (or the held-back buffer).
  void Deliver(Client& c, Message& msg);
  // Removes the subscriber in slot `idx` of `name`'s vector, fixing the index of the one moved
  // into its place, and drops the name when nobody is left.
  void Detach(SubKind kind, std::string_view name, uint32_t idx);

  Server* server_;
  SubscriberMap subs_[kSubKinds];
  Client* running_ = nullptr;  // client of the top-level command being executed
  std::string held_;           // pushes held back for running_
  std::string scratch_;        // encoding of the message being published
};

}  // namespace ember
