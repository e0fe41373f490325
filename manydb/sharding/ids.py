"""Ids unique across shards: the shard in slot s (1-based) issues ids from s << 48.

Each shard keeps its own auto-increment counter, started (after every
migrate, by ``post_migrate``) at its slot's range: 2**48 ids per shard, and a
row keeps its id when a reshard moves it, so ids never collide. A counter
already past its start is left alone; one below it (rows written before the
table was sharded) jumps ahead.
"""

from django.db import connections

from manydb.sharding.registry import sharded_models, shards_of_model
from manydb.topology.routing_map import routing_map

SLOT_BITS = 48


def first_id(slot: int) -> int:
    """The first id the shard in ``slot`` (1-based) issues."""
    return slot << SLOT_BITS


def shard_of_id(model, pk: int) -> str | None:
    """The shard whose range ``pk`` is in: where the row was created (a reshard may have moved
    it since; None for an id from before the table was sharded)."""
    shards = shards_of_model(model)
    slot = pk >> SLOT_BITS
    return shards[slot - 1] if 1 <= slot <= len(shards) else None


def ids_start_on_slot(*, using: str, app_label: str | None = None) -> list[str]:
    """Start each sharded model's id counter on ``using`` at its slot's range; the tables touched.

    Connected to ``post_migrate``; safe to call again.
    """
    touched = []
    for model in sharded_models():
        shards = routing_map().slots_of(model._meta.app_label)  # a reshard's new shards too
        if using not in shards or (app_label is not None and model._meta.app_label != app_label):
            continue
        connection = connections[using]
        table = model._meta.db_table
        if table not in connection.introspection.table_names():
            continue
        start = first_id(shards.index(using) + 1)
        _START[connection.vendor](connection, table, model._meta.pk.column, start)
        touched.append(table)
    return touched


def start_ids_after_migrate(sender, *, using: str, **kwargs) -> None:
    """post_migrate receiver: each app's sharded tables on the migrated database."""
    ids_start_on_slot(using=using, app_label=sender.label)


def _sqlite(connection, table: str, pk: str, start: int) -> None:
    # AUTOINCREMENT tables draw from sqlite_sequence: max(seq, max(rowid)) + 1.
    with connection.cursor() as cursor:
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        if row is None:
            cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [table, start - 1])
        elif row[0] < start - 1:
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [start - 1, table])


def _postgresql(connection, table: str, pk: str, start: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
        sequence = cursor.fetchone()[0]
        if sequence is None:
            return
        # setval(.., false): the next nextval() returns exactly ``start``,
        # unless ids past it were already issued.
        cursor.execute(
            f"SELECT setval(%s, greatest(%s, (SELECT coalesce(max({connection.ops.quote_name(pk)}), 0) + 1 "
            f"FROM {connection.ops.quote_name(table)})), false) "
            f"WHERE (SELECT last_value + CASE WHEN is_called THEN 1 ELSE 0 END FROM {sequence}) < %s",
            [sequence, start, start],
        )


def _mysql(connection, table: str, pk: str, start: int) -> None:
    # AUTO_INCREMENT never goes below max(id) + 1, whatever is asked.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT auto_increment FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = %s",
            [table],
        )
        row = cursor.fetchone()
        if row is None or (row[0] or 0) < start:
            cursor.execute(f"ALTER TABLE {connection.ops.quote_name(table)} AUTO_INCREMENT = {int(start)}")


_START = {"sqlite": _sqlite, "postgresql": _postgresql, "mysql": _mysql}
