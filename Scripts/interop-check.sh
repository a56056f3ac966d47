#!/usr/bin/env bash
# Proves docs/PROTOCOL.md: runs the independent Python LRPC client (Tests/Interop/lrpc_client.py,
# written from the document alone) against a real lifed on its Unix socket.
#
#   Scripts/interop-check.sh [LIFED_BINARY] [client options, e.g. --hexdump]
#
# LIFED_BINARY defaults to .build/debug/lifed. The Python environment (protobuf, grpcio-tools)
# lives in .build-interop/venv and is made on first use. lifed runs with --dev in a temporary
# folder (TLS on a free port) and is stopped with SIGTERM afterwards. Exit status: the client's
# (0 = interop OK), or 2 if lifed could not be started.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=${1:-$root/.build/debug/lifed}
[ $# -gt 0 ] && shift
case $binary in /*) ;; *) binary=$PWD/$binary ;; esac
if [ ! -x "$binary" ]; then
    echo "interop-check: no lifed binary at $binary (swift build, or pass its path)" >&2
    exit 2
fi

venv=$root/.build-interop/venv
if ! "$venv/bin/python" -c 'import google.protobuf, grpc_tools' 2>/dev/null; then
    echo "interop-check: setting up $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check protobuf grpcio-tools
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lifed-interop.XXXXXX")
socket=$tmp/dev/lifed.sock
pid=

stop_daemon() {
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$pid" 2>/dev/null; then
            echo "interop-check: lifed did not stop within 10 s of SIGTERM; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    local status=0
    wait "$pid" 2>/dev/null || status=$?
    pid=
    if [ "$status" -ne 0 ]; then
        echo "interop-check: lifed exited with status $status after SIGTERM" >&2
    fi
}
cleanup() {
    stop_daemon
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A password hash of several seconds (128 MiB, p=4): the client checks that a Login whose 50 ms
# deadline passes during it is answered at the deadline, not when the hash ends (PROTOCOL §6).
(cd "$tmp" && exec "$binary" --dev --dev-dir "$tmp/dev" --dev-port 0 --set auth.scrypt=ln=17,r=8,p=4) >"$tmp/lifed.log" 2>&1 &
pid=$!

for _ in $(seq 300); do
    [ -S "$socket" ] && grep -q '^tls = ' "$tmp/dev/lifectl.conf" 2>/dev/null && break
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "interop-check: lifed exited before its socket appeared; its output:" >&2
        cat "$tmp/lifed.log" >&2
        exit 2
    fi
    sleep 0.1
done
if [ ! -S "$socket" ]; then
    echo "interop-check: no socket at $socket after 30 s; lifed's output:" >&2
    cat "$tmp/lifed.log" >&2
    exit 2
fi

status=0
pki=$tmp/dev/pki
"$venv/bin/python" "$root/Tests/Interop/lrpc_client.py" "$socket" --tls "$(sed -n 's/^tls = //p' "$tmp/dev/lifectl.conf")" \
    --ca "$pki/ca.pem" --cert "$pki/facility-1312345679.pem" --key "$pki/facility-1312345679-key.pem" "$@" || status=$?
if [ "$status" -ne 0 ]; then
    echo "interop-check: client failed (status $status); lifed's output:" >&2
    cat "$tmp/lifed.log" >&2
fi
stop_daemon
exit "$status"
