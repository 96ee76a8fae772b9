// Transactions: the compact command queue and the WATCH registry (see multi.h).
#include "server/multi.h"
#include "server/server.h"

#include <algorithm>

#include "core/db.h"
#include "server/client.h"
#include "server/command_table.h"

namespace ember {
namespace {

void PutVarint(std::string* out, size_t v) {
  while (v >= 0x80) {
    out->push_back(char((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(char(v));
}

size_t GetVarint(const char* p, size_t* pos) {
  size_t v = 0;
  int shift = 0;
  for (;;) {
    auto b = static_cast<unsigned char>(p[(*pos)++]);
    v |= size_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
    shift += 7;
  }
}

// The rows that bypass queueing, looked up once (the table is immutable after startup).
struct ImmediateRows {
  const CommandSpec* exec;
  const CommandSpec* rows[6];
  ImmediateRows() {
    const CommandTable& t = CommandTable::Instance();
    exec = t.Find("exec");
    const char* names[6] = {"exec", "discard", "multi", "watch", "quit", "reset"};
    for (int i = 0; i < 6; i++) rows[i] = t.Find(names[i]);
  }
};

const ImmediateRows& Immediate() {
  static const ImmediateRows rows;
  return rows;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// CommandQueue

void CommandQueue::Append(const CommandSpec& cmd, std::span<const std::string_view> args,
                          uint64_t flags) {
  size_t need = 0;
  for (std::string_view a : args) need += a.size() + 10;
  if (bytes_.capacity() - bytes_.size() < need) {
    bytes_.reserve(std::max(bytes_.size() + need, bytes_.capacity() * 2));
  }
  cmds_.push_back({&cmd, bytes_.size(), args.size()});
  for (std::string_view a : args) {
    PutVarint(&bytes_, a.size());
    bytes_.append(a);
  }
  flags_ |= flags;
}

std::span<const std::string_view> CommandQueue::Args(size_t i,
                                                     std::vector<std::string_view>* argv) const {
  const Queued& q = cmds_[i];
  argv->clear();
  size_t pos = q.offset;
  for (size_t n = 0; n < q.nargs; n++) {
    size_t len = GetVarint(bytes_.data(), &pos);
    argv->emplace_back(bytes_.data() + pos, len);
    pos += len;
  }
  return *argv;
}

size_t CommandQueue::MemoryUsage() const {
  // A string's capacity within its inline (small-string) buffer is no heap memory.
  size_t heap_bytes = bytes_.capacity() > std::string().capacity() ? bytes_.capacity() : 0;
  return heap_bytes + cmds_.capacity() * sizeof(Queued);
}

size_t TxState::MemoryUsage() const {
  return sizeof(TxState) + queue.MemoryUsage() + watched.capacity() * sizeof(WatchRef);
}

// ---------------------------------------------------------------------------------------------
// WatchRegistry

void WatchRegistry::Watch(Client& c, int db, std::string_view key, bool expired) {
  if (size_t(db) >= dbs_.size()) dbs_.resize(size_t(db) + 1);
  WatchedKeyMap& map = dbs_[size_t(db)];
  auto it = map.find(key);
  if (it == map.end()) {
    it = map.emplace(std::string(key), std::vector<Watcher>()).first;
    keys_++;
  } else {
    for (const Watcher& w : it->second) {
      if (w.client == &c) return;  // already watched
    }
  }
  it->second.push_back({&c, expired});
  if (!c.tx) c.tx = std::make_unique<TxState>();
  if (c.tx->watched.empty()) clients_++;
  c.tx->watched.push_back({db, &*it});
}

void WatchRegistry::UnwatchAll(Client& c) {
  if (!c.tx || c.tx->watched.empty()) return;
  for (const WatchRef& ref : c.tx->watched) {
    std::vector<Watcher>& ws = ref.node->second;
    ws.erase(std::find_if(ws.begin(), ws.end(), [&](const Watcher& w) { return w.client == &c; }));
    if (ws.empty()) {
      WatchedKeyMap& map = dbs_[size_t(ref.db)];
      map.erase(map.find(ref.node->first));  // by iterator: the key lives in the node
      keys_--;
    }
  }
  c.tx->watched.clear();
  c.tx->watched.shrink_to_fit();
  clients_--;
}

void WatchRegistry::Touch(int db, std::string_view key) {
  if (keys_ == 0) return;  // the common case: nobody watches anything
  WatchedKeyMap* map = MapOf(db);
  if (map == nullptr || map->empty()) return;
  auto it = map->find(key);
  if (it == map->end()) return;
  dirty_scratch_.clear();
  for (Watcher& w : it->second) {
    if (w.expired) {
      // The first news about a key that was stale when watched is its removal: no logical
      // change (see multi.h). From now on it is watched as an absent key.
      w.expired = false;
      continue;
    }
    dirty_scratch_.push_back(w.client);
  }
  MarkDirty(dirty_scratch_);
}

void WatchRegistry::TouchSwap(Db& a, Db& b) {
  if (keys_ == 0) return;
  dirty_scratch_.clear();
  for (auto [emptied, replaced] : {std::pair{&a, &b}, std::pair{&b, &a}}) {
    WatchedKeyMap* map = MapOf(emptied->index());
    if (map == nullptr) continue;
    for (auto& node : *map) TouchSwappedKey(*emptied, *replaced, node, &dirty_scratch_);
  }
  MarkDirty(dirty_scratch_);
}

// Redis 7's rules: the key changes unless a stale key is replaced by no key or by another stale
// key, or no key is replaced by a stale one (which is then remembered as stale).
void WatchRegistry::TouchSwappedKey(Db& emptied, Db& replaced, WatchedKeyMap::value_type& node,
                                    std::vector<Client*>* dirty) {
  const std::string& key = node.first;
  bool in_emptied = emptied.dict().Find(key) != nullptr;
  KvEntry* incoming = replaced.dict().Find(key);
  if (!in_emptied && incoming == nullptr) return;
  bool incoming_stale = incoming != nullptr && replaced.IsExpired(incoming);
  for (Watcher& w : node.second) {
    if (w.expired) {
      if (incoming == nullptr) {
        w.expired = false;
        continue;
      }
      if (incoming_stale) continue;
    } else if (!in_emptied && incoming_stale) {
      w.expired = true;
      continue;
    }
    dirty->push_back(w.client);
  }
}

void WatchRegistry::MarkDirty(const std::vector<Client*>& clients) {
  for (Client* c : clients) {
    c->flags |= kClientDirtyCas;
    UnwatchAll(*c);  // nothing else it watches matters now
    ReleaseTxStateIfIdle(*c);
  }
}

bool WatchRegistry::AnyWatchedKeyExpired(const Client& c, Keyspace& keyspace) const {
  if (!c.tx) return false;
  for (const WatchRef& ref : c.tx->watched) {
    for (const Watcher& w : ref.node->second) {
      if (w.client != &c) continue;
      if (w.expired) break;  // stale already when watched
      Db& db = keyspace.db(ref.db);
      KvEntry* e = db.dict().Find(ref.node->first);
      if (e != nullptr && db.IsExpired(e)) return true;
      break;
    }
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Transaction lifecycle

bool RunsImmediatelyInMulti(const CommandSpec& cmd) {
  for (const CommandSpec* row : Immediate().rows) {
    if (row == &cmd) return true;
  }
  return false;
}

bool IsExecCommand(const CommandSpec& cmd) { return &cmd == Immediate().exec; }

void QueueCommand(Client& c, const CommandSpec& cmd, std::span<const std::string_view> args) {
  if (!c.tx) c.tx = std::make_unique<TxState>();
  c.tx->queue.Append(cmd, args, c.server().FlagsOf(cmd, args));
  c.reply().SimpleString("QUEUED");
}

void FlagTransaction(Client& c) {
  if (c.flags & kClientMulti) c.flags |= kClientDirtyExec;
}

void DiscardTransaction(WatchRegistry& watches, Client& c) {
  watches.UnwatchAll(c);
  c.flags &= ~uint64_t(kClientMulti | kClientDirtyCas | kClientDirtyExec);
  c.tx.reset();
}

void ReleaseTxStateIfIdle(Client& c) {
  if (c.tx && !(c.flags & kClientMulti) && c.tx->watched.empty()) c.tx.reset();
}

}  // namespace ember
