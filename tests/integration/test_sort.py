"""SORT / SORT_RO through redis-py against the real binary: the usual application patterns
(jobs ordered by a priority kept in hashes, several GET patterns, STORE), and a seeded
differential test that sends the same random SORT calls to ember-server and Debian's
redis-server and compares the replies exactly.

Where Redis's order is not a function of the data, the differential test avoids or
canonicalises it:
  - a set sorted with BY nosort and no STORE comes out in hash order: the groups of the reply
    are compared as multisets (and no LIMIT is used);
  - ALPHA with a BY pattern leaves elements with equal BY values in input order, which for a
    set or sorted set is hash order, and with a narrowing LIMIT is whatever Redis's partial
    quicksort leaves: in those cases every element gets its own BY value.
ALPHA compares bytes in Ember; Redis uses strcoll, which is byte order in the C and C.UTF-8
locales (the only ones the test machine has) for valid UTF-8, so the generated strings are
valid UTF-8 without NUL bytes."""
import random

import pytest
import redis


def test_jobs_by_priority_in_hashes(r):
    for job, pri, owner in [(101, 5, "ann"), (102, 1, "bob"), (103, 3, "cy"), (104, 3, "dee")]:
        r.rpush("queue", job)
        r.hset(f"job:{job}", mapping={"priority": pri, "owner": owner})
    assert r.sort("queue", by="job:*->priority") == ["102", "103", "104", "101"]
    assert r.sort("queue", by="job:*->priority", desc=True, start=0, num=2) == ["101", "104"]
    assert r.sort("queue", by="job:*->priority", get=["#", "job:*->owner"]) == [
        "102", "bob", "103", "cy", "104", "dee", "101", "ann"]
    assert r.sort("queue", by="job:*->priority", get=["#", "job:*->owner"], groups=True) == [
        ("102", "bob"), ("103", "cy"), ("104", "dee"), ("101", "ann")]
    assert r.sort_ro("queue", by="job:*->owner", alpha=True, desc=True) == [
        "104", "103", "102", "101"]


def test_get_several_patterns_and_missing_values(r):
    r.sadd("users", "1", "2", "3")
    r.mset({"name:1": "ann", "name:3": "cy", "age:1": "30", "age:2": "25", "age:3": "41"})
    assert r.sort("users", by="age:*", get=["name:*", "age:*", "#"]) == [
        None, "25", "2", "ann", "30", "1", "cy", "41", "3"]
    assert r.sort("users", get="nosuch:*") == [None, None, None]
    assert r.sort("users", by="nosort", get="#", store="out") == 3
    assert r.lrange("out", 0, -1) == ["1", "2", "3"]  # a stored unsorted set is sorted ALPHA


def test_store_replaces_and_deletes(r):
    r.rpush("src", "b", "c", "a")
    r.set("dst", "string", ex=100)
    assert r.sort("src", alpha=True, store="dst") == 3
    assert r.type("dst") == "list"
    assert r.ttl("dst") == -1
    assert r.lrange("dst", 0, -1) == ["a", "b", "c"]
    assert r.sort("src", alpha=True, start=5, num=5, store="dst") == 0
    assert r.exists("dst") == 0
    assert r.sort("missing", store="dst") == 0


def test_errors(r):
    r.set("str", "x")
    with pytest.raises(redis.ResponseError, match="^WRONGTYPE"):
        r.sort("str")
    r.rpush("l", "a", "1")
    with pytest.raises(redis.ResponseError, match="One or more scores can't be converted"):
        r.sort("l")
    with pytest.raises(redis.ResponseError, match="^syntax error$"):
        r.execute_command("SORT_RO", "l", "STORE", "x")
    with pytest.raises(redis.ResponseError, match="^value is not an integer or out of range$"):
        r.execute_command("SORT", "l", "LIMIT", "0", "x")
    assert r.execute_command("COMMAND GETKEYS", "SORT", "l", "STORE", "x") == ["l", "x"]


def test_big_sort_with_limit(r):
    rnd = random.Random(7)
    values = [rnd.randrange(10**6) for _ in range(5000)]
    r.rpush("big", *values)
    expect = sorted(values)
    assert r.sort("big", start=100, num=20) == [str(v) for v in expect[100:120]]
    assert r.sort("big", desc=True, start=0, num=5) == [str(v) for v in expect[::-1][:5]]
    assert r.sort("big", start=4990, num=2**62) == [str(v) for v in expect[4990:]]


# ---------------------------------------------------------------------------------------------
# Differential test against redis-server

ELEMENTS = ["1", "2", "3", "10", "-7", "2.5", "1e2", "0x10", " 4", "", "inf", "-inf", "007",
            "7", "a", "b", "B", "aa", "zz", "é", "x y", "12345678901234567890", "4.0", "-0"]
NUMERIC = [e for e in ELEMENTS if e not in ("a", "b", "B", "aa", "zz", "é", "x y")]
WEIGHTS = ["1", "2", "3", "-1", "0.5", "10", "1e3", "", " 9", "inf", "bad", "z", "A", "mm"]


def reply(client, args):
    try:
        return ("ok", client.execute_command(*args))
    except redis.ResponseError as e:
        return ("err", str(e))


def build_source(rnd, kind, numeric):
    pool = NUMERIC if numeric else ELEMENTS
    n = rnd.randrange(0, 14)
    if kind == "list":
        return [rnd.choice(pool) for _ in range(n)]
    return list(dict.fromkeys(rnd.choice(pool) for _ in range(n)))


def build_command(rnd, kind, elems):
    """Returns (args, unique_by, canon): unique_by asks for distinct BY values per element,
    canon for a multiset comparison of the reply groups."""
    args = ["SORT" if rnd.random() < 0.7 else "SORT_RO", "src"]
    opts = []
    alpha = rnd.random() < 0.5
    limit = None
    if rnd.random() < 0.4:
        limit = (rnd.choice([0, 0, 1, 2, 5, -3, 10**18]), rnd.choice([-1, 0, 1, 3, 100, 10**18]))
        opts.append(["LIMIT", str(limit[0]), str(limit[1])])
    # ALPHA ties in hash order or under a partial sort: only patterns with distinct values.
    ambiguous_ties = alpha and (kind != "list" or limit is not None)
    by = rnd.choice([None, None, "w_*", "h_*->f", "nosort"] +
                    ([] if ambiguous_ties else ["miss_*", "w_*->f"]))
    if by:
        opts.append(["BY", by])
    gets = rnd.sample(["#", "w_*", "h_*->f", "h_*->g", "const", "miss_*"], rnd.randrange(0, 3))
    for g in gets:
        opts.append(["GET", g])
    if rnd.random() < 0.5:
        opts.append([rnd.choice(["ASC", "DESC"])])
    if alpha:
        opts.append(["ALPHA"])
    store = args[0] == "SORT" and rnd.random() < 0.3
    if store:
        opts.append(["STORE", "dst"])
    rnd.shuffle(opts)
    for o in opts:
        args += o
    sorting_by = by is not None and "*" in by
    dontsort = by is not None and "*" not in by
    unique_by = sorting_by and ambiguous_ties
    canon = kind == "set" and dontsort and not store
    if canon and limit is not None:
        i = args.index("LIMIT")
        del args[i:i + 3]
    return args, unique_by, canon, max(1, len(gets))


def groups(items, size):
    """The reply cut into groups of `size`, as a sorted list (nil sorts as b"<nil>")."""
    items = [b"<nil>" if x is None else x for x in items]
    return sorted(tuple(items[i:i + size]) for i in range(0, len(items), size))


def load(client, kind, elems, weights, hashes):
    client.flushall()
    if elems:
        if kind == "list":
            client.rpush("src", *elems)
        elif kind == "set":
            client.sadd("src", *elems)
        else:
            client.zadd("src", {e: i % 4 for i, e in enumerate(elems)})
    if weights:
        client.mset(weights)
    for key, mapping in hashes.items():
        client.hset(key, mapping=mapping)


def test_differential_random_sorts(ember_server, redis_server):
    e = ember_server.client(decode_responses=False)
    ref = redis_server.client(decode_responses=False)
    rnd = random.Random(20240603)
    mismatches = []
    outcomes = {"ok": 0, "err": 0}
    for round_no in range(600):
        kind = rnd.choice(["list", "set", "zset"])
        numeric = rnd.random() < 0.5
        elems = build_source(rnd, kind, numeric)
        args, unique_by, canon, group = build_command(rnd, kind, elems)
        weights, hashes = {}, {}
        for i, el in enumerate(dict.fromkeys(elems)):
            if unique_by:
                w = "w%03d" % rnd.randrange(1000) + "-%d" % i
                weights["w_" + el] = w
                hashes["h_" + el] = {"f": w, "g": "g" + el}
                continue
            if rnd.random() < 0.7:
                weights["w_" + el] = rnd.choice(WEIGHTS if not numeric else WEIGHTS[:10])
            if rnd.random() < 0.6:
                hashes["h_" + el] = {"f": rnd.choice(WEIGHTS[:10] if numeric else WEIGHTS),
                                     "g": "g" + el}
        if rnd.random() < 0.1 and elems and not unique_by:
            weights["h_" + elems[0]] = "string-not-hash"
            hashes.pop("h_" + elems[0], None)
        for c in (e, ref):
            load(c, kind, elems, weights, hashes)
        got, want = reply(e, args), reply(ref, args)
        outcomes[want[0]] += 1
        if canon and got[0] == want[0] == "ok":
            got, want = ("ok", groups(got[1], group)), ("ok", groups(want[1], group))
        if "STORE" in args:
            got = (got, e.type("dst"), e.lrange("dst", 0, -1))
            want = (want, ref.type("dst"), ref.lrange("dst", 0, -1))
        if got != want:
            mismatches.append((round_no, kind, elems, args, got, want))
    assert not mismatches, "\n".join(repr(m) for m in mismatches[:10])
    print("differential SORT outcomes:", outcomes)
    assert outcomes["ok"] > 200 and outcomes["err"] > 30  # the generator exercises both
