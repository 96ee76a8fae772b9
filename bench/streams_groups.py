#!/usr/bin/python3
"""Consumer-group throughput: XREADGROUP and XACK requests/sec, Ember vs redis-server,
alternating servers per round (the method of throughput.py, with redis-benchmark).

Before each cell the stream bench:xg is rebuilt with N two-field entries whose ids are 1-1 ..
N-1 (fed with redis-cli --pipe) and a group g at 0-0. XREADGROUP then runs N requests of
`XREADGROUP GROUP g c1 COUNT 1 STREAMS bench:xg >`, each delivering one new entry into the
pending list (checked afterwards: the PEL must hold N entries), and XACK runs N requests of
`XACK bench:xg g <random id>` against that full PEL, with random ids spanning the stream
(about 63% of them hit a pending entry, the rest find it already acknowledged). Both servers
see the same data and the same kind of request stream; -c 50, P1 and P16.
"""

import subprocess
import sys
import time

import common as C
import throughput as T

KEY = "bench:xg"
READ = ["XREADGROUP", "GROUP", "g", "c1", "COUNT", "1", "STREAMS", KEY, ">"]
ACK = ["XACK", KEY, "g", "__rand_int__-1"]
CELLS = [("XREADGROUP", READ), ("XACK", ACK)]


def fill_file(n):
    return C.cached_commands_file(
        "xgroup-fill-%d" % n,
        ([b"XADD", KEY.encode(), b"%d-1" % (i + 1), b"name", b"sensor:%d" % i, b"value",
          T.VALUE16.encode()] for i in range(n)))


def rebuild(port, path, n, read_all):
    """Fresh stream and group; with read_all the group has delivered every entry to c1."""
    with C.Resp(port, timeout=60) as c:
        c.call("DEL", KEY)
    _s, _r, errors = C.pipe_load(port, path)
    if errors:
        raise RuntimeError("%d errors while filling the stream" % errors)
    with C.Resp(port, timeout=60) as c:
        c.call("XGROUP", "CREATE", KEY, "g", "0")
    if read_all:  # one huge reply: redis-cli reads it much faster than Python would
        subprocess.run(C.client_cmd([C.REDIS_CLI, "-p", str(port), "XREADGROUP", "GROUP", "g",
                                     "c1", "STREAMS", KEY, ">"]),
                       stdout=subprocess.DEVNULL, check=True, timeout=300)


def pending(port):
    with C.Resp(port, timeout=60) as c:
        return int(c.call("XPENDING", KEY, "g")[0])


def run(binaries, rounds=5, n=1000000):
    path = fill_file(n)
    T.KEYSPACE = n  # __rand_int__ of the XACK ids spans the stream
    servers = {name: C.Server(name, binaries[name]).start() for name in ("ember", "redis")}
    samples = {name: {} for name in servers}
    errors = []
    try:
        for r in range(rounds):
            t0 = time.monotonic()
            for wl, args in CELLS:
                for p in T.PIPELINES:
                    cell = "%s|P%d" % (wl, p)
                    for name in C.server_order(r):
                        srv = servers[name]
                        rebuild(srv.port, path, n, read_all=(wl == "XACK"))
                        rps, err = T.run_benchmark(srv.port, args, p, n, timeout=600)
                        if err:
                            errors.append("%s %s: %s" % (name, cell, err))
                        if wl == "XREADGROUP" and pending(srv.port) != n:
                            errors.append("%s %s: PEL holds %d, not %d" %
                                          (name, cell, pending(srv.port), n))
                        samples[name].setdefault(cell, []).append(rps)
            C.log("streams_groups: round %d/%d done in %.1fs" % (r + 1, rounds,
                                                                  time.monotonic() - t0))
    finally:
        for srv in servers.values():
            srv.stop()
    rows = []
    ratios = []
    for wl, _a in CELLS:
        for p in T.PIPELINES:
            cell = "%s|P%d" % (wl, p)
            e, rd = samples["ember"][cell], samples["redis"][cell]
            ratio = C.paired_ratio(e, rd)
            ratios.append(ratio)
            rows.append([wl, "P%d" % p, C.fmt_num(n), C.fmt_num(C.median(e)),
                         C.fmt_num(C.median(rd)), C.fmt_ratio(ratio)])
    rows.append(["geomean", "", "", "", "", C.fmt_ratio(C.geomean(ratios))])
    return rows, errors


def main():
    ap = C.base_argparser(__doc__.splitlines()[0])
    ap.add_argument("--entries", type=int, default=1000000,
                    help="stream length = requests per run (default 1000000)")
    args = ap.parse_args()
    rounds = min(args.rounds, 3) if args.quick else args.rounds
    n = min(args.entries, 200000) if args.quick else args.entries
    rows, errors = run(C.binaries_from_args(args), rounds=rounds, n=n)
    print("Consumer-group throughput (median requests/s over %d rounds; ember/redis = median "
          "of per-round ratios, > 1 = Ember faster)" % rounds)
    print(C.table(["workload", "pipe", "-n", "ember rps", "redis rps", "ember/redis"], rows))
    for e in errors:
        print("error:", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
