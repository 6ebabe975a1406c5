"""The benchmark's browser rows: each analysis page opened in real Chromium on the large tenant.

A manager of the benchmark tenant signs in to the app served as the README runs it; each
analysis page is then opened from the sidebar and timed from the click until the page shows its
title and Streamlit has finished running it — the moment it is
interactive. Each page is opened once, with its reads not yet cached in the app process.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import streamlit_server
from data import db
from data.writes import auth

# A manager lands on the Overview after signing in; the others are opened from the sidebar.
ANALYSIS_PAGES = ("Funnel", "Sources", "Campaigns", "Bookings & inventory", "Customer ledger")
_USERNAME = "bench-manager"


def page_timings(measure: Callable, tenant_id: int, tenant_slug: str) -> bool:
    """Add one row per analysis page; False (and no rows) when there is no Chromium here."""
    if not streamlit_server.CHROMIUM.exists():
        return False
    from playwright.sync_api import sync_playwright  # a test and benchmark dependency only

    password = secrets.token_urlsafe(16)
    auth.create_user(tenant_id, _USERNAME, "Bench Manager", "manager", password)
    env = {**os.environ, "LEADLINE_TENANT": tenant_slug}
    if db.is_embedded():
        env["LEADLINE_STATE_DIR"] = str(db.STATE_DIR)
    with (
        tempfile.TemporaryDirectory() as folder,
        streamlit_server.serve(env, Path(folder) / "streamlit.log") as url,
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(
            executable_path=str(streamlit_server.CHROMIUM), args=streamlit_server.CHROMIUM_ARGS
        )
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        tab.goto(url)
        tab.get_by_label("Username").first.wait_for(timeout=120_000)
        _finished(tab)
        measure("page interactive in the browser · Overview (signing in)", lambda: _sign_in(tab, password))
        for title in ANALYSIS_PAGES:
            measure(f"page interactive in the browser · {title}", lambda t=title: _open(tab, t))
        browser.close()
    return True


def _finished(tab) -> None:
    # The app root says whether a script run is under way (Streamlit's own attribute).
    tab.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=120_000)


def _sign_in(tab, password: str) -> None:
    tab.get_by_label("Username").first.fill(_USERNAME)
    tab.get_by_role("textbox", name="Password").fill(password)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_role("heading", name="Overview", exact=True).first.wait_for(timeout=120_000)
    _finished(tab)


def _open(tab, title: str) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    link = tab.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True)
    # The title is the page's first element: once it shows, the page's run has begun.
    heading = tab.get_by_role("heading", name=title, exact=True).first
    # A click that lands while the app is still settling can be lost (seen once in a full test run
    # on two busy cores: the page never opened); a second click then opens it. The row times both.
    for attempt in range(3):
        link.click()
        try:
            heading.wait_for(timeout=40_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    _finished(tab)


class PageClock:
    """A manager of the tenant signed in to the app at ``url`` in headless Chromium, for opening
    pages from the sidebar while something else runs (the intake benchmark)."""

    def __init__(self, url: str, tenant_id: int) -> None:
        from playwright.sync_api import sync_playwright  # a test and benchmark dependency only

        self.username = f"bench-pages-{secrets.token_hex(3)}"
        password = secrets.token_urlsafe(16)
        auth.create_user(tenant_id, self.username, "Bench Pages", "manager", password)
        self._playwright = sync_playwright().start()
        self._browser = self._playwright.chromium.launch(
            executable_path=str(streamlit_server.CHROMIUM), args=streamlit_server.CHROMIUM_ARGS
        )
        self.tab = self._browser.new_page(viewport={"width": 1400, "height": 1000})
        self.tab.goto(url)
        self.tab.get_by_label("Username").first.wait_for(timeout=120_000)
        _finished(self.tab)
        self.tab.get_by_label("Username").first.fill(self.username)
        self.tab.get_by_role("textbox", name="Password").fill(password)
        self.tab.get_by_role("button", name="Sign in").click()
        self.tab.get_by_role("heading", name="Overview", exact=True).first.wait_for(timeout=120_000)
        _finished(self.tab)

    def open(self, title: str) -> None:
        """Open a page from the sidebar and wait until its run has finished."""
        _open(self.tab, title)

    def close(self) -> None:
        """Close the browser."""
        self._browser.close()
        self._playwright.stop()
