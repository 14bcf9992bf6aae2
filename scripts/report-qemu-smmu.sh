#!/usr/bin/env bash
# Regenerates reports/qemu-7.2-smmuv3/report.md and report.json: QEMU's SMMUv3 (qemu-system-aarch64 from Debian
# 12, `qemu:virt-smmuv3`) run against the smmu suite with its expectations file. One command:
#   scripts/report-qemu-smmu.sh [BUILD_DIR]        (default: build; needs the vipcts target built)
# Vectors and results are kept in BUILD_DIR/qemu-7.2-smmuv3/ for replays. Exit status: vipcts run's (0 = every
# divergence is a known one, 1 = something new or stale).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${1:-build}
vipcts=$build/harness/vipcts
out=reports/qemu-7.2-smmuv3
work=$build/qemu-7.2-smmuv3
[ -x "$vipcts" ] || { echo "report-qemu-smmu: $vipcts not built (cmake --build $build --target vipcts)" >&2; exit 2; }
command -v qemu-system-aarch64 >/dev/null || { echo "report-qemu-smmu: qemu-system-aarch64 missing (scripts/setup.sh)" >&2; exit 2; }
mkdir -p "$work"
# Paths are relative to the repository so the reports do not depend on where it is checked out.
"$vipcts" gen smmu --platform qemu-virt --seed 1 --count 50 -o "$work/vectors.jsonl"
status=0
"$vipcts" run --suite smmu --impl qemu:virt-smmuv3 --vectors "$work/vectors.jsonl" \
  --expect "$out/expectations.yaml" -o "$work/results.jsonl" || status=$?
"$vipcts" report "$work/results.jsonl" --format md -o "$out/report.md"
"$vipcts" report "$work/results.jsonl" --format json -o "$out/report.json"
echo "report-qemu-smmu: wrote $out/report.md and $out/report.json (run status $status)"
exit "$status"
