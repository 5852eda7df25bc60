#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs one command under its own Xvfb. Xvfb picks a free display itself (-displayfd), so tests
# running in parallel never race for a display number the way `xvfb-run -a` can.
# Usage: tests/support/xvfb-run.sh <command> [args...]
set -uo pipefail

coproc XVFB { exec Xvfb -displayfd 1 -screen 0 1600x1000x24 -nolisten tcp -noreset 2>/dev/null; }
xvfb_pid=$XVFB_PID
trap 'kill "$xvfb_pid" 2>/dev/null' EXIT
if ! read -r -t 30 display <&"${XVFB[0]}"; then
    echo "xvfb-run.sh: Xvfb did not start (is the xvfb package installed? scripts/deps.sh test)" >&2
    exit 1
fi
export DISPLAY=":$display"
export QT_QPA_PLATFORM=xcb
"$@"
