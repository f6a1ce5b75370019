"""Version stamps live in the database every process shares: a bump by one process (or by a command run beside
the server) is what the next read anywhere returns; nothing is kept in the reading process."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from gridgov.core.models import Stamp
from gridgov.core.stamps import Stamped, bump_stamp, forget_all, read_stamp

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


# --- Stamped: a value kept per process until its stamp changes -----------------------------------------------------


@pytest.fixture(autouse=True)
def _drop_test_values():
    """The values these tests create leave the process's registry and signals with them."""
    from django.db.models.signals import post_delete, post_save

    from gridgov.cases.models import Category
    from gridgov.core import stamps

    yield
    stamps._registry[:] = [value for value in stamps._registry if not value.key.startswith("test:")]
    post_save.disconnect(sender=Category, dispatch_uid="test:categories:cases.Category:save")
    post_delete.disconnect(sender=Category, dispatch_uid="test:categories:cases.Category:delete")


@pytest.fixture
def clock(monkeypatch):
    """A monotonic clock the test moves by hand (``Stamped`` re-reads its stamp at most every second)."""
    from gridgov.core import stamps

    now = [1000.0]
    monkeypatch.setattr(stamps.time, "monotonic", lambda: now[0])
    return now


def _counted(values):
    builds: list[int] = []

    def build():
        builds.append(1)
        return values[len(builds) - 1]

    return build, builds


def test_a_stamped_value_is_built_once_and_rebuilt_when_another_process_bumps(clock):
    build, builds = _counted(["first", "second", "third"])
    cached = Stamped("test:value", build)
    assert cached.get() == "first"
    with CaptureQueriesContext(connection) as queries:
        assert cached.get() == "first"  # within the second: no query at all
    assert queries.captured_queries == []

    Stamp.objects.filter(key="test:value").update(value="bumped by another process")
    assert cached.get() == "first"  # not re-read yet
    clock[0] += 1.5
    assert cached.get() == "second"
    clock[0] += 1.5
    assert cached.get() == "second"  # re-read, unchanged: not rebuilt
    assert len(builds) == 2

    cached.changed()  # this process: at once, and the stamp moves for the others
    assert cached.get() == "third"


def test_a_stamped_value_follows_the_stamps_it_is_built_from(clock):
    build, builds = _counted(["first", "second"])
    cached = Stamped("test:own", build, also=["test:areas"])
    assert cached.get() == "first"
    bump_stamp("test:areas")
    clock[0] += 1.5
    assert cached.get() == "second"
    assert len(builds) == 2


def test_a_stamped_value_follows_saves_and_deletes_of_its_models(clock):
    from gridgov.cases.models import Category

    cached = Stamped("test:categories", lambda: set(Category.objects.values_list("code", flat=True)))
    cached.follow(Category, ignore_fields=["sort_order"])
    assert "new" not in cached.get()
    category = Category.objects.create(code="new", name="新类别", sla_working_days=5)
    assert "new" in cached.get()  # same process, same second: the save announced it

    before = read_stamp("test:categories")
    category.sort_order = 5
    category.save(update_fields=["sort_order"])  # bookkeeping only: no change announced
    assert read_stamp("test:categories") == before

    category.delete()
    assert "new" not in cached.get()


def test_forget_all_keeps_what_it_is_told_to_keep(clock):
    kept_build, _ = _counted(["kept", "kept again"])
    dropped_build, _ = _counted(["dropped", "rebuilt"])
    keep, drop = Stamped("test:keep", kept_build), Stamped("test:drop", dropped_build)
    keep.get(), drop.get()
    forget_all(keep=["test:keep"])
    assert keep.get() == "kept"
    assert drop.get() == "rebuilt"
