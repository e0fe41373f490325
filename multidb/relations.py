"""Relations that cross databases.

Django has no foreign key between databases. A project can still keep an id
that points into another database, as a ForeignKey declared with
``db_constraint=False`` (no constraint the database could not enforce). Such a
relation works for attribute access, assignment and prefetch_related, which
each run one query per database; anything that needs a SQL join cannot work.
"""

from django.db import models


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
