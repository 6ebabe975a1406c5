"""Funnel: how far the period's leads got, month by month, and how long each step took."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data.db import Scope
from data.filters import ReportFilters
from data.reports._query import CACHE_TTL_SECONDS, FILTERED_LEADS_CTE, LEAD_FILTERS, read_frame

STAGES = (
    ("leads", "Leads"),
    ("contacted", "Contacted"),
    ("qualified", "Qualified"),
    ("site_visited", "Site visit"),
    ("revisited", "Revisit"),
    ("booked", "Booked"),
    ("net_booked", "Net booked"),
)

_COHORTS = (
    """
    select
        cohort_month,
        sum(leads)::bigint as leads,
        sum(contacted)::bigint as contacted,
        sum(qualified)::bigint as qualified,
        sum(site_visited)::bigint as site_visited,
        sum(revisited)::bigint as revisited,
        sum(booked)::bigint as booked,
        sum(cancelled)::bigint as cancelled,
        sum(net_booked)::bigint as net_booked
    from v_lead_funnel_analysis
    where cohort_month between :month_from and :month_to and """
    + LEAD_FILTERS
    + """
    group by cohort_month
    order by cohort_month
    """
)

# Quartiles and whiskers computed in the database, so a box plot needs a handful of numbers
# per source rather than one row per lead.
_LAGS = (
    """
    with

    """
    + FILTERED_LEADS_CTE
    + """,

    lead_lags as (
        select
            lead_sources.source,
            leadline_date(filtered_leads.first_site_visit_at) - leadline_date(filtered_leads.generated_at)
                as days_to_first_visit,
            filtered_leads.first_booking_date - leadline_date(filtered_leads.first_site_visit_at)
                as days_visit_to_booking
        from filtered_leads
        inner join lead_sources
            on lead_sources.tenant_id = filtered_leads.tenant_id
            and lead_sources.lead_source_id = filtered_leads.lead_source_id
        where filtered_leads.cohort_month between :month_from and :month_to
    ),

    lags_by_step as (
        select source, 'Lead → first site visit' as step, days_to_first_visit as days
        from lead_lags where days_to_first_visit is not null
        union all
        select source, 'First site visit → booking' as step, days_visit_to_booking as days
        from lead_lags where days_visit_to_booking is not null
    )

    select
        step,
        source,
        count(*) as leads,
        min(days) as minimum,
        percentile_cont(0.25) within group (order by days) as q1,
        percentile_cont(0.5) within group (order by days) as median,
        percentile_cont(0.75) within group (order by days) as q3,
        max(days) as maximum,
        avg(days) as mean
    from lags_by_step
    group by step, source
    order by step desc, source
    """
)


@dataclass(frozen=True)
class Funnel:
    """The funnel of the period's leads.

    ``stages``: stage, label, leads, from_top (share of leads), from_previous (share of the
    stage before). ``cohorts``: per cohort_month the stage counts and contacted_rate,
    visit_rate, booking_rate, net_booking_rate. ``lags``: per step and source the lead count,
    minimum, q1, median, q3, maximum and mean days.
    """

    stages: pd.DataFrame
    cohorts: pd.DataFrame
    lags: pd.DataFrame

    @property
    def is_empty(self) -> bool:
        return self.cohorts.empty


def _stages(cohorts: pd.DataFrame) -> pd.DataFrame:
    totals = [int(cohorts[column].sum()) for column, _ in STAGES]
    top = totals[0]
    return pd.DataFrame(
        {
            "stage": [column for column, _ in STAGES],
            "label": [label for _, label in STAGES],
            "leads": totals,
            "from_top": [count / top if top else None for count in totals],
            "from_previous": [None]
            + [count / before if before else None for before, count in itertools.pairwise(totals)],
        }
    )


def _with_rates(cohorts: pd.DataFrame) -> pd.DataFrame:
    leads = cohorts["leads"].where(cohorts["leads"] > 0)
    return cohorts.assign(
        contacted_rate=cohorts["contacted"] / leads,
        visit_rate=cohorts["site_visited"] / leads,
        booking_rate=cohorts["booked"] / leads,
        net_booking_rate=cohorts["net_booked"] / leads,
    )


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def funnel(scope: Scope | int, filters: ReportFilters) -> Funnel:
    """Stage totals, the monthly cohort table and the step lags for the filters."""
    params = filters.params()
    cohorts = read_frame(scope, _COHORTS, params)
    return Funnel(stages=_stages(cohorts), cohorts=_with_rates(cohorts), lags=read_frame(scope, _LAGS, params))
