#!/bin/sh
# Worker container entrypoint (under tini): the config from a mounted /etc/plexbeam/config.json
# and/or PLEXBEAM_* variables (env-config.mjs), a clear word when bubblewrap cannot work in this
# container, then `exec plexbeam worker` so the worker gets SIGTERM directly.
set -eu
app=/opt/plexbeam
node=$app/.runtime/node/bin/node
if [ "${1:-worker}" != worker ]; then exec "$app/bin/plexbeam" "$@"; fi
shift || true

# The effective config: the mounted file as is, or with PLEXBEAM_* variables laid over it.
config=$("$node" "$app/deploy/container/env-config.mjs") || exit 2
PLEXBEAM_CONFIG=$config
export PLEXBEAM_CONFIG

# bubblewrap needs a user namespace; many container runtimes refuse one by default.
confinement=$("$node" -e 'const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")); process.stdout.write((c.worker && c.worker.confinement) || "auto")' "$config")
if [ "$confinement" != unconfined ] && ! bwrap --unshare-all --share-net --ro-bind / / --proc /proc --dev /dev true 2>/tmp/plexbeam-bwrap.err; then
  echo "plexbeam container: bubblewrap cannot create its sandbox here ($(head -c 300 /tmp/plexbeam-bwrap.err)); the worker will refuse to start with confinement \"$confinement\"." >&2
  echo "plexbeam container: either let the container create user namespaces (podman: --security-opt unmask=/proc/*; docker: --security-opt systempaths=unconfined --security-opt seccomp=unconfined, plus apparmor=unconfined where AppArmor runs), or set \"worker\": { \"confinement\": \"unconfined\" } (PLEXBEAM_CONFINEMENT=unconfined) and let the container be the boundary. docs/DEPLOY.md explains both." >&2
fi
exec "$app/bin/plexbeam" worker "$@"
