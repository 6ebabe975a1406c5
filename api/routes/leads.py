"""Endpoints: a lead arriving (``POST /v1/leads``) and one lead read back."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from api.auth import Holder, TimelineScope
from api.errors import NOT_FOUND, REFUSALS, NotFound
from api.frames import records
from api.params import IdempotencyKey, RowId, scoped_key
from data import reports
from data.domain.vocabulary import UNIT_TYPES
from data.intake.leads import Received, receive_lead

router = APIRouter(prefix="/v1", tags=["leads"])


class LeadIn(BaseModel):
    """A lead as a portal, an ad platform or a website sends it."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Asha Rao",
                    "phone": "+91 98450 12345",
                    "email": "asha@example.com",
                    "project": "Skyline Residency",
                    "unit_type": "2BHK",
                    "budget": "8500000",
                    "source": "99acres",
                    "subsource": "Premium listing",
                    "external_ref": "99A-778812",
                    "notes": "Wants a corner unit",
                }
            ]
        },
    )

    name: str = Field(description="The person's name")
    phone: str = Field(description="A mobile number; Indian numbers may omit +91")
    email: str | None = None
    project: str | None = Field(None, description="A project's name, as set up under Inventory")
    unit_type: str | None = Field(None, description=f"One of {', '.join(UNIT_TYPES)}")
    budget: str | float | None = Field(None, description='Rupees, e.g. "8500000" or "85,00,000"')
    source: str = Field(description="A lead source's name, as set up under Lead sources (e.g. 99acres)")
    subsource: str = Field(description="The source's subsource (e.g. Premium listing)")
    campaign: str | None = Field(None, description="A campaign of that source, by name")
    owner: str | None = Field(None, description="The username of the rep or manager who gets the lead")
    generated_at: dt.datetime | None = Field(None, description="When the person enquired; now when omitted")
    external_ref: str | None = Field(
        None, description="The platform's own lead id; a second delivery with it replays the first answer"
    )
    notes: str | None = None


class LeadAnswer(BaseModel):
    """What became of a delivered lead."""

    lead_id: int
    status: Literal["created", "reengaged"] = Field(
        description="created: a new lead; reengaged: the phone is a live lead's, and the re-enquiry is recorded on it"
    )


class Lead(BaseModel):
    """One lead as the timeline shows it."""

    lead: dict[str, Any]
    next_follow_up_at: str | None


@router.post(
    "/leads",
    status_code=201,
    response_model=LeadAnswer,
    responses={200: {"model": LeadAnswer, "description": "A re-enquiry of a live lead"}, **REFUSALS},
    summary="A lead arrives",
)
def post_lead(
    body: LeadIn,
    response: Response,
    holder: Holder,
    idempotency_key: IdempotencyKey = None,
) -> LeadAnswer:
    """Create the lead, or record a re-enquiry on the live lead with the same phone (200).

    The same `external_ref` for the same source, or the same `Idempotency-Key`, replays the first
    answer (and says so in the `Leadline-Replayed` header)."""
    received = receive_lead(
        holder.tenant_id,
        holder.user_id,
        body.model_dump(exclude_unset=True),
        channel="api",
        payload=body.model_dump(mode="json", exclude_unset=True),
        idempotency_key=scoped_key(holder.api_key_id, idempotency_key),
        api_key_id=holder.api_key_id,
    )
    return answer_received(received, response)


def answer_received(received: Received, response: Response) -> LeadAnswer:
    """A delivered lead's answer: 201 for a new lead, 200 for a re-enquiry, and the first answer
    again (with ``Leadline-Replayed: true``) for a delivery seen before."""
    response.status_code = 201 if received.status == "created" else 200
    if received.is_replay:
        response.headers["Leadline-Replayed"] = "true"
    return LeadAnswer(lead_id=received.lead_id, status=received.status)


@router.get("/leads/{lead_id}", response_model=Lead, responses={**REFUSALS, **NOT_FOUND}, summary="One lead")
def get_lead(lead_id: RowId, scope: TimelineScope) -> Lead:
    """The lead: name, phone, email, status, project, source, campaign, owner, and its follow-up."""
    timeline = reports.lead_timeline(scope, lead_id)
    if timeline.lead.empty:
        raise NotFound("lead")
    follow_up = timeline.follow_up
    return Lead(lead=records(timeline.lead)[0], next_follow_up_at=None if follow_up is None else follow_up.isoformat())
