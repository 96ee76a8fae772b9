"""Lua scripting and functions through redis-py against the real ember-server: the
compare-and-delete lock release with redis-py's Script helper (EVALSHA, NOSCRIPT fallback),
a BullMQ-like multi-key job-queue script touching undeclared keys, atomicity under concurrent
clients, busy scripts (other clients get -BUSY, SCRIPT KILL / FUNCTION KILL, SHUTDOWN NOSAVE
for a script that wrote), function libraries, a FUNCTION DUMP from redis-server restored here,
and a differential run of conversions and error texts against a real redis-server 7.0."""

import socket
import threading
import time

import pytest
import redis

from conftest import wait_until

UNLOCK = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
else
  return 0
end"""


def test_lock_release_with_script_helper(r):
    unlock = r.register_script(UNLOCK)
    assert r.set("lock:res", "owner-1", nx=True, px=10000)
    assert unlock(keys=["lock:res"], args=["owner-2"]) == 0
    assert r.get("lock:res") == "owner-1"
    assert unlock(keys=["lock:res"], args=["owner-1"]) == 1
    assert r.exists("lock:res") == 0
    # After SCRIPT FLUSH the helper gets NOSCRIPT and falls back to loading the script again.
    r.script_flush()
    r.set("lock:res", "owner-3")
    assert unlock(keys=["lock:res"], args=["owner-3"]) == 1
    assert r.script_exists(unlock.sha) == [True]


def test_lock_release_is_atomic_under_contention(ember_server):
    c = ember_server.client()
    c.flushall()
    unlock = c.register_script(UNLOCK)
    acquired = []

    def worker(n):
        cl = ember_server.client()
        u = cl.register_script(UNLOCK)
        for i in range(200):
            token = "%d-%d" % (n, i)
            if cl.set("lock", token, nx=True):
                acquired.append(token)
                assert cl.get("lock") == token  # nobody else holds it meanwhile
                assert u(keys=["lock"], args=[token]) == 1
        cl.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert acquired
    assert c.exists("lock") == 0
    assert unlock(keys=["lock"], args=["x"]) == 0


MOVE_TO_ACTIVE = """
local jobId = redis.call('rpoplpush', KEYS[1], KEYS[2])
if not jobId then
  local next = redis.call('zrangebyscore', KEYS[3], 0, ARGV[2], 'LIMIT', 0, 1)
  if #next == 0 then return nil end
  jobId = next[1]
  redis.call('zrem', KEYS[3], jobId)
  redis.call('lpush', KEYS[2], jobId)
end
local jobKey = ARGV[1] .. jobId
redis.call('hset', jobKey, 'processedOn', ARGV[2], 'attemptsMade', 1)
redis.call('xadd', KEYS[4], '*', 'event', 'active', 'jobId', jobId)
redis.call('hincrby', ARGV[1] .. 'meta', 'active', 1)  -- a key the script never declared
return {jobId, redis.call('hgetall', jobKey)}
"""


def test_bullmq_like_move_to_active(r):
    move = r.register_script(MOVE_TO_ACTIVE)
    keys = ["bull:q:wait", "bull:q:active", "bull:q:delayed", "bull:q:events"]
    r.lpush("bull:q:wait", "1", "2")
    r.zadd("bull:q:delayed", {"9": 500})
    assert move(keys=keys, args=["bull:q:", 100]) == ["1", ["processedOn", "100",
                                                             "attemptsMade", "1"]]
    assert move(keys=keys, args=["bull:q:", 200])[0] == "2"
    assert move(keys=keys, args=["bull:q:", 300]) is None  # delayed job not due yet
    assert move(keys=keys, args=["bull:q:", 600])[0] == "9"
    assert r.lrange("bull:q:active", 0, -1) == ["9", "2", "1"]
    assert r.hget("bull:q:meta", "active") == "3"
    assert r.xlen("bull:q:events") == 3


def test_concurrent_scripts_are_atomic(ember_server):
    c = ember_server.client()
    c.flushall()
    script = "local v = tonumber(redis.call('get', KEYS[1]) or '0') " \
             "redis.call('set', KEYS[1], v + 1) return v + 1"

    def worker():
        cl = ember_server.client()
        s = cl.register_script(script)
        for _ in range(300):
            s(keys=["counter"])
        cl.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.get("counter") == "1200"


def test_pipelined_evalsha(r):
    sha = r.script_load("return redis.call('incr', KEYS[1])")
    p = r.pipeline(transaction=False)
    for _ in range(100):
        p.evalsha(sha, 1, "n")
    assert p.execute() == list(range(1, 101))


def test_eval_inside_multi(r):
    p = r.pipeline(transaction=True)
    p.eval("return redis.call('set', KEYS[1], ARGV[1])", 1, "k", "v")
    p.get("k")
    assert p.execute() == ["OK", "v"]


def busy_script_setup(server_factory, script, *args, fcall=False):
    s = server_factory("--busy-reply-threshold", "50")
    c = s.client()
    runner = s.client(socket_timeout=30)
    out = {}

    def run():
        try:
            if fcall:
                out["reply"] = runner.fcall(script, *args)
            else:
                out["reply"] = runner.eval(script, *args)
        except redis.RedisError as e:
            out["error"] = str(e)

    t = threading.Thread(target=run)
    t.start()

    def busy():
        try:
            c.ping()
            return False
        except redis.exceptions.BusyLoadingError:
            return True
        except redis.ResponseError as e:
            return str(e).startswith("BUSY")

    wait_until(busy)
    return s, c, t, out


def test_busy_script_killed(server_factory):
    s, c, t, out = busy_script_setup(server_factory, "local i = 0 while true do i = i + 1 end", 0)
    with pytest.raises(redis.ResponseError, match="^BUSY Redis is busy running a script. You "
                                                  "can only call SCRIPT KILL"):
        c.get("x")
    with pytest.raises(redis.ResponseError, match="BUSY"):
        c.execute_command("FUNCTION", "KILL")  # not a function
    assert c.execute_command("SCRIPT", "KILL") == "OK"
    t.join(10)
    assert "killed by user" in out["error"]
    assert c.ping() is True
    with pytest.raises(redis.ResponseError, match="^NOTBUSY"):
        c.execute_command("SCRIPT", "KILL")


def test_busy_script_with_pcall_loop_still_killed(server_factory):
    s, c, t, out = busy_script_setup(
        server_factory,
        "local f = function() while 1 do redis.call('ping') end end while 1 do pcall(f) end", 0)
    c.execute_command("SCRIPT", "KILL")
    t.join(10)
    assert "killed by user" in out["error"]
    assert c.ping() is True


def test_busy_function_killed_and_stats(server_factory):
    s = server_factory("--busy-reply-threshold", "50")
    c = s.client()
    c.function_load("#!lua name=spin\nredis.register_function('spin', function() "
                    "local a = 1 while true do a = a + 1 end end)")
    runner = s.client(socket_timeout=30)
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("e", _call(runner, "FCALL", "spin", 0)))
    t.start()
    wait_until(lambda: _is_busy(c))
    stats = c.execute_command("FUNCTION", "STATS")
    assert stats[0] == "running_script"
    assert stats[1][0:4] == ["name", "spin", "command", ["FCALL", "spin", "0"]]
    with pytest.raises(redis.ResponseError, match="BUSY"):
        c.execute_command("SCRIPT", "KILL")
    assert c.execute_command("FUNCTION", "KILL") == "OK"
    t.join(10)
    assert "killed by user" in out["e"]


def _call(client, *args):
    try:
        return client.execute_command(*args)
    except redis.RedisError as e:
        return str(e)


def _is_busy(c):
    try:
        c.ping()
        return False
    except redis.ResponseError as e:
        return str(e).startswith("BUSY")


def test_busy_script_that_wrote_needs_shutdown_nosave(server_factory):
    s, c, t, out = busy_script_setup(
        server_factory, "redis.call('set', KEYS[1], 'y') while true do end", 1, "x")
    with pytest.raises(redis.ResponseError, match="^UNKILLABLE"):
        c.execute_command("SCRIPT", "KILL")
    with pytest.raises(redis.ResponseError, match="^BUSY"):
        c.execute_command("SHUTDOWN")
    try:
        c.execute_command("SHUTDOWN", "NOSAVE")
    except redis.ConnectionError:
        pass
    s.proc.wait(timeout=10)
    t.join(10)


def test_slow_script_finishing_releases_busy(server_factory):
    s = server_factory("--busy-reply-threshold", "20")
    c = s.client()
    runner = s.client()
    assert runner.eval("local t = redis.call('time') local n = 0 "
                       "for i = 1, 3000000 do n = n + i end return 'done'", 0) == "done"
    assert c.ping() is True
    assert runner.ping() is True


def test_functions_roundtrip(r):
    lib = ("#!lua name=mylib\n"
           "redis.register_function('myincr', function(keys, args) "
           "return redis.call('incrby', keys[1], args[1]) end)\n"
           "redis.register_function{function_name='myget', callback=function(keys) "
           "return redis.call('get', keys[1]) end, flags={'no-writes'}}\n")
    assert r.function_load(lib) == "mylib"
    assert r.fcall("myincr", 1, "n", 5) == 5
    assert r.fcall_ro("myget", 1, "n") == "5"
    with pytest.raises(redis.ResponseError, match="write flag"):
        r.fcall_ro("myincr", 1, "n", 1)
    payload = r.function_dump()
    r.function_flush()
    assert r.function_list() == []
    assert r.function_restore(payload)
    assert r.fcall("myincr", 1, "n", 1) == 6
    r.function_delete("mylib")
    with pytest.raises(redis.ResponseError, match="Function not found"):
        r.fcall("myincr", 1, "n", 1)


def test_function_dump_from_redis_restores_here(r, redis_server):
    rc = redis_server.client(decode_responses=False)
    rc.function_flush()
    lib = "#!lua name=fromredis\n" + "\n".join(
        "redis.register_function('f%d', function() return 'from redis %d' end)" % (i, i)
        for i in range(20))
    rc.function_load(lib)
    payload = rc.function_dump()  # LZF-compressed by redis-server
    raw = redis.Redis(host="127.0.0.1", port=r.connection_pool.connection_kwargs["port"])
    assert raw.function_restore(payload)
    assert r.fcall("f7", 0) == "from redis 7"
    # (Ours carries RDB version 11, as Redis 7.2 writes, which redis-server 7.0 refuses.)
    raw.close()


HEX = ("local e = %s local s = '' for i = 1, #e do "
       "s = s .. string.format('%%02x', string.byte(e, i)) end return s")

DIFF_SCRIPTS = [
    ("return 100.5", []),
    ("return {1,2,3,'ciao',{1,2}}", []),
    ("return {1,2,nil,4}", []),
    ("return true", []),
    ("return false", []),
    ("return {ok='fine'}", []),
    ("return redis.error_reply('My Error')", []),
    ("return redis.error_reply('MyError')", []),
    ("return {err='MyError'}", []),
    ("error('foo')", []),
    ("error({err='foo bar'})", []),
    ("return x", []),
    ("x = 1", []),
    ("retur 1", []),
    ("return redis.call('nosuch')", []),
    ("return redis.call('get')", []),
    ("return redis.call('subscribe', 'x')", []),
    ("return redis.call('incr', KEYS[1])", ["s"]),
    ("return redis.pcall('incr', KEYS[1])", ["s"]),
    ("return redis.call('set', 'k', {})", []),
    ("return redis.call()", []),
    ("return redis.sha1hex()", []),
    ("return redis.sha1hex('Pizza & Mandolino')", []),
    ("return redis.setresp(4)", []),
    ("return redis.log(1)", []),
    ("return redis.set_repl(99)", []),
    ("return redis.call('ping', 10)", []),
    ("return redis.call('ping', 1.5)", []),
    ("return redis.call('ping', 1e20)", []),
    ("return cjson.encode({1,2,{a=1}})", []),
    (HEX % "cmsgpack.pack({1,2,3}, 'x', 0.5, {a={b=true}}, -70000, 2^40)", []),
    (HEX % "struct.pack('>i4<h!4bi4', 1, 2, 3, 4)", []),
    ("return {struct.unpack('>i4', '\\0\\0\\1\\0')}", []),
    ("return bit.bxor(5, 3)", []),
    ("local ok, e = pcall(function() redis.call('incr', 's') end) return e", []),
    ("return {pcall(error, {err='X y'})}", []),
    ("return loadstring(string.dump(function() return 1 end))()", []),
    ("setmetatable(_G, {})", []),
    ("string.foo = 1", []),
    ("return dofile('/etc/passwd')", []),
    ("return os.execute('id')", []),
    ("return io.open('/etc/passwd')", []),
    ("return require('os')", []),
    ("#!lua flags=no-writes\nreturn redis.call('set', 'x', 1)", []),
    ("#!lua badger=data\nreturn 1", []),
    ("#!lua\nreturn x", []),
    ("redis.setresp(3) return redis.call('hgetall', 'h')", []),
    ("redis.setresp(3) return redis.call('type', 'h')", []),
    ("return redis.call('select', 1000)", []),
    ("return string.format('%5.2f', 3.14159)", []),
    ("return tostring(1e15)", []),
    ("return {double=0.5}", []),
    ("return {map={a=1}}", []),
]


def _reply(client, script, keys):
    try:
        return ("ok", client.eval(script, len(keys), *keys))
    except redis.ResponseError as e:
        return ("err", str(e))


def test_differential_conversions_and_errors(r, redis_server):
    rc = redis_server.client()
    for c in (r, rc):
        c.flushall()
        c.set("s", "abc")
        c.hset("h", "f", "v")
    for script, keys in DIFF_SCRIPTS:
        assert _reply(r, script, keys) == _reply(rc, script, keys), script


def test_differential_resp3(ember_server, redis_server):
    scripts = ["return {double=0.5}", "return {map={a=1}}", "return {set={a=true}}",
               "redis.setresp(3) return redis.call('hgetall', 'h')", "return false",
               "redis.setresp(3) return false", "redis.setresp(3) return redis.call('get', 'no')"]
    out = []
    for port in (ember_server.port, redis_server.port):
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(b"HELLO 3\r\n")
            _read_all(s)
            s.sendall(b"HSET h f v\r\n")
            _read_all(s)
            replies = []
            for sc in scripts:
                body = sc.encode()
                s.sendall(b"*3\r\n$4\r\nEVAL\r\n$%d\r\n%s\r\n$1\r\n0\r\n" % (len(body), body))
                replies.append(_read_all(s))
            out.append(replies)
    assert out[0] == out[1]


def _read_all(s):
    s.settimeout(0.2)
    data = b""
    time.sleep(0.02)
    while True:
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return data
        if not chunk:
            return data
        data += chunk
        if data.endswith(b"\r\n"):
            s.settimeout(0.05)


def test_info_fields(r):
    r.script_flush()
    r.eval("return 1", 0)
    info = r.info("memory")
    assert info["number_of_cached_scripts"] == 1
    assert info["used_memory_lua"] > 0
    assert "evicted_scripts" in r.info("stats")


def test_monitor_shows_script_commands(ember_server):
    c = ember_server.client()
    with c.monitor() as m:
        other = ember_server.client()
        other.eval("redis.call('set', KEYS[1], ARGV[1])", 1, "foo", "bar")
        first = m.next_command()
        second = m.next_command()
    assert first["command"].lower().startswith("eval")
    assert second["client_address"] == "lua" and second["command"] == "set foo bar"
