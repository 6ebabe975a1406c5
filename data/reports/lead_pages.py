"""The lead list: the leads a person may see, newest first, with where they stand."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters
from data.reports._query import FILTERED_LEADS_CTE, read_frame
from data.reports.cache import cached_read

PAGE_SIZE = 500

_LEADS = (
    """
    with """
    + FILTERED_LEADS_CTE
    + """
    select
        leads.lead_id, leads.name, leads.phone, projects.name as project_name, lead_sources.source,
        lead_sources.subsource, campaigns.name as campaign_name, app_users.display_name as owner_name,
        leads.owner_user_id, leads.status, leads.generated_at, filtered_leads.has_contacted,
        filtered_leads.has_site_visit, filtered_leads.has_live_booking, count(*) over () as total_leads
    from filtered_leads
    inner join leads
        on leads.tenant_id = filtered_leads.tenant_id and leads.lead_id = filtered_leads.lead_id
    inner join lead_sources
        on lead_sources.tenant_id = leads.tenant_id and lead_sources.lead_source_id = leads.lead_source_id
    left join projects on projects.tenant_id = leads.tenant_id and projects.project_id = leads.project_id
    left join campaigns on campaigns.tenant_id = leads.tenant_id and campaigns.campaign_id = leads.campaign_id
    left join app_users on app_users.tenant_id = leads.tenant_id and app_users.user_id = leads.owner_user_id
    where filtered_leads.cohort_month between :month_from and :month_to
    order by leads.generated_at desc, leads.lead_id desc
    limit :limit offset :offset
    """
)


@dataclass(frozen=True)
class LeadPage:
    """One page of the leads a scope may see, newest first, and how many there are in all.

    ``rows``: lead_id, name, phone, project_name, source, subsource, campaign_name, owner_name,
    owner_user_id, status, generated_at, has_contacted, has_site_visit, has_live_booking.
    """

    rows: pd.DataFrame
    total_leads: int
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        """How many pages the leads fill (at least one)."""
        return max(1, -(-self.total_leads // self.page_size))


@cached_read
def lead_list(scope: Scope | int, filters: ReportFilters, page: int = 1) -> LeadPage:
    """A page of PAGE_SIZE leads the scope may see, newest first; past the end, the first page."""
    params = {**filters.params(), "limit": PAGE_SIZE}
    frame = read_frame(scope, _LEADS, {**params, "offset": (page - 1) * PAGE_SIZE})
    if frame.empty and page > 1:
        page = 1
        frame = read_frame(scope, _LEADS, {**params, "offset": 0})
    total = 0 if frame.empty else int(frame["total_leads"].iloc[0])
    return LeadPage(rows=frame.drop(columns="total_leads"), total_leads=total, page=page, page_size=PAGE_SIZE)
