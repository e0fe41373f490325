"""Relations that cross databases.

Django has no foreign key between databases. A project can still keep an id
that points into another database, as a ForeignKey declared with
``db_constraint=False`` (no constraint the database could not enforce). Such a
relation works for attribute access, assignment and prefetch_related, which
each run one query per database; anything that needs a SQL join cannot work
(``manydb.crossdb.joins`` refuses it before it runs). ``manydb.crossdb.delete_policies`` says
what deleting the row at the other end does.
"""

from django.core import checks
from django.db import models

from manydb.crossdb import delete_policies
from manydb.topology.routing_map import routing_map


def cross_database_fields(model) -> list[models.Field]:
    """The model's forward relations declared as cross-database (db_constraint=False)."""
    return [
        field
        for field in model._meta.get_fields()
        if field.is_relation
        and field.concrete
        and field.related_model is not None
        and getattr(field, "db_constraint", True) is False
    ]


def declared_cross_database(model_a, model_b) -> bool:
    """True when either model points at the other through a declared cross-database field."""
    for source, target in ((model_a, model_b), (model_b, model_a)):
        for field in cross_database_fields(source):
            if issubclass(target, field.related_model):
                return True
    return False


def relation_errors(model_classes: list) -> list[checks.CheckMessage]:
    """System-check errors for relations between models whose homes differ.

    A foreign key (or one-to-one) across databases must be declared the one
    way that works: no database constraint (it could not be enforced), no
    cascade Django would run on the wrong database (DO_NOTHING), and a
    policy for deletions (``manydb.crossdb.delete_policies.declare``). A many-to-many
    across databases cannot work at all: its through table would be on one
    database, joined to both.
    """
    homes = routing_map()
    errors = []
    for model in model_classes:
        home = homes.place_of(model._meta.app_label)
        for field in [*model._meta.local_fields, *model._meta.local_many_to_many]:
            if not field.is_relation or field.related_model is None:
                continue
            other = homes.place_of(field.related_model._meta.app_label)
            if other == home:
                continue
            where = f"{field.model._meta.label}.{field.name} ({home} -> {other})"
            if field.many_to_many:
                errors.append(
                    checks.Error(
                        f"{where} is a many-to-many relation across databases: its table cannot join both.",
                        hint="Use a through model on one database with foreign keys declared as cross-database.",
                        obj=field,
                        id="manydb.E003",
                    )
                )
            elif field.db_constraint or field.remote_field.on_delete is not models.DO_NOTHING:
                errors.append(
                    checks.Error(
                        f"{where} crosses databases but is declared like a local foreign key.",
                        hint="Declare it with db_constraint=False and on_delete=models.DO_NOTHING.",
                        obj=field,
                        id="manydb.E002",
                    )
                )
            elif not getattr(delete_policies.declared_for(field), "enforced", False):
                errors.append(
                    checks.Error(
                        f"{where} crosses databases and nothing says what deleting a {field.related_model.__name__} "
                        "does to its rows.",
                        hint="Declare a policy with manydb.crossdb.delete_policies.declare() in the app's ready().",
                        obj=field,
                        id="manydb.E004",
                    )
                )
    return errors
