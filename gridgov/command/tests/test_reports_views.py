"""The reports page (通报): list, generate, preview, download; who may and which names are refused."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from gridgov.command.periods import Period
from gridgov.command.reports import generate_bulletin
from gridgov.command.tests.test_bulletin_data import NOVEMBER, NOW, make_bulletin_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def bulletin_data(town):
    return make_bulletin_data(town)


TOWN1 = "320612100"
TOWN2 = "320612101"
PAGE = "/command/reports/"


@pytest.fixture
def report_dir(settings, tmp_path):
    settings.GRIDGOV = {**settings.GRIDGOV, "REPORT_DIR": str(tmp_path / "reports")}
    settings.LANGUAGE_CODE = "en"
    return tmp_path / "reports"


@pytest.fixture
def today(monkeypatch):
    """The page's "today" is 27 November 2026, whatever the machine's clock says."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 11, 27))


@pytest.fixture
def dispatcher_client(bulletin_data, report_dir, today):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["django_language"] = "en"
    client.force_login(bulletin_data.town.dispatcher)
    return client


def _download(area_code: str, name: str) -> str:
    return reverse("command:report_download", args=[area_code, name])


def test_routes():
    assert reverse("command:reports") == PAGE
    assert _download(TOWN1, "month-2026-11.pdf") == f"{PAGE}download/{TOWN1}/month-2026-11.pdf"


def test_page_lists_the_kept_bulletins(bulletin_data, dispatcher_client, report_dir):
    town1 = bulletin_data.town.region.towns[0]
    generate_bulletin(town1, NOVEMBER, now=NOW)
    generate_bulletin(town1, Period.containing("week", date(2026, 11, 18)), now=NOW)
    response = dispatcher_client.get(PAGE, {"area": TOWN1})
    assert response.status_code == 200
    assert [entry["bulletin"].slug for entry in response.context["stored"]] == [
        "week-2026-W47",
        "month-2026-11",
    ]
    html = response.content.decode()
    assert 'data-report="month-2026-11"' in html
    assert f'href="{_download(TOWN1, "month-2026-11.xlsx")}"' in html
    assert f'href="{_download(TOWN1, "month-2026-11.pdf")}"' in html
    assert "<h1" in html and "测试镇1" in html
    assert response.context["command_tab"] == "reports"


def test_page_without_a_period_previews_the_last_complete_month(dispatcher_client):
    response = dispatcher_client.get(PAGE, {"area": TOWN1})
    assert response.context["bulletin"].period == Period.containing("month", date(2026, 10, 1))
    assert "data-report-list-empty" in response.content.decode()


def test_page_previews_the_chosen_period(dispatcher_client):
    response = dispatcher_client.get(PAGE, {"area": TOWN1, "period": "month", "date": "2026-11-01"})
    bulletin = response.context["bulletin"]
    assert bulletin.period == NOVEMBER
    html = response.content.decode()
    assert 'data-bulletin="320612100/month-2026-11"' in html
    assert "Monthly bulletin of 测试镇1" in html
    assert 'data-headline="received"' in html
    assert [v.key for v in bulletin.channels] == ["web", "hotline", "grid_worker"]
    assert "N3 路灯不亮" in html
    assert "张三" not in html and "13800000000" not in html
    assert response.context["form"].initial == {"period": "month", "date": date(2026, 11, 1)}


def test_generate_now_writes_the_files_and_redirects(dispatcher_client, report_dir):
    response = dispatcher_client.post(
        f"{PAGE}?area={TOWN1}", {"area": TOWN1, "period": "week", "date": "2026-11-18"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{PAGE}?area={TOWN1}&period=week&date=2026-11-16"
    assert sorted(p.name for p in (report_dir / TOWN1).iterdir()) == [
        "week-2026-W47.pdf",
        "week-2026-W47.xlsx",
    ]
    page = dispatcher_client.get(response["Location"])
    assert "has been written" in page.content.decode()


def test_generate_refuses_a_period_not_started(dispatcher_client, report_dir):
    response = dispatcher_client.post(PAGE, {"area": TOWN1, "period": "month", "date": "2026-12-01"})
    assert response.status_code == 400
    assert response.context["form"].errors == {"date": ["That period has not started yet."]}
    assert not report_dir.exists()


def test_generate_needs_the_csrf_token(bulletin_data, report_dir, today):
    client = Client(enforce_csrf_checks=True)
    client.force_login(bulletin_data.town.dispatcher)
    response = client.post(PAGE, {"area": TOWN1, "period": "month", "date": "2026-11-01"})
    assert response.status_code == 403
    assert not report_dir.exists()


def test_generate_for_another_town_is_forbidden(dispatcher_client, report_dir):
    response = dispatcher_client.post(PAGE, {"area": TOWN2, "period": "month", "date": "2026-11-01"})
    assert response.status_code == 403
    assert not report_dir.exists()


def test_download_streams_the_file(bulletin_data, dispatcher_client):
    generate_bulletin(bulletin_data.town.region.towns[0], NOVEMBER, now=NOW)
    response = dispatcher_client.get(_download(TOWN1, "month-2026-11.pdf"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment; filename*=utf-8''")
    assert "month-2026-11.pdf" in response["Content-Disposition"]
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    excel = dispatcher_client.get(_download(TOWN1, "month-2026-11.xlsx"))
    assert excel["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert b"".join(excel.streaming_content)[:2] == b"PK"


def test_district_leader_may_download_a_town_file(bulletin_data, report_dir, today):
    generate_bulletin(bulletin_data.town.region.towns[1], NOVEMBER, now=NOW)
    client = Client()
    client.force_login(bulletin_data.town.district_dispatcher)
    assert client.get(_download(TOWN2, "month-2026-11.pdf")).status_code == 200


def test_another_towns_files_are_forbidden(bulletin_data, dispatcher_client):
    generate_bulletin(bulletin_data.town.region.towns[1], NOVEMBER, now=NOW)
    assert dispatcher_client.get(_download(TOWN2, "month-2026-11.pdf")).status_code == 403
    assert dispatcher_client.get(PAGE, {"area": TOWN2}).status_code == 403


def test_users_without_analysis_rights_are_refused(bulletin_data, report_dir, today):
    generate_bulletin(bulletin_data.town.region.towns[0], NOVEMBER, now=NOW)
    anonymous = Client()
    response = anonymous.get(_download(TOWN1, "month-2026-11.pdf"))
    assert response.status_code == 302 and "login" in response["Location"]
    worker = Client()
    worker.force_login(bulletin_data.town.worker)
    assert worker.get(_download(TOWN1, "month-2026-11.pdf")).status_code == 403
    assert worker.get(PAGE, {"area": TOWN1}).status_code == 403


def test_missing_file_is_not_found(dispatcher_client):
    assert dispatcher_client.get(_download(TOWN1, "month-2026-10.pdf")).status_code == 404
    assert dispatcher_client.get(_download("999999", "month-2026-10.pdf")).status_code == 404


def test_names_outside_the_area_folder_are_refused(bulletin_data, dispatcher_client, report_dir, tmp_path):
    generate_bulletin(bulletin_data.town.region.towns[0], NOVEMBER, now=NOW)
    secret = tmp_path / "secret.pdf"
    secret.write_bytes(b"%PDF secret")
    (report_dir / "month-2026-11.pdf").write_bytes(b"%PDF not an area's")
    (report_dir / TOWN1 / "month-2026-09.pdf").symlink_to(secret)
    (report_dir / TOWN1 / ".month-2026-11.pdf.tmp").write_bytes(b"half")
    for url in [
        f"{PAGE}download/{TOWN1}/..%2F..%2Fsecret.pdf",
        f"{PAGE}download/{TOWN1}/../month-2026-11.pdf",
        f"{PAGE}download/{TOWN1}/%2e%2e%2fmonth-2026-11.pdf",
        f"{PAGE}download/{TOWN1}/..%5Csecret.pdf",
        f"{PAGE}download/../month-2026-11.pdf",
        f"{PAGE}download/{TOWN1}/.month-2026-11.pdf.tmp",
        f"{PAGE}download/{TOWN1}/month-2026-09.pdf",  # a link to a file outside REPORT_DIR
        f"{PAGE}download/{TOWN1}/settings.py",
    ]:
        response = dispatcher_client.get(url)
        assert response.status_code == 404, url
