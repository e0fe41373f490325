# Step 3 of 3: required and unique, with a new id by default.
import uuid

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0003_event_event_id_values")]

    operations = [
        migrations.AlterField(
            model_name="event",
            name="event_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
