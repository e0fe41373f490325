"""Moving rows from one database to another: checked, chunked, checkpointed, verified.

``move_rows`` moves one model's rows (all of them, or those a filter
selects: the building block for moving only the rows whose shard changes);
``move_app`` moves whole apps in dependency order. Both may be run again
after any interruption: each chunk commits with its checkpoint on the
target, and a new run continues after the last committed chunk, so it also
catches up with rows added to the source since (a final pass before a
cut-over). A move reports success only once every range has been verified.
"""

import hashlib
from dataclasses import dataclass, field

from django.core.management.color import no_style
from django.db import connections, transaction

from manydb.moving import checkpoints
from manydb.moving.prefetch import can_prefetch, prefetched
from manydb.moving.progress import Progress
from manydb.moving.refusals import MoveRefused, check_aliases
from manydb.moving.rows import Selection, python_rows, readers
from manydb.moving.schema import ensure_tables, models_of
from manydb.moving.verification import Verdict, canonical, verify
from manydb.moving.writers import adapter, writer

CHUNK_SIZE = 5000


@dataclass
class MoveResult:
    """One model's move: rows copied by this run, rows the target now accounts for, and the verdict."""

    label: str
    copied: int = 0
    total: int = 0
    seconds: float = 0.0
    verdict: Verdict | None = None
    created_table: bool = False
    notes: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.verdict is not None and self.verdict.ok


def move_rows(
    model,
    *,
    source: str,
    target: str,
    where=None,
    keep=None,
    replace: bool = False,
    chunk_size: int = CHUNK_SIZE,
    verify_rows: bool = True,
    reset_sequence: bool = True,
    progress: Progress | None = None,
) -> MoveResult:
    """Copy ``model``'s rows matching ``where`` (a Q or a dict of lookups, or None for all) to ``target``.

    ``keep``, a function of a row's Python values (in concrete field order)
    whose ``str()`` names it, narrows the rows further where SQL cannot.
    Creates the table when the target lacks it, continues a move that was
    interrupted, sets the target's sequence past the highest id (unless
    ``reset_sequence`` is false: a shard keeps its own id range), and returns
    the verification's verdict (``result.ok``). Raises MoveRefused without
    writing anything when the move must not happen.
    """
    return move_app(
        [model._meta.app_label],
        source=source,
        target=target,
        models=[model._meta.label],
        where=where,
        keep=keep,
        replace=replace,
        chunk_size=chunk_size,
        verify_rows=verify_rows,
        reset_sequence=reset_sequence,
        progress=progress,
    )[0]


def move_app(
    app_labels,
    *,
    source: str,
    target: str,
    models=None,
    where=None,
    keep=None,
    replace: bool = False,
    chunk_size: int = CHUNK_SIZE,
    verify_rows: bool = True,
    verify_only: bool = False,
    reset_sequence: bool = True,
    progress: Progress | None = None,
) -> list[MoveResult]:
    """Move every model of the apps (or the named ``models``), in dependency order; see move_rows."""
    progress = progress or Progress()
    if replace and keep is not None:
        raise ValueError("replace deletes by SQL filter: it cannot be combined with keep")
    check_aliases(source, target)
    chosen = models_of(app_labels, models)
    results = [MoveResult(m._meta.label) for m in chosen]
    if verify_only:
        for model, result in zip(chosen, results, strict=True):
            result.verdict = verify(
                Selection(model, source, where, keep), Selection(model, target, where, keep), size=chunk_size
            )
        return results
    created = set(ensure_tables(chosen, source=source, target=target))
    checkpoints.ensure_table(target)
    keys = {model: move_key(model, source, where, keep) for model in chosen}
    if replace:
        for model in reversed(chosen):
            with transaction.atomic(using=target):
                Selection(model, target, where).queryset().order_by()._raw_delete(target)
                checkpoints.forget(target, keys[model])
    # Every refusal before the first row is written.
    prefilled = {
        model for model in chosen if model not in created and _prefilled(model, source, target, where, keep, keys)
    }
    for model, result in zip(chosen, results, strict=True):
        result.created_table = model in created
        origin, home = Selection(model, source, where, keep), Selection(model, target, where, keep)
        _copy(origin, home, keys[model], model in prefilled, chunk_size, progress, result)
    if reset_sequence:
        reset_sequences(chosen, target)
    if verify_rows:
        for model, result in zip(chosen, results, strict=True):
            result.verdict = verify(
                Selection(model, source, where, keep), Selection(model, target, where, keep), size=chunk_size
            )
    return results


def move_key(model, source: str, where, keep=None) -> str:
    """The checkpoint's name: model, source and filter (a different filter is a different move)."""
    key = f"{model._meta.label}<{source}"
    if where is not None or keep is not None:
        text = repr(sorted(where.items())) if isinstance(where, dict) else str(where)
        if keep is not None:
            text += f"|{keep}"
        key += "?" + hashlib.sha256(text.encode()).hexdigest()[:16]
    return key


def _prefilled(model, source, target, where, keep, keys) -> bool:
    """True when a move never started here but the target has rows; refuse when any differs from the source."""
    if checkpoints.load(target, keys[model]) is not None:
        return False
    there = Selection(model, target, where, keep)
    if not there.exists():
        return False
    differing = differing_ids(Selection(model, source, where, keep), there)
    if differing:
        shown = ", ".join(str(pk) for pk in differing[:5]) + (", ..." if len(differing) > 5 else "")
        raise MoveRefused(
            f"{model._meta.label}: the target '{target}' already holds different rows for the same ids "
            f"(pk {shown}); --replace overwrites them"
        )
    return True


def differing_ids(source: Selection, target: Selection, *, size: int = CHUNK_SIZE, limit: int = 6) -> list:
    """Ids whose row on the target differs from the source's row with the same id (up to ``limit``)."""
    pk_index = [f.attname for f in target.fields].index(target.pk.attname)
    target_readers, source_readers = readers(target), readers(source)
    found = []
    for chunk in target.chunks(size=size):
        theirs = {row[pk_index]: row for row in python_rows(chunk, target_readers, target.connection)}
        sql, params = (
            source.queryset()
            .filter(pk__in=list(theirs))
            .values_list(*(f.attname for f in source.fields))
            .query.get_compiler(using=source.alias)
            .as_sql()
        )
        with source.connection.cursor() as cursor:
            cursor.execute(sql, params)
            ours = {row[pk_index]: row for row in python_rows(cursor.fetchall(), source_readers, source.connection)}
        for pk, row in theirs.items():
            if pk in ours and _text(row, source.fields) != _text(ours[pk], source.fields):
                found.append(pk)
                if len(found) >= limit:
                    return found
    return found


def _text(row, fields) -> list[str]:
    return [canonical(value, f) for value, f in zip(row, fields, strict=True)]


def _copy(origin: Selection, home: Selection, key, prefilled, chunk_size, progress, result) -> None:
    source, target = origin.alias, home.alias
    state = checkpoints.load(target, key)
    after = origin.pk.to_python(state[0]) if state else None
    done = state[1] if state else 0
    # Counting rows a Python filter selects costs a scan of its own: no total then.
    progress.start(origin.model._meta.label, origin.count() if origin.keep is None else None, done)
    adapt, write = adapter(origin, target), writer(origin, target)
    pk_index = [f.attname for f in origin.fields].index(origin.pk.attname)
    chunks = lambda: origin.chunks(after=after, size=chunk_size)  # noqa: E731
    for chunk in prefetched(chunks) if can_prefetch(source) else chunks():
        rows = chunk
        if prefilled:  # copy around the identical rows the target already has
            ids = [row[pk_index] for row in chunk]
            present = set(home.queryset().filter(pk__in=ids).values_list("pk", flat=True))
            rows = [row for row in chunk if row[pk_index] not in present]
        with transaction.atomic(using=target):
            if rows:
                write.write(adapt(rows))
            done += len(chunk)
            checkpoints.save(target, key, chunk[-1][pk_index], done)
        progress.advance(len(chunk))
    result.copied, result.total = progress.copied, done
    result.seconds = progress.finish("table created" if result.created_table else "")


def reset_sequences(models, target: str) -> None:
    """Move the target's sequences past the highest id (MySQL and SQLite do so by themselves)."""
    connection = connections[target]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    if statements:
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
