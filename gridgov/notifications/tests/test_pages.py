"""The inbox page, opening a notification, mark all as read, and the unread badge in the navigation."""

from __future__ import annotations

import re

import pytest
from django.conf import settings

from gridgov.notifications.actions import notify
from gridgov.notifications.models import Notification

pytestmark = pytest.mark.django_db

INBOX = "/notifications/"


def _notify(actor, recipient, title, link="/cases/categories/", kind="assignment"):
    (row,) = notify(actor=actor, recipients=[recipient], kind=kind, title=title, link=link)
    return row


def test_the_inbox_needs_a_signed_in_user(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_inbox_shows_only_the_users_own_notifications_newest_first(client, dispatcher, alice, bob):
    older = _notify(dispatcher, alice, "给 alice 的旧通知")
    newer = _notify(dispatcher, alice, "给 alice 的新通知", kind="urge")
    _notify(dispatcher, bob, "给 bob 的通知")
    Notification.objects.filter(pk=older.pk).update(read_at=older.created_at)
    client.force_login(alice)

    html = client.get(INBOX).content.decode()

    assert "给 alice 的旧通知" in html and "给 alice 的新通知" in html
    assert "给 bob 的通知" not in html
    assert html.index("给 alice 的新通知") < html.index("给 alice 的旧通知")
    assert f'id="notification-{newer.pk}" class="inbox__item inbox__item--unread"' in html
    assert f'id="notification-{older.pk}" class="inbox__item"' in html

    unread_only = client.get(INBOX, {"unread": "1"}).content.decode()
    assert "给 alice 的新通知" in unread_only and "给 alice 的旧通知" not in unread_only


def test_the_inbox_pages(client, dispatcher, alice):
    for number in range(25):
        _notify(dispatcher, alice, f"通知第{number:02d}条")
    client.force_login(alice)
    first = client.get(INBOX).content.decode()
    second = client.get(INBOX, {"page": 2}).content.decode()
    assert "通知第24条" in first and "通知第04条" not in first
    assert "通知第04条" in second and "通知第24条" not in second


def test_opening_marks_read_and_follows_the_link(client, dispatcher, alice):
    row = _notify(dispatcher, alice, "去看看", link="/cases/categories/#category-road")
    client.force_login(alice)

    response = client.post(f"/notifications/{row.pk}/open/")

    assert response.status_code == 302
    assert response["Location"] == "/cases/categories/#category-road"
    row.refresh_from_db()
    assert row.read_at is not None


def test_opening_without_a_link_returns_to_the_inbox(client, dispatcher, alice):
    row = _notify(dispatcher, alice, "只是告诉你", link="")
    client.force_login(alice)
    response = client.post(f"/notifications/{row.pk}/open/")
    assert response["Location"] == INBOX


def test_nobody_else_can_open_a_notification(client, dispatcher, alice, bob):
    row = _notify(dispatcher, alice, "给 alice")
    client.force_login(bob)
    assert client.post(f"/notifications/{row.pk}/open/").status_code == 404
    row.refresh_from_db()
    assert row.read_at is None


def test_opening_is_a_post(client, dispatcher, alice):
    row = _notify(dispatcher, alice, "给 alice")
    client.force_login(alice)
    assert client.get(f"/notifications/{row.pk}/open/").status_code == 405


def test_mark_all_as_read(client, dispatcher, alice, bob):
    _notify(dispatcher, alice, "一")
    _notify(dispatcher, alice, "二")
    _notify(dispatcher, bob, "三")
    client.force_login(alice)

    response = client.post("/notifications/read-all/", follow=True)

    assert response.redirect_chain == [(INBOX, 302)]
    assert Notification.objects.filter(recipient=alice, read_at__isnull=True).count() == 0
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def _nav_link(html: str) -> str:
    match = re.search(r"<a [^>]*data-notifications-link>.*?</a>", html, re.S)
    assert match, "the navigation has no notifications link"
    return match.group(0)


def test_the_navigation_shows_the_unread_count(client, dispatcher, alice):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(alice)
    assert _nav_link(client.get("/").content.decode()).endswith(">Notifications</a>")

    _notify(dispatcher, alice, "一")
    _notify(dispatcher, alice, "二")
    link = _nav_link(client.get("/").content.decode())
    assert 'href="/notifications/"' in link
    assert '(2<span class="visually-hidden"> unread</span>)' in link


def test_anonymous_visitors_see_no_notifications_link(client):
    assert "data-notifications-link" not in client.get("/").content.decode()


def test_an_empty_inbox_says_so(client, alice):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(alice)
    html = client.get(INBOX).content.decode()
    assert "No notifications yet." in html
    assert "Mark all as read" not in html
    assert "No unread notifications." in client.get(INBOX, {"unread": "1"}).content.decode()
