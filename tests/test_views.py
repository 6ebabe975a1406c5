"""The reporting views' contract: their columns, and their figures on the hand-built world."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data import db
from tests.support.world import World, build_world

CONTRACT = {
    "v_lead_funnel_steps": {
        "tenant_id",
        "cohort_month",
        "project_id",
        "lead_source_id",
        "source",
        "subsource",
        "campaign_id",
        "owner_user_id",
        "qualified_and_contacted",
        "site_visited_and_qualified",
        "revisited_and_site_visited",
        "booked_and_revisited",
        "net_booked_and_booked",
    },
    "v_lead_response": {
        "tenant_id",
        "lead_id",
        "owner_user_id",
        "lead_source_id",
        "project_id",
        "campaign_id",
        "cohort_month",
        "generated_at",
        "first_response_at",
        "response_minutes",
        "response_working_minutes",
        "sla_minutes",
        "sla_status",
    },
    "v_lead_funnel_analysis": {
        "tenant_id",
        "cohort_month",
        "project_id",
        "project_name",
        "source",
        "subsource",
        "campaign_id",
        "campaign_name",
        "leads",
        "contacted",
        "qualified",
        "reengaged",
        "site_visited",
        "revisited",
        "booked",
        "cancelled",
        "net_booked",
    },
    "v_lead_source_performance": {
        "tenant_id",
        "source",
        "subsource",
        "cohort_month",
        "project_id",
        "project_name",
        "leads",
        "qualified",
        "site_visited",
        "booked",
        "net_booked",
        "net_booking_value",
        "spend",
    },
    "v_campaign_performance": {
        "tenant_id",
        "campaign_id",
        "campaign_name",
        "source",
        "subsource",
        "status",
        "start_date",
        "end_date",
        "budget",
        "spend",
        "leads",
        "site_visited",
        "booked",
        "cancelled",
        "net_booked",
        "net_booking_value",
        "cost_per_lead",
        "cost_per_site_visit",
        "cost_per_booking",
        "roi",
    },
    "v_booking_summary": {
        "tenant_id",
        "project_id",
        "project_name",
        "unit_type",
        "booking_month",
        "status",
        "bookings",
        "agreement_value",
        "received_amount",
        "refunded_amount",
        "cancellation_charges",
    },
    "v_customer_ledger_summary": {
        "tenant_id",
        "customer_id",
        "booking_id",
        "customer_name",
        "phone",
        "project_id",
        "project_name",
        "unit_number",
        "agreement_value",
        "total_debits",
        "total_credits",
        "balance",
        "overdue_amount",
        "last_receipt_date",
        "entries",
    },
    "v_lead_milestone_timeline": {
        "tenant_id",
        "lead_id",
        "lead_name",
        "milestone_id",
        "milestone_type",
        "occurred_at",
        "outcome",
        "sequence_no",
        "days_since_previous",
        "days_since_generated",
        "recorded_by",
        "notes",
        "latitude",
        "longitude",
    },
    "v_unit_inventory": {
        "tenant_id",
        "project_id",
        "project_name",
        "tower_id",
        "tower_name",
        "unit_type",
        "total_units",
        "available",
        "blocked",
        "booked",
        "sold",
        "available_value",
    },
    "v_lead_facts": {
        "tenant_id",
        "lead_id",
        "cohort_month",
        "project_id",
        "lead_source_id",
        "campaign_id",
        "owner_user_id",
        "has_contacted",
        "has_qualified",
        "has_reengaged",
        "has_site_visit",
        "has_revisit",
        "has_booking",
        "has_cancelled_booking",
        "has_live_booking",
        "first_site_visit_at",
        "first_booking_date",
        "live_booking_value",
    },
    "v_account_statement": {
        "tenant_id",
        "customer_id",
        "booking_id",
        "ledger_entry_id",
        "entry_date",
        "entry_type",
        "side",
        "amount",
        "debit_amount",
        "credit_amount",
        "running_balance",
        "reverses_entry_id",
        "reversed_by_entry_id",
        "is_reversed",
    },
}


@pytest.fixture(scope="module")
def world() -> World:
    return build_world("views")


def rows(world: World, sql: str, **params) -> list[dict]:
    with db.tenant_transaction(world.alpha) as conn:
        return [dict(row._mapping) for row in conn.execute(sa.text(sql), params)]


@pytest.mark.parametrize("view", sorted(CONTRACT))
def test_view_has_its_contract_columns(world: World, view: str) -> None:
    with db.tenant_transaction(world.alpha) as conn:
        columns = set(conn.execute(sa.text(f"select * from {view} limit 0")).keys())  # view name from CONTRACT
    assert CONTRACT[view] <= columns, CONTRACT[view] - columns


def test_funnel_counts_distinct_live_leads_per_cohort(world: World) -> None:
    ids = world.ids
    got = {
        (r["cohort_month"], r["lead_source_id"], r["campaign_id"]): r
        for r in rows(world, "select * from v_lead_funnel_analysis")
    }
    # January, portal, campaign c1: l1 and l2 (l5 is retired). Both contacted and visited;
    # only l1 qualified and revisited. Both booked; l1 cancelled, so one net booking.
    jan = got.pop((dt.date(2026, 1, 1), ids["s1"], ids["c1"]))
    assert (jan["leads"], jan["contacted"], jan["qualified"], jan["reengaged"]) == (2, 2, 1, 0)
    assert (jan["site_visited"], jan["revisited"], jan["booked"], jan["cancelled"], jan["net_booked"]) == (
        2,
        1,
        2,
        1,
        1,
    )
    assert (jan["project_name"], jan["source"], jan["subsource"], jan["campaign_name"]) == (
        "Alpha Towers",
        "Online Portal",
        "99acres",
        "Portal Jan",
    )
    assert jan["owner_name"] == "Ravi Kumar"
    # February, walk-in, no campaign: l3 contacted, visited and booked; its qualified is retired.
    walk_in = got.pop((dt.date(2026, 2, 1), ids["s2"], None))
    assert (walk_in["leads"], walk_in["contacted"], walk_in["qualified"], walk_in["site_visited"]) == (1, 1, 0, 1)
    assert (walk_in["booked"], walk_in["cancelled"], walk_in["net_booked"]) == (1, 0, 1)
    # l4 arrived at 01:00 on 1 Feb India time (31 Jan in UTC): February's cohort.
    brand = got.pop((dt.date(2026, 2, 1), ids["s1"], ids["c2"]))
    assert (brand["leads"], brand["contacted"], brand["reengaged"], brand["site_visited"], brand["booked"]) == (
        1,
        1,
        1,
        0,
        0,
    )
    assert got == {}


def test_source_performance_meets_leads_and_spend_by_month_and_project(world: World) -> None:
    ids = world.ids
    got = {
        (r["lead_source_id"], r["cohort_month"], r["project_id"]): r
        for r in rows(world, "select * from v_lead_source_performance")
    }
    # Portal, January, Alpha Towers: l1 and l2; live booking value is b2's 51 L; c1 spent 30,000 in January.
    jan = got.pop((ids["s1"], dt.date(2026, 1, 1), ids["p1"]))
    assert (jan["leads"], jan["qualified"], jan["site_visited"], jan["booked"], jan["net_booked"]) == (2, 1, 2, 2, 1)
    assert (jan["net_booking_value"], jan["spend"]) == (Decimal("5100000.00"), Decimal("30000.00"))
    # Portal, February, Alpha Towers: l4 only; c1's February spend is 20,000 (the retired 99,999 never counts).
    feb = got.pop((ids["s1"], dt.date(2026, 2, 1), ids["p1"]))
    assert (feb["leads"], feb["site_visited"], feb["booked"], feb["spend"]) == (1, 0, 0, Decimal("20000.00"))
    # Portal, January, no project: c2 (no project) spent 10,000 and brought no January leads.
    brand = got.pop((ids["s1"], dt.date(2026, 1, 1), None))
    assert (brand["leads"], brand["spend"], brand["project_name"]) == (0, Decimal("10000.00"), None)
    # Walk-in, February: l3 booked 80 L; nothing spent.
    walk_in = got.pop((ids["s2"], dt.date(2026, 2, 1), ids["p1"]))
    assert (walk_in["leads"], walk_in["site_visited"], walk_in["net_booked"]) == (1, 1, 1)
    assert (walk_in["net_booking_value"], walk_in["spend"]) == (Decimal("8000000.00"), Decimal("0.00"))
    assert got == {}


def test_campaign_performance_takes_cancellations_out(world: World) -> None:
    got = {r["campaign_name"]: r for r in rows(world, "select * from v_campaign_performance")}
    assert set(got) == {"Portal Jan", "Brand"}
    c1 = got["Portal Jan"]
    # Spend 30,000 + 20,000; leads l1, l2; both visited and booked, l1 cancelled.
    assert (c1["spend"], c1["leads"], c1["site_visited"]) == (Decimal("50000.00"), 2, 2)
    assert (c1["booked"], c1["cancelled"], c1["net_booked"], c1["net_booking_value"]) == (
        2,
        1,
        1,
        Decimal("5100000.00"),
    )
    assert (c1["cost_per_lead"], c1["cost_per_site_visit"], c1["cost_per_booking"]) == (
        Decimal("25000.00"),
        Decimal("25000.00"),
        Decimal("50000.00"),
    )
    # (51,00,000 - 50,000) / 50,000 = 101
    assert c1["roi"] == Decimal("101.0000")
    assert c1["budget_utilisation"] == Decimal("0.5000")
    c2 = got["Brand"]
    assert (c2["spend"], c2["leads"], c2["net_booked"], c2["cost_per_lead"]) == (
        Decimal("10000.00"),
        1,
        0,
        Decimal("10000.00"),
    )
    assert (c2["cost_per_site_visit"], c2["cost_per_booking"], c2["roi"]) == (None, None, Decimal("-1.0000"))


def test_booking_summary_nets_reversed_receipts(world: World) -> None:
    got = {(r["unit_type"], r["booking_month"], r["status"]): r for r in rows(world, "select * from v_booking_summary")}
    # b1: receipts 5,00,000 + 1,00,000, the cheque of 1,00,000 bounced; refund 4 L, charge 1 L.
    b1 = got.pop(("2BHK", dt.date(2026, 1, 1), "cancelled"))
    assert (b1["bookings"], b1["agreement_value"]) == (1, Decimal("5000000.00"))
    assert (b1["received_amount"], b1["refunded_amount"], b1["cancellation_charges"]) == (
        Decimal("500000.00"),
        Decimal("400000.00"),
        Decimal("100000.00"),
    )
    b2 = got.pop(("2BHK", dt.date(2026, 2, 1), "confirmed"))
    assert (b2["bookings"], b2["agreement_value"], b2["received_amount"]) == (
        1,
        Decimal("5100000.00"),
        Decimal("510000.00"),
    )
    b3 = got.pop(("3BHK", dt.date(2026, 2, 1), "confirmed"))
    assert (b3["bookings"], b3["agreement_value"], b3["received_amount"]) == (1, Decimal("8000000.00"), Decimal("0.00"))
    assert got == {}


def test_customer_ledger_summary_balances_and_overdue(world: World) -> None:
    ids = world.ids
    got = {r["booking_id"]: r for r in rows(world, "select * from v_customer_ledger_summary")}
    assert set(got) == {ids["b1"], ids["b2"], ids["b3"]}
    # b1 debits: demands 5 L + 7.5 L, bounce 1 L, charge 1 L, refund 4 L = 18.5 L;
    # credits: receipts 5 L + 1 L, credit note 12.5 L = 18.5 L. Settled to zero.
    b1 = got[ids["b1"]]
    assert (b1["total_debits"], b1["total_credits"], b1["balance"]) == (
        Decimal("1850000.00"),
        Decimal("1850000.00"),
        Decimal("0.00"),
    )
    assert (b1["overdue_amount"], b1["entries"]) == (Decimal("0.00"), 8)
    assert b1["last_receipt_date"] == dt.date(2026, 1, 25)  # the bounced cheque of 1 Feb does not count
    # b2 debits: 5.1 L + 10 L + 20 L + 20,000 + 3 L (in error) = 38.3 L; credits: 5.1 L + 10,000 + 3 L = 8.2 L.
    b2 = got[ids["b2"]]
    assert (b2["total_debits"], b2["total_credits"], b2["balance"]) == (
        Decimal("3830000.00"),
        Decimal("820000.00"),
        Decimal("3010000.00"),
    )
    # Due before today: 5.1 L + 10 L (the 3 L demand is reversed, the 20 L one is due in 2099);
    # paid: receipt 5.1 L + credit note 10,000. Overdue = 15.1 L - 5.2 L = 9.9 L.
    assert b2["overdue_amount"] == Decimal("990000.00")
    assert (b2["last_receipt_date"], b2["entries"], b2["unit_number"]) == (dt.date(2026, 2, 15), 8, "101")
    b3 = got[ids["b3"]]
    assert (b3["balance"], b3["overdue_amount"], b3["entries"], b3["last_receipt_date"]) == (
        Decimal("0.00"),
        Decimal("0.00"),
        0,
        None,
    )


def test_account_statement_runs_a_balance_and_links_reversals(world: World) -> None:
    ids = world.ids
    entries = rows(
        world,
        "select * from v_account_statement where booking_id = :booking order by entry_date, ledger_entry_id",
        booking=ids["b1"],
    )
    balances = [entry["running_balance"] for entry in entries]
    # +5 L, +7.5 L, -5 L, -1 L, +1 L (bounce), -12.5 L, +1 L (charge), +4 L (refund)
    assert balances == [
        Decimal(v)
        for v in (
            "500000",
            "1250000",
            "750000",
            "650000",
            "750000",
            "-500000",
            "-400000",
            "0",
        )
    ]
    bounced = next(e for e in entries if e["ledger_entry_id"] == ids["bounced_receipt"])
    assert bounced["is_reversed"] and bounced["reversed_by_entry_id"] == ids["bounce"]
    bounce = next(e for e in entries if e["ledger_entry_id"] == ids["bounce"])
    assert (bounce["effective_entry_type"], bounce["type_amount"]) == ("receipt", Decimal("-100000.00"))


def test_lead_facts_say_what_each_lead_reached(world: World) -> None:
    ids = world.ids
    facts = {r["lead_id"]: r for r in rows(world, "select * from v_lead_facts")}
    assert set(facts) == {ids["l1"], ids["l2"], ids["l3"], ids["l4"]}  # l5 is retired
    l1 = facts[ids["l1"]]
    assert (l1["has_booking"], l1["has_cancelled_booking"], l1["has_live_booking"]) == (True, True, False)
    assert (l1["first_booking_date"], l1["live_booking_value"]) == (dt.date(2026, 1, 25), Decimal("0.00"))
    assert l1["first_site_visit_at"].isoformat().startswith("2026-01-12T12:00")
    l3 = facts[ids["l3"]]
    assert (l3["has_qualified"], l3["live_booking_value"]) == (False, Decimal("8000000.00"))
    assert facts[ids["l4"]]["cohort_month"] == dt.date(2026, 2, 1)


def test_milestone_timeline_numbers_steps_and_counts_days(world: World) -> None:
    timeline = rows(
        world,
        "select * from v_lead_milestone_timeline where lead_id = :lead order by sequence_no",
        lead=world.ids["l1"],
    )
    assert [m["milestone_type"] for m in timeline] == [
        "lead_generated",
        "contacted",
        "qualified",
        "site_visit",
        "revisit",
        "booking",
        "cancellation",
    ]
    assert [m["sequence_no"] for m in timeline] == [1, 2, 3, 4, 5, 6, 7]
    assert [m["days_since_previous"] for m in timeline] == [None, 0, 3, 4, 8, 5, 16]
    assert [m["days_since_generated"] for m in timeline] == [0, 0, 3, 7, 15, 20, 36]
    assert timeline[0]["lead_name"] == "Asha Patil" and timeline[0]["recorded_by_name"] == "Ravi Kumar"
    l3 = rows(world, "select milestone_type from v_lead_milestone_timeline where lead_id = :lead", lead=world.ids["l3"])
    assert sorted(m["milestone_type"] for m in l3) == ["contacted", "site_visit"]  # the retired one is gone
    assert rows(world, "select * from v_lead_milestone_timeline where lead_id = :lead", lead=world.ids["l5"]) == []


def test_unit_inventory_counts_states_and_expired_holds(world: World) -> None:
    got = {(r["project_name"], r["unit_type"]): r for r in rows(world, "select * from v_unit_inventory")}
    # 2BHK in T1: 101 booked, 103 blocked but its hold expired (available), 104 blocked; 105 retired.
    two = got.pop(("Alpha Towers", "2BHK"))
    assert (two["total_units"], two["available"], two["blocked"], two["booked"], two["sold"]) == (3, 1, 1, 1, 0)
    assert (two["available_value"], two["tower_name"]) == (Decimal("5200000.00"), "T1")
    three = got.pop(("Alpha Towers", "3BHK"))
    assert (three["total_units"], three["booked"], three["available_value"]) == (1, 1, Decimal("0.00"))
    villas = got.pop(("Beta Park", "villa"))
    assert (villas["total_units"], villas["available"], villas["sold"], villas["available_value"]) == (
        2,
        1,
        1,
        Decimal("21000000.00"),
    )
    assert got == {}
