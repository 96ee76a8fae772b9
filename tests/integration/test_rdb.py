"""RDB files end to end: a dump.rdb written by Debian's redis-server 7.0.15 loads into Ember
with identical contents (every type and encoding Redis writes, TTLs, several dbs, a function
library); a dump written by Ember loads into redis-server; DEBUG RELOAD keeps the dataset; a
truncated or corrupted dump makes ember-server exit non-zero with a message naming the problem;
ember-check-rdb accepts good files and refuses bad ones."""
import os
import shutil
import subprocess
import time

import pytest
import redis

from conftest import EMBER, REDIS, ServerProcess, free_port, wait_until

pytestmark = pytest.mark.skipif(not os.path.exists(REDIS), reason="redis-server not installed")

CHECK_RDB = os.path.join(os.path.dirname(EMBER), "ember-check-rdb")
DEBUG = ("--enable-debug-command", "yes")
DBS = (0, 1, 9)
LIBRARY = "#!lua name=rdblib\nredis.register_function('rdbf', function() return 'hi' end)"


# --- a dataset with every type and encoding ------------------------------------------------

def populate(c, db):
    """Fills db `db` through client `c` (already SELECTed) with each type in its small and
    big encodings, some TTLs and a stream with consumer groups."""
    p = c.pipeline(transaction=False)
    p.set("s:int", 12345)
    p.set("s:neg", -9876543210)
    p.set("s:emb", "hello world")
    p.set("s:raw", "x" * 100)
    p.set("s:lzf", "abcdefgh" * 500)
    p.set("s:bin", bytes(range(256)))
    p.set("s:ttl", "v", px=3_600_000)
    p.set("s:%d" % db, "db marker")
    p.rpush("l:small", "a", "b", 1, 2, -3, "c" * 70)
    p.rpush("l:big", *["item-%d" % i for i in range(3000)])
    p.rpush("l:ints", *range(-500, 500))
    p.sadd("set:int", *range(100))
    p.sadd("set:bigint", *range(1000))
    p.sadd("set:str", "a", "b", "c", "dd")
    p.sadd("set:big", *["m%d" % i for i in range(600)])
    p.zadd("z:small", {"a": 1, "b": 2.5, "c": -3.25, "inf": float("inf")})
    p.zadd("z:big", {"m%d" % i: i * 1.5 for i in range(300)})
    p.hset("h:small", mapping={"f1": "v1", "f2": 2, "f3": "x" * 30})
    p.hset("h:big", mapping={"f%d" % i: "v%d" % i for i in range(700)})
    p.hset("h:longval", mapping={"f": "y" * 200})
    p.expire("h:small", 7200)
    p.pexpire("z:big", 86_400_000)
    p.execute()
    for i in range(250):
        c.xadd("st", {"f": i, "g": "v%d" % i}, id="%d-%d" % (1000 + i // 3, i % 3))
    c.xadd("st", {"other": "fields"}, id="5000-0")
    c.xdel("st", "1001-0", "1002-1")
    c.xgroup_create("st", "g1", id="0")
    c.xgroup_create("st", "g2", id="$")
    c.xreadgroup("g1", "alice", {"st": ">"}, count=5)
    c.xreadgroup("g1", "bob", {"st": ">"}, count=3)
    c.xack("st", "g1", "1000-1")
    c.xadd("st:empty", {"a": 1}, id="1-1")
    c.xdel("st:empty", "1-1")


def populate_all(server):
    for db in DBS:
        c = server.client(db=db)
        populate(c, db)
        c.close()
    c = server.client()
    c.function_load(LIBRARY)
    c.close()


def value_of(c, key, kind):
    if kind == "string":
        return c.get(key)
    if kind == "list":
        return c.lrange(key, 0, -1)
    if kind == "set":
        return sorted(c.smembers(key))
    if kind == "zset":
        return c.zrange(key, 0, -1, withscores=True)
    if kind == "hash":
        return sorted(c.hgetall(key).items())
    if kind == "stream":
        info = c.xinfo_stream(key)
        groups = []
        for g in c.xinfo_groups(key):
            name = g["name"]
            consumers = sorted((x["name"], x["pending"]) for x in c.xinfo_consumers(key, name))
            pending = c.xpending_range(key, name, "-", "+", 1000)
            groups.append((name, g["last-delivered-id"], g["pending"], consumers,
                           [(p["message_id"], p["consumer"], p["times_delivered"])
                            for p in pending]))
        return (c.xrange(key), info["length"], info["last-generated-id"], groups)
    raise AssertionError("unexpected type " + kind)


def snapshot(server):
    """{db: {key: (type, value, has_ttl)}} and {db: {key: pttl}} plus the function list."""
    data, ttls = {}, {}
    for db in range(16):
        c = server.client(db=db, decode_responses=False)
        keys = c.keys("*")
        if not keys:
            continue
        data[db], ttls[db] = {}, {}
        for k in keys:
            kind = c.type(k).decode()
            pttl = c.pttl(k)
            data[db][k] = (kind, value_of(c, k, kind), pttl > 0)
            ttls[db][k] = pttl
        c.close()
    c = server.client()
    funcs = []
    for lib in c.function_list(withcode=True):
        if not isinstance(lib, dict):  # a flat [name, value, ...] list
            lib = dict(zip(lib[::2], lib[1::2]))
        funcs.append((lib["library_name"], lib["library_code"]))
    c.close()
    return data, ttls, funcs


def assert_same(expected, actual):
    exp_data, exp_ttls, exp_funcs = expected
    got_data, got_ttls, got_funcs = actual
    assert sorted(got_data) == sorted(exp_data)
    for db in exp_data:
        assert sorted(got_data[db]) == sorted(exp_data[db]), "db %d keys" % db
        for k, v in exp_data[db].items():
            assert got_data[db][k] == v, "db %d key %r" % (db, k)
            if exp_ttls[db][k] > 0:  # same absolute expiry, give or take the test's run time
                assert abs(got_ttls[db][k] - exp_ttls[db][k]) < 60_000, k
    assert got_funcs == exp_funcs


def encodings(server, kinds=("hash", "zset", "string")):
    out = {}
    for db in DBS:
        c = server.client(db=db)
        for k in c.keys("*"):
            if c.type(k) in kinds or k.startswith("set:int"):
                out[(db, k)] = c.object("encoding", k)
        c.close()
    return out


def stop_keep_dump(server, dest):
    """Stops a server (its temp dir goes away) keeping its dump.rdb at `dest`."""
    shutil.copy(os.path.join(server.dir, "dump.rdb"), dest)
    server.stop()


def start_with_dump(binary, dump, *args):
    s = ServerProcess(binary, list(args))
    shutil.copy(dump, os.path.join(s.dir, "dump.rdb"))
    return s.start()


@pytest.fixture
def servers():
    started = []

    def track(s):
        started.append(s)
        return s

    yield track
    for s in started:
        s.stop()


@pytest.fixture
def redis_dump(tmp_path):
    """A dump.rdb written by redis-server 7.0.15 and the snapshot of what it holds."""
    r = ServerProcess(REDIS).start()
    try:
        populate_all(r)
        expected = snapshot(r)
        expected_enc = encodings(r)
        assert r.client().save()
        dump = str(tmp_path / "redis-dump.rdb")
        stop_keep_dump(r, dump)
    finally:
        r.stop()
    return dump, expected, expected_enc


# --- Redis -> Ember --------------------------------------------------------------------------

def test_ember_loads_redis_dump(redis_dump, servers):
    dump, expected, expected_enc = redis_dump
    e = servers(start_with_dump(EMBER, dump))
    assert_same(expected, snapshot(e))
    assert encodings(e) == expected_enc
    c = e.client()
    assert c.fcall("rdbf", 0) == "hi"
    info = c.info("persistence")
    assert info["loading"] == 0
    log = e.read_log()
    assert "Loading RDB produced by version 7.0.15" in log
    assert "DB loaded from disk" in log


def test_ember_loads_redis_dump_uncompressed_no_checksum(tmp_path, servers):
    r = servers(ServerProcess(REDIS, ["--rdbcompression", "no", "--rdbchecksum", "no"]).start())
    populate_all(r)
    expected = snapshot(r)
    assert r.client().save()
    dump = str(tmp_path / "plain.rdb")
    stop_keep_dump(r, dump)
    e = servers(start_with_dump(EMBER, dump))
    assert_same(expected, snapshot(e))


# --- Ember -> Redis --------------------------------------------------------------------------

def ember_save(server):
    """SAVE through DEBUG RELOAD (it saves the dump first), so only this task's code runs."""
    assert server.client().execute_command("DEBUG", "RELOAD") in (b"OK", "OK", True)


def test_redis_loads_ember_dump(tmp_path, servers):
    e = servers(ServerProcess(EMBER, list(DEBUG)).start())
    populate_all(e)
    expected = snapshot(e)
    ember_save(e)
    dump = str(tmp_path / "ember.rdb")
    stop_keep_dump(e, dump)
    with open(dump, "rb") as f:
        assert f.read(9) == b"REDIS0010"
    r = servers(start_with_dump(REDIS, dump))
    assert_same(expected, snapshot(r))
    assert r.client().fcall("rdbf", 0) == "hi"


def test_redis_loads_ember_dump_with_lru_and_lfu(tmp_path, servers):
    for policy, field in (("allkeys-lru", "idletime"), ("allkeys-lfu", "freq")):
        e = servers(ServerProcess(EMBER, list(DEBUG) + ["--maxmemory-policy", policy]).start())
        c = e.client()
        c.set("k", "v")
        for _ in range(20):
            c.get("k")
        ember_save(e)
        dump = str(tmp_path / ("ember-%s.rdb" % policy))
        stop_keep_dump(e, dump)
        r = servers(start_with_dump(REDIS, dump, "--maxmemory-policy", policy))
        rc = r.client()
        assert rc.object(field, "k") >= 0
        assert rc.get("k") == "v"


def test_ember_round_trip_through_its_own_dump(tmp_path, servers):
    e = servers(ServerProcess(EMBER, list(DEBUG)).start())
    populate_all(e)
    expected = snapshot(e)
    ember_save(e)
    dump = str(tmp_path / "ember.rdb")
    stop_keep_dump(e, dump)
    e2 = servers(start_with_dump(EMBER, dump))
    assert_same(expected, snapshot(e2))


# --- DEBUG RELOAD ----------------------------------------------------------------------------

def test_debug_reload_keeps_everything(servers):
    e = servers(ServerProcess(EMBER, list(DEBUG)).start())
    populate_all(e)
    before = snapshot(e)
    c = e.client()
    assert c.execute_command("DEBUG", "RELOAD") == "OK"
    assert_same(before, snapshot(e))
    assert os.path.exists(os.path.join(e.dir, "dump.rdb"))
    assert not [n for n in os.listdir(e.dir) if n.startswith("temp-")]


def test_debug_reload_options(servers):
    e = servers(ServerProcess(EMBER, list(DEBUG)).start())
    c = e.client()
    c.set("a", "1")
    assert c.execute_command("DEBUG", "RELOAD") == "OK"
    c.set("a", "changed")
    c.set("b", "2")
    # NOSAVE: the file from before is loaded back.
    assert c.execute_command("DEBUG", "RELOAD", "NOSAVE") == "OK"
    assert c.get("a") == "1" and c.get("b") is None
    # NOFLUSH without MERGE: the keys from the file already exist.
    with pytest.raises(redis.ResponseError, match="Error trying to load the RDB dump"):
        c.execute_command("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH")
    c.set("a", "local")
    c.set("c", "3")
    assert c.execute_command("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE") == "OK"
    assert c.get("a") == "1" and c.get("c") == "3"
    with pytest.raises(redis.ResponseError, match="only supports the MERGE, NOFLUSH and NOSAVE"):
        c.execute_command("DEBUG", "RELOAD", "BOGUS")


def test_debug_reload_expired_keys_dropped(servers):
    e = servers(ServerProcess(EMBER, list(DEBUG)).start())
    c = e.client()
    c.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    at = int(time.time() * 1000) + 50
    c.set("gone", "v", pxat=at)
    c.set("kept", "v", ex=100)
    wait_until(lambda: time.time() * 1000 > at + 20)
    assert c.dbsize() == 2  # not touched since it expired: still in the table and saved
    assert c.execute_command("DEBUG", "RELOAD") == "OK"
    assert c.dbsize() == 1  # dropped while loading
    assert c.ttl("kept") > 90


# --- bad files -------------------------------------------------------------------------------

def start_expecting_failure(dump_bytes, tmp_path, name):
    d = tmp_path / name
    d.mkdir()
    (d / "dump.rdb").write_bytes(dump_bytes)
    proc = subprocess.run([EMBER, "--port", str(free_port()), "--bind", "127.0.0.1", "--save", "",
                           "--dir", str(d)], capture_output=True, timeout=30)
    return proc.returncode, (proc.stdout + proc.stderr).decode(errors="replace")


@pytest.fixture
def good_dump(tmp_path, servers):
    e = servers(ServerProcess(EMBER, list(DEBUG)).start())
    c = e.client()
    for i in range(50):
        c.set("key:%d" % i, "value:%d" % i)
    c.rpush("list", *range(100))
    c.hset("hash", mapping={"a": 1, "b": 2})
    ember_save(e)
    with open(os.path.join(e.dir, "dump.rdb"), "rb") as f:
        return f.read()


def test_truncated_dump_is_fatal_with_reason(good_dump, tmp_path):
    size = len(good_dump)
    for i, cut in enumerate(sorted({0, 5, 9, 20, size // 3, size // 2, size - 9, size - 1})):
        rc, out = start_expecting_failure(good_dump[:cut], tmp_path, "t%d" % i)
        assert rc != 0, "truncated at %d loaded" % cut
        assert "Fatal error loading the DB" in out, out
        assert "offset" in out or "Truncated" in out, out


def test_corrupt_dumps_are_fatal_with_reason(good_dump, tmp_path):
    cases = {
        "magic": (b"REDIX" + good_dump[5:], "Wrong signature"),
        "version": (b"REDIS0099" + good_dump[9:], "Can't handle RDB format version 99"),
        "checksum": (good_dump[:-1] + bytes([good_dump[-1] ^ 1]), "Wrong RDB checksum"),
        "garbage": (good_dump + b"junk", "trailing garbage"),
    }
    flipped = bytearray(good_dump)
    flipped[len(flipped) // 2] ^= 0xFF
    cases["flipped"] = (bytes(flipped), "")
    for name, (data, reason) in cases.items():
        rc, out = start_expecting_failure(data, tmp_path, name)
        assert rc != 0, name
        assert "Fatal error loading the DB" in out, (name, out)
        assert reason in out, (name, out)


def test_missing_dump_starts_empty(servers):
    e = servers(ServerProcess(EMBER).start())
    assert e.client().dbsize() == 0
    assert "No RDB file" in e.read_log()


# --- ember-check-rdb -------------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists(CHECK_RDB), reason="ember-check-rdb not built")
def test_check_rdb(redis_dump, tmp_path):
    dump, _, _ = redis_dump
    ok = subprocess.run([CHECK_RDB, dump], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "\\o/ RDB looks OK! \\o/" in ok.stdout
    assert "AUX FIELD redis-ver = '7.0.15'" in ok.stdout
    assert "1 function libraries" in ok.stdout
    with open(dump, "rb") as f:
        data = f.read()
    bad = tmp_path / "bad.rdb"
    bad.write_bytes(data[: len(data) // 2])
    res = subprocess.run([CHECK_RDB, str(bad)], capture_output=True, text=True, timeout=60)
    assert res.returncode == 1
    assert "RDB ERROR DETECTED" in res.stdout
    usage = subprocess.run([CHECK_RDB], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 1 and "Usage" in usage.stderr


# --- -LOADING while a big file loads ---------------------------------------------------------

def test_clients_get_loading_while_a_big_dump_loads(tmp_path, servers):
    """Whether a probe lands inside the load window depends on timing, so every reply is
    checked to be one of the two legal answers; the INFO fields are checked when seen."""
    e = servers(ServerProcess(EMBER, list(DEBUG)).start())
    c = e.client()
    c.execute_command("DEBUG", "POPULATE", 300000, "key", 64)
    ember_save(e)
    dump = str(tmp_path / "big.rdb")
    stop_keep_dump(e, dump)
    size = os.path.getsize(dump)

    s = ServerProcess(EMBER, ["--key-load-delay", "5"])  # ~1.5 s of loading
    shutil.copy(dump, os.path.join(s.dir, "dump.rdb"))
    s.log = open(s.log_path, "wb")
    s.proc = subprocess.Popen([s.binary] + s.args, stdout=s.log, stderr=subprocess.STDOUT,
                              cwd=s.dir)
    servers(s)
    seen_loading = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert s.proc.poll() is None, s.read_log()
        try:
            probe = s.client(socket_timeout=30)
            info = probe.info("persistence")
        except redis.exceptions.BusyLoadingError:
            raise AssertionError("INFO must be served while loading")
        except redis.ConnectionError:
            time.sleep(0.005)
            continue
        if info["loading"] == 1:
            seen_loading = True
            assert info["loading_total_bytes"] == size
            assert 0 <= info["loading_loaded_perc"] <= 100
        try:
            value = probe.get("key:1")
        except redis.exceptions.BusyLoadingError as err:  # redis-py's name for -LOADING
            assert str(err) == "Redis is loading the dataset in memory", err
            seen_loading = True
            continue
        assert value is not None and value.startswith("value:1")
        assert probe.info("persistence")["loading"] == 0
        break
    else:
        raise AssertionError("the dump never finished loading")
    if seen_loading:
        assert "Done loading RDB, keys loaded: 300000" in s.read_log()


def test_shutdown_signal_during_loading_never_saves(tmp_path, servers):
    """SIGTERM while loading: the server leaves without saving its partial dataset over the
    file (save points are set, so a normal shutdown would save)."""
    e = servers(ServerProcess(EMBER, list(DEBUG)).start())
    e.client().execute_command("DEBUG", "POPULATE", 300000, "key", 64)
    ember_save(e)
    dump = str(tmp_path / "big.rdb")
    stop_keep_dump(e, dump)
    with open(dump, "rb") as f:
        original = f.read()

    s = ServerProcess(EMBER, ["--save", "3600 1", "--key-load-delay", "5"])
    target = os.path.join(s.dir, "dump.rdb")
    shutil.copy(dump, target)
    s.log = open(s.log_path, "wb")
    s.proc = subprocess.Popen([s.binary] + s.args, stdout=s.log, stderr=subprocess.STDOUT,
                              cwd=s.dir)
    servers(s)
    caught = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and s.proc.poll() is None:
        try:
            if s.client(socket_timeout=30).info("persistence")["loading"] == 1:
                s.proc.terminate()
                caught = True
            break
        except redis.ConnectionError:
            time.sleep(0.002)
    if not caught:
        pytest.skip("the load finished before the probe could connect")
    assert s.proc.wait(timeout=60) == 0
    assert "during loading, exiting now without saving" in s.read_log()
    with open(target, "rb") as f:
        assert f.read() == original
