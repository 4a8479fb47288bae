#!/bin/bash
# Entrypoint of the example `db` image (PostgreSQL 15).
#
#   db-entrypoint postgres [server options...]   initialise if needed, then run the server in the foreground
#   db-entrypoint CMD...                          run CMD instead (e.g. `bash`, `psql`)
#
# Environment: POSTGRES_PASSWORD (required to initialise), POSTGRES_DB (default app), PGDATA.
#
# First start: initdb into $PGDATA (owned by postgres, mode 0700), then a temporary server that listens
# on the unix socket only creates $POSTGRES_DB; only after that does the real server open TCP 5432, so
# `pg_isready -h 127.0.0.1` reports ready only once the database exists and the password is set.
# An interrupted first start is finished on the next one (a marker file records completion).
#
# Shutdown: SIGTERM and SIGINT both ask postgres for a "fast" shutdown (roll back open transactions,
# disconnect clients, checkpoint, exit 0), so `docker stop` is clean and quick even with clients connected.
set -Eeuo pipefail

PGDATA=${PGDATA:-/var/lib/postgresql/data}
POSTGRES_DB=${POSTGRES_DB:-app}
socket_dir=/var/run/postgresql
marker=.devenv-initialised

log() { printf 'db-entrypoint: %s\n' "$*" >&2; }

if [ "${1:-postgres}" != postgres ]; then
    exec "$@"
fi
[ $# -gt 0 ] && shift

if [ "$(id -u)" = 0 ]; then
    # A fresh named volume copies the image's ownership, but a bind mount or an old volume may not.
    mkdir -p "$PGDATA" "$socket_dir"
    chown postgres:postgres "$socket_dir"
    find "$PGDATA" \! -user postgres -exec chown postgres:postgres {} +
    chmod 0700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" postgres "$@"
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    if [ -z "${POSTGRES_PASSWORD:-}" ]; then
        log "error: POSTGRES_PASSWORD is not set; it is needed to initialise a new database in $PGDATA"
        exit 1
    fi
    log "initialising a new cluster in $PGDATA"
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
    initdb --pgdata="$PGDATA" --username=postgres --pwfile="$pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    # initdb only allows 127.0.0.1/::1 over TCP; every other host must also authenticate with a password.
    printf '\n# devenv: any host, password (SCRAM) authentication\nhost all all all scram-sha-256\n' \
        >>"$PGDATA/pg_hba.conf"
fi

if [ ! -e "$PGDATA/$marker" ]; then
    log "first start: creating database \"$POSTGRES_DB\" (temporary server on the unix socket only)"
    pg_ctl --pgdata="$PGDATA" --wait --timeout=60 --silent \
        -o "-c listen_addresses='' -c unix_socket_directories=$socket_dir" start
    psql --no-psqlrc --quiet --set=ON_ERROR_STOP=1 --username=postgres --dbname=postgres \
        --host="$socket_dir" --set=db="$POSTGRES_DB" <<'SQL'
SELECT format('CREATE DATABASE %I', :'db')
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')\gexec
SQL
    pg_ctl --pgdata="$PGDATA" --wait --silent --mode=fast stop
    touch "$PGDATA/$marker"
    log "initialisation complete"
fi

postgres -D "$PGDATA" -c listen_addresses='*' -c unix_socket_directories="$socket_dir" "$@" &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true' TERM INT
trap 'kill -QUIT "$pid" 2>/dev/null || true' QUIT
set +e
while :; do
    wait "$pid"
    status=$?
    kill -0 "$pid" 2>/dev/null || break
done
exit "$status"
