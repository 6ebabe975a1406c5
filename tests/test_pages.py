"""Every page driven through Streamlit's AppTest against the hand-built world."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from data import reports
from data.db import REPO_ROOT
from data.domain.filters import add_months, today_in_india
from tests.support.world import PASSWORD, World, add_people, build_world
from ui.filter_bar import OFFERED_MONTHS
from ui.text import md

TIMEOUT = 60
PAGES = ("overview", "funnel", "sources", "campaigns", "bookings", "ledger", "timeline", "snapshots")
ADMIN_PAGES = ("leads", "admin_users", "admin_sources", "admin_campaigns", "admin_inventory", "admin_audit")
JAN_FEB = (dt.date(2026, 1, 1), dt.date(2026, 2, 28))


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_world("pages")
    add_people(built)
    os.environ["LEADLINE_TENANT"] = "alpha-pages"
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


def signed_in(username: str = "boss", password: str = PASSWORD, **query) -> AppTest:
    """The app after signing in through the sign-in form."""
    app = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        app.query_params[key] = value
    app.run()
    app.text_input(key="sign-in-username").input(username)
    app.text_input(key="sign-in-password").input(password)
    app.button[0].click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def set_period(app: AppTest, period: tuple[dt.date, dt.date]) -> AppTest:
    """Pick the months of ``period`` (first and last day) in the filter bar's month pickers, and rerun."""
    first, last = period
    app.selectbox(key="from").set_value(first.replace(day=1))
    app.selectbox(key="to").set_value(last.replace(day=1))
    return app.run()


def open_page(page: str, period=JAN_FEB, **query) -> AppTest:
    app = signed_in(**query)
    app.switch_page(f"pages/{page}.py").run()
    # Only a page whose report counts a period has the month pickers (the ledger's balances are of today).
    if period is not None and "from" in [box.key for box in app.selectbox]:
        set_period(app, period)
    assert not app.exception, [e.value for e in app.exception]
    return app


def tiles(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_an_exception(world: World, page: str) -> None:
    open_page(page, period=None if page == "timeline" else JAN_FEB)


def test_overview_shows_the_worlds_figures(world: World) -> None:
    app = open_page("overview")
    # Worked out in tests/test_reports.py::test_overview_figures_and_previous_period.
    assert tiles(app) == {
        "Leads": "4",
        "Contacted": "100.0%",
        "Site visits": "3",
        "Revisits": "1",
        "Bookings": "3",
        "Cancellations": "1",
        "Net booking value": "₹1.31 Cr",
        "Collections": "₹10.1 L",
        "Outstanding": "₹30 L",
        "Lead → booking": "50.00%",
        "Days lead → booking": "21",
    }
    assert len(app.get("plotly_chart")) == 1


def test_overview_filters_change_the_figures(world: World) -> None:
    app = open_page("overview")
    app.selectbox(key="source").set_value("Walk-in").run()
    assert tiles(app)["Leads"] == "1"
    assert tiles(app)["Net booking value"] == "₹80 L"


def test_a_link_reproduces_the_view(world: World) -> None:
    linked = signed_in(**{"from": "Jan 2026", "to": "Feb 2026"}, source="Walk-in")
    assert linked.selectbox(key="source").value == "Walk-in"
    assert tiles(linked)["Leads"] == "1"


def test_a_filter_matching_nothing_shows_an_empty_state(world: World) -> None:
    # The earliest months the pickers offer, long before the world's leads (January 2026).
    earliest = add_months(today_in_india(), 1 - OFFERED_MONTHS)
    app = open_page("funnel", period=(earliest, add_months(earliest, 2)))
    assert "No leads match these filters" in app.info[0].value
    assert not app.get("plotly_chart")


def test_funnel_table_holds_the_stages(world: World) -> None:
    stages = open_page("funnel").dataframe[0].value
    assert stages["Leads"].tolist() == ["4", "4", "1", "3", "1", "3", "2"]
    assert stages["% of leads"].tolist()[-1] == "50.0%"


def test_sources_table_shows_costs(world: World) -> None:
    table = open_page("sources").dataframe[0].value.set_index("Subsource")
    assert table.loc["99acres", "Cost per lead"] == "₹20,000"
    assert table.loc["Site office", "Leads"] == "1"


def test_ledger_opens_a_statement(world: World) -> None:
    app = open_page("ledger")
    assert tiles(app)["Overdue"] == "₹9.9 L"
    app.selectbox(key="statement-booking").set_value(world.ids["b1"]).run()
    statement = app.dataframe[1].value
    assert statement["Balance"].tolist()[-1] == "₹0.00"
    assert any(text.startswith("Reversal of #") for text in statement["Entry type"])


def test_timeline_finds_a_lead_by_phone(world: World) -> None:
    app = open_page("timeline", period=None)
    app.text_input(key="lead-search").set_value("98000 00001").run()
    assert not app.exception
    assert app.subheader[0].value == "Asha Patil"
    assert app.dataframe[0].value["Milestone"].tolist()[-1] == "Cancellation"


def test_snapshot_page_prepares_a_download(world: World) -> None:
    app = open_page("snapshots")
    app.button(key="snapshot-build").click().run()
    assert not app.exception
    assert "leads.csv: 4 rows" in app.caption[-1].value
    assert "unit inventory.csv: period" in app.text[-1].value  # what as-filtered could not filter, and why


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_every_setup_page_renders_for_an_admin(world: World, page: str) -> None:
    open_page(page, period=None)


def test_adding_a_source_through_the_form_shows_in_the_list(world: World) -> None:
    app = open_page("admin_sources", period=None)
    app.text_input(key="add-source-source").input("Digital")
    app.text_input(key="add-source-subsource").input("YouTube")
    app.button(key="FormSubmitter:add-source-Add source").click().run()
    assert not app.exception and app.success[0].value == "Added Digital / YouTube."
    assert "YouTube" in app.dataframe[0].value["Subsource"].tolist()


def test_a_bad_campaign_gets_field_messages_and_writes_nothing(world: World) -> None:
    app = open_page("admin_campaigns", period=None)
    app.text_input(key="campaign-name").input("Bad budget")
    app.text_input(key="campaign-type").input("Paid social")
    app.text_input(key="campaign-channel").input("Facebook")
    app.text_input(key="campaign-budget").input("minus five")
    app.button(key="FormSubmitter:add-campaign-Add campaign").click().run()
    # ui.forms shows each message as text (escaped for Markdown).
    assert [error.value for error in app.error] == ["**Budget**: " + md("Enter an amount in rupees.")]
    assert "Bad budget" not in reports.filter_options(world.alpha).campaigns["name"].tolist()
