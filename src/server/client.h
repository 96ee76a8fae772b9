// Client: the server-side state of one connection — query buffer and parser, output buffer,
// protocol version, selected db, auth state, name, flags and counters that CLIENT LIST shows.
// It reads requests, hands each complete one to the Server's dispatcher, and queues replies;
// the Server flushes output in a batch once per event-loop turn.
//
// A Client may have no Connection (the in-process test harness, later Lua and AOF loading):
// then replies simply accumulate in `obuf`.
// Ownership: the Server owns every Client; a Client is freed only by the Server between loop
// turns (CloseAsync marks it), never from inside its own event handler.
// Thread: command thread only.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "net/connection.h"
#include "net/event_loop.h"
#include "net/io_buf.h"
#include "protocol/reply_builder.h"
#include "protocol/resp_parser.h"

namespace ember {

class Server;
struct CommandSpec;
struct TxState;              // server/multi.h
struct ClientSubscriptions;  // server/pubsub.h
struct AclUser;              // server/acl.h
// server/blocking.h
struct BlockState;

enum ClientFlag : uint64_t {
  kClientMulti = 1ull << 0,
  kClientMonitor = 1ull << 1,
  kClientCloseAfterReply = 1ull << 2,
  kClientCloseAsap = 1ull << 3,
  kClientNoEvict = 1ull << 4,
  kClientNoTouch = 1ull << 5,
  kClientPubSub = 1ull << 6,
  kClientBlocked = 1ull << 7,
  kClientReplyOff = 1ull << 8,
  kClientReplySkip = 1ull << 9,       // skip the reply of the current command
  kClientReplySkipNext = 1ull << 10,  // set by CLIENT REPLY SKIP, turns into kClientReplySkip
  kClientUnixSocket = 1ull << 11,
  kClientPendingWrite = 1ull << 12,
  kClientWriteHandler = 1ull << 13,  // EPOLLOUT registered
  kClientDirtyCas = 1ull << 14,      // WATCHed key modified (transactions issue)
  kClientDirtyExec = 1ull << 15,
  kClientPaused = 1ull << 16,  // input processing suspended by CLIENT PAUSE
  kClientTracking = 1ull << 17,
  kClientProtected = 1ull << 18,  // do not free now (e.g. while executing)
};

// Client names, lib-name and lib-ver: printable ASCII without spaces, as Redis requires.
inline bool IsValidClientAttr(std::string_view s) {
  for (unsigned char c : s)
    if (c < '!' || c > '~') return false;
  return true;
}

// An immutable byte buffer that several output queues can hold at once: PUBLISH encodes a large
// message once and every subscriber queues a reference (server/pubsub.h); a client's own sealed
// reply buffers are chunks with a single holder. Reference-counted without atomics: chunks
// never leave the command thread.
class ChunkRef {
 public:
  ChunkRef() = default;
  explicit ChunkRef(std::string bytes) : rep_(new Rep{std::move(bytes), 1}) {}
  ChunkRef(const ChunkRef& o) : rep_(o.rep_) {
    if (rep_) rep_->refs++;
  }
  ChunkRef(ChunkRef&& o) noexcept : rep_(o.rep_) { o.rep_ = nullptr; }
  ChunkRef& operator=(ChunkRef o) noexcept {
    std::swap(rep_, o.rep_);
    return *this;
  }
  ~ChunkRef() {
    if (rep_ && --rep_->refs == 0) delete rep_;
  }
  const char* data() const { return rep_->bytes.data(); }
  size_t size() const { return rep_ ? rep_->bytes.size() : 0; }
  explicit operator bool() const { return rep_ != nullptr; }

 private:
  struct Rep {
    std::string bytes;
    uint32_t refs;
  };
  Rep* rep_ = nullptr;
};

class Client final : public EventHandler {
 public:
  Client(Server* server, uint64_t id, std::unique_ptr<Connection> conn);
  ~Client() override;

  void OnEvents(uint32_t events) override;
  // Reads input the connection holds above the socket (TLS records already read), which no
  // readiness event announces; the server calls it before sleeping.
  void ReadBufferedInput();

  // Parses and executes every complete request in the query buffer (stops when blocked,
  // paused or closing).
  void ProcessInput();
  // Writes queued output; returns false if the connection failed (client is then closing).
  bool Flush();
  // Marks the client to be freed by the server between loop turns.
  void CloseAsync();
  bool closing() const { return flags & (kClientCloseAsap); }

  // --- blocking commands (server/blocking.h) ---
  // True while the request at the front of the query buffer is executing: only such a request
  // can block, since blocking leaves it there to be run again.
  bool running_request() const { return in_request_; }
  // Runs the front request once more (a blocked client whose key became ready) and consumes it
  // unless it blocked again.
  void RunFrontRequest();
  // Drops the front request without running it (a blocked request that timed out).
  void DropFrontRequest();

  Connection* conn() { return conn_.get(); }
  // A unix-socket or loopback (127.x, ::1) connection, or none (in-process clients): what
  // enable-protected-configs / enable-*-command "local" accept.
  bool IsLocal() const;
  ReplyBuilder& reply() { return reply_; }
  Server& server() { return *server_; }
  bool has_pending_output() const { return !out_chunks_.empty() || obuf.size() > opos; }
  // Bytes queued and not yet written, shared chunks included (CLIENT LIST omem, INFO, the
  // client-output-buffer-limit checks). O(1).
  size_t PendingOutputBytes() const { return chunk_bytes_ + obuf.size() - opos; }
  // Sealed chunks waiting in the output queue (CLIENT LIST oll).
  size_t output_chunks() const { return out_chunks_.size(); }
  // Moves a large `obuf` into the chunk list so that output never has to be copied or shifted
  // as a whole: writing a slow client's backlog costs O(bytes written), not O(backlog).
  void SealOutputIfLarge();
  // Queues a chunk shared with other clients after everything queued so far.
  void QueueShared(const ChunkRef& chunk);
  // client-output-buffer-limit: if the pending output is over the hard limit of the client's
  // class, or over the soft limit for longer than its seconds, logs it and closes the client
  // asynchronously (returns true). Fake clients are never limited.
  bool EnforceOutputLimits(int64_t now_ms);

  // --- state read and written by command families ---
  uint64_t id;
  uint64_t flags = 0;
  std::string name;
  std::string lib_name, lib_ver;
  // The ACL user the client runs as (server/acl.h): the default user until AUTH; never null
  // for a client the Server created.
  AclUser* user = nullptr;
  int db_index = 0;
  bool authenticated = false;
  int64_t ctime_ms = 0;             // creation time
  int64_t last_interaction_ms = 0;  // last time it sent a command or received output
  const CommandSpec* last_cmd = nullptr;
  uint64_t commands_processed = 0;
  uint64_t net_input_bytes = 0, net_output_bytes = 0;
  // Transaction state (queued commands, watched keys): allocated by the first MULTI or WATCH,
  // freed when the transaction ends and nothing is watched (server/multi.h).
  std::unique_ptr<TxState> tx;
  // What the client waits for while kClientBlocked (kept allocated between blocks).
  std::unique_ptr<BlockState> block;
  // Channel / pattern / shard-channel subscriptions (server/pubsub.h): allocated by the first
  // SUBSCRIBE, kept until the client goes.
  std::unique_ptr<ClientSubscriptions> subs;
  // When the pending output first went over the soft output-buffer limit (0: it is not).
  int64_t obuf_soft_limit_since_ms = 0;
  // Client-side caching (server/tracking.h), meaningful while kClientTracking is set: the
  // client invalidations are redirected to (0: none) and the kTracking* option bits.
  uint64_t tracking_redirect = 0;
  uint8_t tracking_flags = 0;

  IoBuf qbuf;  // unparsed input
  // Output: sealed chunks first (oldest first), then `obuf`, where replies are appended.
  // `opos` is how much of the first of those (front chunk, or obuf when there is none) was
  // already written.
  std::string obuf;
  size_t opos = 0;

 private:
  // One parsed request of the current batch: args are batch_args_[first, first + n).
  struct Request {
    uint32_t first_arg;
    uint32_t nargs;
    size_t bytes;  // length in the query buffer
  };
  static constexpr size_t kMaxBatch = 32;

  void ReadFromSocket();
  // Registers the readiness the connection needs now (Connection::Interest) if it changed.
  void UpdateEvents();
  // Parses up to kMaxBatch complete requests without consuming them. Returns false if nothing
  // could be parsed (more input needed, or a protocol error was handled).
  bool ParseBatch();
  // Executes the parsed batch in order, consuming each request's bytes.
  void ExecuteBatch();
  void OnProtocolError(std::string_view msg);
  void ExecuteFront(std::span<const std::string_view> args);
  // Moves all of `obuf` (what is not written yet) to the back of the chunk list.
  void SealOutput();
  // Drops n written bytes from the front of the output queue.
  void ConsumeOutput(size_t n);

  Server* server_;
  std::unique_ptr<Connection> conn_;
  RespParser parser_;
  ReplyBuilder reply_;
  std::deque<ChunkRef> out_chunks_;
  size_t chunk_bytes_ = 0;  // bytes of out_chunks_
  std::vector<Request> batch_;
  std::vector<std::string_view> batch_args_;
  bool in_request_ = false;  // see running_request()
  bool in_input_ = false;    // inside ProcessInput (it does not nest)
  // What the event loop watches for this client (Connection::Interest).
  uint32_t events_ = EventLoop::kReadable;
};

}  // namespace ember
