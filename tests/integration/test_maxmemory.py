"""maxmemory and eviction against the real binary: for each of the eight policies, fill past a
small cap and check which keys went and which stayed; evicted_keys and the "evicted" keyspace
event; -OOM replies (noeviction, volatile-* without TTLs, MULTI queueing, EXEC, scripts)
compared with a real redis-server; CONFIG SET maxmemory lower evicts down; a hot set survives
allkeys-lru; OBJECT FREQ grows with accesses under allkeys-lfu."""
import pytest
import redis

from conftest import wait_until

OOM = "OOM command not allowed when used memory > 'maxmemory'."
VALUE = "x" * 1000
MB = 1024 * 1024


def info(c, field, section="all"):
    return c.info(section)[field]


def fill(c, prefix, n, ttl=None, start=0, batch=200):
    """Writes n 1KB values prefix0..prefix<n-1>, pipelined, optionally with a TTL."""
    p = c.pipeline(transaction=False)
    for i in range(start, start + n):
        if ttl is None:
            p.set(f"{prefix}{i}", VALUE)
        else:
            p.set(f"{prefix}{i}", VALUE, ex=ttl)
        if len(p) >= batch:
            p.execute()
    p.execute()


def cap(c, policy, headroom, samples=10):
    """Sets maxmemory to used_memory + headroom under `policy`; returns the limit."""
    c.config_set("maxmemory-policy", policy)
    c.config_set("maxmemory-samples", samples)
    limit = info(c, "used_memory", "memory") + headroom
    c.config_set("maxmemory", limit)
    return limit


def within(c, limit):
    """used_memory as INFO reports it is within `limit`, give or take what the INFO request
    and reply themselves hold while INFO measures (the eviction ran before it)."""
    return info(c, "used_memory", "memory") <= limit + 64 * 1024


def existing(c, names):
    p = c.pipeline(transaction=False)
    for n in names:
        p.exists(n)
    return sum(p.execute())


@pytest.fixture
def srv(server_factory):
    s = server_factory()
    c = s.client()
    yield c
    c.close()


@pytest.mark.parametrize("policy", ["allkeys-lru", "allkeys-lfu", "allkeys-random"])
def test_allkeys_policies_stay_under_the_limit(srv, policy):
    limit = cap(srv, policy, 2 * MB)
    fill(srv, "k", 6000)  # ~6MB offered into 2MB of headroom
    srv.ping()
    assert within(srv, limit)
    evicted = info(srv, "evicted_keys", "stats")
    assert evicted > 2000
    assert srv.dbsize() == 6000 - evicted


@pytest.mark.parametrize("policy", ["volatile-lru", "volatile-lfu", "volatile-random",
                                    "volatile-ttl"])
def test_volatile_policies_evict_only_keys_with_ttl(srv, policy):
    limit = cap(srv, policy, 3 * MB)
    fill(srv, "p", 1000)  # persistent
    fill(srv, "v", 6000, ttl=100000)
    srv.ping()
    assert within(srv, limit)
    assert existing(srv, [f"p{i}" for i in range(1000)]) == 1000
    evicted = info(srv, "evicted_keys", "stats")
    assert evicted > 2000
    assert srv.dbsize() == 7000 - evicted
    # Once only persistent keys are left, writes are refused. (A large eviction goes on in
    # time-bounded slices, during which commands are not refused: wait for it to end.)
    srv.config_set("maxmemory", 1)
    wait_until(lambda: srv.dbsize() == 1000)
    with pytest.raises(redis.ResponseError, match="^" + OOM.replace(".", r"\.") + "$"):
        srv.set("more", "x")
    assert existing(srv, [f"p{i}" for i in range(1000)]) == 1000
    assert srv.dbsize() == 1000


def test_volatile_ttl_evicts_soonest_expiry_first(srv):
    cap(srv, "volatile-ttl", 2 * MB, samples=10)
    # Longer TTLs for later keys: the earliest keys expire soonest and go first.
    p = srv.pipeline(transaction=False)
    for i in range(5000):
        p.set(f"t{i}", VALUE, ex=10000 + i)
        if len(p) >= 200:
            p.execute()
    p.execute()
    srv.ping()
    survivors = [i for i in range(5000) if srv.exists(f"t{i}")]
    assert len(survivors) < 4000
    # Sampling makes the order approximate, not exact: nearly all of the soonest-expiring
    # third went.
    assert sum(1 for i in survivors if i < 1700) <= len(survivors) // 50
    assert existing(srv, [f"t{i}" for i in range(4900, 5000)]) == 100


def test_allkeys_lru_keeps_the_hot_set(srv):
    cap(srv, "allkeys-lru", 2 * MB, samples=5)
    hot = [f"hot{i}" for i in range(200)]
    for k in hot:
        srv.set(k, VALUE)
    # The LRU clock counts seconds: each round writes cold keys, waits for the clock to tick
    # and reads the hot set, so the cold keys of earlier rounds are older than every hot key.
    # (Keys touched in the same second tie; a round writes well under the cap, so the older
    # keys are enough to pick from.)
    for round_ in range(6):
        fill(srv, f"c{round_}:", 700)
        tick = info(srv, "lru_clock", "server")
        wait_until(lambda: info(srv, "lru_clock", "server") != tick, timeout=5)
        p = srv.pipeline(transaction=False)
        for k in hot:
            p.get(k)
        p.execute()
    assert info(srv, "evicted_keys", "stats") > 2000
    assert existing(srv, hot) >= 190


def test_noeviction_and_oom_replies_match_redis(srv, redis_server):
    ref = redis_server.client()
    try:
        for c in (srv, ref):
            c.config_set("maxmemory", 0)
            c.flushall()
            c.set("a", "1")
            c.config_set("maxmemory-policy", "noeviction")
            c.config_set("maxmemory", 1)
        script_noflags = "#!lua\nreturn 1"
        script_allow = "#!lua flags=allow-oom\nreturn redis.call('set','z','1')"
        cases = [
            ("SET", "b", "1"),
            ("GET", "a"),
            ("LPUSH", "l", "x"),
            ("DEL", "nothing"),
            ("EVAL", "redis.call('set','x','1')", "1", "x"),
            ("EVAL", "return redis.call('get','a')", "1", "a"),
            ("EVAL", "return redis.pcall('set','x','1')", "0"),
            ("EVAL", script_noflags, "0"),
            ("EVAL", "#!lua flags=no-writes\nreturn 1", "0"),
            ("EVAL", script_allow, "0"),
        ]

        def run(c, args):
            try:
                out = c.execute_command(*args)
                return ("ok", str(out))
            except redis.ResponseError as e:
                # Script errors name the script by SHA: compare the message head only.
                return ("err", str(e).split(" script: ")[0])

        for args in cases:
            assert run(srv, args) == run(ref, args), args
    finally:
        for c in (srv, ref):
            c.config_set("maxmemory", 0)
        ref.close()


def test_multi_exec_under_oom_matches_redis(srv, redis_server):
    ref = redis_server.client()

    def session(c):
        c.config_set("maxmemory", 0)
        c.flushall()
        c.set("a", "1")
        out = []
        conn = c.connection_pool.get_connection("x")
        try:
            def cmd(*args):
                conn.send_command(*args)
                try:
                    out.append(str(conn.read_response()))
                except redis.ResponseError as e:
                    out.append("ERR:" + str(e))
            cmd("CONFIG", "SET", "maxmemory", "1")
            cmd("MULTI")
            cmd("GET", "a")  # queueing is refused when OOM
            cmd("EXEC")
            cmd("MULTI")
            cmd("DISCARD")  # DISCARD still works
            cmd("CONFIG", "SET", "maxmemory", "0")
            cmd("MULTI")
            cmd("SET", "b", "1")
            cmd("CONFIG", "SET", "maxmemory", "1")
            cmd("EXEC")  # the CONFIG SET inside the transaction does not evict mid-EXEC
            cmd("CONFIG", "SET", "maxmemory", "0")
            cmd("MULTI")
            cmd("SET", "c", "1")
            c.config_set("maxmemory", 1)  # another client: memory runs out before EXEC
            cmd("EXEC")
            cmd("CONFIG", "SET", "maxmemory", "0")
        finally:
            c.connection_pool.release(conn)
        return out

    try:
        mine, theirs = session(srv), session(ref)
        assert mine == theirs
        # (redis-py drops the EXECABORT code from the message.)
        assert any("discarded because of: OOM" in x for x in mine)
    finally:
        ref.config_set("maxmemory", 0)
        ref.close()


def test_config_set_maxmemory_lower_evicts_down(srv):
    srv.config_set("maxmemory-policy", "allkeys-random")
    fill(srv, "k", 8000)
    used = info(srv, "used_memory", "memory")
    limit = used - 4 * MB
    srv.config_set("maxmemory", limit)
    wait_until(lambda: within(srv, limit))
    assert info(srv, "evicted_keys", "stats") > 3000
    stats = srv.info("stats")
    assert "total_eviction_exceeded_time" in stats
    assert stats["current_eviction_exceeded_time"] == 0
    assert "mem_not_counted_for_evict" in srv.info("memory")
    srv.config_resetstat()
    assert info(srv, "evicted_keys", "stats") == 0


def test_evicted_keyspace_event(srv):
    srv.config_set("notify-keyspace-events", "Eg" + "e")
    ps = srv.pubsub()
    ps.psubscribe("__keyevent@*__:evicted")
    wait_until(lambda: ps.get_message(timeout=0.1))  # the psubscribe confirmation
    cap(srv, "allkeys-lru", 1 * MB)
    fill(srv, "k", 3000)
    srv.ping()
    msg = wait_until(lambda: ps.get_message(timeout=0.1))
    assert msg["channel"] == "__keyevent@0__:evicted"
    assert msg["data"].startswith("k")
    assert not srv.exists(msg["data"])
    ps.close()


def test_object_freq_grows_under_lfu(srv):
    srv.config_set("maxmemory-policy", "allkeys-lfu")
    srv.set("k", "v")
    assert srv.object("freq", "k") == 5
    for _ in range(200):
        srv.get("k")
    grown = srv.object("freq", "k")
    assert 6 < grown < 40  # logarithmic with lfu-log-factor 10
    srv.config_set("lfu-log-factor", 0)
    srv.set("j", "v")
    for _ in range(10):
        srv.get("j")
    assert srv.object("freq", "j") == 15
    with pytest.raises(redis.ResponseError, match="LFU"):
        srv.object("idletime", "k")
    srv.config_set("maxmemory-policy", "allkeys-lru")
    srv.set("n", "v")
    assert srv.object("idletime", "n") <= 1


def test_eviction_propagates_del_to_the_aof(server_factory):
    import glob
    import os
    s = server_factory("--appendonly", "yes")
    c = s.client()
    for k in ("asdf1", "asdf2", "asdf3"):
        c.set(k, "1")
    c.config_set("maxmemory-policy", "allkeys-lru")
    c.config_set("maxmemory", 1)
    wait_until(lambda: c.dbsize() == 0)

    def aof_text():
        text = ""
        for path in glob.glob(os.path.join(s.dir, "appendonlydir", "*.incr.aof")):
            with open(path, "rb") as f:
                text += f.read().decode(errors="replace")
        return text

    wait_until(lambda: aof_text().count("$3\r\nDEL\r\n") == 3)
    assert "UNLINK" not in aof_text()
    c.close()
