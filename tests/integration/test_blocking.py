"""Blocking pops (BLPOP, BRPOP, BLMOVE, BRPOPLPUSH, BLMPOP, BZPOPMIN, BZPOPMAX, BZMPOP) and
CLIENT UNBLOCK against the real binary, with several connections: a blocked client is a raw
redis-py Connection whose reply is read later; tests wait for conditions (INFO blocked_clients,
CLIENT LIST), never for time. Differential scenarios run the same steps on Debian's
redis-server and compare the replies."""
import threading

import pytest
import redis
from redis.connection import Connection

from conftest import Deferred, blocked, deferred, wait_blocked, wait_until  # noqa: F401


def test_blpop_wakes_on_push(r, deferred):
    d = deferred()
    d.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    assert not d.has_reply()
    assert r.rpush("q", "job1", "job2") == 2
    assert d.read() == ["q", "job1"]
    assert r.lrange("q", 0, -1) == ["job2"]
    assert blocked(r) == 0


def test_brpop_existing_element_is_immediate(r):
    r.rpush("q", "a", "b")
    assert r.brpop(["nx", "q"], timeout=0) == ("q", "b")
    assert r.blpop(["q"], timeout=0) == ("q", "a")
    assert r.exists("q") == 0


def test_blpop_several_keys_served_by_the_pushed_one(r, deferred):
    d = deferred()
    d.send("BLPOP", "a", "b", "c", 0)
    wait_blocked(r, 1)
    assert r.info("clients")["total_blocking_keys"] == 3
    r.lpush("c", "x")
    assert d.read() == ["c", "x"]
    assert r.info("clients")["total_blocking_keys"] == 0


def test_waiters_are_served_first_come_first_served(r, deferred):
    ds = []
    for i in range(4):
        d = deferred()
        d.send("BLPOP", "q", 0)
        wait_blocked(r, i + 1)
        ds.append(d)
    r.rpush("q", "v0", "v1", "v2", "v3", "v4")
    assert [d.read() for d in ds] == [["q", "v%d" % i] for i in range(4)]
    assert r.lrange("q", 0, -1) == ["v4"]


def test_worker_pool_drains_bzpopmin(ember_server, r):
    jobs, workers = 200, 4
    done = []
    lock = threading.Lock()

    def worker():
        c = ember_server.client()
        while True:
            key, member, score = c.bzpopmin("jobs", timeout=0)
            if member.startswith("stop"):
                break
            with lock:
                done.append((member, score))
        c.close()

    threads = [threading.Thread(target=worker) for _ in range(workers)]
    for t in threads:
        t.start()
    wait_blocked(r, workers)
    for i in range(jobs):
        r.zadd("jobs", {"job%d" % i: i})
    wait_until(lambda: r.zcard("jobs") == 0)
    r.zadd("jobs", {"stop%d" % i: jobs + i for i in range(workers)})
    for t in threads:
        t.join(10)
        assert not t.is_alive()
    assert sorted(m for m, _ in done) == sorted("job%d" % i for i in range(jobs))
    assert all(float(m[3:]) == s for m, s in done)
    assert blocked(r) == 0


def test_blmove_chain(r, deferred):
    d1, d2, d3 = deferred(), deferred(), deferred()
    d1.send("BLMOVE", "a", "b", "RIGHT", "LEFT", 0)
    wait_blocked(r, 1)
    d2.send("BRPOPLPUSH", "b", "c", 0)
    wait_blocked(r, 2)
    d3.send("BLPOP", "c", 0)
    wait_blocked(r, 3)
    r.rpush("a", "x")
    assert d1.read() == "x"
    assert d2.read() == "x"
    assert d3.read() == ["c", "x"]
    assert r.exists("a", "b", "c") == 0
    assert blocked(r) == 0


def test_blmpop_and_bzmpop(r, deferred):
    d1, d2 = deferred(), deferred()
    d1.send("BLMPOP", 0, 2, "l1", "l2", "RIGHT", "COUNT", 2)
    d2.send("BZMPOP", 0, 1, "z", "MAX", "COUNT", 10)
    wait_blocked(r, 2)
    r.rpush("l2", "a", "b", "c")
    r.zadd("z", {"m1": 1, "m2": 2})
    assert d1.read() == ["l2", ["c", "b"]]
    assert d2.read() == ["z", [["m2", "2"], ["m1", "1"]]]


def test_bzmpop_does_not_block_on_non_key_arguments(r, deferred):
    d = deferred()
    d.send("BZMPOP", 0, 1, "myzset", "MIN", "COUNT", 10)
    wait_blocked(r, 1)
    for key in ("0", "1", "MIN", "COUNT", "10"):
        r.zadd(key, {"m": 1})
    assert not d.has_reply()
    r.zadd("myzset", {"zset": 1})
    assert d.read() == ["myzset", [["zset", "1"]]]


def test_timeouts_are_floats(r, deferred):
    assert r.blpop(["nx"], timeout=0.05) is None
    assert r.bzpopmax(["nx"], timeout=0.05) is None
    assert r.blmove("nx", "dst", 0.05, "LEFT", "RIGHT") is None
    d = deferred()
    d.send("BRPOPLPUSH", "nx", "dst", "0.01")
    assert d.read() is None
    assert blocked(r) == 0
    assert r.info("clients")["clients_in_timeout_table"] == 0


def test_timeout_argument_errors(r):
    for args, msg in [((-1,), "timeout is negative"),
                      (("abc",), "timeout is not a float or out of range"),
                      (("nan",), "timeout is not a float or out of range"),
                      (("inf",), "timeout is out of range"),
                      (("1e16",), "timeout is out of range")]:
        with pytest.raises(redis.ResponseError, match=msg):
            r.execute_command("BLPOP", "k", *args)


def test_client_unblock_modes(r, deferred):
    d = deferred()
    d.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    assert r.client_unblock(d.id) == 1
    assert d.read() is None
    d.send("BZPOPMIN", "z", 0)
    wait_blocked(r, 1)
    assert r.client_unblock(d.id, error=True) == 1
    with pytest.raises(redis.ResponseError, match="UNBLOCKED client unblocked via CLIENT UNBLOCK"):
        d.read()
    assert r.client_unblock(d.id) == 0  # not blocked any more
    assert r.client_unblock(r.client_id()) == 0
    with pytest.raises(redis.ResponseError, match="reason should be TIMEOUT or ERROR"):
        r.execute_command("CLIENT", "UNBLOCK", d.id, "NOW")
    # The connection still works and can block again.
    d.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    r.lpush("q", "v")
    assert d.read() == ["q", "v"]


def test_disconnect_while_blocked_leaves_the_queue(r, deferred):
    d1, d2 = deferred(), deferred()
    d1.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    d2.send("BLPOP", "q", 0)
    wait_blocked(r, 2)
    d1.close()
    wait_blocked(r, 1)
    r.lpush("q", "v")
    assert d2.read() == ["q", "v"]
    assert r.info("clients")["total_blocking_keys"] == 0


def test_client_kill_of_blocked_client(r, deferred):
    d = deferred()
    d.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    assert r.client_kill_filter(_id=d.id) == 1
    wait_blocked(r, 0)
    r.lpush("q", "v")
    assert r.llen("q") == 1


def test_pipelined_commands_wait_behind_the_blocked_one(r, deferred):
    d = deferred()
    d.send_many(("BLPOP", "q", 0), ("SET", "after", "1"), ("PING",))
    wait_blocked(r, 1)
    assert r.get("after") is None
    assert not d.has_reply()
    r.lpush("q", "v")
    assert d.read() == ["q", "v"]
    assert d.read() == "OK"
    assert d.read() == "PONG"
    assert r.get("after") == "1"


def test_pipelined_push_wakes_waiter_before_next_command(r, deferred):
    d = deferred()
    d.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    p = r.pipeline(transaction=False)
    p.lpush("q", "v")
    p.llen("q")
    assert p.execute() == [1, 0]
    assert d.read() == ["q", "v"]


def test_client_list_and_info_show_blocked_client(r, deferred):
    d = deferred()
    d.send("BZPOPMAX", "z1", "z2", 5)
    wait_blocked(r, 1)
    (entry,) = [c for c in r.client_list() if int(c["id"]) == d.id]
    assert "b" in entry["flags"]
    assert entry["cmd"] == "bzpopmax"
    info = r.info("clients")
    assert info["total_blocking_keys"] == 2
    assert info["clients_in_timeout_table"] == 1
    assert r.client_unblock(d.id) == 1
    assert d.read() is None


def test_commandstats_count_a_blocked_command_once(r, deferred):
    r.config_resetstat()
    d = deferred()
    d.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    assert "cmdstat_blpop" not in r.info("commandstats")
    r.lpush("q", "v")
    assert d.read() == ["q", "v"]
    assert r.info("commandstats")["cmdstat_blpop"]["calls"] == 1
    d.send("BLPOP", "q", "0.01")
    assert d.read() is None
    stats = r.info("commandstats")["cmdstat_blpop"]
    assert stats["calls"] == 2 and stats["failed_calls"] == 0
    d.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    r.client_unblock(d.id, error=True)
    with pytest.raises(redis.ResponseError):
        d.read()
    assert r.info("commandstats")["cmdstat_blpop"]["failed_calls"] == 1


def test_push_and_delete_in_multi_does_not_wake(r, deferred):
    d = deferred()
    d.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    p = r.pipeline(transaction=True)
    p.lpush("q", "a")
    p.delete("q")
    p.set("q", "string")
    p.execute()
    assert not d.has_reply()
    assert blocked(r) == 1
    r.delete("q")
    r.lpush("q", "b")
    assert d.read() == ["q", "b"]


def test_blocking_commands_do_not_block_in_multi(r):
    p = r.pipeline(transaction=True)
    p.blpop(["nx"], timeout=0)
    p.brpoplpush("nx", "dst", timeout=0)
    p.bzpopmin(["nx"], timeout=0)
    assert p.execute() == [None, None, None]


def test_wrong_destination_type_fails_the_served_blmove(r, deferred):
    d1, d2 = deferred(), deferred()
    r.set("t1", "string")
    d1.send("BRPOPLPUSH", "src", "t1", 0)
    wait_blocked(r, 1)
    d2.send("BRPOPLPUSH", "src", "t2", 0)
    wait_blocked(r, 2)
    r.rpush("src", "v")
    with pytest.raises(redis.ResponseError, match="WRONGTYPE"):
        d1.read()
    assert d2.read() == "v"
    assert r.lrange("t2", 0, -1) == ["v"]


def test_keys_made_ready_by_rename_move_and_swapdb(ember_server, r, deferred):
    d = deferred()
    d.send("BLPOP", "dst", 0)
    wait_blocked(r, 1)
    r.rpush("src", "renamed")
    r.rename("src", "dst")
    assert d.read() == ["dst", "renamed"]

    d.send("BLPOP", "dst", 0)
    wait_blocked(r, 1)
    other = ember_server.client(db=5)
    other.rpush("dst", "moved")
    other.move("dst", 0)
    assert d.read() == ["dst", "moved"]

    d.send("BLPOP", "dst", 0)
    wait_blocked(r, 1)
    other.rpush("dst", "swapped")
    r.swapdb(0, 5)
    assert d.read() == ["dst", "swapped"]
    other.close()


def test_keys_made_ready_by_store_commands(r, deferred):
    d = deferred()
    d.send("BLPOP", "sorted", 0)
    wait_blocked(r, 1)
    r.rpush("nums", 3, 1, 2)
    assert r.sort("nums", store="sorted") == 3
    assert d.read() == ["sorted", "1"]

    d.send("BZPOPMAX", "union", 0)
    wait_blocked(r, 1)
    r.zadd("za", {"a": 1})
    r.zadd("zb", {"b": 2})
    assert r.zunionstore("union", ["za", "zb"]) == 2
    assert d.read() == ["union", "b", "2"]


def test_blocked_client_in_another_db_is_not_woken(ember_server, r, deferred):
    d = deferred()
    d.send("SELECT", 3)
    assert d.read() == "OK"
    d.send("BLPOP", "q", 0)
    wait_blocked(r, 1)
    r.lpush("q", "db0")
    assert not d.has_reply()
    three = ember_server.client(db=3)
    three.lpush("q", "db3")
    assert d.read() == ["q", "db3"]
    three.close()


def test_same_key_twice(r, deferred):
    d = deferred()
    d.send("BLPOP", "q", "q", "q", 0)
    wait_blocked(r, 1)
    assert r.info("clients")["total_blocking_keys"] == 1
    r.lpush("q", "v")
    assert d.read() == ["q", "v"]


# --- differential: same steps on ember and on redis-server 7 ----------------------------------


def scenario_replies(server):
    """Runs blocking scenarios against one server and returns every reply seen."""
    r = server.client()
    r.flushall()
    out = []

    def dv():
        return Deferred(server)

    def step(d, *args):
        n = blocked(r)
        d.send(*args)
        wait_blocked(r, n + 1)

    def read(d):
        try:
            return d.read()
        except redis.ResponseError as e:
            return "ERR:" + str(e)

    d1, d2, d3 = dv(), dv(), dv()
    # Variadic push: the waiter gets the head after the whole push.
    step(d1, "BLPOP", "l", 0)
    out.append(r.lpush("l", "a", "b", "c"))
    out.append(read(d1))
    # Circular moves and a waiter on the ring.
    step(d1, "BRPOPLPUSH", "x", "y", 0)
    step(d2, "BRPOPLPUSH", "y", "x", 0)
    out.append(r.rpush("x", "ring"))
    out += [read(d1), read(d2), r.lrange("x", 0, -1), r.lrange("y", 0, -1)]
    # Mixed list and zset waiters on one key name.
    r.delete("k")
    step(d1, "BZPOPMIN", "k", 0)
    step(d2, "BLPOP", "k", 0)
    out.append(r.rpush("k", "listval"))
    out.append(read(d2))
    out.append(r.zadd("k", {"m": 3}))
    out.append(read(d1))
    # BLMPOP / BZMPOP with COUNT.
    step(d3, "BLMPOP", 0, 2, "p", "q", "LEFT", "COUNT", 5)
    out.append(r.rpush("q", 1, 2, 3))
    out.append(read(d3))
    step(d3, "BZMPOP", 0, 2, "z1", "z2", "MIN", "COUNT", 2)
    out.append(r.zadd("z2", {"a": 1.5, "b": 2.5, "c": 3.5}))
    out.append(read(d3))
    # Self-referencing move.
    step(d1, "BLMOVE", "self", "self", "LEFT", "RIGHT", 0)
    out.append(r.rpush("self", "s1", "s2"))
    out += [read(d1), r.lrange("self", 0, -1)]
    # Unblock modes.
    step(d2, "BLPOP", "never", 0)
    d2.send("CLIENT", "ID")
    out.append(r.execute_command("CLIENT", "UNBLOCK", d2.id, "ERROR"))
    out.append(read(d2))
    out.append(read(d2) == d2.id)
    for d in (d1, d2, d3):
        d.close()
    r.close()
    return out


def test_differential_blocking_scenarios(ember_server, redis_server):
    assert scenario_replies(ember_server) == scenario_replies(redis_server)
