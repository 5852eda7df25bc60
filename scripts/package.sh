#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and makes the Debian package with CPack; prints its path
# (build/banata-operator_<version>-1_amd64.deb). Install it with: sudo apt install ./<that path>
# The package's checks are a CTest test: ctest --preset default -L package (docs/packaging.md).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test # dpkg-dev (dpkg-shlibdeps for Depends) and the package checkers
scripts/build.sh
log=build/cpack.log
cpack --config build/CPackConfig.cmake -B "$PWD/build" >"$log" 2>&1 || { cat "$log" >&2; exit 1; }
# CPack's own report: "CPack: - package: /…/banata-operator_…_amd64.deb generated."
deb=$(sed -n 's/^CPack: - package: \(.*\.deb\) generated\.$/\1/p' "$log")
if [ -z "$deb" ] || [ ! -f "$deb" ]; then
    cat "$log" >&2
    echo "package.sh: no .deb made" >&2
    exit 1
fi
echo "$deb"
