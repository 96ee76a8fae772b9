// PubSub: channel and pattern subscriptions (SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE) and message
// delivery (PUBLISH, SPUBLISH, keyspace notifications, tracking redirects).
// CONTRACT (being implemented): Publish's signature is fixed; everything else may grow.
// Ownership: the Server owns the PubSub. Thread: command thread only.
#pragma once

#include <cstddef>
#include <string_view>

namespace ember {

class Client;
class Server;

class PubSub {
 public:
  explicit PubSub(Server* server) : server_(server) {}

  // Delivers `message` on `channel` to every subscriber of the channel and of every matching
  // pattern. Returns the number of clients that received it (PUBLISH's reply).
  size_t Publish(std::string_view channel, std::string_view message);

  // True if client c is subscribed to exactly `channel` (not through a pattern). Client-side
  // caching uses it: a RESP2 redirect client gets invalidations only when subscribed to
  // __redis__:invalidate.
  bool IsChannelSubscriber(const Client& c, std::string_view channel) const;

 private:
  Server* server_;
};

}  // namespace ember
