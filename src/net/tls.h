// TLS over OpenSSL: a server context built from the tls-* directives and TlsConnection, the
// Connection subclass that clients accepted on tls-port get. Nothing above net/ changes for TLS:
// a Client reads and writes through Connection, and asks it which readiness to wait for.
//
// Non-blocking design (docs/tls.md): every SSL call is made on a non-blocking socket. The
// handshake is not a separate phase the server drives: the first Read or Write on a fresh
// connection runs SSL_do_handshake and, while it is incomplete, returns -1 with EAGAIN. Any SSL
// call may need the *other* direction of the socket (a handshake step that must write, a read
// that must send a TLS 1.3 ticket or key update, a write that must first read): the connection
// remembers, per direction, which readiness will let that direction progress, and
// Connection::Interest() turns that into the epoll registration. Data SSL has already taken off
// the socket (decrypted records or read-ahead bytes) does not make the fd readable again, so
// HasBufferedInput() tells the server to read once more before it sleeps.
//
// Ownership: the Server owns one TlsContext (replaced by CONFIG SET of tls-* files; an SSL keeps
// its SSL_CTX alive by reference, so connections made before a reload are unaffected). The
// Client owns its TlsConnection. Thread: command thread only.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "net/connection.h"

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace ember {

// The tls-* directives that shape the server context (CONFIG GET texts).
struct TlsSettings {
  std::string cert_file, key_file, key_file_pass;
  std::string ca_cert_file, ca_cert_dir;
  std::string dh_params_file;
  std::string auth_clients = "yes";  // yes | no | optional (read again at every accept)
  std::string protocols;             // e.g. "TLSv1.2 TLSv1.3"; "" = TLSv1.2 and TLSv1.3
  std::string ciphers, ciphersuites;
  bool prefer_server_ciphers = false;
  bool session_caching = true;
  int64_t session_cache_size = 20480;
  int64_t session_cache_timeout = 300;
};

// Protocol version bits for tls-protocols.
enum TlsProtocol : unsigned {
  kTlsV1 = 1u << 0,
  kTlsV1_1 = 1u << 1,
  kTlsV1_2 = 1u << 2,
  kTlsV1_3 = 1u << 3,
};

// Parses tls-protocols ("TLSv1.2 TLSv1.3", case-insensitive, space-separated; "" means TLSv1.2
// and TLSv1.3). Returns the kTls* bits, or 0 with *err set for an unknown or empty list.
unsigned ParseTlsProtocols(std::string_view text, std::string* err);

// Peer verification for tls-auth-clients: yes (a valid certificate is required), optional (one
// is verified if sent), no.
enum class TlsClientAuth { kRequired, kOptional, kNone };
TlsClientAuth ParseTlsClientAuth(std::string_view text);

class TlsContext {
 public:
  // Builds a server context. Returns null with *err naming the problem (missing cert, bad key
  // passphrase, unreadable CA, bad protocol list, ...).
  static std::unique_ptr<TlsContext> Create(const TlsSettings& s, std::string* err);
  ~TlsContext();
  TlsContext(const TlsContext&) = delete;
  TlsContext& operator=(const TlsContext&) = delete;

  SSL_CTX* ctx() const { return ctx_; }

 private:
  explicit TlsContext(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

class TlsConnection final : public Connection {
 public:
  // Takes the accepted non-blocking fd; the handshake starts with the first Read or Write.
  TlsConnection(int fd, const TlsContext& ctx, TlsClientAuth auth);
  ~TlsConnection() override;

  ssize_t Read(char* buf, size_t n) override;
  ssize_t Write(const char* buf, size_t n) override;
  // SSL has no gather write: small buffers are copied into one record-sized write; a large
  // first buffer goes alone. Either way a retry after EAGAIN presents the same leading bytes.
  ssize_t Writev(const struct iovec* iov, int n) override;
  uint32_t Interest(bool want_write) const override;
  uint32_t ReadEvents() const override { return read_wants_; }
  uint32_t WriteEvents() const override { return write_wants_; }
  bool HasBufferedInput() const override;
  bool is_tls() const override { return true; }
  bool handshake_done() const { return handshake_done_; }

 private:
  // Advances the handshake. Returns 1 when done, 0 if the peer closed, else -1 with errno set
  // (EAGAIN while it waits; both directions then wait for the readiness it needs).
  int Handshake();
  // Maps the result of an SSL call to the Connection return convention; *wants is set to the
  // readiness that lets the call make progress.
  ssize_t Fail(int ret, uint32_t* wants);

  SSL* ssl_;
  bool handshake_done_ = false;
  bool failed_ = false;   // a fatal SSL or socket error: no close_notify on the way out
  uint32_t read_wants_;   // EventLoop::kReadable normally; kWritable if a read must write first
  uint32_t write_wants_;  // EventLoop::kWritable normally; kReadable if a write must read first
};

}  // namespace ember
