#!/usr/bin/env bash
# RedGrid: real local services without Docker (PostgreSQL, Redis, Keycloak).
#
#   bash deploy/services.sh up      install what is missing, start what is not running,
#                                   wait until each answers, write $STATE/env
#   bash deploy/services.sh down    stop what this script started (pidfiles)
#   bash deploy/services.sh status  say what runs (exit 0 when all three run, 3 otherwise)
#   bash deploy/services.sh env     print the env file (export lines)
#
# State lives outside the repository, in ${REDGRID_SERVICES_DIR:-$HOME/.cache/redgrid/services},
# so a second run on the same machine reuses the installs, the data and the running servers.
#
#   PostgreSQL 127.0.0.1:55432   own cluster in $STATE/postgres (Debian's postgresql package)
#   Redis      127.0.0.1:56379   own instance in $STATE/redis (Debian's redis-server package)
#   Keycloak   127.0.0.1:58080   keycloak-quarkus-dist from Maven Central, dev mode, realm
#                                deploy/keycloak/redgrid-realm.json (re-imported when it changes)
#
# Made for Debian 12 as root (apt-get installs what is missing); works with CI=true and no stdin.
# Optional environment: REDGRID_SERVICES_DIR (state dir), REDGRID_KEYCLOAK_JAVA_HOME (JDK for
# Keycloak), REDGRID_KEYCLOAK_START_TIMEOUT (seconds, default 900).
# Keycloak's issuer is pinned (--hostname) to http://127.0.0.1:58080/realms/redgrid whatever
# host name a client uses to reach it.
set -euo pipefail

# ---------------------------------------------------------------------------------------------
# Pinned versions and fixed ports
# ---------------------------------------------------------------------------------------------
# Keycloak 26.7.3: latest 26.x on Maven Central when this was written. Its supported JDKs are
# OpenJDK 17, 21 and 25; we prefer 25 (the newest supported LTS, what upstream recommends), then
# 21, then 17. Override the JDK with REDGRID_KEYCLOAK_JAVA_HOME.
KEYCLOAK_VERSION="26.7.3"

HOST=127.0.0.1
PG_PORT=55432
REDIS_PORT=56379
KC_PORT=58080
KC_REALM=redgrid
KC_ADMIN_USER="admin"
KC_ADMIN_PASSWORD="admin"
KC_HEAP="-Xms256m -Xmx768m"
KC_START_TIMEOUT=${REDGRID_KEYCLOAK_START_TIMEOUT:-900}   # first start builds Quarkus: minutes

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REALM_FILE="$SCRIPT_DIR/keycloak/redgrid-realm.json"
STATE="${REDGRID_SERVICES_DIR:-$HOME/.cache/redgrid/services}"
mkdir -p "$STATE"
STATE="$(cd "$STATE" && pwd)"

PG_DIR="$STATE/postgres"
PG_DATA="$PG_DIR/data"
PG_RUN="$PG_DIR/run"
PG_LOG="$PG_DIR/postgres.log"

REDIS_DIR="$STATE/redis"
REDIS_CONF="$REDIS_DIR/redis.conf"
REDIS_PID="$REDIS_DIR/redis.pid"
REDIS_LOG="$REDIS_DIR/redis.log"

KC_DIR="$STATE/keycloak"
KC_HOME="$KC_DIR/keycloak-$KEYCLOAK_VERSION"
KC_PID="$KC_DIR/keycloak.pid"
KC_LOG="$KC_DIR/keycloak.log"
KC_REALM_SHA="$KC_DIR/realm.sha256"
KC_URL="http://$HOST:$KC_PORT"

ENV_FILE="$STATE/env"

export DEBIAN_FRONTEND=noninteractive

# ---------------------------------------------------------------------------------------------
# Output and timing
# ---------------------------------------------------------------------------------------------
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
T_ALL=$(now)
STEP_NAME=""
STEP_T=""

log() { printf '[services] %s\n' "$*"; }
warn() { printf '[services] WARNING: %s\n' "$*" >&2; }
die() { printf '[services] ERROR: %s\n' "$*" >&2; exit 1; }

step() {
  STEP_NAME="$1"
  STEP_T=$(now)
  log "-> $STEP_NAME"
}
step_done() {
  log "   done: $STEP_NAME (${1:+$1, }$(elapsed "$STEP_T")s)"
  STEP_NAME=""
}
POLICY_TO_REMOVE=""
on_exit() {
  local rc=$?
  if [ -n "$POLICY_TO_REMOVE" ]; then rm -f "$POLICY_TO_REMOVE"; fi
  if [ "$rc" -ne 0 ] && [ -n "$STEP_NAME" ]; then
    printf '[services] ERROR: step "%s" failed (exit %s) after %ss\n' "$STEP_NAME" "$rc" "$(elapsed "$STEP_T")" >&2
  fi
}
trap on_exit EXIT

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
is_root() { [ "$(id -u)" -eq 0 ]; }

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# alive PID: the process exists and is not a zombie
alive() {
  kill -0 "$1" 2>/dev/null || return 1
  local st
  st=$(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
  [ "$st" != Z ]
}

# group_alive PGID: a live (non-zombie) process is in process group PGID
group_alive() {
  ps -eo pgid=,stat= 2>/dev/null | awk -v g="$1" '$1 == g && $2 !~ /^Z/ { found = 1 } END { exit !found }'
}

# pid_alive PIDFILE WORD: the pid in PIDFILE is alive and its command line mentions WORD
pid_alive() {
  local f=$1 word=$2 pid
  [ -s "$f" ] || return 1
  pid=$(tr -dc '0-9' <"$f")
  [ -n "$pid" ] || return 1
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$word"
}
pid_of() { tr -dc '0-9' <"$1"; }

# write_if_changed FILE: stdin -> FILE, return 0 if FILE changed
write_if_changed() {
  local f=$1 tmp
  tmp=$(mktemp "$f.XXXXXX")
  cat >"$tmp"
  if [ -f "$f" ] && cmp -s "$tmp" "$f"; then
    rm -f "$tmp"
    return 1
  fi
  mv -f "$tmp" "$f"
  return 0
}

APT_UPDATED=0
apt_install() {
  local sudo=""
  if ! is_root; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo -n"; else
      warn "need to install Debian packages ($*) but not root and no passwordless sudo; install them and re-run"
      return 1
    fi
  fi
  local apt_log="$STATE/apt.log"
  if [ "$APT_UPDATED" -eq 0 ]; then
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update >"$apt_log" 2>&1 </dev/null ||
      { tail -n 30 "$apt_log" >&2; warn "apt-get update failed; log: $apt_log"; return 1; }
    APT_UPDATED=1
  fi
  # A policy-rc.d that denies service starts keeps the package scripts from starting Debian's
  # default PostgreSQL cluster (5432) and Redis (6379): we run our own instances instead.
  local policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ] && is_root; then
    POLICY_TO_REMOVE=$policy
    printf '#!/bin/sh\n# temporary, from RedGrid deploy/services.sh\nexit 101\n' >"$policy"
    chmod 755 "$policy"
  fi
  local rc=0
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" \
    >>"$apt_log" 2>&1 </dev/null || rc=$?
  if [ -n "$POLICY_TO_REMOVE" ]; then rm -f "$POLICY_TO_REMOVE"; POLICY_TO_REMOVE=""; fi
  if [ "$rc" -ne 0 ]; then
    tail -n 30 "$apt_log" >&2
    warn "apt-get install $* failed; log: $apt_log"
    return 1
  fi
}

pg_bindir() { # the existing cluster's major version, else the newest installed
  local d
  if [ -f "$PG_DATA/PG_VERSION" ] && [ -x "/usr/lib/postgresql/$(cat "$PG_DATA/PG_VERSION")/bin/initdb" ]; then
    echo "/usr/lib/postgresql/$(cat "$PG_DATA/PG_VERSION")/bin"
    return 0
  fi
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$d" ] && [ -x "$d/initdb" ] && echo "$d"
}

java_major() { # java_major JAVA_HOME -> major version number
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    awk -F'= ' '/java.specification.version/ { split($2, v, "."); print (v[1] == "1" ? v[2] : v[1]); exit }'
}

find_java() {
  local c m
  local -a cands=()
  [ -n "${REDGRID_KEYCLOAK_JAVA_HOME:-}" ] && cands+=("$REDGRID_KEYCLOAK_JAVA_HOME")
  for m in 25 21 17; do
    for c in /usr/lib/jvm/temurin-"$m"* /usr/lib/jvm/java-"$m"-* /usr/lib/jvm/openjdk-"$m"*; do
      [ -x "$c/bin/java" ] && cands+=("$c")
    done
  done
  [ -n "${JAVA_HOME:-}" ] && cands+=("$JAVA_HOME")
  for c in "${cands[@]}"; do
    [ -x "$c/bin/java" ] || continue
    m=$(java_major "$c" || true)
    case "$m" in 17 | 21 | 25) echo "$c"; return 0 ;; esac
  done
  return 1
}

# Run as the postgres OS user (root may not run the server); as any other user, run directly.
as_pg() {
  if is_root; then runuser -u postgres -- "$@"; else "$@"; fi
}

# The postgres OS user must be able to reach $PG_DIR; /root is usually 0700.
ensure_pg_can_reach() {
  is_root || return 0
  local d="$PG_DIR" parents=() p
  while [ "$d" != "/" ]; do
    d=$(dirname "$d")
    parents=("$d" "${parents[@]}")
  done
  for p in "${parents[@]}"; do
    if ! runuser -u postgres -- test -x "$p" 2>/dev/null; then
      command -v setfacl >/dev/null || apt_install acl || true
      if command -v setfacl >/dev/null && setfacl -m u:postgres:x "$p" 2>/dev/null; then
        log "   gave OS user postgres search (x) access to $p (ACL)"
      else
        chmod o+x "$p"
        log "   gave others search (x) access to $p so that OS user postgres can reach $PG_DIR"
      fi
    fi
  done
}

kc_http_code() { curl -s -o /dev/null -m 10 -w '%{http_code}' "$1" 2>/dev/null || true; }

kc_admin_token() {
  curl -sS -m 30 --fail \
    -d grant_type=password -d client_id=admin-cli \
    --data-urlencode "username=$KC_ADMIN_USER" --data-urlencode "password=$KC_ADMIN_PASSWORD" \
    "$KC_URL/realms/master/protocol/openid-connect/token" | jq -er .access_token
}

# ---------------------------------------------------------------------------------------------
# up: install
# ---------------------------------------------------------------------------------------------
install_missing() {
  step "check installed software"
  local pkgs=() installed_pg=0 installed_redis=0
  pg_bindir >/dev/null || { pkgs+=(postgresql); installed_pg=1; }
  command -v redis-server >/dev/null || { pkgs+=(redis-server); installed_redis=1; }
  command -v redis-cli >/dev/null || pkgs+=(redis-tools)
  command -v curl >/dev/null || pkgs+=(curl)
  command -v jq >/dev/null || pkgs+=(jq)
  command -v unzip >/dev/null || pkgs+=(unzip)
  command -v runuser >/dev/null || pkgs+=(util-linux)
  command -v flock >/dev/null || pkgs+=(util-linux)
  [ -x "$KC_HOME/bin/kc.sh" ] || command -v mvn >/dev/null || pkgs+=(maven)
  find_java >/dev/null || pkgs+=(openjdk-17-jre-headless)
  if [ "${#pkgs[@]}" -eq 0 ]; then
    step_done "nothing to install"
    return 0
  fi
  log "   installing Debian packages: ${pkgs[*]}"
  apt_install "${pkgs[@]}" || die "could not install ${pkgs[*]}"
  if [ "$installed_pg" -eq 1 ] && command -v pg_lsclusters >/dev/null; then
    # Debian's postinst creates a default cluster; if anything started it, stop it.
    local ver name port status
    while read -r ver name port status _; do
      case "$status" in online*)
        log "   stopping Debian's default cluster $ver/$name on port $port (we run our own on $PG_PORT)"
        pg_ctlcluster "$ver" "$name" stop || true ;;
      esac
    done < <(pg_lsclusters -h 2>/dev/null || true)
  fi
  if [ "$installed_redis" -eq 1 ] && [ -s /run/redis/redis-server.pid ] && kill -0 "$(cat /run/redis/redis-server.pid)" 2>/dev/null; then
    log "   stopping Debian's default redis-server on 6379 (we run our own on $REDIS_PORT)"
    kill "$(cat /run/redis/redis-server.pid)" || true
  fi
  pg_bindir >/dev/null || die "PostgreSQL binaries not found after install"
  step_done "installed ${pkgs[*]}"
}

# ---------------------------------------------------------------------------------------------
# up: PostgreSQL
# ---------------------------------------------------------------------------------------------
pg_running() {
  local bin
  bin=$(pg_bindir) || return 1
  [ -f "$PG_DATA/PG_VERSION" ] || return 1
  as_pg "$bin/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1
}

pg_up() {
  local bin pg_os_user
  bin=$(pg_bindir)
  pg_os_user=$(is_root && echo postgres || id -un)

  step "PostgreSQL: data directory"
  mkdir -p "$PG_DIR"
  if is_root; then chown postgres:postgres "$PG_DIR"; fi
  chmod 700 "$PG_DIR"
  ensure_pg_can_reach
  as_pg mkdir -p "$PG_RUN"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    [ -e "$PG_DATA" ] && die "$PG_DATA exists but holds no cluster (no PG_VERSION); remove it"
    as_pg "$bin/initdb" -D "$PG_DATA" -U postgres -E UTF8 --locale=C.UTF-8 \
      --auth-local=peer --auth-host=scram-sha-256 >"$PG_DIR/initdb.log" 2>&1 ||
      { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
    step_done "initdb $(basename "$(dirname "$bin")") in $PG_DATA"
  else
    step_done "existing cluster $(cat "$PG_DATA/PG_VERSION") in $PG_DATA"
  fi

  step "PostgreSQL: configuration"
  local conf_changed=0 hba_changed=0
  if ! grep -q "^include_if_exists = 'redgrid.conf'" "$PG_DATA/postgresql.conf"; then
    printf "\n# RedGrid local settings (deploy/services.sh)\ninclude_if_exists = 'redgrid.conf'\n" |
      as_pg tee -a "$PG_DATA/postgresql.conf" >/dev/null
    conf_changed=1
  fi
  as_pg bash -c "cat > '$PG_DATA/redgrid.conf.new'" <<EOF
# Written by deploy/services.sh; edits are overwritten.
listen_addresses = '$HOST'
port = $PG_PORT
max_connections = 300
unix_socket_directories = '$PG_RUN'
password_encryption = 'scram-sha-256'
# A server's share of memory rather than the 128 MB default: a street's registers (200,000
# residents with their indexes) stay cached, as on a production database, so bench/registers.py
# compares inserts with COPY rather than with the page cache's eviction.
shared_buffers = '1GB'
max_wal_size = '4GB'
EOF
  if cmp -s "$PG_DATA/redgrid.conf.new" "$PG_DATA/redgrid.conf" 2>/dev/null; then
    rm -f "$PG_DATA/redgrid.conf.new"
  else
    mv -f "$PG_DATA/redgrid.conf.new" "$PG_DATA/redgrid.conf"
    conf_changed=1
  fi
  as_pg bash -c "cat > '$PG_DATA/pg_hba.conf.new'" <<EOF
# Written by deploy/services.sh; edits are overwritten.
# TYPE  DATABASE  USER      ADDRESS        METHOD
local   all       postgres                 peer map=redgrid
host    all       all       127.0.0.1/32   scram-sha-256
host    all       all       ::1/128        scram-sha-256
EOF
  if cmp -s "$PG_DATA/pg_hba.conf.new" "$PG_DATA/pg_hba.conf"; then
    rm -f "$PG_DATA/pg_hba.conf.new"
  else
    mv -f "$PG_DATA/pg_hba.conf.new" "$PG_DATA/pg_hba.conf"
    hba_changed=1
  fi
  # peer: the OS user postgres (or, when not run as root, the OS user running this script)
  # is the database superuser postgres over the local socket.
  as_pg bash -c "cat > '$PG_DATA/pg_ident.conf.new'" <<EOF
# Written by deploy/services.sh; edits are overwritten.
# MAPNAME  SYSTEM-USERNAME  PG-USERNAME
redgrid    postgres         postgres
redgrid    $pg_os_user      postgres
EOF
  if cmp -s "$PG_DATA/pg_ident.conf.new" "$PG_DATA/pg_ident.conf"; then
    rm -f "$PG_DATA/pg_ident.conf.new"
  else
    mv -f "$PG_DATA/pg_ident.conf.new" "$PG_DATA/pg_ident.conf"
    hba_changed=1
  fi
  step_done "$([ $conf_changed$hba_changed = 00 ] && echo unchanged || echo updated)"

  step "PostgreSQL: server"
  if pg_running; then
    if [ "$conf_changed" -eq 1 ]; then
      as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 120 restart -m fast >/dev/null 9>&-
      step_done "restarted (configuration changed)"
    elif [ "$hba_changed" -eq 1 ]; then
      as_pg "$bin/pg_ctl" -D "$PG_DATA" reload >/dev/null
      step_done "reloaded pg_hba.conf"
    else
      step_done "already running (pid $(head -n 1 "$PG_DATA/postmaster.pid"))"
    fi
  else
    if port_open "$PG_PORT"; then die "port $HOST:$PG_PORT is taken by something else; stop it first"; fi
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t 120 start >/dev/null 9>&- ||
      { tail -n 30 "$PG_LOG" >&2; die "PostgreSQL did not start; log: $PG_LOG"; }
    step_done "started (pid $(head -n 1 "$PG_DATA/postmaster.pid"), log $PG_LOG)"
  fi

  step "PostgreSQL: wait until it answers"
  for _ in $(seq 1 60); do
    "$bin/pg_isready" -q -h "$HOST" -p "$PG_PORT" && break
    sleep 1
  done
  "$bin/pg_isready" -q -h "$HOST" -p "$PG_PORT" || die "PostgreSQL does not answer on $HOST:$PG_PORT"
  step_done "answers on $HOST:$PG_PORT"

  step "PostgreSQL: roles and databases"
  local psql=(as_pg "$bin/psql" -X -q -v ON_ERROR_STOP=1 -h "$PG_RUN" -p "$PG_PORT" -U postgres)
  "${psql[@]}" -d postgres >/dev/null <<'SQL'
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'redgrid_owner') THEN
    CREATE ROLE redgrid_owner;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'redgrid_app') THEN
    CREATE ROLE redgrid_app;
  END IF;
END
$$;
ALTER ROLE redgrid_owner WITH LOGIN CREATEDB NOSUPERUSER NOCREATEROLE NOBYPASSRLS PASSWORD 'redgrid_owner';
ALTER ROLE redgrid_app WITH LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD 'redgrid_app';
SELECT format('CREATE DATABASE %I OWNER redgrid_owner', d)
  FROM unnest(ARRAY['redgrid', 'redgrid_test']) AS d
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = d)
\gexec
ALTER DATABASE redgrid OWNER TO redgrid_owner;
ALTER DATABASE redgrid_test OWNER TO redgrid_owner;
REVOKE ALL ON DATABASE redgrid FROM PUBLIC;
REVOKE ALL ON DATABASE redgrid_test FROM PUBLIC;
GRANT CONNECT, TEMP ON DATABASE redgrid TO redgrid_app;
GRANT CONNECT, TEMP ON DATABASE redgrid_test TO redgrid_app;
SQL
  local db
  for db in redgrid redgrid_test; do
    "${psql[@]}" -d "$db" >/dev/null <<'SQL'
ALTER SCHEMA public OWNER TO redgrid_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO redgrid_app;
-- As deploy/compose/postgres/10-redgrid-roles.sql: tables the owner creates later are usable by
-- the app role even before the grants `redgrid migrate` issues (RLS still applies).
ALTER DEFAULT PRIVILEGES FOR ROLE redgrid_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO redgrid_app;
ALTER DEFAULT PRIVILEGES FOR ROLE redgrid_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO redgrid_app;
SQL
  done
  step_done "roles redgrid_owner, redgrid_app; databases redgrid, redgrid_test"
}

pg_down() {
  local bin
  bin=$(pg_bindir) || { log "PostgreSQL: not installed"; return 0; }
  if pg_running; then
    step "PostgreSQL: stop"
    as_pg "$bin/pg_ctl" -D "$PG_DATA" -w -t 60 stop -m fast >/dev/null
    step_done "stopped"
  else
    log "PostgreSQL: not running"
  fi
}

# ---------------------------------------------------------------------------------------------
# up: Redis
# ---------------------------------------------------------------------------------------------
redis_running() { pid_alive "$REDIS_PID" redis-server; }

redis_up() {
  step "Redis: configuration"
  mkdir -p "$REDIS_DIR"
  local changed=0
  if write_if_changed "$REDIS_CONF" <<EOF
# Written by deploy/services.sh; edits are overwritten.
bind $HOST
port $REDIS_PORT
protected-mode yes
daemonize yes
pidfile $REDIS_PID
logfile $REDIS_LOG
dir $REDIS_DIR
save ""
appendonly no
EOF
  then changed=1; fi
  step_done "$([ $changed = 1 ] && echo written || echo unchanged)"

  step "Redis: server"
  if redis_running && [ "$changed" -eq 1 ]; then
    redis-cli -h "$HOST" -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$(pid_of "$REDIS_PID")" || true
    for _ in $(seq 1 50); do redis_running || break; sleep 0.2; done
  fi
  if redis_running; then
    step_done "already running (pid $(pid_of "$REDIS_PID"))"
  else
    rm -f "$REDIS_PID"
    if port_open "$REDIS_PORT"; then die "port $HOST:$REDIS_PORT is taken by something else; stop it first"; fi
    redis-server "$REDIS_CONF" </dev/null 9>&-
    step_done "started (config $REDIS_CONF, log $REDIS_LOG)"
  fi

  step "Redis: wait until it answers"
  local out=""
  for _ in $(seq 1 100); do
    out=$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null || true)
    [ "$out" = PONG ] && break
    sleep 0.1
  done
  [ "$out" = PONG ] || { tail -n 20 "$REDIS_LOG" >&2 || true; die "Redis does not answer on $HOST:$REDIS_PORT"; }
  step_done "PONG on $HOST:$REDIS_PORT (pid $(pid_of "$REDIS_PID"))"
}

redis_down() {
  if redis_running; then
    step "Redis: stop"
    local pid
    pid=$(pid_of "$REDIS_PID")
    redis-cli -h "$HOST" -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do alive "$pid" || break; sleep 0.2; done
    if alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    rm -f "$REDIS_PID"
    step_done "stopped"
  else
    log "Redis: not running"
  fi
}

# ---------------------------------------------------------------------------------------------
# up: Keycloak
# ---------------------------------------------------------------------------------------------
kc_running() { pid_alive "$KC_PID" "keycloak"; }

kc_install() {
  step "Keycloak $KEYCLOAK_VERSION: distribution"
  if [ -x "$KC_HOME/bin/kc.sh" ]; then
    step_done "present in $KC_HOME"
    return 0
  fi
  mkdir -p "$KC_DIR/download"
  local zip="$KC_DIR/download/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip"
  if [ ! -s "$zip" ]; then
    log "   downloading org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip from Maven Central (about 180 MB)"
    mvn -B -q -Dstyle.color=never dependency:copy \
      -Dartifact="org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip" \
      -DoutputDirectory="$KC_DIR/download" >"$KC_DIR/download/mvn.log" 2>&1 </dev/null ||
      { tail -n 30 "$KC_DIR/download/mvn.log" >&2
        die "Maven could not fetch org.keycloak:keycloak-quarkus-dist:$KEYCLOAK_VERSION:zip"; }
  fi
  local tmp="$KC_DIR/.extract.$$"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  unzip -q "$zip" -d "$tmp"
  [ -x "$tmp/keycloak-$KEYCLOAK_VERSION/bin/kc.sh" ] || die "unexpected layout in $zip"
  mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$KC_HOME"
  rm -rf "$tmp" "$zip"   # Maven's local repository keeps a copy of the zip
  step_done "unpacked into $KC_HOME"
}

kc_up() {
  kc_install

  step "Keycloak: server"
  local java_home
  java_home=$(find_java) || die "no JDK 17, 21 or 25 found for Keycloak (set REDGRID_KEYCLOAK_JAVA_HOME)"
  if kc_running && ! pid_alive "$KC_PID" "$KC_HOME"; then
    log "   the running Keycloak is not $KEYCLOAK_VERSION: stopping it"
    kc_stop_pid
  fi
  if kc_running; then
    step_done "already running (pid $(pid_of "$KC_PID"))"
  else
    rm -f "$KC_PID"
    if port_open "$KC_PORT"; then die "port $HOST:$KC_PORT is taken by something else; stop it first"; fi
    [ -f "$KC_LOG" ] && mv -f "$KC_LOG" "$KC_LOG.1"
    log "   JDK $(java_major "$java_home") at $java_home; heap $KC_HEAP; log $KC_LOG"
    # setsid: Keycloak gets its own process group, so that `down` stops kc.sh and its java child.
    # The inner shell writes its own pid before exec'ing kc.sh, so the pidfile is always right.
    env JAVA_HOME="$java_home" \
      JAVA_OPTS_KC_HEAP="$KC_HEAP" \
      KC_BOOTSTRAP_ADMIN_USERNAME="$KC_ADMIN_USER" \
      KC_BOOTSTRAP_ADMIN_PASSWORD="$KC_ADMIN_PASSWORD" \
      setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$KC_PID" \
      "$KC_HOME/bin/kc.sh" start-dev \
      --http-host "$HOST" --http-port "$KC_PORT" --hostname "$KC_URL" \
      >"$KC_LOG" 2>&1 </dev/null 9>&- &
    for _ in $(seq 1 50); do [ -s "$KC_PID" ] && break; sleep 0.1; done
    step_done "started (pid $(pid_of "$KC_PID"))"
  fi

  step "Keycloak: wait until it answers"
  [ -d "$KC_HOME/data/h2" ] || log "   first start: Keycloak builds itself and creates its database (about a minute, more on a slow machine)"
  local deadline code="" last_report
  deadline=$(( $(date +%s) + KC_START_TIMEOUT ))
  last_report=$(date +%s)
  while :; do
    code=$(kc_http_code "$KC_URL/realms/master/.well-known/openid-configuration")
    [ "$code" = 200 ] && break
    if ! kc_running; then
      tail -n 40 "$KC_LOG" >&2 || true
      die "Keycloak exited during start; log: $KC_LOG"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      tail -n 40 "$KC_LOG" >&2 || true
      die "Keycloak did not answer within ${KC_START_TIMEOUT}s; log: $KC_LOG"
    fi
    if [ $(( $(date +%s) - last_report )) -ge 30 ]; then
      log "   still waiting ($(elapsed "$STEP_T")s): $(tail -n 1 "$KC_LOG" | cut -c1-150)"
      last_report=$(date +%s)
    fi
    sleep 2
  done
  step_done "master realm answers at $KC_URL"

  kc_realm
}

kc_realm() {
  step "Keycloak: realm $KC_REALM from $(basename "$REALM_FILE")"
  [ -f "$REALM_FILE" ] || die "realm file not found: $REALM_FILE"
  jq -e --arg r "$KC_REALM" '.realm == $r' "$REALM_FILE" >/dev/null || die "$REALM_FILE is not JSON for realm $KC_REALM"
  local sha stored="" token code reason=""
  sha=$(sha256sum "$REALM_FILE" | cut -d' ' -f1)
  [ -f "$KC_REALM_SHA" ] && stored=$(cat "$KC_REALM_SHA")
  token=$(kc_admin_token) || die "cannot get a master-realm admin token for $KC_ADMIN_USER"
  code=$(curl -s -o /dev/null -m 30 -w '%{http_code}' -H "Authorization: Bearer $token" "$KC_URL/admin/realms/$KC_REALM")
  if [ "$code" = 200 ] && [ "$sha" = "$stored" ]; then
    step_done "unchanged (sha256 ${sha:0:12}), not re-imported"
  else
    if [ "$code" = 200 ]; then
      reason="realm file changed (sha256 ${stored:0:12} -> ${sha:0:12})"
      [ -z "$stored" ] && reason="no recorded import of this realm file"
      log "   $reason: deleting realm $KC_REALM and importing it again"
      curl -sS -m 120 --fail -X DELETE -H "Authorization: Bearer $token" "$KC_URL/admin/realms/$KC_REALM" >/dev/null
    elif [ "$code" = 404 ]; then
      reason="realm missing"
      log "   $reason: importing"
    else
      die "unexpected HTTP $code from $KC_URL/admin/realms/$KC_REALM"
    fi
    rm -f "$KC_REALM_SHA"
    local out
    out=$(curl -sS -m 300 -w '\n%{http_code}' -H "Authorization: Bearer $token" \
      -H 'Content-Type: application/json' --data-binary "@$REALM_FILE" "$KC_URL/admin/realms")
    code=${out##*$'\n'}
    [ "$code" = 201 ] || die "realm import failed (HTTP $code): ${out%$'\n'*}"
    echo "$sha" >"$KC_REALM_SHA"
    step_done "imported ($reason)"
  fi

  step "Keycloak: wait for realm $KC_REALM"
  for _ in $(seq 1 60); do
    code=$(kc_http_code "$KC_URL/realms/$KC_REALM/.well-known/openid-configuration")
    [ "$code" = 200 ] && break
    sleep 1
  done
  [ "$code" = 200 ] || die "$KC_URL/realms/$KC_REALM/.well-known/openid-configuration answers $code"
  step_done "$KC_URL/realms/$KC_REALM/.well-known/openid-configuration answers 200"
}

kc_down() {
  if kc_running; then
    step "Keycloak: stop"
    kc_stop_pid
    step_done "stopped"
  else
    log "Keycloak: not running"
  fi
}

kc_stop_pid() {
  local pid
  pid=$(pid_of "$KC_PID")
  # kc.sh forwards TERM to java; the negative pid signals the whole process group setsid made.
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 150); do group_alive "$pid" || break; sleep 0.2; done
  if group_alive "$pid"; then
    warn "Keycloak did not stop within 30s; killing process group $pid"
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$KC_PID"
}

# ---------------------------------------------------------------------------------------------
# env file, status
# ---------------------------------------------------------------------------------------------
env_content() {
  cat <<EOF
export REDGRID_DATABASE_URL=postgres://redgrid_app:redgrid_app@$HOST:$PG_PORT/redgrid
export REDGRID_MIGRATION_DATABASE_URL=postgres://redgrid_owner:redgrid_owner@$HOST:$PG_PORT/redgrid
export REDGRID_TEST_DATABASE_URL=postgres://redgrid_app:redgrid_app@$HOST:$PG_PORT/redgrid_test
export REDGRID_TEST_MIGRATION_DATABASE_URL=postgres://redgrid_owner:redgrid_owner@$HOST:$PG_PORT/redgrid_test
export REDGRID_REDIS_URL=redis://$HOST:$REDIS_PORT/0
export REDGRID_KEYCLOAK_URL=$KC_URL
export REDGRID_KEYCLOAK_REALM=$KC_REALM
export REDGRID_KEYCLOAK_CLIENT_ID=redgrid-api
export REDGRID_KEYCLOAK_CLIENT_SECRET=redgrid-api-dev-secret
export REDGRID_KEYCLOAK_ADMIN_URL=$KC_URL
export REDGRID_SERVICES_KEYCLOAK_ADMIN=$KC_ADMIN_USER
export REDGRID_SERVICES_KEYCLOAK_ADMIN_PASSWORD=$KC_ADMIN_PASSWORD
EOF
}

write_env() {
  mkdir -p "$STATE"
  env_content | write_if_changed "$ENV_FILE" || true
}

status() {
  local all=0 bin
  if pg_running; then
    bin=$(pg_bindir)
    if "$bin/pg_isready" -q -h "$HOST" -p "$PG_PORT"; then
      log "PostgreSQL  running   pid $(head -n 1 "$PG_DATA/postmaster.pid")  postgres://$HOST:$PG_PORT  (data $PG_DATA)"
    else
      log "PostgreSQL  started but not accepting connections on $HOST:$PG_PORT"; all=1
    fi
  else
    log "PostgreSQL  stopped"; all=1
  fi
  if redis_running; then
    log "Redis       running   pid $(pid_of "$REDIS_PID")  redis://$HOST:$REDIS_PORT  ($(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>&1 || true))"
  else
    log "Redis       stopped"; all=1
  fi
  if kc_running; then
    local code
    code=$(kc_http_code "$KC_URL/realms/$KC_REALM/.well-known/openid-configuration")
    log "Keycloak    running   pid $(pid_of "$KC_PID")  $KC_URL  (realm $KC_REALM discovery: HTTP ${code:-none}; log $KC_LOG)"
    [ "$code" = 200 ] || all=1
  else
    log "Keycloak    stopped"; all=1
  fi
  log "state: $STATE   env: $ENV_FILE"
  return "$all"
}

# ---------------------------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------------------------
usage() { echo "usage: bash deploy/services.sh up|down|status|env" >&2; exit 2; }

lock() {
  mkdir -p "$STATE"
  if command -v flock >/dev/null; then
    exec 9>"$STATE/.lock"
    flock -w 1800 9 || die "another services.sh holds $STATE/.lock"
  fi
}

cmd=${1:-}
case "$cmd" in
  up)
    log "up: state in $STATE"
    lock
    install_missing
    pg_up
    redis_up
    kc_up
    write_env
    log "-------------------------------------------------------------------------"
    log "PostgreSQL  postgres://$HOST:$PG_PORT  databases redgrid, redgrid_test"
    log "Redis       redis://$HOST:$REDIS_PORT/0"
    log "Keycloak    $KC_URL  realm $KC_REALM  (admin console $KC_URL/admin/ : $KC_ADMIN_USER/$KC_ADMIN_PASSWORD)"
    log "            issuer $KC_URL/realms/$KC_REALM"
    log "env file    $ENV_FILE   (use: source $ENV_FILE)"
    log "all up in $(elapsed "$T_ALL")s"
    ;;
  down)
    lock
    kc_down
    redis_down
    pg_down
    log "down in $(elapsed "$T_ALL")s"
    ;;
  status)
    status || exit 3
    ;;
  env)
    write_env
    cat "$ENV_FILE"
    ;;
  *) usage ;;
esac
