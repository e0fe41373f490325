"""System checks: a routing map that names an alias DATABASES lacks fails at start-up."""

from django.conf import settings
from django.core import checks

from multidb.routing import routing_map


@checks.register(checks.Tags.database)
def check_routing_map(app_configs=None, **kwargs):
    known = set(settings.DATABASES)
    homes = routing_map()
    errors = []

    def unknown(alias: str, where: str, hint: str):
        errors.append(
            checks.Error(
                f"MULTIDB {where} names database alias '{alias}', which is not in DATABASES.",
                hint=hint,
                id="multidb.E001",
            )
        )

    for app_label, alias in homes.routes.items():
        if alias not in known:
            unknown(alias, f"ROUTES['{app_label}']", "Add the alias to DATABASES or fix the route.")
    for primary, replicas in homes.replicas.items():
        if primary not in known:
            unknown(primary, "REPLICAS", "A replica set's primary must be a configured alias.")
        for replica in replicas:
            if replica not in known:
                unknown(replica, f"REPLICAS['{primary}']", "Configure the replica's URL.")
    for alias in homes.never_migrate | homes.critical:
        if alias not in known:
            unknown(alias, "NEVER_MIGRATE/CRITICAL", "Remove it or configure it.")
    for alias in homes.outbox_aliases:
        if alias not in known:
            unknown(alias, "OUTBOX['ALIASES']", "Configure the alias or remove it from the outbox.")
        elif homes.is_replica(alias) or alias in homes.never_migrate:
            errors.append(
                checks.Error(
                    f"MULTIDB OUTBOX['ALIASES'] names '{alias}', which is never migrated: it cannot hold an outbox.",
                    hint="An outbox lives on a primary that takes migrations.",
                    id="multidb.E005",
                )
            )
    if homes.outbox_fallback is not None and homes.outbox_fallback not in homes.outbox_aliases:
        errors.append(
            checks.Error(
                f"MULTIDB OUTBOX['FALLBACK'] is '{homes.outbox_fallback}', which is not one of OUTBOX['ALIASES'].",
                hint="Choose one of the outbox aliases (a critical one: messages wait there).",
                id="multidb.E005",
            )
        )
    return errors


@checks.register(checks.Tags.models)
def check_cross_database_relations(app_configs=None, **kwargs):
    """Relations between databases declared the way that works (see multidb.relations)."""
    from django.apps import apps

    from multidb.relations import relation_errors

    configs = app_configs if app_configs is not None else apps.get_app_configs()
    return relation_errors([model for config in configs for model in config.get_models()])
