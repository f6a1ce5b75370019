"""Shared machinery of the browser tests (tests/browser/): Debian's Chromium driven by Playwright, no downloaded browser.

Without Chromium the tests are skipped, except when CI is set, where a missing browser is a broken build. The
vendor files must have been built (`npm ci && npm run build`). Screenshots go to test-output/.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]  # gridgov/testing/browser.py → the repository
CHROMIUM = Path("/usr/bin/chromium")
VENDOR = REPO_ROOT / "gridgov" / "static_build" / "vendor"
OUTPUT_DIR = REPO_ROOT / "test-output"
LAUNCH_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def require_browser_and_assets(*assets: str) -> None:
    """Skip without Chromium (fail in CI); fail when a built vendor file (path under vendor/) is missing."""
    if not CHROMIUM.exists():
        reason = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; browser tests must run in CI")
        pytest.skip(reason)
    for asset in assets:
        if not (VENDOR / asset).exists():
            pytest.fail(f"vendor/{asset} is missing: run `npm ci && npm run build` first")


@dataclass
class WatchedPage:
    """A page that records every request leaving the test server and every browser error."""

    page: Any
    outside: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def watched_page(base_url: str, **page_options: Any) -> Iterator[WatchedPage]:
    """Open Chromium and one page; nothing may be fetched from anywhere but ``base_url`` (no CDN, no tiles)."""
    from playwright.sync_api import sync_playwright

    OUTPUT_DIR.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        try:
            watched = WatchedPage(page=browser.new_page(**page_options))
            watched.page.on(
                "request",
                lambda request: None
                if request.url.startswith((base_url, "data:"))
                else watched.outside.append(request.url),
            )
            watched.page.on("pageerror", lambda error: watched.errors.append(str(error)))
            watched.page.on(
                "console",
                lambda message: watched.errors.append(message.text) if message.type == "error" else None,
            )
            yield watched
        finally:
            browser.close()


def in_thread(live_server: Any, work: Callable[[], Any]) -> Any:
    """Run ORM work outside the thread in which Playwright's event loop runs (Django refuses it there).

    On the in-memory SQLite test database the work goes through the connection that the live server shares with
    its request threads. A second connection to that shared-cache database takes table locks, and a request that
    meets one fails at once with "database table is locked" instead of waiting: a page that polls (the command
    center's feed) would then get a 500 while the test writes.
    """
    from django.db import connections

    shared = dict(live_server.thread.connections_override)
    outcome: dict[str, Any] = {}

    def run() -> None:
        for alias, wrapper in shared.items():
            connections[alias] = wrapper
        try:
            outcome["value"] = work()
        except BaseException as error:  # re-raised in the test's thread
            outcome["error"] = error
        finally:
            for alias in connections:
                if (
                    alias not in shared
                ):  # the shared one belongs to the server (closing it drops the database)
                    connections[alias].close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
