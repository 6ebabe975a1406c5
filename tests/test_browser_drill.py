"""Every figure opens its leads, in real Chromium (issue 16): a click on a funnel stage, an overview
tile, a subsource bar or an ageing bar opens the list behind it with the clicked figure's count;
checked against the database's own count as well as the screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

import pytest

from data import reports
from data.domain.filters import ReportFilters
from tests.support.browser_app import serving, settle
from tests.support.world import World, add_people, build_world
from tests.test_browser import browser, sign_in  # noqa: F401 - the browser fixture
from tests.test_browser_links import eventually

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1440, "height": 1000}
# January and February 2026 of the hand-built world: four leads, three visited, three booked.
# (January is this year's first month, the month pickers' default, which the address leaves out.)
PERIOD = "to=Feb+2026"
JAN_FEB = ReportFilters(month_from=dt.date(2026, 1, 1), month_to=dt.date(2026, 2, 1))


@pytest.fixture(scope="module")
def world(database) -> World:
    built = build_world("browser-drill")
    add_people(built)
    reports.clear_report_caches()
    return built


@pytest.fixture(scope="module")
def app_url(world: World, database, tmp_path_factory) -> Iterator[str]:
    with serving(database, "alpha-browser-drill", tmp_path_factory.mktemp("drill-state")) as url:
        yield url


@pytest.fixture(scope="module")
def tab(browser, app_url: str):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    page.goto(app_url)
    sign_in(page, "mona", "world-password-1")
    page.get_by_role("heading", name="Overview").first.wait_for(timeout=60_000)
    settle(page)
    yield page
    context.close()


def listed_count(tab) -> int:
    """The count the Leads page says it lists ("… 1–3 of 3.")."""
    line = tab.get_by_text("newest first:").first
    line.wait_for(timeout=30_000)
    return int(line.inner_text().rsplit(" of ", 1)[1].rstrip(".").replace(",", ""))


def query_of(tab) -> dict[str, list[str]]:
    return parse_qs(urlparse(tab.url).query)


def click_on(tab, element) -> None:
    """A click where a person would click: the middle of what is drawn (plotly listens on a layer
    over its marks)."""
    element.wait_for(timeout=30_000)
    element.scroll_into_view_if_needed()
    # A chart drawn by the run just finished takes a moment to listen to the pointer.
    tab.wait_for_timeout(1_500)
    box = element.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # Plotly finds the point under the pointer on hover, and a click selects what hover found.
    tab.mouse.move(x - 5, y)
    tab.mouse.move(x, y, steps=5)
    tab.wait_for_timeout(500)
    tab.mouse.click(x, y)


def click_until(tab, element, done) -> None:
    """Click the mark until ``done()`` holds (a click that lands while the chart is being drawn
    again is lost, as it would be for a person, who would click again)."""
    for _ in range(3):
        if done():
            return
        click_on(tab, element)
        try:
            eventually(done, seconds=15)
            return
        except AssertionError:
            settle(tab)
    assert done(), "the click never opened the list"


def on_page(tab, heading: str) -> None:
    tab.get_by_role("heading", name=heading, exact=True).first.wait_for(timeout=60_000)
    settle(tab)


def test_an_overview_tile_opens_its_leads(tab, app_url: str, world: World) -> None:
    # The manager's first page, the Overview, is at the root.
    tab.goto(f"{app_url}/?{PERIOD}")
    on_page(tab, "Overview")
    bookings = tab.get_by_test_id("stMetric").filter(has_text="Bookings").first
    figure = int(bookings.get_by_test_id("stMetricValue").inner_text())
    bookings.locator("xpath=ancestor::*[@data-testid='stVerticalBlock'][1]").get_by_role("link").click()
    on_page(tab, "Leads")
    assert listed_count(tab) == figure == reports.lead_list(world.alpha, JAN_FEB, 1, "booked").total_leads == 3
    assert query_of(tab) == {"to": ["Feb 2026"], "stage": ["Booked"]}


def test_a_funnel_stage_opens_its_leads(tab, app_url: str) -> None:
    tab.goto(f"{app_url}/funnel?{PERIOD}")
    on_page(tab, "Funnel")
    chart = tab.locator(".st-key-funnel-chart")
    # Site visit, the fourth stage.
    click_until(tab, chart.locator("g.point").nth(3), lambda: urlparse(tab.url).path.endswith("/leads"))
    on_page(tab, "Leads")
    assert query_of(tab)["stage"] == ["Site visit"]
    assert listed_count(tab) == 3


def test_a_subsource_bar_then_a_lead_opens_its_timeline(tab, app_url: str, world: World) -> None:
    tab.goto(f"{app_url}/sources?{PERIOD}")
    on_page(tab, "Sources")
    bars = tab.locator(".st-key-subsource-bars g.point")
    # The subsource with the most leads.
    click_until(tab, bars.last, lambda: urlparse(tab.url).path.endswith("/leads"))
    on_page(tab, "Leads")
    query = query_of(tab)
    assert "source" in query and "subsource" in query and "stage" not in query
    filters = ReportFilters(
        month_from=JAN_FEB.month_from,
        month_to=JAN_FEB.month_to,
        source=query["source"][0],
        subsource=query["subsource"][0],
    )
    assert listed_count(tab) == reports.lead_list(world.alpha, filters).total_leads >= 1


def test_an_ageing_bar_opens_its_accounts(tab, app_url: str, world: World) -> None:
    tab.goto(f"{app_url}/ledger")
    on_page(tab, "Customer ledger")
    bars = tab.locator(".st-key-ageing-bars g.point")
    eventually(lambda: bars.count() == 4)
    # 90+ days, the one bucket of the world with money in it (the others draw no bar to click).
    click_until(tab, bars.nth(3), lambda: query_of(tab).get("overdue") == ["90+ days"])
    settle(tab)
    expected = reports.ledger_summary(world.alpha, JAN_FEB, 1, "overdue_over_90")
    line = tab.get_by_text("most overdue first:").first.inner_text()
    assert line.endswith(f" of {len(expected.rows)}.") and len(expected.rows) >= 1
