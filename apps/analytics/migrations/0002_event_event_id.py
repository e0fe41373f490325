# Step 1 of 3 (Django's recipe for a unique field on a table with rows):
# the column, nullable, so existing rows need no value yet.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("analytics", "0001_initial")]

    operations = [
        migrations.AddField(model_name="event", name="event_id", field=models.UUIDField(null=True, editable=False)),
    ]
