"""What every engine's inspector answers; the generic answer is "not on this engine"."""

from dataclasses import dataclass, field

from django.db import connections

from manydb.maintenance.checks import NOT_ON_ENGINE, not_available

CHECK_NAMES = [
    "Replication lag",
    "Inactive replication slots",
    "Long-running queries",
    "Cache hit rate",
    "Connections",
    "Transaction ID wraparound",
    "Sequences near their maximum",
    "Unused indexes",
    "Duplicate indexes",
    "Table and index bloat",
    "Slow queries",
]


@dataclass
class SlowQueries:
    rows: list[dict] = field(default_factory=list)  # query, calls, total_ms, mean_ms
    off: str = ""  # why there are none: the statistics are off, and how to turn them on


class Inspector:
    """An alias's engine, asked natively. Subclasses override what their engine has."""

    def __init__(self, alias: str):
        self.alias = alias
        self.connection = connections[alias]

    def rows(self, sql: str, params=()) -> list[dict]:
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            names = [column[0].lower() for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    def value(self, sql: str, params=()):
        with self.connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
            return row[0] if row else None

    def execute(self, sql: str) -> None:
        with self.connection.cursor() as cursor:
            cursor.execute(sql)

    # ---- dbmaint health
    def connections_used(self) -> tuple[int, int] | None:
        """(open connections, the server's maximum), or None where the engine has no server."""
        return None

    def replica_lag_seconds(self) -> float | None:
        """How far behind its primary this server replays, when it is a standby."""
        return None

    # ---- dbmaint sizes, vacuum, analyze, slow-queries
    def sizes(self) -> list[dict]:
        """Tables and indexes: name, kind ("table" or "index"), table, bytes; largest first."""
        return []

    def vacuum(self, *, optimize: bool = False) -> list[str]:
        """Reclaim space and refresh statistics; returns the statements run."""
        return []

    def analyze(self) -> list[str]:
        """Refresh the planner's statistics; returns the statements run."""
        return []

    def slow_queries(self, limit: int) -> SlowQueries:
        return SlowQueries(off=NOT_ON_ENGINE)

    # ---- the health page
    def checks(self) -> list:
        return [not_available(name) for name in CHECK_NAMES]

    def table_names(self) -> list[str]:
        return self.connection.introspection.table_names()
