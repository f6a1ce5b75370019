"""Rate limits of the resident pages: per IP address and per phone number (or case number), answered with 429
and the form shown again with what was entered."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from gridgov.cases.models import Case
from gridgov.intake.tests.resident_support import INSIDE, PHONE, make_people, submit
from gridgov.testing.factories import category

pytestmark = pytest.mark.django_db

TEXT = "北渡村22组路口路灯不亮，晚上很黑"


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.GRIDGOV = {**settings.GRIDGOV, "INTAKE_RATE_PER_IP": "2/h", "INTAKE_RATE_PER_PHONE": "3/h"}
    cache.clear()
    yield
    cache.clear()


def _report(client, ip: str, phone: str = PHONE, **extra):
    data = {
        "text": TEXT,
        "address": "北渡村22组路口",
        "lat": str(INSIDE[0]),
        "lon": str(INSIDE[1]),
        "phone": phone,
        "category": str(category("road").pk),
    }
    data.update(extra)
    return client.post("/r/", data, REMOTE_ADDR=ip)


def test_per_ip(client, region):
    client.cookies["django_language"] = "en"
    assert _report(client, "198.51.100.1", phone="").status_code == 302
    assert _report(client, "198.51.100.1", phone="", text="").status_code == 400  # invalid posts count too
    response = _report(client, "198.51.100.1", phone="", address="北渡村<b>路口</b>")
    html = response.content.decode()
    assert response.status_code == 429 and "data-limited" in html and "Nothing you entered is lost" in html
    assert (
        TEXT in html and "北渡村&lt;b&gt;路口&lt;/b&gt;" in html and f'name="lat" value="{INSIDE[0]}"' in html
    )
    assert f'<option value="{category("road").pk}" selected>' in html
    assert Case.objects.count() == 1
    # another address is not affected
    assert _report(client, "198.51.100.2", phone="").status_code == 302
    # an IPv6 client is counted by its /64
    assert _report(client, "2001:db8:1:2::1", phone="").status_code == 302
    assert _report(client, "2001:db8:1:2::2", phone="").status_code == 302
    assert _report(client, "2001:db8:1:2::3", phone="").status_code == 429


def test_per_phone_from_many_addresses(client, region):
    for n in range(3):
        assert _report(client, f"198.51.100.{10 + n}", phone="138 1234 5678").status_code == 302
    response = _report(client, "198.51.100.20", phone="+8613812345678")
    assert response.status_code == 429 and TEXT in response.content.decode()
    assert _report(client, "198.51.100.21", phone="13900001111").status_code == 302
    assert Case.objects.count() == 4


def test_photos_lost_is_said_on_a_limited_request(client, region):
    from gridgov.intake.tests.resident_support import photo_upload

    for _ in range(2):
        _report(client, "198.51.100.30", phone="", text="")
    response = _report(client, "198.51.100.30", phone="", photos=[photo_upload()])
    assert response.status_code == 429 and "data-photos-lost" in response.content.decode()


def test_find_per_ip_and_per_case_number(client, region):
    client.cookies["django_language"] = "en"
    make_people(region)
    case = submit().case
    for _ in range(2):
        assert (
            client.post(
                "/r/find/", {"number": case.number, "phone_last4": "0000"}, REMOTE_ADDR="198.51.100.40"
            ).status_code
            == 400
        )
    response = client.post(
        "/r/find/", {"number": case.number, "phone_last4": PHONE[-4:]}, REMOTE_ADDR="198.51.100.40"
    )
    assert response.status_code == 429 and "Too many attempts" in response.content.decode()
    assert case.number in response.content.decode()
    # guessing the same case from another address: the case number's own limit (3/h here) stops it
    response = client.post(
        "/r/find/", {"number": case.number, "phone_last4": "1111"}, REMOTE_ADDR="198.51.100.41"
    )
    assert response.status_code == 429
    # GET is not counted
    assert client.get("/r/find/", REMOTE_ADDR="198.51.100.40").status_code == 200
