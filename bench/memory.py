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


def string_case(nkeys=NKEYS, ttl=None):
    label = "SET k v" if ttl is None else "SET k v EX %d" % ttl
    return C.LoadCase("strings" if ttl is None else "strings_ttl", label,
                      C.resp_load_file(nkeys, ttl=ttl), nkeys, nkeys, probe="key:%012d" % 0,
                      unit="key")


def run(binaries, runs=3, quick=False, nkeys=NKEYS):
    if quick:
        runs = 1
    C.log("memory: generating/using load files (%d keys)" % nkeys)
    res = C.run_load_cases(binaries, [string_case(nkeys, ttl) for _v, ttl in VARIANTS], runs)
    out = []
    for (vname, ttl), r in zip(VARIANTS, res["rows"]):
        row = {"variant": vname, "ttl": ttl, "keys": nkeys, "runs": runs}
        for name in ("ember", "redis"):
            row[name + "_rss_per_key"] = r[name]["rss"]
            row[name + "_used_memory_per_key"] = r[name]["used_memory"]
            row[name + "_encoding"] = r[name]["encoding"]
            row[name + "_samples"] = r[name]["samples"]
        row["rss_ratio"] = r.get("rss_ratio")
        row["used_memory_ratio"] = r.get("used_memory_ratio")
        out.append(row)
    return {"suite": "memory", "params": {"keys": nkeys, "runs": runs, "key_bytes": 16,
                                          "value_bytes": 16, "ttl": TTL},
            "rows": out, "errors": res["errors"]}


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
