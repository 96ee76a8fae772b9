#!/usr/bin/python3
"""Eviction: SET throughput at the memory cap, and a cache scenario, Ember vs redis-server.

Both parts run each server with `--maxmemory 64mb --maxmemory-policy allkeys-lru` (the other
eviction settings at their defaults) and alternate the servers per round.

(a) throughput: the server is first filled past its cap (redis-benchmark SET of random keys
    from a 100M key space until about twice the cap has been offered), then
    `redis-benchmark -t set -r 100000000 -d 100 -c 50` runs at -P 1 and -P 16: almost every
    SET creates a new key, so every write has to evict. Reported: median requests/s per
    server, the median of the per-round ember/redis ratios, evicted_keys per request during
    the measured run (about 1 when each new key evicts one old key; 0 means the server did not
    evict and the cell is an error), the ember/redis ratio of server CPU seconds per request
    (utime + stime, less sensitive to a busy machine than requests/s) and used_memory after
    the run relative to the cap.

(b) scenario (issue 7): a hot set of 1,000 keys is written first; then a writer offers 200 MB
    (SETs of new keys with 1,000-byte values, pipelined in batches of 100 on one connection,
    paced at --rate-mb MB/s; with 0, redis-cli --pipe sends them as fast as the server takes
    them) while a reader GETs all hot keys (one pipeline) every 50 ms and a sampler reads
    INFO used_memory every 10 ms.
    Reported: used_memory's maximum during the run and its final value after the writer
    stops, as a percentage over the cap (negative = under), evicted_keys, and the share of
    the hot keys that still exist at the end (a hot key, once evicted, is never rewritten,
    so this is cumulative survival), plus the lowest hit share of any read round.
    Target (issue 7): used_memory within 5% of the cap, >= 95% of the hot keys kept.

Output: tables on stdout, bench/results/eviction-<timestamp>.json.
"""

import datetime
import json
import os
import socket
import sys
import threading
import time

import common as C
import throughput

CAP_BYTES = 64 * 1024 * 1024
SERVER_ARGS = ["--maxmemory", "64mb", "--maxmemory-policy", "allkeys-lru"]
KEYSPACE = 100000000
VALUE_BYTES = 100
PIPELINES = [1, 16]

HOT_KEYS = 1000
OFFERED_BYTES = 200 * 1000 * 1000
SCENARIO_VALUE_BYTES = 1000
BATCH = 100
READ_INTERVAL_S = 0.050
SAMPLE_INTERVAL_S = 0.010


def pct(x):
    """Signed percentage with two decimals (used_memory vs the cap is often within 0.1%)."""
    return "n/a" if x is None else "%+.2f%%" % (100.0 * x)


def info_int(port, section, field):
    try:
        return int(C.info_fields(port, section).get(field))
    except (TypeError, ValueError):
        return None


def check_evicts(srv):
    """Fills the server past its cap; returns None if it evicts (and used_memory is near the
    cap), else the reason it does not."""
    n_fill = 2 * CAP_BYTES // (VALUE_BYTES + 40)
    args = ["-r", str(KEYSPACE), "-d", str(VALUE_BYTES), "-t", "set"]
    _rps, err = throughput.run_benchmark(srv.port, args, 16, n_fill, timeout=300)
    if err:
        return "fill failed: " + err
    if not info_int(srv.port, "stats", "evicted_keys"):
        return "no evicted_keys after offering %d keys (used_memory %s)" % (
            n_fill, C.used_memory(srv.port))
    return None


# ---------------------------------------------------------------------------
# (a) throughput at the cap
# ---------------------------------------------------------------------------


def run_throughput(binaries, rounds, n_by_pipe):
    servers, errors = {}, []
    for name, binary in binaries.items():
        srv = C.Server(name, binary, SERVER_ARGS).start()
        servers[name] = srv
        why = check_evicts(srv)
        if why:
            errors.append("%s: %s" % (name, why))
            srv.stop()
            servers[name] = None
    cells = []
    try:
        for p in PIPELINES:
            samples = {n: [] for n in binaries}
            evict_per_req = {n: [] for n in binaries}
            over_cap = {n: [] for n in binaries}
            cpu = {n: [] for n in binaries}  # server CPU seconds per million requests
            for r in range(rounds):
                for name in C.server_order(r, tuple(binaries)):
                    srv = servers[name]
                    if srv is None:
                        continue
                    ev0 = info_int(srv.port, "stats", "evicted_keys") or 0
                    t0 = srv.cpu_ticks()
                    args = ["-r", str(KEYSPACE), "-d", str(VALUE_BYTES), "-t", "set"]
                    rps, err = throughput.run_benchmark(srv.port, args, p, n_by_pipe[p], 300)
                    cpu[name].append((srv.cpu_ticks() - t0) / C.CLK_TCK * 1e6 / n_by_pipe[p])
                    ev1 = info_int(srv.port, "stats", "evicted_keys") or 0
                    if err:
                        errors.append("%s P%d round %d: %s" % (name, p, r, err))
                        rps = None
                    elif ev1 == ev0:
                        errors.append("%s P%d round %d: no evictions" % (name, p, r))
                        rps = None
                    samples[name].append(rps)
                    evict_per_req[name].append((ev1 - ev0) / n_by_pipe[p])
                    um = C.used_memory(srv.port)
                    over_cap[name].append((um - CAP_BYTES) / CAP_BYTES if um else None)
            cell = {"pipeline": p, "n": n_by_pipe[p], "samples": samples,
                    "evicted_per_request": evict_per_req, "used_memory_over_cap": over_cap,
                    "cpu_s_per_mreq": cpu}
            for name in binaries:
                cell[name + "_rps"] = C.median(samples[name])
            cell["ratio"] = C.paired_ratio(samples.get("ember", []), samples.get("redis", []))
            cell["cpu_ratio"] = C.paired_ratio(cpu.get("ember", []), cpu.get("redis", []))
            cells.append(cell)
            C.log("  eviction throughput P%d: ember %s rps, redis %s rps" % (
                p, C.fmt_num(cell.get("ember_rps")), C.fmt_num(cell.get("redis_rps"))))
    finally:
        for srv in servers.values():
            if srv is not None:
                srv.stop()
    return {"cells": cells, "errors": errors}


# ---------------------------------------------------------------------------
# (b) the cache scenario: writer + hot-set reader + used_memory sampler
# ---------------------------------------------------------------------------


def _read_replies(sock, buf, n):
    """Reads `n` simple or bulk replies; returns (replies as list of bytes/None, rest)."""
    out = []
    while len(out) < n:
        while b"\r\n" not in buf:
            chunk = sock.recv(1 << 20)
            if not chunk:
                raise ConnectionError("connection closed by server")
            buf += chunk
        line, rest = buf.split(b"\r\n", 1)
        if line[:1] == b"$":
            ln = int(line[1:])
            if ln < 0:
                out.append(None)
                buf = rest
                continue
            while len(rest) < ln + 2:
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise ConnectionError("connection closed by server")
                rest += chunk
            out.append(rest[:ln])
            buf = rest[ln + 2:]
        else:
            out.append(line)
            buf = rest
    return out, buf


def _connect(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


class Scenario:
    def __init__(self, port, rate_mb, offered=OFFERED_BYTES):
        self.port = port
        self.rate = rate_mb * 1e6 if rate_mb else None
        self.offered = offered
        self.stop = threading.Event()
        self.max_used = 0
        self.samples = 0
        self.read_rounds = []  # hit share per read round
        self.write_errors = 0
        self.first_error = None
        self.thread_errors = []
        self.write_seconds = None

    def hot_keys(self):
        return [b"hot:%06d" % i for i in range(HOT_KEYS)]

    def setup(self):
        value = b"h" * SCENARIO_VALUE_BYTES
        with C.Resp(self.port, timeout=30) as c:
            c.sock.sendall(b"".join(C.resp(b"SET", k, value) for k in self.hot_keys()))
            replies, _ = _read_replies(c.sock, b"", HOT_KEYS)
            if any(r != b"+OK" for r in replies):
                raise RuntimeError("hot-set setup failed: %r" % replies[:3])

    def nkeys(self):
        return self.offered // (SCENARIO_VALUE_BYTES + 16)  # key "data:%011d" + value

    def writer(self):
        if self.rate is None:
            return self.pipe_writer()
        value = b"v" * SCENARIO_VALUE_BYTES
        per_cmd = SCENARIO_VALUE_BYTES + 16
        nkeys = self.nkeys()
        s = _connect(self.port)
        buf = b""
        t0 = time.monotonic()
        try:
            for start in range(0, nkeys, BATCH):
                end = min(nkeys, start + BATCH)
                s.sendall(b"".join(C.resp(b"SET", b"data:%011d" % i, value)
                                   for i in range(start, end)))
                replies, buf = _read_replies(s, buf, end - start)
                for r in replies:
                    if r[:1] == b"-":
                        self.write_errors += 1
                        self.first_error = self.first_error or r.decode(errors="replace")
                ahead = end * per_cmd / self.rate - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
        finally:
            s.close()
        self.write_seconds = time.monotonic() - t0

    def pipe_writer(self):
        """Full speed: the same SETs from a cached file through `redis-cli --pipe` (a Python
        writer tops out near 20 MB/s; redis-cli is limited by the server)."""
        value = b"v" * SCENARIO_VALUE_BYTES
        path = C.cached_commands_file("evict-data-%d" % self.nkeys(), (
            [b"SET", b"data:%011d" % i, value] for i in range(self.nkeys())))
        self.write_seconds, _replies, self.write_errors = C.pipe_load(self.port, path)

    def reader(self):
        keys = self.hot_keys()
        req = b"".join(C.resp(b"GET", k) for k in keys)
        s = _connect(self.port)
        buf = b""
        try:
            next_t = time.monotonic()
            while not self.stop.is_set():
                s.sendall(req)
                replies, buf = _read_replies(s, buf, len(keys))
                self.read_rounds.append(sum(r is not None for r in replies) / len(keys))
                next_t += READ_INTERVAL_S
                self.stop.wait(max(0.0, next_t - time.monotonic()))
        finally:
            s.close()

    def sampler(self):
        with C.Resp(self.port, timeout=30) as c:
            while not self.stop.is_set():
                info = c.call("INFO", "memory")
                for line in info.decode().splitlines():
                    if line.startswith("used_memory:"):
                        self.max_used = max(self.max_used, int(line.split(":")[1]))
                        self.samples += 1
                self.stop.wait(SAMPLE_INTERVAL_S)

    def _guard(self, fn):
        def run():
            try:
                fn()
            except Exception as e:  # noqa: BLE001 - reported as the run's error
                self.thread_errors.append("%s: %r" % (fn.__name__, e))
                self.stop.set()
        return threading.Thread(target=run, daemon=True)

    def run(self):
        self.setup()
        helpers = [self._guard(self.reader), self._guard(self.sampler)]
        for t in helpers:
            t.start()
        try:
            self.writer()
        finally:
            self.stop.set()
            for t in helpers:
                t.join(timeout=30)
        if self.thread_errors:
            raise RuntimeError("; ".join(self.thread_errors))
        with C.Resp(self.port, timeout=30) as c:
            surviving = c.call("EXISTS", *self.hot_keys())
        final = C.used_memory(self.port)
        return {
            "max_used_memory": self.max_used, "final_used_memory": final,
            "max_over_cap": (self.max_used - CAP_BYTES) / CAP_BYTES,
            "final_over_cap": (final - CAP_BYTES) / CAP_BYTES if final else None,
            "hot_kept": surviving / HOT_KEYS,
            "min_read_hits": min(self.read_rounds) if self.read_rounds else None,
            "read_rounds": len(self.read_rounds), "memory_samples": self.samples,
            "evicted_keys": info_int(self.port, "stats", "evicted_keys"),
            "dbsize": C.dbsize(self.port), "write_seconds": self.write_seconds,
            "write_errors": self.write_errors, "first_write_error": self.first_error,
        }


def run_scenario(binaries, runs, rate_mb):
    samples, errors = {n: [] for n in binaries}, []
    for r in range(runs):
        for name in C.server_order(r, tuple(binaries)):
            srv = C.Server(name, binaries[name], SERVER_ARGS).start()
            try:
                res = Scenario(srv.port, rate_mb).run()
                if not res["evicted_keys"]:
                    errors.append("%s run %d: no evictions" % (name, r))
                samples[name].append(res)
                C.log("  scenario %s run %d: max %s final %s over cap, hot kept %s" % (
                    name, r, pct(res["max_over_cap"]), pct(res["final_over_cap"]),
                    C.fmt_pct(res["hot_kept"])))
            except (RuntimeError, OSError) as e:
                errors.append("%s run %d: %s" % (name, r, e))
                C.log("  scenario %s run %d failed: %s" % (name, r, e))
            finally:
                srv.stop()
    summary = {}
    for name, ss in samples.items():
        summary[name] = {k: C.median([s[k] for s in ss]) for k in (
            "max_over_cap", "final_over_cap", "hot_kept", "min_read_hits", "evicted_keys",
            "write_seconds", "max_used_memory", "final_used_memory")}
        summary[name]["worst_max_over_cap"] = max((s["max_over_cap"] for s in ss), default=None)
        summary[name]["worst_hot_kept"] = min((s["hot_kept"] for s in ss), default=None)
    return {"samples": samples, "summary": summary, "errors": errors}


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------


def tables(res, markdown=False):
    out = []
    if res.get("throughput"):
        rows = []
        for c in res["throughput"]["cells"]:
            ev = {n: C.median(v) for n, v in c["evicted_per_request"].items()}
            oc = {n: C.median(v) for n, v in c["used_memory_over_cap"].items()}
            evicted = "%.2f / %.2f" % (ev.get("ember") or 0, ev.get("redis") or 0)
            rows.append(["SET new key at cap", "P%d" % c["pipeline"], C.fmt_num(c["n"]),
                         C.fmt_num(c.get("ember_rps")), C.fmt_num(c.get("redis_rps")),
                         C.fmt_ratio(c["ratio"]), C.fmt_ratio(c["cpu_ratio"]), evicted,
                         "%s / %s" % (pct(oc.get("ember")), pct(oc.get("redis")))])
        out.append(("Eviction throughput (allkeys-lru, 64mb cap, -d %d, median rps; ratios = "
                    "median of per-round ember/redis; CPU = server CPU s per request; lower is "
                    "better)" % VALUE_BYTES,
                    C.table(["workload", "pipe", "-n", "ember rps", "redis rps", "ember/redis",
                             "CPU/req e/r", "evicted/req e / r", "used_memory vs cap e / r"],
                            rows, markdown)))
    if res.get("scenario"):
        rows = []
        for name, s in res["scenario"]["summary"].items():
            rows.append([name, pct(s["max_over_cap"]), pct(s["worst_max_over_cap"]),
                         pct(s["final_over_cap"]), C.fmt_pct(s["hot_kept"]),
                         C.fmt_pct(s["worst_hot_kept"]), C.fmt_pct(s["min_read_hits"]),
                         C.fmt_num(s["evicted_keys"]), C.fmt_num(s["write_seconds"], 1)])
        p = res["params"]
        out.append(("Cache scenario (64mb cap, %d MB offered at %s, %d hot keys read every "
                    "50 ms; medians of %d runs; target: within 5%% of cap, >= 95%% hot kept)"
                    % (OFFERED_BYTES // 1000000, "%g MB/s" % p["rate_mb"] if p["rate_mb"]
                       else "full speed", HOT_KEYS, p["runs"]),
                    C.table(["server", "max over cap", "worst max", "final over cap",
                             "hot kept", "worst hot kept", "min read hits", "evicted",
                             "write s"], rows, markdown)))
    return out


def main():
    import run_all  # git revision and binary versions, as the other results record them
    ap = C.base_argparser(__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="scenario runs per server (default 3)")
    ap.add_argument("--only", default=None, help="throughput or scenario (default both)")
    ap.add_argument("--rate-mb", type=float, default=20.0,
                    help="scenario writer pace in MB/s, 0 = full speed (default 20)")
    ap.add_argument("--n", default="100000,1000000",
                    help="throughput: redis-benchmark -n at P1,P16 (default 100000,1000000)")
    args = ap.parse_args()
    parts = [args.only] if args.only else ["throughput", "scenario"]
    rounds = 1 if args.quick else args.rounds
    runs = 1 if args.quick else args.runs
    binaries = C.binaries_from_args(args)
    if (os.cpu_count() or 1) > int(C.CLIENT_CPU):
        os.sched_setaffinity(0, {int(C.CLIENT_CPU)})  # the reader/writer threads: client core
    busy, loadavg = C.machine_busy(1.0)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    res = {"params": {"rounds": rounds, "runs": runs, "rate_mb": args.rate_mb,
                      "cap_bytes": CAP_BYTES, "server_args": SERVER_ARGS},
           "meta": {"timestamp": stamp, "git": run_all.git_rev(), "binaries": binaries,
                    "versions": {n: run_all.binary_version(p) for n, p in binaries.items()},
                    "busy_before": busy, "loadavg_before": loadavg}}
    errors = []
    if "throughput" in parts:
        n1, n16 = (int(x) for x in args.n.split(","))
        res["throughput"] = run_throughput(binaries, rounds, {1: n1, 16: n16})
        errors += res["throughput"]["errors"]
    if "scenario" in parts:
        res["scenario"] = run_scenario(binaries, runs, args.rate_mb)
        errors += res["scenario"]["errors"]
    for title, tbl in tables(res):
        print(title)
        print(tbl)
        print()
    for e in errors:
        print("error: " + e)
    os.makedirs(C.RESULTS_DIR, exist_ok=True)
    path = os.path.join(C.RESULTS_DIR, "eviction-%s.json" % stamp)
    with open(path, "w") as f:
        json.dump(res, f, indent=1)
    print("wrote %s" % os.path.relpath(path, C.REPO_ROOT))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
