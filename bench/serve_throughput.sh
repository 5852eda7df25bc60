#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 1 GiB served by banata-local (GET /v1/sandboxes/fs/download) against Debian's nginx serving the
# same file on loopback, both read by `curl -o /dev/null`, alternating, in the same run.
# Usage: bench/serve_throughput.sh [runs] [size-MiB]   (defaults 5, 1024). Needs a built tree.
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
size_mib="${2:-1024}"
bin=build/server/banata-local
[ -x "$bin" ] || { echo "build first: scripts/build.sh" >&2; exit 1; }
command -v nginx >/dev/null || { echo "needs nginx: scripts/deps.sh bench" >&2; exit 1; }

work=$(mktemp -d)
server_pid=""
nginx_conf="$work/nginx.conf"
cleanup() {
    [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    pkill -KILL -f "$work/data" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" --port 0 --data-dir "$work/data" >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q 'Listening on' "$work/server.log" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[^ ]*' "$work/server.log" | head -1)
key=$(cat "$work/data/api-key")
auth=(-H "Authorization: Bearer $key")
id=$(curl -sf "${auth[@]}" -X POST "$url/v1/sandboxes" -d '{}' | sed -E 's/.*"id":"([a-z0-9]+)".*/\1/')
for _ in $(seq 100); do
    curl -sf "${auth[@]}" "$url/v1/sandboxes?id=$id" | grep -q '"status":"ready"' && break
    sleep 0.1
done
workspace="$work/data/sandboxes/$id/workspace"
head -c "$((size_mib * 1024 * 1024))" /dev/urandom >"$workspace/big.bin"
# nginx's workers run as another user and cannot enter the 0700 data directory: give them the
# same inode through a hard link in a readable folder.
mkdir -p "$work/www"
chmod 755 "$work" "$work/www"
ln "$workspace/big.bin" "$work/www/big.bin"
chmod 644 "$work/www/big.bin"

nginx_port=$((20000 + RANDOM % 20000))
cat >"$nginx_conf" <<CONF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 64; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    server { listen 127.0.0.1:$nginx_port; root $work/www; }
}
CONF
nginx -c "$nginx_conf"
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/big.bin" -r 0-0 && break; sleep 0.1; done

measure() { curl -sf -o /dev/null -w '%{speed_download}\n' "$@"; }
banata=()
nginx=()
for _ in $(seq "$runs"); do
    nginx+=("$(measure "http://127.0.0.1:$nginx_port/big.bin")")
    banata+=("$(measure "${auth[@]}" "$url/v1/sandboxes/fs/download?id=$id&path=/workspace/big.bin")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
mb() { awk -v b="$1" 'BEGIN {printf "%.0f", b/1048576}'; }
bm=$(median "${banata[@]}")
nm=$(median "${nginx[@]}")
echo "file: ${size_mib} MiB, runs: $runs (alternating), curl -o /dev/null on loopback"
echo "| server | median MiB/s | all runs MiB/s |"
echo "|---|---|---|"
echo "| nginx $(nginx -v 2>&1 | sed 's/.*\///') (sendfile) | $(mb "$nm") | $(for v in "${nginx[@]}"; do printf '%s ' "$(mb "$v")"; done)|"
echo "| banata-local | $(mb "$bm") | $(for v in "${banata[@]}"; do printf '%s ' "$(mb "$v")"; done)|"
awk -v b="$bm" -v n="$nm" 'BEGIN {printf "ratio banata-local / nginx: %.2f (budget >= 0.50)\n", b/n}'
