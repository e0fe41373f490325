"""MySQL and MariaDB, asked through information_schema, SHOW STATUS and performance_schema."""

from django.db import DatabaseError

from manydb.maintenance import checks as thresholds
from manydb.maintenance.checks import (
    ERROR,
    OK,
    UNAVAILABLE,
    Check,
    connections_check,
    duplicate_indexes_check,
    hit_rate_check,
    judged,
    not_available,
    slow_queries_check,
)
from manydb.maintenance.engines.base import Inspector, SlowQueries

TURN_ON_PERFORMANCE_SCHEMA = (
    "performance_schema is off: start the server with --performance-schema=ON "
    "(performance_schema = ON under [mysqld] in my.cnf); it cannot be turned on while it runs."
)
GRANT_PERFORMANCE_SCHEMA = "the app's user may not read performance_schema: GRANT SELECT ON performance_schema.* TO it."
PICOSECONDS_PER_MS = 1_000_000_000
# The largest value of each integer type, signed and unsigned (for AUTO_INCREMENT).
INTEGER_MAX = {
    "tinyint": 2**7 - 1,
    "smallint": 2**15 - 1,
    "mediumint": 2**23 - 1,
    "int": 2**31 - 1,
    "bigint": 2**63 - 1,
}


class MySQLInspector(Inspector):
    def status(self, like: str) -> dict[str, int]:
        return {
            row["variable_name"].lower(): int(row["value"]) for row in self.rows("SHOW GLOBAL STATUS LIKE %s", [like])
        }

    def connections_used(self):
        return self.status("Threads_connected")["threads_connected"], self.value("SELECT @@max_connections")

    def sizes(self):
        tables = self.rows(
            """SELECT TABLE_NAME AS name, coalesce(DATA_LENGTH, 0) AS data, coalesce(INDEX_LENGTH, 0) AS idx
               FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE'"""
        )
        rows = [{"name": t["name"], "kind": "table", "table": t["name"], "bytes": int(t["data"])} for t in tables]
        # InnoDB reports index space per table (per index needs mysql.innodb_index_stats, root's).
        rows += [
            {"name": f"{t['name']} (indexes)", "kind": "index", "table": t["name"], "bytes": int(t["idx"])}
            for t in tables
        ]
        return sorted(rows, key=lambda row: (-row["bytes"], row["name"]))

    def vacuum(self, *, optimize=False):
        statements = self._maintain("OPTIMIZE TABLE") if optimize else []
        return statements + self.analyze()

    def analyze(self):
        return self._maintain("ANALYZE TABLE")

    def _maintain(self, command: str) -> list[str]:
        tables = self.table_names()
        if not tables:
            return []
        statement = f"{command} {', '.join(self.connection.ops.quote_name(table) for table in tables)}"
        # These statements report failures as result rows, not as errors.
        failures = [
            f"{row['table']}: {row['msg_text']}" for row in self.rows(statement) if row["msg_type"].lower() == "error"
        ]
        if failures:
            raise DatabaseError(f"{command} failed: {'; '.join(failures)}")
        return [statement]

    def performance_schema(self) -> str:
        """'' when its statement digests can be read; otherwise what to do about it."""
        if not self.value("SELECT @@performance_schema"):
            return TURN_ON_PERFORMANCE_SCHEMA
        try:
            self.value("SELECT 1 FROM performance_schema.events_statements_summary_by_digest LIMIT 1")
        except DatabaseError:
            return GRANT_PERFORMANCE_SCHEMA
        return ""

    def slow_queries(self, limit):
        off = self.performance_schema()
        if off:
            return SlowQueries(off=off)
        return SlowQueries(self._digests(limit=limit))

    def _digests(self, *, limit: int, where: str = "TRUE", params=()) -> list[dict]:
        rows = self.rows(
            f"""SELECT DIGEST_TEXT AS query, COUNT_STAR AS calls,
                       SUM_TIMER_WAIT / {PICOSECONDS_PER_MS} AS total_ms,
                       AVG_TIMER_WAIT / {PICOSECONDS_PER_MS} AS mean_ms
                FROM performance_schema.events_statements_summary_by_digest
                WHERE SCHEMA_NAME = DATABASE() AND DIGEST_TEXT IS NOT NULL AND {where}
                ORDER BY SUM_TIMER_WAIT DESC LIMIT %s""",
            [*params, limit],
        )
        for row in rows:
            row.update(
                calls=int(row["calls"]),
                total_ms=round(float(row["total_ms"]), 2),
                mean_ms=round(float(row["mean_ms"]), 2),
            )
        return rows

    # ---- the health page
    def checks(self):
        return [
            Check("Replication lag", OK, "not a replica: no replica of it is configured"),
            not_available("Inactive replication slots"),
            self._long_running(),
            self._buffer_pool_hit_rate(),
            connections_check(*self.connections_used(), "a connection pooler (ProxySQL), or fewer per process"),
            not_available("Transaction ID wraparound"),
            self._auto_increments(),
            self._unused_indexes(),
            self._duplicate_indexes(),
            self._bloat(),
            self._slow_queries(),
        ]

    def _long_running(self) -> Check:
        seconds = thresholds.LONG_RUNNING_QUERY_SECONDS
        queries = self.rows(
            """SELECT ID AS id, COMMAND AS command, TIME AS seconds, left(INFO, 200) AS query
               FROM information_schema.PROCESSLIST
               WHERE COMMAND NOT IN ('Sleep', 'Daemon', 'Binlog Dump') AND TIME > %s AND ID <> CONNECTION_ID()
               ORDER BY TIME DESC""",
            [seconds],
        )
        return judged(
            "Long-running queries",
            queries,
            ok=f"none running for more than {seconds} s (that this user may see)",
            problem=f"{{n}} query(ies) running for more than {seconds} s",
            advice="Find why it is slow (EXPLAIN), or stop it: KILL QUERY <id>.",
        )

    def _buffer_pool_hit_rate(self) -> Check:
        status = self.status("Innodb_buffer_pool_read%")
        logical, from_disk = (
            status.get("innodb_buffer_pool_read_requests", 0),
            status.get("innodb_buffer_pool_reads", 0),
        )
        return hit_rate_check("Cache hit rate", max(logical - from_disk, 0), from_disk, "innodb_buffer_pool_size")

    def _auto_increments(self) -> Check:
        columns = self.rows(
            """SELECT t.TABLE_NAME AS "table", c.COLUMN_NAME AS "column", c.DATA_TYPE AS type,
                      c.COLUMN_TYPE AS column_type, t.AUTO_INCREMENT AS next_value
               FROM information_schema.TABLES t
               JOIN information_schema.COLUMNS c ON c.TABLE_SCHEMA = t.TABLE_SCHEMA AND c.TABLE_NAME = t.TABLE_NAME
               WHERE t.TABLE_SCHEMA = DATABASE() AND c.EXTRA LIKE '%%auto_increment%%'
                 AND t.AUTO_INCREMENT IS NOT NULL"""
        )
        near = []
        for column in columns:
            maximum = INTEGER_MAX.get(column["type"].lower())
            if maximum is None:
                continue
            if "unsigned" in column["column_type"].lower():
                maximum = maximum * 2 + 1
            if int(column["next_value"]) > thresholds.SEQUENCE_SHARE * maximum:
                near.append({**column, "max_value": maximum})
        return judged(
            "Sequences near their maximum",
            near,
            ok=f"every AUTO_INCREMENT is under {thresholds.SEQUENCE_SHARE:.0%} of its column's maximum",
            problem="{n} AUTO_INCREMENT column(s) near their maximum: inserts will fail when one runs out",
            advice="Widen the column (ALTER TABLE ... MODIFY ... BIGINT) before it runs out.",
        )

    def _unused_indexes(self) -> Check:
        name = "Unused indexes"
        off = self.performance_schema()
        if off:
            return Check(name, UNAVAILABLE if "off" in off else ERROR, "performance_schema cannot be read", off)
        indexes = self.rows(
            """SELECT u.OBJECT_NAME AS "table", u.INDEX_NAME AS "index"
               FROM performance_schema.table_io_waits_summary_by_index_usage u
               JOIN information_schema.STATISTICS s ON s.TABLE_SCHEMA = u.OBJECT_SCHEMA
                 AND s.TABLE_NAME = u.OBJECT_NAME AND s.INDEX_NAME = u.INDEX_NAME AND s.SEQ_IN_INDEX = 1
               WHERE u.OBJECT_SCHEMA = DATABASE() AND u.INDEX_NAME <> 'PRIMARY' AND u.COUNT_STAR = 0
                 AND s.NON_UNIQUE = 1
               ORDER BY u.OBJECT_NAME, u.INDEX_NAME"""
        )
        return judged(
            name,
            indexes,
            ok="every index has been used since the server started",
            problem="{n} index(es) unused since the server started",
            advice="Each one slows every write. Drop those that stay unused over a full business cycle, "
            "unless a foreign key needs it.",
        )

    def _duplicate_indexes(self) -> Check:
        indexes: dict[tuple, dict] = {}
        for row in self.rows(
            """SELECT TABLE_NAME AS "table", INDEX_NAME AS name, NON_UNIQUE AS non_unique,
                      INDEX_TYPE AS method, COLUMN_NAME AS "column"
               FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE()
               ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"""
        ):
            index = indexes.setdefault(
                (row["table"], row["name"]),
                {
                    "table": row["table"],
                    "name": row["name"],
                    "unique": not int(row["non_unique"]),
                    "method": row["method"],
                    "columns": [],
                },
            )
            index["columns"].append(row["column"])
        return duplicate_indexes_check(
            list(indexes.values()),
            advice="Drop the covered index: the covering one serves the same lookups (and foreign keys).",
        )

    def _bloat(self) -> Check:
        tables = self.rows(
            """SELECT TABLE_NAME AS "table", DATA_FREE AS free_bytes, DATA_LENGTH + INDEX_LENGTH AS bytes
               FROM information_schema.TABLES
               WHERE TABLE_SCHEMA = DATABASE() AND DATA_FREE > %s * (DATA_LENGTH + INDEX_LENGTH)
                 AND DATA_LENGTH + INDEX_LENGTH > %s""",
            [thresholds.BLOAT_SHARE, thresholds.BLOAT_MIN_BYTES],
        )
        return judged(
            "Table and index bloat",
            tables,
            ok=f"no table over {thresholds.BLOAT_MIN_BYTES // 2**20} MB has more than "
            f"{thresholds.BLOAT_SHARE:.0%} free space",
            problem="{n} table(s) with much free space",
            advice="Rebuild them: python manage.py dbmaint vacuum <alias> --optimize (OPTIMIZE TABLE).",
        )

    def _slow_queries(self) -> Check:
        off = self.performance_schema()
        if off:
            return Check(
                "Slow queries", UNAVAILABLE if "off" in off else ERROR, "performance_schema cannot be read", off
            )
        slow = self._digests(
            limit=20,
            where=f"AVG_TIMER_WAIT >= %s * {PICOSECONDS_PER_MS} AND COUNT_STAR >= %s",
            params=[thresholds.SLOW_QUERY_MS, thresholds.SLOW_QUERY_CALLS],
        )
        return slow_queries_check(slow)
