"""Integration tests for the hash commands over real sockets with redis-py: session-style data
with EXPIRE on the key, pipelines, encodings at the thresholds, HSCAN iteration, and a
differential run against Debian's redis-server comparing replies to a random command stream."""
import random

import pytest
import redis


def test_session_hash_with_expire(r):
    session = {"user": "alice", "id": "42", "cart": "3 items", "csrf": "x" * 40}
    assert r.hset("session:1", mapping=session) == 4
    assert r.expire("session:1", 1000)
    assert r.hgetall("session:1") == session
    assert r.hget("session:1", "user") == "alice"
    assert r.hincrby("session:1", "id", 1) == 43
    assert r.hset("session:1", "user", "bob") == 0
    assert 0 < r.ttl("session:1") <= 1000  # writes keep the TTL
    assert r.hdel("session:1", "user", "id", "cart", "csrf") == 4
    assert r.exists("session:1") == 0
    assert r.type("nokey") == "none"


def test_pipeline_and_types(r):
    p = r.pipeline(transaction=False)
    for i in range(100):
        p.hset("h:%d" % i, mapping={"a": i, "b": "x"})
    p.hlen("h:5")
    p.hmget("h:5", ["a", "b", "zz"])
    p.hincrbyfloat("h:5", "a", "0.5")
    out = p.execute()
    assert out[:100] == [2] * 100
    assert out[100:] == [2, ["5", "x", None], 5.5]
    r.set("s", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        r.hget("s", "a")
    with pytest.raises(redis.ResponseError, match="hash value is not an integer"):
        r.hincrby("h:5", "b", 1)


def test_encodings_follow_thresholds(r):
    r.hset("small", mapping={"f%d" % i: "v" for i in range(512)})
    assert r.object("encoding", "small") == "listpack"
    r.hset("small", "f512", "v")
    assert r.object("encoding", "small") == "hashtable"
    r.hset("long", "f", "x" * 65)
    assert r.object("encoding", "long") == "hashtable"
    r.config_set("hash-max-listpack-entries", "2")
    r.hset("tiny", mapping={"a": 1, "b": 2, "c": 3})
    assert r.object("encoding", "tiny") == "hashtable"
    r.config_set("hash-max-listpack-entries", "512")


def test_hscan_iterates_everything(r):
    fields = {"field:%d" % i: str(i) for i in range(2000)}
    r.hset("big", mapping=fields)
    assert dict(r.hscan_iter("big", count=37)) == fields
    assert dict(r.hscan_iter("big", match="field:1?")) == {
        "field:%d" % i: str(i) for i in range(10, 20)}
    r.hset("small", mapping={"a": 1, "b": 2})
    assert r.hscan("small", 0) == (0, {"a": "1", "b": "2"})


def test_hrandfield(r):
    r.hset("h", mapping={"a": 1, "b": 2, "c": 3})
    assert r.hrandfield("h") in ("a", "b", "c")
    assert sorted(r.hrandfield("h", 10)) == ["a", "b", "c"]
    assert len(r.hrandfield("h", -10)) == 10
    assert len(set(r.hrandfield("h", 2))) == 2
    pairs = r.hrandfield("h", 3, withvalues=True)
    assert dict(zip(pairs[::2], pairs[1::2])) == {"a": "1", "b": "2", "c": "3"}


# ---------------------------------------------------------------------------------------------
# Differential test against redis-server

ORDER_FREE = {"HGETALL", "HKEYS", "HVALS"}


def _call(c, args):
    try:
        if args[0] == "OBJECT":  # redis-py's reply callback needs the keyword form
            return c.object(args[1], args[2])
        return c.execute_command(*args)
    except redis.ResponseError as e:
        return "ERR:" + str(e)


def _normalize(cmd, reply, listpack):
    if cmd in ORDER_FREE and isinstance(reply, list) and not listpack:
        if cmd == "HGETALL":
            return sorted(zip(reply[::2], reply[1::2]))
        return sorted(reply)
    return reply


def _random_command(rng):
    key = "k%d" % rng.randrange(6)
    field = "f%d" % rng.randrange(rng.choice([5, 40, 700]))
    value = rng.choice(["v", "1", "-5", "3.5", "x" * rng.choice([10, 64, 65]), "abc",
                        str(rng.randrange(-1000, 1000))])
    choice = rng.randrange(17)
    if choice < 4:
        n = rng.randrange(1, 30)
        args = ["HSET", key]
        for _ in range(n):
            args += ["f%d" % rng.randrange(700), value]
        return args
    return [
        ["HSETNX", key, field, value], ["HGET", key, field], ["HMGET", key, field, "f1", "zz"],
        ["HDEL", key, field, "f2", "f3"], ["HLEN", key], ["HSTRLEN", key, field],
        ["HEXISTS", key, field], ["HINCRBY", key, field, str(rng.randrange(-10, 10))],
        ["HINCRBYFLOAT", key, field, rng.choice(["1.5", "-0.25", "abc", "1e3"])],
        ["HGETALL", key], ["HKEYS", key], ["HVALS", key], ["OBJECT", "ENCODING", key],
    ][choice - 4]


@pytest.mark.parametrize("seed", [1, 2])
def test_differential_hashes(ember_server, redis_server, seed):
    rng = random.Random(seed)
    e = redis.Redis(port=ember_server.port, decode_responses=True)
    d = redis.Redis(port=redis_server.port, decode_responses=True)
    e.flushall()
    d.flushall()
    e.set("str", "x")
    d.set("str", "x")
    mismatches = []
    for i in range(3000):
        args = _random_command(rng) if rng.random() > 0.02 else ["HGET", "str", "a"]
        key = args[2] if args[0] == "OBJECT" else args[1]
        listpack = d.object("encoding", key) == "listpack" if d.exists(key) else True
        er = _normalize(args[0], _call(e, args), listpack)
        dr = _normalize(args[0], _call(d, args), listpack)
        if er != dr:
            mismatches.append((i, args, er, dr))
    e.close()
    d.close()
    assert mismatches[:5] == []
