#!/usr/bin/python3
"""ACL cost: `redis-benchmark` requests/sec, Ember vs redis-server, alternating, for three
authentication setups on the same servers:

  (a) default  — the default user, no password (`on nopass ~* &* +@all`)
  (b) requirepass — `CONFIG SET requirepass`; clients AUTH with the password
  (c) restricted — a user `on >pw ~key:* +@all -@dangerous` (keys checked per command)

Workloads SET and GET at -P 1 and -P 16, -c 50, -r 100000 (keys "key:NNN", allowed by the
restricted user's ~key:*), -d 16. In each round every cell runs on both servers back to back,
the first server alternating per round. The report gives medians, the median of per-round
Ember/Redis ratios, and Ember's own cost of (c) and (b) versus (a) (target: <= 5%).

    bench/acl.py --ember build/release/ember-server [--rounds 5] [--n 200000,1000000]
"""

import sys

import common as C

CLIENTS = 50
KEYSPACE = 100000
DATA_SIZE = 16
WORKLOADS = [("SET", ["-t", "set"]), ("GET", ["-t", "get"])]
PIPELINES = [1, 16]
MODES = ["default", "requirepass", "restricted"]
PASSWORD = "bench-pw"


def admin(port, *args):
    """Runs an admin command, authenticating as the default user when a password is set."""
    with C.Resp(port) as c:
        try:
            c.call("AUTH", PASSWORD)
        except C.RespError:
            pass
        return c.call(*args)


def configure(port, mode):
    admin(port, "CONFIG", "SET", "requirepass", "")
    admin(port, "ACL", "SETUSER", "benchuser", "reset", "on", ">" + PASSWORD, "~key:*",
          "+@all", "-@dangerous")
    if mode == "requirepass":
        admin(port, "CONFIG", "SET", "requirepass", PASSWORD)


def auth_args(mode):
    if mode == "requirepass":
        return ["-a", PASSWORD]
    if mode == "restricted":
        return ["--user", "benchuser", "-a", PASSWORD]
    return []


def run_benchmark(port, mode, wl_args, pipeline, n):
    """One run; returns requests/sec or None (with the reason logged)."""
    return C.benchmark_rps_or_log(C.redis_benchmark_argv(
        port, pipeline, n, CLIENTS, KEYSPACE, DATA_SIZE, auth_args(mode) + wl_args))


def main():
    ap = C.base_argparser(__doc__)
    C.add_request_counts_arg(ap)
    args = ap.parse_args()
    binaries = C.binaries_from_args(args)
    n1, n16 = C.request_counts(args)
    servers = {}
    samples = {}
    try:
        for name in ("ember", "redis"):
            servers[name] = C.Server(name, binaries[name]).start()
        for r in range(args.rounds):
            for mode in MODES:
                for name in servers:
                    configure(servers[name].port, mode)
                for wl, wl_args in WORKLOADS:
                    for p in PIPELINES:
                        for name in C.server_order(r):
                            rps = run_benchmark(servers[name].port, mode, wl_args, p,
                                                n1 if p == 1 else n16)
                            samples.setdefault((name, mode, wl, p), []).append(rps)
            C.log("acl: round %d/%d done" % (r + 1, args.rounds))
    finally:
        for srv in servers.values():
            srv.stop()
    rows = []
    for mode in MODES:
        for wl, _ in WORKLOADS:
            for p in PIPELINES:
                e, rd = samples[("ember", mode, wl, p)], samples[("redis", mode, wl, p)]
                base = samples[("ember", "default", wl, p)]
                cost = C.paired_ratio(e, base)
                rows.append([mode, wl, "P%d" % p, C.fmt_num(C.median(e)),
                             C.fmt_num(C.median(rd)), C.fmt_ratio(C.paired_ratio(e, rd)),
                             "-" if mode == "default" or cost is None
                             else "%+.1f%%" % ((cost - 1) * 100)])
    print("ACL throughput, redis-benchmark -c %d -d %d -r %d, %d rounds (median rps)"
          % (CLIENTS, DATA_SIZE, KEYSPACE, args.rounds))
    print(C.table(["mode", "workload", "pipeline", "ember", "redis", "ember/redis",
                   "ember vs default"], rows, markdown=True))


if __name__ == "__main__":
    sys.exit(main())
