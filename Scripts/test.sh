#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, checks that generated code
# matches Protos/ and that the systemd unit is valid and hardened, builds, runs every test, then
# checks docs/PROTOCOL.md against the daemon with an independent Python client, and finally boots
# the systemd unit under a real systemd (skipped, and said so, where the machine cannot boot one).
set -euo pipefail
cd "$(dirname "$0")/.."

# A test that hangs fails the run within a bounded time and is named, instead of holding CI
# until its own limit (90 minutes) ends it with no word of which test it was. Every later step
# has a bound of its own too (`timeout`), each several times what it takes here.
swift_tests() {
    local limit=$1 log status
    shift
    log=$(mktemp)
    set +e
    # Line-buffered, so what a hung run printed is all in the log when it is ended.
    timeout --kill-after=30 "$limit" stdbuf -oL -eL "$@" 2>&1 | tee "$log"
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
        echo "swift test did not finish within $limit. Started and never finished:" >&2
        awk '
            /^◇ Test .* started\.$/ && !/^◇ Test case / {
                name = $0; sub(/^◇ Test /, "", name); sub(/ started\.$/, "", name); open[name] = 1
            }
            /^(✔|✘) Test .* (passed|failed) after / {
                name = $0; sub(/^[^ ]+ Test /, "", name); sub(/ (passed|failed) after .*$/, "", name); delete open[name]
            }
            END { for (name in open) print "  " name }
        ' "$log" >&2
    fi
    rm -f "$log"
    return "$status"
}

Scripts/install-deps.sh
Scripts/check-generated.sh
Scripts/check-protos.sh
Scripts/check-systemd.sh
swift build --build-tests
# Every test with every capability dropped, so the daemon under test (in-process and the real
# lifed the tests start) has no more privilege than under its systemd unit (CapabilityBoundingSet=
# empty): a call that needs one fails here as it would there. When run as root, the few tests that
# must switch to another uid (the Unix socket's allow-list), give lifed a mount namespace of its
# own (admission by a supplementary group) or mount a small tmpfs (a full disk; lifed itself runs
# as nobody there) then run in a second, privileged pass; elsewhere they are skipped, and say why.
unprivileged=()
if [ "$(id -u)" -eq 0 ]; then
    unprivileged=(env LIFED_TESTS_UNPRIVILEGED=1 setpriv --inh-caps=-all --bounding-set=-all --)
fi
swift_tests 20m "${unprivileged[@]}" swift test --skip-build
if [ "$(id -u)" -eq 0 ]; then
    swift_tests 10m swift test --skip-build --filter 'uidRefused|admittedBySupplementaryGroup|tmpfsFull'
fi
# An independent Python client written from docs/PROTOCOL.md alone talks to the real daemon.
timeout --kill-after=30 10m "${unprivileged[@]}" Scripts/interop-check.sh .build/debug/lifed
# The README's install steps in a minimal Debian booted with systemd as PID 1.
timeout --kill-after=30 20m Scripts/check-systemd-boot.sh .build/debug
# libFuzzer (Fuzz/) over the frame decoder (15,000 executions), the server's connection state
# machine (500) and request decoding (300), from the committed seed corpora (Fuzz/Corpus); a
# crash, a failed check or a leak fails the run. (fuzz.sh's header: how 30000 is split.)
timeout --kill-after=30 25m Scripts/fuzz.sh 30000
timeout --kill-after=30 20m Scripts/test-c-client.sh .build/debug/lifed
