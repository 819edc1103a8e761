#!/usr/bin/env bash
# Package test: builds the .deb with cpack from an already built tree, installs it with apt-get,
# checks the installed files, starts the service the way its systemd unit does, sends one ORU^R01
# over MLLP with the installed `explainer send`, checks the AA and the file destination, stops the
# service, removes the package (data kept), purges it (data, user gone) and checks the clean-up.
#
# Usage (root, on a Debian machine where explainer is not installed):
#   tests/package/package_test.sh BUILD_DIR
# Environment: EXPLAINER_PACKAGE_TEST_PORT (default 25001) is the MLLP port the test layers over
# the installed configuration (its only change to it; the shipped default is 2575).
#
# The machine is left as it was: on any exit the service is stopped and the package purged.
# When systemd is PID 1 the test uses systemctl (with a runtime drop-in for the port); otherwise
# it runs /usr/bin/explainerd as the explainer user with the unit's ExecStart, working directory
# and umask.
set -euo pipefail

build_dir=$(cd "${1:?usage: package_test.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
port=${EXPLAINER_PACKAGE_TEST_PORT:-25001}
work=$(mktemp -d /tmp/explainer-package-test.XXXXXX)
chmod 0755 "$work"
daemon_pid=""
dropin_dir=/run/systemd/system/explainerd.service.d
override_dir=/run/explainer-package-test
installed_by_us=0

say() { echo "package-test: $*"; }
fail() { echo "package-test: FAIL: $*" >&2; exit 1; }
systemd_running() { [[ -d /run/systemd/system ]] && command -v systemctl >/dev/null; }

cleanup() {
  local rc=$?
  if [[ -n "$daemon_pid" ]] && kill -0 "$daemon_pid" 2>/dev/null; then
    kill -TERM "$daemon_pid" 2>/dev/null || true
    wait "$daemon_pid" 2>/dev/null || true
  fi
  if (( rc != 0 )) && systemd_running; then
    journalctl -u explainerd.service -n 50 --no-pager >&2 || true
  fi
  if systemd_running; then
    systemctl stop explainerd.service >/dev/null 2>&1 || true
    rm -rf "$dropin_dir"
    systemctl daemon-reload >/dev/null 2>&1 || true
  fi
  if (( installed_by_us )) && dpkg-query -W -f='${Status}' explainer 2>/dev/null | grep -qv "not-installed"; then
    DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq explainer >/dev/null 2>&1 || dpkg --purge explainer >/dev/null 2>&1 || true
  fi
  if (( rc != 0 )) && [[ -f "$work/explainerd.log" ]]; then
    echo "---- explainerd output ----" >&2
    tail -n 50 "$work/explainerd.log" >&2 || true
  fi
  rm -rf "$work" "$override_dir"
  exit $rc
}
trap cleanup EXIT

[[ $(id -u) -eq 0 ]] || fail "needs root (installs a package)"
command -v dpkg >/dev/null || fail "needs a Debian system"
if dpkg-query -W -f='${Status}' explainer 2>/dev/null | grep -q "install ok"; then
  fail "explainer is already installed on this machine; not touching it"
fi
getent passwd explainer >/dev/null && fail "a user 'explainer' exists already; not touching it"
[[ -e /var/lib/explainer ]] && fail "/var/lib/explainer exists already; not touching it"

# ---- build the package -------------------------------------------------------------------------
say "building the .deb (cpack)"
(cd "$build_dir" && cpack -G DEB -B "$work/pkg" >"$work/cpack.log" 2>&1) || { cat "$work/cpack.log" >&2; fail "cpack"; }
deb=$(ls "$work"/pkg/explainer_*.deb 2>/dev/null | head -n1)
[[ -n "$deb" ]] || fail "no explainer_*.deb produced"
say "built $(basename "$deb")"
depends=$(dpkg-deb -f "$deb" Depends)
[[ "$depends" == *libc6* ]] || fail "Depends not computed by dpkg-shlibdeps: '$depends'"
[[ "$depends" == *libpoco* ]] || fail "Depends misses the Poco libraries: '$depends'"
dpkg-deb -I "$deb" conffiles | grep -qx /etc/explainer/explainerd.properties || fail "config not a conffile"

# ---- install -----------------------------------------------------------------------------------
say "installing with apt-get"
installed_by_us=1
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$deb" >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt-get install"; }

for path in /usr/bin/explainerd /usr/bin/explainer; do [[ -x $path ]] || fail "$path missing"; done
for path in /etc/explainer/explainerd.properties /usr/lib/systemd/system/explainerd.service \
            /etc/logrotate.d/explainer /usr/share/explainer/config/README.md \
            /usr/share/explainer/mappings/README.md /usr/share/explainer/content/FORMAT.md \
            /usr/share/doc/explainer/README.md; do
  [[ -f $path ]] || fail "$path missing"
done
ls /usr/share/explainer/content/en/*.md >/dev/null || fail "no content installed"
ls /usr/share/explainer/mappings/findings/* >/dev/null || fail "no finding rules installed"
getent passwd explainer >/dev/null || fail "user explainer not created"
[[ $(stat -c %U:%a /var/lib/explainer) == explainer:750 ]] || fail "/var/lib/explainer: $(stat -c %U:%a /var/lib/explainer)"
[[ $(stat -c %U /var/log/explainer) == explainer ]] || fail "/var/log/explainer not owned by explainer"
[[ $(stat -c %G:%a /etc/explainer/explainerd.properties) == explainer:640 ]] || fail "config permissions"
grep -q '^ExecStart=/usr/bin/explainerd --config=/etc/explainer/explainerd.properties$' \
  /usr/lib/systemd/system/explainerd.service || fail "unit ExecStart"
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify /usr/lib/systemd/system/explainerd.service 2>"$work/verify.log" ||
    { cat "$work/verify.log" >&2; fail "systemd-analyze verify"; }
fi
setpriv --reuid=explainer --regid=explainer --init-groups \
  /usr/bin/explainerd --config=/etc/explainer/explainerd.properties --check-config >"$work/check-config.log" 2>&1 ||
  fail "the installed configuration does not validate"

# ---- start the service -------------------------------------------------------------------------
# The only change to the installed configuration: the MLLP port (a second, later --config layer).
# It lives in /run, not /tmp: the unit gives the service a private /tmp.
mkdir -p "$override_dir"
chmod 0755 "$override_dir"
printf 'listener.ris.port = %s\n' "$port" >"$override_dir/port.properties"
chmod 0644 "$override_dir/port.properties"
exec_start=(/usr/bin/explainerd --config=/etc/explainer/explainerd.properties --config="$override_dir/port.properties")
if systemd_running; then
  say "systemd runs: starting explainerd.service"
  mkdir -p "$dropin_dir"
  printf '[Service]\nExecStart=\nExecStart=%s\n' "${exec_start[*]}" >"$dropin_dir/test-port.conf"
  systemctl daemon-reload
  systemctl restart explainerd.service
else
  say "systemd not running: starting explainerd as user explainer like the unit does"
  (cd /var/lib/explainer && umask 0027 &&
    exec setpriv --reuid=explainer --regid=explainer --init-groups --no-new-privs \
      "${exec_start[@]}") >"$work/explainerd.log" 2>&1 &
  daemon_pid=$!
fi

ready=0
for _ in $(seq 1 100); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then ready=1; break; fi
  if [[ -n "$daemon_pid" ]] && ! kill -0 "$daemon_pid" 2>/dev/null; then fail "explainerd exited at start"; fi
  sleep 0.1
done
(( ready )) || fail "explainerd does not listen on 127.0.0.1:$port"
if systemd_running; then
  systemctl is-active --quiet explainerd.service || fail "explainerd.service not active"
  [[ $(ps -o user= -p "$(systemctl show -p MainPID --value explainerd.service)") == explainer ]] ||
    fail "service not running as explainer"
else
  [[ $(ps -o user= -p "$daemon_pid") == explainer ]] || fail "explainerd not running as explainer"
fi

# ---- one report through it ---------------------------------------------------------------------
message="$root/tests/fixtures/radiology/mri-lumbar-spine.hl7"
control_id=$(tr '\r' '\n' <"$message" | awk -F'|' '/^MSH/ {print $10; exit}')
say "sending $control_id with the installed explainer send"
ack=$(/usr/bin/explainer send --mllp "127.0.0.1:$port" --timeout 20 "$message") || fail "send: $ack"
[[ "$ack" == *"MSA|AA|$control_id"* ]] || fail "no AA for $control_id: $ack"

delivered=""
for _ in $(seq 1 100); do
  delivered=$(grep -l "$control_id" /var/lib/explainer/out/* 2>/dev/null | head -n1 || true)
  [[ -n "$delivered" ]] && break
  sleep 0.1
done
[[ -n "$delivered" ]] || fail "nothing for $control_id in /var/lib/explainer/out"
[[ $(stat -c %U "$delivered") == explainer ]] || fail "delivered file not owned by explainer"
# Every original segment leaves byte for byte: the OBR line of the input is in the output.
obr=$(tr '\r' '\n' <"$message" | grep -m1 '^OBR|')
tr '\r' '\n' <"$delivered" | grep -qxF "$obr" || fail "OBR segment altered in $delivered"
[[ -f /var/lib/explainer/explainer.db ]] || fail "store not under /var/lib/explainer"
say "AA received and $(basename "$delivered") delivered"

# ---- stop --------------------------------------------------------------------------------------
if systemd_running; then
  systemctl stop explainerd.service
  systemctl is-active --quiet explainerd.service && fail "explainerd.service still active"
  rm -rf "$dropin_dir"
  systemctl daemon-reload
else
  kill -TERM "$daemon_pid"
  status=0
  wait "$daemon_pid" || status=$?
  daemon_pid=""
  (( status == 0 )) || fail "explainerd exited $status on SIGTERM"
fi
say "stopped cleanly"

# ---- remove keeps data, purge removes everything -----------------------------------------------
DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq explainer >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt-get remove"; }
[[ ! -e /usr/bin/explainerd ]] || fail "remove left /usr/bin/explainerd"
[[ -f /var/lib/explainer/explainer.db ]] || fail "remove deleted the store (only purge may)"
[[ -f /etc/explainer/explainerd.properties ]] || fail "remove deleted the conffile (only purge may)"
DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq explainer >"$work/apt.log" 2>&1 ||
  { cat "$work/apt.log" >&2; fail "apt-get purge"; }
installed_by_us=0
for path in /etc/explainer /var/lib/explainer /var/log/explainer /usr/share/explainer \
            /usr/lib/systemd/system/explainerd.service /etc/logrotate.d/explainer \
            /etc/systemd/system/explainerd.service \
            /etc/systemd/system/multi-user.target.wants/explainerd.service \
            /var/lib/systemd/deb-systemd-helper-enabled/explainerd.service.dsh-also \
            /var/lib/systemd/deb-systemd-helper-masked/explainerd.service; do
  [[ ! -e $path && ! -L $path ]] || fail "purge left $path"
done
getent passwd explainer >/dev/null && fail "purge left the user explainer"
getent group explainer >/dev/null && fail "purge left the group explainer"
dpkg-query -W -f='${Status}' explainer 2>/dev/null | grep -q "install ok" && fail "still installed"
say "PASS"
