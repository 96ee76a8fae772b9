// Socket setup: TCP/unix listeners, accept, TCP options, address formatting.
#include "net/listener.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ember {
namespace {

std::string ListenOne(const std::string& host, int port, int backlog, int* out_fd) {
  bool v6 = host.find(':') != std::string::npos;
  std::string h = host;
  if (h == "*") h = "0.0.0.0";
  if (h == "::*") h = "::";
  addrinfo hints{};
  hints.ai_family = v6 ? AF_INET6 : AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST;
  addrinfo* res = nullptr;
  std::string port_s = std::to_string(port);
  int rc = getaddrinfo(h.c_str(), port_s.c_str(), &hints, &res);
  if (rc != 0) return std::string("Invalid bind address '") + host + "': " + gai_strerror(rc);
  int fd = socket(res->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    freeaddrinfo(res);
    return std::string("socket: ") + strerror(errno);
  }
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (v6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
  if (bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, backlog) != 0) {
    std::string err = strerror(errno);
    freeaddrinfo(res);
    close(fd);
    return err;
  }
  freeaddrinfo(res);
  *out_fd = fd;
  return "";
}

std::string FormatAddr(const sockaddr_storage& ss) {
  char ip[INET6_ADDRSTRLEN] = {0};
  int port = 0;
  if (ss.ss_family == AF_INET) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&ss);
    inet_ntop(AF_INET, &a->sin_addr, ip, sizeof(ip));
    port = ntohs(a->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    auto* a = reinterpret_cast<const sockaddr_in6*>(&ss);
    inet_ntop(AF_INET6, &a->sin6_addr, ip, sizeof(ip));
    port = ntohs(a->sin6_port);
  }
  return std::string(ip) + ":" + std::to_string(port);
}

}  // namespace

std::string ListenTcp(const std::vector<std::string>& binds, int port, int backlog,
                      std::vector<ListenSocket>* out) {
  std::vector<ListenSocket> opened;
  for (const std::string& b : binds) {
    bool optional = !b.empty() && b[0] == '-';
    std::string host = optional ? b.substr(1) : b;
    int fd = -1;
    std::string err = ListenOne(host, port, backlog, &fd);
    if (!err.empty()) {
      if (optional) continue;
      for (auto& s : opened) close(s.fd);
      return "Could not create server TCP listening socket " + host + ":" + std::to_string(port) +
             ": " + err;
    }
    opened.push_back({fd, false, host});
  }
  out->insert(out->end(), opened.begin(), opened.end());
  return "";
}

std::string ListenUnix(const std::string& path, int perm, int backlog, ListenSocket* out) {
  sockaddr_un sa{};
  if (path.size() >= sizeof(sa.sun_path)) return "unix socket path too long";
  sa.sun_family = AF_UNIX;
  memcpy(sa.sun_path, path.c_str(), path.size() + 1);
  unlink(path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return strerror(errno);
  if (bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || listen(fd, backlog) != 0) {
    std::string err = strerror(errno);
    close(fd);
    return "Failed opening Unix socket: " + err;
  }
  if (perm) chmod(path.c_str(), mode_t(perm));
  *out = {fd, true, path};
  return "";
}

int AcceptConnection(int listen_fd) {
  while (true) {
    int fd = accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd >= 0 || errno != EINTR) return fd;
  }
}

void ConfigureTcp(int fd, int keepalive_seconds) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  if (keepalive_seconds > 0) {
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    int idle = keepalive_seconds, intvl = keepalive_seconds / 3 ? keepalive_seconds / 3 : 1,
        cnt = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
  }
}

std::string PeerName(int fd, bool is_unix) {
  if (is_unix) return "/unixsocket:0";
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?:0";
  return FormatAddr(ss);
}

std::string LocalName(int fd, bool is_unix) {
  sockaddr_storage ss{};
  socklen_t len = sizeof(ss);
  if (is_unix) {
    sockaddr_un su{};
    socklen_t l = sizeof(su);
    if (getsockname(fd, reinterpret_cast<sockaddr*>(&su), &l) == 0) {
      return std::string(su.sun_path) + ":0";
    }
    return "?:0";
  }
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return "?:0";
  return FormatAddr(ss);
}

}  // namespace ember
