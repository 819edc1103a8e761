#!/usr/bin/env bash
# Runs every libFuzzer target for a short time, as CI does (scripts/test.sh).
#
# Usage: scripts/fuzz.sh [TARGET...]          (default: all targets below)
# Environment:
#   EXPLAINER_FUZZ_SECONDS      time per target (default 30; 7 targets => 3.5 minutes)
#   EXPLAINER_FUZZ_BUILD_DIR    clang build (default build-fuzz); only the fuzz targets are built
#   EXPLAINER_FUZZ_ARTIFACTS    where crashing inputs are saved (default $build/fuzz-artifacts)
#
# Each target starts from a seed corpus made of the repository's fixtures, copied into a scratch
# folder (the repository is never written). A crash, leak, timeout or broken property fails the
# script; the crashing input is kept in the artifacts folder and printed (base64 and od -c), ready
# to become a regression fixture (the *fuzz_regression_test.cpp of the target's folder).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${EXPLAINER_FUZZ_SECONDS:-30}
build=${EXPLAINER_FUZZ_BUILD_DIR:-$root/build-fuzz}
artifacts=${EXPLAINER_FUZZ_ARTIFACTS:-$build/fuzz-artifacts}

# target | binary (under $build) | dictionary ("" for none) | seed folders (searched recursively) | seed name pattern
targets=(
  "mllp_fuzz|engine/transport/mllp_fuzz||engine/transport/fuzz/corpus|*"
  "er7_fuzz|engine/hl7v2/er7_fuzz|engine/hl7v2/fuzz/er7.dict|tests/fixtures/radiology tests/fixtures/hl7v2|*"
  "extract_fuzz|engine/extract/extract_fuzz|engine/hl7v2/fuzz/er7.dict|tests/fixtures/radiology tests/fixtures/hl7v2|*"
  "fhir_json_fuzz|engine/fhir/fhir_json_fuzz||tests/fixtures/fhir|*.json"
  "fhir_xml_fuzz|engine/fhir/fhir_xml_fuzz||tests/fixtures/fhir|*.xml"
  "content_fuzz|engine/content/content_fuzz|engine/content/fuzz/content.dict|content/en content/es tests/fixtures/content/fuzz_regressions|*.md"
  "embed_enrich_fuzz|engine/embed/embed_enrich_fuzz||tests/fixtures/radiology tests/fixtures/fhir|*"
)

wanted=("$@")
selected=()
for entry in "${targets[@]}"; do
  name=${entry%%|*}
  if (( ${#wanted[@]} == 0 )) || [[ " ${wanted[*]} " == *" $name "* ]]; then selected+=("$entry"); fi
done
(( ${#selected[@]} )) || { echo "fuzz: no such target: $*" >&2; exit 2; }

names=()
for entry in "${selected[@]}"; do names+=("${entry%%|*}"); done
echo "fuzz: building ${names[*]} with clang in $build"
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DEXPLAINER_FUZZ=ON \
  -DEXPLAINER_BUILD_TESTS=OFF -DEXPLAINER_BUILD_BENCH=OFF "${launcher[@]}" >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${names[@]}" >"$build/fuzz-build.log" 2>&1 ||
  { tail -n 60 "$build/fuzz-build.log" >&2; echo "fuzz: build failed" >&2; exit 1; }

mkdir -p "$artifacts"
scratch=$(mktemp -d /tmp/explainer-fuzz.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
failed=()
for entry in "${selected[@]}"; do
  IFS='|' read -r name binary dict seed_dirs pattern <<<"$entry"
  corpus="$scratch/$name"
  mkdir -p "$corpus"
  for dir in $seed_dirs; do
    [[ -d "$root/$dir" ]] || continue
    while IFS= read -r -d '' file; do
      cp "$file" "$corpus/$(sha1sum "$file" | cut -c1-16)"
    done < <(find "$root/$dir" -type f -name "$pattern" -size -256k -print0)
  done
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536
           -print_final_stats=1 -artifact_prefix="$artifacts/$name-")
  [[ -n "$dict" ]] && options+=(-dict="$root/$dict")
  echo "fuzz: $name for ${seconds}s from $(find "$corpus" -type f | wc -l) seeds"
  before=$(find "$artifacts" -type f -name "$name-*" | sort)
  status=0
  "$build/$binary" "${options[@]}" "$corpus" >"$scratch/$name.log" 2>&1 || status=$?
  grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^#[0-9]+.*DONE' "$scratch/$name.log" | sed "s/^/fuzz: $name: /" || true
  if (( status != 0 )); then
    failed+=("$name")
    echo "fuzz: $name FAILED (exit $status); last lines of its output:" >&2
    tail -n 60 "$scratch/$name.log" >&2
    after=$(find "$artifacts" -type f -name "$name-*" | sort)
    for input in $(comm -13 <(echo "$before") <(echo "$after")); do
      echo "fuzz: crashing input saved as $input ($(stat -c %s "$input") bytes); base64:" >&2
      base64 "$input" >&2
      echo "fuzz: as characters:" >&2
      od -An -c "$input" | head -n 40 >&2
    done
  fi
done

if (( ${#failed[@]} )); then
  echo "fuzz: FAILED: ${failed[*]} (inputs in $artifacts)" >&2
  exit 1
fi
echo "fuzz: all ${#selected[@]} targets ran ${seconds}s each without a finding"
