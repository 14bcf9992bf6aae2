#!/usr/bin/env bash
# Installs every Debian 12 package vipcts needs to build, test and run its examples. Idempotent.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  libgtest-dev libgmock-dev librapidcheck-dev libyaml-cpp-dev libz3-dev z3
  libcli11-dev nlohmann-json3-dev libfmt-dev libbenchmark-dev
  python3
  qemu-system-x86 linux-image-amd64 linux-image-6.12-amd64 busybox-static cpio kmod xz-utils zstd  # linux-vm adapter
  qemu-system-arm
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages already installed"
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
