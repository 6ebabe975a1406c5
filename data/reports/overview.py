"""Overview: eleven headline figures for a period, each beside the previous period's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data.db import Scope
from data.filters import ReportFilters
from data.reports._query import CACHE_TTL_SECONDS, FILTERED_LEADS_CTE, LEAD_FILTERS, period_params, read_frame

_COHORT_FIGURES = (
    """
    select
        case when cohort_month >= :month_from then 'current' else 'previous' end as period,
        count(*) as leads,
        count(*) filter (where has_contacted) as contacted,
        count(*) filter (where has_site_visit) as site_visited,
        count(*) filter (where has_revisit) as revisited,
        count(*) filter (where has_booking) as booked,
        count(*) filter (where has_cancelled_booking) as cancelled,
        count(*) filter (where has_live_booking) as net_booked,
        coalesce(sum(live_booking_value), 0) as net_booking_value,
        avg(first_booking_date - leadline_date(generated_at)) as average_days_to_booking
    from v_lead_facts
    where cohort_month between :previous_from and :month_to and """
    + LEAD_FILTERS
    + """
    group by period
    """
)

_MONEY_FIGURES = (
    """
    with

    """
    + FILTERED_LEADS_CTE
    + """,

    filtered_entries as materialized (
        select * from v_account_statement where lead_id in (select lead_id from filtered_leads)
    ),

    balances as (
        select
            booking_id,
            sum(balance_change) filter (where entry_date <= :period_end) as balance_now,
            sum(balance_change) filter (where entry_date <= :previous_end) as balance_before
        from filtered_entries
        group by booking_id
    )

    select
        (select coalesce(sum(type_amount), 0) from filtered_entries
            where effective_entry_type = 'receipt' and entry_date between :month_from and :period_end)
            as collections,
        (select coalesce(sum(type_amount), 0) from filtered_entries
            where effective_entry_type = 'receipt' and entry_date between :previous_from and :previous_end)
            as previous_collections,
        (select coalesce(sum(greatest(balance_now, 0)), 0) from balances) as outstanding,
        (select coalesce(sum(greatest(balance_before, 0)), 0) from balances) as previous_outstanding
    """
)

_TREND = (
    """
    select
        cohort_month,
        count(*) as leads,
        count(*) filter (where has_site_visit) as site_visited,
        count(*) filter (where has_booking) as booked
    from v_lead_facts
    where cohort_month between :month_from and :month_to and """
    + LEAD_FILTERS
    + """
    group by cohort_month
    order by cohort_month
    """
)

KPI_ORDER = (
    "leads",
    "contacted_rate",
    "site_visited",
    "revisited",
    "booked",
    "cancelled",
    "net_booking_value",
    "collections",
    "outstanding",
    "lead_to_booking_rate",
    "average_days_to_booking",
)


@dataclass(frozen=True)
class Overview:
    """Headline figures and the monthly trend for a filter set.

    ``kpis`` has one row per figure, in ``KPI_ORDER``: kpi, current, previous. Counts are of
    leads generated in the period (cohorts); collections are receipts dated in the period;
    outstanding is what customers owed at the period's end. Rates are after summing.
    ``trend`` has one row per cohort month: cohort_month, leads, site_visited, booked.
    """

    kpis: pd.DataFrame
    trend: pd.DataFrame

    @property
    def is_empty(self) -> bool:
        return self.trend.empty

    def value(self, kpi: str, period: str = "current"):
        """One figure, for the current or the previous period."""
        return self.kpis.set_index("kpi").at[kpi, period]


def _cohort_figures(frame: pd.DataFrame, period: str) -> dict:
    rows = frame[frame["period"] == period]
    if rows.empty:
        return {
            "leads": 0,
            "contacted": 0,
            "site_visited": 0,
            "revisited": 0,
            "booked": 0,
            "cancelled": 0,
            "net_booked": 0,
            "net_booking_value": 0.0,
            "average_days_to_booking": None,
        }
    return rows.iloc[0].to_dict()


def _rate(part, whole):
    return part / whole if whole else None


def _kpis(cohorts: dict, money: dict, prefix: str = "") -> dict:
    return {
        "leads": int(cohorts["leads"]),
        "contacted_rate": _rate(cohorts["contacted"], cohorts["leads"]),
        "site_visited": int(cohorts["site_visited"]),
        "revisited": int(cohorts["revisited"]),
        "booked": int(cohorts["booked"]),
        "cancelled": int(cohorts["cancelled"]),
        "net_booking_value": float(cohorts["net_booking_value"]),
        "collections": float(money[f"{prefix}collections"]),
        "outstanding": float(money[f"{prefix}outstanding"]),
        "lead_to_booking_rate": _rate(cohorts["net_booked"], cohorts["leads"]),
        "average_days_to_booking": None
        if pd.isna(cohorts["average_days_to_booking"])
        else float(cohorts["average_days_to_booking"]),
    }


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def overview(scope: Scope | int, filters: ReportFilters, today: dt.date) -> Overview:
    """The eleven headline figures, this period and the previous one, and the monthly trend."""
    params = period_params(filters, today)
    cohorts = read_frame(scope, _COHORT_FIGURES, params)
    money = read_frame(scope, _MONEY_FIGURES, params).iloc[0].to_dict()
    current = _kpis(_cohort_figures(cohorts, "current"), money)
    previous = _kpis(_cohort_figures(cohorts, "previous"), money, prefix="previous_")
    kpis = pd.DataFrame(
        {
            "kpi": list(KPI_ORDER),
            "current": [current[k] for k in KPI_ORDER],
            "previous": [previous[k] for k in KPI_ORDER],
        }
    )
    return Overview(kpis=kpis, trend=read_frame(scope, _TREND, params))
