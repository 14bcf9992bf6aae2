#!/bin/sh
# Generic mutation score: runs one vector set against every mutant plugin of a suite and prints the kill rate.
#   scripts/mutation-score.sh VIPCTS SUITE VECTORS PLUGIN.so...
# A mutant is killed when `vipcts run` reports at least one failing operation (exit 1); it survives when every
# operation passes (exit 0). Any other exit status is an error of the run itself and fails this script (exit 2).
# Exit status: 0 when every mutant is killed, 1 when one survives, 2 on errors.
set -u
if [ "$#" -lt 4 ]; then
  echo "usage: $0 VIPCTS SUITE VECTORS PLUGIN.so..." >&2
  exit 2
fi
vipcts=$1 suite=$2 vectors=$3
shift 3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
total=0 killed=0 errors=0
for plugin in "$@"; do
  name=$(basename "$plugin" .so)
  total=$((total + 1))
  "$vipcts" run --suite "$suite" --impl "plugin:$plugin" --vectors "$vectors" -o "$work/$name.jsonl" \
    >"$work/$name.out" 2>"$work/$name.err"
  rc=$?
  fails=$(grep -c '"verdict":"fail"' "$work/$name.jsonl" 2>/dev/null || true)
  case $rc in
    1) killed=$((killed + 1)); printf '  killed    %-34s (%s failing operations)\n' "$name" "$fails" ;;
    0) printf '  SURVIVED  %s\n' "$name" ;;
    *) errors=$((errors + 1)); printf '  ERROR     %s (exit %s): %s\n' "$name" "$rc" "$(head -c 300 "$work/$name.err")" ;;
  esac
done
pct=0
[ "$total" -gt 0 ] && pct=$((100 * killed / total))
echo "$suite mutation kill rate: $killed/$total ($pct %)"
[ "$errors" -eq 0 ] || exit 2
[ "$killed" -eq "$total" ] || exit 1
exit 0
