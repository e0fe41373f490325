"""Range checksums computed inside the database, for PostgreSQL and MySQL/MariaDB.

Each row becomes the same canonical text in each engine's SQL (integers and
decimals as written, datetimes in UTC to the microsecond, booleans as t/f,
NULL as \\N), is hashed with MD5, and a range's checksum is the sum of the
first 60 bits of its rows' hashes: the engine reads and hashes, only two
numbers cross the network. A model with a column type not listed here (or an
SQLite side) is checked in Python instead (manydb.moving.verification).
"""

from manydb.moving.rows import Selection

_MASK = (1 << 64) - 1
_INTEGERS = {
    "AutoField", "BigAutoField", "SmallAutoField", "IntegerField", "BigIntegerField", "SmallIntegerField",
    "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
}  # fmt: skip
_TEXTS = {"CharField", "TextField", "EmailField", "SlugField", "URLField", "FilePathField"}

_EXPRESSIONS = {
    "postgresql": {
        "integer": "{}::text",
        "decimal": "{}::text",
        "text": "{}::text",
        "date": "to_char({}, 'YYYY-MM-DD')",
        "datetime": "to_char({} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')",
        "boolean": "CASE WHEN {0} IS NULL THEN NULL WHEN {0} THEN 't' ELSE 'f' END",
    },
    "mysql": {
        "integer": "CAST({} AS CHAR)",
        "decimal": "CAST({} AS CHAR)",
        "text": "{}",
        "date": "DATE_FORMAT({}, '%%Y-%%m-%%d')",
        "datetime": "DATE_FORMAT({}, '%%Y-%%m-%%d %%H:%%i:%%s.%%f')",
        "boolean": "CASE WHEN {0} IS NULL THEN NULL WHEN {0} THEN 't' ELSE 'f' END",
    },
}
_ROW = {
    "postgresql": (
        "SELECT count(*), coalesce(sum(('x' || substr(md5(concat_ws(chr(31), {})), 1, 15))::bit(60)::bigint), 0)"
    ),
    "mysql": (
        "SELECT COUNT(*), COALESCE(SUM(CAST(CONV(SUBSTR(MD5(CONCAT_WS(CHAR(31), {})), 1, 15), 16, 10) AS UNSIGNED)), 0)"
    ),
}


def _kind(field) -> str | None:
    internal = (field.target_field if field.is_relation else field).get_internal_type()
    if internal in _INTEGERS:
        return "integer"
    if internal in _TEXTS:
        return "text"
    return {"DecimalField": "decimal", "DateField": "date", "DateTimeField": "datetime", "BooleanField": "boolean"}.get(
        internal
    )


def supported(*selections: Selection) -> bool:
    """True when every side is PostgreSQL or MySQL and every column has a canonical expression."""
    for selection in selections:
        if selection.connection.vendor not in _EXPRESSIONS or selection.where_sql() is None:
            return False
    return all(_kind(field) for field in selections[0].fields)


def range_checksum(selection: Selection, low, high) -> tuple[int, int]:
    """(rows, checksum) of the selected rows with low < pk <= high, computed by the database."""
    connection = selection.connection
    vendor, quote = connection.vendor, connection.ops.quote_name
    table = quote(selection.table)
    columns = ", ".join(
        "coalesce({}, '\\\\N')".format(_EXPRESSIONS[vendor][_kind(f)].format(f"{table}.{quote(f.column)}"))
        if vendor == "mysql"
        else "coalesce({}, '\\N')".format(_EXPRESSIONS[vendor][_kind(f)].format(f"{table}.{quote(f.column)}"))
        for f in selection.fields
    )
    where, params = selection.where_sql(after=low, upto=high)
    with connection.cursor() as cursor:
        cursor.execute(f"{_ROW[vendor].format(columns)} FROM {table} WHERE {where}", params)
        rows, checksum = cursor.fetchone()
    return int(rows), int(checksum) & _MASK
