// Client: socket input → parser → dispatcher; output queued for the server's batched flush.
#include "server/client.h"

#include <cerrno>

#include "server/log.h"
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
  authenticated = server->cfg().requirepass.empty();
}

Client::~Client() = default;

void Client::OnEvents(uint32_t events) {
  if (closing()) return;
  if (events & EventLoop::kWritable) {
    if (!Flush()) return;
  }
  if (events & EventLoop::kReadable) ReadFromSocket();
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
  ProcessInput();
}

void Client::ProcessInput() {
  constexpr uint64_t kStop =
      kClientCloseAsap | kClientCloseAfterReply | kClientBlocked | kClientPaused;
  parser_.set_unauthenticated(!authenticated);
  while (!qbuf.empty() && !(flags & kStop)) {
    size_t consumed = 0;
    RespParser::Status st = parser_.Parse(qbuf.data(), qbuf.size(), &consumed);
    if (st == RespParser::Status::kNeedMore) break;
    if (st == RespParser::Status::kError) {
      OnProtocolError(parser_.error());
      break;
    }
    const auto& args = parser_.args();
    if (!args.empty()) {
      ExecuteRequest(args);
      if (flags & kClientPaused) break;  // request left in the buffer; resumed on unpause
    }
    qbuf.Consume(consumed);
    parser_.set_unauthenticated(!authenticated);
  }
  if (has_pending_output()) server_->QueueWrite(this);
}

void Client::ExecuteRequest(const std::vector<std::string_view>& args) {
  server_->Execute(*this, std::span<const std::string_view>(args.data(), args.size()));
}

void Client::OnProtocolError(std::string_view msg) {
  reply_.Error(msg);
  Logf(LogLevel::kVerbose, "Protocol error (%.*s) from client: id=%llu", int(msg.size()),
       msg.data(), static_cast<unsigned long long>(id));
  flags |= kClientCloseAfterReply;
  qbuf.Clear();
}

bool Client::Flush() {
  if (!conn_) return true;
  while (opos < obuf.size()) {
    ssize_t n = conn_->Write(obuf.data() + opos, obuf.size() - opos);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      CloseAsync();
      return false;
    }
    opos += size_t(n);
    net_output_bytes += uint64_t(n);
    server_->stats().net_output_bytes += uint64_t(n);
  }
  server_->stats().total_writes_processed++;
  if (opos == obuf.size()) {
    obuf.clear();
    opos = 0;
    if (obuf.capacity() > 64 * 1024) obuf.shrink_to_fit();
    if (flags & kClientWriteHandler) {
      server_->loop().Modify(conn_->fd(), EventLoop::kReadable, this);
      flags &= ~uint64_t(kClientWriteHandler);
    }
    if (flags & kClientCloseAfterReply) {
      CloseAsync();
      return false;
    }
  } else {
    if (opos > 1024 * 1024) {  // drop the sent prefix of a large backlog
      obuf.erase(0, opos);
      opos = 0;
    }
    if (!(flags & kClientWriteHandler)) {
      server_->loop().Modify(conn_->fd(), EventLoop::kReadable | EventLoop::kWritable, this);
      flags |= kClientWriteHandler;
    }
  }
  return true;
}

void Client::CloseAsync() {
  if (flags & kClientCloseAsap) return;
  flags |= kClientCloseAsap;
  server_->FreeClient(this);
}

}  // namespace ember
