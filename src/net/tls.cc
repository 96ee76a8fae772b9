// TLS server context and TlsConnection over OpenSSL (see net/tls.h and docs/tls.md).
#include "net/tls.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "net/event_loop.h"
#include "server/log.h"

namespace ember {
namespace {

constexpr uint32_t kRead = EventLoop::kReadable;
constexpr uint32_t kWrite = EventLoop::kWritable;
// Writev gathers small buffers into one SSL_write of at most this many bytes; a first buffer of
// at least one full record is written alone (no copy).
constexpr size_t kGatherMax = 64 * 1024;
constexpr size_t kRecordMax = 16 * 1024;

// The oldest queued OpenSSL error as text ("error:0A000086:SSL routines::certificate verify
// failed"), or `fallback` when the queue is empty. Clears the queue.
std::string SslErrorText(std::string_view fallback = "unknown error") {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return std::string(fallback);
  char buf[256];
  ERR_error_string_n(e, buf, sizeof(buf));
  return buf;
}

// Hands the tls-key-file-pass text to OpenSSL when it decrypts the private key.
int PassphraseCallback(char* buf, int size, int /*rwflag*/, void* userdata) {
  const auto* pass = static_cast<const std::string*>(userdata);
  if (!pass || size <= 0) return 0;
  int n = int(std::min(pass->size(), size_t(size)));
  memcpy(buf, pass->data(), size_t(n));
  return n;
}

std::string LoadDhParams(SSL_CTX* ctx, const std::string& path) {
  BIO* bio = BIO_new_file(path.c_str(), "r");
  if (!bio) return "Failed to load " + path + ": " + SslErrorText(strerror(errno));
  EVP_PKEY* params = PEM_read_bio_Parameters(bio, nullptr);
  BIO_free(bio);
  if (!params) return "Failed to load " + path + ": " + SslErrorText("no DH parameters");
  if (SSL_CTX_set0_tmp_dh_pkey(ctx, params) != 1) {
    EVP_PKEY_free(params);
    return "Failed to load DH params file " + path + ": " + SslErrorText();
  }
  return "";
}

std::string LoadCertAndKey(SSL_CTX* ctx, const TlsSettings& s) {
  if (SSL_CTX_use_certificate_chain_file(ctx, s.cert_file.c_str()) != 1) {
    return "Failed to load certificate: " + s.cert_file + ": " + SslErrorText();
  }
  SSL_CTX_set_default_passwd_cb(ctx, PassphraseCallback);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, const_cast<std::string*>(&s.key_file_pass));
  int ok = SSL_CTX_use_PrivateKey_file(ctx, s.key_file.c_str(), SSL_FILETYPE_PEM);
  SSL_CTX_set_default_passwd_cb_userdata(ctx, nullptr);  // `s` does not outlive this call
  if (ok != 1) return "Failed to load private key: " + s.key_file + ": " + SslErrorText();
  if (SSL_CTX_check_private_key(ctx) != 1) {
    return "The private key " + s.key_file + " does not match the certificate " + s.cert_file +
           ": " + SslErrorText();
  }
  return "";
}

std::string ConfigureContext(SSL_CTX* ctx, const TlsSettings& s) {
  if (s.cert_file.empty()) return "No tls-cert-file configured!";
  if (s.key_file.empty()) return "No tls-key-file configured!";
  std::string err;
  unsigned protocols = ParseTlsProtocols(s.protocols, &err);
  if (!protocols) return err;
  uint64_t options = SSL_OP_NO_SSLv2 | SSL_OP_NO_SSLv3 | SSL_OP_NO_COMPRESSION |
                     SSL_OP_NO_RENEGOTIATION | SSL_OP_IGNORE_UNEXPECTED_EOF;
  if (!(protocols & kTlsV1)) options |= SSL_OP_NO_TLSv1;
  if (!(protocols & kTlsV1_1)) options |= SSL_OP_NO_TLSv1_1;
  if (!(protocols & kTlsV1_2)) options |= SSL_OP_NO_TLSv1_2;
  if (!(protocols & kTlsV1_3)) options |= SSL_OP_NO_TLSv1_3;
  if (s.prefer_server_ciphers) options |= SSL_OP_CIPHER_SERVER_PREFERENCE;
  if (!s.session_caching) options |= SSL_OP_NO_TICKET;
  SSL_CTX_set_options(ctx, options);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  // One read() takes as many records as the buffer holds; HasBufferedInput covers the rest.
  SSL_CTX_set_read_ahead(ctx, 1);
  if (s.session_caching) {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
    SSL_CTX_sess_set_cache_size(ctx, long(s.session_cache_size));
    SSL_CTX_set_timeout(ctx, long(s.session_cache_timeout));
    static const unsigned char kSessionContext[] = "ember";
    SSL_CTX_set_session_id_context(ctx, kSessionContext, sizeof(kSessionContext) - 1);
  } else {
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  }
  if (!(err = LoadCertAndKey(ctx, s)).empty()) return err;
  if (ParseTlsClientAuth(s.auth_clients) != TlsClientAuth::kNone && s.ca_cert_file.empty() &&
      s.ca_cert_dir.empty()) {
    return "Either tls-ca-cert-file or tls-ca-cert-dir must be specified when tls-auth-clients "
           "is enabled!";
  }
  if (!s.ca_cert_file.empty() || !s.ca_cert_dir.empty()) {
    const char* file = s.ca_cert_file.empty() ? nullptr : s.ca_cert_file.c_str();
    const char* dir = s.ca_cert_dir.empty() ? nullptr : s.ca_cert_dir.c_str();
    if (SSL_CTX_load_verify_locations(ctx, file, dir) != 1) {
      return "Failed to configure CA certificate(s) file/directory: " + SslErrorText();
    }
  }
  if (!s.dh_params_file.empty()) {
    if (!(err = LoadDhParams(ctx, s.dh_params_file)).empty()) return err;
  } else {
    SSL_CTX_set_dh_auto(ctx, 1);
  }
  if (!s.ciphers.empty() && SSL_CTX_set_cipher_list(ctx, s.ciphers.c_str()) != 1) {
    return "Failed to configure ciphers: " + s.ciphers + ": " + SslErrorText();
  }
  if (!s.ciphersuites.empty() && SSL_CTX_set_ciphersuites(ctx, s.ciphersuites.c_str()) != 1) {
    return "Failed to configure ciphersuites: " + s.ciphersuites + ": " + SslErrorText();
  }
  return "";
}

}  // namespace

unsigned ParseTlsProtocols(std::string_view text, std::string* err) {
  if (text.find_first_not_of(" \t") == std::string_view::npos) {
    if (text.empty()) return kTlsV1_2 | kTlsV1_3;
    *err = "No tls-protocols specified.";
    return 0;
  }
  static constexpr std::pair<std::string_view, TlsProtocol> kNames[] = {
      {"tlsv1", kTlsV1}, {"tlsv1.1", kTlsV1_1}, {"tlsv1.2", kTlsV1_2}, {"tlsv1.3", kTlsV1_3}};
  unsigned mask = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t start = text.find_first_not_of(" \t", pos);
    if (start == std::string_view::npos) break;
    size_t end = text.find_first_of(" \t", start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view word = text.substr(start, end - start);
    pos = end;
    bool known = false;
    for (const auto& [name, bit] : kNames) {
      if (word.size() == name.size() && strncasecmp(word.data(), name.data(), name.size()) == 0) {
        mask |= bit;
        known = true;
      }
    }
    if (!known) {
      *err =
          "Invalid tls-protocols specified. Use a combination of 'TLSv1', 'TLSv1.1', "
          "'TLSv1.2' and 'TLSv1.3'.";
      return 0;
    }
  }
  return mask;
}

TlsClientAuth ParseTlsClientAuth(std::string_view text) {
  if (strncasecmp(text.data(), "no", text.size()) == 0 && text.size() == 2) {
    return TlsClientAuth::kNone;
  }
  if (text.size() == 8 && strncasecmp(text.data(), "optional", 8) == 0) {
    return TlsClientAuth::kOptional;
  }
  return TlsClientAuth::kRequired;
}

std::unique_ptr<TlsContext> TlsContext::Create(const TlsSettings& s, std::string* err) {
  ERR_clear_error();
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (!ctx) {
    *err = "Failed to create TLS context: " + SslErrorText();
    return nullptr;
  }
  *err = ConfigureContext(ctx, s);
  if (!err->empty()) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return std::unique_ptr<TlsContext>(new TlsContext(ctx));
}

TlsContext::~TlsContext() { SSL_CTX_free(ctx_); }

TlsConnection::TlsConnection(int fd, const TlsContext& ctx, TlsClientAuth auth)
    : Connection(fd, false), ssl_(SSL_new(ctx.ctx())), read_wants_(kRead), write_wants_(kWrite) {
  if (!ssl_) return;  // Read/Write fail; the client is closed on its first event
  SSL_set_fd(ssl_, fd);
  SSL_set_accept_state(ssl_);
  int mode = SSL_VERIFY_NONE;
  if (auth == TlsClientAuth::kRequired) mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
  if (auth == TlsClientAuth::kOptional) mode = SSL_VERIFY_PEER;
  SSL_set_verify(ssl_, mode, nullptr);
}

TlsConnection::~TlsConnection() {
  if (!ssl_) return;
  // Best effort close_notify: one non-blocking attempt, never waiting for the peer's.
  if (handshake_done_ && !failed_) {
    ERR_clear_error();
    (void)SSL_shutdown(ssl_);
  }
  ERR_clear_error();
  SSL_free(ssl_);
}

ssize_t TlsConnection::Fail(int ret, uint32_t* wants) {
  int saved_errno = errno;
  switch (SSL_get_error(ssl_, ret)) {
    case SSL_ERROR_WANT_READ:
      *wants = kRead;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_WANT_WRITE:
      *wants = kWrite;
      errno = EAGAIN;
      return -1;
    case SSL_ERROR_ZERO_RETURN:  // close_notify, or EOF (SSL_OP_IGNORE_UNEXPECTED_EOF)
      ERR_clear_error();
      return 0;
    case SSL_ERROR_SYSCALL:
      failed_ = true;
      ERR_clear_error();
      errno = (saved_errno == 0 || saved_errno == EAGAIN) ? ECONNRESET : saved_errno;
      return -1;
    default: {
      failed_ = true;
      std::string why = SslErrorText();
      Logf(LogLevel::kVerbose, "%s (addr=%s laddr=%s)",
           (handshake_done_ ? "TLS error: " + why : "Error accepting a client connection: " + why)
               .c_str(),
           peer().c_str(), local().c_str());
      errno = ECONNABORTED;
      return -1;
    }
  }
}

int TlsConnection::Handshake() {
  if (!ssl_) {
    errno = ENOMEM;
    return -1;
  }
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    handshake_done_ = true;
    read_wants_ = kRead;
    write_wants_ = kWrite;
    return 1;
  }
  uint32_t wants = kRead;
  ssize_t rc = Fail(r, &wants);
  read_wants_ = write_wants_ = wants;  // both directions wait for the handshake
  return int(rc);
}

ssize_t TlsConnection::Read(char* buf, size_t n) {
  if (!handshake_done_) {
    int hs = Handshake();
    if (hs <= 0) return hs;
  }
  ERR_clear_error();
  size_t got = 0;
  int r = SSL_read_ex(ssl_, buf, n, &got);
  if (r == 1) {
    read_wants_ = kRead;
    if (write_wants_ == kRead) write_wants_ = kWrite;  // what the write waited for came in
    return ssize_t(got);
  }
  return Fail(r, &read_wants_);
}

// With SSL_MODE_ENABLE_PARTIAL_WRITE each SSL_write sends one record and reports it; keep
// going until the socket is full so that a big reply does not take one loop turn per record.
// A record SSL could only partly send is not reported: the next call starts with its bytes
// again, as OpenSSL requires of a retried write.
ssize_t TlsConnection::Write(const char* buf, size_t n) {
  if (!handshake_done_) {
    int hs = Handshake();
    if (hs <= 0) return hs == 0 ? (errno = EPIPE, -1) : -1;
  }
  size_t total = 0;
  while (total < n) {
    ERR_clear_error();
    size_t done = 0;
    int r = SSL_write_ex(ssl_, buf + total, n - total, &done);
    if (r != 1) {
      ssize_t rc = Fail(r, &write_wants_);
      if (total > 0 && rc < 0 && errno == EAGAIN) break;
      if (rc == 0) errno = EPIPE;
      return -1;
    }
    total += done;
  }
  if (total == n) write_wants_ = kWrite;
  if (read_wants_ == kWrite) read_wants_ = kRead;  // the read can retry
  return ssize_t(total);
}

ssize_t TlsConnection::Writev(const struct iovec* iov, int n) {
  if (n <= 0) return 0;
  if (n == 1 || iov[0].iov_len >= kRecordMax) {
    return Write(static_cast<const char*>(iov[0].iov_base), iov[0].iov_len);
  }
  static thread_local char gather[kGatherMax];
  size_t len = 0;
  for (int i = 0; i < n && len < kGatherMax; i++) {
    size_t take = std::min(iov[i].iov_len, kGatherMax - len);
    memcpy(gather + len, iov[i].iov_base, take);
    len += take;
  }
  return Write(gather, len);
}

uint32_t TlsConnection::Interest(bool want_write) const {
  return read_wants_ | (want_write ? write_wants_ : 0);
}

bool TlsConnection::HasBufferedInput() const {
  return ssl_ && handshake_done_ && SSL_has_pending(ssl_);
}

}  // namespace ember
