"""What the bench scripts share (imported as ``_support``: the scripts run from this folder)."""

from __future__ import annotations


def reset_postgres() -> None:
    """Create the bench's PostgreSQL database if needed and empty it (the bench's own, named in DATABASE_URL).

    Does nothing on another database engine.
    """
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    import psycopg

    name = connection.settings_dict["NAME"]
    params = {key: connection.settings_dict[key.upper()] for key in ("host", "port", "user", "password")}
    with psycopg.connect(
        dbname="postgres", autocommit=True, **{k: v for k, v in params.items() if v}
    ) as admin:
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            admin.execute(f'CREATE DATABASE "{name}"')
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public;")
