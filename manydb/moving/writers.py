"""Writing rows into the target: COPY for PostgreSQL, batched INSERTs elsewhere.

Values cross engines through Django's own field machinery: the source
engine's converters give the Python value the ORM would load, and
``get_db_prep_save`` turns it into what the target engine stores. Between two
databases of the same engine the stored value is already right and passes
through untouched (JSON excepted: Django reads it as text on PostgreSQL),
and so do MySQL's values of the types PostgreSQL's COPY reads as they are:
the ORM's round trip costs more than the COPY itself.
"""

import datetime

from django.conf import settings
from django.db import connections

from manydb.moving.rows import Selection, readers

_PASSTHROUGH_UNSAFE = {"JSONField"}
# Internal types whose MySQL value (int, str, Decimal, date, time, float) COPY into PostgreSQL takes as is.
_MYSQL_TO_POSTGRESQL = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField", "BooleanField",
    "CharField", "TextField", "EmailField", "SlugField", "URLField", "FilePathField", "FileField",
    "ImageField", "GenericIPAddressField", "DecimalField", "DateField", "TimeField", "FloatField",
}  # fmt: skip


def adapter(selection: Selection, target_alias: str):
    """A function turning the source's raw rows into rows the target accepts."""
    source = selection.connection
    target = connections[target_alias]
    steps, utc_stamps = [], []
    for index, (field, (converters, column)) in enumerate(zip(selection.fields, readers(selection), strict=True)):
        kind = (field.target_field if field.is_relation else field).get_internal_type()
        if source.vendor == target.vendor and kind not in _PASSTHROUGH_UNSAFE:
            continue
        if (source.vendor, target.vendor) == ("mysql", "postgresql"):
            if kind in _MYSQL_TO_POSTGRESQL:
                continue
            if kind == "DateTimeField" and settings.USE_TZ:
                # MySQL holds UTC without saying so; a session in UTC reads it as such.
                if target.timezone_name != "UTC":
                    utc_stamps.append(index)
                continue
        steps.append((index, field, converters, column))
    if not steps and not utc_stamps:
        return lambda rows: rows
    utc = datetime.UTC

    def adapt(rows):
        adapted = []
        for row in rows:
            values = list(row)
            for index in utc_stamps:
                if values[index] is not None:
                    values[index] = values[index].replace(tzinfo=utc)
            for index, field, converters, column in steps:
                value = values[index]
                for converter in converters:
                    value = converter(value, column, source)
                values[index] = field.get_db_prep_save(value, connection=target)
            adapted.append(values)
        return adapted

    return adapt


def writer(selection: Selection, target_alias: str):
    target = connections[target_alias]
    if target.vendor == "postgresql":
        return CopyWriter(selection, target, binary=selection.connection.vendor == "postgresql")
    return InsertWriter(selection, target)


class CopyWriter:
    """COPY ... FROM STDIN; binary when the rows come from PostgreSQL with the target's own types."""

    def __init__(self, selection: Selection, connection, *, binary: bool):
        quote = connection.ops.quote_name
        self.connection = connection
        self.columns = [field.column for field in selection.fields]
        self.binary = binary
        self.sql = f"COPY {quote(selection.table)} ({', '.join(quote(c) for c in self.columns)}) FROM STDIN"
        if binary:
            self.sql += " (FORMAT BINARY)"
        self.table = selection.table
        self._types = None

    def types(self, cursor) -> list[int]:
        """The target columns' type oids, which binary COPY needs to encode each value."""
        if self._types is None:
            cursor.execute(
                "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                [self.connection.ops.quote_name(self.table)],
            )
            oids = dict(cursor.fetchall())
            self._types = [oids[column] for column in self.columns]
        return self._types

    def write(self, rows) -> None:
        self.connection.ensure_connection()
        with self.connection.connection.cursor() as cursor:
            types = self.types(cursor) if self.binary else None
            with cursor.copy(self.sql) as copy:
                if types:
                    copy.set_types(types)
                for row in rows:
                    copy.write_row(row)


class InsertWriter:
    """Multi-row INSERTs (MySQLdb folds executemany into one statement; sqlite3 steps through)."""

    def __init__(self, selection: Selection, connection):
        quote = connection.ops.quote_name
        self.connection = connection
        columns = ", ".join(quote(field.column) for field in selection.fields)
        placeholders = ", ".join(["%s"] * len(selection.fields))
        self.sql = f"INSERT INTO {quote(selection.table)} ({columns}) VALUES ({placeholders})"

    def write(self, rows) -> None:
        with self.connection.cursor() as cursor:
            cursor.executemany(self.sql, rows)
