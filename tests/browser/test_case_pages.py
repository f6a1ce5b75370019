"""The dispatcher's screens in a real browser: sign in, open the work queue, open a case, accept it with a category
and dispatch it to the department the routing rule suggests, the detail panel swapped in place by htmx.

Needs Debian's Chromium at /usr/bin/chromium (Playwright drives it; no browser is downloaded) and the vendor
files from `npm ci && npm run build`. Without Chromium the test is skipped, except when CI is set. A screenshot is
saved under test-output/.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from gridgov.accounts.choices import Role
from gridgov.cases import actions
from gridgov.cases.choices import CaseStatus, Channel
from gridgov.cases.models import Case, Category
from gridgov.dispatch.choices import DepartmentKind
from gridgov.dispatch.models import Department, RoutingRule
from gridgov.testing.browser import OUTPUT_DIR, require_browser_and_assets, watched_page
from gridgov.testing.factories import DepartmentFactory, RegionTree, UserFactory, grant

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


@dataclass
class Setup:
    case: Case
    road: Category
    roads: Department
    justice: Department


def make_data() -> Setup:
    """A town with two departments, a routing rule for road cases and one reported case with a location."""
    region = RegionTree()
    town = region.towns[0]
    # Transactional tests flush the tables, the seeded taxonomy included: make sure the category exists.
    road, _created = Category.objects.get_or_create(
        code="road", defaults={"name": "道路交通", "name_en": "Roads and traffic", "sla_working_days": 5}
    )
    roads = DepartmentFactory(area=town, name="测试镇1建设办", kind=DepartmentKind.TRANSPORT)
    justice = DepartmentFactory(area=town, name="测试镇1司法所", kind=DepartmentKind.JUSTICE)
    RoutingRule.objects.create(category=road, area=town, lead=roads)
    dispatcher = UserFactory(username="dispatcher", name="派单员小李")
    grant(dispatcher, Role.DISPATCHER, area=town)
    case = actions.report_case(
        actor=None,
        channel=Channel.WEB,
        title="路口视线盲区需装凸面镜",
        text="北渡村22组路口视线盲区，经常差点撞车，希望装一面凸面镜",
        grid=region.grids[0],
        reporter_name="王阿姨",
        reporter_phone="13812345678",
    )
    # A point inside the first grid (set directly: the grid index of other tests is not consulted).
    Case.objects.filter(pk=case.pk).update(lat=32.205, lon=120.905)
    case.refresh_from_db()
    return Setup(case=case, road=road, roads=roads, justice=justice)


def test_dispatcher_accepts_and_dispatches_a_case(live_server, transactional_db):
    require_browser_and_assets("htmx/htmx.min.js", "leaflet/leaflet.js")
    from playwright.sync_api import expect

    data = make_data()  # ORM work first: the Playwright session below runs an event loop in this thread
    number = data.case.number
    screenshot = OUTPUT_DIR / "case_dispatch.png"

    with watched_page(live_server.url, viewport={"width": 1280, "height": 1000}, locale="zh-CN") as watched:
        page = watched.page
        page.goto(f"{live_server.url}/accounts/login/?next=/cases/queue/")
        page.fill("input[name=username]", "dispatcher")
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/cases/queue/")
        expect(page.locator("[data-work-queue-link]")).to_contain_text("1")
        row = page.locator(f'tr[data-case="{number}"]')
        expect(row).to_be_visible()

        row.locator("th a").click()
        page.wait_for_url(f"**/cases/{number}/")
        expect(page.locator("#case-map")).to_have_attribute("data-state", "ready")
        # the grid outline and the reported point, no tiles
        assert page.locator("#case-map path.leaflet-interactive").count() >= 1
        assert page.locator(".leaflet-tile").count() == 0

        accept = page.locator('details[data-verb="accept"]')
        expect(accept).to_have_attribute("open", "")
        accept.locator("select[name=category]").select_option(str(data.road.pk))
        accept.locator("textarea[name=note]").fill("已电话核实")
        accept.locator("button[type=submit]").click()
        expect(page.locator("#case-panel")).to_have_attribute("data-status", CaseStatus.ACCEPTED)
        expect(page.locator('[data-notice="success"]')).to_be_visible()
        assert page.url.endswith(f"/cases/{number}/")  # swapped in place, no navigation

        dispatch = page.locator('details[data-verb="dispatch"]')
        expect(dispatch).to_have_attribute("open", "")
        expect(dispatch.locator("[data-route-suggestion]")).to_contain_text(data.roads.name)
        expect(dispatch.locator("select[name=lead]")).to_have_value(str(data.roads.pk))
        dispatch.locator("button[type=submit]").click()
        expect(page.locator("#case-panel")).to_have_attribute("data-status", CaseStatus.DISPATCHED)
        expect(page.locator(".assignments")).to_contain_text(data.roads.name)
        expect(page.locator('.timeline [data-event="dispatch"]')).to_be_visible()

        page.screenshot(path=str(screenshot), full_page=True)

    assert not watched.outside, f"the page fetched from outside the site: {watched.outside}"
    assert not watched.errors, f"browser errors: {watched.errors}"
    assert screenshot.stat().st_size > 0
    case = Case.objects.get(number=number)
    assert case.status == CaseStatus.DISPATCHED and case.category == data.road
    assert list(case.events.values_list("verb", flat=True)) == ["report", "accept", "categorise", "dispatch"]
    assert case.assignments.get().department == data.roads
