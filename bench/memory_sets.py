#!/usr/bin/python3
"""Memory of sets: RSS bytes per set after loading 100,000 sets of 10 members each.

Two data sets: members that are small integers (intset encoding in both servers) and short
strings ("member:%03d", hashtable in Redis 7.0 and in Ember). For each run: start a fresh
server, read VmRSS and INFO used_memory, load the sets with `redis-cli --pipe` from a
generated RESP file (one SADD per set, key "set:%012d"), read both again; per set =
(after - before) / sets. Runs alternate between the servers; medians over the runs.
"""

import os
import statistics
import sys

import common as C

NSETS = 100000
MEMBERS = 10
VARIANTS = ["ints", "strings"]


def load_file(variant, nsets):
    os.makedirs(C.CACHE_DIR, exist_ok=True)
    path = os.path.join(C.CACHE_DIR, "sadd-%s-%d.resp" % (variant, nsets))
    if os.path.exists(path):
        return path
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as f:
        for i in range(nsets):
            key = b"set:%012d" % i
            if variant == "ints":
                members = [b"%d" % (i * 7 + j * 1000) for j in range(MEMBERS)]
            else:
                members = [b"member:%03d" % ((i + j * 37) % 1000) for j in range(MEMBERS)]
            parts = [b"*%d\r\n$4\r\nSADD\r\n$%d\r\n%s\r\n" % (2 + len(members), len(key), key)]
            parts += [b"$%d\r\n%s\r\n" % (len(m), m) for m in members]
            f.write(b"".join(parts))
    os.replace(tmp, path)
    return path


def one_run(name, binary, path, nsets):
    srv = C.Server(name, binary).start()
    try:
        rss0, um0 = srv.rss_bytes(), C.used_memory(srv.port)
        _, _, errors = C.pipe_load(srv.port, path)
        if errors:
            raise RuntimeError("%d error replies while loading" % errors)
        n = C.dbsize(srv.port)
        if n is not None and n != nsets:
            raise RuntimeError("DBSIZE %d after loading %d sets" % (n, nsets))
        rss1, um1 = srv.rss_bytes(), C.used_memory(srv.port)
        return {"rss_per_set": (rss1 - rss0) / nsets,
                "used_memory_per_set": (um1 - um0) / nsets if um0 is not None else None}
    finally:
        srv.stop()


def run(binaries, runs=3, nsets=NSETS):
    rows = []
    for variant in VARIANTS:
        path = load_file(variant, nsets)
        samples = {"ember": [], "redis": []}
        for r in range(runs):
            for name in C.server_order(r):
                samples[name].append(one_run(name, binaries[name], path, nsets))
        row = {"variant": variant}
        for name in samples:
            row[name + "_rss_per_set"] = statistics.median(s["rss_per_set"] for s in samples[name])
            um = [s["used_memory_per_set"] for s in samples[name] if s["used_memory_per_set"]]
            row[name + "_used_memory_per_set"] = statistics.median(um) if um else None
        row["rss_ratio"] = C.ratio(row["ember_rss_per_set"], row["redis_rss_per_set"])
        rows.append(row)
    return rows


def main():
    ap = C.base_argparser(__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sets", type=int, default=NSETS)
    args = ap.parse_args()
    runs = 1 if args.quick else args.runs
    rows = run(C.binaries_from_args(args), runs=runs, nsets=args.sets)
    print("Memory (bytes per set of %d members, %d sets, median of %d; ratio < 1 = Ember "
          "smaller)" % (MEMBERS, args.sets, runs))
    table = [[r["variant"], C.fmt_num(r["ember_rss_per_set"], 1),
              C.fmt_num(r["redis_rss_per_set"], 1), C.fmt_ratio(r["rss_ratio"]),
              C.fmt_num(r["ember_used_memory_per_set"], 1),
              C.fmt_num(r["redis_used_memory_per_set"], 1)] for r in rows]
    print(C.table(["members", "ember RSS B/set", "redis RSS B/set", "ember/redis",
                   "ember used_memory", "redis used_memory"], table))
    return 0


if __name__ == "__main__":
    sys.exit(main())
