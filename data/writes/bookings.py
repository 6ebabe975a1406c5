"""Booking a unit and cancelling a booking: each one transaction that keeps the unit, the lead,
its milestones and the customer's account in step.

Two people booking the same unit at once: the unit row is locked first, so the second waits,
then finds it booked and is told so; the partial unique index on live bookings per unit is
the last line if anything ever skips the lock. Both writes replay an earlier submission of
the same form (its idempotency key) by the same user instead of writing twice; a key another
user's booking or cancellation holds is refused.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from data import db, reports
from data.domain.filters import IST, today_in_india
from data.domain.payment_plans import PLANS
from data.domain.permissions import Action, authorise
from data.domain.rules import (
    NOTES_MAX,
    PRICE_DEVIATION_LIMIT,
    check_day,
    check_payment,
    check_text,
    parse_money,
    rupees,
)
from data.domain.validation import NeedsConfirmation, ValidationError, require
from data.domain.vocabulary import TAKEN_UNIT_STATUSES
from data.writes import audit
from data.writes.activity import insert_milestone
from data.writes.common import (
    Saved,
    check_key,
    check_lead_chosen,
    constraint_name,
    now,
    replayed,
    visible_lead,
)

UNIT_TAKEN = "This unit was just booked by someone else; choose another unit."


def moment_on(day: dt.date, not_before: dt.datetime) -> dt.datetime:
    """A timestamp for something dated ``day``: now if it is today, else midday; never before ``not_before``."""
    moment = now() if day == today_in_india() else dt.datetime.combine(day, dt.time(12), IST)
    return max(moment, not_before)


def _refuse_unusual_price(unit, value: Decimal, reason: str | None) -> None:
    """An agreement value far from the unit's list price is a typo more often than a deal: ask
    for the reason before booking at it."""
    if reason is not None or not unit.list_price or unit.list_price <= 0:
        return
    deviation = (value - unit.list_price) / unit.list_price
    if abs(deviation) <= PRICE_DEVIATION_LIMIT:
        return
    percent = abs(deviation) * 100
    shown = f"{percent:.0f}" if percent >= 100 or percent == percent.to_integral_value() else f"{percent:.1f}"
    direction = "below" if deviation < 0 else "above"
    raise NeedsConfirmation(
        {
            "agreement_value": f"{rupees(value)} is {shown} % {direction} the list price {rupees(unit.list_price)}. "
            "Give the reason to book at this price."
        }
    )


def _lock_unit(conn, unit_id: int | None):
    unit = None
    if unit_id is not None:
        unit = conn.execute(
            sa.text(
                """
                select unit_id, project_id, unit_number, unit_type, status, hold_expires_at, list_price,
                    leadline_hold_expired(status, hold_expires_at) as hold_expired
                from units where unit_id = :unit_id and deleted_at is null
                for update
                """
            ),
            {"unit_id": unit_id},
        ).one_or_none()
    require({} if unit else {"unit_id": "Choose a unit."})
    return unit


def _check_available(unit) -> None:
    # unit.hold_expired is leadline_hold_expired()'s answer (sql/functions), as the inventory says.
    if unit.status in TAKEN_UNIT_STATUSES:
        raise ValidationError({"unit_id": UNIT_TAKEN})
    if unit.status == "blocked" and not unit.hold_expired:
        raise ValidationError({"unit_id": "This unit is on hold for another buyer; choose another unit."})


def _customer_for(conn, tenant_id: int, user_id: int, lead) -> int:
    customer_id = conn.execute(
        sa.text("select customer_id from customers where lead_id = :lead_id"), {"lead_id": lead.lead_id}
    ).scalar()
    if customer_id is None:
        customer_id = conn.execute(
            sa.text(
                """
                insert into customers (tenant_id, lead_id, name, phone, email, created_by)
                values (:tenant_id, :lead_id, :name, :phone, :email, :user_id)
                returning customer_id
                """
            ),
            {
                "tenant_id": tenant_id,
                "lead_id": lead.lead_id,
                "name": lead.name,
                "phone": lead.phone,
                "email": lead.email,
                "user_id": user_id,
            },
        ).scalar_one()
    return customer_id


_LEDGER_COLUMNS = (
    "tenant_id",
    "customer_id",
    "booking_id",
    "entry_date",
    "due_date",
    "entry_type",
    "side",
    "amount",
    "payment_mode",
    "reference",
    "notes",
    "created_by",
)


def _ledger_entries(conn, booking: dict, user_id: int, entries: list[dict[str, Any]]) -> None:
    """Insert the entries, in order, as one statement."""
    defaults = {"due_date": None, "payment_mode": None, "reference": None, "notes": None}
    rows = [
        {
            "tenant_id": booking["tenant_id"],
            "customer_id": booking["customer_id"],
            "booking_id": booking["booking_id"],
            "created_by": user_id,
            **defaults,
            **entry,
        }
        for entry in entries
    ]
    ledger = sa.table("account_ledger", *(sa.column(name) for name in _LEDGER_COLUMNS))
    conn.execute(sa.insert(ledger).values(rows))


_BOOKING_BY_KEY = (
    "select booking_id as row_id, lead_id, created_by as written_by from bookings where idempotency_key = :key"
)
# Who cancelled is who recorded the cancellation's milestone (bookings keep no cancelled_by).
_CANCELLATION_BY_KEY = """
    select
        bookings.booking_id as row_id,
        bookings.lead_id,
        (
            select lead_milestones.recorded_by
            from lead_milestones
            where lead_milestones.tenant_id = bookings.tenant_id
                and lead_milestones.lead_id = bookings.lead_id
                and lead_milestones.milestone_type = 'cancellation'
                and lead_milestones.metadata ->> 'booking_id' = bookings.booking_id::text
            order by lead_milestones.milestone_id desc
            limit 1
        ) as written_by
    from bookings
    where bookings.cancellation_idempotency_key = :key
"""


def book_unit(
    tenant_id: int,
    user_id: int,
    *,
    lead_id: int | None,
    unit_id: int | None,
    agreement_value: Any,
    booking_amount: Any,
    booking_date: dt.date | None,
    plan_code: str,
    payment_mode: str | None,
    reference: str | None,
    idempotency_key: str,
    price_deviation_reason: str | None = None,
) -> Saved:
    """Book: customer (from the lead, if new), booking, milestone, unit booked, the plan's demands and
    the booking-amount receipt, all or nothing.

    An agreement value more than ``PRICE_DEVIATION_LIMIT`` away from the unit's list price raises
    ``NeedsConfirmation`` unless ``price_deviation_reason`` says why; the reason is kept with the
    booking and in its audit row."""
    errors: dict[str, str] = {}
    value = parse_money(agreement_value, "agreement_value", errors, allow_zero=False)
    paid = parse_money(booking_amount, "booking_amount", errors, allow_zero=False)
    if value is not None and paid is not None and paid > value:
        errors["booking_amount"] = "The booking amount cannot exceed the agreement value."
    check_day(booking_date, "booking_date", errors)
    if plan_code not in PLANS:
        errors["plan_code"] = "Choose a payment plan."
    reference = check_payment(payment_mode, reference, errors)
    price_reason = check_text(
        price_deviation_reason, "price_deviation_reason", errors, max_length=NOTES_MAX, label="reason", multiline=True
    )
    check_key(idempotency_key, errors)
    check_lead_chosen(lead_id, errors)
    require(errors)

    try:
        with db.tenant_transaction(tenant_id) as conn:
            authorise(conn, user_id, Action.BOOKING_CREATE)
            if earlier := replayed(conn, _BOOKING_BY_KEY, idempotency_key, user_id):
                return earlier
            lead = visible_lead(conn, lead_id)
            if booking_date < lead.generated_at.astimezone(IST).date():
                raise ValidationError({"booking_date": "This is before the lead was generated."})
            unit = _lock_unit(conn, unit_id)
            # The same form, saved while this call waited for the unit, has booked it: replay that.
            if earlier := replayed(conn, _BOOKING_BY_KEY, idempotency_key, user_id):
                return earlier
            _check_available(unit)
            _refuse_unusual_price(unit, value, price_reason)
            terms = {"value": value, "paid": paid, "booking_date": booking_date, "price_deviation_reason": price_reason}
            booking = _insert_booking(conn, tenant_id, user_id, lead, unit, terms, idempotency_key)
            _open_account(conn, booking, user_id, PLANS[plan_code], payment_mode, reference)
            insert_milestone(
                conn,
                tenant_id,
                user_id,
                {
                    "lead_id": lead.lead_id,
                    "milestone_type": "booking",
                    "occurred_at": moment_on(booking_date, lead.generated_at),
                    "metadata": {"booking_id": booking["booking_id"], "unit": unit.unit_number},
                },
            )
            conn.execute(
                sa.text("update units set status = 'booked', hold_expires_at = null where unit_id = :unit_id"),
                {"unit_id": unit.unit_id},
            )
            conn.execute(
                sa.text("update leads set status = 'booked', lost_reason = null where lead_id = :lead_id"),
                {"lead_id": lead.lead_id},
            )
    except sa.exc.IntegrityError as error:
        # Only reachable if a writer skipped the unit lock; the index still keeps one live booking.
        if constraint_name(error) == "index_bookings_on_tenant_id_and_unit_id_live":
            raise ValidationError({"unit_id": UNIT_TAKEN}) from error
        if constraint_name(error) == "index_bookings_on_tenant_id_and_idempotency_key":
            # The same form, saved at once for another unit: never a second booking, nor a bare error.
            raise ValidationError({"idempotency_key": "This form was already submitted; reload it."}) from error
        raise
    reports.data_changed(tenant_id)
    return Saved(booking["booking_id"], lead.lead_id, is_new=True)


def _insert_booking(conn, tenant_id, user_id, lead, unit, terms: dict, idempotency_key) -> dict:
    booking = {
        "tenant_id": tenant_id,
        "lead_id": lead.lead_id,
        "customer_id": _customer_for(conn, tenant_id, user_id, lead),
        "unit_id": unit.unit_id,
        "booking_date": terms["booking_date"],
        "agreement_value": terms["value"],
        "booking_amount": terms["paid"],
        "price_deviation_reason": terms["price_deviation_reason"],
    }
    booking["booking_id"] = conn.execute(
        sa.text(
            """
            insert into bookings (tenant_id, lead_id, customer_id, unit_id, booking_date, agreement_value,
                booking_amount, price_deviation_reason, status, created_by, idempotency_key)
            values (:tenant_id, :lead_id, :customer_id, :unit_id, :booking_date, :agreement_value, :booking_amount,
                :price_deviation_reason, 'confirmed', :user_id, :key)
            returning booking_id
            """
        ),
        {**booking, "user_id": user_id, "key": idempotency_key},
    ).scalar_one()
    audit.record(
        conn,
        tenant_id=tenant_id,
        user_id=user_id,
        action="booking.created",
        table_name="bookings",
        row_key={"booking_id": booking["booking_id"]},
        after={**booking, "unit_number": unit.unit_number, "list_price": unit.list_price},
    )
    return booking


def _open_account(conn, booking: dict, user_id: int, plan, payment_mode: str, reference: str | None) -> None:
    demands = [
        {
            "entry_date": booking["booking_date"],
            "due_date": due_date,
            "entry_type": "demand",
            "side": "debit",
            "amount": amount,
            "notes": f"{stage.name} ({stage.percent}%) — {plan.name}",
        }
        for stage, amount, due_date in plan.demands(booking["agreement_value"], booking["booking_date"])
    ]
    receipt = {
        "entry_date": booking["booking_date"],
        "entry_type": "receipt",
        "side": "credit",
        "amount": booking["booking_amount"],
        "payment_mode": payment_mode,
        "reference": reference,
        "notes": "Booking amount",
    }
    # One statement for the whole schedule: the account's kept totals refresh once, not per row.
    _ledger_entries(conn, booking, user_id, [*demands, receipt])


# Reversals netted as leadline_ledger_entries() (sql/functions) nets them for every read: a
# reversal and the entry it reverses count for nothing (counted_amount 0).
_ACCOUNT = """
    select
        coalesce(sum(entry.counted_amount) filter (where entry.entry_type = 'receipt'), 0)
            - coalesce(sum(entry.counted_amount) filter (where entry.entry_type = 'refund'), 0) as paid,
        coalesce(sum(entry.counted_amount) filter (
            where entry.entry_type in ('demand', 'debit_note', 'cancellation_charge')
        ), 0)
            - coalesce(sum(entry.counted_amount) filter (where entry.entry_type = 'credit_note'), 0) as charged
    from bookings
    cross join lateral leadline_ledger_entries(bookings.tenant_id, bookings.booking_id) as entry
    where bookings.booking_id = :booking_id
"""


def account_position(conn: sa.Connection, booking_id: int) -> tuple[Decimal, Decimal]:
    """(paid, charged) on a booking, each net of reversals: paid = receipts − refunds; charged =
    demands + debit notes + charges − credit notes. The balance is charged − paid."""
    row = conn.execute(sa.text(_ACCOUNT), {"booking_id": booking_id}).one()
    return row.paid, row.charged


def cancel_booking(
    tenant_id: int,
    user_id: int,
    *,
    booking_id: int | None,
    reason: str,
    cancellation_date: dt.date | None,
    cancellation_charge: Any,
    refund_amount: Any,
    idempotency_key: str,
    refund_mode: str | None = None,
    refund_reference: str | None = None,
) -> Saved:
    """Cancel: everything charged is credited back, the charge and the refund are debited, the unit is
    free again and the lead gets a ``cancellation`` milestone. The balance ends at charge + refund −
    paid, which is zero when the whole remainder is refunded."""
    errors: dict[str, str] = {}
    reason = check_text(reason, "reason", errors, max_length=NOTES_MAX, multiline=True)
    if reason is None and "reason" not in errors:
        errors["reason"] = "Say why the booking is cancelled."
    check_day(cancellation_date, "cancellation_date", errors)
    charge = parse_money(_zero_when_blank(cancellation_charge), "cancellation_charge", errors)
    refund = parse_money(_zero_when_blank(refund_amount), "refund_amount", errors)
    # How a refund was paid may be left out; given, it follows the rules of every payment.
    refund_reference = check_payment(
        refund_mode if refund else None,
        refund_reference,
        errors,
        mode_field="refund_mode",
        reference_field="refund_reference",
        mode_required=False,
    )
    check_key(idempotency_key, errors)
    require(errors)

    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, user_id, Action.BOOKING_CANCEL)
        if earlier := replayed(conn, _CANCELLATION_BY_KEY, idempotency_key, user_id):
            return earlier
        # Locked before the balance is read, on the row every ledger write locks first (data.writes.ledger):
        # a receipt or reversal either committed before, and is in the balance settled below, or
        # waits for this commit and then finds the account closed. Never a receipt after the settlement.
        booking = _lock_booking(conn, booking_id)
        # The same form, saved while this call waited for the booking, has cancelled it: replay that.
        if earlier := replayed(conn, _CANCELLATION_BY_KEY, idempotency_key, user_id):
            return earlier
        _check_cancellable(booking, cancellation_date)
        paid, charged = account_position(conn, booking.booking_id)
        _check_money(booking, paid, charge, refund)
        refund_paid = (refund, refund_mode, refund_reference)
        entries = _settle_account(conn, booking, user_id, cancellation_date, charged, charge, refund_paid)
        lead = conn.execute(
            sa.text("select lead_id, generated_at from leads where lead_id = :lead_id"), {"lead_id": booking.lead_id}
        ).one()
        cancelled_at = moment_on(cancellation_date, lead.generated_at)
        conn.execute(
            sa.text(
                """
                update bookings set status = 'cancelled', cancelled_at = :cancelled_at, cancellation_reason = :reason,
                    cancellation_charge = :charge, refund_amount = :refund, cancellation_idempotency_key = :key
                where booking_id = :booking_id
                """
            ),
            {
                "cancelled_at": cancelled_at,
                "reason": reason,
                "charge": charge,
                "refund": refund,
                "key": idempotency_key,
                "booking_id": booking.booking_id,
            },
        )
        _free_unit_and_lead(conn, booking)
        insert_milestone(
            conn,
            tenant_id,
            user_id,
            {
                "lead_id": booking.lead_id,
                "milestone_type": "cancellation",
                "occurred_at": cancelled_at,
                "notes": reason,
                "metadata": {"booking_id": booking.booking_id},
            },
        )
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="booking.cancelled",
            table_name="bookings",
            row_key={"booking_id": booking.booking_id},
            before={"status": booking.status},
            after={"status": "cancelled", "reason": reason, "paid": paid, **entries},
        )
    reports.data_changed(tenant_id)
    return Saved(booking.booking_id, booking.lead_id, is_new=True)


def _zero_when_blank(value: Any) -> Any:
    """A charge or refund left empty is none (but text is parsed, so "abc" is still refused)."""
    return 0 if value is None or (isinstance(value, str) and not value.strip()) else value


def _lock_booking(conn, booking_id: int | None):
    booking = None
    if booking_id is not None:
        booking = conn.execute(
            sa.text(
                """
                select tenant_id, booking_id, lead_id, customer_id, unit_id, booking_date, agreement_value, status
                from bookings where booking_id = :booking_id
                for update
                """
            ),
            {"booking_id": booking_id},
        ).one_or_none()
    require({} if booking else {"booking_id": "Choose a booking."})
    return booking


def _check_cancellable(booking, cancellation_date: dt.date) -> None:
    require({"booking_id": "This booking is already cancelled."} if booking.status == "cancelled" else {})
    if cancellation_date < booking.booking_date:
        raise ValidationError({"cancellation_date": "A booking cannot be cancelled before it was made."})


def _check_money(booking, paid: Decimal, charge: Decimal, refund: Decimal) -> None:
    errors: dict[str, str] = {}
    if charge > booking.agreement_value:
        errors["cancellation_charge"] = "The charge cannot exceed the agreement value."
    refundable = max(paid - charge, Decimal(0))
    if refund > refundable:
        errors["refund_amount"] = (
            f"The refund cannot exceed what the customer paid ({rupees(paid, paise=True)}) less the charge "
            f"({rupees(charge, paise=True)}): at most {rupees(refundable, paise=True)}."
        )
    require(errors)


def _settle_account(conn, booking, user_id, day, charged, charge, refund_paid) -> dict:
    """The cancellation's ledger entries; returns their amounts for the audit row."""
    refund, refund_mode, refund_reference = refund_paid
    entries = []
    if charged > 0:
        entries.append(
            {
                "entry_date": day,
                "entry_type": "credit_note",
                "side": "credit",
                "amount": charged,
                "notes": "Demands withdrawn on cancellation",
            }
        )
    if charge > 0:
        entries.append(
            {
                "entry_date": day,
                "entry_type": "cancellation_charge",
                "side": "debit",
                "amount": charge,
                "notes": "Cancellation charge (forfeiture)",
            }
        )
    if refund > 0:
        entries.append(
            {
                "entry_date": day,
                "entry_type": "refund",
                "side": "debit",
                "amount": refund,
                "payment_mode": refund_mode,
                "reference": refund_reference,
                "notes": "Refund on cancellation",
            }
        )
    if entries:
        _ledger_entries(conn, dict(booking._mapping), user_id, entries)
    return {"credited_back": charged, "charge": charge, "refund": refund}


def _free_unit_and_lead(conn, booking) -> None:
    conn.execute(
        sa.text(
            "update units set status = 'available', hold_expires_at = null "
            "where unit_id = :unit_id and status in ('booked', 'sold')"
        ),
        {"unit_id": booking.unit_id},
    )
    # The lead is open again unless it still holds another unit.
    conn.execute(
        sa.text(
            """
            update leads set status = 'open'
            where lead_id = :lead_id and not exists (
                select 1 from bookings
                where bookings.tenant_id = leads.tenant_id and bookings.lead_id = leads.lead_id
                    and bookings.status <> 'cancelled'
            )
            """
        ),
        {"lead_id": booking.lead_id},
    )
