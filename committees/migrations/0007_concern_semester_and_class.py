"""The concern rows carry their barometer's semester and class (see BarometerConcern):
the columns and their copy here, the rest in 0008 (PostgreSQL will not alter a table with
the copy's deferred checks pending in the same transaction)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def copy_keys(apps, schema_editor):
    Barometer = apps.get_model("committees", "Barometer")
    BarometerConcern = apps.get_model("committees", "BarometerConcern")
    of_barometer = Barometer.objects.filter(pk=OuterRef("barometer_id"))
    BarometerConcern.objects.update(
        semester_id=Subquery(of_barometer.values("semester_id")[:1]),
        school_class_id=Subquery(of_barometer.values("school_class_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0006_concern_sum_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="barometerconcern",
            name="semester",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="counseling.semester",
            ),
        ),
        migrations.AddField(
            model_name="barometerconcern",
            name="school_class",
            field=models.ForeignKey(
                db_index=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="counseling.schoolclass",
            ),
        ),
        migrations.RunPython(copy_keys, migrations.RunPython.noop),
    ]
