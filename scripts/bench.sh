#!/usr/bin/env bash
# Benchmarks for the README (not a test): the reference walk (Google Benchmark), end-to-end `vipcts run`
# throughput per implementation path, and peak memory for 100 k versus 1 M streamed transactions.
# Everything is pinned to one core (taskset -c 0; an exec child inherits it). Throughput is operations per
# second of CPU time (user + sys of vipcts and its children, from /usr/bin/time), which stays meaningful when
# other work shares the machine; wall time is printed too.
#
# usage: scripts/bench.sh [BUILD_DIR]     (default build; needs vipcts, vipcts_bench, the example plugin)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
src=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/vipcts-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target vipcts vipcts_bench vipcts_example_smmu >/dev/null
vipcts=$build/harness/vipcts
plugin=$build/examples/c-plugin/libvipcts_example_smmu.so
pin=(taskset -c 0)

echo "== reference walk (bench/bench_smmu.cpp) =="
"${pin[@]}" "$build/bench/vipcts_bench" --benchmark_min_time=1 2>/dev/null | grep -E '^BM_|^-|Benchmark'

# measure LABEL OPS CMD...: runs CMD under /usr/bin/time and prints ops/s of CPU time, wall time, max RSS.
measure() {
  local label=$1 ops=$2
  shift 2
  /usr/bin/time -f '%U %S %e %M' -o "$work/time" "${pin[@]}" "$@" >/dev/null 2>"$work/err" || {
    tail -n 5 "$work/err" >&2
    echo "$label: FAILED" >&2
    return 1
  }
  read -r user sys wall rss <"$work/time"
  awk -v l="$label" -v n="$ops" -v u="$user" -v s="$sys" -v w="$wall" -v r="$rss" 'BEGIN {
    cpu = u + s; printf "%-34s %9d ops  %8.0f ops/s (CPU %.2f s)  wall %.2f s  max RSS %.0f MB\n",
    l, n, (cpu > 0 ? n / cpu : 0), cpu, w, r / 1024 }'
}

echo "== end to end: vipcts run (16 ops per scenario, no boundary scenarios) =="
"$vipcts" gen smmu --seed 1 --count 6250 --ops-per-scenario 16 --no-boundary -o "$work/100k.jsonl" >/dev/null
measure "gen smmu (reference outcomes)" 100000 "$vipcts" gen smmu --seed 1 --count 6250 --ops-per-scenario 16 \
  --no-boundary -o "$work/again.jsonl"
rm -f "$work/again.jsonl"
measure "run reference (in-process)" 100000 "$vipcts" run --impl reference --vectors "$work/100k.jsonl" \
  -o "$work/r.jsonl"
measure "run plugin-inproc: (C ABI)" 100000 "$vipcts" run --impl "plugin-inproc:$plugin" \
  --vectors "$work/100k.jsonl" -o "$work/r.jsonl"
measure "run plugin: (C ABI via exec protocol)" 100000 "$vipcts" run --impl "plugin:$plugin" \
  --vectors "$work/100k.jsonl" -o "$work/r.jsonl"
head -n 20001 "$work/100k.jsonl" | grep -c '"type":"op"' >"$work/n"
head -n 20001 "$work/100k.jsonl" >"$work/py.jsonl"
measure "run exec: python3 example" "$(cat "$work/n")" "$vipcts" run \
  --impl "exec:python3 $src/examples/python-exec/vipcts_smmu_impl.py" --vectors "$work/py.jsonl" -o "$work/r.jsonl"

if [ "${VIPCTS_BENCH_1M:-1}" = 1 ]; then
  echo "== streaming: 100 k versus 1 M operations (max RSS should not grow) =="
  "$vipcts" gen smmu --seed 2 --count 62500 --ops-per-scenario 16 --no-boundary -o "$work/1m.jsonl" >/dev/null
  measure "run reference, 100 k ops" 100000 "$vipcts" run --impl reference --vectors "$work/100k.jsonl" \
    -o "$work/r.jsonl"
  measure "run reference, 1 M ops" 1000000 "$vipcts" run --impl reference --vectors "$work/1m.jsonl" \
    -o "$work/r.jsonl"
  measure "run plugin:, 1 M ops" 1000000 "$vipcts" run --impl "plugin:$plugin" --vectors "$work/1m.jsonl" \
    -o "$work/r.jsonl"
fi
