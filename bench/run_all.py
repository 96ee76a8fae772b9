#!/usr/bin/python3
"""Ember vs redis-server side-by-side benchmarks: throughput, memory, cpu, stall.

Prints a summary table and writes bench/results/<timestamp>.json and
bench/results/latest.md. See bench/README.md.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import common as C  # noqa: E402
import cpu  # noqa: E402
import memory  # noqa: E402
import stall  # noqa: E402
import throughput  # noqa: E402
import throughput_collections  # noqa: E402
import throughput_streams  # noqa: E402
import scripting  # noqa: E402
import pubsub  # noqa: E402

SUITES = ["throughput", "collections", "streams", "scripting", "pubsub", "memory", "cpu", "stall"]


def git_rev():
    try:
        rev = subprocess.run(["git", "-C", C.REPO_ROOT, "rev-parse", "--short", "HEAD"],
                             stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=10)
        dirty = subprocess.run(["git", "-C", C.REPO_ROOT, "status", "--porcelain",
                                "--untracked-files=no"], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, timeout=10)
        r = rev.stdout.decode().strip() or None
        return (r + "-dirty") if r and dirty.stdout.strip() else r
    except (OSError, subprocess.TimeoutExpired):
        return None


def binary_version(path):
    try:
        p = subprocess.run([path, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=10)
        return p.stdout.decode(errors="replace").strip()[:200]
    except (OSError, subprocess.TimeoutExpired):
        return None


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def headline(results):
    """One row per suite: the number to look at first."""
    rows = []
    t = results.get("throughput")
    if t:
        rows.append(["throughput", "geomean rps ratio over %d cells" % len(t["cells"]),
                     C.fmt_ratio(t["geomean_ratio"]), "higher"])
    for name in ("collections", "streams", "scripting", "pubsub"):
        t = results.get(name)
        if t:
            rows.append([name, "geomean rps ratio over %d cells" % len(t["cells"]),
                         C.fmt_ratio(t["geomean_ratio"]), "higher"])
    m = results.get("memory")
    if m:
        for r in m["rows"]:
            rows.append(["memory", "RSS/key %s (%s vs %s B)" % (
                r["variant"], C.fmt_num(r["ember_rss_per_key"], 1),
                C.fmt_num(r["redis_rss_per_key"], 1)), C.fmt_ratio(r["rss_ratio"]), "lower"])
    c = results.get("cpu")
    if c:
        rows.append(["cpu", "geomean CPU-s/Mop ratio", C.fmt_ratio(c["geomean_ratio"]), "lower"])
    s = results.get("stall")
    if s:
        rows.append(["stall", "worst stall %s vs %s ms" % (
            C.fmt_num(s["summary"]["ember"]["worst_ms_median"], 2),
            C.fmt_num(s["summary"]["redis"]["worst_ms_median"], 2)),
            C.fmt_ratio(s["ratios"]["worst_ms_median"]), "lower"])
    return C.table(["suite", "metric", "ember/redis", "better"], rows), \
        C.table(["suite", "metric", "ember/redis", "better"], rows, markdown=True)


MODULES = {"throughput": throughput, "collections": throughput_collections, "streams": throughput_streams, "scripting": scripting, "pubsub": pubsub, "memory": memory, "cpu": cpu, "stall": stall}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ember", default="build/release/ember-server",
                    help="ember-server binary (default: build/release/ember-server)")
    ap.add_argument("--redis", default="/usr/bin/redis-server",
                    help="reference redis-server (default: /usr/bin/redis-server)")
    ap.add_argument("--rounds", type=int, default=5,
                    help="throughput/cpu rounds, stall runs (default 5); memory uses min(N,3)")
    ap.add_argument("--quick", action="store_true",
                    help="fast smoke run: 3 rounds, shorter runs, 1 memory/stall run, 2M-key stall")
    ap.add_argument("--only", default=None,
                    help="comma-separated subset of: " + ", ".join(SUITES))
    ap.add_argument("--duration", type=float, default=None,
                    help="throughput: target seconds per redis-benchmark run (default 1.5)")
    ap.add_argument("--n", default=None,
                    help="throughput: fixed -n 'P1,P16' instead of calibration")
    args = ap.parse_args()

    suites = SUITES
    if args.only:
        suites = [s.strip() for s in args.only.split(",") if s.strip()]
        bad = [s for s in suites if s not in SUITES]
        if bad:
            ap.error("unknown suite(s) %s; choose from %s" % (", ".join(bad), ", ".join(SUITES)))
    binaries = C.binaries_from_args(args)
    for name, path in binaries.items():
        if not os.access(path, os.X_OK):
            print("error: %s binary not found or not executable: %s" % (name, path),
                  file=sys.stderr)
            return 2
    for tool in (C.REDIS_BENCHMARK, C.REDIS_CLI):
        if not os.access(tool, os.X_OK):
            print("error: %s is required" % tool, file=sys.stderr)
            return 2
    if (os.cpu_count() or 1) < 2:
        C.log("warning: fewer than 2 CPUs; client and server cannot be pinned apart")

    rounds = args.rounds
    busy, loadavg = C.machine_busy(1.0)
    if busy is not None and busy > 0.15:
        C.log("warning: the machine is already %.0f%% busy (loadavg %s) before the benchmark "
              "starts; expect noisy numbers (ratios are paired per round to limit the damage)"
              % (100 * busy, loadavg))
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    meta = {
        "timestamp": stamp, "git": git_rev(), "quick": args.quick, "rounds": rounds,
        "suites": suites, "host": platform.node(), "cpu": cpu_model(),
        "ncpu": os.cpu_count(), "kernel": platform.release(),
        "binaries": binaries,
        "versions": {n: binary_version(p) for n, p in binaries.items()},
        "redis_benchmark": binary_version(C.REDIS_BENCHMARK),
        "pinning": {"server_cpu": C.SERVER_CPU, "client_cpu": C.CLIENT_CPU},
        "busy_before": busy, "loadavg_before": loadavg,
    }
    results = {}
    t_all = time.monotonic()
    timings = {}
    for suite in suites:
        C.log("=== %s ===" % suite)
        t0 = time.monotonic()
        if suite == "throughput":
            fixed = tuple(int(x) for x in args.n.split(",")) if args.n else None
            results[suite] = throughput.run(binaries, rounds=min(rounds, 3) if args.quick
                                            else rounds, quick=args.quick,
                                            duration=args.duration, fixed_n=fixed)
        elif suite in ("collections", "streams", "scripting", "pubsub"):
            results[suite] = MODULES[suite].run(
                binaries, rounds=min(rounds, 3) if args.quick else rounds, quick=args.quick,
                duration=args.duration)
        elif suite == "memory":
            results[suite] = memory.run(binaries, runs=min(rounds, 3), quick=args.quick)
        elif suite == "cpu":
            results[suite] = cpu.run(binaries, rounds=rounds, quick=args.quick)
        elif suite == "stall":
            results[suite] = stall.run(binaries, runs=rounds, quick=args.quick)
        timings[suite] = time.monotonic() - t0
        C.log("=== %s done in %.0fs ===" % (suite, timings[suite]))
    meta["seconds"] = {**timings, "total": time.monotonic() - t_all}

    os.makedirs(C.RESULTS_DIR, exist_ok=True)
    json_path = os.path.join(C.RESULTS_DIR, stamp + ".json")
    with open(json_path, "w") as f:
        json.dump({"meta": meta, "results": results}, f, indent=1, sort_keys=False)

    text_parts, md_parts = [], []
    md_parts.append("# Ember vs redis-server benchmarks (%s)\n" % stamp)
    md_parts.append("- git: `%s`%s\n- ember: `%s`\n- redis: `%s` (%s)\n- machine: %s, %s CPUs; "
                    "server on CPU %s, clients on CPU %s\n- total time: %.0f s; machine %s busy "
                    "before the run (loadavg %s)\n" % (
                        meta["git"], " (quick)" if args.quick else "", binaries["ember"],
                        binaries["redis"], (meta["versions"]["redis"] or "").split(" sha")[0],
                        meta["cpu"], meta["ncpu"], C.SERVER_CPU, C.CLIENT_CPU,
                        meta["seconds"]["total"], C.fmt_pct(busy), loadavg))
    head_txt, head_md = headline(results)
    text_parts.append("Summary (ember/redis)\n" + head_txt)
    md_parts.append("## Summary (ember/redis)\n\n" + head_md + "\n")
    for suite in suites:
        mod = MODULES[suite]
        title, tbl = mod.tables(results[suite])
        _, tbl_md = mod.tables(results[suite], markdown=True)
        text_parts.append(title + "\n" + tbl)
        md_parts.append("## " + title + "\n\n" + tbl_md + "\n")
        errs = results[suite].get("errors") or []
        if errs:
            text_parts.append("%s errors:\n  " % suite + "\n  ".join(errs[:20]))
            md_parts.append("%s errors:\n\n" % suite + "\n".join("- " + e.replace("\n", " ")
                                                                 for e in errs[:50]) + "\n")
    md_path = os.path.join(C.RESULTS_DIR, "latest.md")
    with open(md_path, "w") as f:
        f.write("\n".join(md_parts))
    if busy is not None and busy > 0.15:
        text_parts.append("WARNING: machine was %.0f%% busy before the run (loadavg %s): "
                          "numbers are noisy" % (100 * busy, loadavg))
    print("\n\n".join(text_parts))
    print("\nwrote %s and %s (%.0f s)" % (os.path.relpath(json_path, C.REPO_ROOT),
                                          os.path.relpath(md_path, C.REPO_ROOT),
                                          meta["seconds"]["total"]))
    any_err = any(results[s].get("errors") for s in suites)
    return 1 if any_err else 0


if __name__ == "__main__":
    sys.exit(main())
