// Client-side caching (CLIENT TRACKING): which clients may hold which keys in a local cache, and
// the invalidation messages that tell them to drop a key when it changes.
//
// Two modes, as in Redis 7.2:
//  - default: after a read-only command of a tracking client, the keys it read are remembered
//    in one server-wide table (key -> ids of the clients that read it). When such a key is
//    modified, expired, evicted from this table, or the database is flushed, each client on
//    its list gets one invalidation and the key leaves the table (the client reads it again,
//    and is listed again, if it still wants it). The table is not per database, like Redis's:
//    the same name in two databases shares an entry (a spurious invalidation at worst).
//  - BCAST: the client registers key prefixes ("" = every key) and is told about every
//    modified key under them, whether it read it or not. Modified keys collect per prefix and
//    go out in one message per prefix before the server sleeps (BroadcastPending).
// Options: OPTIN (remember only after CLIENT CACHING yes, for the next command or
// transaction), OPTOUT (remember unless CLIENT CACHING no), NOLOOP (no invalidations caused by
// the client's own writes), REDIRECT id (messages go to another connection).
//
// Delivery: RESP3 connections get a push ">2 invalidate [keys]" (null instead of the array on a
// flush); a RESP2 connection can only receive them as the redirect target while it is in
// Pub/Sub mode, as a "message" on __redis__:invalidate. A client whose redirect target is gone
// is flagged broken and, on RESP3, gets a "tracking-redir-broken" push instead. Messages for
// the client whose command is running are held back by PubSub (pubsub.h HeldBack) and follow
// that command's reply, so they never land inside an EXEC array.
//
// Memory: the key table is bounded by tracking-table-max-keys. Above it, random keys are
// invalidated (and dropped) before each command and from cron, with an effort that grows while
// the table stays over the limit. An entry is one allocation holding the key and its sorted
// client ids (inline array, grown by doubling); slots are an open-addressing array of pointers.
// Ids of clients that turned tracking off or disconnected stay in entries until the key is
// invalidated (as in Redis): ids are never reused, so a stale id is simply skipped.
//
// Ownership: the Server owns the Tracking; BCAST prefix lists hold Client pointers, removed by
// Disable (CLIENT TRACKING off, RESET, the Server freeing the client). Thread: command thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ember {

class Client;
class Server;
struct CommandSpec;

// Tracking options of a client (Client::tracking_flags); kClientTracking (client.h) says
// whether tracking is on at all.
enum TrackingFlag : uint8_t {
  kTrackingBcast = 1 << 0,
  kTrackingOptIn = 1 << 1,
  kTrackingOptOut = 1 << 2,
  kTrackingNoLoop = 1 << 3,
  kTrackingCaching = 1 << 4,      // CLIENT CACHING yes (OPTIN) / no (OPTOUT) was given
  kTrackingBrokenRedir = 1 << 5,  // the redirect target disconnected
};

// The key table of default-mode tracking: key -> sorted ids of the clients that may cache it.
class TrackedKeys {
 public:
  TrackedKeys() = default;
  ~TrackedKeys();
  TrackedKeys(const TrackedKeys&) = delete;
  TrackedKeys& operator=(const TrackedKeys&) = delete;

  // Lists client `id` under `key`; true if it was not listed yet.
  bool Add(std::string_view key, uint64_t id);
  // Removes `key`, appending its ids to *ids; false if it is not in the table.
  bool Remove(std::string_view key, std::vector<uint64_t>* ids);
  // Copies a key picked at random (from `rnd`) into *key; false if the table is empty.
  bool RandomKey(uint64_t rnd, std::string* key) const;
  void Clear();

  size_t size() const { return size_; }    // keys
  size_t items() const { return items_; }  // (key, client) pairs
  // Heap bytes of the table (slots and entries).
  size_t MemoryUsage() const;

 private:
  struct Entry;
  size_t SlotOf(std::string_view key, uint32_t hash) const;  // slot of key, or of the hole
  void Grow();
  void EraseSlot(size_t slot);

  std::vector<Entry*> slots_;  // power-of-two size, linear probing, no tombstones
  size_t size_ = 0;
  size_t items_ = 0;
  size_t entry_bytes_ = 0;
};

class Tracking {
 public:
  explicit Tracking(Server* server);
  ~Tracking();
  Tracking(const Tracking&) = delete;
  Tracking& operator=(const Tracking&) = delete;

  // --- CLIENT TRACKING ---
  // "" or the error for `prefixes` overlapping each other or a prefix c already has.
  std::string CheckPrefixes(const Client& c, std::span<const std::string_view> prefixes) const;
  // Turns tracking on for c (or changes its options): `options` are kTracking* bits (BCAST,
  // OPTIN, OPTOUT, NOLOOP); BCAST prefixes add to those c already has ("" when none given).
  void Enable(Client& c, uint64_t redirect, uint8_t options,
              std::span<const std::string_view> prefixes);
  // Turns tracking off for c and drops its prefixes (no-op when off).
  void Disable(Client& c);
  // c's BCAST prefixes in byte order (CLIENT TRACKINGINFO).
  std::vector<std::string_view> PrefixesOf(const Client& c) const;

  // --- dispatcher hooks (server.cc) ---
  // One per top-level request (Server::Execute): makes c the current client (NOLOOP, whose
  // reads are remembered), applies the table size limit first, and at the end clears a CLIENT
  // CACHING flag that has served its command.
  class CommandScope {
   public:
    CommandScope(Tracking& t, Client& c);
    ~CommandScope();
    CommandScope(const CommandScope&) = delete;
    CommandScope& operator=(const CommandScope&) = delete;

   private:
    Tracking& t_;
    Client& c_;
    bool outer_;
    uint64_t commands_before_;
  };
  // One per command run (Server::Call, EXEC's commands included): remembers the keys a
  // read-only command read for the current client, and turns FLUSHDB/FLUSHALL into a single
  // "everything" invalidation instead of one per key.
  class CallScope {
   public:
    CallScope(Tracking& t, const CommandSpec& cmd, std::span<const std::string_view> args);
    ~CallScope();
    CallScope(const CallScope&) = delete;
    CallScope& operator=(const CallScope&) = delete;

   private:
    Tracking& t_;
    const CommandSpec& cmd_;
    std::span<const std::string_view> args_;
    bool armed_;
    bool flush_ = false;
    uint64_t errors_before_ = 0;
  };

  // --- keyspace hooks ---
  // `key` was modified by the current command (or by the server when there is none). While a
  // command executes, messages for its own client wait until after its reply; outside one
  // (cron, eviction before a command) they go out at once.
  void OnModified(std::string_view key);
  // `key` expired; the OnModified that Db reports right after for it is then ignored, so the
  // expiry counts as nobody's write (NOLOOP clients hear about it too).
  void OnExpired(std::string_view key);

  // The client is being freed: turns its tracking off.
  void RemoveClient(Client& c) { Disable(c); }
  // Sends the keys collected for BCAST prefixes (before the server sleeps).
  void BroadcastPending();
  // Invalidates random keys while the table is over tracking-table-max-keys (cron; also before
  // each command).
  void EnforceLimit();

  // --- INFO ---
  size_t clients() const { return clients_; }
  size_t total_keys() const { return keys_.size(); }
  size_t total_items() const { return keys_.items(); }
  size_t total_prefixes() const { return prefixes_.size(); }
  // Approximate heap bytes of all tracking state.
  size_t MemoryUsage() const;

  // True while anything could need an invalidation (cheap test for hot paths).
  bool active() const { return clients_ != 0 || keys_.size() != 0; }

 private:
  // A BCAST prefix: its clients, and the keys under it modified since the last broadcast with
  // the id of the client whose command modified each (0: none, e.g. expiry) for NOLOOP.
  struct Prefix {
    std::vector<Client*> clients;
    std::map<std::string, uint64_t, std::less<>> keys;
  };

  // Invalidates `key` for the clients that read it and collects it for BCAST prefixes
  // (`bcast`). `modifier` is whose command changed it (NOLOOP), `defer` holds back messages
  // for the running client until after its reply.
  void InvalidateKey(std::string_view key, const Client* modifier, bool bcast, bool defer);
  // Sends a null invalidation to every tracking client and empties the table (flushes).
  void InvalidateAll();
  // Remembers the keys of one read-only command for `reader`.
  void RememberKeys(Client& reader, const CommandSpec& cmd, std::span<const std::string_view> args);
  // Writes one invalidation for tracking client c: `payload` is the RESP of the keys array, or
  // empty for a null (flush). Follows c's redirect; marks it broken when the target is gone.
  void Send(Client& c, std::string_view payload, bool defer);
  // Appends msg_ to target's output, or to what is held back for it when `defer`.
  void Write(Client& target, bool defer);
  void RemovePrefixClient(std::string_view prefix, Client* c);
  bool IsFlushCommand(const CommandSpec& cmd) const;
  bool IsScriptReadOnlyCommand(const CommandSpec& cmd) const;
  uint64_t NextRandom();

  Server* server_;
  TrackedKeys keys_;
  std::map<std::string, Prefix, std::less<>> prefixes_;
  // BCAST prefixes per client (by id), kept sorted.
  std::unordered_map<uint64_t, std::vector<std::string>> client_prefixes_;
  size_t clients_ = 0;          // clients with tracking on
  Client* current_ = nullptr;   // client of the running top-level command
  int64_t max_keys_ = 1000000;  // tracking-table-max-keys (0: no limit)
  unsigned limit_passes_ = 0;   // consecutive EnforceLimit passes that stayed over the limit
  bool flushing_ = false;       // inside FLUSHDB/FLUSHALL: per-key invalidations are moot
  int calls_ = 0;               // commands executing (CallScope depth)
  std::string_view expired_;    // key of the last OnExpired, until its OnModified
  uint64_t rng_ = 0x9e3779b97f4a7c15ull;
  std::vector<uint64_t> ids_;  // scratch
  std::vector<int> key_idx_;   // scratch
  std::string msg_;            // scratch
  const CommandSpec* flushdb_ = nullptr;
  const CommandSpec* flushall_ = nullptr;
  const CommandSpec* client_ = nullptr;
  const CommandSpec* ro_scripts_[3] = {};
};

}  // namespace ember
