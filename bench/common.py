"""Shared helpers for Ember's side-by-side benchmarks (stdlib only).

Server lifecycle (free port, start pinned, wait-for-ready by PING polling, stop by PID),
a tiny RESP client, /proc readers (RSS, CPU ticks), statistics and table formatting.
"""

import atexit
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
RESULTS_DIR = os.path.join(BENCH_DIR, "results")
CACHE_DIR = os.path.join(RESULTS_DIR, ".cache")

SERVER_CPU = "1"  # the server under test runs alone on this core
CLIENT_CPU = "0"  # redis-benchmark / redis-cli / the probe share this one

REDIS_BENCHMARK = "/usr/bin/redis-benchmark"
REDIS_CLI = "/usr/bin/redis-cli"
PYTHON = "/usr/bin/python3"

CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def have_taskset():
    return os.path.exists("/usr/bin/taskset") or os.path.exists("/bin/taskset")


def pin(cpu, argv):
    """Prefix argv with taskset when the machine has that CPU."""
    if have_taskset() and os.cpu_count() and int(cpu) < os.cpu_count():
        return ["taskset", "-c", cpu] + list(argv)
    return list(argv)


def client_cmd(argv):
    return pin(CLIENT_CPU, argv)


def resolve_binary(path):
    if not os.path.isabs(path):
        path = os.path.join(REPO_ROOT, path)
    return os.path.abspath(path)


# ---------------------------------------------------------------------------
# Minimal RESP client (blocking, one connection)
# ---------------------------------------------------------------------------


class RespError(Exception):
    pass


class Resp:
    def __init__(self, port, host="127.0.0.1", timeout=10.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.close()

    @staticmethod
    def encode(*args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            if not isinstance(a, bytes):
                a = str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(out)

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by server")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n + 2:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("connection closed by server")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n + 2:]
        return data

    def read_reply(self):
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return RespError(rest.decode(errors="replace"))
        if t == b":":
            return int(rest)
        if t == b"$":
            n = int(rest)
            return None if n < 0 else self._exact(n)
        if t == b"*":
            n = int(rest)
            return None if n < 0 else [self.read_reply() for _ in range(n)]
        raise RespError("protocol error: %r" % line[:80])

    def call(self, *args):
        self.sock.sendall(self.encode(*args))
        r = self.read_reply()
        if isinstance(r, RespError):
            raise r
        return r


def try_call(port, *args, timeout=10.0):
    """Return the reply, or None if the server can't answer / answers an error."""
    try:
        with Resp(port, timeout=timeout) as c:
            return c.call(*args)
    except (OSError, RespError, ConnectionError, ValueError):
        return None


def info_fields(port, section=None):
    args = ["INFO"] + ([section] if section else [])
    r = try_call(port, *args)
    if not isinstance(r, (bytes, str)):
        return {}
    if isinstance(r, bytes):
        r = r.decode(errors="replace")
    out = {}
    for line in r.splitlines():
        if ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def used_memory(port):
    v = info_fields(port, "memory").get("used_memory")
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def dbsize(port):
    r = try_call(port, "DBSIZE", timeout=60)
    return r if isinstance(r, int) else None


# ---------------------------------------------------------------------------
# Server lifecycle
# ---------------------------------------------------------------------------


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


_live_servers = set()


def _cleanup():
    for srv in list(_live_servers):
        srv.stop()


atexit.register(_cleanup)


def _on_signal(signum, frame):
    _cleanup()
    sys.exit(128 + signum)


for _sig in (signal.SIGTERM, signal.SIGHUP):
    try:
        signal.signal(_sig, _on_signal)
    except (ValueError, OSError):
        pass


class Server:
    """One server process (ember or redis), pinned to SERVER_CPU, persistence off."""

    def __init__(self, name, binary, extra_args=(), ready_timeout=20.0):
        self.name = name
        self.binary = binary
        self.extra_args = list(extra_args)
        self.ready_timeout = ready_timeout
        self.proc = None
        self.port = None
        self.workdir = None
        self.logpath = None

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def start(self):
        if not os.path.exists(self.binary):
            raise RuntimeError("%s: binary not found: %s" % (self.name, self.binary))
        self.workdir = tempfile.mkdtemp(prefix="ember-bench-%s-" % self.name)
        self.logpath = os.path.join(self.workdir, "server.log")
        last_err = None
        for _attempt in range(3):  # a port picked by free_port() may be taken meanwhile
            self.port = free_port()
            argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1",
                    "--save", "", "--appendonly", "no"] + self.extra_args
            logf = open(self.logpath, "ab")
            # taskset execs the binary, so proc.pid is the server's own PID.
            self.proc = subprocess.Popen(pin(SERVER_CPU, argv), cwd=self.workdir,
                                         stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT)
            logf.close()
            _live_servers.add(self)
            try:
                self._wait_ready()
                return self
            except RuntimeError as e:
                last_err = e
                self.stop()
        raise last_err

    def _wait_ready(self):
        deadline = time.monotonic() + self.ready_timeout
        delay = 0.002
        while time.monotonic() < deadline:
            if not self.alive():
                raise RuntimeError("%s exited during startup (rc=%s); log tail:\n%s"
                                   % (self.name, self.proc.returncode, self.log_tail()))
            if try_call(self.port, "PING", timeout=1.0) == "PONG":
                return
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
        raise RuntimeError("%s did not answer PING within %.0fs; log tail:\n%s"
                           % (self.name, self.ready_timeout, self.log_tail()))

    def log_tail(self, n=15):
        try:
            with open(self.logpath, "rb") as f:
                return b"\n".join(f.read().splitlines()[-n:]).decode(errors="replace")
        except OSError:
            return ""

    def stop(self):
        """Stop this server by its PID only: SIGTERM, then SIGKILL after 10 s."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            try:
                self.proc.send_signal(signal.SIGTERM)
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
            except ProcessLookupError:
                pass
        _live_servers.discard(self)
        self.proc = None

    def restart(self):
        self.stop()
        return self.start()

    def ensure_alive(self):
        if not self.alive():
            log("  [%s] server not running (rc=%s), restarting; log tail:\n%s"
                % (self.name, self.proc.returncode if self.proc else None, self.log_tail()))
            self.start()

    def rss_bytes(self):
        return rss_bytes(self.pid)

    def cpu_ticks(self):
        return cpu_ticks(self.pid)

    def __enter__(self):
        return self.start()

    def __exit__(self, *a):
        self.stop()


def rss_bytes(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS for pid %d" % pid)


def cpu_ticks(pid):
    """utime + stime of the whole process (all threads), in clock ticks."""
    with open("/proc/%d/stat" % pid) as f:
        data = f.read()
    fields = data[data.rindex(")") + 2:].split()
    # fields[0] is field 3 (state); utime is field 14, stime field 15.
    return int(fields[11]) + int(fields[12])


def server_order(round_idx, names=("ember", "redis")):
    """Alternate which server goes first: ember first on even rounds, redis on odd."""
    return list(names) if round_idx % 2 == 0 else list(reversed(names))


# ---------------------------------------------------------------------------
# Load files for redis-cli --pipe
# ---------------------------------------------------------------------------


def resp_load_file(nkeys, ttl=None, prefix="key:", valfmt="val:%012d"):
    """Path to a RESP file of `nkeys` SETs of "key:%012d" (16 bytes) -> 16-byte values.

    Generated once and cached under bench/results/.cache/.
    """
    os.makedirs(CACHE_DIR, exist_ok=True)
    name = "set-%d%s.resp" % (nkeys, "-ex%d" % ttl if ttl else "")
    path = os.path.join(CACHE_DIR, name)
    if os.path.exists(path):
        return path
    tmp = path + ".tmp%d" % os.getpid()
    keyfmt = (prefix + "%012d").encode()
    vfmt = valfmt.encode()
    klen = len(keyfmt % 0)
    vlen = len(vfmt % 0)
    if ttl:
        t = str(ttl).encode()
        tmpl = (b"*5\r\n$3\r\nSET\r\n$%d\r\n" % klen + b"%s\r\n$%d\r\n" % (b"%s", vlen)
                + b"%s\r\n$2\r\nEX\r\n$%d\r\n%s\r\n" % (b"%s", len(t), t))
    else:
        tmpl = b"*3\r\n$3\r\nSET\r\n$%d\r\n" % klen + b"%s\r\n$%d\r\n" % (b"%s", vlen) + b"%s\r\n"
    with open(tmp, "wb") as f:
        step = 100000
        for start in range(0, nkeys, step):
            end = min(nkeys, start + step)
            f.write(b"".join(tmpl % (keyfmt % i, vfmt % i) for i in range(start, end)))
    os.replace(tmp, path)
    return path


def resp(*args):
    """One RESP request (a list of bytes arguments)."""
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def cached_commands_file(name, commands):
    """Path of a cached RESP file CACHE_DIR/<name>.resp holding `commands` (an iterable of
    argument lists, consumed only when the file does not exist yet)."""
    os.makedirs(CACHE_DIR, exist_ok=True)
    path = os.path.join(CACHE_DIR, name + ".resp")
    if os.path.exists(path):
        return path
    tmp = path + ".tmp%d" % os.getpid()
    with open(tmp, "wb") as f:
        for args in commands:
            f.write(resp(*args))
    os.replace(tmp, path)
    return path


def pipe_load(port, path, timeout=600):
    """Feed a RESP file through `redis-cli --pipe` (pinned to the client CPU).

    Returns (seconds, replies, errors)."""
    t0 = time.monotonic()
    with open(path, "rb") as f:
        p = subprocess.run(client_cmd([REDIS_CLI, "-h", "127.0.0.1", "-p", str(port), "--pipe"]),
                           stdin=f, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=timeout)
    dt = time.monotonic() - t0
    out = p.stdout.decode(errors="replace")
    replies = errors = None
    for line in out.splitlines():
        if line.startswith("errors:"):
            # "errors: 0, replies: 1000000"
            parts = line.replace(",", "").split()
            try:
                errors = int(parts[1])
                replies = int(parts[3])
            except (IndexError, ValueError):
                pass
    if p.returncode != 0 or errors is None:
        raise RuntimeError("redis-cli --pipe failed (rc=%d): %s" % (p.returncode, out[-500:]))
    return dt, replies, errors


# ---------------------------------------------------------------------------
# Memory per item: load a known data set into a fresh server, RSS/used_memory growth
# ---------------------------------------------------------------------------


class LoadCase:
    """One memory data set: a RESP file loaded into a fresh server and measured per unit.

    `units` is what the growth is divided by (keys, members, collections); `expect_keys` is
    checked against DBSIZE after the load; `probe` names a key whose OBJECT ENCODING is
    recorded, so the report says which encodings the two servers actually used."""

    def __init__(self, name, label, path, units, expect_keys=None, probe=None, unit="item"):
        self.name = name
        self.label = label
        self.path = path
        self.units = units
        self.expect_keys = expect_keys
        self.probe = probe
        self.unit = unit


def object_encoding(port, key):
    r = try_call(port, "OBJECT", "ENCODING", key)
    return r.decode() if isinstance(r, bytes) else r


def measure_load(name, binary, case, extra_args=()):
    """Fresh server, load case.path with redis-cli --pipe; RSS and used_memory growth per unit
    (after - before) / units, plus the raw numbers."""
    srv = Server(name, binary, extra_args).start()
    try:
        rss0, um0 = srv.rss_bytes(), used_memory(srv.port)
        secs, _replies, errors = pipe_load(srv.port, case.path)
        if errors:
            raise RuntimeError("%d error replies while loading" % errors)
        n = dbsize(srv.port)
        if case.expect_keys is not None and n is not None and n != case.expect_keys:
            raise RuntimeError("DBSIZE %d after loading %d keys" % (n, case.expect_keys))
        rss1, um1 = srv.rss_bytes(), used_memory(srv.port)
        have_um = um0 is not None and um1 is not None
        return {"rss": (rss1 - rss0) / case.units,
                "used_memory": (um1 - um0) / case.units if have_um else None,
                "rss_before": rss0, "rss_after": rss1,
                "used_memory_before": um0, "used_memory_after": um1,
                "load_seconds": secs, "dbsize": n,
                "encoding": object_encoding(srv.port, case.probe) if case.probe else None}
    finally:
        srv.stop()


def run_load_cases(binaries, cases, runs):
    """Measures every case `runs` times per server, a fresh server each time, alternating which
    server goes first per run. Returns {"rows": [...], "errors": [...]}; a row holds each
    server's median per-unit RSS and used_memory, its encoding and raw samples, and the
    ember/redis ratios of the medians."""
    rows, errors = [], []
    for case in cases:
        samples = {n: [] for n in binaries}
        for r in range(runs):
            for name in server_order(r, tuple(binaries)):
                try:
                    samples[name].append(measure_load(name, binaries[name], case))
                except (RuntimeError, OSError, subprocess.TimeoutExpired) as e:
                    log("  [%s] %s run %d failed: %s" % (name, case.name, r, e))
                    errors.append("%s %s run %d: %s" % (name, case.name, r, e))
        row = {"name": case.name, "label": case.label, "units": case.units, "unit": case.unit,
               "runs": runs}
        for name, ss in samples.items():
            encs = sorted({s["encoding"] for s in ss if s["encoding"]})
            row[name] = {"rss": median([s["rss"] for s in ss]),
                         "used_memory": median([s["used_memory"] for s in ss]),
                         "encoding": "/".join(encs) or None, "samples": ss}
        if "ember" in row and "redis" in row:
            for metric in ("rss", "used_memory"):
                row[metric + "_ratio"] = ratio(row["ember"][metric], row["redis"][metric])
        rows.append(row)
        log("  %s: ember %s B, redis %s B RSS per %s" % (
            case.name, fmt_num(row["ember"]["rss"], 1), fmt_num(row["redis"]["rss"], 1),
            case.unit))
    return {"rows": rows, "errors": errors}


def load_cases_table(rows, markdown=False):
    out = []
    for r in rows:
        e, rd = r["ember"], r["redis"]
        out.append([r["label"], fmt_num(e["rss"], 1), fmt_num(rd["rss"], 1),
                    fmt_ratio(r.get("rss_ratio")), fmt_num(e["used_memory"], 1),
                    fmt_num(rd["used_memory"], 1), fmt_ratio(r.get("used_memory_ratio")),
                    "%s / %s" % (e["encoding"] or "-", rd["encoding"] or "-")])
    return table(["data set", "ember RSS", "redis RSS", "ratio", "ember used_memory",
                  "redis used_memory", "ratio", "encoding ember / redis"], out, markdown)


def memory_main(doc, cases_fn):
    """Shared main() of the per-type memory scripts: --runs, --quick, --ember/--redis."""
    ap = base_argparser(doc.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per server (default 3)")
    args = ap.parse_args()
    runs = 1 if args.quick else args.runs
    res = run_load_cases(binaries_from_args(args), cases_fn(), runs)
    print(load_cases_table(res["rows"]))
    for e in res["errors"]:
        print("error: " + e)
    return 1 if res["errors"] else 0


# ---------------------------------------------------------------------------
# Statistics and formatting
# ---------------------------------------------------------------------------


def redis_benchmark_argv(port, pipeline, n, clients, keyspace, data_size, extra=()):
    """A redis-benchmark --csv command line against 127.0.0.1:port; `extra` comes before the
    workload options (auth, TLS) or is the workload itself."""
    return client_cmd([REDIS_BENCHMARK, "-h", "127.0.0.1", "-p", str(port), "-c", str(clients),
                       "-r", str(keyspace), "-d", str(data_size), "-P", str(pipeline),
                       "-n", str(n), "--csv"] + list(extra))


def benchmark_rps_or_log(argv):
    """redis_benchmark_rps, logging the problem; returns requests/sec or None."""
    rps, problem = redis_benchmark_rps(argv)
    if problem:
        log("  " + problem)
    return rps


def add_request_counts_arg(ap):
    ap.add_argument("--n", default=None,
                    help="requests per run at P1,P16 (default 100000,1000000; quick: /4)")


def request_counts(args):
    """(requests at P1, requests at P16) from --n, else the defaults (a quarter with --quick)."""
    if args.n:
        n1, n16 = (int(x) for x in args.n.split(","))
        return n1, n16
    return (25000, 250000) if args.quick else (100000, 1000000)


def redis_benchmark_rps(argv, timeout=300):
    """Runs one redis-benchmark --csv command line; returns (rps, None) or (None, problem)."""
    try:
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "timeout after %.0fs" % timeout
    out = p.stdout.decode(errors="replace")
    err = p.stderr.decode(errors="replace")
    rps = None
    problems = []
    for line in out.splitlines():
        line = line.strip()
        if not line or line.startswith('"test"'):
            continue
        if line.startswith('"'):
            cells = [c.strip('"') for c in line.split('","')]
            try:
                rps = float(cells[1])
            except (IndexError, ValueError):
                problems.append(line)
        elif "rror" in line:  # "Error from server: ..."
            problems.append(line)
    if p.returncode != 0:
        problems.append("rc=%d %s" % (p.returncode, err.strip()[-300:]))
    if rps is None and not problems:
        problems.append("no rps in output: %r %r" % (out[-200:], err[-200:]))
    if problems:
        return None, "; ".join(problems)[:500]
    return rps, None


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def geomean(xs):
    xs = [x for x in xs if x is not None and x > 0]
    if not xs:
        return None
    return math.exp(sum(math.log(x) for x in xs) / len(xs))


def ratio(a, b):
    if a is None or b is None or b == 0:
        return None
    return a / b


def paired_ratio(a_samples, b_samples):
    """Median of per-round ratios a_i / b_i. Round i of each server ran back to back, so
    this cancels slow drifts (other load on the machine) better than a ratio of medians."""
    rs = [a / b for a, b in zip(a_samples, b_samples) if a is not None and b]
    return statistics.median(rs) if rs else None


def machine_busy(seconds=1.0):
    """Fraction of all CPUs busy over `seconds` (before we start anything) and loadavg."""
    def snap():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        idle = v[3] + (v[4] if len(v) > 4 else 0)
        return sum(v[:8]), idle
    t0, i0 = snap()
    time.sleep(seconds)
    t1, i1 = snap()
    busy = 1.0 - (i1 - i0) / (t1 - t0) if t1 > t0 else None
    with open("/proc/loadavg") as f:
        load = [float(x) for x in f.read().split()[:3]]
    return busy, load


def percentile(sorted_xs, p):
    """Nearest-rank percentile of an already-sorted list (p in 0..100)."""
    if not sorted_xs:
        return None
    k = max(0, min(len(sorted_xs) - 1, int(math.ceil(p / 100.0 * len(sorted_xs))) - 1))
    return sorted_xs[k]


def spread(xs):
    """(max - min) / median, a crude noise indicator for a set of rounds."""
    xs = [x for x in xs if x is not None]
    if len(xs) < 2:
        return None
    m = statistics.median(xs)
    return (max(xs) - min(xs)) / m if m else None


def fmt_num(x, digits=0):
    if x is None:
        return "n/a"
    if isinstance(x, float) and digits:
        return "{:,.{d}f}".format(x, d=digits)
    return "{:,.0f}".format(x)


def fmt_ratio(x):
    return "n/a" if x is None else "%.3f" % x


def fmt_pct(x):
    return "n/a" if x is None else "%.1f%%" % (100.0 * x)


def table(headers, rows, markdown=False):
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h)
              for i, h in enumerate(headers)]
    def line(cells, first=False):
        out = []
        for i, c in enumerate(cells):
            out.append(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]))
        return ("| " + " | ".join(out) + " |") if markdown else "  ".join(out)
    lines = [line(headers)]
    if markdown:
        lines.append("|" + "|".join(
            (":" if i == 0 else "-") + "-" * widths[i] + ("-" if i == 0 else ":")
            for i in range(len(headers))) + "|")
    else:
        lines.append("  ".join("-" * w for w in widths))
    lines.extend(line(r) for r in rows)
    return "\n".join(lines)


def base_argparser(description):
    import argparse
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--ember", default="build/release/ember-server",
                    help="ember-server binary (default: build/release/ember-server)")
    ap.add_argument("--redis", default="/usr/bin/redis-server",
                    help="reference redis-server binary (default: /usr/bin/redis-server)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds per measurement (default 5)")
    ap.add_argument("--quick", action="store_true", help="smaller, faster run")
    return ap


def binaries_from_args(args):
    return {"ember": resolve_binary(args.ember), "redis": resolve_binary(args.redis)}
