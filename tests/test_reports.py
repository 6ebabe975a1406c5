"""The report reads the screens call, on the hand-built world (figures worked out by hand)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as hypothesis_st

from data import db, reports
from data.domain.filters import ReportFilters
from data.reports.cohort_funnel import percentile_from_counts
from tests.support.world import World, build_world

TODAY = dt.date(2026, 11, 25)
JAN_FEB = ReportFilters(month_from=dt.date(2026, 1, 1), month_to=dt.date(2026, 2, 1))


@pytest.fixture(scope="module")
def world() -> World:
    built = build_world("reports")
    reports.clear_report_caches()
    return built


def test_overview_figures_and_previous_period(world: World) -> None:
    got = reports.overview(world.alpha, JAN_FEB, TODAY)
    current = dict(zip(got.kpis["kpi"], got.kpis["current"], strict=True))
    # Cohorts Jan-Feb: l1..l4 (l5 retired). Live bookings b2 (51 L) and b3 (80 L).
    assert (current["leads"], current["contacted_rate"], current["site_visited"], current["revisited"]) == (
        4,
        1.0,
        3,
        1,
    )
    assert (current["booked"], current["cancelled"], current["lead_to_booking_rate"]) == (3, 1, 0.5)
    assert current["net_booking_value"] == 13_100_000
    # Receipts dated Jan-Feb: b1 5 L + 1 L less the 1 L bounce, b2 5.1 L.
    assert current["collections"] == 1_010_000
    # Owed on 28 Feb: b1 -4 L (refund not yet paid, so nothing owed), b2 35.1 L - 5.1 L, b3 nothing.
    assert current["outstanding"] == 3_000_000
    # Days lead -> first booking: l1 20, l2 26, l3 17.
    assert current["average_days_to_booking"] == pytest.approx(21.0)
    previous = dict(zip(got.kpis["kpi"], got.kpis["previous"], strict=True))
    assert (previous["leads"], previous["collections"], previous["outstanding"]) == (0, 0, 0)
    assert pd.isna(previous["contacted_rate"])  # no leads, no rate
    assert got.trend["leads"].tolist() == [2, 2]


def test_overview_filters_by_source_and_owner(world: World) -> None:
    walk_in = ReportFilters(month_from=JAN_FEB.month_from, month_to=JAN_FEB.month_to, source="Walk-in")
    got = reports.overview(world.alpha, walk_in, TODAY)
    assert got.value("leads") == 1 and got.value("collections") == 0
    nobody = ReportFilters(month_from=JAN_FEB.month_from, month_to=JAN_FEB.month_to, owner_user_id=-1)
    assert reports.overview(world.alpha, nobody, TODAY).is_empty


def test_funnel_stages_and_rates(world: World) -> None:
    got = reports.funnel(world.alpha, JAN_FEB)
    assert got.stages["leads"].tolist() == [4, 4, 1, 3, 1, 3, 2]
    assert got.stages["from_top"].tolist() == [1.0, 1.0, 0.25, 0.75, 0.25, 0.75, 0.5]
    # Not "300 % of the qualified leads": the site visit and booked stages are not nested (see
    # tests/test_comparisons.py), so they have a step conversion instead.
    from_previous = got.stages["from_previous"].tolist()[1:]
    assert [None if pd.isna(value) else value for value in from_previous] == [1.0, 0.25, None, 1 / 3, None, 2 / 3]
    jan = got.cohorts.iloc[0]
    assert (jan["leads"], jan["visit_rate"], jan["net_booking_rate"]) == (2, 1.0, 0.5)
    # Lead -> first visit: l1 7 days, l2 8 days (portal); l3 0 days (walk-in).
    to_visit = got.lags[got.lags["step"] == "Lead → first site visit"].set_index("source")
    assert to_visit.loc["Online Portal", "median"] == 7.5
    assert to_visit.loc["Walk-in", "leads"] == 1


def test_source_costs(world: World) -> None:
    got = reports.source_performance(world.alpha, JAN_FEB).set_index("subsource")
    portal = got.loc["99acres"]
    # Leads l1, l2, l4; spend 30,000 + 20,000 (c1) + 10,000 (c2); visits l1, l2; net booking l2.
    assert (portal["leads"], portal["spend"], portal["site_visited"], portal["net_booked"]) == (3, 60000, 2, 1)
    assert (portal["cost_per_lead"], portal["cost_per_site_visit"], portal["cost_per_booking"]) == (20000, 30000, 60000)
    assert pd.isna(got.loc["Site office", "cost_per_lead"])  # no spend recorded: no cost, not ₹0


def test_campaigns_in_the_period(world: World) -> None:
    got = reports.campaign_performance(world.alpha, JAN_FEB, TODAY)
    assert set(got["campaign_name"]) == {"Portal Jan", "Brand"}
    later = ReportFilters(month_from=dt.date(2026, 4, 1), month_to=dt.date(2026, 5, 1))
    # Portal Jan ended on 28 Feb; Brand has no end date.
    assert reports.campaign_performance(world.alpha, later, TODAY)["campaign_name"].tolist() == ["Brand"]


def test_bookings_and_inventory(world: World) -> None:
    got = reports.bookings_and_inventory(world.alpha, JAN_FEB, TODAY)
    assert got.by_month[["bookings", "later_cancelled"]].values.tolist() == [[1, 1], [2, 0]]
    assert dict(zip(got.by_status["status"], got.by_status["bookings"], strict=True)) == {
        "confirmed": 2,
        "cancelled": 1,
    }
    by_project = got.by_project.set_index("project_name")
    assert by_project.loc["Alpha Towers", "agreement_value"] == 13_100_000
    assert by_project.loc["Alpha Towers", "received_amount"] == 1_010_000
    assert got.inventory["available"].sum() == 2
    # Nothing booked in Aug-Oct 2026, so no pace and no months-of-inventory figure.
    assert got.absorption["units_booked_recently"].sum() == 0
    assert got.absorption["months_of_inventory"].isna().all()


def test_ledger_summary_with_ageing(world: World) -> None:
    summary = reports.ledger_summary(world.alpha, JAN_FEB)
    got = summary.rows.set_index("booking_id")
    b2 = got.loc[world.ids["b2"]]
    # Payments 5.2 L settle the 5.1 L demand of 15 Feb and 10,000 of the 10 L due 15 Apr,
    # which is more than 90 days past due today and so wholly in the last bucket.
    assert (b2["overdue_amount"], b2["overdue_over_90"], b2["overdue_0_30"]) == (990000, 990000, 0)
    assert got.loc[world.ids["b1"], "overdue_amount"] == 0
    walk_in = ReportFilters(month_from=JAN_FEB.month_from, month_to=JAN_FEB.month_to, source="Walk-in")
    assert reports.ledger_summary(world.alpha, walk_in).rows["booking_id"].tolist() == [world.ids["b3"]]
    # The totals are over every account the filters select, whichever page is shown.
    assert summary.totals["accounts"] == len(got) and summary.page_count == 1
    assert summary.totals["overdue"] == got["overdue_amount"].sum()
    assert summary.totals["overdue_over_90"] == got["overdue_over_90"].sum()
    assert summary.totals["outstanding"] == got["balance"].clip(lower=0).sum()


def test_ledger_summary_pages_on_the_server(world: World, monkeypatch) -> None:
    from data.reports import ledger

    everything = reports.ledger_summary(world.alpha, JAN_FEB).rows["booking_id"].tolist()
    reports.clear_report_caches()
    monkeypatch.setattr(ledger, "PAGE_SIZE", 1)
    try:
        pages = [ledger.ledger_summary(world.alpha, JAN_FEB, page) for page in range(1, len(everything) + 1)]
        # A page past the end (the filters shrank the list) gives the first page.
        past = ledger.ledger_summary(world.alpha, JAN_FEB, len(everything) + 5)
    finally:
        reports.clear_report_caches()  # no one-row pages left behind for other tests
    assert [page.rows["booking_id"].tolist() for page in pages] == [[booking] for booking in everything]
    assert {page.totals["accounts"] for page in pages} == {len(everything)}
    assert {page.page_count for page in pages} == {len(everything)}
    assert past.page == 1 and past.rows["booking_id"].tolist() == everything[:1]


def test_statement_names_what_a_reversal_reverses(world: World) -> None:
    got = reports.account_statement(world.alpha, world.ids["b1"])
    descriptions = got["description"].tolist()
    assert descriptions[3] == f"Receipt (reversed by #{world.ids['bounce']})"
    assert descriptions[4] == f"Reversal of #{world.ids['bounced_receipt']} (receipt of 1 Feb 2026)"
    assert got["running_balance"].iloc[-1] == 0


def test_lead_search_and_timeline(world: World) -> None:
    assert reports.search_leads(world.alpha, "asha")["name"].tolist() == ["Asha Patil"]
    assert reports.search_leads(world.alpha, "09800000002")["name"].tolist() == ["Bala Iyer"]
    assert reports.search_leads(world.alpha, "Esha").empty  # retired
    timeline = reports.lead_timeline(world.alpha, world.ids["l1"])
    assert len(timeline.milestones) == 7 and len(timeline.engagements) == 1
    assert str(timeline.milestones["occurred_at"].dt.tz) == "Asia/Kolkata"


@given(
    values=hypothesis_st.lists(hypothesis_st.integers(-5, 400), min_size=1, max_size=60),
    fraction=hypothesis_st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]),
)
def test_percentiles_from_a_histogram_equal_those_of_the_values(values: list[int], fraction: float) -> None:
    """The funnel's quartiles come from day counts; they equal percentile_cont of the days."""
    days, counts = np.unique(values, return_counts=True)
    expected = pd.Series(values).quantile(fraction, interpolation="linear")
    assert percentile_from_counts(days, counts, fraction) == pytest.approx(expected)


def test_funnel_lags_equal_percentile_cont_over_the_leads(world: World) -> None:
    """The kept histogram gives what percentile_cont over every lead's days gives."""
    with db.tenant_transaction(world.alpha) as conn:
        expected = conn.execute(
            sa.text(
                """
                select lead_sources.source,
                    percentile_cont(array[0.25, 0.5, 0.75]) within group (
                        order by leadline_date(first_site_visit_at) - leadline_date(generated_at)) as quartiles
                from v_lead_facts
                inner join lead_sources using (tenant_id, lead_source_id)
                where first_site_visit_at is not null and cohort_month between :month_from and :month_to
                group by lead_sources.source
                """
            ),
            {"month_from": JAN_FEB.month_from, "month_to": JAN_FEB.month_to},
        ).all()
    lags = reports.funnel(world.alpha, JAN_FEB).lags
    got = lags[lags["step"] == "Lead → first site visit"].set_index("source")
    assert {source: list(quartiles) for source, quartiles in expected} == {
        source: [row["q1"], row["median"], row["q3"]] for source, row in got.iterrows()
    }
