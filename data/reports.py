"""Report reads: one function per screen's question, each returning what its docstring names.

Every read runs as the app role inside a tenant transaction and reads only the reporting
views, so a screen and a BI tool see the same definitions. Rates are computed here after
summing counts, never by averaging rates. Reads are cached per tenant and filter set;
writes clear what they affect (``clear_report_caches``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
import streamlit as st

from data import db
from data.filters import ReportFilters

CACHE_TTL_SECONDS = 300


@dataclass(frozen=True)
class Overview:
    """Headline figures for a filter set and the monthly trend behind them.

    ``totals`` has one row: leads, contacted, site_visited, revisited, booked, cancelled,
    net_booked, contacted_rate, lead_to_booking_rate. ``trend`` has one row per cohort month:
    cohort_month, leads, site_visited, booked.
    """

    totals: pd.DataFrame
    trend: pd.DataFrame

    @property
    def is_empty(self) -> bool:
        return self.trend.empty or int(self.totals.at[0, "leads"]) == 0


def _read(tenant_id: int, sql: str, params: dict) -> pd.DataFrame:
    with db.tenant_transaction(tenant_id) as conn:
        return pd.read_sql(sa.text(sql), conn, params=params)


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def overview(tenant_id: int, filters: ReportFilters) -> Overview:
    """Headline funnel figures and the monthly trend for the filters (see ``Overview``)."""
    trend = _read(
        tenant_id,
        """
        select
            cohort_month,
            sum(leads)::bigint as leads,
            sum(contacted)::bigint as contacted,
            sum(site_visited)::bigint as site_visited,
            sum(revisited)::bigint as revisited,
            sum(booked)::bigint as booked,
            sum(cancelled)::bigint as cancelled,
            sum(net_booked)::bigint as net_booked
        from v_lead_funnel_analysis
        where cohort_month between :month_from and :month_to
            and (cast(:project_id as bigint) is null or project_id = :project_id)
            and (cast(:source as text) is null or source = :source)
            and (cast(:subsource as text) is null or subsource = :subsource)
            and (cast(:campaign_id as bigint) is null or campaign_id = :campaign_id)
            and (cast(:owner_user_id as bigint) is null or owner_user_id = :owner_user_id)
        group by cohort_month
        order by cohort_month
        """,
        filters.params(),
    )
    counts = ["leads", "contacted", "site_visited", "revisited", "booked", "cancelled", "net_booked"]
    totals = trend[counts].sum().to_frame().T.astype("int64")
    leads = totals.at[0, "leads"]
    totals["contacted_rate"] = totals["contacted"] / leads if leads else float("nan")
    totals["lead_to_booking_rate"] = totals["net_booked"] / leads if leads else float("nan")
    return Overview(totals=totals, trend=trend[["cohort_month", "leads", "site_visited", "booked"]])


def clear_report_caches() -> None:
    """Forget every cached report read (after a write, or in tests)."""
    overview.clear()
