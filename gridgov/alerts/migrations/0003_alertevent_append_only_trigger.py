"""On PostgreSQL the database itself refuses UPDATE and DELETE on the alert timeline (append-only), like the case
timeline; see ``core.append_only``."""

from django.db import migrations

from gridgov.core.append_only import append_only_trigger


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_default_rules")]

    operations = [append_only_trigger("alerts_alertevent")]
