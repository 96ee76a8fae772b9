// Blocking commands on keys (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX,
// BZMPOP): which clients wait for which keys, which keys became ready, and the deadlines.
//
// How a client blocks. A blocking handler first tries its non-blocking form; when every key is
// empty it calls CommandContext::Block, which parks the client here and sets kClientBlocked.
// The request itself stays unconsumed at the front of the client's query buffer, exactly like
// a request held by CLIENT PAUSE, and the requests pipelined behind it wait there too. Nothing
// of the request is copied except the key names the wait lists are indexed by.
//
// How it wakes up. Every write reaches Server::OnModified (Db::NotifyModified, expiry, flush);
// a key somebody waits on is then appended, once, to the ready list. Serve() runs after each
// top-level request (Client::ExecuteBatch), after timeouts and before sleeping: for each ready
// key it walks the key's waiters first come first served and, while the key still holds a
// value of the type the waiter wants, runs the waiter's pending request again (the handler runs
// a second time: the retry and the first try are one code path). A retry that finds nothing
// blocks again and keeps its place in every queue and its original deadline. Keys made ready
// while serving (BLMOVE pushing into a key that someone else waits on) are served in the same
// call, until nothing is ready. A client whose request completed resumes its pipelined input
// after the ready keys are exhausted (Redis's "unblocked clients" list), never in the middle of
// serving, so a request is never re-entered.
//
// Deadlines are absolute times in ms of the server clock (0 = wait forever); they are checked
// by the cron and by a timerfd armed for the earliest one, so a 0.1 s timeout is not late by a
// whole cron period. A timed-out client (or one released by CLIENT UNBLOCK) gets its reply, its
// pending request is dropped from its query buffer, and it resumes like a served client.
//
// Stats follow Redis 7.2: a blocked command counts in commandstats once, when it completes
// (served, timed out or unblocked), not when it parks; MONITOR shows it once.
//
// Ownership: the Server owns the BlockingManager; each Client owns its BlockState (kept
// allocated between blocks, so a worker that blocks again and again does not reallocate).
// Thread: command thread only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/kv_entry.h"
#include "core/stream.h"

namespace ember {

class Client;
class EventLoop;
class Server;

// Parses a blocking command's timeout (seconds as a float, "0" = forever) into an absolute
// deadline in ms (0 = none), with Redis 7.2's rules: fractions round up to the next ms, a
// negative value, a non-number or a deadline past INT64_MAX are refused. Returns "" or the
// error to reply.
std::string_view ParseBlockTimeout(std::string_view arg, int64_t now_ms, int64_t* deadline_ms);

// The clients waiting on one key, oldest first.
struct KeyWaiters {
  std::list<Client*> clients;
  bool ready = false;  // queued in the ready list and not yet served
  // Of them, waiters with wake_on_any_change (XREADGROUP).
  size_t nokey_clients = 0;
};

// Case-sensitive string hash that also accepts string_view, so lookups copy no key.
struct BlockKeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using BlockedKeyMap = std::unordered_map<std::string, KeyWaiters, BlockKeyHash, std::equal_to<>>;

// What a blocked client waits for (Client::block).
struct BlockState {
  // One key the client waits on: the key's map node (nodes never move) and the client's place
  // in its queue.
  struct Wait {
    BlockedKeyMap::value_type* node;
    std::list<Client*>::iterator pos;
  };
  int db = 0;
  ObjType type = ObjType::kList;  // the value type that can serve the request
  int64_t deadline_ms = 0;        // absolute; 0 = wait forever
  std::vector<Wait> waits;        // one per distinct key
  std::multimap<int64_t, Client*>::iterator timeout_pos;  // valid when deadline_ms != 0
  bool retrying = false;   // its request is being run again for a ready key
  bool reblocked = false;  // ... and the retry blocked again
  // Streams (XREAD, XREADGROUP). Ids resolved at the first attempt (XREAD's "$" / "+") that
  // every retry must reuse: the handler fills it right after Block() when !retrying and reads
  // it when retrying; Block() clears it on a fresh block.
  std::vector<StreamId> stream_ids;
  // Retry also when a waited key is deleted or holds another type (XREADGROUP replies an
  // error then, as Redis 7.2 does), not only when it holds `type`. Set by Block().
  bool wake_on_any_change = false;
};

class BlockingManager {
 public:
  explicit BlockingManager(Server* server);
  ~BlockingManager();
  BlockingManager(const BlockingManager&) = delete;
  BlockingManager& operator=(const BlockingManager&) = delete;

  // Registers the deadline timer with the event loop (Server::Run).
  void AttachLoop(EventLoop* loop);

  // Parks client c, whose front request is running, on `keys` of database `db` until one of
  // them holds a value of `type`, or until deadline_ms (0 = forever). Duplicate keys count
  // once. Called during a retry, it keeps the client's places and first deadline.
  // `wake_on_any_change`: see BlockState.
  void Block(Client& c, int db, std::span<const std::string_view> keys, int64_t deadline_ms,
             ObjType type, bool wake_on_any_change = false);

  // KeyspaceObserver forwarding: `key` of `db` was written; SWAPDB is about to exchange a, b.
  void OnModified(int db, std::string_view key) {
    if (blocking_keys_ != 0) SignalReady(db, key);
  }
  void OnSwapDb(int a, int b);

  // Serves ready keys and resumes clients whose blocked request completed. Cheap when there is
  // nothing to do; a nested call (from a request run by Serve itself) does only what is safe.
  void Serve() {
    if (!ready_.empty() || !unblocked_.empty()) ServeSlow();
  }
  // Times out every client whose deadline is <= now_ms.
  void HandleTimeouts(int64_t now_ms);
  // Sets the timer to the earliest deadline (before sleeping).
  void ArmTimer();

  // CLIENT UNBLOCK: releases c if it waits on keys, replying the timeout reply or, with
  // `error`, an UNBLOCKED error. Returns false if c was not blocked on keys.
  bool Unblock(Client& c, bool error);
  // Forgets c (it is being freed).
  void RemoveClient(Client& c);

  size_t blocked_clients() const { return blocked_clients_; }  // INFO blocked_clients
  size_t blocking_keys() const { return blocking_keys_; }      // INFO total_blocking_keys
  // INFO total_blocking_keys_on_nokey: keys with a waiter that wakes on any change.
  size_t blocking_keys_on_nokey() const { return blocking_keys_on_nokey_; }
  size_t clients_with_timeout() const { return timeouts_.size(); }
  int64_t next_deadline_ms() const { return timeouts_.empty() ? 0 : timeouts_.begin()->first; }

 private:
  class Timer;
  BlockedKeyMap& MapOf(int db);
  void SignalReady(int db, std::string_view key);
  void ServeSlow();
  void ServeKey(int db, std::string_view key);
  // Runs c's pending request again; false if it blocked again.
  bool Retry(Client& c);
  // Removes c from every queue and the timeout index and clears kClientBlocked.
  void Unlink(Client& c);
  // Ends c's wait without running its request: replies (timeout reply or UNBLOCKED error),
  // counts the command, drops the request and lets the client resume.
  void Release(Client& c, bool error);

  Server* server_;
  std::vector<BlockedKeyMap> dbs_;  // grown on demand to the highest db index used
  std::vector<std::pair<int, std::string>> ready_, ready_scratch_;
  std::deque<Client*> unblocked_;             // request done; pipelined input not yet resumed
  std::multimap<int64_t, Client*> timeouts_;  // by deadline; equal ones in blocking order
  std::vector<Client*> waiters_scratch_;
  std::unique_ptr<Timer> timer_;
  size_t blocked_clients_ = 0;
  size_t blocking_keys_ = 0;  // keys with at least one waiter, all dbs
  size_t blocking_keys_on_nokey_ = 0;
  bool serving_ = false;
  bool resuming_ = false;
};

}  // namespace ember
