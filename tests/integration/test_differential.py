"""Differential test: a seeded random stream of string, key and expiry commands goes to
ember-server and to Debian's redis-server, and every reply must match exactly — RESP type,
value, and error text. The key space is tiny so commands collide on the same keys (wrong
types, overwrites, expiry flags against existing TTLs).

Timing never matters: relative expiries are far from the absolute ones (EXPIREAT/PXAT use a
base a million seconds ahead, relative TTLs stay below 200,000 s), so NX/XX/GT/LT outcomes are
the same on both servers, and TTL-style replies are compared as "non-negative" / -1 / -2.

GENERATORS below is the command set; trim it to focus on one family. On a mismatch the two
servers are resynchronised (the key space is deleted on both) so one bug does not cascade; the
test reports every mismatch with the command and both replies."""
import os
import random
import socket
import time

import pytest

KEYS = ["k1", "k2", "k3", "n1", "n2", "{t}x"]
WRONGTYPE_KEY = "wt"  # a set, created on both servers when the server supports SADD
NOW = int(time.time())
ABS_BASE = NOW + 1_000_000  # absolute expiries: far beyond any relative one


class Conn:
    """A raw RESP connection; replies are decoded into tagged tuples so the RESP type is part
    of the comparison (a status "OK" differs from a bulk "OK")."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.buf = b""

    def close(self):
        self.sock.close()

    def _line(self):
        while b"\r\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read(self):
        line = self._line()
        t, rest = line[:1].decode(), line[1:]
        if t in "$=":
            n = int(rest)
            return (t, None) if n < 0 else (t, self._exact(n + 2)[:-2])
        if t in "*~>%":
            n = int(rest)
            if n < 0:
                return (t, None)
            count = n * 2 if t == "%" else n
            return (t, tuple(self.read() for _ in range(count)))
        return (t, rest)

    def call(self, args):
        out = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            out.append(b"$%d\r\n%s\r\n" % (len(a), a))
        self.sock.sendall(b"".join(out))
        return self.read()


# --- argument pools -----------------------------------------------------------------------

INT_VALUES = ["0", "1", "-1", "10", "123", "-50", "9223372036854775807", "-9223372036854775808",
              "9223372036854775806", "007", "+1", " 1", "1.0", "abc", "", "18446744073709551616"]
FLOAT_VALUES = ["1.5", "-0.25", "1e3", "3.0e-2", "0", "10", "abc", "inf", "-inf", "nan", "1e308",
                "5.0000000000000001", "0x10", " 1", "1.", ".5"]
STR_VALUES = ["v", "hello", "", "x" * 40, "a b", "\x00\xff", "12", "3.5", "-7"]
REL_SECONDS = ["1000", "5000", "20000", "150000", "0", "-1", "-100", "abc", "1.5",
               "9223372036854775807", "100000000000000000"]
REL_MILLIS = ["2000000", "7000000", "90000000", "0", "-5", "xyz", "9223372036854775807"]


def abs_seconds(rng):
    return str(ABS_BASE + rng.choice([0, 10, 500, 9000]))


def abs_millis(rng):
    return str((ABS_BASE + rng.choice([0, 10, 500, 9000])) * 1000 + rng.choice([0, 1, 999]))


def key(rng):
    if rng.random() < 0.06:
        return WRONGTYPE_KEY
    return rng.choice(KEYS)


def value(rng):
    r = rng.random()
    if r < 0.45:
        return rng.choice(INT_VALUES)
    if r < 0.6:
        return rng.choice(FLOAT_VALUES)
    return rng.choice(STR_VALUES)


def expiry_option(rng):
    return rng.choice([
        ["EX", rng.choice(REL_SECONDS)], ["PX", rng.choice(REL_MILLIS)],
        ["EXAT", abs_seconds(rng)], ["PXAT", abs_millis(rng)], ["EXAT", "-3"], ["KEEPTTL"],
        ["ex", "100000"], ["EX"], ["PX", "1", "EX", "2"]])


def randcase(rng, word):
    return word if rng.random() < 0.8 else "".join(
        ch.lower() if rng.random() < 0.5 else ch for ch in word)


# --- command generators -----------------------------------------------------------------------

def gen_set(rng):
    args = ["SET", key(rng), value(rng)]
    opts = []
    if rng.random() < 0.3:
        opts.append([randcase(rng, rng.choice(["NX", "XX"]))])
    if rng.random() < 0.2:
        opts.append(["GET"])
    if rng.random() < 0.45:
        opts.append(expiry_option(rng))
    if rng.random() < 0.05:
        opts.append([rng.choice(["NX", "XX", "BOGUS", "KEEPTTL"])])
    rng.shuffle(opts)
    for o in opts:
        args += o
    return args


def gen_get(rng):
    return ["GET", key(rng)]


def gen_del(rng):
    return [rng.choice(["DEL", "UNLINK"])] + [key(rng) for _ in range(rng.randint(1, 3))]


def gen_exists(rng):
    return ["EXISTS"] + [key(rng) for _ in range(rng.randint(1, 4))]


def gen_incr(rng):
    c = rng.choice(["INCR", "DECR", "INCRBY", "DECRBY"])
    if c in ("INCR", "DECR"):
        return [c, key(rng)]
    return [c, key(rng), rng.choice(INT_VALUES)]


def gen_incrbyfloat(rng):
    return ["INCRBYFLOAT", key(rng), rng.choice(FLOAT_VALUES + ["1", "-3", "0.1"])]


def gen_append(rng):
    return ["APPEND", key(rng), value(rng)]


def gen_strlen(rng):
    return ["STRLEN", key(rng)]


def gen_getrange(rng):
    offs = ["0", "1", "-1", "-3", "5", "100", "-100", "abc", "9223372036854775807"]
    return [rng.choice(["GETRANGE", "SUBSTR"]), key(rng), rng.choice(offs), rng.choice(offs)]


def gen_setrange(rng):
    off = rng.choice(["0", "1", "3", "10", "64", "-1", "abc", "536870912", "536870911"])
    val = rng.choice(["", "xyz", "Q", "hello"])
    if off.startswith("5368709") and val:
        val = "Q"  # keep the allowed-maximum case cheap only when it errors
        off = "536870912"
    return ["SETRANGE", key(rng), off, val]


def gen_mset(rng):
    c = rng.choice(["MSET", "MSETNX"])
    args = [c]
    for _ in range(rng.randint(1, 3)):
        args += [key(rng), value(rng)]
    if rng.random() < 0.05:
        args.append(key(rng))  # odd number of arguments
    return args


def gen_mget(rng):
    return ["MGET"] + [key(rng) for _ in range(rng.randint(1, 4))]


def gen_getdel(rng):
    return ["GETDEL", key(rng)]


def gen_getex(rng):
    args = ["GETEX", key(rng)]
    r = rng.random()
    if r < 0.5:
        args += expiry_option(rng)
    elif r < 0.7:
        args.append("PERSIST")
    elif r < 0.75:
        args += ["PERSIST", "EX", "10"]
    return args


def gen_getset(rng):
    return ["GETSET", key(rng), value(rng)]


def gen_setnx(rng):
    c = rng.choice(["SETNX", "SETEX", "PSETEX"])
    if c == "SETNX":
        return [c, key(rng), value(rng)]
    t = rng.choice(REL_SECONDS) if c == "SETEX" else rng.choice(REL_MILLIS)
    return [c, key(rng), t, value(rng)]


def gen_expire(rng):
    c = rng.choice(["EXPIRE", "PEXPIRE", "EXPIREAT", "PEXPIREAT"])
    if c == "EXPIRE":
        t = rng.choice(REL_SECONDS)
    elif c == "PEXPIRE":
        t = rng.choice(REL_MILLIS)
    elif c == "EXPIREAT":
        t = abs_seconds(rng) if rng.random() < 0.9 else rng.choice(["1", "0", "abc"])
    else:
        t = abs_millis(rng) if rng.random() < 0.9 else rng.choice(["1", "0", "abc"])
    args = [c, key(rng), t]
    r = rng.random()
    if r < 0.5:
        args.append(randcase(rng, rng.choice(["NX", "XX", "GT", "LT"])))
    elif r < 0.6:
        args += rng.choice([["NX", "XX"], ["GT", "LT"], ["NX", "GT"], ["XX", "GT"], ["FOO"],
                            ["XX", "XX"]])
    return args


def gen_persist(rng):
    return ["PERSIST", key(rng)]


def gen_ttl(rng):
    return [rng.choice(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), key(rng)]


def gen_type(rng):
    return ["TYPE", key(rng)]


def gen_rename(rng):
    return [rng.choice(["RENAME", "RENAMENX"]), key(rng), key(rng)]


def gen_object(rng):
    # IDLETIME is left out: it depends on when the two servers last touched the key.
    # REFCOUNT is left out: Redis reports 2147483647 for its shared small integers but 1 for a
    # COPY of one; Ember shares nothing and reports the shared value for every small integer
    # (a documented difference, see docs/compatibility.md).
    return ["OBJECT", rng.choice(["ENCODING", "FREQ", "nosuch"]), key(rng)]


def gen_lcs(rng):
    args = ["LCS", key(rng), key(rng)]
    return args + rng.choice([[], ["LEN"], ["IDX"], ["IDX", "MINMATCHLEN", "2"],
                              ["IDX", "WITHMATCHLEN"], ["LEN", "IDX"], ["BAD"]])


def gen_copy(rng):
    return ["COPY", key(rng), key(rng)] + rng.choice([[], ["REPLACE"], ["DB", "0"], ["DB", "x"]])


def gen_bad_arity(rng):
    """A valid command shape with arguments dropped or added."""
    args = rng.choice([gen_set, gen_get, gen_incr, gen_getrange, gen_setrange, gen_expire,
                       gen_getset, gen_strlen, gen_append, gen_rename, gen_ttl, gen_type,
                       gen_persist, gen_getdel, gen_mget, gen_exists])(rng)
    if rng.random() < 0.5:
        return args[:1]
    return args + ["extra"] * rng.randint(1, 3)


# Trim this list to focus the test on fewer command families.
GENERATORS = [
    (gen_set, 12), (gen_get, 8), (gen_del, 3), (gen_exists, 3), (gen_incr, 8),
    (gen_incrbyfloat, 5), (gen_append, 4), (gen_strlen, 3), (gen_getrange, 4),
    (gen_setrange, 4), (gen_mset, 4), (gen_mget, 3), (gen_getdel, 2), (gen_getex, 4),
    (gen_getset, 2), (gen_setnx, 3), (gen_expire, 10), (gen_persist, 3), (gen_ttl, 6),
    (gen_type, 3), (gen_rename, 3), (gen_object, 2), (gen_lcs, 2), (gen_copy, 2),
    (gen_bad_arity, 3),
]
ONLY = os.environ.get("EMBER_DIFF_ONLY")  # e.g. "gen_expire,gen_ttl"
if ONLY:
    GENERATORS = [(g, w) for g, w in GENERATORS if g.__name__ in ONLY.split(",")]


# --- comparison -------------------------------------------------------------------------------

TIME_REPLY_COMMANDS = {"TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"}


def normalize(cmd, reply):
    """TTL-style integer replies only keep their sign class (-2, -1, or non-negative);
    relative TTLs differ by the few milliseconds between the two servers."""
    if cmd.upper() in TIME_REPLY_COMMANDS and reply[0] == ":":
        n = int(reply[1])
        return (":", n) if n < 0 else (":", ">=0")
    return reply


def resync(e, r):
    for c in (e, r):
        c.call(["DEL"] + KEYS)


def setup_wrongtype(e, r):
    for c in (e, r):
        c.call(["DEL", WRONGTYPE_KEY])
    if e.call(["SADD", WRONGTYPE_KEY, "member"])[0] == "-":
        return False  # sets not implemented yet: the key stays absent on both
    r.call(["SADD", WRONGTYPE_KEY, "member"])
    return True


def run_stream(ember_port, redis_port, seed, count, resp=2):
    rng = random.Random(seed)
    gens = [g for g, w in GENERATORS for _ in range(w)]
    e, r = Conn(ember_port), Conn(redis_port)
    mismatches = []
    try:
        if resp == 3:
            e.call(["HELLO", "3"])
            r.call(["HELLO", "3"])
        resync(e, r)
        setup_wrongtype(e, r)
        for i in range(count):
            args = rng.choice(gens)(rng)
            got, want = e.call(args), r.call(args)
            if normalize(args[0], got) != normalize(args[0], want):
                mismatches.append((seed, i, args, got, want))
                resync(e, r)
        for k in KEYS:  # the final state matches too
            for probe in (["TYPE", k], ["GET", k], ["TTL", k]):
                got, want = e.call(probe), r.call(probe)
                if normalize(probe[0], got) != normalize(probe[0], want):
                    mismatches.append((seed, "final", probe, got, want))
    finally:
        e.close()
        r.close()
    return mismatches


def format_mismatches(mismatches, limit=40):
    lines = []
    for seed, i, args, got, want in mismatches[:limit]:
        lines.append("seed=%s #%s %r\n    ember: %r\n    redis: %r" % (seed, i, args, got, want))
    if len(mismatches) > limit:
        lines.append("... %d more" % (len(mismatches) - limit))
    return "\n".join(lines)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_differential_strings_keys_expiry(ember_server, redis_server, seed):
    mismatches = run_stream(ember_server.port, redis_server.port, seed, 3000)
    assert not mismatches, "\n" + format_mismatches(mismatches)


@pytest.mark.parametrize("seed", [101, 102])
def test_differential_resp3(ember_server, redis_server, seed):
    mismatches = run_stream(ember_server.port, redis_server.port, seed, 2000, resp=3)
    assert not mismatches, "\n" + format_mismatches(mismatches)
