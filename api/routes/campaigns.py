"""Endpoints: campaigns set up and their spend recorded, as the Campaigns setup screen does, and the
list of campaigns with their figures.

Neither write takes an idempotency key in the data layer yet: a campaign's name is unique, so a
repeated ``POST /v1/campaigns`` is refused (422 on ``name``), but a repeated spend is recorded
twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import pandas as pd
from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from api.auth import AnalysisScope, Holder
from api.errors import NOT_FOUND, REFUSALS, NotFound
from api.frames import exact_money
from api.paging import CSV_RESPONSE, Cursor, Limit, Page, page
from api.params import IdempotencyKey, RowId, scoped_key
from api.routes.bookings import MONEY
from data import reports
from data.db import Scope
from data.domain.filters import today_in_india
from data.domain.rules import NAME_MAX, SHORT_TEXT_MAX, check_text
from data.domain.validation import require
from data.domain.vocabulary import CAMPAIGN_STATUSES
from data.writes import catalog

router = APIRouter(prefix="/v1", tags=["campaigns"])

# The list's columns that are rupees (the rest are counts and ratios).
MONEY_COLUMNS = (
    "budget",
    "spend",
    "net_booking_value",
    "cost_per_lead",
    "cost_per_site_visit",
    "cost_per_booking",
)


class CampaignIn(BaseModel):
    """A campaign that buys leads from one source (and optionally for one project)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Diwali portal push",
                    "campaign_type": "Portal listing",
                    "channel": "99acres",
                    "source": "Online Portal",
                    "subsource": "99acres",
                    "project": "Skyline Residency",
                    "budget": "5,00,000",
                    "start_date": "2026-10-15",
                    "end_date": "2026-11-15",
                }
            ]
        },
    )

    name: str = Field(description=f"Unique among the tenant's campaigns; up to {NAME_MAX} characters, stored as sent")
    campaign_type: str = Field(description="e.g. Paid social, Portal listing, Event")
    channel: str = Field(description="e.g. Facebook, Google, 99acres")
    source: str = Field(description="The lead source's name, as set up under Lead sources (any case)")
    subsource: str = Field(description="The source's subsource (any case)")
    project: str | None = Field(None, description="A project's name (any case); every project when omitted")
    budget: str | float | None = Field(description=MONEY)
    start_date: dt.date | None = Field(None, description="Today (India) when omitted")
    end_date: dt.date | None = Field(None, description="Open-ended when omitted")
    status: str = Field("active", description=f"One of {', '.join(CAMPAIGN_STATUSES)}")


class CampaignSaved(BaseModel):
    """The campaign added."""

    campaign_id: int


class SpendIn(BaseModel):
    """Money spent on the campaign on one day."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"spend_date": "2026-11-30", "amount": 25000}]}
    )

    spend_date: dt.date | None = Field(None, description="Today (India) when omitted; never in the future")
    amount: str | float | None = Field(description=MONEY)


class SpendSaved(BaseModel):
    """The spend recorded."""

    campaign_spend_id: int
    campaign_id: int


def _named(frame: pd.DataFrame, **names: str) -> pd.DataFrame:
    """The rows whose columns hold these names, in any case."""
    for column, name in names.items():
        frame = frame[frame[column].str.lower() == name.lower()]
    return frame


def _ids(scope: Scope, body: CampaignIn) -> tuple[int, int | None]:
    """The ids of the campaign's source and project, or every name's message."""
    errors: dict[str, str] = {}
    source = check_text(body.source, "source", errors, max_length=SHORT_TEXT_MAX, required=True)
    subsource = check_text(body.subsource, "subsource", errors, max_length=SHORT_TEXT_MAX, required=True)
    project = check_text(body.project, "project", errors, max_length=NAME_MAX)
    require(errors)
    options = reports.filter_options(scope)
    sources = _named(options.sources, source=source, subsource=subsource)
    projects = _named(options.projects, name=project) if project else None
    if sources.empty:
        errors["source"] = f"There is no lead source {source} / {subsource}; an admin adds it under Lead sources."
    if projects is not None and projects.empty:
        errors["project"] = f"There is no project {project}."
    require(errors)
    return int(sources["lead_source_id"].iloc[0]), None if projects is None else int(projects["project_id"].iloc[0])


@router.post(
    "/campaigns", status_code=201, response_model=CampaignSaved, responses={**REFUSALS}, summary="Add a campaign"
)
def post_campaign(body: CampaignIn, holder: Holder) -> CampaignSaved:
    """Add the campaign. A name the tenant already has is 422 on `name`, so sending the same
    campaign twice adds it once."""
    lead_source_id, project_id = _ids(Scope(tenant_id=holder.tenant_id), body)
    fields = body.model_dump(exclude={"source", "subsource", "project"})
    fields["start_date"] = fields["start_date"] or today_in_india()
    campaign_id = catalog.add_campaign(
        holder.tenant_id, holder.user_id, lead_source_id=lead_source_id, project_id=project_id, **fields
    )
    return CampaignSaved(campaign_id=campaign_id)


@router.post(
    "/campaigns/{campaign_id}/spend",
    status_code=201,
    response_model=SpendSaved,
    responses={**REFUSALS, **NOT_FOUND},
    summary="Record campaign spend",
)
def post_spend(campaign_id: RowId, body: SpendIn, holder: Holder, idempotency_key: IdempotencyKey = None) -> SpendSaved:
    """Record the spend, so its cost counts in the period it was spent in. Send an
    `Idempotency-Key` to make a retry safe: the same key records the spend once and answers the
    same; without one, every request records spend."""
    campaigns = reports.filter_options(Scope(tenant_id=holder.tenant_id)).campaigns
    if campaign_id not in set(campaigns["campaign_id"]):
        raise NotFound("campaign")
    spend_date = body.spend_date or today_in_india()
    spend_id = catalog.add_spend(
        holder.tenant_id,
        holder.user_id,
        campaign_id,
        spend_date,
        body.amount,
        idempotency_key=scoped_key(holder.api_key_id, idempotency_key),
    )
    return SpendSaved(campaign_spend_id=spend_id, campaign_id=campaign_id)


@router.get("/campaigns", response_model=Page, responses={**CSV_RESPONSE, **REFUSALS}, summary="Campaigns")
def get_campaigns(
    scope: AnalysisScope,
    request: Request,
    project: Annotated[str | None, Query(description="The campaign's project, by name (any case)")] = None,
    source: Annotated[str | None, Query(description="The campaign's source, by name")] = None,
    subsource: Annotated[str | None, Query(description="The campaign's subsource, by name")] = None,
    status: Annotated[str | None, Query(description=f"One of {', '.join(CAMPAIGN_STATUSES)}")] = None,
    limit: Limit = 100,
    cursor: Cursor = None,
):
    """Every live campaign the filters select, latest start first (campaigns not yet started too),
    with its figures over its whole life: campaign_id, campaign_name, campaign_type, channel,
    source, subsource, project_name, status, start_date, end_date, budget, spend,
    budget_utilisation, leads, site_visited, booked, cancelled, net_booked, net_booking_value,
    cost_per_lead, cost_per_site_visit, cost_per_booking, roi. A name nobody has selects nothing."""
    frame = reports.campaign_list(scope, project=project, source=source, subsource=subsource, status=status)
    return page(request, exact_money(frame, *MONEY_COLUMNS), limit, cursor, "campaigns")
