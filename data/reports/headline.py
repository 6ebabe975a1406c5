"""Overview: eleven headline figures for a period, each beside the previous period's (as many
days, ending the day before)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters
from data.reports._query import FILTERED_BOOKINGS_CTE, LEAD_FILTERS, period_params, read_frames
from data.reports.cache import cached_read

# Cohort counts come from the funnel view, which reads the kept monthly rollup (no per-lead scan).
# The previous period has as many days as the current one, so it may start in the middle of a
# month: that month's leads from its first day on are counted one by one from the lead facts, as
# lead_month_rollup_add() (sql/functions) counts them into the rollup.
_PERIOD_COLUMNS = """
        leads, contacted, site_visited, revisited, booked, cancelled, net_booked, net_booking_value,
        days_to_first_booking_sum
"""
_COHORT_FIGURES = (
    """
    with

    current_months as (
        select 'current' as period, """
    + _PERIOD_COLUMNS
    + """
        from v_lead_funnel_analysis
        where cohort_month between :month_from and :month_to and """
    + LEAD_FILTERS
    + """
    ),

    previous_whole_months as (
        select 'previous' as period, """
    + _PERIOD_COLUMNS
    + """
        from v_lead_funnel_analysis
        where cohort_month between :previous_months_from and :previous_end and """
    + LEAD_FILTERS
    + """
    ),

    previous_part_month as (
        select
            'previous' as period,
            count(*) as leads,
            count(*) filter (where has_contacted) as contacted,
            count(*) filter (where has_site_visit) as site_visited,
            count(*) filter (where has_revisit) as revisited,
            count(*) filter (where has_booking) as booked,
            count(*) filter (where has_cancelled_booking) as cancelled,
            count(*) filter (where has_live_booking) as net_booked,
            coalesce(sum(live_booking_value), 0) as net_booking_value,
            coalesce(sum(first_booking_date - leadline_date(generated_at)), 0) as days_to_first_booking_sum
        from v_lead_facts
        where cohort_month = :previous_part_month and leadline_date(generated_at) >= :previous_from and """
    + LEAD_FILTERS
    + """
    ),

    both_periods as (
        select * from current_months
        union all
        select * from previous_whole_months
        union all
        select * from previous_part_month
    )

    select
        period,
        sum(leads)::bigint as leads,
        sum(contacted)::bigint as contacted,
        sum(site_visited)::bigint as site_visited,
        sum(revisited)::bigint as revisited,
        sum(booked)::bigint as booked,
        sum(cancelled)::bigint as cancelled,
        sum(net_booked)::bigint as net_booked,
        coalesce(sum(net_booking_value), 0) as net_booking_value,
        sum(days_to_first_booking_sum)::numeric / nullif(sum(booked), 0) as average_days_to_booking
    from both_periods
    group by period
    """
)

# The day the first lead the reader may see arrived (India time): a previous period that starts
# before it compares with days that had no leads yet.
_FIRST_LEAD = """
    select min(leadline_date(generated_at)) as first_lead_date
    from v_lead_facts
    where cohort_month = (select min(cohort_month) from v_lead_facts)
"""

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
    The period runs to ``period_end``; the previous one, of as many days, from ``previous_from``
    to ``previous_end``. ``first_lead_date`` is the day the first lead arrived (None: no lead).
    """

    kpis: pd.DataFrame
    trend: pd.DataFrame
    period_end: dt.date
    previous_from: dt.date
    previous_end: dt.date
    first_lead_date: dt.date | None

    @property
    def previous_is_covered(self) -> bool:
        """Whether the previous period starts on or after the first lead: else its figures
        count days before there were any leads, and a change against them means nothing."""
        return self.first_lead_date is not None and self.previous_from >= self.first_lead_date

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
    params = period_params(filters, today)
    cohorts, money_frame, trend, first_lead = read_frames(
        scope, [_COHORT_FIGURES, _MONEY_FIGURES, _TREND, _FIRST_LEAD], params
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
    first_lead_date = first_lead["first_lead_date"].iloc[0]
    return Overview(
        kpis=kpis,
        trend=trend,
        period_end=params["period_end"],
        previous_from=params["previous_from"],
        previous_end=params["previous_end"],
        first_lead_date=None if pd.isna(first_lead_date) else first_lead_date,
    )
