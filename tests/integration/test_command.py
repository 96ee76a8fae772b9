"""COMMAND introspection against the real binary: redis-py's command() parsing, COMMAND INFO and
COMMAND DOCS shapes compared with Debian's redis-server 7.0 (GET, SET, MSET, the CONFIG
container), GETKEYS errors, COMMAND LIST filters, and redis-cli reading COMMAND DOCS (both the
--no-raw dump and the interactive hints)."""
import shutil
import subprocess
import uuid

import pytest

from conftest import wait_until


def cmd(client, sub, *args):
    """Runs COMMAND <sub> ... and returns the raw reply (redis-py would otherwise apply its
    COMMAND callback, which expects the full COMMAND reply)."""
    return client.execute_command("COMMAND " + sub, *args)


def info(client, *names):
    return cmd(client, "INFO", *names)


def strip_notes(entry):
    """A COMMAND INFO entry without key-spec "notes" (free text Ember does not carry)."""
    entry = list(entry)
    specs = []
    for spec in entry[8]:
        flat = list(spec)
        pairs = [(flat[i], flat[i + 1]) for i in range(0, len(flat), 2) if flat[i] != "notes"]
        specs.append(pairs)
    entry[8] = specs
    return entry


def doc_shape(args):
    """The structure of a COMMAND DOCS argument list: generated group names and "since" are
    left out, since exact names of oneof/block groups do not matter to clients."""
    out = []
    for arg in args:
        d = dict(zip(arg[0::2], arg[1::2]))
        shape = {"type": d["type"], "token": d.get("token"),
                 "flags": sorted(d.get("flags", [])), "key_spec_index": d.get("key_spec_index")}
        if d["type"] in ("oneof", "block"):
            shape["arguments"] = doc_shape(d["arguments"])
        elif d["type"] != "pure-token":
            shape["name"] = d["name"]
        out.append(shape)
    return out


def docs_of(client, name):
    reply = cmd(client, "DOCS", name)
    assert reply[0] == name
    doc = reply[1]
    return dict(zip(doc[0::2], doc[1::2]))


def test_command_parsed_by_redis_py(r):
    cmds = r.command()
    assert cmds["get"]["arity"] == 2
    assert cmds["get"]["flags"] == ["readonly", "fast"]
    assert (cmds["get"]["first_key_pos"], cmds["get"]["last_key_pos"],
            cmds["get"]["step_count"]) == (1, 1, 1)
    assert cmds["set"]["flags"] == ["write", "denyoom"]
    assert len(cmds["client"]["subcommands"]) >= 10
    assert len(cmds) == r.command_count()


def test_command_info_matches_redis(r, redis_server):
    ref = redis_server.client()
    names = ["get", "set"]
    if info(r, "mset")[0] is not None:
        names.append("mset")
    for name in names:
        assert strip_notes(info(r, name)[0]) == strip_notes(info(ref, name)[0]), name
    assert info(r, "nosuch") == info(ref, "nosuch") == [None]


def test_command_info_container_shape(r, redis_server):
    ref = redis_server.client()
    for client in (r, ref):
        (entry,) = info(client, "config")
        assert entry[0] == "config"
        assert entry[1] == -2
        assert entry[3:6] == [0, 0, 0]
        assert entry[8] == []
        subs = {sub[0]: sub for sub in entry[9]}
        assert "config|get" in subs
        assert all(len(sub) == 10 and sub[9] == [] for sub in subs.values())
    # COMMAND INFO also takes "container|sub".
    assert info(r, "config|get")[0][0] == "config|get"


def test_command_docs_set_and_get_shapes(r, redis_server):
    ref = redis_server.client()
    for name in ("get", "set"):
        ours, theirs = docs_of(r, name), docs_of(ref, name)
        assert ours["group"] == theirs["group"]
        assert ours["since"] == theirs["since"]
        assert doc_shape(ours["arguments"]) == doc_shape(theirs["arguments"]), name


def test_command_docs_container_and_unknown(r):
    doc = docs_of(r, "client")
    subs = doc["subcommands"]
    names = subs[0::2]
    assert "client|list" in names and "client|kill" in names
    assert cmd(r, "DOCS", "nosuch") == []


@pytest.mark.parametrize("args", [
    ["get", "a"],
    ["set", "k", "v", "EX", "10"],
    ["get"],
    ["get", "a", "b"],
    ["ping", "x"],
    ["nosuchcmd", "a", "b"],
    ["config", "get", "x"],
    ["config", "nosuch", "x"],
])
def test_getkeys_matches_redis(r, redis_server, args):
    ref = redis_server.client()

    def run(client):
        try:
            return cmd(client, "GETKEYS", *args)
        except Exception as e:  # noqa: BLE001 - compare error texts
            return "error: " + str(e)

    assert run(r) == run(ref)


def test_getkeysandflags(r, redis_server):
    ref = redis_server.client()
    # (SET is left out: Redis narrows its variable_flags spec per call, Ember reports the spec.)
    args = ["get", "k"]
    assert cmd(r, "GETKEYSANDFLAGS", *args) == cmd(ref, "GETKEYSANDFLAGS", *args)


def test_command_list_filters(r):
    names = cmd(r, "LIST")
    assert "get" in names and "client|list" in names
    assert cmd(r, "LIST", "FILTERBY", "PATTERN", "client|*") == [
        n for n in names if n.startswith("client|")]
    assert cmd(r, "LIST", "FILTERBY", "MODULE", "x") == []
    conn = cmd(r, "LIST", "FILTERBY", "ACLCAT", "connection")
    assert "ping" in conn and "get" not in conn


def test_redis_cli_docs_dump(ember_server):
    out = subprocess.run(["redis-cli", "-p", str(ember_server.port), "--no-raw", "COMMAND",
                          "DOCS", "get"], capture_output=True, text=True, timeout=10).stdout
    assert '"summary"' in out
    assert '"arguments"' in out
    assert '"key_spec_index"' in out


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux not installed")
def test_redis_cli_interactive_hints(ember_server):
    """redis-cli 7.0 reads COMMAND DOCS at start and shows a hint while typing."""
    sock = "ember-" + uuid.uuid4().hex[:8]
    tmux = ["tmux", "-L", sock]
    subprocess.run(tmux + ["new-session", "-d", "-s", "t", "-x", "200", "-y", "20",
                           "redis-cli -p %d" % ember_server.port], check=True)
    try:
        def screen():
            return subprocess.run(tmux + ["capture-pane", "-p", "-t", "t"],
                                  capture_output=True, text=True).stdout

        prompt = "%d>" % ember_server.port
        wait_until(lambda: prompt in screen())
        subprocess.run(tmux + ["send-keys", "-t", "t", "SET k v "], check=True)
        text = wait_until(lambda: "[NX|XX]" in screen() and screen())
        assert "[GET]" in text
        assert "ERR" not in text
    finally:
        subprocess.run(tmux + ["kill-server"])
