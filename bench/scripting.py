#!/usr/bin/python3
"""Scripting throughput: redis-benchmark requests/sec of Lua scripts and functions, Ember vs
redis-server, alternating (same method as throughput.py: -c 50, P1 and P16, medians of the
rounds, ratios).

Cells:
  EVALSHA_UNLOCK   compare-and-delete lock release (GET, compare, DEL) on a lock held by
                   another owner: the common "not mine" path, one command per script
  EVALSHA_LOCK     acquire-and-release cycle in one script: SET NX PX, GET, compare, DEL
  EVALSHA_MOVE5    BullMQ-like moveToActive over 5 keys: LMOVE wait->active, HSET on the job
                   hash (an undeclared key), ZADD to a timing set, XADD (MAXLEN ~) to an event
                   stream, HINCRBY on a meta hash, LMOVE back so the queue never drains
  FCALL_GET        FCALL of a small function (GET of one key)
Scripts are loaded with SCRIPT LOAD / FUNCTION LOAD during setup; both servers get the same
setup and the same sequence of runs.
"""

import sys

import throughput as T

UNLOCK = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
          "else return 0 end")
LOCK_CYCLE = ("redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', 30000) "
              "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) "
              "end return 0")
MOVE5 = ("local id = redis.call('lmove', KEYS[1], KEYS[2], 'RIGHT', 'LEFT') "
         "if id then "
         "  redis.call('hset', ARGV[1] .. id, 'processedOn', ARGV[2], 'attemptsMade', 1) "
         "  redis.call('zadd', KEYS[3], ARGV[2], id) "
         "  redis.call('xadd', KEYS[4], 'MAXLEN', '~', 1000, '*', 'event', 'active', "
         "'jobId', id) "
         "  redis.call('hincrby', KEYS[5], 'active', 1) "
         "  redis.call('lmove', KEYS[2], KEYS[1], 'RIGHT', 'LEFT') "
         "end return id")
LIBRARY = ("#!lua name=benchlib\n"
           "redis.register_function{function_name='bench_get', "
           "callback=function(keys) return redis.call('get', keys[1]) end, "
           "flags={'no-writes'}}\n")


def sha1(text):
    import hashlib
    return hashlib.sha1(text.encode()).hexdigest()


MOVE_KEYS = ["bull:q:wait", "bull:q:active", "bull:q:timing", "bull:q:events", "bull:q:meta"]

WORKLOADS = [
    ("EVALSHA_UNLOCK", ["EVALSHA", sha1(UNLOCK), "1", "bench:lock", "my-token"], 1),
    ("EVALSHA_LOCK", ["EVALSHA", sha1(LOCK_CYCLE), "1", "bench:lock:__rand_int__", "tok"], 1),
    ("EVALSHA_MOVE5", ["EVALSHA", sha1(MOVE5), "5"] + MOVE_KEYS + ["bull:q:", "1700000000000"],
     1),
    ("FCALL_GET", ["FCALL", "bench_get", "1", "bench:value"], 1),
]


def setup_commands():
    return [
        ("DEL", "bench:lock", "bench:value", *MOVE_KEYS),
        ("SET", "bench:lock", "someone-else"),
        ("SET", "bench:value", T.VALUE16),
        ("RPUSH", "bull:q:wait") + tuple("job%d" % i for i in range(100)),
        ("SCRIPT", "LOAD", UNLOCK),
        ("SCRIPT", "LOAD", LOCK_CYCLE),
        ("SCRIPT", "LOAD", MOVE5),
        ("FUNCTION", "LOAD", "REPLACE", LIBRARY),
    ]


CHECKS = {wl: [tuple(a.replace("__rand_int__", "1") for a in args)]
          for wl, args, _d in WORKLOADS}


def run(binaries, rounds=5, quick=False, duration=None, fixed_n=None):
    return T.run(binaries, rounds=rounds, quick=quick, duration=duration, fixed_n=fixed_n,
                 workloads=WORKLOADS, checks=CHECKS, setup=setup_commands(), suite="scripting")


def tables(res, markdown=False):
    title, t = T.tables(res, markdown)
    return title.replace("Throughput", "Scripting throughput", 1), t


if __name__ == "__main__":
    sys.exit(T.main(__doc__, run, tables))
