"""The early-warning API: the list of an area and its filters, one alert with its evidence and timeline, the verbs
and their errors, and who may do what (the same answers as the pages: ``test_pages``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from gridgov.accounts.actions import ensure_system_user
from gridgov.accounts.choices import Role
from gridgov.alerts import actions
from gridgov.alerts.api.views import VERBS
from gridgov.alerts.models import Alert
from gridgov.alerts.scan import scan
from gridgov.alerts.tests.conftest import NOW, point
from gridgov.testing.factories import UserFactory, grant

DAY = timedelta(days=1)
PHONE = "13812345678"
NAME = "李秀英"
LIST = "/api/v1/alerts/"


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.fixture
def alerts(report, rules, town) -> tuple[Alert, Alert]:
    """A repeat dispute in the first town (same phone, with coordinates) and one in the second town."""
    first = report(ago=20 * DAY, phone=PHONE, name=NAME, at_point=point(0))
    report(ago=1 * DAY, phone=PHONE, name=NAME, at_point=point(0, east_m=50))
    report(ago=20 * DAY, phone="13900000000", grid=4)
    report(ago=2 * DAY, phone="13900000000", grid=4)
    scan(actor=ensure_system_user(), now=NOW)
    return (
        Alert.objects.get(links__case=first),
        Alert.objects.get(area_path__startswith=town.region.towns[1].path),
    )


# --- List ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_the_alerts_of_the_area_as_the_page(town, alerts):
    mine, theirs = alerts
    town1, district = town.region.towns[0].code, town.region.district.code
    assert _ids(api(town.leader).get(LIST)) == [mine.pk]  # default: the leader's own town
    assert _ids(api(town.leader).get(LIST, {"area": town1})) == [mine.pk]
    assert _error(api(town.leader).get(LIST, {"area": district}), 403)["code"] == "permission_denied"
    assert _error(api(town.leader).get(LIST, {"area": "NO-SUCH-AREA"}), 404)["code"] == "not_found"
    assert sorted(_ids(api(town.district_dispatcher).get(LIST, {"area": district}))) == sorted(
        [mine.pk, theirs.pk]
    )
    chief = api(town.chief).get(LIST)  # a grid chief: their village, where the first alert lies
    assert _ids(chief) == [mine.pk]

    row = api(town.leader).get(LIST).json()["results"][0]
    assert row["rule"]["code"] == "repeat_dispute" and row["rule"]["kind"] == "repeat_dispute"
    assert (row["status"], row["status_label"]) == ("open", "Awaiting response")
    assert (row["severity"], row["area"]["code"], row["evidence_count"]) == ("medium", mine.area.code, 2)


@pytest.mark.django_db
def test_list_needs_a_command_center_role_and_a_sign_in(town, alerts):
    assert _error(api(town.worker).get(LIST), 403)["code"] == "permission_denied"
    assert api(town.handler).get(LIST, {"area": town.region.towns[0].code}).status_code == 403
    anonymous = api().get(LIST)  # 403 with the session first in DEFAULT_AUTHENTICATION_CLASSES, as every API
    assert anonymous.status_code in (401, 403) and anonymous.json()["error"]["code"] == "not_authenticated"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=town.leader).key}")
    assert _ids(client.get(LIST)) == [alerts[0].pk]


@pytest.mark.django_db
def test_list_filters_by_status_rule_and_severity(town, alerts, report):
    mine, _theirs = alerts
    actions.close_alert(actor=town.leader, alert=mine, conclusion="已化解")
    report(ago=10 * DAY, name="王建国", grid=1)
    report(ago=1 * DAY, name="王建国", grid=1)
    scan(actor=ensure_system_user(), now=NOW)
    newer = Alert.objects.exclude(pk=mine.pk).get(area_path__startswith=town.region.towns[0].path)
    Alert.objects.filter(pk=newer.pk).update(severity="high")
    client = api(town.dispatcher)

    assert _ids(client.get(LIST)) == [newer.pk, mine.pk]  # open first
    assert _ids(client.get(LIST, {"status": "closed"})) == [mine.pk]
    assert _ids(client.get(LIST, {"status": "open"})) == [newer.pk]
    assert _ids(client.get(LIST, {"rule": "surge"})) == []
    assert _ids(client.get(LIST, {"rule": "repeat_dispute"})) == [newer.pk, mine.pk]
    assert _ids(client.get(LIST, {"severity": "high"})) == [newer.pk]
    assert _ids(client.get(LIST, {"severity": "medium", "status": "closed"})) == [mine.pk]
    assert _ids(client.get(LIST, {"status": "", "rule": "", "severity": ""})) == [newer.pk, mine.pk]

    error = _error(client.get(LIST, {"status": "nonsense", "rule": "no-such-rule", "severity": "x"}), 400)
    assert error["code"] == "invalid" and set(error["fields"]) == {"status", "rule", "severity"}
    assert error["fields"]["rule"] == ['"no-such-rule" is not a valid choice.']
    body = client.get(LIST, {"page_size": 1}).json()
    assert body["count"] == 2 and len(body["results"]) == 1 and body["next"]


# --- Detail -------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_detail_has_evidence_timeline_and_no_personal_data(town, alerts):
    mine, _theirs = alerts
    response = api(town.leader).get(f"{LIST}{mine.pk}/")
    assert response.status_code == 200
    body = response.json()
    numbers = list(mine.cases.order_by("reported_at").values_list("number", flat=True))
    assert [case["number"] for case in body["evidence"]] == numbers
    assert set(body["evidence"][0]) == {
        "number",
        "title",
        "status",
        "status_label",
        "category",
        "reported_at",
    }
    assert body["evidence"][0]["category"]["code"] == "dispute"
    assert body["pairs"] == [
        {
            "first": numbers[0],
            "second": numbers[1],
            "reasons": ["same reporter phone", "same reporter name", "within 100 m"],
        }
    ]
    assert [(e["verb"], e["verb_label"], e["to_status"]) for e in body["timeline"]] == [
        ("raise", "Alert raised", "open")
    ]
    assert body["timeline"][0]["cases"] == numbers
    assert body["figures"]["count"] == 2 and body["summary"] == mine.summary
    assert body["available_actions"] == ["acknowledge", "follow_up", "link_case", "close"]
    assert PHONE not in response.content.decode() and NAME not in response.content.decode()


@pytest.mark.django_db
def test_detail_is_forbidden_outside_the_area_as_the_page(town, alerts):
    mine, theirs = alerts
    assert _error(api(town.leader).get(f"{LIST}{theirs.pk}/"), 403)["code"] == "permission_denied"
    assert api(town.worker).get(f"{LIST}{mine.pk}/").status_code == 403
    assert _error(api(town.leader).get(f"{LIST}999999/"), 404)["code"] == "not_found"
    assert api().get(f"{LIST}{mine.pk}/").json()["error"]["code"] == "not_authenticated"
    # A grid chief sees the alert but may not act on it.
    assert api(town.chief).get(f"{LIST}{mine.pk}/").json()["available_actions"] == []


# --- Verbs --------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_verbs_act_through_the_actions(town, alerts, report):
    mine, _theirs = alerts
    other = report(ago=3 * DAY, grid=1)
    client = api(town.dispatcher)
    url = f"{LIST}{mine.pk}/"

    body = client.post(url + "acknowledge/", {}, format="json").json()
    assert (body["status"], body["acknowledged_at"] is not None) == ("acknowledged", True)
    assert body["available_actions"] == ["follow_up", "link_case", "close"]
    error = _error(client.post(url + "acknowledge/", {"note": "again"}, format="json"), 409)
    assert error["code"] == "invalid_transition"

    error = _error(client.post(url + "follow_up/", {"note": ""}, format="json"), 400)
    assert error["fields"] == {"note": ["This field is required."]}
    error = _error(client.post(url + "follow_up/", {}, format="json"), 400)
    assert set(error["fields"]) == {"note"}
    body = client.post(url + "follow_up/", {"note": "网格员已上门，双方情绪稳定"}, format="json").json()
    assert body["status"] == "following" and body["timeline"][-1]["note"] == "网格员已上门，双方情绪稳定"

    error = _error(client.post(url + "link_case/", {"case": "NO-SUCH-1"}, format="json"), 400)
    assert error["fields"] == {"case": ["No case with this number in your area."]}
    body = client.post(
        url + "link_case/", {"case": f" {other.number} ", "note": "同一排水沟"}
    ).json()  # a form
    assert other.number in [case["number"] for case in body["evidence"]]
    assert (body["timeline"][-1]["verb"], body["timeline"][-1]["cases"]) == ("link_case", [other.number])
    error = _error(client.post(url + "link_case/", {"case": other.number}, format="json"), 400)
    assert error["fields"] == {"case": ["This case is already part of the alert."]}

    error = _error(client.post(url + "close/", {"conclusion": "   "}, format="json"), 400)
    assert set(error["fields"]) == {"conclusion"}
    body = client.post(url + "close/", {"conclusion": "村调委会调解成功"}, format="json").json()
    assert (body["status"], body["conclusion"], body["available_actions"]) == (
        "closed",
        "村调委会调解成功",
        [],
    )
    assert [e["verb"] for e in body["timeline"]] == [
        "raise",
        "acknowledge",
        "follow_up",
        "link_case",
        "close",
    ]

    # A closed alert never changes again: 409 for every verb (the note is still checked first).
    for verb, data in (
        ("acknowledge", {}),
        ("follow_up", {"note": "补充"}),
        ("close", {"conclusion": "再次"}),
        ("link_case", {"case": report(ago=2 * DAY, grid=1).number}),
    ):
        error = _error(client.post(url + f"{verb}/", data, format="json"), 409)
        assert error["message"] == "The alert is closed; it can no longer be changed.", verb
    mine.refresh_from_db()
    assert mine.status == "closed" and mine.events.count() == 5


@pytest.mark.django_db
def test_verbs_are_refused_to_those_who_may_not_act(town, alerts):
    mine, theirs = alerts
    url = f"{LIST}{mine.pk}/"
    for verb in VERBS:
        # A grid chief sees the alert but does not act; another town's leader does not see it.
        assert _error(api(town.chief).post(url + f"{verb}/", {}, format="json"), 403)["code"] == (
            "permission_denied"
        )
        assert api(town.leader).post(f"{LIST}{theirs.pk}/{verb}/", {}, format="json").status_code == 403
        assert api(town.leader).post(f"{LIST}999999/{verb}/", {}, format="json").status_code == 404
        assert api().post(url + f"{verb}/", {}, format="json").json()["error"]["code"] == "not_authenticated"
    outsider = UserFactory(username="leader2")
    grant(outsider, Role.LEADER, area=town.region.towns[1])
    assert api(outsider).post(url + "close/", {"conclusion": "越权"}, format="json").status_code == 403
    mine.refresh_from_db()
    assert mine.status == "open" and mine.events.count() == 1


@pytest.mark.django_db
def test_verbs_take_an_object_and_answer_in_the_requests_language(town, alerts):
    mine, _theirs = alerts
    error = _error(api(town.leader).post(f"{LIST}{mine.pk}/follow_up/", ["note"], format="json"), 400)
    assert set(error["fields"]) == {"non_field_errors"}
    client = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(town.leader)
    error = _error(client.post(f"{LIST}{mine.pk}/link_case/", {"case": "NO-SUCH-1"}, format="json"), 400)
    assert error["fields"]["case"] != ["No case with this number in your area."]  # translated


# --- Counts (command API) -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_command_alert_counts(town, alerts):
    mine, _theirs = alerts
    actions.acknowledge_alert(actor=town.leader, alert=mine)
    response = api(town.leader).get("/api/v1/command/alerts/", {"area": town.region.towns[0].code})
    assert response.status_code == 200
    assert response.json()["counts"] == {"open": 0, "acknowledged": 1, "following": 0, "closed": 0}
    body = api(town.district_dispatcher).get("/api/v1/command/alerts/").json()
    assert body["area"]["code"] == town.region.district.code
    assert body["counts"] == {"open": 1, "acknowledged": 1, "following": 0, "closed": 0}
    assert (
        api(town.leader).get("/api/v1/command/alerts/", {"area": town.region.district.code}).status_code
        == 403
    )
    assert api().get("/api/v1/command/alerts/").json()["error"]["code"] == "not_authenticated"
