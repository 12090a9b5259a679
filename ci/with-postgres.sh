#!/usr/bin/env bash
# Usage: bash ci/with-postgres.sh <command> [args...]
#
# Runs <command> with a throwaway PostgreSQL server:
#   1. installs PostgreSQL with apt-get when its server binaries are missing (root only);
#   2. creates a cluster in a fresh temporary directory (as the 'postgres' user when run as root,
#      because initdb refuses to run as root);
#   3. starts it on a free loopback port (127.0.0.1 only, sockets inside the temp dir, durability
#      switched off: the data is thrown away);
#   4. creates a database and exports PG_CONNECTION_STRING (Npgsql format) plus the libpq variables
#      PGHOST, PGPORT, PGUSER, PGPASSWORD and PGDATABASE;
#   5. starts, beside it (ci/pooler-and-replica.sh), PgBouncer in transaction-pooling mode in front of
#      it and a streaming replica of it, exporting PG_PGBOUNCER_CONNECTION_STRING and
#      PG_REPLICA_CONNECTION_STRING (a component that cannot start leaves its variable unset);
#   6. runs <command>, then ALWAYS stops everything and deletes the temp dir.
# The exit code is the command's (or non-zero if the server could not be set up).
#
# Optional environment:
#   PG_PORT       use this port instead of picking a free one
#   PG_BIN        directory holding initdb/pg_ctl (default: found on PATH or in /usr/lib/postgresql)
#   PG_KEEP_LOG=1 print the server log after the command
#   PG_NO_POOLER=1, PG_NO_REPLICA=1  do not start PgBouncer, the replica

set -uo pipefail

log() { printf '[with-postgres] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

if [ "$#" -eq 0 ]; then
  echo "usage: bash ci/with-postgres.sh <command> [args...]" >&2
  exit 2
fi

is_root=0
[ "$(id -u)" -eq 0 ] && is_root=1

# --- 1. Find (or install) the server binaries -------------------------------------------------

find_pg_bin() {
  if [ -n "${PG_BIN:-}" ] && [ -x "$PG_BIN/initdb" ] && [ -x "$PG_BIN/pg_ctl" ]; then
    printf '%s\n' "$PG_BIN"; return 0
  fi
  local dir
  # Debian keeps the server binaries out of PATH, in /usr/lib/postgresql/<major>/bin; prefer the newest.
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4,4 -n -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      printf '%s\n' "$dir"; return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dir=$(dirname "$(readlink -f "$(command -v initdb)")")
    printf '%s\n' "$dir"; return 0
  fi
  return 1
}

install_postgres() {
  [ "$is_root" -eq 1 ] || die "PostgreSQL is not installed and this is not root: install the 'postgresql' package first"
  command -v apt-get >/dev/null 2>&1 || die "PostgreSQL is not installed and apt-get is not available"
  log "PostgreSQL not found: installing it with apt-get"
  # Must be in place BEFORE the install, so the package creates (and starts) no 'main' cluster on 5432.
  mkdir -p /etc/postgresql-common
  local conf=/etc/postgresql-common/createcluster.conf
  if [ -f "$conf" ] && grep -Eq '^[[:space:]]*#?[[:space:]]*create_main_cluster' "$conf"; then
    sed -i -E 's/^[[:space:]]*#?[[:space:]]*create_main_cluster.*/create_main_cluster = false/' "$conf"
  else
    echo 'create_main_cluster = false' >> "$conf"
  fi
  export DEBIAN_FRONTEND=noninteractive UCF_FORCE_CONFFOLD=1
  apt-get update -q >&2 || die "apt-get update failed"
  apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    postgresql postgresql-client >&2 || die "apt-get install postgresql failed"
}

PG_BIN_DIR=$(find_pg_bin) || { install_postgres; PG_BIN_DIR=$(find_pg_bin) || die "PostgreSQL binaries still not found after install"; }
log "using $("$PG_BIN_DIR/postgres" --version 2>/dev/null || echo postgres) from $PG_BIN_DIR"

# --- 2. Who runs the server, and where ---------------------------------------------------------

if [ "$is_root" -eq 1 ]; then
  PG_OS_USER=postgres
  if ! id "$PG_OS_USER" >/dev/null 2>&1; then
    log "creating system user '$PG_OS_USER'"
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER" || die "could not create user $PG_OS_USER"
  fi
  command -v runuser >/dev/null 2>&1 || die "runuser (util-linux) is required when running as root"
else
  PG_OS_USER=$(id -un)
fi

# Run a server command as the cluster owner, from inside the temp dir (so no "could not change
# directory" warnings about root's home directory).
as_pg() {
  if [ "$is_root" -eq 1 ]; then
    (cd "$PG_TMP" && runuser -u "$PG_OS_USER" -- "$@")
  else
    (cd "$PG_TMP" && "$@")
  fi
}

# The temp dir must be reachable by the postgres user: a root-only TMPDIR (e.g. under /root) is not.
base=${TMPDIR:-/tmp}
if [ "$is_root" -eq 1 ] && ! runuser -u "$PG_OS_USER" -- test -x "$base" -a -w "$base" 2>/dev/null; then
  base=/tmp
fi
PG_TMP=$(mktemp -d "$base/with-postgres.XXXXXX") || die "mktemp failed in $base"
PG_DATA=$PG_TMP/data
PG_SOCK=$PG_TMP/sock
PG_LOG=$PG_TMP/server.log
server_started=0

cleanup() {
  # The pooler and the replica first: both hold connections to the primary.
  if declare -F stop_pooler_and_replica >/dev/null; then
    stop_pooler_and_replica
  fi
  if [ "$server_started" -eq 1 ]; then
    if [ "${PG_KEEP_LOG:-0}" = "1" ] && [ -f "$PG_LOG" ]; then
      log "server log:"; cat "$PG_LOG" >&2
    fi
    as_pg "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
      || as_pg "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 \
      || log "warning: could not stop the server cleanly"
    server_started=0
  fi
  [ -n "${PG_TMP:-}" ] && [ -d "$PG_TMP" ] && rm -rf -- "$PG_TMP"
}
child=
on_signal() {
  # Pass the signal on to the command, wait for it, then let the EXIT trap clean up.
  if [ -n "$child" ]; then kill "-$1" "$child" 2>/dev/null; wait "$child" 2>/dev/null; fi
  exit "$2"
}
trap 'rc=$?; trap - EXIT; cleanup; exit $rc' EXIT
trap 'on_signal INT 130' INT
trap 'on_signal TERM 143' TERM
trap 'on_signal HUP 129' HUP

mkdir -p "$PG_SOCK"
if [ "$is_root" -eq 1 ]; then
  chown -R "$PG_OS_USER" "$PG_TMP" || die "could not chown $PG_TMP to $PG_OS_USER"
fi
chmod 700 "$PG_TMP"

# --- 3. initdb ---------------------------------------------------------------------------------

DB_USER=postgres
DB_PASSWORD=pgborrow
DB_NAME=pgborrow

printf '%s\n' "$DB_PASSWORD" > "$PG_TMP/pwfile"
[ "$is_root" -eq 1 ] && chown "$PG_OS_USER" "$PG_TMP/pwfile"

# --locale=C.UTF-8: machines often have only C/C.UTF-8/POSIX, and a LANG naming a locale that is not
# generated makes initdb fail. Password auth over TCP, trust on the private socket for setup.
if ! as_pg env LC_ALL=C.UTF-8 LANG=C.UTF-8 "$PG_BIN_DIR/initdb" -D "$PG_DATA" -U "$DB_USER" \
      --pwfile="$PG_TMP/pwfile" --auth-local=trust --auth-host=scram-sha-256 \
      --locale=C.UTF-8 --encoding=UTF8 --no-instructions >"$PG_TMP/initdb.log" 2>&1; then
  cat "$PG_TMP/initdb.log" >&2
  die "initdb failed"
fi
rm -f "$PG_TMP/pwfile"

cat >>"$PG_DATA/postgresql.conf" <<EOF

# --- with-postgres.sh: throwaway test server -------------------------------------------------
listen_addresses = '127.0.0.1'
unix_socket_directories = '$PG_SOCK'
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
EOF

# --- 4. Start on a free port ---------------------------------------------------------------------

port_in_use() {
  # Something answers on 127.0.0.1:$1?
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

pick_port() {
  local p i
  for i in $(seq 1 50); do
    p=$(( 20000 + (RANDOM * 32768 + RANDOM) % 40000 ))
    if ! port_in_use "$p"; then printf '%s\n' "$p"; return 0; fi
  done
  return 1
}

start_server() {
  as_pg "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 60 -o "-p $1" start >/dev/null 2>&1
}

if [ -n "${PG_PORT:-}" ]; then
  port=$PG_PORT
  port_in_use "$port" && die "PG_PORT=$port is already in use"
  start_server "$port" || { cat "$PG_LOG" >&2 2>/dev/null; die "server did not start on port $port"; }
  server_started=1
else
  # A port that looked free can be taken before the server binds it: retry with another.
  for attempt in 1 2 3 4 5; do
    port=$(pick_port) || die "no free port found"
    if start_server "$port"; then server_started=1; break; fi
    # If pg_ctl gave up but a postmaster is running, stop it before trying again.
    as_pg "$PG_BIN_DIR/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    log "server did not start on port $port (attempt $attempt)"
  done
  if [ "$server_started" -ne 1 ]; then
    cat "$PG_LOG" >&2 2>/dev/null
    die "server did not start"
  fi
fi

if ! as_pg "$PG_BIN_DIR/createdb" -h "$PG_SOCK" -p "$port" -U "$DB_USER" "$DB_NAME" >"$PG_TMP/createdb.log" 2>&1; then
  cat "$PG_TMP/createdb.log" >&2
  die "createdb failed"
fi

export PG_CONNECTION_STRING="Host=127.0.0.1;Port=$port;Username=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME"
export PGHOST=127.0.0.1 PGPORT=$port PGUSER=$DB_USER PGPASSWORD=$DB_PASSWORD PGDATABASE=$DB_NAME
log "PostgreSQL is up on 127.0.0.1:$port (data in $PG_TMP)"

# --- 5. PgBouncer and a replica --------------------------------------------------------------------

# shellcheck source=ci/pooler-and-replica.sh
. "$(dirname "${BASH_SOURCE[0]}")/pooler-and-replica.sh"

# --- 6. Run the command ----------------------------------------------------------------------------

# Run in the background and wait, so a signal to this script is handled at once (bash defers
# traps until a foreground child exits). Standard input is passed through explicitly.
"$@" <&0 &
child=$!
wait "$child"
rc=$?
child=
exit "$rc"
