#!/usr/bin/env bash
# One command for a first run: installs what is needed, builds, and starts lifed in development
# mode from the repository folder. It creates ./lifed-dev once (CA, server and two facility
# certificates, data folder) and serves on ./lifed-dev/lifed.sock and 127.0.0.1:7443.
# In another terminal, from the same folder: .build/debug/lifectl probe   (or probe --tls)
set -euo pipefail
cd "$(dirname "$0")/.."

Scripts/install-deps.sh
swift build --product lifed
swift build --product lifectl
exec .build/debug/lifed --dev "$@"
