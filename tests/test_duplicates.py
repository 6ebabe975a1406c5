"""Probable duplicates are asked about before they are saved: a receipt reference already on a
live receipt of the booking, a visit, call or milestone of the same kind within ten minutes on
the same lead, and a booking far from the unit's list price. Each refusal writes nothing; each
confirmation (or a replay of the same form) behaves as the brief says."""

from __future__ import annotations

import datetime as dt
import itertools
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data import db
from data.db import Scope
from data.domain.filters import IST, today_in_india
from data.domain.rules import DUPLICATE_WINDOW, moment_words
from data.domain.validation import NeedsConfirmation, ProbableDuplicate, ValidationError
from data.writes import activity, bookings, ledger
from data.writes import leads as lead_writes
from data.writes.common import now
from tests.support.checks import form_key, row_counts
from tests.support.world import World, add_people, build_world

TABLES = ("leads", "lead_milestones", "lead_engagements", "customers", "bookings", "account_ledger", "audit_log")
TODAY = today_in_india()
PHONES = (f"+91 98330 {number:05d}" for number in itertools.count())
UNITS = (f"D-{number}" for number in itertools.count())


@pytest.fixture(scope="module")
def world() -> World:
    world = build_world("duplicates")
    add_people(world)
    return world


def counts(world: World) -> dict[str, object]:
    found: dict[str, object] = row_counts(world.alpha, TABLES)
    with db.tenant_transaction(world.alpha) as conn:
        found["unit statuses"] = conn.execute(sa.text("select array_agg(status order by unit_id) from units")).scalar()
    return found


def new_lead(world: World) -> int:
    return lead_writes.create_lead(
        world.alpha,
        world.ids["mona"],
        name="Dup Buyer",
        phone=next(PHONES),
        lead_source_id=world.ids["s2"],
        owner_user_id=world.ids["rep"],
        generated_at=now() - dt.timedelta(days=40),
        idempotency_key=form_key(),
    ).lead_id


def new_unit(world: World, list_price: int = 10_000_000) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text(
                """
                insert into units (tenant_id, project_id, tower_id, floor, unit_number, unit_type, carpet_area_sqft,
                    list_price)
                values (:tenant_id, :project_id, :tower_id, 3, :number, 'villa', 2400, :price)
                returning unit_id
                """
            ),
            {
                "tenant_id": world.alpha,
                "project_id": world.ids["p2"],
                "tower_id": world.ids["t2"],
                "number": next(UNITS),
                "price": list_price,
            },
        ).scalar_one()


def book(world: World, agreement_value: str = "1,00,00,000", **changes):
    values = {
        "lead_id": new_lead(world),
        "unit_id": new_unit(world),
        "agreement_value": agreement_value,
        "booking_amount": "10,00,000",
        "booking_date": TODAY - dt.timedelta(days=30),
        "plan_code": "down-payment",
        "payment_mode": "rtgs",
        "reference": "RTGS-BOOKING",
        "idempotency_key": form_key(),
        **changes,
    }
    return lambda: bookings.book_unit(world.alpha, world.ids["mona"], **values)


def refused(world: World, write, error_type: type[ValidationError] = ValidationError) -> ValidationError:
    """The write raises ``error_type`` and every row count stays as it was."""
    before = counts(world)
    with pytest.raises(error_type) as refusal:
        write()
    assert counts(world) == before
    return refusal.value


# Receipts ----------------------------------------------------------------------------------


def receipt(world: World, booking_id: int, reference: str, **changes):
    values = {
        "booking_id": booking_id,
        "entry_type": "receipt",
        "amount": "50,000",
        "entry_date": TODAY - dt.timedelta(days=3),
        "payment_mode": "neft",
        "reference": reference,
        "idempotency_key": form_key(),
        **changes,
    }
    return lambda: ledger.add_entry(world.alpha, world.ids["mona"], **values)


def test_a_second_receipt_with_the_same_reference_names_the_first_and_writes_nothing(world: World) -> None:
    booking_id = book(world)().row_id
    first = receipt(world, booking_id, "UTR-7788")()
    refusal = refused(world, receipt(world, booking_id, "  utr-7788 ", amount="60,000"))
    on = TODAY - dt.timedelta(days=3)
    assert refusal.errors == {
        "reference": f"Receipt #{first.ledger_entry_id} of ₹50,000 on {on.day} {on:%b %Y} "
        "already has reference UTR-7788."
    }
    # The booking form's own receipt counts as a receipt of the booking too.
    assert "reference" in refused(world, receipt(world, booking_id, "rtgs-booking")).errors


def test_the_same_reference_on_another_booking_or_on_a_demand_is_fine(world: World) -> None:
    one, other = book(world)().row_id, book(world)().row_id
    receipt(world, one, "CHQ-000123")()
    assert receipt(world, other, "CHQ-000123")().is_new
    demand = receipt(world, one, "CHQ-000123", entry_type="debit_note", payment_mode=None)()
    assert demand.is_new


def test_a_reversed_receipts_reference_may_be_used_again(world: World) -> None:
    booking_id = book(world)().row_id
    bounced = receipt(world, booking_id, "CHQ-555")()
    ledger.reverse_entry(
        world.alpha,
        world.ids["mona"],
        ledger_entry_id=bounced.ledger_entry_id,
        reason="Cheque returned unpaid",
        entry_date=TODAY,
        idempotency_key=form_key(),
    )
    assert receipt(world, booking_id, "CHQ-555")().is_new
    assert "reference" in refused(world, receipt(world, booking_id, "CHQ-555")).errors


def test_the_same_receipt_form_submitted_again_replays_rather_than_asks(world: World) -> None:
    booking_id = book(world)().row_id
    one_key = form_key()
    first = receipt(world, booking_id, "UPI-42", idempotency_key=one_key)()
    again = receipt(world, booking_id, "UPI-42", idempotency_key=one_key)()
    assert (again.ledger_entry_id, first.is_new, again.is_new) == (first.ledger_entry_id, True, False)


def test_concurrent_receipts_with_one_reference_write_exactly_one(world: World) -> None:
    booking_id = book(world)().row_id
    before = row_counts(world.alpha, ("account_ledger",))["account_ledger"]

    def attempt(_) -> str:
        try:
            receipt(world, booking_id, "NEFT-RACE-1")()
        except ValidationError as refusal:
            return "reference" if "reference" in refusal.errors else str(refusal.errors)
        return "written"

    with ThreadPoolExecutor(max_workers=6) as pool:
        outcomes = list(pool.map(attempt, range(6)))
    assert sorted(outcomes) == ["reference"] * 5 + ["written"]
    assert row_counts(world.alpha, ("account_ledger",))["account_ledger"] == before + 1


# Visits, calls and milestones ----------------------------------------------------------------


def visit(world: World, lead_id: int, occurred_at: dt.datetime, **changes):
    values = {
        "lead_id": lead_id,
        "is_done": True,
        "occurred_at": occurred_at,
        "outcome": "positive",
        "outcome_reason": "Liked the layout",
        "idempotency_key": form_key(),
        **changes,
    }
    return lambda: activity.log_site_visit(Scope(world.alpha, world.ids["rep"]), world.ids["rep"], **values)


def test_a_visit_logged_twice_within_ten_minutes_is_asked_about_and_nothing_written(world: World) -> None:
    lead_id = new_lead(world)
    first_at = now() - dt.timedelta(hours=2)
    first = visit(world, lead_id, first_at)()
    question = refused(world, visit(world, lead_id, first_at + dt.timedelta(minutes=7)), ProbableDuplicate)
    assert (question.existing_id, question.existing_at, question.what) == (first.row_id, first_at, "site visit")
    assert question.existing_at.tzinfo is not None
    assert question.errors == {
        "duplicate": f"This looks like the site visit saved for {moment_words(first_at)} — save another?"
    }
    # Either side of the first one, and up to exactly the window.
    refused(world, visit(world, lead_id, first_at - DUPLICATE_WINDOW), ProbableDuplicate)
    confirmed = visit(world, lead_id, first_at + dt.timedelta(minutes=7), confirm_duplicate=True)()
    assert (confirmed.is_new, confirmed.what) == (True, "revisit")


def test_visits_eleven_minutes_apart_are_not_asked_about(world: World) -> None:
    lead_id = new_lead(world)
    first_at = now() - dt.timedelta(hours=3)
    visit(world, lead_id, first_at)()
    assert visit(world, lead_id, first_at + dt.timedelta(minutes=11))().what == "revisit"
    # A visit scheduled at the same time as a visit done is another kind of activity.
    scheduled = visit(world, lead_id, first_at, is_done=False, outcome=None)()
    assert scheduled.is_new
    again = refused(world, visit(world, lead_id, first_at, is_done=False, outcome=None), ProbableDuplicate)
    assert again.what == "scheduled visit" and again.existing_id == scheduled.row_id


def test_the_same_visit_form_submitted_again_replays_before_any_question(world: World) -> None:
    lead_id = new_lead(world)
    one_key = form_key()
    moment = now() - dt.timedelta(hours=1)
    first = visit(world, lead_id, moment, idempotency_key=one_key)()
    again = visit(world, lead_id, moment, idempotency_key=one_key)()
    assert (again.row_id, again.is_new) == (first.row_id, False)


def test_the_question_names_the_day_when_the_first_was_not_today() -> None:
    moment = dt.datetime(2026, 12, 3, 10, 42, tzinfo=IST)
    assert moment_words(moment, today=dt.date(2026, 12, 3)) == "10:42"
    assert moment_words(moment, today=dt.date(2026, 12, 4)) == "10:42 on 3 Dec"
    assert moment_words(moment, today=dt.date(2027, 1, 2)) == "10:42 on 3 Dec 2026"
    assert moment_words(moment.astimezone(dt.UTC), today=dt.date(2026, 12, 3)) == "10:42"  # India time


def call(world: World, lead_id: int, occurred_at: dt.datetime, **changes):
    values = {
        "lead_id": lead_id,
        "engagement_type": "call",
        "direction": "outbound",
        "status": "completed",
        "occurred_at": occurred_at,
        "idempotency_key": form_key(),
        **changes,
    }
    return lambda: activity.log_engagement(Scope(world.alpha, world.ids["rep"]), world.ids["rep"], **values)


def test_a_call_logged_twice_is_asked_about_but_a_whatsapp_at_the_same_time_is_not(world: World) -> None:
    lead_id = new_lead(world)
    moment = now() - dt.timedelta(minutes=40)
    first = call(world, lead_id, moment)()
    question = refused(world, call(world, lead_id, moment + dt.timedelta(minutes=2)), ProbableDuplicate)
    assert (question.existing_id, question.what) == (first.row_id, "call")
    assert question.errors["duplicate"].startswith("This looks like the call saved for ")
    assert call(world, lead_id, moment, engagement_type="whatsapp")().is_new
    assert call(world, lead_id, moment + dt.timedelta(minutes=2), confirm_duplicate=True)().is_new
    replayed_key = form_key()
    call(world, lead_id, moment - dt.timedelta(hours=1), idempotency_key=replayed_key)()
    assert not call(world, lead_id, moment - dt.timedelta(hours=1), idempotency_key=replayed_key)().is_new


def milestone(world: World, lead_id: int, milestone_type: str, occurred_at: dt.datetime, **changes):
    values = {
        "lead_id": lead_id,
        "milestone_type": milestone_type,
        "occurred_at": occurred_at,
        "idempotency_key": form_key(),
        **changes,
    }
    return lambda: activity.log_milestone(Scope(world.alpha, world.ids["rep"]), world.ids["rep"], **values)


def test_a_milestone_logged_twice_is_asked_about(world: World) -> None:
    lead_id = new_lead(world)
    moment = now() - dt.timedelta(minutes=50)
    first = milestone(world, lead_id, "qualified", moment)()
    question = refused(world, milestone(world, lead_id, "qualified", moment), ProbableDuplicate)
    assert (question.existing_id, question.what) == (first.row_id, "qualified milestone")
    assert milestone(world, lead_id, "negotiation", moment)().is_new  # another milestone
    assert milestone(world, lead_id, "qualified", moment, confirm_duplicate=True)().is_new


# Bookings far from the list price ------------------------------------------------------------


def test_a_booking_thirty_percent_below_list_price_needs_a_reason_and_writes_nothing(world: World) -> None:
    question = refused(world, book(world, "70,00,000"), NeedsConfirmation)
    assert question.errors == {
        "agreement_value": "₹70,00,000 is 30 % below the list price ₹1,00,00,000. "
        "Give the reason to book at this price."
    }
    above = refused(world, book(world, "1,40,00,000"), NeedsConfirmation)
    assert "40 % above the list price" in above.errors["agreement_value"]
    refused(world, book(world, "70,00,000", price_deviation_reason="   "), NeedsConfirmation)
    bad_reason = refused(world, book(world, "70,00,000", price_deviation_reason="Festive\x00offer"))
    assert "U+0000" in bad_reason.errors["price_deviation_reason"]


def test_with_a_reason_the_booking_is_made_and_the_reason_kept(world: World) -> None:
    reason = "Festive offer approved by the sales head"
    saved = book(world, "70,00,000", price_deviation_reason=f"  {reason} ")()
    with db.tenant_transaction(world.alpha) as conn:
        stored = conn.execute(
            sa.text("select price_deviation_reason, agreement_value from bookings where booking_id = :id"),
            {"id": saved.row_id},
        ).one()
        audited = conn.execute(
            sa.text(
                "select after_values from audit_log where action = 'booking.created' and row_key->>'booking_id' = :id"
            ),
            {"id": str(saved.row_id)},
        ).scalar_one()
    assert (stored.price_deviation_reason, stored.agreement_value) == (reason, Decimal("7000000.00"))
    assert audited["price_deviation_reason"] == reason


def test_a_quarter_off_list_price_is_still_usual(world: World) -> None:
    assert book(world, "75,00,000")().is_new
    assert book(world, "1,25,00,000")().is_new
