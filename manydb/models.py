import uuid

from django.db import models
from django.utils import timezone


class OutboxMessage(models.Model):
    """Work for another database, stored in the transaction of the write that caused it.

    One table on each MANYDB["OUTBOX"] alias; always read and written with an
    explicit ``using`` (see manydb.outbox.delivery). A row is deleted once delivered,
    so the table is the undelivered backlog.
    """

    # Also the idempotency key at the receiving end: delivering twice is harmless.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    topic = models.CharField(max_length=100)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["created_at"], name="manydb_outbox_created")]

    def __str__(self):
        return f"{self.topic} {self.id}"
