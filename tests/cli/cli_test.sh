#!/usr/bin/env bash
# End-to-end tests of the vipcts command (docs/formats.md is the contract they check).
#
# usage: cli_test.sh TEST VIPCTS PLUGIN_SO SOURCE_DIR FIXTURE_DIR
#   TEST        one of the t_* functions below, without the prefix (ctest runs each as its own test)
#   FIXTURE_DIR where the `fixture` test writes the shared vectors file the other tests read
# Every test works in its own temporary directory, removed on exit.
set -u -o pipefail

TEST=$1
VIPCTS=$2
PLUGIN=$3
SRC=$4
FIX=$5
PYIMPL="python3 $SRC/examples/python-exec/vipcts_smmu_impl.py"
VECTORS=$FIX/vectors.jsonl

T=$(mktemp -d "${TMPDIR:-/tmp}/vipcts-cli-$TEST.XXXXXX")
trap 'rm -rf "$T"' EXIT
cd "$T" || exit 1
unset VIPCTS_EXAMPLE_BUG
export VIPCTS_EXAMPLE_STATE=$T/example-marker # crash/hang fire once per test run

fail() {
  echo "FAIL [$TEST]: $*" >&2
  exit 1
}

# run EXPECTED_EXIT LOGNAME CMD...: runs CMD, stdout+stderr to LOGNAME.out/.err, checks the exit code.
run() {
  local want=$1 log=$2
  shift 2
  "$@" >"$log.out" 2>"$log.err"
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "--- stderr of: $*" >&2
    tail -n 20 "$log.err" >&2
    fail "exit $rc, expected $want: $*"
  fi
}

# A usage/input error: exit 2 and a one-line message naming the place (an extended regex).
expect_input_error() {
  local pattern=$1 log=$2
  shift 2
  run 2 "$log" "$@"
  grep -Eq -- "$pattern" "$log.err" || fail "stderr does not match /$pattern/: $(head -c 400 "$log.err")"
}

summary_of() { grep '"type":"summary"' "$1" || fail "$1 has no summary line (run incomplete)"; }

# Whether a verdict matching the extended regex has a count in a results file. Not `verdicts F | grep -q`:
# grep -q exits at its first match, and with pipefail the writer's broken pipe then fails the pipeline (or,
# under `!`, passes it) depending on who runs first: flaky on a loaded machine.
has_verdict() {
  local counts
  counts=$(verdicts "$1") || fail "cannot read the verdicts of $1"
  grep -Eq -- "^($2) " <<<"$counts"
}

# Verdict counts of a results file as "verdict count" lines.
verdicts() {
  python3 - "$1" <<'EOF'
import collections, json, sys
c = collections.Counter()
for line in open(sys.argv[1]):
    r = json.loads(line)
    if r.get("type") == "result":
        c[r["verdict"]] += 1
for k in sorted(c):
    print(k, c[k])
EOF
}

need_fixture() { [ -s "$VECTORS" ] || fail "fixture $VECTORS missing (run the cli_fixture test first)"; }

# ---- shared vectors ----

t_fixture() {
  mkdir -p "$FIX"
  # gen writes atomically (PATH.tmp, then rename), so readers never see a partial file.
  run 0 gen "$VIPCTS" gen smmu --seed 7 --count 24 --ops-per-scenario 8 -o "$VECTORS"
  [ "$(head -c 1 "$VECTORS")" = "{" ] || fail "vectors file does not start with a JSON object"
}

# ---- gen ----

t_gen_same_seed_is_byte_identical() {
  for ext in jsonl yaml; do
    run 0 gen1 "$VIPCTS" gen smmu --seed 11 --count 6 --no-boundary -o "a.$ext"
    run 0 gen2 "$VIPCTS" gen smmu --seed 11 --count 6 --no-boundary -o "b.$ext"
    [ -s "a.$ext" ] || fail "gen wrote an empty a.$ext"
    cmp -s "a.$ext" "b.$ext" || fail "two gen runs with seed 11 differ ($ext)"
  done
  grep -q '"type":"vectors"' a.jsonl || fail "a.jsonl has no vectors header"
  grep -q '^scenarios:' a.yaml || fail "a.yaml has no scenarios key"
}

t_gen_other_seed_differs() {
  run 0 gen1 "$VIPCTS" gen smmu --seed 11 --count 6 --no-boundary -o a.jsonl
  run 0 gen2 "$VIPCTS" gen smmu --seed 12 --count 6 --no-boundary -o b.jsonl
  ! cmp -s a.jsonl b.jsonl || fail "seeds 11 and 12 gave identical vectors"
}

# --features: what the C example claims gives a file it runs in full (nothing not applicable), smaller than
# the unfiltered one; an unknown feature name is an input error naming it.
t_gen_features_keeps_only_claimed_scenarios() {
  local claims=smmu.s1,smmu.ste.bypass,smmu.gbpa,smmu.httu.af,smmu.cd.tbi,smmu.cd.ttb1,smmu.cd.raz_wi
  run 0 all "$VIPCTS" gen smmu --seed 11 --count 40 --no-boundary -o all.jsonl
  run 0 some "$VIPCTS" gen smmu --seed 11 --count 40 --no-boundary --features "$claims" -o some.jsonl
  grep -q 'left out by --features' some.err || fail "no count of the scenarios left out"
  [ "$(grep -c '"type":"op"' some.jsonl)" -gt 0 ] || fail "--features left no operation"
  [ "$(grep -c '"type":"op"' some.jsonl)" -lt "$(grep -c '"type":"op"' all.jsonl)" ] ||
    fail "--features kept every operation"
  run 0 run "$VIPCTS" run --suite smmu --impl "plugin:$PLUGIN" --vectors some.jsonl -o results.jsonl
  ! has_verdict results.jsonl not_applicable || fail "a claimed-only file still has not-applicable operations"
  has_verdict results.jsonl pass || fail "no passing operation"
  expect_input_error 'gen: --features: unknown feature `smmu\.bogus`' bad \
    "$VIPCTS" gen smmu --seed 11 --count 4 --features smmu.s1,smmu.bogus -o bad.jsonl
}

# ---- run + report ----

t_run_reference_and_report_every_format() {
  need_fixture
  run 0 run "$VIPCTS" run --suite smmu --impl reference --vectors "$VECTORS" -o results.jsonl
  summary_of results.jsonl >/dev/null
  head -n 1 results.jsonl | grep -q '"type":"provenance"' || fail "line 1 is not the provenance"
  run 0 json "$VIPCTS" report results.jsonl --format json -o report.json
  python3 -c 'import json,sys; json.load(open(sys.argv[1]))' report.json || fail "report.json does not parse"
  run 0 junit "$VIPCTS" report results.jsonl --format junit -o report.xml
  python3 -c 'import sys, xml.etree.ElementTree as E; E.parse(sys.argv[1])' report.xml ||
    fail "report.xml is not XML"
  run 0 ktap "$VIPCTS" report results.jsonl --format ktap -o report.ktap
  [ "$(head -n 1 report.ktap)" = "KTAP version 1" ] || fail "ktap does not start with 'KTAP version 1'"
  for f in md html; do
    run 0 "$f" "$VIPCTS" report results.jsonl --format "$f" -o "report.$f"
    [ -s "report.$f" ] || fail "report.$f is empty"
  done
}

t_run_c_plugin_passes() {
  need_fixture
  run 0 run "$VIPCTS" run --suite smmu --impl "plugin:$PLUGIN" --vectors "$VECTORS" -o results.jsonl
  has_verdict results.jsonl pass || fail "no passing operation"
}

t_run_python_exec_passes() {
  need_fixture
  run 0 run "$VIPCTS" run --suite smmu --impl "exec:$PYIMPL" --vectors "$VECTORS" -o results.jsonl
  has_verdict results.jsonl pass || fail "no passing operation"
}

# A planted bug is found, and the report names the clause it breaks: some failing result carries the clause,
# and the JUnit test case of that clause has a <failure>.
check_bug_found() {
  local impl=$1 bug=$2 clause=$3
  VIPCTS_EXAMPLE_BUG=$bug run 1 run "$VIPCTS" run --suite smmu --impl "$impl" --vectors "$VECTORS" -o results.jsonl
  python3 - results.jsonl "$clause" <<'EOF' || fail "no failing result carries $clause"
import json, sys
hits = [r for r in map(json.loads, open(sys.argv[1]))
        if r.get("type") == "result" and r["verdict"] == "fail" and sys.argv[2] in r.get("clauses", [])]
sys.exit(0 if hits else 1)
EOF
  run 1 junit "$VIPCTS" report results.jsonl --format junit -o report.xml
  python3 - report.xml "$clause" <<'EOF' || fail "the JUnit report has no <failure> for $clause"
import sys, xml.etree.ElementTree as E
cases = [c for c in E.parse(sys.argv[1]).iter("testcase") if c.get("name") == sys.argv[2]]
sys.exit(0 if cases and cases[0].find("failure") is not None else 1)
EOF
}

t_c_plugin_bug_start_level_is_found() {
  need_fixture
  check_bug_found "plugin:$PLUGIN" start-level SMMU.S1.WALK.START_LEVEL
}
t_c_plugin_bug_af_ignored_is_found() {
  need_fixture
  check_bug_found "plugin:$PLUGIN" af-ignored SMMU.S1.AF.FAULT
}
t_python_bug_start_level_is_found() {
  need_fixture
  check_bug_found "exec:$PYIMPL" start-level SMMU.S1.WALK.START_LEVEL
}
t_python_bug_af_ignored_is_found() {
  need_fixture
  check_bug_found "exec:$PYIMPL --bug af-ignored" none SMMU.S1.AF.FAULT
}

# crash/hang: the run completes (summary), exits 1, the failing op has the verdict, later scenarios still pass.
check_contained() {
  local impl=$1 bug=$2 verdict=$3
  shift 3
  VIPCTS_EXAMPLE_BUG=$bug run 1 run "$VIPCTS" run --suite smmu --impl "$impl" --vectors "$VECTORS" \
    -o results.jsonl "$@"
  summary_of results.jsonl >/dev/null
  python3 - results.jsonl "$verdict" <<'EOF' || fail "no '$verdict' verdict followed by passing scenarios"
import json, sys
rows = [r for r in map(json.loads, open(sys.argv[1])) if r.get("type") == "result"]
bad = [i for i, r in enumerate(rows) if r["verdict"] == sys.argv[2]]
if not bad:
    print("no", sys.argv[2], "verdict"); sys.exit(1)
first = rows[bad[0]]["scenario"]
later = [r for r in rows[bad[0]:] if r["scenario"] != first and r["verdict"] == "pass"]
others = [r["verdict"] for r in rows if r["verdict"] not in ("pass", "not_applicable", sys.argv[2])]
if not later or others:
    print("later passes:", len(later), "other verdicts:", others[:5]); sys.exit(1)
EOF
}

t_c_plugin_crash_is_contained() {
  need_fixture
  check_contained "plugin:$PLUGIN" crash crash
}
t_python_crash_is_contained() {
  need_fixture
  check_contained "exec:$PYIMPL" crash crash
}
t_c_plugin_hang_becomes_timeout() {
  need_fixture
  check_contained "plugin:$PLUGIN" hang timeout --timeout-ms 500
}
t_python_hang_becomes_timeout() {
  need_fixture
  check_contained "exec:$PYIMPL" hang timeout --timeout-ms 500
}

# ---- selection, parallelism, resume ----

t_jobs_2_matches_jobs_1() {
  need_fixture
  run 0 j1 "$VIPCTS" run --suite smmu --impl "plugin:$PLUGIN" --vectors "$VECTORS" -o j1.jsonl --jobs 1
  run 0 j2 "$VIPCTS" run --suite smmu --impl "plugin:$PLUGIN" --vectors "$VECTORS" -o j2.jsonl --jobs 2
  # Line 1 (provenance) holds the command line, which differs; everything after must be byte-identical.
  cmp -s <(tail -n +2 j1.jsonl) <(tail -n +2 j2.jsonl) || fail "--jobs 2 results differ from --jobs 1"
}

t_shards_cover_every_scenario_once() {
  need_fixture
  run 0 all "$VIPCTS" run --suite smmu --impl reference --vectors "$VECTORS" -o all.jsonl
  run 0 s0 "$VIPCTS" run --suite smmu --impl reference --vectors "$VECTORS" -o s0.jsonl --shard 0/2
  run 0 s1 "$VIPCTS" run --suite smmu --impl reference --vectors "$VECTORS" -o s1.jsonl --shard 1/2
  python3 - all.jsonl s0.jsonl s1.jsonl <<'EOF' || fail "shards 0/2 and 1/2 do not partition the run"
import json, sys
def ops(path):
    return [(r["scenario"], r["op"]) for r in map(json.loads, open(path)) if r.get("type") == "result"]
a, s0, s1 = ops(sys.argv[1]), ops(sys.argv[2]), ops(sys.argv[3])
sc0, sc1 = {s for s, _ in s0}, {s for s, _ in s1}
ok = sorted(a) == sorted(s0 + s1) and not (sc0 & sc1) and sc0 and sc1
print("all", len(a), "shard0", len(s0), "shard1", len(s1), "shared scenarios", len(sc0 & sc1))
sys.exit(0 if ok else 1)
EOF
}

t_resume_after_truncation_reaches_same_summary() {
  need_fixture
  run 0 full "$VIPCTS" run --suite smmu --impl reference --vectors "$VECTORS" -o full.jsonl
  local lines
  lines=$(wc -l <full.jsonl)
  [ "$lines" -gt 10 ] || fail "too few results to truncate"
  # Keep about half the complete lines plus half of the next one, as an interrupted run leaves them.
  local keep=$((lines / 2))
  head -n "$keep" full.jsonl >cut.jsonl
  sed -n "$((keep + 1))p" full.jsonl | head -c 25 >>cut.jsonl
  run 0 resume "$VIPCTS" run --suite smmu --impl reference --vectors "$VECTORS" -o cut.jsonl --resume
  [ "$(summary_of full.jsonl)" = "$(summary_of cut.jsonl)" ] || fail "resumed summary differs"
  cmp -s <(grep '"type":"result"' full.jsonl) <(grep '"type":"result"' cut.jsonl) ||
    fail "resumed results differ from an uninterrupted run"
}

# ---- expectations ----

write_expectations() {
  cat >expect.yaml <<'EOF'
implementation: vipcts-example-smmu-c with af-ignored   # informative
expectations:
  - clause: SMMU.S1.AF.FAULT
    verdict: fail
    reason: planted bug af-ignored never raises F_ACCESS
    tracker: examples/c-plugin/smmu_example.c
EOF
}

t_expectations_waive_known_failures() {
  need_fixture
  write_expectations
  VIPCTS_EXAMPLE_BUG=af-ignored run 0 run "$VIPCTS" run --suite smmu --impl "plugin:$PLUGIN" \
    --vectors "$VECTORS" -o results.jsonl --expect expect.yaml
  has_verdict results.jsonl waived || fail "no waived result"
  ! has_verdict results.jsonl 'fail|xpass' || fail "failures left unwaived: $(verdicts results.jsonl)"
}

# Without the bug the clause-wide entry waives nothing: the run exits 1 and the summary names the entry's line.
# An entry naming a scenario turns each passing operation of that scenario into xpass.
t_stale_expectation_is_reported() {
  need_fixture
  write_expectations
  local scenario
  # The first scenario the example implements (it has no 2-level stream tables: such scenarios are n/a for it).
  scenario=$(grep '"type":"scenario"' "$VECTORS" | grep -v -m1 'smmu\.strtab\.2level' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  printf '  - scenario: %s\n    reason: a scenario that the example translates correctly\n' "$scenario" >>expect.yaml
  run 1 run "$VIPCTS" run --suite smmu --impl "plugin:$PLUGIN" --vectors "$VECTORS" -o results.jsonl \
    --expect expect.yaml
  grep -q 'expect\.yaml:3: stale expectation' run.err || fail "no stale-expectation message: $(head -c 300 run.err)"
  summary_of results.jsonl | grep -q '"stale_expectations":\[3\]' || fail "summary does not name line 3"
  has_verdict results.jsonl xpass || fail "the scenario entry did not give xpass"
  ! has_verdict results.jsonl fail || fail "unexpected failures"
  run 1 md "$VIPCTS" report results.jsonl --format md -o report.md
  grep -q 'stale expectation' report.md || fail "the report does not show the stale expectation"
}

# ---- malformed input: exit 2 and a located one-line message ----

t_truncated_vectors_file() {
  need_fixture
  head -n 5 "$VECTORS" >v.jsonl
  sed -n 6p "$VECTORS" | head -c 40 >>v.jsonl # a last line cut in the middle, no newline
  expect_input_error 'v\.jsonl:6' run "$VIPCTS" run --suite smmu --impl reference --vectors v.jsonl -o r.jsonl
}

t_wrong_type_in_vectors() {
  need_fixture
  python3 - "$VECTORS" v.jsonl <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for i, line in enumerate(lines):
    r = json.loads(line)
    if r.get("type") == "op":
        r["index"] = "zero"  # a string where a number belongs
        lines[i] = json.dumps(r, separators=(",", ":"))
        print(i + 1)
        break
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
EOF
  local line
  line=$(python3 -c 'import json,sys
for i, l in enumerate(open(sys.argv[1])):
    if json.loads(l).get("type") == "op": print(i + 1); break' v.jsonl)
  expect_input_error "v\\.jsonl:$line:.*index" run "$VIPCTS" run --suite smmu --impl reference --vectors v.jsonl \
    -o r.jsonl
}

t_out_of_range_sid_in_vectors() {
  need_fixture
  python3 - "$VECTORS" v.jsonl <<'EOF'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
for i, line in enumerate(lines):
    r = json.loads(line)
    if r.get("type") == "op":
        r["request"]["params"]["sid"] = 2 ** 32  # StreamIDs are 32-bit
        lines[i] = json.dumps(r, separators=(",", ":"))
        break
open(sys.argv[2], "w").write("\n".join(lines) + "\n")
EOF
  local line
  line=$(python3 -c 'import json,sys
for i, l in enumerate(open(sys.argv[1])):
    if json.loads(l).get("type") == "op": print(i + 1); break' v.jsonl)
  expect_input_error "v\\.jsonl:$line:.*sid" run "$VIPCTS" run --suite smmu --impl reference --vectors v.jsonl \
    -o r.jsonl
}

t_missing_vectors_file() {
  expect_input_error 'no-such-vectors\.jsonl' run "$VIPCTS" run --suite smmu --impl reference \
    --vectors no-such-vectors.jsonl -o r.jsonl
}

t_unknown_impl_form() {
  need_fixture
  expect_input_error 'frobnicate' run "$VIPCTS" run --suite smmu --impl frobnicate:x --vectors "$VECTORS" \
    -o r.jsonl
}

# A copy of spec/ with one clause file edited by a Python snippet (argument: the path of smmu.yaml).
spec_copy_with() {
  cp -r "$SRC/spec" spec
  python3 -c "$1" spec/smmu.yaml || fail "could not edit the spec copy"
}

t_unknown_key_in_clause_file() {
  spec_copy_with '
import re, sys
p = sys.argv[1]; lines = open(p).read().split("\n")
i = next(i for i, l in enumerate(lines) if re.match(r"\s*- id:", l))
indent = lines[i].index("id:")  # the column of the clause keys
lines.insert(i + 1, " " * indent + "colour: blue")
open(p, "w").write("\n".join(lines))'
  local line
  line=$(grep -n 'colour: blue' spec/smmu.yaml | cut -d: -f1)
  expect_input_error "smmu\\.yaml:$line:.*colour" run "$VIPCTS" --spec-dir spec spec check
}

t_duplicate_clause_id() {
  spec_copy_with '
import re, sys
p = sys.argv[1]; lines = open(p).read().split("\n")
ids = [i for i, l in enumerate(lines) if re.match(r"\s*- id:", l)]
first = lines[ids[0]].split("id:", 1)[1].strip()
lines[ids[1]] = lines[ids[1]].split("id:", 1)[0] + "id: " + first
open(p, "w").write("\n".join(lines))'
  local line
  line=$(grep -n -- '- id:' spec/smmu.yaml | sed -n 2p | cut -d: -f1)
  expect_input_error "smmu\\.yaml:$line:.*(duplicate|Duplicate)" run "$VIPCTS" --spec-dir spec spec check
}

t_invalid_smt_in_clause_file() {
  spec_copy_with '
import sys
p = sys.argv[1]; lines = open(p).read().split("\n")
i = next(i for i, l in enumerate(lines) if l.strip().startswith("smt:"))
lines[i] = lines[i].split("smt:", 1)[0] + "smt: \"(bvadd nonexistent_field\""
open(p, "w").write("\n".join(lines))'
  local line
  line=$(grep -n 'nonexistent_field' spec/smmu.yaml | cut -d: -f1)
  # The message names the file; the line is the clause's or the smt key's.
  expect_input_error "smmu\\.yaml:[0-9]+:.*smt" run "$VIPCTS" --spec-dir spec spec check
  grep -Eq "smmu\\.yaml:[0-9]+" run.err || fail "no line number (smt is on line $line)"
}

t_exec_garbage_is_an_error_verdict() {
  need_fixture
  # Answers hello and open properly, then prints plain text instead of a JSON response.
  cat >garbage.py <<'EOF'
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    m = req["method"]
    if m == "hello":
        r = {"protocol": 1, "name": "garbage", "version": "0", "features": ["smmu.s1", "smmu.ste.bypass",
             "smmu.gbpa", "smmu.httu.af", "smmu.cd.tbi", "smmu.cd.ttb1", "smmu.cd.raz_wi"], "profile": ""}
    elif m == "translate":
        print("hello", flush=True)
        continue
    else:
        r = {}
    print(json.dumps({"id": req["id"], "result": r}), flush=True)
    if m == "shutdown":
        break
EOF
  run 1 run "$VIPCTS" run --suite smmu --impl "exec:python3 garbage.py" --vectors "$VECTORS" -o results.jsonl \
    --timeout-ms 2000
  summary_of results.jsonl >/dev/null
  has_verdict results.jsonl error || fail "garbage did not give an error verdict: $(verdicts results.jsonl)"
}

# ---- profiles (docs/implementing.md §5; smmu: the PBHA combine rule of nested translations) ----

# An exec implementation that declares the profile $1 and claims no feature: it never translates (the few
# operations that need no feature fail); what is checked is how the run treats the declaration.
write_profile_peer() {
  cat >peer.py <<EOF
import json, sys
for line in sys.stdin:
    req = json.loads(line)
    r = {"protocol": 1, "name": "peer", "version": "0", "features": [], "profile": "$1"} \
        if req["method"] == "hello" else {}
    print(json.dumps({"id": req["id"], "result": r}), flush=True)
    if req["method"] == "shutdown":
        break
EOF
}

# gen --profile: an OR file differs from the default file only in the pbha of some nested operations, records
# its profile in the header (JSONL and YAML), and passes against the reference, which follows it; impdef
# vectors leave those pbha "unknown"; --profile with the default's name writes the default file byte for byte.
t_gen_profile_or_passes_against_reference() {
  # Random nested scenarios with PBHA enabled at both stages and differing values are rare: 400 give 14.
  local g=(gen smmu --seed 3 --count 400 --ops-per-scenario 4 --no-boundary)
  run 0 def "$VIPCTS" "${g[@]}" -o def.jsonl
  run 0 s2w "$VIPCTS" "${g[@]}" --profile pbha-combine=stage2-wins -o s2w.jsonl
  cmp -s def.jsonl s2w.jsonl || fail "--profile pbha-combine=stage2-wins changed the default file"
  ! grep -q '"profile"' def.jsonl || fail "the default file names a profile"
  run 0 or "$VIPCTS" "${g[@]}" --profile pbha-combine=or -o or.jsonl
  run 0 imp "$VIPCTS" "${g[@]}" --profile pbha-combine=impdef -o imp.jsonl
  head -n 1 or.jsonl | grep -q '"seed":3,"profile":"pbha-combine=or"' || fail "no profile in the header"
  python3 - def.jsonl or.jsonl imp.jsonl <<'PY' || fail "the OR/impdef files differ from the default elsewhere"
import json, sys
files = [open(f).read().splitlines()[1:] for f in sys.argv[1:]]
assert len(set(map(len, files))) == 1
changed = unknown = 0
strip = lambda e: {k: v for k, v in e.items() if k != "pbha"}
for d, o, i in zip(*files):
    if d == o == i:
        continue
    d, o, i = json.loads(d), json.loads(o), json.loads(i)
    assert d["type"] == "op", d
    for x in (o, i):
        assert {k: v for k, v in x.items() if k != "expect"} == {k: v for k, v in d.items() if k != "expect"}
        assert strip(x["expect"]) == strip(d["expect"]), (d, x)
    assert "SMMU.PBHA.COMBINE" in d["clauses"], d
    changed += d["expect"].get("pbha") != o["expect"].get("pbha")
    unknown += i["expect"].get("pbha") == "unknown"
print("ops whose pbha differs under OR:", changed, "; unknown under impdef:", unknown)
assert changed > 0 and unknown >= changed
PY
  run 0 run "$VIPCTS" run --impl reference --vectors or.jsonl -o results.jsonl
  grep -q '"profile":"pbha-combine=or"' results.jsonl || fail "provenance does not show the reference's profile"
  run 0 conv "$VIPCTS" convert or.jsonl or.yaml
  grep -Eq '^profile: "?pbha-combine=or"?$' or.yaml || fail "the YAML file lost the profile"
  run 0 runy "$VIPCTS" run --impl reference --vectors or.yaml -o results-yaml.jsonl
  run 0 runi "$VIPCTS" run --impl reference --vectors imp.jsonl -o results-imp.jsonl
}

# runs LOG RESULTS CMD...: a run that gets past the profile check (not exit 2) and writes its summary.
runs() {
  local log=$1 results=$2
  shift 2
  "$@" >"$log.out" 2>"$log.err"
  [ $? -ne 2 ] || fail "exit 2: $(head -c 400 "$log.err")"
  summary_of "$results" >/dev/null
}

# Declared profile against the file's: the same profile runs; another is exit 2 naming both, before any
# operation runs ("" and the default's name are the same profile).
t_profile_mismatch_is_an_input_error() {
  need_fixture
  run 0 or "$VIPCTS" gen smmu --seed 3 --count 4 --no-boundary --profile pbha-combine=or -o or.jsonl
  write_profile_peer pbha-combine=or
  runs same r1.jsonl "$VIPCTS" run --impl "exec:python3 peer.py" --vectors or.jsonl -o r1.jsonl
  expect_input_error 'declares profile pbha-combine=or, but .*vectors\.jsonl holds the outcomes of pbha-combine=stage2-wins \(the default\)' \
    other "$VIPCTS" run --impl "exec:python3 peer.py" --vectors "$VECTORS" -o r2.jsonl
  [ "$(wc -l <other.err)" -eq 1 ] || fail "more than one line: $(cat other.err)"
  [ ! -s r2.jsonl ] || fail "a results file was written"
  write_profile_peer pbha-combine=stage2-wins
  runs default r3.jsonl "$VIPCTS" run --impl "exec:python3 peer.py" --vectors "$VECTORS" -o r3.jsonl
  write_profile_peer ""
  expect_input_error 'declares profile pbha-combine=stage2-wins \(the default\), but or\.jsonl holds the outcomes of pbha-combine=or' \
    default-vs-or "$VIPCTS" run --impl "exec:python3 peer.py" --vectors or.jsonl -o r4.jsonl
}

# Unknown profile names: in gen's option, in an implementation's declaration and in a vectors file's header.
t_unknown_profile_is_an_input_error() {
  need_fixture
  expect_input_error '^vipcts: gen: --profile: unknown profile `pbha-combine=and` of suite smmu \(known: pbha-combine=stage2-wins' \
    gen "$VIPCTS" gen smmu --seed 3 --count 4 --profile pbha-combine=and -o bad.jsonl
  [ ! -e bad.jsonl ] || fail "gen wrote a file"
  write_profile_peer pbha-combine=and
  expect_input_error 'exec:python3 peer\.py: declared profile \(hello `profile`, C ABI `profile`\): unknown profile `pbha-combine=and`' \
    hello "$VIPCTS" run --impl "exec:python3 peer.py" --vectors "$VECTORS" -o r.jsonl
  python3 - "$VECTORS" >v.jsonl <<'PY' || fail "cannot edit the header"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
h = json.loads(lines[0])
h["profile"] = "stage1-wins"
print("\n".join([json.dumps(h, separators=(",", ":"))] + lines[1:]))
PY
  expect_input_error 'v\.jsonl:1: header\.profile: unknown profile `stage1-wins`' header \
    "$VIPCTS" run --impl reference --vectors v.jsonl -o r.jsonl
}

type "t_$TEST" >/dev/null 2>&1 || fail "no such test"
"t_$TEST"
echo "PASS [$TEST]"
