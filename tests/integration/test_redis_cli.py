"""redis-cli and redis-benchmark, unchanged, against ember-server: one-shot commands, --raw,
-n (SELECT), -a with requirepass, --pipe mass insertion, and a short benchmark run. Each test
also runs against Debian's redis-server so the expected output is the reference's."""
import shutil
import subprocess

import pytest

from conftest import EMBER, REDIS

CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"
BENCH = shutil.which("redis-benchmark") or "/usr/bin/redis-benchmark"

pytestmark = pytest.mark.skipif(not shutil.which("redis-cli"), reason="redis-cli not installed")


@pytest.fixture(params=["ember", "redis"])
def binary(request):
    return EMBER if request.param == "ember" else REDIS


def cli(port, *args, stdin=None, timeout=60):
    res = subprocess.run([CLI, "-h", "127.0.0.1", "-p", str(port)] + list(args),
                         input=stdin, capture_output=True, timeout=timeout)
    return res


def out(port, *args):
    res = cli(port, *args)
    assert res.returncode == 0, res.stderr
    return res.stdout.decode()


def test_ping_set_get(server_factory, binary):
    s = server_factory(binary=binary)
    assert out(s.port, "ping") == "PONG\n"
    assert out(s.port, "set", "k", "v") == "OK\n"
    assert out(s.port, "get", "k") == "v\n"
    assert out(s.port, "get", "missing") == "\n"  # nil prints as an empty line when piped
    assert out(s.port, "incr", "n") == "1\n"
    assert out(s.port, "mget", "k", "missing", "n") == "v\n\n1\n"


def test_error_output(server_factory, binary):
    s = server_factory(binary=binary)
    assert out(s.port, "nosuchcommand", "a").startswith(
        "ERR unknown command 'nosuchcommand', with args beginning with: 'a'")
    # Piped (not a tty), redis-cli prints an error and then an empty line.
    assert out(s.port, "get") == "ERR wrong number of arguments for 'get' command\n\n"


def test_raw_output(server_factory, binary):
    s = server_factory(binary=binary)
    assert out(s.port, "set", "k", "line1\nline2") == "OK\n"
    assert out(s.port, "--raw", "get", "k") == "line1\nline2\n"
    assert out(s.port, "--no-raw", "get", "k") == '"line1\\nline2"\n'
    assert out(s.port, "get", "k") == "line1\nline2\n"  # piped output is raw by default
    assert out(s.port, "--raw", "incr", "n") == "1\n"


def test_select_with_n(server_factory, binary):
    s = server_factory(binary=binary)
    assert out(s.port, "-n", "2", "set", "k", "in-db-2") == "OK\n"
    assert out(s.port, "get", "k") == "\n"
    assert out(s.port, "-n", "2", "get", "k") == "in-db-2\n"
    c = s.client(db=2)
    assert c.get("k") == "in-db-2"
    c.close()


def test_password_with_a(server_factory, binary):
    s = server_factory("--requirepass", "s3cret", binary=binary)
    assert out(s.port, "ping") == "NOAUTH Authentication required.\n\n"
    assert out(s.port, "-a", "s3cret", "--no-auth-warning", "ping") == "PONG\n"
    assert out(s.port, "-a", "s3cret", "--no-auth-warning", "set", "k", "v") == "OK\n"
    wrong = out(s.port, "-a", "nope", "--no-auth-warning", "ping")
    assert "WRONGPASS" in wrong or "NOAUTH" in wrong


def test_pipe_mode_100k_keys(server_factory, binary):
    s = server_factory(binary=binary)
    n = 100000
    payload = b"".join(b"*3\r\n$3\r\nSET\r\n$%d\r\nkey:%d\r\n$%d\r\nval:%d\r\n"
                       % (len(b"key:%d" % i), i, len(b"val:%d" % i), i) for i in range(n))
    res = cli(s.port, "--pipe", stdin=payload, timeout=120)
    assert res.returncode == 0, res.stderr
    text = res.stdout.decode()
    assert "errors: 0, replies: %d" % n in text
    c = s.client()
    assert c.dbsize() == n
    assert c.get("key:99999") == "val:99999"
    c.close()


def test_pipe_mode_reports_errors(server_factory, binary):
    s = server_factory(binary=binary)
    payload = b"SET a 1\r\nINCR a\r\nNOSUCH x\r\nGET\r\n"
    res = cli(s.port, "--pipe", stdin=payload)
    assert "errors: 2, replies: 4" in res.stdout.decode()


def test_benchmark_set_get(server_factory, binary):
    if not shutil.which("redis-benchmark"):
        pytest.skip("redis-benchmark not installed")
    s = server_factory(binary=binary)
    res = subprocess.run([BENCH, "-h", "127.0.0.1", "-p", str(s.port), "-t", "set,get",
                          "-n", "10000", "-q"], capture_output=True, timeout=120)
    assert res.returncode == 0, res.stderr
    text = res.stdout.decode()
    assert "SET:" in text and "GET:" in text
    assert "requests per second" in text
