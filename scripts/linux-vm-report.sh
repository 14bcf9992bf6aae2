#!/usr/bin/env bash
# Regenerates reports/linux-6.1 and reports/linux-6.12: the vfio vectors run against the real Debian kernels,
# booted under QEMU (TCG) with an emulated Intel IOMMU by the linux-vm adapter
# (harness/adapters/linux_vm/README.md). Needs the packages of scripts/setup.sh.
#
#   scripts/linux-vm-report.sh [BUILD_DIR]
#   env: SEED=1 COUNT=1000 IOMMU=intel KERNELS="6.1 6.12" GEN_FLAGS=""   (e.g. GEN_FLAGS=--no-boundary)
#
# Per kernel it writes reports/linux-K/report.md and report.json; the vectors and results.jsonl stay in
# BUILD_DIR/linux-vm-report/ (regenerated from the seed). Exit status: 0 when every vector passed, was waived by
# the kernel's expectations.yaml or was not applicable; 1 otherwise (the reports are written either way).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
seed=${SEED:-1}
count=${COUNT:-1000}
iommu=${IOMMU:-intel}
kernels=${KERNELS:-"6.1 6.12"}
cmake --build "$build" --target vipcts vipcts_vm_agent >/dev/null
vipcts=$build/harness/vipcts
work=$build/linux-vm-report
mkdir -p "$work"
# shellcheck disable=SC2086
"$vipcts" gen vfio --seed "$seed" --count "$count" ${GEN_FLAGS:-} -o "$work/vfio-seed$seed.jsonl"
status=0
for k in $kernels; do
  out=reports/linux-$k
  mkdir -p "$out"
  "$vipcts" run --suite vfio --impl "linux-vm:$k,iommu=$iommu" --vectors "$work/vfio-seed$seed.jsonl" \
    --expect "$out/expectations.yaml" -o "$work/results-$k.jsonl" \
    --report "md:$out/report.md" --report "json:$out/report.json" || status=$?
done
exit "$status"
