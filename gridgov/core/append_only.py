"""The PostgreSQL trigger that makes a timeline table refuse UPDATE and DELETE (append-only), for migrations.

The models and their querysets refuse changes already; the trigger protects the production database against raw
SQL and other programs as well. SQLite installations rely on the model guards. TRUNCATE is left alone: it is a
deliberate administrative act (and the test runner's way of emptying tables), not something application code does.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations


def append_only_trigger(table: str) -> migrations.RunPython:
    """A migration operation that installs (and on reverse removes) the trigger on ``table`` on PostgreSQL."""
    function = f"gridgov_{table.split('_', 1)[1]}_append_only"
    trigger = f"{table}_append_only"
    create = f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{table} is append-only: % is not allowed', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS {trigger} ON {table};
CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION {function}();
"""
    drop = f"""
DROP TRIGGER IF EXISTS {trigger} ON {table};
DROP FUNCTION IF EXISTS {function}();
"""

    def forwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create, params=None)

    def backwards(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(drop, params=None)

    return migrations.RunPython(forwards, backwards)
