"""Pages driven through Streamlit's AppTest against the hand-built world."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
from streamlit.testing.v1 import AppTest

from data import reports
from data.db import REPO_ROOT
from tests.world import build_world

TIMEOUT = 60


@pytest.fixture(scope="module", autouse=True)
def world_tenant() -> Iterator[None]:
    build_world("pages")
    os.environ["LEADLINE_TENANT"] = "alpha-pages"
    reports.clear_report_caches()
    yield
    os.environ.pop("LEADLINE_TENANT", None)


def overview_for(month_from: dt.date, month_to: dt.date) -> AppTest:
    app = AppTest.from_file(str(REPO_ROOT / "dashboard.py"), default_timeout=TIMEOUT)
    app.run()
    assert not app.exception, app.exception
    app.date_input(key="period").set_value((month_from, month_to)).run()
    assert not app.exception, app.exception
    return app


def tiles(app: AppTest) -> dict[str, str]:
    return {metric.label: metric.value for metric in app.metric}


def test_overview_shows_the_worlds_figures() -> None:
    app = overview_for(dt.date(2026, 1, 1), dt.date(2026, 2, 28))
    # Alpha's live leads l1..l4: all contacted, l1-l3 visited, l1 revisited, three bookings
    # (l1 cancelled), two net bookings of four leads.
    assert tiles(app) == {
        "Leads": "4",
        "Contacted": "100.0%",
        "Site visits": "3",
        "Revisits": "1",
        "Bookings": "3",
        "Cancellations": "1",
        "Lead → booking": "50.00%",
    }
    assert len(app.get("plotly_chart")) == 1


def test_overview_follows_the_period() -> None:
    app = overview_for(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    # February's cohort: l3 (walk-in, booked) and l4 (arrived 01:00 IST on 1 Feb).
    assert tiles(app)["Leads"] == "2"
    assert tiles(app)["Bookings"] == "1"


def test_overview_without_leads_explains_itself() -> None:
    app = overview_for(dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert not app.metric
    assert "No leads were generated in this period" in app.info[0].value
