#!/usr/bin/env bash
# Entry point of the `replica` service: a streaming hot standby of `db`.
#
# On the first start (no cluster in PGDATA) replica-clone.sh, next to this
# file, clones the primary; a clone that was interrupted is started over
# (see there). Every start then hands over to the image's own entrypoint,
# which sees an initialised PGDATA, skips initdb and runs the server as a hot
# standby (read-only queries allowed while it replays the primary's WAL).
#
# If the primary's volume is ever recreated, this copy belongs to a cluster
# that no longer exists and will not follow the new one: recreate the
# replica's volume with it (docker compose down -v, or remove replica-data).
set -Eeuo pipefail

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA
bash "$(dirname "${BASH_SOURCE[0]}")/replica-clone.sh"

exec docker-entrypoint.sh "$@"
