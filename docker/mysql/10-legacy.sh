#!/usr/bin/env bash
# Runs once, on the first start of the `legacy` service (MySQL 8.4), from
# /docker-entrypoint-initdb.d, against the entrypoint's temporary socket-only
# server (root's password and the MYSQL_DATABASE schema already exist).
#
# 1. Loads the project's own legacy schema and sample rows, mounted read-only
#    from apps/legacy/sql (one source of truth with the rest of the project;
#    they are not copied here).
# 2. Creates the application's account with SELECT and nothing else on that
#    one schema: Django maps these tables with managed = False, and the
#    database itself guarantees the app can neither write nor alter them.
#    (The image's MYSQL_USER/MYSQL_PASSWORD feature is deliberately not used:
#    it grants ALL on the schema.)
#
# Works whether the entrypoint executes this file or sources it: hence no
# `exit`, no `set -u`, and no reliance on the entrypoint's shell functions.
set -eo pipefail

# Set, and exported, by the image's entrypoint (file_env); empty with
# MYSQL_ALLOW_EMPTY_PASSWORD, generated with MYSQL_RANDOM_ROOT_PASSWORD.
: "${MYSQL_ROOT_PASSWORD?MYSQL_ROOT_PASSWORD must be set}"
: "${MYSQL_DATABASE:?MYSQL_DATABASE must be set}"
: "${LEGACY_APP_USER:?LEGACY_APP_USER must be set}"
: "${LEGACY_APP_PASSWORD:?LEGACY_APP_PASSWORD must be set}"
legacy_sql_dir="${LEGACY_SQL_DIR:-/legacy-sql}"

# Run SQL from stdin as root over the temporary server's socket. The password
# goes in an option "file" (process substitution), not on the command line
# where `ps` would show it -- the same way the image's entrypoint does it.
# The socket is the client's default ([client] socket in the image's
# /etc/my.cnf, the temporary server's), or MYSQL_UNIX_PORT where that is set
# (scripts/devdb runs this script against its own server's socket).
legacy_root_sql() {
    mysql --defaults-extra-file=<(printf '[client]\nuser=root\npassword="%s"\n' "$MYSQL_ROOT_PASSWORD") \
        --protocol=socket --host=localhost ${MYSQL_UNIX_PORT:+"--socket=$MYSQL_UNIX_PORT"} \
        --default-character-set=utf8mb4 "$@"
}

# A single-quoted SQL string literal: double backslashes and single quotes.
legacy_sql_string() {
    local value=${1//\\/\\\\}
    value=${value//\'/\'\'}
    printf "'%s'" "$value"
}

echo "10-legacy: loading $legacy_sql_dir into \`$MYSQL_DATABASE\`"
legacy_root_sql --database="$MYSQL_DATABASE" < "$legacy_sql_dir/schema.mysql.sql"
legacy_root_sql --database="$MYSQL_DATABASE" < "$legacy_sql_dir/sample_data.sql"

# In GRANT, "_" and "%" in a schema name are wildcards: escape them so the
# grant covers exactly this schema.
legacy_grant_schema=${MYSQL_DATABASE//_/\\_}
legacy_grant_schema=${legacy_grant_schema//%/\\%}

legacy_root_sql --database=mysql <<SQL
CREATE USER $(legacy_sql_string "$LEGACY_APP_USER")@'%'
    IDENTIFIED BY $(legacy_sql_string "$LEGACY_APP_PASSWORD");
GRANT SELECT ON \`${legacy_grant_schema}\`.* TO $(legacy_sql_string "$LEGACY_APP_USER")@'%';
-- Read-only statement statistics for the site's maintenance command.
GRANT SELECT ON performance_schema.* TO $(legacy_sql_string "$LEGACY_APP_USER")@'%';
SQL

echo "10-legacy: created '$LEGACY_APP_USER'@'%' with SELECT only on \`$MYSQL_DATABASE\`"
