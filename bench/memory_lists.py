#!/usr/bin/python3
"""Memory: RSS bytes per list after loading 100,000 lists of 10 short elements.

Each list "list:%08d" gets elements "e<j>-<i>" (j = 1..10) in one RPUSH (listpack in Ember,
quicklist of one node in Redis 7.0). A second variant loads 100 lists of 10,000 elements each
(quicklist on both) and reports bytes per element. For each run: start a fresh server, read
VmRSS and INFO used_memory, load with `redis-cli --pipe` from a generated RESP file, read both
again. Runs alternate between the servers; medians over the runs.
"""

import os
import sys

import common as C

NLISTS = 100000
ELEMS = 10
BIG_LISTS = 100
BIG_ELEMS = 10000


def _resp(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def load_file(kind):
    """Path to the cached RESP file for `kind` ("small" or "big")."""
    os.makedirs(C.CACHE_DIR, exist_ok=True)
    path = os.path.join(C.CACHE_DIR, "lists-%s.resp" % kind)
    if os.path.exists(path):
        return path
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as f:
        if kind == "small":
            for i in range(NLISTS):
                args = [b"RPUSH", b"list:%08d" % i]
                args += [b"e%d-%d" % (j, i) for j in range(1, ELEMS + 1)]
                f.write(_resp(*args))
        else:
            for i in range(BIG_LISTS):
                for start in range(0, BIG_ELEMS, 100):
                    args = [b"RPUSH", b"big:%04d" % i]
                    args += [b"element:%d" % j for j in range(start, start + 100)]
                    f.write(_resp(*args))
    os.replace(tmp, path)
    return path


def one_run(name, binary, path, units):
    srv = C.Server(name, binary).start()
    try:
        rss0 = srv.rss_bytes()
        um0 = C.used_memory(srv.port)
        _secs, _replies, errors = C.pipe_load(srv.port, path)
        if errors:
            raise RuntimeError("%d error replies while loading" % errors)
        rss1 = srv.rss_bytes()
        um1 = C.used_memory(srv.port)
        return {"rss_per_unit": (rss1 - rss0) / units,
                "used_memory_per_unit": (um1 - um0) / units
                if um0 is not None and um1 is not None else None}
    finally:
        srv.stop()


def run(binaries, runs=3):
    rows = []
    for kind, units, label in (("small", NLISTS, "100k lists x 10 elements, B/list"),
                               ("big", BIG_LISTS * BIG_ELEMS, "100 lists x 10k elements, B/elem")):
        path = load_file(kind)
        samples = {"ember": [], "redis": []}
        for r in range(runs):
            for name in C.server_order(r):
                samples[name].append(one_run(name, binaries[name], path, units))
        row = [label]
        for metric in ("rss_per_unit", "used_memory_per_unit"):
            e = C.median([s[metric] for s in samples["ember"]])
            rd = C.median([s[metric] for s in samples["redis"]])
            row += [C.fmt_num(e, 1), C.fmt_num(rd, 1), C.fmt_ratio(C.ratio(e, rd))]
        rows.append(row)
    return C.table(["data set", "ember RSS", "redis RSS", "ratio", "ember used_memory",
                    "redis used_memory", "ratio"], rows)


def main():
    ap = C.base_argparser(__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per server (default 3)")
    args = ap.parse_args()
    print(run(C.binaries_from_args(args), runs=1 if args.quick else args.runs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
