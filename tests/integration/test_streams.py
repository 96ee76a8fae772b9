"""Stream commands without consumer groups (XADD, XLEN, XRANGE, XREVRANGE, XREAD with BLOCK,
XDEL, XTRIM, XSETID) against the real binary with redis-py, including a blocking XREAD woken
by an XADD from another connection, and differential checks: the same commands sent to Ember
and to Debian's redis-server must get the same replies (errors included). Tests wait for
conditions (INFO blocked_clients), never for time."""
import socket

import pytest
import redis
from redis.connection import Connection

from conftest import Deferred, blocked, deferred, wait_blocked, wait_until  # noqa: F401


def test_xadd_xrange_roundtrip(r):
    ids = [r.xadd("s", {"name": "sensor-%d" % i, "value": i}) for i in range(250)]
    assert r.xlen("s") == 250
    entries = r.xrange("s")
    assert [e[0] for e in entries] == ids
    assert entries[7][1] == {"name": "sensor-7", "value": "7"}
    assert r.xrevrange("s", count=3) == entries[:-4:-1]
    assert r.xrange("s", min=ids[10], max=ids[12]) == entries[10:13]
    assert r.xrange("s", min="(" + ids[10], max=ids[12]) == entries[11:13]


def test_xadd_maxlen_and_nomkstream(r):
    for i in range(20):
        r.xadd("s", {"i": i}, maxlen=5, approximate=False)
    assert r.xlen("s") == 5
    assert r.xadd("missing", {"a": 1}, nomkstream=True) is None
    assert r.exists("missing") == 0
    assert r.xtrim("s", maxlen=2, approximate=False) == 3
    first = r.xrange("s")[0][0]
    r.xadd("s", {"i": 99})
    assert r.xtrim("s", minid=first, approximate=False) == 0
    assert r.xdel("s", first) == 1
    assert r.xlen("s") == 2


def test_xread_resp2_shape(r):
    r.xadd("a", {"f": "1"}, id="1-1")
    r.xadd("b", {"f": "2"}, id="2-1")
    assert r.xread({"a": 0, "b": "1-1", "c": 0}) == [
        ["a", [("1-1", {"f": "1"})]],
        ["b", [("2-1", {"f": "2"})]],
    ]
    assert r.xread({"a": "$"}) == []


def resp(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        out += b"$%d\r\n%s\r\n" % (len(a), a.encode())
    return out


def test_xread_resp3_is_a_map(ember_server):
    want = (b"%1\r\n$1\r\ns\r\n*1\r\n*2\r\n$3\r\n1-1\r\n*2\r\n$1\r\nf\r\n$1\r\nv\r\n"
            b"_\r\n")
    with socket.create_connection(("127.0.0.1", ember_server.port), timeout=10) as sock:
        sock.sendall(resp("HELLO", "3") + resp("DEL", "s") + resp("XADD", "s", "1-1", "f", "v") +
                     resp("XREAD", "STREAMS", "s", "0") + resp("XREAD", "STREAMS", "s", "$"))
        data = b""
        while not data.endswith(want):
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk


def test_blocking_xread_woken_by_xadd(r, deferred):
    r.xadd("s", {"old": "1"}, id="1-1")
    w = deferred()
    w.send("XREAD", "BLOCK", "0", "STREAMS", "s", "$")
    wait_until(lambda: blocked(r) == 1)
    # Deleting entries or the key does not serve the reader.
    r.xdel("s", "1-1")
    r.delete("s")
    r.lpush("s", "x")
    r.delete("s")
    assert blocked(r) == 1 and not w.has_reply()
    new_id = r.xadd("s", {"new": "2"})
    assert w.read() == [["s", [[new_id, ["new", "2"]]]]]
    assert blocked(r) == 0


def test_blocking_xread_timeout_and_several_readers(r, deferred):
    readers = [deferred() for _ in range(3)]
    for d in readers:
        d.send("XREAD", "BLOCK", "0", "STREAMS", "s", "0")
    wait_until(lambda: blocked(r) == 3)
    r.xadd("s", {"k": "v"}, id="5-5")
    for d in readers:
        assert d.read() == [["s", [["5-5", ["k", "v"]]]]]
    t = deferred()
    t.send("XREAD", "BLOCK", "50", "STREAMS", "s", "$")
    assert t.read() is None


def test_generic_commands_on_streams(r):
    r.xadd("s", {"a": "1"}, id="1-1")
    assert r.type("s") == "stream"
    assert r.object("encoding", "s") == "stream"
    assert r.copy("s", "c") == 1
    assert r.xrange("c") == [("1-1", {"a": "1"})]
    assert r.memory_usage("s") > 0
    assert r.scan(0, _type="stream")[1] in (["s", "c"], ["c", "s"])
    assert r.unlink("s", "c") == 2


# --- differential ------------------------------------------------------------------------------

DIFF_SCRIPT = [
    ("SET", "str", "x"),
    ("XADD", "s", "0-0", "f", "v"),
    ("XADD", "s", "0-*", "f", "v"),
    ("XADD", "s", "1-1", "a", "1", "b", "2"),
    ("XADD", "s", "1-1", "a", "1"),
    ("XADD", "s", "1-*", "c", "3"),
    ("XADD", "s", "1", "c", "3"),
    ("XADD", "s", "-", "c", "3"),
    ("XADD", "s", "1-x", "c", "3"),
    ("XADD", "s", "*", "f"),
    ("XADD", "s", "MAXLEN", "-1", "*", "f", "v"),
    ("XADD", "s", "MAXLEN", "1", "LIMIT", "5", "*", "f", "v"),
    ("XADD", "s", "LIMIT", "5", "*", "f", "v"),
    ("XADD", "s", "MAXLEN", "1", "MINID", "1", "*", "f", "v"),
    ("XADD", "str", "*", "f", "v"),
    ("XADD", "nokey", "NOMKSTREAM", "*", "f", "v"),
    ("XADD", "s", "2-1", "x", "10"),
    ("XADD", "s", "2-2", "y", "-20", "z", ""),
    ("XLEN", "s"),
    ("XLEN", "str"),
    ("XRANGE", "s", "-", "+"),
    ("XRANGE", "s", "(1-1", "+", "COUNT", "2"),
    ("XRANGE", "s", "-", "(2-2"),
    ("XRANGE", "s", "2", "2"),
    ("XRANGE", "s", "-", "+", "COUNT", "0"),
    ("XRANGE", "nokey", "-", "+", "COUNT", "0"),
    ("XRANGE", "s", "(18446744073709551615-18446744073709551615", "+"),
    ("XRANGE", "s", "-", "(0-0"),
    ("XRANGE", "s", "(-", "+"),
    ("XRANGE", "str", "-", "+"),
    ("XRANGE", "s", "-", "+", "COUNT"),
    ("XREVRANGE", "s", "+", "-", "COUNT", "2"),
    ("XREVRANGE", "s", "(2-2", "(1-1"),
    ("XREAD", "COUNT", "2", "STREAMS", "s", "nokey", "0", "0"),
    ("XREAD", "STREAMS", "s", "$"),
    ("XREAD", "STREAMS", "s", "str", "0", "0"),
    ("XREAD", "STREAMS", "s", "-"),
    ("XREAD", "STREAMS", "s", ">"),
    ("XREAD", "NOACK", "STREAMS", "s", "0"),
    ("XREAD", "BLOCK", "-1", "STREAMS", "s", "0"),
    ("XREAD", "BLOCK", "abc", "STREAMS", "s", "0"),
    ("XREAD", "COUNT", "1", "s", "0"),
    ("XDEL", "s", "1-1", "abc"),
    ("XDEL", "s", "1-1", "1-1", "9-9"),
    ("XDEL", "str", "abc"),
    ("XTRIM", "s", "MAXLEN", "1", "foo"),
    ("XTRIM", "s", "MAXLEN", "10", "LIMIT", "1"),
    ("XTRIM", "s", "MINID", "~", "2-2"),
    ("XTRIM", "s", "MINID", "2-2"),
    ("XTRIM", "nokey", "MAXLEN", "0"),
    ("XRANGE", "s", "-", "+"),
    ("XSETID", "s", "1-1"),
    ("XSETID", "nokey", "1-1"),
    ("XSETID", "s", "5-5", "ENTRIESADDED", "-1"),
    ("XSETID", "s", "5-5", "ENTRIESADDED", "0"),
    ("XSETID", "s", "5-5", "MAXDELETEDID", "6-6"),
    ("XSETID", "s", "5-5", "MAXDELETEDID", "4-4", "ENTRIESADDED", "9"),
    # (XSETID below the max deleted id is refused by 7.2, accepted by Debian's 7.0: unit test)
    ("XADD", "s", "5-5", "f", "v"),
    ("XADD", "s", "5-*", "f", "v"),
    ("XADD", "s", "18446744073709551615-18446744073709551615", "f", "v"),
    ("XADD", "s", "*", "f", "v"),
    ("TYPE", "s"),
]


def replies(server, script):
    c = server.client(decode_responses=True)
    c.flushall()
    out = []
    for cmd in script:
        try:
            out.append(c.execute_command(*cmd))
        except redis.ResponseError as e:
            out.append("ERR:" + str(e))
    c.close()
    return out


def test_differential_with_redis(ember_server, redis_server):
    got = replies(ember_server, DIFF_SCRIPT)
    want = replies(redis_server, DIFF_SCRIPT)
    for cmd, g, w in zip(DIFF_SCRIPT, got, want):
        assert g == w, cmd


def test_differential_approximate_trimming(ember_server, redis_server):
    script = [("CONFIG", "SET", "stream-node-max-entries", "10")]
    script += [("XADD", "s", "%d-1" % i, "f", "v") for i in range(1, 101)]
    script += [
        ("XTRIM", "s", "MAXLEN", "~", "55"),
        ("XLEN", "s"),
        ("XTRIM", "s", "MAXLEN", "~", "0", "LIMIT", "15"),
        ("XTRIM", "s", "MINID", "~", "75"),
        ("XADD", "s", "MAXLEN", "~", "5", "LIMIT", "10", "101-1", "f", "v"),
        ("XLEN", "s"),
        ("XRANGE", "s", "-", "+", "COUNT", "1"),
        ("CONFIG", "SET", "stream-node-max-entries", "100"),
    ]
    assert replies(ember_server, script) == replies(redis_server, script)
