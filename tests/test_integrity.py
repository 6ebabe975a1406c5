"""What the database itself refuses, whatever the application does."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data import db
from tests.support.world import World, build_world, insert


@pytest.fixture(scope="module")
def world() -> World:
    return build_world("integrity")


def count(world: World, table: str) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(sa.text(f"select count(*) from {table}")).scalar()  # table names are constants


def test_a_unit_can_have_only_one_live_booking(world: World) -> None:
    ids = world.ids
    before = count(world, "bookings")
    with (
        pytest.raises(sa.exc.IntegrityError, match="index_bookings_on_tenant_id_and_unit_id_live"),
        db.tenant_transaction(world.alpha) as conn,
    ):
        insert(
            conn,
            "bookings",
            "booking_id",
            tenant_id=world.alpha,
            lead_id=ids["l3"],
            customer_id=ids["k3"],
            unit_id=ids["u1"],
            booking_date=dt.date(2026, 3, 1),
            agreement_value=Decimal(5000000),
        )
    assert count(world, "bookings") == before


def test_a_cancelled_booking_frees_the_unit_for_the_database(world: World) -> None:
    # u1 carries a cancelled booking (b1) and a live one (b2): the index only counts live ones.
    with db.tenant_transaction(world.alpha) as conn:
        statuses = (
            conn.execute(
                sa.text("select status from bookings where unit_id = :unit order by booking_id"),
                {"unit": world.ids["u1"]},
            )
            .scalars()
            .all()
        )
    assert statuses == ["cancelled", "confirmed"]


@pytest.mark.parametrize(
    "statement",
    [
        "update account_ledger set amount = 1 where booking_id = :booking",
        "delete from account_ledger where booking_id = :booking",
    ],
)
def test_the_app_role_cannot_edit_or_delete_ledger_entries(world: World, statement: str) -> None:
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), db.tenant_transaction(world.alpha) as conn:
        conn.execute(sa.text(statement), {"booking": world.ids["b2"]})


@pytest.mark.parametrize(
    "statement",
    [
        "update account_ledger set amount = 1 where booking_id = :booking",
        "delete from account_ledger where booking_id = :booking",
        "update audit_log set action = 'x' where action = 'probe' and tenant_id <> :booking",
    ],
)
def test_even_the_owner_cannot_edit_append_only_tables(world: World, statement: str) -> None:
    with pytest.raises(sa.exc.DBAPIError, match="append-only"), db.owner_engine().begin() as conn:
        conn.execute(sa.text("select set_config('app.tenant_id', :t, true)"), {"t": str(world.alpha)})
        conn.execute(sa.text("insert into audit_log (tenant_id, action) values (:t, 'probe')"), {"t": world.alpha})
        conn.execute(sa.text(statement), {"booking": world.ids["b2"]})


def test_the_owner_cannot_truncate_the_ledger() -> None:
    with db.owner_engine().connect() as conn:
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            conn.execute(sa.text("truncate account_ledger"))
        conn.rollback()  # never commit, even if the truncate had gone through


def reverse(world: World, entry: int, side: str, amount: str, booking: str = "b2", customer: str = "k2") -> None:
    with db.tenant_transaction(world.alpha) as conn:
        insert(
            conn,
            "account_ledger",
            "ledger_entry_id",
            tenant_id=world.alpha,
            booking_id=world.ids[booking],
            customer_id=world.ids[customer],
            entry_date=dt.date(2026, 7, 1),
            entry_type="reversal",
            side=side,
            amount=Decimal(amount),
            reverses_entry_id=entry,
        )


def test_an_entry_can_be_reversed_only_once(world: World) -> None:
    before = count(world, "account_ledger")
    with pytest.raises(sa.exc.IntegrityError, match="index_account_ledger_on_tenant_id_and_reverses_entry_id"):
        reverse(world, world.ids["bounced_receipt"], "debit", "100000", booking="b1", customer="k1")
    assert count(world, "account_ledger") == before


@pytest.mark.parametrize(
    ("side", "amount", "message"),
    [
        ("credit", "510000", "opposite side"),
        ("debit", "500000", "same amount"),
    ],
)
def test_a_reversal_must_mirror_its_entry(world: World, side: str, amount: str, message: str) -> None:
    with pytest.raises(sa.exc.IntegrityError, match=message):
        reverse(world, world.ids["b2_receipt"], side, amount)


def test_a_reversal_cannot_be_reversed(world: World) -> None:
    with pytest.raises(sa.exc.IntegrityError, match="cannot itself be reversed"):
        reverse(world, world.ids["bounce"], "credit", "100000", booking="b1", customer="k1")


def test_a_row_cannot_point_into_another_tenant(world: World) -> None:
    with (
        pytest.raises(sa.exc.IntegrityError, match="fk_leads_lead_source_id"),
        db.tenant_transaction(world.alpha) as conn,
    ):
        insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=world.alpha,
            name="Cross Tenant",
            phone="+919811111111",
            lead_source_id=world.ids["beta_source"],
            generated_at=dt.datetime.now(dt.UTC),
        )


@pytest.mark.parametrize(
    ("table", "values", "constraint"),
    [
        (
            "campaign_spend",
            {"campaign_id": "c1", "spend_date": dt.date(2026, 1, 1), "amount": Decimal("-1")},
            "check_campaign_spend_amount_not_negative",
        ),
        (
            "account_ledger",
            {
                "booking_id": "b2",
                "customer_id": "k2",
                "entry_date": dt.date(2026, 1, 1),
                "entry_type": "receipt",
                "side": "credit",
                "amount": Decimal("-5"),
            },
            "check_account_ledger_amount_positive",
        ),
        (
            "account_ledger",
            {
                "booking_id": "b2",
                "customer_id": "k2",
                "entry_date": dt.date(2026, 1, 1),
                "entry_type": "receipt",
                "side": "debit",
                "amount": Decimal("5"),
            },
            "check_account_ledger_side_matches_type",
        ),
        (
            "units",
            {
                "project_id": "p1",
                "tower_id": "t1",
                "floor": 1,
                "unit_number": "999",
                "unit_type": "2BHK",
                "carpet_area_sqft": Decimal(700),
                "list_price": Decimal("-1"),
            },
            "check_units_list_price_not_negative",
        ),
        (
            "leads",
            {
                "name": "Bad Phone",
                "phone": "98765",
                "lead_source_id": "s1",
                "generated_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            },
            "check_leads_phone_e164",
        ),
        (
            "lead_milestones",
            {
                "lead_id": "l2",
                "milestone_type": "site_visit",
                "occurred_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                "latitude": Decimal("91"),
                "longitude": Decimal("10"),
            },
            "check_lead_milestones_latitude_range",
        ),
        (
            "lead_milestones",
            {"lead_id": "l2", "milestone_type": "visited", "occurred_at": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
            "check_lead_milestones_milestone_type",
        ),
    ],
)
def test_bad_values_are_refused_by_named_constraints(world: World, table: str, values: dict, constraint: str) -> None:
    resolved = {
        key: world.ids[value] if key.endswith("_id") and isinstance(value, str) else value
        for key, value in values.items()
    }
    with pytest.raises(sa.exc.IntegrityError, match=constraint), db.tenant_transaction(world.alpha) as conn:
        insert(conn, table, "tenant_id", tenant_id=world.alpha, **resolved)


def test_a_duplicate_idempotency_key_is_refused(world: World) -> None:
    entry = {
        "tenant_id": world.alpha,
        "booking_id": world.ids["b3"],
        "customer_id": world.ids["k3"],
        "entry_date": dt.date(2026, 3, 1),
        "entry_type": "receipt",
        "side": "credit",
        "amount": Decimal(1000),
        "idempotency_key": "form-123",
    }
    with db.tenant_transaction(world.alpha) as conn:
        insert(conn, "account_ledger", "ledger_entry_id", **entry)
    with pytest.raises(sa.exc.IntegrityError, match="idempotency_key"), db.tenant_transaction(world.alpha) as conn:
        insert(conn, "account_ledger", "ledger_entry_id", **entry)


def test_the_app_role_cannot_delete_anything(world: World) -> None:
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), db.tenant_transaction(world.alpha) as conn:
        conn.execute(sa.text("delete from lead_milestones where lead_id = :lead"), {"lead": world.ids["l4"]})
