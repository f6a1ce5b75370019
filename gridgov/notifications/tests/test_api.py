"""The inbox API: own notifications only, ?unread=1, mark one read, mark all read, a clean schema."""

from __future__ import annotations

import pytest
from django.urls import include, path
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from gridgov.notifications.actions import notify
from gridgov.notifications.models import Notification

pytestmark = pytest.mark.django_db

LIST = "/api/v1/notifications/"


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def _notify(actor, recipient, title):
    (row,) = notify(actor=actor, recipients=[recipient], kind="returned", title=title, link="/cases/1/")
    return row


def test_signed_in_users_only(api):
    response = api.get(LIST)
    assert response.status_code in (401, 403)
    assert "error" in response.json()


def test_list_shows_only_own_and_filters_unread(api, dispatcher, alice, bob):
    read = _notify(dispatcher, alice, "已读的")
    unread = _notify(dispatcher, alice, "未读的")
    _notify(dispatcher, bob, "bob 的")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    api.force_authenticate(alice)

    body = api.get(LIST).json()
    assert body["count"] == 2
    assert [item["title"] for item in body["results"]] == ["未读的", "已读的"]
    first = body["results"][0]
    assert first["id"] == unread.pk
    assert (first["kind"], first["link"], first["is_read"], first["read_at"]) == (
        "returned",
        "/cases/1/",
        False,
        None,
    )

    assert [item["id"] for item in api.get(LIST, {"unread": "1"}).json()["results"]] == [unread.pk]
    assert api.get(LIST, {"unread": "perhaps"}).json()["error"]["fields"].keys() == {"unread"}


def test_mark_one_read(api, dispatcher, alice, bob):
    row = _notify(dispatcher, alice, "给 alice")
    api.force_authenticate(bob)
    response = api.post(f"{LIST}{row.pk}/read/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"

    api.force_authenticate(alice)
    response = api.post(f"{LIST}{row.pk}/read/")
    assert response.status_code == 200
    assert response.json()["is_read"] is True
    row.refresh_from_db()
    assert row.read_at is not None


def test_mark_all_read(api, dispatcher, alice, bob):
    _notify(dispatcher, alice, "一")
    _notify(dispatcher, alice, "二")
    _notify(dispatcher, bob, "三")
    api.force_authenticate(alice)
    assert api.post(f"{LIST}read-all/").json() == {"marked": 2}
    assert api.post(f"{LIST}read-all/").json() == {"marked": 0}
    assert Notification.objects.filter(recipient=bob, read_at__isnull=True).count() == 1


def test_schema_builds_without_warnings():
    GENERATOR_STATS.reset()
    generator = SchemaGenerator(
        patterns=[path("api/v1/notifications/", include("gridgov.notifications.api.urls"))]
    )
    schema = generator.get_schema(request=None, public=True)
    assert not GENERATOR_STATS._warn_cache
    assert not GENERATOR_STATS._error_cache
    assert {
        "/api/v1/notifications/",
        "/api/v1/notifications/{id}/read/",
        "/api/v1/notifications/read-all/",
    } <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/notifications/"]["get"]["parameters"]}
    assert parameters == {"unread", "page"}
