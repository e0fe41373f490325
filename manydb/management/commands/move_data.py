"""Move an app's rows to another database: ``manage.py move_data legacy --from legacy --to default``."""

from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError

from manydb.moving import MoveRefused, Progress, move_app
from manydb.moving.mover import CHUNK_SIZE
from manydb.topology.routing_map import routing_map


class Command(BaseCommand):
    help = (
        "Copy every model of the apps (or --models) from one database alias to another, across engines: "
        "streamed, checkpointed on the target (run it again to resume or to catch up) and verified range by "
        "range. Exit 0 only when the target is verified to hold the source's rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("app_labels", nargs="+", metavar="APP_LABEL", help="Apps to move, e.g. legacy.")
        parser.add_argument("--from", dest="source", required=True, metavar="ALIAS", help="Where the rows are.")
        parser.add_argument("--to", dest="target", required=True, metavar="ALIAS", help="Where they go.")
        parser.add_argument("--models", nargs="+", metavar="MODEL", help="Only these models, e.g. Customer.")
        parser.add_argument("--replace", action="store_true", help="Overwrite rows the target already holds.")
        parser.add_argument("--verify-only", action="store_true", help="Copy nothing: compare source and target.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="Rows per chunk and per checked range.")

    def handle(self, *args, app_labels, source, target, models, replace, verify_only, chunk_size, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        for label in app_labels:
            if routing_map().is_sharded(label) and not verify_only:
                # Its cut-over (one new home in MANYDB_ROUTES) would leave the other shards' rows behind.
                shards = ", ".join(f"'{alias}'" for alias in routing_map().shards_of(label))
                raise CommandError(
                    f"refused: '{label}' is sharded over {shards}: move_data moves an app with one home. "
                    f"To change its shards, `manage.py reshard {label} --to N` moves the rows whose shard changes.",
                    returncode=2,
                )
        progress = Progress(self.stdout._out)
        try:
            results = move_app(
                app_labels,
                source=source,
                target=target,
                models=models,
                replace=replace,
                chunk_size=chunk_size,
                verify_only=verify_only,
                progress=progress,
            )
        except MoveRefused as exc:
            raise CommandError(f"refused: {exc}", returncode=2) from None
        except DatabaseError as exc:
            raise CommandError(f"stopped by the database ({type(exc).__name__}: {exc}); run again to resume") from None
        failed = [result for result in results if not result.ok]
        for result in results:
            verdict = result.verdict
            if verdict.ok:
                self.stdout.write(f"{result.label}: verified {verdict.rows:,} row(s) in {verdict.ranges} range(s)")
            for mismatch in verdict.mismatches:
                self.stderr.write(str(mismatch))
        if failed:
            labels = ", ".join(result.label for result in failed)
            raise CommandError(f"verification failed for {labels}: the target does not hold the source's rows")
        self.stdout.write(f"{', '.join(app_labels)}: {source} -> {target} verified")
