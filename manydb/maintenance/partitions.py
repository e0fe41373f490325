"""Monthly range partitions on PostgreSQL: a big append-only table that sheds whole months.

A table of events grows at one end and is trimmed at the other. Partitioned
by month, trimming is ``DROP TABLE`` of a month (a catalog change) instead of
a ``DELETE`` of its rows (every row written to the WAL, then vacuumed). Only
PostgreSQL gets partitions; elsewhere the table stays plain and retention
deletes rows.

    partition_by_month(schema_editor, model, column=...)   in a migration: the table becomes partitioned
    partitions_register(Model, column=..., months_ahead=3) in AppConfig.ready(): what maintenance keeps ahead
    partitions_ensure()                                    create the coming months' partitions (migrate_all, dbmaint)

Each month is ``<table>_YYYY_MM``; ``<table>_default`` catches rows outside
every month (a late event from long ago), so an insert never fails for want
of a partition. A month created later takes its rows out of the default one.
"""

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from django.db import connections, transaction

from manydb.sharding.registry import aliases_of

POSTGRESQL = "postgresql"
_BOUNDS = re.compile(r"FROM \('([^']+)'\) TO \('([^']+)'\)")


@dataclass(frozen=True)
class PartitionedTable:
    """A partitioned table on one database (a sharded model's table: one per shard)."""

    model: type
    column: str
    months_ahead: int = 3
    alias: str = ""

    @property
    def table(self) -> str:
        return self.model._meta.db_table


@dataclass(frozen=True)
class Partition:
    name: str
    start: datetime | None  # None: the default partition
    end: datetime | None


_registry: dict[str, PartitionedTable] = {}


def partitions_register(model, *, column: str, months_ahead: int = 3) -> None:
    """Declare that ``model``'s table is partitioned by month on ``column`` (on PostgreSQL)."""
    _registry[model._meta.label] = PartitionedTable(model, column, months_ahead)


def partitioned_tables() -> list[PartitionedTable]:
    """Each registered table on each database holding it (every shard of a sharded model)."""
    return [replace(table, alias=alias) for table in _registry.values() for alias in aliases_of(table.model)]


def partitioned_table_of(model, alias: str) -> PartitionedTable | None:
    table = _registry.get(model._meta.label)
    return None if table is None else replace(table, alias=alias)


def month_start(moment: datetime, months_later: int = 0) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months_later
    return datetime(index // 12, index % 12 + 1, 1, tzinfo=UTC)


def partition_by_month(schema_editor, model, *, column: str, months_ahead: int = 3) -> None:
    """Turn ``model``'s table into one partitioned by month on ``column``, keeping its rows.

    For a migration (RunPython), on PostgreSQL only; elsewhere it does nothing.
    The table must have no unique column but its key: a unique key of a
    partitioned table must include the partition column, so the primary key
    becomes (pk, column) and the model's unique constraints must name it. The
    model's indexes and constraints are recreated under their own names; an
    index on ``column`` alone becomes a BRIN index (a few pages per month
    instead of a B-tree as large as the data, and rows arrive in time order).
    """
    connection = schema_editor.connection
    if connection.vendor != POSTGRESQL:
        return
    quote = schema_editor.quote_name
    table, staging = model._meta.db_table, f"{model._meta.db_table}__partitioned"
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {quote(staging)} (LIKE {quote(table)} INCLUDING DEFAULTS INCLUDING IDENTITY) "
            f"PARTITION BY RANGE ({quote(column)})"
        )
        cursor.execute(f"SELECT min({quote(column)}) FROM {quote(table)}")
        oldest = cursor.fetchone()[0] or datetime.now(UTC)
        _create_default(cursor, quote, staging, table)
        now = datetime.now(UTC)
        month = month_start(oldest)
        while month <= month_start(now, months_ahead):
            _create_month(cursor, quote, staging, month, name_prefix=table)
            month = month_start(month, 1)
        cursor.execute(f"INSERT INTO {quote(staging)} SELECT * FROM {quote(table)}")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, %s), coalesce(max({quote(pk)}), 0) + 1, false) "
            f"FROM {quote(staging)}",
            [staging, pk],
        )
        cursor.execute(f"DROP TABLE {quote(table)}")
        cursor.execute(f"ALTER TABLE {quote(staging)} RENAME TO {quote(table)}")
        cursor.execute(f"ALTER TABLE {quote(table)} ADD PRIMARY KEY ({quote(pk)}, {quote(column)})")
    for index in model._meta.indexes:
        if list(index.fields) == [column]:
            schema_editor.execute(f"CREATE INDEX {quote(index.name)} ON {quote(table)} USING brin ({quote(column)})")
        else:
            schema_editor.add_index(model, index)
    for constraint in model._meta.constraints:
        schema_editor.add_constraint(model, constraint)


def partitions_of(table: PartitionedTable) -> list[Partition]:
    """The table's partitions, oldest first, the default one last ([] when not partitioned)."""
    with connections[table.alias].cursor() as cursor:
        cursor.execute(
            """
            SELECT child.relname, pg_get_expr(child.relpartbound, child.oid)
            FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname = %s AND parent.relnamespace = 'public'::regnamespace
            """,
            [table.table],
        )
        rows = cursor.fetchall()
    partitions = []
    for name, bound in rows:
        found = _BOUNDS.search(bound)
        if found:
            start, end = (datetime.fromisoformat(value) for value in found.groups())
            partitions.append(Partition(name, start.astimezone(UTC), end.astimezone(UTC)))
        else:
            partitions.append(Partition(name, None, None))
    return sorted(partitions, key=lambda p: (p.start is None, p.start or datetime.min.replace(tzinfo=UTC)))


def is_partitioned(table: PartitionedTable) -> bool:
    connection = connections[table.alias]
    if connection.vendor != POSTGRESQL:
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table.table])
        return cursor.fetchone() is not None


def partitions_ensure(*, now: datetime | None = None, tables: list[PartitionedTable] | None = None) -> list[str]:
    """Create each registered table's partitions up to ``months_ahead`` months from now,
    and one for each month the default partition holds rows of (which move into it).

    Returns the names created. Tables that are not partitioned (any engine
    but PostgreSQL) are left alone. ``tables`` limits the work to those
    (default: every registered table on every database holding it).
    """
    created = []
    now = now or datetime.now(UTC)
    for table in partitioned_tables() if tables is None else tables:
        if not is_partitioned(table):
            continue
        partitions = partitions_of(table)
        existing = {p.start for p in partitions if p.start is not None}
        connection = connections[table.alias]
        quote = connection.ops.quote_name
        wanted = {month_start(now, ahead) for ahead in range(table.months_ahead + 1)}
        for default in (p.name for p in partitions if p.start is None):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT DISTINCT date_trunc('month', {quote(table.column)} AT TIME ZONE 'UTC') "
                    f"FROM {quote(default)}"
                )
                wanted |= {month.replace(tzinfo=UTC) for (month,) in cursor.fetchall()}
        for month in sorted(wanted - existing):
            with transaction.atomic(using=table.alias), connection.cursor() as cursor:
                created.append(_create_month(cursor, quote, table.table, month, name_prefix=table.table))
    return created


def partition_drop(table: PartitionedTable, partition: Partition) -> None:
    """Detach a month and drop it: its rows go with it, without a row's worth of WAL each."""
    connection = connections[table.alias]
    quote = connection.ops.quote_name
    with transaction.atomic(using=table.alias), connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {quote(table.table)} DETACH PARTITION {quote(partition.name)}")
        cursor.execute(f"DROP TABLE {quote(partition.name)}")


def _create_default(cursor, quote, parent: str, name_prefix: str) -> None:
    cursor.execute(f"CREATE TABLE {quote(name_prefix + '_default')} PARTITION OF {quote(parent)} DEFAULT")


def _create_month(cursor, quote, parent: str, month: datetime, *, name_prefix: str) -> str:
    """Create one month; rows the default partition holds for it move in first."""
    name = f"{name_prefix}_{month:%Y_%m}"
    end = month_start(month, 1)
    column = _partition_column(cursor, parent)
    default = f"{name_prefix}_default"
    cursor.execute(f"CREATE TABLE {quote(name)} (LIKE {quote(parent)} INCLUDING DEFAULTS)")
    cursor.execute(
        f"WITH moved AS (DELETE FROM {quote(default)} WHERE {quote(column)} >= %s AND {quote(column)} < %s "
        f"RETURNING *) INSERT INTO {quote(name)} SELECT * FROM moved",
        [month, end],
    )
    # DDL takes no parameters; the bounds are dates this module made, not input.
    bounds = f"FROM ('{month.isoformat()}') TO ('{end.isoformat()}')"
    cursor.execute(f"ALTER TABLE {quote(parent)} ATTACH PARTITION {quote(name)} FOR VALUES {bounds}")
    return name


def _partition_column(cursor, parent: str) -> str:
    cursor.execute(
        """
        SELECT attname FROM pg_partitioned_table
        JOIN pg_attribute ON attrelid = partrelid AND attnum = partattrs[0]
        WHERE partrelid = to_regclass(%s)
        """,
        [parent],
    )
    return cursor.fetchone()[0]
