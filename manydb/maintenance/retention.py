"""Retention: rows the apps want gone after a while, and Django's expired cache entries.

Apps register what they keep and for how long, in AppConfig.ready()::

    manydb.retention_register("analytics events", model=Event, field="occurred_at",
                              keep=lambda: timedelta(days=settings.ANALYTICS_RETENTION_DAYS))
    manydb.retention_register("cache entries", model=CacheEntry, field="expires_at")

A row goes once ``field`` is older than ``now - keep`` (``keep`` defaults to
zero: a timestamp of expiry). A table partitioned by month (see partitions.py)
loses whole months instead: a month goes once all of it is older than the
cut-off, so a row is kept at least ``keep`` and at most a month longer.
Elsewhere rows are deleted in batches, each its own transaction, so a long
purge never holds a long lock and can be interrupted.

Django's own DatabaseCache tables need no registration: every cache in
CACHES with that backend is purged of expired entries on its database.
"""

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from django.core.cache import caches
from django.core.cache.backends.db import DatabaseCache
from django.db import connections, router, transaction

from manydb.maintenance.partitions import is_partitioned, partition_drop, partitioned_table_of, partitions_of
from manydb.sharding.registry import aliases_of

BATCH = 5000  # rows per DELETE: short transactions, progress in between


@dataclass(frozen=True)
class Retention:
    """What a model keeps, on one database (a sharded model's retention: one per shard)."""

    name: str
    model: type
    field: str
    keep: timedelta | Callable[[], timedelta] = timedelta(0)
    alias: str = ""

    def cutoff(self, now: datetime) -> datetime:
        keep = self.keep() if callable(self.keep) else self.keep
        return now - keep


@dataclass
class PurgeResult:
    name: str
    alias: str
    rows: int = 0  # removed, or that would be removed (dry run)
    partitions: list[str] | None = None  # whole months dropped
    detail: str = ""


_registry: dict[str, Retention] = {}


def retention_register(name: str, *, model, field: str, keep: timedelta | Callable[[], timedelta] = timedelta(0)):
    """Purge rows of ``model`` whose ``field`` is older than now - ``keep`` (see the module docstring)."""
    _registry[name] = Retention(name, model, field, keep)


def retentions() -> list[Retention]:
    """Each registered retention on each database holding its rows (every shard of a sharded model)."""
    return [
        replace(retention, alias=alias) for retention in _registry.values() for alias in aliases_of(retention.model)
    ]


def retention_purge(retention: Retention, *, dry_run: bool, now: datetime | None = None, progress=None) -> PurgeResult:
    """Remove what ``retention`` no longer keeps; with ``dry_run``, only count it."""
    now = now or datetime.now(UTC)
    cutoff = retention.cutoff(now)
    result = PurgeResult(retention.name, retention.alias, partitions=[])
    table = partitioned_table_of(retention.model, retention.alias)
    if table is not None and is_partitioned(table):
        _purge_partitions(retention, table, cutoff, result, dry_run=dry_run, progress=progress)
    else:
        _purge_rows(retention, cutoff, result, dry_run=dry_run, progress=progress)
    result.detail = f"older than {cutoff:%Y-%m-%d %H:%M} UTC"
    return result


def database_caches() -> dict[str, str]:
    """Each DatabaseCache in CACHES, with the alias its router writes it on."""
    return {
        name: router.db_for_write(caches[name].cache_model_class)
        for name in caches
        if isinstance(caches[name], DatabaseCache)
    }


def database_cache_purge(name: str, *, dry_run: bool, now: datetime | None = None) -> PurgeResult:
    """Delete the expired entries of the DatabaseCache ``name`` (only count them with ``dry_run``)."""
    now = now or datetime.now(UTC)
    alias = database_caches()[name]
    connection = connections[alias]
    table = connection.ops.quote_name(caches[name]._table)
    verb = "SELECT count(*)" if dry_run else "DELETE"
    with connection.cursor() as cursor:
        cursor.execute(f"{verb} FROM {table} WHERE expires < %s", [connection.ops.adapt_datetimefield_value(now)])
        rows = cursor.fetchone()[0] if dry_run else cursor.rowcount
    return PurgeResult(f"django cache '{name}'", alias, rows=rows, detail="expired entries")


def _purge_partitions(retention, table, cutoff, result, *, dry_run, progress) -> None:
    """Whole months past the cut-off go; so do the default partition's rows past it, one by one."""
    connection = connections[result.alias]
    quote = connection.ops.quote_name
    for partition in partitions_of(table):
        with connection.cursor() as cursor:
            if partition.start is None:  # the default partition: stragglers, deleted as rows
                verb = "SELECT count(*)" if dry_run else "DELETE"
                cursor.execute(f"{verb} FROM {quote(partition.name)} WHERE {quote(table.column)} < %s", [cutoff])
                result.rows += cursor.fetchone()[0] if dry_run else cursor.rowcount
                continue
            if partition.end > cutoff:
                continue
            cursor.execute(f"SELECT count(*) FROM {quote(partition.name)}")
            result.rows += cursor.fetchone()[0]
        result.partitions.append(partition.name)
        if not dry_run:
            partition_drop(table, partition)
        if progress:
            progress(f"{retention.name}: {'would drop' if dry_run else 'dropped'} {partition.name}")


def _purge_rows(retention, cutoff, result, *, dry_run, progress) -> None:
    rows = retention.model._base_manager.using(result.alias)
    expired = rows.filter(**{f"{retention.field}__lt": cutoff})
    if dry_run:
        result.rows = expired.count()
        return
    while batch := list(expired.values_list("pk", flat=True)[:BATCH]):
        with transaction.atomic(using=result.alias):
            deleted, _ = rows.filter(pk__in=batch).delete()
        result.rows += deleted
        if progress:
            progress(f"{retention.name}: {result.rows} row(s) deleted")
