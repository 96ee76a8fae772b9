#!/usr/bin/python3
"""Pub/Sub fan-out: delivered messages per second, PUBLISH to 1 / 100 / 1,000 subscribers.

Each cell starts a fresh server (client-output-buffer-limit off on both, so a momentarily
slow reader is never dropped), connects N subscriber sockets spread over a few reader
processes, and has one publisher send M pipelined `PUBLISH bench <payload>` (a window of
batches in flight). Readers recv() in large chunks (1 MB receive buffers) and count the
"message" frames they get; the cell's time runs from the first PUBLISH until every reader
has counted all N x M messages, so the rate is what subscribers actually received, not what
the server queued. Ember and redis-server alternate within each round; medians over rounds
and the median of per-round ratios are reported. Server on CPU 1; readers and publisher on
CPU 0 (the readers' per-message work is a C-level byte count, far below the server's).
"""

import multiprocessing as mp
import os
import select
import socket
import sys
import time

import common as C

SUBSCRIBERS = (1, 100, 1000)
PAYLOAD = 32          # bytes per message
BATCH = 100           # PUBLISH commands per pipelined write
WINDOW = 8            # batches in flight
RCVBUF = 1 << 20
PATTERN = b"\r\nmessage\r\n"  # inside every "$7\r\nmessage\r\n" frame header


def pin_client_cpu():
    try:
        cpu = int(C.CLIENT_CPU)
        if cpu < (os.cpu_count() or 1):
            os.sched_setaffinity(0, {cpu})
    except (OSError, AttributeError, ValueError):
        pass


def reader_main(port, nsock, expect_each, ready, go, result):
    """Subscribes nsock sockets, then counts messages until each got expect_each."""
    pin_client_cpu()
    socks = []
    for _ in range(nsock):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RCVBUF)
        s.connect(("127.0.0.1", port))
        s.sendall(C.resp(b"SUBSCRIBE", b"bench"))
        socks.append(s)
    for s in socks:  # the confirmation (its own frame, not counted)
        buf = b""
        while not buf.endswith(b":1\r\n"):
            buf += s.recv(4096)
        s.setblocking(False)
    ready.put(nsock)
    go.wait()
    counts = {s.fileno(): 0 for s in socks}
    carry = {s.fileno(): b"" for s in socks}
    by_fd = {s.fileno(): s for s in socks}
    ep = select.epoll()
    for s in socks:
        ep.register(s.fileno(), select.EPOLLIN)
    left = len(socks)
    keep = len(PATTERN) - 1
    deadline = time.monotonic() + 120
    while left and time.monotonic() < deadline:
        for fd, _ in ep.poll(1.0):
            s = by_fd[fd]
            try:
                data = s.recv(1 << 20)
            except BlockingIOError:
                continue
            if not data:
                ep.unregister(fd)
                left -= 1
                continue
            chunk = carry[fd] + data
            counts[fd] += chunk.count(PATTERN)
            carry[fd] = chunk[-keep:]
            if counts[fd] >= expect_each:
                ep.unregister(fd)
                left -= 1
    result.put((time.monotonic(), sum(counts.values())))
    for s in socks:
        s.close()


def publish(port, total):
    """Sends `total` PUBLISHes in pipelined batches; returns when all replies are read."""
    s = socket.create_connection(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    one = C.resp(b"PUBLISH", b"bench", b"p" * PAYLOAD)
    batch = one * BATCH
    sent = done = 0
    carry = b""
    while done < total:
        while sent < total and sent - done < WINDOW * BATCH:
            n = min(BATCH, total - sent)
            s.sendall(batch if n == BATCH else one * n)
            sent += n
        data = s.recv(1 << 20)
        if not data:
            raise RuntimeError("publisher connection closed")
        data = carry + data  # each reply (":N") ends in exactly one CRLF
        done += data.count(b"\r\n")
        carry = b"\r" if data.endswith(b"\r") else b""
    s.close()


def one_cell(binary, name, nsubs, msgs):
    """Delivered messages per second for nsubs subscribers and msgs PUBLISHes."""
    srv = C.Server(name, binary, ["--client-output-buffer-limit", "pubsub 0 0 0"]).start()
    try:
        nproc = 1 if nsubs < 100 else 4
        per = [nsubs // nproc + (1 if i < nsubs % nproc else 0) for i in range(nproc)]
        ctx = mp.get_context("fork")
        ready, result, go = ctx.Queue(), ctx.Queue(), ctx.Event()
        procs = [ctx.Process(target=reader_main, args=(srv.port, n, msgs, ready, go, result))
                 for n in per if n]
        for p in procs:
            p.start()
        for _ in procs:
            ready.get(timeout=120)
        pin_client_cpu()
        go.set()
        t0 = time.monotonic()
        publish(srv.port, msgs)
        ends = [result.get(timeout=180) for _ in procs]
        for p in procs:
            p.join(timeout=30)
        got = sum(n for _, n in ends)
        elapsed = max(t for t, _ in ends) - t0
        if got < nsubs * msgs:
            raise RuntimeError("%s: %d of %d messages delivered" % (name, got, nsubs * msgs))
        return got / elapsed
    finally:
        srv.stop()


def run(binaries, rounds=5, quick=False, duration=None):
    del duration  # cells are sized by message count, not time
    total = 1000000 if quick else 4000000  # deliveries per cell
    cells, errors = [], []
    for nsubs in SUBSCRIBERS:
        msgs = max(total // nsubs, 2000) if nsubs > 1 else total // 4
        samples = {"ember": [], "redis": []}
        for r in range(rounds):
            for name in C.server_order(r):
                try:
                    rate = one_cell(binaries[name], name, nsubs, msgs)
                except (RuntimeError, OSError) as e:
                    errors.append(str(e))
                    rate = None
                samples[name].append(rate)
                C.log("  subscribers=%d round %d %s: %s msg/s" % (nsubs, r, name,
                                                                C.fmt_num(rate)))
        cells.append({"subscribers": nsubs, "publishes": msgs, "samples": samples,
                      "ember": C.median(samples["ember"]), "redis": C.median(samples["redis"]),
                      "ratio": C.paired_ratio(samples["ember"], samples["redis"]),
                      "spread": {n: C.spread(samples[n]) for n in samples}})
    return {"params": {"rounds": rounds, "payload": PAYLOAD, "batch": BATCH, "window": WINDOW},
            "cells": cells, "geomean_ratio": C.geomean([c["ratio"] for c in cells]),
            "errors": errors}


def tables(res, markdown=False):
    rows = []
    for c in res["cells"]:
        rows.append([c["subscribers"], C.fmt_num(c["publishes"]), C.fmt_num(c["ember"]),
                     C.fmt_num(c["redis"]), C.fmt_ratio(c["ratio"]),
                     "%s / %s" % (C.fmt_pct(c["spread"]["ember"]),
                                  C.fmt_pct(c["spread"]["redis"]))])
    p = res["params"]
    title = ("Pub/Sub fan-out (delivered messages/s, %d-byte payload, %d rounds, pipelined %d x "
             "%d; ratio > 1 = Ember better)" % (p["payload"], p["rounds"], p["batch"],
                                                 p["window"]))
    return title, C.table(["subscribers", "publishes", "ember msg/s", "redis msg/s",
                           "ember/redis", "spread e/r"], rows, markdown)


def main():
    global PAYLOAD
    ap = C.base_argparser(__doc__.splitlines()[0])
    ap.add_argument("--payload", type=int, default=PAYLOAD,
                    help="message bytes (default %d; above ~500 Ember shares the encoded "
                         "message between subscribers instead of copying it)" % PAYLOAD)
    args = ap.parse_args()
    PAYLOAD = args.payload
    res = run(C.binaries_from_args(args), rounds=args.rounds, quick=args.quick)
    title, t = tables(res)
    print(title)
    print(t)
    for e in res["errors"]:
        print("error:", e)
    return 1 if res["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
