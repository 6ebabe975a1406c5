"""Endpoints: the dashboard's reports, and one lead's timeline and engagement figures.

Each report is one path operation calling the read its screen calls (``data.reports``), with the
screen's filters as query parameters, by name as a person reads them (``?project=Alpha Towers``),
resolved to ids from the filter bar's own options. Only the filters a report applies are its
parameters; another filter given is refused by name rather than silently ignored, and a name that
names nothing is refused rather than answered with an empty report.

A report of several tables answers one of them at a time, chosen by ``part``, so that every answer
is one table: a page of rows (``limit``, ``cursor``) with ``as_of``, or the same rows as CSV with
formulas defused when the client sends ``Accept: text/csv``. Figures are the read's own values:
the API converts none of them.
"""

from __future__ import annotations

import datetime as dt
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

import pandas as pd
from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.auth import AnalysisScope, FunnelScope, LedgerScope, TimelineScope
from api.errors import NOT_FOUND, REFUSALS, NotFound
from api.paging import CSV_RESPONSE, Cursor, Limit, Page, as_of, cursor_offset, page, page_at
from api.params import RowId
from data import reports
from data.db import Scope
from data.domain.filters import REPORT_FILTERS, ReportFilters, add_months, first_of_month, today_in_india
from data.domain.rules import SHORT_TEXT_MAX
from data.domain.validation import require
from data.domain.vocabulary import DIRECTIONS, ENGAGEMENT_STATUSES, ENGAGEMENT_TYPES, OUTCOMES
from data.reports.ledger import PAGE_SIZE as LEDGER_PAGE_SIZE
from data.reports.ledger import LedgerSummary

router = APIRouter(prefix="/v1", tags=["reports"])

DEFAULT_LIMIT = 100
# The period the screens show when none is picked: the twelve months up to this one
# (ui/filter_bar.py, ``ReportFilters.last_months(12, today)``).
DEFAULT_MONTHS = 12
_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")
# A period's previous period (the overview compares with it) and the month after its end must still
# be dates, in Python and in PostgreSQL: years outside these are refused rather than failing later.
FIRST_YEAR, LAST_YEAR = 1900, 2999

# The refusals and the CSV a report may answer, for the OpenAPI document.
REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {**CSV_RESPONSE, **REFUSALS}


# Filters ---------------------------------------------------------------------------------

_Name = Annotated[str | None, Query(max_length=SHORT_TEXT_MAX)]

# Every filter the screens offer, as a query parameter (the text of a name, as given).
FILTERS: dict[str, Any] = {
    "period_from": Annotated[
        str | None,
        Query(
            description="The first cohort month, YYYY-MM; when left out, twelve months up to period_to",
            examples=["2026-01"],
        ),
    ],
    "period_to": Annotated[
        str | None,
        Query(description="The last cohort month, YYYY-MM; this month when left out", examples=["2026-12"]),
    ],
    "project": Annotated[_Name, Query(description="A project's name, as the filter bar lists it")],
    "source": Annotated[_Name, Query(description="A lead source's name (e.g. Online Portal)")],
    "subsource": Annotated[_Name, Query(description="A subsource of that source (e.g. 99acres); needs source")],
    "campaign": Annotated[_Name, Query(description="A campaign's name (of the source, when one is given)")],
    "owner": Annotated[_Name, Query(description="The display name of the rep or manager who owns the leads")],
}
ALL_FILTERS = tuple(FILTERS)
DIMENSIONS = ("project", "source", "subsource", "campaign", "owner")


@dataclass(frozen=True)
class FilterNames:
    """The filters a request gave, as text (blank is left out); None for a filter not given."""

    period_from: str | None = None
    period_to: str | None = None
    project: str | None = None
    source: str | None = None
    subsource: str | None = None
    campaign: str | None = None
    owner: str | None = None


def filters_taken(*names: str, why: str = "") -> Callable[..., FilterNames]:
    """A dependency for a report that applies only the filters ``names``: those are its query
    parameters (so the OpenAPI document lists just them), and any other filter given is refused
    (422, with ``why``) instead of being ignored."""

    def given(request: Request, **values: str | None) -> FilterNames:
        require({name: why for name in FILTERS if name not in names and name in request.query_params})
        return FilterNames(**{name: (value or "").strip() or None for name, value in values.items()})

    # FastAPI reads a dependency's parameters from its signature: this one's are the report's filters.
    keyword = inspect.Parameter.KEYWORD_ONLY
    given.__signature__ = inspect.Signature(
        [inspect.Parameter("request", keyword, annotation=Request)]
        + [inspect.Parameter(name, keyword, default=None, annotation=FILTERS[name]) for name in names]
    )
    return given


def _month(text: str | None, field: str, errors: dict[str, str]) -> dt.date | None:
    """The first day of a YYYY-MM month, or None (with a message for ``field`` when it is not one)."""
    if text is None:
        return None
    match = _MONTH.fullmatch(text)
    if match is None:
        errors[field] = "Give a month as YYYY-MM, e.g. 2026-01."
    elif not 1 <= int(match[2]) <= 12:
        errors[field] = f"There is no month {match[2]}: give 01 to 12, e.g. 2026-01."
    elif not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
        errors[field] = f"Give a month from {FIRST_YEAR}-01 to {LAST_YEAR}-12."
    else:
        return dt.date(int(match[1]), int(match[2]), 1)
    return None


def _period(given: FilterNames, errors: dict[str, str]) -> tuple[dt.date, dt.date]:
    """The cohort months from..to; left out, the twelve months up to period_to (or this month)."""
    month_to = _month(given.period_to, "period_to", errors) or first_of_month(today_in_india())
    month_from = _month(given.period_from, "period_from", errors) or add_months(month_to, 1 - DEFAULT_MONTHS)
    if month_from > month_to and not errors:
        errors["period_from"] = "The period starts after it ends: give a period_from no later than period_to."
    return month_from, month_to


def _named(frame: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    """The rows whose ``column`` is the name: as written, else ignoring capitals."""
    exact = frame[frame[column] == name]
    if not exact.empty:
        return exact
    return frame[frame[column].map(str.casefold) == name.casefold()]


def _pick(frame: pd.DataFrame, column: str, name: str | None, field: str, errors: dict[str, str]) -> Any:
    """The one row of ``frame`` the name names; None (with a message for ``field``) when none or several do."""
    if name is None:
        return None
    rows = _named(frame, column, name)
    if len(rows) == 1:
        return rows.iloc[0]
    if rows.empty:
        errors[field] = f"There is no {field} named {name}."
    elif (rows[column] == name).all():  # display names need not be unique
        errors[field] = f"More than one {field} is named {name}; this filter cannot tell them apart."
    else:
        errors[field] = f"More than one {field} is named {name} but for capitals; write its capitals as they are."
    return None


def _dimensions(scope: Scope, given: FilterNames, errors: dict[str, str]) -> dict[str, Any]:
    """The ids and names the report SQL takes for the named project, source, campaign and owner,
    found among the filter bar's options (live rows only, as the screens offer them)."""
    options = reports.filter_options(scope)
    project = _pick(options.projects, "name", given.project, "project", errors)
    source = _pick(options.sources.drop_duplicates("source"), "source", given.source, "source", errors)
    subsource = None
    if given.subsource is not None and given.source is None:
        errors["subsource"] = "Give the source too: a subsource is one of a source's."
    elif source is not None:
        of_source = options.sources[options.sources["source"] == source["source"]]
        subsource = _pick(of_source, "subsource", given.subsource, "subsource", errors)
    campaign = _pick(options.campaigns, "name", given.campaign, "campaign", errors)
    # As the filter bar, which offers only the campaigns of the source (and subsource) picked.
    if campaign is not None and (
        (source is not None and campaign["source"] != source["source"])
        or (subsource is not None and campaign["subsource"] != subsource["subsource"])
    ):
        errors["campaign"] = (
            f"The campaign {campaign['name']} is one of {campaign['source']} / {campaign['subsource']}, "
            "not of the source given."
        )
        campaign = None
    owner = _pick(options.owners, "display_name", given.owner, "owner", errors)
    return {
        "project_id": None if project is None else int(project["project_id"]),
        "source": None if source is None else source["source"],
        "subsource": None if subsource is None else subsource["subsource"],
        "campaign_id": None if campaign is None else int(campaign["campaign_id"]),
        "owner_user_id": None if owner is None else int(owner["user_id"]),
    }


def report_filters(scope: Scope, given: FilterNames) -> ReportFilters:
    """The ``ReportFilters`` the names select, as the screens' filter bar builds them; 422 with a
    message for each parameter that names no month, project, source, campaign or owner."""
    errors: dict[str, str] = {}
    month_from, month_to = _period(given, errors)
    named = any(getattr(given, name) is not None for name in DIMENSIONS)
    dimensions = _dimensions(scope, given, errors) if named else {}
    require(errors)
    return ReportFilters(month_from=month_from, month_to=month_to, **dimensions)


# Which filters each report applies: its read's SQL takes no other. The list is
# data.domain.filters.REPORT_FILTERS, which the screens' filter bar shows too; the period is
# two parameters here.
PERIOD = ("period_from", "period_to")


def _parameters(report: str) -> tuple[str, ...]:
    """The query parameters of the filters ``report`` applies."""
    return tuple(name for taken in REPORT_FILTERS[report] for name in (PERIOD if taken == "period" else (taken,)))


EveryFilter = Annotated[FilterNames, Depends(filters_taken(*ALL_FILTERS))]
SourceFilters = Annotated[
    FilterNames,
    Depends(
        filters_taken(
            *_parameters("source_performance"),
            why="Spend belongs to sources and projects: source performance takes no campaign or owner.",
        )
    ),
]
CampaignFilters = Annotated[
    FilterNames,
    Depends(
        filters_taken(
            *_parameters("campaign_performance"),
            why="A campaign belongs to a source and a project, not to an owner: this report takes no owner.",
        )
    ),
]
BookingFilters = Annotated[
    FilterNames,
    Depends(
        filters_taken(
            *_parameters("bookings"),
            why="Bookings are counted by booking date and project: this report takes the period and project.",
        )
    ),
]
InventoryFilters = Annotated[
    FilterNames,
    Depends(
        filters_taken(
            *_parameters("unit_inventory"),
            why="Inventory is counted as of now, by project: this report takes project.",
        )
    ),
]
LedgerFilters = Annotated[
    FilterNames,
    Depends(
        filters_taken(
            *_parameters("customer_ledger"),
            why="Balances are as of today: the customer ledger takes no period.",
        )
    ),
]


# Reports ---------------------------------------------------------------------------------


@router.get("/reports/overview", response_model=Page, responses=REPORT_RESPONSES, summary="Overview")
def overview_report(
    request: Request,
    scope: AnalysisScope,
    given: EveryFilter,
    part: Annotated[Literal["kpis", "trend"], Query(description="Which table: the figures or the trend")] = "kpis",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page | Response:
    """The Overview screen: the period's headline figures beside the previous period's, and the trend.

    `part=kpis` (the default): one row per figure (leads, contacted_rate, site_visited, revisited,
    booked, cancelled, net_booking_value, collections, outstanding, lead_to_booking_rate,
    average_days_to_booking) with `current` and `previous`; the previous period is as many months
    just before. Counts are of the leads generated in the period (cohorts); collections are receipts
    dated in it; outstanding is what customers owed at its end. `part=trend`: per cohort_month the
    leads, site_visited and booked. Every filter applies."""
    report = reports.overview(scope, report_filters(scope, given), today_in_india())
    # Each part is named as the read's attribute holding that table.
    return page(request, getattr(report, part), limit, cursor, f"overview-{part}")


@router.get("/reports/funnel", response_model=Page, responses=REPORT_RESPONSES, summary="Funnel")
def funnel_report(
    request: Request,
    scope: FunnelScope,
    given: EveryFilter,
    part: Annotated[
        Literal["cohorts", "stages", "lags"], Query(description="Which table: cohort months, stage totals or lags")
    ] = "cohorts",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page | Response:
    """The Funnel screen: how far the period's leads got, month by month, and how long each step took.

    `part=cohorts` (the default): per cohort_month the leads, contacted, qualified, site_visited,
    revisited, booked, cancelled and net_booked, with contacted_rate, visit_rate, booking_rate and
    net_booking_rate. `part=stages`: per stage (leads … net_booked) its label, leads, from_top
    (share of the leads), with_previous (of them, the leads that reached the stage before too),
    is_nested, step_conversion (with_previous over the stage before's leads), from_previous (share
    of the stage before, only where nested, else null) and without_previous. `part=lags`: per step and
    source the leads, minimum, q1, median, q3, maximum and mean days. Every filter applies."""
    report = reports.funnel(scope, report_filters(scope, given))
    return page(request, getattr(report, part), limit, cursor, f"funnel-{part}")


@router.get("/reports/speed-to-lead", response_model=Page, responses=REPORT_RESPONSES, summary="Speed to lead")
def speed_to_lead_report(
    request: Request,
    scope: AnalysisScope,
    given: EveryFilter,
    part: Annotated[
        Literal["total", "by_rep", "by_source", "by_project", "by_week", "breaches"],
        Query(description="Which table: the period's figures, one grouping of them, or the live breaches"),
    ] = "total",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page | Response:
    """The Speed-to-lead screen: how fast the period's leads were first answered, in working minutes,
    against their source's SLA (definitions: `v_lead_response` in docs/reporting-views.md).

    `part=total` (the default): one row of leads, answered, median_working_minutes,
    p90_working_minutes, met, breached, open and sla_rate (met over met + breached; null when none is
    decided). `part=by_rep` (owner_user_id, owner_name), `by_source` (lead_source_id, source,
    subsource), `by_project` (project_id, project_name) and `by_week` (week_start, the Monday in
    India time): the same figures per group. `part=breaches`: the unanswered live leads past their
    SLA now, oldest first, whatever their month (the other filters apply): lead_id, name, phone,
    owner_user_id, owner_name, source, subsource, project_name, generated_at, sla_minutes,
    working_minutes_waiting. Every filter applies."""
    report = reports.speed_to_lead(scope, report_filters(scope, given))
    return page(request, getattr(report, part), limit, cursor, f"speed-to-lead-{part}")


@router.get("/reports/team-scorecard", response_model=Page, responses=REPORT_RESPONSES, summary="Team scorecard")
def team_scorecard_report(
    request: Request,
    scope: AnalysisScope,
    given: EveryFilter,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page | Response:
    """The Team scorecard screen: one row per rep for the period's leads.

    Columns: owner_user_id and rep_name (null for the leads nobody owns), leads, answered, met,
    breached, sla_rate, median_working_minutes (speed to lead's), calls_logged and visits_logged
    (by whoever logged them, dated in the months), site_visited, revisited, booked, cancelled,
    net_booked (the funnel's), lead_to_booking_rate (net_booked / leads) and overdue_follow_ups
    (now, whatever the months). Every active rep has a row unless an owner is chosen. Every filter
    applies (docs/reporting-views.md, "Team scorecard")."""
    report = reports.scorecard(scope, report_filters(scope, given))
    return page(request, report, limit, cursor, "team-scorecard")


@router.get("/reports/source-performance", response_model=Page, responses=REPORT_RESPONSES, summary="Sources")
def source_performance_report(
    request: Request,
    scope: AnalysisScope,
    given: SourceFilters,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page | Response:
    """The Sources screen: one row per source and subsource of the period's leads.

    Columns: source, subsource, leads, qualified, site_visited, booked, net_booked,
    net_booking_value, spend, cost_per_lead, cost_per_site_visit, site_visit_rate, cost_per_booking
    (per net booking) and lead_to_booking_rate (net bookings per lead). Spend belongs to sources and
    projects, so the campaign and owner filters do not apply (and are refused)."""
    report = reports.source_performance(scope, report_filters(scope, given))
    return page(request, report, limit, cursor, "source-performance")


@router.get("/reports/campaign-performance", response_model=Page, responses=REPORT_RESPONSES, summary="Campaigns")
def campaign_performance_report(
    request: Request,
    scope: AnalysisScope,
    given: CampaignFilters,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page | Response:
    """The Campaigns screen: each campaign that ran at any time in the period, with figures over its life.

    Columns as v_campaign_performance: campaign_id, campaign_name, campaign_type, channel, source,
    subsource, project_name, status, start_date, end_date, budget, spend, budget_utilisation, leads,
    site_visited, booked, cancelled, net_booked, net_booking_value, cost_per_lead,
    cost_per_site_visit, cost_per_booking, roi; most spend first. Cancelled bookings are taken out
    of bookings, value and ROI. The owner filter does not apply (and is refused)."""
    report = reports.campaign_performance(scope, report_filters(scope, given), today_in_india())
    return page(request, report, limit, cursor, "campaign-performance")


@router.get("/reports/bookings", response_model=Page, responses=REPORT_RESPONSES, summary="Bookings")
def bookings_report(
    request: Request,
    scope: AnalysisScope,
    given: BookingFilters,
    part: Annotated[
        Literal["by_month", "by_status", "by_project"], Query(description="Which table: by month, status or project")
    ] = "by_month",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page | Response:
    """The Bookings & inventory screen's bookings: those dated in the period (by booking month).

    `part=by_month` (the default): booking_month, bookings, later_cancelled. `part=by_status`:
    status, bookings, agreement_value. `part=by_project`: project_name, agreement_value (of live
    bookings), received_amount, refunded_amount. The period and project filters apply; the others
    are refused."""
    report = reports.bookings_and_inventory(scope, report_filters(scope, given), today_in_india())
    return page(request, getattr(report, part), limit, cursor, f"bookings-{part}")


@router.get("/reports/unit-inventory", response_model=Page, responses=REPORT_RESPONSES, summary="Unit inventory")
def unit_inventory_report(
    request: Request,
    scope: AnalysisScope,
    given: InventoryFilters,
    part: Annotated[
        Literal["inventory", "absorption"], Query(description="Which table: units by state, or absorption")
    ] = "inventory",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page | Response:
    """The Bookings & inventory screen's units, as of now.

    `part=inventory` (the default): per project, tower and unit type the total_units, available,
    blocked, booked, sold and available_value. `part=absorption`: per project and unit type the
    available units, available_value, units_booked_recently (live bookings in the last three full
    months), absorption_per_month and months_of_inventory. Only the project filter applies."""
    report = reports.bookings_and_inventory(scope, report_filters(scope, given), today_in_india())
    return page(request, getattr(report, part), limit, cursor, f"unit-inventory-{part}")


@router.get("/reports/customer-ledger", response_model=Page, responses=REPORT_RESPONSES, summary="Customer ledger")
def customer_ledger_report(
    request: Request,
    scope: LedgerScope,
    given: LedgerFilters,
    part: Annotated[
        Literal["accounts", "totals"], Query(description="Which table: the accounts, or their totals")
    ] = "accounts",
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
) -> Page | Response:
    """The Customer ledger screen: what each booked customer owes and how overdue it is, as of today.

    `part=accounts` (the default): one row per booking, most overdue first: booking_id,
    customer_name, phone, project_name, tower_name, unit_number, booking_date, booking_status,
    agreement_value, total_debits, total_credits, balance, overdue_amount, overdue_0_30,
    overdue_31_60, overdue_61_90, overdue_over_90 (days past due), last_receipt_date, entries.
    `part=totals`: one row over every account the filters select: accounts, outstanding (positive
    balances), overdue and the four overdue buckets. The project, source, subsource, campaign and
    owner filters apply (to the lead who booked); the period does not, and is refused."""
    filters = report_filters(scope, given)
    if part == "totals":
        totals = reports.ledger_summary(scope, filters).totals
        return page(request, pd.DataFrame([totals]), limit, cursor, "customer-ledger-totals")
    offset = cursor_offset(cursor)
    rows, total = ledger_window(lambda number: reports.ledger_summary(scope, filters, number), offset, limit)
    return page_at(request, rows, offset, limit, total, "customer-ledger-accounts")


def ledger_window(
    read_page: Callable[[int], LedgerSummary], offset: int, limit: int, page_size: int = LEDGER_PAGE_SIZE
) -> tuple[pd.DataFrame, int]:
    """The ledger's accounts ``offset`` to ``offset + limit`` and how many there are, from the
    ledger read's own pages (``read_page(n)``, ``page_size`` accounts each): the read pages its SQL,
    so the API reads the one to three pages a window touches rather than every account."""
    first = read_page(1)
    total = int(first.totals["accounts"])
    if offset >= total:  # also keeps the page number the read binds within a bigint
        return first.rows.iloc[0:0], total
    numbers = range(offset // page_size + 1, (min(offset + limit, total) - 1) // page_size + 2)
    pages = [first.rows if number == 1 else read_page(number).rows for number in numbers]
    rows = pd.concat([rows for rows in pages if not rows.empty], ignore_index=True)
    start = offset - (numbers[0] - 1) * page_size
    return rows.iloc[start : start + limit], total


# One lead ---------------------------------------------------------------------------------


def timeline_events(milestones: pd.DataFrame, engagements: pd.DataFrame) -> pd.DataFrame:
    """The lead's milestones and engagements as one table in time order (a milestone before an
    engagement of the same moment): ``kind`` ("milestone" or "engagement"), then each one's own
    columns, empty where a column is the other kind's."""
    columns = list(dict.fromkeys(["kind", "occurred_at", *milestones.columns, *engagements.columns]))
    parts = [
        # Object columns, so an id or a count stays a whole number beside the other kind's blanks.
        frame.astype(object).assign(kind=kind)
        for kind, frame in (("milestone", milestones), ("engagement", engagements))
        if not frame.empty
    ]
    if not parts:
        return pd.DataFrame(columns=columns)
    events = pd.concat(parts, ignore_index=True).sort_values("occurred_at", kind="stable", ignore_index=True)
    # reindex, not [columns]: a lead with milestones but no engagements still has every column.
    return events.reindex(columns=columns)


@router.get(
    "/leads/{lead_id}/timeline",
    response_model=Page,
    responses={**REPORT_RESPONSES, **NOT_FOUND},
    tags=["leads"],
    summary="A lead's timeline",
)
def lead_timeline(
    request: Request, lead_id: RowId, scope: TimelineScope, limit: Limit = DEFAULT_LIMIT, cursor: Cursor = None
) -> Page | Response:
    """The Lead timeline screen: the lead's milestones and its calls, messages and meetings, in time order.

    One row per event: `kind` (milestone or engagement) and `occurred_at`; a milestone's
    milestone_id, milestone_type, outcome, sequence_no, days_since_previous, days_since_generated and
    recorded_by_name; an engagement's engagement_id, engagement_type, channel, direction, status,
    duration_seconds and responded_at; either's notes and next_follow_up_at (null where a column is
    the other kind's). A milestone comes before an engagement of the same moment."""
    timeline = reports.lead_timeline(scope, lead_id)
    if timeline.lead.empty:
        raise NotFound("lead")
    events = timeline_events(timeline.milestones, timeline.engagements)
    return page(request, events, limit, cursor, f"lead-{lead_id}-timeline")


class EngagementStats(BaseModel):
    """How much contact there has been with one lead, from its calls, messages and meetings."""

    lead_id: int
    as_of: str = Field(description="When the lead's timeline was read from the database (ISO 8601, UTC)")
    engagements: int = Field(description="Calls, messages and meetings recorded, of any status")
    by_type: dict[str, int] = Field(description="Engagements per type, every type listed")
    by_direction: dict[str, int] = Field(description="Engagements inbound and outbound")
    by_status: dict[str, int] = Field(description="Engagements per status, every status listed")
    milestone_outcomes: dict[str, int] = Field(
        description="Engagements record no outcome: these are the outcomes recorded on the lead's milestones"
    )
    calls: int
    calls_answered: int = Field(description="Calls completed (not unanswered, failed or only scheduled)")
    first_contact_at: str | None = Field(description="The first completed engagement, either direction")
    last_contact_at: str | None = Field(description="The latest completed engagement, either direction")
    days_since_last_contact: int | None = Field(description="Calendar days in India from the last contact to today")


def _counts(values: pd.Series, codes: tuple[str, ...]) -> dict[str, int]:
    """How many of each code, every code of the list included."""
    counted = values.dropna().value_counts()
    return {**dict.fromkeys(codes, 0), **{str(code): int(count) for code, count in counted.items()}}


def engagement_figures(lead_id: int, milestones: pd.DataFrame, engagements: pd.DataFrame) -> EngagementStats:
    """The lead's engagement figures, counted from its timeline read.

    A contact is a completed engagement (the rule that records a lead's ``contacted`` milestone on
    its first one); an answered call is a completed call."""
    completed = engagements[engagements["status"] == "completed"]
    calls = engagements[engagements["engagement_type"] == "call"]
    first = completed["occurred_at"].min() if not completed.empty else None
    last = completed["occurred_at"].max() if not completed.empty else None
    return EngagementStats(
        lead_id=lead_id,
        as_of=as_of(),
        engagements=len(engagements),
        by_type=_counts(engagements["engagement_type"], ENGAGEMENT_TYPES),
        by_direction=_counts(engagements["direction"], DIRECTIONS),
        by_status=_counts(engagements["status"], ENGAGEMENT_STATUSES),
        milestone_outcomes=_counts(milestones["outcome"], OUTCOMES),
        calls=len(calls),
        calls_answered=int((calls["status"] == "completed").sum()),
        first_contact_at=None if first is None else first.isoformat(),
        last_contact_at=None if last is None else last.isoformat(),
        days_since_last_contact=None if last is None else (today_in_india() - last.date()).days,
    )


@router.get(
    "/leads/{lead_id}/engagement-stats",
    response_model=EngagementStats,
    responses={**REFUSALS, **NOT_FOUND},
    tags=["leads"],
    summary="A lead's engagement figures",
)
def lead_engagement_stats(lead_id: RowId, scope: TimelineScope) -> EngagementStats:
    """Counts of the lead's engagements by type, direction and status, its calls and calls answered,
    its first and last contact and the days since, and the outcomes recorded on its milestones.

    Counted from the same read as the timeline (not paged: one object)."""
    timeline = reports.lead_timeline(scope, lead_id)
    if timeline.lead.empty:
        raise NotFound("lead")
    return engagement_figures(lead_id, timeline.milestones, timeline.engagements)
