// PubSub: subscriptions and delivery (see pubsub.h).
#include "server/pubsub.h"

namespace ember {

size_t PubSub::Publish(std::string_view channel, std::string_view message) {
  (void)server_, (void)channel, (void)message;
  return 0;
}

bool PubSub::IsChannelSubscriber(const Client& c, std::string_view channel) const {
  (void)c, (void)channel;
  return false;
}

}  // namespace ember
