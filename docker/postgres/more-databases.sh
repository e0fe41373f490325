#!/usr/bin/env bash
# Runs once, on the first start of a PostgreSQL service that holds more than
# one of the site's databases (analytics: `analytics` and its second shard
# `analytics_2`), from /docker-entrypoint-initdb.d, after app-role.sh, as the
# image's superuser (POSTGRES_USER). scripts/devdb runs it too, on the shard
# server it builds.
#
# APP_MORE_DATABASES is a space-separated list of database names. Each one is
# set up the way app-role.sh sets up POSTGRES_DB:
#   - APP_DB_USER OWNS it and its public schema (migrations create the tables);
#   - only APP_DB_USER may connect to it: PUBLIC loses CONNECT;
#   - pg_stat_statements is created in it (`manage.py dbmaint slow-queries`
#     reads the view per database; the library is preloaded by the service's
#     command).
# The role must exist already (app-role.sh creates it in the containers).
#
# Works whether the entrypoint executes this file or sources it: hence no
# `exit` and no `set -u`, which would leak into the entrypoint.
set -Eeo pipefail

: "${APP_DB_USER:?APP_DB_USER must be set (see docker-compose.yml)}"
: "${APP_MORE_DATABASES:?APP_MORE_DATABASES must list the databases to create (see docker-compose.yml)}"

for more_database in $APP_MORE_DATABASES; do
    # psql variables quote the values (:"name" identifiers, :'name' literals);
    # they are expanded only in SQL read from stdin, hence the heredoc.
    psql --no-psqlrc -v ON_ERROR_STOP=1 \
        --username "$POSTGRES_USER" --dbname "${POSTGRES_DB:-postgres}" \
        -v app_user="$APP_DB_USER" \
        -v app_db="$more_database" <<'SQL'
CREATE DATABASE :"app_db" OWNER :"app_user";
REVOKE ALL ON DATABASE :"app_db" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"app_db" TO :"app_user";
\connect :"app_db"
ALTER SCHEMA public OWNER TO :"app_user";
CREATE EXTENSION IF NOT EXISTS pg_stat_statements;
SQL
    echo "more-databases: '$APP_DB_USER' owns database '$more_database' and its public schema"
done
