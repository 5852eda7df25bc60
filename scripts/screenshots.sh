#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's pictures: the real app against a real banata-local with a prepared scene, under
# its own Xvfb, written to docs/screenshots/ (or the folder given).
# Usage: scripts/screenshots.sh [folder]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/build.sh --target gui_screenshots banata-viewer banata-local
folder=$(realpath -m "${1:-docs/screenshots}")
exec tests/support/xvfb-run.sh env QTWEBENGINE_CHROMIUM_FLAGS=--no-sandbox \
    BANATA_VIEWER_PLUGIN="$PWD/build/app/banata-viewer.so" build/tests/gui/gui_screenshots "$folder"
