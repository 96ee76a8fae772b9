"""Lazy freeing (server/lazyfree.h) against the real binary: UNLINK and FLUSHALL/FLUSHDB ASYNC
free big values on the background thread (lazyfreed_objects grows, used_memory goes down once
the thread is done), the lazyfree-lazy-* settings take effect at run time, the server keeps
serving while a flushed table is being freed, and the counters match redis-server's for the
same command sequences. Waits are conditions on INFO fields, never sleeps."""
import pytest

from conftest import wait_until


def info_int(c, field, section="memory"):
    return int(c.info(section)[field])


def drained(c):
    """Waits until the lazy-free thread has nothing pending; returns lazyfreed_objects."""
    wait_until(lambda: info_int(c, "lazyfree_pending_objects") == 0, timeout=30)
    return info_int(c, "lazyfreed_objects")


def reclaimed(c, before, peak):
    """Waits until most of what a big value added to used_memory is gone again (the client's
    own connection buffers, grown by the big SADDs, stay)."""
    wait_until(lambda: info_int(c, "used_memory") < peak - (peak - before) * 3 // 4, timeout=30)


def big_set(c, key, n=100000):
    for start in range(0, n, 10000):
        c.sadd(key, *["member:%d" % i for i in range(start, min(n, start + 10000))])


@pytest.fixture
def c(r):
    r.config_set("lazyfree-lazy-user-del", "no")
    r.config_set("lazyfree-lazy-server-del", "no")
    r.config_set("lazyfree-lazy-expire", "no")
    r.config_set("lazyfree-lazy-user-flush", "no")
    drained(r)
    r.config_resetstat()
    yield r


def test_info_fields(c):
    mem = c.info("memory")
    assert mem["lazyfree_pending_objects"] == 0
    assert mem["lazyfreed_objects"] == 0


def test_unlink_frees_a_big_set_in_the_background(c):
    before = info_int(c, "used_memory")
    big_set(c, "myset")
    peak = info_int(c, "used_memory")
    assert peak > before + 1_000_000
    assert c.unlink("myset") == 1
    assert c.exists("myset") == 0  # gone at once for clients
    assert drained(c) == 1
    reclaimed(c, before, peak)


def test_small_values_are_freed_inline(c):
    c.set("s", "x" * 10000)
    c.sadd("small", *range(10))
    c.rpush("list", *range(10000))  # a few quicklist nodes only
    assert c.unlink("s", "small", "list") == 3
    assert drained(c) == 0


def test_del_follows_lazyfree_lazy_user_del(c):
    big_set(c, "a", 1000)
    assert c.delete("a") == 1
    assert drained(c) == 0
    c.config_set("lazyfree-lazy-user-del", "yes")
    assert c.config_get("lazyfree-lazy-user-del") == {"lazyfree-lazy-user-del": "yes"}
    big_set(c, "a", 1000)
    assert c.delete("a") == 1
    assert drained(c) == 1


def test_overwrite_follows_lazyfree_lazy_server_del(c):
    big_set(c, "a", 1000)
    c.set("a", "v")
    assert drained(c) == 0
    c.config_set("lazyfree-lazy-server-del", "yes")
    c.delete("a")
    big_set(c, "a", 1000)
    c.set("a", "v")
    big_set(c, "b", 1000)
    c.rename("a", "b")  # RENAME's target is an implicit delete too
    assert drained(c) == 2
    assert c.get("b") == "v"


def test_expiry_follows_lazyfree_lazy_expire(c):
    c.config_set("lazyfree-lazy-expire", "yes")
    big_set(c, "a", 1000)
    big_set(c, "b", 1000)
    c.pexpire("a", 1)
    c.pexpire("b", 1)
    # One key goes by active expiry or lazily on access; wait for both to be gone.
    wait_until(lambda: c.exists("a") + c.exists("b") == 0 and c.dbsize() == 0)
    assert drained(c) == 2
    assert info_int(c, "expired_keys", "stats") == 2


def test_flushall_async_keeps_serving(c):
    pipe = c.pipeline(transaction=False)
    for i in range(200000):
        pipe.set("key:%d" % i, i)
    pipe.execute()
    big_set(c, "myset")
    assert c.dbsize() == 200001
    # The flush and the commands behind it in one batch: they are answered as usual, and keys
    # written after the flush survive the background freeing of the old table.
    pipe = c.pipeline(transaction=False)
    pipe.flushall(asynchronous=True)
    pipe.set("after", "1")
    pipe.sadd("fresh", "a", "b")
    pipe.dbsize()
    assert pipe.execute() == [True, True, 2, 2]
    assert c.ping()
    assert drained(c) == 200001
    assert c.get("after") == "1"
    assert c.smembers("fresh") == {"a", "b"}


def test_flush_modes_and_lazyfree_lazy_user_flush(c):
    for i in range(10):
        c.set("k%d" % i, i)
    c.flushdb()  # no mode, setting off: synchronous
    assert drained(c) == 0
    for i in range(10):
        c.set("k%d" % i, i)
    c.execute_command("FLUSHDB", "ASYNC")
    assert drained(c) == 10
    c.config_set("lazyfree-lazy-user-flush", "yes")
    for i in range(5):
        c.set("k%d" % i, i)
    c.flushall()
    assert drained(c) == 15
    for i in range(5):
        c.set("k%d" % i, i)
    c.execute_command("FLUSHALL", "SYNC")  # overrides the setting
    assert drained(c) == 15
    with pytest.raises(Exception, match="syntax error"):
        c.execute_command("FLUSHALL", "LATER")


def test_flushdb_async_reclaims_memory(c):
    drained(c)
    before = info_int(c, "used_memory")
    big_set(c, "myset")
    peak = info_int(c, "used_memory")
    c.execute_command("FLUSHDB", "ASYNC")
    assert c.dbsize() == 0
    drained(c)
    reclaimed(c, before, peak)


def test_config_resetstat_clears_lazyfreed_objects(c):
    big_set(c, "a", 1000)
    c.unlink("a")
    assert drained(c) == 1
    c.config_resetstat()
    assert info_int(c, "lazyfreed_objects") == 0


def test_script_and_function_flush_async(c):
    for i in range(100):
        c.script_load("return %d" % i)
    c.script_flush("ASYNC")
    assert drained(c) == 100
    assert c.eval("return 'ok'", 0) == "ok"
    code = "#!lua name=lib\n" + "".join(
        "redis.register_function('f%d', function() return %d end)\n" % (i, i) for i in range(100))
    assert c.function_load(code) == "lib"
    c.function_flush("ASYNC")
    assert drained(c) == 200
    assert c.function_list() == []
    c.function_load("#!lua name=lib2\nredis.register_function('g', function() return 7 end)")
    assert c.fcall("g", 0) == 7


# --- differential: the same sequences on Ember and redis-server give the same counters ---

SEQUENCES = {
    "unlink_big_set": [["SADD", "s"] + ["m%d" % i for i in range(1000)], ["UNLINK", "s"]],
    "unlink_small_values": [["SADD", "s", "1", "2"], ["RPUSH", "l"] + [str(i) for i in range(5000)],
                            ["SET", "k", "v" * 1000], ["UNLINK", "s", "l", "k"]],
    "unlink_big_hash_zset": [["HSET", "h"] + ["f%d" % (i // 2) for i in range(2000)],
                             ["ZADD", "z"] + [str(i // 2) for i in range(2000)],
                             ["UNLINK", "h", "z"]],
    "del_is_inline": [["SADD", "s"] + ["m%d" % i for i in range(1000)], ["DEL", "s"]],
    "flushall_async": [["SET", "k%d" % i, "v"] for i in range(50)] + [["FLUSHALL", "ASYNC"]],
    "stream_with_groups": [["CONFIG", "SET", "stream-node-max-entries", "5"]]
    + [["XADD", "st", "*", "f", str(i)] for i in range(500)]
    + [["XGROUP", "CREATE", "st", "g", "0"], ["XREADGROUP", "GROUP", "g", "c", "COUNT", "10",
                                                "STREAMS", "st", ">"], ["UNLINK", "st"],
       ["CONFIG", "SET", "stream-node-max-entries", "100"]],
    "small_stream": [["XADD", "st", "*", "a", "b"], ["XGROUP", "CREATE", "st", "g", "$"],
                     ["XGROUP", "DESTROY", "st", "g"], ["UNLINK", "st"]],
    "script_flush_few": [["EVAL", "return 1", "0"], ["SCRIPT", "FLUSH", "ASYNC"]],
}


@pytest.mark.parametrize("name", sorted(SEQUENCES))
def test_counters_match_redis(name, c, redis_server):
    theirs = redis_server.client()
    theirs.flushall()
    drained(theirs)
    theirs.config_resetstat()
    results = []
    for client in (c, theirs):
        for cmd in SEQUENCES[name]:
            client.execute_command(*cmd)
        results.append(drained(client))
    assert results[0] == results[1]
