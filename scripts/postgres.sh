#!/usr/bin/env bash
# Makes a PostgreSQL server reachable for poolcheck's real-server suites, and prints its URL.
#
#   scripts/postgres.sh            start the local cluster if needed, create the role and database,
#                                  print the URL on stdout (everything else goes to stderr)
#
# DATABASE_URL set and reachable: nothing is started; that URL is printed.
# Otherwise the local Debian cluster (PostgreSQL 15, `pg_ctlcluster 15 main start`) is started,
# which needs root, and a `poolcheck` role and database are created for the tests.
# Exits 3, with the reason on stderr, when no server can be had; callers skip on that.
set -euo pipefail

ROLE=poolcheck
PASSWORD=poolcheck
DB=poolcheck
PORT=${PGPORT:-5432}
URL="postgres://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${DB}"

say() { echo "postgres.sh: $*" >&2; }

reachable() {
  # `SELECT 1` through the URL: the role, its password and the database all work.
  psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1
}

if [[ -n "${DATABASE_URL:-}" ]]; then
  if reachable "$DATABASE_URL"; then echo "$DATABASE_URL"; exit 0; fi
  say "DATABASE_URL is set but does not answer SELECT 1; fix it or unset it to use the local cluster"
  exit 3
fi

if reachable "$URL"; then echo "$URL"; exit 0; fi

if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  say "no server at $URL and no local cluster (pg_ctlcluster not found); set DATABASE_URL to a server"
  exit 3
fi
if [[ $(id -u) -ne 0 ]]; then
  say "no server at $URL; starting the local cluster needs root (pg_ctlcluster 15 main start), or set DATABASE_URL"
  exit 3
fi

if ! pg_lsclusters -h 2>/dev/null | awk '$1 == 15 && $2 == "main" && $4 == "online" { found = 1 } END { exit !found }'; then
  say "starting the local PostgreSQL 15 cluster"
  pg_ctlcluster 15 main start >&2 || { say "pg_ctlcluster 15 main start failed; see /var/log/postgresql/postgresql-15-main.log"; exit 3; }
fi

# The cluster's own port, which PGPORT (meant for the URL) must not redirect the set-up away from.
CLUSTER_PORT=$(pg_lsclusters -h 2>/dev/null | awk '$1 == 15 && $2 == "main" { print $3 }')
CLUSTER_PORT=${CLUSTER_PORT:-5432}
as_superuser() { runuser -u postgres -- psql -p "$CLUSTER_PORT" -v ON_ERROR_STOP=1 -Atq "$@"; }
as_postgres() { as_superuser "$@" >&2 || { say "setting up role and database failed ($*); see /var/log/postgresql/postgresql-15-main.log"; exit 3; }; }

# The cluster may take a moment to accept connections.
ready=false
for _ in $(seq 1 50); do
  if as_superuser -c 'SELECT 1' >/dev/null 2>&1; then ready=true; break; fi
  sleep 0.2
done
if [[ $ready != true ]]; then
  say "the local cluster does not accept connections on port ${CLUSTER_PORT} after 10 s; see /var/log/postgresql/postgresql-15-main.log"
  exit 3
fi

if [[ -z $(as_superuser -c "SELECT 1 FROM pg_roles WHERE rolname = '${ROLE}'") ]]; then
  say "creating role ${ROLE}"
  as_postgres -c "CREATE ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'"
else
  # A role left by something else may lack LOGIN or have another password; the URL needs both.
  as_postgres -c "ALTER ROLE ${ROLE} LOGIN PASSWORD '${PASSWORD}'"
fi
if [[ -z $(as_superuser -c "SELECT 1 FROM pg_database WHERE datname = '${DB}'") ]]; then
  say "creating database ${DB}"
  as_postgres -c "CREATE DATABASE ${DB} OWNER ${ROLE}"
fi
# pg_terminate_backend on the role's own backends (a broken connection) needs this.
as_superuser -c "GRANT pg_signal_backend TO ${ROLE}" >/dev/null 2>&1 || true

if reachable "$URL"; then echo "$URL"; exit 0; fi
say "the cluster is up but $URL does not answer; see /var/log/postgresql/postgresql-15-main.log"
exit 3
