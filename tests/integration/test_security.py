"""Safe defaults, each checked against Debian's redis-server where the behaviour is visible on the
wire: protected mode (needs a non-loopback address of this machine; skipped without one),
rename-command, the enable-debug-command / enable-module-command refusals, and the configs
that enable-protected-configs guards."""
import socket
import subprocess

import pytest
import redis
from conftest import EMBER, REDIS

BINARIES = [pytest.param(EMBER, id="ember"), pytest.param(REDIS, id="redis")]


def external_address():
    """A non-loopback IPv4 address of this machine, or None."""
    candidates = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # no packet is sent: this only picks a route
            candidates.append(s.getsockname()[0])
    except OSError:
        pass
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5)
        candidates += out.stdout.split()
    except (OSError, subprocess.SubprocessError):
        pass
    for ip in candidates:
        if ":" in ip or ip.startswith("127."):
            continue
        try:  # usable: something can listen on it
            with socket.socket() as s:
                s.bind((ip, 0))
            return ip
        except OSError:
            continue
    return None


EXTERNAL = external_address()
needs_external = pytest.mark.skipif(EXTERNAL is None,
                                    reason="no non-loopback address on this machine")


@pytest.fixture
def start(server_factory):
    """start(binary, *args): conftest's server_factory with the binary first (Ember or Redis)."""
    return lambda binary, *args: server_factory(*args, binary=binary)


def raw_exchange(host, port, payload=b"PING\r\n"):
    """Sends payload and returns everything the server writes until it closes (or 10s)."""
    with socket.create_connection((host, port), timeout=10) as k:
        k.sendall(payload)
        data = b""
        try:
            while True:
                chunk = k.recv(65536)
                if not chunk:
                    break
                data += chunk
                if data.endswith(b"\r\n") and not data.startswith(b"-DENIED"):
                    break
        except (socket.timeout, ConnectionResetError):
            pass
        return data


# --- protected mode ---

@needs_external
def test_protected_mode_denies_external_clients(start):
    replies = {}
    for binary in (EMBER, REDIS):
        s = start(binary, "--bind", "127.0.0.1", EXTERNAL)
        replies[binary] = raw_exchange(EXTERNAL, s.port)
        assert s.client().ping() is True  # loopback is served
        assert int(s.client().info("stats")["rejected_connections"]) == 1
    assert replies[EMBER].startswith(b"-DENIED Redis is running in protected mode")
    assert replies[EMBER] == replies[REDIS]


@needs_external
@pytest.mark.parametrize("binary", BINARIES)
def test_protected_mode_off_or_password(start, binary):
    s = start(binary, "--bind", "127.0.0.1", EXTERNAL, "--protected-mode", "no")
    assert raw_exchange(EXTERNAL, s.port) == b"+PONG\r\n"
    s = start(binary, "--bind", "127.0.0.1", EXTERNAL, "--requirepass", "pw")
    assert raw_exchange(EXTERNAL, s.port).startswith(b"-NOAUTH")


@needs_external
@pytest.mark.parametrize("binary", BINARIES)
def test_protected_mode_runtime_switch(start, binary):
    s = start(binary, "--bind", "127.0.0.1", EXTERNAL)
    assert raw_exchange(EXTERNAL, s.port).startswith(b"-DENIED")
    s.client().config_set("protected-mode", "no")
    assert raw_exchange(EXTERNAL, s.port) == b"+PONG\r\n"
    s.client().config_set("protected-mode", "yes")
    s.client().config_set("requirepass", "pw")
    assert raw_exchange(EXTERNAL, s.port).startswith(b"-NOAUTH")


@pytest.mark.parametrize("binary", BINARIES)
def test_protected_mode_loopback_and_unix_socket(start, binary, tmp_path):
    sock = str(tmp_path / "s.sock")
    s = start(binary, "--unixsocket", sock)
    assert s.client().ping() is True
    u = redis.Redis(unix_socket_path=sock)
    assert u.ping() is True
    u.close()


# --- rename-command ---

RENAMES = ("--rename-command", "set", "myset", "--rename-command", "get", "",
           "--rename-command", "myset", "set2")


def reply(c, *args):
    try:
        return c.execute_command(*args)
    except redis.exceptions.ResponseError as e:
        return "ERR:" + str(e)


def test_rename_command_matches_redis(start):
    outcomes = {}
    for binary in (EMBER, REDIS):
        plain = start(binary).client()
        plain.response_callbacks.clear()
        s = start(binary, *RENAMES)
        c = s.client()
        c.response_callbacks.clear()  # raw replies: COMMAND INFO as Redis sends it
        outcomes[binary] = [
            reply(c, "SET2", "a", "b"),
            reply(c, "SET", "a", "b"),
            reply(c, "MYSET", "a", "b"),
            reply(c, "GET", "a"),
            reply(c, "set2", "a"),  # arity error names the command as Redis does: 'set'
            reply(c, "COMMAND", "INFO", "set2")[0][0],
            reply(c, "COMMAND", "INFO", "set", "get"),
            reply(c, "COMMAND", "GETKEYS", "set2", "k", "v"),
            reply(plain, "COMMAND", "COUNT") - reply(c, "COMMAND", "COUNT"),
            "set" in reply(c, "COMMAND", "LIST"),
            "get" in reply(c, "COMMAND", "LIST"),
        ]
    assert outcomes[EMBER] == outcomes[REDIS]
    assert outcomes[EMBER][0] == "OK"


@pytest.mark.parametrize("args,message", [
    (("--rename-command", "nosuchcmd", "x"), "No such command in rename-command"),
    (("--rename-command", "set", "get"), "Target command name already exists"),
    (("--rename-command", "get", "", "--rename-command", "get", "x"),
     "No such command in rename-command"),
])
def test_rename_command_errors(args, message):
    for binary in (EMBER, REDIS):
        out = subprocess.run([binary, "--port", "0", "--save", ""] + list(args),
                             capture_output=True, text=True, timeout=30)
        assert out.returncode == 1
        assert message in out.stdout + out.stderr


# --- enable-*-command and protected configs ---

@pytest.mark.parametrize("binary", BINARIES)
def test_module_and_debug_refused_by_default(start, binary):
    c = start(binary).client()
    for args in (("MODULE", "LOAD", "/nonexistent.so"), ("MODULE", "UNLOAD", "x"),
                 ("MODULE", "LOADEX", "/nonexistent.so")):
        assert reply(c, *args) == (
            "ERR:MODULE command not allowed. If the enable-module-command option is set to "
            "\"local\", you can run it from a local connection, otherwise you need to set this "
            "option in the configuration file, and then restart the server.")
    assert reply(c, "MODULE", "LIST") == []
    assert reply(c, "DEBUG", "SLEEP", "0").startswith("ERR:DEBUG command not allowed.")
    for name in ("enable-module-command", "enable-debug-command", "enable-protected-configs"):
        assert reply(c, "CONFIG", "SET", name, "yes") == (
            "ERR:CONFIG SET failed (possibly related to argument '%s') - can't set immutable "
            "config" % name)


def test_module_allowed_locally_matches_redis(start):
    outcomes = {}
    for binary in (EMBER, REDIS):
        c = start(binary, "--enable-module-command", "local").client()
        outcomes[binary] = [reply(c, "MODULE", "LOAD", "/nonexistent/ember-test.so"),
                            reply(c, "MODULE", "UNLOAD", "nosuchmodule"),
                            reply(c, "MODULE", "LIST")]
    assert outcomes[EMBER] == outcomes[REDIS]


@needs_external
def test_local_only_commands_refused_from_external_address(start):
    s = start(EMBER, "--bind", "127.0.0.1", EXTERNAL, "--protected-mode", "no",
              "--enable-module-command", "local", "--enable-debug-command", "local",
              "--enable-protected-configs", "local")
    ext = redis.Redis(host=EXTERNAL, port=s.port, decode_responses=True)
    assert reply(ext, "MODULE", "LOAD", "/x.so").startswith("ERR:MODULE command not allowed")
    assert reply(ext, "DEBUG", "SLEEP", "0").startswith("ERR:DEBUG command not allowed")
    assert "can't set protected config" in reply(ext, "CONFIG", "SET", "dir", "/tmp")
    local = s.client()
    assert reply(local, "DEBUG", "SLEEP", "0") == "OK"
    assert reply(local, "CONFIG", "SET", "dbfilename", "x.rdb") == "OK"
    ext.close()


@pytest.mark.parametrize("binary", BINARIES)
def test_protected_configs(start, binary, tmp_path):
    c = start(binary).client()
    for name, value in (("dir", str(tmp_path)), ("dbfilename", "evil.rdb")):
        assert reply(c, "CONFIG", "SET", name, value) == (
            "ERR:CONFIG SET failed (possibly related to argument '%s') - can't set protected "
            "config" % name)
    c = start(binary, "--enable-protected-configs", "yes").client()
    assert reply(c, "CONFIG", "SET", "dbfilename", "ok.rdb") == "OK"
    assert reply(c, "CONFIG", "SET", "dir", str(tmp_path)) == "OK"


def test_protected_configs_list_matches_redis(start):
    """Every directive CONFIG SET refuses as protected, for both servers."""
    found = {}
    for binary in (EMBER, REDIS):
        c = start(binary).client()
        names = sorted(c.config_get("*"))
        protected = set()
        for name in names:
            value = c.config_get(name).get(name)
            if value is None:
                continue
            r = reply(c, "CONFIG", "SET", name, value)
            if isinstance(r, str) and r.endswith("can't set protected config"):
                protected.add(name)
        found[binary] = protected
    assert found[EMBER] == found[REDIS] == {"dir", "dbfilename"}
