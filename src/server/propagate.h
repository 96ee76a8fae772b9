// Propagation: how the effects of write commands leave the command thread — to the AOF now,
// to replicas later — as a stream of commands that replays to the same dataset. Server::Call
// propagates a write command's argv when it changed the dataset (the dirty counter moved),
// unless the handler rewrote it (relative TTLs become absolute, SPOP becomes SREM, a served
// BLPOP becomes LPOP, ...) or prevented it (EXEC, EVAL, whose inner commands propagate
// themselves). Everything propagated by one top-level request is delivered together when it
// ends, wrapped in MULTI/EXEC when there is more than one command. Keys deleted by expiry or
// eviction propagate as DEL/UNLINK: queued with the running command (Redis 7.0 wraps the pair
// in MULTI/EXEC), delivered at once when they happen outside a command (active expiry).
// Ownership: the Server owns the Propagator; targets (Aof, later replication) register and
// outlive it or unregister. Thread: command thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ember {

class PropagationTarget {
 public:
  virtual ~PropagationTarget() = default;
  // One command to apply in database `db` (the target emits SELECT itself when db changes).
  virtual void Propagate(int db, std::span<const std::string> argv) = 0;
};

class Propagator {
 public:
  void AddTarget(PropagationTarget* t);
  void RemoveTarget(PropagationTarget* t);
  bool has_targets() const { return !targets_.empty(); }

  // Queues a command of the running request (delivered by Flush). Nothing is kept while no
  // target is registered.
  void Add(int db, std::vector<std::string> argv);
  // Delivers everything queued since the last Flush: wrapped in MULTI/EXEC when more than one
  // command is queued and `wrap` (MULTI in the db of the first command, EXEC in the db of the
  // last, as Redis does, so that a target emits no SELECT between them needlessly).
  void Flush(bool wrap = true);
  size_t pending() const { return pending_.size(); }

 private:
  struct Op {
    int db;
    std::vector<std::string> argv;
  };
  std::vector<PropagationTarget*> targets_;
  std::vector<Op> pending_;
};

}  // namespace ember
