"""Ledger writes: demands, receipts, credit and debit notes, and reversals. Never an edit.

Each entry carries an idempotency key (one per form render): submitting the same form twice,
or retrying after a dropped connection, returns the entry already written; the same key
with other values is refused. Keys and reversals are guarded by unique constraints, so
concurrent submissions cannot both write. Every entry is written with its audit row in one
transaction, after validation; a refused entry writes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from data import db, reports
from data.domain.filters import IST
from data.domain.permissions import Action, authorise
from data.domain.rules import (
    NOTES_MAX,
    check_date_floor,
    check_day,
    check_payment,
    check_text,
    day_words,
    parse_money,
    rupees,
)
from data.domain.validation import ValidationError, require
from data.domain.vocabulary import ENTRY_SIDE, MANUAL_ENTRY_TYPES
from data.writes import audit
from data.writes.common import KEY_USED_BY_SOMEONE_ELSE


@dataclass(frozen=True)
class Written:
    """The entry's id and whether this call wrote it (False: it was already there)."""

    ledger_entry_id: int
    is_new: bool


def _validate(
    entry_type: str,
    amount: Any,
    entry_date: dt.date | None,
    due_date: dt.date | None,
    payment_mode: str | None,
    texts: dict[str, str | None],
    idempotency_key: str,
) -> tuple[Decimal | None, str | None, str | None]:
    """The amount, reference and particulars, cleaned; raises with every message at once."""
    errors: dict[str, str] = {}
    if entry_type not in MANUAL_ENTRY_TYPES:
        errors["entry_type"] = "Choose a demand, receipt, credit note or debit note."
    value = parse_money(amount, "amount", errors, allow_zero=False)
    check_day(entry_date, "entry_date", errors)
    if entry_type == "demand" and due_date is None:
        errors["due_date"] = "A demand needs a due date."
    check_date_floor(due_date, "due_date", errors)
    # Only a receipt says how it was paid; any entry may carry a reference (a demand letter's number).
    reference = check_payment(
        payment_mode if entry_type == "receipt" else None,
        texts["reference"],
        errors,
        mode_required=entry_type == "receipt",
    )
    notes = check_text(texts["notes"], "notes", errors, max_length=NOTES_MAX, label="particulars", multiline=True)
    if not idempotency_key:
        errors["idempotency_key"] = "Missing form key; reload the page."
    require(errors)
    return value, reference, notes


# A live receipt of the booking with the same reference, whatever its case or spaces.
_RECEIPT_WITH_REFERENCE = """
    select entry.ledger_entry_id, entry.amount, entry.entry_date, entry.reference
    from account_ledger as entry
    where entry.booking_id = :booking_id and entry.entry_type = 'receipt'
        and lower(btrim(entry.reference)) = lower(:reference)
        and not exists (
            select 1 from account_ledger as reversal
            where reversal.tenant_id = entry.tenant_id and reversal.reverses_entry_id = entry.ledger_entry_id
        )
    order by entry.ledger_entry_id
    limit 1
"""


def _refuse_repeated_reference(conn, booking_id: int, reference: str | None) -> None:
    """One cheque or transfer is one receipt: a reference already on a live receipt of the
    booking is probably the same payment entered twice (a reversed one may be reused)."""
    if reference is None:
        return
    earlier = conn.execute(
        sa.text(_RECEIPT_WITH_REFERENCE), {"booking_id": booking_id, "reference": reference}
    ).one_or_none()
    if earlier is not None:
        raise ValidationError(
            {
                "reference": f"Receipt #{earlier.ledger_entry_id} of {rupees(earlier.amount)} on "
                f"{day_words(earlier.entry_date)} already has reference {earlier.reference}."
            }
        )


def _lock_booking(conn, booking_id: int):
    """The booking's row, locked until the transaction ends (None when there is no such booking).

    Every ledger write and the cancellation lock this one row first, so they run one after the
    other on an account: two receipts with one reference, a receipt and a cancellation. The
    later one reads (read committed: a new statement after the lock) what the earlier committed."""
    return conn.execute(
        sa.text("select customer_id, status, cancelled_at from bookings where booking_id = :booking_id for update"),
        {"booking_id": booking_id},
    ).one_or_none()


def _refuse_closed_account(booking, field: str) -> None:
    """A cancelled booking's account was settled by its cancellation; nothing is added or reversed after."""
    if booking.status == "cancelled":
        # cancelled_at is set by every cancellation; an imported one may lack it.
        when = f" on {day_words(booking.cancelled_at.astimezone(IST).date())}" if booking.cancelled_at else ""
        raise ValidationError({field: f"This booking was cancelled{when}; its account is closed."})


def _existing(conn, idempotency_key: str):
    return conn.execute(
        sa.text(
            "select ledger_entry_id, booking_id, entry_type, amount, entry_date, reverses_entry_id, created_by "
            "from account_ledger where idempotency_key = :key"
        ),
        {"key": idempotency_key},
    ).one_or_none()


def _replayed(existing, expected: dict, user_id: int) -> Written:
    """What this user's earlier submission of the same form wrote; a key another user's entry
    holds is refused (replaying it would tell this user that their form saved someone else's)."""
    if existing is None:  # the key is taken, but by a row this transaction cannot see
        raise ValidationError({"idempotency_key": "This form was already submitted; reload it."})
    if existing.created_by != user_id:
        raise ValidationError({"idempotency_key": KEY_USED_BY_SOMEONE_ELSE})
    same = all(getattr(existing, field) == value for field, value in expected.items())
    require({} if same else {"idempotency_key": "This form was already submitted with other values; reload it."})
    return Written(existing.ledger_entry_id, is_new=False)


def add_entry(
    tenant_id: int,
    user_id: int,
    *,
    booking_id: int,
    entry_type: str,
    amount: Any,
    entry_date: dt.date,
    idempotency_key: str,
    due_date: dt.date | None = None,
    payment_mode: str | None = None,
    reference: str | None = None,
    notes: str | None = None,
) -> Written:
    """Add a demand, receipt, credit note or debit note to a booking's account.

    A receipt whose reference is already on a live receipt of the booking is refused, naming
    that receipt; a resubmitted form replays first."""
    texts = {"reference": reference, "notes": notes}
    value, reference, notes = _validate(entry_type, amount, entry_date, due_date, payment_mode, texts, idempotency_key)
    expected = {"booking_id": booking_id, "entry_type": entry_type, "amount": value, "entry_date": entry_date}
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, user_id, Action.LEDGER_ADD)
        booking = _lock_booking(conn, booking_id)
        require({} if booking else {"booking_id": "There is no such booking."})
        customer_id = booking.customer_id
        if (existing := _existing(conn, idempotency_key)) is not None:
            return _replayed(existing, expected, user_id)
        _refuse_closed_account(booking, "booking_id")
        if entry_type == "receipt":
            _refuse_repeated_reference(conn, booking_id, reference)
        row = {
            "tenant_id": tenant_id,
            "customer_id": customer_id,
            "booking_id": booking_id,
            "entry_date": entry_date,
            "due_date": due_date if entry_type == "demand" else None,
            "entry_type": entry_type,
            "side": ENTRY_SIDE[entry_type],
            "amount": value,
            "payment_mode": payment_mode if entry_type == "receipt" else None,
            "reference": reference,
            "notes": notes,
            "idempotency_key": idempotency_key,
            "created_by": user_id,
        }
        new_id = conn.execute(
            sa.text(
                """
                insert into account_ledger (tenant_id, customer_id, booking_id, entry_date, due_date, entry_type, side,
                    amount, payment_mode, reference, notes, idempotency_key, created_by)
                values (:tenant_id, :customer_id, :booking_id, :entry_date, :due_date, :entry_type, :side, :amount,
                    :payment_mode, :reference, :notes, :idempotency_key, :created_by)
                on conflict (tenant_id, idempotency_key) do nothing
                returning ledger_entry_id
                """
            ),
            row,
        ).scalar()
        if new_id is None:  # a resubmission: the first one won
            return _replayed(_existing(conn, idempotency_key), expected, user_id)
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action=f"ledger.{entry_type}",
            table_name="account_ledger",
            row_key={"ledger_entry_id": new_id},
            after=row,
        )
    reports.data_changed(tenant_id)
    return Written(new_id, is_new=True)


def reverse_entry(
    tenant_id: int,
    user_id: int,
    *,
    ledger_entry_id: int,
    reason: str,
    entry_date: dt.date,
    idempotency_key: str,
) -> Written:
    """Cancel an entry with an opposite entry of the same amount; an entry is reversed at most once."""
    errors: dict[str, str] = {}
    reason = check_text(reason, "reason", errors, max_length=NOTES_MAX, multiline=True)
    if reason is None and "reason" not in errors:
        errors["reason"] = "Say why the entry is reversed."
    check_day(entry_date, "entry_date", errors)
    if not idempotency_key:
        errors["idempotency_key"] = "Missing form key; reload the page."
    require(errors)
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, user_id, Action.LEDGER_REVERSE)
        original = conn.execute(
            sa.text(
                "select ledger_entry_id, customer_id, booking_id, entry_type, side, amount "
                "from account_ledger where ledger_entry_id = :id"
            ),
            {"id": ledger_entry_id},
        ).one_or_none()
        require({} if original else {"ledger_entry_id": "There is no such entry."})
        booking = _lock_booking(conn, original.booking_id)
        if (existing := _existing(conn, idempotency_key)) is not None:
            return _replayed(existing, {"reverses_entry_id": ledger_entry_id}, user_id)
        _refuse_closed_account(booking, "ledger_entry_id")
        require({"ledger_entry_id": "A reversal cannot be reversed."} if original.entry_type == "reversal" else {})
        row = {
            "tenant_id": tenant_id,
            "customer_id": original.customer_id,
            "booking_id": original.booking_id,
            "entry_date": entry_date,
            "entry_type": "reversal",
            "side": "credit" if original.side == "debit" else "debit",
            "amount": original.amount,
            "reverses_entry_id": ledger_entry_id,
            "notes": reason,
            "idempotency_key": idempotency_key,
            "created_by": user_id,
        }
        # Either unique constraint (the key, or one reversal per entry) turns a second writer away.
        new_id = conn.execute(
            sa.text(
                """
                insert into account_ledger (tenant_id, customer_id, booking_id, entry_date, entry_type, side, amount,
                    reverses_entry_id, notes, idempotency_key, created_by)
                values (:tenant_id, :customer_id, :booking_id, :entry_date, :entry_type, :side, :amount,
                    :reverses_entry_id, :notes, :idempotency_key, :created_by)
                on conflict do nothing
                returning ledger_entry_id
                """
            ),
            row,
        ).scalar()
        if new_id is None:
            existing = _existing(conn, idempotency_key)
            if existing is not None:
                return _replayed(existing, {"reverses_entry_id": ledger_entry_id}, user_id)
            raise ValidationError({"ledger_entry_id": "This entry has already been reversed."})
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="ledger.reversal",
            table_name="account_ledger",
            row_key={"ledger_entry_id": new_id},
            after=row,
        )
    reports.data_changed(tenant_id)
    return Written(new_id, is_new=True)
