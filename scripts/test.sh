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

cd "$build_dir"
ctest --output-on-failure -j "$(nproc)" --timeout 600
