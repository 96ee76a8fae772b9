"""Integration tests for expiry: EXPIRE-family replies and options, TTL/PTTL/EXPIRETIME, lazy
expiry on access, and active expiry reclaiming keys nobody reads (polled, no fixed sleeps)."""
import time

import pytest
import redis

from conftest import wait_until


def test_ttl_replies(r):
    assert r.ttl("missing") == -2
    assert r.pttl("missing") == -2
    r.set("k", "v")
    assert r.ttl("k") == -1
    assert r.expire("k", 100)
    assert 99 <= r.ttl("k") <= 100
    assert 99000 <= r.pttl("k") <= 100000
    now = int(time.time())
    assert abs(r.execute_command("EXPIRETIME", "k") - (now + 100)) <= 2
    assert r.persist("k")
    assert r.ttl("k") == -1
    assert not r.persist("k")


def test_absolute_expiry(r):
    r.set("k", "v")
    at = int(time.time()) + 500
    assert r.expireat("k", at)
    assert r.execute_command("EXPIRETIME", "k") == at
    assert r.pexpireat("k", at * 1000 + 123)
    assert r.execute_command("PEXPIRETIME", "k") == at * 1000 + 123


def test_expire_options(r):
    r.set("k", "v")
    assert r.execute_command("EXPIRE", "k", 100, "XX") == 0
    assert r.execute_command("EXPIRE", "k", 100, "GT") == 0
    assert r.execute_command("EXPIRE", "k", 100, "NX") == 1
    assert r.execute_command("EXPIRE", "k", 200, "LT") == 0
    assert r.execute_command("EXPIRE", "k", 200, "GT") == 1
    assert r.execute_command("EXPIRE", "k", 50, "XX", "LT") == 1
    with pytest.raises(redis.ResponseError,
                       match="NX and XX, GT or LT options at the same time are not compatible"):
        r.execute_command("EXPIRE", "k", 10, "NX", "LT")
    with pytest.raises(redis.ResponseError,
                       match="GT and LT options at the same time are not compatible"):
        r.execute_command("EXPIRE", "k", 10, "GT", "LT")
    with pytest.raises(redis.ResponseError, match="Unsupported option bogus"):
        r.execute_command("EXPIRE", "k", 10, "bogus")
    with pytest.raises(redis.ResponseError, match="invalid expire time in 'expire' command"):
        r.execute_command("EXPIRE", "k", "99999999999999999")


def test_past_time_deletes(r):
    r.set("a", "1")
    r.set("b", "1")
    assert r.expire("a", -1)
    assert r.pexpireat("b", 1)
    assert r.exists("a", "b") == 0


def test_lazy_expiry_on_access(r):
    r.set("k", "v", px=50)
    wait_until(lambda: r.get("k") is None, timeout=10)
    assert r.exists("k") == 0


def test_active_expiry_reclaims_unread_keys(ember_server):
    c = ember_server.client()
    c.flushall()
    before = c.info("stats").get("expired_keys") if info_available(c) else None
    pipe = c.pipeline(transaction=False)
    for i in range(2000):
        pipe.set("vol:%d" % i, "x", px=100 + i % 100)
    pipe.execute()
    c.set("persistent", "1")
    # Nobody reads the volatile keys: only the active cycle can reclaim them.
    wait_until(lambda: c.dbsize() == 1, timeout=60, interval=0.05)
    assert c.get("persistent") == "1"
    if before is not None:
        assert c.info("stats")["expired_keys"] - before >= 2000
    c.close()


def info_available(c):
    try:
        return "expired_keys" in c.info("stats")
    except redis.ResponseError:
        return False


def test_set_clears_ttl_and_rename_moves_it(r):
    r.set("k", "v", ex=100)
    r.set("k", "w")
    assert r.ttl("k") == -1
    r.set("a", "v", px=300000)
    r.rename("a", "b")
    assert r.pttl("b") > 290000
