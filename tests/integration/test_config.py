"""CONFIG GET/SET/RESETSTAT/REWRITE against the real binary with redis-py, RESP3 map replies,
and CONFIG REWRITE on a server started from a config file in a temporary directory."""
import os
import shutil
import socket
import tempfile

import pytest
import redis

from conftest import EMBER, ServerProcess


def test_get_set_round_trip(r):
    assert r.config_get("hz") == {"hz": "10"}
    assert r.config_set("hz", 25)
    try:
        assert r.config_get("hz") == {"hz": "25"}
        assert r.info("server")["hz"] == 25
    finally:
        r.config_set("hz", 10)
    many = r.config_get("maxmemory*")
    assert many["maxmemory"] == "0" and many["maxmemory-policy"] == "noeviction"
    both = r.execute_command("CONFIG", "GET", "hz", "maxclients")  # a flat list in RESP2
    assert dict(zip(both[::2], both[1::2])) == {"hz": "10", "maxclients": "10000"}


def test_set_several_and_all_or_nothing(r):
    assert r.execute_command("CONFIG", "SET", "slowlog-max-len", "64", "timeout", "0") == "OK"
    assert r.config_get("slowlog-max-len") == {"slowlog-max-len": "64"}
    with pytest.raises(redis.ResponseError, match="CONFIG SET failed"):
        r.execute_command("CONFIG", "SET", "slowlog-max-len", "99", "maxclients", "abc")
    assert r.config_get("slowlog-max-len") == {"slowlog-max-len": "64"}
    r.config_set("slowlog-max-len", 128)
    with pytest.raises(redis.ResponseError,
                       match=r"wrong number of arguments for 'config\|set' command"):
        r.execute_command("CONFIG", "SET", "hz", "10", "maxclients")


def test_maxmemory_shows_in_info(r):
    r.config_set("maxmemory", "10mb")
    try:
        info = r.info("memory")
        assert info["maxmemory"] == 10 * 1024 * 1024
        assert info["maxmemory_human"] == "10.00M"
    finally:
        r.config_set("maxmemory", 0)


def test_resetstat(r):
    for _ in range(5):
        r.ping()
    assert r.config_resetstat()
    stats = r.info("stats")
    assert stats["total_commands_processed"] <= 2
    assert stats["total_error_replies"] == 0


def test_config_get_is_map_in_resp3(ember_server):
    with socket.create_connection(("127.0.0.1", ember_server.port)) as s:
        s.sendall(b"HELLO 3\r\n")
        f = s.makefile("rb")
        assert f.readline().startswith(b"%")
        while f.readline() != b"*0\r\n":  # the HELLO map ends with modules: an empty array
            pass
        s.sendall(b"CONFIG GET hz\r\n")
        assert [f.readline() for _ in range(5)] == [b"%1\r\n", b"$2\r\n", b"hz\r\n", b"$2\r\n",
                                                    b"10\r\n"]


def test_rewrite_without_config_file(r):
    with pytest.raises(redis.ResponseError, match="running without a config file"):
        r.config_rewrite()


def test_rewrite_with_config_file():
    confdir = tempfile.mkdtemp(prefix="ember-conf-")
    path = os.path.join(confdir, "ember.conf")
    with open(path, "w") as f:
        f.write("# comment kept by rewrite\nhz 10\nmaxmemory-policy noeviction\n")
    servers = []
    try:
        s = ServerProcess(EMBER)
        s.args = [path] + s.args
        servers.append(s.start())
        c = s.client()
        assert c.config_get("hz") == {"hz": "10"}
        c.config_set("hz", 42)
        c.config_set("maxmemory-policy", "allkeys-lru")
        assert c.config_rewrite()
        text = open(path).read()
        assert "# comment kept by rewrite" in text
        assert "hz 42" in text
        assert "maxmemory-policy allkeys-lru" in text
        assert c.info("server")["config_file"] == path
        c.close()
        # Stop the process but keep its directory: the rewritten file names it in `dir`.
        s.proc.terminate()
        s.proc.wait(timeout=10)
        # A fresh server started from the rewritten file has the new values.
        s2 = ServerProcess(EMBER)
        s2.args = [path] + s2.args
        servers.append(s2.start())
        c2 = s2.client()
        assert c2.config_get("hz") == {"hz": "42"}
        assert c2.config_get("maxmemory-policy") == {"maxmemory-policy": "allkeys-lru"}
        c2.close()
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(confdir, ignore_errors=True)
