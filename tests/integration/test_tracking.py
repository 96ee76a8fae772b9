"""Client-side caching (CLIENT TRACKING) against the real binary: RESP3 invalidation pushes on
raw sockets (after the command's reply, also for transactions), RESP2 redirects to a redis-py
Pub/Sub connection, BCAST prefixes and NOLOOP, active expiry, flushes (null invalidation),
broken redirects, the tracking-table-max-keys limit, and differential runs that compare the
exact replies and pushes with Debian's redis-server. No sleeps: every expected message is read
with a socket timeout, every condition polled."""
import socket

import pytest

from conftest import wait_until


def enc(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Raw:
    """A raw RESP connection that parses values (pushes included) as nested Python lists."""

    def __init__(self, port, resp3=False):
        self.s = socket.create_connection(("127.0.0.1", port))
        self.s.settimeout(10)
        self.buf = b""
        if resp3:
            self.call("HELLO", "3")

    def close(self):
        self.s.close()

    def send(self, *args):
        self.s.sendall(enc(*args))

    def call(self, *args):
        self.send(*args)
        return self.read()

    def _fill(self):
        d = self.s.recv(1 << 16)
        if not d:
            raise ConnectionError("closed")
        self.buf += d

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def read(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t in (b"+", b"-"):
            return ("ERR:" if t == b"-" else "") + rest.decode()
        if t == b":":
            return int(rest)
        if t == b"_":
            return None
        if t in (b"$", b"="):
            n = int(rest)
            if n < 0:
                return None
            while len(self.buf) < n + 2:
                self._fill()
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data.decode()
        if t in (b"*", b"~", b">", b"%"):
            n = int(rest)
            if n < 0:
                return None
            if t == b"%":
                n *= 2
            items = [self.read() for _ in range(n)]
            return (["PUSH"] + items) if t == b">" else items
        raise AssertionError("unexpected %r" % line)

    def nothing_pending(self):
        """True if no byte is waiting (a PING round trip proves the server wrote nothing)."""
        return self.call("PING") == "PONG"


@pytest.fixture
def clean(ember_server):
    c = ember_server.client()
    c.flushall()
    c.config_set("tracking-table-max-keys", 1000000)
    yield c
    c.close()


def test_resp3_invalidation_after_reply(ember_server, clean):
    a = Raw(ember_server.port, resp3=True)
    assert a.call("CLIENT", "TRACKING", "on") == "OK"
    clean.set("k", "1")
    assert a.call("GET", "k") == "1"
    clean.set("k", "2")
    assert a.read() == ["PUSH", "invalidate", ["k"]]
    # Own write: the push follows the reply.
    assert a.call("GET", "k") == "2"
    assert a.call("SET", "k", "3") == "OK"
    assert a.read() == ["PUSH", "invalidate", ["k"]]
    # Transactions: after the EXEC array.
    a.call("GET", "k")
    a.call("MULTI")
    a.call("INCR", "k")
    assert a.call("EXEC") == [4]
    assert a.read() == ["PUSH", "invalidate", ["k"]]
    assert a.nothing_pending()
    a.close()


def test_resp2_redirect_to_pubsub_connection(ember_server, clean):
    sub = clean.pubsub()
    sub.subscribe("__redis__:invalidate")
    assert sub.get_message(timeout=5)["type"] == "subscribe"
    sub_id = wait_until(lambda: [c["id"] for c in clean.client_list(_type="pubsub")])[0]
    tracker = ember_server.client()
    assert tracker.execute_command("CLIENT", "TRACKING", "on", "REDIRECT", sub_id) == "OK"
    assert int(tracker.execute_command("CLIENT", "GETREDIR")) == int(sub_id)
    tracker.mget("a", "b")
    clean.set("a", "1")
    msg = sub.get_message(timeout=5)
    assert msg["channel"] == "__redis__:invalidate" and msg["data"] == ["a"]
    clean.flushall()
    msg = sub.get_message(timeout=5)
    assert msg["channel"] == "__redis__:invalidate" and msg["data"] is None
    sub.close()
    tracker.close()


def test_bcast_prefixes_and_noloop(ember_server, clean):
    a = Raw(ember_server.port, resp3=True)
    assert a.call("CLIENT", "TRACKING", "on", "BCAST", "PREFIX", "user:", "NOLOOP") == "OK"
    clean.mset({"user:1": "x", "item:1": "y"})
    assert a.read() == ["PUSH", "invalidate", ["user:1"]]
    a.call("SET", "user:2", "mine")  # NOLOOP: nothing for a's own write
    clean.set("user:3", "theirs")
    assert a.read() == ["PUSH", "invalidate", ["user:3"]]
    assert a.nothing_pending()
    info = a.call("CLIENT", "TRACKINGINFO")
    assert info == ["flags", ["on", "bcast", "noloop"], "redirect", 0, "prefixes", ["user:"]]
    a.close()


def test_active_expiry_is_broadcast(ember_server, clean):
    a = Raw(ember_server.port, resp3=True)
    a.call("CLIENT", "TRACKING", "on", "BCAST", "NOLOOP")
    a.call("SET", "short", "v", "PX", "20")
    assert a.read() == ["PUSH", "invalidate", ["short"]]  # expired by cron: nobody's write
    a.close()


def test_broken_redirect(ember_server, clean):
    target = Raw(ember_server.port)
    target_id = target.call("CLIENT", "ID")
    a = Raw(ember_server.port, resp3=True)
    a.call("CLIENT", "TRACKING", "on", "REDIRECT", target_id)
    a.call("GET", "k")
    target.close()
    wait_until(lambda: all(c["id"] != str(target_id) for c in clean.client_list()))
    clean.set("k", "1")
    assert a.read() == ["PUSH", "tracking-redir-broken", target_id]
    info = a.call("CLIENT", "TRACKINGINFO")
    assert info[1] == ["on", "broken_redirect"] and info[3] == target_id
    assert "flags=tR" in a.call("CLIENT", "INFO")
    a.close()


def test_table_limit_invalidates_down_to_the_limit(ember_server, clean):
    a = Raw(ember_server.port, resp3=True)
    a.call("CLIENT", "TRACKING", "on")
    for i in range(300):
        a.call("GET", "key%d" % i)
    assert clean.info()["tracking_total_keys"] == 300
    clean.config_set("tracking-table-max-keys", 10)
    seen = set()
    while len(seen) < 290:  # the cron evicts even with no command from a
        push = a.read()
        assert push[:2] == ["PUSH", "invalidate"]
        seen.update(push[2])
    assert clean.info()["tracking_total_keys"] == 10
    assert a.nothing_pending()
    a.close()


def test_client_list_fields(ember_server, clean):
    a = Raw(ember_server.port)
    line = a.call("CLIENT", "INFO")
    assert " redir=-1 " in line
    a.call("CLIENT", "TRACKING", "on", "BCAST")
    line = a.call("CLIENT", "INFO")
    assert "flags=tB " in line and " redir=0 " in line
    assert clean.info()["tracking_clients"] >= 1
    a.call("RESET")
    assert "flags=N " in a.call("CLIENT", "INFO")
    a.close()


# --- differential: the same conversation with ember-server and redis-server -------------------

def scenario(port):
    """Replies and pushes of a tracking conversation, with client ids normalized."""
    out = []
    a = Raw(port, resp3=True)
    w = Raw(port)
    w.call("FLUSHALL")
    other = Raw(port)
    other_id = other.call("CLIENT", "ID")

    def norm(value):
        if isinstance(value, list):
            return [norm(v) for v in value]
        return "<other-id>" if value == other_id else value

    def rec(value):
        out.append(norm(value))

    for cmd in (["CLIENT", "TRACKINGINFO"], ["CLIENT", "GETREDIR"],
                ["CLIENT", "TRACKING", "on", "OPTIN"], ["GET", "a"],
                ["CLIENT", "CACHING", "yes"], ["CLIENT", "TRACKINGINFO"], ["MGET", "a", "b"],
                ["GET", "c"]):
        rec(a.call(*cmd))
    w.call("MSET", "a", "1", "b", "2", "c", "3")
    rec(a.read())
    rec(a.read())
    rec(a.call("CLIENT", "TRACKING", "on", "OPTOUT"))
    rec(a.call("CLIENT", "TRACKING", "on", "BCAST"))
    rec(a.call("CLIENT", "TRACKING", "off"))
    rec(a.call("CLIENT", "TRACKING", "on", "REDIRECT", other_id, "NOLOOP"))
    rec(a.call("CLIENT", "TRACKINGINFO"))
    rec(a.call("CLIENT", "GETREDIR"))
    rec(a.call("CLIENT", "TRACKING", "off"))
    for cmd in (["on", "BCAST", "PREFIX", "ab", "PREFIX", "a"], ["on", "BCAST", "PREFIX", "x"],
                ["on", "BCAST", "PREFIX", "xy"], ["on", "BCAST"], ["on", "PREFIX", "p"],
                ["on", "REDIRECT", "-5"], ["on", "REDIRECT", "1.5"], ["sideways"],
                ["on", "OPTIN", "OPTOUT"], ["on", "BCAST", "OPTOUT"]):
        rec(a.call("CLIENT", "TRACKING", *cmd))
    rec(a.call("CLIENT", "TRACKINGINFO"))
    rec(a.call("CLIENT", "TRACKING", "off"))
    rec(a.call("CLIENT", "TRACKING", "on"))
    rec(a.call("GET", "a"))
    rec(a.call("FLUSHDB"))
    rec(a.read())
    rec(a.call("CLIENT", "CACHING", "no"))
    for c in (a, w, other):
        c.close()
    return out


def test_matches_redis(ember_server, redis_server):
    assert scenario(ember_server.port) == scenario(redis_server.port)
