"""Speed-to-lead: how fast the period's leads were first answered, in working minutes, against
their source's SLA, by rep, source, project and week; and the live breach list.

Every figure comes from ``v_lead_response`` (docs/reporting-views.md). The median and 90th
percentile are over the answered leads (``percentile_cont``, so a median of two is their mean);
``sla_rate`` is the met leads over the decided ones (met + breached): a lead still open has not
won or lost yet, so it counts in neither.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters
from data.reports._query import LEAD_FILTERS, read_frames
from data.reports.cache import cached_read

# The grouping of each table: (the columns it shows, the expression behind them, its join).
# Constants joined to constant SQL, never input.
_GROUPINGS = {
    "by_rep": (
        "owner_user_id, app_users.display_name as owner_name",
        "owner_user_id, app_users.display_name",
        "left join app_users on app_users.tenant_id = responses.tenant_id "
        "and app_users.user_id = responses.owner_user_id",
    ),
    "by_source": (
        "responses.lead_source_id, lead_sources.source, lead_sources.subsource",
        "responses.lead_source_id, lead_sources.source, lead_sources.subsource",
        "inner join lead_sources on lead_sources.tenant_id = responses.tenant_id "
        "and lead_sources.lead_source_id = responses.lead_source_id",
    ),
    "by_project": (
        "responses.project_id, projects.name as project_name",
        "responses.project_id, projects.name",
        "left join projects on projects.tenant_id = responses.tenant_id and projects.project_id = responses.project_id",
    ),
    "by_week": (
        "date_trunc('week', generated_at at time zone 'Asia/Kolkata')::date as week_start",
        "date_trunc('week', generated_at at time zone 'Asia/Kolkata')::date",
        "",
    ),
}

_FIGURES = """
        count(*) as leads,
        count(first_response_at) as answered,
        percentile_cont(0.5) within group (order by response_working_minutes) as median_working_minutes,
        percentile_cont(0.9) within group (order by response_working_minutes) as p90_working_minutes,
        count(*) filter (where sla_status = 'met') as met,
        count(*) filter (where sla_status = 'breached') as breached,
        count(*) filter (where sla_status = 'open') as open
"""

_PERIOD_RESPONSES = (
    "responses as materialized (select * from v_lead_response where cohort_month between :month_from and :month_to"
    " and " + LEAD_FILTERS + ")"
)


def _grouped(columns: str, group_by: str, join: str) -> str:
    return (
        "with "
        + _PERIOD_RESPONSES
        + " select "
        + columns
        + ","
        + _FIGURES
        + " from responses "
        + join
        + " group by "
        + group_by
        + " order by 1"
    )


_GROUPED_SQL = {name: _grouped(*grouping) for name, grouping in _GROUPINGS.items()}
# The per-rep figures, which the team scorecard reads too (the same text, so the two agree).
BY_REP_SQL = _GROUPED_SQL["by_rep"]

_TOTAL = "with " + _PERIOD_RESPONSES + " select " + _FIGURES + " from responses"

# Unanswered live leads past their SLA now, oldest first. Read from the kept table: for an
# unanswered lead, v_lead_response's "breached" is exactly now() >= sla_breach_at, and this way
# the partial index on (tenant_id, sla_breach_at) finds them without reading every lead.
_BREACHES = (
    """
    with

    responses as (
        select * from lead_response
        where is_live and first_response_at is null and sla_breach_at <= now() and """
    + LEAD_FILTERS
    + """
    )

    select
        responses.lead_id,
        leads.name,
        leads.phone,
        responses.owner_user_id,
        app_users.display_name as owner_name,
        lead_sources.source,
        lead_sources.subsource,
        projects.name as project_name,
        responses.generated_at,
        responses.sla_minutes,
        leadline_working_minutes(responses.generated_at, now(), responses.tenant_id) as working_minutes_waiting
    from responses
    inner join leads on leads.tenant_id = responses.tenant_id and leads.lead_id = responses.lead_id
    inner join lead_sources
        on lead_sources.tenant_id = responses.tenant_id and lead_sources.lead_source_id = responses.lead_source_id
    left join projects on projects.tenant_id = responses.tenant_id and projects.project_id = responses.project_id
    left join app_users on app_users.tenant_id = responses.tenant_id and app_users.user_id = responses.owner_user_id
    order by responses.generated_at, responses.lead_id
    limit :breach_limit
"""
)

BREACH_LIMIT = 500


@dataclass(frozen=True)
class SpeedToLead:
    """The period's response figures, whole and by rep, source, project and week; the breach list."""

    total: pd.DataFrame
    by_rep: pd.DataFrame
    by_source: pd.DataFrame
    by_project: pd.DataFrame
    by_week: pd.DataFrame
    breaches: pd.DataFrame


def with_sla_rate(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with sla_rate: met over decided (met + breached), NaN when none is decided."""
    decided = frame["met"] + frame["breached"]
    return frame.assign(sla_rate=frame["met"] / decided.where(decided > 0))


@cached_read
def speed_to_lead(scope: Scope | int, filters: ReportFilters) -> SpeedToLead:
    """Response figures of the leads generated in the filters' months, and the live breaches.

    ``total`` (one row) and each grouping — ``by_rep`` (owner_user_id, owner_name), ``by_source``
    (lead_source_id, source, subsource), ``by_project`` (project_id, project_name), ``by_week``
    (week_start, the Monday in India time) — have leads, answered, median_working_minutes,
    p90_working_minutes, met, breached, open, sla_rate (met / (met + breached), NaN when none is
    decided). ``breaches``: lead_id, name, phone, owner_user_id, owner_name, source, subsource,
    project_name, generated_at, sla_minutes, working_minutes_waiting — unanswered live leads past
    their SLA now, whatever their month, within the other filters; oldest first, at most
    ``BREACH_LIMIT``.
    """
    names = list(_GROUPED_SQL)
    frames = read_frames(
        scope,
        [_TOTAL, *(_GROUPED_SQL[name] for name in names), _BREACHES],
        {**filters.params(), "breach_limit": BREACH_LIMIT},
    )
    total, *grouped, breaches = frames
    by_name = {name: with_sla_rate(frame) for name, frame in zip(names, grouped, strict=True)}
    for frame in (by_name["by_rep"], breaches):
        frame["owner_user_id"] = frame["owner_user_id"].astype("Int64")
    by_name["by_project"]["project_id"] = by_name["by_project"]["project_id"].astype("Int64")
    return SpeedToLead(total=with_sla_rate(total), breaches=breaches, **by_name)
