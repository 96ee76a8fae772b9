#!/usr/bin/env bash
# Builds the libFuzzer targets (fuzz/*_fuzz.cc: the RDB and AOF loaders) with clang, ASan and
# UBSan, and runs each for a while. Usage: scripts/fuzz.sh [seconds-per-target] [target...]
# Crashes are written to build/fuzz/crashes/<target>/; the corpus persists in build/fuzz/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-60}; shift || true
scripts/install-deps.sh >/dev/null
command -v clang++ >/dev/null || { echo "clang++ is required (apt-get install clang)"; exit 1; }
cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DEMBER_FUZZ=ON -DBUILD_TESTING=OFF >/dev/null
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/*_fuzz.cc; do targets+=("$(basename "$f" .cc)"); done
fi
ninja -C build/fuzz "${targets[@]}"
for t in "${targets[@]}"; do
  mkdir -p "build/fuzz/corpus/$t" "build/fuzz/crashes/$t"
  seeds=()
  [ -d "fuzz/seeds/$t" ] && seeds=("fuzz/seeds/$t")
  echo "== $t for ${secs}s"
  "build/fuzz/$t" -max_total_time="$secs" -artifact_prefix="build/fuzz/crashes/$t/" \
    "build/fuzz/corpus/$t" "${seeds[@]}"
done
