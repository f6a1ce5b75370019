"""The alert pages through the Django test client: the list of an area, one alert with its evidence and forms."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings

from gridgov.accounts.actions import ensure_system_user
from gridgov.accounts.choices import Role
from gridgov.alerts import actions
from gridgov.alerts.models import Alert
from gridgov.alerts.scan import scan
from gridgov.alerts.tests.conftest import NOW, point
from gridgov.testing.factories import UserFactory, grant

DAY = timedelta(days=1)
PHONE = "13812345678"


def _login(client, user):
    """Sign in, with the English interface so that assertions read like the source strings."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _html(response) -> str:
    return response.content.decode()


def _listed(html: str) -> list[str]:
    return re.findall(r'data-alert="(\d+)" data-status="(\w+)"', html)


@pytest.fixture
def alerts(report, rules, town) -> tuple[Alert, Alert]:
    """A repeat dispute in the first town (with coordinates) and one in the second town."""
    first = report(ago=20 * DAY, phone=PHONE, at_point=point(0))
    report(ago=1 * DAY, phone=PHONE, at_point=point(0, east_m=50))
    report(ago=20 * DAY, phone="13900000000", grid=4)
    report(ago=2 * DAY, phone="13900000000", grid=4)
    scan(actor=ensure_system_user(), now=NOW)
    return (
        Alert.objects.get(links__case=first),
        Alert.objects.get(area_path__startswith=town.region.towns[1].path),
    )


@pytest.mark.django_db
def test_list_shows_the_alerts_of_the_area(client, town, alerts):
    mine, theirs = alerts
    response = _login(client, town.leader).get("/alerts/", {"area": town.region.towns[0].code})
    assert response.status_code == 200
    assert _listed(_html(response)) == [(str(mine.pk), "open")]
    assert f'href="/alerts/{mine.pk}/"' in _html(response)

    response = client.get("/alerts/", {"area": town.region.district.code})
    assert response.status_code == 403  # a town leader does not analyse the district

    response = _login(client, town.district_dispatcher).get("/alerts/", {"area": town.region.district.code})
    assert sorted(_listed(_html(response))) == sorted([(str(mine.pk), "open"), (str(theirs.pk), "open")])


@pytest.mark.django_db
def test_list_puts_open_first_and_filters(client, town, alerts, report):
    mine, _theirs = alerts
    actions.close_alert(actor=town.leader, alert=mine, conclusion="已化解")
    report(ago=10 * DAY, name="李秀英", grid=1)
    report(ago=1 * DAY, name="李秀英", grid=1)
    scan(actor=ensure_system_user(), now=NOW)
    newer = Alert.objects.exclude(pk=mine.pk).get(area_path__startswith=town.region.towns[0].path)

    client = _login(client, town.dispatcher)
    html = _html(client.get("/alerts/", {"area": town.region.towns[0].code}))
    assert _listed(html) == [(str(newer.pk), "open"), (str(mine.pk), "closed")]
    assert 'data-count="open">Awaiting response <strong>1</strong>' in html
    assert 'data-count="closed">Concluded <strong>1</strong>' in html

    html = _html(client.get("/alerts/", {"area": town.region.towns[0].code, "status": "closed"}))
    assert _listed(html) == [(str(mine.pk), "closed")]
    html = _html(client.get("/alerts/", {"area": town.region.towns[0].code, "rule": "surge"}))
    assert _listed(html) == [] and "data-empty" in html


@pytest.mark.django_db
def test_list_needs_a_command_center_role(client, town, alerts):
    assert _login(client, town.worker).get("/alerts/").status_code == 403
    assert client.get("/alerts/", {"area": town.region.towns[0].code}).status_code == 403
    client.logout()
    assert client.get("/alerts/").status_code == 302


@pytest.mark.django_db
def test_alert_page_shows_evidence_map_timeline_and_forms(client, town, alerts):
    mine, _theirs = alerts
    response = _login(client, town.leader).get(f"/alerts/{mine.pk}/")
    assert response.status_code == 200
    html = _html(response)
    numbers = list(mine.cases.order_by("reported_at").values_list("number", flat=True))
    assert re.findall(r'<tr data-case="([^"]+)"', html) == numbers
    for number in numbers:
        assert f'href="/cases/{number}/"' in html
    assert (
        f'data-pair="{numbers[0]} {numbers[1]}">{numbers[0]} ↔ {numbers[1]}: same reporter phone; within 100 m'
        in html
    )
    points = json.loads(
        re.search(r'<script id="alert-points" type="application/json">(.*?)</script>', html)[1]
    )
    assert [p["number"] for p in points] == numbers
    assert re.findall(r'data-event="(\w+)"', html) == ["raise"]
    assert re.findall(r'data-verb="(\w+)"', html) == ["acknowledge", "follow_up", "link", "close"]
    assert "alerts/alert_map.js" in html


@pytest.mark.django_db
def test_alert_page_is_forbidden_outside_the_area(client, town, alerts):
    mine, theirs = alerts
    assert _login(client, town.leader).get(f"/alerts/{theirs.pk}/").status_code == 403
    assert _login(client, town.worker).get(f"/alerts/{mine.pk}/").status_code == 403
    assert client.get("/alerts/999999/").status_code == 404


@pytest.mark.django_db
def test_grid_chief_sees_but_cannot_act(client, town, alerts):
    mine, _theirs = alerts
    client = _login(client, town.chief)
    response = client.get(f"/alerts/{mine.pk}/")
    assert response.status_code == 200
    assert "data-no-actions" in _html(response)
    response = client.post(f"/alerts/{mine.pk}/act/acknowledge/", {"note": ""})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.status == "open"


@pytest.mark.django_db
def test_forms_act_and_redirect(client, town, alerts):
    mine, _theirs = alerts
    client = _login(client, town.dispatcher)
    url = f"/alerts/{mine.pk}/"

    response = client.post(url + "act/acknowledge/", {"note": "收到，安排核实"})
    assert response.status_code == 302 and response["Location"] == url
    response = client.post(url + "act/follow_up/", {"note": ""})
    assert response.status_code == 400
    assert 'data-field="note"' in _html(response) and "This field is required." in _html(response)
    response = client.post(url + "act/follow_up/", {"note": "网格员已上门，双方情绪稳定"})
    assert response.status_code == 302
    response = client.post(url + "act/close/", {"conclusion": "村调委会调解成功"})
    assert response.status_code == 302

    html = _html(client.get(url))
    assert re.findall(r'data-event="(\w+)"', html) == ["raise", "acknowledge", "follow_up", "close"]
    assert "data-conclusion>村调委会调解成功" in html
    assert "data-no-actions" in html  # nothing left to do on a closed alert
    mine.refresh_from_db()
    assert mine.status == "closed"

    response = client.post(url + "act/acknowledge/", {"note": ""})
    assert response.status_code == 409
    assert client.post(url + "act/nonsense/", {}).status_code == 404


@pytest.mark.django_db
def test_link_form_names_the_case(client, town, alerts, report):
    mine, _theirs = alerts
    other = report(ago=3 * DAY, grid=1)
    client = _login(client, town.leader)
    url = f"/alerts/{mine.pk}/"

    response = client.post(url + "act/link/", {"case": "NO-SUCH-1", "note": ""})
    assert response.status_code == 400
    assert "No case with this number in your area." in _html(response)
    response = client.post(url + "act/link/", {"case": other.number, "note": "同一排水沟"})
    assert response.status_code == 302
    assert other.number in re.findall(r'<tr data-case="([^"]+)"', _html(client.get(url)))


@pytest.mark.django_db
def test_other_town_leader_cannot_post(client, town, alerts):
    mine, _theirs = alerts
    outsider = UserFactory(username="leader2")
    grant(outsider, Role.LEADER, area=town.region.towns[1])
    response = _login(client, outsider).post(f"/alerts/{mine.pk}/act/close/", {"conclusion": "越权"})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.status == "open"
