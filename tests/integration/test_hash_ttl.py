"""Integration tests for hash field TTLs (HEXPIRE & co., HGETEX, HSETEX, HGETDEL) over real
sockets with redis-py, which has no helpers for these commands (execute_command is used).
Session hashes whose fields expire individually: fields and whole keys must vanish through
ACTIVE reclaim, observed without reading the hashes (DBSIZE, EXISTS after the fact), and the
reply codes and error texts must come through a real connection and pipeline unchanged.
Waits poll a condition with a deadline; nothing asserts on timing."""
import pytest
import redis

from conftest import wait_until


def cmd(r, *args):
    return r.execute_command(*args)


def test_session_fields_expire_actively(r):
    # 200 sessions: the auth fields expire quickly, the profile stays.
    p = r.pipeline(transaction=False)
    for i in range(200):
        p.hset("session:%d" % i, mapping={"user": "u%d" % i, "token": "t", "csrf": "c"})
        p.execute_command("HPEXPIRE", "session:%d" % i, 150, "FIELDS", 2, "token", "csrf")
    out = p.execute()
    assert out[1::2] == [[1, 1]] * 200
    # 100 short-lived carts: every field expires, so the keys must go without being read.
    for i in range(100):
        cmd(r, "HSETEX", "cart:%d" % i, "PX", 150, "FIELDS", 2, "item", "x", "qty", 1)
    assert r.dbsize() == 300
    wait_until(lambda: r.dbsize() == 200)
    assert all(r.exists("cart:%d" % i) == 0 for i in range(100))
    # The sessions kept their profile field only.
    assert r.hgetall("session:7") == {"user": "u7"}
    assert cmd(r, "HTTL", "session:7", "FIELDS", 2, "user", "token") == [-1, -2]


def test_large_hash_reclaimed_actively(r):
    # Past hash-max-listpack-entries: the hashtable encoding, fields with per-node expiry.
    mapping = {"f%d" % i: "v" for i in range(1000)}
    r.hset("big", mapping=mapping)
    assert r.object("encoding", "big") == "hashtable"
    fields = list(mapping)
    assert cmd(r, "HPEXPIRE", "big", 100, "FIELDS", len(fields), *fields) == [1] * 1000
    r.set("marker", "1")
    wait_until(lambda: r.dbsize() == 1)
    assert r.exists("big") == 0


def test_long_ttls_are_not_reclaimed(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert cmd(r, "HEXPIRE", "h", 3600, "FIELDS", 2, "a", "b") == [1, 1]
    r.hset("gone", "x", "1")
    assert cmd(r, "HPEXPIRE", "gone", 50, "FIELDS", 1, "x") == [1]
    wait_until(lambda: r.exists("gone") == 0)  # one active cycle passed at least
    assert r.hlen("h") == 2
    assert 3590 <= cmd(r, "HTTL", "h", "FIELDS", 1, "a")[0] <= 3600


def test_reply_codes_and_encodings(r):
    r.hset("h", mapping={"a": "1", "b": "2", "c": "3"})
    assert r.object("encoding", "h") == "listpack"
    assert cmd(r, "HEXPIRE", "h", 100, "NX", "FIELDS", 3, "a", "b", "zz") == [1, 1, -2]
    assert r.object("encoding", "h") == "listpackex"
    assert cmd(r, "HEXPIRE", "h", 50, "GT", "FIELDS", 2, "a", "c") == [0, 0]
    assert cmd(r, "HEXPIRE", "h", 50, "LT", "FIELDS", 2, "a", "c") == [1, 1]
    assert cmd(r, "HPERSIST", "h", "FIELDS", 2, "b", "zz") == [1, -2]
    assert cmd(r, "HPERSIST", "h", "FIELDS", 1, "b") == [-1]
    assert cmd(r, "HEXPIRE", "h", 0, "FIELDS", 1, "b") == [2]
    assert r.hgetall("h") == {"a": "1", "c": "3"}
    ttl = cmd(r, "HPTTL", "h", "FIELDS", 2, "a", "c")
    assert 0 < ttl[0] <= 50000 and 0 < ttl[1] <= 50000
    assert cmd(r, "HGETEX", "h", "EX", 500, "FIELDS", 2, "a", "nope") == ["1", None]
    assert 490 <= cmd(r, "HTTL", "h", "FIELDS", 1, "a")[0] <= 500
    assert cmd(r, "HSETEX", "h", "FNX", "EX", 10, "FIELDS", 1, "a", "x") == 0
    assert cmd(r, "HSETEX", "h", "FXX", "KEEPTTL", "FIELDS", 1, "a", "x") == 1
    assert r.hget("h", "a") == "x"
    assert cmd(r, "HGETDEL", "h", "FIELDS", 2, "a", "c") == ["x", "3"]
    assert r.exists("h") == 0
    assert cmd(r, "HTTL", "h", "FIELDS", 1, "a") == [-2]
    assert cmd(r, "HGETEX", "h", "PERSIST", "FIELDS", 1, "a") == [None]


def test_errors_over_the_wire(r):
    r.hset("h", "a", "1")
    r.set("s", "x")
    cases = [
        (("HEXPIRE", "s", 10, "FIELDS", 1, "a"), "WRONGTYPE"),
        (("HEXPIRE", "h", -1, "FIELDS", 1, "a"), "invalid expire time, must be >= 0"),
        (("HEXPIRE", "h", 10, "FIELDS", 0, "a"), "Parameter `numFields` should be greater than 0"),
        (("HEXPIRE", "h", 10, "FIELDS", 2, "a"),
         "The `numfields` parameter must match the number of arguments"),
        (("HEXPIRE", "h", 10, "XX", "NX", "FIELDS", 1, "a"),
         "Mandatory argument FIELDS is missing or not at the right position"),
        (("HPEXPIREAT", "h", 2 ** 46, "FIELDS", 1, "a"),
         "invalid expire time in 'hpexpireat' command"),
        (("HTTL", "h", "FIELDS", 0, "a"), "Number of fields must be a positive integer"),
        (("HSETEX", "h", "FNX", "FXX", "FIELDS", 1, "a", "1"),
         "Only one of FXX or FNX arguments can be specified"),
        (("HSETEX", "h", "EX", 1, "PX", 1, "FIELDS", 1, "a", "1"),
         "Only one of EX, PX, EXAT, PXAT or KEEPTTL arguments can be specified"),
        (("HSETEX", "h", "FIELDS", 2, "a", "1"), "wrong number of arguments for 'hsetex' command"),
    ]
    p = r.pipeline(transaction=False)
    for args, _ in cases:
        p.execute_command(*args)
    results = p.execute(raise_on_error=False)
    for (args, message), result in zip(cases, results):
        assert isinstance(result, redis.ResponseError), args
        assert message in str(result), (args, str(result))
    assert cmd(r, "HTTL", "h", "FIELDS", 1, "a") == [-1]  # nothing changed


def test_rename_and_copy_keep_field_ttls(r):
    r.hset("h", mapping={"a": "1", "b": "2"})
    assert cmd(r, "HPEXPIRE", "h", 150, "FIELDS", 2, "a", "b") == [1, 1]
    assert r.rename("h", "renamed")
    assert r.copy("renamed", "copied")
    assert cmd(r, "HPTTL", "copied", "FIELDS", 1, "b")[0] > 0
    # Under their new names both are reclaimed actively, without being read.
    wait_until(lambda: r.dbsize() == 0)


def test_command_docs_and_cli_hints(r):
    # "COMMAND DOCS" as one name: redis-py 4.3 has no parser for it, so the raw reply comes back.
    docs = r.execute_command("COMMAND DOCS", "hexpire")
    assert docs[0] == "hexpire" and "arguments" in docs[1]  # redis-cli builds hints from these
    info = r.execute_command("COMMAND INFO", "hgetex")
    assert info[0][0] == "hgetex" and info[0][1] == -5
