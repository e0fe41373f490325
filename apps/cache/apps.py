from django.apps import AppConfig


class CacheConfig(AppConfig):
    name = "apps.cache"
    label = "cache"

    def ready(self):
        import manydb
        from apps.cache.models import CacheEntry

        # Expired entries are never read again; dbmaint cleanup deletes them.
        manydb.retention_register("cache entries", model=CacheEntry, field="expires_at")
