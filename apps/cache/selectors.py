"""Reads of the cache database."""

from django.utils import timezone

from apps.cache.models import CacheEntry


def cache_entry_get(*, key: str) -> CacheEntry | None:
    """The entry under ``key`` if it has not expired."""
    return CacheEntry.objects.filter(key=key, expires_at__gt=timezone.now()).first()


def cache_entry_count() -> int:
    return CacheEntry.objects.count()
