#!/usr/bin/env bash
# Builds the libFuzzer targets of Fuzz/ (a package of their own, instrumented with
# -sanitize=fuzzer,address) and runs each from its committed seed corpus in Fuzz/Corpus/:
#
#   Scripts/fuzz.sh [RUNS] [libFuzzer flags...]      default 30000 executions
#
#   FuzzFrames      the frame decoder, whole and in pieces
#
# New inputs libFuzzer finds go to a temporary folder, not into the committed corpus. A crash, a
# failed check or a leak stops the run: libFuzzer writes the input as crash-*/leak-* in the current
# folder, and this script exits non-zero. Prints "N passed, M failed" last.
#   A longer run: Scripts/fuzz.sh 1000000 (or any libFuzzer flags after the count)
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
total=${1:-30000}
[ $# -gt 0 ] && shift
scratch=${LIFED_FUZZ_SCRATCH:-$root/.build-fuzz}

mkdir -p "$scratch"
if ! swift build --package-path "$root/Fuzz" --scratch-path "$scratch" \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library >"$scratch/fuzz-build.log" 2>&1; then
    grep -E "error" "$scratch/fuzz-build.log" | head -40
    echo "0 passed, 1 failed"
    exit 1
fi
bin=$(swift build --package-path "$root/Fuzz" --scratch-path "$scratch" --show-bin-path)

passed=0
failed=0
run() { # TARGET CORPUS RUNS MAX_LEN
    local target=$1 corpus=$2 runs=$3 max_len=$4 found start status=0
    shift 4
    found=$(mktemp -d "${TMPDIR:-/tmp}/lifed-fuzz-$target.XXXXXX")
    start=$(date +%s)
    SWIFT_BACKTRACE=enable=no "$bin/$target" -runs="$runs" -seed=1 -max_len="$max_len" -rss_limit_mb=4096 -print_final_stats=1 "$@" \
        "$found" "$root/Fuzz/Corpus/$corpus" >"$found.log" 2>&1 || status=$?
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
run FuzzFrames frames "$total" 4096 "$@"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
