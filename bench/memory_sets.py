#!/usr/bin/python3
"""Memory of sets: RSS bytes per set after loading 100,000 sets of 10 members each.

Two data sets of small sets: members that are small integers (intset encoding in both
servers) and short strings ("member:%03d": a listpack in Ember, as Redis 7.2 stores small
sets; a hashtable in the reference Redis 7.0, which has no listpack sets), one SADD per set,
key "set:%012d". A third variant loads 100 sets of 10,000 string members each (hashtable in
both) and reports bytes per member. Method (fresh server per run, RSS and used_memory before
and after `redis-cli --pipe`, alternating servers, medians) is common.run_load_cases.
"""

import sys

import common as C

NSETS = 100000
MEMBERS = 10
BIG_SETS = 100
BIG_MEMBERS = 10000


def sets(variant):
    for i in range(NSETS):
        if variant == "ints":
            members = [b"%d" % (i * 7 + j * 1000) for j in range(MEMBERS)]
        else:
            members = [b"member:%03d" % ((i + j * 37) % 1000) for j in range(MEMBERS)]
        yield [b"SADD", b"set:%012d" % i] + members


def big_sets():
    for i in range(BIG_SETS):
        for start in range(0, BIG_MEMBERS, 100):
            yield [b"SADD", b"big:%04d" % i] + [b"member:%d" % j for j in range(start, start + 100)]


def small_case(variant):
    return C.LoadCase("sets_10_" + variant, "100k sets x 10 %s, B/set" % variant,
                      C.cached_commands_file("sadd-%s" % variant, sets(variant)), NSETS, NSETS,
                      probe="set:%012d" % 0, unit="set")


def cases():
    return [small_case("ints"), small_case("strings"),
            C.LoadCase("sets_big", "100 sets x 10k strings, B/member",
                       C.cached_commands_file("sadd-big", big_sets()), BIG_SETS * BIG_MEMBERS,
                       BIG_SETS, probe="big:%04d" % 0, unit="member")]


if __name__ == "__main__":
    sys.exit(C.memory_main(__doc__, cases))
