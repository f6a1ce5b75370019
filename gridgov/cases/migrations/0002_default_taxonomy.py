"""Load the 18 default categories. Existing codes are left alone so a town's edits survive."""

from django.db import migrations


def load_default_taxonomy(apps, schema_editor):
    from gridgov.cases.taxonomy import category_defaults, default_taxonomy

    Category = apps.get_model("cases", "Category")
    for index, entry in enumerate(default_taxonomy()["categories"], start=1):
        Category.objects.get_or_create(code=entry["code"], defaults=category_defaults(entry, index * 10))


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(load_default_taxonomy, migrations.RunPython.noop)]
