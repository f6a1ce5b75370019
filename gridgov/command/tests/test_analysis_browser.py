"""The analysis pages in a real browser: the trend chart (ECharts) and the hotspot map (Leaflet) draw from the
page's JSON, from our own static files, without errors; the hotspot popup links to its cases.

Needs Debian's Chromium at /usr/bin/chromium and the vendor files (`npm ci && npm run build`); skipped without
Chromium except in CI. Screenshots: test-output/command_analysis_{trends,hotspots,recurrence}.png.
"""

from __future__ import annotations

import pytest

from gridgov.command.tests.test_analysis import build_trend_cases
from gridgov.command.tests.test_analysis_places import build_clustered, build_recurring
from gridgov.testing.browser import OUTPUT_DIR, require_browser_and_assets, watched_page

pytestmark = pytest.mark.browser


def test_chart_map_and_lists_draw(live_server, transactional_db, town):
    require_browser_and_assets("leaflet/leaflet.js", "echarts/echarts.min.js")
    # ORM work first: the Playwright session below runs an event loop in this thread.
    build_trend_cases(town.region)
    build_clustered(town.region)
    build_recurring(town.region)
    town1 = town.region.towns[0].code
    march = f"area={town1}&period=month&date=2026-03-01"

    with watched_page(live_server.url, viewport={"width": 1280, "height": 1000}, locale="zh-CN") as watched:
        page = watched.page
        page.goto(f"{live_server.url}/accounts/login/?next=/command/analysis/")
        page.fill("input[name=username]", "dispatcher")
        page.fill("input[name=password]", "correct-horse-battery")
        page.click("main form button[type=submit]")
        page.wait_for_url("**/command/analysis/")

        page.goto(f"{live_server.url}/command/analysis/?{march}&bucket=week")
        page.wait_for_selector("[data-trend-chart][data-state=ready]", timeout=15_000)
        assert page.locator("[data-trend-chart] canvas, [data-trend-chart] svg").count() >= 1
        assert page.locator('[data-trend-table="buckets"] tbody tr').count() == 6
        page.screenshot(path=str(OUTPUT_DIR / "command_analysis_trends.png"), full_page=True)

        page.goto(f"{live_server.url}/command/analysis/hotspots/?{march}&min_cases=10")
        page.wait_for_selector("[data-hotspot-map][data-state=ready]", timeout=15_000)
        # A (12 cases, with the trend cases of grid 0 close by) and B (10): one circle per row of the table.
        assert page.locator("#hotspot-map").get_attribute("data-hotspot-count") == "2"
        assert page.locator("#hotspot-map path.leaflet-interactive").count() == 2
        assert page.locator("tr[data-hotspot]").count() == 2
        assert page.locator(".leaflet-tile").count() == 0
        page.screenshot(path=str(OUTPUT_DIR / "command_analysis_hotspots.png"), full_page=True)
        page.locator("#hotspot-map path.leaflet-interactive").first.click(force=True)
        page.locator(".leaflet-popup-content a").first.click()
        page.wait_for_url("**/command/analysis/hotspots/cases/**")
        assert page.locator("tr[data-case]").count() >= 10

        page.goto(f"{live_server.url}/command/analysis/recurrence/?{march}")
        assert page.locator("[data-group]").count() >= 2
        page.screenshot(path=str(OUTPUT_DIR / "command_analysis_recurrence.png"), full_page=True)

    assert watched.outside == []
    assert watched.errors == []
