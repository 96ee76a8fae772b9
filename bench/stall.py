#!/usr/bin/python3
"""Stall: PING round-trip latency while the keyspace grows to 5,000,000 keys.

A probe process (raw RESP over its own TCP_NODELAY connection) sends PING every 1 ms and
records each round trip, while `redis-cli --pipe` loads 5M SETs ("key:%012d" -> 16-byte
value) from a pre-generated file into a fresh server. Reports the worst round trip
(= worst stall seen by a client), p50/p99/p99.9 and the count over 2 ms, during the load
and in an idle window before it. Server on CPU 1; probe and loader share CPU 0, the
probe at SCHED_FIFO priority when allowed so the loader cannot delay it much.

Run as `stall.py --probe PORT` it is the probe itself (used internally).
"""

import json
import os
import select
import socket
import subprocess
import sys
import time

import common as C

NKEYS = 5000000
INTERVAL = 0.001
STALL_MS = 2.0
IDLE_S = 1.0
AFTER_S = 0.3


# ---------------------------------------------------------------------------
# probe (runs in its own process)
# ---------------------------------------------------------------------------


def probe_main(port):
    prio = "normal"
    try:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))
        prio = "SCHED_FIFO"
    except (OSError, AttributeError):
        try:
            os.nice(-10)
            prio = "nice-10"
        except OSError:
            pass
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ping = b"*1\r\n$4\r\nPING\r\n"
    sends, rtts = [], []
    stdin = sys.stdin.fileno()
    sys.stdout.write("READY %s\n" % prio)
    sys.stdout.flush()
    next_t = time.monotonic()
    error = None
    while True:
        t0 = time.monotonic()
        try:
            s.sendall(ping)
            buf = b""
            while not buf.endswith(b"\r\n"):
                chunk = s.recv(64)
                if not chunk:
                    raise ConnectionError("server closed the connection")
                buf += chunk
        except (OSError, ConnectionError) as e:
            error = str(e)
            break
        t1 = time.monotonic()
        sends.append(t0)
        rtts.append(t1 - t0)
        next_t = max(next_t + INTERVAL, t1)  # no catch-up bursts after a stall
        wait = next_t - time.monotonic()
        r, _, _ = select.select([stdin], [], [], max(0.0, wait))
        if r:
            break  # parent wrote "stop" (or closed stdin)
    sys.stdout.write(json.dumps({"prio": prio, "sends": sends, "rtts": rtts,
                                 "error": error}) + "\n")
    sys.stdout.flush()
    return 0


# ---------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------


def stats(rtts_s):
    xs = sorted(x * 1000.0 for x in rtts_s)
    if not xs:
        return {"count": 0}
    return {"count": len(xs), "max_ms": xs[-1], "p50_ms": C.percentile(xs, 50),
            "p99_ms": C.percentile(xs, 99), "p999_ms": C.percentile(xs, 99.9),
            "over_%gms" % STALL_MS: sum(1 for x in xs if x > STALL_MS)}


def one_run(name, binary, path, nkeys):
    srv = C.Server(name, binary).start()
    probe = None
    try:
        probe = subprocess.Popen(
            C.client_cmd([C.PYTHON, os.path.abspath(__file__), "--probe", str(srv.port)]),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        ready = probe.stdout.readline().decode().split()
        if not ready or ready[0] != "READY":
            raise RuntimeError("probe failed to start: %s" % probe.stderr.read().decode()[-500:])
        prio = ready[1] if len(ready) > 1 else "?"
        time.sleep(IDLE_S)  # idle window: probe noise floor
        load_start = time.monotonic()
        secs, replies, errors = C.pipe_load(srv.port, path)
        load_end = time.monotonic()
        time.sleep(AFTER_S)
        out, err = probe.communicate(b"stop\n", timeout=120)
        lines = out.decode().strip().splitlines()
        if not lines:
            raise RuntimeError("probe produced no result: %s" % err.decode()[-500:])
        data = json.loads(lines[-1])
        n = C.dbsize(srv.port)
        sends, rtts = data["sends"], data["rtts"]
        idle = [r for t, r in zip(sends, rtts) if t < load_start]
        load = [r for t, r in zip(sends, rtts) if load_start <= t <= load_end]
        worst_at = None
        if load:
            i = max(range(len(sends)), key=lambda k: rtts[k] if load_start <= sends[k] <= load_end
                    else -1)
            worst_at = sends[i] - load_start
        if data.get("error"):
            raise RuntimeError("probe connection error: %s" % data["error"])
        if errors:
            raise RuntimeError("%d error replies while loading" % errors)
        return {"idle": stats(idle), "load": stats(load), "load_seconds": secs,
                "keys_per_s": nkeys / secs if secs else None, "dbsize": n,
                "worst_at_s": worst_at, "probe_prio": prio}
    finally:
        if probe is not None and probe.poll() is None:
            probe.kill()
            probe.wait()
        srv.stop()


def run(binaries, runs=5, quick=False, nkeys=None):
    if nkeys is None:
        nkeys = 2000000 if quick else NKEYS
    if quick:
        runs = 1
    C.log("stall: generating/using load file (%d keys)" % nkeys)
    path = C.resp_load_file(nkeys)
    samples = {"ember": [], "redis": []}
    errors = []
    for r in range(runs):
        for name in C.server_order(r):
            try:
                samples[name].append(one_run(name, binaries[name], path, nkeys))
            except (RuntimeError, OSError, subprocess.TimeoutExpired, ValueError) as e:
                C.log("  [%s] stall run %d failed: %s" % (name, r, e))
                errors.append("%s run %d: %s" % (name, r, e))
        C.log("stall: run %d/%d done" % (r + 1, runs))
    summary = {}
    for name in ("ember", "redis"):
        ss = samples[name]
        summary[name] = {
            "worst_ms_median": C.median([s["load"].get("max_ms") for s in ss]),
            "worst_ms_max": max([s["load"]["max_ms"] for s in ss if "max_ms" in s["load"]],
                                default=None),
            "p99_ms": C.median([s["load"].get("p99_ms") for s in ss]),
            "p999_ms": C.median([s["load"].get("p999_ms") for s in ss]),
            "p50_ms": C.median([s["load"].get("p50_ms") for s in ss]),
            "over_ms": C.median([s["load"].get("over_%gms" % STALL_MS) for s in ss]),
            "idle_max_ms": C.median([s["idle"].get("max_ms") for s in ss]),
            "idle_p99_ms": C.median([s["idle"].get("p99_ms") for s in ss]),
            "load_seconds": C.median([s["load_seconds"] for s in ss]),
            "keys_per_s": C.median([s["keys_per_s"] for s in ss]),
            "samples_during_load": C.median([s["load"].get("count") for s in ss]),
        }
    ratios = {k: C.ratio(summary["ember"][k], summary["redis"][k])
              for k in summary["ember"]}
    return {"suite": "stall", "params": {"keys": nkeys, "runs": runs, "interval_ms":
                                         INTERVAL * 1000, "stall_threshold_ms": STALL_MS},
            "summary": summary, "ratios": ratios, "samples": samples, "errors": errors}


def tables(res, markdown=False):
    s, rt = res["summary"], res["ratios"]
    spec = [("worst stall (median of runs), ms", "worst_ms_median", 2),
            ("worst stall (max of runs), ms", "worst_ms_max", 2),
            ("p50 during load, ms", "p50_ms", 3),
            ("p99 during load, ms", "p99_ms", 3),
            ("p99.9 during load, ms", "p999_ms", 3),
            ("pings > %g ms during load" % STALL_MS, "over_ms", 0),
            ("pings during load", "samples_during_load", 0),
            ("idle p99 / max, ms", None, 0),
            ("load time, s", "load_seconds", 2),
            ("load rate, keys/s", "keys_per_s", 0)]
    rows = []
    for label, key, d in spec:
        if key is None:
            cell = lambda n: "%s / %s" % (C.fmt_num(s[n]["idle_p99_ms"], 3),
                                          C.fmt_num(s[n]["idle_max_ms"], 3))
            rows.append([label, cell("ember"), cell("redis"), ""])
            continue
        fmt = (lambda x: C.fmt_num(x, d)) if d else C.fmt_num
        rows.append([label, fmt(s["ember"][key]), fmt(s["redis"][key]), C.fmt_ratio(rt[key])])
    title = ("Stall (PING every %g ms while loading %d keys, %d run(s); ratio < 1 = Ember "
             "better, except load rate)" % (res["params"]["interval_ms"], res["params"]["keys"],
                                            res["params"]["runs"]))
    return title, C.table(["metric", "ember", "redis", "ember/redis"], rows, markdown)


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--probe":
        return probe_main(int(sys.argv[2]))
    ap = C.base_argparser(__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5, help="runs per server (default 5)")
    ap.add_argument("--keys", type=int, default=None, help="keys to load (default 5,000,000)")
    args = ap.parse_args()
    res = run(C.binaries_from_args(args), runs=args.runs, quick=args.quick, nkeys=args.keys)
    title, t = tables(res)
    print(title)
    print(t)
    return 0


if __name__ == "__main__":
    sys.exit(main())
