"""Find references into another database whose row is gone, and apply their declared policy.

Every reference declared in ``manydb.crossdb.delete_policies`` is checked the only way
two databases allow: the distinct ids on the referencing side, a chunk at a
time, looked up on the target's database. Memory stays bounded by the chunk
size whatever the tables hold. Both sides are read on their primaries: the
audit must not report, or fix, what a lagging replica has not seen yet.

Dangling references come from what the delete policies cannot see: rows
deleted by raw SQL or by another system, soft references (which are only
ever fixed here), a restore of one database but not the other.
"""

from dataclasses import dataclass

from django.db import transaction

from manydb.crossdb.delete_policies import Reference, declared
from manydb.topology.routing_map import routing_map

CHUNK = 1000


@dataclass
class Finding:
    reference: Reference
    rows: int = 0  # referencing rows whose id has no target
    ids: int = 0  # distinct missing ids
    fixed: int = 0  # rows the policy changed (with fix=True)
    alias: str = ""  # the database of the referencing rows checked (one shard of a sharded model)


def audit_references(*, fix: bool = False, chunk_size: int = CHUNK) -> list[Finding]:
    """One finding per declared reference and database holding its rows (every shard of a sharded model)."""
    return [
        audit_reference(reference, fix=fix, chunk_size=chunk_size, source=alias)
        for reference in declared()
        for alias in sources_of(reference)
    ]


def sources_of(reference: Reference) -> tuple[str, ...]:
    """The databases holding the referencing rows: the model's home, or each of its shards."""
    return routing_map().shards_of(reference.model._meta.app_label)


def audit_reference(
    reference: Reference, *, fix: bool = False, chunk_size: int = CHUNK, source: str | None = None
) -> Finding:
    """Check ``reference`` on ``source`` (default: the referencing model's home; a sharded one needs it)."""
    homes = routing_map()
    source = source or homes.home_of(reference.model._meta.app_label)
    target = reference.target._base_manager.using(homes.home_of(reference.target._meta.app_label))
    column = reference.attname
    rows = reference.model._base_manager.using(source)
    finding = Finding(reference, alias=source)
    last = None
    while True:
        ids = rows.filter(**{f"{column}__isnull": False})
        if last is not None:
            ids = ids.filter(**{f"{column}__gt": last})
        chunk = list(ids.order_by(column).values_list(column, flat=True).distinct()[:chunk_size])
        if not chunk:
            return finding
        last = chunk[-1]
        found = set(target.filter(pk__in=chunk).values_list("pk", flat=True))
        missing = [value for value in chunk if value not in found]
        if not missing:
            continue
        dangling = rows.filter(**{f"{column}__in": missing})
        finding.ids += len(missing)
        finding.rows += dangling.count()
        if fix:
            with transaction.atomic(using=source):
                finding.fixed += reference.policy.apply(dangling, attname=column, gone=set(missing))
