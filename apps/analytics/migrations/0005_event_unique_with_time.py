# The unique key of an event includes its time, which partitioning (0006) requires;
# the index on the time column gets a name of its own (BRIN on PostgreSQL, see 0006).
import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0004_event_event_id_unique")]

    operations = [
        migrations.AddConstraint(
            model_name="event",
            constraint=models.UniqueConstraint(fields=["event_id", "occurred_at"], name="analytics_event_once"),
        ),
        migrations.AlterField(
            model_name="event",
            name="event_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False),
        ),
        migrations.AlterField(model_name="event", name="occurred_at", field=models.DateTimeField()),
        migrations.AddIndex(model_name="event", index=models.Index(fields=["occurred_at"], name="analytics_event_time")),
    ]
