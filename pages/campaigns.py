"""Campaigns: spend against cancellation-adjusted results."""

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from ui import charts, drill, filter_bar, session, tables, widgets

st.title("Campaigns")
scope = session.current_scope()
filters = filter_bar.filter_bar(scope, "campaign_performance")
campaigns = reports.campaign_performance(scope, filters, today_in_india())
widgets.data_as_of(scope, reports.campaign_performance)
widgets.stop_if_empty(campaigns.empty, "campaigns")
st.caption(
    "Campaigns that ran at any time in the period, with figures over their whole life. "
    "Cancelled bookings are taken out of bookings, value and ROI."
)


def open_row(row, column: str, key: str) -> None:
    """The leads of a campaign's figure: its whole life, as the figures are."""
    narrower = {**drill.whole_history(reports.filter_options(scope).first_month), "campaign": row["campaign_name"]}
    drill.open_leads(None, drill.stage_of(column), narrower, forget=(key,))


bubble = st.plotly_chart(
    charts.campaign_roi(campaigns), on_select="rerun", selection_mode="points", key="campaign-bubbles"
)
picked = [point for point in (bubble.selection.points if bubble else []) if "customdata" in point]
if picked:
    open_row(campaigns.loc[picked[0]["customdata"]], "leads", "campaign-bubbles")
st.caption("Click a bubble, or any figure in the table, to open the campaign's leads.")
st.plotly_chart(charts.budget_utilisation(campaigns))
tables.show_table(
    campaigns,
    {
        "campaign_name": ("Campaign", "text"),
        "source": ("Source", "text"),
        "subsource": ("Subsource", "text"),
        "project_name": ("Project", "text"),
        "status": ("Status", "code:campaign_status"),
        "start_date": ("Start", "date"),
        "end_date": ("End", "date"),
        "budget": ("Budget", "inr"),
        "spend": ("Spend", "inr"),
        "budget_utilisation": ("Budget used", "percent"),
        "leads": ("Leads", "count"),
        "cost_per_lead": ("Cost per lead", "inr"),
        "site_visited": ("Site visits", "count"),
        "cost_per_site_visit": ("Cost per site visit", "inr"),
        "booked": ("Bookings", "count"),
        "cancelled": ("Cancelled", "count"),
        "net_booked": ("Net bookings", "count"),
        "cost_per_booking": ("Cost per booking", "inr"),
        "net_booking_value": ("Net booking value", "inr"),
        "roi": ("ROI (×)", "number"),
    },
    "campaigns",
    key="campaigns",
    on_pick=open_row,
    primary=(
        "campaign_name",
        "status",
        "spend",
        "leads",
        "cost_per_lead",
        "net_booked",
        "cost_per_booking",
        "net_booking_value",
        "roi",
    ),
)
