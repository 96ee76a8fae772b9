"""Stream consumer groups against the real binary: XREADGROUP blocking across connections
(woken by XADD, released with NOGROUP / WRONGTYPE when the key or group goes away), a pool of
blocked consumers sharing a group, keyspace events, and differential runs of the group commands
against Debian's redis-server (7.0: the fields 7.2 added or changed are left out of the
comparison). Tests wait for conditions (INFO blocked_clients), never for time."""
import socket

import pytest
import redis
from redis.connection import Connection

from conftest import Deferred, blocked, deferred, wait_blocked, wait_until  # noqa: F401


def read_group(d, consumer="alice", block=0, group="g", key="s", extra=()):
    d.send("XREADGROUP", "GROUP", group, consumer, *extra, "BLOCK", block, "STREAMS", key, ">")


def test_blocked_xreadgroup_is_woken_by_xadd(r, deferred):
    r.xgroup_create("s", "g", "$", mkstream=True)
    d = deferred()
    read_group(d)
    wait_blocked(r, 1)
    assert r.info("clients")["total_blocking_keys_on_nokey"] == 1
    r.xadd("s", {"f": "v"}, id="5-0")
    assert d.read() == [["s", [["5-0", ["f", "v"]]]]]
    assert blocked(r) == 0
    assert r.info("clients")["total_blocking_keys_on_nokey"] == 0
    # Delivered through the group: pending for alice, the group moved on.
    assert r.xpending("s", "g")["pending"] == 1
    assert r.xinfo_groups("s")[0]["last-delivered-id"] == "5-0"


def test_blocked_xreadgroup_with_count_and_noack(r, deferred):
    r.xgroup_create("s", "g", "$", mkstream=True)
    d = deferred()
    read_group(d, extra=("COUNT", 1, "NOACK"))
    wait_blocked(r, 1)
    r.execute_command("MULTI")
    r.execute_command("XADD", "s", "1-0", "a", "1")
    r.execute_command("XADD", "s", "2-0", "b", "2")
    r.execute_command("EXEC")
    assert d.read() == [["s", [["1-0", ["a", "1"]]]]]
    assert r.xpending("s", "g")["pending"] == 0


def test_pool_of_blocked_consumers_gets_each_entry_once(r, deferred):
    r.xgroup_create("s", "g", "$", mkstream=True)
    workers = [deferred() for _ in range(3)]
    for i, d in enumerate(workers):
        read_group(d, consumer="w%d" % i, extra=("COUNT", 1))
    wait_blocked(r, 3)
    for i in range(3):
        r.xadd("s", {"n": str(i)}, id="%d-0" % (i + 1))
    got = sorted(d.read()[0][1][0][0] for d in workers)
    assert got == ["1-0", "2-0", "3-0"]
    pending = r.xpending_range("s", "g", "-", "+", 10)
    assert sorted(p["consumer"] for p in pending) == ["w0", "w1", "w2"]


@pytest.mark.parametrize("change, error", [
    (lambda r: r.delete("s"), "NOGROUP"),
    (lambda r: r.xgroup_destroy("s", "g"), "NOGROUP"),
    (lambda r: r.flushall(), "NOGROUP"),
    (lambda r: r.set("s", "x"), "WRONGTYPE"),
])
def test_blocked_xreadgroup_released_when_key_or_group_goes(r, deferred, change, error):
    r.xadd("s", {"f": "v"}, id="1-0")
    r.xgroup_create("s", "g", "$")
    d = deferred()
    read_group(d)
    wait_blocked(r, 1)
    change(r)
    with pytest.raises(redis.ResponseError, match=error):
        d.read()
    assert blocked(r) == 0


def test_type_change_in_transaction_releases_with_wrongtype(r, deferred):
    r.xadd("s", {"f": "v"}, id="1-0")
    r.xgroup_create("s", "g", "$")
    d = deferred()
    read_group(d)
    wait_blocked(r, 1)
    with r.pipeline(transaction=True) as p:
        p.delete("s")
        p.sadd("s", "e1")
        p.execute()
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        d.read()


@pytest.mark.parametrize("other, error", [(None, "NOGROUP"), ("list", "WRONGTYPE")])
def test_swapdb_releases_blocked_xreadgroup(ember_server, r, deferred, other, error):
    db4 = ember_server.client(db=4)
    db4.flushdb()
    if other == "list":
        db4.lpush("s", "e1")
    r.xadd("s", {"f": "v"}, id="1-0")
    r.xgroup_create("s", "g", "$")
    d = deferred()
    read_group(d)
    wait_blocked(r, 1)
    r.swapdb(4, 0)
    with pytest.raises(redis.ResponseError, match=error):
        d.read()
    db4.flushdb()


def test_rename_brings_data_or_nogroup(r, deferred):
    r.xgroup_create("s", "g", "$", mkstream=True)
    d = deferred()
    read_group(d)
    wait_blocked(r, 1)
    r.xgroup_create("other", "g", "$", mkstream=True)
    r.xadd("other", {"f1": "v1"}, id="100-0")
    r.rename("other", "s")
    assert d.read() == [["s", [["100-0", ["f1", "v1"]]]]]

    read_group(d)
    wait_blocked(r, 1)
    r.xadd("nogroup", {"f": "v"}, id="1-0")
    r.rename("nogroup", "s")
    with pytest.raises(redis.ResponseError, match="NOGROUP"):
        d.read()


def test_block_timeout_replies_nil_and_ignores_deleted_tail(r, deferred):
    r.xgroup_create("s", "g", "$", mkstream=True)
    r.xadd("s", {"f": "v"}, id="666-0")
    assert r.xreadgroup("g", "alice", {"s": ">"}, block=10) == [["s", [("666-0", {"f": "v"})]]]
    r.xadd("s", {"f": "v"}, id="667-0")
    r.xdel("s", "667-0")
    d = deferred()
    read_group(d, block=10)
    assert d.read() is None  # blocked (nothing live after 666-0), then timed out
    assert blocked(r) == 0


def test_history_ids_never_block(r, deferred):
    r.xgroup_create("s", "g", "$", mkstream=True)
    d = deferred()
    d.send("XREADGROUP", "GROUP", "g", "alice", "BLOCK", 0, "STREAMS", "s", "0")
    assert d.read() == [["s", []]]


def test_keyspace_events(ember_server, r):
    r.config_set("notify-keyspace-events", "Et")
    p = r.pubsub()
    p.psubscribe("__keyevent@0__:*")
    wait_until(lambda: p.get_message(timeout=0.1) is not None)  # the psubscribe confirmation
    r.xgroup_create("s", "g", "$", mkstream=True)
    r.xgroup_createconsumer("s", "g", "c1")
    r.xgroup_createconsumer("s", "g", "c1")  # exists: no event
    r.xadd("s", {"f": "v"}, id="1-0")
    r.xreadgroup("g", "c2", {"s": ">"})  # creates c2
    r.xclaim("s", "g", "c3", 0, ["1-0"])  # creates c3; claiming itself emits nothing
    r.xautoclaim("s", "g", "c3", 0, "0")
    r.xack("s", "g", "1-0")
    r.xgroup_setid("s", "g", "0")
    r.xgroup_delconsumer("s", "g", "c1")
    r.xgroup_delconsumer("s", "g", "nobody")  # no event
    r.xgroup_destroy("s", "g")
    r.xgroup_destroy("s", "g")  # no event
    want = ["xgroup-create", "xgroup-createconsumer", "xadd", "xgroup-createconsumer",
            "xgroup-createconsumer", "xgroup-setid", "xgroup-delconsumer", "xgroup-destroy"]
    got = []

    def collect():
        m = p.get_message(timeout=0.1)
        if m and m["type"] == "pmessage":
            got.append(m["channel"].split(":", 1)[1])
        return len(got) >= len(want)

    wait_until(collect)
    assert got == want
    p.close()
    r.config_set("notify-keyspace-events", "")


# --- differential ------------------------------------------------------------------------------


def run_all(client, commands):
    out = []
    for cmd in commands:
        try:
            out.append(client.execute_command(*cmd))
        except redis.ResponseError as e:
            out.append(("error", str(e)))
    return out


def mask_idle(rows):
    """XPENDING extended rows with the idle time (wall clock) blanked."""
    return [[row[0], row[1], "idle", row[3]] for row in rows]


SETUP = [
    ("XADD", "s", "1-0", "a", "1"), ("XADD", "s", "2-0", "b", "2"),
    ("XADD", "s", "3-0", "c", "3"), ("XADD", "s", "4-0", "d", "4"),
    ("XADD", "s", "5-0", "e", "5"),
]

SCENARIOS = {
    "create_and_errors": [
        ("XGROUP", "CREATE", "nokey", "g", "$"),
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "-2"),
        ("XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", "3"),
        ("XGROUP", "CREATE", "s", "g3", "1-0", "FOO"),
        ("XGROUP", "CREATE", "s", "g3", "bad"),
        ("XGROUP", "CREATE", "new", "g", "$", "MKSTREAM"),
        ("XGROUP", "SETID", "s", "nog", "0"),
        ("XGROUP", "SETID", "s", "g", "+"),
        ("XGROUP", "SETID", "s", "g", "0", "ENTRIESREAD", "2", "ENTRIESREAD", "1"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c"),
        ("XGROUP", "CREATECONSUMER", "s", "g", "c"),
        ("XGROUP", "DELCONSUMER", "s", "g", "c"),
        ("XGROUP", "DELCONSUMER", "s", "nog", "c"),
        ("XGROUP", "DESTROY", "s", "g2"),
        ("XGROUP", "DESTROY", "s", "g2"),
        ("XGROUP", "NOPE", "s", "g"),
        ("XINFO", "GROUPS", "s"),
        ("XINFO", "GROUPS", "new"),
        ("XINFO", "GROUPS", "nokey"),
    ],
    "read_ack_pending": [
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "b", "COUNT", "1", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "a", "COUNT", "1", "STREAMS", "s", "1-0"),
        ("XREADGROUP", "GROUP", "g", "b", "NOACK", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "g", "b", "STREAMS", "s", ">"),
        ("XPENDING", "s", "g"),
        ("XACK", "s", "g", "1-0", "3-0", "9-0"),
        ("XACK", "s", "g", "2-0", "x"),
        ("XPENDING", "s", "g"),
        ("XDEL", "s", "2-0"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "0"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "$"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s"),
        ("XREADGROUP", "GROUP", "g", "a", "FOO", "STREAMS", "s", ">"),
        ("XREADGROUP", "GROUP", "nog", "a", "STREAMS", "s", ">"),
        ("XREADGROUP", "COUNT", "1", "STREAMS", "s", ">"),
        ("XPENDING", "s", "g", "x"),
        ("XPENDING", "s", "g", "-", "+", "x"),
        ("XPENDING", "s", "g", "(18446744073709551615-18446744073709551615", "+", "1"),
        ("XPENDING", "nokey", "g"),
        ("XINFO", "GROUPS", "s"),
        ("XINFO", "STREAM", "s"),
        ("XINFO", "STREAM", "s", "FULL", "COUNT"),
        ("XINFO", "STREAM", "nokey"),
    ],
    "lag_with_deletions": [
        ("XDEL", "s", "3-0"),
        ("XGROUP", "CREATE", "s", "g1", "0"),
        ("XGROUP", "CREATE", "s", "g2", "0"),
        ("XINFO", "GROUPS", "s"),
        ("XREADGROUP", "GROUP", "g1", "c", "COUNT", "1", "STREAMS", "s", ">"),
        ("XINFO", "GROUPS", "s"),
        ("XREADGROUP", "GROUP", "g1", "c", "COUNT", "3", "STREAMS", "s", ">"),
        ("XINFO", "GROUPS", "s"),
        ("XADD", "s", "6-0", "f", "6"),
        ("XINFO", "GROUPS", "s"),
        ("XTRIM", "s", "MINID", "=", "3-0"),
        ("XINFO", "GROUPS", "s"),
        ("XTRIM", "s", "MINID", "=", "5-0"),
        ("XINFO", "GROUPS", "s"),
        ("XGROUP", "SETID", "s", "g2", "$", "ENTRIESREAD", "100"),
        ("XINFO", "GROUPS", "s"),
        ("XINFO", "STREAM", "s"),
    ],
    "claims": [
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", ">"),
        ("XCLAIM", "s", "g", "b", "0", "1-0", "2-0"),
        ("XCLAIM", "s", "g", "b", "0", "3-0", "JUSTID"),
        ("XCLAIM", "s", "g", "b", "0", "4-0", "RETRYCOUNT", "9", "JUSTID"),
        ("XDEL", "s", "5-0"),
        ("XCLAIM", "s", "g", "b", "0", "5-0"),
        ("XACK", "s", "g", "4-0"),
        ("XCLAIM", "s", "g", "b", "0", "4-0", "FORCE", "JUSTID"),
        ("XCLAIM", "s", "g", "b", "0", "1-0", "bad"),
        ("XCLAIM", "s", "g", "b", "0", "1-0", "IDLE", "x"),
        ("XCLAIM", "s", "g", "b", "x", "1-0"),
        ("XCLAIM", "s", "nog", "b", "0", "1-0"),
        ("XCLAIM", "s", "g", "b", "0", "1-0", "LASTID", "10-0", "JUSTID"),
        ("XINFO", "GROUPS", "s"),
        ("XPENDING", "s", "g"),
        ("XDEL", "s", "1-0"),
        ("XAUTOCLAIM", "s", "g", "a", "0", "0", "COUNT", "1"),
        ("XAUTOCLAIM", "s", "g", "a", "0", "0", "COUNT", "2"),
        ("XAUTOCLAIM", "s", "g", "a", "0", "(2-0", "JUSTID"),
        ("XAUTOCLAIM", "s", "g", "a", "0", "0", "COUNT", "0"),
        ("XAUTOCLAIM", "s", "g", "a", "0", "0", "BAD"),
        ("XAUTOCLAIM", "s", "nog", "a", "0", "0"),
        ("XPENDING", "s", "g"),
    ],
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_differential(ember_server, redis_server, name):
    ours, theirs = ember_server.client(), redis_server.client()
    for c in (ours, theirs):
        c.response_callbacks.clear()  # compare the replies as they come
        c.flushall()
        run_all(c, SETUP)
    assert run_all(ours, SCENARIOS[name]) == run_all(theirs, SCENARIOS[name])
    ext = ("XPENDING", "s", "g", "-", "+", "100")
    if ours.exists("s") and any(grp[1] == "g" for grp in ours.execute_command("XINFO", "GROUPS",
                                                                              "s")):
        assert mask_idle(ours.execute_command(*ext)) == mask_idle(theirs.execute_command(*ext))


def resp3_exchange(server, commands):
    """Raw RESP3 bytes of the replies to `commands` (after HELLO 3, whose reply differs by
    server and is dropped)."""
    def encode(cmd):
        parts = [str(a).encode() for a in cmd]
        return b"*%d\r\n" % len(parts) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in parts)

    def until_pong(sock):
        data = b""
        while not data.endswith(b"+PONG\r\n"):
            chunk = sock.recv(65536)
            assert chunk, "connection closed"
            data += chunk
        return data[:-len(b"+PONG\r\n")]

    with socket.create_connection(("127.0.0.1", server.port)) as sock:
        sock.sendall(encode(("HELLO", "3")) + encode(("PING",)))
        until_pong(sock)
        sock.sendall(b"".join(encode(c) for c in commands) + encode(("PING",)))
        return until_pong(sock)


def test_differential_resp3(ember_server, redis_server):
    commands = SETUP + [
        ("XGROUP", "CREATE", "s", "g", "0"),
        ("XGROUP", "CREATE", "t", "g", "$", "MKSTREAM"),
        ("XREADGROUP", "GROUP", "g", "a", "COUNT", "2", "STREAMS", "s", "t", ">", ">"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "t", ">"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "t", "0", "0"),
        ("XPENDING", "t", "g"),
        ("XINFO", "GROUPS", "s"),
        ("XINFO", "STREAM", "t"),
        ("XDEL", "s", "1-0"),
        ("XREADGROUP", "GROUP", "g", "a", "STREAMS", "s", "0"),
        ("XAUTOCLAIM", "s", "g", "b", "0", "0", "JUSTID"),
    ]
    for c in (ember_server.client(), redis_server.client()):
        c.flushall()
    assert resp3_exchange(ember_server, commands) == resp3_exchange(redis_server, commands)
