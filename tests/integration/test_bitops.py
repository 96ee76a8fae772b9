"""Integration tests for the bitmap commands (SETBIT, GETBIT, BITCOUNT, BITPOS, BITOP, BITFIELD,
BITFIELD_RO) through redis-py: the workloads applications build on bitmaps — daily-active-user
sets with retention via BITOP AND, feature flags, packed counters with BITFIELD — plus a
differential test that sends seeded random command streams to ember-server and to a real
redis-server and compares every reply (values, nils and error texts) and the final values."""
import random

import pytest
import redis


# ---------------------------------------------------------------------------------------------
# Application workloads


def test_daily_active_users_and_retention(r):
    monday = [1, 5, 9, 100, 1000, 4096]
    tuesday = [5, 9, 77, 1000, 50000]
    for uid in monday:
        assert r.setbit("dau:mon", uid, 1) == 0
    with r.pipeline() as p:
        for uid in tuesday:
            p.setbit("dau:tue", uid, 1)
        assert p.execute() == [0] * len(tuesday)
    assert r.bitcount("dau:mon") == len(monday)
    assert r.bitcount("dau:tue") == len(tuesday)
    assert r.getbit("dau:mon", 100) == 1 and r.getbit("dau:mon", 101) == 0
    assert r.bitop("AND", "retained", "dau:mon", "dau:tue") == r.strlen("dau:tue")
    assert r.bitcount("retained") == 3  # 5, 9, 1000
    assert r.bitop("OR", "either", "dau:mon", "dau:tue") == r.strlen("dau:tue")
    assert r.bitcount("either") == len(set(monday) | set(tuesday))
    assert r.bitpos("retained", 1) == 5
    assert r.bitpos("dau:mon", 0) == 0
    assert r.bitcount("dau:mon", 0, 1) == 3  # bytes 0..1: users 1, 5, 9
    assert r.bitcount("dau:mon", 0, 7, "BIT") == 2  # bits 0..7: users 1, 5


def test_feature_flags_with_ttl(r):
    r.set("flags", "\x00", ex=3600)
    r.setbit("flags", 3, 1)
    r.setbit("flags", 12, 1)
    assert r.ttl("flags") > 0  # SETBIT keeps the TTL
    assert [r.getbit("flags", i) for i in range(16)] == [
        0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]
    assert r.bitpos("flags", 1, 1) == 12
    assert r.bitpos("flags", 1, 0, 7, "BIT") == 3
    assert r.bitop("NOT", "inverse", "flags") == 2
    assert r.ttl("inverse") == -1
    assert r.bitcount("inverse") == 14


def test_bitfield_packed_counters(r):
    bf = r.bitfield("counters")
    bf.incrby("u8", "#0", 200).incrby("u8", "#1", 1).incrby("i16", "#1", -5)
    assert bf.execute() == [200, 1, -5]
    sat = r.bitfield("counters", default_overflow="SAT")
    assert sat.incrby("u8", "#0", 100).execute() == [255]
    fail = r.bitfield("counters", default_overflow="FAIL")
    assert fail.incrby("u8", "#0", 1).execute() == [None]
    wrap = r.bitfield("counters")
    assert wrap.incrby("u8", "#0", 1).get("u8", "#0").execute() == [0, 0]
    assert r.execute_command("BITFIELD_RO", "counters", "GET", "u8", "#0", "GET", "i16",
                             "#1") == [0, -5]
    with pytest.raises(redis.ResponseError, match="BITFIELD_RO only supports the GET"):
        r.execute_command("BITFIELD_RO", "counters", "SET", "u8", "0", "1")


def test_bitmap_errors(r):
    r.rpush("list", "x")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.setbit("list", 0, 1)
    with pytest.raises(redis.ResponseError, match="^bit offset is not an integer or out of range"):
        r.setbit("k", 2**32, 1)
    with pytest.raises(redis.ResponseError, match="^bit is not an integer or out of range"):
        r.execute_command("SETBIT", "k", 0, 2)  # redis-py's setbit() would send 1
    with pytest.raises(redis.ResponseError, match="^The bit argument must be 1 or 0."):
        r.execute_command("BITPOS", "k", 2)  # redis-py's bitpos() refuses it itself
    with pytest.raises(redis.ResponseError, match="BITOP NOT must be called with a single"):
        r.bitop("NOT", "d", "a", "b")
    with pytest.raises(redis.ResponseError, match="Invalid bitfield type"):
        r.bitfield("k").get("u64", 0).execute()


def test_big_offset_setbit(r):
    # 64 Mbit: the string grows to 8 MiB in one step and reads back as zeros before the bit.
    assert r.setbit("big", 2**26 - 1, 1) == 0
    assert r.strlen("big") == 2**23
    assert r.bitcount("big") == 1
    assert r.bitpos("big", 1) == 2**26 - 1
    assert r.bitpos("big", 0, -1) == 2**26 - 8
    assert r.bitpos("big", 0, -1, -1) == 2**26 - 8


# ---------------------------------------------------------------------------------------------
# Differential: the same random streams to ember-server and redis-server

KEYS = ["a", "b", "c", "d", "n"]
WRONG = "wlist"  # a list, for WRONGTYPE
TYPES = ["u1", "u3", "u7", "u8", "u16", "u31", "u32", "u63", "i1", "i2", "i8", "i13", "i16",
         "i32", "i63", "i64"]
BAD_TYPES = ["u64", "i65", "u0", "x8", "U8", "8"]


def rand_int(rng):
    pick = rng.random()
    if pick < 0.4:
        return rng.randint(-20, 300)
    if pick < 0.7:
        return rng.randint(-2**63, 2**63 - 1)
    if pick < 0.9:
        return rng.choice([1, -1]) * (2 ** rng.randint(0, 62)) + rng.randint(-1, 1)
    return rng.choice([2**63 - 1, -2**63, 2**62 - 1, -2**62, -2**62 - 1])


def rand_index(rng, scale):
    return rng.randint(-scale, scale) if rng.random() < 0.8 else rng.randint(-10**6, 10**6)


def rand_key(rng):
    return WRONG if rng.random() < 0.03 else rng.choice(KEYS)


def gen_setbit(rng):
    offset = rng.randint(0, 300) if rng.random() < 0.9 else rng.randint(0, 20000)
    value = rng.choice([0, 1, 1]) if rng.random() < 0.97 else rng.choice([2, -1, "x"])
    return ["SETBIT", rand_key(rng), offset, value]


def gen_getbit(rng):
    return ["GETBIT", rand_key(rng), rng.randint(0, 400)]


def gen_set(rng):
    if rng.random() < 0.4:
        value = str(rng.randint(-10**6, 10**6))  # integer-encoded
    else:
        value = bytes(rng.choice([0, 255, rng.randrange(256)]) for _ in range(rng.randint(0, 60)))
    return ["SET", rng.choice(KEYS), value]


def gen_bitcount(rng):
    args = ["BITCOUNT", rand_key(rng)]
    if rng.random() < 0.8:
        args += [rand_index(rng, 60), rand_index(rng, 60)]
        if rng.random() < 0.6:
            args.append(rng.choice(["BIT", "BYTE", "bit", "byte", "bits"]))
    elif rng.random() < 0.3:
        args.append(rand_index(rng, 10))  # syntax error
    return args


def gen_bitpos(rng):
    args = ["BITPOS", rand_key(rng), rng.choice([0, 1, 0, 1, 2])]
    n = rng.randint(0, 3)
    if n >= 1:
        args.append(rand_index(rng, 60))
    if n >= 2:
        args.append(rand_index(rng, 60))
    if n >= 3:
        args.append(rng.choice(["BIT", "BYTE", "BIT", "bat"]))
    return args


def gen_bitop(rng):
    op = rng.choice(["AND", "OR", "XOR", "NOT", "and", "NAND"])
    count = 1 if op in ("NOT", "and") and rng.random() < 0.9 else rng.randint(1, 4)
    return ["BITOP", op, rng.choice(KEYS)] + [rand_key(rng) for _ in range(count)]


def rand_offset(rng, type_):
    if rng.random() < 0.2:
        return "#%d" % rng.randint(0, 10)
    if rng.random() < 0.02:
        return rng.choice(["-1", "#-1", "x", "#"])
    return rng.randint(0, 300)


def gen_bitfield(rng, read_only=False):
    args = ["BITFIELD_RO" if read_only else "BITFIELD", rand_key(rng)]
    for _ in range(rng.randint(0, 5)):
        type_ = rng.choice(TYPES) if rng.random() < 0.98 else rng.choice(BAD_TYPES)
        kind = rng.random()
        if kind < 0.35 or (read_only and rng.random() < 0.85):
            args += ["GET", type_, rand_offset(rng, type_)]
        elif kind < 0.6:
            args += ["SET", type_, rand_offset(rng, type_), rand_int(rng)]
        elif kind < 0.9:
            args += ["INCRBY", type_, rand_offset(rng, type_), rand_int(rng)]
        elif kind < 0.99:
            args += ["OVERFLOW", rng.choice(["WRAP", "SAT", "FAIL", "sat", "bogus"])]
        else:
            args += [rng.choice(["GET", "OVERFLOW", "FROB"])]  # syntax errors
    return args


GENERATORS = [(gen_setbit, 20), (gen_getbit, 6), (gen_set, 5), (gen_bitcount, 12),
              (gen_bitpos, 14), (gen_bitop, 8), (gen_bitfield, 18),
              (lambda rng: gen_bitfield(rng, read_only=True), 5)]


def run_batch(client, commands):
    pipe = client.pipeline(transaction=False)
    for cmd in commands:
        pipe.execute_command(*cmd)
    replies = pipe.execute(raise_on_error=False)
    return [("error", str(x)) if isinstance(x, Exception) else ("ok", x) for x in replies]


def final_state(client):
    return {k: (client.get(k) if client.type(k) == b"string" else client.type(k),
                client.object("encoding", k)) for k in KEYS}


@pytest.mark.parametrize("seed", range(1, 9))
def test_differential_random_streams(ember_server, redis_server, seed):
    rng = random.Random(seed)
    clients = [ember_server.client(decode_responses=False),
               redis_server.client(decode_responses=False)]
    for c in clients:
        c.flushall()
        c.rpush(WRONG, "x")
    generators = [g for g, _ in GENERATORS]
    weights = [w for _, w in GENERATORS]
    for _ in range(30):
        commands = [rng.choices(generators, weights)[0](rng) for _ in range(100)]
        ours, theirs = (run_batch(c, commands) for c in clients)
        for cmd, a, b in zip(commands, ours, theirs):
            assert a == b, "command %r: ember %r, redis %r" % (cmd, a, b)
        assert final_state(clients[0]) == final_state(clients[1])
    for c in clients:
        c.close()
