"""On PostgreSQL the database itself refuses UPDATE and DELETE on the alert timeline (append-only), like the case
timeline. SQLite installations rely on the model and queryset guards."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION gridgov_alertevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'alerts_alertevent is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS alerts_alertevent_append_only ON alerts_alertevent;
CREATE TRIGGER alerts_alertevent_append_only BEFORE UPDATE OR DELETE ON alerts_alertevent
    FOR EACH ROW EXECUTE FUNCTION gridgov_alertevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS alerts_alertevent_append_only ON alerts_alertevent;
DROP FUNCTION IF EXISTS gridgov_alertevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_default_rules")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
