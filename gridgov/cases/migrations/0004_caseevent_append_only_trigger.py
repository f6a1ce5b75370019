"""On PostgreSQL the database itself refuses UPDATE and DELETE on the case timeline (append-only); see
``core.append_only``."""

from django.db import migrations

from gridgov.core.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_cases_and_timeline")]

    operations = [append_only_trigger("cases_caseevent")]
