// net/tls: tls-protocols / tls-auth-clients parsing, context errors, and a TlsConnection driven
// over a socketpair against an OpenSSL client: the non-blocking handshake (EAGAIN and the
// readiness each side waits for), records larger than one read, input left in SSL's buffer
// (HasBufferedInput), partial writes into a full socket, and a failed handshake.
#include "net/tls.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>

#include "net/event_loop.h"

namespace ember {
namespace {

TEST(TlsProtocols, Parse) {
  std::string err;
  EXPECT_EQ(ParseTlsProtocols("", &err), kTlsV1_2 | kTlsV1_3);
  EXPECT_EQ(ParseTlsProtocols("TLSv1.2", &err), unsigned(kTlsV1_2));
  EXPECT_EQ(ParseTlsProtocols("tlsv1.3  TLSV1.2", &err), kTlsV1_2 | kTlsV1_3);
  EXPECT_EQ(ParseTlsProtocols("TLSv1 TLSv1.1", &err), kTlsV1 | kTlsV1_1);
  EXPECT_EQ(ParseTlsProtocols("TLSv1.2 SSLv3", &err), 0u);
  EXPECT_NE(err.find("Invalid tls-protocols"), std::string::npos);
  err.clear();
  EXPECT_EQ(ParseTlsProtocols("   ", &err), 0u);
  EXPECT_FALSE(err.empty());
}

TEST(TlsClientAuth, Parse) {
  EXPECT_EQ(ParseTlsClientAuth("yes"), TlsClientAuth::kRequired);
  EXPECT_EQ(ParseTlsClientAuth("no"), TlsClientAuth::kNone);
  EXPECT_EQ(ParseTlsClientAuth("optional"), TlsClientAuth::kOptional);
  EXPECT_EQ(ParseTlsClientAuth("OPTIONAL"), TlsClientAuth::kOptional);
}

// A self-signed EC certificate and key written to temporary PEM files.
class TempCert {
 public:
  TempCert() {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x = X509_new();
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), 0);
    X509_gmtime_adj(X509_getm_notAfter(x), 3600);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("ember-test"), -1, -1, 0);
    X509_set_issuer_name(x, name);
    X509_sign(x, key, EVP_sha256());
    char dir[] = "/tmp/ember-tls-unit-XXXXXX";
    dir_ = mkdtemp(dir);
    cert_ = dir_ + "/cert.pem";
    key_ = dir_ + "/key.pem";
    FILE* f = fopen(cert_.c_str(), "w");
    PEM_write_X509(f, x);
    fclose(f);
    f = fopen(key_.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    fclose(f);
    X509_free(x);
    EVP_PKEY_free(key);
  }
  ~TempCert() {
    unlink(cert_.c_str());
    unlink(key_.c_str());
    rmdir(dir_.c_str());
  }
  const std::string& cert() const { return cert_; }
  const std::string& key() const { return key_; }

 private:
  std::string dir_, cert_, key_;
};

TEST(TlsContext, Errors) {
  TempCert tc;
  TlsSettings s;
  s.auth_clients = "no";
  std::string err;
  EXPECT_EQ(TlsContext::Create(s, &err), nullptr);
  EXPECT_EQ(err, "No tls-cert-file configured!");
  s.cert_file = tc.cert();
  EXPECT_EQ(TlsContext::Create(s, &err), nullptr);
  EXPECT_EQ(err, "No tls-key-file configured!");
  s.key_file = "/nonexistent/key.pem";
  EXPECT_EQ(TlsContext::Create(s, &err), nullptr);
  EXPECT_NE(err.find("Failed to load private key"), std::string::npos);
  s.key_file = tc.key();
  s.auth_clients = "yes";
  EXPECT_EQ(TlsContext::Create(s, &err), nullptr);  // client auth needs a CA
  EXPECT_NE(err.find("tls-ca-cert-file"), std::string::npos);
  s.auth_clients = "no";
  s.protocols = "TLSv2";
  EXPECT_EQ(TlsContext::Create(s, &err), nullptr);
  s.protocols = "";
  s.ciphersuites = "NOT_A_SUITE";
  EXPECT_EQ(TlsContext::Create(s, &err), nullptr);
  s.ciphersuites = "";
  EXPECT_NE(TlsContext::Create(s, &err), nullptr) << err;
}

// A server TlsConnection on one end of a socketpair, an OpenSSL client on the other; both
// non-blocking, driven by hand.
class TlsPair : public ::testing::Test {
 protected:
  void SetUp() override {
    TlsSettings s;
    s.cert_file = cert_.cert();
    s.key_file = cert_.key();
    s.auth_clients = "no";
    std::string err;
    ctx_ = TlsContext::Create(s, &err);
    ASSERT_NE(ctx_, nullptr) << err;
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds), 0);
    int small = 4096;  // a small send buffer makes writes fill the socket quickly
    setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    server_ = std::make_unique<TlsConnection>(fds[0], *ctx_, TlsClientAuth::kNone);
    client_fd_ = fds[1];
    cctx_ = SSL_CTX_new(TLS_client_method());
    client_ = SSL_new(cctx_);
    SSL_set_fd(client_, client_fd_);
    SSL_set_connect_state(client_);
  }
  void TearDown() override {
    server_.reset();
    if (client_) SSL_free(client_);
    if (cctx_) SSL_CTX_free(cctx_);
    if (client_fd_ >= 0) close(client_fd_);
  }
  // Alternates client and server handshake steps until the server has finished.
  void Handshake() {
    char buf[16];
    for (int i = 0; i < 20 && !server_->handshake_done(); i++) {
      (void)SSL_do_handshake(client_);
      ssize_t n = server_->Read(buf, sizeof(buf));
      if (!server_->handshake_done()) {
        ASSERT_EQ(n, -1);
        ASSERT_EQ(errno, EAGAIN);
      }
    }
    ASSERT_TRUE(server_->handshake_done());
    for (int i = 0; i < 5; i++) (void)SSL_do_handshake(client_);
  }
  std::string ServerReadAll() {
    std::string out;
    char buf[1024];
    while (true) {
      ssize_t n = server_->Read(buf, sizeof(buf));
      if (n <= 0) break;
      out.append(buf, size_t(n));
    }
    return out;
  }

  TempCert cert_;
  std::unique_ptr<TlsContext> ctx_;
  std::unique_ptr<TlsConnection> server_;
  int client_fd_ = -1;
  SSL_CTX* cctx_ = nullptr;
  SSL* client_ = nullptr;
};

TEST_F(TlsPair, HandshakeWaitsWithoutBlocking) {
  char buf[16];
  // Nothing from the client yet: the server waits for readability, for both directions.
  EXPECT_EQ(server_->Read(buf, sizeof(buf)), -1);
  EXPECT_EQ(errno, EAGAIN);
  EXPECT_EQ(server_->ReadEvents(), EventLoop::kReadable);
  EXPECT_EQ(server_->Interest(true), EventLoop::kReadable);
  EXPECT_FALSE(server_->HasBufferedInput());
  Handshake();
  EXPECT_EQ(server_->Interest(false), EventLoop::kReadable);
  EXPECT_EQ(server_->Interest(true), EventLoop::kReadable | EventLoop::kWritable);
}

TEST_F(TlsPair, RoundTripAndBufferedInput) {
  Handshake();
  // Three records in one go: a small read takes part of the first; the rest is in SSL's buffer.
  std::string sent;
  for (int i = 0; i < 3; i++) {
    std::string rec(3000, char('a' + i));
    ASSERT_EQ(SSL_write(client_, rec.data(), int(rec.size())), int(rec.size()));
    sent += rec;
  }
  char small[100];
  ASSERT_EQ(server_->Read(small, sizeof(small)), 100);
  EXPECT_TRUE(server_->HasBufferedInput());
  std::string got(small, 100);
  got += ServerReadAll();
  EXPECT_EQ(got, sent);
  EXPECT_FALSE(server_->HasBufferedInput());
  ASSERT_EQ(server_->Write("+PONG\r\n", 7), 7);
  char reply[16];
  ASSERT_EQ(SSL_read(client_, reply, sizeof(reply)), 7);
  EXPECT_EQ(std::string(reply, 7), "+PONG\r\n");
}

TEST_F(TlsPair, PartialWritesResumeWithTheSameBytes) {
  Handshake();
  std::string big(1 << 20, 'x');
  for (size_t i = 0; i < big.size(); i++) big[i] = char('a' + i % 26);
  size_t off = 0;
  std::string received;
  char buf[16384];
  for (int rounds = 0; off < big.size() && rounds < 100000; rounds++) {
    // Writev with a small first buffer and a big second one: gathered, then retried.
    struct iovec iov[2] = {{big.data() + off, std::min<size_t>(100, big.size() - off)},
                           {big.data() + off + std::min<size_t>(100, big.size() - off),
                            big.size() - off - std::min<size_t>(100, big.size() - off)}};
    ssize_t w = server_->Writev(iov, iov[1].iov_len ? 2 : 1);
    if (w > 0) {
      off += size_t(w);
    } else {
      ASSERT_EQ(errno, EAGAIN);
      EXPECT_EQ(server_->WriteEvents(), EventLoop::kWritable);  // socket full
    }
    int n = SSL_read(client_, buf, sizeof(buf));
    if (n > 0) received.append(buf, size_t(n));
  }
  while (received.size() < big.size()) {
    int n = SSL_read(client_, buf, sizeof(buf));
    if (n <= 0) break;
    received.append(buf, size_t(n));
  }
  EXPECT_EQ(received.size(), big.size());
  EXPECT_TRUE(received == big);
}

TEST_F(TlsPair, GarbageFailsTheHandshake) {
  const char junk[] = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_GT(write(client_fd_, junk, sizeof(junk) - 1), 0);
  char buf[16];
  ssize_t n = server_->Read(buf, sizeof(buf));
  EXPECT_EQ(n, -1);
  EXPECT_NE(errno, EAGAIN);
  ERR_clear_error();
}

TEST_F(TlsPair, PeerCloseIsEndOfStream) {
  Handshake();
  SSL_shutdown(client_);
  char buf[16];
  EXPECT_EQ(server_->Read(buf, sizeof(buf)), 0);
}

}  // namespace
}  // namespace ember
