"""What a person sees: the README's run path served by Streamlit and opened in real Chromium.

The app runs as ``streamlit run dashboard.py`` with no DATABASE_URL and an empty state
folder, so it starts its own embedded PostgreSQL, migrates and seeds the demo, exactly as on
a fresh machine. Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import contextlib
import csv
import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import streamlit_server
from bench.streamlit_server import CHROMIUM, CHROMIUM_ARGS
from data.db import REPO_ROOT

pytestmark = pytest.mark.browser

SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"


@contextlib.contextmanager
def streamlit_app(state: Path) -> Iterator[str]:
    """`streamlit run dashboard.py` on a fresh embedded database in ``state``, as the README runs it."""
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "LEADLINE_TENANT")}
    env["LEADLINE_STATE_DIR"] = str(state)
    try:
        with streamlit_server.serve(env, state / "streamlit.log") as url:
            yield url
    except streamlit_server.ServerFailed as failure:
        pytest.fail(str(failure))


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app the browser tests share."""
    with streamlit_app(tmp_path_factory.mktemp("state")) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("LEADLINE_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


PAGES = {
    "": "Overview",
    "funnel": "Funnel",
    "speed_to_lead": "Speed to lead",
    "scorecard": "Team scorecard",
    "sources": "Sources",
    "campaigns": "Campaigns",
    "bookings": "Bookings & inventory",
    "ledger": "Customer ledger",
    "timeline": "Lead timeline",
    "snapshots": "Snapshots",
    "leads": "Leads",
    "admin_users": "Users",
    "admin_audit": "Audit log",
    "admin_sources": "Lead sources",
    "admin_campaigns": "Campaigns setup",
    "admin_inventory": "Inventory setup",
    "follow_ups": "Follow-ups",
    "stale_leads": "Stale leads",
    "new_lead": "New lead",
    "log_visit": "Log site visit",
    "log_call": "Log call or message",
    "log_milestone": "Log milestone",
    "book_unit": "Book a unit",
    "cancel_booking": "Cancel a booking",
    "ledger_entry": "Ledger entries",
    "import_data": "Import",
}
DATA_ENTRY = {
    "Follow-ups",
    "Stale leads",
    "New lead",
    "Log site visit",
    "Log call or message",
    "Log milestone",
    "Book a unit",
    "Cancel a booking",
    "Ledger entries",
    "Import",
}


DEMO_MENUS = {
    "rep": {
        "My follow-ups",
        "My stale leads",
        "Log site visit",
        "Log call or message",
        "New lead",
        "Log milestone",
        "My leads",
    }
    | {"Lead timeline", "Funnel"},
    "manager": DATA_ENTRY
    | {
        "Overview",
        "Funnel",
        "Speed to lead",
        "Team scorecard",
        "Sources",
        "Campaigns",
        "Bookings & inventory",
        "Leads",
        "Lead timeline",
        "Customer ledger",
        "Campaigns setup",
    },
    "leadership": {
        "Overview",
        "Funnel",
        "Speed to lead",
        "Team scorecard",
        "Sources",
        "Campaigns",
        "Bookings & inventory",
        "Customer ledger",
        "Lead timeline",
        "Snapshots",
    },
    "admin": DATA_ENTRY
    | {
        "Overview",
        "Funnel",
        "Speed to lead",
        "Team scorecard",
        "Sources",
        "Campaigns",
        "Bookings & inventory",
        "Leads",
        "Lead timeline",
        "Customer ledger",
        "Snapshots",
        "Users",
        "Lead sources",
        "Campaigns setup",
        "Inventory setup",
        "Lead routing",
        "Integrations",
        "Audit log",
    },
}
# Everyone's own profile (e-mail address and digests).
DEMO_MENUS = {role: titles | {"My profile"} for role, titles in DEMO_MENUS.items()}


def sign_in(tab, username: str, password: str = "leadline-demo") -> None:
    """Fill the sign-in form (the first visit also migrates and seeds the demo: allow time)."""
    # While a rerun replaces the form (the cookie component answers after the first run), the
    # old and the new form are both on the page for a moment: wait for one, then for the run.
    tab.get_by_label("Username").first.wait_for(timeout=120_000)
    tab.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)
    tab.get_by_label("Username").first.fill(username)
    tab.get_by_role("textbox", name="Password").fill(password)
    tab.get_by_role("button", name="Sign in").click()
    # Attached, not visible: on a phone-sized screen the sidebar starts collapsed.
    tab.get_by_test_id("stSidebarNav").wait_for(state="attached", timeout=60_000)
    # The cookie component writes the session cookie just after the run; wait for it, so a
    # reload or a new page finds it.
    deadline = time.monotonic() + 15
    while not session_cookies(tab.context):
        assert time.monotonic() < deadline, "signing in left no session cookie"
        tab.wait_for_timeout(200)


def session_cookies(context) -> list[dict]:
    return [cookie for cookie in context.cookies() if cookie["name"] == "leadline_session"]


def new_session(browser, app_url: str, role: str | None = None, path: str = "", cookies=None, viewport=None):
    """A fresh browser context at a path, signed in as the role (unless None) or with saved cookies."""
    context = browser.new_context(viewport=viewport or {"width": 1400, "height": 1000}, accept_downloads=True)
    if cookies:
        context.add_cookies(cookies)
    tab = context.new_page()
    tab.goto(f"{app_url}/{path}")
    if role:
        sign_in(tab, role)
    return context, tab


def menu(tab) -> set[str]:
    links = tab.get_by_test_id("stSidebarNav").get_by_test_id("stSidebarNavLink").all_inner_texts()
    return {text.split("\n")[-1].strip() for text in links}


@pytest.fixture(scope="module")
def page(app_url: str, browser):
    tab = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    tab.goto(app_url)
    sign_in(tab, "admin")
    tab.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    yield tab
    tab.close()


def open_page(page, app_url: str, path: str) -> None:
    page.goto(f"{app_url}/{path}")
    page.get_by_role("heading", name=PAGES[path], exact=True).wait_for(timeout=60_000)
    page.wait_for_load_state("networkidle")
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)


def test_overview_shows_demo_figures(page) -> None:
    leads_tile = page.get_by_test_id("stMetric").filter(has_text="Leads").first
    leads = int(re.sub(r"\D", "", leads_tile.get_by_test_id("stMetricValue").inner_text()))
    assert leads > 1000  # twelve months of the demo's 3,000 leads over two years
    page.get_by_test_id("stPlotlyChart").first.wait_for(timeout=30_000)


@pytest.mark.parametrize("path", list(PAGES))
def test_every_page_opens_without_an_error(page, app_url: str, path: str) -> None:
    open_page(page, app_url, path)
    if path == "timeline":
        page.get_by_label("Find a lead by name or phone").fill("Sharma")
        page.keyboard.press("Enter")
        page.get_by_test_id("stPlotlyChart").first.wait_for(timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{path or 'overview'}.png"), full_page=True)


def test_a_table_downloads_as_a_csv_that_parses(page, app_url: str, tmp_path: Path) -> None:
    open_page(page, app_url, "funnel")
    with page.expect_download(timeout=30_000) as download:
        # Keyed elements carry the class st-key-<key>; "download-stages" is the stage table's button.
        page.locator(".st-key-download-stages").get_by_role("button").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    import pandas as pd

    stages = pd.read_csv(saved, encoding="utf-8-sig")
    assert stages.columns.tolist() == [
        "Stage",
        "Leads",
        "% of leads",
        "% of previous stage",
        "Step conversion",
        "Skipped the previous stage",
    ]
    assert stages["Stage"].tolist()[0] == "Leads" and stages["Leads"].iloc[0] > 1000
    by_stage = dict(zip(stages["Stage"], stages["Leads"], strict=True))
    assert by_stage["Leads"] == stages["Leads"].max()
    assert by_stage["Net booked"] <= by_stage["Booked"] <= by_stage["Site visit"]


def test_filters_live_in_the_url_and_survive_moving_between_pages(page, app_url: str) -> None:
    open_page(page, app_url, "")
    source = page.get_by_test_id("stSidebar").get_by_label("Source")
    source.scroll_into_view_if_needed()
    source.click()
    page.keyboard.type("Walk-in")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"source=Walk-in"), timeout=30_000)
    page.get_by_test_id("stSidebarNav").get_by_text("Funnel").click()
    page.get_by_role("heading", name="Funnel", exact=True).wait_for(timeout=30_000)
    page.wait_for_url(re.compile(r"/funnel\?.*source=Walk-in"), timeout=30_000)
    page.reload()
    page.get_by_role("heading", name="Funnel", exact=True).wait_for(timeout=60_000)
    # The Subsource picker appears only once a source is chosen, and the funnel's top stage
    # counts walk-ins alone (about 5% of the demo's leads), not the whole tenant.
    page.get_by_test_id("stSidebar").get_by_label("Subsource").wait_for(timeout=30_000)
    top = page.get_by_test_id("stPlotlyChart").first.get_by_text(re.compile(r"of leads$")).first
    top.wait_for(timeout=30_000)
    walk_in_leads = int(re.sub(r"\D", "", top.text_content().split("·")[0]))
    assert 0 < walk_in_leads < 300


@pytest.mark.parametrize("role", list(DEMO_MENUS))
def test_each_demo_role_signs_in_to_its_own_menu(browser, app_url: str, role: str) -> None:
    context, tab = new_session(browser, app_url, role)
    assert menu(tab) == DEMO_MENUS[role]
    assert tab.get_by_test_id("stException").count() == 0
    context.close()


def test_reloading_a_sub_page_stays_on_it(page, app_url: str) -> None:
    open_page(page, app_url, "campaigns")
    page.reload()
    page.get_by_role("heading", name="Campaigns", exact=True).wait_for(timeout=60_000)
    assert page.url.startswith(f"{app_url}/campaigns")


def test_a_deep_link_opens_after_signing_in(browser, app_url: str) -> None:
    context, tab = new_session(browser, app_url, "manager", path="ledger")
    tab.get_by_role("heading", name="Customer ledger", exact=True).first.wait_for(timeout=60_000)
    context.close()


def test_signing_out_returns_to_sign_in_and_the_old_cookie_is_refused(browser, app_url: str) -> None:
    context, tab = new_session(browser, app_url, "leadership")
    saved = session_cookies(context)
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_label("Username").first.wait_for(timeout=60_000)
    context.close()

    replay, again = new_session(browser, app_url, cookies=saved)
    again.get_by_label("Username").first.wait_for(timeout=60_000)  # back at the sign-in form
    assert again.get_by_test_id("stSidebarNav").count() == 0
    replay.close()


def test_a_cookie_alone_signs_a_returning_browser_in(browser, app_url: str) -> None:
    context, _ = new_session(browser, app_url, "manager")
    saved = session_cookies(context)
    context.close()
    returning, tab = new_session(browser, app_url, path="sources", cookies=saved)
    tab.get_by_role("heading", name="Sources", exact=True).wait_for(timeout=60_000)
    returning.close()


PHONE = {"width": 390, "height": 844}


def fits_the_width(tab) -> bool:
    return tab.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")


def test_a_rep_on_a_phone_logs_a_site_visit_and_sees_it_on_the_timeline(browser, app_url: str, tmp_path: Path) -> None:
    context, tab = new_session(browser, app_url, "rep", path="log_visit", viewport=PHONE)
    tab.get_by_role("heading", name="Log site visit").first.wait_for(timeout=60_000)
    # A rep's search finds only their own leads; any will do. The answers come as a new list.
    tab.get_by_label("Find a lead by name or phone").fill("a")
    tab.keyboard.press("Enter")
    picker = tab.locator("[class*='-lead-pick-']")
    picker.wait_for(timeout=30_000)
    picker.get_by_role("combobox").click()
    tab.get_by_role("option").first.click()
    save = tab.get_by_role("button", name=re.compile(r"^Save visit for "))
    save.wait_for(timeout=30_000)
    lead_name = save.inner_text().removeprefix("Save visit for ").strip()
    assert lead_name

    tab.locator("[class*='-outcome']").get_by_text("Positive").click()
    tab.get_by_label("Why").fill("Liked the balcony view")
    tab.get_by_label("Location (optional)").fill("18.5204, 73.8567")
    tab.get_by_label("Notes").fill("Logged from a phone")
    assert fits_the_width(tab), "the site-visit form scrolls sideways at 390 px"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "log-visit-phone.png"), full_page=True)
    # A double click, as an impatient thumb does: the visit is still logged once (checked below).
    save.dblclick()
    tab.get_by_text("Saved: ").first.wait_for(timeout=30_000)

    tab.get_by_role("link", name="Open the lead's timeline").click()
    tab.get_by_role("heading", name=lead_name).first.wait_for(timeout=60_000)
    assert fits_the_width(tab)
    with tab.expect_download(timeout=30_000) as download:
        tab.locator(".st-key-download-milestones").get_by_role("button").click()
    target = tmp_path / "milestones.csv"
    download.value.save_as(target)
    with target.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    logged = [row for row in rows if row["Notes"] == "Logged from a phone"]
    assert [(row["Milestone"] in ("Site visit", "Revisit"), row["Outcome"]) for row in logged] == [(True, "Positive")]
    context.close()


def test_a_fresh_servers_first_visit_to_a_sub_page_signs_in_and_opens_it(browser, tmp_path_factory) -> None:
    # Until dashboard.py has run once, Streamlit runs a page named in the URL by itself (its old
    # pages/ folder convention): the page must hand over to the router, not fail.
    with streamlit_app(tmp_path_factory.mktemp("cold")) as url:
        context, tab = new_session(browser, url, path="funnel")
        sign_in(tab, "manager")
        tab.get_by_role("heading", name="Funnel").first.wait_for(timeout=60_000)
        assert tab.get_by_test_id("stException").count() == 0
        context.close()
