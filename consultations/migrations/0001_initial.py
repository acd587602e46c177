# The consultation room's first migration: empty, so that each of its features' migrations
# can start from one root.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = []
