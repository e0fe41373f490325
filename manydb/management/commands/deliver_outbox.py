"""Deliver the outbox backlog: once (cron, after an outage) or continuously (a worker)."""

import signal
import threading

from django.core.management import BaseCommand, CommandError
from django.db import close_old_connections

from manydb.outbox.delivery import outbox_deliver
from manydb.scope.state import routing_scope


class Command(BaseCommand):
    help = (
        "Deliver the messages waiting in each outbox (manydb.outbox). Without --loop, delivers until "
        "the backlog is empty or nothing more can be delivered, and exits 1 if any message failed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help="Keep delivering, as a worker process.")
        parser.add_argument("--interval", type=float, default=5.0, help="Seconds between rounds with --loop.")
        parser.add_argument(
            "--limit", type=int, default=None, help="Messages per database per round (default: OUTBOX['BATCH'])."
        )

    def handle(self, *args, loop: bool, interval: float, limit: int, verbosity: int, **options):
        if loop:
            self._loop(interval, limit, verbosity)
            return
        delivered = failed = 0
        while True:
            done, failing = self._round(limit, verbosity)
            delivered, failed = delivered + done, failed + failing
            if not done or failing:
                break
        self.stdout.write(f"delivered {delivered}, failed {failed}")
        if failed:
            raise CommandError(f"{failed} message(s) could not be delivered; they stay in the outbox.", returncode=1)

    def _loop(self, interval: float, limit: int, verbosity: int) -> None:
        """Deliver until SIGTERM or SIGINT, which end the loop after the current round.

        As a container's main process this gets `docker stop`'s SIGTERM; without
        a handler Python ignores it as PID 1 and Docker kills the process after
        its grace period. Stopping between rounds leaves nothing half-done: a
        message is either delivered and marked, or still in its outbox.
        """
        stop = threading.Event()

        def request_stop(signum, frame):
            stop.set()

        previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
        self.stdout.write(f"delivering the outbox every {interval:g}s")
        try:
            while not stop.is_set():
                delivered, _ = self._round(limit, verbosity)
                if not delivered:
                    stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("stopped")

    def _round(self, limit: int, verbosity: int) -> tuple[int, int]:
        # Each round is a unit of work: its own routing state, and connections
        # a failure left unusable are replaced before the next one.
        close_old_connections()
        with routing_scope():
            reports = outbox_deliver(limit=limit)
        for report in reports:
            if report.error:
                self.stderr.write(f"{report.alias:<12} unavailable: {report.error}")
            elif verbosity > 1 or report.delivered or report.failed or report.held:
                held = f", held {report.held} (their shard is moving)" if report.held else ""
                self.stdout.write(f"{report.alias:<12} delivered {report.delivered}, failed {report.failed}{held}")
        failed = sum(r.failed for r in reports) + sum(1 for r in reports if r.error)
        return sum(r.delivered for r in reports), failed
