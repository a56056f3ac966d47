#!/usr/bin/env bash
# The protos are a contract with appliances in the field (C stubs generated from them are
# deployed): `buf lint` with the committed Protos/buf.yaml, and `buf breaking` of Protos/ as it
# is now against the previous commit (HEAD~1), so a change that would break a deployed
# appliance's stubs (a field's number or type, a removed field or method, ...) fails the build.
#
#   Scripts/check-protos.sh                 lint + breaking against HEAD~1
#   Scripts/check-protos.sh --against REF   breaking against another git ref (a tag, main, ...)
#
# The Buf CLI comes from PyPI (`buf-bin`) into .build-buf/venv (gitignored), made on first use;
# it works offline. Without a previous commit (first commit, shallow clone) `buf breaking` is
# skipped and says so. Intentional breaking changes need a new package (life.v2), not an edit.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
against=HEAD~1
if [ "${1:-}" = "--against" ] && [ -n "${2:-}" ]; then
    against=$2
elif [ "$#" -gt 0 ]; then
    echo "usage: $0 [--against GIT-REF]" >&2
    exit 2
fi

venv=$root/.build-buf/venv
if ! "$venv/bin/buf" --version >/dev/null 2>&1; then
    echo "check-protos: installing the Buf CLI (buf-bin) into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check buf-bin
fi
buf=$venv/bin/buf

cd Protos
"$buf" lint
echo "check-protos: buf lint clean ($("$buf" --version), Protos/buf.yaml)"

if ! git -C "$root" rev-parse --verify --quiet "$against^{commit}" >/dev/null; then
    echo "check-protos: no commit $against here (first commit or shallow clone): buf breaking skipped"
    exit 0
fi
if ! git -C "$root" cat-file -e "$against:Protos/buf.yaml" 2>/dev/null; then
    echo "check-protos: $against has no Protos/buf.yaml: buf breaking skipped"
    exit 0
fi
"$buf" breaking --against "$root/.git#ref=$(git -C "$root" rev-parse "$against"),subdir=Protos"
echo "check-protos: no breaking change against $against ($(git -C "$root" rev-parse --short "$against"))"
