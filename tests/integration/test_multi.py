"""Transactions through redis-py against the real ember-server: MULTI/EXEC pipelines, a job
queue that claims jobs with WATCH/MULTI under contention from several connections (every job
claimed exactly once), the WatchError retry loop moving a member between two sets while
another connection interferes, CLIENT LIST / INFO fields, a freed client's watches, MONITOR's
view of a transaction, CLIENT PAUSE WRITE holding an EXEC that writes, and a differential run
of the error cases against a real redis-server 7.0."""

import socket
import threading

import pytest
import redis

from conftest import wait_until


def test_pipeline_transaction(r):
    p = r.pipeline(transaction=True)
    p.set("counter", 1)
    p.incr("counter")
    p.get("counter")
    p.sadd("s", "a", "b")
    assert p.execute() == [True, 2, "2", 2]


def test_runtime_error_is_one_reply(r):
    r.set("s", "text")
    p = r.pipeline(transaction=True)
    p.set("a", "1")
    p.incr("s")
    p.set("b", "2")
    res = p.execute(raise_on_error=False)
    assert res[0] is True and res[2] is True
    assert isinstance(res[1], redis.ResponseError)
    assert str(res[1]) == "value is not an integer or out of range"
    assert r.mget("a", "b") == ["1", "2"]  # the error did not abort the others


def test_queueing_error_aborts(r):
    p = r.pipeline(transaction=True)
    p.set("a", "1")
    p.execute_command("SET", "only-key")  # arity error while queueing
    with pytest.raises(redis.ResponseError, match="wrong number of arguments"):
        p.execute()  # redis-py reports the queueing error that made EXEC abort
    assert r.exists("a") == 0
    assert r.ping()


def move_member(client, src, dst, member, interfere=None):
    """Moves `member` from set src to set dst with WATCH/MULTI, retrying on WatchError.
    Returns (moved, attempts)."""
    attempts = 0
    with client.pipeline(transaction=True) as p:
        while True:
            attempts += 1
            try:
                p.watch(src, dst)
                if not p.sismember(src, member):
                    p.unwatch()
                    return False, attempts
                if interfere:
                    interfere(attempts)
                p.multi()
                p.srem(src, member)
                p.sadd(dst, member)
                p.execute()
                return True, attempts
            except redis.WatchError:
                continue


def test_watch_retry_moves_member_atomically(r, ember_server):
    other = ember_server.client()
    r.sadd("src", "m1", "m2")

    def interfere(attempt):
        if attempt == 1:
            other.sadd("src", "m3")  # a concurrent change to a watched key

    moved, attempts = move_member(r, "src", "dst", "m1", interfere)
    assert moved and attempts == 2
    assert r.smembers("src") == {"m2", "m3"}
    assert r.smembers("dst") == {"m1"}
    # A change to an unrelated key does not force a retry.
    moved, attempts = move_member(r, "src", "dst", "m2",
                                  lambda a: other.sadd("unrelated", "x"))
    assert moved and attempts == 1
    other.close()


def test_job_queue_claims_each_job_once(ember_server):
    """Workers claim jobs from a pending set into a per-worker set with WATCH/MULTI; whatever
    the interleaving, each job ends in exactly one place and was claimed by one worker."""
    admin = ember_server.client()
    admin.flushall()
    jobs = ["job:%d" % i for i in range(200)]
    admin.sadd("pending", *jobs)
    claimed = {}
    retries = [0]
    lock = threading.Lock()

    def worker(name):
        c = ember_server.client()
        mine = []
        with c.pipeline(transaction=True) as p:
            while True:
                try:
                    p.watch("pending")
                    job = p.srandmember("pending")
                    if job is None:
                        p.unwatch()
                        break
                    p.multi()
                    p.srem("pending", job)
                    p.sadd("claimed:" + name, job)
                    p.execute()
                    mine.append(job)
                except redis.WatchError:
                    with lock:
                        retries[0] += 1
        with lock:
            claimed[name] = mine
        c.close()

    threads = [threading.Thread(target=worker, args=("w%d" % i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    everything = [j for mine in claimed.values() for j in mine]
    assert sorted(everything) == sorted(jobs)  # no job lost, none claimed twice
    for name, mine in claimed.items():
        assert admin.smembers("claimed:" + name) == set(mine)
    assert admin.exists("pending") == 0
    admin.close()


def client_line(admin, client_id):
    for line in admin.execute_command("CLIENT", "LIST").splitlines():
        fields = dict(kv.split("=", 1) for kv in line.split(" "))
        if fields["id"] == str(client_id):
            return fields
    return None


def test_client_list_and_info_fields(r, ember_server):
    c = ember_server.client()
    cid = c.client_id()
    fields = client_line(r, cid)
    assert (fields["multi"], fields["multi-mem"]) == ("-1", "0")
    assert "watch" not in fields  # Redis 7.4's field; Ember reports 7.2
    c.execute_command("WATCH", "a", "b", "c")  # one connection: the pool reuses it
    info = r.info("clients")
    assert info["watching_clients"] == 1 and info["total_watched_keys"] == 3
    c.execute_command("MULTI")
    c.execute_command("SET", "a", "x" * 1000)
    c.execute_command("GET", "a")
    fields = client_line(r, cid)
    assert "x" in fields["flags"]
    assert fields["multi"] == "2"
    assert int(fields["multi-mem"]) > 1000
    assert c.execute_command("EXEC") == ["OK", "x" * 1000]
    fields = client_line(r, cid)
    assert (fields["flags"], fields["multi"]) == ("N", "-1")
    assert r.info("clients")["watching_clients"] == 0
    c.close()


def test_closed_client_stops_watching(r, ember_server):
    c = ember_server.client()
    c.execute_command("WATCH", "k1", "k2")
    assert r.info("clients")["total_watched_keys"] == 2
    c.connection_pool.disconnect()
    wait_until(lambda: r.info("clients")["total_watched_keys"] == 0)
    assert r.info("clients")["watching_clients"] == 0


class RawConn:
    """A bare RESP connection for replies that redis-py would consume or hide."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode() if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)

    def read_until(self, marker):
        while marker not in self.buf:
            data = self.sock.recv(65536)
            assert data, "connection closed"
            self.buf += data
        end = self.buf.index(marker) + len(marker)
        out, self.buf = self.buf[:end], self.buf[end:]
        return out

    def pending(self):
        self.sock.setblocking(False)
        try:
            self.buf += self.sock.recv(65536)
        except BlockingIOError:
            pass
        finally:
            self.sock.setblocking(True)
        return self.buf

    def close(self):
        self.sock.close()


def test_monitor_sees_exec_after_its_commands(r, ember_server):
    mon = RawConn(ember_server.port)
    mon.send("MONITOR")
    assert mon.read_until(b"\r\n") == b"+OK\r\n"
    p = r.pipeline(transaction=True)
    p.set("a", "1")
    p.get("a")
    p.execute()
    r.ping()
    feed = mon.read_until(b'"PING"').decode()
    names = [line.split('] ')[1].split(' ')[0] for line in feed.strip().split("\r\n")]
    assert names == ['"MULTI"', '"SET"', '"GET"', '"EXEC"', '"PING"']
    mon.close()


def test_pause_write_holds_exec_with_writes(r, ember_server):
    a = RawConn(ember_server.port)
    a.send("CLIENT", "ID")
    a_id = int(a.read_until(b"\r\n")[1:-2])
    a.send("MULTI")
    a.send("SET", "paused", "1")
    assert a.read_until(b"+QUEUED\r\n") == b"+OK\r\n+QUEUED\r\n"
    r.execute_command("CLIENT", "PAUSE", "100000", "WRITE")
    try:
        # A read-only transaction is not held.
        ro = r.pipeline(transaction=True)
        ro.get("paused")
        ro.ping()
        assert ro.execute() == [None, True]
        a.send("EXEC")
        wait_until(lambda: "b" in client_line(r, a_id)["flags"])
        assert a.pending() == b""  # parked: EXEC has not run
        assert r.exists("paused") == 0
    finally:
        r.execute_command("CLIENT", "UNPAUSE")
    assert a.read_until(b"+OK\r\n") == b"*1\r\n+OK\r\n"
    assert r.get("paused") == "1"
    a.close()


def test_blocking_commands_do_not_block_in_exec(r, ember_server):
    with pytest.raises(redis.ResponseError) as probe:
        r.execute_command("BLPOP")
    if "unknown command" in str(probe.value):
        pytest.skip("BLPOP not implemented yet")
    c = ember_server.client(socket_timeout=10)
    p = c.pipeline(transaction=True)
    p.blpop("empty_list", 0)
    p.brpop("empty_list", 0)
    assert p.execute() == [None, None]
    c.close()


# --- differential: error cases against a real redis-server ---------------------------------

DIFF_SEQUENCE = [
    ["MULTI"], ["MULTI"], ["EXEC"],
    ["EXEC"], ["DISCARD"],
    ["MULTI"], ["WATCH", "x"], ["EXEC"],
    ["MULTI"], ["SET", "x"], ["NOSUCHCMD", "a"], ["SET", "x", "1"], ["EXEC"],
    ["EXISTS", "x"],
    ["MULTI"], ["SHUTDOWN"], ["EXEC"],
    ["MULTI"], ["CONFIG", "NOSUCH"], ["EXEC"],
    ["MULTI"], ["SET", "a", "1"], ["EXEC", "extra"], ["EXEC"],
    ["EXEC", "extra"],
    ["DISCARD", "extra"],
    ["MULTI", "extra"],
    ["WATCH"],
    ["UNWATCH", "extra"],
    ["SET", "w", "1"], ["WATCH", "w"], ["SET", "w", "2"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["MULTI"], ["SET", "s", "str"], ["INCR", "s"], ["LPUSH", "s", "a"],
    ["GET", "s"], ["EXEC"],
    ["WATCH", "nokey"], ["DEL", "nokey"], ["MULTI"], ["PING"], ["EXEC"],
    ["WATCH", "w"], ["UNWATCH"], ["SET", "w", "3"], ["MULTI"], ["PING"], ["EXEC"],
    ["MULTI"], ["SELECT", "3"], ["SET", "in3", "1"], ["EXEC"], ["EXISTS", "in3"],
    ["SELECT", "0"], ["EXISTS", "in3"],
    ["WATCH", "w"], ["MULTI"], ["DISCARD"], ["SET", "w", "4"], ["MULTI"], ["GET", "w"],
    ["EXEC"],
    ["MULTI"], ["UNWATCH"], ["EXEC"],
]


def normalize(reply):
    """Errors (also inside EXEC's array) as comparable tuples."""
    if isinstance(reply, redis.ResponseError):
        return ("error", type(reply).__name__, str(reply))
    if isinstance(reply, list):
        return [normalize(x) for x in reply]
    return reply


def run_sequence(server):
    c = server.client()
    c.flushall()
    conn = c.connection_pool.get_connection("_")
    out = []
    try:
        for cmd in DIFF_SEQUENCE:
            conn.send_command(*cmd)
            try:
                reply = conn.read_response()
            except redis.ResponseError as e:
                reply = ("error", type(e).__name__, str(e))
            out.append((cmd, normalize(reply)))
    finally:
        c.connection_pool.release(conn)
        c.close()
    return out


def test_differential_errors(ember_server, redis_server):
    ours = run_sequence(ember_server)
    theirs = run_sequence(redis_server)
    for (cmd, mine), (_, real) in zip(ours, theirs):
        assert mine == real, cmd
