"""ACL integration tests: a permission matrix (per category, per key pattern read/write, per
channel, selectors) run against ember-server and Debian's redis-server 7.0.15 comparing every
reply; brute-force AUTH attempts in ACL LOG; aclfile load/save/bad line; `user` directives;
requirepass; HELLO AUTH; clients of deleted users and revoked subscribers; MULTI and scripts.

Ember speaks Redis 7.2's ACL texts (the version it reports); where 7.0.15 words a -NOPERM
reply differently ("this user has no permissions to access one of the keys used as
arguments" vs "No permissions to access a key"), both are reduced to (NOPERM, kind, command)
before comparing."""
import hashlib
import re
import socket
import subprocess
import time

import pytest

from conftest import EMBER, ServerProcess, wait_until


class Raw:
    """A minimal RESP2 client: replies as Python values, errors as ("-", text)."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.f = self.sock.makefile("rb")

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self.read()

    def read(self):
        line = self.f.readline()
        if not line:
            raise ConnectionError("closed")
        t, rest = line[:1], line[1:-2].decode()
        if t == b"+":
            return rest
        if t == b"-":
            return ("-", rest)
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            if n < 0:
                return None
            data = self.f.read(n + 2)[:-2]
            return data.decode(errors="replace")
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError("unexpected reply %r" % line)

    def close(self):
        self.sock.close()


NOPERM_PATTERNS = [
    (r"^NOPERM (?:this user|User \S+) has no permissions to run the '([^']+)' command$", "cmd"),
    (r"^NOPERM (?:this user has no permissions to access one of the keys used as arguments|"
     r"No permissions to access a key)$", "key"),
    (r"^NOPERM (?:this user has no permissions to access one of the channels used as "
     r"arguments|No permissions to access a channel)$", "channel"),
]


def norm(reply):
    """Reduces -NOPERM texts of Redis 7.0 and 7.2 to one form; everything else unchanged."""
    if isinstance(reply, tuple):
        for pattern, kind in NOPERM_PATTERNS:
            m = re.match(pattern, reply[1])
            if m:
                return ("NOPERM", kind) + m.groups()
    if isinstance(reply, list):
        return [norm(x) for x in reply]
    return reply


@pytest.fixture(scope="module")
def pair(ember_server, redis_server):
    return ember_server, redis_server


def both(pair, fn):
    """Runs fn(Raw connection as admin) on both servers, returns (ember, redis) results."""
    results = []
    for srv in pair:
        c = Raw(srv.port)
        try:
            results.append(fn(c))
        finally:
            c.close()
    return results


def setup_user(pair, name, *rules):
    e, r = both(pair, lambda c: (c.call("ACL", "DELUSER", name),
                                 c.call("ACL", "SETUSER", name, "reset", "on", ">pw", *rules)))
    assert e[1] == "OK" and r[1] == "OK", (e, r)


def run_as(pair, user, commands, fresh=False):
    """Runs each command as `user` on both servers (a fresh connection per command when
    `fresh`, for SUBSCRIBE-like commands) and asserts equal normalized replies."""
    def go(c):
        port = c.sock.getpeername()[1]
        out = []
        conn = None
        for cmd in commands:
            if conn is None or fresh:
                if conn is not None:
                    conn.close()
                conn = Raw(port)
                assert conn.call("AUTH", user, "pw") == "OK"
            reply = norm(conn.call(*cmd))
            if cmd[:2] == ("CLIENT", "ID") and isinstance(reply, int):
                reply = "<id>"  # ids differ between the servers
            out.append(reply)
        conn.close()
        return out
    e, r = both(pair, go)
    for cmd, a, b in zip(commands, e, r):
        assert a == b, "%s as %s: ember %r, redis %r" % (cmd, user, a, b)


# --- differential matrix -----------------------------------------------------------------------

CATEGORY_COMMANDS = [
    ("GET", "k"), ("SET", "k", "v"), ("HSET", "h", "f", "v"), ("HGET", "h", "f"),
    ("LPUSH", "l", "a"), ("LRANGE", "l", "0", "-1"), ("SADD", "s", "a"), ("SMEMBERS", "s"),
    ("ZADD", "z", "1", "a"), ("ZRANGE", "z", "0", "-1"), ("DEL", "k"), ("EXISTS", "k"),
    ("EXPIRE", "k", "100"), ("TYPE", "k"), ("SETBIT", "b", "1", "1"), ("BITCOUNT", "b"),
    ("PFADD", "p", "a"), ("PFCOUNT", "p"), ("GEOADD", "g", "1", "1", "m"),
    ("XADD", "x", "1-1", "f", "v"), ("XLEN", "x"), ("PUBLISH", "ch", "m"), ("PING",),
    ("ECHO", "e"), ("CONFIG", "GET", "maxmemory"), ("CLIENT", "ID"), ("CLIENT", "GETNAME"),
    ("INFO", "keyspace"), ("DBSIZE",), ("MULTI",), ("DISCARD",), ("ACL", "WHOAMI"),
    ("ACL", "USERS"), ("SLOWLOG", "LEN"), ("BLPOP", "nolist", "0.01"), ("EVAL", "return 1", "0"),
    ("SCRIPT", "EXISTS", "abc"), ("OBJECT", "ENCODING", "k"), ("KEYS", "zz*"),
]


@pytest.mark.parametrize("category", [
    "read", "write", "string", "hash", "list", "set", "sortedset", "keyspace", "bitmap",
    "hyperloglog", "geo", "stream", "pubsub", "admin", "fast", "slow", "blocking", "dangerous",
    "connection", "transaction", "scripting"])
def test_category_matrix(pair, category):
    setup_user(pair, "cat", "~*", "&*", "-@all", "+@" + category)
    both(pair, lambda c: c.call("FLUSHALL"))
    run_as(pair, "cat", CATEGORY_COMMANDS)
    setup_user(pair, "cat", "~*", "&*", "+@all", "-@" + category)
    both(pair, lambda c: c.call("FLUSHALL"))
    run_as(pair, "cat", CATEGORY_COMMANDS)


def test_key_pattern_matrix(pair):
    setup_user(pair, "keys", "+@all", "~app:*", "%R~ro:*", "%W~wo:*", "%RW~rw:*")
    both(pair, lambda c: c.call("FLUSHALL"))
    commands = []
    for key in ("app:1", "ro:1", "wo:1", "rw:1", "other"):
        commands += [("SET", key, "v"), ("GET", key), ("SET", key, "v2", "GET"),
                     ("EXISTS", key), ("STRLEN", key), ("APPEND", key, "x"), ("DEL", key),
                     ("LPUSH", key + "l", "a"), ("TYPE", key)]
    commands += [("MGET", "app:1", "ro:1"), ("MGET", "app:1", "wo:1"),
                 ("MSET", "wo:1", "a", "rw:1", "b"), ("MSET", "wo:1", "a", "ro:1", "b"),
                 ("COPY", "ro:1", "wo:2"), ("COPY", "wo:1", "ro:2"),
                 ("RENAME", "rw:1", "rw:2"), ("RENAME", "ro:1", "wo:3"),
                 ("LMOVE", "rw:l", "wo:l", "LEFT", "RIGHT"),
                 ("LMOVE", "wo:l", "rw:l", "LEFT", "RIGHT"),
                 ("SINTERSTORE", "wo:d", "ro:a", "rw:b"), ("SINTERSTORE", "ro:d", "ro:a"),
                 ("EVAL", "return 1", "1", "other"), ("EVAL", "return 1", "1", "app:x"),
                 ("SORT", "app:l"), ("SORT", "app:l", "BY", "nosort"),
                 ("SORT", "app:l", "BY", "w_*"), ("SORT", "app:l", "GET", "#"),
                 ("BITFIELD", "ro:bf", "GET", "u8", "0"), ("BITFIELD", "wo:bf", "GET", "u8", "0"),
                 ("BITFIELD", "wo:bf", "SET", "u8", "0", "1"),
                 ("OBJECT", "ENCODING", "wo:1"), ("TOUCH", "wo:1", "ro:1", "zz")]
    run_as(pair, "keys", commands)


def test_channel_matrix(pair):
    setup_user(pair, "chan", "+@all", "~*", "resetchannels", "&news.*", "&exact")
    commands = [("PUBLISH", "news.a", "m"), ("PUBLISH", "exact", "m"), ("PUBLISH", "other", "m"),
                ("PUBLISH", "news.*", "m"), ("SPUBLISH", "exact", "m"),
                ("SPUBLISH", "nope", "m"), ("SUBSCRIBE", "news.b"),
                ("SUBSCRIBE", "exact", "other"), ("PSUBSCRIBE", "news.*"),
                ("PSUBSCRIBE", "news.a*"), ("PSUBSCRIBE", "exact"), ("SSUBSCRIBE", "exact"),
                ("SSUBSCRIBE", "other"), ("UNSUBSCRIBE", "zzz"), ("PUNSUBSCRIBE", "zz*")]
    run_as(pair, "chan", commands, fresh=True)


def test_selector_matrix(pair):
    setup_user(pair, "sel", "resetkeys", "(+@write ~w:*)", "(+@read ~r:*)",
               "(+mget ~k1 ~k2)", "+mget", "~k1")
    commands = [("SET", "w:1", "v"), ("GET", "r:1"), ("GET", "w:1"), ("SET", "r:1", "v"),
                ("PING",), ("MGET", "k1"), ("MGET", "k1", "k2"), ("MGET", "k2", "k3"),
                ("DEL", "w:1"), ("EXISTS", "r:1")]
    run_as(pair, "sel", commands)


def test_subcommand_and_first_arg_rules(pair):
    setup_user(pair, "sub", "~*", "+@all", "-client", "+client|id", "-config|set", "-select",
               "+select|0", "-debug")
    commands = [("CLIENT", "ID"), ("CLIENT", "KILL", "ID", "999999"), ("CONFIG", "GET", "hz"),
                ("CONFIG", "SET", "hz", "10"), ("SELECT", "0"), ("SELECT", "1")]
    run_as(pair, "sub", commands)


@pytest.mark.parametrize("rule", [
    "foo", "+nosuch", "+@nosuch", "-select|0", "+get|a|b", "+config|nosuch", "%X~a", "%~a",
    "#abc", "!abc", "<nope", "(bad)", ")", "(+get", "~a b", "&*"])
def test_setuser_errors_match(pair, rule):
    e, r = both(pair, lambda c: c.call("ACL", "SETUSER", "err-user", "~*", "allchannels", rule))
    assert e == r
    e, r = both(pair, lambda c: c.call("ACL", "SETUSER", "err-user", "allkeys", "~x"))
    assert e == r


def test_auth_and_hello_errors_match(pair):
    setup_user(pair, "hu", "+@all", "~*")
    def go(c):
        return [c.call("AUTH", "nobody", "x"), c.call("AUTH", "hu", "wrong"),
                c.call("HELLO", "2", "AUTH", "hu", "wrong"), c.call("AUTH", "x"),
                c.call("AUTH", "a", "b", "c"), c.call("ACL", "DELUSER", "default"),
                c.call("ACL", "DRYRUN", "nobody", "get", "x"),
                c.call("ACL", "DRYRUN", "hu", "nosuch", "x"),
                c.call("ACL", "DRYRUN", "hu", "set", "x"), c.call("ACL", "GENPASS", "0"),
                c.call("ACL", "GENPASS", "5000"), c.call("ACL", "CAT", "nope"),
                c.call("ACL", "GETUSER", "nobody"), c.call("ACL", "LOAD"),
                c.call("AUTH", "hu", "pw"), c.call("ACL", "WHOAMI")]
    e, r = both(pair, go)
    assert e[:13] == r[:13]
    # 7.0 and 7.2 word the no-aclfile errors alike at the start.
    assert e[13][1].startswith("ERR This Redis instance is not configured to use an ACL file")
    assert e[14:] == r[14:]


# --- ember-only behaviour ----------------------------------------------------------------------

def test_brute_force_auth_is_logged(ember_server):
    c = Raw(ember_server.port)
    c.call("ACL", "LOG", "RESET")
    before = int(re.search(r"acl_access_denied_auth:(\d+)", c.call("INFO", "stats")).group(1))
    c.call("ACL", "SETUSER", "victim", "on", ">right")
    for i in range(25):
        assert c.call("AUTH", "victim", "guess%d" % i) == (
            "-", "WRONGPASS invalid username-password pair or user is disabled.")
    log = c.call("ACL", "LOG")
    assert len(log) == 1
    entry = dict(zip(log[0][::2], log[0][1::2]))
    assert entry["count"] == 25
    assert entry["reason"] == "auth"
    assert entry["context"] == "toplevel"
    assert entry["object"] == "AUTH"
    assert entry["username"] == "victim"
    assert "cmd=auth" in entry["client-info"]
    assert entry["timestamp-created"] <= entry["timestamp-last-updated"]
    first_id = entry["entry-id"]
    c.call("AUTH", "other-user", "x")
    log = c.call("ACL", "LOG", "1")
    assert len(log) == 1 and dict(zip(log[0][::2], log[0][1::2]))["entry-id"] == first_id + 1
    after = int(re.search(r"acl_access_denied_auth:(\d+)", c.call("INFO", "stats")).group(1))
    assert after - before == 26
    assert c.call("AUTH", "victim", "right") == "OK"
    c.close()


def test_nopass_and_denied_command_logged(ember_server):
    c = Raw(ember_server.port)
    c.call("ACL", "SETUSER", "app", "reset", "on", ">pw", "~app:*", "+@all", "-@dangerous")
    c.call("ACL", "LOG", "RESET")
    u = Raw(ember_server.port)
    assert u.call("AUTH", "app", "pw") == "OK"
    assert u.call("FLUSHALL") == (
        "-", "NOPERM User app has no permissions to run the 'flushall' command")
    assert u.call("SET", "other", "1") == ("-", "NOPERM No permissions to access a key")
    log = c.call("ACL", "LOG")
    entries = [dict(zip(e[::2], e[1::2])) for e in log]
    assert [(e["reason"], e["object"]) for e in entries] == [("key", "other"),
                                                              ("command", "flushall")]
    u.close()
    c.close()


def test_multi_and_exec_rechecks(ember_server):
    c = Raw(ember_server.port)
    c.call("ACL", "SETUSER", "tx", "reset", "on", ">pw", "~*", "+@all", "-flushall")
    u = Raw(ember_server.port)
    u.call("AUTH", "tx", "pw")
    assert u.call("MULTI") == "OK"
    assert u.call("FLUSHALL")[0] == "-"
    assert u.call("EXEC") == (
        "-", "EXECABORT Transaction discarded because of previous errors.")
    assert u.call("MULTI") == "OK"
    assert u.call("INCR", "n") == "QUEUED"
    c.call("ACL", "SETUSER", "tx", "-incr")
    assert u.call("EXEC") == [("-", "NOPERM User tx has no permissions to run the 'incr' command")]
    entry = c.call("ACL", "LOG", "1")[0]
    entry = dict(zip(entry[::2], entry[1::2]))
    assert entry["context"] == "multi" and "cmd=exec" in entry["client-info"]
    u.close()
    c.close()


def test_script_calls_are_checked(ember_server):
    c = Raw(ember_server.port)
    c.call("ACL", "SETUSER", "lua", "reset", "on", ">pw", "~x*", "+@scripting", "+get")
    u = Raw(ember_server.port)
    u.call("AUTH", "lua", "pw")
    reply = u.call("EVAL", "return redis.call('incr','x')", "0")
    assert reply[0] == "-" and "ACL failure in script" in reply[1] and "'incr'" in reply[1]
    assert u.call("EVAL", "return redis.acl_check_cmd('get','x1')", "0") == 1
    assert u.call("EVAL", "return redis.acl_check_cmd('get','y')", "0") is None
    entry = c.call("ACL", "LOG", "1")[0]
    entry = dict(zip(entry[::2], entry[1::2]))
    assert entry["context"] == "lua" and entry["object"] == "incr"
    assert "cmd=eval" in entry["client-info"]
    u.close()
    c.close()


def test_deleted_user_and_revoked_subscriber_are_disconnected(ember_server):
    c = Raw(ember_server.port)
    c.call("ACL", "SETUSER", "gone", "reset", "on", ">pw", "~*", "+@all")
    u = Raw(ember_server.port)
    u.call("AUTH", "gone", "pw")
    assert c.call("ACL", "DELUSER", "gone") == 1
    with pytest.raises((ConnectionError, OSError)):
        u.call("PING")
    c.call("ACL", "SETUSER", "sub", "reset", "on", ">pw", "+@all", "&news")
    s = Raw(ember_server.port)
    s.call("AUTH", "sub", "pw")
    s.call("CLIENT", "SETNAME", "revokeme")
    assert s.call("SUBSCRIBE", "news") == ["subscribe", "news", 1]
    c.call("ACL", "SETUSER", "sub", "resetchannels", "&other")
    wait_until(lambda: "revokeme" not in c.call("CLIENT", "LIST"))
    s.close()
    c.close()


def test_requirepass_and_hello_auth(server_factory):
    srv = server_factory("--requirepass", "s3cret")
    c = Raw(srv.port)
    assert c.call("GET", "k") == ("-", "NOAUTH Authentication required.")
    assert c.call("HELLO", "3")[0] == "-"
    assert c.call("HELLO", "2", "AUTH", "default", "bad", "SETNAME", "n") == (
        "-", "WRONGPASS invalid username-password pair or user is disabled.")
    hello = c.call("HELLO", "2", "AUTH", "default", "s3cret", "SETNAME", "n")
    assert hello[0] == "server"
    assert c.call("CLIENT", "GETNAME") == "n"
    user = c.call("ACL", "GETUSER", "default")
    info = dict(zip(user[::2], user[1::2]))
    assert info["passwords"] == [hashlib.sha256(b"s3cret").hexdigest()]
    assert "nopass" not in info["flags"]
    assert c.call("CONFIG", "SET", "requirepass", "") == "OK"
    d = Raw(srv.port)
    assert d.call("PING") == "PONG"
    d.close()
    c.close()


def test_user_directive_and_conflict_with_aclfile(server_factory, tmp_path):
    srv = server_factory("--user", "app", "on", ">pw", "~app:*", "+@all")
    c = Raw(srv.port)
    assert c.call("AUTH", "app", "pw") == "OK"
    assert c.call("SET", "x", "1") == ("-", "NOPERM No permissions to access a key")
    c.close()
    aclfile = tmp_path / "users.acl"
    aclfile.write_text("user default on nopass ~* &* +@all\n")
    proc = subprocess.run([EMBER, "--port", "0", "--user", "app", "on", "--aclfile",
                           str(aclfile)], capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "not both" in proc.stdout + proc.stderr
    proc = subprocess.run([EMBER, "--port", "0", "--user", "app", "on", "bogus"],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "Error in user declaration" in proc.stdout + proc.stderr


def test_aclfile_load_save_and_bad_line(server_factory, tmp_path):
    aclfile = tmp_path / "users.acl"
    aclfile.write_text("# users\n\nuser default on nopass ~* &* +@all\n"
                       "user alice on >alice ~a:* +@all\n")
    srv = server_factory("--aclfile", str(aclfile))
    c = Raw(srv.port)
    assert c.call("ACL", "USERS") == ["alice", "default"]
    assert c.call("ACL", "SETUSER", "bob", "on", ">bob", "(+get ~b:*)") == "OK"
    assert c.call("ACL", "SAVE") == "OK"
    text = aclfile.read_text()
    assert "user bob on sanitize-payload #" in text and "(~b:* resetchannels -@all +get)" in text
    # A bad line: ACL LOAD fails naming the line and keeps every user as it was.
    aclfile.write_text(text + "user carol on +nosuch\n")
    err = c.call("ACL", "LOAD")
    line_no = len(text.splitlines()) + 1
    assert err[0] == "-" and ("%s:%d: " % (aclfile, line_no)) in err[1]
    assert "Unknown command or category name in ACL" in err[1]
    assert c.call("ACL", "USERS") == ["alice", "bob", "default"]
    # A good file: users are replaced; clients of replaced users are closed.
    aclfile.write_text("user default on nopass ~* &* +@all\nuser dave on >d +@all ~*\n")
    a = Raw(srv.port)
    a.call("AUTH", "alice", "alice")
    assert c.call("ACL", "LOAD") == "OK"
    assert c.call("ACL", "USERS") == ["dave", "default"]
    with pytest.raises((ConnectionError, OSError)):
        a.call("PING")
    a.close()
    c.close()
    # A bad file stops startup, naming the line.
    aclfile.write_text("user default on nopass ~* &* +@all\nuser x on foo\n")
    proc = subprocess.run([EMBER, "--port", "0", "--aclfile", str(aclfile)],
                          capture_output=True, text=True, timeout=30)
    assert proc.returncode != 0
    assert "%s:2: " % aclfile in proc.stdout + proc.stderr
