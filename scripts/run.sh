#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs what is missing, builds, and starts the desktop app. With no account configured the app
# attaches to the local server (banata-local, data in ~/.local/share/banata-local) or starts it,
# detached, so sandboxes outlive the app. Arguments go to banata-operator (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "run.sh: no display (DISPLAY/WAYLAND_DISPLAY unset). Run it in a desktop session, or try:" >&2
    echo "  xvfb-run -a scripts/run.sh    (apt install xvfb)" >&2
    exit 1
fi
exec build/app/banata-operator "$@"
