"""The calendar admin saves through the actions; the audit trail admin is read-only."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from gridgov.accounts.choices import Role
from gridgov.core.audit import record
from gridgov.core.models import AuditEntry, CalendarDay, HolidayYear
from gridgov.testing.factories import UserFactory, grant


@pytest.fixture
def admin_client(client, db):
    user = UserFactory.create(username="calendar-admin", is_staff=True)
    grant(user, Role.ADMIN)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def entry(admin_client):
    return record(actor=admin_client.user, verb="test", summary="something happened")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/core/holidayyear/",
        "/admin/core/holidayyear/add/",
        "/admin/core/calendarday/",
        "/admin/core/calendarday/add/",
        "/admin/core/calendarday/?date__year=2026",
        "/admin/core/auditentry/",
    ],
)
def test_admin_pages_load_for_an_administrator(admin_client, url):
    assert admin_client.get(url).status_code == 200


@pytest.mark.django_db
def test_the_calendar_pages_warn_about_a_missing_year(admin_client, monkeypatch):
    monkeypatch.setattr("gridgov.core.admin.missing_schedule_years", lambda: [2027])
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.get("/admin/core/holidayyear/")
    assert "2027" in response.content.decode()


@pytest.mark.django_db
def test_the_audit_trail_is_read_only(admin_client, entry):
    change_url = f"/admin/core/auditentry/{entry.pk}/change/"
    response = admin_client.get(change_url)
    assert response.status_code == 200
    assert b'name="_save"' not in response.content
    assert admin_client.post(change_url, {"summary": "rewritten"}).status_code == 403
    assert admin_client.get("/admin/core/auditentry/add/").status_code == 403
    assert admin_client.get(f"/admin/core/auditentry/{entry.pk}/delete/").status_code == 403
    entry.refresh_from_db()
    assert entry.summary == "something happened"


@pytest.mark.django_db
def test_staff_without_the_admin_role_see_nothing(client):
    user = UserFactory.create(username="staff-only", is_staff=True)
    client.force_login(user)
    for url in ("/admin/core/holidayyear/", "/admin/core/calendarday/", "/admin/core/auditentry/"):
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_adding_a_calendar_day_goes_through_the_action(admin_client):
    response = admin_client.post(
        "/admin/core/calendarday/add/", {"date": "2026-11-30", "is_workday": "", "name": "本镇停工日"}
    )
    assert response.status_code == 302
    day = CalendarDay.objects.get(date=date(2026, 11, 30))
    assert not day.is_workday
    assert AuditEntry.objects.filter(verb="set_calendar_day", actor=admin_client.user).exists()

    response = admin_client.post(f"/admin/core/calendarday/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CalendarDay.objects.exists()
    assert AuditEntry.objects.filter(verb="delete_calendar_day").exists()


@pytest.mark.django_db
def test_adding_a_holiday_year_uploads_its_schedule(admin_client):
    upload = SimpleUploadedFile(
        "2027.csv", "date,type,name\n2027-01-01,休,元旦\n2027-02-20,班,春节调休\n".encode(), "text/csv"
    )
    response = admin_client.post(
        "/admin/core/holidayyear/add/", {"year": "2027", "source": "国办发明电", "schedule": upload}
    )
    assert response.status_code == 302
    assert HolidayYear.objects.get(year=2027).source == "国办发明电"
    assert CalendarDay.objects.filter(date__year=2027).count() == 2
    assert AuditEntry.objects.filter(verb="import_holiday_schedule").count() == 1


@pytest.mark.django_db
def test_a_bad_schedule_upload_shows_the_rows(admin_client):
    upload = SimpleUploadedFile("2027.csv", b"date,type,name\n2027-01-01,rest,x\n", "text/csv")
    admin_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = admin_client.post(
        "/admin/core/holidayyear/add/", {"year": "2027", "source": "", "schedule": upload}
    )
    assert response.status_code == 200
    assert "row 2:" in response.content.decode()
    assert not HolidayYear.objects.exists()


@pytest.mark.django_db
def test_changing_the_source_keeps_the_days(admin_client):
    upload = SimpleUploadedFile("2027.csv", "date,type,name\n2027-01-01,休,元旦\n".encode(), "text/csv")
    admin_client.post("/admin/core/holidayyear/add/", {"year": "2027", "source": "draft", "schedule": upload})
    year = HolidayYear.objects.get(year=2027)
    response = admin_client.post(f"/admin/core/holidayyear/{year.pk}/change/", {"source": "国办发明电"})
    assert response.status_code == 302
    assert HolidayYear.objects.get(year=2027).source == "国办发明电"
    assert list(CalendarDay.objects.values_list("date", "is_workday")) == [(date(2027, 1, 1), False)]
    assert AuditEntry.objects.filter(verb="import_holiday_schedule").count() == 2
