"""Reads of analytics data: aggregates only."""

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from apps.analytics.models import Event


def event_counts_by_type(*, user_id: int | None = None, days: int = 30) -> dict[str, int]:
    """Events per type over the last ``days`` days, for one user or the whole site."""
    events = Event.objects.filter(occurred_at__gte=timezone.now() - timedelta(days=days))
    if user_id is not None:
        events = events.filter(user_id=user_id)
    rows = events.values("event_type").annotate(n=Count("id")).order_by("event_type")
    return {row["event_type"]: row["n"] for row in rows}


def event_total() -> int:
    return Event.objects.count()


def event_counts_per_day(*, days: int = 30) -> dict:
    """Events per day and type over the last ``days`` days: {date: {event_type: n}}, oldest first."""
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
