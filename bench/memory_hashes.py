#!/usr/bin/python3
"""Memory: RSS bytes per hash after loading 100,000 hashes of 10 short fields.

Each hash "hash:%08d" gets fields f1..f10 with values "v<i>-<n>" in one HSET (listpack
encoding on both servers). A second variant loads 100 hashes of 10,000 fields each
(hashtable encoding) and reports bytes per field. Method (fresh server per run, RSS and
used_memory before and after `redis-cli --pipe`, alternating servers, medians) is
common.run_load_cases.
"""

import sys

import common as C

NHASHES = 100000
FIELDS = 10
BIG_HASHES = 100
BIG_FIELDS = 10000


def small_hashes():
    for i in range(NHASHES):
        args = [b"HSET", b"hash:%08d" % i]
        for j in range(1, FIELDS + 1):
            args += [b"f%d" % j, b"v%d-%d" % (j, i)]
        yield args


def big_hashes():
    for i in range(BIG_HASHES):
        for start in range(0, BIG_FIELDS, 100):
            args = [b"HSET", b"big:%04d" % i]
            for j in range(start, start + 100):
                args += [b"field:%d" % j, b"value:%d" % j]
            yield args


def small_case():
    return C.LoadCase("hashes_10", "100k hashes x 10 fields, B/hash",
                      C.cached_commands_file("hashes-small", small_hashes()), NHASHES, NHASHES,
                      probe="hash:%08d" % 0, unit="hash")


def cases():
    return [small_case(),
            C.LoadCase("hashes_big", "100 hashes x 10k fields, B/field",
                       C.cached_commands_file("hashes-big", big_hashes()),
                       BIG_HASHES * BIG_FIELDS, BIG_HASHES, probe="big:%04d" % 0, unit="field")]


if __name__ == "__main__":
    sys.exit(C.memory_main(__doc__, cases))
