// PubSub: subscriptions and delivery (see pubsub.h).
#include "server/pubsub.h"

#include <charconv>

#include "core/glob.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/server.h"

namespace ember {
namespace {

// Messages whose encoding is longer than this are queued by reference; shorter ones are copied
// into each subscriber's reply buffer. For small messages the copy is cheaper than a reference
// (no chunk to allocate, one contiguous write per subscriber), and it costs little memory.
constexpr size_t kShareAbove = 512;

void AppendBulk(std::string* out, std::string_view s) {
  char buf[24];
  buf[0] = '$';
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf), s.size());
  out->append(buf, size_t(end - buf));
  out->append("\r\n", 2);
  out->append(s);
  out->append("\r\n", 2);
}

constexpr std::string_view kMessageBulk = "$7\r\nmessage\r\n";
constexpr std::string_view kPMessageBulk = "$8\r\npmessage\r\n";
constexpr std::string_view kSMessageBulk = "$8\r\nsmessage\r\n";

}  // namespace

bool AllowedWhileSubscribed(const CommandSpec& cmd) {
  static const CommandSpec* const kAllowed[] = {
      CommandTable::Instance().Find("ping"),         CommandTable::Instance().Find("subscribe"),
      CommandTable::Instance().Find("ssubscribe"),   CommandTable::Instance().Find("psubscribe"),
      CommandTable::Instance().Find("unsubscribe"),  CommandTable::Instance().Find("sunsubscribe"),
      CommandTable::Instance().Find("punsubscribe"), CommandTable::Instance().Find("quit"),
      CommandTable::Instance().Find("reset"),
  };
  for (const CommandSpec* a : kAllowed) {
    if (a == &cmd) return true;
  }
  return false;
}

size_t ClientSubscriptions::MemoryUsage() const {
  size_t n = 0;
  for (const auto& m : names) {
    n += m.bucket_count() * sizeof(void*);
    for (const auto& [name, idx] : m) n += sizeof(std::string) + 2 * sizeof(void*) + name.size();
  }
  return n;
}

// One message being published: its RESP encoding, built on first use in the PubSub's scratch
// buffer (no allocation per publish once warm) and, for a large message, turned into one shared
// chunk per protocol. The RESP2 and RESP3 forms differ only in the first byte ('*' / '>').
class PubSub::Message {
 public:
  Message(std::string* scratch, std::string_view type_bulk, std::string_view pattern,
          std::string_view channel, std::string_view payload)
      : scratch_(scratch),
        type_bulk_(type_bulk),
        pattern_(pattern),
        channel_(channel),
        payload_(payload) {}

  // Appends the encoding for protocol `resp` to out.
  void AppendTo(std::string* out, int resp) {
    const std::string& e = Encoded();
    out->push_back(resp >= 3 ? '>' : '*');
    out->append(e, 1);
  }
  bool shared() { return Encoded().size() > kShareAbove; }
  const ChunkRef& Chunk(int resp) {
    int i = resp >= 3 ? 1 : 0;
    if (!chunks_[i]) {
      std::string bytes = Encoded();
      if (i == 1) bytes[0] = '>';
      chunks_[i] = ChunkRef(std::move(bytes));
    }
    return chunks_[i];
  }

 private:
  const std::string& Encoded() {
    if (built_) return *scratch_;
    std::string& out = *scratch_;
    out.clear();
    bool pat = type_bulk_ == kPMessageBulk;
    out.append(pat ? "*4\r\n" : "*3\r\n");
    out.append(type_bulk_);
    if (pat) AppendBulk(&out, pattern_);
    AppendBulk(&out, channel_);
    AppendBulk(&out, payload_);
    built_ = true;
    return out;
  }

  std::string* scratch_;
  std::string_view type_bulk_, pattern_, channel_, payload_;
  bool built_ = false;
  ChunkRef chunks_[2];
};

void PubSub::Deliver(Client& c, Message& msg) {
  if (c.closing()) return;  // counted as a receiver, as Redis does, but nothing is queued
  int resp = c.reply().resp();
  if (std::string* held = HeldBack(c)) return msg.AppendTo(held, resp);
  if (msg.shared()) {
    c.QueueShared(msg.Chunk(resp));
  } else {
    msg.AppendTo(&c.obuf, resp);
  }
  server_->QueueWrite(&c);
}

size_t PubSub::Publish(std::string_view channel, std::string_view message) {
  const SubscriberMap& channels = subs_[int(SubKind::kChannel)];
  const SubscriberMap& patterns = subs_[int(SubKind::kPattern)];
  if (channels.empty() && patterns.empty()) return 0;
  size_t receivers = 0;
  if (!channels.empty()) {
    auto it = channels.find(channel);
    if (it != channels.end()) {
      Message msg(&scratch_, kMessageBulk, {}, channel, message);
      for (Client* c : it->second) Deliver(*c, msg);
      receivers += it->second.size();
    }
  }
  for (const auto& [pattern, clients] : patterns) {
    if (!GlobMatch(pattern, channel)) continue;
    Message msg(&scratch_, kPMessageBulk, pattern, channel, message);
    for (Client* c : clients) Deliver(*c, msg);
    receivers += clients.size();
  }
  return receivers;
}

size_t PubSub::PublishShard(std::string_view channel, std::string_view message) {
  const SubscriberMap& shard = subs_[int(SubKind::kShard)];
  if (shard.empty()) return 0;
  auto it = shard.find(channel);
  if (it == shard.end()) return 0;
  Message msg(&scratch_, kSMessageBulk, {}, channel, message);
  for (Client* c : it->second) Deliver(*c, msg);
  return it->second.size();
}

bool PubSub::IsChannelSubscriber(const Client& c, std::string_view channel) const {
  if (!c.subs) return false;
  const auto& mine = c.subs->names[int(SubKind::kChannel)];
  return mine.find(channel) != mine.end();
}

bool PubSub::Subscribe(Client& c, SubKind kind, std::string_view name) {
  if (!c.subs) c.subs = std::make_unique<ClientSubscriptions>();
  auto& mine = c.subs->names[int(kind)];
  if (mine.find(name) != mine.end()) return false;
  SubscriberMap& map = subs_[int(kind)];
  auto it = map.find(name);
  if (it == map.end()) it = map.emplace(std::string(name), std::vector<Client*>()).first;
  mine.emplace(std::string(name), uint32_t(it->second.size()));
  it->second.push_back(&c);
  c.flags |= kClientPubSub;
  return true;
}

void PubSub::Detach(SubKind kind, std::string_view name, uint32_t idx) {
  SubscriberMap& map = subs_[int(kind)];
  auto it = map.find(name);
  std::vector<Client*>& v = it->second;
  Client* last = v.back();
  if (idx + 1 != v.size()) {  // move the last subscriber into the hole
    v[idx] = last;
    last->subs->names[int(kind)].find(name)->second = idx;
  }
  v.pop_back();
  if (v.empty()) map.erase(it);
}

bool PubSub::Unsubscribe(Client& c, SubKind kind, std::string_view name) {
  if (!c.subs) return false;
  auto& mine = c.subs->names[int(kind)];
  auto mit = mine.find(name);
  if (mit == mine.end()) return false;
  uint32_t idx = mit->second;
  Detach(kind, name, idx);
  mine.erase(mit);
  if (c.subs->total() == 0) c.flags &= ~uint64_t(kClientPubSub);
  return true;
}

std::vector<std::string> PubSub::NamesOf(const Client& c, SubKind kind) const {
  std::vector<std::string> out;
  if (!c.subs) return out;
  const auto& mine = c.subs->names[int(kind)];
  out.reserve(mine.size());
  for (const auto& [name, idx] : mine) out.push_back(name);
  return out;
}

void PubSub::RemoveClient(Client& c) {
  if (!c.subs) return;
  for (int k = 0; k < kSubKinds; k++) {
    for (const auto& [name, idx] : c.subs->names[k]) Detach(SubKind(k), name, idx);
    c.subs->names[k].clear();
  }
  c.flags &= ~uint64_t(kClientPubSub);
}

size_t PubSub::NumSubscribers(SubKind kind, std::string_view name) const {
  const SubscriberMap& map = subs_[int(kind)];
  auto it = map.find(name);
  return it == map.end() ? 0 : it->second.size();
}

std::vector<std::string_view> PubSub::ActiveNames(SubKind kind, std::string_view pattern,
                                                  bool has_pattern) const {
  std::vector<std::string_view> out;
  for (const auto& [name, clients] : subs_[int(kind)]) {
    if (!has_pattern || GlobMatch(pattern, name)) out.push_back(name);
  }
  return out;
}

PubSub::CommandScope::CommandScope(PubSub& ps, Client& c)
    : ps_(ps), outer_(ps.running_ == nullptr) {
  if (outer_) ps.running_ = &c;
}

PubSub::CommandScope::~CommandScope() {
  if (!outer_) return;
  Client* c = ps_.running_;
  ps_.running_ = nullptr;
  if (ps_.held_.empty()) return;
  c->obuf.append(ps_.held_);
  ps_.held_.clear();
  if (ps_.held_.capacity() > 64 * 1024) ps_.held_.shrink_to_fit();
  ps_.server_->QueueWrite(c);
}

}  // namespace ember
