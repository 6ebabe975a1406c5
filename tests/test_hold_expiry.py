"""A hold is over at the moment it expires, and one rule says so: leadline_hold_expired()
(sql/functions). The inventory view, the booking form's available units and the booking write
all ask it, so they agree on a unit held until a moment just past and one just ahead."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from data import db, reports
from data.domain.filters import today_in_india
from data.domain.validation import ValidationError
from data.writes import bookings
from data.writes import leads as lead_writes
from data.writes.common import now
from tests.support.checks import form_key
from tests.support.world import World, add_people, build_world


@pytest.fixture(scope="module")
def world() -> World:
    world = build_world("holds")
    add_people(world)
    return world


def expired(sql_moment: str, status: str = "blocked") -> bool | None:
    """leadline_hold_expired() of a unit with this status, held until ``sql_moment`` (SQL)."""
    with db.owner_engine().connect() as conn:
        # sql_moment is one of this module's constants, never input.
        return conn.execute(
            sa.text(f"select leadline_hold_expired(cast(:status as text), {sql_moment})"), {"status": status}
        ).scalar_one()


@pytest.mark.parametrize(
    ("sql_moment", "status", "answer"),
    [
        ("now()", "blocked", True),  # a hold that expires at 10:00 is over at 10:00
        ("now() - interval '1 second'", "blocked", True),
        ("now() + interval '1 minute'", "blocked", False),
        ("null", "blocked", False),  # a block without an expiry stays blocked
        ("now() - interval '1 day'", "available", False),
        ("now() - interval '1 day'", "booked", False),
    ],
)
def test_a_hold_is_over_from_the_moment_it_expires(sql_moment: str, status: str, answer: bool) -> None:
    assert expired(sql_moment, status) is answer


def _held_unit(world: World, number: str, held_for: str) -> int:
    """A unit of a type no other unit has, blocked until now() plus ``held_for`` (an interval)."""
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text(
                """
                insert into units (tenant_id, project_id, tower_id, floor, unit_number, unit_type,
                    carpet_area_sqft, list_price, status, hold_expires_at)
                values (:tenant_id, :project_id, :tower_id, 3, :number, 'penthouse', 3000, 10000000, 'blocked',
                    now() + cast(:held_for as interval))
                returning unit_id
                """
            ),
            {
                "tenant_id": world.alpha,
                "project_id": world.ids["p2"],
                "tower_id": world.ids["t2"],
                "number": number,
                "held_for": held_for,
            },
        ).scalar_one()


def _book(world: World, unit_id: int, phone: str):
    lead_id = lead_writes.create_lead(
        world.alpha,
        world.ids["mona"],
        name=f"Buyer {phone[-4:]}",
        phone=phone,
        lead_source_id=world.ids["s2"],
        project_id=world.ids["p2"],
        owner_user_id=world.ids["rep"],
        generated_at=now() - dt.timedelta(days=10),
        idempotency_key=form_key(),
    ).lead_id
    return bookings.book_unit(
        world.alpha,
        world.ids["mona"],
        lead_id=lead_id,
        unit_id=unit_id,
        agreement_value="1,00,00,000",
        booking_amount="10,00,000",
        booking_date=today_in_india(),
        plan_code="down-payment",
        payment_mode="rtgs",
        reference=f"RTGS-{phone[-5:]}",
        idempotency_key=form_key(),
    )


def test_the_inventory_the_booking_form_and_a_booking_agree_on_a_hold(world: World) -> None:
    just_past = _held_unit(world, "PH-1", "-1 second")
    just_ahead = _held_unit(world, "PH-2", "1 minute")

    with db.tenant_transaction(world.alpha) as conn:
        inventory = conn.execute(
            sa.text("select available, blocked from v_unit_inventory where unit_type = 'penthouse'")
        ).one()
    assert tuple(inventory) == (1, 1)

    reports.clear_report_caches()
    offered = set(reports.available_units(world.alpha)["unit_id"])
    assert just_past in offered and just_ahead not in offered

    with pytest.raises(ValidationError) as refusal:
        _book(world, just_ahead, "+91 98225 00001")
    assert "on hold" in refusal.value.errors["unit_id"]
    assert _book(world, just_past, "+91 98225 00002").is_new
