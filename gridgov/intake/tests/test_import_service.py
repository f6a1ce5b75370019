"""The import of work-order files: good rows become cases, each bad row is explained by its row number, a rerun
adds nothing; finished work orders are closed with the file's times; only a center's staff may import."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation

from gridgov.cases.choices import CaseStatus, Channel, RequestType
from gridgov.cases.models import Case, CaseEvent
from gridgov.core.models import AuditEntry
from gridgov.intake.imports.mapping import MappingError
from gridgov.intake.imports.reader import FileUnreadable
from gridgov.intake.imports.service import import_areas_for, import_reports, may_import
from gridgov.intake.models import Submission
from gridgov.intake.tests.import_support import HEADERS, csv_bytes, make_people, xlsx_bytes
from gridgov.notifications.models import Notification
from gridgov.testing.factories import category


@pytest.fixture
def people(region):
    return make_people(region)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return timezone.make_aware(datetime(year, month, day, hour, minute, second))


def problems_by_row(report) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for problem in report.problems:
        result.setdefault(problem.row, []).append(problem.reason)
    return result


def work_orders(people) -> list[list[object]]:
    grid = people.region.grids[0]
    return [
        HEADERS,
        # row 2: an Excel date cell, the grid by name, our category's Chinese name
        [
            "A001",
            datetime(2026, 10, 3, 9, 14),
            "张三",
            "13812345678",
            "路灯不亮了",
            "求助",
            "一组12号",
            grid.name,
            "道路交通",
        ],
        # row 3: a text date with slashes, the grid by code, the category by code
        [
            "A002",
            "2026/10/3 9:14:00",
            "李四",
            13900001111,
            "垃圾桶满了没人清",
            "投诉",
            "",
            grid.code,
            "sanitation",
        ],
        # row 4: empty: skipped without a word
        [None] * len(HEADERS),
        # row 5: a date that does not exist
        ["A003", "2026-13-01", "王五", "", "噪音扰民", "投诉", "", "", ""],
        # row 6: no description
        ["A004", "2026-10-04 10:00", "赵六", "", "  ", "咨询", "", "", ""],
        # row 7: the number of row 2 again
        ["A001", "2026-10-05 08:00", "钱七", "", "又一个问题", "求助", "", "", ""],
        # row 8: not a request type, and a grid that does not exist
        ["A005", "2026-10-05 08:00", "孙八", "", "表扬网格员", "表扬", "", "不存在的网格", ""],
        # row 9: a compact timestamp, no place at all: lands in the importing center's area
        ["A006", 20261003091400, "", "", "咨询低保怎么申请", "咨询", "", "", "welfare"],
    ]


def assert_first_import(report, people, *, channel: str = Channel.IMPORT) -> None:
    assert (report.imported, report.already, report.bad) == (3, 0, 4)
    assert report.rows == 7  # the empty row is not counted
    rows = problems_by_row(report)
    assert sorted(rows) == [5, 6, 7, 8]
    assert rows[5] == ["来电时间 '2026-13-01' is not a valid date."]
    assert rows[6] == ["诉求内容 is empty: describe the problem."]
    assert rows[7] == ["工单编号 'A001' appears twice: row 2 has the same number."]
    assert rows[8] == [
        "诉求类型 '表扬' is not a request type (咨询/求助/投诉/举报/建议/其他).",
        "所属网格 '不存在的网格' is not a known grid (code or name).",
    ]
    assert str(report.problems[0]) == "Row 5: 来电时间 '2026-13-01' is not a valid date."
    assert [p.field for p in report.problems] == [
        "reported_at",
        "text",
        "external_id",
        "request_type",
        "grid",
    ]

    grid, town = people.region.grids[0], people.region.towns[0]
    first = Submission.objects.select_related("case").get(source="12345", external_id="A001").case
    assert first.text == "路灯不亮了"
    assert first.channel == channel
    assert first.reported_at == local(2026, 10, 3, 9, 14)
    assert first.reporter_name == "张三"
    assert first.reporter_phone == "13812345678"
    assert first.address == "一组12号"
    assert first.request_type == RequestType.HELP
    assert first.grid == grid
    assert first.category == category("road")
    assert first.status == CaseStatus.REPORTED
    assert first.submission.extra["import"]["row"] == 2

    second = Submission.objects.get(source="12345", external_id="A002").case
    assert second.reported_at == local(2026, 10, 3, 9, 14)
    assert second.reporter_phone == "13900001111"  # a number cell, without ".0"
    assert second.grid == grid
    assert (second.category, second.request_type) == (category("sanitation"), RequestType.COMPLAINT)

    placeless = Submission.objects.get(source="12345", external_id="A006").case
    assert placeless.reported_at == local(2026, 10, 3, 9, 14)
    assert placeless.grid is None
    assert placeless.area_path == town.path
    assert placeless.request_type == RequestType.CONSULTATION
    assert sorted(report.cases) == sorted([first.number, second.number, placeless.number])


def test_xlsx_import_good_rows_in_bad_rows_explained_rerun_adds_nothing(people):
    data = xlsx_bytes(work_orders(people))

    report = import_reports(actor=people.dispatcher, file=data, filename="orders.xlsx", source="12345")

    assert_first_import(report, people)
    assert Case.objects.count() == 3
    assert report.bad_cells[5][:2] == ["A003", "2026-13-01"]
    audit = AuditEntry.objects.get(verb="import_reports")
    assert audit.data["imported"] == 3

    again = import_reports(actor=people.dispatcher, file=data, filename="orders.xlsx", source="12345")

    assert (again.imported, again.already, again.bad) == (0, 3, 4)
    assert Case.objects.count() == 3


def test_gb18030_csv_import_with_a_title_row_and_hotline_channel(people):
    rows = work_orders(people)
    rows[1][1] = "2026年10月3日 9时14分"  # a date cell in a CSV is text
    rows[7][1] = "2026-10-05 08:00"
    rows[1][4] = "路灯不亮了"
    data = csv_bytes([["12345热线工单导出（2026年10月）"], *rows], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")

    report = import_reports(
        actor=people.dispatcher, file=data, filename="orders.csv", source="12345", channel=Channel.HOTLINE
    )

    # The title row pushes every row one down: row numbers are the spreadsheet's.
    assert report.header_row == 2
    assert sorted(problems_by_row(report)) == [6, 7, 8, 9]
    assert (report.imported, report.already, report.bad) == (3, 0, 4)
    case = Submission.objects.get(source="12345", external_id="A001").case
    assert case.channel == Channel.HOTLINE
    assert case.reported_at == local(2026, 10, 3, 9, 14)
    assert case.reporter_name == "张三"

    again = import_reports(actor=people.dispatcher, file=data, source="12345", channel=Channel.HOTLINE)
    assert (again.imported, again.already) == (0, 3)


def test_same_numbers_from_another_source_are_other_work_orders(people):
    rows = [HEADERS, ["A001", "2026-10-03 09:14", "", "", "路灯不亮", "", "", "", "road"]]
    import_reports(actor=people.dispatcher, rows=rows, source="12345")
    report = import_reports(actor=people.dispatcher, rows=rows, source="市长信箱")
    assert report.imported == 1
    assert Case.objects.count() == 2


def test_dry_run_checks_everything_and_writes_nothing(people):
    report = import_reports(actor=people.dispatcher, rows=work_orders(people), source="12345", dry_run=True)
    assert (report.imported, report.already, report.bad) == (3, 0, 4)
    assert Case.objects.count() == 0
    assert not AuditEntry.objects.filter(verb="import_reports").exists()


def test_coordinates_place_the_case_and_coordinates_elsewhere_are_refused(people):
    inside, other_town = people.region.grids[1], people.region.grids[4]
    rows = [
        ["工单编号", "诉求内容", "纬度", "经度", "受理时间"],
        ["C1", "井盖缺失", 32.205, 120.915, "2026-10-01 08:00"],  # in grids[1]
        ["C2", "井盖缺失", 32.205, 121.005, "2026-10-01 08:00"],  # in the other town
        ["C3", "井盖缺失", 32.205, "", "2026-10-01 08:00"],
        ["C4", "井盖缺失", 0, 0, "2026-10-01 08:00"],  # "no position"
    ]
    report = import_reports(actor=people.dispatcher, rows=rows, source="12345")
    assert Submission.objects.get(external_id="C1").case.grid == inside
    assert other_town.name in problems_by_row(report)[3][0]
    assert problems_by_row(report)[4] == ["Give both the latitude and the longitude, or neither."]
    assert Submission.objects.get(external_id="C4").case.lat is None
    assert report.imported == 2


def test_reported_time_in_the_future_and_long_values_are_refused(people):
    rows = [
        ["工单编号", "诉求内容", "来电时间", "来电人"],
        ["F1", "问题", "2099-01-01 08:00", ""],
        ["F2", "问题", "2026-10-01 08:00", "名" * 65],
        ["F3" * 60, "问题", "2026-10-01 08:00", ""],
    ]
    report = import_reports(actor=people.dispatcher, rows=rows, source="12345")
    rows_ = problems_by_row(report)
    assert rows_[2] == ["来电时间 '2099-01-01 08:00' lies in the future."]
    assert rows_[3] == ["来电人 is longer than 64 characters."]
    assert rows_[4] == ["工单编号 is longer than 100 characters."]


# --- Historical (finished) work orders ---------------------------------------------------------------------------


def history_rows(people) -> list[list[object]]:
    grid = people.region.grids[0]
    return [
        ["工单编号", "受理时间", "诉求内容", "所属网格", "问题分类", "工单状态", "办结时间", "办理结果"],
        ["H1", "2026-09-01 08:00", "路面坑洼", grid.code, "road", "已办结", "2026-09-03 17:00", "已修补路面"],
        ["H2", "2026-09-02 08:00", "路灯坏了", grid.code, "road", "处理中", "", ""],
        ["H3", "2026-09-02 08:00", "树枝挡路", "", "road", "已办结", "2026-09-04 17:00", "已修剪"],
        [
            "H4",
            "2026-09-05 08:00",
            "垃圾堆积",
            grid.code,
            "sanitation",
            "已办结",
            "2026-09-01 17:00",
            "已清运",
        ],
        ["H5", "2026-09-05 08:00", "井盖松动", grid.code, "road", "已办结", "", ""],
    ]


def test_a_dispatcher_imports_finished_work_orders_with_their_real_times(people):
    report = import_reports(actor=people.dispatcher, rows=history_rows(people), source="12345")

    assert (report.imported, report.closed, report.bad) == (3, 2, 2)
    closed = Submission.objects.get(external_id="H1")
    case = closed.case
    assert case.status == CaseStatus.CLOSED
    assert case.resolution == "已修补路面"
    assert closed.extra["history"] == {
        "status": "已办结",
        "resolved_at": "2026-09-03T17:00:00+08:00",
        "result": "已修补路面",
    }
    # The file's times, not the time of the import: reported (and registered), resolved, closed.
    assert case.reported_at == case.accepted_at == local(2026, 9, 1, 8, 0)
    assert case.resolved_at == case.closed_at == local(2026, 9, 3, 17, 0)
    # Tue 08:00 → Thu 17:00: 16/24 + 1 + 17/24 working days; the road SLA (5 days) ends Tue 8 Sep 08:00.
    assert case.working_days_taken == 2.375
    assert case.resolve_by == local(2026, 9, 8, 8, 0)
    assert case.alert_level == "normal"
    assert list(case.events.values_list("verb", flat=True)) == ["report", "close_historical"]
    event = case.events.get(verb="close_historical")
    assert event.actor == people.dispatcher
    assert "2026-09-03 17:00" in event.note
    assert event.data["source"] == "12345" and event.data["external_id"] == "H1"
    assert event.data["resolved_at"] == "2026-09-03T17:00:00+08:00"

    # A finished row without a grid lands in the center's area and is closed there.
    no_grid = Submission.objects.get(external_id="H3").case
    assert no_grid.status == CaseStatus.CLOSED and no_grid.grid is None
    assert no_grid.area_path == people.region.towns[0].path

    open_case = Submission.objects.get(external_id="H2").case
    assert open_case.status == CaseStatus.REPORTED
    rows = problems_by_row(report)
    assert rows[5] == ["办结时间 '2026-09-01 17:00' is earlier than the time reported."]
    assert rows[6] == [
        "The work order is finished, but 办结时间 is empty: closing it needs the time it was finished."
    ]
    assert [p.field for p in report.problems if p.row == 6] == ["resolved_at"]

    # Old, finished work orders alert nobody (the other dispatcher of the town, "closer", would be told of a new
    # case); the open one arrives as any report does.
    assert not Notification.objects.filter(target_id__in=[str(case.pk), str(no_grid.pk)]).exists()
    assert Notification.objects.filter(recipient=people.closer, target_id=str(open_case.pk)).exists()


def test_importing_the_same_history_again_adds_nothing(people):
    first = import_reports(actor=people.dispatcher, rows=history_rows(people), source="12345")
    events = CaseEvent.objects.count()
    cases = {number: Case.objects.get(number=number) for number in first.cases}

    again = import_reports(actor=people.dispatcher, rows=history_rows(people), source="12345")

    assert (again.imported, again.closed, again.already, again.bad) == (0, 0, 3, 2)
    assert CaseEvent.objects.count() == events
    for number, case in cases.items():
        now = Case.objects.get(number=number)
        assert (now.status, now.version, now.resolved_at) == (case.status, case.version, case.resolved_at)


def test_a_finished_row_needs_the_time_it_was_reported(people):
    report = import_reports(
        actor=people.dispatcher,
        rows=history_rows(people)[:2],
        source="12345",
        mapping={
            "external_id": "工单编号",
            "text": "诉求内容",
            "status": "工单状态",
            "resolved_at": "办结时间",
        },
    )
    assert (report.imported, report.bad) == (0, 1)
    assert report.problems[0].field == "reported_at"
    assert "does not say when it was reported" in report.problems[0].reason
    assert not Submission.objects.filter(external_id="H1").exists()


def test_a_finished_row_without_category_is_refused_whole(people, settings):
    rows = history_rows(people)[:2]
    rows[1][4] = ""  # no category in the file, and triage applies none
    settings.GRIDGOV = {**settings.GRIDGOV, "TRIAGE_AUTO_APPLY": 2}
    report = import_reports(actor=people.dispatcher, rows=rows, source="12345")
    assert (report.imported, report.bad) == (0, 1)
    assert report.problems[0].field == "category"
    assert not Submission.objects.filter(external_id="H1").exists()  # nothing half-done


def test_without_the_status_column_the_history_is_kept_on_an_open_case(people):
    report = import_reports(
        actor=people.dispatcher,
        rows=history_rows(people)[:2],
        source="12345",
        mapping={
            "external_id": "工单编号",
            "text": "诉求内容",
            "reported_at": "受理时间",
            "result": "办理结果",
        },
    )
    assert report.imported == 1
    submission = Submission.objects.get(external_id="H1")
    assert submission.case.status == CaseStatus.REPORTED
    assert submission.extra["history"] == {"result": "已修补路面"}


# --- Permissions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["worker", "resident", "admin", "leader_village"])
def test_only_a_command_centers_staff_may_import(people, who):
    user = getattr(people, who)
    assert import_areas_for(user) == []
    with pytest.raises(PermissionDenied):
        import_reports(actor=user, rows=work_orders(people), source="12345")
    with pytest.raises(PermissionDenied):
        import_reports(actor=user, rows=work_orders(people), source="12345", area=people.region.towns[0])
    assert Case.objects.count() == 0


def test_a_center_imports_only_into_its_own_area(people):
    town1, town2 = people.region.towns
    assert may_import(people.dispatcher, town1)
    assert not may_import(people.dispatcher, town2)
    assert not may_import(people.dispatcher, people.region.villages[0])  # not a center
    with pytest.raises(PermissionDenied):
        import_reports(actor=people.dispatcher, rows=work_orders(people), source="12345", area=town2)
    # The district center may import for its towns; rows with a grid of the other town are refused.
    report = import_reports(actor=people.district, rows=work_orders(people), source="12345", area=town2)
    assert "lies outside 测试镇2" in problems_by_row(report)[3][0]


def test_options_and_unreadable_files_are_refused_before_any_row(people):
    with pytest.raises(ValidationError) as error:
        import_reports(actor=people.dispatcher, rows=work_orders(people), source=" ")
    assert "source" in error.value.message_dict
    with pytest.raises(ValidationError):
        import_reports(actor=people.dispatcher, rows=work_orders(people), source="x", channel=Channel.WEB)
    with pytest.raises(FileUnreadable):
        import_reports(actor=people.dispatcher, file=b"\x00\x01\x02\xff\xfe", source="x")
    with pytest.raises(MappingError) as mapping_error:
        import_reports(actor=people.dispatcher, rows=[["编号x", "内容x"], ["1", "2"]], source="x")
    assert len(mapping_error.value.problems) == 2
