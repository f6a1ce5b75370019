"""The notification admin is read-only and only for administrators (VIEW_AUDIT)."""

from __future__ import annotations

import pytest

from gridgov.accounts.choices import Role
from gridgov.notifications.actions import notify
from gridgov.notifications.choices import DeliveryStatus
from gridgov.notifications.models import Delivery
from gridgov.testing.factories import UserFactory, grant

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(dispatcher, alice):
    (notification,) = notify(actor=dispatcher, recipients=[alice], kind="system", title="系统维护", link="/")
    Delivery.objects.create(
        notification=notification,
        channel="webhook",
        status=DeliveryStatus.FAILED,
        attempts=1,
        last_error="boom",
    )
    return notification


def test_administrators_can_read_but_not_change(client, row):
    admin = UserFactory.create(username="notif-admin", is_staff=True)
    grant(admin, Role.ADMIN)
    client.force_login(admin)
    delivery = row.deliveries.get()
    for url in [
        "/admin/notifications/notification/",
        f"/admin/notifications/notification/{row.pk}/change/",
        "/admin/notifications/delivery/",
        "/admin/notifications/delivery/?status=failed",
        f"/admin/notifications/delivery/{delivery.pk}/change/",
    ]:
        assert client.get(url).status_code == 200, url
    assert "boom" in client.get("/admin/notifications/delivery/").content.decode()
    assert client.get("/admin/notifications/notification/add/").status_code == 403
    assert client.post(f"/admin/notifications/notification/{row.pk}/delete/").status_code == 403


def test_other_staff_cannot_see_them(client, row):
    staff = UserFactory.create(username="plain-staff", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/notifications/notification/").status_code == 403
    assert client.get("/admin/notifications/delivery/").status_code == 403
