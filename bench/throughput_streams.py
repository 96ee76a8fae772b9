#!/usr/bin/python3
"""Streams throughput: redis-benchmark requests/sec on stream commands, Ember vs redis-server,
alternating (same method as throughput.py).

XADD appends a two-field entry with an automatic id to one stream that grows through the run.
The read workloads query a stream of 1,000 two-field entries created once before the runs:
XRANGE of 100 entries (COUNT 100 from the start), XREVRANGE of 100 from the end, XREAD of 100
entries after id 0, and XLEN.
"""

import sys

import throughput as T

WORKLOADS = [
    ("XADD", ["XADD", "bench:stream", "*", "name", "sensor:__rand_int__", "value", T.VALUE16], 1),
    ("XRANGE_100", ["XRANGE", "bench:x1k", "-", "+", "COUNT", "100"], 1),
    ("XREVRANGE_100", ["XREVRANGE", "bench:x1k", "+", "-", "COUNT", "100"], 1),
    ("XREAD_100", ["XREAD", "COUNT", "100", "STREAMS", "bench:x1k", "0"], 1),
    ("XLEN", ["XLEN", "bench:x1k"], 1),
]


def setup_commands():
    cmds = [("DEL", "bench:x1k")]
    cmds += [("XADD", "bench:x1k", "%d-1" % (i + 1), "name", "sensor:%d" % i, "value", T.VALUE16)
             for i in range(1000)]
    return cmds


CHECKS = {wl: [tuple(a.replace("__rand_int__", "1") for a in args)]
          for wl, args, _d in WORKLOADS}


def run(binaries, rounds=5, quick=False, duration=None, fixed_n=None):
    return T.run(binaries, rounds=rounds, quick=quick, duration=duration, fixed_n=fixed_n,
                 workloads=WORKLOADS, checks=CHECKS, setup=setup_commands(), suite="streams")


def tables(res, markdown=False):
    title, t = T.tables(res, markdown)
    return title.replace("Throughput", "Streams throughput", 1), t


if __name__ == "__main__":
    sys.exit(T.main(__doc__, run, tables))
