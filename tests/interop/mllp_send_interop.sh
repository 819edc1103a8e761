#!/usr/bin/env bash
# Interop: python3-hl7's mllp_send (a real external MLLP client) sends the radiology fixtures to
# explainerd; every ACK must be AA for its own control id; the downstream peer (explainer
# receive) must get every message byte for byte. Then a non-HL7 payload gets AR.
# Usage: mllp_send_interop.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
bin="$build/engine/app"
if ! command -v mllp_send >/dev/null; then
  echo "mllp_send (Debian python3-hl7) is not installed" >&2
  exit 1
fi
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [[ -n "${KEEP_WORK:-}" ]] || rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 1 200); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "port $1 never opened" >&2; return 1
}

in_port=$(free_port)
out_port=$(free_port)
cat >"$work/explainerd.properties" <<CONF
paths.data = $work/data
paths.mappings = $src/mappings
paths.content = $src/content
listeners = ris
listener.ris.port = $in_port
destinations = portal
destination.portal.type = mllp
destination.portal.host = 127.0.0.1
destination.portal.port = $out_port
# This test checks transport and storage: what arrives must be exactly what was sent.
destination.portal.enrich = false
CONF

"$bin/explainer" receive --mllp "127.0.0.1:$out_port" --out "$work/received" 2>/dev/null &
pids+=($!)
"$bin/explainerd" --config="$work/explainerd.properties" 2>"$work/explainerd.log" &
pids+=($!)
wait_port "$out_port"
wait_port "$in_port"

fixtures=(mri-lumbar-spine mri-knee ct-chest xr-chest-spanish us-abdomen-latin1 two-reports)
for name in "${fixtures[@]}"; do
  file="$src/tests/fixtures/radiology/$name.hl7"
  control_id=$(head -c 400 "$file" | tr '\r' '\n' | head -1 | cut -d'|' -f10)
  # mllp_send reads MLLP-framed input from its file (its --loose mode re-encodes text, which
  # would change a Latin-1 message): frame each fixture byte for byte.
  { printf '\x0b'; cat "$file"; printf '\x1c\x0d'; } >"$work/$name.mllp"
  ack=$(mllp_send --port "$in_port" --file "$work/$name.mllp" 127.0.0.1 | tr '\r' '\n')
  if ! grep -q "^MSA|AA|$control_id\$" <<<"$ack"; then
    echo "FAIL: $name: expected MSA|AA|$control_id, got:" >&2
    echo "$ack" >&2
    exit 1
  fi
  echo "ok: $name acknowledged AA $control_id"
done

for _ in $(seq 1 200); do
  [[ $(ls "$work/received" 2>/dev/null | grep -c '\.hl7$') -ge ${#fixtures[@]} ]] && break
  sleep 0.05
done
i=0
for name in "${fixtures[@]}"; do
  i=$((i + 1))
  got=$(ls "$work/received" | grep "^$(printf '%06d' "$i")-" | head -1)
  # mllp_send strips the final CR of each message it reads (python3-hl7 read_stream), so what
  # it sent is the fixture minus that byte; explainerd must pass on exactly what it got.
  head -c -1 "$src/tests/fixtures/radiology/$name.hl7" >"$work/expected.hl7"
  if ! cmp -s "$work/received/$got" "$work/expected.hl7"; then
    echo "FAIL: delivered copy of $name differs from what was sent" >&2
    exit 1
  fi
done
echo "ok: ${#fixtures[@]} messages delivered byte for byte, in order"

printf '\x0bMSH|^~\\&|X|Y|Z|W|20250101||ADT^A01|CTRL1|P|2.5.1\rPID|1\r\x1c\x0d' >"$work/adt.hl7"
ack=$(mllp_send --port "$in_port" --file "$work/adt.hl7" 127.0.0.1 | tr '\r' '\n')
grep -q '^MSA|AR|CTRL1' <<<"$ack" || { echo "FAIL: ADT was not rejected: $ack" >&2; exit 1; }
echo "ok: wrong message type rejected with AR"
echo "1 passed, 0 failed"
