#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian 12 packages the project needs that are not installed yet (apt; sudo when not root).
# Usage: scripts/deps.sh [build|test|bench]...   (default: build)
set -euo pipefail

build_packages=(
    cmake ninja-build g++ ccache
    qt6-base-dev qt6-base-dev-tools qt6-websockets-dev libqt6sql6-sqlite
    qtkeychain-qt6-dev qt6-qpa-plugins qt6-webengine-dev qt6-pdf-dev
    nlohmann-json3-dev libhttp-parser-dev libarchive-dev libcmark-dev libssl-dev
    bubblewrap
    chromium fonts-dejavu-core
    libreoffice-writer-nogui # the documents capability: headless conversion to PDF
)
test_packages=(curl xvfb xauth libgl1-mesa-dri
    clang libclang-rt-14-dev                            # libFuzzer targets (scripts/fuzz.sh)
    dpkg-dev lintian desktop-file-utils appstream       # the .deb package test (installer/)
)
bench_packages=(curl nginx-light)

wanted=()
for set in "${@:-build}"; do
    case "$set" in
        build) wanted+=("${build_packages[@]}") ;;
        test) wanted+=("${build_packages[@]}" "${test_packages[@]}") ;;
        bench) wanted+=("${build_packages[@]}" "${bench_packages[@]}") ;;
        *) echo "deps.sh: unknown set '$set' (build, test, bench)" >&2; exit 2 ;;
    esac
done

# The browser tests drive banata-local with playwright-core (npm). A Node.js that did not come
# from Debian (e.g. with its own npm) is fine; otherwise Debian's nodejs and npm.
if [[ " ${*:-build} " == *" test "* ]] && ! command -v npm >/dev/null; then
    wanted+=(nodejs npm)
fi

missing=()
for pkg in "${wanted[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$pkg")
    fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
