"""The alert page in a real browser: a leader signs in, opens the alert list, opens the alert, sees its evidence on
the map (drawn by alerts/alert_map.js, nothing fetched from outside) and acknowledges it.

Needs Debian's Chromium at /usr/bin/chromium and the vendor files (`npm ci && npm run build`); skipped without
Chromium except in CI. A screenshot is saved under test-output/.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from gridgov.accounts.actions import ensure_system_user
from gridgov.alerts.models import Alert
from gridgov.alerts.scan import scan
from gridgov.alerts.tests.conftest import NOW, point
from gridgov.testing.browser import OUTPUT_DIR, require_browser_and_assets, watched_page

pytestmark = pytest.mark.browser

PASSWORD = "correct-horse-battery"


def test_leader_opens_and_acknowledges_an_alert(live_server, transactional_db, report, town):
    require_browser_and_assets("leaflet/leaflet.js")
    from playwright.sync_api import expect

    report(ago=timedelta(days=20), phone="13812345678", at_point=point(0), address="北渡村22组15号")
    report(ago=timedelta(days=1), phone="13812345678", at_point=point(0, east_m=60), address="北渡村22组17号")
    scan(actor=ensure_system_user(), now=NOW)
    alert = Alert.objects.get()

    with watched_page(live_server.url, viewport={"width": 1280, "height": 1100}, locale="zh-CN") as watched:
        page = watched.page
        page.goto(f"{live_server.url}/accounts/login/?next=/alerts/")
        page.fill("input[name=username]", town.leader.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("main form button[type=submit]")
        page.wait_for_url("**/alerts/")
        page.screenshot(path=str(OUTPUT_DIR / "alert_list.png"), full_page=True)
        page.click(f"[data-alert='{alert.pk}'] a")
        page.wait_for_url(f"**/alerts/{alert.pk}/")
        expect(page.locator("[data-alert-map]")).to_have_attribute("data-state", "ready")
        expect(page.locator(".leaflet-interactive")).to_have_count(2)
        page.screenshot(path=str(OUTPUT_DIR / "alert_detail.png"), full_page=True)
        page.click("#action-acknowledge button[type=submit]")
        expect(page.locator("section.alert-head")).to_have_attribute("data-status", "acknowledged")
        assert watched.outside == []
        assert watched.errors == []
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
