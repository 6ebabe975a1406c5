"""Campaigns: spend against cancellation-adjusted results, per campaign."""

from __future__ import annotations

import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters
from data.reports._query import period_params, read_frame
from data.reports.cache import cached_read

# A campaign is in the period when it ran at any time in it; its figures are over its life. A
# campaign with no spend recorded has no cost (null, shown as "—"), not a cost of ₹0.
_CAMPAIGNS = """
    select
        campaign_id, campaign_name, campaign_type, channel, source, subsource, project_name, status,
        start_date, end_date, budget, spend, budget_utilisation, leads, site_visited, booked, cancelled,
        net_booked, net_booking_value,
        case when spend > 0 then cost_per_lead end as cost_per_lead,
        case when spend > 0 then cost_per_site_visit end as cost_per_site_visit,
        case when spend > 0 then cost_per_booking end as cost_per_booking,
        roi
    from v_campaign_performance
    where start_date <= :period_end
        and (end_date is null or end_date >= :month_from)
        and (cast(:project_id as bigint) is null or project_id = :project_id)
        and (cast(:source as text) is null or source = :source)
        and (cast(:subsource as text) is null or subsource = :subsource)
        and (cast(:campaign_id as bigint) is null or campaign_id = :campaign_id)
    order by spend desc, campaign_name
"""


@cached_read
def campaign_performance(scope: Scope | int, filters: ReportFilters, today) -> pd.DataFrame:
    """The rows of v_campaign_performance for campaigns that ran in the period (its columns; the
    costs null where no spend is recorded)."""
    return read_frame(scope, _CAMPAIGNS, period_params(filters, today))
