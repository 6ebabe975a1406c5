"""The team scorecard in real Chromium: the table shows at desktop and phone width, a header click
sorts it by value, a filter narrows it, a markup name shows as typed, the page fits 390 px."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from data import db, reports
from tests.support.browser_app import serving, settle
from tests.support.world import PASSWORD, World, add_people, build_world
from tests.test_browser import browser, fits_the_width, sign_in  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.browser

MARKUP = "**Sara** [x](y) <b>b</b>"


@pytest.fixture(scope="module")
def world(database) -> World:
    built = build_world("browser-scorecard")
    add_people(built)
    with db.tenant_transaction(built.alpha) as conn:
        conn.execute(
            sa.text("update app_users set display_name = :name where user_id = :id"),
            {"name": MARKUP, "id": built.ids["sara"]},
        )
        # Ten January leads for Sara against Ravi's handful: as text "10" sorts before "4".
        conn.execute(
            sa.text(
                "insert into leads (tenant_id, name, phone, lead_source_id, owner_user_id, generated_at) "
                "select tenant_id, 'Sara lead ' || n, '+91970000' || lpad(n::text, 4, '0'), lead_source_id, "
                ":sara, generated_at + n * interval '1 hour' "
                "from leads cross join generate_series(1, 10) as n where lead_id = :lead"
            ),
            {"sara": built.ids["sara"], "lead": built.ids["l1"]},
        )
    reports.clear_report_caches()
    return built


@pytest.fixture(scope="module")
def app_url(world: World, database, tmp_path_factory) -> Iterator[str]:
    with serving(database, "alpha-browser-scorecard", tmp_path_factory.mktemp("scorecard-state")) as url:
        yield url


def table_rows(tab) -> list[list[str]]:
    """The data grid's rows as shown (read from its accessible table: the grid is a canvas)."""
    grid = tab.get_by_test_id("stDataFrame").first
    grid.locator("tbody tr td").first.wait_for(state="attached", timeout=10_000)
    return [row.locator("td").all_inner_texts() for row in grid.locator("tbody tr").all()]


def headers(tab) -> list[str]:
    """The column headings, without the arrow a sorted column's heading gets."""
    texts = tab.get_by_test_id("stDataFrame").first.locator("thead th").all_inner_texts()
    return [re.sub(r"^[^\w%]+", "", text) for text in texts]


def click_grid(tab, x: float, y: float) -> None:
    """Click the grid's canvas at (x, y) from its corner (the grid's scroller takes the events)."""
    canvas = tab.get_by_test_id("data-grid-canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    tab.mouse.click(box["x"] + x, box["y"] + y)


def selected_column(tab, x: float) -> str | None:
    """Which column (its aria-colindex) a click at x on the first row selects."""
    click_grid(tab, x, 52)
    tab.wait_for_timeout(400)  # the accessible table follows the selection a little later
    selected = tab.get_by_test_id("data-grid-canvas").first.locator("td[aria-selected='true']")
    return selected.first.get_attribute("aria-colindex") if selected.count() else None


def column_left(tab, name: str) -> float:
    """Where the column headed ``name`` starts (to 10 px): found by clicking along the first row, as
    the grid draws on a canvas and sizes its columns to their content."""
    wanted = str(headers(tab).index(name) + 1)
    width = int(tab.get_by_test_id("data-grid-canvas").first.bounding_box()["width"])
    return next(x for x in range(5, width - 5, 10) if selected_column(tab, x) == wanted)


def sort_by(tab, name: str) -> None:
    """Click the column's header just inside its left edge (its right end holds the column's menu)."""
    click_grid(tab, column_left(tab, name) + 10, 17)
    tab.wait_for_timeout(500)


@pytest.mark.parametrize(
    "viewport", [{"width": 1280, "height": 900}, {"width": 390, "height": 844}], ids=["desktop", "phone"]
)
def test_a_manager_sorts_the_scorecard_and_narrows_it_to_one_rep(browser, app_url: str, world: World, viewport) -> None:  # noqa: F811
    context = browser.new_context(viewport=viewport)
    tab = context.new_page()
    tab.goto(f"{app_url}/scorecard")
    sign_in(tab, "mona", PASSWORD)
    tab.get_by_role("heading", name="Team scorecard").first.wait_for(timeout=60_000)
    settle(tab)
    tab.get_by_test_id("stDataFrame").first.wait_for(timeout=10_000)
    assert tab.get_by_test_id("stException").count() == 0
    assert fits_the_width(tab)

    # Rows by name: Ravi Kumar, then the markup name, shown as typed (a table shows plain text).
    rows = table_rows(tab)
    names = [row[0] for row in rows]
    assert MARKUP in names and "Ravi Kumar" in names
    leads = {row[0]: int(row[headers(tab).index("Leads")]) for row in rows}
    assert leads[MARKUP] == 10 and leads["Ravi Kumar"] < 10
    # Sara answered nobody: her median is no figure, held as minus infinity so that it sorts
    # lowest (drawn as a dash; the grid's accessible table reads the value itself).
    median = headers(tab).index("Median response (working min)")
    assert {row[0]: row[median] for row in rows}[MARKUP] == "-Infinity"

    # Sorted by Leads, by value: fewest first (as text, "10" would come before Ravi's).
    sort_by(tab, "Leads")
    by_leads = [row[0] for row in table_rows(tab)]
    assert by_leads == sorted(names, key=lambda name: leads[name])
    sort_by(tab, "Leads")  # again: most first
    assert table_rows(tab)[0][0] == MARKUP
    assert fits_the_width(tab)

    # The owner filter narrows the table to Ravi's leads.
    if viewport["width"] < 600:
        tab.get_by_test_id("stExpandSidebarButton").click()
    owner = tab.get_by_test_id("stSidebar").get_by_label("Owner")
    owner.scroll_into_view_if_needed()
    owner.click()
    tab.keyboard.type("Ravi Kumar")
    tab.keyboard.press("Enter")
    tab.wait_for_url(re.compile(r"owner=Ravi"), timeout=30_000)
    settle(tab)
    deadline = time.monotonic() + 30
    while [row[0] for row in table_rows(tab)] != ["Ravi Kumar"] and time.monotonic() < deadline:
        tab.wait_for_timeout(300)
    assert [row[0] for row in table_rows(tab)] == ["Ravi Kumar"]
    assert tab.get_by_test_id("stException").count() == 0
    assert fits_the_width(tab)
    context.close()
