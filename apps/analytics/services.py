"""Writes to the analytics database."""

from django.utils import timezone

from apps.analytics.models import Event


def event_record(
    *,
    event_type: str,
    user_id: int | None = None,
    session_key: str = "",
    path: str = "",
    data: dict | None = None,
    occurred_at=None,
) -> Event:
    return Event.objects.create(
        event_type=event_type,
        user_id=user_id,
        session_key=session_key or "",
        path=path[:500],
        data=data or {},
        occurred_at=occurred_at or timezone.now(),
    )
