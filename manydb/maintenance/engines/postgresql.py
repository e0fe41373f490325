"""PostgreSQL, asked through its catalog and statistics views (the checks are pghero's)."""

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
    slow_queries_check,
)
from manydb.maintenance.engines.base import Inspector, SlowQueries

TURN_ON_STATEMENTS = (
    "pg_stat_statements is off: add shared_preload_libraries = 'pg_stat_statements' to postgresql.conf, "
    "restart the server, then run CREATE EXTENSION pg_stat_statements in this database."
)
PUBLIC = "c.relnamespace = 'public'::regnamespace"


class PostgreSQLInspector(Inspector):
    def in_recovery(self) -> bool:
        return self.value("SELECT pg_is_in_recovery()")

    def connections_used(self):
        return (
            self.value("SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend'"),
            self.value("SELECT current_setting('max_connections')::int"),
        )

    def replica_lag_seconds(self):
        # Caught up when everything received is replayed; otherwise the age of the last replayed commit.
        lag = self.value(
            """SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL
                           WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0
                           ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp()) END"""
        )
        return None if lag is None else float(lag)

    def sizes(self):
        return self.rows(
            f"""SELECT c.relname AS name, CASE WHEN c.relkind = 'i' THEN 'index' ELSE 'table' END AS kind,
                       coalesce(t.relname, c.relname) AS "table",
                       CASE WHEN c.relkind = 'i' THEN pg_relation_size(c.oid) ELSE pg_table_size(c.oid) END AS bytes
                FROM pg_class c
                LEFT JOIN pg_index x ON x.indexrelid = c.oid
                LEFT JOIN pg_class t ON t.oid = x.indrelid
                WHERE {PUBLIC} AND c.relkind IN ('r', 'i', 'm')
                ORDER BY bytes DESC, name"""
        )

    def own_tables(self) -> list[str]:
        """The tables this role may vacuum: its own, partitioned parents standing for their partitions."""
        return [
            row["relname"]
            for row in self.rows(
                f"""SELECT relname FROM pg_class c
                    WHERE {PUBLIC} AND relkind IN ('r', 'p', 'm') AND NOT relispartition
                      AND pg_has_role(relowner, 'USAGE') ORDER BY relname"""
            )
        ]

    def vacuum(self, *, optimize=False):
        # VACUUM refuses to run inside a transaction block: Django's autocommit
        # (outside atomic()) sends it on its own.
        return self._maintain("VACUUM (ANALYZE)")

    def analyze(self):
        return self._maintain("ANALYZE")

    def _maintain(self, command: str) -> list[str]:
        tables = self.own_tables()
        if not tables:
            return []
        quote = self.connection.ops.quote_name
        statement = f"{command} {', '.join(quote(table) for table in tables)}"
        self.execute(statement)
        return [statement]

    def statements_on(self) -> bool:
        return bool(self.value("SELECT count(*) FROM pg_extension WHERE extname = 'pg_stat_statements'"))

    def slow_queries(self, limit):
        if not self.statements_on():
            return SlowQueries(off=TURN_ON_STATEMENTS)
        return SlowQueries(self._statements(limit=limit))

    def _statements(self, *, limit: int, where: str = "TRUE", params=()) -> list[dict]:
        return self.rows(
            f"""SELECT query, calls, round(total_exec_time::numeric, 2)::float AS total_ms,
                       round(mean_exec_time::numeric, 2)::float AS mean_ms
                FROM pg_stat_statements
                WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND {where}
                ORDER BY total_exec_time DESC LIMIT %s""",
            [*params, limit],
        )

    # ---- the health page
    def checks(self):
        standby = self.in_recovery()
        return [
            self._replication_lag(standby),
            self._inactive_slots(standby),
            self._long_running(),
            self._cache_hit_rate(),
            self._connections(),
            self._wraparound(),
            self._sequences(),
            self._unused_indexes(),
            self._duplicate_indexes(),
            self._bloat(),
            self._slow_queries(),
        ]

    def _replication_lag(self, standby: bool) -> Check:
        name = "Replication lag"
        if standby:
            lag = self.replica_lag_seconds() or 0.0
            rows = [{"standby": self.alias, "lag_seconds": round(lag, 1)}]
        else:
            rows = self.rows(
                """SELECT application_name AS standby, client_addr::text AS address, state,
                          coalesce(extract(epoch FROM replay_lag), 0)::float AS lag_seconds
                   FROM pg_stat_replication"""
            )
            if not rows:
                return Check(name, OK, "no standby streams from this server")
            if any(row["state"] is None for row in rows):  # hidden from roles without pg_monitor
                return Check(
                    name,
                    ERROR,
                    "this role may not read replication statistics",
                    "GRANT pg_monitor TO the site's database role (read-only statistics, as pghero asks).",
                )
        behind = [row for row in rows if row["lag_seconds"] > thresholds.REPLICATION_LAG_SECONDS]
        return judged(
            name,
            behind,
            ok=f"{len(rows)} standby(s), at most {max(r['lag_seconds'] for r in rows):.1f} s behind",
            problem=f"{{n}} standby(s) over {thresholds.REPLICATION_LAG_SECONDS} s behind",
            advice="Look at the standby's load and network, and at long queries on it holding back replay "
            "(max_standby_streaming_delay); reads avoid a lagging replica meanwhile.",
        )

    def _inactive_slots(self, standby: bool) -> Check:
        name = "Inactive replication slots"
        if standby:
            return Check(name, OK, "a standby: slots live on its primary")
        slots = self.rows(
            """SELECT slot_name, slot_type,
                      pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::bigint AS retained_wal_bytes
               FROM pg_replication_slots WHERE NOT active"""
        )
        return judged(
            name,
            slots,
            ok="every replication slot is in use",
            problem="{n} slot(s) with nobody attached: the primary keeps WAL for them until its disk fills",
            advice="Start the standby that uses the slot, or if it is gone for good drop the slot: "
            "SELECT pg_drop_replication_slot('<slot_name>').",
        )

    def _long_running(self) -> Check:
        seconds = thresholds.LONG_RUNNING_QUERY_SECONDS
        queries = self.rows(
            """SELECT pid, state, extract(epoch FROM now() - query_start)::int AS seconds, left(query, 200) AS query
               FROM pg_stat_activity
               WHERE datname = current_database() AND pid <> pg_backend_pid() AND state <> 'idle'
                 AND backend_type = 'client backend' AND now() - query_start > make_interval(secs => %s)
               ORDER BY seconds DESC""",
            [seconds],
        )
        return judged(
            "Long-running queries",
            queries,
            ok=f"none running for more than {seconds} s",
            problem=f"{{n}} query(ies) running for more than {seconds} s",
            advice="Find why it is slow (EXPLAIN), or stop it: SELECT pg_cancel_backend(<pid>). "
            "Long queries and transactions also hold back VACUUM.",
        )

    def _cache_hit_rate(self) -> Check:
        name = "Cache hit rate"
        totals = self.rows(
            """SELECT coalesce(sum(heap_blks_hit + coalesce(idx_blks_hit, 0)), 0)::bigint AS hit,
                      coalesce(sum(heap_blks_read + coalesce(idx_blks_read, 0)), 0)::bigint AS read
               FROM pg_statio_user_tables"""
        )[0]
        return hit_rate_check(name, totals["hit"], totals["read"], "shared_buffers (and the server's memory)")

    def _connections(self) -> Check:
        used, maximum = self.connections_used()
        return connections_check(used, maximum, "a pooler (PgBouncer), or a smaller DB_POOL_MAX_SIZE per process")

    def _wraparound(self) -> Check:
        tables = self.rows(
            """SELECT c.relname AS "table",
                      2146483648 - greatest(age(c.relfrozenxid), age(t.relfrozenxid)) AS transactions_left
               FROM pg_class c LEFT JOIN pg_class t ON c.reltoastrelid = t.oid
               WHERE c.relkind = 'r'
                 AND 2146483648 - greatest(age(c.relfrozenxid), age(t.relfrozenxid)) < %s
               ORDER BY transactions_left""",
            [thresholds.TRANSACTION_ID_DANGER],
        )
        return judged(
            "Transaction ID wraparound",
            tables,
            ok=f"every table has more than {thresholds.TRANSACTION_ID_DANGER:,} transactions left",
            problem="{n} table(s) close to transaction ID wraparound",
            advice="Run VACUUM (FREEZE) on them now (python manage.py dbmaint vacuum <alias>) and make sure "
            "autovacuum runs: at wraparound the server stops accepting writes.",
        )

    def _sequences(self) -> Check:
        sequences = self.rows(
            """SELECT sequencename AS sequence, last_value, max_value,
                      round(last_value::numeric / max_value, 4)::float AS used
               FROM pg_sequences
               WHERE schemaname = 'public' AND last_value IS NOT NULL AND last_value::numeric / max_value > %s""",
            [thresholds.SEQUENCE_SHARE],
        )
        return judged(
            "Sequences near their maximum",
            sequences,
            ok=f"every sequence is under {thresholds.SEQUENCE_SHARE:.0%} of its maximum",
            problem="{n} sequence(s) near their maximum: inserts will fail when one runs out",
            advice="Widen the column and its sequence to bigint (ALTER TABLE ... ALTER COLUMN ... TYPE bigint; "
            "ALTER SEQUENCE ... AS bigint) in a migration, before it runs out.",
        )

    def _unused_indexes(self) -> Check:
        indexes = self.rows(
            """SELECT s.relname AS "table", s.indexrelname AS index, pg_relation_size(s.indexrelid) AS bytes
               FROM pg_stat_user_indexes s JOIN pg_index i ON i.indexrelid = s.indexrelid
               JOIN pg_class t ON t.oid = s.relid
               WHERE s.idx_scan = 0 AND NOT i.indisunique AND NOT t.relispartition
               ORDER BY bytes DESC, index"""
        )
        since = self.value("SELECT stats_reset FROM pg_stat_database WHERE datname = current_database()")
        return judged(
            "Unused indexes",
            indexes,
            ok="every index has been used",
            problem="{n} index(es) never scanned" + (f" since {since:%Y-%m-%d}" if since else ""),
            advice="Each one slows every write. Drop those that stay unused over a full business cycle "
            "(in a migration), after checking no standby reads use them: statistics are per server.",
        )

    def _duplicate_indexes(self) -> Check:
        indexes = self.rows(
            f"""SELECT t.relname AS "table", c.relname AS name, x.indisunique AS "unique", am.amname AS method,
                       array(SELECT a.attname::text FROM unnest(x.indkey) WITH ORDINALITY k(attnum, ord)
                             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                             ORDER BY k.ord) AS columns
                FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
                JOIN pg_am am ON am.oid = c.relam
                WHERE {PUBLIC.replace("c.", "t.")} AND NOT t.relispartition
                  AND x.indpred IS NULL AND x.indexprs IS NULL"""
        )
        return duplicate_indexes_check(indexes)

    def _bloat(self) -> Check:
        tables = self.rows(
            """SELECT relname AS "table", n_live_tup AS live_rows, n_dead_tup AS dead_rows,
                      pg_table_size(relid) AS bytes
               FROM pg_stat_user_tables
               WHERE n_dead_tup > %s * (n_live_tup + n_dead_tup) AND pg_table_size(relid) > %s
               ORDER BY n_dead_tup DESC""",
            [thresholds.BLOAT_SHARE, thresholds.BLOAT_MIN_BYTES],
        )
        return judged(
            "Table and index bloat",
            tables,
            ok=f"no table over {thresholds.BLOAT_MIN_BYTES // 2**20} MB is "
            f"more than {thresholds.BLOAT_SHARE:.0%} dead rows",
            problem=f"{{n}} table(s) more than {thresholds.BLOAT_SHARE:.0%} dead rows (their indexes bloat with them)",
            advice="Run python manage.py dbmaint vacuum <alias>; if the dead rows stay, a long transaction holds "
            "them back (see long-running queries). REINDEX CONCURRENTLY shrinks bloated indexes.",
        )

    def _slow_queries(self) -> Check:
        name = "Slow queries"
        if not self.statements_on():
            return Check(name, UNAVAILABLE, "pg_stat_statements is off", TURN_ON_STATEMENTS)
        slow = self._statements(
            limit=20,
            where="mean_exec_time >= %s AND calls >= %s",
            params=[thresholds.SLOW_QUERY_MS, thresholds.SLOW_QUERY_CALLS],
        )
        return slow_queries_check(slow)
