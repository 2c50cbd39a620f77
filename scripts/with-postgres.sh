#!/usr/bin/env bash
# Start a throwaway PostgreSQL on a free loopback port, run "$@" with LANTAI_DATABASE_URL
# pointing at it, then stop it and remove its data, whatever the command's outcome.
# The command's exit status is this script's exit status.
#   bash scripts/with-postgres.sh .venv/bin/pytest tests/test_audit.py -q
# LANTAI_TEST_PG_PORT picks the port instead of a free one.
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
PGBIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
[ -x "$PGBIN/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2; exit 1; }

PGDATA="$(mktemp -d /tmp/lantai-pg.XXXXXX)"
RUN=()
if [ "$(id -u)" = 0 ]; then
  # initdb refuses to run as root: the server runs as the postgres system user.
  chown postgres "$PGDATA"
  RUN=(runuser -u postgres --)
fi
STARTED=0
cleanup() {
  if [ "$STARTED" = 1 ]; then
    "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$PGDATA"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

"${RUN[@]}" "$PGBIN/initdb" -D "$PGDATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
# A free port can be taken by someone else before the server binds it: try a few.
for attempt in 1 2 3; do
  PORT="${LANTAI_TEST_PG_PORT:-$(free_port)}"
  if "${RUN[@]}" "$PGBIN/pg_ctl" -D "$PGDATA" -w -l "$PGDATA/server.log" -o "-c listen_addresses=127.0.0.1 \
      -p $PORT -k $PGDATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
      -c max_connections=100" start >/dev/null; then
    STARTED=1
    break
  fi
  echo "PostgreSQL did not start on port $PORT (attempt $attempt):" >&2
  tail -5 "$PGDATA/server.log" >&2 || true
  [ -z "${LANTAI_TEST_PG_PORT:-}" ] || break
done
[ "$STARTED" = 1 ] || { echo "could not start PostgreSQL" >&2; exit 1; }

VERSION="$("$PGBIN/psql" -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc 'show server_version')"
echo "PostgreSQL $VERSION on 127.0.0.1:$PORT (throwaway data $PGDATA, removed afterwards)"
"$PGBIN/createdb" -h 127.0.0.1 -p "$PORT" -U postgres lantai
export LANTAI_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/lantai"
status=0
"$@" || status=$?
exit "$status"
