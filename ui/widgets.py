"""Page pieces shared by several screens: the period picker and the KPI tiles."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from data.filters import ReportFilters
from ui import format as fmt


def period_filter(today: dt.date | None = None) -> ReportFilters:
    """A cohort-month range in the sidebar, the last 12 months by default."""
    today = today or dt.date.today()
    default = ReportFilters.last_months(12, today)
    picked = st.sidebar.date_input(
        "Leads generated between", value=(default.month_from, today), format="DD/MM/YYYY", key="period"
    )
    if len(picked) != 2:  # the second date has not been picked yet
        return default
    return ReportFilters(month_from=picked[0], month_to=picked[1])


def overview_tiles(totals: pd.DataFrame) -> None:
    """The headline funnel figures as metric tiles."""
    row = totals.iloc[0]
    tiles = (
        ("Leads", fmt.count(row["leads"])),
        ("Contacted", fmt.percent(row["contacted_rate"])),
        ("Site visits", fmt.count(row["site_visited"])),
        ("Revisits", fmt.count(row["revisited"])),
        ("Bookings", fmt.count(row["booked"])),
        ("Cancellations", fmt.count(row["cancelled"])),
        ("Lead → booking", fmt.percent(row["lead_to_booking_rate"], digits=2)),
    )
    per_row = 4  # four tiles stay readable on a laptop; a phone stacks them
    for start in range(0, len(tiles), per_row):
        row_tiles = tiles[start : start + per_row]
        for column, (label, value) in zip(st.columns(per_row), row_tiles, strict=False):
            column.metric(label, value, border=True)
