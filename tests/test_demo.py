"""Demo data: it loads, it is deterministic, and its funnel behaves like a real one."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data import db, demo

AS_OF = dt.date(2026, 6, 30)


@pytest.fixture(scope="module")
def demo_tenant() -> int:
    demo.seed_demo(slug="demo-test", as_of=AS_OF)
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
    assert "already has data" in demo.seed_demo(slug="demo-test", as_of=AS_OF)
    demo.seed_demo(slug="demo-twin", as_of=AS_OF)
    twin = db.tenant_id_for("demo-twin")
    summary = """
        select cohort_month, source, subsource, sum(leads), sum(site_visited), sum(booked), sum(net_booked)
        from v_lead_funnel_analysis group by 1, 2, 3 order by 1, 2, 3
    """
    assert read(twin, summary) == read(demo_tenant, summary)
    ledger = "select sum(balance), sum(overdue_amount), count(*) from v_customer_ledger_summary"
    assert read(twin, ledger) == read(demo_tenant, ledger)
