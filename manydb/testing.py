"""Test-suite support: replicas that show the primary's test database.

A standby cannot host a test database of its own, so Django's test runner
treats each replica as a mirror of its primary (``TEST: {"MIRROR": ...}``).
Django implements a mirror by giving the replica the primary's connection
settings, which would send "replica" reads to the primary and hide routing
mistakes. ``point_replicas_at_test_primaries()`` undoes that after set-up:
each replica keeps its own server (or, for SQLite, its read-only mode) and
only takes the test database's name.
"""

from django.db import connections

from manydb.topology.database_urls import SQLITE, read_only_view
from manydb.topology.routing_map import routing_map

_ORIGINAL: dict[str, dict] = {}  # each replica's own settings, before any repointing


def point_replicas_at_test_primaries() -> None:
    for primary, replicas in routing_map().replicas.items():
        primary_settings = connections[primary].settings_dict
        for alias in replicas:
            original = _ORIGINAL.setdefault(alias, connections.settings[alias])
            if original["ENGINE"] == SQLITE:
                settings_dict = read_only_view(primary_settings)
            else:
                settings_dict = {**original, "NAME": primary_settings["NAME"]}
            settings_dict["TEST"] = original.get("TEST", {})
            reconnect(alias, settings_dict)


def reconnect(alias: str, settings_dict: dict) -> None:
    """Point alias at other connection settings, in this thread and for threads to come."""
    connection = connections[alias]
    connection.close()
    if hasattr(connection, "close_pool"):
        connection.close_pool()  # the pool still holds connections to the old database
    connection.settings_dict = settings_dict
    # Connections other threads open later are built from the handler's settings.
    connections.settings[alias] = settings_dict
