"""Overview: eleven headline figures for a period, each beside the previous period's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters
from data.reports._query import FILTERED_BOOKINGS_CTE, LEAD_FILTERS, period_params, read_frames
from data.reports.cache import cached_read

# Cohort counts come from the funnel view, which reads the kept monthly rollup (no per-lead scan).
_COHORT_FIGURES = (
    """
    select
        case when cohort_month >= :month_from then 'current' else 'previous' end as period,
        sum(leads)::bigint as leads,
        sum(contacted)::bigint as contacted,
        sum(site_visited)::bigint as site_visited,
        sum(revisited)::bigint as revisited,
        sum(booked)::bigint as booked,
        sum(cancelled)::bigint as cancelled,
        sum(net_booked)::bigint as net_booked,
        coalesce(sum(net_booking_value), 0) as net_booking_value,
        sum(days_to_first_booking_sum)::numeric / nullif(sum(booked), 0) as average_days_to_booking
    from v_lead_funnel_analysis
    where cohort_month between :previous_from and :month_to and """
    + LEAD_FILTERS
    + """
    group by period
    """
)

# Money of the filtered leads' bookings, each booking's entries through the ledger's index, netted
# by leadline_ledger_entries() (sql/functions), the one definition: a debit raises the balance, a
# credit lowers it, and a reversal counts against the type of the entry it reverses, on its own
# date (a cheque that bounces this month lowers this month's collections).
_MONEY_FIGURES = (
    """
    with

    """
    + FILTERED_BOOKINGS_CTE
    + """,

    filtered_entries as materialized (
        select entries.booking_id, entries.entry_date, entries.balance_change, entries.effective_entry_type,
            entries.type_amount
        from filtered_bookings
        cross join lateral leadline_ledger_entries(filtered_bookings.tenant_id, filtered_bookings.booking_id)
            as entries
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
        sum(leads)::bigint as leads,
        sum(site_visited)::bigint as site_visited,
        sum(booked)::bigint as booked
    from v_lead_funnel_analysis
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
        """Whether no lead arrived in the period the filters select."""
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


@cached_read
def overview(scope: Scope | int, filters: ReportFilters, today: dt.date) -> Overview:
    """The eleven headline figures, this period and the previous one, and the monthly trend."""
    cohorts, money_frame, trend = read_frames(
        scope, [_COHORT_FIGURES, _MONEY_FIGURES, _TREND], period_params(filters, today)
    )
    money = money_frame.iloc[0].to_dict()
    current = _kpis(_cohort_figures(cohorts, "current"), money)
    previous = _kpis(_cohort_figures(cohorts, "previous"), money, prefix="previous_")
    kpis = pd.DataFrame(
        {
            "kpi": list(KPI_ORDER),
            "current": [current[k] for k in KPI_ORDER],
            "previous": [previous[k] for k in KPI_ORDER],
        }
    )
    return Overview(kpis=kpis, trend=trend)
