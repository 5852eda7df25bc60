#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and runs every test with CTest. Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/e2e-deps.sh # playwright-core for the CDP proxy test
scripts/build.sh
ctest --preset default "$@"
