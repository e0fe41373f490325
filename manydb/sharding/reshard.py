"""Resharding an app from its current shard count to another: exactly the rows whose shard changes move.

Jump consistent hashing decides which rows those are. From n to m > n
shards a key either stays or goes to one of the new shards (n..m-1); from n
to m < n only the keys of the retired shards (m..n-1) move. Each (source,
target) pair is one ``move_rows`` with a filter on the row's key
(``MovingRows``): streamed, checkpointed on the target, verified range by
range. Only then are the verified rows deleted from the source, each
chunk's ids checked on the target first.

A pair runs in rounds so that it can be killed (even with ``kill -9``) at
any point and run again: round r moves the selected rows with ids above the
watermark W (None at first), and once they are verified W becomes the
highest id moved and is stored on the target, in the transaction that
forgets the round's checkpoint. Every run first deletes from the source the
rows up to W the target holds (deleting twice changes nothing), then moves
what lies above W; a round that finds nothing ends the pair. A run after
success therefore moves nothing and says so. Ids only grow on a shard
(manydb.sharding.ids), so rows written to the source later are above W.

The new shards are migrated first, which starts each one's ids in its own
slot; moved rows keep their ids and no sequence is lowered by a move.
"""

from dataclasses import dataclass, field

from django.core.management import call_command
from django.db import connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q

from manydb.moving import checkpoints
from manydb.moving.mover import move_key, move_rows
from manydb.moving.progress import Progress
from manydb.moving.refusals import MoveRefused
from manydb.moving.rows import Selection, python_rows, readers
from manydb.sharding.ids import ids_start_on_slot
from manydb.sharding.keys import jump_hash, shard_key_hash
from manydb.sharding.moves import layout
from manydb.sharding.registry import shard_key_of, sharded_models
from manydb.topology.database_urls import url_variable
from manydb.topology.routing_map import routing_map

CHUNK_SIZE = 5000
_STATE = "reshard:"  # checkpoint rows holding each pair's watermark start with this


class ReshardRefused(MoveRefused):
    """A reshard that must not start; the message names the setting or alias at fault."""


class MovingRows:
    """A row filter: the rows whose key's shard is ``source`` among ``old`` and ``target`` among ``new``."""

    def __init__(self, model, old: tuple[str, ...], new: tuple[str, ...], source: str, target: str):
        self.model = model
        self.attnames = [f.attname for f in model._meta.concrete_fields]
        self.old, self.new = (len(old), old.index(source)), (len(new), new.index(target))
        self.name = f"{model._meta.label} {source}>{target} of {len(old)}>{len(new)}"

    def __call__(self, values) -> bool:
        key_hash = shard_key_hash(shard_key_of(self.model.from_db(None, self.attnames, values)))
        return jump_hash(key_hash, self.new[0]) == self.new[1] and jump_hash(key_hash, self.old[0]) == self.old[1]

    def __str__(self):
        return self.name


@dataclass
class PairReport:
    label: str
    source: str
    target: str
    moved: int = 0  # rows this run copied and verified
    deleted: int = 0  # rows this run deleted from the source
    verified: int = 0  # rows the last round's verification compared
    rounds: int = 0


@dataclass
class ReshardReport:
    app_label: str
    old: tuple[str, ...]
    new: tuple[str, ...]
    pairs: list[PairReport] = field(default_factory=list)
    migrated: list[str] = field(default_factory=list)
    misplaced: dict[str, int] = field(default_factory=dict)  # n == m: rows on a shard not theirs
    scanned: int = 0

    @property
    def moved(self) -> int:
        return sum(pair.moved for pair in self.pairs)

    @property
    def deleted(self) -> int:
        return sum(pair.deleted for pair in self.pairs)


def reshard(
    app_label: str, *, to: int, chunk_size: int = CHUNK_SIZE, progress: Progress | None = None
) -> ReshardReport:
    """Move ``app_label``'s rows from its current shards to ``to`` shards; see the module docstring.

    Needs MANYDB["RESHARDING"][app_label] == to (the site holds the writes of
    moving keys meanwhile). With ``to`` equal to the current count, checks
    that every row is on its shard (``report.misplaced``) and moves nothing.
    Raises ReshardRefused before writing anything when it must not run, and
    MoveRefused when a pair's verification keeps failing.
    """
    progress = progress or Progress()
    homes = routing_map()
    if not homes.is_sharded(app_label):
        raise ReshardRefused(f"'{app_label}' is not sharded: ROUTES['{app_label}'] names one alias, not a tuple")
    if to < 1:
        raise ReshardRefused(f"--to must be at least 1, not {to}")
    old = homes.shards_of(app_label)
    new = layout(app_label, to)
    report = ReshardReport(app_label, old, new)
    models = [m for m in sharded_models() if m._meta.app_label == app_label]
    if old == new:
        for model in models:
            _check_placement(model, old, chunk_size, report)
        return report
    if homes.resharding.get(app_label) != to:
        raise ReshardRefused(
            f"'{app_label}' is not being resharded to {to}: set MANYDB_RESHARDING={app_label}={to} for the site "
            f"(and restart it) and for this command, so writes whose shard changes wait in the outbox meanwhile"
        )
    for alias in new:
        if alias not in connections.settings:
            raise ReshardRefused(f"the shard '{alias}' is not configured: set {url_variable(alias)}")
    for alias in new[len(old) :]:
        _migrate_new_shard(alias, app_label, models)
        report.migrated.append(alias)
        progress.say(f"{alias}: migrated (ids from its own slot)")
    for alias in dict.fromkeys(old + new):
        _forget_other_plans(alias, app_label, len(old), len(new))
    for model in models:
        for source, target in pairs(old, new):
            report.pairs.append(_move_pair(model, old, new, source, target, chunk_size, progress))
    return report


def _migrate_new_shard(alias: str, app_label: str, models) -> None:
    """Migrate a new shard and start its ids in its slot.

    A database migrated while it was not yet a shard of the app (configured,
    but not routed to) has the app's migrations recorded without their
    tables: Django records what the router skipped. Those records go first,
    so the tables are made by the migrations themselves (partitions included).
    """
    connection = connections[alias]
    tables = set(connection.introspection.table_names())
    if any(model._meta.db_table not in tables for model in models):
        recorder = MigrationRecorder(connection)
        if recorder.has_table():
            recorder.migration_qs.filter(app=app_label).delete()
    call_command("migrate", database=alias, interactive=False, verbosity=0)
    ids_start_on_slot(using=alias, app_label=app_label)


def pairs(old: tuple[str, ...], new: tuple[str, ...]) -> list[tuple[str, str]]:
    """The (source, target) pairs rows can move between, by jump hashing's monotonicity."""
    if len(new) > len(old):
        return [(source, target) for source in old for target in new[len(old) :]]
    return [(source, target) for source in old[len(new) :] for target in new]


def _move_pair(model, old, new, source, target, chunk_size, progress) -> PairReport:
    keep = MovingRows(model, old, new, source, target)
    pair = PairReport(model._meta.label, source, target)
    checkpoints.ensure_table(target)
    state_key = f"{_STATE}{model._meta.label}:{source}>{target}:{len(old)}>{len(new)}"
    state = checkpoints.load(target, state_key)
    watermark = model._meta.pk.to_python(state[0]) if state else None
    moved_before = state[1] if state else 0
    progress.say(f"{model._meta.label}: {source} -> {target}")
    failures = 0
    while True:
        if watermark is not None:
            pair.deleted += _delete_moved(model, source, target, keep, watermark, chunk_size)
        where = Q(pk__gt=watermark) if watermark is not None else None
        result = move_rows(
            model, source=source, target=target, where=where, keep=keep,
            chunk_size=chunk_size, reset_sequence=False, progress=progress,
        )  # fmt: skip
        pair.rounds += 1
        if not result.ok:
            # Rows written to the source for a moving key since the copy (a process
            # without the resharding state): the next round copies them too.
            failures += 1
            if failures >= 3:
                raise MoveRefused("; ".join(str(m) for m in result.verdict.mismatches[:3]))
            continue
        pair.verified = result.verdict.rows
        if not result.verdict.rows:
            _forget_if_saved(target, move_key(model, source, where, keep))
            break
        key = move_key(model, source, where, keep)
        last_pk, _ = checkpoints.load(target, key)
        pair.moved += result.verdict.rows
        with transaction.atomic(using=target):
            checkpoints.forget(target, key)
            checkpoints.save(target, state_key, last_pk, moved_before + pair.moved)
        watermark = model._meta.pk.to_python(last_pk)
    progress.say(
        f"{model._meta.label}: {source} -> {target}: {pair.moved:,} row(s) moved and verified, "
        f"{pair.deleted:,} deleted from {source}"
    )
    return pair


def _forget_if_saved(alias: str, key: str) -> None:
    """Forget a round's checkpoint, if it wrote one."""
    if checkpoints.load(alias, key) is not None:
        checkpoints.forget(alias, key)


def _delete_moved(model, source, target, keep, watermark, chunk_size) -> int:
    """Delete from ``source`` the selected rows with ids up to ``watermark`` that ``target`` holds."""
    deleted, after = 0, None
    manager = model._base_manager
    while True:
        where = Q(pk__lte=watermark) & (Q(pk__gt=after) if after is not None else Q())
        chunks = Selection(model, source, where, keep).chunks(size=chunk_size, columns=["pk"])
        try:
            chunk = next(chunks, None)
        finally:
            chunks.close()  # the source's cursor ends before its rows are deleted
        if not chunk:
            return deleted
        ids = [row[0] for row in chunk]
        held = list(manager.using(target).filter(pk__in=ids).order_by().values_list("pk", flat=True))
        if held:
            with transaction.atomic(using=source):
                deleted += manager.using(source).filter(pk__in=held)._raw_delete(source) or 0
        after = ids[-1]


def _forget_other_plans(alias: str, app_label: str, old: int, new: int) -> None:
    """Drop watermarks left by an earlier reshard of the app to another count: their rows have moved on."""
    connection = connections[alias]
    if checkpoints.TABLE not in connection.introspection.table_names():
        return
    quote = connection.ops.quote_name
    prefixes = [f"{_STATE}{m._meta.label}:%" for m in sharded_models() if m._meta.app_label == app_label]
    with connection.cursor() as cursor:
        for prefix in prefixes:
            cursor.execute(
                f"DELETE FROM {quote(checkpoints.TABLE)} WHERE {quote('move_key')} LIKE %s "
                f"AND {quote('move_key')} NOT LIKE %s",
                [prefix, f"%:{old}>{new}"],
            )


def _check_placement(model, shards, chunk_size, report) -> None:
    """Count, on each shard, the rows whose key belongs to another shard."""
    attnames = [f.attname for f in model._meta.concrete_fields]
    for index, alias in enumerate(shards):
        selection = Selection(model, alias)
        column_readers, misplaced = readers(selection), 0
        for chunk in selection.chunks(size=chunk_size):
            report.scanned += len(chunk)
            for values in python_rows(chunk, column_readers, selection.connection):
                key = shard_key_of(model.from_db(None, attnames, values))
                misplaced += jump_hash(shard_key_hash(key), len(shards)) != index
        report.misplaced[alias] = report.misplaced.get(alias, 0) + misplaced
