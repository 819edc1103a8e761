#!/usr/bin/env bash
# bench/soak.sh: explainerd under a steady MLLP load for a while; its resident set (VmRSS) is
# sampled every second. A resource check, not a speed check: it fails only when the daemon dies,
# an ACK is wrong, the peak RSS exceeds --max-rss-mb, or the RSS grew by more than
# --max-growth-mb between the end of the warm-up (the first quarter of the run) and the end.
#
#   soak.sh --daemon EXPLAINERD --load MLLP_LOAD --null-server MLLP_NULL_SERVER --repo DIR
#           [--seconds 30] [--rate 100] [--connections 16] [--mappings DIR]
#           [--max-rss-mb 200] [--max-growth-mb 32] [--json FILE] [--work DIR]
#
# Everything runs on loopback (ports chosen by the kernel), in a temporary data directory that
# is removed at the end (unless --work is given). Used by CTest bench.soak_short (30 s, labels
# bench;soak) and by bench/run.sh --soak SECONDS (the 10-minute soak; see docs/PERFORMANCE.md).
set -euo pipefail

seconds=30 rate=100 connections=16 max_rss_mb=200 max_growth_mb=32
daemon= load= null_server= repo= mappings= json= work=
while [[ $# -gt 0 ]]; do
  case $1 in
    --daemon) daemon=$2; shift 2 ;;
    --load) load=$2; shift 2 ;;
    --null-server) null_server=$2; shift 2 ;;
    --repo) repo=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --mappings) mappings=$2; shift 2 ;;
    --max-rss-mb) max_rss_mb=$2; shift 2 ;;
    --max-growth-mb) max_growth_mb=$2; shift 2 ;;
    --json) json=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "soak.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
for v in daemon load null_server repo; do
  [[ -n ${!v} ]] || { echo "soak.sh: --${v//_/-} is required" >&2; exit 2; }
done
[[ -n $mappings ]] || mappings="$repo/mappings"

keep_work=1
if [[ -z $work ]]; then work=$(mktemp -d); keep_work=0; fi
mkdir -p "$work"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  [[ $keep_work == 1 ]] || rm -rf "$work"
}
trap cleanup EXIT

wait_port_file() {
  for _ in $(seq 200); do [[ -s $1 ]] && { cat "$1"; return 0; }; sleep 0.05; done
  echo "soak.sh: server did not report its port ($1)" >&2; return 1
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

"$null_server" --port 0 --port-file "$work/downstream.port" & pids+=($!)
down_port=$(wait_port_file "$work/downstream.port")
port=$(free_port)
mkdir -p "$work/data"
cat >"$work/soak.properties" <<CONF
log.level = warning
paths.data = $work/data
paths.mappings = $mappings
paths.content = $repo/content
store.backend = sqlite
store.sqlite.path = explainer.db
store.sqlite.synchronous = normal
listeners = soak
listener.soak.type = mllp
listener.soak.bind = 127.0.0.1
listener.soak.port = $port
listener.soak.max_connections = 128
destinations = downstream
destination.downstream.type = mllp
destination.downstream.host = 127.0.0.1
destination.downstream.port = $down_port
CONF
"$daemon" --config="$work/soak.properties" >"$work/explainerd.log" 2>&1 & daemon_pid=$!; pids+=("$daemon_pid")
for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$daemon_pid/status" 2>/dev/null || echo 0; }
start_rss=$(rss_kb)
per_connection=$(( (rate * seconds + connections - 1) / connections ))
"$load" --port "$port" --connections "$connections" --messages "$per_connection" --rate "$rate" \
  --file "$repo/tests/fixtures/radiology/mri-lumbar-spine.hl7" --max-seconds $((seconds * 2 + 30)) \
  --json >"$work/load.json" & load_pid=$!; pids+=("$load_pid")

: >"$work/rss.txt"
while kill -0 "$load_pid" 2>/dev/null; do
  kill -0 "$daemon_pid" 2>/dev/null || { echo "soak.sh: explainerd died (log: $work/explainerd.log)" >&2; exit 1; }
  rss_kb >>"$work/rss.txt"
  sleep 1
done
load_ok=0
wait "$load_pid" || load_ok=$?
kill -0 "$daemon_pid" 2>/dev/null || { echo "soak.sh: explainerd died" >&2; exit 1; }
end_rss=$(rss_kb)
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$daemon_pid/status")

# The end of the warm-up: the sample a quarter of the way through the run.
read -r samples warm peak < <(awk '{v[NR]=$1; if ($1>m) m=$1} END {q=int(NR/4); if (q<1) q=1; print NR, v[q], m}' "$work/rss.txt")
growth_kb=$((end_rss - warm))
acked=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("acked", 0))' "$work/load.json" 2>/dev/null || echo 0)
summary=$(printf '{"seconds": %s, "rate": %s, "connections": %s, "acked": %s, "samples": %s, "start_rss_kb": %s, "warm_rss_kb": %s, "end_rss_kb": %s, "peak_rss_kb": %s, "hwm_kb": %s, "growth_kb": %s, "mappings": "%s"}' \
  "$seconds" "$rate" "$connections" "$acked" "$samples" "$start_rss" "$warm" "$end_rss" "$peak" "$hwm_kb" "$growth_kb" "$mappings")
echo "$summary"
[[ -n $json ]] && echo "$summary" >"$json"

status=0
if [[ $load_ok != 0 ]]; then echo "soak.sh: mllp-load reported errors or wrong ACKs" >&2; status=1; fi
if (( hwm_kb > max_rss_mb * 1024 )); then
  echo "soak.sh: peak RSS ${hwm_kb} kB exceeds ${max_rss_mb} MB" >&2; status=1
fi
if (( growth_kb > max_growth_mb * 1024 )); then
  echo "soak.sh: RSS grew by ${growth_kb} kB after warm-up (bound ${max_growth_mb} MB)" >&2; status=1
fi
[[ $status == 0 ]] && echo "soak.sh: ok"
exit "$status"
