"""A form's key replays only its own user's submission: the booking, cancellation and ledger
writes refuse, in words and changing nothing, a key another user's row already holds."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from collections.abc import Callable

import pytest

from data.domain.filters import today_in_india
from data.domain.validation import ValidationError
from data.writes import bookings, catalog, ledger
from data.writes import leads as lead_writes
from data.writes.common import KEY_USED_BY_SOMEONE_ELSE, now
from tests.support.checks import form_key, row_counts
from tests.support.world import World, add_people, build_world

TODAY = today_in_india()
SERIAL = itertools.count(1)
TABLES = ("bookings", "units", "account_ledger", "lead_milestones", "audit_log")


@pytest.fixture(scope="module")
def world() -> World:
    built = build_world("replays")
    add_people(built)
    return built


def _lead(world: World) -> int:
    """A new lead, generated 40 days ago."""
    number = next(SERIAL)
    return lead_writes.create_lead(
        world.alpha,
        world.ids["mona"],
        name=f"Replay Buyer {number}",
        phone=f"+91 98231 {number:05d}",
        lead_source_id=world.ids["s2"],
        generated_at=now() - dt.timedelta(days=40),
        idempotency_key=form_key(),
    ).lead_id


def _book(world: World) -> Callable[[int, str], object]:
    lead_id = _lead(world)
    unit_id = catalog.add_unit(
        world.alpha,
        world.ids["boss"],
        tower_id=world.ids["t2"],
        floor=4,
        unit_number=f"RP-{next(SERIAL)}",
        unit_type="villa",
        carpet_area_sqft="2400",
        list_price="1,00,00,000",
    )
    return lambda user, key: bookings.book_unit(
        world.alpha,
        user,
        lead_id=lead_id,
        unit_id=unit_id,
        agreement_value="1,00,00,000",
        booking_amount="10,00,000",
        booking_date=TODAY - dt.timedelta(days=30),
        plan_code="down-payment",
        payment_mode="rtgs",
        reference="RTGS-REPLAY",
        idempotency_key=key,
    )


def _booking(world: World) -> int:
    """A new live booking with 10 L paid, made by Mona (a manager)."""
    return _book(world)(world.ids["mona"], form_key()).row_id


def _cancel(world: World) -> Callable[[int, str], object]:
    booking_id = _booking(world)
    return lambda user, key: bookings.cancel_booking(
        world.alpha,
        user,
        booking_id=booking_id,
        reason="Home loan rejected",
        cancellation_date=TODAY - dt.timedelta(days=2),
        cancellation_charge="0",
        refund_amount="10,00,000",
        refund_mode="neft",
        refund_reference="NEFT-REPLAY",
        idempotency_key=key,
    )


def _receipt(world: World) -> Callable[[int, str], object]:
    booking_id = _booking(world)
    return lambda user, key: ledger.add_entry(
        world.alpha,
        user,
        booking_id=booking_id,
        entry_type="receipt",
        amount="2,50,000",
        entry_date=TODAY,
        payment_mode="upi",
        reference=f"UPI-{key[:12]}",
        idempotency_key=key,
    )


def _reversal(world: World) -> Callable[[int, str], object]:
    entry_id = ledger.add_entry(
        world.alpha,
        world.ids["mona"],
        booking_id=_booking(world),
        entry_type="demand",
        amount="50,000",
        entry_date=TODAY,
        due_date=TODAY + dt.timedelta(days=30),
        idempotency_key=form_key(),
    ).ledger_entry_id
    return lambda user, key: ledger.reverse_entry(
        world.alpha, user, ledger_entry_id=entry_id, reason="Raised in error", entry_date=TODAY, idempotency_key=key
    )


# Each prepares a fresh form and returns its submission: (user, key) → what was saved.
WRITES = {"booking": _book, "cancellation": _cancel, "receipt": _receipt, "reversal": _reversal}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_form_key_someone_else_used_is_refused_in_words(world: World, write: str) -> None:
    submit = WRITES[write](world)
    key = form_key()
    first = submit(world.ids["mona"], key)
    assert first.is_new
    assert submit(world.ids["mona"], key) == dataclasses.replace(first, is_new=False)  # her own: replayed
    counts = row_counts(world.alpha, TABLES)
    with pytest.raises(ValidationError) as refused:
        submit(world.ids["boss"], key)  # an admin, who may do it and sees the row, but did not write it
    assert refused.value.errors == {"idempotency_key": KEY_USED_BY_SOMEONE_ELSE}
    assert row_counts(world.alpha, TABLES) == counts
