#!/bin/sh
# SPDX-License-Identifier: MIT
# Runs a command with a size-limited tmpfs mounted on a directory, without privileges: a new user
# namespace (we are root inside it, mapped to the caller) with its own mount namespace, so the
# small filesystem is visible only to the command and its children (sandboxes included).
#   small-disk.sh <dir> <size, e.g. 64m> <command> [args...]
# The command keeps this script's pid (every step execs). Outside, its files are reachable as
# /proc/<pid>/root/<dir>. Needs unprivileged user namespaces (Debian's default).
set -eu
if [ $# -lt 3 ]; then
    echo "usage: $0 <dir> <size> <command> [args...]" >&2
    exit 2
fi
if [ -z "${BANATA_SMALL_DISK_INSIDE:-}" ]; then
    BANATA_SMALL_DISK_INSIDE=1 exec unshare --user --map-root-user --mount -- "$0" "$@"
fi
unset BANATA_SMALL_DISK_INSIDE
dir=$1
size=$2
shift 2
mkdir -p "$dir"
mount -t tmpfs -o "size=$size,mode=0755" banata-small-disk "$dir"
exec "$@"
