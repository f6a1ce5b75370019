"""On PostgreSQL the database itself refuses UPDATE and DELETE on the case timeline (append-only).

SQLite installations rely on the model and queryset guards; the trigger protects the production database against
raw SQL and other programs as well. TRUNCATE is left alone: it is a deliberate administrative act (and the test
runner's way of emptying tables), not something application code does.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION gridgov_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'cases_caseevent is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;
CREATE TRIGGER cases_caseevent_append_only BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION gridgov_caseevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS cases_caseevent_append_only ON cases_caseevent;
DROP FUNCTION IF EXISTS gridgov_caseevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("cases", "0003_cases_and_timeline")]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
