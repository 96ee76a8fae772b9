#!/usr/bin/env bash
# Runs Redis's own Tcl test suite against a freshly started ember-server in external mode.
# Use the suite of tag 7.2.4 — the version Ember reports, whose encodings (listpack for small
# lists and sets) Ember follows; the 7.0.15 suite also runs, but asserts 7.0's encoding names.
# The Redis sources are NOT part of this repository: pass a directory holding an unpacked
# redis source tree (tests/, runtest) as REDIS_SRC, e.g. made with
#   git --git-dir=<redis mirror> archive 7.2.4 | tar x -C /path/to/redis-7.2.4 Debian's redis-cli and
# redis-benchmark are linked in as src/redis-cli and src/redis-benchmark (the suite calls
# them by those paths); nothing from the Redis tree is built. Tests tagged needs:repl and
# needs:save are skipped until replication and persistence exist.
#
#   REDIS_SRC=/path/to/redis-7.2.4 scripts/run-redis-suite.sh unit/type/string unit/keyspace
#
# SPAWN=1 runs the suite in its normal mode instead: the harness starts its own servers (with
# its own configs, restarts, RDB/AOF files), so tests tagged external:skip — integration/rdb,
# integration/aof, corrupt-dump — run too. ember-server is linked in as src/redis-server and
# ember-check-aof/ember-check-rdb as redis-check-aof/redis-check-rdb.
#
# TLS=1 runs the clients over TLS (runtest --tls): test certificates are made once in
# $REDIS_SRC/tests/tls with the suite's utils/gen-test-certs.sh (needs openssl and tcl-tls); in
# external mode ember-server then serves TLS only (port 0, tls-port).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${REDIS_SRC:?set REDIS_SRC to an unpacked redis 7.2.4 source tree}"
ember=${EMBER_SERVER:-$here/build/release/ember-server}
units=("$@")
[ ${#units[@]} -gt 0 ] || units=(unit/type/string unit/type/incr unit/keyspace unit/expire
                                 unit/scan unit/protocol unit/quit unit/info-command unit/multi
                                 unit/type/hash unit/type/list unit/type/list-3 unit/type/set
                                 unit/type/zset unit/sort unit/bitops unit/bitfield unit/geo
                                 unit/hyperloglog)
mkdir -p "$REDIS_SRC/src"
ln -sf "$(command -v redis-cli)" "$REDIS_SRC/src/redis-cli"
ln -sf "$(command -v redis-benchmark)" "$REDIS_SRC/src/redis-benchmark"
tls_args=()
if [ "${TLS:-0}" = 1 ]; then
  [ -f "$REDIS_SRC/tests/tls/redis.dh" ] || (cd "$REDIS_SRC" && ./utils/gen-test-certs.sh >/dev/null 2>&1)
  tls_args=(--tls)
fi
skipfile=$(mktemp)
grep -v '^#' "$here/tests/redis-suite/skip.txt" | sed 's/  # .*$//' | grep -v '^$' > "$skipfile" || true
if [ "${SPAWN:-0}" = 1 ]; then
  bindir=$(dirname "$ember")
  ln -sf "$ember" "$REDIS_SRC/src/redis-server"
  for t in check-aof check-rdb; do
    [ -x "$bindir/ember-$t" ] && ln -sf "$bindir/ember-$t" "$REDIS_SRC/src/redis-$t"
  done
  status=0
  for u in "${units[@]}"; do
    echo "=== $u"
    (cd "$REDIS_SRC" && ./runtest --tags -slow --tags -needs:repl --single "$u" --clients 1 \
        --skipfile "$skipfile" ${tls_args[@]+"${tls_args[@]}"}) || status=1
  done
  rm -f "$skipfile"
  exit $status
fi
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
workdir=$(mktemp -d)
listen=(--port "$port")
cli=(-p "$port")
if [ "${TLS:-0}" = 1 ]; then
  t="$REDIS_SRC/tests/tls"
  listen=(--port 0 --tls-port "$port" --tls-cert-file "$t/server.crt" --tls-key-file "$t/server.key"
          --tls-ca-cert-file "$t/ca.crt" --tls-dh-params-file "$t/redis.dh")
  cli=(-p "$port" --tls --cert "$t/client.crt" --key "$t/client.key" --cacert "$t/ca.crt")
fi
"$ember" "${listen[@]}" --bind 127.0.0.1 --save "" --dir "$workdir" --enable-debug-command yes \
  >"$workdir/ember.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$workdir" "$skipfile"' EXIT
for _ in $(seq 100); do redis-cli "${cli[@]}" ping >/dev/null 2>&1 && break; sleep 0.1; done
# Tests that need command families Ember does not have yet (collections, MULTI, ...) are
# listed, one name per line with the reason, in tests/redis-suite/skip.txt.
status=0
for u in "${units[@]}"; do
  echo "=== $u"
  (cd "$REDIS_SRC" && ./runtest --host 127.0.0.1 --port "$port" --tags -slow --tags -needs:debug --tags -needs:repl --tags -needs:save \
      --single "$u" --clients 1 --skipfile "$skipfile" ${tls_args[@]+"${tls_args[@]}"}) || status=1
done
exit $status
