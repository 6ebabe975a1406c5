"""The analysis charts as a manager sees them on a 1440-px screen, on the demo data in real
Chromium: money axes labelled in lakhs and crores, counts with Indian grouping, and the lead
timeline's dates day-month-year, read from the SVG plotly drew (not from the figure's JSON)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from data.db import REPO_ROOT
from data.domain import vocabulary as labels
from tests.test_browser import PAGES, browser, new_session, streamlit_app  # noqa: F401 - the browser fixture
from tests.test_charts import contrast_with_white, rgb
from ui import charts

pytestmark = pytest.mark.browser

WIDE = {"width": 1440, "height": 1000}
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
# "₹0", "₹5 L", "₹1.5 Cr", "₹2,500 Cr": never "1.8M" or "250M".
AMOUNT_TICK = re.compile(r"^-?₹(0|[\d,]+(\.\d{1,2})? (L|Cr))$")
COUNT_TICK = re.compile(r"^\d{1,3}(,\d\d)*(,\d{3})?$|^\d{1,3}$")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The README's run path: a fresh embedded database with the demo seeded."""
    with streamlit_app(tmp_path_factory.mktemp("charts-state")) as url:
        yield url


@pytest.fixture(scope="module")
def tab(browser, app_url: str):  # noqa: F811 - the imported fixture
    context, opened = new_session(browser, app_url, role="admin", viewport=WIDE)
    opened.get_by_test_id("stMetric").first.wait_for(timeout=120_000)
    yield opened
    context.close()


def open_charts(tab, app_url: str, path: str, charts: int = 1) -> None:
    """The page, with its first ``charts`` plotly charts drawn."""
    tab.goto(f"{app_url}/{path}")
    tab.get_by_role("heading", name=PAGES[path], exact=True).wait_for(timeout=60_000)
    tab.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)
    for index in range(charts):
        tab.locator(".main-svg").nth(index).wait_for(timeout=60_000)
    tab.locator(".main-svg .xtick text").first.wait_for(timeout=60_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / f"charts-{path or 'overview'}.png"), full_page=True)


def ticks(chart, axis: str) -> list[str]:
    return [text.strip() for text in chart.locator(f".main-svg .{axis}tick text").all_text_contents() if text.strip()]


def test_the_campaign_chart_reads_spend_and_value_in_lakhs_and_crores(tab, app_url: str) -> None:
    open_charts(tab, app_url, "campaigns")
    roi = tab.get_by_test_id("stPlotlyChart").first
    spend, value = ticks(roi, "x"), ticks(roi, "y")
    assert spend and value
    assert all(AMOUNT_TICK.match(text) for text in spend + value), (spend, value)
    assert any(text.endswith(("L", "Cr")) for text in spend) and any(text.endswith("Cr") for text in value)
    # Each bubble is named on the chart, and the break-even line is in the legend.
    assert roi.locator(".textpoint text").count() > 0
    assert "Break-even" in "".join(roi.locator(".legend text").all_text_contents())


def test_the_bookings_and_ledger_money_axes_read_in_lakhs_and_crores(tab, app_url: str) -> None:
    open_charts(tab, app_url, "bookings", charts=3)
    by_project = tab.get_by_test_id("stPlotlyChart").nth(2)
    values = ticks(by_project, "y")
    assert values and all(AMOUNT_TICK.match(text) for text in values), values
    assert any(text.endswith(("L", "Cr")) for text in values)
    open_charts(tab, app_url, "ledger")
    overdue = ticks(tab.get_by_test_id("stPlotlyChart").first, "y")
    assert overdue and all(AMOUNT_TICK.match(text) for text in overdue), overdue


def test_the_overview_counts_in_indian_grouping_and_months(tab, app_url: str) -> None:
    open_charts(tab, app_url, "")
    trend = tab.get_by_test_id("stPlotlyChart").first
    counts = ticks(trend, "y") + ticks(trend, "y2")
    assert counts and all(COUNT_TICK.match(text) for text in counts), counts  # never "1k" or "1.5k"
    assert all(re.fullmatch(r"[A-Z][a-z]{2} \d{4}", text) for text in ticks(trend, "x"))


def test_the_timeline_dates_read_day_month_year(tab, app_url: str) -> None:
    tab.goto(f"{app_url}/timeline")
    tab.get_by_label("Find a lead by name or phone").fill("Sharma")
    tab.keyboard.press("Enter")
    tab.locator(".main-svg .xtick text").first.wait_for(timeout=60_000)
    dates = ticks(tab.get_by_test_id("stPlotlyChart").first, "x")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "charts-timeline.png"), full_page=True)
    # "1 Dec 2026", "Dec 2026", or "10:30" over "1 Dec 2026" on a short span; never seconds or "Dec 1, 2026".
    assert dates
    day_month_year = re.compile(r"^(\d{2}:\d{2}\s*)?(\d{1,2} )?[A-Z][a-z]{2} \d{4}$|^\d{2}:\d{2}$")
    assert all(day_month_year.match(text) for text in dates), dates


def fills(chart, selector: str) -> list[str]:
    """The fill colours the browser drew for the chart's elements matching ``selector``."""
    return chart.locator(selector).evaluate_all("shapes => shapes.map(shape => getComputedStyle(shape).fill)")


def test_no_source_segment_vanishes_on_the_white_page(tab, app_url: str) -> None:
    tab.goto(f"{app_url}/sources")
    tab.get_by_role("heading", name=PAGES["sources"], exact=True).wait_for(timeout=60_000)
    sunburst = tab.get_by_test_id("stPlotlyChart").first
    sunburst.locator("path.surface").first.wait_for(timeout=60_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "charts-sources.png"), full_page=True)
    drawn = fills(sunburst, "path.surface")
    assert drawn
    faint = {colour for colour in drawn if contrast_with_white(colour) < charts.MIN_CONTRAST_ON_WHITE}
    assert faint == set()


def test_the_booking_statuses_are_drawn_in_their_fixed_colours(tab, app_url: str) -> None:
    open_charts(tab, app_url, "bookings", charts=3)
    donut = tab.get_by_test_id("stPlotlyChart").nth(1)
    legend = dict(
        zip(
            donut.locator(".legend .legendtext").all_text_contents(),
            fills(donut, ".legend .legendpoints path"),
            strict=True,
        )
    )
    expected = {label: charts.STATUS_COLOURS[code] for code, label in labels.BOOKING_STATUS.items()}
    assert legend and all(rgb(colour) == rgb(expected[status]) for status, colour in legend.items()), legend
