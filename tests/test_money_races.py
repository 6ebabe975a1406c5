"""Money that cannot drift: every ledger write and the cancellation lock the booking's row first,
so a cancelled account stays closed and a receipt racing a cancellation is either settled by it or
refused. Real PostgreSQL, real threads; the kept booking_accounts always equal the ledger's sums."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import threading
import time
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data import db
from data.domain.filters import today_in_india
from data.domain.rules import day_words
from data.domain.validation import ValidationError
from data.writes import bookings, ledger
from data.writes.common import now
from tests.support.checks import assert_refused, form_key
from tests.support.world import World, add_people, build_world, insert

TODAY = today_in_india()
BOOKED_ON = TODAY - dt.timedelta(days=30)
CANCELLED_ON = TODAY - dt.timedelta(days=2)
BOOKING_AMOUNT = Decimal("1000000.00")  # the receipt book_unit writes
CHARGE = Decimal("100000.00")
REFUND = Decimal("500000.00")  # at most paid − charge, whatever else was paid


@pytest.fixture(scope="module")
def world() -> World:
    world = build_world("money-races")
    add_people(world)
    return world


def new_booking(world: World) -> int:
    """A lead of Ravi's booking a fresh villa for 1 Cr with 10 L paid (book_unit's own receipt)."""
    tag = uuid.uuid4().hex[:8]
    with db.tenant_transaction(world.alpha) as conn:
        lead_id = insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=world.alpha,
            name=f"Racer {tag}",
            phone=f"+9196{uuid.uuid4().int % 10**8:08d}",
            lead_source_id=world.ids["s2"],
            project_id=world.ids["p2"],
            owner_user_id=world.ids["rep"],
            generated_at=now() - dt.timedelta(days=60),
        )
        unit_id = insert(
            conn,
            "units",
            "unit_id",
            tenant_id=world.alpha,
            project_id=world.ids["p2"],
            tower_id=world.ids["t2"],
            floor=1,
            unit_number=f"R-{tag}",
            unit_type="villa",
            carpet_area_sqft=Decimal(2400),
            list_price=Decimal(10_000_000),
        )
    return bookings.book_unit(
        world.alpha,
        world.ids["mona"],
        lead_id=lead_id,
        unit_id=unit_id,
        agreement_value="1,00,00,000",
        booking_amount="10,00,000",
        booking_date=BOOKED_ON,
        plan_code="down-payment",
        payment_mode="rtgs",
        reference=f"RTGS-{tag}",
        idempotency_key=form_key(),
    ).row_id


def cancel(world: World, booking_id: int, key: str | None = None):
    return bookings.cancel_booking(
        world.alpha,
        world.ids["mona"],
        booking_id=booking_id,
        reason="Customer withdrew",
        cancellation_date=CANCELLED_ON,
        cancellation_charge=str(CHARGE),
        refund_amount=str(REFUND),
        refund_mode="neft",
        refund_reference=f"NEFT-{uuid.uuid4().hex[:6]}",
        idempotency_key=key or form_key(),
    )


def receive(world: World, booking_id: int, amount: str, key: str | None = None) -> ledger.Written:
    return ledger.add_entry(
        world.alpha,
        world.ids["mona"],
        booking_id=booking_id,
        entry_type="receipt",
        amount=amount,
        entry_date=TODAY - dt.timedelta(days=3),
        payment_mode="upi",
        reference=f"UPI-{uuid.uuid4().hex[:10]}",
        idempotency_key=key or form_key(),
    )


def ledger_balance(world: World, booking_id: int) -> Decimal:
    """Debits less credits, straight from the ledger."""
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text(
                "select coalesce(sum(case when side = 'debit' then amount else -amount end), 0) "
                "from account_ledger where booking_id = :id"
            ),
            {"id": booking_id},
        ).scalar_one()


def assert_kept_equals_ledger(world: World, booking_id: int) -> None:
    """booking_accounts holds exactly the straightforward sums of the booking's ledger."""
    with db.tenant_transaction(world.alpha) as conn:
        summed = conn.execute(
            sa.text(
                """
                select
                    count(*),
                    coalesce(sum(entry.amount) filter (where entry.side = 'debit'), 0),
                    coalesce(sum(entry.amount) filter (where entry.side = 'credit'), 0),
                    coalesce(sum(entry.amount) filter (where entry.entry_type = 'receipt'), 0)
                        - coalesce(sum(entry.amount) filter (where reversed.entry_type = 'receipt'), 0)
                from account_ledger as entry
                left join account_ledger as reversed
                    on reversed.tenant_id = entry.tenant_id and reversed.ledger_entry_id = entry.reverses_entry_id
                where entry.booking_id = :id
                """
            ),
            {"id": booking_id},
        ).one()
        kept = conn.execute(
            sa.text(
                "select entries, total_debits, total_credits, received_amount from booking_accounts "
                "where booking_id = :id"
            ),
            {"id": booking_id},
        ).one()
    assert tuple(kept) == tuple(summed)


def paid_as_cancellation_counted(world: World, booking_id: int) -> Decimal:
    """What the cancellation found paid when it settled the account (its audit row)."""
    with db.tenant_transaction(world.alpha) as conn:
        return Decimal(
            conn.execute(
                sa.text(
                    "select after_values->>'paid' from audit_log "
                    "where action = 'booking.cancelled' and row_key->>'booking_id' = :id"
                ),
                {"id": str(booking_id)},
            ).scalar_one()
        )


def money_rows(world: World) -> dict[str, object]:
    with db.tenant_transaction(world.alpha) as conn:
        return {
            table: conn.execute(sa.text(f"select count(*) from {table}")).scalar_one()  # constant names
            for table in ("account_ledger", "audit_log")
        } | {"booking_accounts": conn.execute(sa.text("select * from booking_accounts order by booking_id")).all()}


# (a) A cancelled account is closed -----------------------------------------------------------


def test_nothing_is_added_to_or_reversed_on_a_cancelled_booking(world: World) -> None:
    booking_id = new_booking(world)
    earlier_receipt = receive(world, booking_id, "2,00,000").ledger_entry_id
    cancel(world, booking_id)
    with db.tenant_transaction(world.alpha) as conn:
        credit_note = conn.execute(
            sa.text("select ledger_entry_id from account_ledger where booking_id = :id and entry_type = 'credit_note'"),
            {"id": booking_id},
        ).scalar_one()
    closed = f"This booking was cancelled on {day_words(CANCELLED_ON)}; its account is closed."

    def snapshot() -> dict[str, object]:
        return money_rows(world)

    def add(entry_type: str, **extra):
        return lambda: ledger.add_entry(
            world.alpha,
            world.ids["mona"],
            booking_id=booking_id,
            entry_type=entry_type,
            amount="50,000",
            entry_date=TODAY,
            idempotency_key=form_key(),
            **extra,
        )

    def reverse(ledger_entry_id: int):
        return lambda: ledger.reverse_entry(
            world.alpha,
            world.ids["mona"],
            ledger_entry_id=ledger_entry_id,
            reason="After the cancellation",
            entry_date=TODAY,
            idempotency_key=form_key(),
        )

    assert assert_refused(add("receipt", payment_mode="cash"), "booking_id", snapshot) == closed
    assert assert_refused(add("demand", due_date=TODAY), "booking_id", snapshot) == closed
    assert assert_refused(add("credit_note"), "booking_id", snapshot) == closed
    assert assert_refused(reverse(credit_note), "ledger_entry_id", snapshot) == closed
    assert assert_refused(reverse(earlier_receipt), "ledger_entry_id", snapshot) == closed
    # The cancellation's own entries stand: charge + refund − paid (10 L + 2 L).
    assert ledger_balance(world, booking_id) == CHARGE + REFUND - Decimal("1200000.00")
    assert_kept_equals_ledger(world, booking_id)


def test_the_world_s_cancelled_booking_is_closed_too(world: World) -> None:
    # b1 was cancelled at 12:00 on 10 Feb 2026 in India; its bounced cheque's reversal stays as it is.
    message = assert_refused(
        lambda: ledger.reverse_entry(
            world.alpha,
            world.ids["mona"],
            ledger_entry_id=world.ids["bounce"],
            reason="late",
            entry_date=TODAY,
            idempotency_key=form_key(),
        ),
        "ledger_entry_id",
        lambda: money_rows(world),
    )
    assert message == "This booking was cancelled on 10 Feb 2026; its account is closed."


def test_a_receipt_saved_before_the_cancellation_replays_after_it(world: World) -> None:
    # A double tap whose second request arrives after the cancellation finds the first, not an error.
    booking_id = new_booking(world)
    key = form_key()
    first = receive(world, booking_id, "1,00,000", key=key)
    cancel(world, booking_id)
    with db.tenant_transaction(world.alpha) as conn:
        reference = conn.execute(
            sa.text("select reference from account_ledger where ledger_entry_id = :id"), {"id": first.ledger_entry_id}
        ).scalar_one()
    again = ledger.add_entry(
        world.alpha,
        world.ids["mona"],
        booking_id=booking_id,
        entry_type="receipt",
        amount="1,00,000",
        entry_date=TODAY - dt.timedelta(days=3),
        payment_mode="upi",
        reference=reference,
        idempotency_key=key,
    )
    assert (again.ledger_entry_id, again.is_new) == (first.ledger_entry_id, False)


# (b) Cancellation against a receipt ------------------------------------------------------------


def test_the_cancellation_waits_for_a_receipt_holding_the_booking_and_settles_it(world: World) -> None:
    """Deterministic: a writer holds the booking's row; the cancellation queues and then counts its receipt."""
    booking_id = new_booking(world)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        with db.tenant_transaction(world.alpha) as conn:
            customer_id = conn.execute(
                sa.text("select customer_id from bookings where booking_id = :id for update"), {"id": booking_id}
            ).scalar_one()
            cancelling = pool.submit(cancel, world, booking_id)
            with pytest.raises(TimeoutError):
                cancelling.result(timeout=1)  # queued behind this transaction's lock
            insert(
                conn,
                "account_ledger",
                "ledger_entry_id",
                tenant_id=world.alpha,
                customer_id=customer_id,
                booking_id=booking_id,
                entry_date=TODAY,
                entry_type="receipt",
                side="credit",
                amount=Decimal("300000.00"),
                payment_mode="cash",
            )
        cancelling.result(timeout=30)
    assert paid_as_cancellation_counted(world, booking_id) == BOOKING_AMOUNT + Decimal("300000.00")
    assert ledger_balance(world, booking_id) == CHARGE + REFUND - BOOKING_AMOUNT - Decimal("300000.00")
    assert_kept_equals_ledger(world, booking_id)


def test_a_receipt_waiting_behind_the_cancellation_finds_the_account_closed(world: World) -> None:
    """Deterministic: the receipt queues on the booking's row and reads the status it finds after the lock."""
    booking_id = new_booking(world)
    before = money_rows(world)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        with db.tenant_transaction(world.alpha) as conn:
            conn.execute(sa.text("select 1 from bookings where booking_id = :id for update"), {"id": booking_id})
            receiving = pool.submit(receive, world, booking_id, "3,00,000")
            with pytest.raises(TimeoutError):
                receiving.result(timeout=1)
            conn.execute(
                sa.text("update bookings set status = 'cancelled', cancelled_at = :at where booking_id = :id"),
                {"at": dt.datetime.combine(CANCELLED_ON, dt.time(12), tzinfo=dt.UTC), "id": booking_id},
            )
        with pytest.raises(ValidationError, match="its account is closed"):
            receiving.result(timeout=30)
    assert money_rows(world) == before


RACES = 10


def test_cancellation_and_a_receipt_at_once_never_lose_money(world: World) -> None:
    receipt_amount = Decimal("250000.00")
    outcomes = []
    for race in range(RACES):
        booking_id = new_booking(world)
        start = threading.Barrier(2)
        # A third of the races let the cancellation go first, a third the receipt, a third neither.
        head_start = {0: ("receipt", 0.2), 1: ("cancel", 0.2), 2: (None, 0)}[race % 3]

        def run(which: str, action, head_start=head_start, start=start):
            start.wait()
            if head_start[0] == which:
                time.sleep(head_start[1])
            try:
                return action()
            except ValidationError as refused:
                return refused

        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            cancelled = pool.submit(run, "cancel", lambda b=booking_id: cancel(world, b))
            received = pool.submit(run, "receipt", lambda b=booking_id: receive(world, b, "2,50,000"))
            cancelled, received = cancelled.result(timeout=60), received.result(timeout=60)

        assert isinstance(cancelled, bookings.Saved), cancelled
        paid = paid_as_cancellation_counted(world, booking_id)
        if isinstance(received, ValidationError):
            # Refused because the account was closed, and so not counted.
            assert "its account is closed" in received.errors["booking_id"]
            assert paid == BOOKING_AMOUNT
        else:
            # Landed before the cancellation read the balance, so the settlement counted it.
            assert paid == BOOKING_AMOUNT + receipt_amount
        assert ledger_balance(world, booking_id) == CHARGE + REFUND - paid
        assert_kept_equals_ledger(world, booking_id)
        outcomes.append(type(received).__name__)
    # Both orders happen (the head starts make sure of it unless the machine stalls for 0.2 s).
    assert set(outcomes) == {"Written", "ValidationError"}, outcomes


# (c) Two receipts at once -----------------------------------------------------------------------


def test_two_concurrent_receipts_on_one_booking_both_land(world: World) -> None:
    booking_id = new_booking(world)
    before = ledger_balance(world, booking_id)
    start = threading.Barrier(2)

    def pay(amount: str) -> ledger.Written:
        start.wait()
        return receive(world, booking_id, amount)

    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        written = list(pool.map(pay, ["1,25,000", "75,000.50"]))
    assert all(entry.is_new for entry in written)
    assert ledger_balance(world, booking_id) == before - Decimal("200000.50")
    assert_kept_equals_ledger(world, booking_id)
    with db.tenant_transaction(world.alpha) as conn:
        received = conn.execute(
            sa.text("select received_amount from booking_accounts where booking_id = :id"), {"id": booking_id}
        ).scalar_one()
    assert received == BOOKING_AMOUNT + Decimal("200000.50")
