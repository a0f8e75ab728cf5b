#!/usr/bin/env bash
# Starts a throwaway PostgreSQL 15 on a free loopback port and prints its URL.
# Usage: scripts/pg-throwaway.sh start DIR   -> prints postgres://… on stdout
#        scripts/pg-throwaway.sh stop DIR
# initdb refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail
cmd=${1:?start|stop}; dir=${2:?data directory}
bin=${PG_BIN:-/usr/lib/postgresql/15/bin}
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "$cmd" in
  start)
    mkdir -p "$dir"; [ "$(id -u)" = 0 ] && chown postgres "$dir"
    port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
    as_pg "$bin/initdb" -D "$dir/data" -U baton --auth=trust -E UTF8 >"$dir/initdb.log" 2>&1
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=on" start >/dev/null
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U baton baton
    echo "postgres://baton@127.0.0.1:$port/baton"
    ;;
  stop)
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
