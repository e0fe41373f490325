#!/usr/bin/env bash
# Make $PGDATA a streaming standby of the primary, unless it already is one.
# Run by replica-entrypoint.sh (the `replica` container) and by scripts/devdb,
# so the container and the development topology build a standby the same way.
#
#   pg_basebackup -S <slot>  streams through the slot primary-init.sh created,
#                            so the primary keeps the WAL this standby still needs;
#                 -R         writes primary_conninfo (and primary_slot_name) into
#                            postgresql.auto.conf and creates standby.signal, which
#                            turns the copy into a standby that follows the primary;
#                 -X stream  streams the WAL written during the copy alongside it,
#                            so the copy is consistent on its own.
#
# An interrupted clone (container killed, host rebooted) must never pass for a
# finished one: the image's entrypoint takes any PGDATA with a PG_VERSION file
# for an initialised cluster. So the copy is made in $PGDATA/.clone and moved
# into place with PG_VERSION last: PG_VERSION in $PGDATA means a complete copy,
# and a .clone directory next to anything else means a clone was interrupted,
# whose leftovers are discarded before cloning again.
#
# A copy whose primary was recreated since (another cluster, by its system
# identifier) stops the start with a message: it could never follow it.
#
# Environment: PGDATA, PRIMARY_HOST, PRIMARY_PORT (5432), REPLICATION_USER,
# REPLICATION_PASSWORD, REPLICATION_SLOT; REPLICA_NAME (replica), the name the
# primary shows for this standby in pg_stat_replication.
set -Eeuo pipefail

: "${PGDATA:?PGDATA must be set}"
primary_host="${PRIMARY_HOST:?PRIMARY_HOST must be set (see docker-compose.yml)}"
primary_port="${PRIMARY_PORT:-5432}"
replication_user="${REPLICATION_USER:?REPLICATION_USER must be set}"
replication_password="${REPLICATION_PASSWORD:?REPLICATION_PASSWORD must be set}"
replication_slot="${REPLICATION_SLOT:?REPLICATION_SLOT must be set}"
replica_name="${REPLICA_NAME:-replica}"
clone="$PGDATA/.clone"

# The container starts as root (like the stock image); the data directory
# must belong to, and the server run as, the unprivileged postgres user.
as_postgres=()
if [ "$(id -u)" = 0 ]; then
    as_postgres=(gosu postgres)
fi

# The cluster a data directory, or the primary, belongs to: a number initdb
# chose, which every copy made with pg_basebackup keeps.
local_system_id() {
    "${as_postgres[@]}" pg_controldata "$PGDATA" | sed -n 's/^Database system identifier: *//p'
}
primary_system_id() {
    PGPASSWORD="$replication_password" "${as_postgres[@]}" psql --no-psqlrc --no-password -Atc IDENTIFY_SYSTEM \
        "host=$primary_host port=$primary_port user=$replication_user replication=true connect_timeout=5" | cut -d'|' -f1
}

if [ -s "$PGDATA/PG_VERSION" ]; then
    rm -rf "$clone" # empty: the move finished, only the rmdir was interrupted
    # A copy of a primary that has since been recreated (a new volume, a new
    # initdb) would wait forever for WAL that cluster never writes.
    local_id="$(local_system_id)"
    if primary_id="$(primary_system_id 2>/dev/null)" && [ -n "$primary_id" ] && [ -n "$local_id" ] \
        && [ "$primary_id" != "$local_id" ]; then
        echo "replica: $PGDATA is a copy of another cluster (system identifier $local_id), not of" \
            "$primary_host:$primary_port ($primary_id): the primary was recreated; recreate the replica's" \
            "volume too (docker compose down -v, or remove the replica's volume)" >&2
        exit 1
    fi
    exit 0
fi

mkdir -p "$PGDATA"
chmod 0700 "$PGDATA"
if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PGDATA"
fi
# What is here besides lost+found (the root of some file systems) is either
# an interrupted clone's, or not ours to delete.
leftovers="$(find "$PGDATA" -mindepth 1 -maxdepth 1 ! -name lost+found -print -quit)"
if [ -n "$leftovers" ]; then
    if [ ! -d "$clone" ]; then
        echo "replica: $PGDATA is not empty and holds no cluster (no PG_VERSION); refusing to overwrite it" >&2
        exit 1
    fi
    echo "replica: discarding an interrupted clone in $PGDATA"
    find "$PGDATA" -mindepth 1 -maxdepth 1 ! -name lost+found -exec rm -rf {} +
fi

echo "replica: cloning $primary_host:$primary_port into $PGDATA"
# depends_on already waits for the primary's healthcheck; this loop keeps
# the script correct on its own (e.g. `docker compose up replica --no-deps`).
# TCP only answers once the primary's init scripts have finished.
until "${as_postgres[@]}" pg_isready --quiet --host "$primary_host" --port "$primary_port"; do
    echo "replica: waiting for $primary_host:$primary_port"
    sleep 1
done

# PGPASSWORD ends up in primary_conninfo (via -R), which is how the standby
# authenticates when it reconnects later.
PGPASSWORD="$replication_password" "${as_postgres[@]}" pg_basebackup \
    --dbname="application_name=$replica_name" \
    --host="$primary_host" --port="$primary_port" \
    --username="$replication_user" --no-password \
    --pgdata="$clone" \
    --slot="$replication_slot" \
    --write-recovery-conf \
    --wal-method=stream \
    --checkpoint=fast

find "$clone" -mindepth 1 -maxdepth 1 ! -name PG_VERSION -exec mv -t "$PGDATA" {} +
mv "$clone/PG_VERSION" "$PGDATA/PG_VERSION"
rmdir "$clone"
echo "replica: base backup done; $PGDATA is a standby of $primary_host:$primary_port"
