from django.db import models
from django.utils import timezone


class CacheEntry(models.Model):
    """A computed value kept on the cache database, with the time it was computed.

    Django's DatabaseCache (the ``django_cache`` table, same database) cannot
    say how old a value is; the dashboard shows that age, so its aggregates
    are kept here.
    """

    key = models.CharField(max_length=200, unique=True)
    value = models.JSONField()
    expires_at = models.DateTimeField(db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "cache entries"

    def __str__(self):
        return self.key

    @property
    def age_seconds(self) -> float:
        return (timezone.now() - self.created_at).total_seconds()

    @property
    def is_fresh(self) -> bool:
        return self.expires_at > timezone.now()
