// Connection: the byte stream under one client — a socket with Read/Write that hide the
// transport, so TLS (a later issue) is another subclass and the client/command code does not
// change. Ownership: the Client owns its Connection; closing the Connection closes the fd.
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

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

  const std::string& peer() const;   // "ip:port", computed on first use
  const std::string& local() const;  // "ip:port"

 private:
  int fd_;
  bool is_unix_;
  mutable std::string peer_, local_;
};

}  // namespace ember
