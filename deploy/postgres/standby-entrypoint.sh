#!/bin/sh
# The standby: on first start, clone the primary with pg_basebackup (streaming the WAL it needs,
# a replication slot so the primary keeps WAL until the standby has it, and -R: standby.signal
# and primary_conninfo written); then run as a hot standby that serves reads.
set -eu
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  PGPASSWORD=$(cat "$REPLICATION_PASSWORD_FILE")
  export PGPASSWORD
  until pg_basebackup --host="$PRIMARY_HOST" --username=replicator --pgdata="$PGDATA" \
      --wal-method=stream --write-recovery-conf --create-slot --slot=standby1 \
      --checkpoint=fast; do
    echo "waiting for the primary"
    rm -rf "${PGDATA:?}"/*
    sleep 2
  done
  chmod 0700 "$PGDATA"
fi
exec postgres -c hot_standby=on -c random_page_cost=1.1
