#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Node packages of tests/e2e (playwright-core, a third-party CDP client the browser
# tests drive banata-local with) from its lockfile.
set -euo pipefail
cd "$(dirname "$0")/../tests/e2e"
if ! command -v npm >/dev/null; then
    echo "e2e-deps.sh: npm not found (scripts/deps.sh test installs it)" >&2
    exit 1
fi
if [ -d node_modules/playwright-core ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
    exit 0
fi
npm ci --no-audit --no-fund --loglevel=error
