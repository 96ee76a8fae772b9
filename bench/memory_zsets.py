#!/usr/bin/python3
"""Memory of sorted sets: RSS bytes per member of one sorted set of 1,000,000 members, and
bytes per set for 100,000 small sorted sets of 10 members.

The big set "zbig" gets members "member:%07d" with scores that are random-looking doubles
(i * 7919 % 1000003 / 7.0), 100 members per ZADD (skiplist encoding in both servers). The
small sets "zset:%012d" get 10 members "m%d" with integer scores in one ZADD (listpack in
both). Method (fresh server per run, RSS and used_memory before and after `redis-cli --pipe`,
alternating servers, medians) is common.run_load_cases.
"""

import sys

import common as C

BIG_MEMBERS = 1000000
NSETS = 100000
MEMBERS = 10


def big_zset():
    for start in range(0, BIG_MEMBERS, 100):
        args = [b"ZADD", b"zbig"]
        for i in range(start, start + 100):
            args += [repr(i * 7919 % 1000003 / 7.0).encode(), b"member:%07d" % i]
        yield args


def small_zsets():
    for i in range(NSETS):
        args = [b"ZADD", b"zset:%012d" % i]
        for j in range(MEMBERS):
            args += [b"%d" % (i + j * 13), b"m%d" % j]
        yield args


def big_case():
    return C.LoadCase("zset_1m", "1 zset x 1M members, B/member",
                      C.cached_commands_file("zadd-big", big_zset()), BIG_MEMBERS, 1,
                      probe="zbig", unit="member")


def cases():
    return [big_case(),
            C.LoadCase("zsets_small", "100k zsets x 10 members, B/zset",
                       C.cached_commands_file("zadd-small", small_zsets()), NSETS, NSETS,
                       probe="zset:%012d" % 0, unit="zset")]


if __name__ == "__main__":
    sys.exit(C.memory_main(__doc__, cases))
