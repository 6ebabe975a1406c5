"""Team scorecard (issue 15): the figures of a hand-built team worked out by hand, the same numbers
as the funnel, speed-to-lead and follow-ups reads on the demo data for several filters, a rep
reading only their own row, and the screen (AppTest).

The hand-built tenant works with the default hours (09:00–20:00 every day) and one source with
an SLA of 15 working minutes; everything happens in March 2026, long before any run of the tests,
so every follow-up asked for is overdue now and every unanswered lead is past its SLA.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from dataclasses import replace
from decimal import Decimal

import pandas as pd
import pytest
import sqlalchemy as sa

from data import db, demo, reports
from data.db import Scope, tenants
from data.domain.filters import ReportFilters, add_months
from tests.support.world import at, insert

MARCH = ReportFilters(month_from=dt.date(2026, 3, 1), month_to=dt.date(2026, 3, 1))
NAN = float("nan")


@pytest.fixture(scope="module")
def team() -> dict[str, int]:
    """Ravi, Sara, Ida (idle) and Olga (inactive) are reps, Mona a manager; one lead nobody owns."""
    tenant_id = tenants.create_tenant(f"scorecard-{uuid.uuid4().hex[:8]}", "Scorecard")
    ids: dict[str, int] = {"tenant": tenant_id}
    with db.tenant_transaction(tenant_id) as conn:

        def user(key: str, name: str, role: str = "rep", **extra) -> None:
            ids[key] = insert(
                conn, "app_users", "user_id", tenant_id=tenant_id, username=key, display_name=name, role=role, **extra
            )

        user("ravi", "Ravi Rep")
        user("sara", "Sara Seller")
        user("ida", "Ida Idle")
        user("olga", "Olga Old", is_active=False)
        user("mona", "Mona Manager", role="manager")
        source = insert(conn, "lead_sources", "lead_source_id", tenant_id=tenant_id, source="Portal", subsource="A")
        project = ids["project"] = insert(
            conn, "projects", "project_id", tenant_id=tenant_id, name="Scorecard Park", city="Pune"
        )
        tower = insert(conn, "towers", "tower_id", tenant_id=tenant_id, project_id=project, name="T1")

        def lead(key: str, owner: str | None, generated: str, project_id: int | None = project, **extra) -> int:
            ids[key] = insert(
                conn,
                "leads",
                "lead_id",
                tenant_id=tenant_id,
                name=f"Lead {key}",
                phone=f"+9196{uuid.uuid4().int % 10**8:08d}",
                lead_source_id=source,
                project_id=project_id,
                owner_user_id=ids[owner] if owner else None,
                generated_at=at(generated),
                **extra,
            )
            return ids[key]

        def call(lead_key: str, by: str, moment: str, **extra) -> None:
            values = {"engagement_type": "call", "direction": "outbound", "status": "completed", **extra}
            insert(
                conn,
                "lead_engagements",
                "engagement_id",
                tenant_id=tenant_id,
                lead_id=ids[lead_key],
                occurred_at=at(moment),
                recorded_by=ids[by],
                **values,
            )

        def visit(lead_key: str, by: str, moment: str, milestone_type: str = "site_visit") -> None:
            insert(
                conn,
                "lead_milestones",
                "milestone_id",
                tenant_id=tenant_id,
                lead_id=ids[lead_key],
                milestone_type=milestone_type,
                occurred_at=at(moment),
                recorded_by=ids[by],
            )

        def booking(lead_key: str, number: str, **extra) -> None:
            unit = insert(
                conn,
                "units",
                "unit_id",
                tenant_id=tenant_id,
                project_id=project,
                tower_id=tower,
                floor=1,
                unit_number=number,
                unit_type="2BHK",
                carpet_area_sqft=Decimal(800),
                list_price=Decimal(5_000_000),
                status="booked",
            )
            customer = insert(
                conn,
                "customers",
                "customer_id",
                tenant_id=tenant_id,
                lead_id=ids[lead_key],
                name=f"Customer {lead_key}",
                phone=f"+9195{uuid.uuid4().int % 10**8:08d}",
            )
            insert(
                conn,
                "bookings",
                "booking_id",
                tenant_id=tenant_id,
                lead_id=ids[lead_key],
                customer_id=customer,
                unit_id=unit,
                booking_date=dt.date(2026, 3, 20),
                agreement_value=Decimal(5_000_000),
                booking_amount=Decimal(500_000),
                **extra,
            )

        # Ravi's r1: called by Ravi 10 minutes on (met), a visit and a revisit he logged, booked.
        lead("r1", "ravi", "2026-03-02 10:00")
        call("r1", "ravi", "2026-03-02 10:10")
        visit("r1", "ravi", "2026-03-05 11:00")
        visit("r1", "ravi", "2026-03-10 11:00", "revisit")
        booking("r1", "101")
        # r2: Ravi's call goes unanswered (logged, no response); Mona answers an hour on
        # (breached) and logs the visit; booked, then cancelled.
        lead("r2", "ravi", "2026-03-03 10:00")
        call("r2", "ravi", "2026-03-03 10:05", status="no_answer")
        call("r2", "mona", "2026-03-03 11:00")
        visit("r2", "mona", "2026-03-06 11:00")
        booking("r2", "102", status="cancelled", cancelled_at=at("2026-03-25 10:00"), cancellation_reason="Loan")
        # r3, no project: only an inbound call (logged, but no response: past its SLA now), which
        # asked for a follow-up on 5 March: overdue.
        lead("r3", "ravi", "2026-03-04 10:00", project_id=None)
        call("r3", "ravi", "2026-03-04 10:30", direction="inbound", next_follow_up_at=at("2026-03-05 10:00"))
        # A retired lead of Ravi's: its call counts nowhere.
        lead("gone", "ravi", "2026-03-04 12:00", deleted_at=at("2026-03-05 12:00"))
        call("gone", "ravi", "2026-03-04 12:05")
        # Sara's s1: answered in 5 minutes; then a call scheduled for 12 March (not logged as a
        # call; due then, so overdue now).
        lead("s1", "sara", "2026-03-05 10:00")
        call("s1", "sara", "2026-03-05 10:05", next_follow_up_at=at("2099-01-01 10:00"))
        call("s1", "sara", "2026-03-12 10:00", status="scheduled")
        # A February lead of Sara's: not among March's leads, but her call on 1 March counts.
        lead("s_feb", "sara", "2026-02-20 10:00")
        call("s_feb", "sara", "2026-03-01 10:00")
        # Nobody's u1: Mona calls 20 minutes on (breached) and asks for a follow-up on 8 March.
        lead("u1", None, "2026-03-07 10:00")
        call("u1", "mona", "2026-03-07 10:20", next_follow_up_at=at("2026-03-08 10:00"))
    reports.clear_report_caches()
    return ids


FIGURES = [
    "leads",
    "answered",
    "met",
    "breached",
    "sla_rate",
    "median_working_minutes",
    "calls_logged",
    "visits_logged",
    "site_visited",
    "revisited",
    "booked",
    "cancelled",
    "net_booked",
    "lead_to_booking_rate",
    "overdue_follow_ups",
]
# Worked out by hand from the fixture's comments, in the order FIGURES names them.
EXPECTED = {
    "Ida Idle": (0, 0, 0, 0, NAN, NAN, 0, 0, 0, 0, 0, 0, 0, NAN, 0),
    # Mona owns nothing: her calls on r2 and u1, her visit on r2.
    "Mona Manager": (0, 0, 0, 0, NAN, NAN, 2, 1, 0, 0, 0, 0, 0, NAN, 0),
    # Calls: r1, r2's unanswered one, r3's inbound one (not the retired lead's). Median of 10
    # and 60 working minutes. r2's visit counts among his leads' site visits, not his visits logged.
    "Ravi Rep": (3, 2, 1, 2, 1 / 3, 35, 3, 2, 2, 1, 2, 1, 1, 1 / 3, 1),
    # Calls: s1's completed one and February's lead's on 1 March; s1's follow-up is overdue.
    "Sara Seller": (1, 1, 1, 0, 1.0, 5, 2, 0, 0, 0, 0, 0, 0, 0.0, 1),
    # Nobody's u1: answered in 20 minutes (breached); its follow-up overdue.
    None: (1, 1, 0, 1, 0.0, 20, 0, 0, 0, 0, 0, 0, 0, 0.0, 1),
}


def same(found, expected) -> bool:
    if isinstance(expected, float) and math.isnan(expected):
        return pd.isna(found)
    return not pd.isna(found) and found == pytest.approx(expected)


def rows_by_name(card: pd.DataFrame) -> dict:
    return {(None if pd.isna(row["rep_name"]) else row["rep_name"]): row for _, row in card.iterrows()}


def test_each_reps_figures_are_worked_out_by_hand(team) -> None:
    card = reports.scorecard.uncached(team["tenant"], MARCH)
    # Active reps by name (Olga is inactive and has nothing), Mona for what she logged, nobody last.
    assert card["rep_name"].tolist()[:-1] == ["Ida Idle", "Mona Manager", "Ravi Rep", "Sara Seller"]
    assert pd.isna(card["rep_name"].iloc[-1]) and pd.isna(card["owner_user_id"].iloc[-1])
    assert card["owner_user_id"].tolist()[:-1] == [team[key] for key in ("ida", "mona", "ravi", "sara")]
    rows = rows_by_name(card)
    for name, expected in EXPECTED.items():
        found = tuple(rows[name][figure] for figure in FIGURES)
        assert all(same(f, e) for f, e in zip(found, expected, strict=True)), (name, found, expected)


def test_a_project_leaves_out_the_lead_without_one_and_its_activity(team) -> None:
    card = reports.scorecard.uncached(team["tenant"], replace(MARCH, project_id=team["project"]))
    rows = rows_by_name(card)
    ravi = rows["Ravi Rep"]
    # r3 has no project: its lead, its inbound call and its overdue follow-up all go.
    assert (ravi["leads"], ravi["calls_logged"], ravi["overdue_follow_ups"], ravi["breached"]) == (2, 2, 0, 1)
    assert ravi["lead_to_booking_rate"] == pytest.approx(1 / 2)
    assert rows[None]["leads"] == 1


def test_choosing_an_owner_keeps_that_reps_leads_and_who_worked_them(team) -> None:
    card = reports.scorecard.uncached(team["tenant"], replace(MARCH, owner_user_id=team["ravi"]))
    # Idle reps are left out; Mona stays for the call and visit she logged on Ravi's r2.
    assert card["rep_name"].tolist() == ["Mona Manager", "Ravi Rep"]
    mona = rows_by_name(card)["Mona Manager"]
    assert (mona["calls_logged"], mona["visits_logged"], mona["leads"]) == (1, 1, 0)


def test_a_rep_reads_only_their_own_row_whatever_the_filters_ask(team) -> None:
    ravi = Scope(team["tenant"], team["ravi"])
    for filters in (MARCH, replace(MARCH, owner_user_id=team["sara"])):
        card = reports.scorecard.uncached(ravi, filters)
        assert card["owner_user_id"].tolist() == [team["ravi"]]
        found = tuple(card.iloc[0][figure] for figure in FIGURES)
        expected = EXPECTED["Ravi Rep"]
        assert all(same(f, e) for f, e in zip(found, expected, strict=True)), (found, expected)
    # Ida, idle, still gets her row of zeros.
    idle = reports.scorecard.uncached(Scope(team["tenant"], team["ida"]), MARCH)
    assert idle["owner_user_id"].tolist() == [team["ida"]] and idle["leads"].tolist() == [0]


# The same numbers as the screens that own them, on the demo data ------------------------------

DEMO_AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo_tenant() -> int:
    demo.seed_demo(slug="demo-scorecard", as_of=DEMO_AS_OF)
    reports.clear_report_caches()
    return db.tenant_id_for("demo-scorecard")


def demo_filter_sets(tenant_id: int) -> dict[str, ReportFilters]:
    options = reports.filter_options(tenant_id)
    everything = ReportFilters(month_from=add_months(DEMO_AS_OF, -36), month_to=DEMO_AS_OF)
    return {
        "all history": everything,
        "last 3 months": ReportFilters.last_months(3, DEMO_AS_OF),
        "one project": replace(everything, project_id=int(options.projects["project_id"].iloc[0])),
        "one source": replace(everything, source=options.sources["source"].iloc[0]),
        "one campaign": replace(everything, campaign_id=int(options.campaigns["campaign_id"].iloc[0])),
        "one owner": replace(everything, owner_user_id=int(options.owners["user_id"].iloc[0])),
    }


STAGE_COLUMNS = ("leads", "site_visited", "revisited", "booked", "net_booked")


@pytest.mark.parametrize(
    "name", ["all history", "last 3 months", "one project", "one source", "one campaign", "one owner"]
)
def test_every_column_equals_the_funnel_speed_to_lead_and_follow_ups(demo_tenant, name) -> None:
    filters = demo_filter_sets(demo_tenant)[name]
    card = reports.scorecard.uncached(demo_tenant, filters)
    assert card["leads"].sum() > 0
    # Stage counts: each rep's row is the funnel with that rep chosen; all rows add up to the funnel.
    for _, row in card.iterrows():
        if pd.isna(row["owner_user_id"]):
            continue
        if filters.owner_user_id is not None and row["owner_user_id"] != filters.owner_user_id:
            assert row["leads"] == 0
            continue
        stages = reports.funnel.uncached(demo_tenant, replace(filters, owner_user_id=int(row["owner_user_id"])))
        funnel = dict(zip(stages.stages["stage"], stages.stages["leads"], strict=True))
        assert {column: row[column] for column in STAGE_COLUMNS} == {c: funnel[c] for c in STAGE_COLUMNS}
        assert same(row["lead_to_booking_rate"], funnel["net_booked"] / funnel["leads"] if funnel["leads"] else NAN)
    whole = reports.funnel.uncached(demo_tenant, filters).stages.set_index("stage")["leads"]
    assert {column: card[column].sum() for column in STAGE_COLUMNS} == {c: whole[c] for c in STAGE_COLUMNS}
    # Response figures: speed to lead's by_rep, row for row (nobody's leads included).
    by_rep = reports.speed_to_lead.uncached(demo_tenant, filters).by_rep
    speed = {(None if pd.isna(r.owner_user_id) else int(r.owner_user_id)): r for r in by_rep.itertuples()}
    for _, row in card.iterrows():
        key = None if pd.isna(row["owner_user_id"]) else int(row["owner_user_id"])
        if key not in speed:
            assert (row["leads"], row["answered"]) == (0, 0) and pd.isna(row["sla_rate"])
            continue
        rep = speed.pop(key)
        assert (row["leads"], row["answered"], row["met"], row["breached"]) == (
            rep.leads,
            rep.answered,
            rep.met,
            rep.breached,
        )
        assert same(row["sla_rate"], rep.sla_rate) and same(row["median_working_minutes"], rep.median_working_minutes)
    assert not speed, "a rep of speed to lead is missing from the scorecard"
    # Overdue now: the follow-ups screen's counts (which no dimension filter narrows).
    if filters.project_id is None and filters.source is None and filters.campaign_id is None:
        by_owner = reports.follow_ups.uncached(demo_tenant).by_owner
        overdue = {
            (None if pd.isna(r.owner_user_id) else int(r.owner_user_id)): r.overdue for r in by_owner.itertuples()
        }
        if filters.owner_user_id is not None:
            overdue = {key: value for key, value in overdue.items() if key == filters.owner_user_id}
        found = {
            (None if pd.isna(row["owner_user_id"]) else int(row["owner_user_id"])): row["overdue_follow_ups"]
            for _, row in card.iterrows()
            if row["overdue_follow_ups"]
        }
        assert found == {key: value for key, value in overdue.items() if value}
    # Calls and visits logged: the raw rows counted the plain way.
    assert (card["calls_logged"].sum(), card["visits_logged"].sum()) == logged_plainly(demo_tenant, filters)


def logged_plainly(tenant_id: int, filters: ReportFilters) -> tuple[int, int]:
    """Calls and visits done in the months on the filtered live leads, logged by someone."""
    with db.tenant_transaction(tenant_id) as conn:
        leads = pd.read_sql(sa.text("select * from leads where deleted_at is null"), conn)
        calls = pd.read_sql(
            sa.text(
                "select lead_id, occurred_at from lead_engagements where deleted_at is null "
                "and engagement_type = 'call' and status <> 'scheduled' and recorded_by is not null"
            ),
            conn,
        )
        visits = pd.read_sql(
            sa.text(
                "select lead_id, occurred_at from lead_milestones where deleted_at is null "
                "and milestone_type in ('site_visit', 'revisit') and recorded_by is not null"
            ),
            conn,
        )
        sources = pd.read_sql(sa.text("select lead_source_id, source, subsource from lead_sources"), conn)
    leads = leads.merge(sources, on="lead_source_id")
    chosen = pd.Series(True, index=leads.index)
    for column, value in (
        ("project_id", filters.project_id),
        ("campaign_id", filters.campaign_id),
        ("owner_user_id", filters.owner_user_id),
        ("source", filters.source),
        ("subsource", filters.subsource),
    ):
        if value is not None:
            chosen &= leads[column] == value
    lead_ids = set(leads.loc[chosen, "lead_id"])

    def counted(frame: pd.DataFrame) -> int:
        months = frame["occurred_at"].dt.tz_convert("Asia/Kolkata").dt.tz_localize(None).dt.to_period("M")
        first = pd.Period(filters.month_from, "M")
        last = pd.Period(filters.month_to, "M")
        return int((frame["lead_id"].isin(lead_ids) & (months >= first) & (months <= last)).sum())

    return counted(calls), counted(visits)


# The screen ------------------------------------------------------------------------------------

MARKUP_NAME = "**Sara** [x](y) <b>b</b>"


@pytest.fixture(scope="module")
def screen_world():
    """The hand-built world served, its rep Sara renamed to markup (she owns nothing: a row of zeros)."""
    from tests.support.screens import serving_world

    with serving_world("scorecard-screen") as world:
        with db.tenant_transaction(world.alpha) as conn:
            conn.execute(
                sa.text("update app_users set display_name = :name where user_id = :id"),
                {"name": MARKUP_NAME, "id": world.ids["sara"]},
            )
        reports.clear_report_caches()
        yield world


@pytest.mark.parametrize("username", ["mona", "lena"])
def test_the_screen_shows_every_reps_row_sortable_by_value_and_names_as_typed(screen_world, username) -> None:
    from tests.support.screens import opened
    from tests.test_pages import JAN_FEB, set_period

    app = opened("pages/scorecard.py", username)
    set_period(app, JAN_FEB)
    assert not app.exception, [e.value for e in app.exception]
    assert app.title[0].value == "Team scorecard"
    (table,) = app.dataframe
    shown = table.value
    expected = reports.scorecard(screen_world.alpha, ReportFilters(month_from=JAN_FEB[0], month_to=JAN_FEB[1]))
    # The table keeps the values (formatted for display only), so a header click sorts by number.
    assert shown["Rep"].tolist() == expected["rep_name"].fillna("Unassigned").tolist()
    assert shown["Leads"].tolist() == expected["leads"].tolist()
    assert pd.api.types.is_numeric_dtype(shown["Leads"]) and pd.api.types.is_numeric_dtype(shown["% within SLA"])
    assert MARKUP_NAME in shown["Rep"].tolist()  # as typed, in a table cell (plain text)
    rendered = [element.value for group in (app.markdown, app.caption, app.title) for element in group]
    assert not any("<b>" in text or "**Sara**" in text for text in rendered)
    assert app.get("download_button")


def test_a_rep_has_no_scorecard_in_their_menu() -> None:
    from ui.navigation import MENUS

    paths = {entry.path for role in ("rep",) for section in MENUS[role].values() for entry in section}
    assert "pages/scorecard.py" not in paths
    for role in ("manager", "leadership", "admin"):
        assert "pages/scorecard.py" in {entry.path for section in MENUS[role].values() for entry in section}
