"""Pausing an app's writes while it moves: ``MANYDB["MOVING"] = ["legacy"]``.

Reads carry on from the app's current home; any statement that would
change one of the app's tables there fails with ``AppBeingMoved`` before it
reaches the database, whoever sent it (the ORM, ``update()``, a raw
cursor). The middleware answers it with a 503 "being moved" page, so a
visitor learns why, and nothing written during the move is lost on the old
home. Once the rows are moved and verified, the route is switched and the
pause lifted (both from the environment, see the README's cut-over).
"""

import re
from functools import cache

from django.apps import apps
from django.db import OperationalError

from manydb.scope.writes import is_write
from manydb.topology.routing_map import routing_map

# The table a data-changing statement names first (Django quotes it with " or `).
_TARGET_TABLE = re.compile(
    r"\s*(?:INSERT\s+(?:IGNORE\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+[`\"]?([\w$]+)",
    re.IGNORECASE,
)


class AppBeingMoved(OperationalError):
    """A write to an app whose data is moving to another database; try again after the cut-over."""


@cache
def _paused_tables(moving: frozenset) -> dict[str, str]:
    """Table name -> app label, for every model of the apps being moved."""
    tables = {}
    for label in moving:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            continue
        for model in config.get_models(include_auto_created=True):
            tables[model._meta.db_table.lower()] = label
    return tables


def paused_app(sql: str, alias: str) -> str | None:
    """The moving app a statement on ``alias`` would write to, or None.

    Only the app's current home (each shard of a sharded app) is paused: the move itself
    writes its new one.
    """
    homes = routing_map()
    if not homes.moving or not is_write(sql):
        return None
    match = _TARGET_TABLE.match(sql)
    label = _paused_tables(homes.moving).get(match.group(1).lower()) if match else None
    return label if label is not None and alias in homes.shards_of(label) else None


class WritePause:
    """An execute wrapper: writes to a moving app's tables on its home fail before they run."""

    def __init__(self, alias: str):
        self.alias = alias

    def __call__(self, execute, sql, params, many, context):
        label = paused_app(sql, self.alias)
        if label is not None:
            raise AppBeingMoved(f"'{label}' is being moved to another database: its writes are paused")
        return execute(sql, params, many, context)


def pause_writes_on(sender, connection, **kwargs) -> None:
    """connection_created receiver: every connection gets the pause check once (it costs nothing when idle)."""
    if not any(isinstance(wrapper, WritePause) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(WritePause(connection.alias))
