#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what it needs, checks that generated code
# matches Protos/ and that the systemd unit is valid and hardened, builds, runs every test, then
# checks docs/PROTOCOL.md against the daemon with an independent Python client.
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-deps.sh
Scripts/check-generated.sh
Scripts/check-protos.sh
Scripts/check-systemd.sh
swift build --build-tests
swift test --skip-build
# An independent Python client written from docs/PROTOCOL.md alone talks to the real daemon.
Scripts/interop-check.sh .build/debug/lifed
Scripts/test-c-client.sh .build/debug/lifed
