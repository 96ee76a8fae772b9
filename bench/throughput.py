#!/usr/bin/python3
"""Throughput: redis-benchmark requests/sec, Ember vs redis-server, alternating.

Workloads SET, GET, INCR, MSET (10 keys) and "SET EX" at -P 1 and -P 16, -c 50,
-r 1000000 (random keys), -d 16. Both servers stay up for the whole suite and see the
same sequence of runs, so their keyspaces evolve identically. In each round every cell
is run on both servers back to back; which server goes first alternates per round.
The request count per cell is calibrated so a run takes about --duration seconds on
redis-server (or fixed with --n P1,P16).
"""

import sys
import time

import common as C

CLIENTS = 50
KEYSPACE = 1000000
DATA_SIZE = 16
VALUE16 = "0123456789abcdef"

# name -> (redis-benchmark args, request-count divisor: MSET does 10 keys per request)
WORKLOADS = [
    ("SET", ["-t", "set"], 1),
    ("GET", ["-t", "get"], 1),
    ("INCR", ["-t", "incr"], 1),
    ("MSET", ["-t", "mset"], 5),
    ("SET EX", ["SET", "key:__rand_int__", VALUE16, "EX", "100"], 1),
]
PIPELINES = [1, 16]


def bench_cmd(port, wl_args, pipeline, n):
    return C.redis_benchmark_argv(port, pipeline, n, CLIENTS, KEYSPACE, DATA_SIZE, wl_args)


def run_benchmark(port, wl_args, pipeline, n, timeout):
    """One redis-benchmark run; returns (rps, error_text or None)."""
    return C.redis_benchmark_rps(bench_cmd(port, wl_args, pipeline, n), timeout)


# workload -> commands that must succeed before it is benchmarked.
CHECKS = {
    "SET": [("SET", "sanity:k", "v" * 16)],
    "GET": [("GET", "sanity:k")],
    "INCR": [("INCR", "sanity:counter")],
    "MSET": [("MSET", "sanity:a", "1", "sanity:b", "2")],
    "SET EX": [("SET", "sanity:ex", VALUE16, "EX", "100")],
}


def sanity_check(port, checks=None):
    """Every workload's command must work; otherwise redis-benchmark would happily
    count error replies as requests."""
    bad = {}
    for wl, cmds in (CHECKS if checks is None else checks).items():
        for cmd in cmds:
            try:
                with C.Resp(port, timeout=5) as c:
                    c.call(*cmd)
            except Exception as e:  # noqa: BLE001 - report whatever went wrong
                bad[wl] = "%s -> %s" % (" ".join(cmd), e)
    return bad


def calibrate(servers, duration, quick, workloads):
    """Pick -n per cell so a run on redis-server takes ~duration seconds.
    The calibration runs double as warm-up for both servers."""
    ns = {}
    for wl, wl_args, div in workloads:
        for p in PIPELINES:
            probe_n = (20000 if p == 1 else 200000) // div
            rates = {}
            for name in ("ember", "redis"):
                srv = servers[name]
                if srv is None or not srv.alive():
                    continue
                rps, _err = run_benchmark(srv.port, wl_args, p, probe_n, timeout=60)
                rates[name] = rps
            base = rates.get("redis") or rates.get("ember") or (50000.0 * p / div)
            n = int(base * duration)
            n = max(n, 10000)
            digits = len(str(n)) - 2  # round to 2 significant digits
            n = int(round(n, -digits)) if digits > 0 else n
            ns[(wl, p)] = n
    return ns


def apply_setup(port, commands):
    """Runs setup commands (data the read workloads query) on one server."""
    with C.Resp(port, timeout=30) as c:
        for cmd in commands:
            c.call(*cmd)


def run(binaries, rounds=5, quick=False, duration=None, fixed_n=None, workloads=None,
        checks=None, setup=(), suite="throughput"):
    """Runs every (workload, pipeline) cell on both servers, alternating; `setup` commands
    are applied to both servers first, `checks` (workload -> commands) must succeed."""
    workloads = WORKLOADS if workloads is None else workloads
    if duration is None:
        duration = 0.6 if quick else 1.5
    servers = {}
    errors = []
    for name in ("ember", "redis"):
        try:
            servers[name] = C.Server(name, binaries[name]).start()
        except RuntimeError as e:
            C.log("throughput: cannot start %s: %s" % (name, e))
            errors.append("%s: %s" % (name, e))
            servers[name] = None
    try:
        unsupported = {}
        for name, srv in servers.items():
            if srv is not None:
                apply_setup(srv.port, setup)
                unsupported[name] = sanity_check(srv.port, checks)
                for wl, why in unsupported[name].items():
                    C.log("throughput: %s fails %s sanity check: %s" % (name, wl, why))
                    errors.append("%s %s sanity: %s" % (name, wl, why))
                srv.ensure_alive()
        if fixed_n:
            ns = {(wl, p): (fixed_n[0] if p == 1 else fixed_n[1]) // div
                  for wl, _a, div in workloads for p in PIPELINES}
        else:
            C.log("%s: calibrating request counts (target %.1fs/run)" % (suite, duration))
            ns = calibrate(servers, duration, quick, workloads)
        samples = {name: {"%s|P%d" % (wl, p): [] for wl, _a, _d in workloads for p in PIPELINES}
                   for name in ("ember", "redis")}
        for r in range(rounds):
            t_round = time.monotonic()
            for wl, wl_args, _div in workloads:
                for p in PIPELINES:
                    cell = "%s|P%d" % (wl, p)
                    n = ns[(wl, p)]
                    for name in C.server_order(r):
                        srv = servers[name]
                        if srv is None or wl in unsupported.get(name, {}):
                            continue
                        try:
                            srv.ensure_alive()
                        except RuntimeError as e:
                            errors.append("%s restart: %s" % (name, e))
                            servers[name] = None
                            continue
                        rps, err = run_benchmark(srv.port, wl_args, p, n,
                                                 timeout=max(60.0, 20 * duration + 30))
                        if err:
                            C.log("  [%s] %s: %s" % (name, cell, err))
                            errors.append("%s %s round %d: %s" % (name, cell, r, err))
                        samples[name][cell].append(rps)
            C.log("%s: round %d/%d done in %.1fs" % (suite, r + 1, rounds,
                                                             time.monotonic() - t_round))
    finally:
        for srv in servers.values():
            if srv is not None:
                srv.stop()

    cells = []
    for wl, _a, _d in workloads:
        for p in PIPELINES:
            cell = "%s|P%d" % (wl, p)
            e = C.median(samples["ember"][cell])
            rd = C.median(samples["redis"][cell])
            cells.append({
                "workload": wl, "pipeline": p, "requests": ns[(wl, p)],
                "ember_rps": e, "redis_rps": rd,
                "ratio": C.paired_ratio(samples["ember"][cell], samples["redis"][cell]),
                "ratio_of_medians": C.ratio(e, rd),
                "ember_spread": C.spread(samples["ember"][cell]),
                "redis_spread": C.spread(samples["redis"][cell]),
                "ember_samples": samples["ember"][cell], "redis_samples": samples["redis"][cell],
            })
    return {
        "suite": suite,
        "params": {"clients": CLIENTS, "keyspace": KEYSPACE, "data_size": DATA_SIZE,
                   "rounds": rounds, "duration_target_s": duration,
                   "pipelines": PIPELINES},
        "cells": cells,
        "geomean_ratio": C.geomean([c["ratio"] for c in cells]),
        "errors": errors,
    }


def tables(res, markdown=False):
    rows = []
    for c in res["cells"]:
        rows.append([c["workload"], "P%d" % c["pipeline"], C.fmt_num(c["requests"]),
                     C.fmt_num(c["ember_rps"]), C.fmt_num(c["redis_rps"]),
                     C.fmt_ratio(c["ratio"]), C.fmt_pct(c["ember_spread"]),
                     C.fmt_pct(c["redis_spread"])])
    rows.append(["geomean", "", "", "", "", C.fmt_ratio(res["geomean_ratio"]), "", ""])
    head = ["workload", "pipe", "-n", "ember rps", "redis rps", "ember/redis",
            "ember spread", "redis spread"]
    title = ("Throughput (median requests/s over %d rounds; ember/redis = median of per-round "
             "ratios, > 1 = Ember faster; spread = (max-min)/median)" % res["params"]["rounds"])
    return title, C.table(head, rows, markdown)


def main(doc=__doc__, run_fn=run, tables_fn=tables):
    """Command line of a throughput-style suite (this one, or throughput_collections)."""
    ap = C.base_argparser(doc.splitlines()[0])
    ap.add_argument("--duration", type=float, default=None,
                    help="target seconds per run for calibration (default 1.5, quick 0.6)")
    ap.add_argument("--n", default=None,
                    help="fixed request counts 'P1,P16' (e.g. 200000,2000000); MSET uses 1/5")
    args = ap.parse_args()
    fixed = tuple(int(x) for x in args.n.split(",")) if args.n else None
    res = run_fn(C.binaries_from_args(args), rounds=args.rounds if not args.quick else
                 min(args.rounds, 3), quick=args.quick, duration=args.duration, fixed_n=fixed)
    title, t = tables_fn(res)
    print(title)
    print(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
