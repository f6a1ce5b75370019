"""The import page: upload → mapping with a preview of the first rows → import → result with the rows to fix."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from gridgov.cases.models import Case
from gridgov.intake.imports import storage
from gridgov.intake.imports.forms import MAP_PREFIX
from gridgov.intake.imports.mapping import FIELDS
from gridgov.intake.models import Submission
from gridgov.intake.tests.import_support import HEADERS, csv_bytes, make_people, xlsx_bytes


@pytest.fixture
def people(region):
    return make_people(region)


@pytest.fixture(autouse=True)
def _private_folder(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.GRIDGOV = {**settings.GRIDGOV, "IMPORT_DIR": str(tmp_path / "imports")}


def signed_in(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def file_rows(people):
    grid = people.region.grids[0]
    return [
        HEADERS,
        ["P1", "2026-10-03 09:14", "张三", "13812345678", "路灯不亮", "求助", "", grid.code, "road"],
        ["P2", "2026-13-01", "李四", "", "噪音", "投诉", "", "", ""],
        ["P3", "2026-10-04 10:00", "王五", "", "@SUM(A1) 不是公式", "表扬", "-2+3", "", ""],
    ]


def upload(client, data: bytes, name: str = "orders.xlsx"):
    return client.post(reverse("imports:upload"), {"file": SimpleUploadedFile(name, data)})


def mapping_post(people, **extra):
    data = {
        "source": "12345",
        "channel": "import",
        "coord_system": "wgs84",
        **{MAP_PREFIX + spec.name: "" for spec in FIELDS},
    }
    data.update(
        {
            MAP_PREFIX + "external_id": "工单编号",
            MAP_PREFIX + "reported_at": "来电时间",
            MAP_PREFIX + "reporter_name": "来电人",
            MAP_PREFIX + "reporter_phone": "联系电话",
            MAP_PREFIX + "text": "诉求内容",
            MAP_PREFIX + "request_type": "诉求类型",
            MAP_PREFIX + "grid": "所属网格",
            MAP_PREFIX + "category": "问题分类",
        }
    )
    data.update(extra)
    return data


def test_two_steps_upload_map_preview_import_and_download_the_rows_to_fix(client, people):
    signed_in(client, people.dispatcher)
    page = client.get(reverse("imports:upload"))
    assert page.status_code == 200
    assert b"data-import-upload" in page.content

    # Step 1: upload
    response = upload(client, xlsx_bytes(file_rows(people)))
    assert response.status_code == 302
    mapping_url = response["Location"]
    token = mapping_url.rstrip("/").split("/")[-1]

    # Step 2: the mapping, guessed from the headers, with the first rows as they will be read
    page = client.get(mapping_url)
    assert page.status_code == 200
    content = page.content.decode()
    assert 'name="map_external_id"' in content
    assert '<option value="工单编号" selected>' in content
    assert 'data-row="2"' in content and 'data-row="3"' in content
    assert (
        "&#x27;2026-13-01&#x27; is not a valid date." in content
        or "'2026-13-01' is not a valid date." in content
    )
    assert Case.objects.count() == 0

    # Another mapping, previewed: the description column left out is a problem of the mapping
    page = client.post(mapping_url, mapping_post(people, **{MAP_PREFIX + "text": "", "action": "preview"}))
    assert page.status_code == 400
    assert b"data-mapping-problems" in page.content
    assert "Description: it is required" in page.content.decode()

    # A check of the whole file writes nothing
    page = client.post(mapping_url, mapping_post(people, action="check"))
    assert page.status_code == 200
    assert b"data-import-check" in page.content
    assert Case.objects.count() == 0

    # Step 3: import
    response = client.post(mapping_url, mapping_post(people, action="import"))
    assert response.status_code == 302
    assert response["Location"] == reverse("imports:result", args=[token])
    assert Case.objects.count() == 1
    case = Submission.objects.get(source="12345", external_id="P1").case
    assert case.reporter_name == "张三"

    result = client.get(response["Location"])
    content = result.content.decode()
    assert '<dd data-count="imported">1' in content
    assert '<dd data-count="bad">2</dd>' in content
    assert 'data-row="3"' in content and 'data-row="4"' in content
    assert case.number in content

    # The uploaded file is gone once imported; the mapping page is no more
    assert client.get(mapping_url).status_code == 404

    errors = client.get(reverse("imports:errors-csv", args=[token]))
    assert errors["Content-Disposition"] == 'attachment; filename="import-errors.csv"'
    text = errors.content.decode("utf-8-sig")
    assert "'@SUM(A1) 不是公式" in text
    assert "'-2+3" in text
    assert "3,来电时间 '2026-13-01' is not a valid date." in text

    xlsx = client.get(reverse("imports:errors-xlsx", args=[token]))
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["Row in the uploaded file", "3", "4"]


def test_the_same_file_twice_adds_nothing(client, people):
    signed_in(client, people.dispatcher)
    for _attempt in range(2):
        mapping_url = upload(client, csv_bytes(file_rows(people), encoding="gb18030"), "orders.csv")[
            "Location"
        ]
        response = client.post(mapping_url, mapping_post(people, action="import"))
        assert response.status_code == 302
    result = client.get(response["Location"]).content.decode()
    assert '<dd data-count="imported">0' in result
    assert '<dd data-count="already">1</dd>' in result
    assert Case.objects.count() == 1


def test_unreadable_and_oversized_files_are_refused_at_upload(client, people, settings):
    signed_in(client, people.dispatcher)
    response = upload(client, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old.xls")
    assert response.status_code == 200
    assert "old Excel file" in response.content.decode()
    settings.GRIDGOV = {**settings.GRIDGOV, "MAX_UPLOAD_BYTES": 50}
    response = upload(client, csv_bytes(file_rows(people)), "orders.csv")
    assert "larger than" in response.content.decode()
    settings.GRIDGOV = {**settings.GRIDGOV, "MAX_UPLOAD_BYTES": 10_000, "IMPORT_PAGE_MAX_ROWS": 2}
    response = upload(client, csv_bytes(file_rows(people)), "orders.csv")
    assert "The file holds 3 rows; this page imports at most 2 at a time." in response.content.decode()


@pytest.mark.parametrize("who", ["worker", "resident", "admin"])
def test_the_page_is_for_a_command_centers_staff(client, people, who):
    signed_in(client, getattr(people, who))
    assert client.get(reverse("imports:upload")).status_code == 403
    assert upload(client, csv_bytes(file_rows(people))).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(reverse("imports:upload"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_another_users_upload_and_report_are_not_found(client, people):
    signed_in(client, people.dispatcher)
    mapping_url = upload(client, csv_bytes(file_rows(people)))["Location"]
    token = mapping_url.rstrip("/").split("/")[-1]
    client.post(mapping_url, mapping_post(people, action="check"))
    signed_in(client, people.district)
    assert client.get(mapping_url).status_code == 404
    assert client.post(mapping_url, mapping_post(people, action="import")).status_code == 404
    assert client.get(reverse("imports:result", args=[token])).status_code == 404
    assert client.get(reverse("imports:errors-csv", args=["..%2f..%2fetc"])).status_code == 404
    assert client.get(reverse("imports:errors-csv", args=["short"])).status_code == 404
    assert Case.objects.count() == 0


def test_a_district_center_chooses_the_town_and_may_not_pick_another(client, people):
    signed_in(client, people.district)
    mapping_url = upload(client, csv_bytes(file_rows(people)))["Location"]
    page = client.get(mapping_url).content.decode()
    assert 'name="area"' not in page  # one center (the district itself): nothing to choose
    # A user with grants at two centers chooses among them
    from gridgov.accounts.choices import Role
    from gridgov.testing.factories import grant

    grant(people.dispatcher, Role.DISPATCHER, area=people.region.towns[1])
    signed_in(client, people.dispatcher)
    mapping_url = upload(client, csv_bytes(file_rows(people)))["Location"]
    assert 'name="area"' in client.get(mapping_url).content.decode()
    town2 = people.region.towns[1]
    response = client.post(mapping_url, mapping_post(people, area=str(town2.pk), action="import"))
    assert response.status_code == 302
    # the grid of the first town is outside the second town: that row is refused
    result = client.get(response["Location"]).content.decode()
    assert "lies outside 测试镇2" in result


def test_a_dispatcher_imports_finished_rows_from_the_page_with_their_times(client, people):
    grid = people.region.grids[0]
    rows = [
        ["工单编号", "来电时间", "诉求内容", "所属网格", "问题分类", "工单状态", "办结时间"],
        ["H1", "2026-09-01 08:00", "路面坑洼", grid.code, "road", "已办结", "2026-09-03 17:00"],
    ]
    signed_in(client, people.dispatcher)
    mapping_url = upload(client, csv_bytes(rows))["Location"]
    page = client.get(mapping_url).content.decode()
    assert "data-history-note" in page and "nobody is notified" in page
    assert "data-history-warning" not in page  # any account that may import may close history
    extra = {
        **{MAP_PREFIX + name: "" for name in ("reporter_name", "reporter_phone", "request_type")},
        MAP_PREFIX + "status": "工单状态",
        MAP_PREFIX + "resolved_at": "办结时间",
        "action": "import",
    }
    response = client.post(mapping_url, mapping_post(people, **extra))
    assert response.status_code == 302
    case = Submission.objects.get(external_id="H1").case
    assert case.status == "closed"
    assert case.resolved_at is not None and case.resolved_at.isoformat() == "2026-09-03T09:00:00+00:00"
    # Without the status and finished-at columns there is no history to explain.
    mapping_url = upload(client, csv_bytes([row[:5] for row in rows]))["Location"]
    assert "data-history-note" not in client.get(mapping_url).content.decode()


def test_old_uploads_are_swept(people, settings):
    saved = storage.save_upload(user_id=people.dispatcher.pk, name="a.csv", data=b"a,b\n")
    assert storage.get_upload(saved.token, people.dispatcher.pk) is not None
    assert storage.get_upload(saved.token, people.district.pk) is None
    import time

    assert storage.sweep(now=time.time() + storage.KEEP_HOURS * 3600 + 60) == 2
    assert storage.get_upload(saved.token, people.dispatcher.pk) is None
