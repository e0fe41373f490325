# PostgreSQL only: events are partitioned by month, so retention drops months
# instead of deleting rows. Other engines keep the plain table.
from django.db import migrations

import manydb


def partition(apps, schema_editor):
    manydb.partition_by_month(schema_editor, apps.get_model("analytics", "Event"), column="occurred_at")


class Migration(migrations.Migration):
    dependencies = [("analytics", "0005_event_unique_with_time")]

    operations = [migrations.RunPython(partition, migrations.RunPython.noop, elidable=False)]
