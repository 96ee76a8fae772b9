#!/usr/bin/python3
"""Allocator comparison for ember-server: jemalloc (linked) vs Debian's mimalloc (LD_PRELOAD of
libmimalloc.so.2, which takes malloc/free/new/delete over from the linked jemalloc).

Per run and allocator, alternating: a fresh server; RSS growth per key after loading 1M SETs of
16-byte keys and values (redis-cli --pipe); SET and GET throughput with redis-benchmark (50
clients, 200k requests, -P 1 and -P 16); RSS after each of 8 generations of 50k keys with
200-byte values and PX 300 waited out until active expiry empties the db (TTL churn).
Medians over the runs. Results and the decision: docs/memory.md ("Allocator").

  /usr/bin/python3 bench/allocator.py build/release/ember-server [runs]
"""
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

MIMALLOC = "/usr/lib/x86_64-linux-gnu/libmimalloc.so.2"
VARIANTS = {"jemalloc": {}, "mimalloc": {"LD_PRELOAD": MIMALLOC}}
CLI, BENCH = "/usr/bin/redis-cli", "/usr/bin/redis-benchmark"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def cli(port, *args):
    return subprocess.run([CLI, "-p", str(port)] + list(args), capture_output=True,
                          text=True).stdout.strip()


def load_file(path):
    if not os.path.exists(path):
        with open(path, "w") as f:
            for i in range(1000000):
                f.write("*3\r\n$3\r\nSET\r\n$16\r\nkey:%012d\r\n$16\r\nval:%012d\r\n" % (i, i))
    return path


def start(binary, env_extra, *args):
    port = free_port()
    d = tempfile.mkdtemp(prefix="ember-alloc-")
    p = subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no",
                          "--dir", d] + list(args), env=dict(os.environ, **env_extra),
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while cli(port, "ping") != "PONG":
        if time.monotonic() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.02)
    return p, port


def throughput(port, test, pipeline):
    out = subprocess.run([BENCH, "-p", str(port), "-t", test, "-n", "200000", "-c", "50",
                          "-P", str(pipeline), "-r", "100000", "-d", "16", "-q", "--csv"],
                         capture_output=True, text=True).stdout
    for line in out.splitlines():
        parts = [x.strip('"') for x in line.split(",")]
        if parts[0] == test.upper():
            return float(parts[1])
    return 0.0


def churn(port, pid, generations=8, keys=50000):
    out = []
    for gen in range(generations):
        cmds = "".join("*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$200\r\n%s\r\n$2\r\nPX\r\n$3\r\n300\r\n"
                       % (len(k), k, "v" * 200) for k in ("g%d:%d" % (gen, i)
                                                          for i in range(keys)))
        subprocess.run([CLI, "-p", str(port), "--pipe"], input=cmds.encode(),
                       capture_output=True)
        out.append(rss(pid) / 1e6)
        while cli(port, "dbsize") != "0":
            time.sleep(0.01)
    return out


def main():
    binary = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    path = load_file(os.path.join(tempfile.gettempdir(), "ember-alloc-load1m.resp"))
    res = {v: {} for v in VARIANTS}
    for _ in range(runs):
        for name, env in VARIANTS.items():
            p, port = start(binary, env)
            try:
                time.sleep(0.2)
                before = rss(p.pid)
                with open(path, "rb") as f:
                    subprocess.run([CLI, "-p", str(port), "--pipe"], stdin=f, capture_output=True)
                time.sleep(0.5)
                res[name].setdefault("rss_bytes_per_key", []).append((rss(p.pid) - before) / 1e6)
                cli(port, "flushall")
                for t in ("set", "get"):
                    for pl in (1, 16):
                        res[name].setdefault("%s_P%d" % (t.upper(), pl), []).append(
                            throughput(port, t, pl))
            finally:
                p.terminate()
                p.wait()
            p, port = start(binary, env, "--hz", "100")
            try:
                res[name].setdefault("churn_rss_mb", []).append(churn(port, p.pid))
            finally:
                p.terminate()
                p.wait()
    for name, r in res.items():
        print(name)
        for k, v in r.items():
            if k == "churn_rss_mb":
                print("  churn RSS MB per generation (per run):",
                      [" ".join("%.1f" % x for x in run) for run in v])
            else:
                print("  %-18s median %.1f  samples %s" % (k, statistics.median(v),
                                                          ["%.1f" % x for x in v]))


if __name__ == "__main__":
    main()
