"""The concern rows' copy of the semester and class made required, indexed, and (on
PostgreSQL) held equal to the barometer's by a foreign key over the three columns."""

import django.db.models.deletion
from django.db import migrations, models

FOREIGN_KEY = "concern_matches_its_barometer"


def add_foreign_key(apps, schema_editor):
    # Django has no foreign key over several columns; PostgreSQL (every deployment and CI)
    # refuses a concern whose semester or class differs from its barometer's. SQLite, for
    # a laptop's `make run`, relies on the model filling the copy.
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE committees_barometerconcern ADD CONSTRAINT {FOREIGN_KEY} "
        "FOREIGN KEY (barometer_id, semester_id, school_class_id) "
        "REFERENCES committees_barometer (id, semester_id, school_class_id) "
        "ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED"
    )


def drop_foreign_key(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE committees_barometerconcern DROP CONSTRAINT {FOREIGN_KEY}"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("committees", "0007_concern_semester_and_class"),
    ]

    operations = [
        migrations.AlterField(
            model_name="barometerconcern",
            name="semester",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="counseling.semester",
            ),
        ),
        migrations.AlterField(
            model_name="barometerconcern",
            name="school_class",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="counseling.schoolclass",
            ),
        ),
        migrations.AddIndex(
            model_name="barometerconcern",
            index=models.Index(
                fields=["semester", "kind"],
                include=("count", "school_class"),
                name="concern_semester_sum_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="barometerconcern",
            index=models.Index(
                fields=["school_class", "semester"],
                include=("kind", "count"),
                name="concern_class_sum_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="barometer",
            constraint=models.UniqueConstraint(
                fields=("id", "semester", "school_class"), name="barometer_keys_for_concerns"
            ),
        ),
        migrations.RunPython(add_foreign_key, drop_foreign_key),
    ]
