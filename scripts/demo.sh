#!/usr/bin/env bash
# The demo: installs what is missing, builds explainerd and explainer, starts a downstream MLLP
# peer and explainerd on loopback (SQLite store, config/demo.properties), sends sample radiology
# reports through it and shows what came out the other side.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh"
build_dir=${EXPLAINER_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target explainerd explainer
bin="$build_dir/engine/app"

demo_dir="$root/var/demo"
rm -rf "$demo_dir"
mkdir -p "$demo_dir/portal"

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

wait_for_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  echo "demo: nothing is listening on port $1" >&2
  return 1
}

echo "== starting a downstream MLLP peer on 127.0.0.1:2576 (stands in for the portal)"
"$bin/explainer" receive --mllp 127.0.0.1:2576 --out "$demo_dir/portal" 2>"$demo_dir/peer.log" &
pids+=($!)
wait_for_port 2576

echo "== starting explainerd with config/demo.properties (MLLP on 127.0.0.1:2575)"
"$bin/explainerd" --config="$root/config/demo.properties" 2>"$demo_dir/explainerd.log" &
pids+=($!)
wait_for_port 2575

samples=(mri-lumbar-spine.hl7 mri-spine-metastasis.hl7 xr-chest-spanish.hl7 preliminary-report.hl7)
for sample in "${samples[@]}"; do
  file="$root/tests/fixtures/radiology/$sample"
  echo
  echo "================================================================ $sample"
  echo "-- what the report's impression says (explainer parse):"
  "$bin/explainer" parse --json "$file" | python3 -c '
import json, sys
for r in json.load(sys.stdin)["reports"]:
    print("   status=%s released=%s" % (r["status"], r["released"]))
    for line in r["impression"].splitlines():
        print("   | " + line)'
  echo "-- sending it to explainerd; the ACK:"
  "$bin/explainer" send --mllp 127.0.0.1:2575 "$file" | sed 's/^/   /'
done

echo
echo "== waiting for delivery to the downstream peer"
for _ in $(seq 1 100); do
  n=$(find "$demo_dir/portal" -name '*.hl7' | wc -l)
  [[ "$n" -ge ${#samples[@]} ]] && break
  sleep 0.1
done

for out in $(find "$demo_dir/portal" -name '*.hl7' | sort); do
  echo
  echo "================================================================ delivered: $(basename "$out")"
  echo "-- segments Explainer added (everything else is byte-identical to what was sent):"
  tr '\r' '\n' <"$out" | grep -n '^OBX' | grep 'EXPLAINER' | cut -c1-400 | sed 's/^/   /' || echo "   (none: nothing to explain, or not released)"
done

echo
echo "================================================================ FHIR: mri-lumbar-spine.json"
echo "-- POST [base]/DiagnosticReport to explainerd's FHIR endpoint (127.0.0.1:8080/fhir):"
wait_for_port 8080
/usr/bin/python3 - "$root/tests/fixtures/fhir/radiology/mri-lumbar-spine.json" <<'PY'
import sys, urllib.request
body = open(sys.argv[1], "rb").read()
req = urllib.request.Request("http://127.0.0.1:8080/fhir/DiagnosticReport", data=body, method="POST",
                             headers={"Content-Type": "application/fhir+json", "Prefer": "return=minimal"})
with urllib.request.urlopen(req) as r:
    print("   HTTP %d, Location: %s" % (r.status, r.headers.get("Location")))
PY
echo "-- what the archive destination received (a transaction Bundle):"
for _ in $(seq 1 100); do
  fhir_out=$(grep -l '"resourceType"' "$demo_dir"/out/* 2>/dev/null | head -1 || true)
  [[ -n "$fhir_out" ]] && break
  sleep 0.1
done
/usr/bin/python3 - "$fhir_out" <<'PY'
import base64, json, sys
b = json.load(open(sys.argv[1]))
print("   Bundle type=%s, %d entries" % (b.get("type"), len(b.get("entry", []))))
for e in b.get("entry", []):
    r, req = e["resource"], e.get("request", {})
    line = "   %-4s %-40s %s" % (req.get("method", ""), req.get("url", ""), r["resourceType"])
    if r["resourceType"] == "DocumentReference":
        att = r["content"][0]["attachment"]
        text = base64.b64decode(r["content"][1]["attachment"]["data"]).decode()
        line += ": %s (%s) -- %s..." % (att.get("title"), att.get("language"), text.splitlines()[0][:60])
    print(line)
PY

echo
echo "== what explainerd decided (from its log; at info level counts only, no patient data;"
echo "   which finding got which explanation is logged at debug and counted in /metrics)"
grep -E "message_accepted" "$demo_dir/explainerd.log" | sed 's/^[^ ]* /   /' | cut -c1-200
echo "-- per finding, from the admin endpoint (http://127.0.0.1:9400/metrics):"
python3 - <<'PY'
import urllib.request
try:
    text = urllib.request.urlopen("http://127.0.0.1:9400/metrics", timeout=5).read().decode()
except Exception as e:
    print("   (admin endpoint not reachable: %s)" % e)
    raise SystemExit(0)
for line in text.splitlines():
    if line.startswith(("explainer_explanations_attached_total{", "explainer_explanations_held_total{",
                        "explainer_explanations_awaiting_review")):
        print("   " + line)
PY
echo
echo "   The metastasis report got no explanation attached: sensitive findings are held for a"
echo "   clinician to release (policy.sensitive = hold); the report itself went out at once."
echo "   The preliminary report (OBR-25 = P) is not released, so it passed through untouched."
if "$bin/explainer" help 2>/dev/null | grep -q '^  queue'; then
  echo
  echo "== queue after the run"
  "$bin/explainer" queue status --config="$root/config/demo.properties" || true
fi
echo
echo "== patient letters written by the letter destination ($demo_dir/letters)"
for _ in $(seq 1 100); do
  [[ -n "$(find "$demo_dir/letters" -name '*.html' 2>/dev/null | head -1)" ]] && break
  sleep 0.1
done
for letter in $(find "$demo_dir/letters" -name '*.html' 2>/dev/null | sort); do
  echo "   $(basename "$letter"): $(grep -o '<h2>[^<]*</h2>' "$letter" | sed 's/<[^>]*>//g' | paste -sd ';' | cut -c1-150)"
done
echo
echo "== explanations held for a clinician (explainer review list; shows accession numbers)"
"$bin/explainer" review list --config="$root/config/demo.properties" | sed 's/^/   /'
held_id=$("$bin/explainer" review list --json --config="$root/config/demo.properties" |
  /usr/bin/python3 -c 'import json,sys; h=json.load(sys.stdin)["held"]; print(h[0]["id"] if h else "")')
if [[ -n "$held_id" ]]; then
  before=$(find "$demo_dir/portal" -name '*.hl7' | wc -l)
  echo "-- explainer review release $held_id --by demo:"
  "$bin/explainer" review release "$held_id" --by demo --config="$root/config/demo.properties" | sed 's/^/   /'
  for _ in $(seq 1 100); do
    [[ $(find "$demo_dir/portal" -name '*.hl7' | wc -l) -gt "$before" ]] && break
    sleep 0.1
  done
  mdm=$(find "$demo_dir/portal" -name '*.hl7' | sort | tail -1)
  echo "-- the follow-up the portal received ($(basename "$mdm")):"
  tr '\r' '\n' <"$mdm" | grep -E '^(MSH|TXA|OBX)' | cut -c1-160 | sed 's/^/   /'
fi
echo
echo "Demo finished. HL7 v2 delivered to the peer: $demo_dir/portal; file destination: $demo_dir/out;"
echo "patient letters: $demo_dir/letters;"
echo "log: $demo_dir/explainerd.log"
