"""Geo commands through redis-py against the real ember-server: a store locator (GEOADD the
shops, find the nearest ones with GEOSEARCH / GEORADIUS, distances, positions, geohashes, a
delivery zone stored with GEOSEARCHSTORE), and differential tests against a real redis-server
7.0: random points (clusters, the antimeridian, the poles, the storable corners) and random
radius and box searches with every option combination, replies compared byte for byte (order
included: Ember reads the grid cells in Redis's order, so even unsorted and ANY results match),
plus RESP3 shapes and argument errors."""

import random
import socket

import pytest

from conftest import resp3_replies
import redis
from redis.client import CaseInsensitiveDict

SHOPS = {
    "louvre": (2.3376, 48.8606),
    "eiffel": (2.2945, 48.8584),
    "notre-dame": (2.3499, 48.8530),
    "versailles": (2.1204, 48.8049),
    "lyon": (4.8357, 45.7640),
}


def test_store_locator(r):
    values = []
    for name, (lon, lat) in SHOPS.items():
        values += [lon, lat, name]
    assert r.geoadd("shops", values) == 5
    assert r.geoadd("shops", [2.3376, 48.8606, "louvre"]) == 0
    assert r.geoadd("shops", [2.3377, 48.8606, "louvre"], ch=True) == 1
    assert r.geoadd("shops", [0, 0, "nowhere"], xx=True) == 0
    assert r.zcard("shops") == 5

    # Nearest shops to a customer near the Seine, closest first, with distances.
    near = r.geosearch("shops", longitude=2.33, latitude=48.86, radius=5, unit="km",
                       sort="ASC", withdist=True)
    assert [n for n, _ in near] == ["louvre", "notre-dame", "eiffel"]
    assert all(0 < d < 5 for _, d in near)
    assert r.geosearch("shops", member="louvre", radius=30, unit="km", sort="DESC",
                       count=1) == ["versailles"]
    assert r.georadiusbymember("shops", "eiffel", 1000, unit="km", sort="DESC",
                               count=1) == ["lyon"]
    assert r.geosearch("shops", longitude=2.33, latitude=48.86, width=10, height=10, unit="km",
                       sort="ASC") == ["louvre", "notre-dame", "eiffel"]

    dist = r.geodist("shops", "louvre", "eiffel", unit="m")
    assert 3000 < dist < 3500
    assert r.geodist("shops", "louvre", "nope") is None
    (lon, lat), missing = r.geopos("shops", "lyon", "nope")
    assert abs(lon - 4.8357) < 1e-5 and abs(lat - 45.7640) < 1e-5
    assert missing is None
    assert r.geohash("shops", "eiffel")[0].startswith("u09tu")

    # Delivery zone around the Louvre, stored with distances as scores.
    assert r.geosearchstore("zone", "shops", member="louvre", radius=10, unit="km",
                            storedist=True) == 3
    zone = r.zrange("zone", 0, -1, withscores=True)
    assert [m for m, _ in zone] == ["louvre", "notre-dame", "eiffel"]
    assert zone[0][1] == 0
    assert r.georadius("shops", 2.33, 48.86, 5, unit="km", store="zone2") == 3
    assert r.zscore("zone2", "eiffel") == r.zscore("shops", "eiffel")

    with pytest.raises(redis.ResponseError, match="invalid longitude,latitude pair"):
        r.geoadd("shops", [200, 100, "x"])
    with pytest.raises(redis.ResponseError, match="could not decode requested zset member"):
        r.geosearch("shops", member="nope", radius=1, unit="km")


def _raw(server):
    c = server.client()
    c.response_callbacks = CaseInsensitiveDict({})
    return c


def _call(client, args):
    try:
        return client.execute_command(*args)
    except redis.ResponseError as e:
        return "ERR:" + str(e)


CENTERS = [(13.36, 38.11), (-122.42, 37.77), (179.9, 10.0), (-179.95, -20.0), (0.0, 0.0),
           (100.0, 84.5), (-45.0, -84.9), (2.35, 48.85)]
UNITS = ["m", "km", "ft", "mi", "KM"]


def _random_point(rng, used=None):
    """A point as GEOADD arguments. With `used`, points are distinct (searches sorted by
    distance under COUNT order equal distances arbitrarily, in Redis as in Ember)."""
    kind = rng.random()
    if kind < 0.8:
        lon, lat = rng.choice(CENTERS)
        lon += rng.gauss(0, 1.5)
        lat += rng.gauss(0, 1.0)
        lon = max(-180.0, min(180.0, lon))
        lat = max(-85.05112878, min(85.05112878, lat))
    elif kind < 0.95:
        lon, lat = rng.uniform(-180, 180), rng.uniform(-85.05112878, 85.05112878)
    else:
        lon = rng.choice([-180, 180, 0])
        lat = rng.choice([-85.05112878, 85.05112878, 0])
    point = ("%.8f" % lon, "%.8f" % lat)
    if used is not None:
        if point in used:
            return _random_point(rng, used)
        used.add(point)
    return point


def _load(clients, key, rng, n):
    members = []
    args = ["GEOADD", key]
    used = set()
    for i in range(n):
        lon, lat = _random_point(rng, used)
        members.append("p%d" % i)
        args += [lon, lat, "p%d" % i]
    for c in clients:
        c.execute_command(*args)
    return members


def _shape(rng, search):
    radius = rng.choice(["0", "1", "50", "120.5", "500", "2000", "9000", "20000"])
    unit = rng.choice(UNITS)
    if unit in ("m", "ft"):
        radius = str(float(radius) * 1000)
    if not search or rng.random() < 0.5:
        return ["BYRADIUS", radius, unit] if search else [radius, unit]
    width = rng.choice(["0", "10", "100", "400", "3000", "30000"])
    height = rng.choice(["0", "10", "100", "400", "3000", "30000"])
    return ["BYBOX", width, height, "km"]


def _options(rng, store_ok, search_store):
    opts = []
    if not search_store:
        for o in ["WITHCOORD", "WITHDIST", "WITHHASH"]:
            if rng.random() < 0.4:
                opts.append(o)
    r = rng.random()
    if r < 0.3:
        opts.append("ASC")
    elif r < 0.5:
        opts.append("DESC")
    if rng.random() < 0.4:
        opts += ["COUNT", str(rng.choice([1, 2, 3, 5, 10, 50]))]
        if rng.random() < 0.3:
            opts.append("ANY")
    if search_store and rng.random() < 0.5:
        opts.append("STOREDIST")
    if store_ok and rng.random() < 0.25:
        opts = [o for o in opts if o not in ("WITHCOORD", "WITHDIST", "WITHHASH")]
        opts += [rng.choice(["STORE", "STOREDIST"]), "dst"]
    return opts


def _random_query(rng, key, members):
    kind = rng.randrange(6)
    lon, lat = _random_point(rng)
    member = rng.choice(members + ["nope"]) if rng.random() < 0.97 else "nope"
    if kind == 0:
        return ["GEORADIUS", key, lon, lat] + _shape(rng, False) + _options(rng, True, False)
    if kind == 1:
        return ["GEORADIUS_RO", key, lon, lat] + _shape(rng, False) + _options(rng, False, False)
    if kind == 2:
        return ["GEORADIUSBYMEMBER", key, member] + _shape(rng, False) + \
            _options(rng, True, False)
    if kind == 3:
        return ["GEORADIUSBYMEMBER_RO", key, member] + _shape(rng, False) + \
            _options(rng, False, False)
    frm = ["FROMMEMBER", member] if rng.random() < 0.5 else ["FROMLONLAT", lon, lat]
    if kind == 4:
        return ["GEOSEARCH", key] + frm + _shape(rng, True) + _options(rng, False, False)
    return ["GEOSEARCHSTORE", "dst", key] + frm + _shape(rng, True) + _options(rng, False, True)


@pytest.mark.parametrize("size", [40, 400])
def test_differential_random_searches(ember_server, redis_server, size):
    e, rs = _raw(ember_server), _raw(redis_server)
    rng = random.Random(1000 + size)
    try:
        for c in (e, rs):
            c.flushall()
        members = _load((e, rs), "geo", rng, size)
        assert _call(e, ["OBJECT", "ENCODING", "geo"]) == _call(rs, ["OBJECT", "ENCODING", "geo"])
        nonempty = 0
        for i in range(1500):
            cmd = _random_query(rng, "geo", members)
            got, want = _call(e, cmd), _call(rs, cmd)
            assert got == want, (i, cmd)
            if isinstance(want, list) and want or isinstance(want, int) and want > 0:
                nonempty += 1
            if "dst" in cmd:
                dump = ["ZRANGE", "dst", "0", "-1", "WITHSCORES"]
                assert _call(e, dump) == _call(rs, dump), (i, cmd)
        assert nonempty > 300  # the queries do find things
        picks = [rng.choice(members) for _ in range(30)] + ["nope"]
        for cmd in (["GEOPOS", "geo"] + picks, ["GEOHASH", "geo"] + picks):
            assert _call(e, cmd) == _call(rs, cmd)
        for _ in range(300):
            cmd = ["GEODIST", "geo", rng.choice(members), rng.choice(members),
                   rng.choice(UNITS)]
            assert _call(e, cmd) == _call(rs, cmd), cmd
    finally:
        e.close()
        rs.close()


def test_differential_dense_cluster(ember_server, redis_server):
    """Many points in a few hundred metres: searches at the finest steps, ties at equal
    distances avoided by distinct coordinates."""
    e, rs = _raw(ember_server), _raw(redis_server)
    rng = random.Random(7)
    for c in (e, rs):
        c.flushall()
    args = ["GEOADD", "dense"]
    for i in range(300):
        args += ["%.7f" % (2.35 + rng.uniform(-0.003, 0.003)),
                 "%.7f" % (48.85 + rng.uniform(-0.002, 0.002)), "d%d" % i]
    for c in (e, rs):
        c.execute_command(*args)
    for i in range(600):
        lon = "%.7f" % (2.35 + rng.uniform(-0.004, 0.004))
        lat = "%.7f" % (48.85 + rng.uniform(-0.003, 0.003))
        shape = rng.choice([["BYRADIUS", str(rng.choice([0, 5, 30, 100, 250])), "m"],
                            ["BYBOX", str(rng.choice([0, 20, 100, 400])),
                             str(rng.choice([0, 20, 100, 400])), "m"]])
        opts = rng.choice([[], ["ASC"], ["DESC", "COUNT", "7"], ["COUNT", "4", "ANY"],
                           ["WITHDIST", "WITHHASH", "ASC"]])
        cmd = ["GEOSEARCH", "dense", "FROMLONLAT", lon, lat] + shape + opts
        assert _call(e, cmd) == _call(rs, cmd), (i, cmd)
    e.close()
    rs.close()


def test_differential_errors_and_edges(ember_server, redis_server):
    e, rs = _raw(ember_server), _raw(redis_server)
    cases = [
        ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669", "Catania"],
        ["GEOADD", "g", "200", "100", "x"], ["GEOADD", "g", "1", "85.06", "x"],
        ["GEOADD", "g", "NX", "XX", "1", "2", "a"], ["GEOADD", "g", "NX", "CH", "CH"],
        ["GEOADD", "g", "1", "2", "a", "b"], ["GEOADD", "g", "x", "2", "a"],
        ["GEOADD", "g", "1", "inf", "a"], ["GEOADD", "g", "CH", "XX", "1", "2", "Palermo"],
        ["GEOADD", "g", "nx", "1", "2", "Palermo", "3", "4", "new"],
        ["GEOADD", "corners", "180", "85.05112878", "ne", "-180", "-85.05112878", "sw",
         "180", "-85.05112878", "se", "-180", "85.05112878", "nw"],
        ["ZRANGE", "corners", "0", "-1", "WITHSCORES"], ["GEOPOS", "corners", "ne", "sw", "se"],
        ["GEOHASH", "corners", "ne", "sw", "se", "nw"],
        ["GEOSEARCH", "corners", "FROMLONLAT", "179", "-85", "BYRADIUS", "500", "km", "WITHDIST"],
        ["GEOSEARCH", "corners", "FROMLONLAT", "-180", "85", "BYBOX", "900", "900", "km"],
        ["GEODIST", "g", "Palermo", "Catania", "x"], ["GEODIST", "g", "Palermo", "Catania", "km",
                                                       "x"],
        ["GEODIST", "g", "Palermo", "nope"], ["GEODIST", "nokey", "a", "b"],
        ["GEOPOS", "g"], ["GEOHASH", "g"], ["GEOPOS", "nokey", "a"],
        ["GEORADIUS", "g", "15", "37", "-1", "km"], ["GEORADIUS", "g", "15", "37", "x", "km"],
        ["GEORADIUS", "g", "15", "37", "1", "parsec"], ["GEORADIUS", "g", "15", "37", "1", "km",
                                                        "COUNT", "0"],
        ["GEORADIUS", "g", "15", "37", "1", "km", "COUNT", "-3"],
        ["GEORADIUS", "g", "15", "37", "1", "km", "COUNT", "x"],
        ["GEORADIUS", "g", "15", "37", "1", "km", "COUNT"],
        ["GEORADIUS", "g", "15", "37", "1", "km", "ANY"],
        ["GEORADIUS", "g", "15", "37", "1", "km", "STORE", "x", "WITHDIST"],
        ["GEORADIUS", "g", "15", "37", "1", "km", "STORE"],
        ["GEORADIUS", "g", "15", "37", "1", "km", "BYBOX", "1", "1", "km"],
        ["GEORADIUS", "g", "x", "37", "1", "km"], ["GEORADIUS", "g", "15", "86", "1", "km"],
        ["GEORADIUSBYMEMBER", "g", "nope", "1", "km"],
        ["GEORADIUSBYMEMBER", "g", "Palermo", "1", "km", "STOREDIST", "d", "WITHHASH"],
        ["GEORADIUSBYMEMBER", "nokey", "nope", "x", "km"],
        ["GEORADIUSBYMEMBER", "nokey", "nope", "x", "km", "STORE", "d"],
        ["GEORADIUS_RO", "g", "15", "37", "1", "km", "STORE", "x"],
        ["GEORADIUSBYMEMBER_RO", "g", "Palermo", "1", "km", "STOREDIST", "x"],
        ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "BYBOX", "1", "1", "km"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "1", "1", "km", "BYRADIUS", "1", "km"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "-1", "1", "km"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "1", "-1", "km"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "x", "y", "km"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "1", "y", "km"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYBOX", "1", "1", "parsec"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "STOREDIST"],
        ["GEOSEARCH", "g", "FROMLONLAT", "1", "2", "BYRADIUS", "1", "km", "STORE", "d"],
        ["GEOSEARCH", "g", "BYRADIUS", "1", "km", "ASC", "COUNT", "1"],
        ["geosearch", "g", "FROMMEMBER", "Palermo", "ASC", "COUNT", "1"],
        ["GEOSEARCH", "g", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
        ["GEOSEARCH", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km", "ANY"],
        ["GEOSEARCH", "nokey", "FROMMEMBER", "nope", "BYRADIUS", "1", "km"],
        ["GEOSEARCH", "nokey", "FROMMEMBER", "nope", "COUNT", "1"],
        ["GEOSEARCH", "g", "FROMLONLAT", "200", "2", "BYRADIUS", "1", "km"],
        ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km",
         "WITHDIST"],
        ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km",
         "STOREDIST", "DESC", "COUNT", "1"],
        ["ZRANGE", "d", "0", "-1", "WITHSCORES"],
        ["GEOSEARCHSTORE", "d", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "1", "m"],
        ["EXISTS", "d"], ["SET", "s", "x"], ["GEOADD", "s", "1", "2", "a"],
        ["GEOADD", "s", "1", "100", "a"], ["GEOPOS", "s", "a"], ["GEODIST", "s", "a", "b"],
        ["GEOHASH", "s", "a"], ["GEORADIUS", "s", "1", "2", "3", "km"],
        ["GEOSEARCH", "s", "FROMMEMBER", "a", "BYRADIUS", "1", "km"],
        ["GEOSEARCHSTORE", "s", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "1", "km"],
        ["TYPE", "s"],
        ["ZADD", "weird", "-5", "a", "1e20", "b", "inf", "c", "-inf", "d", "4503599627370496",
         "e", "9007199254740993", "f", "1.5", "g"],
        ["GEOPOS", "weird", "a", "b", "c", "d", "e", "f", "g"],
        ["GEOHASH", "weird", "a", "b", "c", "d", "e", "f", "g"],
        ["GEODIST", "weird", "a", "b"], ["GEODIST", "weird", "c", "g", "mi"],
        ["GEOSEARCH", "weird", "FROMMEMBER", "g", "BYRADIUS", "100", "km", "WITHCOORD"],
        ["GEOSEARCH", "weird", "FROMLONLAT", "-180", "-85", "BYRADIUS", "500", "km"],
        ["GEORADIUS", "g", "15", "37", "0", "km"],
        ["GEORADIUS", "g", "15", "37", "inf", "km", "WITHDIST"],
        ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYBOX", "inf", "inf", "km", "ASC"],
        ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYBOX", "0", "0", "km"],
        ["GEORADIUSBYMEMBER", "g", "Palermo", "0", "m", "WITHDIST"],
    ]
    for c in (e, rs):
        c.flushall()
    for cmd in cases:
        assert _call(e, cmd) == _call(rs, cmd), cmd
    e.close()
    rs.close()


def test_differential_resp3(ember_server, redis_server):
    cmds = [["FLUSHALL"],
            ["GEOADD", "g", "13.361389", "38.115556", "Palermo", "15.087269", "37.502669",
             "Catania"],
            ["GEOPOS", "g", "Palermo", "nope"], ["GEOPOS", "nokey", "a"],
            ["GEODIST", "g", "Palermo", "Catania", "km"], ["GEODIST", "g", "Palermo", "nope"],
            ["GEOHASH", "g", "Palermo", "nope"],
            ["GEOSEARCH", "g", "FROMLONLAT", "15", "37", "BYRADIUS", "200", "km", "WITHDIST",
             "WITHHASH", "WITHCOORD", "ASC"],
            ["GEORADIUS", "g", "15", "37", "200", "km", "WITHCOORD"],
            ["GEORADIUS", "g", "15", "37", "1", "km"],
            ["GEOSEARCHSTORE", "d", "g", "FROMMEMBER", "Palermo", "BYRADIUS", "500", "km",
             "STOREDIST"],
            ["ZRANGE", "d", "0", "-1", "WITHSCORES"]]
    assert resp3_replies(ember_server.port, cmds) == resp3_replies(redis_server.port, cmds)
