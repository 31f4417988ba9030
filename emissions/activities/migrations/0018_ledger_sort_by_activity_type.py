"""An index for the ledger sorted by activity type, read type by type from it.

About as long to build as 0017's, writes to the records waiting meanwhile."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("activities", "0017_ledger_sort_by_emissions")]

    operations = [
        migrations.AddIndex(
            model_name="activityrecord",
            index=models.Index(
                fields=["activity_type", "period_start", "id"], name="record_type_start_id"
            ),
        ),
    ]
