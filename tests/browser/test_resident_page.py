"""The resident report page in a real (phone-sized) browser: write a report, attach a photo, drop a pin inside a
grid, see the open case nearby ("已有人反映?"), use the phone's position, send it, open the tracking link, and —
once the grid has solved and checked it through the real actions — rate the result.

Needs Debian's Chromium at /usr/bin/chromium (Playwright drives it; no browser is downloaded) and the vendor
files from `npm ci && npm run build`. Without Chromium the test is skipped, except when CI is set. Screenshots
are saved under test-output/.
"""

from __future__ import annotations

import pytest
from PIL import Image

from gridgov.cases.choices import CaseStatus, Channel
from gridgov.cases.models import Case
from gridgov.intake.models import Submission
from gridgov.intake.tests.resident_support import INSIDE, NEAR, make_people, submit, verified
from gridgov.testing.browser import OUTPUT_DIR, in_thread, require_browser_and_assets, watched_page
from gridgov.testing.factories import RegionTree, category

pytestmark = pytest.mark.browser

TEXT = "北渡村22组路口的路灯坏了，晚上一片漆黑，老人走路不安全"


def test_resident_reports_follows_and_rates(
    live_server, transactional_db, default_categories, tmp_path, settings
):
    require_browser_and_assets("leaflet/leaflet.js", "leaflet/leaflet.css")
    settings.MEDIA_ROOT = tmp_path / "media"
    photo = tmp_path / "路灯.jpg"
    Image.new("RGB", (640, 480), (40, 40, 60)).save(photo, "JPEG")

    # ORM work first: the Playwright session below runs an event loop in this thread.
    region = RegionTree()
    people = make_people(region)
    existing = submit(text="路口路灯不亮", at=NEAR)  # an open case nearby, same category
    road = category("road")
    grid_name = region.grids[0].name
    before = set(Case.objects.values_list("number", flat=True))

    with watched_page(
        live_server.url,
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        geolocation={"latitude": INSIDE[0], "longitude": INSIDE[1]},
        permissions=["geolocation"],
    ) as watched:
        page = watched.page
        page.goto(f"{live_server.url}/r/")
        page.wait_for_function(
            "() => ['ready', 'error'].includes(document.getElementById('report-map').dataset.state)",
            timeout=15_000,
        )
        assert page.get_attribute("#report-map", "data-state") == "ready"
        assert page.get_attribute("#report-map", "data-grid-count") == str(len(region.grids))
        assert page.locator(".leaflet-tile").count() == 0  # no tile URL: boundaries on a plain background

        page.fill("textarea[name=text]", TEXT)
        page.select_option("select[name=category]", str(road.pk))
        page.set_input_files("input[name=photos]", str(photo))
        page.fill("input[name=address]", "北渡村22组路口")
        page.fill("input[name=phone]", "13812345678")

        # Tap the middle of the first grid's outline: the pin lands inside it.
        page.locator("#report-map").scroll_into_view_if_needed()
        box = page.locator("#report-map svg path").first.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_function("() => document.getElementById('report-map').dataset.pin === 'inside'")
        assert grid_name in page.inner_text("[data-map-status]")
        assert page.input_value("input[name=lat]") and page.input_value("input[name=lon]")

        # "Use my location" puts the pin at the phone's position.
        page.click("[data-use-location]")
        page.wait_for_function(f"() => document.querySelector('input[name=lat]').value === '{INSIDE[0]}'")
        assert page.input_value("input[name=lon]") == str(INSIDE[1])

        # Already reported? The open case 50 m away is offered, with a button to follow it.
        nearby = page.locator("[data-nearby-case]")
        nearby.first.wait_for(timeout=10_000)
        assert nearby.count() == 1
        assert "路口路灯不亮" in nearby.first.inner_text()
        follow = nearby.first.locator("a").get_attribute("href")
        assert follow is not None and follow.startswith("/r/f/")
        page.screenshot(path=str(OUTPUT_DIR / "resident_report.png"), full_page=True)

        page.click("[data-submit]")
        page.wait_for_url("**/r/done/**")
        number = page.inner_text("[data-case-number]").strip()
        assert number and number not in before
        track_url = page.input_value("[data-track-url]")
        assert "/r/t/" in track_url

        page.click("[data-track-link]")
        page.wait_for_url("**/r/t/**")
        assert page.get_attribute("[data-status]", "data-status") == CaseStatus.REPORTED
        assert page.locator("[data-photos] img").count() == 1
        assert page.locator("[data-rating-form]").count() == 0

        # The grid worker solves it and checks the result, through the real actions.
        in_thread(live_server, lambda: verified(people, Case.objects.get(number=number)))

        page.reload()
        assert page.get_attribute("[data-status]", "data-status") == CaseStatus.VERIFIED
        assert "已更换路灯灯泡" in page.inner_text("[data-result]")
        page.check("input[name=satisfaction][value=satisfied]")
        page.fill("textarea[name=comment]", "修得很快，谢谢")
        page.click("[data-rating-form] button[type=submit]")
        page.locator("[data-rating]").wait_for()
        assert page.url.endswith("#rating")
        assert page.get_attribute("[data-rating]", "data-rating") == "satisfied"
        assert page.get_attribute("[data-status]", "data-status") == CaseStatus.CLOSED
        page.screenshot(path=str(OUTPUT_DIR / "resident_rated.png"), full_page=True)

        # The neighbour's view of the case that was already there.
        page.goto(f"{live_server.url}{follow}")
        assert page.get_attribute("[data-status]", "data-status") == CaseStatus.REPORTED

    assert not watched.outside, f"the page fetched from outside the site: {watched.outside}"
    assert not watched.errors, f"browser errors: {watched.errors}"
    assert (OUTPUT_DIR / "resident_report.png").stat().st_size > 0
    assert (OUTPUT_DIR / "resident_rated.png").stat().st_size > 0

    case = Case.objects.get(number=number)
    submission = Submission.objects.get(case=case)
    assert (case.channel, submission.channel, submission.source) == (Channel.WEB, Channel.WEB, "h5")
    assert case.status == CaseStatus.CLOSED and case.satisfaction == "satisfied"
    assert case.category == road and case.grid == region.grids[0] and (case.lat, case.lon) == INSIDE
    assert case.reporter_phone == "13812345678" and case.photos.count() == 1
    rating = case.events.get(verb="rate_satisfied")
    assert rating.actor is None and rating.note == "修得很快，谢谢"
    assert existing.case.pk != case.pk
