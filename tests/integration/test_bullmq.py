"""A real job-queue library against Ember: BullMQ (Node.js), whose every operation is a Lua
script over many keys (lists, sorted sets of delayed jobs, hashes, streams of events), runs a
producer and a worker with immediate and delayed jobs, retries with backoff and a repeatable
job. The node project is tests/integration/bullmq/; `npm install` runs at test time into
build/bullmq-node/ (git-ignored, reused between runs). Skipped with a reason when node/npm or
the npm registry is not available."""

import json
import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PROJECT = os.path.join(HERE, "bullmq")
REPO = os.path.abspath(os.path.join(HERE, "..", ".."))
CACHE = os.path.join(REPO, "build", "bullmq-node")


def install():
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("node/npm not installed")
    os.makedirs(CACHE, exist_ok=True)
    for name in ("package.json", "run.mjs"):
        shutil.copyfile(os.path.join(PROJECT, name), os.path.join(CACHE, name))
    marker = os.path.join(CACHE, "node_modules", "bullmq", "package.json")
    if os.path.exists(marker):
        with open(marker) as f, open(os.path.join(PROJECT, "package.json")) as g:
            if json.load(f)["version"] == json.load(g)["dependencies"]["bullmq"]:
                return
    try:
        p = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error"],
                           cwd=CACHE, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           timeout=300)
    except subprocess.TimeoutExpired:
        pytest.skip("npm install timed out (registry unreachable?)")
    if p.returncode != 0:
        pytest.skip("npm install failed (registry unreachable?): " +
                    p.stdout.decode(errors="replace")[-500:])


def test_bullmq_producer_and_worker(server_factory):
    install()
    server = server_factory()
    p = subprocess.run(["node", "run.mjs", str(server.port)], cwd=CACHE,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    out = p.stdout.decode(errors="replace")
    assert p.returncode == 0, out + p.stderr.decode(errors="replace") + server.read_log()[-3000:]
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["completed"] >= 16
    assert summary["failedAttempts"] == 2       # flaky failed twice, then succeeded
    assert summary["flakyResult"] == 14
    assert summary["delayedOrder"][:2] == ["delayed-early", "delayed-late"]
    assert summary["delayedLateAfterMs"] >= 550  # not run before its delay
    assert summary["repeat"] >= 3
    assert summary["counts"]["failed"] == 0
