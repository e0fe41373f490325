#!/usr/bin/env bash
# Runs once, on the first start of the `db` service (the primary), from
# /docker-entrypoint-initdb.d. The image's entrypoint has just run initdb and
# started a temporary, socket-only server; it restarts the real server (with
# TCP) after this script, which is also what makes the edits below take effect.
#
# It prepares the primary for the `replica` service:
#   1. a login role that may only replicate (not read or write tables),
#   2. a physical replication slot, so the primary keeps every WAL segment the
#      replica has not received yet; without it a replica that falls behind
#      (or is stopped for a while) can find the WAL it needs already recycled
#      and has to be rebuilt from scratch,
#   3. a pg_hba.conf line for replication connections. The image's own
#      "host all all all scram-sha-256" line does NOT cover them: in pg_hba,
#      the database name "all" never matches the pseudo-database
#      "replication", so without this line pg_basebackup is refused.
#
# Works whether the entrypoint executes this file or sources it (it sources
# *.sh files without the executable bit, e.g. after a checkout that lost the
# mode): hence no `exit`, and no `set -u`, which would leak into the entrypoint.
set -Eeo pipefail

: "${REPLICATION_USER:?REPLICATION_USER must be set (see docker-compose.yml)}"
: "${REPLICATION_PASSWORD:?REPLICATION_PASSWORD must be set (see docker-compose.yml)}"
: "${REPLICATION_SLOT:?REPLICATION_SLOT must be set (see docker-compose.yml)}"

# psql variables (:"name" for identifiers, :'name' for literals) quote the
# values properly, so a password with quotes in it cannot break the SQL.
# They are only expanded in SQL read from a file or stdin, hence the heredoc.
psql --no-psqlrc -v ON_ERROR_STOP=1 \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v repl_user="$REPLICATION_USER" \
    -v repl_password="$REPLICATION_PASSWORD" \
    -v repl_slot="$REPLICATION_SLOT" <<'SQL'
CREATE ROLE :"repl_user" WITH LOGIN REPLICATION PASSWORD :'repl_password';
-- immediately_reserve => true: retain WAL from now on, not only from the
-- replica's first connection, so nothing written in between can be lost.
SELECT pg_create_physical_replication_slot(:'repl_slot', true);
SQL

# "samenet" = any address on a subnet the server is attached to, i.e. the
# compose network; the replication role cannot log in from anywhere else.
printf 'host replication %s samenet scram-sha-256\n' "$REPLICATION_USER" >> "$PGDATA/pg_hba.conf"

echo "primary-init: created replication role '$REPLICATION_USER' and slot '$REPLICATION_SLOT'"
