#!/usr/bin/env bash
# Checks the files under Systemd/ (run by CI; also fine by hand):
#   1. `systemd-analyze verify` on lifed.service, alone and with lifed.socket,
#      prints nothing and exits 0; lifed.socket listens where lifed.conf.example
#      says lifed listens (tls.listen, unix.path);
#   2. `systemd-analyze security --offline=true` exposure <= 2.0 (MAX_EXPOSURE);
#   3. lifed.sysusers.conf and lifed.tmpfiles.conf applied to a throw-away root
#      directory create the expected user, group, owners and modes;
#   4. lifed.conf.example is well-formed (`key = value`, each key once).
# Installs the Debian package `systemd` if its tools are missing. Needs root
# for that and for step 3 (chown in the throw-away root); without root,
# step 3 is skipped with a note. Exit 0 = all good, 1 = a check failed.
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive
export SYSTEMD_COLORS=0 SYSTEMD_PAGER=cat LC_ALL=C.UTF-8

script_dir=$(cd -- "$(dirname -- "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd -- "$script_dir/.." && pwd)
sysd="$repo/Systemd"
unit="$sysd/lifed.service"
socket_unit="$sysd/lifed.socket"
sysusers="$sysd/lifed.sysusers.conf"
tmpfiles="$sysd/lifed.tmpfiles.conf"
example="$sysd/lifed.conf.example"
max_exposure="${MAX_EXPOSURE:-2.0}"

fail() { echo "check-systemd: FAIL: $*" >&2; exit 1; }
note() { echo "check-systemd: $*"; }

for f in "$unit" "$socket_unit" "$sysusers" "$tmpfiles" "$example"; do
  [[ -f $f ]] || fail "missing $f"
done

is_root=0
[[ $(id -u) -eq 0 ]] && is_root=1

# --- tools -------------------------------------------------------------------
if ! command -v systemd-analyze >/dev/null 2>&1 \
   || ! command -v systemd-sysusers >/dev/null 2>&1 \
   || ! command -v systemd-tmpfiles >/dev/null 2>&1; then
  note "installing the systemd package (systemd-analyze missing)"
  sudo=()
  if [[ $is_root -eq 0 ]]; then
    command -v sudo >/dev/null 2>&1 || fail "systemd-analyze is missing; run as root or install the 'systemd' package"
    sudo=(sudo -n)
  fi
  "${sudo[@]}" apt-get update -qq </dev/null
  "${sudo[@]}" apt-get install -y -qq --no-install-recommends systemd </dev/null >/dev/null
  command -v systemd-analyze >/dev/null 2>&1 || fail "systemd-analyze still missing after apt-get install systemd"
fi
note "$(systemd-analyze --version | head -n1)"

work=$(mktemp -d)
trap 'rm -rf -- "$work"' EXIT

# --- 1. systemd-analyze verify -----------------------------------------------
# verify insists that ExecStart's program exists and is executable, and
# /usr/local/bin/lifed is not installed on CI machines. Verify a copy in which
# only that program path is replaced by an existing executable; everything
# else (keys, values, dependencies, ExecReload's /bin/kill) is checked as
# written. verify reports most unit errors (unknown keys, bad values) as
# warnings with exit status 0, so any output at all counts as a failure.
expected_exec='ExecStart=/usr/local/bin/lifed '
[[ $(grep -c "^$expected_exec" "$unit") -eq 1 ]] \
  || fail "lifed.service: expected exactly one line starting with '$expected_exec'"
stand_in=$(type -P true)
mkdir -p "$work/verify"
sed "s|^ExecStart=/usr/local/bin/lifed |ExecStart=$stand_in |" "$unit" >"$work/verify/lifed.service"
verify_units() { # units...: verify them together in $work/verify
  set +e
  verify_out=$(cd "$work/verify" && systemd-analyze verify --man=no "$@" 2>&1 </dev/null)
  verify_rc=$?
  set -e
  if [[ $verify_rc -ne 0 || -n $verify_out ]]; then
    printf '%s\n' "$verify_out" | sed "s|$work/verify/|Systemd/|g" >&2
    fail "systemd-analyze verify $*: exit $verify_rc, output above (ExecStart program replaced by $stand_in for the check)"
  fi
}
# Without lifed.socket (Wants= finds nothing: lifed binds its own sockets), then with it.
verify_units ./lifed.service
cp "$socket_unit" "$work/verify/lifed.socket"
verify_units ./lifed.service ./lifed.socket
# The socket unit listens where the example configuration says lifed listens.
conf_value() { sed -n "s/^$1 = //p" "$example"; }
for key in tls.listen unix.path; do
  value=$(conf_value "$key")
  grep -qx "ListenStream=$value" "$socket_unit" || fail "lifed.socket has no ListenStream=$value ($key in lifed.conf.example)"
done
grep -qx 'Service=lifed.service' "$socket_unit" || fail "lifed.socket does not activate lifed.service"
note "verify: clean, with and without lifed.socket (ExecStart program stood in by $stand_in); lifed.socket matches tls.listen and unix.path"

# --- 2. security exposure ----------------------------------------------------
# Parse the overall figure ("Overall exposure level for lifed.service: 1.2 OK")
# rather than use --threshold, which is on a 0-100 scale.
set +e
security_out=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1 </dev/null)
security_rc=$?
set -e
exposure=$(printf '%s\n' "$security_out" \
  | sed -n 's/.*Overall exposure level for [^:]*: \([0-9][0-9]*\.[0-9]\).*/\1/p' | tail -n1)
if [[ -z $exposure ]]; then
  printf '%s\n' "$security_out" >&2
  fail "could not read the overall exposure from systemd-analyze security (exit $security_rc)"
fi
if awk -v e="$exposure" -v m="$max_exposure" 'BEGIN { exit !(e + 0 > m + 0) }'; then
  printf '%s\n' "$security_out" | grep -v '✓' >&2
  fail "lifed.service exposure $exposure exceeds $max_exposure (failing items above)"
fi
note "security: overall exposure $exposure (limit $max_exposure)"

# --- 3. sysusers.d and tmpfiles.d snippets ------------------------------------
# systemd 252's systemd-tmpfiles has no --dry-run, so both snippets are applied
# for real to a throw-away root (--root=), which touches nothing on the host;
# systemd-tmpfiles --root resolves user names from that root's /etc/passwd.
if [[ $is_root -eq 1 ]]; then
  root="$work/root"
  mkdir -p "$root/etc"
  set +e
  su_out=$(systemd-sysusers --root="$root" "$sysusers" 2>&1 </dev/null)
  su_rc=$?
  set -e
  # Normal output is "Creating group/user ..."; anything else is a warning.
  if [[ $su_rc -ne 0 ]] || printf '%s\n' "$su_out" | grep -qv '^Creating \(group\|user\) '; then
    printf '%s\n' "$su_out" >&2
    fail "systemd-sysusers lifed.sysusers.conf: exit $su_rc, output above"
  fi
  pw=$(grep '^lifed:' "$root/etc/passwd" || true)
  gr=$(grep '^lifed:' "$root/etc/group" || true)
  [[ -n $pw && -n $gr ]] || fail "lifed.sysusers.conf did not create user and group lifed"
  IFS=: read -r _ _ uid gid _ home _ <<<"$pw"
  IFS=: read -r _ _ group_gid _ <<<"$gr"
  [[ $gid == "$group_gid" ]] || fail "user lifed's primary group is $gid, not lifed ($group_gid)"
  [[ $home == /var/lib/lifed ]] || fail "user lifed's home is $home, not /var/lib/lifed"
  [[ $uid -lt 1000 ]] || fail "user lifed (uid $uid) is not a system user"

  set +e
  tf_out=$(systemd-tmpfiles --create --root="$root" "$tmpfiles" 2>&1 </dev/null)
  tf_rc=$?
  set -e
  if [[ $tf_rc -ne 0 || -n $tf_out ]]; then
    printf '%s\n' "$tf_out" >&2
    fail "systemd-tmpfiles --create lifed.tmpfiles.conf: exit $tf_rc, output above"
  fi
  expect_dir() { # path mode uid gid
    local got
    got=$(stat -c '%a %u %g' "$root$1" 2>/dev/null) || fail "tmpfiles did not create $1"
    [[ $got == "$2 $3 $4" ]] || fail "$1 is '$got' (mode uid gid), expected '$2 $3 $4'"
  }
  expect_dir /var/lib/lifed 700 "$uid" "$gid"
  expect_dir /var/lib/lifed/backups 700 "$uid" "$gid"
  expect_dir /etc/lifed/tls 750 0 "$gid"
  expect_dir /run/lifed 750 "$uid" "$gid"
  note "sysusers/tmpfiles: user lifed ($uid:$gid), /var/lib/lifed{,/backups} 0700 lifed, /etc/lifed/tls 0750 root:lifed, /run/lifed 0750 lifed"
else
  note "sysusers/tmpfiles: SKIPPED (not root; the check chowns files in a throw-away root)"
fi

# --- 4. example config ---------------------------------------------------------
# Every line is blank, a comment, or `key = value`; no key twice.
bad=$(grep -nvE '^[[:space:]]*(#.*)?$|^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)* = [^[:space:]]?.*$' "$example" || true)
[[ -z $bad ]] || fail "lifed.conf.example: malformed lines:"$'\n'"$bad"
dups=$(grep -E '^[a-z]' "$example" | sed 's/ = .*//' | sort | uniq -d)
[[ -z $dups ]] || fail "lifed.conf.example: keys set twice: $dups"
note "example config: $(grep -cE '^[a-z]' "$example") keys, well-formed"

note "OK (exposure $exposure)"
