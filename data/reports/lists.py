"""Lists of records with filters by name: the bookings, and the campaigns with their spend.

The filters name things as a person (or an API client) names them: a project, source, subsource
or campaign by its name in any case, an owner by username. A name nobody has selects nothing. A
filter that is not text a field may hold (a control character, too long) raises
``ValidationError`` with the filter's name, before any SQL; every value is a bound parameter.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data.db import Scope
from data.domain.rules import SHORT_TEXT_MAX, check_text
from data.domain.validation import require
from data.domain.vocabulary import BOOKING_STATUSES, CAMPAIGN_STATUSES
from data.reports._query import read_frame
from data.reports.cache import cached_read

# The project is the booked unit's; source, subsource, campaign and owner are the lead's.
_BOOKINGS = """
    select
        bookings.booking_id,
        bookings.lead_id,
        customers.name as customer_name,
        customers.phone,
        projects.name as project_name,
        towers.name as tower_name,
        units.unit_number,
        units.unit_type,
        bookings.booking_date,
        bookings.agreement_value,
        bookings.booking_amount,
        bookings.status,
        bookings.cancelled_at,
        lead_sources.source,
        lead_sources.subsource,
        campaigns.name as campaign_name,
        owners.username as owner_username,
        owners.display_name as owner_name,
        bookings.created_at
    from bookings
    inner join customers
        on customers.tenant_id = bookings.tenant_id and customers.customer_id = bookings.customer_id
    inner join units on units.tenant_id = bookings.tenant_id and units.unit_id = bookings.unit_id
    inner join projects on projects.tenant_id = units.tenant_id and projects.project_id = units.project_id
    inner join towers on towers.tenant_id = units.tenant_id and towers.tower_id = units.tower_id
    inner join leads on leads.tenant_id = bookings.tenant_id and leads.lead_id = bookings.lead_id
    inner join lead_sources
        on lead_sources.tenant_id = leads.tenant_id and lead_sources.lead_source_id = leads.lead_source_id
    left join campaigns on campaigns.tenant_id = leads.tenant_id and campaigns.campaign_id = leads.campaign_id
    left join app_users as owners
        on owners.tenant_id = leads.tenant_id and owners.user_id = leads.owner_user_id
    where (cast(:booking_id as bigint) is null or bookings.booking_id = :booking_id)
        and (cast(:project as text) is null or lower(projects.name) = lower(:project))
        and (cast(:source as text) is null or lower(lead_sources.source) = lower(:source))
        and (cast(:subsource as text) is null or lower(lead_sources.subsource) = lower(:subsource))
        and (cast(:campaign as text) is null or lower(campaigns.name) = lower(:campaign))
        and (cast(:owner as text) is null or owners.username = lower(:owner))
        and (cast(:status as text) is null or bookings.status = :status)
        and (cast(:booked_from as date) is null or bookings.booking_date >= :booked_from)
        and (cast(:booked_to as date) is null or bookings.booking_date <= :booked_to)
    order by bookings.booking_date desc, bookings.booking_id desc
"""

_CAMPAIGNS = """
    select
        campaign_id, campaign_name, campaign_type, channel, source, subsource, project_name, status,
        start_date, end_date, budget, spend, budget_utilisation, leads, site_visited, booked, cancelled,
        net_booked, net_booking_value, cost_per_lead, cost_per_site_visit, cost_per_booking, roi
    from v_campaign_performance
    where (cast(:project as text) is null or lower(project_name) = lower(:project))
        and (cast(:source as text) is null or lower(source) = lower(:source))
        and (cast(:subsource as text) is null or lower(subsource) = lower(:subsource))
        and (cast(:status as text) is null or status = :status)
    order by start_date desc, campaign_name, campaign_id
"""


def _names(errors: dict[str, str], **names: str | None) -> dict[str, str | None]:
    """Each name filter as text a field may hold (stripped; blank is no filter), or its message."""
    return {field: check_text(value, field, errors, max_length=SHORT_TEXT_MAX) for field, value in names.items()}


def _status(status: str | None, statuses: tuple[str, ...], errors: dict[str, str]) -> str | None:
    if status is not None and status not in statuses:
        errors["status"] = f"Choose one of {', '.join(statuses)}."
    return status


def _booking_dates(booked_from: dt.date | None, booked_to: dt.date | None, errors: dict[str, str]) -> None:
    if booked_from is not None and booked_to is not None and booked_to < booked_from:
        errors["booked_to"] = "The end date is before the start date."


@cached_read
def booking_list(
    scope: Scope | int,
    *,
    project: str | None = None,
    source: str | None = None,
    subsource: str | None = None,
    campaign: str | None = None,
    owner: str | None = None,
    status: str | None = None,
    booked_from: dt.date | None = None,
    booked_to: dt.date | None = None,
    booking_id: int | None = None,
) -> pd.DataFrame:
    """The bookings the filters select, cancelled ones included, newest first: booking_id, lead_id,
    customer_name, phone, project_name, tower_name, unit_number, unit_type, booking_date,
    agreement_value, booking_amount, status, cancelled_at, source, subsource, campaign_name,
    owner_username, owner_name, created_at.

    ``project`` is the booked unit's; ``source``, ``subsource``, ``campaign`` and ``owner`` (a
    username) the lead's; ``booked_from``..``booked_to`` bound the booking date (inclusive);
    ``booking_id`` selects one booking."""
    errors: dict[str, str] = {}
    params = _names(errors, project=project, source=source, subsource=subsource, campaign=campaign, owner=owner)
    params["status"] = _status(status, BOOKING_STATUSES, errors)
    _booking_dates(booked_from, booked_to, errors)
    require(errors)
    params.update(booked_from=booked_from, booked_to=booked_to, booking_id=booking_id)
    return read_frame(scope, _BOOKINGS, params)


@cached_read
def campaign_list(
    scope: Scope | int,
    *,
    project: str | None = None,
    source: str | None = None,
    subsource: str | None = None,
    status: str | None = None,
) -> pd.DataFrame:
    """Every live campaign the filters select, latest start first, with its figures over its
    whole life: campaign_id, campaign_name, campaign_type, channel, source, subsource,
    project_name, status, start_date, end_date, budget, spend, budget_utilisation, leads,
    site_visited, booked, cancelled, net_booked, net_booking_value, cost_per_lead,
    cost_per_site_visit, cost_per_booking, roi (as v_campaign_performance defines them).

    Unlike ``campaign_performance``, which reports the campaigns that ran in a period, this
    lists campaigns not yet started too."""
    errors: dict[str, str] = {}
    params = _names(errors, project=project, source=source, subsource=subsource)
    params["status"] = _status(status, CAMPAIGN_STATUSES, errors)
    require(errors)
    return read_frame(scope, _CAMPAIGNS, params)
