"""Networking and process-level behaviour of the real ember-server binary: thousands of
connections, maxclients, idle timeout, unix sockets, clean shutdown on SIGTERM/SIGINT, the
query-buffer limit, several bind addresses, configuration from a file or stdin, and the
command-line switches (--version, --help, bad directives). Where the expected behaviour is
Redis's, the same invocation is also run against Debian's redis-server."""
import os
import re
import resource
import select
import signal
import socket
import subprocess
import tempfile

import pytest
import redis

from conftest import EMBER, REDIS, free_port, wait_until


def ping(sock):
    sock.sendall(b"PING\r\n")
    data = b""
    while not data.endswith(b"\r\n"):
        chunk = sock.recv(64)
        if not chunk:
            break
        data += chunk
    return data


def is_closed(sock):
    """True once the peer closed the connection (recv returns b'' or the socket errors)."""
    readable, _, _ = select.select([sock], [], [], 0.05)
    if not readable:
        return False
    try:
        return sock.recv(4096) == b""
    except OSError:
        return True


def read_until_closed(sock):
    data = b""
    while True:
        try:
            chunk = sock.recv(4096)
        except OSError:
            return data
        if not chunk:
            return data
        data += chunk


# --- many clients -----------------------------------------------------------------------------

def test_two_thousand_connections(ember_server):
    n = 2000
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < n + 200:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, n + 1000), hard))
    socks = []
    try:
        for _ in range(n):
            socks.append(socket.create_connection(("127.0.0.1", ember_server.port), timeout=10))
        for s in socks:  # all requests first, then all replies: the server multiplexes
            s.sendall(b"PING\r\n")
        for s in socks:
            assert s.recv(64) == b"+PONG\r\n"
        c = ember_server.client()
        assert c.incr("counter") == 1
        c.close()
    finally:
        for s in socks:
            s.close()


def test_maxclients(server_factory):
    s = server_factory("--maxclients", "10")
    clients = []
    try:
        # The readiness probe's connection may not be reaped yet: open until the server
        # has exactly our ten.
        def fill():
            while len(clients) < 10:
                c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
                if ping(c) == b"+PONG\r\n":
                    clients.append(c)
                else:
                    c.close()
            return True

        wait_until(fill)
        extra = socket.create_connection(("127.0.0.1", s.port), timeout=5)
        assert read_until_closed(extra) == b"-ERR max number of clients reached\r\n"
        extra.close()
        for c in clients:  # the ten admitted clients are unaffected
            assert ping(c) == b"+PONG\r\n"
        clients.pop().close()

        def admitted():
            c = socket.create_connection(("127.0.0.1", s.port), timeout=5)
            if ping(c) == b"+PONG\r\n":
                clients.append(c)
                return True
            c.close()
            return False

        wait_until(admitted)
    finally:
        for c in clients:
            c.close()


def test_idle_timeout_closes_connection(server_factory):
    s = server_factory("--timeout", "1")
    idle = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    assert ping(idle) == b"+PONG\r\n"
    wait_until(lambda: is_closed(idle), timeout=15)
    idle.close()
    c = s.client()
    assert c.ping()
    c.close()


def test_no_timeout_by_default_keeps_connection(ember_server):
    sock = socket.create_connection(("127.0.0.1", ember_server.port), timeout=5)
    assert ping(sock) == b"+PONG\r\n"
    assert not is_closed(sock)
    assert ping(sock) == b"+PONG\r\n"
    sock.close()


# --- unix socket ------------------------------------------------------------------------------

def test_unix_socket(server_factory):
    d = tempfile.mkdtemp(prefix="ember-unix-")
    path = os.path.join(d, "ember.sock")
    s = server_factory("--unixsocket", path, "--unixsocketperm", "700")
    assert os.stat(path).st_mode & 0o777 == 0o700
    c = redis.Redis(unix_socket_path=path, decode_responses=True)
    assert c.ping()
    assert c.set("ux", "1")
    assert c.incr("ux") == 2
    c.close()
    tcp = s.client()
    assert tcp.get("ux") == "2"  # same server, TCP still listening
    tcp.close()
    s.stop()
    assert not os.path.exists(path)  # removed on shutdown, like Redis
    os.rmdir(d)


# --- shutdown -------------------------------------------------------------------------------

@pytest.mark.parametrize("sig,name", [(signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")])
def test_signal_shuts_down_cleanly(server_factory, sig, name):
    s = server_factory()
    c = s.client()
    c.set("k", "v")
    c.close()
    s.proc.send_signal(sig)
    assert s.proc.wait(timeout=20) == 0
    log = s.read_log()
    assert "Received %s scheduling shutdown" % name in log
    assert "ready to exit" in log


# --- query buffer limit -------------------------------------------------------------------

def test_client_query_buffer_limit(server_factory):
    s = server_factory("--client-query-buffer-limit", "1mb")
    other = s.client()
    other.set("k", "v")
    hog = socket.create_connection(("127.0.0.1", s.port), timeout=10)
    hog.sendall(b"*2\r\n$3\r\nGET\r\n$100000000\r\n")  # an endless bulk
    chunk = b"x" * 65536
    sent = 0
    disconnected = False
    while sent < 64 * 1024 * 1024:
        try:
            hog.sendall(chunk)
        except OSError:
            disconnected = True
            break
        sent += len(chunk)
    if not disconnected:
        wait_until(lambda: is_closed(hog))
    hog.close()
    assert sent < 64 * 1024 * 1024
    assert other.get("k") == "v"
    assert other.ping()
    other.close()


# --- bind -----------------------------------------------------------------------------------

def test_bind_several_addresses(server_factory):
    s = server_factory("--bind", "127.0.0.1", "127.0.0.2")
    for host in ("127.0.0.1", "127.0.0.2"):
        sock = socket.create_connection((host, s.port), timeout=5)
        assert ping(sock) == b"+PONG\r\n"
        sock.close()


def test_bind_optional_address_may_be_missing(server_factory):
    # A '-' prefix marks an address whose failure to bind is not fatal.
    s = server_factory("--bind", "127.0.0.1", "-192.0.2.1")
    sock = socket.create_connection(("127.0.0.1", s.port), timeout=5)
    assert ping(sock) == b"+PONG\r\n"
    sock.close()


# --- configuration sources and the command line ---------------------------------------------

class Spawned:
    def __init__(self, argv, port, stdin_data=None):
        self.dir = tempfile.mkdtemp(prefix="ember-net-")
        self.port = port
        self.proc = subprocess.Popen(argv, cwd=self.dir, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if stdin_data is not None:
            self.proc.stdin.write(stdin_data.encode())
        self.proc.stdin.close()

    def wait_ready(self):
        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("exited: %r" % self.proc.stdout.read())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    return ping(s) == b"+PONG\r\n"
            except OSError:
                return False

        wait_until(ready)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc.stdout.close()


def test_config_file(tmp_path):
    port = free_port()
    conf = tmp_path / "ember.conf"
    conf.write_text('# comment\nport %d\nbind 127.0.0.1\nsave ""\n'
                    'appendonly no\ndir %s\n' % (port, tmp_path))
    p = Spawned([EMBER, str(conf)], port)
    try:
        p.wait_ready()
    finally:
        p.stop()


def test_config_from_stdin(tmp_path):
    port = free_port()
    p = Spawned([EMBER, "-"], port,
                stdin_data="port %d\nbind 127.0.0.1\nsave ''\ndir %s\n" % (port, tmp_path))
    try:
        p.wait_ready()
    finally:
        p.stop()


def test_command_line_overrides_config_file(tmp_path):
    file_port, cli_port = free_port(), free_port()
    conf = tmp_path / "ember.conf"
    conf.write_text("port %d\nbind 127.0.0.1\nsave ''\n" % file_port)
    p = Spawned([EMBER, str(conf), "--port", str(cli_port), "--dir", str(tmp_path)], cli_port)
    try:
        p.wait_ready()
    finally:
        p.stop()


def test_config_file_plus_stdin(tmp_path):
    port = free_port()
    conf = tmp_path / "ember.conf"
    conf.write_text("bind 127.0.0.1\nsave ''\n")
    p = Spawned([EMBER, str(conf), "-"], port, stdin_data="port %d\n" % port)
    try:
        p.wait_ready()
    finally:
        p.stop()


def run_cli(binary, *args, cwd=None):
    return subprocess.run([binary] + list(args), capture_output=True, timeout=20, cwd=cwd)


def test_version():
    res = run_cli(EMBER, "--version")
    assert res.returncode == 0
    assert re.search(rb"v=\d+\.\d+\.\d+", res.stdout + res.stderr)
    assert run_cli(EMBER, "-v").returncode == 0


def test_help_matches_redis_exit_code():
    res = run_cli(EMBER, "--help")
    assert b"Usage" in res.stdout + res.stderr
    if os.path.exists(REDIS):
        assert res.returncode == run_cli(REDIS, "--help").returncode
    assert run_cli(EMBER, "-h").returncode == res.returncode


def test_bad_directive_in_file_names_the_line(tmp_path):
    conf = tmp_path / "bad.conf"
    conf.write_text("port 0\nfoo bar\n")
    res = run_cli(EMBER, str(conf), cwd=tmp_path)
    assert res.returncode == 1
    err = (res.stdout + res.stderr).decode()
    assert "FATAL CONFIG FILE ERROR" in err
    assert "at line 2" in err
    assert ">>> 'foo bar'" in err
    assert "Bad directive or wrong number of arguments" in err


def test_bad_option_on_command_line(tmp_path):
    res = run_cli(EMBER, "--port", "0", "--nosuch", "1", cwd=tmp_path)
    assert res.returncode == 1
    err = (res.stdout + res.stderr).decode()
    assert "FATAL CONFIG FILE ERROR" in err
    assert "nosuch" in err
    assert "Bad directive or wrong number of arguments" in err


def test_bad_value_exits_1(tmp_path):
    res = run_cli(EMBER, "--port", "notanumber", cwd=tmp_path)
    assert res.returncode == 1
    assert b"FATAL CONFIG FILE ERROR" in res.stdout + res.stderr


def test_port_in_use_exits_1(ember_server, tmp_path):
    res = run_cli(EMBER, "--port", str(ember_server.port), "--bind", "127.0.0.1", "--save", "",
                  cwd=tmp_path)
    assert res.returncode == 1


# --- output backlog -----------------------------------------------------------------------

def test_slow_reader_does_not_block_others(ember_server):
    c = ember_server.client()
    c.set("big", "x" * (1024 * 1024))
    slow = socket.create_connection(("127.0.0.1", ember_server.port), timeout=30)
    n = 64  # 64 MiB of replies, far more than the socket buffers hold
    slow.sendall(b"GET big\r\n" * n)
    # While the slow client's replies back up, others are served.
    for i in range(100):
        assert c.incr("served") == i + 1
    expected = (b"$1048576\r\n" + b"x" * (1024 * 1024) + b"\r\n") * n
    got = bytearray()
    while len(got) < len(expected):
        chunk = slow.recv(1 << 20)
        assert chunk, "closed early"
        got += chunk
    assert bytes(got) == expected
    assert ping(slow) == b"+PONG\r\n"
    slow.close()
    c.close()


def test_client_vanishing_with_pending_output(ember_server):
    c = ember_server.client()
    c.set("big", "y" * (1024 * 1024))
    for _ in range(20):
        s = socket.create_connection(("127.0.0.1", ember_server.port), timeout=10)
        s.sendall(b"GET big\r\n" * 32)
        s.close()  # unread replies; the server must just drop them
    assert c.ping()
    assert c.strlen("big") == 1024 * 1024
    c.close()
