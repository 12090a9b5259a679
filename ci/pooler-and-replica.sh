# Sourced by ci/with-postgres.sh once the primary is up (not run on its own): starts the two extra
# components the integration tests of tests/PgBorrow.IntegrationTests/Pooling and Replicas need.
#
#   a. PgBouncer in transaction-pooling mode in front of the primary, on a free loopback port
#      (installed with apt-get when missing and running as root, like PostgreSQL);
#      exports PG_PGBOUNCER_CONNECTION_STRING.
#   b. A streaming replica made with pg_basebackup: a second cluster on another free port, hot_standby
#      on, max_standby_streaming_delay short so recovery conflicts show within a test;
#      exports PG_REPLICA_CONNECTION_STRING.
#
# A component that cannot be started is reported and its variable left unset: its tests then skip, or
# fail under REQUIRE_PG=1. stop_pooler_and_replica (called by with-postgres.sh's cleanup) stops both.
#
# Uses from with-postgres.sh: log, as_pg, pick_port, port_in_use, is_root, PG_BIN_DIR, PG_TMP, PG_SOCK,
# port, DB_USER, DB_PASSWORD, DB_NAME.
#
# Optional environment:
#   PG_NO_POOLER=1   do not start PgBouncer
#   PG_NO_REPLICA=1  do not start the replica

PGB_DIR=$PG_TMP/pgbouncer
PGB_PIDFILE=$PGB_DIR/pgbouncer.pid
REPLICA_DATA=$PG_TMP/replica
REPLICA_LOG=$PG_TMP/replica.log
replica_started=0

find_pgbouncer() {
  command -v pgbouncer 2>/dev/null && return 0
  [ -x /usr/sbin/pgbouncer ] && { printf '%s\n' /usr/sbin/pgbouncer; return 0; }
  return 1
}

install_pgbouncer() {
  [ "$is_root" -eq 1 ] || { log "PgBouncer is not installed and this is not root: its tests will not run"; return 1; }
  command -v apt-get >/dev/null 2>&1 || { log "PgBouncer is not installed and apt-get is not available"; return 1; }
  log "PgBouncer not found: installing it with apt-get"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold pgbouncer >&2 \
    || { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
           -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold pgbouncer >&2; } \
    || { log "apt-get install pgbouncer failed"; return 1; }
}

start_pgbouncer() {
  local bin bport attempt
  bin=$(find_pgbouncer) || { install_pgbouncer && bin=$(find_pgbouncer); } || return 1
  mkdir -p "$PGB_DIR"
  # auth_type trust: the tests' clients are not checked; PgBouncer logs in to the server with the
  # password from the userlist (SCRAM needs the plain password there).
  printf '"%s" "%s"\n' "$DB_USER" "$DB_PASSWORD" > "$PGB_DIR/userlist.txt"
  for attempt in 1 2 3 4 5; do
    bport=$(pick_port) || return 1
    cat > "$PGB_DIR/pgbouncer.ini" <<INI
[databases]
; every database of the primary, under its own name (each test class has its own database)
* = host=127.0.0.1 port=$port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bport
unix_socket_dir =
auth_type = trust
auth_file = $PGB_DIR/userlist.txt
pool_mode = transaction
; Fewer server connections than the tests' workers, so clients really share them.
default_pool_size = 8
max_client_conn = 1000
max_db_connections = 40
logfile = $PGB_DIR/pgbouncer.log
pidfile = $PGB_PIDFILE
admin_users = $DB_USER
INI
    [ "$is_root" -eq 1 ] && chown -R "$PG_OS_USER" "$PGB_DIR"
    # PgBouncer refuses to run as root: as_pg runs it as the cluster owner. -d: it daemonizes once listening.
    if as_pg "$bin" -d "$PGB_DIR/pgbouncer.ini" >"$PGB_DIR/start.log" 2>&1; then
      local i
      for i in $(seq 1 50); do port_in_use "$bport" && break; sleep 0.1; done
      if port_in_use "$bport"; then
        export PG_PGBOUNCER_CONNECTION_STRING="Host=127.0.0.1;Port=$bport;Username=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME"
        log "PgBouncer $("$bin" --version 2>/dev/null | head -n 1 | awk '{print $2}') (transaction pooling) is up on 127.0.0.1:$bport"
        return 0
      fi
    fi
    stop_pgbouncer
    log "PgBouncer did not start on port $bport (attempt $attempt)"
  done
  cat "$PGB_DIR/start.log" "$PGB_DIR/pgbouncer.log" >&2 2>/dev/null
  return 1
}

stop_pgbouncer() {
  [ -f "$PGB_PIDFILE" ] || return 0
  local pid
  pid=$(cat "$PGB_PIDFILE" 2>/dev/null)
  if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
    local i
    for i in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$PGB_PIDFILE"
}

start_replica() {
  local rport attempt
  # The primary's pg_hba (initdb's default) allows replication over 127.0.0.1 with the password.
  if ! as_pg env PGPASSWORD="$DB_PASSWORD" "$PG_BIN_DIR/pg_basebackup" -h 127.0.0.1 -p "$port" -U "$DB_USER" \
        -D "$REPLICA_DATA" -R -X stream -c fast >"$PG_TMP/basebackup.log" 2>&1; then
    cat "$PG_TMP/basebackup.log" >&2
    log "pg_basebackup failed"
    return 1
  fi
  # The copied postgresql.conf already listens on 127.0.0.1 and uses the primary's socket directory
  # (the port tells the sockets apart). Recovery conflicts cancel standby queries after 200 ms
  # instead of 30 s, and no feedback to the primary: the tests provoke conflicts on purpose.
  cat >>"$REPLICA_DATA/postgresql.conf" <<CONF

# --- pooler-and-replica.sh: streaming replica of the throwaway primary ---
hot_standby = on
hot_standby_feedback = off
max_standby_streaming_delay = 200ms
max_standby_archive_delay = 200ms
CONF
  for attempt in 1 2 3 4 5; do
    rport=$(pick_port) || return 1
    if as_pg "$PG_BIN_DIR/pg_ctl" -D "$REPLICA_DATA" -l "$REPLICA_LOG" -w -t 60 -o "-p $rport" start >/dev/null 2>&1; then
      replica_started=1
      break
    fi
    as_pg "$PG_BIN_DIR/pg_ctl" -D "$REPLICA_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    log "replica did not start on port $rport (attempt $attempt)"
  done
  if [ "$replica_started" -ne 1 ]; then
    cat "$REPLICA_LOG" >&2 2>/dev/null
    return 1
  fi
  if [ "$(as_pg "$PG_BIN_DIR/psql" -h "$PG_SOCK" -p "$rport" -U "$DB_USER" -d "$DB_NAME" -Atc 'SELECT pg_is_in_recovery()' 2>/dev/null)" != "t" ]; then
    log "the replica on port $rport is not in recovery"
    return 1
  fi
  export PG_REPLICA_CONNECTION_STRING="Host=127.0.0.1;Port=$rport;Username=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME"
  log "streaming replica is up on 127.0.0.1:$rport (hot standby)"
}

stop_replica() {
  [ "$replica_started" -eq 1 ] || return 0
  as_pg "$PG_BIN_DIR/pg_ctl" -D "$REPLICA_DATA" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || as_pg "$PG_BIN_DIR/pg_ctl" -D "$REPLICA_DATA" -m immediate -w -t 10 stop >/dev/null 2>&1 \
    || log "warning: could not stop the replica cleanly"
  replica_started=0
}

stop_pooler_and_replica() {
  stop_pgbouncer
  stop_replica
}

if [ "${PG_NO_POOLER:-0}" != "1" ]; then
  start_pgbouncer || log "PgBouncer is not available: the tests that need it skip (or fail under REQUIRE_PG=1)"
fi
if [ "${PG_NO_REPLICA:-0}" != "1" ]; then
  start_replica || log "the replica is not available: the tests that need it skip (or fail under REQUIRE_PG=1)"
fi
