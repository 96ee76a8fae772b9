// Connection: the byte stream under one client — a socket with Read/Write that hide the
// transport, so TLS (net/tls.h) is another subclass and the client/command code does not
// change. Ownership: the Client owns its Connection; closing the Connection closes the fd.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include <cstdint>
#include <string>

namespace ember {

class Connection {
 public:
  Connection(int fd, bool is_unix) : fd_(fd), is_unix_(is_unix) {}
  virtual ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  int fd() const { return fd_; }
  bool is_unix() const { return is_unix_; }
  // Reads up to n bytes. Returns >0 bytes read, 0 on orderly close, -1 with errno (EAGAIN when
  // nothing is available).
  virtual ssize_t Read(char* buf, size_t n);
  // Writes up to n bytes; same return convention.
  virtual ssize_t Write(const char* buf, size_t n);
  // Gathers up to `n` buffers into one write; same return convention.
  virtual ssize_t Writev(const struct iovec* iov, int n);
  void Close();

  // Readiness (EventLoop::kReadable / kWritable bits) the owner should wait for, given whether
  // it has output to write. A plain socket always reads and writes when it has output; TLS may
  // need the other direction first (net/tls.h).
  virtual uint32_t Interest(bool want_write) const {
    return kReadableBit | (want_write ? kWritableBit : 0);
  }
  // The readiness on which a read (resp. a write) can make progress.
  virtual uint32_t ReadEvents() const { return kReadableBit; }
  virtual uint32_t WriteEvents() const { return kWritableBit; }
  // True when input is buffered above the socket (TLS records already read): the owner must
  // read again without waiting for the fd to become readable.
  virtual bool HasBufferedInput() const { return false; }
  virtual bool is_tls() const { return false; }

  // EventLoop::kReadable / kWritable, without including the loop here (checked in
  // connection.cc).
  static constexpr uint32_t kReadableBit = 1, kWritableBit = 2;

  const std::string& peer() const;   // "ip:port", computed on first use
  const std::string& local() const;  // "ip:port"

 private:
  int fd_;
  bool is_unix_;
  mutable std::string peer_, local_;
};

}  // namespace ember
