#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests (CI and local):
#   .ci/postgres.sh start <dir>   initdb in <dir>/data, start on a free 127.0.0.1 port, print the URL on stdout
#   .ci/postgres.sh stop <dir>    stop it (idempotent) and remove <dir>
# Finds initdb/pg_ctl on PATH, in /usr/local/bin or /usr/lib/postgresql/*/bin; when none is found and
# MASKOII_PG_INSTALL=1 (CI), installs Debian's postgresql with apt-get. PostgreSQL refuses to run as root: as root
# the cluster belongs to the `postgres` user (or `nobody`). Logs go to <dir>/postgres.log; diagnostics to stderr.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop <dir>" >&2
  exit 2
fi

find_bin() {
  local name="$1" candidate
  if candidate="$(command -v "$name" 2>/dev/null)"; then echo "$candidate"; return 0; fi
  for candidate in /usr/local/bin/"$name" /usr/lib/postgresql/*/bin/"$name"; do
    if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
  done
  return 1
}

# Runs a command as the cluster's owner (itself when not root).
as_owner() {
  if [ "$(id -u)" -ne 0 ]; then "$@"; return; fi
  if command -v runuser >/dev/null 2>&1; then runuser -u "$owner" -- "$@"; else su -s /bin/sh "$owner" -c "$(printf '%q ' "$@")"; fi
}

owner="$(id -un)"
if [ "$(id -u)" -eq 0 ]; then
  if id postgres >/dev/null 2>&1; then owner=postgres; else owner=nobody; fi
fi

case "$cmd" in
  start)
    if ! initdb="$(find_bin initdb)"; then
      if [ "${MASKOII_PG_INSTALL:-0}" = "1" ] && command -v apt-get >/dev/null 2>&1; then
        echo "postgres: not found; installing Debian's postgresql" >&2
        as_root=""
        [ "$(id -u)" -ne 0 ] && as_root="sudo"
        $as_root apt-get update -qq >&2
        DEBIAN_FRONTEND=noninteractive $as_root apt-get install -y -qq postgresql >&2
        owner="$( [ "$(id -u)" -eq 0 ] && echo postgres || id -un)"
        initdb="$(find_bin initdb)" || { echo "postgres: initdb still not found after install" >&2; exit 1; }
      else
        echo "postgres: initdb not found (set MASKOII_PG_INSTALL=1 to apt-get install postgresql)" >&2
        exit 1
      fi
    fi
    pg_ctl="$(dirname "$initdb")/pg_ctl"
    [ -x "$pg_ctl" ] || pg_ctl="$(find_bin pg_ctl)"
    mkdir -p "$dir"
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown "$owner" "$dir"
    if ! as_owner test -w "$dir"; then
      echo "postgres: $owner cannot write $dir (a parent directory is not traversable); use e.g. a directory under /tmp made with mkdir -m 755" >&2
      exit 1
    fi
    port="$(node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
    as_owner "$initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
      cat "$dir/initdb.log" >&2
      exit 1
    }
    # fsync off and a small footprint: the cluster lives for one test run.
    as_owner "$pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $port -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
      start >&2 || {
      cat "$dir/postgres.log" >&2
      exit 1
    }
    echo "$pg_ctl" >"$dir/pg_ctl.path"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    if [ -f "$dir/pg_ctl.path" ] && [ -d "$dir/data" ]; then
      as_owner "$(cat "$dir/pg_ctl.path")" -D "$dir/data" -m fast -w -t 60 stop >&2 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start|stop <dir>" >&2
    exit 2
    ;;
esac
