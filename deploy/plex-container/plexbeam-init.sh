#!/bin/sh
# PlexBeam inside a Plex container (linuxserver/plex: mount as /custom-cont-init.d/90-plexbeam;
# plexinc/pms-docker: mount as /etc/cont-init.d/90-plexbeam). At every container start it installs
# the cartridge from the mounted PlexBeam folder, which carries its own Node.js (nothing is
# installed into Plex's image): a fresh image's `Plex Transcoder` becomes `Plex Transcoder.real`
# exactly as on bare metal, and the shim goes back in its place. Then it starts the watchdog in
# the background for Plex updates inside the running container. `plexbeam-init.sh uninstall`
# stops the watchdog and restores Plex's binary byte-identical.
#
# Environment (the container's; defaults in brackets):
#   PLEXBEAM_HOME      the mounted PlexBeam folder, set up by ./setup.sh        [/plexbeam]
#   PLEXBEAM_CONFIG    config on a mounted volume (created if missing)          [/config/plexbeam/config.json]
#   PLEXBEAM_PLEX_DIR  Plex's install folder                                    [/usr/lib/plexmediaserver]
#   PLEXBEAM_WATCHDOG  "off" to not start the watchdog                          [on]
#   PLEXBEAM_PLEX_USER the user Plex runs as (owns the session log)             [abc, else plex]
#   PLEXBEAM_ETC_DIR / PLEXBEAM_BIN_DIR / PLEXBEAM_RUN_DIR  where the config link, the CLI link
#                      and the watchdog's pid file and log go                   [/etc/plexbeam, /usr/local/bin, /run/plexbeam]
set -eu
home=${PLEXBEAM_HOME:-/plexbeam}
config=${PLEXBEAM_CONFIG:-/config/plexbeam/config.json}
plex_dir=${PLEXBEAM_PLEX_DIR:-/usr/lib/plexmediaserver}
etc_dir=${PLEXBEAM_ETC_DIR:-/etc/plexbeam}
bin_dir=${PLEXBEAM_BIN_DIR:-/usr/local/bin}
run_dir=${PLEXBEAM_RUN_DIR:-/run/plexbeam}
plexbeam=$home/bin/plexbeam
action=${1:-install}

say() { echo "plexbeam-init: $*"; }
fail() { echo "plexbeam-init: $*" >&2; exit 1; }

[ -x "$plexbeam" ] || fail "no PlexBeam at $home (mount a set-up PlexBeam folder there, or set PLEXBEAM_HOME)"
[ -x "$home/.runtime/node/bin/node" ] || fail "$home has no .runtime/node: the folder must carry its own Node.js (docs/DEPLOY.md, Plex in a container)"

stop_watchdog() {
  pid=$(cat "$run_dir/watchdog.pid" 2>/dev/null || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid"
    i=0
    while kill -0 "$pid" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    say "stopped the watchdog (pid $pid)"
  fi
  rm -f "$run_dir/watchdog.pid"
}

if [ "$action" = uninstall ]; then
  stop_watchdog
  "$plexbeam" cartridge uninstall --config "$config" --plex-dir "$plex_dir"
  exit 0
fi
[ "$action" = install ] || fail "unknown action '$action' (install or uninstall)"

# The config and the session log live on the mounted volume; /etc/plexbeam points there, so the
# shim (run by Plex) and `docker exec … plexbeam status|analyze` find it.
data_dir=$(dirname "$config")/data
mkdir -p "$(dirname "$config")" "$data_dir"
if [ ! -e "$config" ]; then
  printf '{\n  "plexDir": "%s",\n  "dataDir": "%s",\n  "workers": []\n}\n' "$plex_dir" "$data_dir" >"$config"
  say "wrote a default config at $config: add workers (plexbeam workers add URL --key KEY)"
fi
if [ -n "${PLEXBEAM_PLEX_USER:-}" ]; then user=$PLEXBEAM_PLEX_USER
elif id abc >/dev/null 2>&1; then user=abc
elif id plex >/dev/null 2>&1; then user=plex
else user=""; fi
if [ -n "$user" ]; then chown -R "$user" "$data_dir" 2>/dev/null || true; fi
mkdir -p "$etc_dir" "$bin_dir"
if [ "$config" != "$etc_dir/config.json" ]; then ln -sfn "$config" "$etc_dir/config.json"; fi
ln -sfn "$plexbeam" "$bin_dir/plexbeam"

# The cartridge: the same code as on bare metal; after an image update the new binary becomes .real.
"$plexbeam" cartridge install --config "$config" --plex-dir "$plex_dir"

if [ "${PLEXBEAM_WATCHDOG:-on}" != off ]; then
  mkdir -p "$run_dir"
  stop_watchdog
  # setsid: its own session, so the init stage ending does not take it along.
  setsid "$plexbeam" watchdog --config "$config" --plex-dir "$plex_dir" >>"$run_dir/watchdog.log" 2>&1 </dev/null &
  echo $! >"$run_dir/watchdog.pid"
  say "watchdog started (pid $!, log $run_dir/watchdog.log)"
fi
