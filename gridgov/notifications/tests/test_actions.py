"""notify(): rows in the caller's transaction, delivery only after commit, recipients cleaned; marking read."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from gridgov.notifications.actions import mark_all_read, mark_read, notify
from gridgov.notifications.choices import DeliveryStatus, NotificationKind
from gridgov.notifications.models import Delivery, Notification
from gridgov.notifications.tests.conftest import BROKEN, RECORDING
from gridgov.testing.factories import UserFactory

pytestmark = pytest.mark.django_db


def _notify(actor, recipients, **extra):
    return notify(
        actor=actor,
        recipients=recipients,
        kind=extra.pop("kind", NotificationKind.ASSIGNMENT),
        title=extra.pop("title", "案件 GG-20260514-0001 已派遣给你的部门"),
        link=extra.pop("link", "/cases/1/"),
        **extra,
    )


def test_rows_are_written_now_and_delivered_only_after_commit(
    dispatcher, alice, bob, channels, recording, django_capture_on_commit_callbacks
):
    channels(RECORDING)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        rows = _notify(dispatcher, [alice, bob], body="请尽快签收", data={"number": "GG-20260514-0001"})
        assert Notification.objects.filter(pk__in=[row.pk for row in rows]).count() == 2
        assert recording == []
    assert len(callbacks) == 1
    assert recording == []  # the transaction has not committed yet

    callbacks[0]()

    assert sorted(recording) == sorted(row.pk for row in rows)
    assert set(Delivery.objects.values_list("channel", "status", "attempts")) == {
        ("recording", DeliveryStatus.SENT, 1)
    }
    row = Notification.objects.get(recipient=alice)
    assert (row.kind, row.body, row.link, row.data) == (
        "assignment",
        "请尽快签收",
        "/cases/1/",
        {"number": "GG-20260514-0001"},
    )
    assert row.read_at is None and row.created_at is not None


def test_nothing_is_written_or_sent_when_the_transaction_rolls_back(
    dispatcher, alice, channels, recording, django_capture_on_commit_callbacks
):
    channels(RECORDING)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _notify(dispatcher, [alice])
        raise RuntimeError("the action failed after notifying")
    assert callbacks == []
    assert Notification.objects.count() == 0
    assert recording == []
    assert Delivery.objects.count() == 0


def test_recipients_are_deduplicated_and_the_actor_and_inactive_users_skipped(dispatcher, alice, bob):
    retired = UserFactory.create(username="retired", is_active=False)
    rows = _notify(dispatcher, [alice, dispatcher, bob, alice, retired, bob])
    assert sorted(row.recipient.username for row in rows) == ["alice", "bob"]
    assert Notification.objects.filter(recipient=dispatcher).count() == 0
    assert Notification.objects.filter(recipient=retired).count() == 0


def test_no_recipient_left_writes_nothing_and_schedules_nothing(
    dispatcher, channels, django_capture_on_commit_callbacks
):
    channels(RECORDING)
    with django_capture_on_commit_callbacks() as callbacks:
        assert _notify(dispatcher, [dispatcher]) == []
    assert callbacks == []


def test_in_app_only_by_default_schedules_no_delivery(dispatcher, alice, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        _notify(dispatcher, [alice])
    assert callbacks == []
    assert Notification.objects.filter(recipient=alice).count() == 1


def test_the_target_is_stored_as_type_and_id(dispatcher, alice, region):
    (row,) = _notify(dispatcher, [alice], target=region.grids[0])
    assert (row.target_type, row.target_id) == ("geo.area", str(region.grids[0].pk))


def test_a_long_title_is_shortened(dispatcher, alice):
    (row,) = _notify(dispatcher, [alice], title="很长" * 200)
    row.refresh_from_db()
    assert len(row.title) == 200 and row.title.endswith("…")


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("", True),
        ("/cases/1/", True),
        ("https://evil.example/", False),
        ("//evil.example/", False),
        ("/\\evil.example/", False),
        ("cases/1/", False),
        ("/cases/1/\r\nSet-Cookie: x", False),
    ],
)
def test_links_must_be_local_paths(dispatcher, alice, link, ok):
    if ok:
        assert len(_notify(dispatcher, [alice], link=link)) == 1
    else:
        with pytest.raises(ValueError, match="invalid notification link"):
            _notify(dispatcher, [alice], link=link)


def test_unknown_kind_and_empty_title_are_programming_errors(dispatcher, alice):
    with pytest.raises(ValueError, match="unknown notification kind"):
        _notify(dispatcher, [alice], kind="gossip")
    with pytest.raises(ValueError, match="needs a title"):
        _notify(dispatcher, [alice], title="  ")


def test_a_failing_channel_never_reaches_the_caller(
    dispatcher, alice, channels, recording, django_capture_on_commit_callbacks
):
    channels(BROKEN, RECORDING)
    with django_capture_on_commit_callbacks(execute=True):
        (row,) = _notify(dispatcher, [alice])
    statuses = dict(Delivery.objects.filter(notification=row).values_list("channel", "status"))
    assert statuses == {"broken": DeliveryStatus.FAILED, "recording": DeliveryStatus.SENT}
    assert "ConnectionError: gateway down" in Delivery.objects.get(channel="broken").last_error
    assert recording == [row.pk]  # the broken channel did not stop the next one


def test_a_failing_runner_never_reaches_the_caller(
    dispatcher, alice, channels, django_capture_on_commit_callbacks
):
    channels(RECORDING, NOTIFY_DELIVER="gridgov.notifications.tests.no_such_module.run")
    with django_capture_on_commit_callbacks(execute=True):
        rows = _notify(dispatcher, [alice])
    assert len(rows) == 1
    assert Delivery.objects.count() == 0


def test_mark_read_only_for_the_recipient(dispatcher, alice, bob):
    (for_alice,) = _notify(dispatcher, [alice])
    with pytest.raises(PermissionDenied):
        mark_read(actor=bob, notifications=[for_alice])
    for_alice.refresh_from_db()
    assert for_alice.read_at is None

    assert mark_read(actor=alice, notifications=[for_alice]) == 1
    assert for_alice.read_at is not None
    assert mark_read(actor=alice, notifications=[for_alice]) == 0  # already read: nothing changes


def test_mark_all_read_touches_only_the_actors_rows(dispatcher, alice, bob):
    _notify(dispatcher, [alice, bob])
    _notify(dispatcher, [alice], kind=NotificationKind.URGE, title="催办")
    assert mark_all_read(actor=alice) == 2
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1
