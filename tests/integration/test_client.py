"""CLIENT commands against the real binary: redis-py parsing CLIENT LIST/INFO, names, KILL by
filters and by address (the killed connection really closes), REPLY OFF/SKIP on the wire,
SETINFO, NO-TOUCH, and CLIENT PAUSE parking a second connection's write until UNPAUSE — with
threads and polled conditions, no timing assertions. Error texts are compared with Debian's
redis-server 7.0 where it has the same command."""
import socket
import threading

import pytest
import redis

from conftest import wait_until


def line_of(client_list, client_id):
    for entry in client_list:
        if int(entry["id"]) == client_id:
            return entry
    return None


def is_closed(client):
    try:
        client.ping()
        return False
    except redis.ConnectionError:
        return True


def test_client_list_parsed_by_redis_py(r, ember_server):
    r.client_setname("main")
    other = ember_server.client()
    other.client_setname("other")
    other_id = other.client_id()
    entries = r.client_list()
    mine = line_of(entries, r.client_id())
    assert mine["name"] == "main"
    assert mine["cmd"] == "client|list"
    assert mine["flags"] == "N"
    assert mine["db"] == "0"
    assert mine["user"] == "default"
    assert mine["resp"] == "2"
    assert mine["addr"].startswith("127.0.0.1:")
    assert mine["laddr"] == "127.0.0.1:%d" % ember_server.port
    for key in ("age", "idle", "fd", "qbuf", "qbuf-free", "argv-mem", "obl", "oll", "omem",
                "tot-mem", "events", "sub", "psub", "ssub", "multi", "lib-name", "lib-ver"):
        assert key in mine, key
    theirs = line_of(entries, other_id)
    assert theirs["name"] == "other"
    assert theirs["cmd"] == "client|id"  # its last command
    only = r.client_list(client_id=[str(other_id)])
    assert [int(e["id"]) for e in only] == [other_id]
    assert r.client_list(_type="pubsub") == []
    other.close()


def test_client_info_and_names(r):
    assert r.client_getname() is None
    assert r.client_setname("n1") is True
    assert r.client_getname() == "n1"
    info = r.client_info()
    assert int(info["id"]) == r.client_id()
    assert info["name"] == "n1"
    assert info["cmd"] == "client|info"
    with pytest.raises(redis.ResponseError,
                       match="Client names cannot contain spaces, newlines or special"):
        r.client_setname("a b")


def test_client_setinfo_and_no_touch(r):
    assert r.execute_command("CLIENT SETINFO", "LIB-NAME", "ember-tests") == "OK"
    assert r.client_info()["lib-name"] == "ember-tests"
    with pytest.raises(redis.ResponseError, match="Unrecognized option 'foo'"):
        r.execute_command("CLIENT SETINFO", "foo", "x")
    r.execute_command("CLIENT NO-TOUCH", "ON")
    assert "T" in r.client_info()["flags"]
    r.execute_command("CLIENT NO-TOUCH", "OFF")
    assert r.client_info()["flags"] == "N"


def test_client_kill_filter_by_id_closes_the_connection(r, ember_server):
    victim = ember_server.client()
    victim_id = victim.client_id()
    assert r.client_kill_filter(_id=victim_id) == 1
    wait_until(lambda: line_of(r.client_list(), victim_id) is None)
    # redis-py reconnects transparently; the old connection id is gone for good.
    assert victim.client_id() != victim_id
    assert r.client_kill_filter(_id=victim_id) == 0
    victim.close()


def test_client_kill_old_form_by_addr(r, ember_server):
    sock = socket.create_connection(("127.0.0.1", ember_server.port))
    try:
        addr = "127.0.0.1:%d" % sock.getsockname()[1]
        wait_until(lambda: any(e["addr"] == addr for e in r.client_list()))
        assert r.client_kill(addr) is True
        sock.settimeout(10)
        assert sock.recv(16) == b""  # closed by the server
        with pytest.raises(redis.ResponseError, match="No such client"):
            r.client_kill(addr)
    finally:
        sock.close()


def test_client_kill_skipme(r):
    assert r.client_kill_filter(_id=r.client_id()) == 0  # SKIPME yes by default
    sock_client = r.connection_pool.get_connection("CLIENT")
    try:
        sock_client.send_command("CLIENT", "ID")
        my_id = sock_client.read_response()
        sock_client.send_command("CLIENT", "KILL", "ID", my_id, "SKIPME", "no")
        assert sock_client.read_response() == 1
        with pytest.raises(redis.ConnectionError):
            sock_client.send_command("PING")
            sock_client.read_response()
    finally:
        sock_client.disconnect()
        r.connection_pool.release(sock_client)


def read_until(sock, marker):
    data = b""
    sock.settimeout(10)
    while marker not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def test_client_reply_off_and_skip_on_the_wire(ember_server):
    with socket.create_connection(("127.0.0.1", ember_server.port)) as s:
        s.sendall(b"CLIENT REPLY OFF\r\nPING\r\nCLIENT REPLY ON\r\nECHO a\r\n"
                  b"CLIENT REPLY SKIP\r\nECHO b\r\nECHO c\r\n")
        assert read_until(s, b"$1\r\nc\r\n") == b"+OK\r\n$1\r\na\r\n$1\r\nc\r\n"


def test_client_pause_write_parks_writers_until_unpause(r, ember_server):
    writer = ember_server.client()
    writer_id = writer.client_id()
    assert r.client_pause(100000, all=False) is True
    done = threading.Event()
    result = {}

    def write():
        result["set"] = writer.set("paused-key", "v")
        done.set()

    t = threading.Thread(target=write)
    t.start()
    try:
        # The SET sits unprocessed in the writer's query buffer.
        wait_until(lambda: int(line_of(r.client_list(), writer_id)["qbuf"]) > 0)
        assert "b" in line_of(r.client_list(), writer_id)["flags"]  # parked, like Redis
        assert not done.is_set()
        assert r.get("paused-key") is None  # reads still run
        assert r.client_unpause() == "OK"
        t.join(10)
        assert done.is_set()
        assert result["set"] is True
        assert r.get("paused-key") == "v"
    finally:
        r.client_unpause()
        t.join(10)
        writer.close()


def test_client_pause_all_expires_by_itself(r, ember_server):
    reader = ember_server.client()
    reader.ping()
    result = {}
    assert r.client_pause(200) is True
    t = threading.Thread(target=lambda: result.setdefault("get", reader.get("k")))
    t.start()
    t.join(30)
    assert not t.is_alive()
    assert "get" in result
    reader.close()


@pytest.mark.parametrize("args", [
    ["KILL", "1.2.3.4:5"],
    ["KILL", "ID", "0"],
    ["KILL", "ID", "abc"],
    ["KILL", "TYPE", "foo"],
    ["KILL", "USER", "nobody"],
    ["KILL", "SKIPME", "maybe"],
    ["KILL", "ID", "1", "SKIPME"],
    ["KILL", "ADDR"],
    ["LIST", "TYPE", "foo"],
    ["LIST", "ID", "abc"],
    ["LIST", "foo"],
    ["PAUSE", "abc"],
    ["PAUSE", "-1"],
    ["PAUSE", "10", "foo"],
    ["PAUSE", "10", "write", "x"],
    ["REPLY", "maybe"],
    ["NO-EVICT", "maybe"],
    ["SETNAME", "a b"],
    ["NOSUCH"],
    ["ID", "x"],
])
def test_client_errors_match_redis(r, redis_server, args):
    ref = redis_server.client()

    def run(client):
        try:
            return client.execute_command("CLIENT", *args)
        except redis.ResponseError as e:
            return "error: " + str(e)

    assert run(r) == run(ref)
