#!/usr/bin/env bash
# Installs the Debian packages Explainer needs to build, run and test, if any are missing.
# Usage: scripts/install-deps.sh [--test|--bench]   (--test adds the servers and peers the tests
# use; --bench adds those and the tools bench/run.sh uses, e.g. wrk)
set -euo pipefail

build_packages=(
  build-essential cmake pkg-config
  libpoco-dev rapidjson-dev libxml2-dev libboost-log-dev libcmark-dev libyaml-cpp-dev libpq-dev
  libssl-dev libsqlite3-dev libgtest-dev libbenchmark-dev
  python3 python3-hl7
)
test_packages=(
  postgresql libxml2-utils openssl curl nodejs npm clang libclang-rt-14-dev valgrind
  chromium poppler-utils fonts-liberation
  luajit rhino libjna-java
)

bench_packages=(wrk)

wanted=("${build_packages[@]}")
if [[ "${1:-}" == "--test" ]]; then
  wanted+=("${test_packages[@]}")
fi
if [[ "${1:-}" == "--bench" ]]; then
  wanted+=("${test_packages[@]}" "${bench_packages[@]}")
fi

missing=()
for pkg in "${wanted[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
# nodejs/npm may come from outside Debian (a preinstalled Node.js); accept a working npm.
if command -v npm >/dev/null 2>&1; then
  filtered=()
  for pkg in "${missing[@]}"; do
    [[ "$pkg" == nodejs || "$pkg" == npm ]] || filtered+=("$pkg")
  done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi

if (( ${#missing[@]} )); then
  echo "install-deps: installing ${missing[*]}"
  SUDO=""
  if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "install-deps: all packages present"
fi
