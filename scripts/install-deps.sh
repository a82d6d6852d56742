#!/usr/bin/env bash
# Installs the Debian packages fitcheck needs to build and test, skipping those already installed.
# --ci adds what .ci/run needs beyond the tests: clang and its runtime libraries (libFuzzer, ASan, UBSan)
# for scripts/fuzz.sh, clang-format for the style check, and rsvg-convert (librsvg2-bin) for the test that renders
# the SVG charts to PNG (read with libpng; without either, that test skips).
set -euo pipefail
packages=(g++ cmake ninja-build nlohmann-json3-dev libcli11-dev libfmt-dev libgtest-dev libbenchmark-dev libpng-dev libyaml-cpp-dev pkg-config)
if [ "${1:-}" = "--ci" ]; then packages+=(clang libclang-rt-dev clang-format librsvg2-bin); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all build dependencies are installed"
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "install-deps: installing ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
