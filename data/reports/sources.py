"""Sources: what each source and subsource brought in for what it cost."""

from __future__ import annotations

import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters
from data.reports._query import read_frame
from data.reports.cache import cached_read

# Spend belongs to sources and projects, not to reps or single leads, so this read takes the
# period, project and source filters; campaign and owner do not apply (the page says so).
_SOURCES = """
    select
        source,
        subsource,
        sum(leads)::bigint as leads,
        sum(qualified)::bigint as qualified,
        sum(site_visited)::bigint as site_visited,
        sum(booked)::bigint as booked,
        sum(net_booked)::bigint as net_booked,
        sum(net_booking_value) as net_booking_value,
        sum(spend) as spend
    from v_lead_source_performance
    where cohort_month between :month_from and :month_to
        and (cast(:project_id as bigint) is null or project_id = :project_id)
        and (cast(:source as text) is null or source = :source)
        and (cast(:subsource as text) is null or subsource = :subsource)
    group by source, subsource
    order by source, subsource
"""


def _ratio(numerator: pd.Series, denominator: pd.Series) -> pd.Series:
    return numerator / denominator.where(denominator > 0)


@cached_read
def source_performance(scope: Scope | int, filters: ReportFilters) -> pd.DataFrame:
    """One row per source and subsource.

    Columns: source, subsource, leads, qualified, site_visited, booked, net_booked,
    net_booking_value, spend, cost_per_lead, cost_per_site_visit, site_visit_rate,
    cost_per_booking (per net booking), lead_to_booking_rate (net bookings per lead). The costs
    are None where no spend is recorded (or nothing to divide by).
    """
    frame = read_frame(scope, _SOURCES, filters.params())
    # A source with no spend recorded has no cost (None, shown as "—"), not a cost of ₹0.
    spent = frame["spend"].where(frame["spend"] > 0)
    return frame.assign(
        cost_per_lead=_ratio(spent, frame["leads"]),
        cost_per_site_visit=_ratio(spent, frame["site_visited"]),
        site_visit_rate=_ratio(frame["site_visited"], frame["leads"]),
        cost_per_booking=_ratio(spent, frame["net_booked"]),
        lead_to_booking_rate=_ratio(frame["net_booked"], frame["leads"]),
    )
