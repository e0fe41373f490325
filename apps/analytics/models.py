import uuid

from django.db import models

from manydb import ShardedManager


class Event(models.Model):
    """Something that happened on the site. Lives on the analytics shards.

    Events are spread over the analytics databases (analytics, analytics_2,
    ...) by user: an account's events share a shard, an anonymous visitor's
    follow the session (AnalyticsConfig.ready names the key). A query names
    its key or shard: ``Event.objects.for_key(user_id)``,
    ``Event.objects.on_shard(alias)``, or ``manydb.for_each_shard`` for totals.

    ``user_id`` is a plain integer, not a foreign key: events outlive
    accounts, are written at a rate the users database should not feel, and
    are only ever aggregated, never joined.

    On PostgreSQL the table is partitioned by month of ``occurred_at``
    (migration 0006, see manydb.maintenance.partitions): old months are
    dropped whole. Every unique key of a partitioned table must include the
    partition column, hence (event_id, occurred_at) below; an event keeps
    its ``occurred_at`` across redeliveries, so that pair still stores each
    event once. The index on ``occurred_at`` is a BRIN index there.
    """

    # Given by the writer, kept by the database: an event delivered twice
    # (an outbox retry) is stored once (the constraint in Meta).
    event_id = models.UUIDField(default=uuid.uuid4, editable=False)
    event_type = models.CharField(max_length=50)
    user_id = models.BigIntegerField(null=True, blank=True)
    session_key = models.CharField(max_length=40, blank=True)
    path = models.CharField(max_length=500, blank=True)
    data = models.JSONField(default=dict, blank=True)
    occurred_at = models.DateTimeField()

    objects = ShardedManager()

    class Meta:
        ordering = ["-occurred_at"]
        constraints = [models.UniqueConstraint(fields=["event_id", "occurred_at"], name="analytics_event_once")]
        indexes = [
            models.Index(fields=["occurred_at"], name="analytics_event_time"),
            models.Index(fields=["event_type", "occurred_at"]),
            models.Index(fields=["user_id", "occurred_at"]),
        ]

    def __str__(self):
        return f"{self.event_type} at {self.occurred_at:%Y-%m-%d %H:%M}"

    @property
    def shard_key(self) -> int | str:
        """The account's id, else the session's key, else the event's own id."""
        if self.user_id is not None:
            return self.user_id
        return self.session_key or str(self.event_id)
