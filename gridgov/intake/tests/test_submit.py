"""``submit_report``: triage applied or left for a person, urgency, idempotency, the records kept."""

from __future__ import annotations

import pytest
from django.test import Client

from gridgov.cases.models import Case
from gridgov.intake import actions
from gridgov.intake.actions import Intake, submit_report
from gridgov.intake.models import Submission
from gridgov.notifications.models import Notification
from gridgov.triage.engine import TriageResult


def fixed(**overrides: object) -> TriageResult:
    values: dict[str, object] = {
        "category": "water",
        "scores": [("water", 0.93), ("sanitation", 0.05), ("road", 0.01)],
        "urgent": False,
        "urgent_score": 0.02,
        "urgent_cues": [],
        "request_type": "complaint",
        "request_type_score": 0.7,
        "model_version": "test",
    }
    values.update(overrides)
    return TriageResult(**values)  # type: ignore[arg-type]


@pytest.fixture
def triage(monkeypatch: pytest.MonkeyPatch) -> list[TriageResult]:
    """The triage results ``submit_report`` will see, in order (the real engine is tested in triage)."""
    queue: list[TriageResult] = []
    monkeypatch.setattr(actions, "triage_report", lambda *a, **k: queue.pop(0))
    return queue


def test_a_confident_category_and_request_type_are_applied(town, triage) -> None:
    triage.append(fixed())
    done = submit_report(actor=None, intake=Intake(channel="web", text="河里垃圾", lat=32.205, lon=120.905))
    case = done.case
    assert done.created and case.category is not None and case.category.code == "water"
    assert case.request_type == "complaint" and case.priority == "normal"
    assert case.grid == town.region.grids[0]
    assert case.triage.applied == ["category", "request_type"]
    assert case.triage.scores[0] == ["water", 0.93]
    assert done.submission.channel == "web" and len(done.submission.tracking_secret) >= 32


def test_an_unsure_category_waits_for_a_person(town, triage) -> None:
    triage.append(fixed(scores=[("water", 0.55), ("sanitation", 0.40), ("road", 0.05)]))
    case = submit_report(
        actor=None,
        intake=Intake(channel="web", text="河边垃圾", request_type="help", lat=32.205, lon=120.905),
    ).case
    assert case.category is None and case.request_type == "help"  # the channel's own choice stays
    assert case.triage.applied == []


def test_an_urgent_report_jumps_the_queue_and_alerts_the_center(
    town, triage, django_capture_on_commit_callbacks
) -> None:
    triage.append(fixed(category="agriculture", urgent=True, urgent_score=0.97, urgent_cues=["fire"]))
    with django_capture_on_commit_callbacks(execute=True):
        case = submit_report(
            actor=town.worker,
            intake=Intake(channel="grid_worker", text="田里正在烧秸秆火很大", lat=32.205, lon=120.905),
        ).case
    assert case.priority == "urgent" and case.triage.applied[:2] == ["category", "priority"]
    alerts = Notification.objects.filter(kind="urgent", target_id=str(case.pk))
    # A grid worker's report is held by the grid; the town's command center is alerted as well.
    assert {n.recipient for n in alerts} >= {town.dispatcher}


def test_the_grid_comes_from_the_address_when_there_is_no_point(town, triage) -> None:
    grid = town.region.grids[3]
    triage.append(fixed(grid=grid.code, area=grid.code, place_source="address", place_names=[grid.name]))
    case = submit_report(actor=None, intake=Intake(channel="web", text=f"{grid.name}河里垃圾")).case
    assert case.grid == grid and "grid" in case.triage.applied


def test_a_village_named_without_its_grid_goes_to_the_town_center(town, triage) -> None:
    village = town.region.villages[1]
    triage.append(fixed(area=village.code, place_source="address", place_names=[village.name]))
    case = submit_report(actor=None, intake=Intake(channel="web", text=f"{village.name}河里垃圾")).case
    assert case.grid is None
    assert case.owner_area == town.region.towns[0] and case.owner_level == "town"


def test_the_same_external_id_makes_no_second_case(town, triage) -> None:
    triage.append(fixed())
    intake = Intake(
        channel="hotline",
        text="河里垃圾",
        source="12345",
        external_id="WO-1",
        intake_area=town.region.towns[0],
    )
    first = submit_report(actor=town.dispatcher, intake=intake)
    again = submit_report(actor=town.dispatcher, intake=intake)
    assert first.created and not again.created and again.case == first.case
    assert Case.objects.count() == 1 and Submission.objects.count() == 1
    # Another source may use the same id.
    triage.append(fixed())
    other = submit_report(actor=town.dispatcher, intake=Intake(**{**intake.__dict__, "source": "wechat"}))
    assert other.created and other.case != first.case


def test_the_dispatcher_sees_the_suggestion_and_merges_a_duplicate_in_one_click(town, triage) -> None:
    triage.append(fixed())
    master = submit_report(
        actor=None, intake=Intake(channel="web", text="河里垃圾", lat=32.205, lon=120.905)
    ).case
    triage.append(
        fixed(
            scores=[("water", 0.6), ("sanitation", 0.3), ("road", 0.1)],
            duplicate_of=master.number,
            duplicate_similarity=0.81,
            urgent=True,
            urgent_cues=["water"],
        )
    )
    case = submit_report(
        actor=None, intake=Intake(channel="web", text="河里好多垃圾", lat=32.2051, lon=120.905)
    ).case
    assert case.triage.duplicate_of == master

    client = Client()
    client.force_login(town.dispatcher)
    client.cookies["django_language"] = "en"
    page = client.get(f"/cases/{case.number}/").content.decode()
    assert "Triage suggestion" in page and 'data-triage-category="water"' in page
    assert f'data-triage-duplicate="{master.number}"' in page and "data-merge-suggested" in page
    assert "someone in the water" in page  # the danger named
    # The unsure category is pre-selected in the accept form for the dispatcher to confirm.
    water = case.triage.scores[0][0]
    assert f'<option value="{master.category_id}" selected>' in page and water == "water"

    response = client.post(
        f"/cases/{case.number}/act/merge/", {"version": case.version, "master": master.number, "note": "dup"}
    )
    assert response.status_code in (200, 302)
    case.refresh_from_db()
    assert case.status == "merged" and case.merged_into == master
