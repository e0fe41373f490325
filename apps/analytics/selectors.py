"""Reads of analytics data: aggregates only.

Events are sharded (see Event): one user's figures come from that user's
shard; site-wide figures are computed per shard, inside
``manydb.for_each_shard`` (or a page section per shard), and merged.
"""

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.analytics.models import Event
from manydb import for_each_shard


def event_counts_by_type(*, user_id: int | None = None, days: int = 30) -> dict[str, int]:
    """Events per type over the last ``days`` days: one user's (on their shard), or one shard's
    (inside for_each_shard)."""
    events = Event.objects.all() if user_id is None else Event.objects.for_key(user_id).filter(user_id=user_id)
    events = events.filter(occurred_at__gte=timezone.now() - timedelta(days=days))
    rows = events.values("event_type").annotate(n=Count("id")).order_by("event_type")
    return {row["event_type"]: row["n"] for row in rows}


def event_total() -> int:
    """One shard's events (inside for_each_shard)."""
    return Event.objects.count()


def event_counts_per_day(*, days: int = 30) -> dict:
    """One shard's events per day and type over the last ``days`` days: {date: {event_type: n}},
    oldest first (inside for_each_shard; merged, sort again)."""
    since = timezone.now() - timedelta(days=days)
    rows = (
        Event.objects.filter(occurred_at__gte=since)
        .annotate(day=TruncDate("occurred_at"))
        .values("day", "event_type")
        .annotate(n=Count("id"))
        .order_by("day", "event_type")
    )
    per_day: dict = {}
    for row in rows:
        per_day.setdefault(row["day"], {})[row["event_type"]] = row["n"]
    return per_day


def event_counts_by_type_site_wide(*, days: int = 30) -> tuple[dict[str, int], list[str]]:
    """Every shard's events per type, merged, and the shards that could not answer."""
    results = for_each_shard(Event, lambda alias: event_counts_by_type(days=days))
    return dict(sorted((results.merge() or {}).items())), results.missing
