import uuid

from django.db import models


class Event(models.Model):
    """Something that happened on the site. Lives on the analytics database.

    ``user_id`` is a plain integer, not a foreign key: events outlive
    accounts, are written at a rate the users database should not feel, and
    are only ever aggregated, never joined.
    """

    # Given by the writer, kept by the database: an event delivered twice
    # (an outbox retry) is stored once.
    event_id = models.UUIDField(unique=True, default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=50)
    user_id = models.BigIntegerField(null=True, blank=True)
    session_key = models.CharField(max_length=40, blank=True)
    path = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-occurred_at"]
        indexes = [
            models.Index(fields=["event_type", "occurred_at"]),
            models.Index(fields=["user_id", "occurred_at"]),
        ]

    def __str__(self):
        return f"{self.event_type} at {self.occurred_at:%Y-%m-%d %H:%M}"
