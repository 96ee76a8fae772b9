#!/usr/bin/env bash
# Installs the Debian packages Ember needs to build, test and benchmark, only those missing.
# Used by `make run`, `make test` and .ci/run; safe to run repeatedly.
set -euo pipefail
pkgs=(g++ cmake ninja-build make pkg-config libjemalloc-dev libxxhash-dev libgtest-dev libgmock-dev
      libbenchmark-dev redis-server redis-tools python3-redis python3-pytest
      python3-pytest-timeout clang-format tcl liblua5.1-0-dev lua-cjson-dev lua-bitop-dev
      libabsl-dev liblzf-dev libssl-dev openssl tcl-tls)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi
# Debian's redis-server package may start a system instance on 6379; Ember's tests never use
# that port, and `make run` wants it free, so stop it if systemd started one.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet redis-server 2>/dev/null; then
  systemctl stop redis-server || true
fi
