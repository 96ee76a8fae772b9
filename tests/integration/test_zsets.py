"""Sorted-set commands through redis-py against the real ember-server: a delayed-job queue
(ZADD jobs by due time, ZRANGEBYSCORE / ZCOUNT the due ones, ZPOPMIN from several clients),
encodings across the listpack -> skiplist conversion, and a differential random sequence
against a real redis-server comparing raw replies (score formatting included)."""

import random
import socket
import threading

import pytest

from conftest import resp3_replies
import redis
from redis.client import CaseInsensitiveDict


def test_delayed_jobs(r):
    now = 1_700_000_000
    jobs = {"job:%d" % i: now + i * 10 for i in range(50)}
    assert r.zadd("jobs", jobs) == 50
    # Jobs due by now+95: due times now..now+90 -> 10 jobs.
    due = r.zrangebyscore("jobs", "-inf", now + 95)
    assert due == ["job:%d" % i for i in range(10)]
    assert r.zcount("jobs", "-inf", now + 95) == 10
    assert r.zcount("jobs", "(%d" % now, now + 95) == 9
    assert r.zrangebyscore("jobs", "-inf", now + 95, start=2, num=3) == ["job:2", "job:3", "job:4"]
    # Re-schedule one job later; it leaves the due window.
    assert r.zadd("jobs", {"job:0": now + 1000}, xx=True, ch=True) == 1
    assert r.zcount("jobs", "-inf", now + 95) == 9
    assert r.zscore("jobs", "job:0") == now + 1000
    assert r.zrank("jobs", "job:0") == 49
    # Several workers pop concurrently; every job is taken exactly once.
    taken = []
    lock = threading.Lock()

    def worker(client):
        while True:
            got = client.zpopmin("jobs", 3)
            if not got:
                return
            with lock:
                taken.extend(m for m, _ in got)

    clients = [redis.Redis(host="127.0.0.1", port=r.connection_pool.connection_kwargs["port"],
                           decode_responses=True) for _ in range(4)]
    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for c in clients:
        c.close()
    assert sorted(taken) == sorted(jobs)
    assert r.exists("jobs") == 0


def test_encodings_and_memory(r):
    r.zadd("z", {"m%d" % i: i for i in range(128)})
    assert r.object("encoding", "z") == "listpack"
    r.zadd("z", {"m128": 128})
    assert r.object("encoding", "z") == "skiplist"
    assert r.zcard("z") == 129
    assert r.zrange("z", 0, 2, withscores=True) == [("m0", 0.0), ("m1", 1.0), ("m2", 2.0)]
    r.zadd("long", {"x" * 65: 1})
    assert r.object("encoding", "long") == "skiplist"
    r.zadd("short", {"x" * 64: 1})
    assert r.object("encoding", "short") == "listpack"
    r.config_set("zset-max-listpack-entries", 2)
    r.zadd("c", {"a": 1, "b": 2, "c": 3})
    assert r.object("encoding", "c") == "skiplist"
    r.config_set("zset-max-listpack-entries", 128)


def test_errors_and_wrongtype(r):
    r.set("s", "x")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.zadd("s", {"a": 1})
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.zrange("s", 0, -1)
    with pytest.raises(redis.ResponseError, match="not compatible"):
        r.execute_command("ZADD", "z", "NX", "XX", 1, "a")
    with pytest.raises(redis.ResponseError, match="NaN"):
        r.zadd("z", {"a": "inf"})
        r.zincrby("z", "-inf", "a")


def test_zscan_iter(r):
    r.zadd("big", {"m%d" % i: i for i in range(1000)})
    got = dict(r.zscan_iter("big", count=37))
    assert got == {"m%d" % i: float(i) for i in range(1000)}


def _raw(server):
    c = server.client()
    c.response_callbacks = CaseInsensitiveDict({})
    return c


def _call(client, args):
    try:
        return client.execute_command(*args)
    except redis.ResponseError as e:
        return "ERR:" + str(e)


SCORES = ["1", "2", "-1", "0", "1.5", "0.1", "-2.25", "3e2", "inf", "-inf", "7", "10"]
BOUNDS = ["-inf", "+inf", "1", "(1", "0", "(0.1", "2", "5", "(10", "x", "300"]
LEX = ["-", "+", "[a", "(a", "[m3", "(m5", "[z", "m", "[m10"]


def _random_command(rng, key, lexkey):
    m = lambda: "m%d" % rng.randrange(12)
    s = lambda: rng.choice(SCORES)
    b = lambda: rng.choice(BOUNDS)
    lx = lambda: rng.choice(LEX)
    op = rng.randrange(24)
    if op < 5:
        flags = [f for f in ["NX", "XX", "GT", "LT", "CH", "INCR"] if rng.random() < 0.15]
        pairs = []
        for _ in range(1 if "INCR" in flags and rng.random() < 0.9 else rng.randrange(1, 4)):
            pairs += [s(), m()]
        return ["ZADD", key] + flags + pairs
    cmds = [
        lambda: ["ZINCRBY", key, s(), m()],
        lambda: ["ZREM", key, m(), m()],
        lambda: ["ZCARD", key],
        lambda: ["ZSCORE", key, m()],
        lambda: ["ZMSCORE", key, m(), m(), m()],
        lambda: ["ZCOUNT", key, b(), b()],
        lambda: ["ZRANK", key, m()],
        lambda: ["ZREVRANK", key, m()],
        lambda: ["ZRANGE", key, str(rng.randrange(-5, 5)), str(rng.randrange(-5, 15)),
                 "WITHSCORES"],
        lambda: ["ZRANGE", key, b(), b(), "BYSCORE"] + rng.choice([[], ["REV"]]) +
        rng.choice([[], ["LIMIT", "1", "2"], ["LIMIT", "0", "-1"]]) +
        rng.choice([[], ["WITHSCORES"]]),
        lambda: ["ZREVRANGE", key, str(rng.randrange(-5, 5)), str(rng.randrange(-5, 15))],
        lambda: ["ZRANGEBYSCORE", key, b(), b(), "WITHSCORES"],
        lambda: ["ZREVRANGEBYSCORE", key, b(), b(), "LIMIT", "1", "3"],
        lambda: ["ZRANGEBYLEX", lexkey, lx(), lx()],
        lambda: ["ZREVRANGEBYLEX", lexkey, lx(), lx(), "LIMIT", "0", "2"],
        lambda: ["ZLEXCOUNT", lexkey, lx(), lx()],
        lambda: ["ZPOPMIN", key] + rng.choice([[], ["2"], ["0"]]),
        lambda: ["ZPOPMAX", key] + rng.choice([[], ["3"]]),
        lambda: ["ZREMRANGEBYRANK", key, str(rng.randrange(-3, 3)), str(rng.randrange(-3, 3))],
        lambda: ["ZREMRANGEBYSCORE", key, b(), b()],
        lambda: ["ZREMRANGEBYLEX", lexkey, lx(), lx()],
        lambda: ["ZADD", lexkey, "0", m()],
        lambda: ["ZRANGESTORE", "dst", key, "0", "-1", "REV"],
        lambda: ["OBJECT", "ENCODING", key],
    ]
    return rng.choice(cmds)()


@pytest.mark.parametrize("max_entries", [128, 4])
def test_differential(ember_server, redis_server, max_entries):
    e, rs = _raw(ember_server), _raw(redis_server)
    for c in (e, rs):
        c.flushall()
        c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", str(max_entries))
    rng = random.Random(42 + max_entries)
    try:
        for i in range(3000):
            key = "z%d" % rng.randrange(3)
            cmd = _random_command(rng, key, "lex")
            got, want = _call(e, cmd), _call(rs, cmd)
            assert got == want, (i, cmd)
        for key in ["z0", "z1", "z2", "lex", "dst"]:
            cmd = ["ZRANGE", key, "0", "-1", "WITHSCORES"]
            assert _call(e, cmd) == _call(rs, cmd)
            cmd = ["OBJECT", "ENCODING", key]
            assert _call(e, cmd) == _call(rs, cmd)
    finally:
        for c in (e, rs):
            c.execute_command("CONFIG", "SET", "zset-max-listpack-entries", "128")
            c.close()


def test_differential_errors(ember_server, redis_server):
    e, rs = _raw(ember_server), _raw(redis_server)
    cases = [
        ["ZADD", "z", "XX", "NX", "1", "a"], ["ZADD", "z", "GT", "LT", "1", "a"],
        ["ZADD", "z", "NX", "GT", "1", "a"], ["ZADD", "z", "INCR", "1", "a", "2", "b"],
        ["ZADD", "z", "1"], ["ZADD", "z", "1", "a", "2"], ["ZADD", "z", "x", "a"],
        ["ZADD", "z", "nan", "a"], ["ZADD", "z", "inf", "a"], ["ZINCRBY", "z", "-inf", "a"],
        ["ZINCRBY", "z", "x", "a"], ["ZCOUNT", "z", "x", "1"], ["ZCOUNT", "z", "(", "1"],
        ["ZRANGEBYLEX", "z", "a", "b"], ["ZRANGE", "z", "0", "1", "BYLEX", "WITHSCORES"],
        ["ZRANGE", "z", "0", "1", "LIMIT", "0", "1"], ["ZRANGE", "z", "0", "1", "LIMIT", "0", "-1"],
        ["ZRANGE", "z", "0", "1", "BYSCORE", "BYLEX"], ["ZRANGEBYSCORE", "z", "0", "1", "REV"],
        ["ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "0"], ["ZRANGEBYSCORE", "z", "0", "1", "LIMIT", "-1", "-1"],
        ["ZRANGE", "z", "x", "1"], ["ZPOPMIN", "z", "-1"], ["ZPOPMIN", "z", "x"],
        ["ZPOPMIN", "z", "1", "2"], ["ZPOPMIN", "nokey"], ["ZPOPMIN", "nokey", "0"],
        ["ZRANDMEMBER", "z", "x"], ["ZRANDMEMBER", "z", "-9223372036854775808"],
        ["ZRANDMEMBER", "z", "1", "WITHSCORES", "x"], ["ZRANDMEMBER", "z", "1", "x"],
        ["ZRANDMEMBER", "z", "-9223372036854775807", "WITHSCORES"],
        ["ZREMRANGEBYRANK", "z", "0", "x"], ["ZREMRANGEBYLEX", "z", "a", "b"],
        ["ZSCAN", "z", "0", "COUNT", "0"], ["ZSCAN", "z", "x"], ["ZMSCORE", "nokey", "a", "b"],
        ["ZADD", "z", "1.1", "d", "-0", "e", "1e300", "f"], ["ZSCORE", "z", "d"],
        ["ZSCORE", "z", "e"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
        ["ZSCAN", "z", "0"], ["ZRANDMEMBER", "z", "-3", "WITHSCORES"],
        ["ZADD", "z2", "XX", "1", "a"], ["EXISTS", "z2"], ["ZADD", "z", "INCR", "XX", "1", "zz"],
        ["ZADD", "z", "INCR", "NX", "1", "d"], ["ZADD", "z", "INCR", "GT", "-1", "d"],
        ["SET", "s", "x"], ["ZADD", "s", "1", "a"], ["ZCARD", "s"], ["ZRANGE", "s", "0", "1"],
        ["ZRANGESTORE", "s", "z", "0", "-1"], ["TYPE", "s"], ["ZRANGESTORE", "s", "nokey", "0", "-1"],
        ["EXISTS", "s"],
    ]
    for c in (e, rs):
        c.flushall()
    for cmd in cases:
        got, want = _call(e, cmd), _call(rs, cmd)
        if cmd[0] == "ZRANDMEMBER" and not isinstance(want, str):
            assert type(got) == type(want) and len(got) == len(want), cmd
            continue
        assert got == want, cmd
    e.close()
    rs.close()


def test_differential_resp3(ember_server, redis_server):
    cmds = [["FLUSHALL"], ["ZADD", "z", "1", "a", "2.5", "b", "3", "c"], ["ZPOPMIN", "z"],
            ["ZPOPMIN", "z", "1"], ["ZRANGE", "z", "0", "-1", "WITHSCORES"],
            ["ZRANDMEMBER", "z", "1", "WITHSCORES"], ["ZSCAN", "z", "0"],
            ["ZINCRBY", "z", "1", "c"], ["ZRANGEBYSCORE", "z", "0", "10", "WITHSCORES"],
            ["ZREVRANGE", "z", "0", "-1", "WITHSCORES"], ["ZMSCORE", "z", "c", "x"],
            ["ZSCORE", "z", "x"], ["ZPOPMAX", "nokey"], ["ZRANGESTORE", "d", "z", "0", "-1"],
            ["ZADD", "z", "INCR", "1", "c"], ["ZADD", "z", "XX", "INCR", "1", "nope"],
            ["ZADD", "z", "-0", "m"], ["ZSCORE", "z", "m"], ["ZADD", "z", "1e300", "big"],
            ["ZRANGE", "z", "0", "-1", "WITHSCORES"]]
    assert resp3_replies(ember_server.port, cmds) == resp3_replies(redis_server.port, cmds)


def _random_setop(rng):
    keys = lambda: ["k%d" % rng.randrange(4) for _ in range(rng.randrange(1, 4))]
    op = rng.randrange(9)
    if op < 3:
        name = rng.choice(["ZUNION", "ZINTER", "ZDIFF"])
        ks = keys()
        extra = []
        if name != "ZDIFF" and rng.random() < 0.5:
            extra += ["WEIGHTS"] + [rng.choice(["1", "2", "0.5", "-1", "0", "inf"]) for _ in ks]
        if name != "ZDIFF" and rng.random() < 0.5:
            extra += ["AGGREGATE", rng.choice(["SUM", "MIN", "MAX"])]
        if rng.random() < 0.5:
            extra += ["WITHSCORES"]
        return [name, str(len(ks))] + ks + extra
    if op < 5:
        name = rng.choice(["ZUNIONSTORE", "ZINTERSTORE", "ZDIFFSTORE"])
        ks = keys()
        extra = []
        if name != "ZDIFFSTORE" and rng.random() < 0.5:
            extra += ["AGGREGATE", rng.choice(["SUM", "MIN", "MAX"])]
        return [name, "k%d" % rng.randrange(5), str(len(ks))] + ks + extra
    if op == 5:
        ks = keys()
        return ["ZINTERCARD", str(len(ks))] + ks + rng.choice([[], ["LIMIT", "1"]])
    if op == 6:
        ks = keys()
        return ["ZMPOP", str(len(ks))] + ks + [rng.choice(["MIN", "MAX"])] + \
            rng.choice([[], ["COUNT", "2"]])
    if op == 7:
        return ["ZADD", "k%d" % rng.randrange(4), rng.choice(SCORES), "m%d" % rng.randrange(8)]
    return ["ZRANGE", "k%d" % rng.randrange(5), "0", "-1", "WITHSCORES"]


def test_differential_setops(ember_server, redis_server):
    e, rs = _raw(ember_server), _raw(redis_server)
    for c in (e, rs):
        c.flushall()
        c.execute_command("SADD", "k3", "m1", "m2", "m9")  # plain sets are valid inputs
    rng = random.Random(7)
    for i in range(1500):
        cmd = _random_setop(rng)
        got, want = _call(e, cmd), _call(rs, cmd)
        assert got == want, (i, cmd)
    for cmd in (["ZUNION", "0", "a"], ["ZUNION", "x", "a"], ["ZUNION", "2", "a"],
                ["ZUNION", "1", "a", "WEIGHTS", "x"], ["ZUNION", "1", "a", "AGGREGATE", "foo"],
                ["ZDIFF", "1", "a", "WEIGHTS", "1"], ["ZUNIONSTORE", "d", "1", "a", "WITHSCORES"],
                ["ZINTERCARD", "0", "a"], ["ZINTERCARD", "2", "a"],
                ["ZINTERCARD", "1", "a", "LIMIT", "-1"], ["ZINTERCARD", "1", "a", "foo"],
                ["ZMPOP", "0", "a", "MIN"], ["ZMPOP", "1", "a", "foo"],
                ["ZMPOP", "1", "a", "MIN", "COUNT", "0"], ["ZMPOP", "5", "a", "MIN"],
                ["ZMPOP", "1", "nokey", "MIN"], ["SET", "str", "x"], ["ZUNION", "1", "str"],
                ["ZMPOP", "1", "str", "MIN"]):
        assert _call(e, cmd) == _call(rs, cmd), cmd
    e.close()
    rs.close()
