#!/bin/sh
# PlexBeam installer: installs this checkout under /opt/plexbeam with its systemd units, or
# removes it again (--uninstall), leaving Plex's own Plex Transcoder exactly as it was.
# Every step prints one line; a failed step says what failed and how to fix it, and the app is
# staged next to the prefix and renamed into place, so a failure never leaves half an install.
# Running it twice changes nothing. docs/INSTALL.md describes what it does and why.
set -eu

PREFIX=/opt/plexbeam
CONFIG_DIR=/etc/plexbeam
CONFIG=$CONFIG_DIR/config.json
TLS_DIR=$CONFIG_DIR/tls
UNIT_DIR=/etc/systemd/system
BIN_LINK=/usr/local/bin/plexbeam
SERVICE_USER=plexbeam
MIN_NODE_MAJOR=22

usage() {
  cat <<'EOF'
Usage: sudo ./install.sh [--role server|worker|both] [--with-shaper] [--prefix DIR] [--no-start]
       sudo ./install.sh --uninstall [--purge] [--prefix DIR]

Installs PlexBeam from this checkout (built by ./setup.sh; built first if it is not) under
DIR with its systemd units, enables them and starts them.

  --role server   the Plex machine: the cartridge (Plex Transcoder shim), plexbeam-watchdog
                  and plexbeam-server (the worker health cache)
  --role worker   the GPU machine: ffmpeg and plexbeam-worker
  --role both     both on one machine
                  default: the role already installed; on a first install "both" when Plex
                  Media Server is installed here, else "worker"
  --with-shaper   servers: also enable and start plexbeam-shaper (per-viewer upload shaping
                  with tc; set shaper.interface in the config first); without it the unit is
                  installed but left as it is (kept enabled once enabled)
  --prefix DIR    where the app goes (default /opt/plexbeam)
  --no-start      install and enable the units, but do not start or restart them
  --uninstall     stop and remove the units, restore Plex's own Plex Transcoder byte-identical,
                  remove DIR and the plexbeam command; /etc/plexbeam, the data, the logs and the
                  plexbeam user are kept
  --purge         with --uninstall: also remove /etc/plexbeam, dataDir, logDir and the user
  -h, --help      show this help

The config is /etc/plexbeam/config.json, written only when absent (with a new API key, mode
0600). Exit status: 0 done, 1 a step failed (its message says how to fix it), 2 bad usage.
EOF
}

say() { printf 'plexbeam-install: %s\n' "$*"; }

# die WHAT [FIX]: the failed step and how to fix it, then exit 1 (the EXIT trap cleans up).
die() {
  printf 'plexbeam-install: FAILED: %s\n' "$1" >&2
  if [ -n "${2:-}" ]; then printf 'plexbeam-install:   to fix: %s\n' "$2" >&2; fi
  exit 1
}

usage_error() {
  printf 'plexbeam-install: %s\nTry: ./install.sh --help\n' "$1" >&2
  exit 2
}

# ------------------------------------------------------------------------------ arguments
ARGS=$*
ROLE="" ACTION=install START=1 PURGE=0 SHAPER=0
while [ $# -gt 0 ]; do
  case $1 in
    --role) [ $# -ge 2 ] || usage_error "--role needs a value: server, worker or both"; ROLE=$2; shift 2 ;;
    --role=*) ROLE=${1#--role=}; shift ;;
    --prefix) [ $# -ge 2 ] || usage_error "--prefix needs a folder"; PREFIX=$2; shift 2 ;;
    --prefix=*) PREFIX=${1#--prefix=}; shift ;;
    --uninstall) ACTION=uninstall; shift ;;
    --purge) PURGE=1; shift ;;
    --no-start) START=0; shift ;;
    --with-shaper) SHAPER=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
case $ROLE in "" | server | worker | both) ;; *) usage_error "--role: expected server, worker or both, got '$ROLE'" ;; esac
case $PREFIX in
  /*) ;;
  *) usage_error "--prefix: expected an absolute path, got '$PREFIX'" ;;
esac
PREFIX=${PREFIX%/}
# The prefix is substituted into unit files and removed by --uninstall: keep it plain.
case $PREFIX in
  "" | *[!A-Za-z0-9._/-]* | */. | */.. | */./* | */../*) usage_error "--prefix: expected a plain absolute path (letters, digits, . _ - /), got '$PREFIX'" ;;
  /bin | /boot | /dev | /etc | /home | /lib | /lib64 | /opt | /proc | /root | /run | /sbin | /srv | /sys | /tmp | /usr | /usr/* | /var) usage_error "--prefix: refusing system folder '$PREFIX'" ;;
esac
[ "$PURGE" = 0 ] || [ "$ACTION" = uninstall ] || usage_error "--purge goes with --uninstall"
[ -z "$ROLE" ] || [ "$ACTION" = install ] || usage_error "--role does not go with --uninstall"
[ "$SHAPER" = 0 ] || [ "$ACTION" = install ] || usage_error "--with-shaper does not go with --uninstall"

SRC=$(cd "$(dirname "$0")" && pwd)
STAGE="" OLD="" WORK="" PENDING=""
# WSL2 detection: plexbeam_wsl_dropin, plexbeam_wsl_notes.
# shellcheck disable=SC1091 # scripts/wsl.sh, shellchecked on its own
. "$SRC/scripts/wsl.sh"
# The worker's certificate: plexbeam_tls_ensure, plexbeam_tls_fingerprint, plexbeam_tls_host.
# shellcheck disable=SC1091 # scripts/worker-tls.sh, shellchecked on its own
. "$SRC/scripts/worker-tls.sh"

# Removes whatever a failed run staged; the installed app is only ever replaced by a rename.
cleanup() {
  if [ -n "$WORK" ]; then rm -rf "$WORK"; fi
  if [ -n "$PENDING" ]; then rm -f "$PENDING"; fi
  if [ -n "$STAGE" ] && [ -e "$STAGE" ]; then rm -rf "$STAGE"; fi
  if [ -n "$OLD" ] && [ -e "$OLD/app" ] && [ ! -e "$PREFIX" ]; then mv "$OLD/app" "$PREFIX"; fi
  if [ -n "$OLD" ] && [ -e "$OLD" ]; then rm -rf "$OLD"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# ------------------------------------------------------------------------------ helpers
# Reads the config with the app's own loader (dist/core/config.js): `get KEY` prints a value
# (dotted keys reach into objects), `check` validates, `dropin worker|watchdog` prints the
# unit's paths.conf. The config file is optional: without it the defaults apply.
# shellcheck disable=SC2016 # JavaScript, expanded by node
CONFIG_JS='
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
const [, app, file, mode, arg] = process.argv;
let config;
try {
  const { loadConfig } = await import(pathToFileURL(`${app}/dist/core/config.js`).href);
  config = loadConfig({ path: existsSync(file) ? file : undefined, env: {} });
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
// systemd unquotes "…" with C escapes and expands % specifiers; "-" ignores a missing path.
const quote = (path) => `"-${path.replace(/[\\"]/g, (c) => `\\${c}`).replaceAll("%", "%%")}"`;
if (mode === "get") {
  const value = arg.split(".").reduce((object, key) => object?.[key], config);
  process.stdout.write(`${Array.isArray(value) ? value.join("\n") : value ?? ""}\n`);
} else if (mode === "dropin") {
  const fleetDir = config.server.fleetFile.replace(/\/[^/]*$/, "") || "/";
  const paths = arg === "worker" ? [...config.worker.transcodeRoots, config.dataDir, config.logDir] : arg === "shaper" ? [config.dataDir, config.logDir] : arg === "server" ? [fleetDir, config.logDir] : [config.plexDir, config.dataDir, config.logDir];
  const from = arg === "worker" ? "worker.transcodeRoots, dataDir and logDir" : arg === "shaper" ? "dataDir and logDir" : arg === "server" ? "the folder of server.fleetFile, and logDir" : "plexDir, dataDir and logDir";
  process.stdout.write([
    `# Written by install.sh from ${file} (${from}).`,
    "# Run install.sh again after changing them. Your own changes go in another drop-in.",
    "[Service]",
    "ReadWritePaths=",
    `ReadWritePaths=${[...new Set(paths)].map(quote).join(" ")}`,
    "",
  ].join("\n"));
}
'

# config APP MODE [ARG]: runs CONFIG_JS with the app in folder APP.
config() {
  _app=$1
  shift
  "$NODE" --input-type=module -e "$CONFIG_JS" "$_app" "$CONFIG" "$@"
}

# json_field NAME: prints one top-level field of the JSON document on stdin.
json_field() {
  "$NODE" -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => { try { const v = JSON.parse(s)[process.argv[1]]; process.stdout.write(v === undefined || v === null ? "" : String(v)); } catch { process.exitCode = 1; } });' "$1"
}

# put_file NEW DEST MODE: puts the content of NEW (a scratch file) at DEST, through a temporary
# in DEST's folder and a rename, unless DEST already holds it (then nothing, not even the
# folder, is touched). True when DEST changed.
put_file() {
  if [ -f "$2" ] && cmp -s "$1" "$2"; then
    return 1
  fi
  mkdir -p "$(dirname "$2")"
  PENDING=$(mktemp "$(dirname "$2")/.plexbeam-install.XXXXXX")
  cat "$1" >"$PENDING"
  chmod "$3" "$PENDING"
  mv -f "$PENDING" "$2"
  PENDING=""
}

# run_quiet WHAT FIX CMD...: runs CMD with its output in a log; on failure shows the log's tail.
run_quiet() {
  _what=$1 _fix=$2
  shift 2
  _log=$(mktemp)
  if ! "$@" >"$_log" 2>&1; then
    tail -n 25 "$_log" >&2
    rm -f "$_log"
    die "$_what" "$_fix"
  fi
  rm -f "$_log"
}

apt_install() {
  command -v apt-get >/dev/null 2>&1 || die "need $* but this machine has no apt-get" "install $* with its package manager, then run install.sh again"
  run_quiet "apt-get install $* failed (output above)" "check the network and the apt sources, or install $* by hand, then run install.sh again" \
    sh -c 'DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"' apt_install "$@"
}

is_plexbeam_app() {
  [ -f "$1/package.json" ] && grep -q '"name": "plexbeam"' "$1/package.json"
}

node_major() {
  "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0
}

have_systemd() {
  [ -d /run/systemd/system ]
}

role_units() {
  case $1 in
    server) echo plexbeam-watchdog plexbeam-server ;;
    worker) echo plexbeam-worker ;;
    both) echo plexbeam-worker plexbeam-watchdog plexbeam-server ;;
  esac
}

role_has() { # role_has ROLE server|worker
  [ "$1" = both ] || [ "$1" = "$2" ]
}

installed_role() {
  w=0 s=0
  if [ -f "$UNIT_DIR/plexbeam-worker.service" ]; then w=1; fi
  if [ -f "$UNIT_DIR/plexbeam-watchdog.service" ]; then s=1; fi
  case $w$s in 11) echo both ;; 10) echo worker ;; 01) echo server ;; *) echo "" ;; esac
}

has_plex() { # has_plex DIR: Plex's transcoder (or the one the cartridge keeps) is there
  [ -e "$1/Plex Transcoder" ] || [ -e "$1/Plex Transcoder.real" ]
}

# ------------------------------------------------------------------------------ install steps
check_host() {
  [ "$(id -u)" = 0 ] || die "install.sh must run as root" "sudo $0${ARGS:+ $ARGS}"
  # One install.sh at a time (the lock goes with the process).
  exec 9>/run/plexbeam-install.lock
  if command -v flock >/dev/null 2>&1 && ! flock -n 9; then
    die "another install.sh is running" "wait for it to finish, then run install.sh again"
  fi
  if [ "$ACTION" = install ] && ! have_systemd; then
    die "systemd is not running on this machine (PID 1 is $(cat /proc/1/comm 2>/dev/null || echo unknown))" \
      "PlexBeam's services need systemd: use a systemd-based Debian/Ubuntu, or run 'plexbeam worker' and 'plexbeam watchdog' under your own supervisor"
  fi
}

# The checkout must be built (./setup.sh): dist/ and node_modules with better-sqlite3.
ensure_built() {
  if [ -f "$SRC/dist/cli/main.js" ] && [ -d "$SRC/node_modules/better-sqlite3" ]; then
    say "checkout: $SRC is built"
    return
  fi
  missing=""
  command -v npm >/dev/null 2>&1 || missing="$missing npm"
  for tool in python3 make g++; do command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"; done
  # shellcheck disable=SC2086 # a list of package names
  if [ -n "$missing" ]; then apt_install $missing; fi
  owner=$(stat -c %U "$SRC")
  if [ "$owner" != root ] && command -v runuser >/dev/null 2>&1; then
    run_quiet "./setup.sh failed in $SRC (output above)" "fix what it reports, run ./setup.sh as $owner, then install.sh again" runuser -u "$owner" -- "$SRC/setup.sh"
  else
    run_quiet "./setup.sh failed in $SRC (output above)" "fix what it reports, run ./setup.sh, then install.sh again" "$SRC/setup.sh"
  fi
  say "checkout: built $SRC with ./setup.sh"
}

# The Node.js the checkout was built with: its own .runtime (fetched from the npm registry by
# setup.sh when the system one is older than 22), else the system's.
pick_node() {
  if [ -x "$SRC/.runtime/node/bin/node" ]; then
    NODE=$SRC/.runtime/node/bin/node BUNDLE_NODE=1
    say "node: $("$NODE" --version), the checkout's own runtime (setup.sh fetched it from the npm registry), bundled under $PREFIX/.runtime"
    return
  fi
  NODE=$(command -v node 2>/dev/null || true) BUNDLE_NODE=0
  if [ -z "$NODE" ] || [ "$(node_major "$NODE")" -lt "$MIN_NODE_MAJOR" ]; then
    die "no Node.js >= $MIN_NODE_MAJOR: the checkout has no .runtime/node and the system's is ${NODE:-missing}" "run ./setup.sh in $SRC (it fetches Node.js into .runtime), then install.sh again"
  fi
  say "node: $("$NODE" --version), the system's ($NODE)"
}

pick_role() {
  installed=$(installed_role)
  plex_dir=$(config "$SRC" get plexDir 2>/dev/null) || die "cannot read $CONFIG: $(config "$SRC" check 2>&1 || true)" "fix $CONFIG (README: Configuration), then run install.sh again"
  if [ -n "$ROLE" ]; then
    why="chosen with --role"
  elif [ -n "$installed" ]; then
    ROLE=$installed why="the role installed here; change it with --role"
  elif has_plex "$plex_dir"; then
    ROLE=both why="Plex Media Server found in $plex_dir; choose with --role"
  else
    ROLE=worker why="no Plex Media Server in $plex_dir; choose with --role"
  fi
  if role_has "$ROLE" server && ! has_plex "$plex_dir"; then
    die "role $ROLE needs Plex Media Server, but $plex_dir has no Plex Transcoder" \
      "install Plex Media Server first, or set plexDir in $CONFIG to its folder, or use --role worker"
  fi
  say "role: $ROLE ($why)"
}

ensure_ffmpeg() {
  role_has "$ROLE" worker || return 0
  ffmpeg=$(config "$SRC" get worker.ffmpegPath)
  if command -v "$ffmpeg" >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
    say "ffmpeg: present ($(command -v "$ffmpeg"))"
    return
  fi
  [ "$ffmpeg" = ffmpeg ] || die "worker.ffmpegPath $ffmpeg is not executable" "install it there, or set worker.ffmpegPath in $CONFIG"
  apt_install ffmpeg
  say "ffmpeg: installed ($(command -v ffmpeg))"
}

# bubblewrap confines each ffmpeg the worker runs (worker.confinement, docs/WORKER.md).
ensure_bubblewrap() {
  role_has "$ROLE" worker || return 0
  if command -v bwrap >/dev/null 2>&1; then
    say "bubblewrap: present ($(command -v bwrap))"
    return
  fi
  apt_install bubblewrap
  say "bubblewrap: installed ($(command -v bwrap))"
}

# The worker's system user, in the groups that own /dev/dri (video, render) where they exist.
ensure_user() {
  role_has "$ROLE" worker || return 0
  if id "$SERVICE_USER" >/dev/null 2>&1; then
    what="exists"
  else
    run_quiet "could not create the system user $SERVICE_USER" "create it by hand (useradd --system --user-group $SERVICE_USER), then run install.sh again" \
      useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin --comment "PlexBeam worker" "$SERVICE_USER"
    what="created"
  fi
  for group in video render; do
    getent group "$group" >/dev/null 2>&1 || continue
    if ! id -nG "$SERVICE_USER" | tr ' ' '\n' | grep -qx "$group"; then
      usermod -a -G "$group" "$SERVICE_USER" || die "could not add $SERVICE_USER to the group $group" "usermod -a -G $group $SERVICE_USER"
      what="$what, added to $group"
    fi
  done
  say "user: $SERVICE_USER $what (groups: $(id -nG "$SERVICE_USER"))"
}

# Copies the production dependencies listed in package-lock.json (no npm needed): every package
# not marked dev, each without its nested node_modules (those are packages of their own).
# shellcheck disable=SC2016 # JavaScript, expanded by node
PRUNE_JS='
import { cpSync, existsSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
const [, from, to] = process.argv;
const lock = JSON.parse(readFileSync(join(from, "package-lock.json"), "utf8"));
let count = 0;
for (const [key, info] of Object.entries(lock.packages ?? {})) {
  if (key === "" || info.dev || info.link || !key.startsWith("node_modules/")) continue;
  const source = join(from, key);
  if (!existsSync(source)) {
    if (info.optional || info.devOptional) continue;
    throw new Error(`${key} is in package-lock.json but not installed: run ./setup.sh again`);
  }
  cpSync(source, join(to, key), {
    recursive: true,
    verbatimSymlinks: true,
    filter: (path) => relative(source, path).split(sep)[0] !== "node_modules",
  });
  count += 1;
}
process.stdout.write(`${count}\n`);
'

stage_app() {
  parent=$(dirname "$PREFIX")
  if [ -e "$PREFIX" ] && ! is_plexbeam_app "$PREFIX"; then
    die "$PREFIX exists and is not a PlexBeam install" "move it away, or choose another --prefix"
  fi
  mkdir -p "$parent" || die "cannot create $parent" "check that $parent is writable"
  STAGE=$(mktemp -d "$parent/.plexbeam-stage.XXXXXX") || die "cannot create a staging folder in $parent" "check free space and permissions in $parent"
  for item in bin dist scripts systemd docs package.json package-lock.json README.md install.sh; do
    if [ -e "$SRC/$item" ]; then
      cp -R "$SRC/$item" "$STAGE/" || die "could not copy $item into $STAGE" "check free space in $parent"
    fi
  done
  # The benchmarks and the test harness they build on (dist/bench, dist/test) are for a checkout only.
  rm -rf "$STAGE/dist/bench" "$STAGE/dist/test"
  packages=$("$NODE" --input-type=module -e "$PRUNE_JS" "$SRC" "$STAGE" 2>&1) ||
    die "could not copy the production dependencies: $packages" "run ./setup.sh again in $SRC, then install.sh"
  if [ "$BUNDLE_NODE" = 1 ]; then
    mkdir -p "$STAGE/.runtime/node/bin"
    cp "$NODE" "$STAGE/.runtime/node/bin/node" || die "could not copy Node.js into $STAGE" "check free space in $parent"
    if [ -f "$SRC/.runtime/node/LICENSE" ]; then cp "$SRC/.runtime/node/LICENSE" "$STAGE/.runtime/node/"; fi
  fi
  chown -R root:root "$STAGE"
  chmod -R u+rwX,go+rX,go-w "$STAGE"
  chmod 0755 "$STAGE"
  stage_node=$NODE
  if [ "$BUNDLE_NODE" = 1 ]; then stage_node=$STAGE/.runtime/node/bin/node; fi
  # better-sqlite3 is a native addon: it must have been built for exactly this Node.js.
  sqlite=$("$stage_node" -e 'const D = require(process.argv[1]); new D(":memory:").close();' "$STAGE/node_modules/better-sqlite3" 2>&1) ||
    die "better-sqlite3 in $SRC does not load on Node.js $("$stage_node" --version): $(printf '%s' "$sqlite" | grep -m1 Error || true)" "run ./setup.sh again in $SRC (it rebuilds it for that Node.js), then install.sh"
  out=$("$STAGE/bin/plexbeam" --help 2>&1) || die "the staged plexbeam does not run: $(printf '%s\n' "$out" | tail -n 3)" "run ./setup.sh again in $SRC, then install.sh"
  version=$("$stage_node" -p 'require(process.argv[1]).version' "$STAGE/package.json")
  config "$STAGE" check >/dev/null 2>&1 || die "$CONFIG is invalid: $(config "$STAGE" check 2>&1 || true)" "fix it (README: Configuration), then run install.sh again"
}

# Renames the staged app into place, unless it is identical to the installed one.
commit_app() {
  APP_CHANGED=0
  if [ -d "$PREFIX" ] && diff -rq --no-dereference "$PREFIX" "$STAGE" >/dev/null 2>&1; then
    rm -rf "$STAGE"
    STAGE=""
    say "app: $PREFIX is up to date (plexbeam $version, $packages packages)"
    return
  fi
  if [ -e "$PREFIX" ]; then
    OLD=$(mktemp -d "$(dirname "$PREFIX")/.plexbeam-old.XXXXXX")
    mv "$PREFIX" "$OLD/app" || die "could not move the old $PREFIX aside" "check $PREFIX and $(dirname "$PREFIX")"
    mv "$STAGE" "$PREFIX" || die "could not rename $STAGE to $PREFIX (the old version is put back)" "check free space and permissions in $(dirname "$PREFIX")"
    rm -rf "$OLD"
    OLD="" what=updated
  else
    mv "$STAGE" "$PREFIX" || die "could not rename $STAGE to $PREFIX" "check permissions in $(dirname "$PREFIX")"
    what=installed
  fi
  STAGE="" APP_CHANGED=1
  say "app: $what $PREFIX (plexbeam $version, $packages production packages)"
}

link_command() {
  target=$PREFIX/bin/plexbeam
  if [ -L "$BIN_LINK" ] && [ "$(readlink "$BIN_LINK")" = "$target" ]; then
    say "command: $BIN_LINK -> $target (unchanged)"
    return
  fi
  if [ -e "$BIN_LINK" ] && [ ! -L "$BIN_LINK" ]; then
    die "$BIN_LINK exists and is not a link to PlexBeam" "remove or rename it, then run install.sh again"
  fi
  mkdir -p "$(dirname "$BIN_LINK")"
  ln -sfn "$target" "$BIN_LINK"
  say "command: $BIN_LINK -> $target"
}

# Writes /etc/plexbeam/config.json only when there is none, with a new random API key.
write_config() {
  if [ -e "$CONFIG" ]; then
    say "config: $CONFIG exists; left as it is"
    return
  fi
  mkdir -p "$CONFIG_DIR"
  chmod 0755 "$CONFIG_DIR"
  key=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')
  # Workers serve HTTPS with a self-signed certificate, pinned by the Plex side (report_tls).
  tls="" scheme=http pin=""
  if role_has "$ROLE" worker; then
    made=0
    plexbeam_tls_ensure "$TLS_DIR" "$SERVICE_USER" >/dev/null || made=$?
    case $made in
      0)
        tls=$(printf '\n    "tlsCert": "%s",\n    "tlsKey": "%s",' "$TLS_DIR/worker.crt" "$TLS_DIR/worker.key")
        scheme=https pin=$(printf ', "fingerprint": "%s"' "$(plexbeam_tls_fingerprint "$TLS_DIR/worker.crt")")
        ;;
      1) say "tls: openssl is not installed, so no certificate: the worker serves plain HTTP (apt-get install openssl, then set worker.tlsCert and worker.tlsKey, docs/SERVER.md)" ;;
      *) die "openssl could not make the worker's certificate in $TLS_DIR" "check that $CONFIG_DIR is writable and openssl works ('openssl version'), then run install.sh again" ;;
    esac
  fi
  tmp=$(mktemp "$CONFIG_DIR/.config.json.XXXXXX")
  case $ROLE in
    worker) printf '{\n  "worker": {\n    "apiKey": "%s",%s\n    "mediaRoots": [],\n    "transcodeRoots": [],\n    "pathMap": []\n  }\n}\n' "$key" "$tls" ;;
    server) printf '{\n  "workers": []\n}\n' ;;
    both) printf '{\n  "workers": [{ "url": "%s://127.0.0.1:8765", "apiKey": "%s", "name": "local"%s }],\n  "worker": {\n    "host": "127.0.0.1",\n    "apiKey": "%s",%s\n    "mediaRoots": [],\n    "transcodeRoots": []\n  }\n}\n' "$scheme" "$key" "$pin" "$key" "$tls" ;;
  esac >"$tmp"
  mode=0600
  # The cartridge runs as Plex's user and reads the config too (the worker gets a copy from systemd).
  if role_has "$ROLE" server && getent group plex >/dev/null 2>&1; then
    chgrp plex "$tmp"
    mode=0640
  fi
  chmod "$mode" "$tmp"
  mv "$tmp" "$CONFIG"
  case $ROLE in
    worker) next="the API key is worker.apiKey there; set mediaRoots and transcodeRoots, and give the Plex machine this worker's URL and key" ;;
    server) next="add your workers (url and apiKey) to workers there" ;;
    both) next="the worker's API key is worker.apiKey there; set worker.mediaRoots and worker.transcodeRoots" ;;
  esac
  say "config: wrote $CONFIG (mode $mode) with a new API key; $next, then run install.sh again"
}

# Says how the worker is reached: HTTPS with the configured certificate (its fingerprint and, on a
# worker, the `workers add` line for the Plex machine), or plain HTTP as configured. Our own
# certificate, if its files went missing, is made again (a new pin).
report_tls() {
  role_has "$ROLE" worker || return 0
  cert=$(config "$PREFIX" get worker.tlsCert)
  if [ -z "$cert" ]; then
    say "tls: off, the worker serves plain HTTP (worker.tlsCert is not set in $CONFIG; plexbeam doctor warns on the Plex side)"
    return 0
  fi
  made=""
  if [ "$cert" = "$TLS_DIR/worker.crt" ] && [ "$(config "$PREFIX" get worker.tlsKey)" = "$TLS_DIR/worker.key" ]; then
    made=$(plexbeam_tls_ensure "$TLS_DIR" "$SERVICE_USER") || die "$CONFIG names $cert, which is missing, and openssl cannot make it again" "apt-get install openssl, then run install.sh again"
  fi
  [ -r "$cert" ] || die "worker.tlsCert $cert is not readable" "set worker.tlsCert and worker.tlsKey in $CONFIG to the PEM files, then run install.sh again"
  fp=$(plexbeam_tls_fingerprint "$cert") || die "cannot read the certificate $cert" "check that it is a PEM certificate, then run install.sh again"
  if [ "$made" = made ]; then made="made a new certificate, so re-add the worker on the Plex machine; "; else made=""; fi
  say "tls: ${made}the worker serves HTTPS with $cert (SHA-256 $fp)"
  if [ "$ROLE" = worker ]; then
    # The key itself is never printed (docs/INSTALL.md): KEY stands for it.
    say "next, on the Plex machine: $(plexbeam_tls_add_line "$(config "$PREFIX" get worker.host)" "$(config "$PREFIX" get worker.port)" KEY "$fp") (KEY: worker.apiKey in $CONFIG)"
  fi
}

# dataDir (sessions.db) and logDir. On servers the cartridge, run as Plex's user, writes the
# session log: dataDir then belongs to Plex's group, setgid, group-writable.
ensure_folders() {
  data_dir=$(config "$PREFIX" get dataDir)
  log_dir=$(config "$PREFIX" get logDir)
  made=""
  if [ ! -d "$data_dir" ]; then
    mkdir -p "$data_dir"
    if role_has "$ROLE" server && getent group plex >/dev/null 2>&1; then
      chgrp plex "$data_dir"
      chmod 2775 "$data_dir"
    else
      chmod 0755 "$data_dir"
    fi
    made="$made created dataDir $data_dir;"
  fi
  if [ ! -d "$log_dir" ]; then
    mkdir -p "$log_dir"
    if role_has "$ROLE" worker; then
      chgrp "$SERVICE_USER" "$log_dir"
      chmod 2775 "$log_dir"
    else
      chmod 0755 "$log_dir"
    fi
    made="$made created logDir $log_dir;"
  fi
  made=${made%;}
  say "folders:${made:- dataDir $data_dir and logDir $log_dir exist}"
}

# shellcheck disable=SC2016 # JavaScript, expanded by node
SESSION_LOG_JS='
import { pathToFileURL } from "node:url";
const [, app, dataDir] = process.argv;
const load = (module) => import(pathToFileURL(`${app}/dist/core/${module}`).href);
const { sessionLogPath } = await load("cartridge-events.js");
const { openSessionLog } = await load("session-log/index.js");
openSessionLog(sessionLogPath(dataDir)).close();
'

# On servers the session log is written by root (the watchdog) and by Plex's user (the
# cartridge). SQLite creates sessions.db mode 0644 whatever the umask, and its -wal and -shm
# files with the database's mode and owner: so create it here, group plex, group-writable.
ensure_session_log() {
  role_has "$ROLE" server || return 0
  getent group plex >/dev/null 2>&1 || return 0
  db=$data_dir/sessions.db what=""
  if [ ! -e "$db" ]; then
    out=$("$NODE" --input-type=module -e "$SESSION_LOG_JS" "$PREFIX" "$data_dir" 2>&1) ||
      die "could not create the session log $db: $out" "check that $data_dir is on a local disk and writable, then run install.sh again"
    what="created $db, "
  fi
  for file in "$db" "$db-wal" "$db-shm"; do
    [ -e "$file" ] || continue
    if [ "$(stat -c %G "$file")" != plex ] || [ $((0$(stat -c %a "$file") & 020)) = 0 ]; then
      chgrp plex "$file"
      chmod g+w "$file"
      what="${what}made $(basename "$file") writable by group plex, "
    fi
  done
  if [ -z "$what" ]; then what="$db is writable by the group plex (unchanged)"; fi
  say "session log: ${what%, }"
}

remove_unit() { # remove_unit NAME: stops, disables and deletes a unit and its drop-ins
  if [ ! -f "$UNIT_DIR/$1.service" ]; then return 1; fi
  if have_systemd; then
    systemctl disable --now --quiet "$1.service" 2>/dev/null || true
  fi
  rm -f "$UNIT_DIR/$1.service"
  rm -f "$UNIT_DIR/$1.service.d/paths.conf"
  rmdir "$UNIT_DIR/$1.service.d" 2>/dev/null || true
  if have_systemd; then systemctl reset-failed "$1.service" 2>/dev/null || true; fi
}

# Installs the role's units (prefix substituted) and their paths.conf drop-ins; removes the
# units of a role no longer wanted here.
install_units() {
  CHANGED_UNITS="" reload=0 what=""
  for unit in plexbeam-worker plexbeam-watchdog plexbeam-server; do
    case " $(role_units "$ROLE") " in *" $unit "*) continue ;; esac
    if remove_unit "$unit"; then reload=1 what="$what removed $unit (not in role $ROLE);"; fi
  done
  for unit in $(role_units "$ROLE"); do
    short=${unit#plexbeam-}
    sed "s|/opt/plexbeam|$PREFIX|g" "$PREFIX/systemd/$unit.service" >"$WORK/$unit.service"
    parts=""
    if put_file "$WORK/$unit.service" "$UNIT_DIR/$unit.service" 0644; then parts=" $unit.service"; fi
    config "$PREFIX" dropin "$short" >"$WORK/$unit.paths.conf" || die "could not render $unit's paths.conf from $CONFIG" "check $CONFIG with 'plexbeam doctor'"
    if put_file "$WORK/$unit.paths.conf" "$UNIT_DIR/$unit.service.d/paths.conf" 0644; then parts="$parts $unit.service.d/paths.conf"; fi
    # Inside WSL2 the worker needs /usr/lib/wsl/lib on its library path (scripts/wsl.sh).
    if [ "$unit" = plexbeam-worker ] && [ -n "$(plexbeam_wsl_dropin)" ]; then
      plexbeam_wsl_dropin >"$WORK/$unit.wsl.conf"
      if put_file "$WORK/$unit.wsl.conf" "$UNIT_DIR/$unit.service.d/wsl.conf" 0644; then parts="$parts $unit.service.d/wsl.conf"; fi
    fi
    if [ -n "$parts" ]; then
      CHANGED_UNITS="$CHANGED_UNITS $unit" reload=1 what="$what wrote$parts;"
    fi
  done
  what=${what%;}
  if [ "$reload" = 1 ]; then
    systemctl daemon-reload || die "systemctl daemon-reload failed" "run 'systemctl daemon-reload' and look at its message"
  fi
  say "units:${what:- $(role_units "$ROLE") unchanged}"
}

install_cartridge() {
  role_has "$ROLE" server || return 0
  # Installed already (and by this install): leave Plex's folder alone, not even a lock file.
  status=$("$PREFIX/bin/plexbeam" cartridge status --config "$CONFIG" --json 2>/dev/null) || true
  if [ "$(printf '%s' "$status" | json_field installed)" = true ] && [ "$(printf '%s' "$status" | json_field shim_current)" = true ]; then
    say "cartridge: installed in $(printf '%s' "$status" | json_field plex_dir) (unchanged)"
    return
  fi
  out=$("$PREFIX/bin/plexbeam" cartridge install --config "$CONFIG" --json 2>"$WORK/cartridge.err") ||
    die "plexbeam cartridge install failed: $(tail -n 3 "$WORK/cartridge.err")" "see 'plexbeam cartridge status'; fix what it reports, then run install.sh again"
  message=$(printf '%s' "$out" | json_field message) || message="installed"
  warning=$(sed 's/^plexbeam: //' "$WORK/cartridge.err" | tr '\n' ' ')
  warning=${warning% }
  say "cartridge: $message ($(config "$PREFIX" get plexDir))${warning:+; $warning}"
}

# The optional shaper on servers: its unit is always installed (and removed with the server
# role); --with-shaper enables and starts it, which needs shaper.interface in the config.
install_shaper() {
  unit=plexbeam-shaper
  if ! role_has "$ROLE" server; then
    if remove_unit "$unit"; then systemctl daemon-reload || true; say "shaper: removed $unit (not in role $ROLE)"; fi
    return 0
  fi
  sed "s|/opt/plexbeam|$PREFIX|g" "$PREFIX/systemd/$unit.service" >"$WORK/$unit.service"
  changed=0
  if put_file "$WORK/$unit.service" "$UNIT_DIR/$unit.service" 0644; then changed=1; fi
  config "$PREFIX" dropin shaper >"$WORK/$unit.paths.conf" || die "could not render $unit's paths.conf from $CONFIG" "check $CONFIG with 'plexbeam doctor'"
  if put_file "$WORK/$unit.paths.conf" "$UNIT_DIR/$unit.service.d/paths.conf" 0644; then changed=1; fi
  if [ "$changed" = 1 ]; then systemctl daemon-reload || die "systemctl daemon-reload failed" "run 'systemctl daemon-reload' and look at its message"; fi
  if [ "$SHAPER" = 0 ]; then
    if systemctl is-enabled --quiet "$unit.service" 2>/dev/null; then
      if [ "$START" = 1 ] && { [ "$changed" = 1 ] || [ "$APP_CHANGED" = 1 ]; }; then systemctl try-restart "$unit.service" || unit_failed "$unit"; fi
      say "shaper: $unit installed, enabled"
    else
      say "shaper: $unit installed, not enabled (install.sh --with-shaper enables it)"
    fi
    return 0
  fi
  [ -n "$(config "$PREFIX" get shaper.interface)" ] ||
    die "--with-shaper needs shaper.interface in $CONFIG" "set it to the egress interface (ip route get 1.1.1.1 names it), then run install.sh --with-shaper again"
  systemctl enable --quiet "$unit.service" || die "could not enable $unit" "run 'systemctl enable $unit' and look at its message"
  if [ "$START" = 0 ]; then say "shaper: $unit enabled; not started (--no-start)"; return 0; fi
  if [ "$changed" = 1 ] || [ "$APP_CHANGED" = 1 ]; then systemctl restart "$unit.service" || unit_failed "$unit"; else systemctl start "$unit.service" || unit_failed "$unit"; fi
  systemctl is-active --quiet "$unit.service" || unit_failed "$unit"
  say "shaper: $unit enabled, running ($(systemctl show -p StatusText --value "$unit.service"))"
}

# Enables the role's units; starts them (Type=notify: start returns once the daemon is ready),
# or restarts them when the app or their unit changed.
start_units() {
  for unit in $(role_units "$ROLE"); do
    if systemctl is-enabled --quiet "$unit.service" 2>/dev/null; then
      enabled="enabled"
    else
      systemctl enable --quiet "$unit.service" || die "could not enable $unit" "run 'systemctl enable $unit' and look at its message"
      enabled="enabled now"
    fi
    if [ "$START" = 0 ]; then
      say "service $unit: $enabled; not started (--no-start)"
      continue
    fi
    case " $CHANGED_UNITS " in *" $unit "*) restart=1 ;; *) restart=$APP_CHANGED ;; esac
    if systemctl is-active --quiet "$unit.service"; then
      if [ "$restart" = 0 ]; then
        say "service $unit: $enabled, running ($(systemctl show -p StatusText --value "$unit.service"))"
        continue
      fi
      systemctl restart "$unit.service" || unit_failed "$unit"
      verb=restarted
    else
      systemctl start "$unit.service" || unit_failed "$unit"
      verb=started
    fi
    systemctl is-active --quiet "$unit.service" || unit_failed "$unit"
    say "service $unit: $enabled, $verb ($(systemctl show -p StatusText --value "$unit.service"))"
  done
}

unit_failed() {
  journalctl -u "$1.service" -n 10 --no-pager -o cat >&2 2>/dev/null || true
  die "$1 did not start: $(systemctl show -p Result --value "$1.service" 2>/dev/null) (its last log lines are above)" \
    "see 'journalctl -u $1 -n 50' and run 'sudo plexbeam doctor'; fix what they report, then run install.sh again"
}

do_install() {
  check_host "$@"
  WORK=$(mktemp -d)
  ensure_built
  pick_node
  pick_role
  ensure_ffmpeg
  ensure_bubblewrap
  ensure_user
  stage_app
  commit_app
  if [ "$BUNDLE_NODE" = 1 ]; then NODE=$PREFIX/.runtime/node/bin/node; fi
  link_command
  write_config
  report_tls
  ensure_folders
  ensure_session_log
  install_units
  if role_has "$ROLE" worker; then plexbeam_wsl_notes | while IFS= read -r line; do say "$line"; done; fi
  install_cartridge
  start_units
  install_shaper
  say "done: role $ROLE in $PREFIX; check the set-up with: sudo plexbeam doctor"
}

# ------------------------------------------------------------------------------ uninstall steps
uninstall_cartridge() {
  if is_plexbeam_app "$PREFIX" && [ -x "$PREFIX/bin/plexbeam" ]; then
    app=$PREFIX
  elif [ -f "$SRC/dist/cli/main.js" ]; then
    app=$SRC
  else
    say "cartridge: cannot check it (no PlexBeam app in $PREFIX or $SRC)"
    return
  fi
  if [ -x "$app/.runtime/node/bin/node" ]; then NODE=$app/.runtime/node/bin/node; else NODE=node; fi
  status=$("$app/bin/plexbeam" cartridge status --json 2>/dev/null) || true
  state=$(printf '%s' "$status" | json_field state) || die "could not read the cartridge's state: $("$app/bin/plexbeam" cartridge status 2>&1 | tail -n 2)" "fix what it reports, then run install.sh --uninstall again"
  plex_dir=$(printf '%s' "$status" | json_field plex_dir)
  case $state in
    no-plex-dir | no-transcoder) say "cartridge: no Plex Transcoder in $plex_dir; nothing to restore" ;;
    not-installed) say "cartridge: not installed; $plex_dir/Plex Transcoder is Plex's own" ;;
    *)
      err=$(mktemp)
      out=$("$app/bin/plexbeam" cartridge uninstall --json 2>"$err") || {
        msg=$(tail -n 3 "$err")
        rm -f "$err"
        die "could not restore Plex's Plex Transcoder: $msg" "fix what it reports, then run install.sh --uninstall again (PlexBeam stays installed until then)"
      }
      rm -f "$err"
      say "cartridge: $(printf '%s' "$out" | json_field message)"
      ;;
  esac
  if [ "$PURGE" = 1 ]; then
    PURGE_DATA=$(config "$app" get dataDir 2>/dev/null || true)
    PURGE_LOG=$(config "$app" get logDir 2>/dev/null || true)
  fi
}

do_uninstall() {
  check_host "$@"
  PURGE_DATA="" PURGE_LOG=""
  removed=""
  # The watchdog first, so that it does not meet the cartridge being removed; the shaper's
  # stop removes every tc rule it made.
  for unit in plexbeam-shaper plexbeam-server plexbeam-watchdog plexbeam-worker; do
    if [ -f "$UNIT_DIR/$unit.service" ] && have_systemd; then
      systemctl disable --now --quiet "$unit.service" 2>/dev/null || true
      removed="$removed $unit"
    fi
  done
  say "services:${removed:- none installed}${removed:+ stopped and disabled}"
  uninstall_cartridge
  removed=""
  for unit in plexbeam-shaper plexbeam-server plexbeam-watchdog plexbeam-worker; do
    if remove_unit "$unit"; then removed="$removed $unit.service"; fi
  done
  if [ -n "$removed" ] && have_systemd; then systemctl daemon-reload || true; fi
  say "units:${removed:- none installed}${removed:+ removed}"
  if [ -L "$BIN_LINK" ] && [ "$(readlink "$BIN_LINK")" = "$PREFIX/bin/plexbeam" ]; then
    rm -f "$BIN_LINK"
    say "command: removed $BIN_LINK"
  elif [ -e "$BIN_LINK" ] || [ -L "$BIN_LINK" ]; then
    say "command: $BIN_LINK is not PlexBeam's; left as it is"
  else
    say "command: $BIN_LINK is not installed"
  fi
  if is_plexbeam_app "$PREFIX"; then
    OLD=$(mktemp -d "$(dirname "$PREFIX")/.plexbeam-old.XXXXXX")
    mv "$PREFIX" "$OLD/app"
    rm -rf "$OLD"
    OLD=""
    say "app: removed $PREFIX"
  elif [ -e "$PREFIX" ]; then
    say "app: $PREFIX is not a PlexBeam install; left as it is"
  else
    say "app: $PREFIX is not installed"
  fi
  if [ "$PURGE" = 0 ]; then
    say "done: kept $CONFIG_DIR, the session log, the logs and the $SERVICE_USER user (--uninstall --purge removes them)"
    return
  fi
  purged=""
  for dir in "$CONFIG_DIR" "$PURGE_DATA" "$PURGE_LOG"; do
    if [ -z "$dir" ] || [ ! -e "$dir" ]; then continue; fi
    # Only folders that are plainly PlexBeam's: a dataDir of /var/lib is not removed.
    case $(basename "$dir") in
      *plexbeam*) rm -rf "$dir" && purged="$purged $dir" ;;
      *) say "purge: kept $dir (not a folder named for plexbeam)" ;;
    esac
  done
  if id "$SERVICE_USER" >/dev/null 2>&1; then
    userdel "$SERVICE_USER" 2>/dev/null && purged="$purged user:$SERVICE_USER"
  fi
  say "done: purged${purged:- nothing}"
}

if [ "$ACTION" = uninstall ]; then do_uninstall "$@"; else do_install "$@"; fi
