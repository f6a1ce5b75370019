"""The staff pages through the Django test client: work queue, case detail and its action forms, supervision."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from gridgov.accounts.choices import Role
from gridgov.cases import actions
from gridgov.cases.choices import AlertLevel, CaseStatus, Channel, Priority
from gridgov.cases.models import Case, CasePhoto
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.models import RoutingRule
from gridgov.testing.factories import UserFactory, category, grant

PHONE = "13812345678"


def _report(town, grid_index: int = 0, **extra) -> Case:
    values = {
        "actor": town.resident,
        "channel": Channel.WEB,
        "text": "北渡村22组路口视线盲区，希望装一面凸面镜",
        "grid": town.region.grids[grid_index],
        "reporter_name": "王阿姨",
        "reporter_phone": PHONE,
    }
    values.update(extra)
    return actions.report_case(**values)


def _accepted(town, **extra) -> Case:
    return actions.accept_case(actor=town.dispatcher, case=_report(town, **extra), category=category("road"))


def _dispatched(town) -> Case:
    return dispatch_actions.dispatch_case(actor=town.dispatcher, case=_accepted(town), lead=town.roads)


def _login(client, user):
    """Sign in, with the English interface so that assertions read like the source strings."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _html(response) -> str:
    return response.content.decode()


def _verbs_shown(html: str) -> set[str]:
    return set(re.findall(r'class="case-action[^"]*" id="action-[\w-]+" data-verb="(\w+)"', html))


def _act(case: Case, verb: str) -> str:
    return f"/cases/{case.number}/act/{verb}/"


def _verbs(case: Case) -> list[str]:
    return list(case.events.values_list("verb", flat=True))


def _listed(html: str) -> set[str]:
    return set(re.findall(r'data-case="([^"]+)"', html))


# --- Work queue --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_queue_tabs_show_each_role_its_cases(client, town):
    waiting = _report(town)
    neighbour = _report(town, grid_index=1)
    dispatched = _dispatched(town)
    Case.objects.filter(pk=neighbour.pk).update(alert_level=AlertLevel.RED)

    html = _html(_login(client, town.dispatcher).get("/cases/queue/"))
    assert _listed(html) == {waiting.number, neighbour.number}
    assert re.search(r'data-tab="todo" aria-current="page">[^<]*<span class="tabs__count">2<', html)
    assert _listed(_html(client.get("/cases/queue/?tab=done"))) == {dispatched.number}
    assert _listed(_html(client.get("/cases/queue/?tab=overdue"))) == {neighbour.number}
    assert _listed(_html(client.get("/cases/queue/?tab=due_soon"))) == set()
    assert _listed(_html(client.get(f"/cases/queue/?tab=todo&q={neighbour.number}"))) == {neighbour.number}
    assert _listed(_html(client.get("/cases/queue/?tab=todo&status=accepted"))) == set()
    overdue = _html(client.get("/cases/queue/?tab=overdue"))
    assert 'class="deadline deadline--red"' in overdue

    assert _listed(_html(_login(client, town.handler).get("/cases/queue/"))) == {dispatched.number}
    assert _listed(_html(_login(client, town.other_handler).get("/cases/queue/"))) == set()
    assert _listed(_html(_login(client, town.leader).get("/cases/queue/"))) == {neighbour.number}


@pytest.mark.django_db
def test_queue_is_for_staff_only(client, town):
    assert client.get("/cases/queue/").status_code == 302  # to the sign-in page
    assert _login(client, town.resident).get("/cases/queue/").status_code == 403
    volunteer = UserFactory(username="volunteer")
    grant(volunteer, Role.VOLUNTEER, area=town.region.towns[0])
    assert _login(client, volunteer).get("/cases/queue/").status_code == 403
    assert _login(client, town.worker).get("/cases/queue/").status_code == 200


@pytest.mark.django_db
def test_nav_shows_the_work_queue_with_its_count_to_staff(client, town):
    _report(town)
    html = _html(_login(client, town.dispatcher).get("/"))
    link = re.search(r"<a [^>]*data-work-queue-link>(.*?)</a>", html, re.S)
    assert link is not None and "(1" in link.group(1)
    assert "data-work-queue-link" not in _html(_login(client, town.resident).get("/"))


@pytest.mark.django_db
def test_queue_paginates(client, town, settings):
    for _ in range(21):
        _report(town)
    html = _html(_login(client, town.dispatcher).get("/cases/queue/"))
    assert len(_listed(html)) == 20 and 'rel="next" href="?page=2"' in html
    assert len(_listed(_html(client.get("/cases/queue/?page=2")))) == 1


# --- Detail and who may open it ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_grid_worker_cannot_open_another_grids_case(client, town):
    case = _report(town, grid_index=1)
    assert _login(client, town.worker).get(f"/cases/{case.number}/").status_code == 404
    assert client.get("/cases/NO-SUCH-CASE/").status_code == 404
    response = _login(client, town.other_worker).get(f"/cases/{case.number}/")
    assert response.status_code == 200 and case.title in _html(response)
    assert _login(client, town.resident).get(f"/cases/{case.number}/").status_code == 403


@pytest.mark.django_db
def test_detail_shows_facts_masked_phone_map_and_timeline(client, town):
    case = _report(town, lat=32.205, lon=120.905)  # inside the first grid's square
    html = _html(_login(client, town.dispatcher).get(f"/cases/{case.number}/"))
    assert "138****5678" in html and PHONE not in html and "王**" in html
    assert "data-case-map" in html and 'id="case-grid"' in html and town.region.grids[0].code in html
    assert 'data-event="report"' in html
    assert "vendor/leaflet/leaflet.js" in html


@pytest.mark.django_db
def test_action_forms_are_shown_only_when_allowed(client, town):
    reported = _report(town)
    dispatched = _dispatched(town)

    shown = _verbs_shown(_html(_login(client, town.dispatcher).get(f"/cases/{reported.number}/")))
    assert {"accept", "reject", "merge", "escalate", "comment"} <= shown
    assert not shown & {"dispatch", "sign", "resolve", "supervise", "verify"}

    shown = _verbs_shown(_html(client.get(f"/cases/{dispatched.number}/")))
    assert "reassign" in shown and not shown & {"accept", "dispatch", "sign"}

    shown = _verbs_shown(_html(_login(client, town.handler).get(f"/cases/{dispatched.number}/")))
    assert {"sign", "return", "request_time", "comment"} <= shown
    assert not shown & {"accept", "dispatch", "resolve", "reassign"}

    shown = _verbs_shown(_html(_login(client, town.worker).get(f"/cases/{reported.number}/")))
    assert {"resolve_in_grid", "comment"} <= shown and "accept" not in shown

    shown = _verbs_shown(_html(_login(client, town.leader).get(f"/cases/{reported.number}/")))
    assert shown == {"supervise", "urge", "comment"}

    # escalated: the town center still contains the place but no longer holds the case
    escalated = actions.escalate_case(actor=town.dispatcher, case=reported, reason="涉及跨镇道路")
    shown = _verbs_shown(_html(_login(client, town.dispatcher).get(f"/cases/{escalated.number}/")))
    assert not shown & {"accept", "reject", "escalate"}
    shown = _verbs_shown(_html(_login(client, town.district_dispatcher).get(f"/cases/{escalated.number}/")))
    assert "accept" in shown


@pytest.mark.django_db
def test_posting_a_verb_the_user_may_not_use_is_forbidden(client, town):
    case = _report(town)
    response = _login(client, town.leader).post(_act(case, "accept"), {"version": case.version})
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED
    assert _login(client, town.dispatcher).post(_act(case, "nonsense"), {}).status_code == 404
    assert client.get(_act(case, "accept")).status_code == 405


# --- The dispatcher's screen and the closed loop through the pages -----------------------------------------------


@pytest.mark.django_db
def test_accept_dispatch_sign_resolve_through_the_pages(client, town):
    RoutingRule.objects.create(
        category=category("road"), area=town.region.towns[0], lead=town.roads
    ).helpers.set([town.justice])
    case = _report(town, category=category("road"))
    _login(client, town.dispatcher)

    html = _html(client.get(f"/cases/{case.number}/"))
    assert re.search(rf'<option value="{category("road").pk}" selected>', html)  # the category is preselected
    response = client.post(
        _act(case, "accept"),
        {
            "version": case.version,
            "category": category("road").pk,
            "request_type": "help",
            "priority": "normal",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED

    html = _html(client.get(f"/cases/{case.number}/"))
    assert "data-route-suggestion" in html
    dispatch_form = html[html.index('data-verb="dispatch"') :]
    assert re.search(rf'<option value="{town.roads.pk}" selected>', dispatch_form)
    assert re.search(rf'value="{town.justice.pk}"[^>]*checked', dispatch_form)
    assert f'value="{town.other_town_roads.pk}"' not in dispatch_form  # not serving this place
    response = client.post(
        _act(case, "dispatch"),
        {"version": case.version, "lead": town.roads.pk, "helpers": [town.justice.pk], "note": "请尽快处理"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED

    _login(client, town.handler)
    assert client.post(_act(case, "sign"), {"version": case.version}).status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.IN_PROGRESS
    photo = SimpleUploadedFile("result.jpg", _jpeg(), content_type="image/jpeg")
    response = client.post(
        _act(case, "resolve"), {"version": case.version, "result": "已安装凸面镜一面", "photos": [photo]}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == CaseStatus.RESOLVED and case.resolution == "已安装凸面镜一面"
    assert case.photos.filter(kind=CasePhoto.KIND_RESULT).count() == 1
    assert _verbs(case) == ["report", "accept", "dispatch", "sign", "resolve", "photos"]
    assert case.events.get(verb="dispatch").note == "请尽快处理"

    # the success message follows the redirect
    html = _html(client.get(f"/cases/{case.number}/"))
    assert "message--success" in html


@pytest.mark.django_db
def test_htmx_post_swaps_the_panel(client, town):
    case = _report(town)
    response = _login(client, town.dispatcher).post(
        _act(case, "accept"),
        {
            "version": case.version,
            "category": category("road").pk,
            "request_type": "other",
            "priority": "urgent",
        },
        HTTP_HX_REQUEST="true",
    )
    html = _html(response)
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="case-panel"') and "<html" not in html
    assert 'data-notice="success"' in html and 'data-verb="dispatch"' in html
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and case.priority == Priority.URGENT
    assert f'name="version" value="{case.version}"' in html  # the forms carry the new version


@pytest.mark.django_db
def test_a_department_that_returns_the_case_goes_back_to_its_queue(client, town):
    case = _dispatched(town)
    response = _login(client, town.handler).post(
        _act(case, "return"), {"version": case.version, "reason": "不属于我单位职责"}
    )
    assert response.status_code == 302 and response["Location"] == "/cases/queue/"
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED
    response = _login(client, town.dispatcher).post(
        _act(case, "comment"), {"version": 1, "text": "已电话联系"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and "已电话联系" in _html(response)  # comments ignore the version


# --- Errors ------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_validation_error_is_shown_next_to_the_field_and_keeps_the_input(client, town):
    case = _report(town)
    response = _login(client, town.dispatcher).post(
        _act(case, "accept"),
        {
            "version": case.version,
            "category": "",
            "request_type": "help",
            "priority": "urgent",
            "note": "先核实位置",
        },
    )
    html = _html(response)
    assert response.status_code == 200
    assert re.search(
        r'<ul class="errorlist" id="id_accept_category_error">\s*<li>This field is required.</li>', html
    )
    assert 'aria-describedby="id_accept_category_error"' in html
    assert "先核实位置</textarea>" in html
    assert re.search(r'<option value="urgent" selected>', html)
    assert 'id="action-accept" data-verb="accept" open' in html
    case.refresh_from_db()
    assert case.status == CaseStatus.REPORTED and _verbs(case) == ["report"]


@pytest.mark.django_db
def test_the_actions_own_validation_errors_land_on_their_fields(client, town):
    case = _accepted(town)
    response = _login(client, town.dispatcher).post(
        _act(case, "dispatch"),
        {"version": case.version, "lead": town.roads.pk, "helpers": [town.roads.pk]},
    )
    html = _html(response)
    assert response.status_code == 200
    assert re.search(r'id="id_dispatch_helpers_error">\s*<li>[^<]+</li>', html)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED


@pytest.mark.django_db
def test_stale_version_shows_the_conflict_and_changes_nothing(client, town):
    case = _report(town)
    seen = case.version
    actions.accept_case(actor=town.dispatcher, case=case, category=category("road"))  # in another tab
    events = _verbs(case)

    response = _login(client, town.dispatcher).post(_act(case, "reject"), {"version": seen, "reason": "重复"})
    html = _html(response)
    assert response.status_code == 409
    assert 'data-notice="error"' in html and "Someone else changed this case" in html
    assert "data-case-status>已受理<" in html or "data-case-status>Accepted<" in html  # the fresh state
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and _verbs(case) == events

    response = client.post(
        _act(case, "accept"),
        {"version": seen, "category": category("road").pk, "request_type": "help", "priority": "normal"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'data-notice="error"' in _html(response)
    assert _verbs(case) == events


@pytest.mark.django_db
def test_a_transition_no_longer_possible_is_a_conflict(client, town):
    case = _accepted(town)
    response = _login(client, town.dispatcher).post(
        _act(case, "accept"),
        {
            "version": case.version,
            "category": category("road").pk,
            "request_type": "help",
            "priority": "normal",
        },
    )
    assert response.status_code == 409 and "Someone else changed this case" in _html(response)


# --- Personal data and photos ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reveal_phone_shows_it_once_and_logs_the_view(client, town):
    case = _report(town)
    _login(client, town.dispatcher)
    html = _html(client.get(f"/cases/{case.number}/"))
    assert "data-reveal" in html and PHONE not in html

    response = client.post(f"/cases/{case.number}/reveal/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and PHONE in _html(response) and "王阿姨" in _html(response)
    assert _html(response).lstrip().startswith('<dd id="reporter-contact"')
    assert case.events.filter(verb="view_personal_data", actor=town.dispatcher).count() == 1

    response = client.post(f"/cases/{case.number}/reveal/")  # without JavaScript: the whole page
    assert response.status_code == 200 and PHONE in _html(response) and "<html" in _html(response)
    assert case.events.filter(verb="view_personal_data").count() == 2
    assert PHONE not in _html(client.get(f"/cases/{case.number}/"))  # shown once, masked again

    _login(client, town.leader)
    assert "data-reveal" not in _html(client.get(f"/cases/{case.number}/"))
    assert client.post(f"/cases/{case.number}/reveal/").status_code == 403
    assert case.events.filter(verb="view_personal_data").count() == 2


def _jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 90, 160)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.mark.django_db
def test_original_photos_only_for_those_who_may_see_personal_data(client, town, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    case = _report(town)
    (photo,) = actions.add_photos(
        case=case,
        actor=town.resident,
        files=[SimpleUploadedFile("p.jpg", _jpeg(), content_type="image/jpeg")],
        kind=CasePhoto.KIND_REPORT,
    )
    original = f"/cases/{case.number}/photos/{photo.pk}/original"
    public = f"/cases/{case.number}/photos/{photo.pk}/public"

    _login(client, town.dispatcher)
    html = _html(client.get(f"/cases/{case.number}/"))
    assert public in html and original in html and "/media/" not in html
    response = client.get(original)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    viewed = case.events.get(verb="view_photo_original")
    assert viewed.actor == town.dispatcher and viewed.data == {"photo": photo.pk}

    _login(client, town.leader)  # may see the case, not its personal data
    assert original not in _html(client.get(f"/cases/{case.number}/"))
    assert client.get(original).status_code == 404
    response = client.get(public)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"

    _login(client, town.other_worker)  # may not see the case at all
    assert client.get(public).status_code == 404
    assert client.get(original).status_code == 404


# --- Supervision -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_supervision_lists_overdue_cases_and_issues_orders(client, town):
    overdue = _accepted(town)
    due_soon = _accepted(town)
    urgent = _report(town, priority=Priority.URGENT)
    calm = _accepted(town)
    elsewhere = _report(town, grid_index=len(town.region.grids) - 1)
    Case.objects.filter(pk__in=[overdue.pk, elsewhere.pk]).update(alert_level=AlertLevel.RED)
    Case.objects.filter(pk=due_soon.pk).update(alert_level=AlertLevel.YELLOW)

    html = _html(_login(client, town.leader).get("/cases/supervision/"))
    assert _listed(html) == {overdue.number, due_soon.number, urgent.number}
    assert calm.number not in html
    assert html.index(overdue.number) < html.index(due_soon.number) < html.index(urgent.number)
    assert 'data-verb="supervise"' in html

    deadline = timezone.localtime() + timedelta(days=2)
    response = client.post(
        _act(overdue, "supervise"),
        {
            "version": overdue.version,
            "instruction": "两日内办结并反馈",
            "deadline": deadline.strftime("%Y-%m-%dT%H:%M"),
            "next": "/cases/supervision/",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/cases/supervision/"
    overdue.refresh_from_db()
    assert overdue.alert_level == AlertLevel.NORMAL and overdue.supervise_by is not None
    event = overdue.events.get(verb="supervise")
    assert event.actor == town.leader and event.note == "两日内办结并反馈"

    # a deadline in the past: explained next to the field, on the supervision page
    response = client.post(
        _act(due_soon, "supervise"),
        {
            "version": due_soon.version,
            "instruction": "抓紧",
            "deadline": "2020-01-01T09:00",
            "next": "/cases/supervision/",
        },
    )
    html = _html(response)
    assert response.status_code == 200 and "<h1" in html and 'id="id_supervise_' in html
    assert re.search(rf'id="id_supervise_{due_soon.pk}_deadline_error">\s*<li>[^<]+</li>', html)
    assert "抓紧</textarea>" in html


@pytest.mark.django_db
def test_supervision_is_for_leaders_and_centers(client, town):
    assert _login(client, town.worker).get("/cases/supervision/").status_code == 403
    assert _login(client, town.handler).get("/cases/supervision/").status_code == 403
    assert _login(client, town.resident).get("/cases/supervision/").status_code == 403
    html = _html(_login(client, town.dispatcher).get("/cases/supervision/"))
    assert "data-empty" in html
