// Plain-socket Connection.
#include "net/connection.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "net/event_loop.h"
#include "net/listener.h"

namespace ember {

static_assert(Connection::kReadableBit == EventLoop::kReadable &&
              Connection::kWritableBit == EventLoop::kWritable);

Connection::~Connection() { Close(); }

void Connection::Close() {
  if (fd_ >= 0) {
    close(fd_);
    fd_ = -1;
  }
}

ssize_t Connection::Read(char* buf, size_t n) {
  while (true) {
    ssize_t r = read(fd_, buf, n);
    if (r >= 0 || errno != EINTR) return r;
  }
}

ssize_t Connection::Write(const char* buf, size_t n) {
  while (true) {
    ssize_t r = send(fd_, buf, n, MSG_NOSIGNAL);
    if (r >= 0 || errno != EINTR) return r;
  }
}

ssize_t Connection::Writev(const struct iovec* iov, int n) {
  msghdr msg{};
  msg.msg_iov = const_cast<struct iovec*>(iov);
  msg.msg_iovlen = size_t(n);
  while (true) {
    ssize_t r = sendmsg(fd_, &msg, MSG_NOSIGNAL);
    if (r >= 0 || errno != EINTR) return r;
  }
}

const std::string& Connection::peer() const {
  if (peer_.empty()) peer_ = PeerName(fd_, is_unix_);
  return peer_;
}

const std::string& Connection::local() const {
  if (local_.empty()) local_ = LocalName(fd_, is_unix_);
  return local_;
}

}  // namespace ember
