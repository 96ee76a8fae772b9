"""SAVE, BGSAVE [SCHEDULE], LASTSAVE, save points, stop-writes-on-bgsave-error (-MISCONF),
SHUTDOWN's final save and INFO persistence's rdb_* fields, against the real binary. The files
Ember writes are checked by loading them into Ember again and into Debian's redis-server.
BGSAVE is forkless here (persistence/snapshot.cc): the image is the keyspace at the moment
BGSAVE ran, whatever is written afterwards."""
import os
import shutil
import subprocess

import pytest
import redis

from conftest import REDIS, ServerProcess, wait_until

MISCONF_PREFIX = "MISCONF Redis is configured to save RDB snapshots"


def info(c):
    return c.info("persistence")


def client(s):
    """A client that returns BGSAVE's status text as is (redis-py maps it to True)."""
    c = s.client()
    c.response_callbacks.pop("BGSAVE", None)
    return c


def wait_bgsave_done(c, timeout=30):
    wait_until(lambda: info(c)["rdb_bgsave_in_progress"] == 0, timeout=timeout)


def fill(c, n=2000, prefix="k"):
    p = c.pipeline(transaction=False)
    for i in range(n):
        p.set("%s:%d" % (prefix, i), "value-%d" % i)
    p.execute()


def sample_data(c):
    fill(c, 500)
    c.rpush("list", *["e%d" % i for i in range(300)])
    c.sadd("set", *["m%d" % i for i in range(50)])
    c.sadd("intset", *range(20))
    c.hset("hash", mapping={"f%d" % i: "v%d" % i for i in range(40)})
    c.zadd("zset", {"z%d" % i: i / 2 for i in range(30)})
    c.set("int", 12345)
    c.set("long", "x" * 5000)
    c.set("ttl", "v", px=3_600_000)
    c.xadd("stream", {"a": "1"})
    c.execute_command("SELECT", 3)
    c.set("in-db-3", "three")
    c.execute_command("SELECT", 0)


def redis_load(path):
    """Starts Debian's redis-server on a copy of `path`; returns (process, client)."""
    s = ServerProcess(REDIS)
    shutil.copy(path, os.path.join(s.dir, "dump.rdb"))
    s.start()
    return s, s.client()


def test_bgsave_replies_and_info(server_factory):
    s = server_factory()
    c = client(s)
    before = c.lastsave()
    fill(c, 100)
    assert info(c)["rdb_changes_since_last_save"] >= 100
    assert c.execute_command("BGSAVE") == "Background saving started"
    wait_bgsave_done(c)
    i = info(c)
    assert i["rdb_last_bgsave_status"] == "ok"
    assert i["rdb_changes_since_last_save"] == 0
    assert i["rdb_saves"] == 1
    assert i["rdb_last_bgsave_time_sec"] >= 0
    assert i["rdb_current_bgsave_time_sec"] == -1
    assert i["rdb_last_cow_size"] == 0
    assert c.lastsave() >= before
    assert os.path.exists(os.path.join(s.dir, "dump.rdb"))
    assert not [f for f in os.listdir(s.dir) if f.startswith("temp-")]
    assert c.execute_command("BGSAVE", "SCHEDULE") == "Background saving started"
    wait_bgsave_done(c)
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        c.execute_command("BGSAVE", "NOW")
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        c.execute_command("BGSAVE", "SCHEDULE", "x")
    assert c.execute_command("SAVE") is True
    assert info(c)["rdb_saves"] == 3


def test_bgsave_already_in_progress(server_factory):
    s = server_factory()
    c = client(s)
    fill(c, 50_000)
    # One pipeline: all three run in the same event-loop turn, before the first slice.
    p = c.pipeline(transaction=False)
    p.execute_command("BGSAVE")
    p.execute_command("BGSAVE")
    p.execute_command("SAVE")
    p.info("persistence")
    res = p.execute(raise_on_error=False)
    assert res[0] == "Background saving started"
    assert isinstance(res[1], redis.ResponseError)
    assert str(res[1]) == "Background save already in progress"
    assert str(res[2]) == "Background save already in progress"
    assert res[3]["rdb_bgsave_in_progress"] == 1
    assert res[3]["current_save_keys_total"] == 50_000
    wait_bgsave_done(c)
    assert info(c)["rdb_last_bgsave_status"] == "ok"


def test_bgsave_in_multi_is_scheduled(server_factory):
    s = server_factory()
    c = client(s)
    c.set("a", "1")
    p = c.pipeline(transaction=True)
    p.execute_command("BGSAVE")
    assert p.execute() == ["Background saving scheduled"]
    # The cron starts the scheduled save.
    wait_until(lambda: os.path.exists(os.path.join(s.dir, "dump.rdb")))
    wait_bgsave_done(c)
    assert info(c)["rdb_last_bgsave_status"] == "ok"


def test_bgsave_is_point_in_time(server_factory):
    """Writes that follow BGSAVE (same pipeline, so before any slice ran) are not in the file."""
    s = server_factory()
    c = client(s)
    n = 20_000
    fill(c, n)
    p = c.pipeline(transaction=False)
    p.execute_command("BGSAVE")
    for i in range(0, n, 2):
        p.set("k:%d" % i, "changed")
    for i in range(1, n, 4):
        p.delete("k:%d" % i)
    p.set("new-key", "x")
    p.execute()
    wait_bgsave_done(c)
    assert info(c)["rdb_last_bgsave_status"] == "ok"
    # The changes made after BGSAVE started still count as unsaved.
    assert info(c)["rdb_changes_since_last_save"] > 0
    rs, rc = redis_load(os.path.join(s.dir, "dump.rdb"))
    try:
        assert rc.dbsize() == n
        assert rc.exists("new-key") == 0
        vals = rc.mget(["k:%d" % i for i in range(n)])
        assert vals == ["value-%d" % i for i in range(n)]
    finally:
        rs.stop()


def test_redis_loads_ember_bgsave(server_factory):
    s = server_factory()
    c = client(s)
    sample_data(c)
    c.execute_command("BGSAVE")
    wait_bgsave_done(c)
    rs, rc = redis_load(os.path.join(s.dir, "dump.rdb"))
    try:
        assert rc.dbsize() == c.dbsize()
        assert rc.lrange("list", 0, -1) == c.lrange("list", 0, -1)
        assert rc.smembers("set") == c.smembers("set")
        assert rc.smembers("intset") == c.smembers("intset")
        assert rc.hgetall("hash") == c.hgetall("hash")
        assert rc.zrange("zset", 0, -1, withscores=True) == c.zrange("zset", 0, -1,
                                                                      withscores=True)
        assert rc.get("long") == "x" * 5000
        assert rc.get("int") == "12345"
        assert 0 < rc.pttl("ttl") <= 3_600_000
        assert rc.xlen("stream") == 1
        rc.execute_command("SELECT", 3)
        assert rc.get("in-db-3") == "three"
    finally:
        rs.stop()


def test_bgsave_then_restart(server_factory):
    s = server_factory()
    c = client(s)
    fill(c, 3000)
    c.rpush("list", "a", "b", "c")
    c.hset("hash", mapping={"f": "v"})
    c.sadd("set", "x", "y")
    c.execute_command("BGSAVE")
    wait_bgsave_done(c)
    want = {k: c.dump(k) for k in c.keys("*")}
    s.proc.terminate()  # save "" -> no save on shutdown: the BGSAVE file is what loads
    s.proc.wait(timeout=10)
    s2 = server_factory("--dir", s.dir)
    c2 = client(s2)
    assert c2.dbsize() == len(want)
    assert c2.get("k:17") == "value-17"
    assert c2.lrange("list", 0, -1) == ["a", "b", "c"]
    assert c2.hgetall("hash") == {"f": "v"}
    assert c2.smembers("set") == {"x", "y"}
    assert info(c2)["rdb_last_load_keys_loaded"] == len(want)


def test_save_points_trigger_bgsave(server_factory):
    s = server_factory("--save", "1 1")
    c = client(s)
    c.set("a", "1")
    wait_until(lambda: info(c)["rdb_saves"] >= 1, timeout=15)
    wait_bgsave_done(c)
    assert info(c)["rdb_changes_since_last_save"] == 0
    assert os.path.exists(os.path.join(s.dir, "dump.rdb"))
    assert "1 changes in 1 seconds. Saving..." in s.read_log()


def test_misconf_when_bgsave_fails_and_recovery(server_factory, tmp_path):
    s = server_factory("--save", "3600 1", "--enable-protected-configs", "yes")
    c = client(s)
    c.set("a", "1")
    bad = tmp_path / "gone"
    bad.mkdir()
    c.config_set("dir", str(bad))
    bad.rmdir()  # the save directory disappears: opening the temp file fails
    assert c.execute_command("BGSAVE") == "Background saving started"
    wait_until(lambda: info(c)["rdb_last_bgsave_status"] == "err")
    with pytest.raises(redis.ResponseError) as e:
        c.set("b", "2")
    assert str(e.value).startswith(MISCONF_PREFIX)
    assert "stop-writes-on-bgsave-error option" in str(e.value)
    with pytest.raises(redis.ResponseError, match=MISCONF_PREFIX):
        c.ping()
    assert c.get("a") == "1"  # reads still work
    # EXEC of a transaction holding a write is refused too.
    p = c.pipeline(transaction=True)
    p.get("a")
    p.set("c", "3")
    with pytest.raises(redis.ResponseError):
        p.execute()
    # stop-writes-on-bgsave-error no lifts the refusal...
    c.config_set("stop-writes-on-bgsave-error", "no")
    assert c.set("b", "2") is True
    c.config_set("stop-writes-on-bgsave-error", "yes")
    with pytest.raises(redis.ResponseError, match=MISCONF_PREFIX):
        c.set("b", "3")
    # ...and so does a good save.
    bad.mkdir()
    assert c.execute_command("BGSAVE") == "Background saving started"
    wait_until(lambda: info(c)["rdb_last_bgsave_status"] == "ok")
    assert c.set("b", "4") is True
    assert os.path.exists(bad / "dump.rdb")


def test_misconf_needs_save_points(server_factory, tmp_path):
    s = server_factory("--enable-protected-configs", "yes")  # save ""
    c = client(s)
    bad = tmp_path / "gone"
    bad.mkdir()
    c.config_set("dir", str(bad))
    bad.rmdir()
    c.execute_command("BGSAVE")
    wait_until(lambda: info(c)["rdb_last_bgsave_status"] == "err")
    assert c.set("b", "2") is True  # no save points: writes are never refused


def test_shutdown_saves_with_save_points(server_factory):
    s = server_factory("--save", "3600 1")
    c = client(s)
    c.set("persisted", "yes")
    c.shutdown()  # redis-py swallows the closed connection of a successful SHUTDOWN
    s.proc.wait(timeout=10)
    assert os.path.exists(os.path.join(s.dir, "dump.rdb"))
    s2 = server_factory("--dir", s.dir)
    assert s2.client().get("persisted") == "yes"


def test_shutdown_nosave_and_save(server_factory):
    s = server_factory("--save", "3600 1")
    c = client(s)
    c.set("x", "1")
    with pytest.raises(redis.ConnectionError):
        c.execute_command("SHUTDOWN", "NOSAVE")
    s.proc.wait(timeout=10)
    assert not os.path.exists(os.path.join(s.dir, "dump.rdb"))
    s2 = server_factory()  # save "": SHUTDOWN SAVE still saves
    c2 = client(s2)
    c2.set("y", "2")
    with pytest.raises(redis.ConnectionError):
        c2.execute_command("SHUTDOWN", "SAVE")
    s2.proc.wait(timeout=10)
    assert os.path.exists(os.path.join(s2.dir, "dump.rdb"))


def test_shutdown_refused_when_save_fails(server_factory, tmp_path):
    s = server_factory("--save", "3600 1", "--enable-protected-configs", "yes")
    c = client(s)
    c.set("x", "1")
    bad = tmp_path / "gone"
    bad.mkdir()
    c.config_set("dir", str(bad))
    bad.rmdir()
    with pytest.raises(redis.ResponseError, match="^Errors trying to SHUTDOWN. Check logs.$"):
        c.shutdown()
    assert c.ping()  # still running
    with pytest.raises(redis.ConnectionError):
        c.execute_command("SHUTDOWN", "FORCE")
    s.proc.wait(timeout=10)


def test_sigterm_saves_with_save_points(server_factory):
    s = server_factory("--save", "3600 1")
    c = client(s)
    c.set("k", "v")
    s.proc.terminate()
    s.proc.wait(timeout=10)
    assert os.path.exists(os.path.join(s.dir, "dump.rdb"))
    assert "Saving the final RDB snapshot before exiting." in s.read_log()


def test_bgsave_under_writes_keeps_serving(server_factory):
    """Clients are served while a BGSAVE runs; the file is a consistent image."""
    s = server_factory()
    c = client(s)
    fill(c, 100_000)
    c2 = client(s)
    assert c.execute_command("BGSAVE") == "Background saving started"
    writes = 0
    while info(c2)["rdb_bgsave_in_progress"] == 1:
        c2.set("k:%d" % (writes % 100_000), "w")
        writes += 1
    assert info(c)["rdb_last_bgsave_status"] == "ok"
    out = subprocess.run(["redis-check-rdb", os.path.join(s.dir, "dump.rdb")],
                         capture_output=True, text=True)
    assert "RDB looks OK" in out.stdout, out.stdout
    assert "100000 keys read" in out.stdout
