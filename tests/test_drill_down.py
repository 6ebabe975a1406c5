"""Every figure opens exactly what is behind it (issue 16): for each kind of click, the list it
opens holds as many leads (or accounts, or as much money) as the figure clicked.

On the demo data, every figure of every kind is checked through the data layer, with the
filters the click builds (``ui.drill``): funnel stages, cohort cells, source rows and sunburst
sources, campaigns, the overview's tiles, the ledger's ageing buckets and the projects'
value and collections. On the hand-built world,
AppTest clicks a table cell and reads the count on the page it opens.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest

from data import db, demo, reports
from data.domain.filters import IST, ReportFilters, add_months
from data.domain.vocabulary import OVERDUE_BUCKETS, REACHED_STAGES
from data.reports.lead_pages import STAGE_FLAGS
from tests.support.world import World, add_people, build_world
from tests.test_pages import open_page
from ui import drill, widgets

AS_OF = dt.date(2026, 6, 30)
NOW = dt.datetime(2026, 6, 30, 11, 0, 0, tzinfo=IST)
# The demo's two years, and a year inside them.
EVERYTHING = ReportFilters(month_from=add_months(AS_OF, -30), month_to=AS_OF)
A_YEAR = ReportFilters(month_from=add_months(AS_OF, -11), month_to=AS_OF)


@pytest.fixture(scope="module")
def tenant() -> int:
    demo.seed_demo(slug="demo-drill", as_of=AS_OF, now=NOW)
    reports.clear_report_caches()
    return db.tenant_id_for("demo-drill")


def listed(tenant: int, filters: ReportFilters, stage: str) -> int:
    """How many leads the Leads page lists for the filters and stage."""
    return reports.lead_list(tenant, filters, 1, stage).total_leads


def narrowed(filters: ReportFilters, **dimensions) -> ReportFilters:
    """The filters' period with only the given dimensions (the rest "All")."""
    return ReportFilters(month_from=filters.month_from, month_to=filters.month_to, **dimensions)


def test_every_stage_but_any_has_its_flag() -> None:
    assert set(STAGE_FLAGS) == set(REACHED_STAGES) - {"leads"}


@pytest.mark.parametrize("filters", [EVERYTHING, A_YEAR], ids=["two years", "one year"])
def test_each_funnel_stage_opens_its_leads(tenant: int, filters: ReportFilters) -> None:
    stages = reports.funnel(tenant, filters).stages
    assert len(stages) == 7 and stages["leads"].iloc[0] > 1000
    for stage in stages.itertuples():
        assert listed(tenant, filters, stage.stage) == stage.leads, stage.stage


def test_each_cohort_cell_opens_its_leads(tenant: int) -> None:
    cohorts = reports.funnel(tenant, A_YEAR).cohorts
    assert len(cohorts) == 12
    counted = [column for column in cohorts.columns if column in REACHED_STAGES]
    assert len(counted) == 8
    for row in cohorts.itertuples():
        month = ReportFilters(month_from=row.cohort_month, month_to=row.cohort_month)
        for column in counted:
            assert listed(tenant, month, drill.stage_of(column)) == getattr(row, column), (row.cohort_month, column)


def test_each_source_figure_and_sunburst_source_opens_its_leads(tenant: int) -> None:
    # A project filter, carried from the page, and an owner filter the Sources page does not apply.
    project_id = int(reports.filter_options(tenant).projects["project_id"].iloc[0])
    filters = ReportFilters(month_from=A_YEAR.month_from, month_to=A_YEAR.month_to, project_id=project_id)
    sources = reports.source_performance(tenant, filters)
    counted = [column for column in sources.columns if drill.stage_of(column) != "leads" or column == "leads"]
    assert {"leads", "site_visited", "booked", "net_booked", "net_booking_value"} <= set(counted)
    for row in sources.itertuples():
        for column in counted:
            figure = row.net_booked if column == "net_booking_value" else getattr(row, column)
            opened = narrowed(filters, project_id=project_id, source=row.source, subsource=row.subsource)
            assert listed(tenant, opened, drill.stage_of(column)) == figure, (row.subsource, column)
    for source, rows in sources.groupby("source"):
        opened = narrowed(filters, project_id=project_id, source=source)
        assert listed(tenant, opened, "leads") == rows["leads"].sum(), source


def test_each_campaign_figure_opens_its_leads_over_the_campaigns_life(tenant: int) -> None:
    campaigns = reports.campaign_performance(tenant, A_YEAR, AS_OF)
    assert len(campaigns) >= 5
    for row in campaigns.itertuples():
        for column in ("leads", "site_visited", "booked", "cancelled", "net_booked"):
            opened = narrowed(EVERYTHING, campaign_id=row.campaign_id)
            assert listed(tenant, opened, drill.stage_of(column)) == getattr(row, column), (row.campaign_name, column)


def test_each_reps_lead_counts_open_their_leads(tenant: int) -> None:
    card = reports.scorecard(tenant, A_YEAR)
    owned = card[card["owner_user_id"].notna()]
    assert len(owned) >= 4
    for row in owned.itertuples():
        for column in ("leads", "site_visited", "revisited", "booked", "net_booked"):
            opened = narrowed(A_YEAR, owner_user_id=int(row.owner_user_id))
            assert listed(tenant, opened, drill.stage_of(column)) == getattr(row, column), (row.rep_name, column)


def test_each_overview_tile_of_leads_opens_them(tenant: int) -> None:
    kpis = reports.overview(tenant, A_YEAR, AS_OF).kpis.set_index("kpi")["current"]
    for kpi in ("leads", "site_visited", "revisited", "booked", "cancelled"):
        assert listed(tenant, A_YEAR, widgets.KPI_LEADS[kpi]) == kpis[kpi], kpi
    leads = listed(tenant, A_YEAR, "leads")
    assert listed(tenant, A_YEAR, "contacted") == round(kpis["contacted_rate"] * leads)
    assert listed(tenant, A_YEAR, "net_booked") == round(kpis["lead_to_booking_rate"] * leads)


def test_each_ageing_bucket_opens_the_accounts_that_make_it_up(tenant: int) -> None:
    every = reports.ledger_summary(tenant, A_YEAR)
    assert every.totals["overdue"] > 0
    for bucket in OVERDUE_BUCKETS:
        opened = reports.ledger_summary(tenant, A_YEAR, 1, bucket)
        assert opened.rows[bucket].sum() == pytest.approx(every.totals[bucket]), bucket
        assert opened.totals[bucket] == pytest.approx(every.totals[bucket])
        assert (opened.rows[bucket] > 0).all()
        assert len(opened.rows) == int((every.rows[bucket] > 0).sum())


def test_each_projects_value_and_collections_open_the_bookings_behind_them(tenant: int) -> None:
    by_project = reports.bookings_and_inventory(tenant, A_YEAR, AS_OF).by_project
    projects = reports.filter_options(tenant).projects.set_index("name")["project_id"]
    assert len(by_project) == 3
    for row in by_project.itertuples():
        opened = reports.booking_rows(tenant, narrowed(A_YEAR, project_id=int(projects[row.project_name])))
        assert opened.live_agreement_value == pytest.approx(float(row.agreement_value)), row.project_name
        assert opened.received_amount == pytest.approx(float(row.received_amount)), row.project_name
        live = opened.rows[opened.rows["status"] != "cancelled"]
        assert live["agreement_value"].astype(float).sum() == pytest.approx(float(row.agreement_value))
        assert set(opened.rows["project_name"]) == {row.project_name}


def test_a_stage_or_bucket_outside_the_lists_is_refused(tenant: int) -> None:
    from data.domain.validation import ValidationError

    with pytest.raises(ValidationError) as refused:
        reports.lead_list(tenant, A_YEAR, 1, "visited; drop table leads")
    assert "stage" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        reports.ledger_summary(tenant, A_YEAR, 1, "overdue_1000")
    assert "overdue" in refused.value.errors


# In the browser's place: AppTest on the hand-built world, clicking as a person would.


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_world("drill")
    add_people(built)
    os.environ["LEADLINE_TENANT"] = "alpha-drill"
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


def pager_count(app) -> int:
    """The number of leads the Leads page says it lists."""
    (line,) = [caption.value for caption in app.caption if "newest first:" in caption.value]
    return int(line.rsplit(" of ", 1)[1].rstrip(".").replace(",", ""))


def click_cell(app, table_key: str, row: int, column: str):
    """A click on one cell of a table that opens what is behind it."""
    app.session_state[f"pick-{table_key}"] = {"selection": {"rows": [], "columns": [], "cells": [[row, column]]}}
    return app.run()


def test_a_click_on_a_funnel_stage_opens_the_leads_page_with_its_count(world: World) -> None:
    # (The overview's tiles are links: tests/test_browser_drill.py follows one.)
    app = open_page("funnel")
    stages = app.dataframe[0].value
    row = list(stages["Stage"]).index("Site visit")
    visits = int(stages["Leads"].iloc[row])
    app = click_cell(app, "stages", row, "Leads")
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Leads"
    assert app.selectbox(key="stage").value == "site_visited"
    assert pager_count(app) == visits == 3


def test_a_click_on_a_lead_opens_its_timeline(world: World) -> None:
    app = open_page("leads")
    leads = app.dataframe[0].value
    name = leads["Name"].iloc[1]
    app = click_cell(app, "leads", 1, "Phone")
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Lead timeline"
    assert name in [header.value for header in app.subheader]
