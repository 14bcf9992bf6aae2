#!/bin/sh
# ctest for the vfio Python example: the clean example passes every applicable vector, and the planted bug
# (VIPCTS_VFIO_EXAMPLE_BUG=v1-unmap-in-v2) makes `vipcts run` exit 1 with a report that names the clause.
#   check.sh VIPCTS EXAMPLE.py
set -u
vipcts=$1 impl=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$vipcts" gen vfio --seed 1 --count 60 -o "$work/v.jsonl" >/dev/null 2>&1 || { echo "gen failed"; exit 2; }
"$vipcts" run --suite vfio --impl "exec:python3 $impl" --vectors "$work/v.jsonl" -o "$work/clean.jsonl" >"$work/clean.out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
  echo "clean example: expected exit 0, got $rc"; cat "$work/clean.out"; exit 1
fi
grep -q '"pass":[1-9]' "$work/clean.jsonl" || { echo "clean example: no passing operation"; exit 1; }
VIPCTS_VFIO_EXAMPLE_BUG=v1-unmap-in-v2 "$vipcts" run --suite vfio --impl "exec:python3 $impl" --vectors "$work/v.jsonl" \
  -o "$work/bug.jsonl" >"$work/bug.out" 2>&1
rc=$?
if [ "$rc" -ne 1 ]; then
  echo "planted bug: expected exit 1, got $rc"; cat "$work/bug.out"; exit 1
fi
"$vipcts" report "$work/bug.jsonl" --format md -o "$work/bug.md" >/dev/null 2>&1  # exits 1: the results have failures
[ -s "$work/bug.md" ] || { echo "report failed"; exit 1; }
if ! grep -q 'VFIO.TYPE1.UNMAP.V2_BISECT' "$work/bug.md"; then
  echo "planted bug: the report does not name VFIO.TYPE1.UNMAP.V2_BISECT"; exit 1
fi
echo "vfio python example: clean run passes; planted v1-unmap-in-v2 caught (exit 1, VFIO.TYPE1.UNMAP.V2_BISECT)"
