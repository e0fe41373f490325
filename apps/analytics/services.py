"""Writes to the analytics database, always through the outbox's guarantees.

Every event gets its id (a UUID) when it happens; analytics stores each id
once. So an event may be delivered more than once (a retry after a failure
that was not one) and is still counted once.
"""

import uuid
from datetime import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from apps.analytics.models import Event
from manydb import ShardMoving, outbox_put, outbox_send, shards_split

EVENT_TOPIC = "analytics.event"


def event_record(
    *,
    event_type: str,
    user_id: int | None = None,
    session_key: str = "",
    path: str = "",
    data: dict | None = None,
    occurred_at: datetime | None = None,
) -> uuid.UUID:
    """Record an event that goes with no other write (a page view).

    Stored on analytics now; if analytics fails, kept in the outbox and
    delivered when it is back, so the page that records it never fails.
    """
    return outbox_send(topic=EVENT_TOPIC, payload=_payload(event_type, user_id, session_key, path, data, occurred_at))


def event_record_on_commit(
    *,
    using: str,
    event_type: str,
    user_id: int | None = None,
    session_key: str = "",
    path: str = "",
    data: dict | None = None,
) -> uuid.UUID:
    """Record an event that belongs to a write in the caller's transaction on ``using``.

    The event commits with that write (in the outbox there), or not at all,
    and reaches analytics after the commit.
    """
    return outbox_put(using=using, topic=EVENT_TOPIC, payload=_payload(event_type, user_id, session_key, path, data))


def events_deliver(messages: list) -> None:
    """The outbox handler for EVENT_TOPIC: one Event per message, never two, each on its shard.

    One bulk insert per shard. A shard that fails fails the delivery: the
    messages stay in the outbox, and the shards that took theirs store them
    once again at the retry, which changes nothing (the unique event id).
    While analytics is being resharded, events whose key changes shard are
    held (ShardMoving): they wait in the outbox and reach their new shard
    after the cut-over.
    """
    by_shard, moving = shards_split(_event(message) for message in messages)
    for alias, events in by_shard.items():
        Event.objects.on_shard(alias).bulk_create(events, ignore_conflicts=True)
    if moving:
        raise ShardMoving.for_model(Event, held=[event.event_id for event in moving])


def _payload(event_type, user_id, session_key, path, data, occurred_at=None) -> dict:
    return {
        "event_type": event_type,
        "user_id": user_id,
        "session_key": session_key or "",
        "path": path[:500],
        "data": data or {},
        "occurred_at": (occurred_at or timezone.now()).isoformat(),
    }


def _event(message) -> Event:
    payload = message.payload
    return Event(
        event_id=message.id,
        event_type=payload["event_type"],
        user_id=payload["user_id"],
        session_key=payload["session_key"],
        path=payload["path"],
        data=payload["data"],
        occurred_at=parse_datetime(payload["occurred_at"]),
    )
