"""Maintenance of every database: health, sizes, vacuum/analyze, slow queries, checks, cleanup.

Each subcommand runs over every alias, or the ones named, asking each engine
natively (see manydb.maintenance). A readable table by default, ``--json``
for machines; progress goes to stderr. Exit status, for cron: 0 done, 1
something to fix, 2 a database could not be reached.
"""

import json
import time

from django.core.management import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connections

from manydb.errors import describe
from manydb.maintenance import report
from manydb.maintenance.cleanup import cleanup
from manydb.maintenance.engines import inspector
from manydb.maintenance.status import alias_status
from manydb.ops.health import check_alias
from manydb.topology.routing_map import routing_map

SUBCOMMANDS = {
    "health": "role, reachable, latency, replica lag, connections used of the maximum",
    "sizes": "tables and indexes per alias, largest first",
    "vacuum": "VACUUM (ANALYZE) / ANALYZE TABLE (--optimize: OPTIMIZE TABLE) / VACUUM; never a replica or "
    "an external schema unless named",
    "analyze": "refresh the planner's statistics; never a replica or an external schema unless named",
    "slow-queries": "top statements by total time (pg_stat_statements, performance_schema)",
    "checks": "the health page's checks (pghero's), each with what to do when it fails",
    "cleanup": "old analytics events, expired cache entries, outbox leftovers; partitions ahead",
}


class Command(BaseCommand):
    help = __doc__.splitlines()[0]

    def add_arguments(self, parser):
        subparsers = parser.add_subparsers(dest="subcommand", required=True, metavar="SUBCOMMAND")
        for name, help_text in SUBCOMMANDS.items():
            sub = subparsers.add_parser(name, help=help_text, description=help_text)
            sub.add_argument("--json", action="store_true", help="Machine output on stdout.")
            if name == "cleanup":
                sub.add_argument("--dry-run", action="store_true", help="Say what would be removed; remove nothing.")
                continue
            sub.add_argument("aliases", nargs="*", metavar="ALIAS", help="Database aliases (default: every one).")
            if name in ("sizes", "slow-queries"):
                sub.add_argument("--limit", type=int, default=20, help="Rows per alias (default 20).")
            if name == "vacuum":
                sub.add_argument("--optimize", action="store_true", help="MySQL: also OPTIMIZE TABLE (rebuilds).")

    def handle(self, *args, subcommand: str, **options):
        self.as_json = options["json"]
        run = getattr(self, f"_{subcommand.replace('-', '_')}")
        data, exit_status = run(**options)
        if self.as_json:
            self.stdout.write(
                json.dumps({"subcommand": subcommand, "exit": exit_status, **data}, cls=DjangoJSONEncoder)
            )
        if exit_status != report.DONE:
            meaning = "a database could not be reached" if exit_status == report.UNREACHABLE else "something to fix"
            raise CommandError(f"dbmaint {subcommand}: {meaning} (see above).", returncode=exit_status)

    def _say(self, text: str = "") -> None:
        if not self.as_json:
            self.stdout.write(text)

    def _progress(self, text: str) -> None:
        self.stderr.write(text)

    def _aliases(self, named: list[str], *, maintained_only: bool = False) -> list[str]:
        unknown = [alias for alias in named if alias not in connections]
        if unknown:
            raise CommandError(f"Unknown database alias(es): {', '.join(unknown)}. Known: {', '.join(connections)}.")
        if named:
            return named
        homes = routing_map()
        return [
            a for a in connections if not maintained_only or (not homes.is_replica(a) and a not in homes.never_migrate)
        ]

    def _per_alias(self, aliases: list[str], work) -> tuple[dict, int]:
        """Run ``work(alias)`` on each alias; an error costs that alias, never the others."""
        results, exit_status = {}, report.DONE
        for alias in aliases:
            try:
                results[alias] = {"ok": True, **work(alias)}
            except DatabaseError as exc:
                reachable = check_alias(alias).ok
                results[alias] = {"ok": False, "reachable": reachable, "error": describe(exc)}
                exit_status = max(exit_status, report.TO_FIX if reachable else report.UNREACHABLE)
                self._say(f"{alias}: {'failed' if reachable else 'unreachable'}: {describe(exc)}")
        return {"databases": results}, exit_status

    # ---- subcommands
    def _health(self, *, aliases, **options):
        statuses = [alias_status(alias) for alias in self._aliases(aliases)]
        rows = [status.as_dict() for status in statuses]
        for row in rows:
            row["used"] = f"{row['connections']}/{row['max_connections']}" if row["max_connections"] else None
        self._say(
            report.table(
                [
                    ("alias", "alias"),
                    ("engine", "engine"),
                    ("role", "role"),
                    ("reachable", "reachable"),
                    ("latency_ms", "latency ms"),
                    ("lag_seconds", "lag s"),
                    ("used", "connections"),
                    ("problem", "to fix"),
                    ("error", "error"),
                ],
                rows,
            )
        )
        exit_status = report.DONE
        if any(status.problem for status in statuses):
            exit_status = report.TO_FIX
        if not all(status.reachable for status in statuses):
            exit_status = report.UNREACHABLE
        return {"databases": {row.pop("alias"): row for row in rows}}, exit_status

    def _sizes(self, *, aliases, limit, **options):
        def sizes(alias):
            rows = inspector(alias).sizes()
            self._say(f"\n{alias} ({connections[alias].vendor}): {report.human_bytes(sum(r['bytes'] for r in rows))}")
            shown = [{**row, "size": report.human_bytes(row["bytes"])} for row in rows[:limit]]
            self._say(report.table([("name", "name"), ("kind", "kind"), ("table", "table"), ("size", "size")], shown))
            return {"relations": rows[:limit], "total_bytes": sum(row["bytes"] for row in rows)}

        return self._per_alias(self._aliases(aliases), sizes)

    def _vacuum(self, *, aliases, optimize, **options):
        return self._maintain(aliases, lambda engine: engine.vacuum(optimize=optimize), "vacuum")

    def _analyze(self, *, aliases, **options):
        return self._maintain(aliases, lambda engine: engine.analyze(), "analyze")

    def _maintain(self, aliases, action, verb):
        def maintain(alias):
            self._progress(f"{verb} {alias} ...")
            started = time.monotonic()
            statements = action(inspector(alias))
            seconds = round(time.monotonic() - started, 2)
            self._progress(f"{verb} {alias}: done in {seconds} s")
            self._say(f"{alias:<12} {len(statements)} statement(s) in {seconds} s")
            return {"statements": statements, "seconds": seconds}

        chosen = self._aliases(aliases, maintained_only=True)
        skipped = [a for a in connections if a not in chosen and not aliases]
        for alias in skipped:
            self._say(f"{alias:<12} skipped ({routing_map().role_of(alias)}: name it to include it)")
        data, exit_status = self._per_alias(chosen, maintain)
        return {**data, "skipped": skipped}, exit_status

    def _slow_queries(self, *, aliases, limit, **options):
        def slow(alias):
            found = inspector(alias).slow_queries(limit)
            self._say(f"\n{alias} ({connections[alias].vendor})")
            cols = [("calls", "calls"), ("total_ms", "total ms"), ("mean_ms", "mean ms"), ("query", "query")]
            self._say(found.off or report.table(cols, found.rows))
            return {"queries": found.rows, "off": found.off}

        return self._per_alias(self._aliases(aliases), slow)

    def _checks(self, *, aliases, **options):
        def run_checks(alias):
            results = inspector(alias).checks()
            self._say(f"\n{alias} ({connections[alias].vendor})")
            rows = [check.as_dict() for check in results]
            self._say(
                report.table(
                    [("name", "check"), ("status", "status"), ("summary", "result"), ("advice", "what to do")], rows
                )
            )
            return {"checks": rows, "failed": sum(check.failed for check in results)}

        data, exit_status = self._per_alias(self._aliases(aliases), run_checks)
        if exit_status == report.DONE and any(r.get("failed") for r in data["databases"].values()):
            exit_status = report.TO_FIX
        return data, exit_status

    def _cleanup(self, *, dry_run, **options):
        rows, exit_status = cleanup(dry_run=dry_run, progress=self._progress)
        removed = "would remove" if dry_run else "removed"
        self._say(
            report.table([("what", "what"), ("alias", "database"), ("count", removed), ("detail", "detail")], rows)
        )
        return {"dry_run": dry_run, "steps": rows}, exit_status
