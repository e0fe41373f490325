"""Which models move, in what order, and their tables on the target.

Rows are copied in dependency order (a row's foreign keys point at rows
already committed) and the target's tables are created from the models when
they are missing, unmanaged models included: a schema another system owned
gets a Django-shaped copy on its new home. Managed apps get their migrations
recorded as applied there, so ``migrate`` carries on from the new home.
"""

from graphlib import CycleError, TopologicalSorter

from django.apps import apps
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from manydb.moving.refusals import MoveRefused


def models_of(app_labels, names=None) -> list:
    """Every concrete model of the apps (auto-created many-to-many tables included), or the named ones.

    ``names`` are model names ("Customer") or labels ("legacy.Customer").
    """
    models = []
    for label in app_labels:
        try:
            config = apps.get_app_config(label)
        except LookupError:
            raise MoveRefused(f"no installed app with the label '{label}'") from None
        models += [m for m in config.get_models(include_auto_created=True) if not m._meta.proxy]
    if names:
        wanted = {name.lower() for name in names}
        chosen = [m for m in models if m._meta.model_name in wanted or m._meta.label_lower in wanted]
        found = {m._meta.model_name for m in chosen} | {m._meta.label_lower for m in chosen}
        missing = sorted(wanted - found)
        if missing:
            raise MoveRefused(f"no model named {', '.join(missing)} in {', '.join(app_labels)}")
        models = chosen
    return dependency_order(models)


def dependency_order(models) -> list:
    """Models ordered so each comes after the models its foreign keys point to (among those given)."""
    given = set(models)
    graph = {}
    for model in models:
        graph[model] = {
            field.related_model
            for field in model._meta.concrete_fields
            if field.is_relation and field.related_model in given and field.related_model is not model
        }
    try:
        return list(TopologicalSorter(graph).static_order())
    except CycleError:
        return list(models)  # constraints are deferred on PostgreSQL and SQLite; order as declared


def ensure_tables(models, *, source: str, target: str) -> list:
    """Create the tables the target lacks; return the models whose tables were created."""
    connection = connections[target]
    existing = set(connection.introspection.table_names())
    missing = [m for m in models if m._meta.db_table not in existing]
    # create_model also creates a model's auto-created many-to-many tables.
    owners = [m for m in missing if not m._meta.auto_created]
    for through in (m for m in missing if m._meta.auto_created):
        if through._meta.auto_created not in owners:  # the owner exists: its new table is made alone
            owners.append(through)
    if owners:
        # One schema editor: foreign keys are added at its end, once every table exists.
        with connection.schema_editor() as editor:
            for model in owners:
                editor.create_model(model)
        _record_migrations({m._meta.app_label for m in owners if m._meta.managed}, source=source, target=target)
    return missing


def _record_migrations(app_labels, *, source: str, target: str) -> None:
    """Mark on the target the migrations the source applied for these apps (their tables now exist)."""
    if not app_labels:
        return
    applied = MigrationRecorder(connections[source]).applied_migrations()
    recorder = MigrationRecorder(connections[target])
    recorder.ensure_schema()
    already = recorder.applied_migrations()
    for app_label, name in sorted(applied):
        if app_label in app_labels and (app_label, name) not in already:
            recorder.record_applied(app_label, name)
