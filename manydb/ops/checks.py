"""System checks: a routing map that Django cannot follow fails at start-up, with the fix.

manydb.E001  the map names an alias DATABASES lacks
manydb.E002  a cross-database foreign key declared like a local one
manydb.E003  a many-to-many relation across databases
manydb.E004  a cross-database foreign key with no delete policy
manydb.E005  an outbox alias that is never migrated
manydb.E006  an outbox FALLBACK that is not an outbox alias
manydb.E007  a key MANYDB does not know (a typo)
"""

from django.conf import settings
from django.core import checks

from manydb.crossdb.relations import relation_errors
from manydb.topology.routing_map import KEYS, routing_map


@checks.register(checks.Tags.database)
def check_routing_map(app_configs=None, **kwargs):
    unknown_keys = sorted(set(getattr(settings, "MANYDB", {})) - set(KEYS))
    if unknown_keys:
        return [
            checks.Error(
                f"MANYDB has unknown keys: {', '.join(unknown_keys)}.",
                hint=f"Valid keys: {', '.join(KEYS)}.",
                id="manydb.E007",
            )
        ]
    known = set(settings.DATABASES)
    homes = routing_map()
    errors = []

    def unknown(alias: str, where: str, hint: str):
        errors.append(
            checks.Error(
                f"MANYDB {where} names database alias '{alias}', which is not in DATABASES.",
                hint=hint,
                id="manydb.E001",
            )
        )

    for app_label in homes.routes:
        for alias in homes.shards_of(app_label):
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
                    f"MANYDB OUTBOX['ALIASES'] names '{alias}', which is never migrated: it cannot hold an outbox.",
                    hint="An outbox lives on a primary that takes migrations.",
                    id="manydb.E005",
                )
            )
    if homes.outbox_fallback is not None and homes.outbox_fallback not in homes.outbox_aliases:
        errors.append(
            checks.Error(
                f"MANYDB OUTBOX['FALLBACK'] is '{homes.outbox_fallback}', which is not one of OUTBOX['ALIASES'].",
                hint="Choose one of the outbox aliases (a critical one: messages wait there).",
                id="manydb.E006",
            )
        )
    return errors


@checks.register(checks.Tags.models)
def check_cross_database_relations(app_configs=None, **kwargs):
    """Relations between databases declared the way that works (see manydb.crossdb.relations)."""
    from django.apps import apps

    configs = app_configs if app_configs is not None else apps.get_app_configs()
    return relation_errors([model for config in configs for model in config.get_models()])
