#!/usr/bin/env bash
# Start a throwaway PostgreSQL server for the test suite and print the URL to use.
#   eval "$(scripts/test-postgres.sh)"   → exports BOT_TEST_POSTGRES_URL
# Installs PostgreSQL from Debian's packages when it is not there (needs root, as in CI).
set -euo pipefail

PORT="${HROMADA_PG_PORT:-55432}"
DATA="${HROMADA_PG_DATA:-/tmp/hromada-test-pg}"
URL="postgresql+asyncpg://hromada@127.0.0.1:${PORT}/hromada_test"

log() { echo "$*" >&2; }

if pg_isready -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
  log "PostgreSQL already running on port $PORT"
  echo "export BOT_TEST_POSTGRES_URL='$URL'"
  exit 0
fi

if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  log "Installing PostgreSQL from Debian's packages…"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends postgresql >&2
fi
BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"

# The server refuses to run as root: run it as the 'postgres' system user (created by the package).
AS=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  AS=(runuser -u postgres --)
fi

rm -rf "$DATA"
mkdir -p "$DATA"
[ "$(id -u)" = "0" ] && chown postgres "$DATA"
"${AS[@]}" "$BIN/initdb" -D "$DATA" -U hromada --auth=trust -E UTF8 --locale=C.UTF-8 >&2
"${AS[@]}" "$BIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w \
  -o "-p $PORT -k $DATA -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off" start >&2
"${AS[@]}" "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U hromada hromada_test >&2
log "PostgreSQL started on 127.0.0.1:$PORT (data in $DATA)"
echo "export BOT_TEST_POSTGRES_URL='$URL'"
