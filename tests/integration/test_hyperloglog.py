"""HyperLogLog differential tests: the same PFADD / PFMERGE / PFCOUNT / PFDEBUG sequences are
sent to ember-server and to Debian's redis-server 7.0.15, and the replies and the raw sketch
bytes (GET) must be identical — sparse and dense encodings, the cached-cardinality header,
promotion under different hll-sparse-max-bytes settings, merges of mixed encodings, and the
errors for wrong types and corrupted sketches (including randomly corrupted ones)."""
import random

import pytest
import redis


@pytest.fixture
def pair(ember_server, redis_server):
    """(ember, redis) binary-safe clients on flushed servers with default HLL settings."""
    ours = ember_server.client(decode_responses=False)
    theirs = redis_server.client(decode_responses=False)
    for c in (ours, theirs):
        c.flushall()
        c.config_set("hll-sparse-max-bytes", 3000)
    yield ours, theirs
    for c in (ours, theirs):
        c.config_set("hll-sparse-max-bytes", 3000)
        c.close()


def reply(client, *args):
    """The reply to a command, or the error text, so errors compare like values."""
    try:
        return client.execute_command(*args)
    except redis.ResponseError as e:
        return "error: " + str(e)


def both(pair, *args):
    """Runs a command on both servers and checks the replies are equal; returns ours."""
    ours, theirs = (reply(c, *args) for c in pair)
    assert ours == theirs, args
    return ours


def same_bytes(pair, key):
    ours, theirs = (c.get(key) for c in pair)
    assert ours == theirs, key
    return ours


def elements(rng, n, prefix=""):
    """n random elements: mostly short text, some binary, some long (> 8 bytes hashes blocks)."""
    out = []
    for _ in range(n):
        kind = rng.random()
        if kind < 0.7:
            out.append("%s%d" % (prefix, rng.getrandbits(48)))
        elif kind < 0.9:
            out.append(bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 12))))
        else:
            out.append(prefix + "x" * rng.randint(9, 70) + str(rng.random()))
    return out


def add_all(pair, key, items, batch):
    """PFADDs items in batches on both servers, comparing every reply."""
    for i in range(0, len(items), batch):
        chunk = items[i:i + batch]
        replies = []
        for c in pair:
            p = c.pipeline(transaction=False)
            for j in range(0, len(chunk), 1000):
                p.execute_command("PFADD", key, *chunk[j:j + 1000])
            replies.append(p.execute())
        assert replies[0] == replies[1]


@pytest.mark.parametrize("size", [0, 1, 2, 3, 10, 50, 200, 700, 1500, 3000, 12000, 50000, 200000])
def test_random_sets_same_bytes_and_count(pair, size):
    rng = random.Random(size)
    items = elements(rng, size)
    if size == 0:
        both(pair, "PFADD", "h")
    # Small sets one element per command (sparse history matters), big ones in batches.
    add_all(pair, "h", items, 1 if size <= 1500 else 5000)
    same_bytes(pair, "h")
    both(pair, "PFDEBUG", "ENCODING", "h")
    assert both(pair, "PFCOUNT", "h") >= 0
    same_bytes(pair, "h")  # the cache written by PFCOUNT
    both(pair, "PFCOUNT", "h")


def test_checkpoints_while_growing(pair):
    rng = random.Random(7)
    items = elements(rng, 6000)
    for i in range(0, len(items), 150):
        add_all(pair, "h", items[i:i + 150], 150)
        if i % 600 == 0:
            same_bytes(pair, "h")
        both(pair, "PFCOUNT", "h")
    same_bytes(pair, "h")


def test_repeated_elements_unchanged(pair):
    items = elements(random.Random(3), 300)
    add_all(pair, "h", items, 1)
    both(pair, "PFCOUNT", "h")
    assert both(pair, "PFADD", "h", *items) == 0
    same_bytes(pair, "h")  # nothing changed: the cache stays valid
    assert both(pair, "GETRANGE", "h", 15, 15) == b"\x00"


@pytest.mark.parametrize("max_bytes", [0, 1, 40, 300, 5000, 20000])
def test_sparse_max_bytes_setting(pair, max_bytes):
    for c in pair:
        c.config_set("hll-sparse-max-bytes", max_bytes)
    rng = random.Random(max_bytes)
    items = elements(rng, 4000)
    for i in range(0, len(items), 97):
        add_all(pair, "h", items[i:i + 97], 97)
        same_bytes(pair, "h")
    both(pair, "PFCOUNT", "h")


def test_cache_invalidation_bit(pair):
    both(pair, "PFADD", "h", "a", "b", "c")
    assert same_bytes(pair, "h")[15] == 0x80
    assert both(pair, "PFCOUNT", "h") == 3
    assert same_bytes(pair, "h")[8:16] == b"\x03" + b"\x00" * 7
    both(pair, "PFADD", "h", "a")
    assert same_bytes(pair, "h")[15] == 0x00
    both(pair, "PFADD", "h", "d")
    assert same_bytes(pair, "h")[8:16] == b"\x03" + b"\x00" * 6 + b"\x80"  # stale bytes stay
    # A forged valid cache is believed, as Redis does.
    both(pair, "SETRANGE", "h", 8, b"\x39\x05\x00\x00\x00\x00\x00\x00")
    assert both(pair, "PFCOUNT", "h") == 1337


def make_sketch(pair, key, n, seed, dense=False):
    add_all(pair, key, elements(random.Random(seed), n, prefix=key), 500)
    if dense:
        both(pair, "PFDEBUG", "TODENSE", key)


@pytest.mark.parametrize("shape", [
    ("sparse", "sparse"), ("sparse", "dense"), ("dense", "dense"), ("big", "sparse"),
    ("sparse", "sparse", "sparse", "sparse"), ("absent", "sparse"), ("absent", "dense"),
])
def test_pfmerge_mixed(pair, shape):
    keys = []
    for i, kind in enumerate(shape):
        key = "src%d" % i
        keys.append(key)
        if kind == "sparse":
            make_sketch(pair, key, 40 + 60 * i, i)
        elif kind == "dense":
            make_sketch(pair, key, 300, i, dense=True)
        elif kind == "big":
            make_sketch(pair, key, 30000, i)
    for dest_kind in ("absent", "sparse", "dense", "self"):
        dest = keys[0] if dest_kind == "self" else "dest-" + dest_kind
        if dest_kind == "sparse":
            make_sketch(pair, dest, 25, 99)
        elif dest_kind == "dense":
            make_sketch(pair, dest, 25, 99, dense=True)
        both(pair, "PFMERGE", dest, *keys)
        same_bytes(pair, dest)
        both(pair, "PFDEBUG", "ENCODING", dest)
        both(pair, "PFCOUNT", dest)
        same_bytes(pair, dest)


def test_pfmerge_sparse_union_promotes_by_size(pair):
    # Many small sparse sketches whose union outgrows the sparse limit mid-merge.
    keys = []
    for i in range(12):
        keys.append("s%d" % i)
        make_sketch(pair, keys[-1], 250, 1000 + i)
    both(pair, "PFMERGE", "u", *keys)
    same_bytes(pair, "u")
    assert both(pair, "PFDEBUG", "ENCODING", "u") == b"dense"
    for c in pair:
        c.config_set("hll-sparse-max-bytes", 20000)
    both(pair, "PFMERGE", "u2", *keys)
    same_bytes(pair, "u2")
    assert both(pair, "PFDEBUG", "ENCODING", "u2") == b"sparse"
    both(pair, "PFCOUNT", "u2")


def test_pfmerge_no_sources_and_missing(pair):
    both(pair, "PFMERGE", "d")
    same_bytes(pair, "d")
    both(pair, "PFMERGE", "d2", "nokey1", "nokey2")
    same_bytes(pair, "d2")
    both(pair, "PFCOUNT", "d2")


def test_pfcount_multi_key(pair):
    make_sketch(pair, "a", 500, 1)
    make_sketch(pair, "b", 5000, 2)
    make_sketch(pair, "c", 80, 3, dense=True)
    before = [same_bytes(pair, k) for k in ("a", "b", "c")]
    for keys in (("a", "b"), ("a", "b", "c"), ("c", "nokey", "a"), ("nokey", "nokey2")):
        both(pair, "PFCOUNT", *keys)
    # The multi-key form writes no cache.
    assert [same_bytes(pair, k) for k in ("a", "b", "c")] == before
    both(pair, "PFCOUNT", "a", "a")


def test_pfdebug(pair):
    make_sketch(pair, "h", 200, 5)
    both(pair, "PFDEBUG", "DECODE", "h")
    both(pair, "PFDEBUG", "ENCODING", "h")
    both(pair, "PFDEBUG", "GETREG", "h")  # converts to dense
    same_bytes(pair, "h")
    both(pair, "PFDEBUG", "DECODE", "h")
    both(pair, "PFDEBUG", "TODENSE", "h")
    both(pair, "PFDEBUG", "nosuch", "h")
    both(pair, "PFDEBUG", "ENCODING", "nokey")
    both(pair, "PFDEBUG", "ENCODING")
    make_sketch(pair, "h2", 30, 6)
    both(pair, "PFDEBUG", "todense", "h2")
    same_bytes(pair, "h2")
    both(pair, "PFSELFTEST")


def test_type_errors(pair):
    both(pair, "SET", "s", "bar")
    both(pair, "SET", "i", "12345")
    both(pair, "RPUSH", "l", "x")
    for args in (("PFADD", "s", "1"), ("PFADD", "i"), ("PFADD", "l", "1"), ("PFCOUNT", "s"),
                 ("PFCOUNT", "l"), ("PFCOUNT", "i"), ("PFCOUNT", "nokey", "s"),
                 ("PFMERGE", "s"), ("PFMERGE", "x", "s"), ("PFMERGE", "l", "s"),
                 ("PFMERGE", "x", "l"), ("PFDEBUG", "GETREG", "l"), ("PFDEBUG", "nosuch", "s"),
                 ("PFADD",), ("PFCOUNT",), ("PFMERGE",), ("PFSELFTEST", "x")):
        both(pair, *args)
    assert both(pair, "EXISTS", "x") == 0


def test_sketch_copied_from_redis_with_set(pair):
    ours, theirs = pair
    theirs.pfadd("h", *elements(random.Random(11), 40))
    small = theirs.get("h")
    ours.set("h", small)  # short enough to be stored embstr here
    both(pair, "PFCOUNT", "h")
    both(pair, "OBJECT ENCODING", "h")  # raw after the count, as Redis unshares it
    both(pair, "PFADD", "h", "more", "elements")
    same_bytes(pair, "h")
    theirs.pfadd("big", *elements(random.Random(12), 20000))
    ours.set("big", theirs.get("big"))
    both(pair, "PFADD", "big", "x", "y", "z")
    same_bytes(pair, "big")
    both(pair, "PFCOUNT", "big", "h")


@pytest.mark.parametrize("edit", [
    ("APPEND", "h", "hello"),
    ("SETRANGE", "h", 0, "0123"),
    ("SETRANGE", "h", 4, "x"),
    ("SETRANGE", "h", 4, "\x00"),
    ("SETRANGE", "h", 4, "\x02"),
    ("SETRANGE", "h", 16, "\xff\xff\xff"),
    ("SETRANGE", "h", 16, "\x7f"),
])
def test_corrupted_sketches(pair, edit):
    both(pair, "PFADD", "h", "a", "b", "c")
    both(pair, *edit)
    both(pair, "PFCOUNT", "h")
    both(pair, "PFCOUNT", "h", "nokey")
    both(pair, "PFMERGE", "d", "h")
    both(pair, "PFADD", "h", "zz")
    both(pair, "PFDEBUG", "ENCODING", "h")
    both(pair, "PFDEBUG", "DECODE", "h")
    both(pair, "PFDEBUG", "TODENSE", "h")
    same_bytes(pair, "h")


def test_fuzzed_corruption_matches_redis(pair):
    rng = random.Random(2024)
    for round_ in range(300):
        for c in pair:
            c.delete("h")
        items = elements(rng, rng.randint(0, 3000 if round_ % 10 == 0 else 200))
        add_all(pair, "h", items, 1000)
        if not items:
            both(pair, "PFADD", "h")
        for _ in range(rng.randint(1, 5)):
            length = pair[0].strlen("h")
            pos = rng.randrange(length)
            both(pair, "SETRANGE", "h", pos, bytes([rng.getrandbits(8)]))
        both(pair, "PFCOUNT", "h")
        both(pair, "PFCOUNT", "h", "nokey")
        both(pair, "PFMERGE", "d", "h")
        both(pair, "PFDEBUG", "DECODE", "h")
        both(pair, "PFADD", "h", *elements(rng, 20))
        same_bytes(pair, "h")
        both(pair, "PFDEBUG", "GETREG", "h")
        same_bytes(pair, "h")


def test_fuzzed_random_strings_never_crash(ember_server):
    c = ember_server.client(decode_responses=False)
    rng = random.Random(99)
    for _ in range(2000):
        body = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 60)))
        value = b"HYLL\x01\x00\x00\x00" + b"\x00" * 7 + bytes([rng.choice([0, 0x80])]) + body
        c.set("f", value)
        for args in (("PFCOUNT", "f"), ("PFCOUNT", "f", "f"), ("PFADD", "f", "a", "b"),
                     ("PFMERGE", "g", "f"), ("PFDEBUG", "DECODE", "f")):
            reply(c, *args)
    assert c.ping()
    c.close()


def test_command_info_matches_redis(pair):
    def strip_notes(entry):
        """The entry without key-spec "notes" (free text Ember does not carry)."""
        entry = list(entry)
        entry[8] = [[(spec[i], spec[i + 1]) for i in range(0, len(spec), 2) if spec[i] != b"notes"]
                    for spec in entry[8]]
        return entry

    for name in ("pfadd", "pfcount", "pfmerge", "pfdebug", "pfselftest"):
        ours, theirs = (strip_notes(c.execute_command("COMMAND INFO", name)[0]) for c in pair)
        assert ours == theirs, name
