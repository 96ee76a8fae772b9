"""Integration tests for the string family: the caching workloads applications run through
redis-py (TTL'd cache entries, SET NX EX one-time PINs, INCR counters, cache-aside reads,
pipelines), plus differential checks that send the same commands to ember-server and to a real
redis-server and compare replies (INCRBYFLOAT formatting, GETRANGE/SETRANGE edges, LCS,
error texts)."""
import socket

import pytest
import redis

from conftest import wait_until


# ---------------------------------------------------------------------------------------------
# Caching workload


def test_set_ex_cache_entry(r):
    assert r.set("session:1", "alice", ex=3600) is True
    assert r.get("session:1") == "alice"
    assert 3590 <= r.ttl("session:1") <= 3600
    assert r.set("session:1", "bob") is True  # plain SET drops the TTL
    assert r.ttl("session:1") == -1
    assert r.set("session:1", "carol", px=1500) is True
    assert 0 < r.pttl("session:1") <= 1500
    assert r.set("session:1", "dave", keepttl=True) is True
    assert 0 < r.pttl("session:1") <= 1500
    assert r.get("session:1") == "dave"


def test_short_ttl_expires(r):
    r.set("tmp", "x", px=30)
    wait_until(lambda: r.get("tmp") is None, timeout=5)
    assert r.exists("tmp") == 0


def test_unique_pins_with_set_nx_ex(r):
    issued = []
    for pin in ["1234", "5678", "1234", "9999", "5678"]:
        if r.set("pin:" + pin, "user", nx=True, ex=300):
            issued.append(pin)
    assert issued == ["1234", "5678", "9999"]
    assert r.get("pin:1234") == "user"
    assert 0 < r.ttl("pin:9999") <= 300


def test_counters(r):
    assert r.incr("hits") == 1
    assert r.incr("hits", 10) == 11
    assert r.decr("hits") == 10
    assert r.decr("hits", 5) == 5
    assert r.incrbyfloat("ratio", 0.5) == 0.5
    assert r.incrbyfloat("ratio", 0.25) == 0.75
    r.set("views", 100, ex=60)
    assert r.incr("views") == 101
    assert r.ttl("views") > 0  # INCR keeps the TTL
    r.set("name", "abc")
    with pytest.raises(redis.ResponseError, match="not an integer"):
        r.incr("name")


def test_cache_aside(r):
    backend_calls = []

    def load(user_id):
        key = "user:%d" % user_id
        cached = r.get(key)
        if cached is not None:
            return cached
        backend_calls.append(user_id)
        value = "profile-%d" % user_id
        r.set(key, value, ex=120)
        return value

    assert [load(i % 3) for i in range(9)] == ["profile-%d" % (i % 3) for i in range(9)]
    assert backend_calls == [0, 1, 2]


def test_pipeline(r):
    pipe = r.pipeline(transaction=False)
    for i in range(100):
        pipe.set("k%d" % i, i, ex=100)
        pipe.incr("counter")
    pipe.mget(["k0", "k50", "k99", "missing"])
    pipe.getrange("k99", 0, 0)
    results = pipe.execute()
    assert results[:4] == [True, 1, True, 2]
    assert results[199] == 100
    assert results[200] == ["0", "50", "99", None]
    assert results[201] == "9"


def test_multi_key_and_misc(r):
    assert r.mset({"a": "1", "b": "2"}) is True
    assert r.msetnx({"b": "3", "c": "4"}) is False
    assert r.msetnx({"c": "4", "d": "5"}) is True
    assert r.mget("a", "b", "c", "d", "e") == ["1", "2", "4", "5", None]
    assert r.append("a", "23") == 3
    assert r.strlen("a") == 3
    assert r.getset("a", "new") == "123"
    assert r.getdel("a") == "new"
    assert r.get("a") is None
    assert r.setex("s", 100, "v") is True
    assert r.getex("s", persist=True) == "v"
    assert r.ttl("s") == -1
    assert r.psetex("p", 100000, "v") is True
    assert r.setnx("p", "w") is False
    assert r.setrange("p", 1, "xyz") == 4
    assert r.get("p") == "vxyz"
    assert r.lcs("p", "s") == "v"


def test_binary_values(r):
    blob = bytes(range(256)) * 4
    rb = redis.Redis(host="127.0.0.1", port=r.connection_pool.connection_kwargs["port"])
    assert rb.set("blob", blob) is True
    assert rb.get("blob") == blob
    assert rb.append("blob", b"\x00\r\n") == len(blob) + 3
    assert rb.getrange("blob", -3, -1) == b"\x00\r\n"
    rb.close()


# ---------------------------------------------------------------------------------------------
# Differential tests against redis-server


@pytest.fixture
def both(r, redis_server):
    """Pairs of (ember, redis) clients with raw (bytes) replies, both flushed."""
    port = r.connection_pool.connection_kwargs["port"]
    e = redis.Redis(host="127.0.0.1", port=port)
    o = redis_server.client(decode_responses=False)
    o.flushall()
    yield e, o
    e.close()
    o.close()


def run(client, *args):
    if args[0] == "OBJECT":  # skip redis-py's reply callback for OBJECT
        args = ("OBJECT " + args[1],) + args[2:]
    try:
        return ("ok", client.execute_command(*args))
    except redis.ResponseError as err:
        return ("err", str(err))


def compare(both, commands):
    e, o = both
    for cmd in commands:
        assert run(e, *cmd) == run(o, *cmd), cmd


def test_diff_incrbyfloat(both):
    cmds = []
    for start, incr in [("0", "0.1"), ("1", "1"), ("10.5", "-0.5"), ("3.0e3", "1.5"),
                        ("5", "1e300"), ("-1", "1"), ("0.1", "0.2"), ("1", "-1e-10"),
                        ("17", "3.0000000000000000001"), ("1e-5", "0"), ("7", "2.5e-2"),
                        ("abc", "1"), ("1", "abc"), ("1", "inf"), ("1", " 1"), ("1", "0x10"),
                        ("123456789012345678", "1.5"), ("1.7976931348623157e308", "1e308")]:
        cmds += [("SET", "f", start), ("INCRBYFLOAT", "f", incr), ("GET", "f"),
                 ("OBJECT", "ENCODING", "f")]
    cmds += [("INCRBYFLOAT", "new", "2.5"), ("INCRBYFLOAT", "new", "-2.5"), ("GET", "new")]
    compare(both, cmds)


def test_diff_getrange_setrange(both):
    cmds = [("SET", "k", "Hello World"), ("SET", "i", "-12345"), ("SET", "e", "")]
    ranges = [(0, 4), (-5, -1), (0, -1), (-1, -5), (5, 3), (-100, 2), (-100, -50), (20, 30),
              (0, 100), (3, 3), (-1, -1), (10, 10), (11, 11), (-11, -11), (-12, -12),
              (0, -100), (-9223372036854775808, 9223372036854775807)]
    for key in ["k", "i", "e", "missing"]:
        for start, end in ranges:
            cmds.append(("GETRANGE", key, start, end))
    cmds += [("GETRANGE", "k", "x", 1), ("SUBSTR", "k", 1, 3)]
    cmds += [("SETRANGE", "n", 0, ""), ("EXISTS", "n"), ("SETRANGE", "n", 3, "ab"),
             ("GET", "n"), ("SETRANGE", "k", 6, "Redis"), ("GET", "k"),
             ("SETRANGE", "k", 15, "!"), ("GET", "k"), ("SETRANGE", "i", 0, ""),
             ("OBJECT", "ENCODING", "i"), ("SETRANGE", "i", 1, "9"), ("GET", "i"),
             ("OBJECT", "ENCODING", "i"), ("SETRANGE", "k", -1, "x"),
             ("SETRANGE", "k", "x", "x"), ("SETRANGE", "k", 536870911, "xx"),
             ("SETRANGE", "k", 536870910, ""), ("APPEND", "ap", "12"),
             ("OBJECT", "ENCODING", "ap"), ("APPEND", "ap", "3"), ("OBJECT", "ENCODING", "ap"),
             ("INCR", "ap"), ("OBJECT", "ENCODING", "ap")]
    compare(both, cmds)


def test_diff_lcs(both):
    cmds = [("MSET", "a", "ohmytext", "b", "mynewtext", "c", "ATCGTAGGCTAACGTTA",
             "d", "TTAGCCAGTACGTAGGAT", "n", "1234512345", "m", "5432154321")]
    pairs = [("a", "b"), ("b", "a"), ("c", "d"), ("d", "c"), ("n", "m"), ("a", "missing"),
             ("missing", "missing"), ("a", "a")]
    opts = [(), ("LEN",), ("IDX",), ("IDX", "WITHMATCHLEN"), ("IDX", "MINMATCHLEN", "2"),
            ("IDX", "MINMATCHLEN", "3", "WITHMATCHLEN"), ("idx", "minmatchlen", "-1"),
            ("LEN", "IDX"), ("MINMATCHLEN",), ("FOO",), ("MINMATCHLEN", "x")]
    for x, y in pairs:
        for opt in opts:
            cmds.append(("LCS", x, y) + opt)
    compare(both, cmds)


def test_diff_set_options_and_errors(both):
    cmds = [("SET", "k", "v", "EX", "0"), ("SET", "k", "v", "NX", "XX"),
            ("SET", "k", "v", "EX", "10", "KEEPTTL"), ("SET", "k", "v", "NX", "NX"),
            ("SET", "k", "v", "GET", "GET"), ("SET", "k", "v", "EX", "abc"),
            ("SET", "k", "v", "EX", "abc", "NX", "XX"), ("SET", "k", "v", "EX"),
            ("SET", "k", "v", "PX", "-1"), ("SET", "k", "v", "EX", "9223372036854775807"),
            ("SET", "k", "w", "XX", "GET"), ("SET", "z", "w", "XX", "GET"), ("EXISTS", "z"),
            ("SET", "k", "x", "NX", "GET"), ("GET", "k"), ("GETEX", "k", "PERSIST", "EX", "1"),
            ("GETEX", "k", "EX", "abc"), ("GETEX", "nokey", "EX", "abc"),
            ("GETEX", "k", "EX", "0"), ("GETEX", "k", "KEEPTTL"), ("SETEX", "k", "0", "v"),
            ("SETEX", "k", "x", "v"), ("PSETEX", "k", "0", "v"), ("MSET", "a"),
            ("MSET", "a", "b", "c"), ("MSETNX", "a", "b", "c"),
            ("DECRBY", "d", "-9223372036854775808"),
            ("SET", "big", "9223372036854775807"), ("INCR", "big"), ("INCRBY", "big", "x"),
            ("SET", "s", "012"), ("OBJECT", "ENCODING", "s"), ("INCR", "s"),
            ("SET", "s", "12"), ("OBJECT", "ENCODING", "s"), ("SET", "s", "x" * 44),
            ("OBJECT", "ENCODING", "s"), ("SET", "s", "x" * 45), ("OBJECT", "ENCODING", "s"),
            ("SETRANGE", "s", 0, "")]
    e, o = both
    for cmd in cmds:
        got, want = run(e, *cmd), run(o, *cmd)
        if got[0] == "err" and "unknown command" in got[1]:
            continue  # OBJECT belongs to another family that may not be built yet
        assert got == want, cmd


def test_diff_wrong_type(both):
    e, o = both
    if run(e, "LPUSH", "l", "a")[0] == "err":
        pytest.skip("lists not implemented yet")
    run(o, "LPUSH", "l", "a")
    compare(both, [("SET", "l", "v", "GET"), ("SET", "l", "v", "NX", "GET"),
                   ("SET", "l", "v", "EX", "0", "GET"), ("GET", "l"), ("GETDEL", "l"),
                   ("INCR", "l"), ("INCRBY", "l", "x"), ("APPEND", "l", "x"), ("STRLEN", "l"),
                   ("GETRANGE", "l", 0, 1), ("GETRANGE", "l", "x", 1), ("SETRANGE", "l", 0, "x"),
                   ("SETRANGE", "l", 0, ""), ("MGET", "l", "k"), ("LCS", "l", "k"),
                   ("LCS", "l", "k", "FOO"), ("INCRBYFLOAT", "l", "1"), ("GETSET", "l", "v"),
                   ("GETEX", "l"), ("GETEX", "l", "EX", "abc"), ("SET", "l", "v"), ("GET", "l")])


def test_set_with_past_timestamp(both):
    e, o = both
    for c in (e, o):
        assert c.set("k", "v", pxat=1) is True
        assert c.dbsize() == 1
        assert c.exists("k") == 0
        assert c.set("k", "v") is True
        assert c.getex("k", pxat=1) == b"v"
        assert c.dbsize() == 0


def read_raw_reply(f):
    """Reads one complete RESP2/RESP3 value from file f and returns its raw bytes."""
    line = f.readline()
    kind, body = line[:1], line[1:-2]
    if kind in (b"$", b"=", b"!"):
        n = int(body)
        return line + (f.read(n + 2) if n >= 0 else b"")
    if kind in (b"*", b"~", b">", b"%", b"|"):
        n = int(body)
        count = n * 2 if kind in (b"%", b"|") else n
        return line + b"".join(read_raw_reply(f) for _ in range(max(count, 0)))
    return line


def resp3_exchange(port, commands):
    """Sends commands on a RESP3 connection and returns each raw reply (after HELLO 3)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        f = s.makefile("rb")

        def call(args):
            out = b"*%d\r\n" % len(args)
            for a in args:
                a = a.encode() if isinstance(a, str) else a
                out += b"$%d\r\n%s\r\n" % (len(a), a)
            s.sendall(out)
            return read_raw_reply(f)

        call(["HELLO", "3"])
        return [call(cmd) for cmd in commands]


def test_diff_lcs_resp3(both, ember_server, redis_server):
    e, o = both
    for c in (e, o):
        c.mset({"a": "ohmytext", "b": "mynewtext"})
    cmds = [["LCS", "a", "b", "IDX", "WITHMATCHLEN"], ["LCS", "a", "b", "LEN"],
            ["INCRBYFLOAT", "f", "1.5"], ["GETEX", "nokey"]]
    assert resp3_exchange(ember_server.port, cmds) == resp3_exchange(redis_server.port, cmds)
