#!/usr/bin/env bash
# Start a throwaway PostgreSQL on a free loopback port, run "$@" with LANTAI_DATABASE_URL
# pointing at it, then stop it and remove its data, whatever the command's outcome.
set -euo pipefail
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2; exit 1; }
PORT="${LANTAI_TEST_PG_PORT:-$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')}"
PGDATA="$(mktemp -d /tmp/lantai-pg.XXXXXX)"
RUN=()
if [ "$(id -u)" = 0 ]; then chown postgres "$PGDATA"; RUN=(runuser -u postgres --); fi
cleanup() {
  "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGDATA"
}
trap cleanup EXIT
"${RUN[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" start >/dev/null
echo "PostgreSQL $("$PGBIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT"
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres lantai
export LANTAI_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/lantai"
"$@"
