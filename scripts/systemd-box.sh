#!/usr/bin/env bash
# systemd-box.sh - runs a command inside a throwaway Debian container whose PID 1 is a real
# systemd (systemd-nspawn -b), also on hosts whose own PID 1 is not systemd. The project's
# real-systemd test (`npm run test:systemd`) runs `install.sh` in one of these.
#
# Usage: scripts/systemd-box.sh [options] [--] 'COMMAND STRING'
#   -s DIR    copy DIR into the container at /src before boot
#   -b DIR    bind DIR read-only at /src instead (faster for a big checkout)
#   -B SPEC   extra systemd-nspawn --bind-ro=SPEC (repeatable, e.g. /opt/x or /a:/b)
#   -P        private network namespace (loopback only) instead of sharing the host's
#   -x MODE   how to run COMMAND: "unit" (default: a transient service via
#             systemd-run --wait --pipe, really managed by the container's systemd)
#             or "nsenter" (plain nsenter into the container's namespaces)
#   -k        keep the run directory (overlay upper layer + console log) afterwards
#   -j        on failure, print the container's whole journal (journalctl -b)
# Environment:
#   BOX_CACHE        cache/run folder          (default /var/tmp/plexbeam-systemd-box)
#   BOX_SUITE        Debian suite              (default bookworm)
#   BOX_PACKAGES     extra packages for the cached base, comma separated (part of its key)
#   BOX_MIRROR       Debian mirror URL         (default: the host's first apt source)
#   BOX_BOOT_TIMEOUT seconds to wait for boot  (default 90)
# Exit status: COMMAND's exit status; 125 when the box itself could not be set up.
#
# Recipe: debootstrap --variant=minbase into a cached base folder (built once, ~1-3 min); per
# run an overlayfs (lower = base) is mounted and booted with
#   systemd-nspawn -D merged -b --register=no --keep-unit --console=pipe
# in the background. --register=no and --keep-unit are required on hosts without a system bus
# (otherwise nspawn fails with "Failed to open system bus"). Commands are entered with
# nsenter into the container's PID 1, since machinectl / systemd-run --machine need machined.
set -uo pipefail

CACHE=${BOX_CACHE:-/var/tmp/plexbeam-systemd-box}
SUITE=${BOX_SUITE:-bookworm}
BASE_PKGS="systemd,systemd-sysv,dbus,procps,ca-certificates,passwd"
EXTRA_PKGS=${BOX_PACKAGES:-}
BOOT_TIMEOUT=${BOX_BOOT_TIMEOUT:-90}
NAME="plexbeam-box-$$" SRC="" BIND_SRC=0 PRIVNET=0 MODE=unit KEEP=0 JOURNAL=0
BINDS=()

die() { echo "systemd-box: $*" >&2; exit 125; }
log() { echo "[systemd-box $(date +%T.%3N)] $*" >&2; }

while getopts "s:b:B:Px:kjh" o; do
  case $o in
    s) SRC=$OPTARG ;; b) SRC=$OPTARG BIND_SRC=1 ;; B) BINDS+=("--bind-ro=$OPTARG") ;;
    P) PRIVNET=1 ;; x) MODE=$OPTARG ;; k) KEEP=1 ;; j) JOURNAL=1 ;;
    h) sed -n '2,27p' "$0"; exit 0 ;;
    *) sed -n '2,27p' "$0" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || die "no command given (try -h)"
CMD="$*"
[ "$(id -u)" = 0 ] || die "must run as root"
[ -z "$SRC" ] || [ -d "$SRC" ] || die "source folder '$SRC' not found"
case $MODE in unit | nsenter) ;; *) die "bad -x mode '$MODE' (unit or nsenter)" ;; esac

# ---------------------------------------------------------------- host tools
need=()
command -v systemd-nspawn >/dev/null || need+=(systemd-container)
command -v debootstrap >/dev/null || need+=(debootstrap)
if [ ${#need[@]} -gt 0 ]; then
  log "installing host packages: ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
fi

# ---------------------------------------------------------------- cached base root
mirror() {
  if [ -n "${BOX_MIRROR:-}" ]; then echo "$BOX_MIRROR"; return; fi
  local m
  m=$(grep -hsE '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | grep -v security | head -1)
  [ -z "$m" ] && m=$(grep -hsE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | grep -v security | head -1)
  echo "${m:-http://deb.debian.org/debian}"
}
PKGS=$BASE_PKGS${EXTRA_PKGS:+,$EXTRA_PKGS}
KEY=$(printf '%s|%s' "$SUITE" "$PKGS" | sha1sum | cut -c1-10)
BASE=$CACHE/base-$SUITE-$KEY
mkdir -p "$CACHE/runs"
exec 9>"$CACHE/.lock-$KEY"
flock 9
if [ ! -e "$BASE/.box-complete" ]; then
  M=$(mirror)
  log "building base root $BASE (debootstrap $SUITE from $M, packages $PKGS); once, takes a few minutes"
  rm -rf "$BASE.tmp"
  debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$BASE.tmp" "$M" >"$CACHE/debootstrap-$KEY.log" 2>&1 ||
    { tail -20 "$CACHE/debootstrap-$KEY.log" >&2; die "debootstrap failed (log: $CACHE/debootstrap-$KEY.log)"; }
  # A fresh machine-id on every boot; no getty on the pipe console.
  : >"$BASE.tmp/etc/machine-id"
  ln -sf /dev/null "$BASE.tmp/etc/systemd/system/console-getty.service"
  chroot "$BASE.tmp" apt-get clean >/dev/null 2>&1 || true
  touch "$BASE.tmp/.box-complete"
  mv "$BASE.tmp" "$BASE"
fi
flock -u 9

# ---------------------------------------------------------------- per-run overlay
RUN=$(mktemp -d "$CACHE/runs/box.XXXXXX")
MERGED=$RUN/merged
mkdir -p "$RUN/upper" "$RUN/work" "$MERGED"
NSPAWN_PID="" LEADER="" OVERLAY=0
# shellcheck disable=SC2317 # run by the EXIT trap, which shellcheck 0.9 cannot follow
cleanup() {
  local rc=$?
  if [ -n "$NSPAWN_PID" ] && kill -0 "$NSPAWN_PID" 2>/dev/null; then
    log "shutting down container"
    [ -n "$LEADER" ] && nsenter -t "$LEADER" -a systemctl poweroff --no-block >/dev/null 2>&1
    for _ in $(seq 1 150); do kill -0 "$NSPAWN_PID" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$NSPAWN_PID" 2>/dev/null; then
      kill -TERM "$NSPAWN_PID"; sleep 5; kill -TERM "$NSPAWN_PID" 2>/dev/null; sleep 2
      kill -KILL "$NSPAWN_PID" 2>/dev/null
    fi
    wait "$NSPAWN_PID" 2>/dev/null
    log "container stopped"
  fi
  # nspawn cannot remove this on a /run that is not a tmpfs.
  rm -rf "/run/systemd/nspawn/propagate/$NAME" 2>/dev/null
  [ "$OVERLAY" = 1 ] && umount "$MERGED" 2>/dev/null
  if [ "$KEEP" = 1 ]; then log "run folder kept: $RUN"; else rm -rf "$RUN"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if mount -t overlay overlay -o "lowerdir=$BASE,upperdir=$RUN/upper,workdir=$RUN/work" "$MERGED" 2>/dev/null; then
  OVERLAY=1
else
  log "overlayfs unavailable, copying the base root"
  cp -a --reflink=auto "$BASE/." "$MERGED/" || die "copy of the base root failed"
fi
echo "box" >"$MERGED/etc/hostname"
if [ -n "$SRC" ]; then
  mkdir -p "$MERGED/src"
  if [ "$BIND_SRC" = 1 ]; then
    BINDS+=("--bind-ro=$(cd "$SRC" && pwd):/src")
  else
    cp -a "$SRC/." "$MERGED/src/" || die "copy of $SRC failed"
  fi
fi
# The command, as a file (systemd-run would otherwise expand $VARS itself).
mkdir -p "$MERGED/usr/local/lib/systemd-box"
printf '%s\n' "$CMD" >"$MERGED/usr/local/lib/systemd-box/cmd.sh"

# ---------------------------------------------------------------- boot
NET=()
[ "$PRIVNET" = 1 ] && NET=(--private-network)
log "booting $NAME (run folder $RUN)"
T0=$(date +%s.%N)
systemd-nspawn -D "$MERGED" -M "$NAME" -b --register=no --keep-unit --console=pipe \
  "${NET[@]}" "${BINDS[@]}" </dev/null >"$RUN/console.log" 2>&1 &
NSPAWN_PID=$!
MYPIDNS=$(readlink /proc/self/ns/pid)
deadline=$(($(date +%s) + BOOT_TIMEOUT))
state=""
while :; do
  kill -0 "$NSPAWN_PID" 2>/dev/null || { cat "$RUN/console.log" >&2; die "systemd-nspawn exited during boot"; }
  if [ "$(date +%s)" -ge "$deadline" ]; then
    {
      echo "--- boot timeout diagnostics: leader='$LEADER' state='$state'"
      ps -o pid,ppid,stat,wchan:20,args --ppid "$NSPAWN_PID"
      echo "--- console.log:"; cat "$RUN/console.log"
      if [ -n "$LEADER" ]; then
        timeout 5 nsenter -t "$LEADER" -a systemctl list-jobs --no-pager
        timeout 5 nsenter -t "$LEADER" -a journalctl -b --no-pager | tail -40
      fi
    } >&2
    die "boot timeout (${BOOT_TIMEOUT}s)"
  fi
  # The container's PID 1 is nspawn's child in another PID namespace (nspawn's short-lived
  # "outer child" is in ours; while it exits its ns links vanish, hence the non-empty test).
  if [ -n "$LEADER" ] && [ ! -e "/proc/$LEADER/ns/pid" ]; then LEADER=""; fi
  if [ -z "$LEADER" ]; then
    for c in $(pgrep -P "$NSPAWN_PID"); do
      ns=$(readlink "/proc/$c/ns/pid" 2>/dev/null)
      [ -n "$ns" ] && [ "$ns" != "$MYPIDNS" ] && LEADER=$c
    done
  fi
  if [ -n "$LEADER" ]; then
    state=$(timeout 10 nsenter -t "$LEADER" -a systemctl is-system-running --wait 2>/dev/null)
    case $state in running | degraded) break ;; esac
  fi
  sleep 0.2
done
log "booted: state=$state leader(host pid)=$LEADER in $(awk -v a="$T0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.2f", b-a}')s"
[ "$state" = degraded ] && nsenter -t "$LEADER" -a systemctl --failed --no-pager >&2

# ---------------------------------------------------------------- run the command
log "running: $CMD"
ENVV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb)
if [ "$MODE" = unit ]; then
  SETENV=()
  for e in "${ENVV[@]}"; do SETENV+=(--setenv="$e"); done
  nsenter -t "$LEADER" -a systemd-run --wait --pipe --quiet --collect --service-type=exec \
    --unit="box-cmd-$$" -p WorkingDirectory=/root "${SETENV[@]}" \
    /bin/bash /usr/local/lib/systemd-box/cmd.sh
  rc=$?
else
  nsenter -t "$LEADER" -a --wdns=/root env -i "${ENVV[@]}" /bin/bash /usr/local/lib/systemd-box/cmd.sh
  rc=$?
fi
echo "=== systemd-box: command exit code: $rc ===" >&2
if [ "$rc" != 0 ] && [ "$JOURNAL" = 1 ]; then
  echo "=== container journal ===" >&2
  nsenter -t "$LEADER" -a journalctl -b --no-pager >&2
fi
exit "$rc"
