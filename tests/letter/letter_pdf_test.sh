#!/usr/bin/env bash
# usage: letter_pdf_test.sh REPO_ROOT LETTER_COMMAND...
# e.g.   letter_pdf_test.sh /work/main build/engine/app/explainer letter
#
# For each fixture: renders the letter with LETTER_COMMAND FILE --out X.html (run from
# REPO_ROOT, so the shipped mappings/ and content/ are used), prints it to PDF with headless
# Chromium, and checks that the PDF has at most two pages per explanation and that its text
# contains the study name and every explanation title. Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail

if [[ $# -lt 2 ]]; then
  echo "usage: $0 REPO_ROOT LETTER_COMMAND..." >&2
  exit 2
fi
root=$1
shift
letter_command=("$@")

chromium_bin=$(command -v chromium || command -v chromium-browser || true)
if [[ -z "$chromium_bin" ]]; then
  echo "SKIP: chromium is not installed (apt-get install chromium)"
  exit 77
fi
for tool in pdfinfo pdftotext; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool is not installed (apt-get install poppler-utils)"
    exit 77
  fi
done
# The page budget assumes the letter's first font (Liberation Sans, metric-compatible with
# Arial); a wider fallback font would change the page count, not the letter.
if ! ls /usr/share/fonts/truetype/liberation*/LiberationSans-Regular.ttf >/dev/null 2>&1; then
  echo "SKIP: Liberation Sans is not installed (apt-get install fonts-liberation)"
  exit 77
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# Titles of the explanations in a letter: the <h2> right after each explainer section.
explanation_titles() {
  grep -A1 '^<section class="explainer"' "$1" | sed -n 's|^<h2>\(.*\)</h2>$|\1|p' |
    sed -e 's/&lt;/</g' -e 's/&gt;/>/g' -e 's/&quot;/"/g' -e 's/&amp;/\&/g'
}

print_to_pdf() {
  local html=$1 pdf=$2 profile
  profile=$(mktemp -d "$work/profile.XXXXXX")
  timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --disable-quic \
    --no-first-run --disable-background-networking --disable-component-update --disable-sync \
    --no-pdf-header-footer --user-data-dir="$profile" --print-to-pdf="$pdf" \
    "file://$html" >"$work/chromium.log" 2>&1
  local rc=$?
  rm -rf "$profile"
  return $rc
}

# check NAME FIXTURE STUDY_NAME EXPECTED_EXPLANATIONS
check() {
  local name=$1 fixture=$2 study=$3 expected=$4
  local html="$work/$name.html" pdf="$work/$name.pdf"
  if ! (cd "$root" && "${letter_command[@]}" "tests/fixtures/radiology/$fixture" --out "$html") \
    >"$work/$name.out" 2>&1; then
    fail "$name: the letter command failed: $(cat "$work/$name.out")"
    return
  fi
  local count
  count=$(grep -c '^<section class="explainer"' "$html")
  if [[ "$count" -ne "$expected" ]]; then
    fail "$name: $count explanations in the letter, expected $expected"
  fi
  if ! print_to_pdf "$html" "$pdf" || [[ ! -s "$pdf" ]]; then
    fail "$name: chromium did not print a PDF: $(tail -5 "$work/chromium.log")"
    return
  fi
  local pages
  pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
  if [[ -z "$pages" || "$pages" -lt 1 || "$pages" -gt $((2 * count)) ]]; then
    fail "$name: $pages pages for $count explanations (at most $((2 * count)))"
  fi
  # One line of text with single spaces, so words wrapped across lines still match.
  local text
  text=$(pdftotext -enc UTF-8 "$pdf" - | tr -s '[:space:]' ' ')
  local words
  words=$(wc -w <<<"$text")
  if [[ "$words" -lt 200 ]]; then
    fail "$name: only $words words of text in the PDF"
  fi
  if ! grep -qF "$study" <<<"$text"; then
    fail "$name: the study name '$study' is not in the PDF text"
  fi
  local title titles=0
  while IFS= read -r title; do
    titles=$((titles + 1))
    if ! grep -qF "$title" <<<"$text"; then
      fail "$name: the title '$title' is not in the PDF text"
    fi
  done < <(explanation_titles "$html")
  if [[ "$titles" -ne "$count" ]]; then
    fail "$name: found $titles titles for $count explanations"
  fi
  echo "ok: $name: $count explanations, $pages pages, $words words"
}

check mri-lumbar-spine mri-lumbar-spine.hl7 "MRI LUMBAR SPINE WO CONTRAST" 3
check xr-chest-spanish xr-chest-spanish.hl7 "XR CHEST 2 VIEWS" 1

if [[ $failures -gt 0 ]]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all letter checks passed"
