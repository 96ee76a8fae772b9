// CommandContext: what a command handler sees — its arguments, the calling client, the
// selected Db, the reply builder and the server (config, clients, stats). Handlers parse
// arguments, call a data operation and reply through ctx.reply(); they never touch sockets.
#pragma once

#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/db.h"
#include "protocol/reply_builder.h"
#include "server/client.h"
#include "server/command_table.h"
#include "server/errors.h"
#include "server/server.h"

namespace ember {

// The command thread's random generator (HRANDFIELD, ZRANDMEMBER, SPOP ...), seeded once.
inline std::mt19937_64& CommandRng() {
  static std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

class CommandContext {
 public:
  CommandContext(Server& server, Client& client, const CommandSpec& spec,
                 std::span<const std::string_view> args)
      : server_(server), client_(client), spec_(spec), args_(args) {}

  std::span<const std::string_view> args() const { return args_; }
  std::string_view arg(size_t i) const { return args_[i]; }
  size_t argc() const { return args_.size(); }

  Server& server() { return server_; }
  Client& client() { return client_; }
  const CommandSpec& spec() const { return spec_; }
  Db& db() { return server_.keyspace().db(client_.db_index); }
  ReplyBuilder& reply() { return client_.reply(); }
  Clock& clock() { return server_.clock(); }
  int64_t NowMs() const { return server_.clock().NowMs(); }
  const ServerConfig& cfg() const { return server_.cfg(); }

  // Looks `key` up for a read (write == false: counts hits/misses, honours NO-TOUCH) or a
  // write, expecting a value of `type`. Returns false after replying WRONGTYPE; *e is nullptr
  // when the key is absent.
  bool LookupTyped(std::string_view key, ObjType type, bool write, KvEntry** e) {
    *e = write ? db().LookupWrite(key) : db().LookupRead(key, read_flags());
    if (*e && (*e)->type() != type) {
      reply().Error(errors::kWrongType);
      return false;
    }
    return true;
  }

  // --- blocking commands (server/blocking.h) ---
  // False where a blocking command must act as its non-blocking form and reply its "nothing"
  // reply at once: inside MULTI/EXEC, in scripts, and for any request that is not the front
  // request of a client's query buffer (only such a request can be run again).
  bool CanBlock() const { return client_.running_request() && !(client_.flags & kClientMulti); }
  // Parks the client on `keys` of the selected db until one holds a value of `type` (the
  // handler then runs again) or until deadline_ms (0 = never; see ParseBlockTimeout). The
  // handler returns without replying. Requires CanBlock().
  // `wake_on_any_change`: retry also when a key is deleted or changes type (BlockState).
  void Block(std::span<const std::string_view> keys, int64_t deadline_ms, ObjType type,
             bool wake_on_any_change = false) {
    server_.blocking().Block(client_, client_.db_index, keys, deadline_ms, type,
                             wake_on_any_change);
  }

  // --- propagation (server/propagate.h) ---
  // By default a write command that changed the dataset propagates its own argv. A handler
  // whose effect would not replay the same (relative TTLs, random picks, blocking forms...)
  // replaces it: PropagateAs(argv) propagates argv instead of this command (it is delivered
  // even when the dirty counter did not move); AlsoPropagate(argv) queues one more command,
  // delivered before this command's own; PreventPropagation() drops this command's own argv
  // (what AlsoPropagate queued still goes). All commands run in db(), the client's db when the
  // handler returns.
  // False while nothing listens (no AOF, no replica): handlers skip building rewrites.
  bool propagating() { return server_.propagator().has_targets(); }
  void PropagateAs(std::vector<std::string> argv) {
    prop_.own = std::move(argv);
    prop_.rewritten = true;
  }
  void AlsoPropagate(std::vector<std::string> argv) { prop_.also.push_back(std::move(argv)); }
  void PreventPropagation() { prop_.prevented = true; }
  // Propagates this command's original arguments (a handler that may also rewrite them).
  void PropagateUnchanged() {
    prop_.own.assign(args_.begin(), args_.end());
    prop_.rewritten = true;
  }
  // What the handler asked for; read by Server::Call after the handler.
  struct PropagationRequest {
    std::vector<std::string> own;                // valid when rewritten
    std::vector<std::vector<std::string>> also;  // extra commands, in order
    bool rewritten = false;
    bool prevented = false;
  };
  PropagationRequest& propagation() { return prop_; }

  // Lookup flags for read commands from client state (CLIENT NO-TOUCH).
  LookupFlags read_flags() const {
    return (client_.flags & kClientNoTouch) ? LookupFlags::kNoTouch : LookupFlags::kNone;
  }

 private:
  Server& server_;
  Client& client_;
  const CommandSpec& spec_;
  std::span<const std::string_view> args_;
  PropagationRequest prop_;
};

}  // namespace ember
