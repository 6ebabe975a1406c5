"""Saved views in real Chromium (issue 16, point 7): a manager saves the Funnel with a filter, shared;
changes the filter and opens the view from the sidebar (the filter and the address are the view's
again); its link is shown to copy; a colleague opens it from her sidebar, and does not see the
manager's private view; the manager makes it her landing page, and signing in again lands there."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from data import db, reports
from data.writes import saved_views as writes
from tests.support.browser_app import serving, settle
from tests.support.world import PASSWORD, World, add_people, build_world
from tests.test_browser import SCREENSHOTS, browser, sign_in  # noqa: F401 - the browser fixture
from tests.test_browser_sales_floor import choose

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 900}


@pytest.fixture(scope="module")
def world(database) -> World:
    built = build_world("browser-views")
    add_people(built)
    reports.clear_report_caches()
    return built


@pytest.fixture(scope="module")
def app_url(world: World, database, tmp_path_factory) -> Iterator[str]:
    with serving(database, "alpha-browser-views", tmp_path_factory.mktemp("views-state")) as url:
        yield url


def query_of(tab) -> dict[str, list[str]]:
    return parse_qs(urlparse(tab.url).query)


def eventually(tab, check, seconds: float = 30) -> None:
    """Wait until ``check()`` holds (a rerun may still be drawing the page). Waits through the tab,
    which lets Playwright take in its events meanwhile (``tab.url`` follows the address then)."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the page never showed it"
        tab.wait_for_timeout(300)


def signed_in_at(browser, app_url: str, path: str, username: str):  # noqa: F811
    """A new desktop context signed in as ``username`` after opening ``path``; (context, tab)."""
    context = browser.new_context(viewport=DESKTOP)
    tab = context.new_page()
    tab.goto(f"{app_url}/{path}")
    sign_in(tab, username, PASSWORD)
    settle(tab)
    return context, tab


def view_button(tab, name: str):
    """The sidebar's button of that view (Streamlit draws a hidden copy of a button with help, to size it)."""
    return tab.locator(f".st-key-saved-view-open-{VIEW_IDS[name]}").get_by_role("button").first


VIEW_IDS: dict[str, int] = {}


def open_more(tab, name: str):
    """Open the view's popover (link, landing page, delete); its body. A click during a rerun may be
    lost: click again only while no popover is open (a second click would close it)."""
    body = tab.get_by_test_id("stPopoverBody").filter(has=tab.get_by_test_id("stCode"))
    for _ in range(4):
        settle(tab)
        if not tab.get_by_test_id("stPopoverBody").filter(visible=True).count():
            more = tab.locator(f".st-key-saved-view-more-{VIEW_IDS[name]}").get_by_role("button").first
            more.scroll_into_view_if_needed()
            more.click()
        try:
            body.first.wait_for(timeout=10_000)
            return body.first
        except PlaywrightTimeout:
            tab.keyboard.press("Escape")
    pytest.fail(f"the popover of {name} never opened")


def shown_source(tab) -> str:
    """The Source filter's shown choice (its combobox's value)."""
    return tab.locator(".st-key-source").get_by_role("combobox").input_value()


def stored(world: World, name: str, columns: str = "page, query, is_shared") -> list[tuple]:
    """The named views' columns (a constant of this file's, never input)."""
    with db.owner_engine().connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                sa.text(f"select {columns} from saved_views where tenant_id = :t and name = :name"),
                {"t": world.alpha, "name": name},
            )
        ]


def test_a_saved_view_round_trip_for_its_owner_a_colleague_and_the_landing_page(
    browser,  # noqa: F811
    app_url: str,
    world: World,
) -> None:
    context, tab = signed_in_at(browser, app_url, "funnel", "mona")
    tab.get_by_role("heading", name="Funnel").first.wait_for(timeout=60_000)
    choose(tab, "source", "Walk-in")
    eventually(tab, lambda: query_of(tab).get("source") == ["Walk-in"])

    # Save it, shared with the team.
    tab.get_by_test_id("stSidebar").get_by_role("button", name="Save this view").click()
    tab.get_by_role("textbox", name="Name").fill("Walk-ins")
    tab.get_by_text("Share with the team").click()
    tab.get_by_role("button", name="Save view").click()
    tab.get_by_test_id("stAlertContentSuccess").filter(has_text="Saved the view").first.wait_for(timeout=30_000)
    settle(tab)
    assert stored(world, "Walk-ins") == [("funnel", {"source": "Walk-in"}, True)]
    ((VIEW_IDS["Walk-ins"],),) = stored(world, "Walk-ins", "saved_view_id")

    # Another filter, then the view from the sidebar: its filter and address again.
    choose(tab, "source", "Online Portal")
    eventually(tab, lambda: query_of(tab).get("source") == ["Online Portal"])
    settle(tab)
    view_button(tab, "Walk-ins").click()
    eventually(tab, lambda: query_of(tab).get("source") == ["Walk-in"])
    settle(tab)
    assert urlparse(tab.url).path.endswith("/funnel")
    eventually(tab, lambda: shown_source(tab) == "Walk-in")

    # Its link, to copy: this app's address of the Funnel with the filter.
    link = open_more(tab, "Walk-ins").get_by_test_id("stCode")
    assert link.inner_text().strip() == f"{app_url}/funnel?source=Walk-in"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "saved-views.png"))

    # Her landing page.
    tab.get_by_role("button", name="Use as my landing page").click()
    tab.get_by_test_id("stAlertContentSuccess").filter(has_text="after signing in").first.wait_for(timeout=30_000)
    context.close()
    # And a private view, which nobody else sees.
    mona = world.ids["mona"]
    private = writes.save_view(world.alpha, mona, name="Mona alone", page="funnel", query={}, is_shared=False)
    VIEW_IDS["Mona alone"] = private.saved_view_id

    # A colleague (leadership) on the Sources: the shared view, not the private one; one click opens it.
    context, tab = signed_in_at(browser, app_url, "sources", "lena")
    tab.get_by_role("heading", name="Sources").first.wait_for(timeout=60_000)
    view_button(tab, "Walk-ins").wait_for(timeout=30_000)
    assert view_button(tab, "Mona alone").count() == 0
    view_button(tab, "Walk-ins").click()
    tab.get_by_role("heading", name="Funnel").first.wait_for(timeout=60_000)
    eventually(tab, lambda: query_of(tab) == {"source": ["Walk-in"]})
    settle(tab)
    eventually(tab, lambda: shown_source(tab) == "Walk-in")
    context.close()

    # The owner signs in again at the site's root: she lands on her view.
    context, tab = signed_in_at(browser, app_url, "", "mona")
    tab.get_by_role("heading", name="Funnel").first.wait_for(timeout=60_000)
    eventually(tab, lambda: urlparse(tab.url).path.endswith("/funnel") and query_of(tab) == {"source": ["Walk-in"]})
    assert tab.get_by_test_id("stException").count() == 0
    context.close()
