#!/usr/bin/env bash
# bench.smoke (CTest): the bench tools build and run. A few seconds; asserts only that each tool
# succeeds (every ACK checked by mllp-load), never a speed.
# Usage: smoke.sh EXPLAINER_BENCH MLLP_LOAD MLLP_NULL_SERVER FSYNC_RATE
set -euo pipefail
bench=$1 load=$2 null_server=$3 fsync_rate=$4
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

"$bench" --benchmark_min_time=0.01 --benchmark_filter='Hl7v2Parse_3KB|Match_ShippedRules|Pipeline_3KB|RenderPlainText$'
"$fsync_rate" --dir "$work" --count 20

"$null_server" --port 0 --port-file "$work/port" &
server_pid=$!
for _ in $(seq 100); do [[ -s $work/port ]] && break; sleep 0.05; done
[[ -s $work/port ]] || { echo "bench.smoke: null server did not start" >&2; exit 1; }
"$load" --port "$(cat "$work/port")" --connections 2 --messages 100 --max-seconds 30
echo "bench.smoke: ok"
