#!/usr/bin/env bash
# Fails when the generated Swift does not match Protos/ (and the stub plugin), without building
# or running anything: it compares SHA-256 checksums with the record Scripts/generate.sh wrote.
#
#   Scripts/check-generated.sh            check (CI runs this)
#   Scripts/check-generated.sh --record   rewrite Protos/GENERATED.sha256 (generate.sh runs this)
#
# Inputs: every .proto under Protos/, the plugins' sources (Swift stubs, C stubs) and
# Scripts/generate.sh. Outputs: every file under Sources/LifeProto, Sources/LifeStubs and
# Sources/CLifeClient/generated (protoc-c messages and the typed C calls).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RECORD="Protos/GENERATED.sha256"

sha256() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum "$@"; else shasum -a 256 "$@"; fi
}

# Prints one "<kind> <hash>  <path>" line per file named by find(1) arguments, paths relative to
# the root, in a fixed order. Usage: checksums KIND PATH... [-- FIND-TESTS...]
checksums() {
    local kind="$1"
    shift
    local paths=() tests=()
    while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do paths+=("$1"); shift; done
    [ "$#" -gt 0 ] && shift
    tests=("$@")
    local files=()
    while IFS= read -r -d '' file; do files+=("$file"); done \
        < <(find "${paths[@]}" -type f "${tests[@]}" -print0 2>/dev/null | LC_ALL=C sort -z)
    [ "${#files[@]}" -eq 0 ] && return
    sha256 "${files[@]}" | sed "s/^/$kind /"
}

current() {
    checksums input Protos -- -name '*.proto'
    checksums input Scripts/protoc-gen-lifestubs/Package.swift Scripts/protoc-gen-lifestubs/Sources -- -name '*.swift'
    checksums input Scripts/generate.sh
    checksums input Scripts/protoc-gen-lifec -- -name '*.py'
    checksums output Sources/LifeProto Sources/LifeStubs
    checksums output Sources/CLifeClient/generated
}

if [ "${1:-}" = "--record" ]; then
    {
        echo "# Written by Scripts/generate.sh; checked by Scripts/check-generated.sh. Do not edit."
        current
    } > "$RECORD"
    exit 0
fi
[ "$#" -eq 0 ] || { echo "usage: $0 [--record]" >&2; exit 2; }

if [ ! -f "$RECORD" ]; then
    echo "check-generated: $RECORD is missing: run Scripts/generate.sh" >&2
    exit 1
fi

recorded="$(grep -v '^#' "$RECORD")"
now="$(current)"
[ "$recorded" = "$now" ] && exit 0

changes="$(diff <(echo "$recorded") <(echo "$now") || true)"
if grep -q '^[<>] input ' <<<"$changes"; then
    echo "check-generated: Protos/ changed without regenerating: run Scripts/generate.sh" >&2
else
    echo "check-generated: generated files under Sources/LifeProto, Sources/LifeStubs or Sources/CLifeClient/generated differ from what Scripts/generate.sh made (edited by hand?): run Scripts/generate.sh" >&2
fi
echo "Files that differ (< recorded, > now):" >&2
grep '^[<>]' <<<"$changes" | sed 's/^/  /' >&2
exit 1
