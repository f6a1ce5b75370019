"""The staff intake forms through the Django test client: the patrol report, the hotline entry, the suggestion."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from gridgov.accounts.choices import Role
from gridgov.accounts.models import User
from gridgov.cases.choices import CaseStatus, Channel, OwnerLevel, Priority, RequestType
from gridgov.cases.models import Case, CasePhoto
from gridgov.dispatch.models import Department
from gridgov.intake.models import Submission
from gridgov.testing.factories import DepartmentFactory, RegionTree, UserFactory, category, grant

PATROL = "/intake/patrol/"
HOTLINE = "/intake/hotline/"
SUGGEST = "/intake/suggest/"
PHONE = "13812345678"
#: Inside grids[0] (town 1) and grids[4] (town 2) of the RegionTree.
IN_GRID_0 = {"lat": "32.205", "lon": "120.905"}
IN_GRID_4 = {"lat": "32.205", "lon": "121.005"}
TEXT = "小区门口路灯不亮，晚上很黑"


@dataclass
class Staff:
    region: RegionTree
    worker: User
    two_grid_worker: User
    other_worker: User
    chief: User
    dispatcher: User
    handler: User
    resident: User
    department: Department


@pytest.fixture
def staff(region):
    def user(username, role, **scope):
        person = UserFactory(username=username, name=f"{username}-名")
        grant(person, role, **scope)
        return person

    department = DepartmentFactory(area=region.towns[0], name="测试镇1建设办")
    two = user("two", Role.GRID_WORKER, area=region.grids[0])
    grant(two, Role.GRID_WORKER, area=region.grids[1])
    return Staff(
        region=region,
        worker=user("worker", Role.GRID_WORKER, area=region.grids[0]),
        two_grid_worker=two,
        other_worker=user("worker2", Role.GRID_WORKER, area=region.grids[4]),
        chief=user("chief", Role.GRID_CHIEF, area=region.villages[0]),
        dispatcher=user("dispatcher", Role.DISPATCHER, area=region.towns[0]),
        handler=user("handler", Role.DEPARTMENT_HANDLER, department=department),
        resident=user("resident", Role.RESIDENT),
        department=department,
    )


def _login(client, user):
    """Sign in, with the English interface so that assertions read like the source strings."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def _html(response) -> str:
    return response.content.decode()


def _png(name: str = "photo.png", size: int = 64) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (200, 120, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def _patrol(**extra) -> dict[str, object]:
    data: dict[str, object] = {"text": TEXT, "category": "road", **IN_GRID_0}
    data.update(extra)
    return data


def _hotline(**extra) -> dict[str, object]:
    data: dict[str, object] = {
        "reporter_name": "王阿姨",
        "reporter_phone": "138-1234-5678",
        "text": "来电反映家门口下水道堵了，污水漫到路上",
        "address": "人民路88号",
        "request_type": RequestType.HELP,
        "category": "road",
        "external_id": "",
    }
    data.update(extra)
    return data


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]] if response.context else []


# --- Who may use the pages ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_need_sign_in_and_the_right_role(client, staff):
    for url in (PATROL, HOTLINE):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for user in (staff.resident, staff.handler):
        _login(client, user)
        assert client.get(PATROL).status_code == 403
        assert client.get(HOTLINE).status_code == 403
        assert client.post(PATROL, _patrol()).status_code == 403
        assert client.post(HOTLINE, _hotline()).status_code == 403
    volunteer = UserFactory(username="volunteer")
    grant(volunteer, Role.VOLUNTEER, area=staff.region.towns[0])
    assert _login(client, volunteer).get(PATROL).status_code == 403

    _login(client, staff.worker)
    assert client.get(PATROL).status_code == 200
    assert client.get(HOTLINE).status_code == 403
    _login(client, staff.dispatcher)
    assert client.get(HOTLINE).status_code == 200
    assert client.get(PATROL).status_code == 200  # a center's staff may report in their area too
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_navigation_links_only_for_those_who_may_use_them(client, staff):
    html = _html(_login(client, staff.worker).get("/"))
    assert "data-patrol-link" in html and "data-hotline-link" not in html
    html = _html(_login(client, staff.dispatcher).get("/"))
    assert "data-patrol-link" in html and "data-hotline-link" in html
    html = _html(_login(client, staff.resident).get("/"))
    assert "data-patrol-link" not in html and "data-hotline-link" not in html


@pytest.mark.django_db
def test_patrol_page_is_a_mobile_camera_form(client, staff):
    html = _html(_login(client, staff.worker).get(PATROL))
    photo_input = re.search(r'<input type="file" name="photos"[^>]*>', html)
    assert photo_input is not None
    assert 'accept="image/*"' in photo_input.group(0)
    assert 'capture="environment"' in photo_input.group(0)
    assert "multiple" in photo_input.group(0)
    assert 'type="hidden" name="lat"' in html and 'type="hidden" name="lon"' in html
    assert "data-locate" in html and "data-suggest-category" in html
    assert 'data-suggest-url="/intake/suggest/"' in html
    assert 'name="resolved"' in html  # a grid worker may resolve in the grid
    # One grid: no grid choice, the page says where a report without a fix goes.
    assert 'name="grid"' not in html and "data-only-grid" in html
    assert 'name="grid"' in _html(_login(client, staff.two_grid_worker).get(PATROL))
    assert 'name="resolved"' not in _html(_login(client, staff.dispatcher).get(PATROL))


# --- Patrol report -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_patrol_report_creates_an_accepted_case_held_by_the_grid(client, staff):
    _login(client, staff.worker)
    response = client.post(PATROL, _patrol(photos=[_png("a.png"), _png("b.png")]), follow=True)

    assert response.redirect_chain == [(PATROL, 302)]
    case = Case.objects.get()
    assert case.channel == Channel.GRID_WORKER
    assert case.status == CaseStatus.ACCEPTED
    assert case.grid == staff.region.grids[0]
    assert case.owner_area == staff.region.grids[0] and case.owner_level == OwnerLevel.GRID
    assert case.category == category("road")
    assert (case.lat, case.lon) == (32.205, 120.905)  # WGS-84 as the browser gave it
    assert case.photos.filter(kind=CasePhoto.KIND_REPORT).count() == 2
    assert Submission.objects.get(case=case).source == "patrol"
    (message,) = _messages(response)
    assert case.number in message and f'href="/cases/{case.number}/"' in message
    # The next report starts from an empty form.
    assert TEXT not in _html(response)


@pytest.mark.django_db
def test_patrol_without_a_fix_goes_to_the_workers_only_grid(client, staff):
    _login(client, staff.worker)
    response = client.post(PATROL, _patrol(lat="", lon=""))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.grid == staff.region.grids[0] and case.lat is None
    assert case.status == CaseStatus.ACCEPTED


@pytest.mark.django_db
def test_patrol_worker_with_two_grids_chooses_one_or_must_locate(client, staff):
    _login(client, staff.two_grid_worker)
    response = client.post(PATROL, _patrol(lat="", lon="", text="这里有个问题需要处理"))
    assert response.status_code == 200
    html = _html(response)
    assert 'id="location-errors"' in html and "Give the location" in html
    assert Case.objects.count() == 0

    response = client.post(PATROL, _patrol(lat="", lon="", grid=staff.region.grids[1].pk))
    assert response.status_code == 302
    assert Case.objects.get().grid == staff.region.grids[1]


@pytest.mark.django_db
def test_patrol_out_of_scope_is_refused_and_keeps_the_input(client, staff):
    _login(client, staff.worker)
    response = client.post(PATROL, _patrol(photos=[_png()], address="老街东口", **IN_GRID_4))

    assert response.status_code == 200
    html = _html(response)
    assert "outside your area" in html
    assert "attach the photos again" in html
    assert TEXT in html and 'value="老街东口"' in html
    assert 'value="32.205"' in html and 'value="121.005"' in html
    assert '<option value="road" selected>' in html
    assert Case.objects.count() == 0

    # The other town's worker may report there.
    _login(client, staff.other_worker)
    assert client.post(PATROL, _patrol(**IN_GRID_4)).status_code == 302
    assert Case.objects.get().grid == staff.region.grids[4]


@pytest.mark.django_db
def test_resolved_on_the_spot_ends_resolved_in_the_grid(client, staff):
    _login(client, staff.worker)
    data = _patrol(resolved="on", result="已联系物业更换灯泡，现已恢复照明", result_photos=[_png("done.png")])
    response = client.post(PATROL, data, follow=True)

    case = Case.objects.get()
    assert case.status == CaseStatus.RESOLVED
    assert case.resolution == "已联系物业更换灯泡，现已恢复照明"
    assert case.owner_area == staff.region.grids[0] and case.owner_level == OwnerLevel.GRID
    verbs = list(case.events.order_by("at", "id").values_list("verb", "actor"))
    assert ("report", staff.worker.pk) in verbs and ("resolve_in_grid", staff.worker.pk) in verbs
    assert case.photos.filter(kind=CasePhoto.KIND_RESULT).count() == 1
    assert "resolved in the grid" in _messages(response)[0]


@pytest.mark.django_db
def test_resolved_on_the_spot_needs_the_result(client, staff):
    _login(client, staff.worker)
    response = client.post(PATROL, _patrol(resolved="on", result="  "))
    assert response.status_code == 200
    assert "Describe what was done on the spot." in _html(response)
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_a_refused_resolution_creates_no_case(client, staff, monkeypatch):
    from gridgov.cases import actions as case_actions

    def refuse(**kwargs):
        raise ValidationError({"photos": "照片不合格"})

    monkeypatch.setattr(case_actions, "resolve_in_grid", refuse)
    _login(client, staff.worker)
    response = client.post(PATROL, _patrol(resolved="on", result="已处理"))

    assert response.status_code == 200
    html = _html(response)
    field = re.search(r'data-field="result_photos">(.*?)</div>\s*</fieldset>', html, re.S)
    assert field is not None and "照片不合格" in field.group(1)
    assert Case.objects.count() == 0 and Submission.objects.count() == 0


@pytest.mark.django_db
def test_patrol_photos_are_checked_by_their_content(client, staff):
    _login(client, staff.worker)
    fake = SimpleUploadedFile("photo.jpg", b"<html>not a picture</html>", content_type="image/jpeg")
    response = client.post(PATROL, _patrol(photos=[_png(), fake]))

    assert response.status_code == 200
    html = _html(response)
    field = html[html.index('data-field="photos"') : html.index("data-location")]
    assert (
        "form-field--invalid"
        in html[html.index('data-field="photos"') - 60 : html.index('data-field="photos"')]
    )
    assert "Photo 2 (photo.jpg)" in field and "Photo 1" not in field
    assert TEXT in html
    assert Case.objects.count() == 0

    tiny = _png("tiny.png", size=8)
    assert client.post(PATROL, _patrol(result_photos=[tiny], resolved="on", result="ok")).status_code == 200
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_patrol_incomplete_fix_and_missing_text(client, staff):
    _login(client, staff.worker)
    response = client.post(PATROL, _patrol(text="", lon=""))
    assert response.status_code == 200
    html = _html(response)
    assert "Describe the problem." in html
    assert "The location is incomplete" in html
    assert Case.objects.count() == 0


# --- Hotline entry -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_hotline_entry_creates_a_case_with_the_caller_stored(client, staff):
    _login(client, staff.dispatcher)
    page = _html(client.get(HOTLINE))
    assert re.search(r'<input type="text" name="reporter_name"[^>]*autofocus', page)
    select = re.search(r'<select name="request_type".*?</select>', page, re.S)
    assert select is not None
    assert re.findall(r'<option value="(\w*)"', select.group(0)) == ["", *RequestType.values]

    response = client.post(HOTLINE, _hotline(urgent="on", external_id="RX-2024-0001"), follow=True)
    assert response.redirect_chain == [(HOTLINE, 302)]
    case = Case.objects.get()
    assert case.channel == Channel.HOTLINE
    assert case.status == CaseStatus.REPORTED
    assert case.reporter_name == "王阿姨" and case.reporter_phone == PHONE
    assert case.reporter_id is None
    assert case.request_type == RequestType.HELP
    assert case.priority == Priority.URGENT
    assert case.address == "人民路88号"
    # No place of the platform named: the call stays with the operator's center.
    assert case.grid is None and case.owner_area == staff.region.towns[0]
    submission = Submission.objects.get(case=case)
    assert (submission.source, submission.external_id) == ("hotline", "RX-2024-0001")
    (message,) = _messages(response)
    assert case.number in message and f'href="/cases/{case.number}/"' in message
    html = _html(response)
    assert "王阿姨" not in html and "人民路88号" not in html  # an empty form for the next call

    # The detail page masks the caller as it does for every case.
    detail = _html(client.get(f"/cases/{case.number}/"))
    assert "138****5678" in detail and PHONE not in detail
    assert "王**" in detail and "王阿姨" not in detail


@pytest.mark.django_db
def test_hotline_work_order_is_entered_once(client, staff):
    _login(client, staff.dispatcher)
    client.post(HOTLINE, _hotline(external_id="RX-1"), follow=True)
    response = client.post(HOTLINE, _hotline(external_id="RX-1", text="重复录入"), follow=True)
    assert Case.objects.count() == 1
    (message,) = _messages(response)
    assert "already entered" in message and Case.objects.get().number in message


@pytest.mark.django_db
def test_hotline_errors_keep_the_input_escaped(client, staff):
    _login(client, staff.dispatcher)
    evil = '<script>alert("x")</script>路灯坏了'
    response = client.post(
        HOTLINE, _hotline(text=evil, reporter_phone="12ab", reporter_name="<b>张三</b>", urgent="on")
    )
    assert response.status_code == 200
    html = _html(response)
    assert "Enter a mobile number" in html
    assert "<script>alert" not in html and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;路灯坏了" in html
    assert "<b>张三</b>" not in html and 'value="&lt;b&gt;张三&lt;/b&gt;"' in html
    assert re.search(r'<input type="checkbox" name="urgent"[^>]*checked', html)
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_hotline_messages_escape_the_work_order_number(client, staff):
    _login(client, staff.dispatcher)
    client.post(HOTLINE, _hotline(external_id="<i>RX</i>"))
    response = client.post(HOTLINE, _hotline(external_id="<i>RX</i>"), follow=True)
    html = _html(response)
    assert "<i>RX</i>" not in html and "&lt;i&gt;RX&lt;/i&gt;" in html


@pytest.mark.django_db
def test_hotline_place_outside_the_center_is_refused(client, staff):
    _login(client, staff.dispatcher)
    other_grid = staff.region.grids[4]
    response = client.post(HOTLINE, _hotline(address=other_grid.name))
    assert response.status_code == 200
    html = _html(response)
    assert "outside your area" in html and other_grid.name in html
    assert Case.objects.count() == 0

    # A place in the center's own area is found and used.
    response = client.post(HOTLINE, _hotline(address=staff.region.grids[1].name))
    assert response.status_code == 302
    assert Case.objects.get().grid == staff.region.grids[1]


@pytest.mark.django_db
def test_hotline_operator_of_two_centers_chooses_and_it_is_remembered(client, staff):
    grant(staff.dispatcher, Role.DISPATCHER, area=staff.region.towns[1])
    _login(client, staff.dispatcher)
    assert 'name="center"' in _html(client.get(HOTLINE))
    town2 = staff.region.towns[1]
    assert client.post(HOTLINE, _hotline(center=town2.pk)).status_code == 302
    assert Case.objects.get().owner_area == town2
    assert re.search(rf'<option value="{town2.pk}" selected>', _html(client.get(HOTLINE)))


# --- The suggestion ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_suggest_needs_a_staff_user(client, staff):
    response = client.get(SUGGEST, {"text": TEXT})
    assert response.status_code == 401 and response.json()["error"]["code"] == "not_authenticated"
    response = _login(client, staff.resident).get(SUGGEST, {"text": TEXT})
    assert response.status_code == 403
    assert _login(client, staff.handler).get(SUGGEST, {"text": TEXT}).status_code == 403
    assert _login(client, staff.worker).post(SUGGEST, {"text": TEXT}).status_code == 405


@pytest.mark.django_db
def test_suggest_answers_the_documented_shape(client, staff):
    _login(client, staff.dispatcher)
    empty = client.get(SUGGEST, {"text": "  "})
    assert empty.status_code == 200
    assert empty.json() == {
        "scores": [],
        "urgent": False,
        "urgent_cues": [],
        "request_type": "",
        "place": None,
    }
    assert "no-cache" in empty["Cache-Control"] or "max-age=0" in empty["Cache-Control"]

    grid = staff.region.grids[1]
    data = client.get(SUGGEST, {"text": "楼道里着火了，浓烟很大", "address": grid.name}).json()
    assert set(data) == {"scores", "urgent", "urgent_cues", "request_type", "place"}
    assert 1 <= len(data["scores"]) <= 3
    for code, name, p in data["scores"]:
        assert isinstance(code, str) and isinstance(name, str) and 0.0 <= p <= 1.0
    probabilities = [p for _code, _name, p in data["scores"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert isinstance(data["urgent"], bool)
    assert "fire" in data["urgent_cues"]
    assert data["request_type"] in RequestType.values
    assert data["place"] == {"code": grid.code, "name": grid.name}

    # The address alone already shows the place; nothing is written.
    data = client.get(SUGGEST, {"text": "", "address": grid.name}).json()
    assert data["scores"] == [] and data["place"] == {"code": grid.code, "name": grid.name}
    assert Case.objects.count() == 0


# --- In a real browser: the suggestion, locating, the resolved part, the hotline keys ---------------------------

PASSWORD = "correct-horse-battery"


def _png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (30, 160, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def _sign_in(page, base_url: str, username: str, then: str) -> None:
    page.goto(f"{base_url}/accounts/login/?next={then}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"**{then}")


@pytest.mark.browser
def test_patrol_in_a_browser(live_server, transactional_db, default_categories):
    from gridgov.testing.browser import OUTPUT_DIR, require_browser_and_assets, watched_page

    require_browser_and_assets("htmx/htmx.min.js")
    from playwright.sync_api import expect

    region = RegionTree()  # ORM work first: the Playwright session below runs an event loop in this thread
    worker = UserFactory(username="worker")
    grant(worker, Role.GRID_WORKER, area=region.grids[0])

    options = {
        "viewport": {"width": 390, "height": 844},
        "locale": "zh-CN",
        "geolocation": {"latitude": 32.205, "longitude": 120.905, "accuracy": 12},
        "permissions": ["geolocation"],
    }
    with watched_page(live_server.url, **options) as watched:
        page = watched.page
        _sign_in(page, live_server.url, "worker", PATROL)
        expect(page.locator("[data-patrol-link]")).to_be_visible()
        category_select = page.locator("select[name=category]")
        expect(category_select).to_have_value("")
        result_part = page.locator("[data-resolved-part]")
        expect(result_part).to_be_hidden()

        page.fill("textarea[name=text]", "楼道里着火了，浓烟很大，有人被困")
        scores = page.locator("[data-suggest-scores] li")
        expect(scores.first).to_be_visible(timeout=30_000)
        top = scores.first.get_attribute("data-code")
        assert top
        expect(category_select).to_have_value(top)
        assert top
        expect(page.locator("[data-suggest-urgent-line]")).to_be_visible()

        page.click("[data-locate]")
        expect(page.locator("input[name=lat]")).to_have_value("32.205000")
        expect(page.locator("input[name=lon]")).to_have_value("120.905000")
        expect(page.locator("[data-locate-status]")).to_contain_text("12")

        page.set_input_files(
            "input[name=photos]", files=[{"name": "p.png", "mimeType": "image/png", "buffer": _png_bytes()}]
        )
        page.check("input[name=resolved]")
        expect(result_part).to_be_visible()
        page.fill("textarea[name=result]", "已疏散并报119，火已扑灭")
        page.screenshot(path=str(OUTPUT_DIR / "intake_patrol.png"), full_page=True)
        page.click("button[data-submit]")
        page.wait_for_url(f"**{PATROL}")
        message = page.locator(".messages .message--success")
        expect(message).to_be_visible()
        expect(category_select).to_have_value("")
        expect(page.locator("[data-locate-clear]")).to_be_hidden()
        number = message.locator("a").inner_text()
        assert not watched.outside, watched.outside
        assert not watched.errors, watched.errors

    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.RESOLVED and case.channel == Channel.GRID_WORKER
    assert case.grid == region.grids[0] and case.photos.count() == 1
    assert case.category is not None and case.category.code == top


@pytest.mark.browser
def test_hotline_in_a_browser(live_server, transactional_db, default_categories):
    from gridgov.testing.browser import OUTPUT_DIR, require_browser_and_assets, watched_page

    require_browser_and_assets("htmx/htmx.min.js")
    from playwright.sync_api import expect

    region = RegionTree()
    dispatcher = UserFactory(username="dispatcher")
    grant(dispatcher, Role.DISPATCHER, area=region.towns[0])
    grid = region.grids[1]

    with watched_page(live_server.url, viewport={"width": 1280, "height": 1000}, locale="zh-CN") as watched:
        page = watched.page
        _sign_in(page, live_server.url, "dispatcher", HOTLINE)
        # Autofocus on the caller's name (waited for: keys typed before the page settles would be lost); Enter
        # moves on instead of sending a half-typed call.
        expect(page.locator("input[name=reporter_name]")).to_be_focused()
        page.keyboard.type("李先生")
        expect(page.locator("input[name=reporter_name]")).to_have_value("李先生")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.name") == "reporter_phone"
        page.keyboard.type(PHONE)
        # The operator chooses the request type themself: the suggestion must not override it.
        page.select_option("select[name=request_type]", "complaint")
        page.fill("textarea[name=text]", "楼下饭店油烟很大，窗户都不敢开")
        page.fill("input[name=address]", grid.name)
        place = page.locator("[data-suggest-place]")
        expect(place).to_contain_text(grid.name, timeout=30_000)
        expect(page.locator("select[name=category]")).not_to_have_value("")
        expect(page.locator("select[name=request_type]")).to_have_value("complaint")
        page.screenshot(path=str(OUTPUT_DIR / "intake_hotline.png"), full_page=True)
        page.focus("textarea[name=text]")
        page.keyboard.press("Control+Enter")
        page.wait_for_url(f"**{HOTLINE}")
        expect(page.locator(".messages .message--success")).to_be_visible()
        expect(page.locator("input[name=reporter_name]")).to_have_value("")
        assert page.evaluate("document.activeElement.name") == "reporter_name"
        assert not watched.outside, watched.outside
        assert not watched.errors, watched.errors

    case = Case.objects.get()
    assert case.channel == Channel.HOTLINE and case.grid == grid
    assert case.request_type == RequestType.COMPLAINT
    assert (case.reporter_name, case.reporter_phone) == ("李先生", PHONE)
