"""Migrate every database that takes migrations, create the database cache table and
the coming months' partitions of partitioned tables (see manydb.maintenance.partitions)."""

from django.core.management import BaseCommand, CommandError, call_command
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from manydb.maintenance.partitions import partitions_ensure
from manydb.topology.routing_map import routing_map


class Command(BaseCommand):
    help = (
        "Run migrate on every alias that takes migrations (not replicas, not external schemas) "
        "and createcachetable where the router allows it. --check exits 1 when anything is unapplied."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Apply nothing; exit 1 if any alias has unapplied migrations."
        )

    def handle(self, *args, check: bool, verbosity: int, **options):
        aliases = migratable_aliases()
        if check:
            return self._check(aliases)
        for alias in aliases:
            pending = own_migrations(alias, unapplied(alias))
            call_command("migrate", database=alias, interactive=False, verbosity=max(verbosity - 1, 0))
            # createcachetable only creates tables the router allows on this alias.
            call_command("createcachetable", database=alias, verbosity=max(verbosity - 1, 0))
            apps = sorted({name.split(".")[0] for name in pending})
            done = f"applied {len(pending)} migrations ({', '.join(apps)})" if pending else "up to date"
            self.stdout.write(f"{alias:<12} {done}")
        created = partitions_ensure()
        if created:
            self.stdout.write(f"partitions   created {', '.join(created)}")
        for alias in skipped_aliases():
            self.stdout.write(f"{alias:<12} skipped ({routing_map().role_of(alias)}: never migrated)")

    def _check(self, aliases):
        behind = {alias: unapplied(alias) for alias in aliases}
        for alias, plan in behind.items():
            self.stdout.write(f"{alias:<12} {len(plan)} unapplied" if plan else f"{alias:<12} up to date")
        if any(behind.values()):
            raise CommandError("Unapplied migrations: run `python manage.py migrate_all`.", returncode=1)


def migratable_aliases() -> list[str]:
    """Every alias except replicas and external schemas, default first."""
    homes = routing_map()
    aliases = [a for a in connections if not homes.is_replica(a) and a not in homes.never_migrate]
    return sorted(aliases, key=lambda alias: alias != DEFAULT_DB_ALIAS)


def skipped_aliases() -> list[str]:
    return [alias for alias in connections if alias not in migratable_aliases()]


def own_migrations(alias: str, plan: list) -> list[str]:
    """Names of the planned migrations of apps that live on this alias.

    Django records every migration on every alias it migrates; only those of
    the apps whose tables live there (their home, or an outbox alias for the
    core's outbox) change its schema, so only those are worth printing.
    """
    homes = routing_map()
    return [f"{m.app_label}.{m.name}" for m, _ in plan if alias in homes.migrates_on(m.app_label)]


def unapplied(alias: str) -> list:
    """The migrations that would run on this alias (the router decides which touch it)."""
    executor = MigrationExecutor(connections[alias])
    return executor.migration_plan(executor.loader.graph.leaf_nodes())
