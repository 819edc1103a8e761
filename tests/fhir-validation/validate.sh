#!/usr/bin/env bash
# Validates every FHIR resource Explainer emits against the official FHIR R4 schemas:
# each FHIR fixture (tests/fixtures/fhir/radiology, spec_examples, us_core) is run through
# `explainer enrich` in both modes (bundle, contained) and both output formats (json, xml);
# XML output is checked with xmllint against fhir-single.xsd, JSON output with ajv against
# fhir.schema.json (draft-06). The conformance resources in fhir-profiles/ are checked too.
# Negative controls make sure each validator rejects a broken resource.
#
#   validate.sh EXPLAINER_BINARY SOURCE_DIR WORK_DIR
# Exit 0 = all valid; 1 = something invalid; 77 = xmllint or node missing (CTest: skipped).
set -euo pipefail
explainer=$1
src=$2
work=$3

command -v xmllint >/dev/null || { echo "xmllint not installed"; exit 77; }
command -v node >/dev/null || { echo "node not installed"; exit 77; }
if [[ ! -d "$src/tests/node_modules/ajv" ]]; then
  echo "ajv missing: run 'npm ci' in $src/tests (scripts/test.sh does)"
  exit 1
fi

xsd="$src/tests/fixtures/fhir-schemas/fhir-single.xsd"
schema="$src/engine/fhir/gen/fhir.schema.json.gz"
validator="$src/tests/fhir-validation/validate-json.js"
rm -rf "$work"
mkdir -p "$work/out"

inputs=("$src"/tests/fixtures/fhir/radiology/*.json "$src"/tests/fixtures/fhir/radiology/*.xml
        "$src"/tests/fixtures/fhir/spec_examples/*.json "$src"/tests/fixtures/fhir/spec_examples/*.xml
        "$src"/tests/fixtures/fhir/us_core/*.json)
failed=0
for input in "${inputs[@]}"; do
  base=$(basename "$input")
  for mode in bundle contained; do
    for format in json xml; do
      out="$work/out/${base%.*}.${base##*.}-in.$mode.$format"
      if ! "$explainer" enrich --fhir-mode "$mode" --output-format "$format" "$input" >"$out" 2>"$out.err"; then
        echo "FAILED: explainer enrich --fhir-mode $mode --output-format $format $base"
        cat "$out.err"
        failed=1
      fi
    done
  done
done

enriched=$(grep -l "explainer-education-document" "$work"/out/*.json "$work"/out/*.xml | wc -l)
echo "outputs: $(ls "$work"/out/*.json "$work"/out/*.xml | wc -l), with our DocumentReferences: $enriched"
if (( enriched < 16 )); then
  echo "FAILED: expected at least 16 enriched outputs (4 radiology fixtures x 4 variants)"
  failed=1
fi

# XML: every output plus the XML twins of fhir-profiles/ (when generated).
xml_files=("$work"/out/*.xml)
shopt -s nullglob
xml_files+=("$src"/fhir-profiles/*.xml)
shopt -u nullglob
if ! xmllint --noout --schema "$xsd" "${xml_files[@]}" 2>"$work/xmllint.log"; then
  grep -v " validates$" "$work/xmllint.log" | head -40
  failed=1
fi
echo "xml schema: $(grep -c " validates$" "$work/xmllint.log") of ${#xml_files[@]} valid"

# JSON: every output except those from the gingival-mass example, whose input already fails the
# schema (a NO-BREAK SPACE in resultsInterpreter.display, see tests/fixtures/SOURCES.md).
json_files=()
for f in "$work"/out/*.json; do
  [[ $f == *gingival-mass* ]] && continue
  json_files+=("$f")
done
json_files+=("$src"/fhir-profiles/*.json)
if ! node "$validator" "$schema" "${json_files[@]}"; then
  failed=1
fi

# Negative controls: a broken copy of an enriched output must be rejected by each validator.
sample_json=$(grep -l "explainer-education-document" "$work"/out/mri-lumbar-spine.json-in.bundle.json)
sed 's/"docStatus"/"docStatusTypo"/' "$sample_json" >"$work/broken.json"
if node "$validator" "$schema" "$work/broken.json" >/dev/null; then
  echo "FAILED: the JSON validator accepted a DocumentReference with an unknown element"
  failed=1
fi
sample_xml="$work/out/mri-lumbar-spine.json-in.bundle.xml"
sed 's/<docStatus /<docStatusTypo /' "$sample_xml" >"$work/broken.xml"
if xmllint --noout --schema "$xsd" "$work/broken.xml" 2>/dev/null; then
  echo "FAILED: xmllint accepted a DocumentReference with an unknown element"
  failed=1
fi

if (( failed )); then
  echo "fhir-validation: FAILED"
  exit 1
fi
echo "fhir-validation: all emitted resources are valid FHIR R4"
