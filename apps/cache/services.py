"""Writes to the cache database."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.utils import timezone

from apps.cache.models import CacheEntry
from apps.cache.selectors import cache_entry_get


def cache_entry_put(*, key: str, value: Any, ttl_seconds: int) -> CacheEntry:
    now = timezone.now()
    entry, _ = CacheEntry.objects.update_or_create(
        key=key,
        defaults={"value": value, "created_at": now, "expires_at": now + timedelta(seconds=ttl_seconds)},
    )
    return entry


def cache_entry_get_or_compute(*, key: str, ttl_seconds: int, compute: Callable[[], Any]) -> CacheEntry:
    """The fresh entry under ``key``, or a new one from ``compute()``."""
    entry = cache_entry_get(key=key)
    if entry is None:
        entry = cache_entry_put(key=key, value=compute(), ttl_seconds=ttl_seconds)
    return entry


def cache_entries_purge_expired() -> int:
    deleted, _ = CacheEntry.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
