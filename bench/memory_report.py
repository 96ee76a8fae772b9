#!/usr/bin/python3
"""Memory report: bytes per item for the five data sets of issue 7, Ember vs redis-server.

One command measures, against both servers in the same run:

  strings      1,000,000 x `SET key:%012d val:%012d` (16-byte keys, 16-byte values), per key
  strings_ttl  the same with `EX 100000`, per key
  zset_1m      one sorted set of 1,000,000 members "member:%07d" (100 per ZADD), per member
  hashes_10    100,000 hashes of 10 fields (f1..f10 -> "v<j>-<i>", one HSET each), per hash
  sets_10_ints 100,000 sets of 10 integers (one SADD each), per set

Method (common.run_load_cases): for each data set and run, a fresh server with its default
configuration (persistence off), VmRSS and INFO used_memory read before and after loading the
data with `redis-cli --pipe`, DBSIZE checked, per item = (after - before) / items. The servers
alternate (ember first on even runs, redis first on odd ones); each number is the median over
the runs (default 3) and the ratio is ember/redis of the medians. OBJECT ENCODING of one key
per data set is recorded for both servers, so the report shows which encodings were compared.

Each row shows the issue's target ratio (RSS per item, Ember / Redis 7.0) and, where the issue
names one, the absolute "moonshot" bytes per item. Output: a table on stdout,
bench/results/memory-report-<timestamp>.json (all samples) and bench/results/memory-report.md.
Exit status 1 when a run failed, 3 when a target ratio was missed.
"""

import datetime
import json
import os
import sys

import common as C
import memory
import memory_hashes
import memory_sets
import memory_zsets

# name -> (case builder, target RSS ratio, moonshot RSS bytes per item or None)
DATA_SETS = {
    "strings": (lambda: memory.string_case(), 0.5, 45.0),
    "strings_ttl": (lambda: memory.string_case(ttl=memory.TTL), 0.5, None),
    "zset_1m": (memory_zsets.big_case, 0.6, 40.0),
    "hashes_10": (memory_hashes.small_case, 0.9, None),
    "sets_10_ints": (lambda: memory_sets.small_case("ints"), 0.9, None),
}


def run(binaries, runs=3, names=None):
    names = names or list(DATA_SETS)
    C.log("memory_report: preparing load files (cached in %s)" % C.CACHE_DIR)
    cases = [DATA_SETS[n][0]() for n in names]
    res = C.run_load_cases(binaries, cases, runs)
    for row in res["rows"]:
        _fn, target, moonshot = DATA_SETS[row["name"]]
        row["target_ratio"] = target
        row["target_met"] = row.get("rss_ratio") is not None and row["rss_ratio"] <= target
        row["moonshot_bytes"] = moonshot
        row["moonshot_met"] = (None if moonshot is None or row["ember"]["rss"] is None
                               else row["ember"]["rss"] <= moonshot)
    res["params"] = {"runs": runs, "data_sets": names}
    return res


def report_table(rows, markdown=False):
    out = []
    for r in rows:
        e, rd = r["ember"], r["redis"]
        moon = "-"
        if r["moonshot_bytes"] is not None:
            moon = "<= %d B: %s" % (r["moonshot_bytes"], "yes" if r["moonshot_met"] else "no")
        out.append([r["label"], C.fmt_num(e["rss"], 1), C.fmt_num(rd["rss"], 1),
                    C.fmt_ratio(r.get("rss_ratio")), "<= %.2f" % r["target_ratio"],
                    "yes" if r["target_met"] else "NO", moon, C.fmt_num(e["used_memory"], 1),
                    C.fmt_num(rd["used_memory"], 1), C.fmt_ratio(r.get("used_memory_ratio")),
                    "%s / %s" % (e["encoding"] or "-", rd["encoding"] or "-")])
    return C.table(["data set", "ember RSS", "redis RSS", "ratio", "target", "met", "moonshot",
                    "ember used_mem", "redis used_mem", "ratio", "encoding ember / redis"],
                   out, markdown)


def write_results(res, meta):
    os.makedirs(C.RESULTS_DIR, exist_ok=True)
    json_path = os.path.join(C.RESULTS_DIR, "memory-report-%s.json" % meta["timestamp"])
    with open(json_path, "w") as f:
        json.dump({"meta": meta, "results": res}, f, indent=1)
    md_path = os.path.join(C.RESULTS_DIR, "memory-report.md")
    with open(md_path, "w") as f:
        f.write("# Memory report (%s)\n\n- git: `%s`\n- ember: `%s`\n- redis: `%s`\n"
                "- median of %d runs per server, alternating; bytes per item\n\n%s\n" % (
                    meta["timestamp"], meta["git"], meta["binaries"]["ember"],
                    meta["versions"]["redis"], res["params"]["runs"],
                    report_table(res["rows"], markdown=True)))
    return json_path, md_path


def main():
    import run_all  # git revision and binary versions, as the other results record them
    ap = C.base_argparser(__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per server and data set (default 3)")
    ap.add_argument("--only", default=None,
                    help="comma-separated subset of: " + ", ".join(DATA_SETS))
    args = ap.parse_args()
    names = None
    if args.only:
        names = [n.strip() for n in args.only.split(",") if n.strip()]
        bad = [n for n in names if n not in DATA_SETS]
        if bad:
            ap.error("unknown data set(s) %s" % ", ".join(bad))
    runs = 1 if args.quick else args.runs
    binaries = C.binaries_from_args(args)
    busy, loadavg = C.machine_busy(1.0)
    meta = {"timestamp": datetime.datetime.now().strftime("%Y%m%d-%H%M%S"),
            "git": run_all.git_rev(), "binaries": binaries,
            "versions": {n: run_all.binary_version(p) for n, p in binaries.items()},
            "busy_before": busy, "loadavg_before": loadavg}
    res = run(binaries, runs=runs, names=names)
    print("Memory per item (median of %d runs; ratio = ember/redis, lower is better)" % runs)
    print(report_table(res["rows"]))
    for e in res["errors"]:
        print("error: " + e)
    json_path, md_path = write_results(res, meta)
    print("wrote %s and %s" % (os.path.relpath(json_path, C.REPO_ROOT),
                               os.path.relpath(md_path, C.REPO_ROOT)))
    if res["errors"]:
        return 1
    return 0 if all(r["target_met"] for r in res["rows"]) else 3


if __name__ == "__main__":
    sys.exit(main())
