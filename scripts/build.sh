#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Configures (once) and builds with the default preset. Extra arguments go to `cmake --build`.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/build.ninja ] || cmake --preset default
cmake --build --preset default "$@"
