"""Bookings and inventory: what was booked when, what it is worth, and what is left to sell."""

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from ui import charts, drill, filter_bar, session, tables, widgets
from ui import format as fmt

st.title("Bookings & inventory")
scope = session.current_scope()
filters = filter_bar.filter_bar(scope, "bookings")
report = reports.bookings_and_inventory(scope, filters, today_in_india())
booked = reports.booking_rows(scope, filters, tables.requested_page("bookings-page"))
widgets.data_as_of(scope, reports.bookings_and_inventory, reports.booking_rows)
st.caption("Bookings are by booking date in the period (project filter applies); inventory is as of now.")

if report.by_month.empty:
    st.info("No bookings in this period.")
else:
    st.plotly_chart(charts.bookings_by_month(report.by_month))
    left, right = st.columns(2)
    left.plotly_chart(charts.status_breakdown(report.by_status))
    project = right.plotly_chart(
        charts.value_by_project(report.by_project), **drill.clicks(drill.BOOKINGS_PAGE, "project-bars")
    )
    if point := drill.clicked_point(project):
        drill.open_bookings(point["customdata"], forget=("project-bars",))

    st.subheader("Bookings in the period")
    tables.pager(
        key="bookings-page",
        page=booked.page,
        page_count=booked.page_count,
        total_rows=booked.bookings,
        page_size=booked.page_size,
        noun="Bookings, newest first:",
    )
    st.caption(
        f"Agreement value of those not cancelled {fmt.inr_compact(booked.live_agreement_value)}; "
        f"collected {fmt.inr_compact(booked.received_amount)}."
    )
    drill.hint(drill.TIMELINE_PAGE, "Click a booking to open its lead's timeline.")
    tables.show_table(
        booked.rows,
        {
            "customer_name": ("Customer", "text"),
            "project_name": ("Project", "text"),
            "tower_name": ("Tower", "text"),
            "unit_number": ("Unit", "text"),
            "unit_type": ("Type", "code:unit_type"),
            "booking_date": ("Booked on", "date"),
            "status": ("Status", "code:booking_status"),
            "agreement_value": ("Agreement value", "inr"),
            "received_amount": ("Collected", "inr"),
            "refunded_amount": ("Refunded", "inr"),
        },
        "bookings",
        key="bookings",
        height=360,
        primary=(
            "customer_name",
            "project_name",
            "unit_number",
            "booking_date",
            "status",
            "agreement_value",
            "received_amount",
        ),
        on_pick=drill.picks(
            drill.TIMELINE_PAGE, lambda row, _column, key: drill.open_lead(row["lead_id"], forget=(key,))
        ),
    )

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
