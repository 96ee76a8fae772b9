// Client: socket input → parser → dispatcher; output queued for the server's batched flush.
#include "server/client.h"

#include <cerrno>

#include "server/blocking.h"  // BlockState, destroyed with the client
#include "server/command_table.h"
#include "server/log.h"
#include "server/multi.h"   // TxState, destroyed with the client
#include "server/pubsub.h"  // ClientSubscriptions, destroyed with the client
#include "server/server.h"

namespace ember {
namespace {
constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kBigArgRead = 1024 * 1024;  // read size cap while a big bulk is arriving
}  // namespace

Client::Client(Server* server, uint64_t id_, std::unique_ptr<Connection> conn)
    : id(id_),
      server_(server),
      conn_(std::move(conn)),
      parser_(server->cfg().proto_max_bulk_len),
      reply_(&obuf, 2) {
  if (conn_ && conn_->is_unix()) flags |= kClientUnixSocket;
  user = server->acl().default_user();
  authenticated = !server->acl().AuthRequired();
}

Client::~Client() = default;

// A TLS connection may need the other direction's readiness before a read or a write can
// progress (net/tls.h): each side runs on the readiness its connection asks for.
void Client::OnEvents(uint32_t events) {
  if (closing()) return;
  uint32_t write_on = conn_->WriteEvents(), read_on = conn_->ReadEvents();
  if ((events & write_on) && (write_on == EventLoop::kWritable || has_pending_output())) {
    if (!Flush()) return;
  }
  if (events & (read_on | EventLoop::kHangup)) ReadFromSocket();
  UpdateEvents();
}

void Client::ReadBufferedInput() {
  if (closing()) return;
  ReadFromSocket();
  UpdateEvents();
}

void Client::UpdateEvents() {
  if (!conn_ || closing()) return;
  uint32_t want = conn_->Interest(has_pending_output());
  if (want == events_) return;
  server_->loop().Modify(conn_->fd(), want, this);
  events_ = want;
  if (want & EventLoop::kWritable) {
    flags |= kClientWriteHandler;
  } else {
    flags &= ~uint64_t(kClientWriteHandler);
  }
}

void Client::ReadFromSocket() {
  size_t want = kReadChunk;
  size_t needed = parser_.bytes_wanted();
  if (needed > qbuf.size()) {
    // A big argument is arriving: read it in large chunks straight into place.
    size_t missing = needed - qbuf.size();
    want = missing < kBigArgRead ? (missing > kReadChunk ? missing : kReadChunk) : kBigArgRead;
  }
  char* dst = qbuf.PrepareWrite(want);
  ssize_t n = conn_->Read(dst, want);
  if (n == 0) {
    CloseAsync();
    return;
  }
  if (n < 0) {
    if (errno != EAGAIN && errno != EWOULDBLOCK) CloseAsync();
    return;
  }
  qbuf.CommitWrite(size_t(n));
  net_input_bytes += uint64_t(n);
  server_->stats().net_input_bytes += uint64_t(n);
  server_->stats().total_reads_processed++;
  last_interaction_ms = server_->clock().NowMs();
  if (int64_t(qbuf.size()) > server_->cfg().client_query_buffer_limit) {
    Log(LogLevel::kWarning, "Closing client that reached max query buffer length");
    server_->stats().client_query_buffer_limit_disconnections++;
    CloseAsync();
    return;
  }
  if (conn_->HasBufferedInput()) server_->QueueBufferedRead(this);
  ProcessInput();
}

// Requests are parsed in batches of up to kMaxBatch before any of them runs, so that for a
// pipelined client the keys of the whole batch can be prefetched (two passes: bucket slots,
// then the first entry of each bucket) and the table's cache misses overlap instead of being
// paid one after another. Parsing ahead consumes nothing: each request's bytes are consumed
// only after it ran, so a request that gets parked (CLIENT PAUSE, a blocking command waiting for
// a key) or that follows a QUIT stays in the buffer. Argument views stay valid across the batch
// because consuming only moves the buffer's start offset.
void Client::ProcessInput() {
  constexpr uint64_t kStop =
      kClientCloseAsap | kClientCloseAfterReply | kClientBlocked | kClientPaused;
  // Serving blocked clients resumes their input; one already processing its input (it timed
  // out and then sent more in the same loop turn) just goes on with it.
  if (in_input_) return;
  in_input_ = true;
  while (!qbuf.empty() && !(flags & kStop)) {
    if (!ParseBatch()) break;
    ExecuteBatch();
  }
  in_input_ = false;
  if (has_pending_output()) server_->QueueWrite(this);
}

bool Client::ParseBatch() {
  batch_.clear();
  batch_args_.clear();
  // Not kept at the size one huge request needed (see RespParser::Parse).
  if (batch_args_.capacity() > RespParser::kKeptArgs) batch_args_.shrink_to_fit();
  // Unauthenticated clients get Redis's stricter request limits, re-evaluated per request.
  size_t max_batch = authenticated ? kMaxBatch : 1;
  parser_.set_unauthenticated(!authenticated);
  size_t off = 0;
  while (batch_.size() < max_batch && off < qbuf.size()) {
    size_t used = 0;
    RespParser::Status st = parser_.Parse(qbuf.data() + off, qbuf.size() - off, &used);
    if (st == RespParser::Status::kNeedMore) break;
    if (st == RespParser::Status::kError) {
      // With requests ahead of it, run those first; the error is met again next round.
      if (batch_.empty()) OnProtocolError(parser_.error());
      break;
    }
    // Inline arguments live in the parser and are overwritten by the next Parse: an inline
    // request runs alone (it is parsed again next round if the batch is not empty).
    if (parser_.is_inline() && !batch_.empty()) break;
    const auto& args = parser_.args();
    batch_.push_back({uint32_t(batch_args_.size()), uint32_t(args.size()), used});
    batch_args_.insert(batch_args_.end(), args.begin(), args.end());
    off += used;
    if (parser_.is_inline()) break;
  }
  return !batch_.empty();
}

void Client::ExecuteBatch() {
  constexpr uint64_t kStop =
      kClientCloseAsap | kClientCloseAfterReply | kClientBlocked | kClientPaused;
  auto args_of = [this](const Request& r) {
    return std::span<const std::string_view>(batch_args_.data() + r.first_arg, r.nargs);
  };
  if (batch_.size() > 1) {
    for (const Request& r : batch_) server_->PrefetchKeys(*this, args_of(r), 0);
    for (const Request& r : batch_) server_->PrefetchKeys(*this, args_of(r), 1);
  }
  for (size_t i = 0; i < batch_.size(); i++) {
    const Request& r = batch_[i];
    if (flags & kStop) {
      parser_.Reset();  // partial progress was relative to the unconsumed batch
      return;
    }
    if (r.nargs > 0) {
      ExecuteFront(args_of(r));
      if (flags & (kClientPaused | kClientBlocked)) {  // parked: the request stays in the buffer
        parser_.Reset();
        return;
      }
    }
    qbuf.Consume(r.bytes);
    server_->blocking().Serve();  // keys this request made ready, before the next request
  }
}

void Client::ExecuteFront(std::span<const std::string_view> args) {
  in_request_ = true;
  server_->Execute(*this, args);
  in_request_ = false;
}

// A blocked client keeps its request at the front of the query buffer and nothing of the batch
// it was parsed in: parse it again, alone.
void Client::RunFrontRequest() {
  parser_.Reset();
  parser_.set_unauthenticated(!authenticated);
  size_t used = 0;
  if (parser_.Parse(qbuf.data(), qbuf.size(), &used) == RespParser::Status::kOk &&
      !parser_.args().empty()) {
    ExecuteFront(parser_.args());
    if (!(flags & (kClientPaused | kClientBlocked))) qbuf.Consume(used);
  }
  parser_.Reset();
  if (has_pending_output()) server_->QueueWrite(this);
}

void Client::DropFrontRequest() {
  parser_.Reset();
  size_t used = 0;
  if (parser_.Parse(qbuf.data(), qbuf.size(), &used) == RespParser::Status::kOk) {
    qbuf.Consume(used);
  }
  parser_.Reset();
}

void Client::OnProtocolError(std::string_view msg) {
  reply_.Error(msg);
  Logf(LogLevel::kVerbose, "Protocol error (%.*s) from client: id=%llu", int(msg.size()),
       msg.data(), static_cast<unsigned long long>(id));
  flags |= kClientCloseAfterReply;
  qbuf.Clear();
}

void Client::SealOutputIfLarge() {
  constexpr size_t kChunk = 64 * 1024;
  if (obuf.size() >= kChunk) SealOutput();
}

void Client::SealOutput() {
  if (out_chunks_.empty() && opos > 0) {  // keep opos relative to the front buffer
    obuf.erase(0, opos);
    opos = 0;
  }
  if (obuf.empty()) return;
  chunk_bytes_ += obuf.size();
  out_chunks_.emplace_back(std::move(obuf));
  obuf = std::string();
}

void Client::QueueShared(const ChunkRef& chunk) {
  SealOutput();  // what is already in obuf goes out first
  chunk_bytes_ += chunk.size();
  out_chunks_.push_back(chunk);
}

void Client::ConsumeOutput(size_t n) {
  while (n > 0) {
    if (out_chunks_.empty()) {
      opos += n;
      if (opos == obuf.size()) {
        opos = 0;
        obuf.clear();
        if (obuf.capacity() > 64 * 1024) obuf.shrink_to_fit();
      }
      return;
    }
    size_t left = out_chunks_.front().size() - opos;
    if (n < left) {
      opos += n;
      return;
    }
    n -= left;
    opos = 0;
    chunk_bytes_ -= out_chunks_.front().size();
    out_chunks_.pop_front();
  }
}

// Writes as much queued output as the socket takes, gathering the chunk list and obuf into
// one writev. Returns false if the connection failed.
bool Client::Flush() {
  if (!conn_) return true;
  constexpr int kMaxIov = 64;
  while (has_pending_output()) {
    struct iovec iov[kMaxIov];
    int n = 0;
    size_t total = 0, skip = opos;
    for (const ChunkRef& c : out_chunks_) {
      if (n == kMaxIov) break;
      iov[n++] = {const_cast<char*>(c.data()) + skip, c.size() - skip};
      total += c.size() - skip;
      skip = 0;
    }
    if (n < kMaxIov && obuf.size() > skip) {
      iov[n++] = {obuf.data() + skip, obuf.size() - skip};
      total += obuf.size() - skip;
    }
    ssize_t w = n == 1 ? conn_->Write(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len)
                       : conn_->Writev(iov, n);
    if (w < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      CloseAsync();
      return false;
    }
    ConsumeOutput(size_t(w));
    net_output_bytes += uint64_t(w);
    server_->stats().net_output_bytes += uint64_t(w);
    if (size_t(w) < total) break;  // socket full
  }
  server_->stats().total_writes_processed++;
  if (!has_pending_output()) {
    obuf_soft_limit_since_ms = 0;  // drained: the soft-limit clock starts over
    if (flags & kClientCloseAfterReply) {
      CloseAsync();
      return false;
    }
  }
  UpdateEvents();  // EPOLLOUT while output is pending (TLS: whatever the write waits for)
  return true;
}

bool Client::EnforceOutputLimits(int64_t now_ms) {
  if (!conn_ || closing()) return false;
  int cls = (flags & kClientPubSub) ? ServerConfig::kClientPubsub : ServerConfig::kClientNormal;
  const auto& limit = server_->cfg().client_output_buffer_limit[size_t(cls)];
  if (limit.hard_bytes == 0 && limit.soft_bytes == 0) return false;
  size_t used = PendingOutputBytes();
  bool hard = limit.hard_bytes && used >= size_t(limit.hard_bytes);
  bool soft = limit.soft_bytes && used >= size_t(limit.soft_bytes);
  if (!soft) {
    obuf_soft_limit_since_ms = 0;
  } else if (obuf_soft_limit_since_ms == 0) {
    obuf_soft_limit_since_ms = now_ms;  // first time over it: the clock starts
    soft = false;
  } else if (now_ms - obuf_soft_limit_since_ms <= limit.soft_seconds * 1000) {
    soft = false;
  }
  if (!hard && !soft) return false;
  Logf(LogLevel::kWarning,
       "Client id=%llu addr=%s laddr=%s fd=%d name=%s flags=%s sub=%zu psub=%zu ssub=%zu "
       "omem=%zu cmd=%s user=%s scheduled to be closed ASAP for overcoming of output buffer "
       "limits.",
       static_cast<unsigned long long>(id), conn_->peer().c_str(), conn_->local().c_str(),
       conn_->fd(), name.c_str(), (flags & kClientPubSub) ? "P" : "N",
       subs ? subs->count(SubKind::kChannel) : 0, subs ? subs->count(SubKind::kPattern) : 0,
       subs ? subs->count(SubKind::kShard) : 0, used, last_cmd ? last_cmd->name.c_str() : "NULL",
       user->name.c_str());
  server_->stats().client_output_buffer_limit_disconnections++;
  CloseAsync();
  return true;
}

bool Client::IsLocal() const {
  if (!conn_ || conn_->is_unix()) return true;
  std::string_view peer = conn_->peer();
  std::string_view ip = peer.substr(0, peer.rfind(':'));
  return ip.starts_with("127.") || ip == "::1";
}

void Client::CloseAsync() {
  if (flags & kClientCloseAsap) return;
  flags |= kClientCloseAsap;
  server_->FreeClient(this);
}

}  // namespace ember
