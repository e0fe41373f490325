"""SQLite: one file, no server. Sizes from dbstat, VACUUM, and the few checks that apply."""

from django.db import DatabaseError

from manydb.maintenance import checks as thresholds
from manydb.maintenance.checks import OK, PROBLEM, Check, duplicate_indexes_check, not_available
from manydb.maintenance.engines.base import CHECK_NAMES, Inspector, SlowQueries

NO_STATISTICS = "not available on this engine: SQLite keeps no statement statistics"


class SQLiteInspector(Inspector):
    def sizes(self):
        try:  # dbstat is a compile-time option of SQLite (on in Python's builds)
            rows = self.rows(
                """SELECT d.name AS name, CASE m.type WHEN 'index' THEN 'index' ELSE 'table' END AS kind,
                          coalesce(m.tbl_name, d.name) AS "table", sum(d.pgsize) AS bytes
                   FROM dbstat d LEFT JOIN sqlite_schema m ON m.name = d.name
                   GROUP BY d.name ORDER BY bytes DESC, d.name"""
            )
        except DatabaseError:
            pages = self.value("PRAGMA page_count") * self.value("PRAGMA page_size")
            rows = [{"name": "(whole file: no dbstat)", "kind": "table", "table": "", "bytes": pages}]
        return rows

    def vacuum(self, *, optimize=False):
        self.execute("VACUUM")  # rewrites the file; refused inside a transaction
        return ["VACUUM", *self.analyze()]

    def analyze(self):
        self.execute("ANALYZE")
        return ["ANALYZE"]

    def slow_queries(self, limit):
        return SlowQueries(off=NO_STATISTICS)

    def checks(self):
        by_name = {name: not_available(name) for name in CHECK_NAMES}
        by_name["Duplicate indexes"] = self._duplicate_indexes()
        by_name["Table and index bloat"] = self._free_pages()
        return list(by_name.values())

    def _duplicate_indexes(self) -> Check:
        quote = self.connection.ops.quote_name
        indexes = []
        for table in self.table_names():
            for index in self.rows(f"PRAGMA index_list({quote(table)})"):
                if index["partial"]:
                    continue
                columns = [column["name"] for column in self.rows(f"PRAGMA index_info({quote(index['name'])})")]
                if None in columns:  # an expression
                    continue
                indexes.append(
                    {"table": table, "name": index["name"], "unique": bool(index["unique"]), "columns": columns}
                )
        return duplicate_indexes_check(indexes)

    def _free_pages(self) -> Check:
        pages, free = self.value("PRAGMA page_count"), self.value("PRAGMA freelist_count")
        size = pages * self.value("PRAGMA page_size")
        name = "Table and index bloat"
        if pages and free > thresholds.BLOAT_SHARE * pages and size > thresholds.BLOAT_MIN_BYTES:
            return Check(name, PROBLEM, f"{free} of {pages} pages free", "Run python manage.py dbmaint vacuum <alias>.")
        return Check(name, OK, f"{free} of {pages} pages free")
