"""Reading a model's rows as the source database stores them, a chunk at a time.

A ``Selection`` is one model on one alias, optionally narrowed by a filter
(a ``Q`` or a dict of lookups). Its SQL is compiled by Django for that
alias's engine, so the same filter reads the same rows on every engine. A
filter SQL cannot say (a row's shard under a hash no engine computes) is a
``keep`` function on the row's Python values, applied as the rows stream. Rows
are streamed from a server-side cursor (a psycopg named cursor, MySQLdb's
``SSCursor``, SQLite's stepping cursor) in primary-key order: memory holds
one chunk, whatever the size of the table.
"""

import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, FullResultSet
from django.db import connections, transaction
from django.db.models import Q


@dataclass(frozen=True)
class Selection:
    model: type
    alias: str
    where: Q | dict | None = None
    # keep(values) -> bool, values being the row's Python values in field order; str(keep) names it.
    keep: Callable[[list], bool] | None = None

    @property
    def connection(self):
        return connections[self.alias]

    @property
    def fields(self) -> list:
        return list(self.model._meta.concrete_fields)

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def pk(self):
        return self.model._meta.pk

    def queryset(self, *, after=None, upto=None):
        """The selected rows with after < pk <= upto (either bound may be None), in pk order."""
        queryset = self.model._base_manager.using(self.alias).all()
        if isinstance(self.where, dict):
            queryset = queryset.filter(**self.where)
        elif self.where is not None:
            queryset = queryset.filter(self.where)
        if after is not None:
            queryset = queryset.filter(pk__gt=after)
        if upto is not None:
            queryset = queryset.filter(pk__lte=upto)
        return queryset.order_by("pk")

    def select_sql(self, *, after=None, upto=None, columns=None) -> tuple[str, tuple]:
        """SELECT of every concrete column (or ``columns``, attnames), compiled for this alias's engine."""
        columns = columns or [field.attname for field in self.fields]
        queryset = self.queryset(after=after, upto=upto).values_list(*columns)
        return queryset.query.get_compiler(using=self.alias).as_sql()

    def where_sql(self, *, after=None, upto=None) -> tuple[str, tuple] | None:
        """The WHERE clause alone (without the word), or None when the filter needs a join or Python."""
        if self.keep is not None:
            return None
        query = self.queryset(after=after, upto=upto).query
        compiler = query.get_compiler(using=self.alias)
        if len([a for a, join in query.alias_map.items() if query.alias_refcount.get(a)]) > 1:
            return None
        try:
            sql, params = compiler.compile(query.where)
        except FullResultSet:
            return "1 = 1", ()
        except EmptyResultSet:
            return "1 = 0", ()
        return (sql or "1 = 1"), tuple(params)

    def count(self) -> int:
        if self.keep is not None:
            return sum(len(chunk) for chunk in self.chunks(columns=["pk"]))
        return self.queryset().order_by().count()

    def exists(self) -> bool:
        if self.keep is not None:
            if not self.queryset().exists():  # nothing for the filter to look at
                return False
            chunks = self.chunks(size=1, columns=["pk"])
            try:
                return next(chunks, None) is not None
            finally:
                chunks.close()
        return self.queryset().exists()

    def chunks(self, *, after=None, upto=None, size: int = 5000, columns=None):
        """Raw rows (tuples, in column order) from a server-side cursor, ``size`` at a time.

        With ``keep``, only the rows it keeps, still ``size`` to a chunk but the last.
        """
        if self.keep is not None:
            yield from self._kept_chunks(after, upto, size, columns)
            return
        sql, params = self.select_sql(after=after, upto=upto, columns=columns)
        with streaming_cursor(self.connection, size) as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(size):
                yield rows

    def _kept_chunks(self, after, upto, size, columns):
        sql, params = self.select_sql(after=after, upto=upto)
        attnames = [field.attname for field in self.fields]
        wanted = [attnames.index(self.pk.attname if c == "pk" else c) for c in columns] if columns else None
        column_readers, kept = readers(self), []
        with streaming_cursor(self.connection, size) as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(size):
                values = python_rows(rows, column_readers, self.connection)
                kept += [row for row, row_values in zip(rows, values, strict=True) if self.keep(row_values)]
                while len(kept) >= size:
                    chunk, kept = kept[:size], kept[size:]
                    yield [tuple(row[i] for i in wanted) for row in chunk] if wanted else chunk
        if kept:
            yield [tuple(row[i] for i in wanted) for row in kept] if wanted else kept


@contextmanager
def streaming_cursor(connection, size: int):
    """A cursor whose result stays on the server until fetched."""
    connection.ensure_connection()
    if connection.vendor == "postgresql":
        # A named cursor lives in a transaction; it also gives the read one snapshot.
        with transaction.atomic(using=connection.alias):
            cursor = connection.connection.cursor(name=f"manydb_move_{uuid.uuid4().hex}")
            cursor.itersize = size
            try:
                yield cursor
            finally:
                cursor.close()
    elif connection.vendor == "mysql":
        from MySQLdb.cursors import SSCursor

        cursor = connection.connection.cursor(SSCursor)
        try:
            yield cursor
        finally:
            cursor.close()
    else:
        # sqlite3 steps through the result as it is fetched; Django's wrapper
        # only translates the parameter style.
        with connection.cursor() as cursor:
            yield cursor


def readers(selection: Selection) -> list:
    """Per column, the functions that turn a stored value into its Python value (Django's own converters)."""
    connection = selection.connection
    result = []
    for field in selection.fields:
        column = field.get_col(selection.table)
        converters = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        result.append((converters, column))
    return result


def python_rows(rows, selection_readers, connection):
    """Raw rows -> rows of Python values, as the ORM would load them."""
    for row in rows:
        values = list(row)
        for index, (converters, column) in enumerate(selection_readers):
            for converter in converters:
                values[index] = converter(values[index], column, connection)
        yield values
