"""The append-only file end to end: the Redis 7 multi-part layout, restarts that replay it,
kill -9 with appendfsync always (every acknowledged write survives), BGREWRITEAOF, truncated
incr files with aof-load-truncated yes/no, CONFIG SET appendonly at runtime, ember-check-aof,
and interop with redis-server 7.0 both ways (each loads the other's appendonlydir)."""
import os
import random
import shutil
import signal
import subprocess
import tempfile
import threading

import pytest
import redis

from conftest import EMBER, REDIS, ServerProcess, wait_until

CHECK_AOF = os.path.join(os.path.dirname(EMBER), "ember-check-aof")


class DirServer(ServerProcess):
    """A server process on a directory that outlives it (restarts reuse the directory)."""

    def __init__(self, binary, directory, args=()):
        super().__init__(binary, args)
        shutil.rmtree(self.dir, ignore_errors=True)
        self.args[self.args.index("--dir") + 1] = directory
        self.dir = directory
        self.log_path = os.path.join(directory, "server-%d.log" % self.port)

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        self.log.close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)
        if not self.log.closed:
            self.log.close()


@pytest.fixture
def workdir():
    d = tempfile.mkdtemp(prefix="ember-aof-")
    yield d
    shutil.rmtree(d, ignore_errors=True)


@pytest.fixture
def run():
    """Starts DirServers; stops whatever is still running at the end."""
    started = []

    def make(directory, *args, binary=EMBER):
        s = DirServer(binary, directory, ("--appendonly", "yes") + args).start()
        started.append(s)
        return s

    yield make
    for s in started:
        try:
            s.stop()
        except Exception:
            pass


def aof_dir(directory):
    return os.path.join(directory, "appendonlydir")


def manifest(directory):
    with open(os.path.join(aof_dir(directory), "appendonly.aof.manifest")) as f:
        return [line.split() for line in f.read().splitlines()]


def incr_path(directory):
    name = [m[1] for m in manifest(directory) if m[5] == "i"][-1]
    return os.path.join(aof_dir(directory), name)


def propagates(server, directory):
    """True when this build sends write commands to the AOF (server-side propagation)."""
    c = server.client()
    c.set("__probe__", "1")
    c.delete("__probe__")
    try:
        wait_until(lambda: os.path.getsize(incr_path(directory)) > 0, timeout=2)
        return True
    except TimeoutError:
        return False


def snapshot(c, dbs=(0, 1, 9)):
    """Every key of the given dbs with its type, value and whether it has a TTL."""
    out = {}
    for db in dbs:
        c.execute_command("SELECT", db)
        for k in sorted(c.keys("*")):
            t = c.type(k)
            if t == "string":
                v = c.get(k)
            elif t == "list":
                v = c.lrange(k, 0, -1)
            elif t == "set":
                v = sorted(c.smembers(k))
            elif t == "zset":
                v = c.zrange(k, 0, -1, withscores=True)
            elif t == "hash":
                v = sorted(c.hgetall(k).items())
            elif t == "stream":
                v = [(i, sorted(f.items())) for i, f in c.xrange(k)]
            else:
                v = None
            out[(db, k)] = (t, v, c.pttl(k) > 0)
    c.execute_command("SELECT", 0)
    return out


def fill(c):
    c.set("s", "hello")
    c.set("n", 10)
    c.incr("n")
    c.set("ttl", "x", ex=10000)
    c.rpush("l", "a", "b", "c")
    c.lpush("l", "z")
    c.sadd("set", "m1", "m2", 3)
    c.zadd("z", {"a": 1.5, "b": -2})
    c.hset("h", mapping={"f1": "v1", "f2": "2"})
    c.xadd("st", {"f": "v"}, id="1-1")
    c.xadd("st", {"g": "w"}, id="2-1")
    c.execute_command("SELECT", 9)
    c.set("db9", "nine")
    c.execute_command("SELECT", 0)
    big = "".join(random.choice("abcdef") for _ in range(5000))
    c.set("big", big)
    c.rpush("biglist", *[str(i) for i in range(300)])
    c.hset("bighash", mapping={"f%d" % i: "v" * (i % 70) for i in range(600)})


def test_layout_and_info(run, workdir):
    s = run(workdir)
    assert manifest(workdir) == [
        ["file", "appendonly.aof.1.base.rdb", "seq", "1", "type", "b"],
        ["file", "appendonly.aof.1.incr.aof", "seq", "1", "type", "i"]]
    info = s.client().info("persistence")
    assert info["aof_enabled"] == 1
    assert info["aof_rewrite_in_progress"] == 0
    assert info["aof_last_write_status"] == "ok"
    assert info["aof_last_bgrewrite_status"] == "ok"
    assert "aof_current_size" in info and "aof_delayed_fsync" in info


def test_restart_replays_writes(run, workdir):
    s = run(workdir)
    if not propagates(s, workdir):
        pytest.skip("write propagation to the AOF is not wired in this build")
    c = s.client()
    fill(c)
    c.execute_command("SELECT", 1)
    c.set("one", "1")
    c.execute_command("SELECT", 0)
    with c.pipeline(transaction=True) as p:
        p.incr("n").rpush("l", "tx").execute()
    before = snapshot(c)
    s.stop()
    s2 = run(workdir)
    assert snapshot(s2.client()) == before


def test_kill9_with_appendfsync_always_keeps_acknowledged_writes(run, workdir):
    s = run(workdir, "--appendfsync", "always")
    if not propagates(s, workdir):
        pytest.skip("write propagation to the AOF is not wired in this build")
    rng = random.Random(7)
    acked = {}  # key -> value of every write whose reply arrived
    for iteration in range(5):
        c = s.client(socket_timeout=5)
        stop = threading.Event()

        def writer():
            i = 0
            while not stop.is_set():
                key = "k%d:%d" % (iteration, i)
                try:
                    c.set(key, i)
                    acked[key] = str(i)
                    acked["last"] = key
                    c.set("last", key)
                except (redis.ConnectionError, redis.TimeoutError, OSError):
                    return
                i += 1

        t = threading.Thread(target=writer)
        t.start()
        wait_until(lambda: len(acked) > 50 * (iteration + 1), timeout=20)
        threading.Event().wait(rng.uniform(0.0, 0.2))
        s.kill9()
        stop.set()
        t.join()
        s = run(workdir, "--appendfsync", "always")
        c2 = s.client()
        for key, value in list(acked.items()):
            if key != "last":
                assert c2.get(key) == value, (iteration, key)
        # "last" was acknowledged at least up to the previous key.
        assert c2.get("last") is not None


def test_bgrewriteaof_then_restart(run, workdir):
    s = run(workdir)
    c = s.client()
    fill(c)
    assert c.bgrewriteaof() in (True, "Background append only file rewriting started")
    wait_until(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0)
    info = c.info("persistence")
    assert info["aof_rewrites"] == 1 and info["aof_last_bgrewrite_status"] == "ok"
    assert manifest(workdir) == [
        ["file", "appendonly.aof.2.base.rdb", "seq", "2", "type", "b"],
        ["file", "appendonly.aof.2.incr.aof", "seq", "2", "type", "i"]]
    assert not os.path.exists(os.path.join(aof_dir(workdir), "appendonly.aof.1.incr.aof"))
    before = snapshot(c)
    s.stop()
    assert snapshot(run(workdir).client()) == before


def test_bgrewriteaof_aof_format_base(run, workdir):
    s = run(workdir, "--aof-use-rdb-preamble", "no")
    c = s.client()
    fill(c)
    c.bgrewriteaof()
    wait_until(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0)
    assert manifest(workdir)[0][1] == "appendonly.aof.2.base.aof"
    before = snapshot(c)
    s.stop()
    assert snapshot(run(workdir, "--aof-use-rdb-preamble", "no").client()) == before


def command(*args):
    out = "*%d\r\n" % len(args)
    for a in args:
        a = str(a)
        out += "$%d\r\n%s\r\n" % (len(a.encode()), a)
    return out.encode()


def write_truncated_incr(run, workdir):
    s = run(workdir)
    s.stop()
    good = command("SELECT", 0) + command("SET", "a", "1") + command("RPUSH", "l", "x")
    with open(incr_path(workdir), "wb") as f:
        f.write(good + command("SET", "b", "2")[:11])
    return len(good)


def test_truncated_incr_loaded_with_aof_load_truncated_yes(run, workdir):
    good = write_truncated_incr(run, workdir)
    s = run(workdir, "--aof-load-truncated", "yes")
    c = s.client()
    assert c.get("a") == "1" and c.lrange("l", 0, -1) == ["x"] and c.get("b") is None
    assert os.path.getsize(incr_path(workdir)) == good
    assert "Truncating the AOF" in s.read_log()


def test_truncated_incr_refused_with_aof_load_truncated_no(run, workdir):
    write_truncated_incr(run, workdir)
    with pytest.raises(RuntimeError) as e:
        run(workdir, "--aof-load-truncated", "no")
    assert "Unexpected end of file reading the append only file" in str(e.value)


def test_config_set_appendonly_at_runtime(server_factory):
    s = server_factory()
    c = s.client()
    c.set("before", "1")
    assert c.config_set("appendonly", "yes")
    wait_until(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0)
    assert c.info("persistence")["aof_enabled"] == 1
    lines = manifest(s.dir)
    assert lines[0][1] == "appendonly.aof.1.base.rdb" and lines[-1][5] == "i"
    assert c.config_set("appendonly", "no")
    assert c.info("persistence")["aof_enabled"] == 0


def test_check_aof_tool(run, workdir):
    if not os.path.exists(CHECK_AOF):
        pytest.skip("ember-check-aof not built")
    good = write_truncated_incr(run, workdir)
    m = os.path.join(aof_dir(workdir), "appendonly.aof.manifest")
    r = subprocess.run([CHECK_AOF, m], capture_output=True, text=True)
    assert r.returncode == 1 and "ok_up_to=%d" % good in r.stdout, r.stdout
    r = subprocess.run([CHECK_AOF, "--fix", "--yes", m], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout
    assert os.path.getsize(incr_path(workdir)) == good
    r = subprocess.run([CHECK_AOF, m], capture_output=True, text=True)
    assert r.returncode == 0 and "All AOF files and manifest are valid" in r.stdout


def test_redis_appendonlydir_loads_into_ember(run, workdir):
    rs = run(workdir, "--save", "", binary=REDIS)
    c = rs.client()
    fill(c)
    c.bgrewriteaof()
    wait_until(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0)
    c.set("after_rewrite", "incr-file")
    c.expire("s", 5000)
    with c.pipeline(transaction=True) as p:
        p.incr("n").sadd("set", "tx").execute()
    before = snapshot(c)
    rs.stop()
    es = run(workdir)
    assert snapshot(es.client()) == before


@pytest.mark.parametrize("preamble", ["yes", "no"])
def test_ember_appendonlydir_loads_into_redis(run, workdir, preamble):
    es = run(workdir, "--aof-use-rdb-preamble", preamble)
    c = es.client()
    fill(c)
    c.bgrewriteaof()  # the data reaches the base even without propagation
    wait_until(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0)
    before = snapshot(c)
    es.stop()
    os.remove(os.path.join(workdir, "dump.rdb")) if os.path.exists(
        os.path.join(workdir, "dump.rdb")) else None
    rs = run(workdir, "--save", "", "--aof-use-rdb-preamble", preamble, binary=REDIS)
    assert snapshot(rs.client()) == before


def manifest_sequence(server, directory):
    """Runs a sequence of rewrites / AOF on-off / DEBUG LOADAOF / auto-gc changes and returns
    the manifest after each step (the file names and sequence numbers Redis would produce)."""
    c = server.client()

    def rewrite():
        c.bgrewriteaof()
        wait_until(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0 and
                   c.info("persistence")["aof_rewrite_scheduled"] == 0)

    def on(v):
        c.config_set("appendonly", v)
        wait_until(lambda: c.info("persistence")["aof_rewrite_in_progress"] == 0)

    steps = []
    c.set("k", "v")
    rewrite()
    steps.append(manifest(directory))
    on("no")
    rewrite()  # with the AOF off: a new base, no incr
    steps.append(manifest(directory))
    c.execute_command("DEBUG", "LOADAOF")
    on("yes")
    steps.append(manifest(directory))
    c.config_set("aof-disable-auto-gc", "yes")
    rewrite()
    rewrite()
    steps.append(manifest(directory))
    c.config_set("aof-disable-auto-gc", "no")
    steps.append(manifest(directory))
    c.execute_command("DEBUG", "LOADAOF")
    rewrite()
    steps.append(manifest(directory))
    return steps, c.get("k")


def test_manifest_evolution_matches_redis(run, workdir):
    rdir = tempfile.mkdtemp(prefix="redis-aof-")
    try:
        rs = run(rdir, "--save", "", "--enable-debug-command", "yes", binary=REDIS)
        expected = manifest_sequence(rs, rdir)
        es = run(workdir, "--enable-debug-command", "yes")
        assert manifest_sequence(es, workdir) == expected
    finally:
        shutil.rmtree(rdir, ignore_errors=True)
