#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, runs every test with CTest, then every fuzz target for a bounded
# time (BANATA_FUZZ_SECONDS each, default 15). Extra arguments go to ctest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/e2e-deps.sh # playwright-core for the CDP proxy test
scripts/build.sh
ctest --preset default "$@"
scripts/fuzz.sh "${BANATA_FUZZ_SECONDS:-15}" # every libFuzzer target, bounded (docs/fuzzing.md)
