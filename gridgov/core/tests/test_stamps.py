"""Version stamps live in the database every process shares: a bump by one process (or by a command run beside
the server) is what the next read anywhere returns; nothing is kept in the reading process."""

from __future__ import annotations

import pytest

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


def test_a_change_made_by_another_process_is_read_at_once(django_assert_num_queries):
    read_stamp("thing")
    Stamp.objects.filter(key="thing").update(value="written elsewhere")  # what another process's bump does
    with django_assert_num_queries(1):
        assert read_stamp("thing") == "written elsewhere"
