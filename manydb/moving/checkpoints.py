"""Progress of a move, kept on the target in the same transaction as the rows it describes.

One row per move of one model: the last primary key copied and how many
rows that makes. A chunk and its checkpoint commit together, so after a
crash (even ``kill -9``) the checkpoint names exactly the rows the target
holds, and the next run continues after them: nothing copied twice, nothing
skipped. The table is created on first use, with portable SQL.
"""

from django.db import connections

TABLE = "manydb_move_checkpoint"


def ensure_table(alias: str) -> None:
    connection = connections[alias]
    if TABLE in connection.introspection.table_names():
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {quote(TABLE)} ("
            f"{quote('move_key')} varchar(255) NOT NULL PRIMARY KEY, "
            f"{quote('last_pk')} varchar(255) NOT NULL, "
            f"{quote('rows_copied')} bigint NOT NULL)"
        )


def load(alias: str, key: str) -> tuple[str, int] | None:
    """(last primary key as text, rows copied) for a move, or None when it never started."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('last_pk')}, {quote('rows_copied')} FROM {quote(TABLE)} WHERE {quote('move_key')} = %s",
            [key],
        )
        row = cursor.fetchone()
    return (row[0], int(row[1])) if row else None


def save(alias: str, key: str, last_pk, rows_copied: int) -> None:
    """Record progress; call it inside the transaction that wrote the rows."""
    connection = connections[alias]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(TABLE)} SET {quote('last_pk')} = %s, {quote('rows_copied')} = %s "
            f"WHERE {quote('move_key')} = %s",
            [str(last_pk), rows_copied, key],
        )
        if cursor.rowcount == 0:
            cursor.execute(
                f"INSERT INTO {quote(TABLE)} ({quote('move_key')}, {quote('last_pk')}, {quote('rows_copied')}) "
                "VALUES (%s, %s, %s)",
                [key, str(last_pk), rows_copied],
            )


def forget(alias: str, key: str) -> None:
    connection = connections[alias]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quote(TABLE)} WHERE {quote('move_key')} = %s", [key])
