#!/bin/sh
# Run once by the postgres image when it creates the primary's data directory: a role for the
# standby's streaming replication, its password read from the mounted secret.
set -eu
password=$(cat /run/secrets/replication_password)
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v password="$password" <<'SQL'
CREATE ROLE replicator WITH REPLICATION LOGIN PASSWORD :'password';
SQL
echo "host replication replicator all scram-sha-256" >> "$PGDATA/pg_hba.conf"
