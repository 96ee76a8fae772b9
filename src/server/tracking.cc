// Client-side caching: the tracked-key table, BCAST prefixes and invalidation delivery (see
// tracking.h).
#include "server/tracking.h"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <new>

#include "server/client.h"
#include "server/command_table.h"
#include "server/errors.h"
#include "server/server.h"

namespace ember {
namespace {

void AppendLen(std::string* out, char type, size_t n) {
  char buf[24];
  buf[0] = type;
  auto [end, ec] = std::to_chars(buf + 1, buf + sizeof(buf), n);
  out->append(buf, size_t(end - buf));
  out->append("\r\n", 2);
}

void AppendBulk(std::string* out, std::string_view s) {
  AppendLen(out, '$', s.size());
  out->append(s);
  out->append("\r\n", 2);
}

// True if one of a, b is a prefix of the other (Redis's notion of overlapping prefixes).
bool PrefixesOverlap(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  return a.substr(0, n) == b.substr(0, n);
}

constexpr std::string_view kInvalidatePush = ">2\r\n$10\r\ninvalidate\r\n";
constexpr std::string_view kInvalidateMessage =
    "*3\r\n$7\r\nmessage\r\n$20\r\n__redis__:invalidate\r\n";
constexpr std::string_view kInvalidateChannel = "__redis__:invalidate";

}  // namespace

// ---------------------------------------------------------------------------------------------
// TrackedKeys

// One allocation per key: this header, `cap` client ids (sorted, the first `n` used), then the
// key bytes. The 32-bit hash is kept so that growing the slot array never rereads keys.
struct TrackedKeys::Entry {
  uint32_t hash;
  uint32_t key_len;
  uint32_t n;
  uint32_t cap;

  uint64_t* ids() { return reinterpret_cast<uint64_t*>(this + 1); }
  const char* key_data() const {
    return reinterpret_cast<const char*>(reinterpret_cast<const uint64_t*>(this + 1) + cap);
  }
  std::string_view key() const { return {key_data(), key_len}; }
  static size_t Bytes(uint32_t cap, size_t key_len) {
    return sizeof(Entry) + size_t(cap) * sizeof(uint64_t) + key_len;
  }
  static Entry* Create(std::string_view key, uint32_t hash, uint32_t cap) {
    void* mem = std::malloc(Bytes(cap, key.size()));
    if (mem == nullptr) throw std::bad_alloc();
    Entry* e = new (mem) Entry{hash, uint32_t(key.size()), 0, cap};
    std::memcpy(const_cast<char*>(e->key_data()), key.data(), key.size());
    return e;
  }
  size_t bytes() const { return Bytes(cap, key_len); }
};

namespace {
uint32_t HashKey(std::string_view key) {
  uint64_t h = std::hash<std::string_view>{}(key);
  return uint32_t(h ^ (h >> 32));
}
}  // namespace

TrackedKeys::~TrackedKeys() { Clear(); }

size_t TrackedKeys::SlotOf(std::string_view key, uint32_t hash) const {
  size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (Entry* e = slots_[i]) {
    if (e->hash == hash && e->key() == key) return i;
    i = (i + 1) & mask;
  }
  return i;
}

void TrackedKeys::Grow() {
  std::vector<Entry*> old;
  old.swap(slots_);
  slots_.assign(old.empty() ? 16 : old.size() * 2, nullptr);
  size_t mask = slots_.size() - 1;
  for (Entry* e : old) {
    if (e == nullptr) continue;
    size_t i = e->hash & mask;
    while (slots_[i] != nullptr) i = (i + 1) & mask;
    slots_[i] = e;
  }
}

bool TrackedKeys::Add(std::string_view key, uint64_t id) {
  if ((size_ + 1) * 4 > slots_.size() * 3) Grow();
  uint32_t hash = HashKey(key);
  size_t slot = SlotOf(key, hash);
  Entry* e = slots_[slot];
  if (e == nullptr) {
    e = Entry::Create(key, hash, 1);
    e->ids()[0] = id;
    e->n = 1;
    slots_[slot] = e;
    entry_bytes_ += e->bytes();
    size_++;
    items_++;
    return true;
  }
  uint64_t* ids = e->ids();
  uint64_t* pos = std::lower_bound(ids, ids + e->n, id);
  if (pos != ids + e->n && *pos == id) return false;
  size_t at = size_t(pos - ids);
  if (e->n == e->cap) {  // double the id array: a new block, key bytes moved after it
    Entry* bigger = Entry::Create(e->key(), hash, e->cap * 2);
    std::memcpy(bigger->ids(), ids, size_t(e->n) * sizeof(uint64_t));
    bigger->n = e->n;
    entry_bytes_ += bigger->bytes() - e->bytes();
    std::free(e);
    e = slots_[slot] = bigger;
    ids = e->ids();
  }
  std::memmove(ids + at + 1, ids + at, size_t(e->n - at) * sizeof(uint64_t));
  ids[at] = id;
  e->n++;
  items_++;
  return true;
}

// Backward-shift deletion: entries after the hole that would no longer be reachable from their
// home slot move into it, so lookups never need tombstones.
void TrackedKeys::EraseSlot(size_t hole) {
  size_t mask = slots_.size() - 1;
  slots_[hole] = nullptr;
  for (size_t j = (hole + 1) & mask; slots_[j] != nullptr; j = (j + 1) & mask) {
    size_t home = slots_[j]->hash & mask;
    // Entry j may stay if its home lies cyclically in (hole, j].
    bool stays = hole < j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (stays) continue;
    slots_[hole] = slots_[j];
    slots_[j] = nullptr;
    hole = j;
  }
}

bool TrackedKeys::Remove(std::string_view key, std::vector<uint64_t>* ids) {
  if (size_ == 0) return false;
  size_t slot = SlotOf(key, HashKey(key));
  Entry* e = slots_[slot];
  if (e == nullptr) return false;
  ids->insert(ids->end(), e->ids(), e->ids() + e->n);
  items_ -= e->n;
  entry_bytes_ -= e->bytes();
  size_--;
  std::free(e);
  EraseSlot(slot);
  if (size_ == 0) {
    std::vector<Entry*>().swap(slots_);  // an emptied table gives its slots back
  }
  return true;
}

bool TrackedKeys::RandomKey(uint64_t rnd, std::string* key) const {
  if (size_ == 0) return false;
  size_t mask = slots_.size() - 1;
  size_t i = rnd & mask;
  while (slots_[i] == nullptr) i = (i + 1) & mask;
  key->assign(slots_[i]->key());
  return true;
}

void TrackedKeys::Clear() {
  for (Entry* e : slots_) std::free(e);
  std::vector<Entry*>().swap(slots_);
  size_ = items_ = entry_bytes_ = 0;
}

size_t TrackedKeys::MemoryUsage() const {
  return slots_.capacity() * sizeof(Entry*) + entry_bytes_;
}

// ---------------------------------------------------------------------------------------------
// Tracking

Tracking::Tracking(Server* server) : server_(server) {
  const CommandTable& table = CommandTable::Instance();
  flushdb_ = table.Find("flushdb");
  flushall_ = table.Find("flushall");
  client_ = table.Find("client");
  // Read-only scripts are not tracked themselves: the commands they run are.
  ro_scripts_[0] = table.Find("eval_ro");
  ro_scripts_[1] = table.Find("evalsha_ro");
  ro_scripts_[2] = table.Find("fcall_ro");
  auto read_limit = [this](const ServerConfig&) {
    std::string v = server_->config().GetValue("tracking-table-max-keys");
    max_keys_ = v.empty() ? 1000000 : std::strtoll(v.c_str(), nullptr, 10);
    return std::string();
  };
  read_limit(server_->cfg());
  server_->config().OnApply("tracking-table-max-keys", read_limit);
}

Tracking::~Tracking() = default;

bool Tracking::IsFlushCommand(const CommandSpec& cmd) const {
  return &cmd == flushdb_ || &cmd == flushall_;
}

bool Tracking::IsScriptReadOnlyCommand(const CommandSpec& cmd) const {
  return std::find(std::begin(ro_scripts_), std::end(ro_scripts_), &cmd) != std::end(ro_scripts_);
}

uint64_t Tracking::NextRandom() {  // splitmix64
  uint64_t z = (rng_ += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

std::string Tracking::CheckPrefixes(const Client& c,
                                    std::span<const std::string_view> prefixes) const {
  auto mine = client_prefixes_.find(c.id);
  for (size_t i = 0; i < prefixes.size(); i++) {
    if (mine != client_prefixes_.end()) {
      for (const std::string& existing : mine->second) {
        if (PrefixesOverlap(existing, prefixes[i])) {
          return errors::TrackingPrefixOverlapsExisting(prefixes[i], existing);
        }
      }
    }
    for (size_t j = i + 1; j < prefixes.size(); j++) {
      if (PrefixesOverlap(prefixes[i], prefixes[j])) {
        return errors::TrackingPrefixOverlapsProvided(prefixes[i], prefixes[j]);
      }
    }
  }
  return "";
}

void Tracking::Enable(Client& c, uint64_t redirect, uint8_t options,
                      std::span<const std::string_view> prefixes) {
  if (!(c.flags & kClientTracking)) clients_++;
  c.flags |= kClientTracking;
  c.tracking_flags &= uint8_t(~(kTrackingBrokenRedir | kTrackingBcast | kTrackingOptIn |
                                kTrackingOptOut | kTrackingNoLoop));
  c.tracking_redirect = redirect;
  if (options & kTrackingBcast) {
    c.tracking_flags |= kTrackingBcast;
    std::vector<std::string>& mine = client_prefixes_[c.id];
    auto add = [&](std::string_view p) {
      auto it = std::lower_bound(mine.begin(), mine.end(), p);
      if (it != mine.end() && *it == p) return;
      mine.insert(it, std::string(p));
      auto pit = prefixes_.find(p);
      if (pit == prefixes_.end()) pit = prefixes_.emplace(std::string(p), Prefix{}).first;
      pit->second.clients.push_back(&c);
    };
    if (prefixes.empty()) add("");
    for (std::string_view p : prefixes) add(p);
  }
  c.tracking_flags |= options & (kTrackingOptIn | kTrackingOptOut | kTrackingNoLoop);
}

void Tracking::RemovePrefixClient(std::string_view prefix, Client* c) {
  auto it = prefixes_.find(prefix);
  if (it == prefixes_.end()) return;
  std::vector<Client*>& v = it->second.clients;
  auto pos = std::find(v.begin(), v.end(), c);
  if (pos != v.end()) {
    *pos = v.back();
    v.pop_back();
  }
  if (v.empty()) prefixes_.erase(it);
}

void Tracking::Disable(Client& c) {
  auto mine = client_prefixes_.find(c.id);
  if (mine != client_prefixes_.end()) {
    for (const std::string& p : mine->second) RemovePrefixClient(p, &c);
    client_prefixes_.erase(mine);
  }
  if (c.flags & kClientTracking) {
    clients_--;
    c.flags &= ~uint64_t(kClientTracking);
  }
  c.tracking_flags = 0;
  c.tracking_redirect = 0;
}

std::vector<std::string_view> Tracking::PrefixesOf(const Client& c) const {
  std::vector<std::string_view> out;
  auto mine = client_prefixes_.find(c.id);
  if (mine != client_prefixes_.end()) out.assign(mine->second.begin(), mine->second.end());
  return out;
}

// --- delivery ---------------------------------------------------------------------------------

void Tracking::Send(Client& c, std::string_view keys, bool defer) {
  Client* target = &c;
  bool redirected = c.tracking_redirect != 0;
  if (redirected) {
    target = server_->FindClient(c.tracking_redirect);
    if (target == nullptr) {
      // The redirect target is gone: say so to the tracking client itself (RESP3 only).
      c.tracking_flags |= kTrackingBrokenRedir;
      if (c.reply().resp() < 3) return;
      msg_.assign(">2\r\n");
      AppendBulk(&msg_, "tracking-redir-broken");
      AppendLen(&msg_, ':', c.tracking_redirect);
      return Write(c, defer);
    }
  }
  int resp = target->reply().resp();
  if (resp >= 3) {
    msg_.assign(kInvalidatePush);
  } else if (redirected && ((target->flags & kClientPubSub) ||
                            server_->pubsub().IsChannelSubscriber(*target, kInvalidateChannel))) {
    msg_.assign(kInvalidateMessage);  // RESP2 Pub/Sub: a message on __redis__:invalidate
  } else {
    return;  // RESP2 has no push messages on the connection's own stream
  }
  if (keys.empty()) {
    msg_.append(resp >= 3 ? "_\r\n" : "$-1\r\n");  // null: drop every cached key (flush)
  } else {
    msg_.append(keys);
  }
  Write(*target, defer);
}

void Tracking::Write(Client& target, bool defer) {
  std::string* held = defer ? server_->pubsub().HeldBack(target) : nullptr;
  if (held != nullptr) {
    held->append(msg_);  // the running client: after its reply (PubSub's CommandScope)
  } else {
    target.obuf.append(msg_);
    server_->QueueWrite(&target);
  }
}

void Tracking::InvalidateKey(std::string_view key, const Client* modifier, bool bcast, bool defer) {
  if (bcast && !prefixes_.empty()) {
    uint64_t who = modifier ? modifier->id : 0;
    for (auto& [prefix, state] : prefixes_) {
      if (!key.starts_with(prefix)) continue;
      auto it = state.keys.find(key);
      if (it == state.keys.end()) {
        state.keys.emplace(std::string(key), who);
      } else {
        it->second = who;  // the last writer decides whether a NOLOOP client hears about it
      }
    }
  }
  ids_.clear();
  if (!keys_.Remove(key, &ids_)) return;
  std::string keys;
  AppendLen(&keys, '*', 1);
  AppendBulk(&keys, key);
  for (uint64_t id : ids_) {
    Client* c = server_->FindClient(id);
    // Skipped: gone, tracking off, or switched to BCAST since it read the key.
    if (c == nullptr || !(c->flags & kClientTracking) || (c->tracking_flags & kTrackingBcast)) {
      continue;
    }
    if ((c->tracking_flags & kTrackingNoLoop) && c == current_) continue;
    Send(*c, keys, defer);
  }
}

void Tracking::InvalidateAll() {
  if (clients_ != 0) {
    for (const auto& [id, c] : server_->clients()) {
      if ((c->flags & kClientTracking) && !c->closing()) Send(*c, {}, true);
    }
  }
  keys_.Clear();
}

void Tracking::BroadcastPending() {
  if (prefixes_.empty()) return;
  std::string all, mine;
  for (auto& [prefix, state] : prefixes_) {
    if (state.keys.empty()) continue;
    all.clear();
    AppendLen(&all, '*', state.keys.size());
    for (const auto& [key, who] : state.keys) AppendBulk(&all, key);
    for (Client* c : state.clients) {
      if (c->closing()) continue;
      if (!(c->tracking_flags & kTrackingNoLoop)) {
        Send(*c, all, false);
        continue;
      }
      // NOLOOP: leave out the keys this client's own commands changed last.
      size_t n = 0;
      mine.clear();
      for (const auto& [key, who] : state.keys) {
        if (who == c->id) continue;
        AppendBulk(&mine, key);
        n++;
      }
      if (n == 0) continue;
      std::string framed;
      AppendLen(&framed, '*', n);
      framed += mine;
      Send(*c, framed, false);
    }
    state.keys.clear();
  }
}

void Tracking::EnforceLimit() {
  if (max_keys_ <= 0 || keys_.size() <= size_t(max_keys_)) {
    limit_passes_ = 0;
    return;
  }
  // The effort grows with every pass that ends still over the limit, as in Redis.
  int effort = 100 * int(std::min(limit_passes_ + 1, 1000u));
  std::string key;
  while (effort-- > 0) {
    if (!keys_.RandomKey(NextRandom(), &key)) break;
    InvalidateKey(key, nullptr, /*bcast=*/false, /*defer=*/false);
    if (keys_.size() <= size_t(max_keys_)) {
      limit_passes_ = 0;
      return;
    }
  }
  limit_passes_++;
}

void Tracking::RememberKeys(Client& reader, const CommandSpec& cmd,
                            std::span<const std::string_view> args) {
  uint8_t f = reader.tracking_flags;
  bool caching = f & kTrackingCaching;
  if (((f & kTrackingOptIn) && !caching) || ((f & kTrackingOptOut) && caching)) return;
  key_idx_.clear();
  if (!CommandTable::GetKeys(cmd, args, &key_idx_)) return;
  for (int idx : key_idx_) keys_.Add(args[size_t(idx)], reader.id);
}

// --- keyspace hooks ---------------------------------------------------------------------------

void Tracking::OnExpired(std::string_view key) {
  expired_ = key;
  if (flushing_ || (keys_.size() == 0 && prefixes_.empty())) return;
  InvalidateKey(key, nullptr, /*bcast=*/true, /*defer=*/calls_ > 0);
}

void Tracking::OnModified(std::string_view key) {
  if (expired_.data() != nullptr) {
    bool same = key.data() == expired_.data() && key.size() == expired_.size();
    expired_ = {};
    if (same) return;  // already handled as an expiry
  }
  if (flushing_ || (keys_.size() == 0 && prefixes_.empty())) return;
  InvalidateKey(key, current_, /*bcast=*/true, /*defer=*/calls_ > 0);
}

size_t Tracking::MemoryUsage() const {
  size_t n = keys_.MemoryUsage();
  for (const auto& [p, state] : prefixes_) {
    n += p.size() + 64 + state.clients.capacity() * sizeof(Client*);
    for (const auto& [k, who] : state.keys) n += k.size() + 64;
  }
  return n;
}

// --- scopes -----------------------------------------------------------------------------------

Tracking::CommandScope::CommandScope(Tracking& t, Client& c)
    : t_(t), c_(c), outer_(t.current_ == nullptr), commands_before_(c.commands_processed) {
  if (!outer_) return;
  t.current_ = &c;
  if (t.max_keys_ > 0 && t.keys_.size() > size_t(t.max_keys_)) t.EnforceLimit();
}

Tracking::CommandScope::~CommandScope() {
  if (!outer_) return;
  t_.current_ = nullptr;
  // CLIENT CACHING applies to the next command (or the whole transaction): it is cleared once
  // a command other than a CLIENT subcommand completed outside MULTI.
  if (!(c_.tracking_flags & kTrackingCaching)) return;
  if (c_.flags & (kClientMulti | kClientBlocked | kClientPaused)) return;
  bool ran = c_.commands_processed != commands_before_;
  if (ran && c_.last_cmd != nullptr && c_.last_cmd->parent == t_.client_) return;
  c_.tracking_flags &= uint8_t(~kTrackingCaching);
}

Tracking::CallScope::CallScope(Tracking& t, const CommandSpec& cmd,
                               std::span<const std::string_view> args)
    : t_(t), cmd_(cmd), args_(args), armed_(t.active()) {
  t.calls_++;
  if (!armed_ || !t.IsFlushCommand(cmd)) return;
  flush_ = true;
  t.flushing_ = true;
  errors_before_ = t.server_->stats().total_error_replies;
}

Tracking::CallScope::~CallScope() {
  t_.calls_--;
  if (!armed_) return;
  if (flush_) {
    t_.flushing_ = false;
    if (t_.server_->stats().total_error_replies == errors_before_) t_.InvalidateAll();
  }
  Client* reader = t_.current_;
  if (reader == nullptr || !(cmd_.flags & kCmdReadOnly) || (cmd_.flags & kCmdPubSub)) return;
  if (!(reader->flags & kClientTracking) || (reader->tracking_flags & kTrackingBcast)) return;
  if (t_.IsScriptReadOnlyCommand(cmd_)) return;
  t_.RememberKeys(*reader, cmd_, args_);
}

}  // namespace ember
