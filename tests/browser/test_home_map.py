"""The home page in a real browser: Leaflet loads from our static files and draws the grids from the geo API.

Needs Debian's Chromium at /usr/bin/chromium (Playwright drives it; no browser is downloaded) and the vendor
files from `npm ci && npm run build`. Without Chromium the test is skipped, except when CI is set, where a
missing browser is a broken build and the test fails. A screenshot is saved under test-output/.
"""

from __future__ import annotations

from typing import Any

import pytest

from gridgov.geo.choices import AreaLevel
from gridgov.geo.models import Area
from gridgov.testing.browser import OUTPUT_DIR, require_browser_and_assets, watched_page

pytestmark = pytest.mark.browser


def rectangle(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_area(code: str, name: str, level: str, parent: Area | None, boundary: dict[str, Any] | None) -> Area:
    """An area with the path, box and centroid that geo.actions would maintain (tests build trees directly)."""
    extra: dict[str, Any] = {}
    if boundary:
        lons = [point[0] for point in boundary["coordinates"][0]]
        lats = [point[1] for point in boundary["coordinates"][0]]
        extra = {
            "min_lon": min(lons),
            "max_lon": max(lons),
            "min_lat": min(lats),
            "max_lat": max(lats),
            "centroid_lon": (min(lons) + max(lons)) / 2,
            "centroid_lat": (min(lats) + max(lats)) / 2,
        }
    path = (parent.path if parent else "/") + code + "/"
    return Area.objects.create(
        code=code, name=name, level=level, parent=parent, path=path, boundary=boundary, **extra
    )


def make_region() -> list[Area]:
    """南通市 → 通州区 → 金沙街道 → 金西村 with three grids side by side (a small corner of Tongzhou)."""
    city = make_area("320600", "南通市", AreaLevel.CITY, None, None)
    district = make_area("320612", "通州区", AreaLevel.DISTRICT, city, None)
    town = make_area(
        "320612103", "金沙街道", AreaLevel.TOWN, district, rectangle(121.05, 32.05, 121.11, 32.09)
    )
    village = make_area(
        "320612103201", "金西村", AreaLevel.VILLAGE, town, rectangle(121.06, 32.06, 121.09, 32.08)
    )
    return [
        make_area(
            f"320612103201{n:03d}",
            f"金西村第{n}网格",
            AreaLevel.GRID,
            village,
            rectangle(121.06 + (n - 1) * 0.01, 32.06, 121.06 + n * 0.01, 32.08),
        )
        for n in (1, 2, 3)
    ]


def test_home_page_draws_the_grid_map(live_server, transactional_db):
    require_browser_and_assets("leaflet/leaflet.js")
    grids = make_region()  # ORM work first: the Playwright session below runs an event loop in this thread
    screenshot = OUTPUT_DIR / "home_map.png"

    with watched_page(live_server.url, viewport={"width": 1280, "height": 900}, locale="zh-CN") as watched:
        page = watched.page
        page.goto(f"{live_server.url}/")
        page.wait_for_function(
            "() => { const map = document.getElementById('region-map');"
            " return map.dataset.state === 'error' || Number(map.dataset.gridCount || 0) > 0; }",
            timeout=15_000,
        )

        status = page.locator("#region-map-status").inner_text()
        assert page.get_attribute("#region-map", "data-state") == "ready", status
        assert page.get_attribute("#region-map", "data-grid-count") == str(len(grids))
        assert str(len(grids)) in status
        # One SVG path per grid, thin outlines for the village and the town on top of them.
        grid_paths = page.locator(".leaflet-grids-pane svg path.leaflet-interactive")
        assert grid_paths.count() == len(grids)
        assert page.locator(".leaflet-villages-pane svg path").count() == 1
        assert page.locator(".leaflet-towns-pane svg path").count() == 1
        # No tile URL configured: no tile layer, a plain background.
        assert page.locator(".leaflet-tile").count() == 0
        assert page.locator(".map-legend li").count() == 3

        grid_paths.nth(1).click()
        popup = page.locator(".leaflet-popup-content")
        popup.wait_for()
        assert grids[1].name in popup.inner_text()
        assert grids[1].code in popup.inner_text()
        page.wait_for_timeout(400)  # let the popup finish fading in before the screenshot

        page.screenshot(path=str(screenshot), full_page=True)

    assert not watched.outside, f"the page fetched from outside the site: {watched.outside}"
    assert not watched.errors, f"browser errors: {watched.errors}"
    assert screenshot.stat().st_size > 0
