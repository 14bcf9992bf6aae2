#!/usr/bin/env bash
# The whole test suite: installs what is missing, builds, runs ctest; then the same suite built with
# AddressSanitizer + UndefinedBehaviorSanitizer. Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

bash scripts/setup.sh

echo "== build (RelWithDebInfo) =="
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$jobs"
echo "== ctest (RelWithDebInfo) =="
ctest --test-dir build --output-on-failure -j "$jobs" --timeout 600

if [ "${VIPCTS_SKIP_SANITIZERS:-0}" != 1 ]; then
  echo "== build (ASan + UBSan) =="
  # Mutants are not built here, and the QEMU and Linux-VM runs (which test those programs, with the same host
  # code the first pass already ran) are left to the first pass: they would double CI's longest steps.
  cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVIPCTS_SANITIZE=ON -DVIPCTS_MUTANTS=OFF >/dev/null
  cmake --build build-asan -j "$jobs"
  echo "== ctest (ASan + UBSan) =="
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs" --timeout 900 -LE "^(qemu|vm)$"
fi
