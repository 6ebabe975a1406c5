"""Honest comparisons (issue 16): the previous period's length, the funnel's step conversion on
stages that are not nested, costs with no spend, the month picker, the filters each page shows,
and the "data as of" line with its refresh, on the hand-built world plus one earlier lead."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data import db, reports
from data.domain.filters import ReportFilters
from data.reports._query import period_params
from tests.support.world import World, add_people, at, day, insert
from tests.support.world import build_world as build_hand_world

JAN_FEB = ReportFilters(month_from=dt.date(2026, 1, 1), month_to=dt.date(2026, 2, 1))
FEBRUARY = ReportFilters(month_from=dt.date(2026, 2, 1), month_to=dt.date(2026, 2, 1))
TODAY = dt.date(2026, 11, 25)


# The previous period -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "last", "today", "period_end", "previous_from", "previous_end"),
    [
        # Month ends: Jan-Mar 2026 is 31 + 28 + 31 = 90 days; the 90 days before end on 31 Dec.
        (
            dt.date(2026, 1, 1),
            dt.date(2026, 3, 1),
            TODAY,
            dt.date(2026, 3, 31),
            dt.date(2025, 10, 3),
            dt.date(2025, 12, 31),
        ),
        # Mid-month: the period runs to today (1 Dec 2026), 335 days; so does the one before.
        (
            dt.date(2026, 1, 1),
            dt.date(2026, 12, 1),
            dt.date(2026, 12, 1),
            dt.date(2026, 12, 1),
            dt.date(2025, 1, 31),
            dt.date(2025, 12, 31),
        ),
        # Today's month only, ten days in: the last ten days of the month before.
        (
            dt.date(2026, 6, 1),
            dt.date(2026, 6, 1),
            dt.date(2026, 6, 10),
            dt.date(2026, 6, 10),
            dt.date(2026, 5, 22),
            dt.date(2026, 5, 31),
        ),
        # Leap years: March 2024 (31 days) against 30 Jan - 29 Feb 2024; February 2024 (29 days)
        # against 3 - 31 Jan; the whole of 2024 (366 days) against 31 Dec 2022 - 31 Dec 2023.
        (
            dt.date(2024, 3, 1),
            dt.date(2024, 3, 1),
            TODAY,
            dt.date(2024, 3, 31),
            dt.date(2024, 1, 30),
            dt.date(2024, 2, 29),
        ),
        (
            dt.date(2024, 2, 1),
            dt.date(2024, 2, 1),
            TODAY,
            dt.date(2024, 2, 29),
            dt.date(2024, 1, 3),
            dt.date(2024, 1, 31),
        ),
        (
            dt.date(2024, 1, 1),
            dt.date(2024, 12, 1),
            TODAY,
            dt.date(2024, 12, 31),
            dt.date(2022, 12, 31),
            dt.date(2023, 12, 31),
        ),
        # A leap day in the previous period: Mar-Apr 2028 (61 days)
        # against 31 Dec 2027 - 29 Feb 2028, which holds 29 February.
        (
            dt.date(2028, 3, 1),
            dt.date(2028, 4, 1),
            dt.date(2028, 12, 1),
            dt.date(2028, 4, 30),
            dt.date(2027, 12, 31),
            dt.date(2028, 2, 29),
        ),
    ],
)
def test_the_previous_period_has_as_many_days_and_ends_the_day_before(
    first, last, today, period_end, previous_from, previous_end
) -> None:
    filters = ReportFilters(month_from=first, month_to=last)
    assert filters.previous_period(today) == (period_end, previous_from, previous_end)
    assert (previous_end - previous_from).days == (period_end - filters.month_from).days
    assert previous_end == filters.month_from - dt.timedelta(days=1)


def test_a_previous_period_starting_mid_month_is_counted_as_whole_months_and_a_part_month() -> None:
    params = period_params(ReportFilters(month_from=dt.date(2026, 1, 1), month_to=dt.date(2026, 3, 1)), TODAY)
    # 3 Oct - 31 Dec 2025: October from the 3rd, lead by lead; November and December from the rollup.
    assert (params["previous_part_month"], params["previous_months_from"]) == (
        dt.date(2025, 10, 1),
        dt.date(2025, 11, 1),
    )
    params = period_params(ReportFilters(month_from=dt.date(2026, 2, 1), month_to=dt.date(2026, 2, 1)), TODAY)
    # 4 - 31 Jan: no whole month at all.
    assert params["previous_months_from"] > params["previous_end"]
    params = period_params(ReportFilters(month_from=dt.date(2026, 3, 1), month_to=dt.date(2026, 3, 1)), TODAY)
    # 31 days before 1 Mar 2026 start on 29 Jan.
    assert params["previous_from"] == dt.date(2026, 1, 29) and params["previous_part_month"] == dt.date(2026, 1, 1)


# The world: the hand-built one, plus a lead of December 2025 from a campaign with no spend -----


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_hand_world("compare")
    add_people(built)
    ids, tenant_id = built.ids, built.alpha
    with db.tenant_transaction(tenant_id) as conn:
        ids["c3"] = insert(
            conn,
            "campaigns",
            "campaign_id",
            tenant_id=tenant_id,
            name="Hoardings",
            campaign_type="Outdoor",
            channel="Offline",
            lead_source_id=ids["s1"],
            budget=Decimal(0),
            start_date=day("2025-12-01"),
        )
        ids["l0"] = insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=tenant_id,
            name="Farah Early",
            phone="+919800000010",
            project_id=ids["p1"],
            lead_source_id=ids["s1"],
            campaign_id=ids["c3"],
            owner_user_id=ids["rep"],
            generated_at=at("2025-12-10 10:00"),
        )
    os.environ["LEADLINE_TENANT"] = "alpha-compare"
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


def test_the_previous_period_counts_a_part_month_lead_by_lead(world: World) -> None:
    got = reports.overview(world.alpha, FEBRUARY, TODAY)
    # February 2026 (28 days) against 4 - 31 Jan: l1 (5 Jan) and l2 (20 Jan), both contacted,
    # visited and booked; l1 revisited and cancelled.
    assert (got.previous_from, got.previous_end) == (dt.date(2026, 1, 4), dt.date(2026, 1, 31))
    assert [got.value(kpi, "previous") for kpi in ("leads", "site_visited", "revisited", "booked", "cancelled")] == [
        2,
        2,
        1,
        2,
        1,
    ]
    assert got.previous_is_covered  # the first lead came on 10 Dec 2025


def test_a_previous_period_before_the_first_lead_is_not_covered(world: World) -> None:
    got = reports.overview(world.alpha, JAN_FEB, TODAY)
    # 59 days before 1 Jan 2026 start on 3 Nov 2025, before the first lead (10 Dec 2025).
    assert got.previous_from == dt.date(2025, 11, 3) and got.first_lead_date == dt.date(2025, 12, 10)
    assert not got.previous_is_covered
    assert got.value("leads", "previous") == 1  # Farah, but the days before her count as nothing


# The funnel's steps ------------------------------------------------------------------------


def test_step_conversion_on_stages_that_are_not_nested(world: World) -> None:
    stages = reports.funnel(world.alpha, JAN_FEB).stages.set_index("stage")
    # Jan-Feb: l1 contacted, qualified, visited, revisited, booked (cancelled); l2 contacted,
    # visited, booked; l3 contacted, visited, booked (its qualified milestone retired); l4 contacted.
    assert stages["leads"].tolist() == [4, 4, 1, 3, 1, 3, 2]
    # Reached the stage and the one before: contacted 4 (all leads); visited and qualified: l1;
    # revisited and visited: l1; booked and revisited: l1 (l2, l3 booked without a revisit);
    # net booked and booked: l2, l3.
    assert stages["with_previous"].tolist()[1:] == [4, 1, 1, 1, 1, 2]
    assert stages["is_nested"].tolist()[1:] == [True, True, False, True, False, True]
    assert stages["step_conversion"].tolist()[1:] == [1.0, 0.25, 1.0, 1 / 3, 1.0, 2 / 3]
    # "% of the previous stage" only where nested (never 300 % of the qualified leads visiting).
    from_previous = stages["from_previous"].tolist()[1:]
    assert [None if value != value else value for value in from_previous] == [1.0, 0.25, None, 1 / 3, None, 2 / 3]
    assert stages["without_previous"].tolist()[1:] == [0, 0, 2, 0, 2, 0]


def test_the_step_counts_follow_the_filters(world: World) -> None:
    walk_in = ReportFilters(month_from=JAN_FEB.month_from, month_to=JAN_FEB.month_to, source="Walk-in")
    stages = reports.funnel(world.alpha, walk_in).stages.set_index("stage")
    # Only l3: visited and booked, neither qualified nor revisited.
    assert stages["leads"].tolist() == [1, 1, 0, 1, 0, 1, 1]
    assert stages["with_previous"].tolist()[1:] == [1, 0, 0, 0, 0, 1]


# Costs with no spend -----------------------------------------------------------------------


def test_a_cost_with_no_spend_recorded_is_none_not_zero(world: World) -> None:
    sources = reports.source_performance(world.alpha, JAN_FEB).set_index("subsource")
    assert sources.loc["Site office", "spend"] == 0
    assert sources[["cost_per_lead", "cost_per_site_visit", "cost_per_booking"]].loc["Site office"].isna().all()
    assert sources.loc["99acres", "cost_per_lead"] == 20_000
    december = ReportFilters(month_from=dt.date(2025, 12, 1), month_to=dt.date(2026, 2, 1))
    campaigns = reports.campaign_performance(world.alpha, december, TODAY).set_index("campaign_name")
    assert campaigns.loc["Hoardings", "leads"] == 1 and campaigns.loc["Hoardings", "spend"] == 0
    assert campaigns[["cost_per_lead", "cost_per_site_visit", "cost_per_booking"]].loc["Hoardings"].isna().all()
    assert campaigns.loc["Portal Jan", "cost_per_lead"] == 25_000


# The screens -------------------------------------------------------------------------------


def test_the_month_picker_sets_whole_months(world: World) -> None:
    from tests.test_pages import open_page, set_period

    app = open_page("overview", period=(dt.date(2026, 2, 1), dt.date(2026, 2, 28)))
    assert not [element for element in app.get("date_input") if element.key == "period"]
    assert app.selectbox(key="from").value == dt.date(2026, 2, 1)
    assert {metric.label: metric.value for metric in app.metric}["Leads"] == "2"  # l3, l4
    set_period(app, (dt.date(2025, 12, 1), dt.date(2026, 2, 1)))
    assert {metric.label: metric.value for metric in app.metric}["Leads"] == "5"
    assert app.selectbox(key="from").value == dt.date(2025, 12, 1)  # the address follows: tests/test_browser_links.py


def test_a_period_starting_before_the_first_lead_says_so_on_the_tiles(world: World) -> None:
    from tests.test_pages import open_page

    app = open_page("overview", period=(dt.date(2026, 1, 1), dt.date(2026, 2, 28)))
    deltas = {metric.label: metric.proto.delta for metric in app.metric}
    assert set(deltas.values()) == {"Starts before the first lead"}
    assert any("starts before the first lead (10 Dec 2025)" in caption.value for caption in app.caption)
    february = open_page("overview", period=(dt.date(2026, 2, 1), dt.date(2026, 2, 28)))
    changes = {metric.label: metric.proto.delta for metric in february.metric}
    assert changes["Leads"] == "+0" and changes["Bookings"] == "-1"  # 2 against 2; 1 (l3) against 2
    assert any("Changes are against 4 Jan 2026 – 31 Jan 2026" in caption.value for caption in february.caption)


def test_a_page_shows_only_the_filters_its_report_applies(world: World) -> None:
    from tests.test_pages import open_page

    shown = {page: {box.key for box in open_page(page).selectbox} for page in ("overview", "sources", "ledger")}
    assert {"from", "to", "project", "source", "campaign", "owner"} <= shown["overview"]
    assert {"campaign", "owner"}.isdisjoint(shown["sources"]) and {"from", "to", "source"} <= shown["sources"]
    assert {"from", "to"}.isdisjoint(shown["ledger"]) and {"project", "owner"} <= shown["ledger"]


def test_sources_shows_a_dash_for_a_cost_with_no_spend(world: World) -> None:
    from tests.test_pages import open_page

    app = open_page("sources")
    app.toggle(key="more-columns-sources").set_value(True).run()  # cost per booking is a secondary column
    table = app.dataframe[0].value.set_index("Subsource")
    assert table.loc["Site office", "Cost per lead"] == "—"
    assert table.loc["Site office", "Cost per booking"] == "—"
    assert table.loc["99acres", "Cost per lead"] == "₹20,000"


@pytest.mark.parametrize(
    "page",
    ["overview", "funnel", "speed_to_lead", "sources", "campaigns", "bookings", "ledger", "stale_leads", "scorecard"],
)
def test_every_analysis_page_says_when_its_figures_were_read(world: World, page: str) -> None:
    from tests.test_pages import open_page

    app = open_page(page)
    assert any(caption.value.startswith("Data as of ") and caption.value.endswith(" IST") for caption in app.caption)
    assert app.button(key="refresh-data").label == "Refresh"


def test_refresh_reads_the_page_again(world: World) -> None:
    from tests.test_pages import open_page

    app = open_page("funnel")
    assert app.dataframe[0].value["Leads"].tolist()[0] == "4"
    # A lead written behind the cache's back (no write of the data layer told it): the page
    # keeps its cached figures until refreshed.
    with db.tenant_transaction(world.alpha) as conn:
        insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=world.alpha,
            name="Gita Late",
            phone="+919800000011",
            project_id=world.ids["p1"],
            lead_source_id=world.ids["s2"],
            owner_user_id=world.ids["rep"],
            generated_at=at("2026-02-10 10:00"),
        )
    app.run()
    assert app.dataframe[0].value["Leads"].tolist()[0] == "4"
    overview_before = reports.overview(world.alpha, JAN_FEB, TODAY).value("leads")
    app.button(key="refresh-data").click().run()
    assert app.dataframe[0].value["Leads"].tolist()[0] == "5"
    # Only the funnel's reads were forgotten: the overview's cached figures stand.
    assert reports.overview(world.alpha, JAN_FEB, TODAY).value("leads") == overview_before
    with db.tenant_transaction(world.alpha) as conn:
        conn.execute(sa.text("update leads set deleted_at = now() where name = 'Gita Late'"))
    reports.clear_report_caches()
