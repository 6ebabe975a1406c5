"""Sources: what each source and subsource brought in, for what it cost."""

import streamlit as st

from data import reports
from ui import charts, filter_bar, session, tables, widgets
from ui.text import md_line

st.title("Sources")
scope = session.current_scope()
sources = reports.source_performance(scope, filter_bar.filter_bar(scope, "source_performance"))
widgets.data_as_of(scope, reports.source_performance)
widgets.stop_if_empty(sources.empty or sources["leads"].sum() == 0)
st.caption(
    "Spend belongs to sources and projects, so this screen has no campaign or owner filter. "
    "A cost is — where no spend is recorded."
)

left, right = st.columns(2)
left.plotly_chart(charts.source_sunburst(sources))
clicked = right.plotly_chart(
    charts.subsource_bars(sources), on_select="rerun", selection_mode="points", key="subsource-bars"
)
picked = [point["customdata"] for point in clicked.selection.points] if clicked else []
if picked:
    sources = sources[sources["subsource"].isin(picked)]
    shown = ", ".join(md_line(subsource, 60) for subsource in picked)
    st.caption(f"Showing {shown}. Click an empty part of the chart to show every subsource.")

tables.show_table(
    sources,
    {
        "source": ("Source", "text"),
        "subsource": ("Subsource", "text"),
        "leads": ("Leads", "count"),
        "spend": ("Spend", "inr"),
        "cost_per_lead": ("Cost per lead", "inr"),
        "site_visited": ("Site visits", "count"),
        "cost_per_site_visit": ("Cost per site visit", "inr"),
        "site_visit_rate": ("Site-visit rate", "percent"),
        "booked": ("Bookings", "count"),
        "net_booked": ("Net bookings", "count"),
        "cost_per_booking": ("Cost per booking", "inr"),
        "net_booking_value": ("Net booking value", "inr"),
        "lead_to_booking_rate": ("Lead → booking", "percent"),
    },
    "sources",
    key="sources",
    primary=(
        "subsource",
        "source",
        "leads",
        "spend",
        "cost_per_lead",
        "site_visit_rate",
        "net_booked",
        "net_booking_value",
        "lead_to_booking_rate",
    ),
)
