"""A rep on a 390-px phone: choosing a page closes the sidebar, no rep page scrolls sideways or
needs a pinch, long text wraps, and the Funnel's title and stage text stay clear and whole.

Chromium here says it is a desktop browser, which is the case ``ui.phone`` exists for:
Streamlit closes its sidebar after a page is chosen only for a phone's user agent. Screenshots
go to test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

# app_url and browser are the browser tests' fixtures, used by name: this module gets its own
# app on a fresh database.
from tests.test_browser import PHONE, SCREENSHOTS, app_url, browser, fits_the_width, new_session  # noqa: F401

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser

# URL path → heading. My follow-ups is a rep's first page, so it is at the root.
REP_PAGES = {
    "": "My follow-ups",
    "log_visit": "Log site visit",
    "log_call": "Log call or message",
    "new_lead": "New lead",
    "log_milestone": "Log milestone",
    "leads": "My leads",
    "timeline": "Lead timeline",
    "funnel": "Funnel",
}


@dataclass(frozen=True)
class Phone:
    tab: Page
    url: str


@pytest.fixture(scope="module")
def rep(browser, app_url: str) -> Iterator[Phone]:  # noqa: F811
    """One rep's phone, signed in, shared by the tests below."""
    context, tab = new_session(browser, app_url, "rep", viewport=PHONE)
    yield Phone(tab, app_url)
    context.close()


def settled(tab) -> None:
    """Wait until the run is over and the page has drawn."""
    tab.wait_for_load_state("networkidle")
    tab.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)


def open_rep_page(phone: Phone, path: str) -> Page:
    """The rep page at ``path``, drawn; its tab."""
    tab = phone.tab
    tab.goto(f"{phone.url}/{path}")
    tab.get_by_role("heading", name=REP_PAGES[path], exact=True).wait_for(timeout=60_000)
    settled(tab)
    if sidebar_is_open(tab):  # left open by an earlier test (Streamlit may remember it): start closed
        tab.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        wait_for_sidebar(tab, shown=False)
    return tab


def wait_for_sidebar(tab, *, shown: bool) -> None:
    """Wait until the sidebar's slide has ended, fully on screen or fully off it."""
    test = "nav.getBoundingClientRect().left >= 0" if shown else "nav.getBoundingClientRect().right <= 0"
    tab.wait_for_function(
        "(() => { const nav = document.querySelector('[data-testid=stSidebarNav]');"
        f" return {'!!nav && ' if shown else '!nav || '}{test}; }})()",
        timeout=10_000,
    )


def main_fits(tab) -> bool:
    """The main area scrolls by itself (not the document): nothing in it is wider than it."""
    return tab.evaluate(
        "(() => { const main = document.querySelector('[data-testid=stMain]');"
        " return main.scrollWidth <= main.clientWidth; })()"
    )


def sidebar_is_open(tab) -> bool:
    return tab.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "false"


def on_screen(box: dict | None) -> bool:
    return box is not None and box["width"] > 0 and box["x"] + box["width"] > 0 and box["x"] < PHONE["width"]


def overlap(a: dict, b: dict) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and (b["y"] < a["y"] + a["height"])
    )


def within(inner: dict, outer: dict) -> bool:
    return (
        inner["x"] >= outer["x"] - 0.5
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 0.5
        and inner["y"] >= outer["y"] - 0.5
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 0.5
    )


def test_choosing_a_page_in_the_menu_closes_the_sidebar(rep: Phone) -> None:
    tab = open_rep_page(rep, "")
    assert not sidebar_is_open(tab)  # a narrow screen starts with it closed
    for title in ("Funnel", "Log call or message"):
        tab.get_by_test_id("stExpandSidebarButton").click()
        nav = tab.get_by_test_id("stSidebarNav")
        nav.wait_for(state="visible")
        wait_for_sidebar(tab, shown=True)  # it slides in: read it once it has arrived
        assert sidebar_is_open(tab) and on_screen(nav.bounding_box())
        nav.get_by_role("link", name=title).click()
        tab.get_by_role("heading", name=title, exact=True).wait_for(timeout=60_000)
        settled(tab)
        tab.wait_for_function(
            "document.querySelector('[data-testid=stSidebar]').getAttribute('data-collapsed') === 'true'",
            timeout=5_000,
        )
        wait_for_sidebar(tab, shown=False)  # it slides away: read it once it has gone
        assert not on_screen(tab.get_by_test_id("stSidebarNav").bounding_box())
    tab.get_by_label("Find a lead by name or phone").wait_for()  # the page drawn, not the sidebar
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "phone-after-menu.png"))


@pytest.mark.parametrize("path", list(REP_PAGES))
def test_every_rep_page_fits_a_phone(rep: Phone, path: str) -> None:
    tab = open_rep_page(rep, path)
    if path == "timeline":
        tab.get_by_label("Find a lead by name or phone").fill("a")
        tab.keyboard.press("Enter")
        tab.get_by_test_id("stPlotlyChart").first.wait_for(timeout=30_000)
        settled(tab)
    assert tab.get_by_test_id("stException").count() == 0
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"phone-{path or 'follow_ups'}.png"), full_page=True)
    assert fits_the_width(tab) and main_fits(tab), f"{path} scrolls sideways at 390 px"
    # No pinch: the page keeps the device's width and lets the person zoom.
    viewport = tab.evaluate("document.querySelector('meta[name=viewport]').content")
    assert "width=device-width" in viewport and "user-scalable=no" not in viewport


def test_a_long_unbroken_word_wraps_instead_of_widening_the_page(rep: Phone) -> None:
    # A name or note can be one long word (an e-mail address, a pasted link). Put one in the
    # page's heading and first paragraph, as the app would draw it, and the page still fits.
    tab = open_rep_page(rep, "leads")
    word = "x" * 150 + "@example.com"
    tab.evaluate(
        """word => {
            const main = document.querySelector('[data-testid=stMain]');
            main.querySelector('h1').textContent = word;
            const paragraph = main.querySelector('[data-testid=stMarkdownContainer] p');
            if (paragraph) paragraph.textContent = word;
        }""",
        word,
    )
    assert fits_the_width(tab) and main_fits(tab)
    heading = tab.get_by_test_id("stMain").locator("h1")
    assert heading.evaluate("h => getComputedStyle(h).overflowWrap") == "anywhere"
    assert heading.bounding_box()["height"] > 100  # wrapped onto several lines


def test_the_funnels_title_is_clear_of_the_toolbar_and_its_stages_are_whole(rep: Phone) -> None:
    tab = open_rep_page(rep, "funnel")
    chart = tab.get_by_test_id("stPlotlyChart").first
    chart.locator(".gtitle").wait_for(timeout=30_000)
    chart.hover()  # plotly shows its toolbar on hover: measure it where it shows
    modebar = chart.locator(".modebar")
    modebar.wait_for(state="visible")
    title, toolbar, figure = (
        chart.locator(".gtitle").bounding_box(),
        modebar.bounding_box(),
        chart.locator(".main-svg").first.bounding_box(),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "phone-funnel-chart.png"), clip=figure)
    assert not overlap(title, toolbar), (title, toolbar)
    assert within(title, figure)
    stage_names = chart.locator(".ytick text")
    assert stage_names.count() == 7
    stage_text = chart.locator(".bartext")
    assert stage_text.count() == 7
    for label in [*stage_names.all(), *stage_text.all()]:
        assert within(label.bounding_box(), figure), label.text_content()
