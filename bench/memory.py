#!/usr/bin/python3
"""Memory: RSS bytes per key after loading 1,000,000 16-byte keys with 16-byte values.

For each run: start a fresh server, read VmRSS (and INFO used_memory when the server
reports it), load "key:%012d" -> "val:%012d" with `redis-cli --pipe` from a pre-generated
RESP file, read both again; per key = (after - before) / keys. Variants: no TTL, and
`SET k v EX 100000`. Runs alternate between the servers; medians over the runs.
"""

import sys

import common as C

NKEYS = 1000000
TTL = 100000
VARIANTS = [("plain", None), ("ex", TTL)]


def one_run(name, binary, path, nkeys):
    srv = C.Server(name, binary).start()
    try:
        rss0 = srv.rss_bytes()
        um0 = C.used_memory(srv.port)
        secs, replies, errors = C.pipe_load(srv.port, path)
        if errors:
            raise RuntimeError("%d error replies while loading" % errors)
        n = C.dbsize(srv.port)
        if n is not None and n != nkeys:
            raise RuntimeError("DBSIZE %d after loading %d keys" % (n, nkeys))
        rss1 = srv.rss_bytes()
        um1 = C.used_memory(srv.port)
        return {
            "rss_before": rss0, "rss_after": rss1,
            "rss_per_key": (rss1 - rss0) / nkeys,
            "used_memory_before": um0, "used_memory_after": um1,
            "used_memory_per_key": (um1 - um0) / nkeys if um0 is not None and um1 is not None
            else None,
            "load_seconds": secs, "dbsize": n,
        }
    finally:
        srv.stop()


def run(binaries, runs=3, quick=False, nkeys=NKEYS):
    if quick:
        runs = 1
    errors = []
    out = []
    for vname, ttl in VARIANTS:
        C.log("memory: generating/using load file (%d keys, %s)" % (nkeys, vname))
        path = C.resp_load_file(nkeys, ttl=ttl)
        samples = {"ember": [], "redis": []}
        for r in range(runs):
            for name in C.server_order(r):
                try:
                    samples[name].append(one_run(name, binaries[name], path, nkeys))
                except (RuntimeError, OSError) as e:
                    C.log("  [%s] memory %s run %d failed: %s" % (name, vname, r, e))
                    errors.append("%s %s run %d: %s" % (name, vname, r, e))
        row = {"variant": vname, "ttl": ttl, "keys": nkeys, "runs": runs}
        for name in ("ember", "redis"):
            row[name + "_rss_per_key"] = C.median([s["rss_per_key"] for s in samples[name]])
            row[name + "_used_memory_per_key"] = C.median(
                [s["used_memory_per_key"] for s in samples[name]])
            row[name + "_samples"] = samples[name]
        row["rss_ratio"] = C.ratio(row["ember_rss_per_key"], row["redis_rss_per_key"])
        row["used_memory_ratio"] = C.ratio(row["ember_used_memory_per_key"],
                                           row["redis_used_memory_per_key"])
        out.append(row)
        C.log("memory: %s done" % vname)
    return {"suite": "memory", "params": {"keys": nkeys, "runs": runs, "key_bytes": 16,
                                          "value_bytes": 16, "ttl": TTL},
            "rows": out, "errors": errors}


def tables(res, markdown=False):
    rows = []
    for r in res["rows"]:
        label = "SET k v" if r["ttl"] is None else "SET k v EX %d" % r["ttl"]
        rows.append([label, "RSS", C.fmt_num(r["ember_rss_per_key"], 1),
                     C.fmt_num(r["redis_rss_per_key"], 1), C.fmt_ratio(r["rss_ratio"])])
        rows.append([label, "used_memory", C.fmt_num(r["ember_used_memory_per_key"], 1),
                     C.fmt_num(r["redis_used_memory_per_key"], 1),
                     C.fmt_ratio(r["used_memory_ratio"])])
    title = ("Memory (bytes per key, %d keys of 16 B + 16 B values, median of %d; "
             "ratio < 1 = Ember smaller)" % (res["params"]["keys"], res["params"]["runs"]))
    return title, C.table(["data set", "metric", "ember B/key", "redis B/key", "ember/redis"],
                          rows, markdown)


def main():
    ap = C.base_argparser(__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per server and variant (default 3)")
    ap.add_argument("--keys", type=int, default=NKEYS)
    args = ap.parse_args()
    res = run(C.binaries_from_args(args), runs=args.runs, quick=args.quick, nkeys=args.keys)
    title, t = tables(res)
    print(title)
    print(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
