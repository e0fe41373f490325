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
``outbox.register("analytics.event", events_deliver)``; a handler receives a
list of OutboxMessage and raises if it could not store them all.
"""

import logging
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, transaction
from django.db.models import Count, F, Min
from django.utils import timezone

from multidb.models import OutboxMessage
from multidb.routing import routing_map

logger = logging.getLogger("multidb.outbox")

RETRY_SECONDS = 30.0  # a failing target is not tried inline again for this long, per process
SWEEP_SECONDS = 30.0  # at most one opportunistic backlog delivery per process this often
SWEEP_BATCH = 100  # messages per alias in one opportunistic delivery: a bounded cost
BATCH = 500  # messages per alias per round of deliver_outbox

Handler = Callable[[list[OutboxMessage]], None]
_handlers: dict[str, Handler] = {}


def register(topic: str, handler: Handler) -> None:
    _handlers[topic] = handler


@dataclass
class DeliveryReport:
    alias: str
    delivered: int = 0
    failed: int = 0
    error: str = ""  # the outbox on this alias could not be read


@dataclass
class Backlog:
    count: int
    oldest: datetime | None
    last_error: str


class ProcessState:
    """What one process remembers between requests: targets failing, the last sweep."""

    def __init__(self):
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.failing_until: dict[str, float] = {}
            self.last_sweep = time.monotonic()

    def target_up(self, topic: str) -> bool:
        return time.monotonic() >= self.failing_until.get(topic, 0.0)

    def target_failed(self, topic: str) -> None:
        self.failing_until[topic] = time.monotonic() + RETRY_SECONDS

    def sweep_due(self) -> bool:
        with self._lock:
            now = time.monotonic()
            if now - self.last_sweep < SWEEP_SECONDS:
                return False
            self.last_sweep = now
            return True


process_state = ProcessState()


def outbox_put(*, using: str, topic: str, payload: dict) -> uuid.UUID:
    """Store a message on ``using`` in the caller's transaction there; deliver it after commit."""
    if using not in routing_map().outbox_aliases:
        raise ImproperlyConfigured(f"'{using}' has no outbox: add it to MULTIDB['OUTBOX']['ALIASES'].")
    # An explicit alias, not the router: the message is never read through a
    # replica, so writing it must not pin this request's reads to a primary.
    message = OutboxMessage.objects.using(using).create(topic=topic, payload=payload)
    transaction.on_commit(lambda: _deliver_committed(using, [message]), using=using, robust=True)
    return message.id


def outbox_send(*, topic: str, payload: dict) -> uuid.UUID:
    """Deliver a message now; if its target fails, keep it on the FALLBACK alias for later."""
    message = OutboxMessage(topic=topic, payload=payload)
    if process_state.target_up(topic):
        try:
            _handle(topic, [message])
        except DatabaseError as exc:
            process_state.target_failed(topic)
            logger.warning("%s: target failed, keeping %s in the outbox: %s", topic, message.id, exc)
            message.attempts, message.last_error, message.last_attempt_at = 1, _one_line(exc)[:500], timezone.now()
        else:
            _sweep_if_due()
            return message.id
    fallback = routing_map().outbox_fallback
    if fallback is None:
        raise ImproperlyConfigured("MULTIDB['OUTBOX']['FALLBACK'] is not set: nowhere to keep the message.")
    message.save(using=fallback, force_insert=True)
    return message.id


def outbox_deliver(*, limit: int = BATCH) -> list[DeliveryReport]:
    """Deliver up to ``limit`` of the oldest messages on each outbox alias, whatever their state."""
    reports = []
    for alias in routing_map().outbox_aliases:
        report = DeliveryReport(alias)
        try:
            messages = list(OutboxMessage.objects.using(alias).order_by("created_at")[:limit])
            for topic, batch in groupby(messages, key=lambda message: message.topic):
                batch = list(batch)
                if _deliver(alias, topic, batch):
                    report.delivered += len(batch)
                else:
                    report.failed += len(batch)
        except DatabaseError as exc:
            report.error = _one_line(exc)
            logger.warning("outbox on %s unavailable: %s", alias, report.error)
        reports.append(report)
    return reports


def outbox_backlog(*, using: str) -> Backlog:
    """The messages waiting on ``using``: how many, since when, and the latest failure."""
    messages = OutboxMessage.objects.using(using)
    totals = messages.aggregate(count=Count("id"), oldest=Min("created_at"))
    failed = messages.exclude(last_error="").order_by("-last_attempt_at").values_list("last_error", flat=True)
    return Backlog(count=totals["count"], oldest=totals["oldest"], last_error=failed.first() or "")


def _deliver_committed(alias: str, messages: list[OutboxMessage]) -> None:
    topic = messages[0].topic
    if not process_state.target_up(topic):
        return  # known to be failing: the backlog waits for a sweep or the worker
    if _deliver(alias, topic, messages):
        _sweep_if_due()


def _deliver(alias: str, topic: str, messages: list[OutboxMessage]) -> bool:
    """Hand messages to their handler, then delete them; on failure, note it on them."""
    ids = [message.id for message in messages]
    try:
        _handle(topic, messages)
    except Exception as exc:  # a database down, or a bug in a handler: either way the messages stay
        if isinstance(exc, DatabaseError):
            process_state.target_failed(topic)
        logger.warning("%s: %d message(s) on %s not delivered: %s", topic, len(ids), alias, exc)
        OutboxMessage.objects.using(alias).filter(pk__in=ids).update(
            attempts=F("attempts") + 1, last_error=_one_line(exc)[:500], last_attempt_at=timezone.now()
        )
        return False
    OutboxMessage.objects.using(alias).filter(pk__in=ids).delete()
    return True


def _handle(topic: str, messages: list[OutboxMessage]) -> None:
    handler = _handlers.get(topic)
    if handler is None:
        raise LookupError(f"no outbox handler registered for topic {topic!r}")
    handler(messages)


def _sweep_if_due() -> None:
    if not process_state.sweep_due():
        return
    for report in outbox_deliver(limit=SWEEP_BATCH):
        if report.delivered:
            logger.info("delivered %d message(s) of the backlog on %s", report.delivered, report.alias)


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"
