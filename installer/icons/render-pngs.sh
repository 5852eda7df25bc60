#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Renders dev.banata.Operator.svg to the committed PNGs (48, 128, 256 px) with headless Chromium,
# already a build dependency. Run after changing the SVG: installer/icons/render-pngs.sh
set -euo pipefail
cd "$(dirname "$0")"
chromium=/usr/lib/chromium/chromium
[ -x "$chromium" ] || { echo "render-pngs.sh: needs Debian's chromium (scripts/deps.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# size:css-px:scale. Headless Chromium paints only the top of windows of about 100-200 CSS px,
# so large icons come from a small window at a higher device scale factor.
for spec in 48:48:1 128:64:2 256:64:4; do
    IFS=: read -r size css scale <<<"$spec"
    cat >"$work/icon.html" <<HTML
<!doctype html><html><head><style>
html, body { margin: 0; padding: 0; background: transparent; overflow: hidden; }
svg { display: block; width: ${css}px; height: ${css}px; }
</style></head><body>
$(sed 1d dev.banata.Operator.svg)
</body></html>
HTML
    # Inline, not <img>: the screenshot must not race an asynchronous image decode.
    "$chromium" --headless --no-sandbox --disable-gpu --hide-scrollbars --user-data-dir="$work/profile-$size" \
        --force-device-scale-factor="$scale" --default-background-color=00000000 --window-size="$css,$css" \
        --screenshot="$PWD/dev.banata.Operator-$size.png" "file://$work/icon.html" 2>/dev/null
    echo "dev.banata.Operator-$size.png"
done
