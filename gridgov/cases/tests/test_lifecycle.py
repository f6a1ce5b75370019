"""The closed loop through the actions: report → accept → dispatch → sign → resolve → verify → rate → close."""

from __future__ import annotations

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from gridgov.cases import actions
from gridgov.cases.choices import AlertLevel, CaseStatus, Channel, OwnerLevel, Satisfaction
from gridgov.cases.models import Case, CaseEvent, TimeRequest
from gridgov.core.exceptions import Conflict, InvalidTransition
from gridgov.core.models import AppendOnlyError
from gridgov.dispatch import actions as dispatch_actions
from gridgov.dispatch.choices import AssignmentStatus
from gridgov.notifications.models import Notification
from gridgov.testing.factories import category

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _report(town, **extra) -> Case:
    values = {
        "actor": town.resident,
        "channel": Channel.WEB,
        "text": "北渡村22组路口视线盲区，经常差点撞车，希望装一面凸面镜",
        "grid": town.region.grids[0],
        "reporter_name": "王阿姨",
        "reporter_phone": "13812345678",
    }
    values.update(extra)
    return actions.report_case(**values)


def _verbs(case: Case) -> list[str]:
    return list(case.events.values_list("verb", flat=True))


@pytest.mark.django_db
def test_full_loop_with_rework_and_reopening(town):
    case = _report(town)
    assert case.status == CaseStatus.REPORTED
    assert case.owner_level == OwnerLevel.TOWN and case.owner_area == town.region.towns[0]
    assert case.accept_by is not None and case.resolve_by is None
    assert case.number.endswith("-0001")
    assert Notification.objects.filter(recipient=town.dispatcher).count() == 1

    case = actions.accept_case(actor=town.dispatcher, case=case, category=category("road"))
    assert case.status == CaseStatus.ACCEPTED and case.resolve_by is not None and case.budget_days == 5

    case = dispatch_actions.dispatch_case(
        actor=town.dispatcher, case=case, lead=town.roads, helpers=[town.justice]
    )
    assert case.status == CaseStatus.DISPATCHED
    assert Notification.objects.filter(recipient=town.handler, kind="assignment").exists()
    assert Notification.objects.filter(recipient=town.justice_handler, kind="assignment").exists()

    case = dispatch_actions.sign_case(
        actor=town.justice_handler, case=case
    )  # a helper signs: no status change
    assert case.status == CaseStatus.DISPATCHED
    case = dispatch_actions.sign_case(actor=town.handler, case=case)
    assert case.status == CaseStatus.IN_PROGRESS

    case = dispatch_actions.resolve_case(actor=town.handler, case=case, result="已安装凸面镜一面")
    assert case.status == CaseStatus.RESOLVED and case.resolution == "已安装凸面镜一面"
    case = actions.verify_case(actor=town.worker, case=case, ok=False, note="镜子角度不对")
    assert case.status == CaseStatus.IN_PROGRESS
    case = dispatch_actions.resolve_case(actor=town.handler, case=case, result="已调整镜子角度")
    case = actions.verify_case(actor=town.dispatcher, case=case, ok=True)
    assert case.status == CaseStatus.VERIFIED

    case = actions.rate_case(
        actor=town.resident, case=case, satisfaction=Satisfaction.DISSATISFIED, comment="晚上看不清"
    )
    assert case.status == CaseStatus.REOPENED and case.reopen_count == 1
    case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)
    case = dispatch_actions.sign_case(actor=town.handler, case=case)
    case = dispatch_actions.resolve_case(actor=town.handler, case=case, result="加装了反光标志")
    case = actions.verify_case(actor=town.dispatcher, case=case, ok=True)
    case = actions.rate_case(actor=town.resident, case=case, satisfaction=Satisfaction.SATISFIED)
    assert case.status == CaseStatus.CLOSED and case.closed_at is not None

    assert _verbs(case) == [
        "report", "accept", "categorise", "dispatch", "sign_helper", "sign", "resolve", "verify_redo", "resolve", "verify_ok",
        "rate_dissatisfied", "dispatch", "sign", "resolve", "verify_ok", "rate_satisfied",
    ]  # fmt: skip
    statuses = [
        (e.from_status, e.to_status) for e in case.events.exclude(from_status="").order_by("at", "id")
    ][:3]
    assert statuses == [("reported", "accepted"), ("accepted", "dispatched"), ("dispatched", "in_progress")]


@pytest.mark.django_db
def test_grid_worker_report_is_first_the_grids_to_solve(town):
    case = actions.report_case(
        actor=town.worker, channel=Channel.GRID_WORKER, text="花市街村4组两户因宅基地边界争执", grid=town.region.grids[0],
        category=category("dispute"),
    )  # fmt: skip
    assert case.status == CaseStatus.ACCEPTED and case.owner_level == OwnerLevel.GRID
    assert case.resolve_by is not None
    with pytest.raises(PermissionDenied):
        actions.resolve_in_grid(actor=town.other_worker, case=case, result="x")
    case = actions.resolve_in_grid(actor=town.worker, case=case, result="镇司法所带案入格，双方签订协议")
    assert case.status == CaseStatus.RESOLVED
    case = actions.verify_case(actor=town.chief, case=case, ok=False, note="协议未签字")
    assert case.status == CaseStatus.REOPENED
    case = actions.resolve_in_grid(actor=town.worker, case=case, result="协议已签字")
    case = actions.verify_case(actor=town.chief, case=case, ok=True)
    case = actions.close_case(actor=town.dispatcher, case=case, note="电话回访无人接听")
    assert case.status == CaseStatus.CLOSED


@pytest.mark.django_db
def test_escalation_goes_grid_to_town_to_district(town):
    case = actions.report_case(
        actor=town.worker, channel=Channel.GRID_WORKER, text="河道漂浮大量垃圾", grid=town.region.grids[0],
        category=category("water"),
    )  # fmt: skip
    case = actions.escalate_case(actor=town.worker, case=case, reason="网格内无法打捞")
    assert case.status == CaseStatus.REPORTED and case.owner_area == town.region.towns[0]
    case = actions.escalate_case(actor=town.dispatcher, case=case, reason="需区水利局协调")
    assert case.owner_area == town.region.district and case.owner_level == OwnerLevel.DISTRICT
    with pytest.raises(PermissionDenied):
        actions.accept_case(
            actor=town.dispatcher, case=case
        )  # the town no longer holds it… but still sees it
    case = actions.accept_case(actor=town.district_dispatcher, case=case)
    assert case.status == CaseStatus.ACCEPTED
    with pytest.raises(InvalidTransition):
        actions.escalate_case(actor=town.district_dispatcher, case=case, reason="更上级")


@pytest.mark.django_db
def test_return_and_redispatch(town):
    case = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
    case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.justice)
    with pytest.raises(PermissionDenied):
        dispatch_actions.return_case(actor=town.handler, case=case, reason="不是我们的")
    with pytest.raises(ValidationError):
        dispatch_actions.return_case(actor=town.justice_handler, case=case, reason=" ")
    case = dispatch_actions.return_case(
        actor=town.justice_handler, case=case, reason="属道路问题，非司法所职责"
    )
    assert case.status == CaseStatus.ACCEPTED
    assert case.assignments.get().status == AssignmentStatus.RETURNED
    assert Notification.objects.filter(recipient=town.dispatcher, kind="returned").exists()
    case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)
    assert case.assignments.filter(status=AssignmentStatus.PENDING).get().department == town.roads


@pytest.mark.django_db
def test_departments_must_serve_the_place(town):
    case = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
    with pytest.raises(ValidationError) as error:
        dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.other_town_roads)
    assert "lead" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        dispatch_actions.dispatch_case(
            actor=town.dispatcher, case=case, lead=town.roads, helpers=[town.roads]
        )
    assert "helpers" in error.value.message_dict


@pytest.mark.django_db
def test_other_departments_and_grids_cannot_act(town):
    case = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
    case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)
    with pytest.raises(PermissionDenied):
        dispatch_actions.sign_case(actor=town.other_handler, case=case)
    with pytest.raises(PermissionDenied):
        dispatch_actions.dispatch_case(actor=town.handler, case=case, lead=town.roads)
    with pytest.raises(PermissionDenied):
        actions.supervise_case(
            actor=town.dispatcher, case=case, instruction="x", deadline=timezone.now() + timedelta(days=1)
        )


@pytest.mark.django_db
def test_invalid_transitions_and_stale_versions_conflict(town):
    case = _report(town)
    with pytest.raises(InvalidTransition):
        actions.verify_case(actor=town.dispatcher, case=case, ok=True)
    stale = case.version
    case = actions.accept_case(actor=town.dispatcher, case=case, category=category("road"))
    with pytest.raises(Conflict):
        dispatch_actions.dispatch_case(
            actor=town.dispatcher, case=case, lead=town.roads, expected_version=stale
        )
    with pytest.raises(InvalidTransition):
        actions.accept_case(actor=town.dispatcher, case=case)
    assert _verbs(case) == ["report", "accept", "categorise"]


@pytest.mark.django_db
def test_extension_moves_the_deadline_by_working_days(town):
    accepted_at = datetime(2026, 9, 21, 10, 0, tzinfo=SHANGHAI)  # Monday
    with mock.patch("django.utils.timezone.now", return_value=accepted_at):
        case = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
        case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)
        case = dispatch_actions.sign_case(actor=town.handler, case=case)
    # 5 working days from Mon 21 Sep: Tue 22, Wed 23, Thu 24, then Mid-Autumn (25-27), Mon 28, Tue 29.
    assert case.resolve_by == datetime(2026, 9, 29, 10, 0, tzinfo=SHANGHAI)
    request = dispatch_actions.request_time(
        actor=town.handler, case=case, kind=TimeRequest.KIND_EXTENSION, days=3, reason="等待材料"
    )
    with pytest.raises(PermissionDenied):
        dispatch_actions.decide_time_request(actor=town.handler, request=request, approve=True)
    dispatch_actions.decide_time_request(actor=town.leader, request=request, approve=True)
    case.refresh_from_db()
    # 3 more working days: Wed 30 Sep, then National Day (1-7 Oct), Thu 8, Fri 9 Oct.
    assert case.resolve_by == datetime(2026, 10, 9, 10, 0, tzinfo=SHANGHAI)
    assert _verbs(case)[-2:] == ["request_extension", "decide_extension"]


@pytest.mark.django_db
def test_deadline_across_national_day_and_its_make_up_workday(town):
    accepted_at = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)  # the day before National Day
    with mock.patch("django.utils.timezone.now", return_value=accepted_at):
        case = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
    # Oct 1-7 off; Thu 8, Fri 9, Sat 10 (make-up workday), Mon 12, Tue 13.
    assert case.resolve_by == datetime(2026, 10, 13, 10, 0, tzinfo=SHANGHAI)
    assert not case.deadline_provisional


@pytest.mark.django_db
def test_suspension_stops_the_clock(town):
    start = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # Monday
    with mock.patch("django.utils.timezone.now", return_value=start):
        case = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
        case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)
        case = dispatch_actions.sign_case(actor=town.handler, case=case)
        request = dispatch_actions.request_time(
            actor=town.handler, case=case, kind=TimeRequest.KIND_SUSPENSION, reason="等待天晴施工"
        )
        dispatch_actions.decide_time_request(actor=town.dispatcher, request=request, approve=True)
    before = Case.objects.get(pk=case.pk).resolve_by
    assert Case.objects.get(pk=case.pk).status == CaseStatus.SUSPENDED
    with mock.patch("django.utils.timezone.now", return_value=start + timedelta(days=1)):
        case = dispatch_actions.resume_case(actor=town.dispatcher, case=case)
    assert case.status == CaseStatus.IN_PROGRESS
    assert case.suspended_hours == pytest.approx(7.5)  # one full office day (08:30-12:00, 13:30-17:30)
    assert case.resolve_by == before + timedelta(days=1)


@pytest.mark.django_db
def test_supervision_sets_the_deadline_and_notifies(town):
    case = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
    case = dispatch_actions.dispatch_case(actor=town.dispatcher, case=case, lead=town.roads)
    deadline = timezone.now() + timedelta(days=2)
    case = actions.supervise_case(actor=town.leader, case=case, instruction="两天内装好", deadline=deadline)
    assert case.resolve_by == deadline
    assert Notification.objects.filter(recipient=town.handler, kind="supervision").exists()
    actions.urge_case(actor=town.dispatcher, case=case, note="请尽快")
    assert Notification.objects.filter(recipient=town.handler, kind="urge").exists()


@pytest.mark.django_db
def test_merge_and_reject(town):
    master = _report(town)
    duplicate = _report(town, text="路口没有镜子，很危险")
    actions.merge_case(actor=town.dispatcher, case=duplicate, master=master)
    duplicate.refresh_from_db()
    assert duplicate.status == CaseStatus.MERGED and duplicate.merged_into == master
    assert "duplicate_merged" in _verbs(master)
    with pytest.raises(ValidationError):
        actions.merge_case(actor=town.dispatcher, case=master, master=master)
    other = _report(town, text="咨询明天天气")
    with pytest.raises(ValidationError):
        actions.reject_case(actor=town.dispatcher, case=other, reason="")
    other = actions.reject_case(actor=town.dispatcher, case=other, reason="不属于平台受理范围")
    assert other.status == CaseStatus.REJECTED


@pytest.mark.django_db
def test_viewing_the_phone_is_an_event(town):
    case = _report(town)
    with pytest.raises(PermissionDenied):
        actions.reveal_personal_data(actor=town.leader, case=case)
    data = actions.reveal_personal_data(actor=town.dispatcher, case=case)
    assert data["reporter_phone"] == "13812345678"
    event = case.events.get(verb="view_personal_data")
    assert event.actor == town.dispatcher and "13812345678" not in str(event.data)


@pytest.mark.django_db
def test_report_validation_names_the_fields(town):
    with pytest.raises(ValidationError) as error:
        actions.report_case(actor=None, channel="fax", text=" ")
    assert {"text", "channel", "address"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        actions.report_case(actor=None, channel=Channel.WEB, text="x", lat=10.0, lon=10.0)
    assert "lat" in error.value.message_dict


@pytest.mark.django_db
def test_report_locates_the_grid_from_gcj02_coordinates(town):
    grid = town.region.grids[0]
    from gridgov.geo.geometry import from_wgs84

    lat, lon = from_wgs84(
        grid.boundary["coordinates"][0][0][1] + 0.005, grid.boundary["coordinates"][0][0][0] + 0.005, "gcj02"
    )
    case = actions.report_case(
        actor=None, channel=Channel.WEB, text="路灯不亮", lat=lat, lon=lon, coord_system="gcj02"
    )
    assert case.grid == grid
    assert case.lat == pytest.approx(grid.boundary["coordinates"][0][0][1] + 0.005, abs=1e-5)


@pytest.mark.django_db
def test_case_numbers_count_per_prefix_and_day(town):
    numbers = [_report(town).number for _ in range(3)]
    assert [number[-4:] for number in numbers] == ["0001", "0002", "0003"]
    assert len({number[:-5] for number in numbers}) == 1


@pytest.mark.django_db
def test_a_report_that_fails_gives_its_number_back(town):
    from django.db import transaction

    first = _report(town).number
    with pytest.raises(RuntimeError), transaction.atomic():
        _report(town)
        raise RuntimeError("the intake failed after the case was numbered")
    assert _report(town).number[-4:] == "0002"
    assert first[-4:] == "0001"


@pytest.mark.django_db
def test_timeline_is_append_only(town):
    case = _report(town)
    event = case.events.get()
    event.note = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        case.events.update(note="x")
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.django_db
def test_postgresql_trigger_refuses_raw_updates(town):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    from django.db import DatabaseError, transaction

    case = _report(town)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE cases_caseevent SET note = 'x' WHERE case_id = %s", [case.pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM cases_caseevent WHERE case_id = %s", [case.pk])
    assert CaseEvent.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_alert_levels(town):
    from gridgov.cases.deadlines import alert_level

    start = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=start):
        case = actions.accept_case(actor=town.dispatcher, case=_report(town), category=category("road"))
    assert alert_level(case, start + timedelta(hours=1)) == AlertLevel.NORMAL
    assert alert_level(case, datetime(2026, 11, 6, 9, 0, tzinfo=SHANGHAI)) == AlertLevel.YELLOW  # 4 of 5 days
    assert alert_level(case, datetime(2026, 11, 10, 9, 0, tzinfo=SHANGHAI)) == AlertLevel.RED


@pytest.mark.django_db
def test_timeline_admin_is_read_only(town, client):
    from gridgov.accounts.actions import ensure_system_user
    from gridgov.accounts.choices import Role
    from gridgov.testing.factories import UserFactory, grant

    case = _report(town)
    admin = UserFactory(username="auditor", is_staff=True)
    grant(admin, Role.ADMIN)
    client.force_login(admin)
    listing = client.get("/admin/cases/caseevent/")
    assert listing.status_code == 200 and case.number in listing.content.decode()
    event = case.events.get()
    assert client.post(f"/admin/cases/caseevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/cases/caseevent/add/").status_code == 403
    client.force_login(town.dispatcher)
    assert client.get("/admin/cases/caseevent/").status_code == 302  # not staff: sent to the admin login
    assert ensure_system_user()


def _jpeg_with_gps() -> bytes:
    import io

    from PIL import Image

    image = Image.new("RGB", (64, 48), (200, 30, 30))
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (32.0, 15.0, 0.0), 3: "E", 4: (120.0, 58.0, 12.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


@pytest.mark.django_db
def test_photos_keep_gps_for_staff_and_strip_it_from_the_public_copy(town, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("scene.jpg", _jpeg_with_gps(), "image/jpeg")
    case = _report(town, photos=[upload])
    photo = case.photos.get()
    assert photo.gps_lat == pytest.approx(32.25) and photo.gps_lon == pytest.approx(120.97, abs=1e-3)
    with photo.public.open("rb") as handle:
        assert not Image.open(handle).getexif()
    with photo.original.open("rb") as handle:
        assert Image.open(handle).getexif().get_ifd(0x8825)
    assert "photos" in _verbs(case)
    text = SimpleUploadedFile("scene.jpg", b"not a picture at all", "image/jpeg")
    with pytest.raises(ValidationError) as error:
        _report(town, photos=[text])
    assert "photos" in error.value.message_dict
