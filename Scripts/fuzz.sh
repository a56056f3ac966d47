#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (a package of their own, instrumented with
# -sanitize=fuzzer and, by default, AddressSanitizer with its leak check) and runs each from its
# committed seed corpus in Fuzz/Corpus/:
#
#   Scripts/fuzz.sh [RUNS] [libFuzzer flags...]      default 30000
#
#   target          corpus        executions   what it feeds
#   FuzzFrames      frames        RUNS / 2     the frame decoder, whole and in pieces
#   FuzzConnection  connection    RUNS / 60    the server's connection state machine: the listener's
#                                              pipeline on an in-memory channel, driven by frames,
#                                              writability, time, the peer's close and a drain
#   FuzzRequests    requests      RUNS / 100   every method's request, decoded and converted by the
#                                              real services behind the call gate, on a real store
#
# RUNS is split so that CI (Scripts/test.sh runs `Scripts/fuzz.sh 30000` under a 25-minute
# timeout) stays near 10 minutes of runs here: an execution of the deeper targets plays a
# whole connection, or a call against SQLite, at tens to hundreds of times the cost of one of
# FuzzFrames, and in this debug ASan build each input that finds new coverage runs again for the
# leak check. Measured 2026-11-30 on this 2-core machine while other builds and a benchmark ran
# (load 5-8): FuzzFrames 30000 executions in 500 s, FuzzConnection 1000 in 56 s, FuzzRequests 1000
# in 331 s (its first executions, one per method, are the slow ones); so 30000 now means 15000,
# 500 and 300: `Scripts/fuzz.sh 30000` then took 119 s and 253 s in all (FuzzFrames 59/158 s,
# FuzzConnection 17/43 s, FuzzRequests 21/35 s; the second while three long fuzz runs shared the
# cores), after an incremental build of 16 s. CI builds Fuzz/ from scratch (the whole daemon,
# instrumented): see the fresh-clone figures in the closing notes.
#
# Environment:
#   LIFED_FUZZ_RELEASE=1   build optimized (-c release, still -sanitize=fuzzer): for long runs,
#                          several times faster than the debug build.
#   LIFED_FUZZ_ASAN=0      without AddressSanitizer (and so without the leak check): faster still;
#                          a memory error then shows only if it crashes.
#   LIFED_FUZZ_TARGETS     the targets to run, space-separated (default: all three).
#   LIFED_FUZZ_SEEDS=1     build, then write the generated seeds of FuzzConnection and FuzzRequests
#                          (their SeedWriter) into Fuzz/Corpus/connection and requests, run nothing.
#                          The committed corpora are those seeds plus what a short run found,
#                          minimized with -merge=1.
#   LIFED_FUZZ_SCRATCH     the build folder (default .build-fuzz, with -release / -noasan
#                          appended for those builds, so switching does not rebuild).
#
# A long run of one target (the figures are in README.md, "Fuzzing"):
#   LIFED_FUZZ_RELEASE=1 LIFED_FUZZ_TARGETS=FuzzFrames nice -n 19 Scripts/fuzz.sh 10000000
#
# -timeout=300: an input that runs 5 minutes is a hang (FuzzConnection checks its own, sooner),
# and only then a slow one worth a slow-unit-* file;
# under a nice-0 load a nice-19 run here saw single inputs take over 200 s of wall-clock time.
#
# New inputs libFuzzer finds go to a temporary folder, not into the committed corpus. A crash, a
# failed check or a leak stops the run: libFuzzer writes the input as crash-*/leak-*/timeout-* in
# the current folder, and this script exits non-zero. Prints "N passed, M failed" last.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
total=${1:-30000}
[ $# -gt 0 ] && shift
release=${LIFED_FUZZ_RELEASE:-0}
asan=${LIFED_FUZZ_ASAN:-1}
targets=${LIFED_FUZZ_TARGETS:-FuzzFrames FuzzConnection FuzzRequests}

configuration=debug
sanitizers=fuzzer,address
suffix=
if [ "$release" = 1 ]; then
    configuration=release
    suffix=-release
fi
if [ "$asan" = 0 ]; then
    sanitizers=fuzzer
    suffix=$suffix-noasan
fi
scratch=${LIFED_FUZZ_SCRATCH:-$root/.build-fuzz$suffix}
build=(swift build --package-path "$root/Fuzz" --scratch-path "$scratch" -c "$configuration"
    -Xswiftc "-sanitize=$sanitizers" -Xswiftc -parse-as-library)

mkdir -p "$scratch"
if ! "${build[@]}" >"$scratch/fuzz-build.log" 2>&1; then
    grep -E "error" "$scratch/fuzz-build.log" | head -40
    echo "0 passed, 1 failed"
    exit 1
fi
bin=$("${build[@]}" --show-bin-path)
if [ "${LIFED_FUZZ_SEEDS:-0}" = 1 ]; then
    LIFED_FUZZ_WRITE_SEEDS="$root/Fuzz/Corpus/connection" "$bin/FuzzConnection" &&
        LIFED_FUZZ_WRITE_SEEDS="$root/Fuzz/Corpus/requests" "$bin/FuzzRequests"
    exit
fi

passed=0
failed=0
run() { # TARGET CORPUS RUNS MAX_LEN
    local target=$1 corpus=$2 runs=$3 max_len=$4 found start status=0
    shift 4
    case " $targets " in *" $target "*) ;; *) return ;; esac
    found=$(mktemp -d "${TMPDIR:-/tmp}/lifed-fuzz-$target.XXXXXX")
    start=$(date +%s)
    SWIFT_BACKTRACE=enable=no LSAN_OPTIONS="suppressions=$root/Fuzz/lsan-suppressions.txt" "$bin/$target" -runs="$runs" -seed=1 -max_len="$max_len" -rss_limit_mb=4096 -timeout=300 -report_slow_units=300 \
        -print_final_stats=1 "$@" "$found" "$root/Fuzz/Corpus/$corpus" >"$found.log" 2>&1 || status=$?
    local executed
    executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$found.log" | tail -n 1)
    if [ "$status" -eq 0 ]; then
        passed=$((passed + 1))
        printf 'ok - %s: %s executions in %s s, no crash, no leak (%s new inputs)\n' \
            "$target" "${executed:-?}" "$(($(date +%s) - start))" "$(ls "$found" | wc -l)"
    else
        failed=$((failed + 1))
        tail -n 60 "$found.log"
        printf 'FAIL - %s (status %s)\n' "$target" "$status"
    fi
    rm -rf "$found" "$found.log"
}
run FuzzFrames frames $((total / 2)) 4096 "$@"
run FuzzConnection connection $((total / 60)) 1024 "$@"
run FuzzRequests requests $((total / 100)) 4096 "$@"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
