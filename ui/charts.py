"""Figure builders: each takes a report's DataFrame and returns a plotly figure, nothing else.

No figure loads anything from the internet (no map tiles, no web fonts).
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

LEADS_COLOUR = "#4C78A8"
VISITS_COLOUR = "#F58518"
BOOKINGS_COLOUR = "#54A24B"


def monthly_trend(trend: pd.DataFrame) -> go.Figure:
    """Leads as bars with site visits, and bookings on their own axis, by cohort month."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    months = pd.to_datetime(trend["cohort_month"])
    figure.add_bar(x=months, y=trend["leads"], name="Leads", marker_color=LEADS_COLOUR)
    figure.add_scatter(
        x=months, y=trend["site_visited"], name="Site visits", mode="lines+markers", line_color=VISITS_COLOUR
    )
    figure.add_scatter(
        x=months, y=trend["booked"], name="Bookings", mode="lines+markers", line_color=BOOKINGS_COLOUR, secondary_y=True
    )
    figure.update_layout(
        title="Leads, site visits and bookings by month the lead arrived",
        legend={"orientation": "h", "y": -0.2},
        margin={"t": 60, "b": 40},
        hovermode="x unified",
    )
    figure.update_xaxes(dtick="M1", tickformat="%b %Y")
    figure.update_yaxes(title_text="Leads and site visits", secondary_y=False, rangemode="tozero")
    # Bookings are small whole numbers: whole-number ticks, never "10.42".
    most = int(trend["booked"].max()) if len(trend) else 0
    figure.update_yaxes(
        title_text="Bookings",
        secondary_y=True,
        rangemode="tozero",
        showgrid=False,
        dtick=max(1, math.ceil(most / 5)),
        tickformat="d",
    )
    return figure


def funnel_chart(stages: pd.DataFrame) -> go.Figure:
    """The cohort funnel, each stage with its share of leads and of the stage before."""
    text = [
        f"{count:,} · {top:.1%} of leads" + ("" if pd.isna(step) else f" · {step:.1%} of previous")
        for count, top, step in zip(stages["leads"], stages["from_top"], stages["from_previous"], strict=True)
    ]
    figure = go.Figure(
        go.Funnel(
            y=stages["label"],
            x=stages["leads"],
            text=text,
            textinfo="text",
            marker_color=LEADS_COLOUR,
            hovertemplate="%{y}: %{x:,}<extra></extra>",
        )
    )
    figure.update_layout(title="From lead to net booking", margin={"t": 60, "l": 100})
    return figure


def lag_boxes(lags: pd.DataFrame) -> go.Figure:
    """Days taken by each step, as box plots per source, from quartiles computed in SQL."""
    figure = go.Figure()
    for source, rows in lags.groupby("source", sort=True):
        figure.add_trace(
            go.Box(
                name=source,
                x=rows["step"],
                q1=rows["q1"],
                median=rows["median"],
                q3=rows["q3"],
                lowerfence=rows["minimum"],
                upperfence=rows["maximum"],
                mean=rows["mean"],
            )
        )
    figure.update_layout(
        title="Days between steps, by source",
        boxmode="group",
        yaxis_title="Days",
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def source_sunburst(sources: pd.DataFrame) -> go.Figure:
    """Sources and subsources sized by leads and coloured by lead-to-booking rate."""
    parents = sources.groupby("source", as_index=False).agg(leads=("leads", "sum"), net_booked=("net_booked", "sum"))
    parents["rate"] = parents["net_booked"] / parents["leads"].where(parents["leads"] > 0)
    ids = list(parents["source"]) + [
        f"{s}/{sub}" for s, sub in zip(sources["source"], sources["subsource"], strict=True)
    ]
    figure = go.Figure(
        go.Sunburst(
            ids=ids,
            labels=list(parents["source"]) + list(sources["subsource"]),
            parents=[""] * len(parents) + list(sources["source"]),
            values=list(parents["leads"]) + list(sources["leads"]),
            branchvalues="total",
            marker={
                "colors": list(parents["rate"].fillna(0)) + list(sources["lead_to_booking_rate"].fillna(0)),
                "colorscale": "Blues",
                "colorbar": {"title": "Lead → booking", "tickformat": ".0%"},
            },
            hovertemplate="%{label}: %{value:,} leads<br>lead → booking %{color:.1%}<extra></extra>",
        )
    )
    figure.update_layout(title="Leads by source and subsource", margin={"t": 60, "l": 0, "r": 0, "b": 0})
    return figure


def subsource_bars(sources: pd.DataFrame) -> go.Figure:
    """Leads per subsource as bars one can click to focus the table on them."""
    ordered = sources.sort_values("leads")
    figure = go.Figure(
        go.Bar(
            x=ordered["leads"],
            y=ordered["subsource"],
            orientation="h",
            customdata=ordered["subsource"],
            marker={"color": ordered["lead_to_booking_rate"].fillna(0), "colorscale": "Blues", "cmin": 0},
            hovertemplate="%{y}: %{x:,} leads<extra></extra>",
        )
    )
    figure.update_layout(
        title="Leads by subsource — click bars to focus the table",
        xaxis_title="Leads",
        margin={"t": 60},
        clickmode="event+select",
    )
    return figure


def campaign_roi(campaigns: pd.DataFrame) -> go.Figure:
    """Spend against net booking value per campaign; bubble size is leads, colour is status."""
    figure = go.Figure()
    biggest = max(float(campaigns["leads"].max() or 1), 1.0)
    for status, rows in campaigns.groupby("status", sort=True):
        figure.add_scatter(
            x=rows["spend"],
            y=rows["net_booking_value"],
            mode="markers",
            name=status.title(),
            text=rows["campaign_name"],
            customdata=rows[["leads", "roi"]],
            marker={"size": rows["leads"], "sizemode": "area", "sizeref": 2.0 * biggest / 50**2, "sizemin": 6},
            hovertemplate="%{text}<br>spend ₹%{x:,.0f}<br>net booking value ₹%{y:,.0f}"
            "<br>%{customdata[0]} leads, ROI %{customdata[1]:.1f}×<extra></extra>",
        )
    figure.update_layout(
        title="Return on campaigns: spend against net booking value",
        xaxis_title="Spend (₹)",
        yaxis_title="Net booking value (₹)",
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


def budget_utilisation(campaigns: pd.DataFrame) -> go.Figure:
    """Each campaign's spend as a share of its budget."""
    ordered = campaigns.sort_values("budget_utilisation")
    figure = go.Figure(
        go.Bar(
            x=ordered["budget_utilisation"],
            y=ordered["campaign_name"],
            orientation="h",
            marker_color=LEADS_COLOUR,
            hovertemplate="%{y}: %{x:.0%} of budget<extra></extra>",
        )
    )
    figure.add_vline(x=1, line_dash="dash", line_color="grey")
    figure.update_layout(title="Budget used", xaxis_tickformat=".0%", margin={"t": 60})
    return figure


def bookings_by_month(by_month: pd.DataFrame) -> go.Figure:
    """Bookings per month, and how many of them were later cancelled."""
    months = pd.to_datetime(by_month["booking_month"])
    figure = go.Figure()
    figure.add_bar(x=months, y=by_month["bookings"], name="Bookings", marker_color=BOOKINGS_COLOUR)
    figure.add_bar(x=months, y=by_month["later_cancelled"], name="Later cancelled", marker_color="#E45756")
    figure.update_layout(title="Bookings by month", barmode="group", legend={"orientation": "h", "y": -0.2})
    figure.update_xaxes(dtick="M1", tickformat="%b %Y")
    return figure


def status_breakdown(by_status: pd.DataFrame) -> go.Figure:
    """Bookings by their current status."""
    figure = go.Figure(
        go.Pie(
            labels=by_status["status"].str.replace("_", " ").str.title(),
            values=by_status["bookings"],
            hole=0.5,
            sort=False,
        )
    )
    figure.update_layout(title="Booking status")
    return figure


def value_by_project(by_project: pd.DataFrame) -> go.Figure:
    """Agreement value of live bookings beside what has been collected, per project."""
    figure = go.Figure()
    figure.add_bar(
        x=by_project["project_name"], y=by_project["agreement_value"], name="Agreement value", marker_color=LEADS_COLOUR
    )
    figure.add_bar(
        x=by_project["project_name"], y=by_project["received_amount"], name="Collected", marker_color=BOOKINGS_COLOUR
    )
    figure.update_layout(
        title="Agreement value and collections by project",
        barmode="group",
        yaxis_title="₹",
        legend={"orientation": "h", "y": -0.2},
    )
    return figure


AGEING_BUCKETS = (
    ("overdue_0_30", "0–30 days"),
    ("overdue_31_60", "31–60 days"),
    ("overdue_61_90", "61–90 days"),
    ("overdue_over_90", "90+ days"),
)


def ageing(totals: Mapping[str, float]) -> go.Figure:
    """Overdue money by how long it has been overdue (totals per bucket column)."""
    figure = go.Figure(
        go.Bar(
            x=[label for _, label in AGEING_BUCKETS],
            y=[totals[column] for column, _ in AGEING_BUCKETS],
            marker_color=["#F2CF5B", "#F58518", "#E45756", "#9D2020"],
            hovertemplate="%{x}: ₹%{y:,.0f}<extra></extra>",
        )
    )
    figure.update_layout(title="Overdue by days past due", yaxis_title="₹")
    return figure


MILESTONE_LABELS = {
    "lead_generated": "Lead generated",
    "contacted": "Contacted",
    "qualified": "Qualified",
    "reengaged": "Re-engaged",
    "site_visit_scheduled": "Visit scheduled",
    "site_visit": "Site visit",
    "revisit": "Revisit",
    "negotiation": "Negotiation",
    "booking": "Booking",
    "cancellation": "Cancellation",
}
OUTCOME_COLOURS = {"positive": "#54A24B", "neutral": "#F2CF5B", "negative": "#E45756"}


def lead_timeline(milestones: pd.DataFrame, engagements: pd.DataFrame) -> go.Figure:
    """Milestones and engagements of one lead on a time axis; visits coloured by outcome."""
    figure = go.Figure()
    if not engagements.empty:
        figure.add_scatter(
            x=engagements["occurred_at"],
            y=["Engagements"] * len(engagements),
            mode="markers",
            name="Engagements",
            marker={"symbol": "circle-open", "size": 10, "color": "grey"},
            text=engagements["engagement_type"].str.title() + " · " + engagements["status"].str.replace("_", " "),
            hovertemplate="%{text}<br>%{x|%d %b %Y %H:%M}<extra></extra>",
        )
    if not milestones.empty:
        labels = milestones["milestone_type"].map(MILESTONE_LABELS)
        colours = milestones["outcome"].map(OUTCOME_COLOURS).fillna(LEADS_COLOUR)
        figure.add_scatter(
            x=milestones["occurred_at"],
            y=labels,
            mode="markers+lines",
            name="Milestones",
            marker={"size": 14, "color": colours},
            line={"color": "lightgrey"},
            text=milestones["outcome"].fillna(""),
            hovertemplate="%{y} %{text}<br>%{x|%d %b %Y %H:%M}<extra></extra>",
        )
    figure.update_layout(
        title="What happened, when",
        showlegend=False,
        margin={"t": 60, "l": 120},
        yaxis={"categoryorder": "array", "categoryarray": ["Engagements", *MILESTONE_LABELS.values()]},
    )
    return figure
