"""References into another database, and what happens to them when their row is deleted.

Django's deletion collector follows foreign keys on the database of the row
being deleted, so a relation into another database must be ``DO_NOTHING``:
followed, it would look for the referencing table in the wrong place. The
app that owns the reference declares instead what a deletion does to it,
and this module does it:

    manydb.declare(Post, "author", on_delete=manydb.reassign(to=user_ghost_get))
    manydb.declare(Comment, "author", on_delete=manydb.DELETE)

For a declared foreign key a ``pre_delete`` receiver applies the policy on
the referencing model's own primary, before the referenced row is deleted.
Deletes from the admin, the shell, a queryset or a service all send
``pre_delete``, so all of them are covered; and because the policy runs
first, a failure leaves the referenced row in place, never an orphan.

A plain id column (no foreign key, e.g. an event's ``user_id``) is declared
with ``declare_soft``: it may outlive its row, and its policy is applied only
by ``manage.py audit_references --fix``, so that deleting a row never waits
for the database that column lives on.
"""

import logging
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models import ProtectedError, QuerySet
from django.db.models.signals import pre_delete

from manydb.topology.routing_map import routing_map

logger = logging.getLogger("manydb.crossdb.delete_policies")


# ---------------------------------------------------------------------------
# Policies: what to do with rows whose reference is (about to be) dangling
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Delete:
    label = "delete"

    def apply(self, rows: QuerySet, *, attname: str, gone: Collection) -> int:
        return rows.delete()[0]


@dataclass(frozen=True)
class SetNull:
    label = "set null"

    def apply(self, rows: QuerySet, *, attname: str, gone: Collection) -> int:
        return rows.update(**{attname: None})


@dataclass(frozen=True)
class Reassign:
    """Point the rows at another row, e.g. a "deleted user" account.

    The target must already be committed when a deletion starts: created in
    the deletion's own transaction, it would vanish with a rollback while
    the rows pointing at it stay committed on their database (the users app
    creates its placeholder after every migrate, for this reason).
    """

    to: Callable[[], models.Model]
    label = "reassign"

    def apply(self, rows: QuerySet, *, attname: str, gone: Collection) -> int:
        if not rows.exists():
            return 0
        target = self.to()
        if target.pk in gone:
            raise ProtectedError(
                f"Cannot delete {target!r}: it is where deleted rows' {rows.model._meta.label} are reassigned.",
                set(rows[:10]),
            )
        return rows.update(**{attname: target.pk})


DELETE = Delete()
SET_NULL = SetNull()


def reassign(*, to: Callable[[], models.Model]) -> Reassign:
    return Reassign(to=to)


# ---------------------------------------------------------------------------
# The registry
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Reference:
    model: type[models.Model]  # holds the id
    attname: str  # the column holding it
    target: type[models.Model]  # the model the id points at
    policy: Delete | SetNull | Reassign
    enforced: bool  # applied when a target row is deleted (foreign keys), or only by the audit

    def __str__(self) -> str:
        return f"{self.model._meta.label}.{self.attname} -> {self.target._meta.label}"


_declared: dict[tuple[str, str], Reference] = {}


def declare(model: type[models.Model], field_name: str, *, on_delete) -> Reference:
    """Declare what deleting the target of ``model.field_name`` (a foreign key) does to its rows."""
    field = model._meta.get_field(field_name)
    if not (field.many_to_one or field.one_to_one):
        raise TypeError(f"{model._meta.label}.{field_name} is not a foreign key: use declare_soft()")
    reference = Reference(model, field.attname, field.related_model, on_delete, enforced=True)
    _declared[(model._meta.label, field.attname)] = reference
    target = reference.target._meta.concrete_model
    pre_delete.connect(
        _apply_on_delete, sender=target, dispatch_uid=f"manydb.crossdb.delete_policies:{target._meta.label}"
    )
    return reference


def declare_soft(model: type[models.Model], attname: str, *, to: type[models.Model], on_dangling) -> Reference:
    """Declare a plain id column pointing at ``to``; ``audit_references --fix`` applies ``on_dangling``."""
    model._meta.get_field(attname)  # fails early on a typo
    reference = Reference(model, attname, to, on_dangling, enforced=False)
    _declared[(model._meta.label, attname)] = reference
    return reference


def declared() -> list[Reference]:
    return list(_declared.values())


def declared_for(field: models.Field) -> Reference | None:
    return _declared.get((field.model._meta.label, field.attname))


def _apply_on_delete(sender, instance, using, **kwargs) -> None:
    """pre_delete: apply each enforced policy that points at ``sender``, on its own primary."""
    for reference in declared():
        if not reference.enforced or not issubclass(sender, reference.target):
            continue
        for alias in routing_map().shards_of(reference.model._meta.app_label):  # its home, or each shard
            rows = reference.model._base_manager.using(alias).filter(**{reference.attname: instance.pk})
            # Its own transaction on its own database: committed before the
            # target row goes, so a later failure leaves that row, not orphans.
            with transaction.atomic(using=alias):
                count = reference.policy.apply(rows, attname=reference.attname, gone={instance.pk})
            if count:
                label = reference.policy.label
                logger.info("%s: %s %s row(s) of %s on %s", reference, label, count, instance.pk, alias)
