"""Version stamps live in the database every process shares: a bump by one process (or by a command run beside
the server) is what the next read anywhere returns; nothing is kept in the reading process."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from gridgov.core.models import Stamp
from gridgov.core.stamps import bump_stamp, read_stamp

pytestmark = pytest.mark.django_db


def test_a_stamp_is_created_on_first_read_and_then_stable():
    first = read_stamp("thing")
    assert len(first) == 32
    assert read_stamp("thing") == first
    assert Stamp.objects.get(key="thing").value == first


def test_a_bump_gives_a_new_stamp():
    first = read_stamp("thing")
    bump_stamp("thing")
    second = read_stamp("thing")
    assert second != first
    bump_stamp("never read")  # a bump before any read creates it
    assert len(read_stamp("never read")) == 32


def test_a_change_made_by_another_process_is_read_at_once():
    read_stamp("thing")
    Stamp.objects.filter(key="thing").update(value="written elsewhere")  # what another process's bump does
    with CaptureQueriesContext(connection) as queries:
        assert read_stamp("thing") == "written elsewhere"
    assert [q["sql"] for q in queries.captured_queries if "core_stamp" in q["sql"]] != []
    assert sum(q["sql"].startswith("SELECT") for q in queries.captured_queries) == 1


def test_a_failed_read_leaves_the_callers_transaction_usable():
    """On PostgreSQL a failed statement aborts the whole transaction unless it ran in a savepoint."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_stamp RENAME TO core_stamp_gone")
        with pytest.raises(DatabaseError):
            read_stamp("thing")
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE core_stamp_gone RENAME TO core_stamp")
        assert read_stamp("thing")  # the transaction still works
