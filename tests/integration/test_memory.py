"""Memory accounting against the real binary: INFO memory's fields (names and order as
redis-server 7.0's) and their consistency, MEMORY STATS/USAGE/DOCTOR/MALLOC-STATS/PURGE/HELP,
used_memory following data and client buffers, client buffer limits that disconnect the client
instead of growing the server, and RSS that follows used memory (TTL churn, delete all)."""
import socket

import pytest
import redis

from conftest import wait_until

MB = 1024 * 1024


def mem(c):
    return c.info("memory")


def raw_info_keys(server, section):
    """INFO field names in order, read over a raw socket (no client-side parsing)."""
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"INFO %s\r\n" % section.encode())
        f = s.makefile("rb")
        n = int(f.readline()[1:])
        body = f.read(n + 2)[:-2].decode()
    return [line.split(":", 1)[0] for line in body.split("\r\n")
            if line and not line.startswith("#")]


# --- INFO memory --------------------------------------------------------------------------------

def test_info_memory_fields_match_redis(ember_server, redis_server):
    ours = raw_info_keys(ember_server, "memory")
    theirs = raw_info_keys(redis_server, "memory")
    assert ours == theirs


def test_info_memory_is_consistent(r):
    r.set("k", "v" * 100)
    m = mem(r)
    assert m["used_memory"] > 0 and m["used_memory_rss"] > 0
    assert m["used_memory_overhead"] + m["used_memory_dataset"] == m["used_memory"]
    assert m["used_memory_startup"] <= m["used_memory_overhead"]
    assert m["used_memory_peak"] >= m["used_memory"]
    assert m["mem_allocator"].startswith("jemalloc") or m["mem_allocator"] == "libc"
    assert m["maxmemory_policy"] == "noeviction"
    assert m["mem_clients_normal"] > 0  # this connection
    # The allocator's own figure also counts blocks parked in thread caches: close, not equal.
    if m["mem_allocator"].startswith("jemalloc"):
        assert abs(m["allocator_allocated"] - m["used_memory"]) < 2 * MB
        assert m["allocator_active"] >= m["allocator_allocated"]
        assert m["allocator_resident"] >= m["allocator_active"]
    assert m["total_system_memory"] > 0
    ratio = m["mem_fragmentation_ratio"]
    assert abs(ratio - m["used_memory_rss"] / m["used_memory"]) < 0.02


def test_used_memory_follows_data(r):
    base = mem(r)["used_memory"]
    pipe = r.pipeline(transaction=False)
    for i in range(100000):
        pipe.set("key:%d" % i, "x" * 100)
    pipe.execute()
    loaded = mem(r)
    grown = loaded["used_memory"] - base
    # 100k keys with 100-byte values: at least the payload, at most a few times it.
    assert 100000 * 100 < grown < 100000 * 400
    assert loaded["used_memory_dataset"] > 100000 * 100
    assert loaded["used_memory_peak"] >= loaded["used_memory"]
    r.flushall()
    after = mem(r)
    assert after["used_memory"] < base + MB
    assert after["used_memory_peak"] >= loaded["used_memory"]


def test_config_resetstat_restarts_peak(r):
    r.set("big", "x" * (8 * MB))
    high = mem(r)["used_memory_peak"]
    r.delete("big")
    r.config_resetstat()
    m = mem(r)
    assert m["used_memory_peak"] < high - 4 * MB
    assert m["used_memory_peak"] >= m["used_memory"] - 64 * 1024


# --- MEMORY STATS ------------------------------------------------------------------------------

def stats_pairs(c):
    flat = c.execute_command("MEMORY", "STATS")
    if isinstance(flat, dict):
        return list(flat.items())
    return list(zip(flat[0::2], flat[1::2]))


def test_memory_stats_fields_match_redis(ember_server, redis_server):
    ours_c = ember_server.client(decode_responses=True)
    theirs_c = redis_server.client(decode_responses=True)
    for c in (ours_c, theirs_c):
        c.flushall()
        c.set("a", "1")
    ours = stats_pairs(ours_c)
    theirs = stats_pairs(theirs_c)
    assert [k for k, _ in ours] == [k for k, _ in theirs]
    for (k, v), (_, w) in zip(ours, theirs):
        assert type(v) is type(w), k
        if isinstance(v, list):
            assert v[0::2] == w[0::2]


def test_memory_stats_agrees_with_info(r):
    for i in range(1000):
        r.set("k%d" % i, i, ex=1000 if i % 2 else None)
    s = dict(stats_pairs(r))
    m = mem(r)
    assert s["keys.count"] == 1000
    assert s["startup.allocated"] == m["used_memory_startup"]
    db0 = dict(zip(s["db.0"][0::2], s["db.0"][1::2]))
    assert db0["overhead.hashtable.main"] > 0
    assert db0["overhead.hashtable.expires"] > 0  # 500 keys carry an expiry
    parts = (s["startup.allocated"] + s["replication.backlog"] + s["clients.slaves"] +
             s["clients.normal"] + s["cluster.links"] + s["aof.buffer"] + s["lua.caches"] +
             s["functions.caches"] + db0["overhead.hashtable.main"] +
             db0["overhead.hashtable.expires"])
    assert s["overhead.total"] == parts
    assert s["overhead.total"] + s["dataset.bytes"] == s["total.allocated"]
    assert 0 < float(s["dataset.percentage"]) <= 100
    assert 0 < float(s["peak.percentage"]) <= 100


def test_memory_stats_counts_scripts(r):
    r.script_flush()
    before = dict(stats_pairs(r))["lua.caches"]
    for i in range(50):
        r.eval("return %d" % i, 0)
    assert dict(stats_pairs(r))["lua.caches"] > before
    assert mem(r)["number_of_cached_scripts"] == 50
    r.script_flush()


# --- MEMORY USAGE and the other subcommands ----------------------------------------------------

def test_memory_usage_per_type(r):
    r.set("s", "x" * 1000)
    r.rpush("l", *["item%d" % i for i in range(1000)])
    r.sadd("set", *["m%d" % i for i in range(1000)])
    r.zadd("z", {"m%d" % i: i for i in range(1000)})
    r.hset("h", mapping={"f%d" % i: "v%d" % i for i in range(1000)})
    r.xadd("st", {"f": "v"})
    assert 1000 <= r.memory_usage("s") < 1200
    for key in ("l", "set", "z", "h"):
        used = r.memory_usage(key)
        assert 5000 < used < 200000, key
    assert r.memory_usage("st") > 0
    assert r.memory_usage("missing") is None
    assert r.memory_usage("h", samples=0) == r.memory_usage("h")


@pytest.mark.parametrize("args", [
    ("MEMORY", "USAGE", "s", "SAMPLES"),
    ("MEMORY", "USAGE", "s", "SAMPLES", "-1"),
    ("MEMORY", "USAGE", "s", "SAMPLES", "x"),
    ("MEMORY", "USAGE", "s", "FOO", "1"),
    ("MEMORY", "USAGE"),
    ("MEMORY", "STATS", "x"),
    ("MEMORY", "DOCTOR", "x"),
    ("MEMORY", "PURGE", "x"),
    ("MEMORY", "NOSUCH"),
])
def test_memory_errors_match_redis(ember_server, redis_server, args):
    def reply(server):
        c = server.client()
        c.set("s", "v")
        try:
            return ("ok", c.execute_command(*args))
        except redis.ResponseError as e:
            return ("err", str(e))
    assert reply(ember_server) == reply(redis_server)


def test_memory_doctor_malloc_stats_purge_help(r):
    doctor = r.execute_command("MEMORY", "DOCTOR")
    assert isinstance(doctor, str) and doctor
    stats = r.execute_command("MEMORY", "MALLOC-STATS")
    assert isinstance(stats, str)
    if mem(r)["mem_allocator"].startswith("jemalloc"):
        assert "jemalloc" in stats
    assert r.execute_command("MEMORY", "PURGE") in (True, "OK")
    help_lines = r.execute_command("MEMORY", "HELP")
    assert isinstance(help_lines, list) and any("USAGE" in line for line in help_lines)


def test_memory_doctor_reports_a_peak(r):
    r.set("big", "x" * (64 * MB))
    r.delete("big")
    r.set("small", "x" * (6 * MB))  # above the empty-instance threshold
    # The query buffer that carried the 64 MB argument is given back once idle.
    wait_until(lambda: mem(r)["mem_clients_normal"] < 8 * MB, timeout=15)
    text = r.execute_command("MEMORY", "DOCTOR")
    assert "peak" in text.lower()


# --- client buffers ----------------------------------------------------------------------------

def raw_conn(server):
    s = socket.create_connection(("127.0.0.1", server.port))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
    return s


def client_count(c):
    return c.info("clients")["connected_clients"]


def named_conn(server, name):
    """A raw connection with a client name, for tests that wait for it to be closed."""
    s = raw_conn(server)
    s.sendall(b"CLIENT SETNAME %s\r\n" % name.encode())
    assert s.recv(16) == b"+OK\r\n"
    return s


def has_client(c, name):
    return any(cl.get("name") == name for cl in c.client_list())


def test_pending_output_is_accounted(ember_server, r):
    r.config_set("client-output-buffer-limit", "normal 0 0 0")
    r.set("blob", "x" * (4 * MB))
    base = mem(r)
    s = raw_conn(ember_server)
    try:
        s.sendall(b"GET blob\r\n" * 16)  # 64 MB of replies, never read
        wait_until(lambda: mem(r)["mem_clients_normal"] > base["mem_clients_normal"] + 32 * MB)
        m = mem(r)
        assert m["used_memory"] > base["used_memory"] + 32 * MB
        assert m["used_memory_overhead"] > base["used_memory_overhead"] + 32 * MB
        assert r.execute_command("MEMORY", "STATS")  # still answering
    finally:
        s.close()
    wait_until(lambda: mem(r)["mem_clients_normal"] < base["mem_clients_normal"] + MB)
    assert mem(r)["used_memory"] < base["used_memory"] + 2 * MB


def test_output_hard_limit_disconnects_the_client(ember_server, r):
    r.config_set("client-output-buffer-limit", "normal 8mb 0 0")
    try:
        r.set("blob", "x" * MB)
        base = mem(r)["used_memory"]
        before = r.info("stats")["client_output_buffer_limit_disconnections"]
        s = named_conn(ember_server, "hardlimited")
        s.sendall(b"GET blob\r\n" * 200)  # 200 MB offered to a client that never reads
        wait_until(lambda: not has_client(r, "hardlimited"))
        stats = r.info("stats")
        assert stats["client_output_buffer_limit_disconnections"] == before + 1
        # The server did not keep the backlog.
        assert mem(r)["used_memory"] < base + 16 * MB
        s.close()
    finally:
        r.config_set("client-output-buffer-limit", "normal 0 0 0")


def test_output_soft_limit_disconnects_after_its_seconds(ember_server, r):
    r.config_set("client-output-buffer-limit", "normal 0 4mb 1")
    try:
        r.set("blob", "x" * MB)
        before = r.info("stats")["client_output_buffer_limit_disconnections"]
        s = named_conn(ember_server, "softlimited")
        s.sendall(b"GET blob\r\n" * 20)  # over the soft limit, under no hard limit
        wait_until(lambda: not has_client(r, "softlimited"), timeout=15)
        assert r.info("stats")["client_output_buffer_limit_disconnections"] == before + 1
        s.close()
    finally:
        r.config_set("client-output-buffer-limit", "normal 0 0 0")


def test_query_buffer_limit_keeps_the_server_bounded(server_factory):
    srv = server_factory("--client-query-buffer-limit", "1mb")
    c = srv.client()
    base = mem(c)["used_memory"]
    clients = client_count(c)
    s = socket.create_connection(("127.0.0.1", srv.port))
    # One argument announced as 100 MB, sent in pieces: the server must cut the client off
    # once its query buffer passes the limit instead of buffering the whole argument.
    s.sendall(b"*2\r\n$3\r\nSET\r\n$104857600\r\n")
    sent = 0
    try:
        while sent < 100 * MB:
            s.sendall(b"x" * 65536)
            sent += 65536
    except OSError:
        pass  # the server closed the connection
    s.close()
    wait_until(lambda: client_count(c) == clients)
    assert c.info("stats")["client_query_buffer_limit_disconnections"] == 1
    assert sent < 100 * MB
    assert mem(c)["used_memory"] < base + 4 * MB


# --- RSS follows used memory -------------------------------------------------------------------

def rss(c):
    return mem(c)["used_memory_rss"]


def require_jemalloc(c):
    """RSS tests check the release allocator; sanitizer builds run without jemalloc and ASan's
    quarantine holds freed blocks on purpose."""
    if not mem(c)["mem_allocator"].startswith("jemalloc"):
        pytest.skip("RSS behaviour is a property of the jemalloc build")


def test_ttl_churn_keeps_rss_flat(server_factory):
    srv = server_factory("--hz", "100")
    c = srv.client()
    require_jemalloc(c)
    keys, size = 50000, 200
    peaks = []
    for gen in range(6):
        pipe = c.pipeline(transaction=False)
        for i in range(keys):
            pipe.set("g%d:%d" % (gen, i), "v" * size, px=300)
        pipe.execute()
        peaks.append(rss(c))
        wait_until(lambda: c.dbsize() == 0, timeout=60)  # active expiry empties it
    # Later generations reuse the memory of earlier ones: no growth generation over
    # generation (generous factor for allocator and page-cache noise).
    assert max(peaks[2:]) < peaks[0] * 1.5 + 8 * MB, peaks
    assert mem(c)["used_memory"] < mem(c)["used_memory_startup"] + 4 * MB


def test_rss_drops_after_deleting_everything(server_factory):
    srv = server_factory()
    c = srv.client()
    require_jemalloc(c)
    empty = rss(c)
    pipe = c.pipeline(transaction=False)
    for i in range(300000):
        pipe.set("key:%d" % i, "v" * 200)
        if i % 10000 == 9999:
            pipe.execute()
    pipe.execute()
    full = rss(c)
    assert full > empty + 60 * MB
    c.flushall()
    c.execute_command("MEMORY", "PURGE")
    wait_until(lambda: rss(c) < empty + (full - empty) * 0.25, timeout=30)
