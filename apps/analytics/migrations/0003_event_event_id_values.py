# Step 2 of 3: a distinct id for every existing event, in bounded batches.
import uuid

from django.db import migrations

BATCH = 2000


def give_each_event_an_id(apps, schema_editor):
    Event = apps.get_model("analytics", "Event")
    events = Event.objects.using(schema_editor.connection.alias)
    while batch := list(events.filter(event_id__isnull=True).only("pk")[:BATCH]):
        for event in batch:
            event.event_id = uuid.uuid4()
        events.bulk_update(batch, ["event_id"])


class Migration(migrations.Migration):
    dependencies = [("analytics", "0002_event_event_id")]

    operations = [migrations.RunPython(give_each_event_an_id, migrations.RunPython.noop)]
