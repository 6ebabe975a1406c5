"""Importing bookings and the ledger: row by row in file order, because order is meaning here (a
unit booked, cancelled and booked again; a receipt and, later in the file, its reversal), under
the rules the forms obey — one live booking per unit, an append-only ledger, one reversal per
entry of the same amount."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from data.domain.rules import NAME_MAX, NOTES_MAX, REFERENCE_MAX, is_in_future
from data.domain.vocabulary import BOOKING_STATUSES, ENTRY_SIDE, ENTRY_TYPES
from data.imports import values
from data.imports.compare import settle_existing
from data.imports.context import Context, ParsedRow
from data.imports.spec import Column, Kind
from data.writes.bookings import moment_on
from data.writes.common import constraint_name


def _not_future_date(day: dt.date | None, column: str) -> list[tuple[str, str]]:
    if is_in_future(day):
        return [(column, "this is in the future")]
    return []


def _write_row(context: Context, row: ParsedRow, write, *args: Any) -> None:
    """Write one row (``write(*args)``) in a savepoint, so a row the checks missed is rejected, not
    the whole file."""
    try:
        with context.conn.begin_nested():
            write(*args)
    except sa.exc.IntegrityError as error:
        context.reject(row, "row", f"refused by the database ({constraint_name(error) or 'a constraint'})")
    else:
        context.result.created += 1


# Bookings ----------------------------------------------------------------------------------

_UNIT = """
    select units.unit_id, units.status
    from units
    inner join towers on towers.tenant_id = units.tenant_id and towers.tower_id = units.tower_id
    inner join projects on projects.tenant_id = units.tenant_id and projects.project_id = units.project_id
    where lower(projects.name) = lower(:project) and lower(towers.name) = lower(:tower)
        and lower(units.unit_number) = lower(:unit_number) and units.deleted_at is null
    for update of units
"""
_EXISTING_BOOKING = """
    select lead_id, unit_id, booking_date, agreement_value, booking_amount, status, cancelled_at,
        cancellation_reason, cancellation_charge, refund_amount
    from bookings
    where booking_ref = :booking_ref
"""
_LIVE_BOOKING = """
    select coalesce(booking_ref, '#' || booking_id) from bookings where unit_id = :unit_id and status <> 'cancelled'
"""


def _booking_checks(row: dict[str, Any]) -> list[tuple[str, str]]:
    problems = _not_future_date(row["booking_date"], "booking_date")
    if row["agreement_value"] <= 0:
        problems.append(("agreement_value", "the agreement value must be above zero"))
    if row["booking_amount"] and row["booking_amount"] > row["agreement_value"]:
        problems.append(("booking_amount", "the booking amount exceeds the agreement value"))
    is_cancelled = row["status"] == "cancelled"
    if is_cancelled != (row["cancelled_at"] is not None):
        problems.append(("cancelled_at", "a cancelled booking needs cancelled_at, and only a cancelled one has it"))
    elif is_cancelled and row["cancelled_at"].date() < row["booking_date"]:
        problems.append(("cancelled_at", "the booking is cancelled before it was made"))
    return problems


def _booking_values(row: ParsedRow, lead_id: int, unit_id: int) -> dict[str, Any]:
    v = row.values
    return {
        "lead_id": lead_id,
        "unit_id": unit_id,
        "booking_date": v["booking_date"],
        "agreement_value": v["agreement_value"],
        "booking_amount": v["booking_amount"] or 0,
        "status": v["status"] or "confirmed",
        "cancelled_at": v["cancelled_at"],
        "cancellation_reason": v["cancellation_reason"],
        "cancellation_charge": v["cancellation_charge"] or 0,
        "refund_amount": v["refund_amount"] or 0,
    }


def _apply_bookings(context: Context, rows: list[ParsedRow]) -> None:
    conn = context.conn
    for row in rows:
        v = row.values
        lead = conn.execute(
            sa.text("select lead_id, name, phone, email, generated_at from leads where lead_ref = :ref"),
            {"ref": v["lead_ref"]},
        ).one_or_none()
        if lead is None:
            context.reject(row, "lead_ref", f"no lead with lead_ref '{v['lead_ref']}' (import leads first)")
            continue
        unit = conn.execute(sa.text(_UNIT), {k: v[k] for k in ("project", "tower", "unit_number")}).one_or_none()
        if unit is None:
            context.reject(row, "unit_number", "no such unit (import units first)")
            continue
        wanted = _booking_values(row, lead.lead_id, unit.unit_id)
        existing = conn.execute(sa.text(_EXISTING_BOOKING), {"booking_ref": v["booking_ref"]}).one_or_none()
        if existing is not None:
            settle_existing(context, row, "booking", existing, wanted)
            continue
        if v["booking_date"] < lead.generated_at.date():
            context.reject(row, "booking_date", "this is before the lead was generated")
            continue
        taken_by = conn.execute(sa.text(_LIVE_BOOKING), {"unit_id": unit.unit_id}).scalar()
        if wanted["status"] != "cancelled" and taken_by is not None:
            context.reject(row, "unit_number", f"the unit already has a live booking ({taken_by})")
            continue
        _write_row(context, row, _book, context, lead, wanted, v["booking_ref"])


def _book(context: Context, lead, wanted: dict[str, Any], booking_ref: str) -> None:
    conn, params = context.conn, {"tenant_id": context.tenant_id, "user_id": context.user_id}
    customer_id = (
        conn.execute(
            sa.text("select customer_id from customers where lead_id = :lead_id"), {"lead_id": lead.lead_id}
        ).scalar()
        or conn.execute(
            sa.text(
                "insert into customers (tenant_id, lead_id, name, phone, email, created_by) "
                "values (:tenant_id, :lead_id, :name, :phone, :email, :user_id) returning customer_id"
            ),
            {**params, "lead_id": lead.lead_id, "name": lead.name, "phone": lead.phone, "email": lead.email},
        ).scalar_one()
    )
    booking_id = conn.execute(
        sa.text(
            """
            insert into bookings (tenant_id, booking_ref, lead_id, customer_id, unit_id, booking_date, agreement_value,
                booking_amount, status, cancelled_at, cancellation_reason, cancellation_charge, refund_amount,
                created_by)
            values (:tenant_id, :booking_ref, :lead_id, :customer_id, :unit_id, :booking_date, :agreement_value,
                :booking_amount, :status, :cancelled_at, :cancellation_reason, :cancellation_charge, :refund_amount,
                :user_id)
            returning booking_id
            """
        ),
        {**params, **wanted, "booking_ref": booking_ref, "customer_id": customer_id},
    ).scalar_one()
    events = [("booking", moment_on(wanted["booking_date"], lead.generated_at))]
    if wanted["status"] == "cancelled":
        events.append(("cancellation", wanted["cancelled_at"]))
    for milestone_type, occurred_at in events:
        conn.execute(
            sa.text(
                """
                insert into lead_milestones (tenant_id, lead_id, milestone_type, occurred_at, notes, metadata,
                    recorded_by)
                values (:tenant_id, :lead_id, :milestone_type, :occurred_at, :notes,
                    jsonb_build_object('booking_id', cast(:booking_id as bigint),
                        'booking_ref', cast(:booking_ref as text), 'imported', true),
                    :user_id)
                """
            ),
            {
                **params,
                "lead_id": lead.lead_id,
                "milestone_type": milestone_type,
                "occurred_at": occurred_at,
                "notes": wanted["cancellation_reason"] if milestone_type == "cancellation" else None,
                "booking_id": booking_id,
                "booking_ref": booking_ref,
            },
        )
    _settle_unit_and_lead(conn, wanted)


def _settle_unit_and_lead(conn: sa.Connection, booking: dict[str, Any]) -> None:
    """The unit and the lead as the bookings so far say: a live booking holds the unit (sold once
    completed); with none, a unit a booking held is available again and the lead is open."""
    conn.execute(
        sa.text(
            """
            update units set hold_expires_at = null, status = case
                when exists (select 1 from bookings where unit_id = :unit_id and status = 'completed') then 'sold'
                when exists (select 1 from bookings where unit_id = :unit_id and status <> 'cancelled') then 'booked'
                else 'available'
            end
            where unit_id = :unit_id
            """
        ),
        {"unit_id": booking["unit_id"]},
    )
    conn.execute(
        sa.text(
            """
            update leads set lost_reason = case when has_live then null else lost_reason end,
                status = case when has_live then 'booked' when status = 'booked' then 'open' else status end
            from (
                select exists (
                    select 1 from bookings where lead_id = :lead_id and status <> 'cancelled'
                ) as has_live
            ) as live
            where lead_id = :lead_id
            """
        ),
        {"lead_id": booking["lead_id"]},
    )


BOOKINGS = Kind(
    name="bookings",
    description="Bookings by booking_ref: customer, booking, its milestones, the unit's and lead's status. "
    "No ledger entries (those come from the ledger file).",
    columns=(
        Column("booking_ref", required=True),
        Column("lead_ref", required=True),
        Column("project", required=True, max_length=NAME_MAX),
        Column("tower", required=True, max_length=NAME_MAX),
        Column("unit_number", required=True),
        Column("booking_date", values.date, required=True),
        Column("agreement_value", values.amount, required=True),
        Column("booking_amount", values.amount),
        Column("status", lambda text: values.choice(text, BOOKING_STATUSES, "booking status")),
        Column("cancelled_at", values.moment),
        Column("cancellation_reason", max_length=NOTES_MAX),
        Column("cancellation_charge", values.amount),
        Column("refund_amount", values.amount),
    ),
    check=_booking_checks,
    apply=_apply_bookings,
)


# Ledger ------------------------------------------------------------------------------------

_EXISTING_ENTRY = """
    select booking_id, entry_date, entry_type, amount, due_date, reference, reverses_entry_id
    from account_ledger
    where entry_ref = :entry_ref
"""

# The entry a row reverses, and whether it has been reversed already, as
# leadline_ledger_entries() (sql/functions, the one definition of reversal netting) says.
_REVERSED = """
    select entry.ledger_entry_id, entry.booking_id, entry.entry_type, entry.side, entry.amount, entry.is_reversed
    from account_ledger as target
    cross join lateral leadline_ledger_entries(target.tenant_id, target.booking_id) as entry
    where target.entry_ref = :entry_ref and entry.ledger_entry_id = target.ledger_entry_id
"""

_INSERT_ENTRY = """
    insert into account_ledger (tenant_id, customer_id, booking_id, entry_date, due_date, entry_type, side, amount,
        reference, reverses_entry_id, entry_ref, notes, created_by)
    values (:tenant_id, :customer_id, :booking_id, :entry_date, :due_date, :entry_type, :side, :amount, :reference,
        :reverses_entry_id, :entry_ref, 'Imported', :user_id)
"""


def _entry_checks(row: dict[str, Any]) -> list[tuple[str, str]]:
    problems = _not_future_date(row["entry_date"], "entry_date")
    if row["amount"] <= 0:
        problems.append(("amount", "the amount must be above zero"))
    if row["entry_type"] == "demand" and row["due_date"] is None:
        problems.append(("due_date", "a demand needs a due date"))
    if (row["entry_type"] == "reversal") != bool(row["reverses_entry_ref"]):
        problems.append(("reverses_entry_ref", "a reversal names the entry it reverses, and only a reversal does"))
    return problems


def _reversal_target(context: Context, row: ParsedRow, booking_id: int):
    """The entry a reversal reverses, or None after rejecting the row."""
    v = row.values
    target = context.conn.execute(sa.text(_REVERSED), {"entry_ref": v["reverses_entry_ref"]}).one_or_none()
    reason = None
    if target is None:
        reason = f"no entry with entry_ref '{v['reverses_entry_ref']}' earlier in the ledger"
    elif target.entry_type == "reversal":
        reason = "a reversal cannot itself be reversed"
    elif target.is_reversed:
        reason = "that entry has already been reversed"
    elif target.booking_id != booking_id:
        reason = "that entry belongs to another booking"
    elif target.amount != v["amount"]:
        reason = f"a reversal must be of the same amount as the entry it reverses ({target.amount})"
    if reason:
        context.reject(row, "reverses_entry_ref", reason)
        return None
    return target


def _apply_ledger(context: Context, rows: list[ParsedRow]) -> None:
    conn = context.conn
    for row in rows:
        v = row.values
        booking = conn.execute(
            sa.text("select booking_id, customer_id from bookings where booking_ref = :ref"), {"ref": v["booking_ref"]}
        ).one_or_none()
        if booking is None:
            context.reject(
                row, "booking_ref", f"no booking with booking_ref '{v['booking_ref']}' (import bookings first)"
            )
            continue
        existing = conn.execute(sa.text(_EXISTING_ENTRY), {"entry_ref": v["entry_ref"]}).one_or_none()
        wanted = {
            "booking_id": booking.booking_id,
            "entry_date": v["entry_date"],
            "entry_type": v["entry_type"],
            "amount": v["amount"],
            "due_date": v["due_date"] if v["entry_type"] == "demand" else None,
            "reference": v["reference"],
        }
        if existing is not None:
            settle_existing(context, row, "entry", existing, wanted)
            continue
        side = ENTRY_SIDE.get(v["entry_type"])
        target_id = None
        if v["entry_type"] == "reversal":
            target = _reversal_target(context, row, booking.booking_id)
            if target is None:
                continue
            side, target_id = ("credit" if target.side == "debit" else "debit"), target.ledger_entry_id
        params = {
            **wanted,
            "tenant_id": context.tenant_id,
            "user_id": context.user_id,
            "customer_id": booking.customer_id,
            "side": side,
            "reverses_entry_id": target_id,
            "entry_ref": v["entry_ref"],
        }
        _write_row(context, row, conn.execute, sa.text(_INSERT_ENTRY), params)


LEDGER = Kind(
    name="ledger",
    description="Each booking's statement as it was, by entry_ref; reversals name the entry they reverse.",
    columns=(
        Column("entry_ref", required=True),
        Column("booking_ref", required=True),
        Column("entry_date", values.date, required=True),
        Column("entry_type", lambda text: values.choice(text, ENTRY_TYPES, "entry type"), required=True),
        Column("amount", values.amount, required=True),
        Column("due_date", values.date),
        Column("reference", max_length=REFERENCE_MAX),
        Column("reverses_entry_ref"),
    ),
    check=_entry_checks,
    apply=_apply_ledger,
)
