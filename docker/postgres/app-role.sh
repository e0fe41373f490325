#!/usr/bin/env bash
# Runs once, on the first start of each PostgreSQL service that holds
# application data (db, users, analytics, cache), from
# /docker-entrypoint-initdb.d, as the image's superuser (POSTGRES_USER).
#
# Creates the application's login role with the least it needs:
#   - it OWNS the database and its public schema, so migrations can create,
#     alter and drop the app's tables;
#   - it is NOT a superuser and cannot create roles or databases, so a leaked
#     application password cannot read other databases' files, load
#     extensions, or run programs on the server (COPY ... PROGRAM);
#   - only it may connect to the database: PUBLIC loses CONNECT, so the
#     replication role (docker/postgres/primary-init.sh) can stream WAL but
#     cannot open a session on the data.
#
# Works whether the entrypoint executes this file or sources it: hence no
# `exit` and no `set -u`, which would leak into the entrypoint.
set -Eeo pipefail

: "${APP_DB_USER:?APP_DB_USER must be set (see docker-compose.yml)}"
: "${APP_DB_PASSWORD:?APP_DB_PASSWORD must be set (see docker-compose.yml)}"

# psql variables quote the values (:"name" identifiers, :'name' literals);
# they are expanded only in SQL read from stdin, hence the heredoc.
psql --no-psqlrc -v ON_ERROR_STOP=1 \
    --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v app_user="$APP_DB_USER" \
    -v app_password="$APP_DB_PASSWORD" \
    -v app_db="$POSTGRES_DB" <<'SQL'
CREATE ROLE :"app_user" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'app_password';
ALTER DATABASE :"app_db" OWNER TO :"app_user";
ALTER SCHEMA public OWNER TO :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"app_db" TO :"app_user";
SQL

echo "app-role: '$APP_DB_USER' owns database '$POSTGRES_DB' and its public schema, without superuser rights"
