#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The package test (CTest label "package"). From an already-built build tree: builds the .deb with
# CPack, checks it the way Debian would (dpkg-deb fields, file list and modes, stripped ELFs,
# lintian, desktop-file-validate, appstreamcli, systemd-analyze, apt, every NEEDED library owned by
# a package in Depends), then unpacks it and starts both programs from it: banata-local runs a
# sandbox with the packaged helpers and a Chromium shown through the packaged viewer plugin;
# banata-operator attaches to that server, and starts one of its own from beside itself.
# Usage: test_package.sh <build dir> <project version> <cpack> <package_viewer_probe> <xvfb-run.sh>
set -euo pipefail

build=$1 version=$2 cpack=$3 probe=$4 xvfb_run=$5
PATH=$PATH:/usr/sbin:/sbin # ldconfig, for normal users too
deb_version="$version-1"
app_id=dev.banata.Operator
work=$(mktemp -d "${TMPDIR:-/tmp}/banata-package.XXXXXX")
root="$work/root"
pids=()

# Everything this test starts names $work on its command line (servers' --data-dir, bwrap's
# binds), also what the app starts detached: end those, and only those, whatever happened.
cleanup() {
    local status=$? pid proc
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for proc in /proc/[0-9]*; do
        pid=${proc#/proc/}
        [ "$pid" = "$$" ] && continue
        if [[ "$(tr '\0' ' ' <"$proc/cmdline" 2>/dev/null)" == *"$work/"* ]]; then
            kill -KILL "$pid" 2>/dev/null || true
        fi
    done
    chmod -R u+w "$work" 2>/dev/null || true
    rm -rf "$work" 2>/dev/null || true
    exit "$status"
}
trap cleanup EXIT
trap 'echo "FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR

t0=$SECONDS
step() { echo "== [$((SECONDS - t0))s] $*"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
# wait_for <seconds> <what> <command...>: polls the condition until it holds or time runs out.
wait_for() {
    local timeout=$1 what=$2
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@"; do
        ((SECONDS < deadline)) || fail "no $what within ${timeout}s"
        sleep 0.1
    done
}
json() { python3 -Ic 'import json, sys; v = json.load(sys.stdin)
for k in sys.argv[1:]: v = v[k]
print(v if not isinstance(v, (dict, list)) else json.dumps(v))' "$@"; }
alive() { kill -0 "$1" 2>/dev/null; }

# ---- build the package ----
step "cpack"
"$cpack" --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; fail "cpack failed"; }
deb="$work/out/banata-operator_${deb_version}_amd64.deb"
[ -f "$deb" ] || { ls -l "$work/out"; fail "no $deb"; }
echo "$(basename "$deb"): $(stat -c %s "$deb") bytes"

# ---- control fields ----
step "dpkg-deb --info"
dpkg-deb -f "$deb"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = banata-operator ] || fail "Package is $(field Package)"
[ "$(field Version)" = "$deb_version" ] || fail "Version is $(field Version), not $deb_version"
[ "$(field Architecture)" = amd64 ] || fail "Architecture is $(field Architecture)"
[[ "$(field Maintainer)" == "Banata Operator team <"*">" ]] || fail "Maintainer is $(field Maintainer)"
[[ "$(field Section)" =~ ^(utils|devel)$ ]] || fail "Section is $(field Section)"
names() { tr ',|' '\n' | sed -e 's/(.*)//' -e 's/:any//' -e 's/[[:space:]]//g' | sed '/^$/d' | sort -u; }
depends=$(field Depends | names)
for pkg in bubblewrap chromium procps python3 libqt6sql6-sqlite libqt6webenginecore6-bin fonts-dejavu-core \
    libqt6core6 libqt6webenginecore6 libc6; do
    grep -qx "$pkg" <<<"$depends" || fail "Depends lacks $pkg: $(field Depends)"
done
grep -qx libreoffice-writer-nogui <<<"$(field Recommends | names)" || fail "Recommends lacks libreoffice-writer-nogui"

# ---- file list: exactly the product, Debian's modes ----
step "dpkg-deb --contents"
dpkg-deb --contents "$deb" >"$work/contents"
executables=(usr/bin/banata-operator usr/bin/banata-local usr/lib/banata/banata-sandboxd usr/lib/banata/banata-handoff)
expected=("${executables[@]}"
    usr/lib/banata-operator/banata-viewer.so
    usr/lib/systemd/user/banata-local.service
    "usr/share/applications/$app_id.desktop"
    "usr/share/metainfo/$app_id.metainfo.xml"
    "usr/share/icons/hicolor/scalable/apps/$app_id.svg"
    "usr/share/icons/hicolor/48x48/apps/$app_id.png"
    "usr/share/icons/hicolor/128x128/apps/$app_id.png"
    "usr/share/icons/hicolor/256x256/apps/$app_id.png"
    usr/share/man/man1/banata-operator.1.gz
    usr/share/man/man1/banata-local.1.gz
    usr/share/doc/banata-operator/copyright
    usr/share/doc/banata-operator/changelog.Debian.gz
    usr/share/lintian/overrides/banata-operator)
awk '$1 !~ /^d/ {print $6}' "$work/contents" | sed 's|^\./||' | sort >"$work/files"
printf '%s\n' "${expected[@]}" | sort >"$work/expected"
diff -u "$work/expected" "$work/files" || fail "the package's files differ from the expected list (+ extra, - missing)"
grep -Eiq '(^|/)(tests?|bench)(/|_)|\.(a|h|o)$|/include/|/cmake/' "$work/files" && fail "build-only files in the package"
awk '$2 != "root/root" {print "owner: " $0; bad=1} $1 ~ /^d/ && $1 != "drwxr-xr-x" {print "mode: " $0; bad=1}
     END {exit bad}' "$work/contents" || fail "wrong owner or directory mode"
while read -r mode _ _ _ _ path; do
    path=${path#./}
    [[ " ${executables[*]} " == *" $path "* ]] && want=-rwxr-xr-x || want=-rw-r--r--
    [[ $mode == d* || $mode == "$want" ]] || fail "$path is $mode, want $want"
done <"$work/contents"

# ---- unpack; ELF checks ----
step "dpkg-deb -x; ELF files stripped, no RPATH, NEEDED libraries owned by packages in Depends"
dpkg-deb -x "$deb" "$root"
mapfile -t elves < <(find "$root" -type f -exec sh -c 'head -c4 "$1" | grep -q "^.ELF" && echo "$1"' _ {} \;)
[ ${#elves[@]} -eq 4 ] || fail "expected 4 ELF files, found ${#elves[@]}: ${elves[*]}"
for elf in "${elves[@]}"; do
    # (No "cmd | grep -q" under pipefail: grep's early exit would fail the pipeline.)
    if grep -Eq ' \.(symtab|debug_[a-z_]+) ' <<<"$(readelf -S -W "$elf")"; then fail "${elf#"$root"} is not stripped"; fi
    if grep -Eq '\((RPATH|RUNPATH)\)' <<<"$(readelf -d "$elf")"; then fail "${elf#"$root"} has an RPATH"; fi
    if grep -q 'not found' <<<"$(ldd "$elf")"; then ldd "$elf"; fail "${elf#"$root"}: libraries not found"; fi
done
mapfile -t needed < <(for elf in "${elves[@]}"; do readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'; done | sort -u)
candidates=()
declare -A path_of
ldcache=$(ldconfig -p)
for lib in "${needed[@]}"; do
    path=$(awk -v lib="$lib" '$1 == lib && /x86-64/ {print $NF; exit}' <<<"$ldcache")
    [ -n "$path" ] || fail "NEEDED $lib is not known to ldconfig"
    path_of[$lib]=$path
    candidates+=("$path" "/usr${path#/usr}" "${path#/usr}")
done
owners=$(dpkg -S "${candidates[@]}" 2>/dev/null || true)
for lib in "${needed[@]}"; do
    path=${path_of[$lib]}
    owner=$(awk -v a="$path" -v b="/usr${path#/usr}" -v c="${path#/usr}" -F': ' '$2 == a || $2 == b || $2 == c {print $1; exit}' <<<"$owners")
    owner=${owner%%:*}
    [ -n "$owner" ] || fail "no package owns $path (NEEDED $lib)"
    grep -qx "$owner" <<<"$depends" || fail "NEEDED $lib is in $owner, which Depends does not name"
    echo "  $lib -> $owner"
done

# ---- Debian's checkers ----
step "lintian"
lintian_args=(--fail-on error --tag-display-limit 0)
[ "$(id -u)" -ne 0 ] || lintian_args+=(--allow-root)
if ! lintian "${lintian_args[@]}" "$deb" >"$work/lintian.log" 2>&1; then
    cat "$work/lintian.log"
    fail "lintian found errors"
fi
if [ -s "$work/lintian.log" ]; then cat "$work/lintian.log"; else echo "no tags (overrides: installer/lintian-overrides)"; fi

step "desktop-file-validate, appstreamcli"
desktop-file-validate "$root/usr/share/applications/$app_id.desktop"
appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml"
appstreamcli validate-tree --no-net "$root"

step "systemd-analyze verify (user unit)"
unit="$root/usr/lib/systemd/user/banata-local.service"
grep -qx 'ExecStart=/usr/bin/banata-local --port 8787' "$unit" || fail "unexpected ExecStart in the unit"
# The unit names /usr/bin/banata-local; verify a copy that names the unpacked one (verify checks
# that the program exists), with a user manager of its own runtime directory.
mkdir -p "$work/unit" "$work/runtime" && chmod 700 "$work/runtime"
sed "s|/usr/bin/banata-local|$root/usr/bin/banata-local|" "$unit" >"$work/unit/banata-local.service"
printf '[Service]\nExecStart=/bin/true\n' >"$work/unit/control.service"
if ! XDG_RUNTIME_DIR="$work/runtime" systemd-analyze verify --user --man=no "$work/unit/control.service" \
    >"$work/verify-control.log" 2>&1; then
    echo "SKIPPED: systemd-analyze cannot verify user units here: $(head -n 3 "$work/verify-control.log" | tr '\n' ' ')"
else
    XDG_RUNTIME_DIR="$work/runtime" systemd-analyze verify --user --man=no "$work/unit/banata-local.service" \
        >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "systemd-analyze verify failed"; }
    # Unknown or malformed settings are only logged: any output is a finding.
    [ ! -s "$work/verify.log" ] || { cat "$work/verify.log"; fail "systemd-analyze verify complained"; }
    echo "banata-local.service verified"
fi

# With the archive's package lists at hand, resolve against an empty dpkg status: a system with
# nothing installed, so every dependency down to the base system must come from Debian 12's
# archive (a fresh install). Without lists, only against this machine's installed packages.
apt_args=(install --simulate -o Debug::NoLocking=1)
if compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
    step "apt-get install --simulate, on a system with nothing installed"
    : >"$work/empty-status"
    apt_args+=(-o Dir::State::status="$work/empty-status")
else
    step "apt-get install --simulate (no package lists: against this machine's packages only)"
fi
apt-get "${apt_args[@]}" "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt cannot install the package"; }
grep -q '^Inst banata-operator ' "$work/apt.log" || { cat "$work/apt.log"; fail "apt would not install banata-operator"; }
echo "apt would install banata-operator and $(($(grep -c '^Inst ' "$work/apt.log") - 1)) other packages"

# ---- banata-local from the package ----
step "banata-local: start, health"
data="$work/data"
mkdir -p "$data"
# Without the overrides of its helpers' locations: it must find the packaged ones itself.
env -u BANATA_SANDBOXD -u BANATA_HANDOFF_TOOL -u BANATA_BWRAP \
    "$root/usr/bin/banata-local" --data-dir "$data" --port 0 >"$work/local.log" 2>&1 &
local_pid=$!
pids+=("$local_pid")
server_up() {
    alive "$local_pid" || { cat "$work/local.log"; fail "banata-local exited"; }
    [ -s "$data/server.json" ]
}
wait_for 30 "server.json from banata-local" server_up
url=$(json url <"$data/server.json")
port=${url##*:}
port=${port%%/*}
key=$(cat "$data/api-key")
api() { curl -sS --fail-with-body --max-time 60 -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$@"; }
health=$(api "$url/v1/health")
[ "$(json server <<<"$health")" = banata-local ] || fail "health: $health"
[ "$(json version <<<"$health")" = "$version" ] || fail "health version: $health"
echo "$url: $health"

step "banata-local: a sandbox runs a command with the packaged helpers"
id=$(api -X POST "$url/v1/sandboxes" -d '{"name": "package test", "runtime": "base"}' | json id)
sandbox_ready() {
    local sandbox status
    sandbox=$(api "$url/v1/sandboxes?id=$id")
    status=$(json status <<<"$sandbox")
    [ "$status" != failed ] || fail "the sandbox failed: $sandbox"
    [ "$status" = ready ]
}
wait_for 60 "ready sandbox" sandbox_ready
command='grep -E " (/run/banata/sandboxd|/opt/banata/bin/banata-handoff) " /proc/self/mountinfo; banata-handoff --help >/dev/null && echo handoff-runs'
result=$(api -X POST "$url/v1/sandboxes/exec" -d "$(python3 -Ic 'import json, sys; print(json.dumps({"id": sys.argv[1], "command": sys.argv[2]}))' "$id" "$command")")
stdout=$(json stdout <<<"$result")
echo "$stdout"
[ "$(json exitCode <<<"$result")" = 0 ] || fail "exec: $result"
grep -qx handoff-runs <<<"$stdout" || fail "banata-handoff did not run inside the sandbox: $result"
# mountinfo's 4th field is the bind source within its filesystem: the unpacked package's files.
for pair in /run/banata/sandboxd:usr/lib/banata/banata-sandboxd /opt/banata/bin/banata-handoff:usr/lib/banata/banata-handoff; do
    awk -v at="${pair%%:*}" -v from="/${work##*/}/root/${pair#*:}" \
        '$5 == at && substr($4, length($4) - length(from) + 1) == from {found=1} END {exit !found}' <<<"$stdout" ||
        fail "${pair%%:*} inside the sandbox is not the package's ${pair#*:}"
done

step "banata-local: the sandbox's Chromium in the packaged viewer plugin (Qt WebEngine)"
api -X POST "$url/v1/sandboxes/preview/start" -d "{\"id\": \"$id\"}" | json status
viewer=$(api "$url/v1/sandboxes/preview/viewer?id=$id" | json url)
cp "$probe" "$root/usr/bin/package_viewer_probe" # beside banata-operator: the app's lookup
[ ! -e "$root/usr/bin/banata-viewer.so" ] || fail "a plugin beside the app would shadow the packaged one"
env -u BANATA_VIEWER_PLUGIN HOME="$work/home" XDG_RUNTIME_DIR="$work/runtime" \
    "$xvfb_run" "$root/usr/bin/package_viewer_probe" "$viewer&embed=1" 60000 >"$work/probe.log" 2>&1 ||
    { cat "$work/probe.log"; fail "the packaged viewer plugin did not show the live page"; }
grep '^viewer state' "$work/probe.log"
rm "$root/usr/bin/package_viewer_probe"

# ---- banata-operator from the package ----
app_env=(env -u BANATA_API_KEY -u DISPLAY -u WAYLAND_DISPLAY -u BANATA_VIEWER_PLUGIN QT_QPA_PLATFORM=offscreen
    QT_FORCE_STDERR_LOGGING=1
    HOME="$work/home" XDG_CONFIG_HOME="$work/home/.config" XDG_DATA_HOME="$work/home/.local/share"
    XDG_CACHE_HOME="$work/home/.cache" XDG_RUNTIME_DIR="$work/runtime"
    DBUS_SESSION_BUS_ADDRESS="unix:path=$work/no-session-bus")
step "banata-operator --version, --help"
out=$("${app_env[@]}" "$root/usr/bin/banata-operator" --version)
[ "$out" = "banata-operator $version" ] || fail "--version printed: $out"
grep -q -- '--connect' <<<"$("${app_env[@]}" "$root/usr/bin/banata-operator" --help)" || fail "--help lacks --connect"

# A socket of process $1 in ESTABLISHED state (01) to 127.0.0.1:$2.
connected() {
    local inodes
    inodes=$(find "/proc/$1/fd" -lname 'socket:*' -printf '%l\n' 2>/dev/null | sed 's/^socket:\[\(.*\)\]$/\1/' | tr '\n' ' ')
    awk -v port="$(printf ':%04X' "$2")" -v inodes="$inodes" \
        'BEGIN {n = split(inodes, a, " "); for (i = 1; i <= n; i++) mine[a[i]] = 1}
         FNR > 1 && substr($3, length($3) - 4) == port && $4 == "01" && ($10 in mine) {found = 1}
         END {exit !found}' /proc/net/tcp /proc/net/tcp6
}

step "banata-operator: zero-setup start attaches to the running banata-local"
"${app_env[@]}" "$root/usr/bin/banata-operator" --settings "$work/app1.ini" --data-dir "$data" >"$work/app1.log" 2>&1 &
app1=$!
pids+=("$app1")
app1_attached() {
    alive "$app1" || { cat "$work/app1.log"; fail "banata-operator exited"; }
    grep -qsF "attached to banata-local $url" "$work/app1.log" && connected "$app1" "$port"
}
wait_for 30 "attachment of the app to banata-local (log line and an open connection)" app1_attached
grep -F "attached to banata-local" "$work/app1.log"
kill -TERM "$app1"

step "banata-operator: zero-setup start with no server starts the packaged banata-local"
data2="$work/data2"
"${app_env[@]}" "$root/usr/bin/banata-operator" --settings "$work/app2.ini" --data-dir "$data2" >"$work/app2.log" 2>&1 &
app2=$!
pids+=("$app2")
app2_started() {
    alive "$app2" || { cat "$work/app2.log"; fail "banata-operator exited"; }
    grep -qs "started banata-local http" "$work/app2.log" || return 1
    url2=$(json url <"$data2/server.json")
    port2=${url2##*:}
    connected "$app2" "${port2%%/*}"
}
wait_for 30 "banata-local started by the app, and the app connected to it" app2_started
grep -F "banata-local" "$work/app2.log"
server2=$(json pid <"$data2/server.json")
pids+=("$server2")
[ "$(readlink "/proc/$server2/exe")" = "$(readlink -f "$root/usr/bin/banata-local")" ] ||
    fail "the app started $(readlink "/proc/$server2/exe"), not the packaged banata-local"
kill -TERM "$app2" "$server2"

step "clean up"
api -X DELETE "$url/v1/sandboxes?id=$id" | json status
kill -TERM "$local_pid"
stopped() { ! alive "$local_pid" && ! alive "$server2" && ! alive "$app1" && ! alive "$app2"; }
wait_for 30 "exit of both servers and both apps" stopped
step "passed"
