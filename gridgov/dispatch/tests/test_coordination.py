"""Coordination (联动指挥): the action that forms and re-forms a case's team with a joint deadline, a helper
department reporting its part done, and the command-center pages (board, case page, helper page, case-page link)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import cast

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.cases import actions
from gridgov.cases.choices import CaseStatus, Channel
from gridgov.cases.models import Case, CaseEvent
from gridgov.core.exceptions import Conflict, InvalidTransition
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.choices import AssignmentRole, AssignmentStatus, DepartmentKind
from gridgov.dispatch.models import Assignment
from gridgov.notifications.models import Notification
from gridgov.testing.factories import DepartmentFactory, UserFactory, category, grant

INSTRUCTION = "建设办牵头修复路面，司法所同步调解两户纠纷"


def _report(town, grid_index: int = 0) -> Case:
    return actions.report_case(
        actor=town.resident,
        channel=Channel.WEB,
        text="北渡村22组路面塌陷，两户人家为修路费用争执",
        grid=town.region.grids[grid_index],
    )


def _accepted(town, grid_index: int = 0) -> Case:
    return actions.accept_case(
        actor=town.dispatcher, case=_report(town, grid_index), category=category("road")
    )


def _in(days: int) -> datetime:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0)


def _coordinate(town, case: Case, *, lead=None, helpers=None, days: int = 10, actor=None) -> Case:
    return dispatch_actions.coordinate_case(
        actor=actor or town.dispatcher,
        case=case,
        lead=lead or town.roads,
        helpers=[town.justice] if helpers is None else helpers,
        deadline=_in(days),
        instruction=INSTRUCTION,
    )


def _team(case: Case) -> dict[str, tuple[str, str]]:
    """Department code → (role, status) of the open or finished assignments."""
    return {
        a.department.code: (a.role, a.status)
        for a in case.assignments.exclude(status=AssignmentStatus.CANCELLED).select_related("department")
    }


def _user(username: str, role: str, **scope) -> User:
    person = cast(User, UserFactory(username=username))
    grant(person, role, **scope)
    return person


@pytest.fixture
def water(town):
    """A third department of the first town, with its handler."""
    department = DepartmentFactory(area=town.region.towns[0], name="测试镇1水利站", kind=DepartmentKind.WATER)
    handler = _user("water", Role.DEPARTMENT_HANDLER, department=department)
    return department, handler


# --- The action: a new team --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_coordinating_an_accepted_case_dispatches_the_team_with_a_joint_deadline(town):
    case = _accepted(town)
    events_before = case.events.count()
    deadline = _in(10)

    case = dispatch_actions.coordinate_case(
        actor=town.dispatcher,
        case=case,
        lead=town.roads,
        helpers=[town.justice],
        deadline=deadline,
        instruction=f"  {INSTRUCTION} ",
    )

    assert case.status == CaseStatus.DISPATCHED and case.dispatched_at is not None
    assert case.supervise_by == deadline and case.resolve_by == deadline
    lead = case.assignments.get(department=town.roads)
    helper = case.assignments.get(department=town.justice)
    assert (lead.role, lead.status, lead.due_by) == (AssignmentRole.LEAD, AssignmentStatus.PENDING, deadline)
    assert (helper.role, helper.status, helper.due_by) == (
        AssignmentRole.HELPER,
        AssignmentStatus.PENDING,
        deadline,
    )
    assert lead.sign_by is not None and lead.sign_by <= deadline

    assert case.events.count() == events_before + 1
    event = case.events.order_by("-at", "-id").first()
    assert event is not None
    assert (event.verb, event.from_status, event.to_status) == ("coordinate", "accepted", "dispatched")
    assert event.note == INSTRUCTION and event.actor == town.dispatcher
    assert event.data["lead"] == town.roads.code and event.data["helpers"] == [town.justice.code]
    assert event.data["deadline"] == deadline.isoformat() and event.data["removed"] == []

    to_lead = Notification.objects.get(recipient=town.handler)
    to_helper = Notification.objects.get(recipient=town.justice_handler)
    assert to_lead.kind == to_helper.kind == "assignment"
    assert case.number in to_lead.title and INSTRUCTION in to_lead.body
    assert to_lead.link == f"/cases/{case.number}/"
    assert to_helper.link == f"/dispatch/coordination/{case.pk}/part/"
    assert not Notification.objects.filter(recipient=town.dispatcher, kind="supervision").exists()


@pytest.mark.django_db
def test_a_short_joint_deadline_also_shortens_the_sign_deadline(town):
    deadline = timezone.now() + timedelta(hours=2)
    case = dispatch_actions.coordinate_case(
        actor=town.dispatcher,
        case=_accepted(town),
        lead=town.roads,
        helpers=[town.justice],
        deadline=deadline,
        instruction=INSTRUCTION,
    )
    assert set(case.assignments.values_list("sign_by", flat=True)) == {deadline}


@pytest.mark.django_db
def test_a_leader_of_the_area_may_coordinate_and_the_center_is_told(town):
    case = _coordinate(town, _accepted(town), actor=town.leader)
    assert case.status == CaseStatus.DISPATCHED
    event = case.events.get(verb="coordinate")
    assert event.actor == town.leader and event.data["by"] == "leader"
    told = Notification.objects.get(recipient=town.dispatcher, kind="supervision")
    assert told.link == f"/dispatch/coordination/{case.pk}/"


# --- The action: a re-formed team --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_reforming_keeps_the_departments_that_stay_adds_new_ones_and_cancels_removed_ones(town, water):
    water_department, water_handler = water
    case = _coordinate(town, _accepted(town), days=10)
    case = dispatch_actions.sign_case(actor=town.handler, case=case)
    case = dispatch_actions.sign_case(actor=town.justice_handler, case=case)
    assert case.status == CaseStatus.IN_PROGRESS
    kept = case.assignments.get(department=town.roads)
    Notification.objects.all().delete()
    new_deadline = _in(20)

    case = dispatch_actions.coordinate_case(
        actor=town.dispatcher,
        case=case,
        lead=town.roads,
        helpers=[water_department],
        deadline=new_deadline,
        instruction="司法所调解已无必要，改由水利站疏通边沟",
    )

    assert case.status == CaseStatus.IN_PROGRESS  # the lead stays and has signed
    assert case.supervise_by == new_deadline and case.resolve_by == new_deadline
    kept.refresh_from_db()
    assert (kept.status, kept.due_by, kept.signed_by) == (AssignmentStatus.SIGNED, new_deadline, town.handler)
    dropped = case.assignments.get(department=town.justice)
    assert dropped.status == AssignmentStatus.CANCELLED and dropped.finished_at is not None
    added = case.assignments.get(department=water_department)
    assert (added.role, added.status, added.due_by) == (
        AssignmentRole.HELPER,
        AssignmentStatus.PENDING,
        new_deadline,
    )
    assert case.assignments.count() == 3

    event = case.events.filter(verb="coordinate").order_by("-id").first()
    assert event is not None and (event.from_status, event.to_status) == ("", "")
    assert event.data["helpers"] == [water_department.code]
    assert event.data["removed"] == [town.justice.code]
    assert Notification.objects.filter(recipient=town.handler, link=f"/cases/{case.number}/").exists()
    assert Notification.objects.filter(recipient=water_handler, link__endswith="/part/").exists()
    gone = Notification.objects.get(recipient=town.justice_handler)
    assert gone.link == "" and "已不再参与办理" in gone.title  # notices are written in the site's language


@pytest.mark.django_db
def test_a_new_lead_sends_the_case_back_to_dispatched_until_it_signs(town):
    case = _coordinate(town, _accepted(town))
    case = dispatch_actions.sign_case(actor=town.handler, case=case)
    case = dispatch_actions.sign_case(actor=town.justice_handler, case=case)

    case = _coordinate(town, case, lead=town.justice, helpers=[town.roads], days=15)

    assert case.status == CaseStatus.DISPATCHED
    event = case.events.filter(verb="coordinate").order_by("-id").first()
    assert event is not None and (event.from_status, event.to_status) == ("in_progress", "dispatched")
    assert _team(case) == {
        town.justice.code: (AssignmentRole.LEAD, AssignmentStatus.PENDING),
        town.roads.code: (AssignmentRole.HELPER, AssignmentStatus.PENDING),
    }
    assert case.assignments.filter(status=AssignmentStatus.CANCELLED).count() == 2  # both old roles
    case = dispatch_actions.sign_case(actor=town.justice_handler, case=case)
    assert case.status == CaseStatus.IN_PROGRESS


@pytest.mark.django_db
def test_a_reopened_case_gets_a_fresh_team(town):
    case = _coordinate(town, _accepted(town))
    case = dispatch_actions.sign_case(actor=town.handler, case=case)
    case = dispatch_actions.resolve_case(actor=town.handler, case=case, result="路面已修复")
    case = actions.verify_case(actor=town.dispatcher, case=case, ok=True)
    case = actions.rate_case(actor=town.resident, case=case, satisfaction="dissatisfied", comment="又塌了")
    assert case.status == CaseStatus.REOPENED and case.supervise_by is None

    case = _coordinate(town, case, days=12)

    assert case.status == CaseStatus.DISPATCHED and case.resolve_by == case.supervise_by
    assert _team(case)[town.justice.code] == (AssignmentRole.HELPER, AssignmentStatus.PENDING)
    assert case.assignments.filter(department=town.roads, status=AssignmentStatus.PENDING).count() == 1


# --- The action: who, when, what ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_dispatcher_holding_the_case_or_a_leader_of_its_area_may_coordinate(town):
    case = _accepted(town)
    other_town_dispatcher = _user("dispatcher2", Role.DISPATCHER, area=town.region.towns[1])
    other_town_leader = _user("leader2", Role.LEADER, area=town.region.towns[1])
    for outsider in (
        town.handler,
        town.worker,
        town.chief,
        other_town_dispatcher,
        other_town_leader,
    ):
        with pytest.raises(PermissionDenied):
            _coordinate(town, case, actor=outsider)
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and not case.events.filter(verb="coordinate").exists()
    assert not case.assignments.exists()
    assert not Notification.objects.filter(recipient__in=[town.handler, town.justice_handler]).exists()


@pytest.mark.django_db
def test_validation_errors_name_the_field_in_the_users_language(town):
    case = _accepted(town)
    with pytest.raises(ValidationError) as error:
        dispatch_actions.coordinate_case(
            actor=town.dispatcher,
            case=case,
            lead=town.roads,
            helpers=[],
            deadline=timezone.now() - timedelta(minutes=1),
            instruction="  ",
        )
    assert set(error.value.message_dict) == {"helpers", "deadline", "instruction"}

    with pytest.raises(ValidationError) as error:
        _coordinate(town, case, lead=town.other_town_roads, helpers=[town.justice, town.justice])
    assert set(error.value.message_dict) == {"lead", "helpers"}
    assert "测试镇2建设办" in error.value.message_dict["lead"][0]

    with pytest.raises(ValidationError) as error:
        _coordinate(town, case, lead=town.roads, helpers=[town.roads])
    assert set(error.value.message_dict) == {"helpers"}

    with translation.override("zh-hans"), pytest.raises(ValidationError) as error:
        _coordinate(town, case, days=-1)
    message = error.value.message_dict["deadline"][0]
    assert message != "The deadline must lie in the future." and re.search(r"[\u4e00-\u9fff]", message)

    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED and not case.assignments.exists()


@pytest.mark.django_db
def test_coordination_needs_a_case_that_is_accepted_dispatched_or_in_progress(town):
    with pytest.raises(InvalidTransition):
        _coordinate(town, _report(town))
    case = _coordinate(town, _accepted(town))
    case = dispatch_actions.sign_case(actor=town.handler, case=case)
    case = dispatch_actions.resolve_case(actor=town.handler, case=case, result="已修复")
    with pytest.raises(InvalidTransition):
        _coordinate(town, case)


@pytest.mark.django_db
def test_a_stale_page_is_a_conflict(town):
    case = _accepted(town)
    seen = case.version
    actions.comment_case(actor=town.dispatcher, case=case, text="先电话联系村里")
    with pytest.raises(Conflict):
        dispatch_actions.coordinate_case(
            actor=town.dispatcher,
            case=case,
            lead=town.roads,
            helpers=[town.justice],
            deadline=_in(5),
            instruction=INSTRUCTION,
            expected_version=seen,
        )


# --- A helper reports its part -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_helper_reports_its_part_done(town):
    case = _coordinate(town, _accepted(town))
    case = dispatch_actions.sign_case(actor=town.handler, case=case)
    Notification.objects.all().delete()

    with pytest.raises(ValidationError) as error:
        dispatch_actions.finish_helper_part(actor=town.justice_handler, case=case, note=" ")
    assert set(error.value.message_dict) == {"note"}
    with pytest.raises(PermissionDenied):
        dispatch_actions.finish_helper_part(actor=town.handler, case=case, note="路面已修")  # the lead
    with pytest.raises(PermissionDenied):
        dispatch_actions.finish_helper_part(actor=town.other_handler, case=case, note="x")

    case = dispatch_actions.finish_helper_part(
        actor=town.justice_handler, case=case, note="两户已签调解协议，费用按户分摊"
    )

    assert case.status == CaseStatus.IN_PROGRESS  # the lead still resolves the case
    part = case.assignments.get(department=town.justice)
    assert part.status == AssignmentStatus.RESOLVED and part.finished_at is not None
    assert part.signed_at == part.finished_at and part.signed_by == town.justice_handler  # signed with it
    assert part.note == "两户已签调解协议，费用按户分摊"
    event = case.events.get(verb="finish_helper")
    assert event.data == {"department": town.justice.code, "signed": True} and not event.public
    assert Notification.objects.filter(recipient=town.handler).count() == 1
    assert Notification.objects.filter(recipient=town.dispatcher).count() == 1
    with pytest.raises(PermissionDenied):  # nothing left open to report
        dispatch_actions.finish_helper_part(actor=town.justice_handler, case=case, note="再报一次")


@pytest.mark.django_db
def test_a_helper_cannot_sign_a_finished_case(town):
    """A helper's signature is no status change, so the workflow table does not guard it: the action does."""
    case = _coordinate(town, _accepted(town))
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)  # finished while the helper never signed
    case.refresh_from_db()
    with pytest.raises(InvalidTransition):
        dispatch_actions.sign_case(actor=town.justice_handler, case=case)
    assert not case.events.filter(verb="sign_helper").exists()
    assert case.assignments.get(department=town.justice).status == AssignmentStatus.PENDING


@pytest.mark.django_db
def test_a_finished_part_stays_done_when_the_team_is_reformed(town):
    case = _coordinate(town, _accepted(town), days=10)
    case = dispatch_actions.finish_helper_part(actor=town.justice_handler, case=case, note="调解完毕")
    finished = case.assignments.get(department=town.justice)

    case = _coordinate(town, case, days=20)

    assert case.assignments.filter(department=town.justice).count() == 1
    finished.refresh_from_db()
    assert finished.status == AssignmentStatus.RESOLVED
    assert finished.due_by is not None and finished.due_by < case.supervise_by  # its own deadline stays


# --- Pages -------------------------------------------------------------------------------------------------------


def _login(client, user):
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _html(response) -> str:
    return response.content.decode()


def _row(html: str, number: str) -> str:
    match = re.search(rf'<tr class="case-row[^"]*" data-case="{number}".*?</tr>', html, re.S)
    assert match is not None, f"no row for {number}"
    return match.group(0)


def _parts(html: str) -> dict[str, str]:
    """Department code → status of every part shown."""
    return dict(re.findall(r'data-part="([^"]+)" data-role="\w+" data-status="(\w+)"', html))


BOARD = "/dispatch/coordination/"


@pytest.mark.django_db
def test_the_pages_are_for_the_command_center_of_the_area(client, town):
    case = _coordinate(town, _accepted(town))
    page = f"/dispatch/coordination/{case.pk}/"
    assert client.get(BOARD).status_code == 302  # to the sign-in page
    for outsider in (town.handler, town.resident, town.worker):
        assert _login(client, outsider).get(BOARD).status_code == 403
        assert client.get(page).status_code == 403
    other_town_dispatcher = _user("dispatcher2", Role.DISPATCHER, area=town.region.towns[1])
    _login(client, other_town_dispatcher)
    assert client.get(f"{BOARD}?area={town.region.towns[0].code}").status_code == 403
    assert client.get(page).status_code == 403
    assert client.get(f"{page}?area={town.region.towns[1].code}").status_code == 403
    assert client.get(BOARD).status_code == 200
    assert client.get("/dispatch/coordination/999999/").status_code == 404


@pytest.mark.django_db
def test_the_board_shows_every_assignment_side_by_side_and_late_ones_in_red(client, town):
    on_time = _coordinate(town, _accepted(town), days=10)
    on_time = dispatch_actions.sign_case(actor=town.handler, case=on_time)
    dispatch_actions.finish_helper_part(actor=town.justice_handler, case=on_time, note="调解完毕")
    late = _coordinate(town, _accepted(town, grid_index=1), days=10)
    past = timezone.now() - timedelta(hours=3)
    Case.objects.filter(pk=late.pk).update(supervise_by=past, resolve_by=past)
    Assignment.objects.filter(case=late).update(due_by=past)
    plain = dispatch_actions.dispatch_case(actor=town.dispatcher, case=_accepted(town), lead=town.roads)

    html = _html(_login(client, town.dispatcher).get(f"{BOARD}?area={town.region.towns[0].code}"))

    assert 'aria-current="page">Coordination<' in html  # the command-center tab
    assert set(re.findall(r'<tr class="case-row[^"]*" data-case="([^"]+)"', html)) == {
        on_time.number,
        late.number,
    }
    assert plain.number not in html
    row = _row(html, on_time.number)
    assert _parts(row) == {town.roads.code: "signed", town.justice.code: "resolved"}
    assert "data-late" not in row and "deadline--red" not in row
    assert "1 of 2 parts done" in row
    row = _row(html, late.number)
    assert _parts(row) == {town.roads.code: "pending", town.justice.code: "pending"}
    assert 'class="case-row case-row--red" data-case' in row and "data-joint-deadline data-late" in row
    assert row.count('class="deadline deadline--red" data-finished') == 2  # each open part is overdue

    finished = _html(client.get(f"{BOARD}?area={town.region.towns[0].code}&state=finished"))
    assert "data-empty" in finished and on_time.number not in finished


@pytest.mark.django_db
def test_forming_the_team_through_the_page(client, town):
    case = _accepted(town)
    page = f"/dispatch/coordination/{case.pk}/"
    html = _html(_login(client, town.dispatcher).get(page))
    assert "data-coordinate-form" in html and 'name="working_days"' in html
    assert f'value="{town.roads.pk}"' in html

    response = client.post(
        page,
        {
            "version": case.version,
            "lead": town.roads.pk,
            "helpers": [],
            "working_days": 3,
            "instruction": INSTRUCTION,
        },
    )
    assert response.status_code == 200
    assert re.search(r'form-field--invalid" data-field="helpers"', _html(response))
    for when in ({"deadline": "2020-01-06T09:00"}, {}):  # in the past; none at all
        response = client.post(
            page,
            {"version": case.version, "lead": town.roads.pk, "helpers": [town.justice.pk], **when,
             "instruction": INSTRUCTION},
        )  # fmt: skip
        assert response.status_code == 200
        assert re.search(r'form-field--invalid" data-field="deadline"', _html(response))
    case.refresh_from_db()
    assert case.status == CaseStatus.ACCEPTED

    response = client.post(
        page,
        {
            "version": case.version,
            "lead": town.roads.pk,
            "helpers": [town.justice.pk],
            "deadline": "2020-01-06T09:00",  # the working days win
            "working_days": 3,
            "instruction": INSTRUCTION,
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(page)
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert case.supervise_by is not None and case.supervise_by > timezone.now() + timedelta(days=2)
    assert set(case.assignments.values_list("due_by", flat=True)) == {case.supervise_by}

    html = _html(client.get(response["Location"]))
    assert _parts(html) == {town.roads.code: "pending", town.justice.code: "pending"}
    assert 'data-event="coordinate"' in html and INSTRUCTION in html

    stale = client.post(
        page,
        {
            "version": case.version - 1,
            "lead": town.roads.pk,
            "helpers": [town.justice.pk],
            "working_days": 5,
            "instruction": INSTRUCTION,
        },
    )
    assert stale.status_code == 409 and 'data-notice="error"' in _html(stale)
    assert CaseEvent.objects.filter(case=case, verb="coordinate").count() == 1


@pytest.mark.django_db
def test_who_sees_the_form_and_who_only_the_progress(client, town):
    case = _coordinate(town, _accepted(town))
    page = f"/dispatch/coordination/{case.pk}/"
    assert "data-coordinate-form" in _html(_login(client, town.leader).get(page))
    assert "data-coordinate-form" in _html(_login(client, town.district_dispatcher).get(page))
    html = _html(_login(client, town.chief).get(page))  # the village's grid chief follows the progress
    assert "data-no-form" in html and _parts(html) == {
        town.roads.code: "pending",
        town.justice.code: "pending",
    }
    post = {"version": case.version, "lead": town.roads.pk, "helpers": [town.justice.pk]}
    assert client.post(page, {**post, "working_days": 2, "instruction": "x"}).status_code == 403


@pytest.mark.django_db
def test_the_case_page_links_to_coordination_for_those_who_may_coordinate(client, town):
    reported = _report(town)
    accepted = _accepted(town)
    dispatched = _coordinate(town, _accepted(town))
    both = _user("both", Role.DISPATCHER, area=town.region.towns[0])
    grant(both, Role.LEADER, area=town.region.towns[0])

    def links(user, case: Case) -> int:
        return _html(_login(client, user).get(f"/cases/{case.number}/")).count("data-coordinate-link")

    assert links(town.dispatcher, accepted) == 1
    assert links(town.dispatcher, dispatched) == 1
    assert links(town.leader, dispatched) == 1
    assert links(both, accepted) == 1
    assert links(town.dispatcher, reported) == 0
    assert links(town.leader, reported) == 0
    assert links(town.handler, dispatched) == 0
    assert links(town.chief, dispatched) == 0
    html = _html(_login(client, town.dispatcher).get(f"/cases/{accepted.number}/"))
    assert f'href="/dispatch/coordination/{accepted.pk}/"' in html


@pytest.mark.django_db
def test_a_helper_reports_its_part_through_its_page(client, town):
    case = _coordinate(town, _accepted(town))
    page = f"/dispatch/coordination/{case.pk}/part/"

    html = _html(_login(client, town.handler).get(page))  # the lead has no helper part
    assert "data-no-form" in html
    assert client.post(page, {"note": "x"}).status_code == 403
    assert _login(client, town.other_handler).get(page).status_code == 404

    html = _html(_login(client, town.justice_handler).get(page))
    assert "data-part-form" in html and INSTRUCTION in html
    response = client.post(page, {"note": "两户已签调解协议"})
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.number}/"
    part = case.assignments.get(department=town.justice)
    assert part.status == AssignmentStatus.RESOLVED and part.note == "两户已签调解协议"
