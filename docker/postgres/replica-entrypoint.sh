#!/usr/bin/env bash
# Entry point of the `replica` service: a streaming hot standby of `db`.
#
# On the first start (empty PGDATA) it clones the primary with pg_basebackup:
#   -S <slot>  streams through the slot primary-init.sh created, so the
#              primary keeps the WAL this replica still needs;
#   -R         writes primary_conninfo (and primary_slot_name) into
#              postgresql.auto.conf and creates standby.signal, which is what
#              turns the copy into a standby that follows the primary;
#   -X stream  streams the WAL written during the copy alongside it, so the
#              copy is consistent on its own.
# Every start then hands over to the image's normal entrypoint, which sees an
# initialised PGDATA, skips initdb and runs the server as a hot standby
# (read-only queries allowed while it replays the primary's WAL).
#
# If the primary's volume is ever recreated, the replica's copy belongs to a
# different cluster and will not follow it: remove both volumes together
# (docker compose down -v).
set -Eeuo pipefail

: "${PGDATA:=/var/lib/postgresql/data}"
primary_host="${PRIMARY_HOST:?PRIMARY_HOST must be set (see docker-compose.yml)}"
primary_port="${PRIMARY_PORT:-5432}"
replication_user="${REPLICATION_USER:?REPLICATION_USER must be set}"
replication_password="${REPLICATION_PASSWORD:?REPLICATION_PASSWORD must be set}"
replication_slot="${REPLICATION_SLOT:?REPLICATION_SLOT must be set}"

# The container starts as root (like the stock image); the data directory
# must belong to, and the server run as, the unprivileged postgres user.
as_postgres=()
if [ "$(id -u)" = 0 ]; then
    as_postgres=(gosu postgres)
fi

if [ ! -s "$PGDATA/PG_VERSION" ]; then
    echo "replica: $PGDATA is empty; cloning $primary_host:$primary_port"
    mkdir -p "$PGDATA"
    chmod 0700 "$PGDATA"
    if [ "$(id -u)" = 0 ]; then
        chown postgres:postgres "$PGDATA"
    fi

    # depends_on already waits for the primary's healthcheck; this loop keeps
    # the script correct on its own (e.g. `docker compose up replica --no-deps`).
    # TCP only answers once the primary's init scripts have finished.
    until "${as_postgres[@]}" pg_isready --quiet --host "$primary_host" --port "$primary_port"; do
        echo "replica: waiting for $primary_host:$primary_port"
        sleep 1
    done

    # PGPASSWORD ends up in primary_conninfo (via -R), which is how the
    # standby authenticates when it reconnects later. application_name is the
    # name the primary shows for this standby in pg_stat_replication.
    PGPASSWORD="$replication_password" "${as_postgres[@]}" pg_basebackup \
        --dbname="application_name=replica" \
        --host="$primary_host" --port="$primary_port" \
        --username="$replication_user" \
        --pgdata="$PGDATA" \
        --slot="$replication_slot" \
        --write-recovery-conf \
        --wal-method=stream \
        --checkpoint=fast \
        --verbose
    echo "replica: base backup done; starting as a hot standby"
fi

exec docker-entrypoint.sh "$@"
