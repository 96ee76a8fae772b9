// Transactions: the commands a client queues between MULTI and EXEC, and the WATCH registry
// that makes EXEC fail when a watched key changed. The commands themselves (MULTI, EXEC,
// DISCARD, WATCH, UNWATCH) are in commands/multi_family.cc; the dispatcher (Server::Execute)
// queues requests of a client in MULTI state through QueueCommand.
//
// Queued commands are copied out of the query buffer (which moves on) into one byte buffer per
// transaction: each argument is stored as a varint length followed by its bytes, and each
// command keeps only its row, its first byte offset and its argument count. EXEC rebuilds the
// argument views one command at a time; EXEC, DISCARD and RESET free the whole buffer.
//
// WATCH semantics (Redis 7): a watched key is invalidated by any modification, deletion or
// expiry of the key (Server::OnModified, which Db calls for every write, expiry and flush), by
// SWAPDB changing what the key's database holds, and at EXEC time by the key being logically
// expired although nobody deleted it yet. A key that was already logically expired when WATCH
// ran is remembered as such: its later removal (lazy or active expiry, FLUSHDB, SWAPDB bringing
// no key) is no logical change and does not invalidate; anything that makes it exist again
// does. Every path that writes an expired key removes it first (Db's lookups and Upsert expire
// it and notify), so the first notification about such a key is always its removal, and the
// registry never needs to look into the keyspace while Db is iterating it (FLUSHDB).
//
// A client marked dirty (kClientDirtyCas) stops watching at once: nothing it watches can
// change its EXEC's outcome any more.
//
// Ownership: the Server owns the WatchRegistry; each Client owns its TxState (allocated on the
// first MULTI or WATCH, freed when the transaction ends and nothing is watched).
// Thread: command thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

class Client;
class Db;
class Keyspace;
struct CommandSpec;

// The commands of one transaction, queued compactly (see the top of this file).
class CommandQueue {
 public:
  // Copies `args` (args[0] is the command name) for later execution by `cmd`'s handler.
  // `flags`: the command's flags for these arguments (Server::FlagsOf).
  void Append(const CommandSpec& cmd, std::span<const std::string_view> args, uint64_t flags);
  size_t size() const { return cmds_.size(); }
  bool empty() const { return cmds_.empty(); }
  const CommandSpec& cmd(size_t i) const { return *cmds_[i].spec; }
  // The arguments of command i, as views into the queue's buffer built in *argv (valid until
  // the queue changes).
  std::span<const std::string_view> Args(size_t i, std::vector<std::string_view>* argv) const;
  // The union of the queued commands' flags (EXEC counts as a write when it holds one).
  uint64_t flags() const { return flags_; }
  // Heap bytes held by the queue (CLIENT LIST multi-mem).
  size_t MemoryUsage() const;

 private:
  struct Queued {
    const CommandSpec* spec;
    size_t offset;  // of the first argument in bytes_
    size_t nargs;
  };
  std::string bytes_;  // all arguments back to back, each as varint length + bytes
  std::vector<Queued> cmds_;
  uint64_t flags_ = 0;
};

// One client watching one key, as the registry records it.
struct Watcher {
  Client* client;
  bool expired;  // the key was logically expired when WATCH ran
};

// Case-sensitive string hash that also accepts string_view (lookups copy no key).
struct WatchKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using WatchedKeyMap =
    std::unordered_map<std::string, std::vector<Watcher>, WatchKeyHash, std::equal_to<>>;

// One key a client watches: its database and the registry's node for it (nodes of an
// unordered_map never move, so the pointer stays valid while the key is watched).
struct WatchRef {
  int db;
  WatchedKeyMap::value_type* node;
};

// Per-client transaction state (Client::tx).
struct TxState {
  CommandQueue queue;
  std::vector<WatchRef> watched;
  // Heap bytes of the transaction context (queue and watch list), as multi-mem reports it.
  size_t MemoryUsage() const;
};

// Which clients watch which keys, per database index. Watches stay with the database index
// (SWAPDB moves data, not watches), as in Redis.
class WatchRegistry {
 public:
  // Adds (db, key) to c's watches unless already there. `expired`: the key exists but is
  // logically expired now.
  void Watch(Client& c, int db, std::string_view key, bool expired);
  // Forgets every key c watches (UNWATCH, EXEC, DISCARD, a dirty or freed client).
  void UnwatchAll(Client& c);
  // `key` of `db` was modified, deleted, expired or flushed: its watchers become dirty.
  void Touch(int db, std::string_view key);
  // Called before SWAPDB exchanges the contents of `a` and `b`.
  void TouchSwap(Db& a, Db& b);
  // True if c watches a key that is logically expired now and was not when watched (EXEC).
  bool AnyWatchedKeyExpired(const Client& c, Keyspace& keyspace) const;

  size_t watched_keys() const { return keys_; }         // INFO total_watched_keys
  size_t watching_clients() const { return clients_; }  // INFO watching_clients

 private:
  WatchedKeyMap* MapOf(int db) { return size_t(db) < dbs_.size() ? &dbs_[size_t(db)] : nullptr; }
  // Handles the watchers of one key of `emptied` about to receive `replaced`'s contents.
  void TouchSwappedKey(Db& emptied, Db& replaced, WatchedKeyMap::value_type& node,
                       std::vector<Client*>* dirty);
  void MarkDirty(const std::vector<Client*>& clients);

  std::vector<WatchedKeyMap> dbs_;  // grown on demand to the highest watched db index
  size_t keys_ = 0;
  size_t clients_ = 0;
  std::vector<Client*> dirty_scratch_;
};

// The commands that run at once even inside MULTI (EXEC, DISCARD, MULTI, WATCH, QUIT, RESET).
bool RunsImmediatelyInMulti(const CommandSpec& cmd);
// True for EXEC's row.
bool IsExecCommand(const CommandSpec& cmd);

// Queues a request of a client in MULTI state and replies +QUEUED.
void QueueCommand(Client& c, const CommandSpec& cmd, std::span<const std::string_view> args);
// Marks c's transaction as failed (a queued command was rejected): EXEC will reply EXECABORT.
void FlagTransaction(Client& c);
// Ends c's transaction (EXEC, DISCARD, RESET): frees the queue, clears the MULTI and dirty
// flags and every watch.
void DiscardTransaction(WatchRegistry& watches, Client& c);
// Frees c's TxState when it holds nothing (no MULTI, no watches).
void ReleaseTxStateIfIdle(Client& c);

}  // namespace ember
