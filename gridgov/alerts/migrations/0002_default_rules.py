"""Create the three default early-warning rules (repeat dispute, surge, urgent cluster) with default thresholds.

Existing codes are left alone so a town's edits survive.
"""

from django.db import migrations


def create_default_rules(apps, schema_editor):
    from gridgov.alerts.defaults import install_default_rules

    install_default_rules(apps.get_model("alerts", "AlertRule"), apps.get_model("cases", "Category"))


class Migration(migrations.Migration):
    dependencies = [("alerts", "0001_initial"), ("cases", "0002_default_taxonomy")]

    operations = [migrations.RunPython(create_default_rules, migrations.RunPython.noop)]
