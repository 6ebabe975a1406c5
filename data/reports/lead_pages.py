"""The lead list: the leads a person may see, newest first, with where they stand.

Narrowed to a stage (``REACHED_STAGES``), it lists the leads behind a funnel, source or campaign
figure: the same filters and the same flags of v_lead_facts those reports count, so a figure and
its list agree (tests/test_drill_down.py holds them equal).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters
from data.domain.validation import require
from data.domain.vocabulary import REACHED_STAGE, REACHED_STAGES
from data.reports._query import FILTERED_LEADS_CTE, read_frame
from data.reports.cache import cached_read

PAGE_SIZE = 500

# Each stage's flag in v_lead_facts, as the funnel's rollup counts it (lead_month_rollup_add).
STAGE_FLAGS = {
    "contacted": "has_contacted",
    "qualified": "has_qualified",
    "reengaged": "has_reengaged",
    "site_visited": "has_site_visit",
    "revisited": "has_revisit",
    "booked": "has_booking",
    "cancelled": "has_cancelled_booking",
    "net_booked": "has_live_booking",
}

# The stage as a bound parameter: each branch names a constant flag, never a value.
_REACHED = (
    "case cast(:stage as text) "
    + " ".join(f"when '{stage}' then filtered_leads.{flag}" for stage, flag in STAGE_FLAGS.items())
    + " else true end"
)

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
        and """
    + _REACHED
    + """
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
def lead_list(scope: Scope | int, filters: ReportFilters, page: int = 1, stage: str = "leads") -> LeadPage:
    """A page of PAGE_SIZE leads the scope may see, newest first; past the end, the first page.

    ``stage`` (one of ``REACHED_STAGES``) keeps the leads that reached it; "leads" keeps all.
    Another value raises ``ValidationError({"stage": …})``."""
    if stage not in REACHED_STAGES:
        require({"stage": "Choose one of " + ", ".join(REACHED_STAGE.values()) + "."})
    params = {**filters.params(), "stage": stage, "limit": PAGE_SIZE}
    frame = read_frame(scope, _LEADS, {**params, "offset": (page - 1) * PAGE_SIZE})
    if frame.empty and page > 1:
        page = 1
        frame = read_frame(scope, _LEADS, {**params, "offset": 0})
    total = 0 if frame.empty else int(frame["total_leads"].iloc[0])
    return LeadPage(rows=frame.drop(columns="total_leads"), total_leads=total, page=page, page_size=PAGE_SIZE)
