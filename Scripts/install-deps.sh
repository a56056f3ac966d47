#!/usr/bin/env bash
# Installs the Debian packages lifed's build, tests and checks use, if any is missing:
#   openssl        certificate interoperability tests (LifePKITests)
#   systemd        systemd-analyze for Scripts/check-systemd.sh
#   util-linux     setpriv, to test the Unix socket's uid allow-list as another user
#   libsqlite3-dev the system SQLite the storage layer links
# Swift itself and the Swift packages come with the machine. Idempotent; needs root for apt-get.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

need=()
command -v openssl >/dev/null 2>&1 || need+=(openssl)
command -v systemd-analyze >/dev/null 2>&1 || need+=(systemd)
command -v setpriv >/dev/null 2>&1 || need+=(util-linux)
[ -e /usr/include/sqlite3.h ] || need+=(libsqlite3-dev)

if [ ${#need[@]} -eq 0 ]; then
  echo "install-deps: everything is installed"
  exit 0
fi
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "install-deps: installing ${need[*]}"
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
