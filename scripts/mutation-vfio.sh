#!/bin/sh
# vfio mutation score: builds vipcts and the mutants of conformance/vfio/mutants (one plugin each, from a mutated
# copy of reference/vfio), generates the default vector set, checks that the unmutated control plugin passes it,
# and prints how many mutants it kills.
#   scripts/mutation-vfio.sh [BUILD_DIR]        (default: build)
# Exit 0 only when the control passes and every mutant is killed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cmake --build "$build" --target vipcts vfio_mutants >/dev/null
vectors=$(mktemp --suffix=.jsonl)
results=$(mktemp --suffix=.jsonl)
trap 'rm -f "$vectors" "$results"' EXIT
"$build/harness/vipcts" gen vfio --seed 1 --count 100 -o "$vectors"
if ! "$build/harness/vipcts" run --suite vfio --impl "plugin:$build/conformance/vfio/mutants/control/none.so" \
    --vectors "$vectors" -o "$results" >/dev/null; then
  echo "control (unmutated model through the plugin shim) does not pass: mutation score meaningless" >&2
  exit 2
fi
echo "  control   none (unmutated) passes"
python3 "$root/conformance/vfio/mutants/mutants.py" --describe | sed 's/^/  mutant /'
# Only the mutants mutants.py lists today (a plugin left in the build tree by a removed mutant is not counted).
plugins=$(python3 "$root/conformance/vfio/mutants/mutants.py" --names |
  sed "s|.*|$build/conformance/vfio/mutants/plugins/&.so|")
# shellcheck disable=SC2086 # one plugin path per word
exec "$root/scripts/mutation-score.sh" "$build/harness/vipcts" vfio "$vectors" $plugins
