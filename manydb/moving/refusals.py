"""What a move refuses to do, each with a one-line reason.

- writing into a replica (by the routing map, or a PostgreSQL server in recovery);
- a source and target that are the same database under two names (their
  real connection settings are compared, not the alias names);
- a target that already holds different rows for the same ids (``--replace`` overwrites them).
"""

from pathlib import Path

from django.db import connections
from django.utils.connection import ConnectionDoesNotExist

from manydb.topology.routing_map import routing_map

_DEFAULT_PORTS = {"postgresql": "5432", "mysql": "3306"}
_LOCAL_HOSTS = {"", "localhost", "127.0.0.1", "::1"}


class MoveRefused(Exception):
    """A move that must not start. The message is one line and names the alias or model at fault."""


def check_aliases(source: str, target: str) -> None:
    for alias in (source, target):
        try:
            connections[alias]
        except ConnectionDoesNotExist:
            known = ", ".join(sorted(connections.settings))
            raise MoveRefused(f"unknown database alias '{alias}' (configured: {known})") from None
    if routing_map().is_replica(target) or _in_recovery(target):
        raise MoveRefused(f"the target '{target}' is a replica: it cannot be written to")
    if database_identity(source) == database_identity(target) or routing_map().primary_of(source) == target:
        raise MoveRefused(f"'{source}' and '{target}' are the same database: there is nothing to move")


def database_identity(alias: str) -> tuple:
    """What makes two aliases the same database: engine, server and name (a SQLite file's real path)."""
    settings = connections[alias].settings_dict
    test_mirror = (settings.get("TEST") or {}).get("MIRROR")
    if test_mirror:  # a test replica shows its primary's database
        return database_identity(test_mirror)
    vendor = settings["ENGINE"].rsplit(".", 1)[-1].replace("sqlite3", "sqlite")
    name = str(connections[alias].settings_dict["NAME"])
    if vendor == "sqlite":
        path = name.removeprefix("file:").split("?", 1)[0]
        return (vendor, str(Path(path).resolve()))
    host = str(settings.get("HOST") or "")
    socket = (settings.get("OPTIONS") or {}).get("unix_socket")
    host = "localhost" if host in _LOCAL_HOSTS or socket else host.lower()
    port = str(settings.get("PORT") or _DEFAULT_PORTS.get(vendor, ""))
    return (vendor, host, port, name)


def _in_recovery(alias: str) -> bool:
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_is_in_recovery()")
        return bool(cursor.fetchone()[0])
