"""Figure builders: each takes a report's DataFrame and returns a plotly figure, nothing else.

No figure loads anything from the internet (no map tiles, no web fonts). Plotly draws a subset
of HTML in every label, legend name and hover text, so user text (sources, subsources,
campaigns, projects) goes through ``ui.text.html`` and stored codes through ``data.domain.vocabulary``.
Every figure is titled by ``_titled``, which keeps the title readable on a 390-px phone.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data.domain import vocabulary as labels
from data.reports.cohort_funnel import COUNTING_RULE
from ui.text import html

LEADS_COLOUR = "#4C78A8"
VISITS_COLOUR = "#F58518"
BOOKINGS_COLOUR = "#54A24B"

# Plotly floats its toolbar (the modebar, 26 px tall) over the figure's top-right corner, where
# a centred or long title sat under it on a phone. The title starts below that row instead,
# flush left, wrapped to lines that fit a 390-px screen at TITLE_SIZE.
MODEBAR_ROW_PX = 32
TITLE_SIZE = 15
TITLE_LINE_PX = 20
TITLE_GAP_PX = 16
TITLE_CHARACTERS = 40
# Plotly's default 80-px side margins take two fifths of a phone's width; axes grow the margin
# as far as their tick labels need instead (automargin).
SIDE_MARGIN_PX = 16


def _titled(figure: go.Figure, title: str) -> go.Figure:
    """The figure with its title flush left under the modebar row, wrapped for a phone's width,
    and side margins only as wide as the axes' labels need."""
    lines = textwrap.wrap(title, TITLE_CHARACTERS)
    figure.update_layout(
        title={
            "text": "<br>".join(html(line) for line in lines),
            "font": {"size": TITLE_SIZE},
            "x": 0,
            "xref": "container",
            "xanchor": "left",
            "y": 1,
            "yref": "container",
            "yanchor": "top",
            "pad": {"t": MODEBAR_ROW_PX, "l": 8},
        },
        margin={
            "t": MODEBAR_ROW_PX + TITLE_LINE_PX * len(lines) + TITLE_GAP_PX,
            "l": SIDE_MARGIN_PX,
            "r": SIDE_MARGIN_PX,
        },
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(automargin=True)
    return figure


def _escaped(values: Iterable[object]) -> list[str]:
    """Each value as text plotly shows literally."""
    return [html(value) for value in values]


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
    _titled(figure, "Leads, site visits and bookings by month the lead arrived")
    figure.update_layout(legend={"orientation": "h", "y": -0.2}, margin={"b": 40}, hovermode="x unified")
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
    """The cohort funnel, each stage with its share of leads (and of the stage before, on hover)."""
    text = [f"{count:,} · {top:.1%} of leads" for count, top in zip(stages["leads"], stages["from_top"], strict=True)]
    previous = ["" if pd.isna(step) else f"<br>{step:.1%} of the stage before" for step in stages["from_previous"]]
    figure = go.Figure(
        go.Funnel(
            y=_escaped(stages["label"]),
            x=stages["leads"],
            text=text,
            textinfo="text",
            # Inside and centred, unshrunk: a funnel's bars share one centre, so even the
            # narrowest stage's text stays within the plot, where text beside the bar ran off a
            # phone's edge. Dark text on light bars reads on the bar and off it.
            textposition="inside",
            constraintext="none",
            insidetextanchor="middle",
            insidetextfont={"color": "#1B2A3A"},
            marker_color="#A9C6E8",
            customdata=previous,
            hovertemplate="%{y}: %{x:,}%{customdata}<extra></extra>",
        )
    )
    _titled(figure, f"From lead to net booking. {COUNTING_RULE}")
    # Zooming a funnel shows nothing new, and on a phone a drag over the chart should scroll
    # the page: fixed axes leave the touch to the browser (and drop the zoom buttons).
    figure.update_layout(dragmode=False)
    figure.update_yaxes(fixedrange=True)
    figure.update_xaxes(fixedrange=True)
    return figure


def lag_boxes(lags: pd.DataFrame) -> go.Figure:
    """Days taken by each step, as box plots per source, from quartiles computed in SQL."""
    figure = go.Figure()
    for source, rows in lags.groupby("source", sort=True):
        figure.add_trace(
            go.Box(
                name=html(source),
                x=_escaped(rows["step"]),
                q1=rows["q1"],
                median=rows["median"],
                q3=rows["q3"],
                lowerfence=rows["minimum"],
                upperfence=rows["maximum"],
                mean=rows["mean"],
            )
        )
    _titled(figure, "Days between steps, by source")
    figure.update_layout(boxmode="group", yaxis_title="Days", legend={"orientation": "h", "y": -0.2})
    return figure


def source_sunburst(sources: pd.DataFrame) -> go.Figure:
    """Sources and subsources sized by leads and coloured by lead-to-booking rate."""
    parents = sources.groupby("source", as_index=False).agg(leads=("leads", "sum"), net_booked=("net_booked", "sum"))
    parents["rate"] = parents["net_booked"] / parents["leads"].where(parents["leads"] > 0)
    # Ids are never drawn, but they are text in the figure like any other: escaped too. A
    # subsource's id is its source's id and its row, unique whatever the names hold.
    source_ids = _escaped(parents["source"])
    child_ids = [f"{html(source)}/{row}" for row, source in enumerate(sources["source"])]
    figure = go.Figure(
        go.Sunburst(
            ids=source_ids + child_ids,
            labels=source_ids + _escaped(sources["subsource"]),
            parents=[""] * len(parents) + _escaped(sources["source"]),
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
    _titled(figure, "Leads by source and subsource")
    figure.update_layout(margin={"l": 0, "r": 0, "b": 0})
    return figure


def subsource_bars(sources: pd.DataFrame) -> go.Figure:
    """Leads per subsource as bars one can click to focus the table on them."""
    ordered = sources.sort_values("leads")
    figure = go.Figure(
        go.Bar(
            x=ordered["leads"],
            y=_escaped(ordered["subsource"]),
            orientation="h",
            # The raw subsource, for the Sources page to filter its table by: plotly never
            # draws customdata unless a template names it, and this one's does not.
            customdata=ordered["subsource"],
            marker={"color": ordered["lead_to_booking_rate"].fillna(0), "colorscale": "Blues", "cmin": 0},
            hovertemplate="%{y}: %{x:,} leads<extra></extra>",
        )
    )
    _titled(figure, "Leads by subsource — click bars to focus the table")
    figure.update_layout(xaxis_title="Leads", clickmode="event+select")
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
            name=html(labels.label("campaign_status", status)),
            text=_escaped(rows["campaign_name"]),
            customdata=rows[["leads", "roi"]],
            marker={"size": rows["leads"], "sizemode": "area", "sizeref": 2.0 * biggest / 50**2, "sizemin": 6},
            hovertemplate="%{text}<br>spend ₹%{x:,.0f}<br>net booking value ₹%{y:,.0f}"
            "<br>%{customdata[0]} leads, ROI %{customdata[1]:.1f}×<extra></extra>",
        )
    _titled(figure, "Return on campaigns: spend against net booking value")
    figure.update_layout(
        xaxis_title="Spend (₹)", yaxis_title="Net booking value (₹)", legend={"orientation": "h", "y": -0.2}
    )
    return figure


def budget_utilisation(campaigns: pd.DataFrame) -> go.Figure:
    """Each campaign's spend as a share of its budget."""
    ordered = campaigns.sort_values("budget_utilisation")
    figure = go.Figure(
        go.Bar(
            x=ordered["budget_utilisation"],
            y=_escaped(ordered["campaign_name"]),
            orientation="h",
            marker_color=LEADS_COLOUR,
            hovertemplate="%{y}: %{x:.0%} of budget<extra></extra>",
        )
    )
    figure.add_vline(x=1, line_dash="dash", line_color="grey")
    _titled(figure, "Budget used")
    figure.update_layout(xaxis_tickformat=".0%")
    return figure


def bookings_by_month(by_month: pd.DataFrame) -> go.Figure:
    """Bookings per month, and how many of them were later cancelled."""
    months = pd.to_datetime(by_month["booking_month"])
    figure = go.Figure()
    figure.add_bar(x=months, y=by_month["bookings"], name="Bookings", marker_color=BOOKINGS_COLOUR)
    figure.add_bar(x=months, y=by_month["later_cancelled"], name="Later cancelled", marker_color="#E45756")
    _titled(figure, "Bookings by month")
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.2})
    figure.update_xaxes(dtick="M1", tickformat="%b %Y")
    return figure


def status_breakdown(by_status: pd.DataFrame) -> go.Figure:
    """Bookings by their current status."""
    figure = go.Figure(
        go.Pie(
            labels=_escaped(by_status["status"].map(labels.labeller("booking_status"))),
            values=by_status["bookings"],
            hole=0.5,
            sort=False,
        )
    )
    return _titled(figure, "Booking status")


def value_by_project(by_project: pd.DataFrame) -> go.Figure:
    """Agreement value of live bookings beside what has been collected, per project."""
    projects = _escaped(by_project["project_name"])
    figure = go.Figure()
    figure.add_bar(x=projects, y=by_project["agreement_value"], name="Agreement value", marker_color=LEADS_COLOUR)
    figure.add_bar(x=projects, y=by_project["received_amount"], name="Collected", marker_color=BOOKINGS_COLOUR)
    _titled(figure, "Agreement value and collections by project")
    figure.update_layout(barmode="group", yaxis_title="₹", legend={"orientation": "h", "y": -0.2})
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
    _titled(figure, "Overdue by days past due")
    figure.update_layout(yaxis_title="₹")
    return figure


OUTCOME_COLOURS = dict(zip(labels.OUTCOMES, ("#54A24B", "#F2CF5B", "#E45756"), strict=True))  # green, amber, red
ENGAGEMENTS_ROW = "Calls and messages"


def lead_timeline(milestones: pd.DataFrame, engagements: pd.DataFrame) -> go.Figure:
    """Milestones and engagements of one lead on a time axis; visits coloured by outcome."""
    figure = go.Figure()
    if not engagements.empty:
        kinds = engagements["engagement_type"].map(labels.labeller("engagement_type"))
        statuses = engagements["status"].map(labels.labeller("engagement_status"))
        figure.add_scatter(
            x=engagements["occurred_at"],
            y=[ENGAGEMENTS_ROW] * len(engagements),
            mode="markers",
            name=ENGAGEMENTS_ROW,
            marker={"symbol": "circle-open", "size": 10, "color": "grey"},
            text=_escaped(kinds + " · " + statuses),
            hovertemplate="%{text}<br>%{x|%d %b %Y %H:%M}<extra></extra>",
        )
    if not milestones.empty:
        colours = milestones["outcome"].map(OUTCOME_COLOURS).fillna(LEADS_COLOUR)
        figure.add_scatter(
            x=milestones["occurred_at"],
            y=_escaped(milestones["milestone_type"].map(labels.labeller("milestone_type"))),
            mode="markers+lines",
            name="Milestones",
            marker={"size": 14, "color": colours},
            line={"color": "lightgrey"},
            text=_escaped(milestones["outcome"].map(labels.labeller("outcome"))),
            hovertemplate="%{y} %{text}<br>%{x|%d %b %Y %H:%M}<extra></extra>",
        )
    _titled(figure, "What happened, when")
    figure.update_layout(
        showlegend=False,
        yaxis={"categoryorder": "array", "categoryarray": [ENGAGEMENTS_ROW, *labels.MILESTONE_TYPE.values()]},
    )
    return figure


def response_trend(by_week: pd.DataFrame) -> go.Figure:
    """Median and 90th-percentile response (working minutes) by week, with the share within SLA."""
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    weeks = pd.to_datetime(by_week["week_start"])
    figure.add_scatter(
        x=weeks, y=by_week["median_working_minutes"], name="Median", mode="lines+markers", line_color=LEADS_COLOUR
    )
    figure.add_scatter(
        x=weeks,
        y=by_week["p90_working_minutes"],
        name="90th percentile",
        mode="lines+markers",
        line_color=VISITS_COLOUR,
    )
    figure.add_bar(
        x=weeks, y=by_week["sla_rate"], name="Within SLA", marker_color=BOOKINGS_COLOUR, opacity=0.35, secondary_y=True
    )
    _titled(figure, "Response in working minutes, and the share within SLA, by week the lead arrived")
    figure.update_layout(legend={"orientation": "h", "y": -0.2}, margin={"b": 40}, hovermode="x unified")
    figure.update_xaxes(tickformat="%d %b")
    figure.update_yaxes(title_text="Working minutes", secondary_y=False, rangemode="tozero")
    figure.update_yaxes(title_text="Within SLA", secondary_y=True, range=[0, 1], tickformat=".0%", showgrid=False)
    return figure
