#!/usr/bin/python3
"""Collections throughput: redis-benchmark requests/sec on hash, list, set and sorted-set
commands, Ember vs redis-server, alternating (same method as throughput.py).

Write workloads grow one key each (HSET/SADD with random members from a 1M range, LPUSH,
ZADD with random scores); read workloads query keys created once before the runs: a
10-field hash (HGETALL), a 600-element list (LRANGE 0 99), a 10-member set (SMEMBERS), a
1,000-member sorted set (ZRANGEBYSCORE over 10 scores). ZPOPMIN drains the sorted set the
ZADD cell just filled; both servers see the same sequence, so they pop the same amounts.
"""

import sys

import common as C
import throughput as T

WORKLOADS = [
    ("HSET", ["HSET", "bench:hash", "element:__rand_int__", T.VALUE16], 1),
    ("HGETALL", ["HGETALL", "bench:h10"], 1),
    ("LPUSH", ["LPUSH", "bench:list", T.VALUE16], 1),
    ("LRANGE_100", ["LRANGE", "bench:l600", "0", "99"], 1),
    ("SADD", ["SADD", "bench:set", "element:__rand_int__"], 1),
    ("SMEMBERS", ["SMEMBERS", "bench:s10"], 1),
    ("ZADD", ["ZADD", "bench:zset", "__rand_int__", "element:__rand_int__"], 1),
    ("ZPOPMIN", ["ZPOPMIN", "bench:zset"], 1),
    ("ZRANGEBYSCORE", ["ZRANGEBYSCORE", "bench:z1k", "100", "109"], 1),
]


def setup_commands():
    cmds = [("DEL", "bench:h10", "bench:l600", "bench:s10", "bench:z1k")]
    cmds.append(("HSET", "bench:h10") + tuple(x for i in range(10)
                                              for x in ("field%d" % i, T.VALUE16)))
    cmds += [("RPUSH", "bench:l600") + tuple("item:%d" % j for j in range(i, i + 100))
             for i in range(0, 600, 100)]
    cmds.append(("SADD", "bench:s10") + tuple("member:%d" % i for i in range(10)))
    cmds.append(("ZADD", "bench:z1k") + tuple(x for i in range(1000)
                                              for x in (str(i), "member:%d" % i)))
    return cmds


CHECKS = {wl: [tuple(a.replace("__rand_int__", "1") for a in args)]
          for wl, args, _d in WORKLOADS}


def run(binaries, rounds=5, quick=False, duration=None, fixed_n=None):
    return T.run(binaries, rounds=rounds, quick=quick, duration=duration, fixed_n=fixed_n,
                 workloads=WORKLOADS, checks=CHECKS, setup=setup_commands(),
                 suite="collections")


def tables(res, markdown=False):
    title, t = T.tables(res, markdown)
    return title.replace("Throughput", "Collections throughput", 1), t


if __name__ == "__main__":
    sys.exit(T.main(__doc__, run, tables))
