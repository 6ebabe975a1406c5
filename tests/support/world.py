"""A small hand-built world of two tenants whose report figures are worked out by hand.

Tenant "alpha" holds the interesting cases: a cancelled booking and a re-booking of the same
unit by another lead, a bounced cheque (a reversed receipt), a demand raised in error and
reversed, a future demand, a retired lead, a retired milestone, retired campaign spend, a
retired unit, blocks with expired and running holds, and a lead generated just after
midnight in India (still the previous month in UTC). Tenant "beta" exists to prove that
nothing of it leaks into alpha's figures. The expected figures live beside the tests that
check them, each derived in a comment from the rows below.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from data import db
from data.db import tenants
from data.domain.filters import IST


def at(text: str) -> dt.datetime:
    """A moment in India time, written 'YYYY-MM-DD HH:MM'."""
    return dt.datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=IST)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def insert(conn: sa.Connection, table: str, id_column: str, **values) -> int:
    """Insert one row and return its id."""
    target = sa.table(table, *(sa.column(name) for name in values), sa.column(id_column))
    return conn.execute(sa.insert(target).values(**values).returning(target.c[id_column])).scalar_one()


@dataclass
class World:
    """Ids of the rows the tests refer to."""

    alpha: int = 0
    beta: int = 0
    ids: dict[str, int] = field(default_factory=dict)


def _ledger(conn, tenant_id, booking, customer, entry_date, entry_type, side, amount, **extra) -> int:
    return insert(
        conn,
        "account_ledger",
        "ledger_entry_id",
        tenant_id=tenant_id,
        booking_id=booking,
        customer_id=customer,
        entry_date=day(entry_date),
        entry_type=entry_type,
        side=side,
        amount=Decimal(amount),
        **extra,
    )


def build_alpha(world: World) -> None:
    t = world.alpha
    ids = world.ids
    with db.tenant_transaction(t) as conn:
        ids["rep"] = insert(
            conn, "app_users", "user_id", tenant_id=t, username="ravi", display_name="Ravi Kumar", role="rep"
        )
        ids["p1"] = insert(conn, "projects", "project_id", tenant_id=t, name="Alpha Towers", city="Pune")
        ids["p2"] = insert(conn, "projects", "project_id", tenant_id=t, name="Beta Park", city="Nashik")
        ids["t1"] = insert(conn, "towers", "tower_id", tenant_id=t, project_id=ids["p1"], name="T1")
        ids["t2"] = insert(conn, "towers", "tower_id", tenant_id=t, project_id=ids["p2"], name="T2")

        def unit(key, tower, project, number, unit_type, price, status="available", **extra):
            ids[key] = insert(
                conn,
                "units",
                "unit_id",
                tenant_id=t,
                project_id=ids[project],
                tower_id=ids[tower],
                floor=1,
                unit_number=number,
                unit_type=unit_type,
                carpet_area_sqft=Decimal(800),
                list_price=Decimal(price),
                status=status,
                **extra,
            )

        unit("u1", "t1", "p1", "101", "2BHK", "5000000", status="booked")
        unit("u2", "t1", "p1", "102", "3BHK", "8000000", status="booked")
        unit("u3", "t1", "p1", "103", "2BHK", "5200000", status="blocked", hold_expires_at=at("2026-01-01 10:00"))
        unit("u4", "t1", "p1", "104", "2BHK", "5500000", status="blocked", hold_expires_at=at("2099-01-01 10:00"))
        unit("u5", "t1", "p1", "105", "2BHK", "5600000", deleted_at=at("2026-01-02 10:00"))
        unit("u6", "t2", "p2", "V1", "villa", "20000000", status="sold")
        unit("u7", "t2", "p2", "V2", "villa", "21000000")

        ids["s1"] = insert(
            conn, "lead_sources", "lead_source_id", tenant_id=t, source="Online Portal", subsource="99acres"
        )
        ids["s2"] = insert(
            conn, "lead_sources", "lead_source_id", tenant_id=t, source="Walk-in", subsource="Site office"
        )
        ids["c1"] = insert(
            conn,
            "campaigns",
            "campaign_id",
            tenant_id=t,
            name="Portal Jan",
            campaign_type="Portal listing",
            channel="Online",
            lead_source_id=ids["s1"],
            project_id=ids["p1"],
            budget=Decimal(100000),
            start_date=day("2026-01-01"),
            end_date=day("2026-02-28"),
            status="completed",
        )
        ids["c2"] = insert(
            conn,
            "campaigns",
            "campaign_id",
            tenant_id=t,
            name="Brand",
            campaign_type="Paid search",
            channel="Google",
            lead_source_id=ids["s1"],
            budget=Decimal(0),
            start_date=day("2026-01-01"),
        )
        for campaign, spend_date, amount, extra in (
            ("c1", "2026-01-10", "30000", {}),
            ("c1", "2026-02-05", "20000", {}),
            ("c1", "2026-02-06", "99999", {"deleted_at": at("2026-02-07 10:00")}),
            ("c2", "2026-01-15", "10000", {}),
        ):
            insert(
                conn,
                "campaign_spend",
                "campaign_spend_id",
                tenant_id=t,
                campaign_id=ids[campaign],
                spend_date=day(spend_date),
                amount=Decimal(amount),
                **extra,
            )

        def lead(key, name, phone, generated, source, campaign=None, **extra):
            ids[key] = insert(
                conn,
                "leads",
                "lead_id",
                tenant_id=t,
                name=name,
                phone=phone,
                project_id=ids["p1"],
                lead_source_id=ids[source],
                campaign_id=ids.get(campaign),
                owner_user_id=ids["rep"],
                generated_at=at(generated),
                **extra,
            )

        lead("l1", "Asha Patil", "+919800000001", "2026-01-05 10:00", "s1", "c1")
        lead("l2", "Bala Iyer", "+919800000002", "2026-01-20 10:00", "s1", "c1")
        lead("l3", "Chitra Das", "+919800000003", "2026-02-03 10:00", "s2")
        # 01:00 on 1 Feb in India is 19:30 on 31 Jan in UTC: the cohort is February.
        lead("l4", "Dinesh Rao", "+919800000004", "2026-02-01 01:00", "s1", "c2")
        lead("l5", "Esha Retired", "+919800000005", "2026-01-10 10:00", "s1", "c1", deleted_at=at("2026-01-11 10:00"))

        def milestone(lead_key, milestone_type, moment, **extra):
            return insert(
                conn,
                "lead_milestones",
                "milestone_id",
                tenant_id=t,
                lead_id=ids[lead_key],
                milestone_type=milestone_type,
                occurred_at=at(moment),
                recorded_by=ids["rep"],
                **extra,
            )

        for milestone_type, moment in (
            ("lead_generated", "2026-01-05 10:00"),
            ("contacted", "2026-01-05 15:00"),
            ("qualified", "2026-01-08 11:00"),
            ("site_visit", "2026-01-12 12:00"),
            ("revisit", "2026-01-20 12:00"),
            ("booking", "2026-01-25 12:00"),
            ("cancellation", "2026-02-10 12:00"),
        ):
            milestone("l1", milestone_type, moment)
        for milestone_type, moment in (
            ("lead_generated", "2026-01-20 10:00"),
            ("contacted", "2026-01-21 10:00"),
            ("site_visit", "2026-01-28 10:00"),
            ("booking", "2026-02-15 10:00"),
        ):
            milestone("l2", milestone_type, moment)
        milestone("l3", "contacted", "2026-02-03 10:30")
        milestone("l3", "site_visit", "2026-02-03 11:00", outcome="positive")
        milestone("l3", "qualified", "2026-02-03 12:00", deleted_at=at("2026-02-04 10:00"))
        milestone("l4", "contacted", "2026-02-02 10:00")
        milestone("l4", "reengaged", "2026-03-02 10:00")
        milestone("l5", "contacted", "2026-01-10 12:00")
        insert(
            conn,
            "lead_engagements",
            "engagement_id",
            tenant_id=t,
            lead_id=ids["l1"],
            engagement_type="call",
            direction="outbound",
            status="completed",
            occurred_at=at("2026-01-05 15:00"),
            duration_seconds=240,
        )
        insert(conn, "audit_log", "audit_log_id", tenant_id=t, user_id=ids["rep"], action="world.built")

        def customer(key, lead_key, name, phone):
            ids[key] = insert(
                conn, "customers", "customer_id", tenant_id=t, lead_id=ids[lead_key], name=name, phone=phone
            )

        customer("k1", "l1", "Asha Patil", "+919800000001")
        customer("k2", "l2", "Bala Iyer", "+919800000002")
        customer("k3", "l3", "Chitra Das", "+919800000003")
        ids["b1"] = insert(
            conn,
            "bookings",
            "booking_id",
            tenant_id=t,
            lead_id=ids["l1"],
            customer_id=ids["k1"],
            unit_id=ids["u1"],
            booking_date=day("2026-01-25"),
            agreement_value=Decimal(5000000),
            booking_amount=Decimal(500000),
            status="cancelled",
            cancelled_at=at("2026-02-10 12:00"),
            cancellation_reason="Loan rejected",
            cancellation_charge=Decimal(100000),
            refund_amount=Decimal(400000),
        )
        ids["b2"] = insert(
            conn,
            "bookings",
            "booking_id",
            tenant_id=t,
            lead_id=ids["l2"],
            customer_id=ids["k2"],
            unit_id=ids["u1"],
            booking_date=day("2026-02-15"),
            agreement_value=Decimal(5100000),
            booking_amount=Decimal(510000),
        )
        ids["b3"] = insert(
            conn,
            "bookings",
            "booking_id",
            tenant_id=t,
            lead_id=ids["l3"],
            customer_id=ids["k3"],
            unit_id=ids["u2"],
            booking_date=day("2026-02-20"),
            agreement_value=Decimal(8000000),
            booking_amount=Decimal(0),
        )

        b1, k1 = ids["b1"], ids["k1"]
        _ledger(conn, t, b1, k1, "2026-01-25", "demand", "debit", "500000", due_date=day("2026-01-25"))
        _ledger(conn, t, b1, k1, "2026-01-25", "demand", "debit", "750000", due_date=day("2026-03-25"))
        _ledger(conn, t, b1, k1, "2026-01-25", "receipt", "credit", "500000", payment_mode="neft")
        bounced = _ledger(conn, t, b1, k1, "2026-02-01", "receipt", "credit", "100000", payment_mode="cheque")
        ids["bounced_receipt"] = bounced
        ids["bounce"] = _ledger(conn, t, b1, k1, "2026-02-05", "reversal", "debit", "100000", reverses_entry_id=bounced)
        _ledger(conn, t, b1, k1, "2026-02-10", "credit_note", "credit", "1250000")
        _ledger(conn, t, b1, k1, "2026-02-10", "cancellation_charge", "debit", "100000")
        _ledger(conn, t, b1, k1, "2026-03-01", "refund", "debit", "400000", payment_mode="neft")

        b2, k2 = ids["b2"], ids["k2"]
        _ledger(conn, t, b2, k2, "2026-02-15", "demand", "debit", "510000", due_date=day("2026-02-15"))
        _ledger(conn, t, b2, k2, "2026-02-15", "demand", "debit", "1000000", due_date=day("2026-04-15"))
        _ledger(conn, t, b2, k2, "2026-02-15", "demand", "debit", "2000000", due_date=day("2099-01-01"))
        ids["b2_receipt"] = _ledger(conn, t, b2, k2, "2026-02-15", "receipt", "credit", "510000", payment_mode="upi")
        _ledger(conn, t, b2, k2, "2026-05-01", "debit_note", "debit", "20000")
        _ledger(conn, t, b2, k2, "2026-05-02", "credit_note", "credit", "10000")
        wrong = _ledger(conn, t, b2, k2, "2026-06-01", "demand", "debit", "300000", due_date=day("2026-06-01"))
        _ledger(conn, t, b2, k2, "2026-06-03", "reversal", "credit", "300000", reverses_entry_id=wrong)


def build_beta(world: World) -> None:
    t = world.beta
    ids = world.ids
    with db.tenant_transaction(t) as conn:
        ids["beta_source"] = insert(
            conn, "lead_sources", "lead_source_id", tenant_id=t, source="Online Portal", subsource="99acres"
        )
        ids["beta_project"] = insert(conn, "projects", "project_id", tenant_id=t, name="Gamma Heights", city="Delhi")
        tower = insert(conn, "towers", "tower_id", tenant_id=t, project_id=ids["beta_project"], name="G")
        ids["beta_unit"] = insert(
            conn,
            "units",
            "unit_id",
            tenant_id=t,
            project_id=ids["beta_project"],
            tower_id=tower,
            floor=2,
            unit_number="201",
            unit_type="2BHK",
            carpet_area_sqft=Decimal(700),
            list_price=Decimal(9000000),
            status="booked",
        )
        ids["beta_lead"] = insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=t,
            name="Beta Buyer",
            phone="+919800000001",
            project_id=ids["beta_project"],
            lead_source_id=ids["beta_source"],
            generated_at=at("2026-01-05 10:00"),
        )
        insert(
            conn,
            "lead_milestones",
            "milestone_id",
            tenant_id=t,
            lead_id=ids["beta_lead"],
            milestone_type="site_visit",
            occurred_at=at("2026-01-06 10:00"),
        )
        customer = insert(
            conn,
            "customers",
            "customer_id",
            tenant_id=t,
            lead_id=ids["beta_lead"],
            name="Beta Buyer",
            phone="+919800000001",
        )
        ids["beta_booking"] = insert(
            conn,
            "bookings",
            "booking_id",
            tenant_id=t,
            lead_id=ids["beta_lead"],
            customer_id=customer,
            unit_id=ids["beta_unit"],
            booking_date=day("2026-01-10"),
            agreement_value=Decimal(9000000),
        )
        ids["beta_entry"] = _ledger(
            conn,
            t,
            ids["beta_booking"],
            customer,
            "2026-01-10",
            "demand",
            "debit",
            "900000",
            due_date=day("2026-01-10"),
        )
        campaign = insert(
            conn,
            "campaigns",
            "campaign_id",
            tenant_id=t,
            name="Portal Jan",
            campaign_type="Portal listing",
            channel="Online",
            lead_source_id=ids["beta_source"],
            start_date=day("2026-01-01"),
        )
        insert(
            conn,
            "campaign_spend",
            "campaign_spend_id",
            tenant_id=t,
            campaign_id=campaign,
            spend_date=day("2026-01-02"),
            amount=Decimal(5000),
        )
        user = insert(conn, "app_users", "user_id", tenant_id=t, username="bina", display_name="Bina", role="manager")
        insert(
            conn,
            "lead_engagements",
            "engagement_id",
            tenant_id=t,
            lead_id=ids["beta_lead"],
            engagement_type="whatsapp",
            direction="inbound",
            status="completed",
            occurred_at=at("2026-01-05 11:00"),
        )
        insert(conn, "audit_log", "audit_log_id", tenant_id=t, user_id=user, action="world.built")


PASSWORD = "world-password-1"


def add_people(world: World) -> None:
    """Give alpha's rep Ravi a password and add one user of every other role (same password)."""
    from data.writes import auth

    auth.change_password(world.alpha, world.ids["rep"], PASSWORD, changed_by=world.ids["rep"])
    for username, name, role in (
        ("boss", "Bina Admin", "admin"),
        ("mona", "Mona Manager", "manager"),
        ("lena", "Lena Leader", "leadership"),
        ("sara", "Sara Rep", "rep"),
    ):
        world.ids[username] = auth.create_user(world.alpha, username, name, role, PASSWORD).user_id


def build_world(suffix: str) -> World:
    """Create both tenants (slugs alpha-<suffix>, beta-<suffix>) and their rows."""
    world = World(
        alpha=tenants.create_tenant(f"alpha-{suffix}", "Alpha Developers"),
        beta=tenants.create_tenant(f"beta-{suffix}", "Beta Builders"),
    )
    build_alpha(world)
    build_beta(world)
    return world
