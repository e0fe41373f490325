"""Report references into another database whose row is gone; --fix applies the declared policies."""

from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError

from manydb.crossdb.audit import CHUNK, audit_reference, sources_of
from manydb.crossdb.delete_policies import declared
from manydb.topology.routing_map import routing_map


class Command(BaseCommand):
    help = (
        "Count rows whose cross-database reference points at a row that no longer exists, for every "
        "reference declared in manydb.crossdb.delete_policies. Exit 0 when there are none, 1 when some were found "
        "(without --fix), 2 when a database could not be checked. --fix applies each declared policy."
    )

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Apply each reference's declared policy.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK, help="Ids looked up per query.")

    def handle(self, *args, fix: bool, chunk_size: int, **options):
        found = unchecked = 0
        checks = [(reference, source) for reference in declared() for source in sources_of(reference)]
        for reference, source in checks:
            # A sharded model's reference is checked on each shard: one line each.
            where = f" on {source}" if routing_map().is_sharded(reference.model._meta.app_label) else ""
            try:
                finding = audit_reference(reference, fix=fix, chunk_size=chunk_size, source=source)
            except DatabaseError as exc:
                unchecked += 1
                self.stderr.write(f"{reference}{where}: could not be checked: {type(exc).__name__}: {exc}")
                continue
            found += finding.rows
            line = f"{reference}{where}: {finding.rows} dangling row(s), {finding.ids} missing id(s)"
            if finding.rows:
                line += f"; policy: {reference.policy.label}" + (f", applied to {finding.fixed}" if fix else "")
            self.stdout.write(line)
        if unchecked:
            raise CommandError(f"{unchecked} reference(s) or shard(s) could not be checked.", returncode=2)
        if found and not fix:
            raise CommandError(f"{found} dangling row(s): run with --fix to apply the declared policies.", returncode=1)
