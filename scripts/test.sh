#!/usr/bin/env bash
# The test command: installs what the tests need, builds everything, starts a throw-away
# PostgreSQL server for the store tests, and runs the whole suite with CTest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/install-deps.sh" --test
if [[ -f "$root/tests/package.json" ]]; then
  (cd "$root/tests" && npm ci --no-audit --no-fund --loglevel=error)
fi
"$root/scripts/build.sh" -DEXPLAINER_BUILD_TESTS=ON
build_dir=${EXPLAINER_BUILD_DIR:-$root/build}

# shellcheck source=scripts/pg-test-server.sh
source "$root/scripts/pg-test-server.sh"
pg_test_server_start
trap pg_test_server_stop EXIT

(cd "$build_dir" && ctest --output-on-failure -j "$(nproc)" --timeout 600)

# The Debian package: cpack builds the .deb from this build, apt-get installs it, the service
# takes one ORU^R01 over MLLP (port 25001), then the package is purged and the clean-up checked
# (tests/package/package_test.sh; ~1 min). Needs root; EXPLAINER_TEST_PACKAGE=0 skips it.
if [[ "${EXPLAINER_TEST_PACKAGE:-1}" != 0 ]]; then
  if [[ $(id -u) -eq 0 ]]; then
    "$root/tests/package/package_test.sh" "$build_dir"
  else
    echo "test: package test skipped (needs root)"
  fi
fi

# Fuzzing: every libFuzzer target (MLLP codec, ER7 parser, extract, FHIR JSON and XML readers,
# content loader, libexplainer's enrich) for EXPLAINER_FUZZ_SECONDS (default 30) each, in a clang build (build-fuzz)
# seeded from the fixtures. A finding fails CI with the input saved and printed (scripts/fuzz.sh).
# EXPLAINER_TEST_FUZZ=0 skips it.
if [[ "${EXPLAINER_TEST_FUZZ:-1}" != 0 ]]; then
  "$root/scripts/fuzz.sh"
fi

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer (a second build).
# EXPLAINER_TEST_SANITIZE=0 skips it (e.g. for a quick local run).
if [[ "${EXPLAINER_TEST_SANITIZE:-1}" != 0 ]]; then
  asan_dir=${EXPLAINER_ASAN_BUILD_DIR:-$root/build-asan}
  cmake -S "$root" -B "$asan_dir" -DCMAKE_BUILD_TYPE=Debug -DEXPLAINER_SANITIZE=ON \
    -DEXPLAINER_BUILD_BENCH=OFF >/dev/null
  cmake --build "$asan_dir" -j "$(nproc)"
  (cd "$asan_dir" && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --output-on-failure -j "$(nproc)" --timeout 900)
fi
