"""Server commands against the real binary: INFO as redis-py and redis-cli read it, TIME,
LASTSAVE, SLOWLOG, MONITOR through redis-py's monitor(), SHUTDOWN ending the process, DEBUG,
and error texts compared with a real redis-server."""
import subprocess

import pytest
import redis


def test_info_parses_with_monitoring_fields(r):
    r.set("k", "v")
    r.set("t", "v", ex=100)
    info = r.info()
    assert info["redis_version"].startswith("7.")
    assert info["redis_mode"] == "standalone"
    assert info["role"] == "master"
    assert info["connected_clients"] >= 1
    for field in ("used_memory", "used_memory_rss", "used_memory_peak", "maxmemory",
                  "total_commands_processed", "total_connections_received", "keyspace_hits",
                  "keyspace_misses", "expired_keys", "evicted_keys", "uptime_in_seconds",
                  "instantaneous_ops_per_sec", "total_net_input_bytes", "rejected_connections",
                  "blocked_clients", "process_id", "tcp_port"):
        assert isinstance(info[field], int), field
    assert isinstance(info["used_cpu_sys"], float)
    assert isinstance(info["mem_fragmentation_ratio"], float)
    assert info["used_memory_human"][-1] in "BKMG"
    assert info["mem_allocator"].startswith(("jemalloc-", "libc"))
    assert info["db0"] == {"keys": 2, "expires": 1, "avg_ttl": 0}
    assert "cmdstat_set" not in info  # commandstats is not a default section


def test_info_sections(r):
    r.set("a", "1")
    r.get("a")
    r.get("a")
    cpu = r.info("cpu")
    assert set(cpu) >= {"used_cpu_sys", "used_cpu_user", "used_cpu_sys_children"}
    assert "redis_version" not in cpu
    stats = r.info("commandstats")
    assert stats["cmdstat_get"]["calls"] >= 2
    assert "usec_per_call" in stats["cmdstat_get"]
    everything = r.info("everything")
    assert "cmdstat_set" in everything and "redis_version" in everything
    both = r.execute_command("INFO", "server", "clients")
    assert "connected_clients" in both and "redis_version" in both and "used_memory" not in both
    assert r.execute_command("INFO", "nosuchsection") == {}


def test_errorstats_and_config_subcommand_stats(r):
    r.config_resetstat()
    with pytest.raises(redis.ResponseError):
        r.execute_command("GET")
    r.config_get("hz")
    info = r.info("all")
    assert info["errorstat_ERR"] in ("count=1", {"count": 1})  # parsed by newer redis-py
    assert info["cmdstat_get"]["rejected_calls"] == 1
    assert info["cmdstat_config|get"]["calls"] == 1


def test_redis_cli_info(ember_server):
    out = subprocess.run(["redis-cli", "-p", str(ember_server.port), "INFO", "server"],
                         capture_output=True, text=True, timeout=10).stdout
    assert "# Server" in out and "redis_version:" in out and "ember_version:" in out
    out = subprocess.run(["redis-cli", "-3", "-p", str(ember_server.port), "INFO", "keyspace"],
                         capture_output=True, text=True, timeout=10).stdout
    assert out.startswith("# Keyspace")


def test_time_and_lastsave(r):
    sec, usec = r.time()
    assert sec > 1_600_000_000 and 0 <= usec < 1_000_000
    assert abs(r.lastsave().timestamp() - sec) < 3600


def test_slowlog(r):
    old = r.config_get("slowlog-log-slower-than")["slowlog-log-slower-than"]
    r.config_set("slowlog-log-slower-than", 0)
    try:
        r.slowlog_reset()
        r.set("slowkey", "x")
        entries = r.slowlog_get(2)
        assert len(entries) == 2
        newest = entries[0]
        command = newest["command"]
        assert (command.decode() if isinstance(command, bytes) else command) == "SET slowkey x"
        assert newest["id"] > entries[1]["id"]
        assert newest["duration"] >= 0
        assert r.slowlog_len() >= 2
        with pytest.raises(redis.ResponseError, match="count should be greater than or equal"):
            r.execute_command("SLOWLOG", "GET", "-2")
    finally:
        r.config_set("slowlog-log-slower-than", old)


def test_monitor(ember_server):
    watcher = ember_server.client()
    other = ember_server.client()
    with watcher.monitor() as m:
        other.set("mkey", 'va "q"')
        other.get("mkey")
        first = m.next_command()
        assert first["command"] == 'SET mkey va "q"'
        assert first["db"] == 0
        assert first["client_type"] == "tcp"
        assert first["client_address"] == "127.0.0.1"
        assert m.next_command()["command"] == "GET mkey"


def test_monitor_raw_line_format(ember_server):
    import socket
    with socket.create_connection(("127.0.0.1", ember_server.port)) as s:
        s.sendall(b"MONITOR\r\n")
        f = s.makefile("rb")
        assert f.readline() == b"+OK\r\n"
        c = ember_server.client(decode_responses=False)
        c.set(b"a\tb", b"\x01\\")
        line = f.readline().decode()
        ts, rest = line.split(" ", 1)
        assert float(ts) > 0 and len(ts.split(".")[1]) == 6
        assert rest.startswith("[0 127.0.0.1:")
        assert rest.endswith('] "SET" "a\\tb" "\\x01\\\\"\r\n'), rest


def test_shutdown_ends_process(server_factory):
    s = server_factory()
    c = s.client()
    with pytest.raises(redis.ResponseError, match="No shutdown in progress"):
        c.shutdown(abort=True)
    c.shutdown(nosave=True)  # redis-py treats the closed connection as success
    assert s.proc.wait(timeout=10) == 0


def test_shutdown_via_redis_cli(server_factory):
    s = server_factory()
    subprocess.run(["redis-cli", "-p", str(s.port), "SHUTDOWN", "NOSAVE"],
                   capture_output=True, timeout=10)
    assert s.proc.wait(timeout=10) == 0


def test_debug_commands(server_factory):
    s = server_factory("--enable-debug-command", "yes")
    c = s.client()
    c.set("k", "b")
    obj = c.debug_object("k")
    assert obj["encoding"] == "embstr" and obj["refcount"] == 1
    assert obj["serializedlength"] == 2
    assert c.execute_command("DEBUG", "SLEEP", "0") == "OK"
    assert c.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0") == "OK"
    assert c.execute_command("DEBUG", "POPULATE", "100") == "OK"
    assert c.dbsize() == 101


def test_debug_sleep(server_factory):
    s = server_factory("--enable-debug-command", "yes")
    c = s.client()
    assert c.execute_command("DEBUG", "SLEEP", "0.05") == "OK"
    assert c.ping()


ERROR_CASES = [
    ("SLOWLOG", "GET", "-2"),
    ("SLOWLOG", "GET", "x"),
    ("SLOWLOG", "NOPE"),
    ("SLOWLOG",),
    ("SHUTDOWN", "ABORT"),
    ("SHUTDOWN", "NOSAVE", "SAVE"),
    ("SHUTDOWN", "BOGUS"),
    ("DEBUG", "SLEEP", "0"),
    ("DEBUG",),
    ("TIME", "x"),
    ("LASTSAVE", "x"),
    ("CONFIG", "SET", "hz"),
    ("CONFIG", "SET", "foo", "bar"),
    ("CONFIG", "SET", "maxclients", "abc"),
    ("CONFIG", "NOPE"),
    ("CONFIG",),
    ("CONFIG", "GET"),
    ("CONFIG", "RESETSTAT", "x"),
]


@pytest.mark.parametrize("cmd", ERROR_CASES, ids=lambda c: " ".join(c))
def test_errors_match_redis(ember_server, redis_server, cmd):
    def err(server):
        c = server.client()
        try:
            c.execute_command(*cmd)
        except redis.ResponseError as e:
            return str(e)
        finally:
            c.close()
        return None

    assert err(ember_server) == err(redis_server)
