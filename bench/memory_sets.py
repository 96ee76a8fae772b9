#!/usr/bin/python3
"""Memory of sets: RSS bytes per set after loading 100,000 sets of 10 members each.

Two data sets: members that are small integers (intset encoding in both servers) and short
strings ("member:%03d", hashtable in Redis 7.0 and in Ember), one SADD per set, key
"set:%012d". Method (fresh server per run, RSS and used_memory before and after
`redis-cli --pipe`, alternating servers, medians) is common.compare_loads.
"""

import sys

import common as C

NSETS = 100000
MEMBERS = 10


def sets(variant):
    for i in range(NSETS):
        if variant == "ints":
            members = [b"%d" % (i * 7 + j * 1000) for j in range(MEMBERS)]
        else:
            members = [b"member:%03d" % ((i + j * 37) % 1000) for j in range(MEMBERS)]
        yield [b"SADD", b"set:%012d" % i] + members


def cases():
    return [("100k sets x 10 %s, B/set" % v, C.cached_commands_file("sadd-%s" % v, sets(v)),
             NSETS, NSETS) for v in ("ints", "strings")]


if __name__ == "__main__":
    sys.exit(C.memory_main(__doc__, cases))
