#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs ctest; then the same suite built with
# AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero if any test fails.
#
# Both builds leave out full debug information (VIPCTS_DEBUG_INFO; README "CI timing"): it is most of what a
# two-core CI machine would spend compiling. `cmake -B build -DVIPCTS_DEBUG_INFO=` gives it back to build/.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)
phase_start=$SECONDS
phase() {
  [ -z "${phase_name:-}" ] || echo "== $phase_name: $((SECONDS - phase_start)) s"
  phase_name=$1
  phase_start=$SECONDS
  [ -z "$phase_name" ] || echo "== $phase_name =="
}

phase "setup"
bash scripts/setup.sh

phase "build (RelWithDebInfo, -g0)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DVIPCTS_DEBUG_INFO=0 >/dev/null
cmake --build build -j "$jobs"
phase "ctest (RelWithDebInfo)"
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600

if [ "${VIPCTS_SKIP_SANITIZERS:-0}" != 1 ]; then
  phase "build (ASan + UBSan, -O1 -g1)"
  # Mutants, benchmarks and the QEMU- and VM-only test programs are not built here, and the QEMU and Linux-VM
  # runs (which test those programs, with the same host code the first pass already ran) are left to the first
  # pass: they would double CI's longest steps. -g1 keeps the line tables the sanitizers' reports print.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIPCTS_SANITIZE=ON -DVIPCTS_MUTANTS=OFF \
    -DVIPCTS_DEBUG_INFO=1 >/dev/null
  cmake --build build-asan -j "$jobs"
  phase "ctest (ASan + UBSan)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" --timeout 900 -LE "^(qemu|vm)$"
fi
phase ""
echo "== total: $SECONDS s"
