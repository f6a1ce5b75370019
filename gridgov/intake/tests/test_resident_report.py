"""The resident report page /r/: validation, input kept on errors, the case and submission it creates."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.test import Client

from gridgov.cases.choices import Channel
from gridgov.cases.models import Case, CasePhoto
from gridgov.intake.actions import sender_hash
from gridgov.intake.models import Submission
from gridgov.intake.tests.resident_support import INSIDE, PHONE, jpeg, make_people, photo_upload
from gridgov.testing.factories import category

pytestmark = pytest.mark.django_db

TEXT = "北渡村22组路口路灯不亮，晚上很黑"


@pytest.fixture(autouse=True)
def _fresh_limits(settings):
    """Rate-limit counters live in the cache: every test starts from zero."""
    settings.RATELIMIT_CACHE_PREFIX = f"rl-test-{id(settings)}:"
    cache.clear()


@pytest.fixture
def en(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def _nonce(client: Client) -> str:
    html = client.get("/r/").content.decode()
    match = re.search(r'name="nonce" value="([^"]+)"', html)
    assert match
    return match.group(1)


def _data(**values):
    data = {
        "text": TEXT,
        "address": "北渡村22组路口",
        "lat": str(INSIDE[0]),
        "lon": str(INSIDE[1]),
        "name": "王阿姨",
        "phone": "138 1234 5678",
        "category": str(category("road").pk),
        "nonce": "",
    }
    data.update(values)
    return data


def test_the_page_has_the_form_the_map_and_no_outside_assets(en, region):
    response = en.get("/r/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "csrfmiddlewaretoken" in html and 'enctype="multipart/form-data"' in html
    assert "data-report-map" in html and "/static/vendor/leaflet/leaflet.js" in html
    assert "/api/v1/geo/map/?level=grid" in html and 'data-url="/r/nearby/"' in html
    assert "https://" not in html and "http://" not in html  # no CDN, no outside resource
    assert response["Cache-Control"].startswith("max-age=0")  # a fresh nonce on every visit
    assert 'name="photos"' in html and "multiple" in html


def test_a_valid_report_creates_the_case_and_its_submission(en, region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = en.post(
        "/r/",
        _data(photos=[photo_upload("a.jpg"), photo_upload("b.jpg", jpeg(colour=(200, 30, 30)))]),
        REMOTE_ADDR="198.51.100.4",
    )
    assert response.status_code == 302 and response["Location"].startswith("/r/done/")
    case = Case.objects.get()
    submission = Submission.objects.get()
    assert submission.case == case and (submission.channel, submission.source) == (Channel.WEB, "h5")
    assert submission.sender_hash == sender_hash("198.51.100.4")
    assert case.channel == Channel.WEB and case.reporter is None
    assert case.text == TEXT and case.category == category("road") and case.grid == region.grids[0]
    assert (case.reporter_name, case.reporter_phone, case.address) == ("王阿姨", PHONE, "北渡村22组路口")
    assert (case.lat, case.lon) == INSIDE
    assert case.photos.filter(kind=CasePhoto.KIND_REPORT).count() == 2
    assert case.events.filter(verb="report", public=True).exists()

    done = en.get(response["Location"])
    html = done.content.decode()
    assert done.status_code == 200 and case.number in html
    assert f"/r/t/{submission.tracking_secret}/" in html and "Bookmark" in html
    assert done["Cache-Control"] == "no-store, private" and done["Referrer-Policy"] == "same-origin"


def test_every_field_is_kept_when_the_form_comes_back(en, region):
    response = en.post(
        "/r/", _data(phone="12345", name="王阿姨", photos=[photo_upload()]), REMOTE_ADDR="198.51.100.5"
    )
    html = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    assert TEXT in html and "北渡村22组路口" in html and 'value="12345"' in html and 'value="王阿姨"' in html
    assert f'name="lat" value="{INSIDE[0]}"' in html and f'name="lon" value="{INSIDE[1]}"' in html
    assert f'<option value="{category("road").pk}" selected>' in html
    assert re.search(r'data-field="phone">.*Enter a mobile number', html, re.S)
    assert "data-photos-lost" in html and "attach them again" in html


def test_text_is_required_and_limited(en, region):
    html = en.post("/r/", _data(text="  ")).content.decode()
    assert re.search(r'data-field="text">.*Describe the problem', html, re.S)
    html = en.post("/r/", _data(text="坏了")).content.decode()
    assert "at least 4 characters" in html
    html = en.post("/r/", _data(text="路" * 2001)).content.decode()
    assert "at most 2000 characters" in html
    assert not Case.objects.exists()


@pytest.mark.parametrize("phone", ["13812345678", "+86 138-1234-5678", "0513-86123456", ""])
def test_accepted_phone_formats(region, phone):
    from gridgov.intake.resident.forms import ReportForm

    form = ReportForm(_data(phone=phone))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["phone"] in ("13812345678", "051386123456", "")


@pytest.mark.parametrize("phone", ["12345678901", "1381234567", "abc", "138123456789"])
def test_refused_phone_formats(region, phone):
    from gridgov.intake.resident.forms import ReportForm

    form = ReportForm(_data(phone=phone))
    assert not form.is_valid() and "phone" in form.errors


def test_a_file_that_is_not_a_picture_is_refused_by_its_content(en, region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = photo_upload("holiday.jpg", b"this is not a picture at all" * 10)
    response = en.post("/r/", _data(photos=[photo_upload(), fake]))
    html = response.content.decode()
    assert response.status_code == 400 and not Case.objects.exists()
    assert re.search(r'data-field="photos">.*Photo 2 \(holiday.jpg\): The file is not a picture', html, re.S)
    assert TEXT in html and "data-photos-lost" in html


def test_the_photo_count_is_limited(en, region, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.GRIDGOV = {**settings.GRIDGOV, "INTAKE_MAX_PHOTOS": 2}
    response = en.post("/r/", _data(photos=[photo_upload(f"{n}.jpg") for n in range(3)]))
    assert response.status_code == 400 and "At most 2 photos" in response.content.decode()
    assert not Case.objects.exists()


def test_errors_of_the_action_come_back_next_to_the_fields(en, region):
    # A pin outside every grid: report_case says so on "lat", which the page shows at the map.
    html = en.post("/r/", _data(lat="31.0", lon="119.0")).content.decode()
    assert re.search(r'data-field="lat">.*outside every grid', html, re.S)
    # No pin and an address no gazetteer knows: the address must say where.
    html = en.post("/r/", _data(lat="", lon="", address="某个地方")).content.decode()
    assert re.search(r'data-field="address">.*Give the location', html, re.S)
    assert not Case.objects.exists()


def test_half_a_pin_is_refused(en, region):
    html = en.post("/r/", _data(lon="")).content.decode()
    assert re.search(r'data-field="lat">.*place the pin again', html, re.S)


def test_the_nonce_makes_a_double_submission_harmless(en, region):
    nonce = _nonce(en)
    first = en.post("/r/", _data(nonce=nonce))
    second = en.post("/r/", _data(nonce=nonce))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Case.objects.count() == 1
    external_id = Submission.objects.get().external_id
    assert external_id.startswith("h5-") and nonce not in external_id
    en.post("/r/", _data(nonce=_nonce(en)))
    assert Case.objects.count() == 2


def test_another_browser_with_the_same_nonce_gets_its_own_case(en, region):
    nonce = _nonce(en)
    mine = en.post("/r/", _data(nonce=nonce))
    other = Client()
    other.get("/r/")
    theirs = other.post("/r/", _data(nonce=nonce))
    assert theirs.status_code == 302 and theirs["Location"] != mine["Location"]
    assert Case.objects.count() == 2


def test_a_signed_in_resident_reports_as_themselves_staff_anonymously(client, region):
    people = make_people(region)
    client.force_login(people.resident)
    assert client.post("/r/", _data()).status_code == 302
    assert Case.objects.get().reporter == people.resident
    client.force_login(people.dispatcher)
    assert client.post("/r/", _data()).status_code == 302
    assert Case.objects.order_by("-id").first().reporter is None


def test_user_text_is_escaped(en, region):
    script = "<script>alert('x')</script>"
    html = en.post(
        "/r/", _data(text=f"路灯坏了{script}", address=script, phone="1", name=script)
    ).content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;alert" in html


def test_csrf_is_enforced(region):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/r/", _data()).status_code == 403
    assert not Case.objects.exists()
