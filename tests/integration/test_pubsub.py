"""Pub/Sub against the real binary: redis-py pubsub() listeners, patterns, shard channels,
the RESP2 subscribed-mode rule and RESP3 pushes over raw sockets, fan-out to many sockets and
of large payloads, cleanup on disconnect, CLIENT KILL TYPE pubsub, client-output-buffer-limit
(hard, soft, normal class) disconnecting a client that does not read, and differential checks
of the exact bytes against Debian's redis-server."""
import socket
import time

import pytest

from conftest import wait_until


def enc(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        a = a if isinstance(a, bytes) else str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


class Raw:
    """A raw RESP socket that reads exactly the values it expects (no sleeps)."""

    def __init__(self, port, rcvbuf=None):
        self.s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.s.connect(("127.0.0.1", port))
        self.s.settimeout(10)
        self.buf = b""

    def send(self, *args):
        self.s.sendall(enc(*args))

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

    def read_raw(self):
        """One complete RESP value, as the exact bytes received."""
        value_bytes = []

        def one():
            line = self._line()
            value_bytes.append(line + b"\r\n")
            t = line[:1]
            if t in b"$=":
                n = int(line[1:])
                if n >= 0:
                    while len(self.buf) < n + 2:
                        self._fill()
                    value_bytes.append(self.buf[:n + 2])
                    self.buf = self.buf[n + 2:]
            elif t in b"*>~%":
                n = int(line[1:])
                for _ in range(max(n, 0) * (2 if t == b"%" else 1)):
                    one()
        one()
        return b"".join(value_bytes)

    def call(self, *args):
        self.send(*args)
        return self.read_raw()

    def close(self):
        self.s.close()


def test_redis_py_listener_channels_and_patterns(r, ember_server):
    sub = ember_server.client()
    p = sub.pubsub(ignore_subscribe_messages=True)
    p.subscribe("news")
    p.psubscribe("sport.*")
    wait_until(lambda: r.pubsub_numsub("news") == [("news", 1)])
    assert r.pubsub_numpat() == 1
    assert r.publish("news", "hello") == 1
    assert r.publish("sport.tennis", "ace") == 1
    assert r.publish("weather", "rain") == 0
    got = [wait_until(lambda: p.get_message(timeout=0.1)) for _ in range(2)]
    assert got[0] == {"type": "message", "pattern": None, "channel": "news", "data": "hello"}
    assert got[1] == {"type": "pmessage", "pattern": "sport.*", "channel": "sport.tennis",
                      "data": "ace"}
    p.unsubscribe("news")
    p.punsubscribe()
    wait_until(lambda: r.pubsub_numsub("news") == [("news", 0)] and r.pubsub_numpat() == 0)
    assert r.publish("news", "x") == 0
    p.close()
    sub.close()


def test_redis_py_listen_thread_receives_in_order(r, ember_server):
    sub = ember_server.client()
    p = sub.pubsub(ignore_subscribe_messages=True)
    p.subscribe("seq")
    wait_until(lambda: r.pubsub_numsub("seq") == [("seq", 1)])
    pipe = r.pipeline(transaction=False)
    for i in range(500):
        pipe.publish("seq", str(i))
    assert pipe.execute() == [1] * 500
    seen = []
    while len(seen) < 500:
        m = p.get_message(timeout=5)
        if m:
            seen.append(int(m["data"]))
    assert seen == list(range(500))
    p.close()
    sub.close()


def test_shard_channels(r, ember_server):
    a = Raw(ember_server.port)
    assert a.call("SSUBSCRIBE", "s1", "s2") == b"*3\r\n$10\r\nssubscribe\r\n$2\r\ns1\r\n:1\r\n"
    assert a.read_raw() == b"*3\r\n$10\r\nssubscribe\r\n$2\r\ns2\r\n:2\r\n"
    assert a.call("PSUBSCRIBE", "*") == b"*3\r\n$10\r\npsubscribe\r\n$1\r\n*\r\n:1\r\n"
    assert r.execute_command("SPUBLISH", "s1", "x") == 1
    assert a.read_raw() == b"*3\r\n$8\r\nsmessage\r\n$2\r\ns1\r\n$1\r\nx\r\n"
    assert sorted(r.execute_command("PUBSUB", "SHARDCHANNELS")) == ["s1", "s2"]
    assert r.execute_command("PUBSUB", "SHARDNUMSUB", "s1", "zz") == ["s1", 1, "zz", 0]
    assert r.execute_command("PUBSUB", "CHANNELS") == []
    a.close()


def test_resp2_subscribed_mode_rule(ember_server):
    a = Raw(ember_server.port)
    a.call("SUBSCRIBE", "c")
    assert a.call("GET", "x") == (
        b"-ERR Can't execute 'get': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / "
        b"RESET are allowed in this context\r\n")
    assert a.call("PING") == b"*2\r\n$4\r\npong\r\n$0\r\n\r\n"
    assert a.call("RESET") == b"+RESET\r\n"
    assert a.call("GET", "x") == b"$-1\r\n"
    a.call("SUBSCRIBE", "c")
    assert a.call("QUIT") == b"+OK\r\n"
    a.close()


def test_resp3_pushes_and_commands_mix(r, ember_server):
    a = Raw(ember_server.port)
    a.call("HELLO", "3")
    assert a.call("SUBSCRIBE", "foo") == b">3\r\n$9\r\nsubscribe\r\n$3\r\nfoo\r\n:1\r\n"
    assert a.call("SET", "k", "v") == b"+OK\r\n"
    assert r.publish("foo", "from-other") == 1
    assert a.read_raw() == b">3\r\n$7\r\nmessage\r\n$3\r\nfoo\r\n$10\r\nfrom-other\r\n"
    # Publishing to itself: the reply first, then the push (Redis 7.2).
    assert a.call("PUBLISH", "foo", "self") == b":1\r\n"
    assert a.read_raw() == b">3\r\n$7\r\nmessage\r\n$3\r\nfoo\r\n$4\r\nself\r\n"
    a.send("MULTI")
    a.send("PUBLISH", "foo", "bar")
    a.send("GET", "k")
    a.send("EXEC")
    assert a.read_raw() == b"+OK\r\n"
    assert a.read_raw() == b"+QUEUED\r\n"
    assert a.read_raw() == b"+QUEUED\r\n"
    assert a.read_raw() == b"*2\r\n:1\r\n$1\r\nv\r\n"
    assert a.read_raw() == b">3\r\n$7\r\nmessage\r\n$3\r\nfoo\r\n$3\r\nbar\r\n"
    assert a.call("UNSUBSCRIBE") == b">3\r\n$11\r\nunsubscribe\r\n$3\r\nfoo\r\n:0\r\n"
    assert a.call("UNSUBSCRIBE") == b">3\r\n$11\r\nunsubscribe\r\n_\r\n:0\r\n"
    a.close()


def test_fan_out_to_many_sockets(r, ember_server):
    subs = [Raw(ember_server.port) for _ in range(200)]
    for s in subs:
        s.send("SUBSCRIBE", "wide")
    for s in subs:
        assert s.read_raw().endswith(b":1\r\n")
    assert r.publish("wide", "m1") == 200
    big = "z" * (1 << 20)
    assert r.publish("wide", big) == 200
    for s in subs:
        assert s.read_raw() == b"*3\r\n$7\r\nmessage\r\n$4\r\nwide\r\n$2\r\nm1\r\n"
        assert s.read_raw() == (b"*3\r\n$7\r\nmessage\r\n$4\r\nwide\r\n$1048576\r\n"
                                + big.encode() + b"\r\n")
    for s in subs:
        s.close()
    wait_until(lambda: r.pubsub_numsub("wide") == [("wide", 0)])
    assert r.publish("wide", "gone") == 0


def test_disconnect_drops_subscriptions_and_info_counts(r, ember_server):
    a = Raw(ember_server.port)
    a.call("SUBSCRIBE", "c1")
    a.call("PSUBSCRIBE", "p*")
    a.call("SSUBSCRIBE", "s")
    info = r.info("stats")
    assert (info["pubsub_channels"], info["pubsub_patterns"], info["pubsubshard_channels"]) \
        == (1, 1, 1)
    line = [c for c in r.client_list() if c["cmd"] == "ssubscribe"][0]
    assert (line["sub"], line["psub"], line["ssub"], line["flags"]) == ("1", "1", "1", "P")
    a.close()
    wait_until(lambda: r.info("stats")["pubsub_channels"] == 0)
    info = r.info("stats")
    assert (info["pubsub_patterns"], info["pubsubshard_channels"]) == (0, 0)


def test_client_kill_type_pubsub(r, ember_server):
    a = Raw(ember_server.port)
    a.call("SUBSCRIBE", "c")
    assert r.execute_command("CLIENT", "KILL", "TYPE", "pubsub") == 1
    with pytest.raises((ConnectionError, OSError)):
        a.read_raw()
    wait_until(lambda: r.pubsub_numsub("c") == [("c", 0)])


def subscriber_present(r, name):
    return any(c["name"] == name for c in r.client_list())


def test_hard_limit_disconnects_a_subscriber_that_does_not_read(r, ember_server):
    r.config_set("client-output-buffer-limit", "pubsub 100000 0 0")
    try:
        before = r.info("stats")["client_output_buffer_limit_disconnections"]
        slow = Raw(ember_server.port, rcvbuf=4096)
        slow.call("CLIENT", "SETNAME", "slow")
        slow.call("SUBSCRIBE", "flood")
        payload = "x" * 10000
        max_omem = 0
        for _ in range(5000):  # at most 50 MB; the limit is hit long before
            r.publish("flood", payload)
            lines = [c for c in r.client_list() if c["name"] == "slow"]
            if not lines:
                break
            max_omem = max(max_omem, int(lines[0]["omem"]))
            assert int(lines[0]["tot-mem"]) >= int(lines[0]["omem"])
        assert not subscriber_present(r, "slow")
        assert 0 < max_omem < 100000
        assert r.info("stats")["client_output_buffer_limit_disconnections"] == before + 1
        assert "overcoming of output buffer limits" in ember_server.read_log()
        slow.close()
    finally:
        r.config_set("client-output-buffer-limit", "pubsub 33554432 8388608 60")


def test_soft_limit_disconnects_after_its_seconds(r, ember_server):
    r.config_set("client-output-buffer-limit", "pubsub 0 50000 1")
    try:
        slow = Raw(ember_server.port, rcvbuf=4096)
        slow.call("CLIENT", "SETNAME", "soft")
        slow.call("SUBSCRIBE", "flood")
        payload = "y" * 10000
        for _ in range(5000):
            r.publish("flood", payload)
            lines = [c for c in r.client_list() if c["name"] == "soft"]
            if not lines or int(lines[0]["omem"]) > 50000:
                break
        # No more traffic: the cron notices the soft limit held for over a second.
        wait_until(lambda: not subscriber_present(r, "soft"), timeout=10)
        slow.close()
    finally:
        r.config_set("client-output-buffer-limit", "pubsub 33554432 8388608 60")


def test_normal_class_limit_drops_an_oversized_reply_unsent(r, ember_server):
    r.config_set("client-output-buffer-limit", "normal 100000 0 0")
    try:
        r.rpush("biglist", *(["v" * 1000] * 150))
        a = Raw(ember_server.port)
        a.call("CLIENT", "SETNAME", "big")
        a.send("LRANGE", "biglist", "0", "-1")
        wait_until(lambda: not subscriber_present(r, "big"))
        with pytest.raises((ConnectionError, OSError)):
            a.read_raw()
        assert a.buf == b""
        a.close()
    finally:
        r.config_set("client-output-buffer-limit", "normal 0 0 0")


def test_omem_counts_shared_chunks(r, ember_server):
    slow = Raw(ember_server.port, rcvbuf=4096)
    slow.call("CLIENT", "SETNAME", "omem")
    slow.call("SUBSCRIBE", "big")
    payload = "q" * 100000
    omem = 0
    for _ in range(200):
        r.publish("big", payload)
        omem = int([c for c in r.client_list() if c["name"] == "omem"][0]["omem"])
        if omem > 0:
            break
    assert omem > 0
    line = [c for c in r.client_list() if c["name"] == "omem"][0]
    assert int(line["oll"]) >= 1
    assert int(line["tot-mem"]) >= omem
    slow.close()


# --- differential: the same byte streams from ember and from redis-server ---

SCRIPT = [
    ("UNSUBSCRIBE",), ("PUNSUBSCRIBE",), ("SUNSUBSCRIBE",),
    ("SUBSCRIBE", "a", "b", "a"), ("PSUBSCRIBE", "a*"), ("SSUBSCRIBE", "s"),
    ("GET", "x"), ("CLIENT", "LIST"), ("PING",), ("PING", "hi"),
    ("UNSUBSCRIBE", "b", "zz"), ("PUNSUBSCRIBE", "a*"), ("SUNSUBSCRIBE", "s"),
    ("PUNSUBSCRIBE", "nope"), ("SUBSCRIBE",), ("UNSUBSCRIBE", "a"), ("GET", "x"),
]


def replay(port, script):
    a = Raw(port)
    out = []
    for cmd in script:
        a.send(*cmd)
        n = 1
        if cmd[0] in ("SUBSCRIBE", "UNSUBSCRIBE", "PSUBSCRIBE", "PUNSUBSCRIBE", "SSUBSCRIBE",
                      "SUNSUBSCRIBE") and len(cmd) > 1:
            n = len(cmd) - 1
        out.append(b"".join(a.read_raw() for _ in range(n)))
    a.close()
    return out


def test_differential_confirmations_and_errors(ember_server, redis_server):
    assert replay(ember_server.port, SCRIPT) == replay(redis_server.port, SCRIPT)


def test_differential_delivery_and_introspection(ember_server, redis_server):
    def run(port):
        subs = [Raw(port) for _ in range(3)]
        subs[0].call("SUBSCRIBE", "news.1")
        subs[1].call("PSUBSCRIBE", "news.*")
        subs[2].call("SUBSCRIBE", "news.1")
        pub = Raw(port)
        out = [pub.call("PUBLISH", "news.1", "m1"), pub.call("PUBLISH", "news.2", "m2"),
               pub.call("PUBLISH", "other", "m3"), pub.call("PUBSUB", "NUMSUB", "news.1", "x"),
               pub.call("PUBSUB", "NUMPAT"), pub.call("PUBSUB", "CHANNELS", "news*"),
               pub.call("PUBSUB", "CHANNELS", "a", "b"), pub.call("PUBSUB", "NUMPAT", "x"),
               pub.call("PUBSUB", "FOO"), pub.call("SPUBLISH", "news.1", "m4")]
        out += [subs[0].read_raw(), subs[1].read_raw(), subs[1].read_raw(), subs[2].read_raw()]
        for s in subs + [pub]:
            s.close()
        return out

    assert run(ember_server.port) == run(redis_server.port)
