"""A transactional outbox: writes meant for another database, never lost and never doubled.

There is no transaction across two databases. A write on ``users`` that must
also reach ``analytics`` is therefore stored as a message in an outbox table
on ``users``, in the same transaction as the write: both commit or neither
does. After the commit the message is delivered to its handler, which writes
on the other database and must be idempotent (the message's UUID is its key
there); then the message is deleted. A delivery that fails, or a crash
between the handler's write and the deletion, leaves the message to be
delivered again, which changes nothing the second time.

    outbox_put(using=alias, topic=..., payload=...)  # inside the caller's transaction on alias
    outbox_send(topic=..., payload=...)              # nothing to commit with: deliver now,
                                                     # else wait on the FALLBACK alias

Messages are delivered:

1. right after their transaction commits (``transaction.on_commit``);
2. by ``manage.py deliver_outbox`` (``--loop`` for a worker process);
3. opportunistically: after a delivery succeeds, a process delivers a small
   batch of the backlog, at most once every SWEEP_SECONDS, so the backlog
   drains when the target returns even where no worker runs.

While a target is failing, each process stops trying it inline for
RETRY_SECONDS: requests then queue at once instead of each waiting for a
connection timeout.

Apps register one handler per topic in their AppConfig.ready():
``outbox_register("analytics.event", events_deliver)``; a handler receives a
list of OutboxMessage and raises if it could not store them all. A handler
that stored some and must keep the others for later (their shard is being
moved: ``manydb.ShardMoving``) raises ``MessagesHeld`` naming those: the
others are done, the held ones stay queued without counting as a failure,
and later messages are delivered past them. The intervals are settings:
``MANYDB["OUTBOX"]`` (see OutboxOptions).
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.db.models import Count, F, Min, Q
from django.utils import timezone

from manydb.deadlines.statements import statement_deadline
from manydb.errors import describe
from manydb.outbox.process_state import process_state
from manydb.scope.state import routing_scope
from manydb.topology.routing_map import routing_map

logger = logging.getLogger("manydb.outbox")

Handler = Callable[[list], None]  # receives a list of manydb.models.OutboxMessage
_handlers: dict[str, Handler] = {}


class MessagesHeld(DatabaseError):
    """Raised by a handler that stored every message but those in ``held`` (ids), which must wait.

    A DatabaseError, so whoever catches a target's failure keeps the message too.
    """

    def __init__(self, message: str, *, held):
        super().__init__(message)
        self.held = set(held)


def outbox_register(topic: str, handler: Handler) -> None:
    """Deliver messages of ``topic`` with ``handler`` (call it from an AppConfig.ready())."""
    _handlers[topic] = handler


def _messages():
    # The model, looked up when needed: the package root that re-exports this
    # module is imported by settings, before models may be.
    return apps.get_model("manydb", "OutboxMessage")


@dataclass
class DeliveryReport:
    alias: str
    delivered: int = 0
    failed: int = 0
    held: int = 0  # kept back by their handler (MessagesHeld), not failures
    error: str = ""  # the outbox on this alias could not be read


@dataclass
class Backlog:
    count: int
    oldest: datetime | None
    last_error: str


def outbox_put(*, using: str, topic: str, payload: dict) -> uuid.UUID:
    """Store a message on ``using`` in the caller's transaction there; deliver it after commit."""
    if using not in routing_map().outbox_aliases:
        raise ImproperlyConfigured(f"'{using}' has no outbox: add it to MANYDB['OUTBOX']['ALIASES'].")
    # An explicit alias, not the router: the message is never read through a
    # replica, so writing it must not pin this request's reads to a primary.
    message = _messages().objects.using(using).create(topic=topic, payload=payload)
    transaction.on_commit(lambda: _deliver_committed(using, [message]), using=using, robust=True)
    return message.id


def outbox_send(*, topic: str, payload: dict) -> uuid.UUID:
    """Deliver a message now; if its target fails, keep it on the FALLBACK alias for later."""
    message = _messages()(topic=topic, payload=payload)
    if process_state.target_up(topic):
        try:
            with statement_deadline(routing_map().outbox.send_budget_seconds):
                _handle(topic, [message])
        except MessagesHeld as exc:  # the target is up; this message must wait
            message.last_error, message.last_attempt_at = str(exc)[:500], timezone.now()
        except DatabaseError as exc:
            process_state.target_failed(topic)
            logger.warning("%s: target failed, keeping %s in the outbox: %s", topic, message.id, exc)
            message.attempts, message.last_error, message.last_attempt_at = 1, describe(exc)[:500], timezone.now()
        else:
            _sweep_if_due()
            return message.id
    fallback = routing_map().outbox_fallback
    if fallback is None:
        raise ImproperlyConfigured("MANYDB['OUTBOX']['FALLBACK'] is not set: nowhere to keep the message.")
    message.save(using=fallback, force_insert=True)
    return message.id


def outbox_deliver(*, limit: int | None = None) -> list[DeliveryReport]:
    """Deliver up to ``limit`` (default: OUTBOX["BATCH"]) of the oldest messages on each outbox alias.

    Held messages do not count: delivery carries on past them, oldest first.
    """
    limit = limit or routing_map().outbox.batch
    reports = []
    for alias in routing_map().outbox_aliases:
        report = DeliveryReport(alias)
        try:
            for page in _pages(alias, limit):
                for topic, batch in groupby(page, key=lambda message: message.topic):
                    delivered, held, failed = _deliver(alias, topic, list(batch))
                    report.delivered, report.held = report.delivered + delivered, report.held + held
                    report.failed += failed
                if report.delivered + report.failed >= limit:
                    break
        except DatabaseError as exc:
            report.error = describe(exc)
            logger.warning("outbox on %s unavailable: %s", alias, report.error)
        reports.append(report)
    return reports


def outbox_backlog(*, using: str) -> Backlog:
    """The messages waiting on ``using``: how many, since when, and the latest failure."""
    messages = _messages().objects.using(using)
    totals = messages.aggregate(count=Count("id"), oldest=Min("created_at"))
    if not totals["count"]:
        return Backlog(count=0, oldest=None, last_error="")  # nothing waits: no failure to look up
    failed = messages.exclude(last_error="").order_by("-last_attempt_at").values_list("last_error", flat=True)
    return Backlog(count=totals["count"], oldest=totals["oldest"], last_error=failed.first() or "")


def _pages(alias: str, size: int):
    """The messages on ``alias``, oldest first, ``size`` at a time (keyset pages: held ones are passed)."""
    queryset = _messages().objects.using(alias).order_by("created_at", "id")
    page = list(queryset[:size])
    while page:
        yield page
        last = page[-1]
        after = Q(created_at__gt=last.created_at) | Q(created_at=last.created_at, id__gt=last.id)
        page = list(queryset.filter(after)[:size])


def _deliver_committed(alias: str, messages: list) -> None:
    topic = messages[0].topic
    if not process_state.target_up(topic):
        return  # known to be failing: the backlog waits for a sweep or the worker
    # The outbox's own bookkeeping (deleting what was delivered) is not the
    # client's write: a scope of its own keeps it from pinning the client's reads.
    with routing_scope():
        _, _, failed = _deliver(alias, topic, messages)
    if not failed:
        _sweep_if_due()


def _deliver(alias: str, topic: str, messages: list) -> tuple[int, int, int]:
    """Hand messages to their handler, then delete those it stored; on failure, note it on them.

    Returns how many were delivered, held back by the handler, and failed.
    """
    ids = [message.id for message in messages]
    try:
        _handle(topic, messages)
    except MessagesHeld as exc:
        held = [pk for pk in ids if pk in exc.held]
        _messages().objects.using(alias).filter(pk__in=held).update(
            last_error=str(exc)[:500], last_attempt_at=timezone.now()
        )
        _messages().objects.using(alias).filter(pk__in=[pk for pk in ids if pk not in exc.held]).delete()
        return len(ids) - len(held), len(held), 0
    except Exception as exc:  # a database down, or a bug in a handler: either way the messages stay
        if isinstance(exc, DatabaseError):
            process_state.target_failed(topic)
        logger.warning("%s: %d message(s) on %s not delivered: %s", topic, len(ids), alias, exc)
        _messages().objects.using(alias).filter(pk__in=ids).update(
            attempts=F("attempts") + 1, last_error=describe(exc)[:500], last_attempt_at=timezone.now()
        )
        return 0, 0, len(ids)
    _messages().objects.using(alias).filter(pk__in=ids).delete()
    return len(ids), 0, 0


def _handle(topic: str, messages: list) -> None:
    handler = _handlers.get(topic)
    if handler is None:
        raise LookupError(f"no outbox handler registered for topic {topic!r}")
    handler(messages)


def _sweep_if_due() -> None:
    if not process_state.sweep_due():
        return
    with routing_scope():  # bookkeeping, not the client's write (see _deliver_committed)
        reports = outbox_deliver(limit=routing_map().outbox.sweep_batch)
    for report in reports:
        if report.delivered:
            logger.info("delivered %d message(s) of the backlog on %s", report.delivered, report.alias)
