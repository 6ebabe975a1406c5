"""Bookings and inventory: what was booked when, what it is worth, and what is left to sell."""

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from ui import charts, filter_bar, session, tables, widgets

st.title("Bookings & inventory")
scope = session.current_scope()
report = reports.bookings_and_inventory(scope, filter_bar.filter_bar(scope, "bookings"), today_in_india())
widgets.data_as_of(scope, reports.bookings_and_inventory)
st.caption("Bookings are by booking date in the period (project filter applies); inventory is as of now.")

if report.by_month.empty:
    st.info("No bookings in this period.")
else:
    st.plotly_chart(charts.bookings_by_month(report.by_month))
    left, right = st.columns(2)
    left.plotly_chart(charts.status_breakdown(report.by_status))
    right.plotly_chart(charts.value_by_project(report.by_project))

st.subheader("Units available")
tables.show_table(
    report.inventory,
    {
        "project_name": ("Project", "text"),
        "tower_name": ("Tower", "text"),
        "unit_type": ("Type", "code:unit_type"),
        "total_units": ("Units", "count"),
        "available": ("Available", "count"),
        "blocked": ("On hold", "count"),
        "booked": ("Booked", "count"),
        "sold": ("Sold", "count"),
        "available_value": ("Available value", "inr"),
    },
    "inventory",
    key="inventory",
)
st.subheader("Absorption")
st.caption(
    "Units booked (and not cancelled) per month over the last three full months, "
    "and how many months the available units would last at that pace."
)
tables.show_table(
    report.absorption,
    {
        "project_name": ("Project", "text"),
        "unit_type": ("Type", "code:unit_type"),
        "available": ("Available", "count"),
        "available_value": ("Available value", "inr"),
        "units_booked_recently": ("Booked, last 3 months", "count"),
        "absorption_per_month": ("Per month", "number"),
        "months_of_inventory": ("Months of inventory", "number"),
    },
    "absorption",
    key="absorption",
)
