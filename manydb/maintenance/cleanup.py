"""`dbmaint cleanup`: partitions ahead, retention, expired cache entries, outbox leftovers.

Each step is guarded on its own: a database that fails costs its steps, not
the others'. Returns the rows to print and the exit status (see report.py).
"""

from django.db import DatabaseError

from manydb.errors import describe
from manydb.maintenance import report
from manydb.maintenance.partitions import partitioned_tables, partitions_ensure
from manydb.maintenance.retention import database_cache_purge, database_caches, retention_purge, retentions
from manydb.ops.health import check_alias
from manydb.outbox.delivery import outbox_backlog, outbox_deliver
from manydb.topology.routing_map import routing_map


def cleanup(*, dry_run: bool, progress=None) -> tuple[list[dict], int]:
    rows: list[dict] = []
    worst = report.DONE

    def guarded_step(what: str, alias: str, step) -> None:
        nonlocal worst
        try:
            rows.extend(step())
        except DatabaseError as exc:
            reachable = check_alias(alias).ok
            worst = max(worst, report.TO_FIX if reachable else report.UNREACHABLE)
            rows.append({"what": what, "alias": alias, "count": None, "detail": f"failed: {describe(exc)}"})

    for table in partitioned_tables():
        guarded_step("partitions ahead", table.alias, lambda t=table: _partitions_ahead(t, dry_run))
    for retention in retentions():
        guarded_step(
            retention.name,
            retention.alias,
            lambda r=retention: [_purged(retention_purge(r, dry_run=dry_run, progress=progress))],
        )
    for name, alias in database_caches().items():
        guarded_step(name, alias, lambda n=name: [_purged(database_cache_purge(n, dry_run=dry_run))])
    outbox_rows, outbox_status = _outbox(dry_run)
    rows.extend(outbox_rows)
    return rows, max(worst, outbox_status)


def _partitions_ahead(table, dry_run: bool) -> list[dict]:
    if dry_run:
        return []
    created = partitions_ensure(tables=[table])
    return [{"what": "partitions ahead", "alias": table.alias, "count": len(created), "detail": ", ".join(created)}]


def _purged(result) -> dict:
    detail = result.detail
    if result.partitions:
        detail += f"; whole months: {', '.join(result.partitions)}"
    return {"what": result.name, "alias": result.alias, "count": result.rows, "detail": detail}


def _outbox(dry_run: bool) -> tuple[list[dict], int]:
    """Messages left in an outbox are delivered (again: harmless) and then removed."""
    rows, worst = [], report.DONE
    if dry_run:
        for alias in routing_map().outbox_aliases:
            try:
                backlog = outbox_backlog(using=alias)
            except DatabaseError as exc:
                worst = max(worst, report.UNREACHABLE if not check_alias(alias).ok else report.TO_FIX)
                rows.append({"what": "outbox", "alias": alias, "count": None, "detail": f"failed: {describe(exc)}"})
                continue
            rows.append({"what": "outbox", "alias": alias, "count": backlog.count, "detail": "delivered, then removed"})
        return rows, worst
    for delivery in outbox_deliver():
        detail = "delivered and removed"
        if delivery.error or delivery.failed:
            # The outbox's own database, or the messages' target, is down: they wait.
            worst = max(worst, report.UNREACHABLE)
            detail = f"{delivery.failed} kept for later: {delivery.error or 'their target failed'}"
        rows.append({"what": "outbox", "alias": delivery.alias, "count": delivery.delivered, "detail": detail})
    return rows, worst
