"""Shared fixtures for integration tests: start the real ember-server binary (and, for
differential tests, Debian's redis-server) on free loopback ports, wait until it answers PING,
and stop it by PID afterwards. Run with Debian's /usr/bin/python3 (python3-redis, pytest)."""
import os
import shutil
import socket
import subprocess
import tempfile
import time

import pytest
import redis
from redis.connection import Connection

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMBER = os.environ.get("EMBER_SERVER", os.path.join(ROOT, "build", "release", "ember-server"))
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(predicate, timeout=10.0, interval=0.01):
    """Polls predicate() until it returns a truthy value or the timeout passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in %.1fs" % timeout)
        time.sleep(interval)


class ServerProcess:
    """A server binary running on a free port in its own temporary directory."""

    def __init__(self, binary, args=(), port=None):
        self.binary = binary
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="ember-it-")
        self.args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                     "--appendonly", "no", "--dir", self.dir] + list(args)
        self.proc = None
        self.log_path = os.path.join(self.dir, "server.log")

    def start(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen([self.binary] + self.args, stdout=self.log,
                                     stderr=subprocess.STDOUT, cwd=self.dir)

        def ready():
            if self.proc.poll() is not None:
                raise RuntimeError("server exited early: " + self.read_log())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                    s.sendall(b"PING\r\n")
                    data = s.recv(64)
                    return data.startswith(b"+PONG") or data.startswith(b"-NOAUTH")
            except OSError:
                return False

        wait_until(ready)
        return self

    def read_log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode(errors="replace")
        except OSError:
            return ""

    def client(self, **kw):
        kw.setdefault("decode_responses", True)
        return redis.Redis(host="127.0.0.1", port=self.port, **kw)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if getattr(self, "log", None):
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def server_factory():
    """Starts ember-server instances with extra arguments; stops them all at the end."""
    started = []

    def make(*args, binary=EMBER):
        s = ServerProcess(binary, args).start()
        started.append(s)
        return s

    yield make
    for s in started:
        s.stop()


@pytest.fixture(scope="module")
def ember_server():
    s = ServerProcess(EMBER).start()
    yield s
    s.stop()


@pytest.fixture
def r(ember_server):
    """A redis-py client (decoded responses) on a flushed ember-server."""
    c = ember_server.client()
    c.flushall()
    yield c
    c.close()


@pytest.fixture(scope="module")
def redis_server():
    """Debian's redis-server, for differential tests."""
    if not os.path.exists(REDIS):
        pytest.skip("redis-server not installed")
    s = ServerProcess(REDIS).start()
    yield s
    s.stop()


# --- connections whose replies are read later (blocking commands) ---

class Deferred:
    """A connection that sends a command now and reads its reply later."""

    def __init__(self, server):
        self.conn = Connection(host="127.0.0.1", port=server.port, decode_responses=True)
        self.conn.connect()
        self.send("CLIENT", "ID")
        self.id = self.read()

    def send(self, *args):
        self.conn.send_command(*args)

    def send_many(self, *commands):
        self.conn.send_packed_command(self.conn.pack_commands(commands))

    def read(self):
        return self.conn.read_response()

    def has_reply(self):
        return self.conn.can_read(timeout=0)

    def close(self):
        self.conn.disconnect()


def blocked(r):
    return int(r.info("clients")["blocked_clients"])


def wait_blocked(r, n):
    wait_until(lambda: blocked(r) == n)


@pytest.fixture
def deferred(ember_server):
    made = []

    def make(server=ember_server):
        d = Deferred(server)
        made.append(d)
        return d

    yield make
    for d in made:
        d.close()


def resp3_replies(port, cmds):
    """Sends cmds over a RESP3 connection and returns the raw reply bytes of each."""
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")

    def send(args):
        s.sendall(("*%d\r\n" % len(args) +
                   "".join("$%d\r\n%s\r\n" % (len(a), a) for a in args)).encode())

    def read_value():
        line = f.readline()
        t, rest = line[:1], line[1:-2]
        if t in (b"$", b"="):
            n = int(rest)
            return line + (f.read(n + 2) if n >= 0 else b"")
        if t in (b"*", b"%", b"~", b">"):
            n = int(rest) * (2 if t == b"%" else 1)
            return line + b"".join(read_value() for _ in range(max(n, 0)))
        return line

    send(["HELLO", "3"])
    read_value()
    out = []
    for cmd in cmds:
        send(cmd)
        out.append(read_value())
    s.close()
    return out
