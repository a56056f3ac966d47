#!/usr/bin/env bash
# Regenerates the Swift code of the .proto API and records checksums for CI's drift check.
#
#   Protos/life/v1/*.proto --protoc-gen-swift------> Sources/LifeProto/life/v1/*.pb.swift
#                          --protoc-gen-lifestubs--> Sources/LifeStubs/life/v1/*.stubs.swift
#   then Protos/GENERATED.sha256 (via Scripts/check-generated.sh --record).
#
# Sources/LifeProto and Sources/LifeStubs belong to this script: it replaces their whole content.
# Tools: protoc from Debian (installed with apt-get when missing); protoc-gen-swift (from
# swift-protobuf, pinned below) and protoc-gen-lifestubs (Scripts/protoc-gen-lifestubs) built in
# release mode under .build-tools/, which is gitignored.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

SWIFT_PROTOBUF_VERSION="1.39.0"
PROTO_ROOT="Protos"
PLUGIN_PACKAGE="Scripts/protoc-gen-lifestubs"
SCRATCH="$ROOT/.build-tools/protoc-plugins"
PROTO_OUT="Sources/LifeProto"
STUBS_OUT="Sources/LifeStubs"

log() { printf 'generate.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# Runs a command, showing its output only when it fails.
quietly() {
    local output
    output="$("$@" 2>&1)" || { printf '%s\n' "$output" >&2; die "failed: $*"; }
}

install_protoc() {
    command -v protoc >/dev/null 2>&1 && return
    command -v apt-get >/dev/null 2>&1 || die "protoc is missing and apt-get is not available: install protobuf-compiler"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "installing protobuf-compiler with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq protobuf-compiler >/dev/null
}

build_plugins() {
    local swiftpm=(--package-path "$PLUGIN_PACKAGE" --scratch-path "$SCRATCH")
    # Pin swift-protobuf exactly: its version decides the bytes of the generated messages.
    quietly swift package "${swiftpm[@]}" resolve
    quietly swift package "${swiftpm[@]}" resolve swift-protobuf --version "$SWIFT_PROTOBUF_VERSION"
    log "building protoc-gen-swift $SWIFT_PROTOBUF_VERSION and protoc-gen-lifestubs (release)"
    swift build "${swiftpm[@]}" -c release --product protoc-gen-swift --quiet
    swift build "${swiftpm[@]}" -c release --product protoc-gen-lifestubs --quiet
    BIN="$(swift build "${swiftpm[@]}" -c release --show-bin-path)"
    local version
    version="$("$BIN/protoc-gen-swift" --version)"
    [ "$version" = "protoc-gen-swift $SWIFT_PROTOBUF_VERSION" ] \
        || die "expected protoc-gen-swift $SWIFT_PROTOBUF_VERSION, built '$version'"
}

generate() {
    STAGING="$(mktemp -d)"
    trap 'rm -rf "$STAGING"' EXIT
    local staging="$STAGING"
    mkdir -p "$staging/proto" "$staging/stubs"

    local protos=()
    while IFS= read -r -d '' file; do protos+=("${file#"$PROTO_ROOT"/}"); done \
        < <(find "$PROTO_ROOT" -name '*.proto' -print0 | LC_ALL=C sort -z)
    [ "${#protos[@]}" -gt 0 ] || die "no .proto files under $PROTO_ROOT"

    log "running protoc on ${#protos[@]} files"
    protoc \
        --proto_path="$PROTO_ROOT" \
        --plugin=protoc-gen-swift="$BIN/protoc-gen-swift" \
        --plugin=protoc-gen-lifestubs="$BIN/protoc-gen-lifestubs" \
        --swift_opt=Visibility=Public \
        --swift_out="$staging/proto" \
        --lifestubs_out="$staging/stubs" \
        "${protos[@]}"

    # Only now that protoc succeeded: replace the old output, stale files included.
    rm -rf "$PROTO_OUT" "$STUBS_OUT"
    mkdir -p "$PROTO_OUT" "$STUBS_OUT"
    cp -R "$staging/proto/." "$PROTO_OUT/"
    cp -R "$staging/stubs/." "$STUBS_OUT/"
}

install_protoc
build_plugins
generate
"$ROOT/Scripts/check-generated.sh" --record
log "done: $(find "$PROTO_OUT" "$STUBS_OUT" -name '*.swift' | wc -l | tr -d ' ') Swift files; checksums in Protos/GENERATED.sha256"
