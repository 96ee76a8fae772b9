"""TLS on tls-port: certificates are generated at test time with the openssl CLI (a CA, server
and client certificates, an encrypted server key, and a client certificate from an unrelated
CA). Covers redis-py with ssl and `redis-cli --tls`, tls-auth-clients yes / optional / no (run
against redis-server too, as a differential check), tls-protocols, session caching, startup
errors, CONFIG SET reloads, hostile handshakes that must not block plaintext clients, and
pipelines whose requests and replies span many TLS records."""
import os
import shutil
import socket
import ssl
import subprocess
import tempfile

import pytest
import redis
from conftest import EMBER, REDIS, ServerProcess, free_port, wait_until

PASSPHRASE = "ember-secret"


def _openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def _make_ca(d, name):
    _openssl("req", "-x509", "-new", "-nodes", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-keyout", name + ".key", "-out", name + ".crt",
             "-days", "2", "-subj", "/O=Ember Test/CN=" + name, cwd=d)


def _make_leaf(d, name, ca, cn, usage):
    with open(os.path.join(d, name + ".ext"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=%s\n" % usage)
    _openssl("req", "-new", "-nodes", "-newkey", "ec", "-pkeyopt",
             "ec_paramgen_curve:prime256v1", "-keyout", name + ".key", "-out", name + ".csr",
             "-subj", "/O=Ember Test/CN=" + cn, cwd=d)
    _openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".crt", "-CAkey", ca + ".key",
             "-CAcreateserial", "-days", "2", "-out", name + ".crt", "-extfile", name + ".ext",
             cwd=d)


@pytest.fixture(scope="module")
def certs():
    d = tempfile.mkdtemp(prefix="ember-tls-")
    _make_ca(d, "ca")
    _make_ca(d, "other-ca")
    _make_leaf(d, "server", "ca", "Server-1", "serverAuth")
    _make_leaf(d, "server2", "ca", "Server-2", "serverAuth")
    _make_leaf(d, "client", "ca", "Client-1", "clientAuth")
    _make_leaf(d, "stranger", "other-ca", "Stranger", "clientAuth")
    _openssl("pkey", "-in", "server.key", "-out", "server-enc.key", "-aes256", "-passout",
             "pass:" + PASSPHRASE, cwd=d)
    _openssl("dhparam", "-dsaparam", "-out", "dh.pem", "2048", cwd=d)
    p = lambda f: os.path.join(d, f)  # noqa: E731
    yield {"ca": p("ca.crt"), "server_crt": p("server.crt"), "server_key": p("server.key"),
           "server2_crt": p("server2.crt"), "server2_key": p("server2.key"),
           "server_enc_key": p("server-enc.key"), "client_crt": p("client.crt"),
           "client_key": p("client.key"), "stranger_crt": p("stranger.crt"),
           "stranger_key": p("stranger.key"), "dh": p("dh.pem")}
    shutil.rmtree(d, ignore_errors=True)


class TlsServer:
    def __init__(self, proc, tls_port):
        self.proc, self.tls_port = proc, tls_port

    def plain(self):
        return self.proc.client()

    def tls(self, certs, cert="client", **kw):
        args = dict(host="127.0.0.1", port=self.tls_port, ssl=True, ssl_ca_certs=certs["ca"],
                    ssl_cert_reqs="required", decode_responses=True, socket_timeout=10)
        if cert:
            args.update(ssl_certfile=certs[cert + "_crt"], ssl_keyfile=certs[cert + "_key"])
        args.update(kw)
        return redis.Redis(**args)


@pytest.fixture
def tls_factory(certs):
    started = []

    def make(*extra, binary=EMBER, cert="server_crt", key="server_key"):
        port = free_port()
        args = ("--tls-port", str(port), "--tls-cert-file", certs[cert], "--tls-key-file",
                certs[key], "--tls-ca-cert-file", certs["ca"]) + extra
        proc = ServerProcess(binary, args).start()
        started.append(proc)
        return TlsServer(proc, port)

    yield make
    for s in started:
        s.stop()


def client_context(certs, cert="client", **kw):
    ctx = ssl.create_default_context(cafile=certs["ca"])
    ctx.check_hostname = False
    if cert:
        ctx.load_cert_chain(certs[cert + "_crt"], certs[cert + "_key"])
    for k, v in kw.items():
        setattr(ctx, k, v)
    return ctx


def tls_socket(port, ctx, session=None):
    raw = socket.create_connection(("127.0.0.1", port), timeout=10)
    return ctx.wrap_socket(raw, server_hostname="localhost", session=session)


def rejected(server, certs, cert):
    """True if a TLS client with `cert` cannot run a command."""
    c = server.tls(certs, cert=cert)
    try:
        c.ping()
        return False
    except (redis.exceptions.ConnectionError, ssl.SSLError, OSError):
        return True
    finally:
        c.close()


BINARIES = [pytest.param(EMBER, id="ember"), pytest.param(REDIS, id="redis")]


def test_redis_py_roundtrip(tls_factory, certs):
    s = tls_factory()
    c = s.tls(certs)
    assert c.ping() is True
    assert c.set("k", "v") is True
    assert c.get("k") == "v"
    assert s.plain().get("k") == "v"  # one keyspace for both ports
    assert c.config_get("tls-port")["tls-port"] == str(s.tls_port)
    assert len(s.plain().client_list()) == 2


def test_redis_cli_tls(tls_factory, certs):
    s = tls_factory()
    base = ["redis-cli", "--tls", "--cert", certs["client_crt"], "--key", certs["client_key"],
            "--cacert", certs["ca"], "-p", str(s.tls_port)]
    out = subprocess.run(base + ["SET", "cli", "hello"], capture_output=True, text=True,
                         timeout=30)
    assert out.stdout.strip() == "OK"
    out = subprocess.run(base + ["GET", "cli"], capture_output=True, text=True, timeout=30)
    assert out.stdout.strip() == "hello"


@pytest.mark.parametrize("binary", BINARIES)
def test_auth_clients_yes(tls_factory, certs, binary):
    s = tls_factory(binary=binary)
    assert s.tls(certs).ping() is True
    assert rejected(s, certs, None)  # no client certificate
    assert rejected(s, certs, "stranger")  # signed by an unknown CA
    assert s.plain().ping() is True


@pytest.mark.parametrize("binary", BINARIES)
def test_auth_clients_optional(tls_factory, certs, binary):
    s = tls_factory("--tls-auth-clients", "optional", binary=binary)
    assert s.tls(certs, cert=None).ping() is True
    assert s.tls(certs).ping() is True
    assert rejected(s, certs, "stranger")  # a certificate that is sent must verify


@pytest.mark.parametrize("binary", BINARIES)
def test_auth_clients_no(tls_factory, certs, binary):
    s = tls_factory("--tls-auth-clients", "no", binary=binary)
    assert s.tls(certs, cert=None).ping() is True
    assert s.tls(certs, cert="stranger").ping() is True


def test_auth_clients_changes_for_new_connections(tls_factory, certs):
    s = tls_factory()
    assert rejected(s, certs, None)
    s.plain().config_set("tls-auth-clients", "no")
    assert s.tls(certs, cert=None).ping() is True


@pytest.mark.parametrize("binary", BINARIES)
def test_protocols(tls_factory, certs, binary):
    s = tls_factory("--tls-protocols", "TLSv1.3", binary=binary)
    with tls_socket(s.tls_port, client_context(certs)) as t:
        assert t.version() == "TLSv1.3"
    old = client_context(certs, maximum_version=ssl.TLSVersion.TLSv1_2)
    with pytest.raises((ssl.SSLError, OSError)):
        with tls_socket(s.tls_port, old) as t:
            t.sendall(b"PING\r\n")
            t.recv(10)


def test_protocols_tls12_only(tls_factory, certs):
    s = tls_factory("--tls-protocols", "tlsv1.2")
    with tls_socket(s.tls_port, client_context(certs)) as t:
        assert t.version() == "TLSv1.2"
        t.sendall(b"PING\r\n")
        assert t.recv(10) == b"+PONG\r\n"


def test_ciphers_and_prefer_server(tls_factory, certs):
    s = tls_factory("--tls-protocols", "TLSv1.2", "--tls-ciphers", "ECDHE-ECDSA-AES128-GCM-SHA256",
                    "--tls-prefer-server-ciphers", "yes", "--tls-dh-params-file", certs["dh"])
    with tls_socket(s.tls_port, client_context(certs)) as t:
        assert t.cipher()[0] == "ECDHE-ECDSA-AES128-GCM-SHA256"
    s2 = tls_factory("--tls-ciphersuites", "TLS_CHACHA20_POLY1305_SHA256")
    with tls_socket(s2.tls_port, client_context(certs)) as t:
        assert t.cipher()[0] == "TLS_CHACHA20_POLY1305_SHA256"


@pytest.mark.parametrize("caching,reused", [("yes", True), ("no", False)])
def test_session_caching(tls_factory, certs, caching, reused):
    s = tls_factory("--tls-protocols", "TLSv1.2", "--tls-session-caching", caching)
    ctx = client_context(certs)
    with tls_socket(s.tls_port, ctx) as t:
        t.sendall(b"PING\r\n")
        assert t.recv(10) == b"+PONG\r\n"
        session = t.session
    with tls_socket(s.tls_port, ctx, session=session) as t:
        t.sendall(b"PING\r\n")
        assert t.recv(10) == b"+PONG\r\n"
        assert t.session_reused is reused


def test_key_passphrase(tls_factory, certs):
    s = tls_factory("--tls-key-file-pass", PASSPHRASE, key="server_enc_key")
    assert s.tls(certs).ping() is True


def start_fails(*args):
    proc = ServerProcess(EMBER, args)
    try:
        with pytest.raises(RuntimeError) as e:
            proc.start()
        return str(e.value)
    finally:
        proc.stop()


def test_startup_errors(certs):
    port = str(free_port())
    log = start_fails("--tls-port", port)
    assert "No tls-cert-file configured!" in log
    assert "Failed to configure TLS. Check logs for more info." in log
    log = start_fails("--tls-port", port, "--tls-cert-file", certs["server_crt"],
                      "--tls-key-file", certs["server_enc_key"], "--tls-key-file-pass", "wrong",
                      "--tls-ca-cert-file", certs["ca"])
    assert "Failed to configure TLS" in log
    log = start_fails("--tls-port", port, "--tls-cert-file", certs["server_crt"],
                      "--tls-key-file", certs["server_key"], "--tls-protocols", "TLSv9")
    assert "Invalid tls-protocols" in log
    log = start_fails("--tls-port", port, "--tls-cert-file", certs["server_crt"],
                      "--tls-key-file", certs["server_key"])  # auth-clients yes needs a CA
    assert "tls-ca-cert-file" in log


def peer_cn(port, certs):
    with tls_socket(port, client_context(certs)) as t:
        subject = dict(x[0] for x in t.getpeercert()["subject"])
        return subject["commonName"]


def test_config_set_reloads_certificates(tls_factory, certs):
    s = tls_factory()
    old = s.tls(certs)
    assert old.set("a", "1") is True
    assert peer_cn(s.tls_port, certs) == "Server-1"
    p = s.plain()
    with pytest.raises(redis.exceptions.ResponseError):  # key does not match the certificate
        p.config_set("tls-cert-file", certs["server2_crt"])
    assert peer_cn(s.tls_port, certs) == "Server-1"
    p.execute_command("CONFIG", "SET", "tls-cert-file", certs["server2_crt"], "tls-key-file",
                      certs["server2_key"])
    assert peer_cn(s.tls_port, certs) == "Server-2"
    assert old.get("a") == "1"  # connections made before the reload are unaffected
    with pytest.raises(redis.exceptions.ResponseError) as e:
        p.config_set("tls-cert-file", "/nonexistent/cert.pem")
    assert "Unable to update TLS configuration. Check server logs." in str(e.value)
    assert p.config_get("tls-cert-file")["tls-cert-file"] == certs["server2_crt"]
    assert peer_cn(s.tls_port, certs) == "Server-2"


def test_config_set_tls_port(tls_factory, certs):
    s = tls_factory()
    p = s.plain()
    new_port = free_port()
    p.config_set("tls-port", new_port)
    s.tls_port = new_port
    assert s.tls(certs).ping() is True
    p.config_set("tls-port", 0)
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", new_port), timeout=2).close()
    assert p.ping() is True


def test_hostile_handshakes_do_not_block_plaintext(tls_factory, certs):
    s = tls_factory()
    plain = s.plain()
    hello = bytes.fromhex("160301020001")  # a ClientHello record header, then nothing
    socks = []
    for i in range(30):
        k = socket.create_connection(("127.0.0.1", s.tls_port))
        if i % 3 == 0:
            k.sendall(b"GET / HTTP/1.1\r\n\r\n" + os.urandom(300))  # garbage
        elif i % 3 == 1:
            k.sendall(hello)  # half-open handshake
        socks.append(k)
    # Everyone else is still served while those connections hang or fail.
    for i in range(50):
        assert plain.incr("counter") == i + 1
    assert s.tls(certs).get("counter") == "50"
    wait_until(lambda: int(plain.info("clients")["connected_clients"]) >= 21)
    # Garbage gets the connection closed; the half-open ones just wait.
    for k in socks[::3]:
        k.settimeout(10)
        try:
            while k.recv(4096):
                pass
        except ConnectionResetError:
            pass
    for k in socks:
        k.close()
    wait_until(lambda: int(plain.info("clients")["connected_clients"]) == 1)
    assert plain.ping() is True


def test_raw_plaintext_on_tls_port(tls_factory):
    s = tls_factory()
    with socket.create_connection(("127.0.0.1", s.tls_port), timeout=10) as k:
        k.sendall(b"PING\r\n")
        data = b""
        try:
            while True:
                chunk = k.recv(4096)
                if not chunk:
                    break
                data += chunk
        except ConnectionResetError:
            pass
        assert b"PONG" not in data
    assert s.plain().ping() is True


def test_big_values_and_pipelines(tls_factory, certs):
    s = tls_factory()
    c = s.tls(certs, decode_responses=False)
    big = os.urandom(3 * 1024 * 1024 + 7)  # many records each way
    pipe = c.pipeline(transaction=False)
    for i in range(5):
        pipe.set(b"big%d" % i, big[i:])
    for i in range(5):
        pipe.get(b"big%d" % i)
    out = pipe.execute()
    assert out[:5] == [True] * 5
    assert all(out[5 + i] == big[i:] for i in range(5))
    # Thousands of small requests in one go: requests and replies span records, and input is
    # left decrypted in SSL's buffer between reads.
    pipe = c.pipeline(transaction=False)
    for i in range(20000):
        pipe.rpush(b"list", b"x" * (i % 50))
    pipe.lrange(b"list", 0, -1)
    out = pipe.execute()
    assert out[19999] == 20000
    assert len(out[-1]) == 20000 and out[-1][49] == b"x" * 49


def test_many_tls_clients_interleaved(tls_factory, certs):
    s = tls_factory()
    clients = [s.tls(certs) for _ in range(20)]
    for round_ in range(5):
        for i, c in enumerate(clients):
            c.set("k%d" % i, "%d-%d" % (i, round_))
        for i, c in enumerate(clients):
            assert c.get("k%d" % i) == "%d-%d" % (i, round_)
    for c in clients:
        c.close()
