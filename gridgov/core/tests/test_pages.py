"""The server-rendered pages: layout, language, the holiday-calendar warning, and no third-party assets."""

from __future__ import annotations

import json
import os
from html.parser import HTMLParser
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

WARNING_MARK = "data-calendar-warning"
WARNING_TEXT = "The official holiday schedule for 2027 has not been entered"
VENDOR_BUILT = (
    Path(settings.BASE_DIR) / "gridgov" / "static_build" / "vendor" / "leaflet" / "leaflet.js"
).exists()


class _PageParser(HTMLParser):
    """Collects what the tests look at: asset URLs, script tags, forms and element ids."""

    def __init__(self) -> None:
        super().__init__()
        self.asset_urls: list[str] = []
        self.scripts: list[dict[str, str | None]] = []
        self.ids: dict[str, dict[str, str | None]] = {}
        self.forms: list[dict[str, str | None]] = []
        self.html_attrs: dict[str, str | None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "html":
            self.html_attrs = attributes
        if tag == "script":
            self.scripts.append(attributes)
        if tag == "form":
            self.forms.append(attributes)
        element_id = attributes.get("id")
        if element_id:
            self.ids[element_id] = attributes
        for name in ("src", "srcset", "poster", "data"):
            if attributes.get(name) and tag in {
                "script",
                "img",
                "iframe",
                "source",
                "video",
                "audio",
                "object",
            }:
                self.asset_urls.append(attributes[name] or "")
        if tag == "link" and attributes.get("href"):
            self.asset_urls.append(attributes["href"] or "")


def parse(response) -> _PageParser:
    parser = _PageParser()
    parser.feed(response.content.decode())
    return parser


@pytest.fixture
def staff_user(django_user_model):
    return django_user_model.objects.create_user(
        username="zhang.wei", password="correct-horse-battery", name="张伟", is_staff=True, is_superuser=True
    )


@pytest.fixture
def plain_user(django_user_model):
    return django_user_model.objects.create_user(
        username="li.na", password="correct-horse-battery", name="李娜"
    )


@pytest.fixture
def missing_2027():
    with mock.patch("gridgov.core.calendar.missing_schedule_years", return_value=[2027]) as patched:
        yield patched


# --- Home page --------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_page_renders_in_chinese_by_default(client):
    response = client.get("/")

    assert response.status_code == 200
    page = parse(response)
    assert page.html_attrs.get("lang") == "zh-hans"
    assert 'name="viewport"' in response.content.decode()
    # Django's own catalog already knows this one; the language selector marks the active language.
    assert '<option value="zh-hans" lang="zh-hans" selected>' in response.content.decode()


@pytest.mark.django_db
def test_home_page_has_the_region_map_and_its_config(client):
    response = client.get("/")

    page = parse(response)
    container = page.ids["region-map"]
    assert "data-region-map" in container
    assert container["data-config-id"] == "map-config"
    assert container["data-grids-url"].endswith("?level=grid")
    assert container["data-villages-url"].endswith("?level=village")
    assert container["data-towns-url"].endswith("?level=town")
    # Every user-visible string the script shows comes from the template, so it is translated there.
    for label in ("grid", "village", "town", "legend-title", "code", "loading", "grids-shown", "load-failed"):
        assert container[f"data-label-{label}"], label
    assert "%(count)s" in container["data-label-grids-shown"]
    assert page.ids[container["data-status-id"]].get("role") == "status"

    config = json.loads(_json_script(response, "map-config"))
    assert set(config) == {"tileUrl", "tileAttribution", "center", "zoom"}
    assert config["center"] == [settings.GRIDGOV["MAP_CENTER_LAT"], settings.GRIDGOV["MAP_CENTER_LON"]]


@pytest.mark.django_db
def test_home_page_map_reads_the_public_geo_api(client):
    response = client.get("/")

    grids_url = parse(response).ids["region-map"]["data-grids-url"]
    assert grids_url == "/api/v1/geo/map/?level=grid"


def _json_script(response, element_id: str) -> str:
    html = response.content.decode()
    start_tag = f'<script id="{element_id}" type="application/json">'
    start = html.index(start_tag) + len(start_tag)
    return html[start : html.index("</script>", start)]


# --- No CDN, no inline code -------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/", "/admin/", "/admin/login/"])
def test_pages_load_every_asset_from_our_own_site(client, staff_user, url):
    if url == "/admin/":
        client.force_login(staff_user)

    response = client.get(url)

    assert response.status_code == 200
    for asset in parse(response).asset_urls:
        assert asset.startswith("/"), f"{url} loads {asset!r} from outside the site"
        assert not asset.startswith("//"), f"{url} loads {asset!r} from another host"


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/accounts/login/"])
def test_our_pages_have_no_inline_scripts(client, url):
    """Code lives in static files (a strict Content-Security-Policy stays possible); JSON data blocks are fine."""
    response = client.get(url)

    for script in parse(response).scripts:
        assert script.get("src") or script.get("type") == "application/json", script


@pytest.mark.django_db
def test_static_files_the_home_page_uses_exist(client):
    if not VENDOR_BUILT:
        message = "gridgov/static_build/vendor/ is empty: run `npm ci && npm run build`"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    response = client.get("/")

    static_urls = [url for url in parse(response).asset_urls if url.startswith(settings.STATIC_URL)]
    expected = {
        "core/gridgov.css",
        "core/region_map.js",
        "vendor/htmx/htmx.min.js",
        "vendor/leaflet/leaflet.js",
    }
    found = {url.removeprefix(settings.STATIC_URL) for url in static_urls}
    assert expected <= found
    for url in static_urls:
        assert finders.find(url.removeprefix(settings.STATIC_URL)), f"{url} is not a static file"


# --- The holiday-calendar warning -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_staff_see_the_calendar_warning_on_every_page(client, staff_user, missing_2027):
    client.force_login(staff_user)

    for url in ("/", "/accounts/login/", "/admin/"):
        response = in_english(client).get(url)
        html = response.content.decode()
        assert WARNING_MARK in html, url
        assert WARNING_TEXT in html, url
        assert "deadlines in that year are counted on weekends only until it is" in html, url


@pytest.mark.django_db
def test_anonymous_visitors_do_not_see_the_calendar_warning(client, missing_2027):
    response = in_english(client).get("/")

    assert WARNING_MARK not in response.content.decode()


@pytest.mark.django_db
def test_residents_do_not_see_the_calendar_warning(client, plain_user, missing_2027):
    client.force_login(plain_user)

    response = in_english(client).get("/")

    assert WARNING_MARK not in response.content.decode()


@pytest.mark.django_db
def test_no_warning_when_every_schedule_is_entered(client, staff_user):
    client.force_login(staff_user)

    with mock.patch("gridgov.core.calendar.missing_schedule_years", return_value=[]):
        response = client.get("/")

    assert WARNING_MARK not in response.content.decode()


# --- Navigation -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_anonymous_navigation_offers_sign_in(client):
    response = in_english(client).get("/")

    html = response.content.decode()
    assert 'href="/accounts/login/?next=/"' in html
    assert 'href="/admin/"' not in html
    assert 'action="/accounts/logout/"' not in html


@pytest.mark.django_db
def test_signed_in_staff_get_admin_link_and_a_logout_form(client, staff_user):
    client.force_login(staff_user)

    response = in_english(client).get("/")

    page = parse(response)
    html = response.content.decode()
    assert 'href="/admin/"' in html
    assert "Signed in as 张伟" in html
    logout = [form for form in page.forms if form.get("action") == "/accounts/logout/"]
    assert logout and logout[0].get("method") == "post"


@pytest.mark.django_db
def test_signed_in_non_staff_get_no_admin_link(client, plain_user):
    client.force_login(plain_user)

    response = client.get("/")

    assert 'href="/admin/"' not in response.content.decode()


@pytest.mark.django_db
def test_logout_form_signs_the_user_out(client, plain_user):
    client.force_login(plain_user)

    response = client.post("/accounts/logout/")

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


# --- Login page -------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_renders_a_labelled_form(client):
    response = client.get("/accounts/login/?next=/")

    assert response.status_code == 200
    html = response.content.decode()
    page = parse(response)
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'for="id_username"' in html and 'for="id_password"' in html
    assert page.ids["id_username"]["autocomplete"] == "username"
    assert page.ids["id_password"]["type"] == "password"
    assert '<input type="hidden" name="next" value="/">' in html
    # Django's own catalog translates the field labels: the page is in Chinese without ours.
    assert "用户名" in html


def in_english(client):
    """The language menu's choice (a cookie): pages ignore the browser's Accept-Language."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.django_db
def test_pages_ignore_the_browser_language_but_the_api_honours_it(client):
    page = client.get("/", headers={"accept-language": "en"})
    assert parse(page).html_attrs.get("lang") == "zh-hans"
    api = client.get("/api/v1/cases/request-types/", headers={"accept-language": "en"})
    assert api.json()[0]["label"] == "Consultation"


@pytest.mark.django_db
def test_login_page_shows_errors(client, plain_user):
    response = in_english(client).post(
        "/accounts/login/", {"username": "li.na", "password": "wrong-password"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "Please enter a correct username and password" in html


@pytest.mark.django_db
def test_login_redirects_to_next(client, plain_user):
    response = client.post(
        "/accounts/login/", {"username": "li.na", "password": "correct-horse-battery", "next": "/healthz"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/healthz"


# --- Language switch --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_language_switch_to_english_and_back(client):
    page = parse(client.get("/"))
    switcher = [form for form in page.forms if form.get("action") == "/i18n/setlang/"]
    assert switcher and switcher[0].get("method") == "post"

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert response["Location"] == "/"

    english = client.get("/")
    assert parse(english).html_attrs.get("lang") == "en"
    assert "Grid map" in english.content.decode()
    assert "Username" in client.get("/accounts/login/").content.decode()

    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert parse(client.get("/")).html_attrs.get("lang") == "zh-hans"
