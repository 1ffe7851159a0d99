#!/usr/bin/env bash
# Refreshes test/fixtures/corpus/ from a corpus folder (default: ../shared/corpus beside the checkout).
# The tests read only the copy in the repository; run this when the upstream corpus changes, then commit.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-"$root/../shared/corpus"}
dst="$root/test/fixtures/corpus"
if [ ! -d "$src" ]; then
  echo "sync-corpus: no corpus folder at $src (pass one as the first argument)" >&2
  exit 2
fi
mkdir -p "$dst"
# Whole-folder mirror: samples removed upstream are removed here too.
find "$dst" -mindepth 1 -maxdepth 1 -type f -delete
cp -p "$src"/*.json "$src"/*.txt "$src"/*.md "$dst"/ 2>/dev/null || cp -p "$src"/* "$dst"/
echo "sync-corpus: $(find "$dst" -name '*.json' | wc -l) samples copied from $src to test/fixtures/corpus"
