#!/usr/bin/env bash
# Regenerates the Swift code of the .proto API and records checksums for CI's drift check.
#
#   Protos/life/v1/*.proto --protoc-gen-swift------> Sources/LifeProto/life/v1/*.pb.swift
#                          --protoc-gen-lifestubs--> Sources/LifeStubs/life/v1/*.stubs.swift
#                          --protoc-gen-c (protoc-c)-> Sources/CLifeClient/generated/life/v1/*.pb-c.[ch]
#                          --protoc-gen-lifec------> Sources/CLifeClient/generated/life/v1/*.lrpc-c.[ch]
#   then Protos/GENERATED.sha256 (via Scripts/check-generated.sh --record).
#
# Sources/LifeProto, Sources/LifeStubs and Sources/CLifeClient/generated belong to this script: it
# replaces their whole content. The C plugin (Scripts/protoc-gen-lifec) runs on the `protobuf`
# Python package in a venv under .build-tools/cgen-venv; protoc-c comes from Debian.
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
C_OUT="Sources/CLifeClient/generated"
C_PLUGIN="Scripts/protoc-gen-lifec/protoc_gen_lifec.py"
C_VENV="$ROOT/.build-tools/cgen-venv"
PROTOBUF_C_VERSION="1.4.1"

log() { printf 'generate.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }
# Runs a command, showing its output only when it fails.
quietly() {
    local output
    output="$("$@" 2>&1)" || { printf '%s\n' "$output" >&2; die "failed: $*"; }
}

install_protoc() {
    command -v protoc >/dev/null 2>&1 && command -v protoc-gen-c >/dev/null 2>&1 && return
    command -v apt-get >/dev/null 2>&1 || die "protoc or protoc-c is missing and apt-get is not available: install protobuf-compiler protobuf-c-compiler"
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    log "installing protobuf-compiler and protobuf-c-compiler with apt-get"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq protobuf-compiler protobuf-c-compiler >/dev/null
}

# The C plugin's Python environment, and protoc-c at the version whose bytes are recorded.
prepare_c_plugin() {
    if ! "$C_VENV/bin/python" -c 'from google.protobuf.compiler import plugin_pb2' 2>/dev/null; then
        log "setting up $C_VENV for protoc-gen-lifec"
        python3 -m venv "$C_VENV"
        quietly "$C_VENV/bin/pip" install --quiet --disable-pip-version-check protobuf
    fi
    local version
    version="$(protoc-c --version 2>/dev/null | sed -n 1p)"  # sed reads it all: no SIGPIPE under pipefail
    [ "$version" = "protobuf-c $PROTOBUF_C_VERSION" ] \
        || die "expected protoc-c $PROTOBUF_C_VERSION (Debian's protobuf-c-compiler), found '$version'"
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
    mkdir -p "$staging/proto" "$staging/stubs" "$staging/c"
    # protoc runs plugins as executables: a shim starts the C plugin in its venv.
    printf '#!/bin/sh\nexec "%s/bin/python" "%s/%s"\n' "$C_VENV" "$ROOT" "$C_PLUGIN" > "$staging/protoc-gen-lifec"
    chmod +x "$staging/protoc-gen-lifec"

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
    log "running protoc-c and protoc-gen-lifec on ${#protos[@]} files"
    protoc \
        --proto_path="$PROTO_ROOT" \
        --plugin=protoc-gen-lifec="$staging/protoc-gen-lifec" \
        --c_out="$staging/c" \
        --lifec_out="$staging/c" \
        "${protos[@]}"

    # Only now that protoc succeeded: replace the old output, stale files included.
    rm -rf "$PROTO_OUT" "$STUBS_OUT" "$C_OUT"
    mkdir -p "$PROTO_OUT" "$STUBS_OUT" "$C_OUT"
    cp -R "$staging/proto/." "$PROTO_OUT/"
    cp -R "$staging/stubs/." "$STUBS_OUT/"
    cp -R "$staging/c/." "$C_OUT/"
}

install_protoc
prepare_c_plugin
build_plugins
generate
"$ROOT/Scripts/check-generated.sh" --record
log "done: $(find "$PROTO_OUT" "$STUBS_OUT" -name '*.swift' | wc -l | tr -d ' ') Swift files, $(find "$C_OUT" -name '*.[ch]' | wc -l | tr -d ' ') C files; checksums in Protos/GENERATED.sha256"
