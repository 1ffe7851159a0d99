#!/bin/sh
# Set-up from a checkout: a Node.js >= 22 runtime (fetched from the npm registry when the
# system one is older), the dependencies with better-sqlite3 built from source, and the build.
set -eu
root=$(cd "$(dirname "$0")" && pwd)
cd "$root"
. "$root/scripts/runtime.sh"
plexbeam_use_node "$root"
echo "plexbeam: using node $("$PLEXBEAM_NODE" --version) at $PLEXBEAM_NODE"
# better-sqlite3's prebuilt download is not reachable everywhere: always build from source.
npm_config_build_from_source=true npm ci --no-audit --no-fund
npm run build
echo "plexbeam: ready; try: npx plexbeam demo (or npx plexbeam --help)"
