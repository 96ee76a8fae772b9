#!/usr/bin/python3
"""CPU: server CPU seconds (utime + stime, all threads) per million operations.

For each cell (SET/GET at -P 1 and -P 16, -c 50, -r 1000000, -d 16, fixed -n) read
/proc/PID/stat of the server before and after one redis-benchmark run and divide the
difference by the request count. Both servers stay up; cells alternate between them and
the server that goes first alternates per round; medians over rounds.
"""

import subprocess
import sys
import time

import common as C
from throughput import CLIENTS, DATA_SIZE, KEYSPACE, bench_cmd

CELLS = [("SET", ["-t", "set"], 1), ("GET", ["-t", "get"], 1),
         ("SET", ["-t", "set"], 16), ("GET", ["-t", "get"], 16)]
N_P1 = 100000
N_P16 = 1000000


def measure(srv, wl_args, pipeline, n):
    t0 = srv.cpu_ticks()
    w0 = time.monotonic()
    p = subprocess.run(bench_cmd(srv.port, wl_args, pipeline, n), stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=600)
    wall = time.monotonic() - w0
    t1 = srv.cpu_ticks()
    if p.returncode != 0 or b'"rps"' not in p.stdout:
        raise RuntimeError("redis-benchmark failed: %s" % p.stderr.decode(errors="replace")[-300:])
    cpu_s = (t1 - t0) / C.CLK_TCK
    return {"cpu_s": cpu_s, "wall_s": wall, "cpu_s_per_mop": cpu_s / n * 1e6, "ticks": t1 - t0,
            "utilisation": cpu_s / wall if wall else None}


def run(binaries, rounds=5, quick=False):
    n1, n16 = (N_P1 // 4, N_P16 // 4) if quick else (N_P1, N_P16)
    if quick:
        rounds = min(rounds, 3)
    servers, errors = {}, []
    for name in ("ember", "redis"):
        try:
            servers[name] = C.Server(name, binaries[name]).start()
        except RuntimeError as e:
            errors.append("%s: %s" % (name, e))
            servers[name] = None
    samples = {name: {} for name in servers}
    try:
        # warm-up: fill the keyspace the same way on both so GET finds keys
        for name, srv in servers.items():
            if srv:
                subprocess.run(bench_cmd(srv.port, ["-t", "set"], 16, n16 // 2),
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        for r in range(rounds):
            for wl, wl_args, p in CELLS:
                cell = "%s|P%d" % (wl, p)
                n = n1 if p == 1 else n16
                for name in C.server_order(r):
                    srv = servers[name]
                    if srv is None:
                        continue
                    try:
                        srv.ensure_alive()
                        s = measure(srv, wl_args, p, n)
                    except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                        C.log("  [%s] cpu %s: %s" % (name, cell, e))
                        errors.append("%s %s round %d: %s" % (name, cell, r, e))
                        s = None
                    samples[name].setdefault(cell, []).append(s)
            C.log("cpu: round %d/%d done" % (r + 1, rounds))
    finally:
        for srv in servers.values():
            if srv:
                srv.stop()
    rows = []
    for wl, _a, p in CELLS:
        cell = "%s|P%d" % (wl, p)
        row = {"workload": wl, "pipeline": p, "requests": n1 if p == 1 else n16}
        for name in ("ember", "redis"):
            ss = [s for s in samples.get(name, {}).get(cell, []) if s]
            row[name + "_cpu_s_per_mop"] = C.median([s["cpu_s_per_mop"] for s in ss])
            row[name + "_utilisation"] = C.median([s["utilisation"] for s in ss])
            row[name + "_samples"] = ss
        row["ratio_of_medians"] = C.ratio(row["ember_cpu_s_per_mop"], row["redis_cpu_s_per_mop"])
        row["ratio"] = C.paired_ratio(
            [s["cpu_s_per_mop"] if s else None for s in samples.get("ember", {}).get(cell, [])],
            [s["cpu_s_per_mop"] if s else None for s in samples.get("redis", {}).get(cell, [])])
        rows.append(row)
    return {"suite": "cpu", "params": {"clients": CLIENTS, "keyspace": KEYSPACE,
                                       "data_size": DATA_SIZE, "rounds": rounds,
                                       "clk_tck": C.CLK_TCK},
            "rows": rows, "geomean_ratio": C.geomean([r["ratio"] for r in rows]),
            "errors": errors}


def tables(res, markdown=False):
    rows = [[r["workload"], "P%d" % r["pipeline"], C.fmt_num(r["requests"]),
             C.fmt_num(r["ember_cpu_s_per_mop"], 2), C.fmt_num(r["redis_cpu_s_per_mop"], 2),
             C.fmt_ratio(r["ratio"]), C.fmt_pct(r["ember_utilisation"]),
             C.fmt_pct(r["redis_utilisation"])] for r in res["rows"]]
    rows.append(["geomean", "", "", "", "", C.fmt_ratio(res["geomean_ratio"]), "", ""])
    title = ("Server CPU (CPU-seconds per million requests, median of %d; ember/redis = median "
             "of per-round ratios, < 1 = Ember cheaper; util = server CPU / wall)"
             % res["params"]["rounds"])
    return title, C.table(["workload", "pipe", "-n", "ember s/Mop", "redis s/Mop",
                           "ember/redis", "ember util", "redis util"], rows, markdown)


def main():
    ap = C.base_argparser(__doc__.splitlines()[0])
    args = ap.parse_args()
    res = run(C.binaries_from_args(args), rounds=args.rounds, quick=args.quick)
    title, t = tables(res)
    print(title)
    print(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
