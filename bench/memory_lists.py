#!/usr/bin/python3
"""Memory: RSS bytes per list after loading 100,000 lists of 10 short elements.

Each list "list:%08d" gets elements "e<j>-<i>" (j = 1..10) in one RPUSH (listpack in Ember,
quicklist of one node in Redis 7.0). A second variant loads 100 lists of 10,000 elements each
(quicklist on both) and reports bytes per element. Method (fresh server per run, RSS and
used_memory before and after `redis-cli --pipe`, alternating servers, medians) is
common.run_load_cases.
"""

import sys

import common as C

NLISTS = 100000
ELEMS = 10
BIG_LISTS = 100
BIG_ELEMS = 10000


def small_lists():
    for i in range(NLISTS):
        yield [b"RPUSH", b"list:%08d" % i] + [b"e%d-%d" % (j, i) for j in range(1, ELEMS + 1)]


def big_lists():
    for i in range(BIG_LISTS):
        for start in range(0, BIG_ELEMS, 100):
            yield [b"RPUSH", b"big:%04d" % i] + [b"element:%d" % j
                                                  for j in range(start, start + 100)]


def cases():
    return [C.LoadCase("lists_10", "100k lists x 10 elements, B/list",
                       C.cached_commands_file("lists-small", small_lists()), NLISTS, NLISTS,
                       probe="list:%08d" % 0, unit="list"),
            C.LoadCase("lists_big", "100 lists x 10k elements, B/elem",
                       C.cached_commands_file("lists-big", big_lists()), BIG_LISTS * BIG_ELEMS,
                       BIG_LISTS, probe="big:%04d" % 0, unit="element")]


if __name__ == "__main__":
    sys.exit(C.memory_main(__doc__, cases))
