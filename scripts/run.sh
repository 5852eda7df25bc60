#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and starts banata-local on loopback with its data in
# ~/.local/share/banata-local (the desktop app will start on top of it once it exists).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh
data_dir="${BANATA_DATA_DIR:-${XDG_DATA_HOME:-$HOME/.local/share}/banata-local}"
port="${BANATA_PORT:-8787}"
echo "Starting banata-local on http://127.0.0.1:${port} (data: ${data_dir}; API key in ${data_dir}/api-key)"
exec build/server/banata-local --port "$port" --data-dir "$data_dir" "$@"
