#!/usr/bin/env bash
# Builds the linux-vm guest initramfs from installed Debian packages: busybox-static, the vipcts agent and the
# VFIO / virtio modules of one kernel from /lib/modules/KVER (dependency order from `modprobe --show-depends`,
# .ko.xz / .ko.zst decompressed because busybox insmod loads only plain ELF modules).
#
#   mkinitramfs.sh KVER AGENT OUT.cpio.gz
#
# The linux-vm adapter runs this on first use and caches OUT keyed by kernel version and agent hash.
set -euo pipefail
if [ $# -ne 3 ]; then
  echo "usage: $0 KVER AGENT OUT.cpio.gz" >&2
  exit 2
fi
kver=$1
agent=$2
out=$3
moddir=/lib/modules/$kver
for need in "$moddir" "$agent" /bin/busybox; do
  [ -e "$need" ] || { echo "mkinitramfs: missing $need" >&2; exit 1; }
done
busybox=/bin/busybox
# A dynamically linked busybox would need a libc in the initramfs: only the static one (busybox-static) works.
if file -L "$busybox" 2>/dev/null | grep -q dynamically; then
  echo "mkinitramfs: $busybox is dynamically linked; install busybox-static" >&2
  exit 1
fi
command -v cpio >/dev/null || { echo "mkinitramfs: cpio is not installed" >&2; exit 1; }
command -v modprobe >/dev/null || { echo "mkinitramfs: kmod (modprobe) is not installed" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work"/{bin,dev,proc,sys,lib/modules}
cp "$busybox" "$work/bin/busybox"
cp "$agent" "$work/agent"
chmod 755 "$work/agent"

# virtio_iommu first: the IOMMU must own the devices before vfio-pci binds them (6.12 only; 6.1 lacks it).
# vfio_iommu_type1 explicitly: nothing in the guest would request it.
want=(virtio_iommu vfio_iommu_type1 vfio_pci virtio_pci virtio_console)
: >"$work/modules.order"
declare -A seen=()
for mod in "${want[@]}"; do
  deps=$(modprobe -S "$kver" --show-depends "$mod" 2>/dev/null || true)
  while read -r kind path _; do
    [ "$kind" = insmod ] || continue
    [ -z "${seen[$path]:-}" ] || continue
    seen[$path]=1
    name=$(basename "$path")
    case "$name" in
      *.ko.xz) xz -dc "$path" >"$work/lib/modules/${name%.xz}"; name=${name%.xz} ;;
      *.ko.zst) zstd -qdc "$path" >"$work/lib/modules/${name%.zst}"; name=${name%.zst} ;;
      *.ko.gz) gzip -dc "$path" >"$work/lib/modules/${name%.gz}"; name=${name%.gz} ;;
      *) cp "$path" "$work/lib/modules/$name" ;;
    esac
    echo "${name%.ko}" >>"$work/modules.order"
  done <<<"$deps"
done

cat >"$work/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
# busybox insmod does not apply MODULE.PARAM=V from the kernel command line: forward those by hand.
cmdline=$(cat /proc/cmdline)
while read -r m; do
  mu=$(echo "$m" | tr - _)
  params=""
  for tok in $cmdline; do
    case "$tok" in
      "$mu".*=* | "$m".*=*) params="$params ${tok#*.}" ;;
    esac
  done
  insmod "/lib/modules/$m.ko" $params || echo "vipcts-init: insmod $m failed"
done </modules.order
# The devices under test belong to vfio-pci: edu (1234:11e8) and e1000e (8086:10d3).
for d in /sys/bus/pci/devices/*; do
  id="$(cat "$d/vendor"):$(cat "$d/device")"
  case "$id" in
    0x1234:0x11e8 | 0x8086:0x10d3)
      bdf=$(basename "$d")
      echo vfio-pci >"$d/driver_override"
      [ -e "$d/driver" ] && echo "$bdf" >"$d/driver/unbind"
      echo "$bdf" >/sys/bus/pci/drivers_probe
      ;;
  esac
done
port=""
for i in 1 2 3 4 5 6 7 8 9 10; do
  for p in /sys/class/virtio-ports/*; do
    [ -e "$p/name" ] && [ "$(cat "$p/name")" = agent ] && port=/dev/$(basename "$p")
  done
  [ -n "$port" ] && [ -e "$port" ] && break
  sleep 0.2
done
echo "vipcts-init: ready port=$port uptime=$(cut -d' ' -f1 /proc/uptime)"
if [ -n "$port" ]; then /agent "$port"; else echo "vipcts-init: no virtio port named agent"; fi
echo "vipcts-init: agent exited"
poweroff -f
EOF
chmod 755 "$work/init"

tmp="$out.tmp.$$"
mkdir -p "$(dirname "$out")"
(cd "$work" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --reproducible | gzip -1 -n) >"$tmp"
mv "$tmp" "$out"
