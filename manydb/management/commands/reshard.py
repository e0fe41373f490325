"""Reshard an app: ``MANYDB_RESHARDING=analytics=3 manage.py reshard analytics --to 3``."""

from django.core.management import BaseCommand, CommandError
from django.db import DatabaseError

from manydb.moving import MoveRefused, Progress
from manydb.sharding.reshard import CHUNK_SIZE, ReshardRefused, reshard


class Command(BaseCommand):
    help = (
        "Move a sharded app's rows from its current shards to --to shards: only the rows whose shard changes, "
        "streamed, checkpointed, verified, then deleted from their old shard. Run it again to resume after an "
        "interruption; after success it moves nothing. With --to equal to the current count, checks that every "
        "row is on its shard. Exit 0 done, 1 verification failed or rows misplaced, 2 refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("app_label", metavar="APP_LABEL", help="The sharded app, e.g. analytics.")
        parser.add_argument("--to", type=int, required=True, metavar="N", help="The number of shards to end with.")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="Rows per chunk and per checked range.")

    def handle(self, *args, app_label, to, chunk_size, **options):
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        try:
            report = reshard(app_label, to=to, chunk_size=chunk_size, progress=Progress(self.stdout._out))
        except ReshardRefused as exc:
            raise CommandError(f"refused: {exc}", returncode=2) from None
        except MoveRefused as exc:
            raise CommandError(f"verification failed: {exc}; run again to resume", returncode=1) from None
        except DatabaseError as exc:
            raise CommandError(f"stopped by the database ({type(exc).__name__}: {exc}); run again to resume") from None
        if report.old == report.new:
            misplaced = sum(report.misplaced.values())
            self.stdout.write(
                f"{app_label}: already on {len(report.new)} shard(s); {report.scanned:,} row(s) checked, "
                f"{misplaced:,} on a shard not theirs"
            )
            if misplaced:
                where = ", ".join(f"{alias}: {count:,}" for alias, count in report.misplaced.items() if count)
                raise CommandError(f"misplaced rows ({where})", returncode=1)
            return
        self.stdout.write(
            f"{app_label}: {len(report.old)} -> {len(report.new)} shards: {report.moved:,} row(s) moved and verified, "
            f"{report.deleted:,} deleted from their old shard. Cut over: route '{app_label}' over "
            f"{', '.join(report.new)} (its shard count setting), drop MANYDB_RESHARDING, restart, then run "
            f"deliver_outbox for the writes held meanwhile."
        )
