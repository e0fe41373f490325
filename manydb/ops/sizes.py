"""How much disk each database takes, asked in each engine's own terms."""

from django.db import connections

_QUERIES = {
    "postgresql": "SELECT pg_database_size(current_database())",
    "mysql": "SELECT COALESCE(SUM(data_length + index_length), 0) FROM information_schema.tables"
    " WHERE table_schema = DATABASE()",
    "sqlite": "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
}


def database_size(alias: str) -> int | None:
    """Bytes used by ``alias``'s database (its data and indexes), or None for an unknown engine."""
    connection = connections[alias]
    query = _QUERIES.get(connection.vendor)
    if query is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(query)
        return int(cursor.fetchone()[0])
