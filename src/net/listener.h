// Listening sockets: TCP on the configured bind addresses (Redis syntax: "*" for every IPv4
// address, "::*" for every IPv6 address, a leading "-" marks an address whose bind failure is
// not fatal) and an optional unix socket with permissions. Accepted fds are non-blocking.
#pragma once

#include <string>
#include <vector>

namespace ember {

struct ListenSocket {
  int fd = -1;
  bool is_unix = false;
  std::string addr;  // as configured
  bool tls = false;  // tls-port: clients get a TlsConnection (net/tls.h)
};

// Opens TCP listeners for every bind address. Returns "" or an error message; on error any
// sockets opened so far are closed.
std::string ListenTcp(const std::vector<std::string>& binds, int port, int backlog,
                      std::vector<ListenSocket>* out);
// Opens a unix listening socket at path with permissions perm (0 = umask default).
std::string ListenUnix(const std::string& path, int perm, int backlog, ListenSocket* out);
// Accepts one connection (non-blocking, CLOEXEC). Returns -1 when none is pending.
int AcceptConnection(int listen_fd);
// Applies per-connection TCP options (TCP_NODELAY, keepalive interval in seconds; 0 = off).
void ConfigureTcp(int fd, int keepalive_seconds);
// "ip:port" of the peer and of the local end ("/path:0" style for unix sockets, as Redis).
std::string PeerName(int fd, bool is_unix);
std::string LocalName(int fd, bool is_unix);

}  // namespace ember
