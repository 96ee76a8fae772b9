"""Integration tests for the list commands over real sockets with redis-py: a job queue
(LPUSH producers, RPOP / LMOVE consumers) and an inventory list in pipelines, encodings at
list-max-listpack-size, and a differential run against Debian's redis-server comparing every
reply of a random command stream exactly.

Redis 7.0.15 (the reference binary) reports every list as "quicklist"; Ember follows Redis 7.2,
where small lists are "listpack", so OBJECT ENCODING is checked against 7.2's rules instead of
the reference's reply."""
import random

import pytest
import redis


def test_job_queue_pipeline(r):
    p = r.pipeline(transaction=False)
    for i in range(200):
        p.lpush("jobs", "job:%d" % i)
    p.llen("jobs")
    out = p.execute()
    assert out[:200] == list(range(1, 201))
    assert out[200] == 200
    done = []
    while True:
        job = r.lmove("jobs", "processing", "RIGHT", "LEFT")
        if job is None:
            break
        assert r.lrem("processing", 1, job) == 1
        done.append(job)
    assert done == ["job:%d" % i for i in range(200)]
    assert r.exists("jobs", "processing") == 0
    r.rpush("q", *range(10))
    assert r.rpop("q", 3) == ["9", "8", "7"]
    assert r.lpop("q", 2) == ["0", "1"]
    assert r.lmpop(2, "none", "q", direction="LEFT", count=2) == ["q", ["2", "3"]]
    assert r.rpoplpush("q", "q") == "6"
    assert r.lrange("q", 0, -1) == ["6", "4", "5"]


def test_inventory_list(r):
    r.rpush("inv", "apple", "pear", "plum", "pear", "fig")
    assert r.lpos("inv", "pear") == 1
    assert r.lpos("inv", "pear", rank=-1) == 3
    assert r.lpos("inv", "pear", count=0) == [1, 3]
    assert r.linsert("inv", "AFTER", "plum", "kiwi") == 6
    assert r.lset("inv", 0, "APPLE")
    assert r.lindex("inv", -1) == "fig"
    assert r.ltrim("inv", 1, -2)
    assert r.lrange("inv", 0, -1) == ["pear", "plum", "kiwi", "pear"]
    assert r.object("encoding", "inv") == "listpack"
    assert r.expire("inv", 1000)
    r.rpush("inv", *["item-%d" % i for i in range(2000)])
    assert r.object("encoding", "inv") == "quicklist"
    assert 0 < r.ttl("inv") <= 1000
    assert r.llen("inv") == 2004
    assert r.lindex("inv", 1500) == "item-1496"
    r.ltrim("inv", 0, 9)
    assert r.object("encoding", "inv") == "listpack"
    r.set("s", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.lpush("s", "a")
    with pytest.raises(redis.ResponseError, match="no such key"):
        r.lset("nokey", 0, "a")


KEYS = ["l0", "l1", "l2"]


def _value(rng):
    k = rng.random()
    if k < 0.3:
        return str(rng.randint(-5, 5))
    if k < 0.9:
        return rng.choice("abcde")
    return "x" * rng.randint(50, 3000)


def _index(rng):
    return str(rng.randint(-8, 8))


def _random_command(rng):
    key = rng.choice(KEYS + ["str"])
    other = rng.choice(KEYS + ["str", "none"])
    end = lambda: rng.choice(["LEFT", "RIGHT", "left", "MIDDLE"])
    c = rng.randrange(18)
    if c < 3:
        return [rng.choice(["LPUSH", "RPUSH"]), key] + [_value(rng) for _ in range(rng.randint(1, 6))]
    if c == 3:
        return [rng.choice(["LPUSHX", "RPUSHX"]), rng.choice(KEYS + ["none"]), _value(rng)]
    if c == 4:
        return [rng.choice(["LPOP", "RPOP"]), key] + rng.choice([[], [str(rng.randint(-1, 4))], ["x"]])
    if c == 5:
        return ["LLEN", key]
    if c == 6:
        return ["LRANGE", key, _index(rng), _index(rng)]
    if c == 7:
        return ["LINDEX", key, _index(rng)]
    if c == 8:
        return ["LSET", rng.choice(KEYS + ["none"]), _index(rng), _value(rng)]
    if c == 9:
        return ["LINSERT", key, rng.choice(["BEFORE", "AFTER", "x"]), _value(rng), _value(rng)]
    if c == 10:
        return ["LREM", key, str(rng.randint(-2, 2)), _value(rng)]
    if c == 11:
        return ["LTRIM", key, _index(rng), _index(rng)]
    if c == 12:
        args = ["LPOS", key, _value(rng)]
        for opt in ("RANK", "COUNT", "MAXLEN"):
            if rng.random() < 0.4:
                args += [opt, str(rng.randint(-2, 4))]
        return args
    if c == 13:
        return ["LMOVE", key, other, end(), end()]
    if c == 14:
        return ["RPOPLPUSH", key, other]
    if c == 15:
        keys = rng.sample(KEYS + ["none", "str"], rng.randint(1, 3))
        args = ["LMPOP", str(len(keys))] + keys + [end()]
        if rng.random() < 0.5:
            args += ["COUNT", str(rng.randint(-1, 5))]
        return args
    if c == 16:
        return ["OBJECT", "ENCODING", rng.choice(KEYS)]
    return ["LRANGE", key, "0", "-1"]


def _call(c, args):
    try:
        return c.execute_command(*args)
    except redis.ResponseError as err:
        return "ERR:" + str(err)


@pytest.mark.parametrize("seed,fill", [(1, 4), (2, 4), (3, 16), (4, 8)])
def test_differential_lists(ember_server, redis_server, seed, fill):
    rng = random.Random(seed)
    e = redis.Redis(port=ember_server.port, decode_responses=True)
    d = redis.Redis(port=redis_server.port, decode_responses=True)
    for c in (e, d):
        c.flushall()
        c.config_set("list-max-listpack-size", fill)
        c.set("str", "x")
    mismatches = []
    max_len = 0
    for i in range(3000):
        args = _random_command(rng)
        if args[0] == "OBJECT":
            er = e.object("encoding", args[2])
            n = d.llen(args[2])
            if n <= fill // 2 and er is not None:
                assert er == "listpack", (i, args, n)
            elif n > fill and er is not None:
                assert er == "quicklist", (i, args, n)
            max_len = max(max_len, n)
            continue
        er = _call(e, args)
        dr = _call(d, args)
        if er != dr:
            mismatches.append((i, args, er, dr))
    for key in KEYS:
        assert e.lrange(key, 0, -1) == d.lrange(key, 0, -1)
    for c in (e, d):
        c.config_set("list-max-listpack-size", -2)
        c.close()
    assert mismatches[:5] == []
    assert max_len > fill  # the stream reached the quicklist encoding
