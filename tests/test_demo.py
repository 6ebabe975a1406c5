"""Demo data: it loads, it is deterministic, and its funnel behaves like a real one."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data import db, demo
from data.domain.filters import IST, ReportFilters, add_months

AS_OF = dt.date(2026, 6, 30)
# Generated mid-morning: the simulation would put some of the day's events later today.
NOW = dt.datetime(2026, 6, 30, 11, 0, 0, tzinfo=IST)


@pytest.fixture(scope="module")
def demo_tenant() -> int:
    demo.seed_demo(slug="demo-test", as_of=AS_OF, now=NOW)
    return db.tenant_id_for("demo-test")


def read(tenant_id: int, sql: str) -> list[sa.Row]:
    with db.tenant_transaction(tenant_id) as conn:
        return conn.execute(sa.text(sql)).all()


def test_demo_has_a_realistic_shape(demo_tenant: int) -> None:
    (totals,) = read(
        demo_tenant,
        """
        select sum(leads) as leads, sum(contacted) as contacted, sum(site_visited) as visited,
               sum(booked) as booked, sum(cancelled) as cancelled, count(distinct cohort_month) as months
        from v_lead_funnel_analysis
    """,
    )
    assert totals.leads == 3000
    assert totals.months >= 18
    assert 0.25 <= totals.visited / totals.contacted <= 0.40  # contacted-to-visit
    assert 0.01 <= totals.booked / totals.leads <= 0.06  # "a few per cent" lead-to-booking
    assert totals.cancelled > 0
    (units,) = read(demo_tenant, "select sum(total_units) as units, sum(available) as available from v_unit_inventory")
    assert 200 <= units.units <= 500 and units.available > 0
    (campaigns,) = read(demo_tenant, "select count(*) as n, min(spend) as least from v_campaign_performance")
    assert 6 <= campaigns.n <= 10 and campaigns.least > 0


def test_demo_funnel_is_monotone_on_every_row(demo_tenant: int) -> None:
    broken = read(
        demo_tenant,
        """
        select * from v_lead_funnel_analysis
        where not (contacted <= leads and qualified <= contacted and site_visited <= qualified
                   and revisited <= site_visited and booked <= site_visited and net_booked <= booked
                   and cancelled <= booked)
    """,
    )
    assert broken == []


def test_demo_ledgers_settle_cancelled_bookings_and_show_some_overdue(demo_tenant: int) -> None:
    rows = read(demo_tenant, "select booking_status, balance, overdue_amount from v_customer_ledger_summary")
    cancelled = [row for row in rows if row.booking_status == "cancelled"]
    assert cancelled, "the demo should include cancellations"
    # A cancelled booking ends at zero once the refund is paid, or owes the customer the refund (negative).
    assert all(row.balance <= 0 for row in cancelled)
    assert any(row.overdue_amount > 0 for row in rows)


def test_demo_is_deterministic_and_seeding_twice_is_a_no_op(demo_tenant: int) -> None:
    assert "already has data" in demo.seed_demo(slug="demo-test", as_of=AS_OF, now=NOW)
    demo.seed_demo(slug="demo-twin", as_of=AS_OF, now=NOW)
    twin = db.tenant_id_for("demo-twin")
    summary = """
        select cohort_month, source, subsource, sum(leads), sum(site_visited), sum(booked), sum(net_booked)
        from v_lead_funnel_analysis group by 1, 2, 3 order by 1, 2, 3
    """
    assert read(twin, summary) == read(demo_tenant, summary)
    ledger = "select sum(balance), sum(overdue_amount), count(*) from v_customer_ledger_summary"
    assert read(twin, ledger) == read(demo_tenant, ledger)
    moments = """
        select (select array_agg(occurred_at order by milestone_id) from lead_milestones),
               (select array_agg(entry_date::text || amount::text order by ledger_entry_id) from account_ledger)
    """
    assert read(twin, moments) == read(demo_tenant, moments)


def test_nothing_in_the_demo_happens_after_the_moment_it_was_generated(demo_tenant: int) -> None:
    (latest,) = read(
        demo_tenant,
        """
        select (select max(generated_at) from leads) as lead,
               (select max(occurred_at) from lead_milestones) as milestone,
               (select max(greatest(occurred_at, responded_at)) from lead_engagements) as engagement,
               (select max(cancelled_at) from bookings) as cancellation,
               (select max(booking_date) from bookings) as booking_day,
               (select max(entry_date) from account_ledger) as ledger_day,
               (select max(spend_date) from campaign_spend) as spend_day
    """,
    )
    for moment in (latest.lead, latest.milestone, latest.engagement, latest.cancellation):
        assert moment <= NOW
    assert max(latest.booking_day, latest.ledger_day, latest.spend_day) <= AS_OF
    # The day itself is not empty: leads came in this morning, before the moment of generation.
    assert latest.lead.astimezone(IST).date() == AS_OF


def test_walk_ins_are_shown_round_the_day_they_arrive(demo_tenant: int) -> None:
    rows = read(
        demo_tenant,
        """
        select (leads.generated_at at time zone 'Asia/Kolkata')::date as arrived_on,
               (min(visits.occurred_at) at time zone 'Asia/Kolkata')::date as first_visit_on
        from leads
        join lead_sources using (lead_source_id)
        join lead_milestones as visits on visits.lead_id = leads.lead_id and visits.milestone_type = 'site_visit'
        where lead_sources.source = 'Walk-in'
        group by leads.lead_id, leads.generated_at
    """,
    )
    assert len(rows) > 50
    assert all(row.first_visit_on == row.arrived_on for row in rows)


def test_demands_are_raised_as_each_stage_falls_due(demo_tenant: int) -> None:
    demands = read(
        demo_tenant,
        """
        select bookings.booking_id, bookings.booking_date, bookings.agreement_value, bookings.status,
               ledger.entry_date, ledger.due_date, ledger.amount
        from account_ledger as ledger
        join bookings using (booking_id)
        where ledger.entry_type = 'demand'
    """,
    )
    for row in demands:
        # Raised on the booking day or when the stage is reached, a notice period before it is due.
        assert row.entry_date in (row.booking_date, row.due_date - dt.timedelta(days=demo.DEMAND_NOTICE_DAYS))
        assert row.entry_date <= AS_OF
    raised_days: dict[int, set] = {}
    for row in demands:
        raised_days.setdefault(row.booking_id, set()).add(row.entry_date)
    # Every plan has a stage due within two months of booking, raised on a later day.
    old = {row.booking_id for row in demands if (AS_OF - row.booking_date).days > 180 and row.status != "cancelled"}
    assert old and all(len(raised_days[booking]) >= 2 for booking in old)
    # A booking of the last month is asked for its booking amount, not the whole agreement.
    recent = {row.booking_id: row for row in demands if (AS_OF - row.booking_date).days < 30}
    assert recent
    for booking_id, row in recent.items():
        asked = sum(demand.amount for demand in demands if demand.booking_id == booking_id)
        assert asked <= row.agreement_value * 20 / 100


def test_the_default_comparison_period_lies_inside_the_demo(demo_tenant: int) -> None:
    period = ReportFilters.last_months(12, AS_OF)
    days = (AS_OF - period.month_from).days + 1
    # Either rule for the previous period: the same number of months, or of days, just before.
    previous_from = min(add_months(period.month_from, -12), period.month_from - dt.timedelta(days=days))
    ((first,),) = read(demo_tenant, "select min(generated_at) from leads")
    assert first.astimezone(IST).date() <= previous_from
