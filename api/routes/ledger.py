"""Endpoints: the customer ledger, as the Ledger entries form writes it (a demand, receipt, credit
or debit note, or the reversal of an earlier entry; never an edit) and a booking's statement."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Holder, LedgerScope
from api.errors import NOT_FOUND, REFUSALS, NotFound
from api.frames import exact_money
from api.paging import CSV_RESPONSE, Cursor, Limit, Page, page
from api.params import MAX_ID, IdempotencyKey, RowId
from api.routes.bookings import MONEY, PAYMENT_MODE, REFERENCE, booking_exists
from api.writes import REPLAYED, write_once
from data import reports
from data.domain.filters import today_in_india
from data.domain.rules import NOTES_MAX
from data.domain.validation import ValidationError, require
from data.domain.vocabulary import MANUAL_ENTRY_TYPES
from data.writes import ledger

router = APIRouter(prefix="/v1", tags=["ledger"])

# What a reversal takes; every other field belongs to a new entry.
REVERSAL_FIELDS = ("reverses_entry_id", "reason", "entry_date")


class EntryIn(BaseModel):
    """A new entry on a booking's account (`booking_id`, `entry_type`, `amount`…), or the reversal
    of an earlier entry (`reverses_entry_id`, `reason` and optionally `entry_date` only)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "booking_id": 42,
                    "entry_type": "receipt",
                    "amount": "2,50,000",
                    "entry_date": "2026-11-30",
                    "payment_mode": "cheque",
                    "reference": "004512",
                    "notes": "2nd slab",
                },
                {"reverses_entry_id": 317, "reason": "Cheque returned unpaid"},
            ]
        },
    )

    booking_id: int | None = Field(None, ge=1, le=MAX_ID, description="The booking whose account it is on")
    entry_type: str | None = Field(None, description=f"One of {', '.join(MANUAL_ENTRY_TYPES)}")
    amount: str | float | None = Field(None, description=MONEY)
    entry_date: dt.date | None = Field(None, description="Today (India) when omitted")
    due_date: dt.date | None = Field(None, description="When a demand falls due (a demand needs one)")
    payment_mode: str | None = Field(None, description=f"How a receipt was paid: {PAYMENT_MODE}")
    reference: str | None = Field(None, description=f"{REFERENCE}; any entry may carry one")
    notes: str | None = Field(None, description=f"Particulars; up to {NOTES_MAX:,} characters, stored as sent")
    reverses_entry_id: int | None = Field(None, ge=1, le=MAX_ID, description="The entry a reversal cancels")
    reason: str | None = Field(None, description=f"Why an entry is reversed; up to {NOTES_MAX:,} characters")


class EntrySaved(BaseModel):
    """The entry written (on a replay, the one the first request wrote)."""

    ledger_entry_id: int


def _check_shape(body: EntryIn) -> None:
    """A reversal carries only what a reversal takes; a new entry has no reason."""
    given = body.model_fields_set
    if body.reverses_entry_id is not None:
        extra = sorted(given - set(REVERSAL_FIELDS))
        require({field: "A reversal takes only reverses_entry_id, reason and entry_date." for field in extra})
    elif "reason" in given:
        require({"reason": "Only a reversal has a reason; give an entry's particulars as notes."})


@contextlib.contextmanager
def _named_as_sent() -> Iterator[None]:
    """The reversal form names the entry ledger_entry_id; this body names it reverses_entry_id."""
    try:
        yield
    except ValidationError as error:
        errors = {("reverses_entry_id" if f == "ledger_entry_id" else f): m for f, m in error.errors.items()}
        raise ValidationError(errors) from error


@router.post(
    "/ledger-entries",
    status_code=201,
    response_model=EntrySaved,
    responses={200: {"model": EntrySaved, **REPLAYED}, **REFUSALS},
    summary="Add a ledger entry, or reverse one",
)
def post_entry(body: EntryIn, response: Response, holder: Holder, idempotency_key: IdempotencyKey = None) -> EntrySaved:
    """Add the entry to the booking's account, or reverse an earlier entry with an opposite one of
    the same amount. An account closed by a cancellation takes neither; an entry is reversed once.

    The same `Idempotency-Key` again answers 200 with the first answer and writes nothing (header
    `Leadline-Replayed: true`), and 422 when the body differs; without one, every request is new."""
    _check_shape(body)
    entry_date = body.entry_date or today_in_india()
    if body.reverses_entry_id is not None:
        with _named_as_sent():
            written = write_once(
                ledger.reverse_entry,
                holder,
                idempotency_key,
                response,
                ledger_entry_id=body.reverses_entry_id,
                reason=body.reason,
                entry_date=entry_date,
            )
    else:
        fields = body.model_dump(exclude={"reverses_entry_id", "reason", "entry_date"})
        written = write_once(ledger.add_entry, holder, idempotency_key, response, entry_date=entry_date, **fields)
    return EntrySaved(ledger_entry_id=written.ledger_entry_id)


@router.get(
    "/bookings/{booking_id}/statement",
    response_model=Page,
    responses={**CSV_RESPONSE, **REFUSALS, **NOT_FOUND},
    summary="A booking's statement of account",
)
def get_statement(booking_id: RowId, scope: LedgerScope, request: Request, limit: Limit = 100, cursor: Cursor = None):
    """Every entry of the booking's account in date order with the running balance:
    ledger_entry_id, entry_date, description, due_date, payment_mode, reference, notes,
    debit_amount, credit_amount, running_balance, entry_type, is_reversed."""
    statement = reports.account_statement(scope, booking_id)
    if statement.empty and not booking_exists(scope, booking_id):
        raise NotFound("booking")
    statement = exact_money(statement, "debit_amount", "credit_amount", "running_balance")
    return page(request, statement, limit, cursor, f"statement-{booking_id}")
