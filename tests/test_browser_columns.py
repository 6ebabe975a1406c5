"""The decision columns fit a laptop screen: at 1440 px, Campaigns, Sources, the Team scorecard,
Leads, the bookings of Bookings & inventory and the Customer ledger (the accounts and a
statement) show every column they open with, none behind sideways
scrolling, in real Chromium on the hand-built world."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.support.browser_app import serving
from tests.support.world import PASSWORD, World, add_people, build_world
from tests.test_browser import browser  # noqa: F401 - the browser fixture
from tests.test_browser_sales_floor import settle

pytestmark = pytest.mark.browser

LAPTOP = {"width": 1440, "height": 900}

# Each screen's decision columns, as its headers read.
DECISIONS = {
    "Campaigns": ("Campaign", "Spend", "Net booking value", "ROI (×)"),
    "Sources": ("Subsource", "Source", "Spend", "Net booking value", "Lead → booking"),
    "Team scorecard": ("Rep", "Leads", "% within SLA", "Bookings", "Net bookings", "Lead → booking %"),
    "Leads": ("Name", "Phone", "Project", "Owner", "Status", "Generated", "Booked"),
    "Bookings & inventory": ("Customer", "Project", "Unit", "Booked on", "Status", "Agreement value", "Collected"),
    "Customer ledger": ("Customer", "Balance", "Overdue", "0–30 days", "31–60 days", "61–90 days", "90+ days"),
}
STATEMENT = ("Date", "Entry type", "Debit", "Credit", "Balance")

# How far the grid's content reaches past its visible width, and the headers it holds.
_GRID = """grid => {
    const scroller = grid.querySelector('.dvn-scroller');
    const headers = [...grid.querySelectorAll('[role=columnheader]')].map(cell => cell.textContent.trim());
    return {overflow: scroller.scrollWidth - scroller.clientWidth, headers: headers};
}"""


@pytest.fixture(scope="module")
def world(database) -> World:
    built = build_world("browser-columns")
    add_people(built)
    return built


@pytest.fixture(scope="module")
def app_url(world: World, database, tmp_path_factory) -> Iterator[str]:
    with serving(database, "alpha-browser-columns", tmp_path_factory.mktemp("columns-state")) as url:
        yield url


def sign_in(tab) -> None:
    """Sign in as the manager. The screens open from the menu, never by reloading, so (unlike
    tests.test_browser.sign_in) this does not wait for the session cookie."""
    tab.get_by_label("Username").first.wait_for(timeout=120_000)
    settle(tab)
    tab.get_by_label("Username").first.fill("boss")
    tab.get_by_role("textbox", name="Password").fill(PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_test_id("stSidebarNav").wait_for(state="attached", timeout=60_000)


def open_first_statement(tab) -> None:
    """Pick the first customer for a statement (again, if a rerun closed the list first)."""
    for _ in range(3):
        settle(tab)
        tab.locator(".st-key-statement-booking").get_by_role("combobox").click()
        option = tab.get_by_role("option").first
        try:
            option.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            tab.keyboard.press("Escape")
            continue
        option.click()
        settle(tab)
        return
    pytest.fail("the customer list never opened")


def grid(tab, index: int) -> dict:
    table = tab.get_by_test_id("stDataFrame").nth(index)
    table.scroll_into_view_if_needed()
    table.locator(".dvn-scroller").wait_for(timeout=30_000)
    table.locator("[role=columnheader]").first.wait_for(state="attached", timeout=30_000)
    return table.evaluate(_GRID)


def assert_fits(found: dict, decisions: tuple[str, ...]) -> None:
    assert found["overflow"] <= 1, f"the table scrolls sideways by {found['overflow']} px"
    missing = [label for label in decisions if label not in found["headers"]]
    assert not missing, f"{missing} not among {found['headers']}"


def test_the_decision_columns_show_without_sideways_scrolling(browser, app_url: str) -> None:  # noqa: F811
    context = browser.new_context(viewport=LAPTOP)
    try:
        tab = context.new_page()
        tab.goto(f"{app_url}/campaigns")
        sign_in(tab)
        for page, decisions in DECISIONS.items():
            if page != "Campaigns":  # signed in on Campaigns; the others open from the menu
                tab.get_by_test_id("stSidebarNav").get_by_text(page, exact=True).dispatch_event("click")
            tab.get_by_role("heading", name=page).first.wait_for(timeout=60_000)
            tab.get_by_test_id("stDataFrame").first.wait_for(timeout=60_000)
            settle(tab)
            assert_fits(grid(tab, 0), decisions)
        open_first_statement(tab)
        tab.get_by_test_id("stDataFrame").nth(1).wait_for(timeout=30_000)
        assert_fits(grid(tab, 1), STATEMENT)
    finally:
        context.close()
