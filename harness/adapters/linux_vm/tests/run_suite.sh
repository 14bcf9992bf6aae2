#!/usr/bin/env bash
# End to end: `vipcts gen vfio --platform linux-vm` then `vipcts run --suite vfio --impl linux-vm:KERNEL,iommu=IOMMU`
# with the kernel's published expectations (reports/linux-KERNEL/expectations.yaml). Passes when every
# applicable operation got a kernel answer (no crash, timeout or error verdict), none disagreed with the model
# (fail or xpass), some passed, and type1 vectors were applicable. Exit 77 (ctest SKIP) when the VM is
# unavailable (packages missing). The full 1,000-sequence runs are scripts/linux-vm-report.sh's.
set -euo pipefail
vipcts=$1
kernel=${2:-6.1}
iommu=${3:-intel}
expect=${4:-}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# 40 random sequences over the four VM configurations and both type1 versions: about 10 run here.
"$vipcts" gen vfio --seed 7 --count 40 --no-boundary --platform linux-vm -o "$out/v.jsonl" >/dev/null 2>&1
rc=0
"$vipcts" run --suite vfio --impl "linux-vm:$kernel,iommu=$iommu" --vectors "$out/v.jsonl" -o "$out/r.jsonl" \
  ${expect:+--expect "$expect"} 2>"$out/err" || rc=$?
cat "$out/err" >&2
[ "$rc" -le 1 ] || { echo "vipcts run exited $rc"; exit 1; }
python3 - "$out/r.jsonl" <<'PY'
import collections, json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
prov = lines[0]
if prov["implementation"]["version"].startswith("unavailable"):
    print("skipped:", prov["implementation"]["version"])
    sys.exit(77)
verdicts = collections.Counter(l["verdict"] for l in lines if l.get("type") == "result")
print("verdicts:", dict(verdicts))
bad = [l for l in lines if l.get("type") == "result" and l["verdict"] in ("crash", "timeout", "error", "fail", "xpass")]
for l in bad[:10]:
    print("BAD", l["scenario"], l["op"], l["verdict"], l.get("message") or l.get("diff"))
ok = not bad and verdicts["pass"] > 0 and "vfio.type1" in prov["implementation"]["features"]
sys.exit(0 if ok else 1)
PY
