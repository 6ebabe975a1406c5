"""The choices the filter bar offers: projects, sources, campaigns and owners of the tenant."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.reports._query import read_frame
from data.reports.cache import cached_read


@dataclass(frozen=True)
class FilterOptions:
    """``projects``: project_id, name. ``sources``: lead_source_id, source, subsource. ``campaigns``:
    campaign_id, name, lead_source_id, source, subsource. ``owners``: user_id, display_name (reps and managers
    who own leads). ``first_month``: the cohort month of the first lead the reader may see (None: no lead)."""

    projects: pd.DataFrame
    sources: pd.DataFrame
    campaigns: pd.DataFrame
    owners: pd.DataFrame
    first_month: dt.date | None = None


@cached_read
def filter_options(scope: Scope | int) -> FilterOptions:
    """Everything the filter bar can offer for the tenant, by name."""
    return FilterOptions(
        projects=read_frame(scope, "select project_id, name from projects where deleted_at is null order by name"),
        sources=read_frame(
            scope,
            "select lead_source_id, source, subsource from lead_sources where deleted_at is null "
            "order by source, subsource",
        ),
        campaigns=read_frame(
            scope,
            """
            select campaigns.campaign_id, campaigns.name, campaigns.lead_source_id, lead_sources.source,
                lead_sources.subsource
            from campaigns
            inner join lead_sources
                on lead_sources.tenant_id = campaigns.tenant_id
                and lead_sources.lead_source_id = campaigns.lead_source_id
            where campaigns.deleted_at is null
            order by campaigns.name
            """,
        ),
        owners=read_frame(
            scope,
            """
            select user_id, display_name from app_users
            where deleted_at is null and role in ('rep', 'manager')
            order by display_name
            """,
        ),
        first_month=_first_month(scope),
    )


def _first_month(scope: Scope | int) -> dt.date | None:
    first = read_frame(scope, "select min(cohort_month) as first_month from v_lead_facts")["first_month"].iloc[0]
    return None if pd.isna(first) else first
