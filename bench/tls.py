#!/usr/bin/python3
"""TLS throughput: `redis-benchmark --tls` requests/sec, Ember vs redis-server, alternating.

Both servers run with the same TLS settings (tls-port, one RSA-2048 server certificate made at
start-up with the openssl CLI, tls-auth-clients yes with a client certificate, default
protocols and ciphers, session caching on). Workloads SET and GET at -P 1 and -P 16, -c 50,
-r 100000, -d 16. In each round every cell runs on both servers back to back, the first server
alternating per round; the report gives medians and the median of per-round ratios (target:
Ember >= 1.0x redis-server).

    bench/tls.py --ember build/release/ember-server [--rounds 5] [--n 200000,1000000]
"""

import os
import shutil
import subprocess
import sys
import tempfile

import common as C

CLIENTS = 50
KEYSPACE = 100000
DATA_SIZE = 16
WORKLOADS = [("SET", ["-t", "set"]), ("GET", ["-t", "get"])]
PIPELINES = [1, 16]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)


def make_certs(d):
    openssl("req", "-x509", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", "ca.key",
            "-out", "ca.crt", "-days", "2", "-subj", "/CN=Ember Bench CA", cwd=d)
    for name in ("server", "client"):
        openssl("req", "-new", "-nodes", "-newkey", "rsa:2048", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + name, cwd=d)
        openssl("x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key",
                "-CAcreateserial", "-days", "2", "-out", name + ".crt", cwd=d)
    return {n: os.path.join(d, n + ".crt") for n in ("ca", "server", "client")} | {
        n + "_key": os.path.join(d, n + ".key") for n in ("server", "client")}


def run_benchmark(certs, port, wl_args, pipeline, n):
    """One run; returns requests/sec or None (with the reason logged)."""
    tls = ["--tls", "--cacert", certs["ca"], "--cert", certs["client"], "--key",
           certs["client_key"]]
    return C.benchmark_rps_or_log(C.redis_benchmark_argv(
        port, pipeline, n, CLIENTS, KEYSPACE, DATA_SIZE, tls + wl_args))


def main():
    ap = C.base_argparser(__doc__)
    C.add_request_counts_arg(ap)
    args = ap.parse_args()
    binaries = C.binaries_from_args(args)
    n1, n16 = C.request_counts(args)
    certdir = tempfile.mkdtemp(prefix="ember-bench-tls-")
    certs = make_certs(certdir)
    servers, tls_ports = {}, {}
    try:
        for name in ("ember", "redis"):
            tls_ports[name] = C.free_port()
            servers[name] = C.Server(name, binaries[name], extra_args=[
                "--tls-port", str(tls_ports[name]), "--tls-cert-file", certs["server"],
                "--tls-key-file", certs["server_key"], "--tls-ca-cert-file", certs["ca"]]).start()
        samples = {(name, wl, p): [] for name in servers for wl, _ in WORKLOADS
                   for p in PIPELINES}
        for r in range(args.rounds):
            for wl, wl_args in WORKLOADS:
                for p in PIPELINES:
                    for name in C.server_order(r):
                        rps = run_benchmark(certs, tls_ports[name], wl_args, p,
                                            n1 if p == 1 else n16)
                        samples[(name, wl, p)].append(rps)
            C.log("tls: round %d/%d done" % (r + 1, args.rounds))
    finally:
        for srv in servers.values():
            srv.stop()
        shutil.rmtree(certdir, ignore_errors=True)
    rows = []
    for wl, _ in WORKLOADS:
        for p in PIPELINES:
            e, rd = samples[("ember", wl, p)], samples[("redis", wl, p)]
            rows.append([wl, "P%d" % p, C.fmt_num(C.median(e)), C.fmt_num(C.median(rd)),
                         C.fmt_ratio(C.paired_ratio(e, rd)), C.fmt_pct(C.spread(e)),
                         C.fmt_pct(C.spread(rd))])
    print("TLS throughput, redis-benchmark --tls -c %d -d %d, %d rounds (median rps)"
          % (CLIENTS, DATA_SIZE, args.rounds))
    print(C.table(["workload", "pipeline", "ember", "redis", "ratio", "ember spread",
                   "redis spread"], rows, markdown=True))


if __name__ == "__main__":
    sys.exit(main())
