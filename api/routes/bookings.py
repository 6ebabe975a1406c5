"""Endpoints: booking a unit with its payment plan and cancelling a booking, as the Book unit and
Cancel booking forms do, and the list of bookings."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Holder, LedgerScope
from api.errors import NOT_FOUND, REFUSALS
from api.frames import exact_money
from api.paging import CSV_RESPONSE, Cursor, Limit, Page, page
from api.params import MAX_ID, IdempotencyKey, RowId
from api.writes import REPLAYED, not_found, write_once
from data import reports
from data.db import Scope
from data.domain.filters import today_in_india
from data.domain.payment_plans import PLANS
from data.domain.rules import NOTES_MAX
from data.domain.vocabulary import BOOKING_STATUSES, PAYMENT_MODES
from data.writes import bookings

router = APIRouter(prefix="/v1", tags=["bookings"])

MONEY = 'Rupees, as text or a number: "8500000", "85,00,000" or 8500000.50'
PAYMENT_MODE = f"one of {', '.join(PAYMENT_MODES)}"
REFERENCE = "The cheque or transaction number; needed unless the mode is cash"


class BookingIn(BaseModel):
    """A unit booked for a lead, as the Book unit form books it: the customer (from the lead), the
    booking, the plan's demands and the booking-amount receipt, all or nothing."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "lead_id": 101,
                    "unit_id": 7,
                    "agreement_value": "85,00,000",
                    "booking_amount": "8,50,000",
                    "booking_date": "2026-11-30",
                    "plan_code": next(iter(PLANS)),
                    "payment_mode": "neft",
                    "reference": "UTR2611300001",
                }
            ]
        },
    )

    lead_id: int = Field(ge=1, le=MAX_ID, description="The lead who books")
    unit_id: int = Field(ge=1, le=MAX_ID, description="An available unit")
    agreement_value: str | float | None = Field(description=MONEY)
    booking_amount: str | float | None = Field(description=f"What was paid on booking. {MONEY}")
    booking_date: dt.date | None = Field(None, description="Today (India) when omitted")
    plan_code: str = Field(description=f"The payment plan: one of {', '.join(PLANS)}")
    payment_mode: str | None = Field(description=f"How the booking amount was paid: {PAYMENT_MODE}")
    reference: str | None = Field(None, description=REFERENCE)
    price_deviation_reason: str | None = Field(
        None,
        description="Why the agreement value is far from the list price; asked for (422 on agreement_value) "
        f"when it is more than 25 % away. Up to {NOTES_MAX:,} characters",
    )


class BookingSaved(BaseModel):
    """The booking made (on a replay, the one the first request made)."""

    booking_id: int
    lead_id: int


class CancellationIn(BaseModel):
    """A booking cancelled, as the Cancel booking form cancels it: everything charged is credited
    back, the charge and the refund are debited, the unit is free again."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "reason": "Loan rejected",
                    "cancellation_date": "2026-11-30",
                    "cancellation_charge": "1,00,000",
                    "refund_amount": "4,00,000",
                    "refund_mode": "neft",
                    "refund_reference": "UTR2611300002",
                }
            ]
        },
    )

    reason: str = Field(description=f"Why the booking is cancelled; up to {NOTES_MAX:,} characters, stored as sent")
    cancellation_date: dt.date | None = Field(None, description="Today (India) when omitted")
    cancellation_charge: str | float | None = Field(None, description=f"Forfeited; none when omitted. {MONEY}")
    refund_amount: str | float | None = Field(
        None, description=f"At most what was paid less the charge; none when omitted. {MONEY}"
    )
    refund_mode: str | None = Field(None, description=f"How the refund was paid: {PAYMENT_MODE}")
    refund_reference: str | None = Field(None, description=REFERENCE)


class CancellationSaved(BaseModel):
    """The booking cancelled (on a replay, by the first request)."""

    booking_id: int
    lead_id: int
    status: Literal["cancelled"] = "cancelled"


@router.post(
    "/bookings",
    status_code=201,
    response_model=BookingSaved,
    responses={200: {"model": BookingSaved, **REPLAYED}, **REFUSALS},
    summary="Book a unit",
)
def post_booking(
    body: BookingIn, response: Response, holder: Holder, idempotency_key: IdempotencyKey = None
) -> BookingSaved:
    """Book the unit for the lead with the payment plan's demands and the booking-amount receipt.

    An unknown lead or unit, or a unit no longer available, is 422 on `lead_id` or `unit_id`. The
    same `Idempotency-Key` again answers 200 with the first answer and writes nothing (header
    `Leadline-Replayed: true`); without one, every request is new."""
    fields = body.model_dump()
    fields["booking_date"] = fields["booking_date"] or today_in_india()
    saved = write_once(bookings.book_unit, holder, idempotency_key, response, **fields)
    return BookingSaved(booking_id=saved.row_id, lead_id=saved.lead_id)


def booking_exists(scope: Scope, booking_id: int) -> bool:
    """Whether the scope sees the booking (cancelled or not)."""
    return not reports.booking_list(scope, booking_id=booking_id).empty


@router.post(
    "/bookings/{booking_id}/cancellation",
    status_code=201,
    response_model=CancellationSaved,
    responses={200: {"model": CancellationSaved, **REPLAYED}, **REFUSALS, **NOT_FOUND},
    summary="Cancel a booking",
)
def post_cancellation(
    booking_id: RowId,
    body: CancellationIn,
    response: Response,
    holder: Holder,
    idempotency_key: IdempotencyKey = None,
) -> CancellationSaved:
    """Cancel the booking and settle its account; a booking already cancelled is 422 on `booking_id`.

    The same `Idempotency-Key` again answers 200 with the first answer and writes nothing
    (header `Leadline-Replayed: true`); without one, every request is new."""
    fields = body.model_dump()
    fields["cancellation_date"] = fields["cancellation_date"] or today_in_india()
    scope = Scope(tenant_id=holder.tenant_id)
    with not_found("booking_id", "booking", lambda: booking_exists(scope, booking_id)):
        saved = write_once(bookings.cancel_booking, holder, idempotency_key, response, booking_id=booking_id, **fields)
    return CancellationSaved(booking_id=saved.row_id, lead_id=saved.lead_id)


@router.get(
    "/bookings",
    response_model=Page,
    responses={**CSV_RESPONSE, **REFUSALS},
    summary="Bookings",
)
def get_bookings(
    scope: LedgerScope,
    request: Request,
    project: Annotated[str | None, Query(description="The booked unit's project, by name (any case)")] = None,
    source: Annotated[str | None, Query(description="The lead's source, by name")] = None,
    subsource: Annotated[str | None, Query(description="The lead's subsource, by name")] = None,
    campaign: Annotated[str | None, Query(description="The lead's campaign, by name")] = None,
    owner: Annotated[str | None, Query(description="The lead's owner, by username")] = None,
    status: Annotated[str | None, Query(description=f"One of {', '.join(BOOKING_STATUSES)}")] = None,
    booked_from: Annotated[dt.date | None, Query(description="Booked on or after this date")] = None,
    booked_to: Annotated[dt.date | None, Query(description="Booked on or before this date")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
):
    """The bookings the filters select, cancelled ones included, newest first: booking_id, lead_id,
    customer_name, phone, project_name, tower_name, unit_number, unit_type, booking_date,
    agreement_value, booking_amount, status, cancelled_at, source, subsource, campaign_name,
    owner_username, owner_name, created_at. A name nobody has selects nothing."""
    frame = reports.booking_list(
        scope,
        project=project,
        source=source,
        subsource=subsource,
        campaign=campaign,
        owner=owner,
        status=status,
        booked_from=booked_from,
        booked_to=booked_to,
    )
    return page(request, exact_money(frame, "agreement_value", "booking_amount"), limit, cursor, "bookings")


@router.get("/units", response_model=Page, responses={**CSV_RESPONSE, **REFUSALS}, summary="Units that can be booked")
def get_units(
    scope: LedgerScope,
    request: Request,
    project: Annotated[str | None, Query(description="The unit's project, by name (any case)")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
):
    """The units a booking may take now (available, or blocked with an expired hold), as the Book
    unit form offers them: unit_id, project_id, project_name, tower_name, floor, unit_number,
    unit_type, carpet_area_sqft, list_price."""
    frame = reports.available_units(scope)
    if project is not None:
        frame = frame[frame["project_name"].str.casefold() == project.strip().casefold()]
    return page(request, exact_money(frame, "list_price"), limit, cursor, "units")
