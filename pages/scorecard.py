"""Team scorecard: per rep, the period's leads and how far they got, how fast they were answered,
the calls and visits the rep logged, and the follow-ups overdue now — one sortable table."""

import streamlit as st

from data import reports
from ui import filter_bar, session, tables, widgets

COLUMNS = {
    "rep_name": ("Rep", "text"),
    "leads": ("Leads", "count"),
    "sla_rate": ("% within SLA", "percent"),
    "median_working_minutes": ("Median response (working min)", "number"),
    "calls_logged": ("Calls logged", "count"),
    "visits_logged": ("Visits logged", "count"),
    "site_visited": ("Site visits", "count"),
    "revisited": ("Revisits", "count"),
    "booked": ("Bookings", "count"),
    "net_booked": ("Net bookings", "count"),
    "lead_to_booking_rate": ("Lead → booking %", "percent"),
    "overdue_follow_ups": ("Overdue follow-ups now", "count"),
}
UNASSIGNED = "Unassigned"
# What fits a laptop screen; calls and visits logged and revisits are one toggle away.
PRIMARY = (
    "rep_name",
    "leads",
    "sla_rate",
    "median_working_minutes",
    "site_visited",
    "booked",
    "net_booked",
    "lead_to_booking_rate",
    "overdue_follow_ups",
)


st.title("Team scorecard")
scope = session.current_scope()
card = reports.scorecard(scope, filter_bar.filter_bar(scope, "team_scorecard"))
widgets.data_as_of(scope, reports.scorecard)
st.caption(
    "Per rep, the leads they own that arrived in these months: site visits, revisits, bookings and "
    "net bookings (less cancelled) as on the Funnel; % within SLA and median response as on Speed to "
    "lead. Calls and visits logged: by the person who logged them, dated in these months. Overdue "
    "follow-ups: open leads past their follow-up now, whatever the months. Click a heading to sort."
)
if card.empty:
    st.info("No rep and no lead here. Widen the dates or clear a filter in the sidebar.")
else:
    card = card.assign(rep_name=card["rep_name"].fillna(UNASSIGNED))
    tables.show_table(
        card,
        COLUMNS,
        "team-scorecard",
        key="scorecard",
        sort_by_value=True,
        primary=PRIMARY,
    )
