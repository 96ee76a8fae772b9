"""Wire-protocol tests over raw sockets: pipelining, requests split across writes, inline
commands, protocol errors (exact texts, then the connection closes, others keep working), huge
bulks, a seeded random-bytes fuzz loop, unknown-command/arity texts, HELLO/RESP3 and AUTH.
Where the behaviour is subtle the same bytes go to Debian's redis-server and the replies are
compared byte for byte."""
import random
import socket

import pytest

from conftest import REDIS


class Conn:
    """A raw socket with a buffered RESP reader."""

    def __init__(self, port, timeout=10.0):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise ConnectionError("closed by peer")
        self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _exact(self, n):
        while len(self.buf) < n:
            self._fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def read(self):
        """Reads one RESP2/RESP3 value. Errors come back as ('err', text); simple strings as
        str; doubles as ('double', text); maps as dict-like lists of pairs tagged 'map'."""
        line = self._line()
        t, rest = line[:1], line[1:]
        if t == b"+":
            return rest.decode()
        if t == b"-":
            return ("err", rest.decode())
        if t == b":":
            return int(rest)
        if t == b",":
            return ("double", rest.decode())
        if t == b"#":
            return rest == b"t"
        if t == b"_":
            return None
        if t == b"(":
            return ("big", rest.decode())
        if t in (b"$", b"="):
            n = int(rest)
            if n < 0:
                return None
            data = self._exact(n + 2)[:-2]
            return ("verbatim", data) if t == b"=" else data
        if t in (b"*", b"~", b">"):
            n = int(rest)
            if n < 0:
                return None
            items = [self.read() for _ in range(n)]
            return {b"*": items, b"~": ("set", items), b">": ("push", items)}[t]
        if t == b"%":
            n = int(rest)
            return ("map", [(self.read(), self.read()) for _ in range(n)])
        raise AssertionError("bad RESP type byte: %r" % line)

    def call(self, *args):
        self.send(encode(*args))
        return self.read()

    def read_until_closed(self):
        """Everything the server sends until it closes the connection."""
        data = self.buf
        self.buf = b""
        while True:
            try:
                chunk = self.sock.recv(1 << 16)
            except ConnectionResetError:
                return data
            except socket.timeout:
                return data + b"<still open>"
            if not chunk:
                return data
            data += chunk


def encode(*args):
    out = [b"*%d\r\n" % len(args)]
    for a in args:
        if isinstance(a, str):
            a = a.encode()
        elif isinstance(a, int):
            a = str(a).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(a), a))
    return b"".join(out)


def raw_exchange(port, data):
    """Sends `data` on a fresh connection and returns every byte received until close."""
    c = Conn(port, timeout=5.0)
    try:
        c.send(data)
        return c.read_until_closed()
    finally:
        c.close()


@pytest.fixture
def port(ember_server, r):
    return ember_server.port


def assert_still_serving(port):
    c = Conn(port)
    assert c.call("PING") == "PONG"
    c.close()


# --- pipelining and framing -------------------------------------------------------------------

def test_pipeline_10k_commands_in_one_write(port):
    c = Conn(port)
    n = 10000
    payload = b"".join(encode("SET", "k%d" % i, "v%d" % i) for i in range(n))
    payload += b"".join(encode("GET", "k%d" % i) for i in range(n))
    payload += encode("DBSIZE")
    c.send(payload)
    for _ in range(n):
        assert c.read() == "OK"
    for i in range(n):
        assert c.read() == b"v%d" % i
    assert c.read() == n
    c.close()


def test_request_split_byte_by_byte(port):
    c = Conn(port)
    c.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    data = encode("SET", "split", "hello world") + encode("GET", "split") + b"PING\r\n"
    for i in range(len(data)):
        c.send(data[i:i + 1])
    assert c.read() == "OK"
    assert c.read() == b"hello world"
    assert c.read() == "PONG"
    c.close()


def test_many_pipelined_requests_split_at_every_offset(port):
    c = Conn(port)
    data = encode("SET", "a", "1") + encode("INCR", "a") + encode("GET", "a")
    for cut in range(1, len(data)):
        c.send(data[:cut])
        c.send(data[cut:])
        assert c.read() == "OK"
        assert c.read() == 2
        assert c.read() == b"2"
    c.close()


def test_empty_multibulk_and_blank_lines_are_ignored(port):
    c = Conn(port)
    c.send(b"*0\r\n\r\n\r\n*-1\r\nPING\r\n")
    assert c.read() == "PONG"
    c.close()


# --- inline commands --------------------------------------------------------------------------

def test_inline_commands(port):
    c = Conn(port)
    c.send(b"SET inl 'hello world'\r\nGET inl\r\n")
    assert c.read() == "OK"
    assert c.read() == b"hello world"
    c.send(b'SET esc "a\\x41\\n\\tb"\nGET esc\n')  # bare \n works too (telnet/nc)
    assert c.read() == "OK"
    assert c.read() == b"aA\n\tb"
    c.send(b"   ping   \r\n")
    assert c.read() == "PONG"
    c.send(b'echo ""\r\n')
    assert c.read() == b""
    c.close()


def test_inline_matches_redis(port, redis_server):
    data = (b"SET q \"x y\"\r\nGET q\r\nSET s 'it\\'s'\r\nGET s\r\nECHO \"\\x4g\"\r\n"
            b"ECHO a\"b\"\r\nQUIT\r\n")
    assert raw_exchange(port, data) == raw_exchange(redis_server.port, data)


def random_inline_line(rng):
    alphabet = ['"', "'", "\\", " ", "  ", "x", "ab", "\\x4", "\\x41", "\\n", "\t", "z"]
    return ("ECHO " + "".join(rng.choice(alphabet) for _ in range(rng.randrange(1, 10)))).encode()


def test_inline_quoting_fuzz_matches_redis(port, redis_server):
    # Each line either parses (an ECHO reply or an arity/unknown error, then QUIT's +OK) or is
    # refused with the unbalanced-quotes error and the connection closes: deterministic.
    rng = random.Random(4242)
    for _ in range(300):
        data = random_inline_line(rng) + b"\r\nQUIT\r\n"
        assert raw_exchange(port, data) == raw_exchange(redis_server.port, data), data


# --- protocol errors ----------------------------------------------------------------------------

PROTOCOL_ERRORS = [
    (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*3000000000\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*1\r\nfoo\r\n", b"-ERR Protocol error: expected '$', got 'f'\r\n"),
    (b"*2\r\n$3\r\nGET\r\n:1\r\n", b"-ERR Protocol error: expected '$', got ':'\r\n"),
    (b"*1\r\n$abc\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$-1\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$9999999999999\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"x" * (70 * 1024), b"-ERR Protocol error: too big inline request\r\n"),
    (b"*" + b"1" * (70 * 1024), b"-ERR Protocol error: too big mbulk count string\r\n"),
    (b"*1\r\n$" + b"1" * (70 * 1024), b"-ERR Protocol error: too big bulk count string\r\n"),
    # Lengths follow strict integer rules: no leading zeros, no "-0", no '+'.
    (b"*01\r\n$4\r\nPING\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*-0\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*+1\r\n$4\r\nPING\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
    (b"*1\r\n$04\r\nPING\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$-0\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b"*1\r\n$+4\r\nPING\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
    (b'SET k "unbalanced\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    (b"SET k 'x\r\n", b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    (b'SET k "a"b\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
]


@pytest.mark.parametrize("data,expected", PROTOCOL_ERRORS)
def test_protocol_error_text_then_close(port, data, expected):
    other = Conn(port)
    assert raw_exchange(port, data) == expected
    assert other.call("PING") == "PONG"
    other.close()
    assert_still_serving(port)


@pytest.mark.parametrize("data,expected", PROTOCOL_ERRORS)
def test_protocol_error_matches_redis(redis_server, data, expected):
    # Guards the expectations above against the reference implementation.
    assert raw_exchange(redis_server.port, data) == expected


def test_protocol_error_after_good_commands_keeps_earlier_replies(port, redis_server):
    data = encode("SET", "pe", "1") + encode("GET", "pe") + b"*1\r\n$x\r\n" + encode("PING")
    expected = b"+OK\r\n$1\r\n1\r\n-ERR Protocol error: invalid bulk length\r\n"
    assert raw_exchange(port, data) == expected
    assert raw_exchange(redis_server.port, data) == expected


def test_bulk_length_above_proto_max_bulk_len(server_factory):
    s = server_factory("--proto-max-bulk-len", "1mb")
    too_big = b"*2\r\n$3\r\nGET\r\n$%d\r\n" % (1024 * 1024 + 1)
    assert raw_exchange(s.port, too_big) == b"-ERR Protocol error: invalid bulk length\r\n"
    c = Conn(s.port)
    value = b"v" * (1024 * 1024)  # exactly the limit is fine
    assert c.call("SET", "k", value) == "OK"
    assert c.call("STRLEN", "k") == 1024 * 1024
    c.close()


def test_unauthenticated_limits(server_factory, redis_server):
    s = server_factory("--requirepass", "secret")
    big_mbulk = b"*11\r\n"
    big_bulk = b"*1\r\n$16385\r\n"
    assert raw_exchange(s.port, big_mbulk) == (
        b"-ERR Protocol error: unauthenticated multibulk length\r\n")
    assert raw_exchange(s.port, big_bulk) == (
        b"-ERR Protocol error: unauthenticated bulk length\r\n")
    # Exactly at the limits the request parses and is refused with NOAUTH instead.
    c = Conn(s.port)
    assert c.call(*(["SET", "k"] + ["x"] * 8)) == ("err", "NOAUTH Authentication required.")
    assert c.call("ECHO", "y" * 16384) == ("err", "NOAUTH Authentication required.")
    # After AUTH the limits no longer apply.
    assert c.call("AUTH", "secret") == "OK"
    assert c.call("ECHO", "y" * 100000) == b"y" * 100000
    assert c.call(*(["MSET"] + ["a", "b"] * 20)) == "OK"
    c.close()


# --- big values ---------------------------------------------------------------------------------

def test_huge_bulk_roundtrip(port):
    c = Conn(port, timeout=60)
    value = bytes(random.Random(7).getrandbits(8) for _ in range(4096)) * (50 * 256)  # 50 MiB
    assert c.call("SET", "huge", value) == "OK"
    assert c.call("STRLEN", "huge") == len(value)
    assert c.call("GET", "huge") == value
    assert c.call("DEL", "huge") == 1
    c.close()


def test_huge_bulk_sent_in_small_pieces_with_pipelined_tail(port):
    c = Conn(port, timeout=60)
    value = b"z" * (3 * 1024 * 1024 + 17)
    data = encode("SET", "big", value) + encode("STRLEN", "big")
    for i in range(0, len(data), 65521):
        c.send(data[i:i + 65521])
    assert c.read() == "OK"
    assert c.read() == len(value)
    c.close()


# --- fuzz -----------------------------------------------------------------------------------

def fuzz_input(rng):
    kind = rng.randrange(4)
    if kind == 0:  # random bytes
        return bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 64)))
    pieces = [b"*", b"$", b"\r\n", b"\n", b"-1", b"0", b"3", b"10", b"PING", b"GET", b"SET",
              b'"', b"'", b"\\x", b" ", b"k", b"99999999999", b":", b"\x00"]
    data = b"".join(rng.choice(pieces) for _ in range(rng.randrange(1, 20)))
    if kind == 2:  # a valid request with one byte flipped
        data = bytearray(encode("SET", "fz", "v" * rng.randrange(0, 20)))
        data[rng.randrange(len(data))] = rng.getrandbits(8)
        data = bytes(data)
    return data


def test_random_bytes_fuzz_then_ping(port):
    rng = random.Random(20240917)
    conns = []
    for i in range(3000):
        if not conns or rng.random() < 0.2:
            if len(conns) > 20:
                conns.pop(0).close()
            conns.append(Conn(port))
        c = rng.choice(conns)
        try:
            c.send(fuzz_input(rng))
        except OSError:
            conns.remove(c)
            c.close()
    for c in conns:
        c.close()
    assert_still_serving(port)
    c = Conn(port)
    assert c.call("SET", "after", "fuzz") == "OK"
    assert c.call("GET", "after") == b"fuzz"
    c.close()


# --- command errors -------------------------------------------------------------------------

def test_unknown_command_and_arity_texts(port, redis_server):
    cases = [
        ("foo", "a", "b"),
        ("foo",),
        ("FOO", "x" * 200),
        ("foo", "a", "b", "c", "d", "e"),
        ("get",),
        ("GET", "a", "b"),
        ("set", "k"),
        ("config", "nosuch"),
        ("ping", "a", "b"),
    ]
    e = Conn(port)
    rs = Conn(redis_server.port)
    for args in cases:
        assert e.call(*args) == rs.call(*args), args
    assert e.call("foo", "a", "b") == (
        "err", "ERR unknown command 'foo', with args beginning with: 'a' 'b' ")
    assert e.call("get") == ("err", "ERR wrong number of arguments for 'get' command")
    e.close()
    rs.close()


def test_unknown_command_inline(port):
    c = Conn(port)
    c.send(b"nosuchcmd x y\r\n")
    assert c.read() == ("err", "ERR unknown command 'nosuchcmd', with args beginning with: "
                               "'x' 'y' ")
    c.close()


# --- HELLO / RESP3 --------------------------------------------------------------------------

def test_hello3_map_and_resp3_types(port):
    c = Conn(port)
    reply = c.call("HELLO", "3")
    assert reply[0] == "map"
    fields = {k: v for k, v in reply[1]}
    assert fields[b"server"] == b"redis"
    assert fields[b"proto"] == 3
    assert fields[b"mode"] == b"standalone"
    assert fields[b"role"] == b"master"
    assert isinstance(fields[b"id"], int)
    assert fields[b"modules"] == []
    assert c.call("GET", "nokey") is None  # "_"
    c.send(encode("GET", "nokey"))
    assert c.sock.recv(16) == b"_\r\n"
    assert c.call("SET", "f", "1.5") == "OK"
    assert c.call("INCRBYFLOAT", "f", "1") == b"2.5"  # still a bulk in RESP3
    back = c.call("HELLO", "2")
    assert isinstance(back, list) and back[:2] == [b"server", b"redis"]
    c.send(encode("GET", "nokey"))
    assert c.sock.recv(16) == b"$-1\r\n"
    c.close()


def test_hello_errors(port, redis_server):
    e = Conn(port)
    rs = Conn(redis_server.port)
    for args in [("HELLO", "4"), ("HELLO", "1"), ("HELLO", "abc"), ("HELLO", "3", "FOO"),
                 ("HELLO", "3", "AUTH", "default"), ("HELLO", "3", "SETNAME", "a b")]:
        assert e.call(*args) == rs.call(*args), args
    assert e.call("HELLO", "4") == ("err", "NOPROTO unsupported protocol version")
    e.close()
    rs.close()


# --- AUTH -------------------------------------------------------------------------------------

def test_auth_without_password_configured(port, redis_server):
    e = Conn(port)
    rs = Conn(redis_server.port)
    expected = ("err", "ERR AUTH <password> called without any password configured for the "
                       "default user. Are you sure your configuration is correct?")
    assert e.call("AUTH", "x") == expected
    assert rs.call("AUTH", "x") == expected
    assert e.call("AUTH", "default", "x") == rs.call("AUTH", "default", "x")
    assert e.call("AUTH", "bob", "x") == rs.call("AUTH", "bob", "x")
    e.close()
    rs.close()


def test_auth_with_requirepass(server_factory):
    s = server_factory("--requirepass", "s3cret")
    c = Conn(s.port)
    assert c.call("GET", "k") == ("err", "NOAUTH Authentication required.")
    assert c.call("PING") == ("err", "NOAUTH Authentication required.")
    assert c.call("AUTH", "wrong") == (
        "err", "WRONGPASS invalid username-password pair or user is disabled.")
    assert c.call("AUTH", "default", "wrong")[0] == "err"
    assert c.call("AUTH", "s3cret") == "OK"
    assert c.call("SET", "k", "v") == "OK"
    assert c.call("GET", "k") == b"v"
    c.close()

    c = Conn(s.port)
    assert c.call("AUTH", "default", "s3cret") == "OK"
    assert c.call("GET", "k") == b"v"
    c.close()

    c = Conn(s.port)
    assert c.call("HELLO", "3")[1].startswith("NOAUTH HELLO must be called")
    assert c.call("HELLO", "3", "AUTH", "default", "nope") == (
        "err", "WRONGPASS invalid username-password pair or user is disabled.")
    reply = c.call("HELLO", "3", "AUTH", "default", "s3cret", "SETNAME", "me")
    assert reply[0] == "map"
    assert c.call("CLIENT", "GETNAME") == b"me"
    assert c.call("GET", "k") == b"v"
    c.close()


def test_auth_texts_match_redis(server_factory):
    e = server_factory("--requirepass", "pw")
    rs = server_factory("--requirepass", "pw", binary=REDIS)
    script = [("GET", "k"), ("AUTH", "bad"), ("AUTH", "a", "b", "c"), ("HELLO", "3"),
              ("HELLO", "2", "AUTH", "default", "bad"), ("AUTH", "pw"), ("SET", "k", "v"),
              ("GET", "k")]
    ce, cr = Conn(e.port), Conn(rs.port)
    for args in script:
        got, want = ce.call(*args), cr.call(*args)
        if args == ("HELLO", "3"):
            # Redis 7.2 says "HELLO <proto> AUTH"; Debian's 7.0 lacks "<proto> ".
            want = ("err", want[1].replace("HELLO AUTH", "HELLO <proto> AUTH"))
        assert got == want, args
    ce.close()
    cr.close()


def test_quit_closes_after_reply(port):
    c = Conn(port)
    c.send(encode("QUIT") + encode("PING"))
    assert c.read_until_closed() == b"+OK\r\n"
    c.close()
