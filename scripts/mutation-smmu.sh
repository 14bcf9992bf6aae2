#!/bin/sh
# SMMU mutation score: builds vipcts and the mutants of conformance/smmu/mutants (one plugin each, from a mutated
# copy of reference/), generates the default vector set and prints how many mutants it kills.
#   scripts/mutation-smmu.sh [BUILD_DIR]        (default: build)
# Exit 0 only when every mutant is killed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
cmake --build "$build" --target vipcts smmu_mutants >/dev/null
vectors=$(mktemp --suffix=.jsonl)
trap 'rm -f "$vectors"' EXIT
"$build/harness/vipcts" gen smmu --seed 1 --count 100 -o "$vectors"
python3 "$root/conformance/smmu/mutants/mutants.py" --describe | sed 's/^/  mutant /'
exec "$root/scripts/mutation-score.sh" "$build/harness/vipcts" smmu "$vectors" "$build"/conformance/smmu/mutants/plugins/*.so
