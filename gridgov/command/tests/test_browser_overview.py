"""The overview screen in a real browser with the demo data: the district dispatcher sees the grids and the counts
per grid, clicks a grid on the map to go down to its town, follows the table to the village and the grid, opens a
case from its marker; a case reported meanwhile appears in the feed without a reload; the large-screen layout;
a topic with its trend chart.

Needs Debian's Chromium at /usr/bin/chromium (Playwright drives it; no browser is downloaded) and the vendor
files from `npm ci && npm run build`. Without Chromium the test is skipped, except when CI is set. Screenshots are
saved under test-output/ (command_overview.png, command_overview_grid.png, command_overview_large.png,
command_topic.png).
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.apps import apps as django_apps
from django.db.models import Count
from django.utils import timezone

from gridgov.accounts.actions import ensure_system_user
from gridgov.cases import actions as case_actions
from gridgov.cases.choices import Channel, Priority
from gridgov.cases.models import Case
from gridgov.command.models import Topic
from gridgov.command.periods import Period
from gridgov.command.selectors import overview as selectors
from gridgov.command.selectors.topics import topic_q
from gridgov.command.views import overview as views
from gridgov.demo.loader import DEMO_PASSWORD, load_demo
from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.testing.browser import OUTPUT_DIR, in_thread, require_browser_and_assets, watched_page

pytestmark = pytest.mark.browser

#: A low cap, so that the district's few hundred demo cases are shown as counts per grid.
CAP = 20


def _target() -> tuple[Area, Area, Area, Area, Case, int]:
    """The district of the demo dispatcher, and a town → village → grid → open case with a location inside it."""
    district = Area.objects.get(name="通州区")
    located = selectors.open_cases(district).filter(lat__isnull=False, grid__isnull=False)
    busiest = located.order_by().values("grid_id").annotate(n=Count("pk")).order_by("-n", "grid_id").first()
    assert busiest is not None, "the demo has open cases with a location"
    grid = Area.objects.get(pk=busiest["grid_id"])
    village = Area.objects.get(children=grid)
    town = Area.objects.get(children=village)
    case = located.filter(grid=grid).order_by("-pk").first()
    assert case is not None
    return district, town, village, grid, case, located.count()


def test_overview_with_the_demo_data(live_server, transactional_db, default_categories, monkeypatch):
    require_browser_and_assets("leaflet/leaflet.js", "leaflet/leaflet.css")
    monkeypatch.setattr(selectors, "POINT_CAP", CAP)
    monkeypatch.setattr(views, "FEED_POLL_MS", 1000)

    # ORM work first: the Playwright session below runs an event loop in this thread.
    system = ensure_system_user()
    load_demo(actor=system)
    district, town, village, grid, case, located = _target()
    assert located > CAP
    grid_count = Area.objects.filter(
        level=AreaLevel.GRID, path__startswith=district.path, boundary__isnull=False
    ).count()
    grid_points = selectors.open_cases(grid).filter(lat__isnull=False).count()
    assert 0 < grid_points <= CAP
    open_total = selectors.open_counts(district).total
    # The default topics (a transactional test before this one may have emptied the table the migration filled).
    importlib.import_module("gridgov.command.migrations.0002_default_topics").load_default_topics(
        django_apps, None
    )
    river_open = selectors.open_counts(district, topic_q(Topic.objects.get(code="river"))).total
    days_this_month = Period.containing("month", timezone.localdate()).days

    def map_ready(page: Any) -> None:
        page.wait_for_function(
            "() => { const m = document.getElementById('command-map');"
            " return m && ['ready', 'error'].includes(m.dataset.state) && m.dataset.layerMode; }",
            timeout=20_000,
        )
        assert page.locator("#command-map").get_attribute("data-state") == "ready"

    with watched_page(live_server.url, viewport={"width": 1440, "height": 1000}, locale="zh-CN") as watched:
        page = watched.page
        page.goto(f"{live_server.url}/accounts/login/?next=/command/")
        page.fill("input[name=username]", "district")
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/command/")

        # The district: every grid drawn as an SVG path, the cases counted per grid (more than the cap).
        map_ready(page)
        command_map = page.locator("#command-map")
        assert command_map.get_attribute("data-grid-count") == str(grid_count)
        assert page.locator("#command-map path[data-grid]").count() == grid_count
        assert command_map.get_attribute("data-layer-mode") == "grids"
        groups = page.locator("#command-map .case-group")
        assert groups.count() > 0
        totals = [int(groups.nth(i).get_attribute("data-total") or 0) for i in range(groups.count())]
        assert sum(totals) == int(command_map.get_attribute("data-layer-total") or -1) == located
        assert page.locator(".leaflet-tile").count() == 0
        # the grid with the most located open cases is coloured by its worst case
        assert (
            page.locator(f'#command-map path[data-grid="{grid.code}"]').get_attribute("data-colour") != "none"
        )
        assert page.locator('[data-number="open"]').inner_text() == str(open_total)
        page.screenshot(path=str(OUTPUT_DIR / "command_overview.png"), full_page=True)

        # A case reported now appears in the feed at the top, without a reload.
        feed_top_before = page.locator("[data-feed] > li").first.get_attribute("data-case-id")
        arrived = in_thread(
            live_server,
            lambda: case_actions.report_case(
                actor=None,
                channel=Channel.WEB,
                title="燃气管道泄漏",
                text="小区门口燃气管道泄漏，气味很重",
                lat=case.lat,
                lon=case.lon,
                priority=Priority.URGENT,
            ),
        )
        new_item = page.locator(f'[data-feed] > li[data-case-id="{arrived.pk}"]')
        new_item.wait_for(timeout=10_000)
        assert page.locator("[data-feed] > li").first.get_attribute("data-case-id") == str(arrived.pk)
        assert feed_top_before != str(arrived.pk)
        assert "feed__item--urgent" in (new_item.get_attribute("class") or "")

        # Click the grid on the map: down to its town.
        page.locator(f'#command-map path[data-grid="{grid.code}"]').dispatch_event("click")
        page.wait_for_url(f"**/command/?area={town.code}")
        map_ready(page)
        assert district.name in page.locator(".command-trail").inner_text()  # the trail leads back up
        # …then the table to the village and the grid.
        page.locator(f'[data-child-areas] a[data-area-link="{village.code}"]').click()
        page.wait_for_url(f"**/command/?area={village.code}")
        map_ready(page)
        page.locator(f'[data-child-areas] a[data-area-link="{grid.code}"]').click()
        page.wait_for_url(f"**/command/?area={grid.code}")
        map_ready(page)

        # The grid: its cases one by one, and the table of its open cases.
        assert command_map.get_attribute("data-layer-mode") == "points"
        assert page.locator("#command-map path.case-point").count() == grid_points + 1  # with the new one
        assert page.locator(f'[data-grid-cases] tr[data-case="{case.number}"]').count() == 1
        page.screenshot(path=str(OUTPUT_DIR / "command_overview_grid.png"), full_page=True)

        # Open the case from its marker's popup.
        page.locator(f'#command-map path[data-case="{case.number}"]').dispatch_event("click")
        link = page.locator(f'.leaflet-popup a[data-case-link="{case.number}"]')
        link.wait_for(timeout=5_000)
        link.click()
        page.wait_for_url(f"**/cases/{case.number}/")
        assert case.number in page.content()

        # The wall display of the district.
        page.goto(f"{live_server.url}/command/?screen=large")
        map_ready(page)
        assert page.locator(".command--large").count() == 1
        page.screenshot(path=str(OUTPUT_DIR / "command_overview_large.png"))

        # A topic: its card in the list, then its screen with the trend chart and the table behind it.
        page.goto(f"{live_server.url}/command/topics/")
        page.locator('[data-topic="river"] a').click()
        page.wait_for_url("**/command/topics/river/**")
        map_ready(page)
        page.wait_for_function("() => document.querySelector('[data-topic-chart]').dataset.state === 'ready'")
        assert page.locator("[data-topic-chart] canvas").count() >= 1
        assert page.locator("[data-trend-table] tbody tr").count() == days_this_month
        assert page.locator('[data-number="open"]').inner_text() == str(river_open)
        page.screenshot(path=str(OUTPUT_DIR / "command_topic.png"), full_page=True)

    assert not watched.outside, f"the page fetched from outside the site: {watched.outside}"
    assert not watched.errors, f"browser errors: {watched.errors}"
    for name in (
        "command_overview.png",
        "command_overview_grid.png",
        "command_overview_large.png",
        "command_topic.png",
    ):
        assert (OUTPUT_DIR / name).stat().st_size > 0
