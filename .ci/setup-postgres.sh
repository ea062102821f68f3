# shellcheck shell=bash
# Sourced by .ci/run: installs PostgreSQL if needed, starts a private cluster on 127.0.0.1 and
# exports AUTOGLM_TEST_PG_URL for the automl storage tests. Idempotent: a second run finds the
# cluster already running and only re-exports the URL.
#
# Settings (environment, all optional):
#   AUTOGLM_PG_PORT  port of the private cluster (default 55432)
#   AUTOGLM_PG_DIR   its data directory (default /tmp/autoglm-pg/data)

autoglm_pg_setup() {
  local port="${AUTOGLM_PG_PORT:-55432}"
  local base="${AUTOGLM_PG_DIR:-/tmp/autoglm-pg/data}"
  local role=autoglm password=autoglm db=autoglm
  local bindir

  bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    if [ "$(id -u)" != 0 ]; then
      echo "setup-postgres: PostgreSQL is not installed and we are not root; install the 'postgresql' package" >&2
      return 1
    fi
    echo "setup-postgres: installing postgresql"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
    bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -x "$bindir/initdb" ] || { echo "setup-postgres: initdb not found after installing postgresql" >&2; return 1; }
  fi

  # The server refuses to run as root: run it as the 'postgres' user when we are root.
  local runas=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    runas=(runuser -u postgres --)
  fi

  mkdir -p "$(dirname "$base")"
  if [ ! -s "$base/PG_VERSION" ]; then
    rm -rf "$base"
    mkdir -p "$base"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$base" "$(dirname "$base")"
    "${runas[@]}" "$bindir/initdb" -D "$base" -U postgres --auth=trust --encoding=UTF8 --locale=C >/dev/null
  fi

  if ! "${runas[@]}" "$bindir/pg_ctl" -D "$base" status >/dev/null 2>&1; then
    "${runas[@]}" "$bindir/pg_ctl" -D "$base" -l "$base/../server.log" -w -t 60 \
      -o "-c listen_addresses=127.0.0.1 -p $port -k /tmp -c max_connections=200 -c fsync=off" start >/dev/null
  fi

  local psql=("${runas[@]}" "$bindir/psql" -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qtA)
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_roles WHERE rolname='$role'")" != 1 ]; then
    "${psql[@]}" -c "CREATE ROLE $role LOGIN PASSWORD '$password'"
  fi
  if [ "$("${psql[@]}" -c "SELECT 1 FROM pg_database WHERE datname='$db'")" != 1 ]; then
    "${psql[@]}" -c "CREATE DATABASE $db OWNER $role"
  fi

  export AUTOGLM_TEST_PG_URL="jdbc:postgresql://127.0.0.1:$port/$db?user=$role&password=$password"
  echo "setup-postgres: PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, AUTOGLM_TEST_PG_URL exported"
}

autoglm_pg_setup
