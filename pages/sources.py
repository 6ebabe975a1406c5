"""Sources: what each source and subsource brought in, for what it cost."""

import streamlit as st

from data import reports
from ui import charts, drill, filter_bar, session, tables, widgets

st.title("Sources")
scope = session.current_scope()
sources = reports.source_performance(scope, filter_bar.filter_bar(scope, "source_performance"))
widgets.data_as_of(scope, reports.source_performance)
widgets.stop_if_empty(sources.empty or sources["leads"].sum() == 0)
st.caption(
    "Spend belongs to sources and projects, so this screen has no campaign or owner filter. "
    "A cost is — where no spend is recorded."
)


def open_row(row, column: str, key: str) -> None:
    """The leads of a source's (or subsource's) figure."""
    narrower = {"source": row["source"], "subsource": row["subsource"] or None}
    drill.open_leads("source_performance", drill.stage_of(column), narrower, forget=(key,))


left, right = st.columns(2)
segment = left.plotly_chart(
    charts.source_sunburst(sources), on_select="rerun", selection_mode="points", key="source-segments"
)
if segment and segment.selection.points:
    source, subsource = segment.selection.points[0]["customdata"]
    open_row({"source": source, "subsource": subsource}, "leads", "source-segments")
bar = right.plotly_chart(
    charts.subsource_bars(sources), on_select="rerun", selection_mode="points", key="subsource-bars"
)
if bar and bar.selection.points:
    open_row(sources.loc[bar.selection.points[0]["customdata"]], "leads", "subsource-bars")
st.caption("Click a segment, a bar or any figure in the table to open the leads behind it.")

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
    on_pick=open_row,
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
