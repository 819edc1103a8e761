#!/usr/bin/env bash
# bench/run.sh: builds Explainer (Release) and runs the whole performance suite in one go, then
# rewrites the generated part of docs/PERFORMANCE.md (between the GENERATED markers) with the
# machine, the commit, the date and every figure. Hand-written sections of that file are kept.
#
#   bench/run.sh [--build-dir DIR] [--no-build] [--quick] [--out FILE] [--soak SECONDS]
#                [--soak-json FILE] [--pg] [--store-only]
#   (EXPLAINERD=/path/to/explainerd overrides the daemon binary, e.g. one from another build dir)
#
# Everything runs on loopback, bounded in count and time (a full run takes a few minutes):
#   micro-benchmarks (explainer_bench), fsync rate of the data dir's disk (fsync-rate),
#   mllp-null-server and explainerd (synchronous=normal and full) driven by mllp-load at
#   1/4/16/64 connections, peer MLLP servers (python-hl7 asyncio, @medplum/hl7), p99 at a steady
#   1,000 msg/s with synchronous=full, explainerd's RSS during the 64-connection runs (shipped
#   rules, and 10,000 synthetic rules plus the shipped ones), the FHIR endpoint under wrk (JSON and
#   XML) beside fhir-null-server, and callgrind's instruction count of the in-process pipeline.
#   --soak SECONDS adds a soak (bench/soak.sh: 10,000 rules, 64 connections, 200 msg/s);
#   --soak-json FILE reports a soak measured separately by bench/soak.sh --json FILE instead.
# Raw results (JSON) stay in BUILD_DIR/bench-results/ for inspection.
#
# --pg adds explainerd on PostgreSQL (store.backend = postgres) at 1/4/16/64 connections: on the
# server EXPLAINER_BENCH_PG names (a libpq connection string), else on a throw-away server that
# scripts/pg-test-server.sh starts (port PG_TEST_PORT, default 55432; needs PostgreSQL installed).
# --store-only (implies --pg) runs just the store comparison: fsync rate, explainerd with SQLite
# synchronous=full and with PostgreSQL, and prints its table (bench/store_report.py) instead of
# rewriting docs/PERFORMANCE.md (docs/PERFORMANCE.md, "Store: ACK throughput ...", quotes it).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="$repo/build-bench"
out="$repo/docs/PERFORMANCE.md"
do_build=1
quick=0
soak_seconds=0
soak_json=
with_pg=0
store_only=0
while [[ $# -gt 0 ]]; do
  case $1 in
    --build-dir) build=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --quick) quick=1; shift ;;
    --out) out=$2; shift 2 ;;
    --soak) soak_seconds=$2; shift 2 ;;
    --soak-json) soak_json=$2; shift 2 ;;
    --pg) with_pg=1; shift ;;
    --store-only) store_only=1; with_pg=1; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--no-build] [--quick] [--out FILE] [--soak SECONDS] [--soak-json FILE] [--pg] [--store-only]" >&2; exit 2 ;;
  esac
done

if [[ $do_build == 1 ]]; then
  cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DEXPLAINER_BUILD_BENCH=ON >/dev/null
  cmake --build "$build" -j"$(nproc)" --target explainerd mllp-load mllp-null-server fhir-null-server fsync-rate explainer_bench
fi
bin_load="$build/bench/mllp-load"
bin_null="$build/bench/mllp-null-server"
bin_fhir_null="$build/bench/fhir-null-server"
bin_fsync="$build/bench/fsync-rate"
bin_micro="$build/bench/explainer_bench"
bin_daemon="${EXPLAINERD:-$build/engine/app/explainerd}"
needed=("$bin_load" "$bin_null" "$bin_fsync" "$bin_daemon")
[[ $store_only == 1 ]] || needed+=("$bin_micro" "$bin_fhir_null")
for b in "${needed[@]}"; do
  [[ -x $b ]] || { echo "run.sh: missing $b (build first)" >&2; exit 1; }
done

results="$build/bench-results"
data="$build/bench-data"   # explainerd's data dir and the fsync-rate file: same disk
rm -rf "$results" "$data"
mkdir -p "$results" "$data"
template="$repo/tests/fixtures/radiology/mri-lumbar-spine.hl7"

pids=()
pg_started=0
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  if [[ $pg_started == 1 ]]; then
    pg_test_server_stop
  elif [[ -n ${pg_schema:-} ]] && command -v psql >/dev/null; then
    psql "$pg_connection" -qc "DROP SCHEMA IF EXISTS $pg_schema CASCADE" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

stop_pid() {  # stop one process we started
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

wait_port_file() {  # FILE -> prints the port once the server wrote it
  for _ in $(seq 200); do [[ -s $1 ]] && { cat "$1"; return 0; }; sleep 0.05; done
  echo "run.sh: server did not report its port ($1)" >&2; return 1
}

wait_listening() {  # PORT
  for _ in $(seq 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "run.sh: nothing listens on $1" >&2; return 1
}

# Messages per connection for each connection count: bounded total work.
per_conn() {
  local scale=1
  [[ $quick == 1 ]] && scale=4
  case $1 in 1) echo $((2000 / scale)) ;; 4) echo $((1000 / scale)) ;; 16) echo $((250 / scale)) ;; *) echo $((60 / scale)) ;; esac
}

load() {  # NAME PORT CONNECTIONS [MESSAGES_PER_CONNECTION]
  local name=$1 port=$2 conns=$3 count=${4:-$(per_conn "$3")}
  "$bin_load" --port "$port" --connections "$conns" --messages "$count" --file "$template" \
    --max-seconds 60 --json >"$results/load-$name-c$conns.json" ||
    echo "run.sh: load $name c=$conns reported errors" >&2
}

echo "== machine"
{
  echo "{\"nproc\": $(nproc),"
  echo " \"cpu\": \"$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//; s/"/\\"/g')\","
  echo " \"mem_kb\": $(awk '/MemTotal/ {print $2}' /proc/meminfo),"
  echo " \"commit\": \"$(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo unknown)$(git -C "$repo" diff --quiet HEAD 2>/dev/null || echo '+dirty')\","
  echo " \"date\": \"$(date -u +%Y-%m-%dT%H:%M:%SZ)\","
  echo " \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\","
  echo " \"quick\": $quick}"
} >"$results/machine.json"

if [[ $store_only == 0 ]]; then
echo "== micro-benchmarks"
min_time=0.3
[[ $quick == 1 ]] && min_time=0.05
EXPLAINER_SOURCE_DIR="$repo" "$bin_micro" --benchmark_min_time="$min_time" \
  --benchmark_out="$results/micro.json" --benchmark_out_format=json >"$results/micro.txt"
cat "$results/micro.txt"

echo "== fsync rate ($data)"
"$bin_fsync" --dir "$data" --count $((quick == 1 ? 500 : 2000)) --max-seconds 15 --mode append --json |
  tee "$results/fsync-append.json"

echo "== null server"
"$bin_null" --port 0 --port-file "$results/null.port" & null_pid=$!; pids+=("$null_pid")
null_port=$(wait_port_file "$results/null.port")
for c in 1 4 16 64; do load null "$null_port" "$c"; done
stop_pid "$null_pid"
fi

# Downstream for explainerd: a second null server (delivery runs after the ACK, off the path).
"$bin_null" --port 0 --port-file "$results/downstream.port" & down_pid=$!; pids+=("$down_pid")
down_port=$(wait_port_file "$results/downstream.port")

run_daemon() {  # SYNC|postgres [MAPPINGS_DIR [NAME]] -> starts explainerd, sets daemon_pid and daemon_port
  local sync=$1 mappings=${2:-$repo/mappings} name=${3:-$1} port; port=$(free_port)
  local dir="$data/explainerd-$name"
  mkdir -p "$dir"
  local store_keys
  if [[ $sync == postgres ]]; then
    store_keys="store.backend = postgres
store.postgres.connection = $pg_connection
store.postgres.schema = $pg_schema"
  else
    store_keys="store.backend = sqlite
store.sqlite.path = explainer.db
store.sqlite.synchronous = $sync"
  fi
  cat >"$dir/bench.properties" <<CONF
log.level = warning
paths.data = $dir
paths.mappings = $mappings
paths.content = $repo/content
$store_keys
listeners = bench
listener.bench.type = mllp
listener.bench.bind = 127.0.0.1
listener.bench.port = $port
listener.bench.max_connections = 128
destinations = downstream
destination.downstream.type = mllp
destination.downstream.host = 127.0.0.1
destination.downstream.port = $down_port
CONF
  "$bin_daemon" --config="$dir/bench.properties" >"$results/explainerd-$name.log" 2>&1 &
  daemon_pid=$!; pids+=("$daemon_pid")
  daemon_port=$port
  wait_listening "$port"
}

sample_rss() {  # PID OUTFILE: VmRSS/VmHWM every 0.2 s while the process and the sampler's parent run
  local pid=$1 file=$2
  while kill -0 "$pid" 2>/dev/null; do
    awk '/VmRSS|VmHWM/ {printf "%s %s ", $1, $2} END {print ""}' "/proc/$pid/status" >>"$file" 2>/dev/null || break
    sleep 0.2
  done
}

if [[ $with_pg == 1 ]]; then
  pg_connection=${EXPLAINER_BENCH_PG:-}
  if [[ -z $pg_connection ]]; then
    # shellcheck source=../scripts/pg-test-server.sh
    source "$repo/scripts/pg-test-server.sh"
    pg_test_server_start
    pg_started=1
    pg_connection=${EXPLAINER_TEST_PG:-}
    [[ -n $pg_connection ]] || { echo "run.sh: --pg: no PostgreSQL server" >&2; exit 1; }
  fi
  pg_schema="explainer_bench_$$"
fi
pg_wal_syncs() {  # cluster-wide WAL flush count; empty unless measuring PostgreSQL with psql at hand
  [[ $sync == postgres ]] && command -v "$pg_psql" >/dev/null 2>&1 || return 0
  "$pg_psql" "$pg_connection" -Atc "SELECT wal_sync FROM pg_stat_wal" 2>/dev/null || true
}
pg_psql=$(command -v psql || ls /usr/lib/postgresql/*/bin/psql 2>/dev/null | sort -V | tail -n 1 || true)
store_variants=(normal full)
[[ $store_only == 1 ]] && store_variants=(full)
[[ $with_pg == 1 ]] && store_variants+=(postgres)

for sync in "${store_variants[@]}"; do
  if [[ $sync == full ]]; then
    # The virtual disk's sync time drifts within minutes: measure it again right before the
    # synchronous=full runs, rewriting in place as SQLite does with its WAL. The targets use this.
    echo "== fsync rate, overwrite in place ($data)"
    "$bin_fsync" --dir "$data" --count $((quick == 1 ? 500 : 2000)) --max-seconds 15 --mode overwrite --json |
      tee "$results/fsync.json"
  fi
  echo "== explainerd synchronous=$sync"
  run_daemon "$sync"
  for c in 1 4 16 64; do
    wal_syncs_before=$(pg_wal_syncs)
    if [[ $c == 64 ]]; then
      sample_rss "$daemon_pid" "$results/rss-$sync.txt" & sampler=$!
      load "explainerd-$sync" "$daemon_port" "$c"
      kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
      grep -E 'VmRSS|VmHWM' "/proc/$daemon_pid/status" >"$results/rss-$sync-final.txt" || true
    else
      load "explainerd-$sync" "$daemon_port" "$c"
    fi
    # Group commit on PostgreSQL: WAL flushes (pg_stat_wal.wal_sync) during this load step.
    if [[ -n $wal_syncs_before ]]; then
      echo "$(( $(pg_wal_syncs) - wal_syncs_before ))" >"$results/pg-wal-syncs-c$c.txt"
    fi
  done
  if [[ $sync == full ]]; then
    echo "== steady 1,000 msg/s, synchronous=full"
    secs=$((quick == 1 ? 2 : 5))
    "$bin_load" --port "$daemon_port" --connections 16 --messages $((1000 * secs / 16)) --rate 1000 \
      --file "$template" --max-seconds 60 --json >"$results/steady-full.json" || echo "run.sh: steady run reported errors" >&2
  fi
  stop_pid "$daemon_pid"
done
if [[ $store_only != 1 ]]; then
  echo "== explainerd memory with 10,000 synthetic rules (plus the shipped ones), 64 connections"
  rules10k=$("$bin_micro" --write-synthetic-mappings=10000 --with-shipped)
  run_daemon normal "$rules10k" rules10k
  grep -E 'VmRSS|VmHWM' "/proc/$daemon_pid/status" >"$results/rss-rules10k-idle.txt" || true
  sample_rss "$daemon_pid" "$results/rss-rules10k.txt" & sampler=$!
  load "explainerd-rules10k" "$daemon_port" 64
  kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true
  grep -E 'VmRSS|VmHWM' "/proc/$daemon_pid/status" >"$results/rss-rules10k-final.txt" || true
  stop_pid "$daemon_pid"
fi
stop_pid "$down_pid"

if [[ $store_only == 1 ]]; then
  echo "== store report"
  python3 "$repo/bench/store_report.py" "$results"
  echo "run.sh: raw results in $results"
  exit 0
fi

echo "== FHIR endpoint (wrk, 16 connections, a unique id per request)"
fhir_json="$repo/tests/fixtures/fhir/radiology/mri-lumbar-spine.json"
fhir_xml="$results/mri-lumbar-spine.xml"
"$bin_micro" --fhir-json-to-xml="$fhir_json" >"$fhir_xml"
fhir_secs=$((quick == 1 ? 2 : 5))
wrk_run() {  # NAME URL FORMAT
  local body=$fhir_json type=application/fhir+json
  [[ $3 == xml ]] && { body=$fhir_xml; type=application/fhir+xml; }
  FHIR_BODY=$body FHIR_CONTENT_TYPE=$type wrk -t2 -c16 -d"${fhir_secs}s" --timeout 10s \
    -s "$repo/bench/fhir_post.lua" "$2" 2>&1 | tail -1 >"$results/fhir-$1-$3.json" ||
    echo "run.sh: wrk $1 $3 failed" >&2
}
if command -v wrk >/dev/null; then
  "$bin_fhir_null" --port 0 --port-file "$results/fhir-null.port" & fnull_pid=$!; pids+=("$fnull_pid")
  fnull_port=$(wait_port_file "$results/fhir-null.port")
  for fmt in json xml; do wrk_run null "http://127.0.0.1:$fnull_port/fhir/DiagnosticReport" "$fmt"; done
  # explainerd's FHIR listener, delivering to the (still running) null server as its downstream.
  fport=$(free_port)
  fdir="$data/explainerd-fhir"; mkdir -p "$fdir"
  cat >"$fdir/bench.properties" <<CONF
log.level = warning
paths.data = $fdir
paths.mappings = $repo/mappings
paths.content = $repo/content
store.backend = sqlite
store.sqlite.path = explainer.db
store.sqlite.synchronous = normal
listeners = api
listener.api.type = fhir
listener.api.bind = 127.0.0.1
listener.api.port = $fport
listener.api.max_connections = 64
destinations = downstream
destination.downstream.type = fhir
destination.downstream.base_url = http://127.0.0.1:$fnull_port/fhir
CONF
  "$bin_daemon" --config="$fdir/bench.properties" >"$results/explainerd-fhir.log" 2>&1 & fd_pid=$!; pids+=("$fd_pid")
  wait_listening "$fport"
  for fmt in json xml; do wrk_run explainerd "http://127.0.0.1:$fport/fhir/DiagnosticReport" "$fmt"; done
  stop_pid "$fd_pid"
  stop_pid "$fnull_pid"
else
  echo "run.sh: wrk not installed (scripts/install-deps.sh --bench); FHIR endpoint skipped" >&2
fi

echo "== callgrind: instructions per in-process pipeline call"
if command -v valgrind >/dev/null && command -v callgrind_annotate >/dev/null; then
  EXPLAINER_SOURCE_DIR="$repo" valgrind --tool=callgrind --callgrind-out-file="$results/callgrind.pipeline" \
    --toggle-collect='explainer::bench::(anonymous namespace)::pipeline*' \
    "$bin_micro" --benchmark_filter='BM_Pipeline_3KB$' --benchmark_min_time=0.2 >/dev/null 2>&1 || true
  callgrind_annotate --inclusive=yes --tree=caller "$results/callgrind.pipeline" 2>/dev/null |
    python3 -c '
import re, sys, json
total = calls = None
for line in sys.stdin:
    if "PROGRAM TOTALS" in line:
        total = int(line.split()[0].replace(",", ""))
    m = re.search(r"< .*BM_Pipeline_3KB.*\((\d[\d,]*)x\)", line)
    if m and calls is None:
        calls = int(m.group(1).replace(",", ""))
print(json.dumps({"total_ir": total, "calls": calls,
                  "ir_per_message": (total // calls) if total and calls else None}))
' >"$results/callgrind-pipeline.json" || true
  cat "$results/callgrind-pipeline.json"
else
  echo "run.sh: valgrind not installed; callgrind count skipped" >&2
fi

if [[ $soak_seconds != 0 ]]; then
  echo "== soak: $soak_seconds s, 10,000 rules, 64 connections, 200 msg/s"
  "$repo/bench/soak.sh" --daemon "$bin_daemon" --load "$bin_load" --null-server "$bin_null" \
    --repo "$repo" --seconds "$soak_seconds" --rate 200 --connections 64 --mappings "$rules10k" \
    --max-rss-mb 100 --max-growth-mb 16 --json "$results/soak.json" || echo "run.sh: soak failed" >&2
elif [[ -n $soak_json ]]; then
  cp "$soak_json" "$results/soak.json"
fi

echo "== peers (they parse and acknowledge; they store nothing)"
peer() {  # NAME COMMAND...
  local name=$1; shift
  rm -f "$results/$name.port"
  "$@" 0 "$results/$name.port" >"$results/$name.log" 2>&1 & local pid=$!; pids+=("$pid")
  local port
  if port=$(wait_port_file "$results/$name.port"); then
    # Fewer messages than for explainerd: the Python peer does a few hundred per second.
    load "$name" "$port" 1 $((quick == 1 ? 200 : 1000))
    load "$name" "$port" 16 $((quick == 1 ? 20 : 100))
  fi
  stop_pid "$pid"
}
if /usr/bin/python3 -c 'import hl7.mllp' 2>/dev/null; then
  peer python-hl7 /usr/bin/python3 "$repo/bench/peers/hl7_asyncio_server.py"
else
  echo "run.sh: /usr/bin/python3 has no hl7 module (apt-get install python3-hl7); peer skipped" >&2
fi
if command -v node >/dev/null && { [[ -d $repo/bench/peers/node_modules/@medplum/hl7 ]] ||
     (cd "$repo/bench/peers" && npm ci --no-audit --no-fund >/dev/null 2>&1); }; then
  peer medplum-hl7 node "$repo/bench/peers/medplum_server.mjs"
else
  echo "run.sh: node or @medplum/hl7 unavailable; peer skipped" >&2
fi

echo "== report"
python3 "$repo/bench/make_report.py" "$results" "$out"
echo "run.sh: wrote $out (raw results in $results)"
