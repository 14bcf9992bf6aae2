#!/bin/sh
# End to end: vectors for the qemu-virt platform, run against QEMU's SMMUv3 with its expectations file.
# Exit 77 (skipped) when qemu-system-aarch64 is not installed.
set -eu
vipcts=$1
expectations=$2
command -v qemu-system-aarch64 >/dev/null 2>&1 || { echo "qemu-system-aarch64 not installed"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$vipcts" gen smmu --platform qemu-virt --seed 3 --count 40 -o "$dir/v.jsonl"
"$vipcts" run --suite smmu --impl qemu:virt-smmuv3 --vectors "$dir/v.jsonl" --expect "$expectations" \
  -o "$dir/r.jsonl"
