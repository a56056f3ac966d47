#!/usr/bin/env bash
# Tests the C client (Sources/CLifeClient) against a real lifed:
#
#   Scripts/test-c-client.sh [LIFED_BINARY]        default .build/debug/lifed (lifectl beside it)
#
#  1. builds liblifeclient, lifegw-example, life-probe and the test program with gcc and with
#     clang (-Wall -Wextra -Werror), installs with `make install PREFIX=...` and links a program
#     through the installed liblifeclient.pc;
#  2. runs the frame-path unit tests and broken/hostile-peer tests (silent server, 2 GiB frame
#     header, trickling bytes: deadlines hold, nothing big is allocated) under valgrind;
#  3. starts `lifed --dev` in a temporary folder AS AN UNPRIVILEGED USER (nobody), adds the
#     sample facility and its admin with lifectl;
#  4. cross-checks bytes: Health.Check and Admin.CreateFacilityAdmin sent by lifectl (the Swift
#     stubs) and by the C stubs through a recording proxy give identical HEADERS + MESSAGE frames;
#  5. runs the C test suite under valgrind (zero leaks, zero errors): every unary RPC of Health
#     and Auth, Health.Watch, multiplexing, cancellation, deadlines, wrong certificate, wrong
#     password, TLS name check; then lifegw-example and life-probe (exit codes 0/1/2);
#  6. GOAWAY on SIGTERM and a daemon restart under a connected client, then keepalive (the
#     restarted daemon pings after 1 s: a reading client answers, an idle one is dropped and
#     reconnects by itself), under valgrind;
#  7. the libFuzzer target over the incoming-frame path, 200000 executions.
#
# Installs what it needs with apt-get when missing (as root, as CI runs): pkg-config,
# libprotobuf-c-dev, libssl-dev, protobuf-c-compiler, valgrind, clang, gcc, make, openssl,
# util-linux (setpriv), doxygen. Prints
# "N passed, M failed" last and exits non-zero when anything failed.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
binary=${1:-$root/.build/debug/lifed}
case $binary in /*) ;; *) binary=$PWD/$binary ;; esac
lifectl_binary=$(dirname "$binary")/lifectl
src=$root/Sources/CLifeClient
fuzz_runs=${LIFE_FUZZ_RUNS:-200000}
unprivileged_uid=65534

passed=0
failed=0
log() { printf 'test-c-client: %s\n' "$*" >&2; }
pass() { passed=$((passed + 1)); printf 'ok - %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL - %s\n' "$*"; }
# Adds the "N passed, M failed" of a sub-run (its last such line) to the totals.
tally() {
    local line
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$1" | tail -n 1)
    if [ -z "$line" ]; then
        fail "$2: no result line (crashed?)"
        return
    fi
    passed=$((passed + $(cut -d' ' -f1 <<<"$line")))
    failed=$((failed + $(cut -d' ' -f3 <<<"$line")))
}
finish() {
    if [ "$failed" -gt 0 ] && [ -s "${tmp:-/nonexistent}/lifed.log" ]; then
        echo "--- last lines of lifed's log ---"
        tail -n 40 "$tmp/lifed.log"
        echo "---"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
    exit $?
}

# --- dependencies -------------------------------------------------------------------------
install_deps() {
    local missing=()
    command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
    pkg-config --exists libprotobuf-c 2>/dev/null || missing+=(libprotobuf-c-dev)
    pkg-config --exists openssl 2>/dev/null || missing+=(libssl-dev)
    command -v protoc-c >/dev/null 2>&1 || missing+=(protobuf-c-compiler)
    command -v valgrind >/dev/null 2>&1 || missing+=(valgrind)
    command -v clang >/dev/null 2>&1 || missing+=(clang libclang-rt-dev) # libclang-rt-dev: libFuzzer
    command -v gcc >/dev/null 2>&1 || missing+=(gcc)
    command -v make >/dev/null 2>&1 || missing+=(make)
    command -v openssl >/dev/null 2>&1 || missing+=(openssl)
    command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
    command -v doxygen >/dev/null 2>&1 || missing+=(doxygen)
    [ "${#missing[@]}" -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        log "missing: ${missing[*]} (install them, or run as root with apt-get)"
        return 1
    fi
    log "installing ${missing[*]} with apt-get"
    apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
if ! install_deps; then
    fail "dependencies"
    finish
fi
if [ ! -x "$binary" ] || [ ! -x "$lifectl_binary" ]; then
    fail "no lifed/lifectl at $binary (swift build first, or pass the lifed path)"
    finish
fi

umask 022
tmp=$(mktemp -d "${TMPDIR:-/tmp}/life-c-client.XXXXXX")
chmod 0755 "$tmp"
# The unprivileged daemon may not be able to reach the build folder (a checkout under /root):
# it runs from a copy.
install -d -m 0755 "$tmp/bin"
install -m 0755 "$binary" "$tmp/bin/lifed"
daemon_binary=$tmp/bin/lifed
pid=
proxy_pid=
stop_daemon() {
    [ -n "$pid" ] || return 0
    if kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$pid" 2>/dev/null || true
    fi
    local status=0
    wait "$pid" 2>/dev/null || status=$?
    pid=
    return "$status"
}
cleanup() {
    stop_daemon || true
    if [ -n "$proxy_pid" ]; then kill "$proxy_pid" 2>/dev/null; wait "$proxy_pid" 2>/dev/null; fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. build -------------------------------------------------------------------------------
jobs=$(nproc 2>/dev/null || echo 2)
if make -s -C "$src" BUILD="$tmp/gcc" CC=gcc -j"$jobs" >"$tmp/make-gcc.log" 2>&1; then
    pass "make with gcc (-Wall -Wextra -Werror): static + shared library, example, probe, tests"
else
    cat "$tmp/make-gcc.log"
    fail "make with gcc"
    finish
fi
if make -s -C "$src" BUILD="$tmp/clang" CC=clang -j"$jobs" >"$tmp/make-clang.log" 2>&1; then
    pass "make with clang (-Wall -Wextra -Werror)"
else
    cat "$tmp/make-clang.log"
    fail "make with clang"
fi
bin=$tmp/gcc
if make -s -C "$src" BUILD="$bin" CC=gcc install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1 \
    && printf '#include <life/v1/lrpc-stubs.h>\n#include <stdio.h>\nint main(void){puts(life_code_name(LIFE_UNAVAILABLE));return life_health_check_method.kind;}\n' >"$tmp/consumer.c" \
    && PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig gcc -Wall -Werror -o "$tmp/consumer" "$tmp/consumer.c" \
        $(PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig pkg-config --cflags --libs liblifeclient) >>"$tmp/install.log" 2>&1 \
    && [ "$(LD_LIBRARY_PATH=$tmp/prefix/lib "$tmp/consumer")" = UNAVAILABLE ] \
    && [ -f "$tmp/prefix/lib/liblifeclient.a" ] && [ -x "$tmp/prefix/bin/life-probe" ]; then
    pass "make install PREFIX=...; a program builds and runs from the installed liblifeclient.pc"
else
    cat "$tmp/install.log"
    fail "make install / pkg-config consumer"
fi

exports=$(nm -D --defined-only "$tmp/gcc/liblifeclient.so" 2>/dev/null | awk '{print $3}')
if [ -n "$exports" ] && ! grep -Ev '^life_' <<<"$exports" >/dev/null \
    && ! grep -Eq '^life_(conn|buf|frame|transport|tls|bio|now|preface|call_fail|call_finish)' <<<"$exports"; then
    pass "liblifeclient.so exports only the API ($(grep -c '^life_[a-z]' <<<"$exports") life_* functions and constants, the life__v1__* descriptors)"
else
    fail "liblifeclient.so exports internal symbols: $(grep -E '^life_(conn|buf|frame|transport)' <<<"$exports" | head -5 | tr '\n' ' ')"
fi
if command -v doxygen >/dev/null 2>&1; then
    if (cd "$src" && (cat Doxyfile; echo "OUTPUT_DIRECTORY = $tmp/doc"; echo "WARN_AS_ERROR = YES") | doxygen - \
        >"$tmp/doxygen.log" 2>&1); then
        pass "doxygen: every public function, type and parameter is documented (warnings as errors)"
    else
        cat "$tmp/doxygen.log"
        fail "doxygen found undocumented API"
    fi
else
    log "doxygen not installed: API documentation check skipped"
fi

valgrind_run() { # LOG PROGRAM ARGS...: memcheck, errors and leaks fail the run
    local out=$1
    shift
    valgrind --quiet --error-exitcode=99 --suppressions="$src/tests/valgrind.supp" --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --log-file="$out.valgrind" "$@" >"$out" 2>&1
}
valgrind_verdict() { # LOG STATUS WHAT
    if [ "$2" -eq 99 ] || [ -s "$1.valgrind" ]; then
        cat "$1.valgrind"
        fail "$3 under valgrind: memory errors or leaks"
    elif [ "$2" -ne 0 ] && [ "$2" -ne 1 ]; then
        fail "$3 exited with status $2"
    else
        pass "$3 under valgrind: no leaks, no errors"
    fi
}

# --- 2. unit tests --------------------------------------------------------------------------
status=0
valgrind_run "$tmp/unit.log" "$bin/test-client" unit || status=$?
cat "$tmp/unit.log"
tally "$tmp/unit.log" "unit tests"
valgrind_verdict "$tmp/unit.log" "$status" "unit tests"

# --- 3. a real lifed, unprivileged ------------------------------------------------------------
mkdir -p "$tmp/run"
chown "$unprivileged_uid:$unprivileged_uid" "$tmp/run"
start_daemon() { # [--set key=value ...]
    # The daemon never runs as root here: setpriv to nobody with no supplementary groups. Its
    # own uid and root (the test programs) may use the socket.
    (cd "$tmp/run" && exec setpriv --reuid="$unprivileged_uid" --regid="$unprivileged_uid" --clear-groups \
        "$daemon_binary" --dev --dev-dir "$dev" --dev-port 0 --set "unix.allow_users=$unprivileged_uid,0" "$@") \
        >>"$tmp/lifed.log" 2>&1 &
    pid=$!
    for _ in $(seq 300); do
        [ -S "$socket" ] && grep -q '^tls = ' "$dev/lifectl.conf" 2>/dev/null && return 0
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$tmp/lifed.log"
    return 1
}
# The dev folder lives under $tmp/run so that the unprivileged daemon can create it.
dev=$tmp/run/dev
socket=$dev/lifed.sock
# unix.mode 0666 lets any user reach the socket, so the daemon's own allow-list is what refuses
# a stranger (GOAWAY PEER_NOT_ALLOWED), which the probe checks below.
if ! start_daemon --set unix.mode=0666; then
    fail "lifed --dev did not start as uid $unprivileged_uid"
    finish
fi
chmod 0711 "$dev"
daemon_uid=$(stat -c %u "/proc/$pid" 2>/dev/null || echo '?')
if [ "$daemon_uid" = "$unprivileged_uid" ]; then
    pass "lifed --dev runs as uid $unprivileged_uid (not root)"
else
    fail "lifed runs as uid $daemon_uid"
fi
tls_address=$(sed -n 's/^tls = //p' "$dev/lifectl.conf")
tls_port=${tls_address##*:}
pki=$dev/pki
facility=1312345679
facility_name=開発用サンプル事業所A
printf 'Initial-2026\n' >"$tmp/password"
printf 'Changed-Pass-2026\n' >"$tmp/new-password"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=not-the-lifed-ca -days 2 \
    -keyout "$tmp/other-key.pem" -out "$tmp/other.pem" >/dev/null 2>&1

# --- 4. byte cross-check through a recording proxy --------------------------------------------
python3 "$src/tests/lrpc_record.py" proxy "$tmp/proxy.sock" "$socket" "$tmp/rec" &
proxy_pid=$!
for _ in $(seq 50); do [ -S "$tmp/proxy.sock" ] && break; sleep 0.1; done
lifectl() { (cd "$tmp" && "$lifectl_binary" "$@"); }
if lifectl facility add --socket "$socket" "$facility" "$facility_name" >"$tmp/lifectl.log" 2>&1; then
    pass "lifectl facility add $facility"
else
    cat "$tmp/lifectl.log"
    fail "lifectl facility add"
fi
# Recording n: lifectl probe (1), C Health.Check (2), lifectl staff create-admin (3), C (4).
lifectl probe --socket "$tmp/proxy.sock" --samples 1 >>"$tmp/lifectl.log" 2>&1
check_timeout=$(python3 "$src/tests/lrpc_record.py" timeout "$tmp/rec/conn-1.bin" /life.v1.Health/Check 2>>"$tmp/lifectl.log")
"$bin/test-client" call "$tmp/proxy.sock" "${check_timeout:-5000}" check >>"$tmp/lifectl.log" 2>&1
if lifectl staff create-admin --socket "$tmp/proxy.sock" "$facility" admin --name 管理者 <"$tmp/password" >>"$tmp/lifectl.log" 2>&1; then
    pass "lifectl staff create-admin (password on stdin)"
else
    cat "$tmp/lifectl.log"
    fail "lifectl staff create-admin"
fi
admin_timeout=$(python3 "$src/tests/lrpc_record.py" timeout "$tmp/rec/conn-3.bin" /life.v1.Admin/CreateFacilityAdmin 2>>"$tmp/lifectl.log")
"$bin/test-client" call "$tmp/proxy.sock" "${admin_timeout:-5000}" create-admin "$facility" admin 管理者 "$tmp/password" \
    >>"$tmp/lifectl.log" 2>&1
for pair in "1 2 /life.v1.Health/Check" "3 4 /life.v1.Admin/CreateFacilityAdmin"; do
    read -r a b method <<<"$pair"
    if out=$(python3 "$src/tests/lrpc_record.py" compare "$tmp/rec/conn-$a.bin" "$tmp/rec/conn-$b.bin" "$method" 2>&1); then
        pass "bytes: $out (Swift lifectl vs C stubs)"
    else
        printf '%s\n' "$out"
        cat "$tmp/lifectl.log"
        fail "bytes: $method differs between the Swift and the C stubs"
    fi
done
kill "$proxy_pid" 2>/dev/null
wait "$proxy_pid" 2>/dev/null
proxy_pid=

# --- 5. the suite under valgrind, the example, the probe --------------------------------------
status=0
valgrind_run "$tmp/suite.log" "$bin/test-client" suite --unix "$socket" --tls "127.0.0.1:$tls_port" \
    --ca "$pki/ca.pem" --cert "$pki/facility-$facility.pem" --key "$pki/facility-$facility-key.pem" \
    --other-cert "$tmp/other.pem" --other-key "$tmp/other-key.pem" --login admin \
    --password-file "$tmp/password" --new-password-file "$tmp/new-password" || status=$?
cat "$tmp/suite.log"
tally "$tmp/suite.log" "suite"
valgrind_verdict "$tmp/suite.log" "$status" "suite"

status=0
valgrind_run "$tmp/example.log" "$bin/lifegw-example" --tls "127.0.0.1:$tls_port" --ca "$pki/ca.pem" \
    --cert "$pki/facility-$facility.pem" --key "$pki/facility-$facility-key.pem" --login admin \
    --watch-seconds 1 <"$tmp/new-password" || status=$?
sed 's/^/  lifegw-example: /' "$tmp/example.log"
if [ "$status" -eq 0 ] && grep -q '^Auth.WhoAmI *admin' "$tmp/example.log" \
    && grep -q '^Recipients.ListRecipients ' "$tmp/example.log" && grep -q '^Auth.Logout *done' "$tmp/example.log"; then
    pass "lifegw-example: login (password on stdin), WhoAmI, a recipient created, listed, updated, verified (UNIMPLEMENTED until it lands) and removed, Watch, Logout"
else
    fail "lifegw-example exited $status"
fi
valgrind_verdict "$tmp/example.log" "$status" "lifegw-example"

probe() { # EXPECTED-EXIT WHAT ARGS...
    local expected=$1 what=$2 out status=0
    shift 2
    out=$("$bin/life-probe" "$@" 2>&1) || status=$?
    if [ "$status" -eq "$expected" ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ]; then
        pass "life-probe $what -> exit $status: $out"
    else
        fail "life-probe $what -> exit $status (expected $expected): $out"
    fi
}
probe 0 "over the Unix socket" --socket "$socket"
probe 0 "over mutual TLS" --tls "127.0.0.1:$tls_port" --ca "$pki/ca.pem" --cert "$pki/facility-$facility.pem" \
    --key "$pki/facility-$facility-key.pem"
probe 1 "with --warn-days 10000 (certificate warning)" --socket "$socket" --warn-days 10000
probe 2 "with a client certificate of another CA" --tls "127.0.0.1:$tls_port" --ca "$pki/ca.pem" \
    --cert "$tmp/other.pem" --key "$tmp/other-key.pem"
probe 2 "against a missing socket" --socket "$tmp/none.sock"
status=0
out=$(setpriv --reuid=54321 --regid=54321 --clear-groups "$bin/life-probe" --socket "$socket" 2>&1) || status=$?
if [ "$status" -eq 2 ] && grep -q 'PEER_NOT_ALLOWED' <<<"$out"; then
    pass "life-probe as a uid the daemon does not allow -> exit 2: $out"
else
    fail "life-probe as a uid the daemon does not allow -> exit $status: $out"
fi

# --- 6. GOAWAY on SIGTERM, a restart, keepalive ---------------------------------------------------------
marker=$tmp/restart
status=0
valgrind_run "$tmp/restart.log" "$bin/test-client" restart --unix "$socket" --marker "$marker" &
client_pid=$!
for _ in $(seq 600); do [ -e "$marker.ready" ] && break; kill -0 "$client_pid" 2>/dev/null || break; sleep 0.1; done
if [ -e "$marker.ready" ]; then
    daemon_status=0
    stop_daemon || daemon_status=$?
    if [ "$daemon_status" -eq 0 ]; then
        pass "lifed drained and exited 0 on SIGTERM with a client connected"
    else
        fail "lifed exited $daemon_status after SIGTERM"
    fi
    sleep 1
    # Restarted with a 1 s keepalive (2 s to answer) for the keepalive checks that follow.
    if start_daemon --set limits.keepalive_interval=1s --set limits.keepalive_timeout=2s; then
        touch "$marker.restarted"
    else
        fail "lifed did not restart"
    fi
fi
wait "$client_pid" || status=$?
cat "$tmp/restart.log"
tally "$tmp/restart.log" "restart"
if grep -q 'keepalive ping not answered' "$tmp/lifed.log"; then
    pass "keepalive: the daemon dropped the idle client (its log: keepalive ping not answered)"
else
    fail "keepalive: the daemon never dropped the idle client for an unanswered PING"
fi
valgrind_verdict "$tmp/restart.log" "$status" "restart"

daemon_status=0
stop_daemon || daemon_status=$?
[ "$daemon_status" -eq 0 ] || fail "lifed exited $daemon_status on the final SIGTERM"

# --- 7. fuzzing the incoming-frame path --------------------------------------------------------
if make -s -C "$src" BUILD="$tmp/fuzz" fuzz >"$tmp/fuzz.log" 2>&1; then
    start=$(date +%s)
    if "$tmp/fuzz/fuzz-frames" -runs="$fuzz_runs" -seed=1 -max_len=4096 >>"$tmp/fuzz.log" 2>&1; then
        pass "libFuzzer (ASan + UBSan) over the incoming-frame path: $fuzz_runs executions in $(($(date +%s) - start)) s, no crash"
    else
        tail -n 40 "$tmp/fuzz.log"
        fail "fuzz-frames found a crash"
    fi
else
    cat "$tmp/fuzz.log"
    fail "make fuzz (clang -fsanitize=fuzzer,address)"
fi

finish
