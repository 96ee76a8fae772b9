#!/usr/bin/python3
"""RDB save and load: SAVE time and startup load time for 1,000,000 mixed keys.

The data set (generated once, cached as a RESP file): 700k strings of 16-40 bytes (a fifth
with EX 100000, a tenth integers), 100k small hashes (5 fields), 50k small sets (5 members,
half of them integer sets), 50k small sorted sets (5 members) and 100k small lists (5
elements). For each run and server: a fresh server loads the data set with
`redis-cli --pipe`, then SAVE is timed (wall clock of the command), then the server is stopped
and started again on its own dump.rdb and the load is timed ("DB loaded from disk: X seconds"
from the log, which both servers print, else the time until PING answers). Ember is also
timed loading redis-server's dump, so both load the same bytes once. Runs alternate which
server goes first; medians of the runs and ember/redis ratios (< 1 = Ember faster).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

import common as C

NKEYS = 1000000
TTL = 100000
LOADED_RE = re.compile(r"DB loaded from disk: ([0-9.]+) seconds")


def commands(nkeys):
    """The mixed data set as argument lists (bytes)."""
    n_str = nkeys * 70 // 100
    n_hash = nkeys * 10 // 100
    n_set = nkeys * 5 // 100
    n_zset = nkeys * 5 // 100
    n_list = nkeys - n_str - n_hash - n_set - n_zset
    ex = str(TTL).encode()
    for i in range(n_str):
        key = b"str:%09d" % i
        if i % 10 == 0:
            value = b"%d" % (i * 7919)
        else:
            value = (b"value-%d-" % i) * (1 + i % 3)
        if i % 5 == 0:
            yield [b"SET", key, value, b"EX", ex]
        else:
            yield [b"SET", key, value]
    for i in range(n_hash):
        args = [b"HSET", b"hash:%09d" % i]
        for f in range(5):
            args += [b"field%d" % f, b"v%d-%d" % (i, f)]
        yield args
    for i in range(n_set):
        if i % 2:
            yield [b"SADD", b"set:%09d" % i] + [b"%d" % (i + m) for m in range(5)]
        else:
            yield [b"SADD", b"set:%09d" % i] + [b"member-%d" % m for m in range(5)]
    for i in range(n_zset):
        args = [b"ZADD", b"zset:%09d" % i]
        for m in range(5):
            args += [b"%d.5" % (i % 1000 + m), b"m%d" % m]
        yield args
    for i in range(n_list):
        yield [b"RPUSH", b"list:%09d" % i] + [b"item-%d" % e for e in range(5)]


def timed_save(srv):
    with C.Resp(srv.port, timeout=600) as c:
        t0 = time.monotonic()
        reply = c.call("SAVE")
        dt = time.monotonic() - t0
    if reply != "OK":
        raise RuntimeError("SAVE replied %r" % (reply,))
    return dt


def timed_start(name, binary, dump):
    """Starts `binary` on a copy of `dump`; returns (load seconds, wall seconds to PING)."""
    workdir = os.path.dirname(dump)
    srv = C.Server(name, binary, extra_args=["--dir", workdir, "--dbfilename",
                                             os.path.basename(dump)], ready_timeout=600)
    t0 = time.monotonic()
    srv.start()
    wall = time.monotonic() - t0
    try:
        n = C.dbsize(srv.port)
        with open(srv.logpath, "rb") as f:
            m = LOADED_RE.search(f.read().decode(errors="replace"))
        return (float(m.group(1)) if m else wall), wall, n
    finally:
        srv.stop()
        shutil.rmtree(srv.workdir, ignore_errors=True)


def one_run(name, binary, path, nkeys, keep):
    srv = C.Server(name, binary).start()
    try:
        _secs, _replies, errors = C.pipe_load(srv.port, path)
        if errors:
            raise RuntimeError("%d error replies while loading" % errors)
        n = C.dbsize(srv.port)
        if n != nkeys:
            raise RuntimeError("DBSIZE %s after loading %d keys" % (n, nkeys))
        save_s = timed_save(srv)
        dump = os.path.join(keep, "%s.rdb" % name)
        shutil.copy(os.path.join(srv.workdir, "dump.rdb"), dump)
    finally:
        srv.stop()
        if srv.workdir:
            shutil.rmtree(srv.workdir, ignore_errors=True)
    load_s, wall_s, n = timed_start(name, binary, dump)
    if n != nkeys:
        raise RuntimeError("DBSIZE %s after loading its own dump of %d keys" % (n, nkeys))
    return {"save_s": save_s, "load_s": load_s, "start_wall_s": wall_s,
            "dump_bytes": os.path.getsize(dump)}


def run(binaries, runs=3, quick=False, nkeys=NKEYS):
    if quick:
        runs = 1
        nkeys = min(nkeys, 200000)
    C.log("save_load: generating/using the mixed data set (%d keys)" % nkeys)
    path = C.cached_commands_file("mixed-%d" % nkeys, commands(nkeys))
    keep = tempfile.mkdtemp(prefix="ember-bench-save-load-")
    samples = {"ember": [], "redis": [], "ember_on_redis": []}
    errors = []
    try:
        for r in range(runs):
            for name in C.server_order(r):
                try:
                    samples[name].append(one_run(name, binaries[name], path, nkeys, keep))
                except (RuntimeError, OSError, subprocess.SubprocessError) as e:
                    C.log("  [%s] save_load run %d failed: %s" % (name, r, e))
                    errors.append("%s run %d: %s" % (name, r, e))
            redis_dump = os.path.join(keep, "redis.rdb")
            if os.path.exists(redis_dump):
                try:
                    load_s, wall_s, n = timed_start("ember", binaries["ember"], redis_dump)
                    if n != nkeys:
                        raise RuntimeError("DBSIZE %s after loading redis's dump" % n)
                    samples["ember_on_redis"].append({"load_s": load_s, "start_wall_s": wall_s})
                except (RuntimeError, OSError) as e:
                    errors.append("ember on redis dump run %d: %s" % (r, e))
    finally:
        shutil.rmtree(keep, ignore_errors=True)
    med = {k: {f: C.median([s.get(f) for s in v])
               for f in ("save_s", "load_s", "start_wall_s", "dump_bytes")}
           for k, v in samples.items()}
    rows = [
        {"metric": "SAVE seconds", "ember": med["ember"]["save_s"],
         "redis": med["redis"]["save_s"]},
        {"metric": "load seconds (own dump)", "ember": med["ember"]["load_s"],
         "redis": med["redis"]["load_s"]},
        {"metric": "load seconds (redis's dump)", "ember": med["ember_on_redis"]["load_s"],
         "redis": med["redis"]["load_s"]},
        {"metric": "start to PING (own dump)", "ember": med["ember"]["start_wall_s"],
         "redis": med["redis"]["start_wall_s"]},
        {"metric": "dump.rdb bytes", "ember": med["ember"]["dump_bytes"],
         "redis": med["redis"]["dump_bytes"]},
    ]
    for row in rows:
        row["ratio"] = C.ratio(row["ember"], row["redis"])
    return {"suite": "save_load", "params": {"keys": nkeys, "runs": runs, "ttl": TTL},
            "rows": rows, "samples": samples, "errors": errors}


def tables(res, markdown=False):
    rows = []
    for r in res["rows"]:
        digits = 0 if r["metric"].endswith("bytes") else 3
        rows.append([r["metric"], C.fmt_num(r["ember"], digits), C.fmt_num(r["redis"], digits),
                     C.fmt_ratio(r["ratio"])])
    title = ("RDB save/load (%d mixed keys, median of %d; ratio < 1 = Ember faster/smaller)"
             % (res["params"]["keys"], res["params"]["runs"]))
    return title, C.table(["metric", "ember", "redis", "ember/redis"], rows, markdown)


def main():
    ap = C.base_argparser(__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="runs per server (default 3)")
    ap.add_argument("--keys", type=int, default=NKEYS)
    args = ap.parse_args()
    res = run(C.binaries_from_args(args), runs=args.runs, quick=args.quick, nkeys=args.keys)
    title, t = tables(res)
    print(title)
    print(t)
    for e in res["errors"]:
        print("error: " + e)
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
