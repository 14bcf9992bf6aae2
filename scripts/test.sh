#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds everything in build-asan/ with AddressSanitizer +
# UndefinedBehaviorSanitizer, and runs every ctest test there (the QEMU, Linux-VM and mutation-score runs, labels
# qemu, vm and mutation, included). Exits non-zero if any test fails.
#
# One instrumented build, not a release build plus a sanitizer build (README "CI timing"): on a two-core CI
# machine without ccache the compile is most of the run, and every test the release build ran also runs here.
# What keeps the one build short:
# - unity builds of the targets whose files all include the same heavy headers (VIPCTS_UNITY_BUILD);
# - -O1 (VIPCTS_SANITIZE_OPT): -O0 compiles about twice as fast but makes the suite's slowest tests 3-4 times
#   slower (measured: smmu_codec_test's FastPathNeverAcceptsMoreThanTheDom 6.9 -> 23 s of CPU);
# - line tables only (-g1), which is what the sanitizers' reports print;
# - the mutant plugins are built without sanitizers (cmake/Mutants.cmake), so a planted bug is killed by the
#   vectors' verdicts, not by a sanitizer abort; the benchmarks are built (so they keep compiling), not run.
# scripts/main-job.sh still builds build/ (RelWithDebInfo) for users.
# Measured on a clean clone (README "CI timing"; 2 cores shared, load ~8): build 1,207 s, ctest 432 s (284 tests),
# 1,729 s of CPU in all, against 2,813 s for the previous release + sanitizer passes.
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

opt=${VIPCTS_SANITIZE_OPT:--O1}
phase "build (ASan + UBSan, $opt -g1, unity)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIPCTS_SANITIZE=ON -DVIPCTS_SANITIZE_OPT="$opt" \
  -DVIPCTS_DEBUG_INFO=1 -DVIPCTS_UNITY_BUILD=ON >/dev/null
cmake --build build-asan -j "$jobs"
phase "ctest (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" --timeout 900
phase ""
echo "== total: $SECONDS s"
