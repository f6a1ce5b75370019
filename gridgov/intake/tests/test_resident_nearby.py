""" "已有人反映?": open cases near the pin with the same category, and the read-only page a neighbour follows."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from gridgov.cases import actions as case_actions
from gridgov.cases.models import Case
from gridgov.intake.resident import selectors
from gridgov.intake.tests.resident_support import (
    DISPATCHER_NAME,
    FAR,
    INSIDE,
    NAME,
    NEAR,
    PHONE,
    make_people,
    submit,
)
from gridgov.testing.factories import category
from gridgov.triage.models import Suggestion

pytestmark = pytest.mark.django_db


def _nearby(client, **params):
    query = {"lat": INSIDE[0], "lon": INSIDE[1], "text": "路灯不亮"}
    query.update(params)
    response = client.get("/r/nearby/", query)
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    return response.json()


def test_finds_an_open_nearby_case_of_the_same_category_only(client, region, monkeypatch):
    people = make_people(region)
    wanted = submit(text=f"路口路灯不亮，我的电话{PHONE}", at=NEAR).case
    submit(text="路灯不亮", at=FAR)  # same category, too far
    submit(text="河里有垃圾", code="water", at=NEAR)  # nearby, other category
    closed = submit(text="路灯又不亮了", at=NEAR).case
    case_actions.reject_case(actor=people.dispatcher, case=closed, reason="重复")  # finished
    old = submit(text="路灯坏了", at=NEAR).case
    Case.objects.filter(pk=old.pk).update(reported_at=timezone.now() - timedelta(days=31))
    monkeypatch.setattr(selectors, "predict_category", lambda text: "road")

    data = _nearby(client)
    assert data["category"] == "road"
    assert [row["title"] for row in data["results"]] == ["路口路灯不亮，我的电话138****5678"]
    (row,) = data["results"]
    assert row["status"] == "reported" and row["reports"] == 1 and 40 <= row["distance_m"] <= 70
    assert row["reported_on"] == timezone.localdate(wanted.reported_at).isoformat()
    assert row["follow_url"].startswith("/r/f/")
    assert wanted.number not in json.dumps(data)


def test_an_explicit_category_wins_over_the_prediction(client, region, monkeypatch):
    make_people(region)
    submit(text="河里有垃圾", code="water", at=NEAR)
    monkeypatch.setattr(selectors, "predict_category", lambda text: "road")
    assert _nearby(client)["results"] == []
    data = _nearby(client, category=str(category("water").pk))
    assert data["category"] == "water" and len(data["results"]) == 1
    assert _nearby(client, category="9" * 30)["category"] == "road"  # nonsense: the prediction decides


def test_a_case_without_a_category_matches_by_the_triage_suggestion(client, region, monkeypatch):
    make_people(region)
    case = submit(text="路灯不亮", code=None, at=NEAR).case
    # Whatever triage made of it: no category on the case, "road" suggested.
    Case.objects.filter(pk=case.pk).update(category=None)
    Suggestion.objects.filter(case=case).update(category="road")
    monkeypatch.setattr(selectors, "predict_category", lambda text: "road")
    assert len(_nearby(client)["results"]) == 1
    Suggestion.objects.filter(case=case).update(category="water")
    assert _nearby(client)["results"] == []


def test_no_personal_data_in_the_answer(client, region, monkeypatch):
    make_people(region)
    submit(text=f"路灯不亮 身份证320612199001011234 电话{PHONE}", at=NEAR, address="北渡村22组15号")
    monkeypatch.setattr(selectors, "predict_category", lambda text: "road")
    body = json.dumps(_nearby(client), ensure_ascii=False)
    for secret in (PHONE, NAME, "320612199001011234", "北渡村22组15号", "reporter", "phone", "lat", "lon"):
        assert secret not in body


def test_without_a_pin_or_words_nothing_is_asked(client, region, monkeypatch):
    calls = []
    monkeypatch.setattr(selectors, "predict_category", lambda text: calls.append(text))
    assert client.get("/r/nearby/", {"text": "路灯不亮"}).json() == {
        "category": None,
        "results": [],
        "missing": "location",
    }
    assert client.get("/r/nearby/", {"lat": "x", "lon": "1"}).json()["missing"] == "location"
    assert client.get("/r/nearby/", {"lat": "91", "lon": "1"}).json()["missing"] == "location"
    assert _nearby(client, text="灯")["missing"] == "text"
    assert calls == ["灯"]


def test_predict_category_needs_a_few_words():
    assert selectors.predict_category("灯") is None
    assert selectors.predict_category("   ") is None


def test_the_follow_page_counts_the_reports_and_hides_personal_data(client, region):
    client.cookies["django_language"] = "en"
    people = make_people(region)
    master = submit(text=f"路口路灯不亮，电话{PHONE}", at=NEAR).case
    duplicate = submit(text="路口的灯坏了", at=INSIDE).case
    case_actions.merge_case(actor=people.dispatcher, case=duplicate, master=master, note="同一盏灯")
    case_actions.comment_case(actor=people.dispatcher, case=master, text="已联系供电所", public=True)
    case_actions.comment_case(actor=people.dispatcher, case=master, text="内部备注：报修人较急", public=False)

    response = client.get(f"/r/f/{selectors.follow_token(master)}/")
    html = response.content.decode()
    assert response.status_code == 200 and response["X-Robots-Tag"] == "noindex, nofollow"
    assert 'data-reports="2"' in html and "2 people reported this." in html
    assert "已联系供电所" in html and "内部备注" not in html
    assert "138****5678" in html
    for secret in (PHONE, NAME, DISPATCHER_NAME, "同一盏灯", "/rate/", '<form method="post" action="/r/t/'):
        assert secret not in html
    # the duplicate's page leads to the master
    response = client.get(f"/r/f/{selectors.follow_token(duplicate)}/")
    assert response.status_code == 302 and response["Location"] == f"/r/f/{selectors.follow_token(master)}/"


def test_only_a_signed_token_opens_the_follow_page(client, region):
    make_people(region)
    case = submit().case
    assert client.get(f"/r/f/{case.number}/").status_code == 404
    assert client.get(f"/r/f/{case.pk}/").status_code == 404
    assert client.get(f"/r/f/{selectors.follow_token(case)}x/").status_code == 404
