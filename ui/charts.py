"""Figure builders: each takes a report's DataFrame and returns a plotly figure, nothing else.

No figure loads anything from the internet (no map tiles, no web fonts). Plotly draws a subset
of HTML in every label, legend name and hover text, so user text (sources, subsources,
campaigns, projects) goes through ``ui.text.html`` and stored codes through ``data.domain.vocabulary``.
Every figure is titled by ``_titled``, which keeps the title readable on a 390-px phone.

Numbers read the way the tiles and tables write them, through ``ui.format``: money in lakhs and
crores, counts with Indian grouping, dates as "1 Dec 2026". Plotly's d3 number formats know only
thousands and millions (0.6M, 250M), so money and count axes get their ticks computed here
(``_money_ticks``, ``_count_ticks``) and hovers show text formatted here (``hovertext``).
Colours come from one registry below, so a colour means the same thing on every chart.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Iterable, Mapping

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from data.domain import vocabulary as labels
from data.domain.filters import IST
from data.reports.cohort_funnel import COUNTING_RULE
from ui import format as fmt
from ui.text import html

# One colour per meaning, on every chart. Every colour here stands out from the white page
# (WCAG contrast against white of at least MIN_CONTRAST_ON_WHITE, held by tests/test_charts.py):
# a bar or segment drawn in near-white vanished on it.
MIN_CONTRAST_ON_WHITE = 2.0
LEADS_COLOUR = "#4C78A8"
VISITS_COLOUR = "#F58518"
BOOKINGS_COLOUR = "#54A24B"
NEUTRAL_COLOUR = "#6B6B6B"
# Statuses by their stored code, whichever list they belong to: "completed" is the same green
# for a booking and a campaign, "cancelled" always the bad red.
STATUS_COLOURS = {
    "completed": "#2E7D32",
    "confirmed": "#3A6FB0",
    "active": "#3A6FB0",
    "pending": "#C98A00",
    "paused": "#C98A00",
    "on_hold": "#8C6BB1",
    "inactive": "#7F7F7F",
    "cancelled": "#C62828",
}
CANCELLED_COLOUR = STATUS_COLOURS["cancelled"]
OUTCOME_COLOURS = dict(zip(labels.OUTCOMES, ("#54A24B", "#E0A526", "#E45756"), strict=True))  # green, amber, red
# Overdue money darkens from amber to deep red as it ages.
AGEING_COLOURS = ("#E0A526", "#F58518", "#E45756", "#9D2020")
# Series with no fixed meaning (one per source, say) take these in turn.
SERIES_COLOURS = (
    "#4C78A8",
    "#F58518",
    "#54A24B",
    "#B279A2",
    "#9D755D",
    "#E45756",
    "#72B7B2",
    "#D4A017",
    "#7F7F7F",
    "#8C6BB1",
)
# Rates shade from a light blue that still shows on white to a deep blue; plotly's "Blues"
# starts at white, which drew the largest low-rate source as a blank.
RATE_SCALE = [[0.0, "#8FB4DE"], [1.0, "#08306B"]]
FUNNEL_COLOUR = "#8FB4DE"
FUNNEL_TEXT_COLOUR = "#1B2A3A"

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

# About this many gaps between ticks on a money or count axis, each a round step.
TICK_GAPS = 5
ROUND_STEPS = (1, 2, 2.5, 5, 10)
WHOLE_STEPS = (1, 2, 5, 10)
# Markers on a line or bubbles sit on the axis ends: the axis runs this share past them.
LINE_PAD = 0.04
BUBBLE_PAD = 0.08
DAY_MS = 24 * 60 * 60 * 1000
# Date axes at the resolution of their ticks: hours and minutes only while ticks are less than a
# day apart (a short span), "1 Dec 2026" between a day and a month, "Dec 2026" beyond.
DATE_TICKS = [
    {"dtickrange": [None, DAY_MS], "value": "%H:%M<br>%-d %b %Y"},
    {"dtickrange": [DAY_MS, "M1"], "value": "%-d %b %Y"},
    {"dtickrange": ["M1", None], "value": "%b %Y"},
]
MONTH_TICKS = "%b %Y"


def status_colour(code: object) -> str:
    """The fixed colour of a stored status code (neutral grey for a code with none)."""
    return STATUS_COLOURS.get(str(code), NEUTRAL_COLOUR)


def _round_ticks(values: Iterable[object], whole: bool = False) -> list[float]:
    """Round tick values from zero (or the lowest value, if negative) past the highest value."""
    present = [float(value) for value in values if not pd.isna(value)]
    low, high = min([0.0, *present]), max([0.0, *present])
    if high == low:
        return [low]
    rough = (high - low) / TICK_GAPS
    magnitude = 10 ** math.floor(math.log10(rough))
    # The first round step near the rough one (a little under it is fine: one more tick).
    step = next(m * magnitude for m in (WHOLE_STEPS if whole else ROUND_STEPS) if m * magnitude >= 0.8 * rough)
    if whole:
        step = max(1, math.ceil(step))
    first, last = math.floor(low / step + 1e-9), math.ceil(high / step - 1e-9)
    return [round(index * step, 6) for index in range(first, last + 1)]


def _ticked(ticks: list[float], texts: list[str], pad: float) -> dict:
    """Axis settings drawing exactly these ticks, the axis spanning them (``pad`` of the span
    beyond each end, and a sliver above, so the top tick's label is never cut)."""
    settings: dict = {"tickmode": "array", "tickvals": ticks, "ticktext": texts}
    if len(ticks) > 1:
        span = ticks[-1] - ticks[0]
        settings["range"] = [ticks[0] - pad * span, ticks[-1] + max(pad, 0.02) * span]
    return settings


def _money_ticks(values: Iterable[object], pad: float = 0.0) -> dict:
    """Axis settings that label round amounts in lakhs and crores (₹50 L, ₹1.5 Cr)."""
    ticks = _round_ticks(values)
    return _ticked(ticks, [fmt.inr_compact(tick) for tick in ticks], pad)


def _count_ticks(values: Iterable[object], pad: float = 0.0) -> dict:
    """Axis settings that label round whole numbers with Indian grouping (1,00,000)."""
    ticks = _round_ticks(values, whole=True)
    return _ticked(ticks, [fmt.count(tick) for tick in ticks], pad)


def _india_time(moments: pd.Series) -> pd.Series:
    """Moments as India wall-clock time without a zone, which plotly draws as written."""
    moments = pd.to_datetime(moments)
    if moments.dt.tz is not None:
        moments = moments.dt.tz_convert(IST).dt.tz_localize(None)
    return moments


def _counted(values: Iterable[object], noun: str) -> list[str]:
    """Each count with Indian grouping and its noun: "1,23,456 leads"."""
    return [f"{fmt.count(value)} {noun}" for value in values]


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
    figure.update_layout(colorway=list(SERIES_COLOURS))
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
    series = (
        ("leads", "Leads", "bar", LEADS_COLOUR, False),
        ("site_visited", "Site visits", "line", VISITS_COLOUR, False),
        ("booked", "Bookings", "line", BOOKINGS_COLOUR, True),
    )
    for column, name, kind, colour, secondary in series:
        hover = {
            "hovertext": [f"{name}: {fmt.count(value)}" for value in trend[column]],
            "hovertemplate": "%{hovertext}",
        }
        if kind == "bar":
            figure.add_bar(x=months, y=trend[column], name=name, marker_color=colour, **hover)
        else:
            figure.add_scatter(
                x=months,
                y=trend[column],
                name=name,
                mode="lines+markers",
                line_color=colour,
                secondary_y=secondary,
                **hover,
            )
    _titled(figure, "Leads, site visits and bookings by month the lead arrived")
    figure.update_layout(legend={"orientation": "h", "y": -0.2}, margin={"b": 40}, hovermode="x unified")
    figure.update_xaxes(dtick="M1", tickformat=MONTH_TICKS, hoverformat=MONTH_TICKS)
    figure.update_yaxes(
        title_text="Leads and site visits",
        secondary_y=False,
        **_count_ticks([*trend["leads"], *trend["site_visited"]]),
    )
    # Bookings are small whole numbers: whole-number ticks, never "10.42".
    figure.update_yaxes(
        title_text="Bookings", secondary_y=True, showgrid=False, **_count_ticks(trend["booked"], pad=LINE_PAD)
    )
    return figure


def funnel_chart(stages: pd.DataFrame) -> go.Figure:
    """The cohort funnel, each stage with its share of leads (and of the stage before, on hover)."""
    text = [
        f"{fmt.count(count)} · {top:.1%} of leads"
        for count, top in zip(stages["leads"], stages["from_top"], strict=True)
    ]
    previous = ["" if pd.isna(step) else f"<br>{step:.1%} of the stage before" for step in stages["from_previous"]]
    names = _escaped(stages["label"])
    figure = go.Figure(
        go.Funnel(
            y=names,
            x=stages["leads"],
            text=text,
            textinfo="text",
            # Inside and centred, unshrunk: a funnel's bars share one centre, so even the
            # narrowest stage's text stays within the plot, where text beside the bar ran off a
            # phone's edge. Dark text on light bars reads on the bar and off it.
            textposition="inside",
            constraintext="none",
            insidetextanchor="middle",
            insidetextfont={"color": FUNNEL_TEXT_COLOUR},
            marker_color=FUNNEL_COLOUR,
            hovertext=[
                f"{name}: {fmt.count(count)}{step}"
                for name, count, step in zip(names, stages["leads"], previous, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    _titled(figure, f"From lead to net booking. {COUNTING_RULE}")
    # Zooming a funnel shows nothing new, and on a phone a drag over the chart should scroll
    # the page: fixed axes leave the touch to the browser (and drop the zoom buttons).
    # A click selects the stage, which the Funnel page opens the leads of.
    figure.update_layout(dragmode=False, clickmode="event+select")
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
    names = source_ids + _escaped(sources["subsource"])
    leads = list(parents["leads"]) + list(sources["leads"])
    rates = list(parents["rate"]) + list(sources["lead_to_booking_rate"])
    figure = go.Figure(
        go.Sunburst(
            ids=source_ids + child_ids,
            labels=names,
            # The segment's source and subsource ("" for a whole source), for the Sources page
            # to open its leads by; never drawn (no template names it).
            customdata=[[source, ""] for source in parents["source"]]
            + [[source, subsource] for source, subsource in zip(sources["source"], sources["subsource"], strict=True)],
            parents=[""] * len(parents) + _escaped(sources["source"]),
            values=leads,
            branchvalues="total",
            marker={
                "colors": [0 if pd.isna(rate) else rate for rate in rates],
                "colorscale": RATE_SCALE,
                "colorbar": {"title": "Lead → booking", "tickformat": ".0%"},
            },
            hovertext=[
                f"{name}: {fmt.count(count)} leads<br>lead → booking {fmt.percent(rate)}"
                for name, count, rate in zip(names, leads, rates, strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    _titled(figure, "Leads by source and subsource")
    figure.update_layout(margin={"l": 0, "r": 0, "b": 0})
    return figure


def subsource_bars(sources: pd.DataFrame) -> go.Figure:
    """Leads per subsource as bars one can click to open their leads."""
    ordered = sources.sort_values("leads")
    names = _escaped(ordered["subsource"])
    figure = go.Figure(
        go.Bar(
            x=ordered["leads"],
            y=names,
            orientation="h",
            # The bar's row of ``sources``, for the Sources page to open its leads by: plotly
            # never draws customdata unless a template names it, and this one's does not.
            customdata=ordered.index,
            marker={"color": ordered["lead_to_booking_rate"].fillna(0), "colorscale": RATE_SCALE, "cmin": 0},
            hovertext=[
                f"{name}: {fmt.count(count)} leads" for name, count in zip(names, ordered["leads"], strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    _titled(figure, "Leads by subsource — click a bar to open its leads")
    figure.update_layout(xaxis_title="Leads", clickmode="event+select")
    figure.update_xaxes(**_count_ticks(ordered["leads"]))
    return figure


BUBBLE_PX = 50  # the diameter of the campaign with the most leads


def campaign_roi(campaigns: pd.DataFrame) -> go.Figure:
    """Spend against net booking value per campaign, each bubble named and sized by its leads and
    coloured by its status, with the break-even line where net booking value equals spend."""
    figure = go.Figure()
    most = campaigns["leads"].max() if len(campaigns) else 0
    biggest = max(float(0 if pd.isna(most) else most), 1.0)
    # Names above and below their bubbles in turn, by value, so two campaigns of near the same
    # value do not print their names over each other.
    rank = campaigns["net_booking_value"].rank(method="first")
    label_at = (rank % 2).map({0: "bottom center", 1: "top center"}).fillna("top center")
    for status, rows in campaigns.groupby("status", sort=True):
        names = _escaped(rows["campaign_name"])
        figure.add_scatter(
            x=rows["spend"],
            y=rows["net_booking_value"],
            mode="markers+text",
            name=html(labels.label("campaign_status", status)),
            text=names,
            textposition=list(label_at[rows.index]),
            textfont={"size": 11},
            cliponaxis=False,
            # The bubble's row of ``campaigns``, for the Campaigns page to open its leads by.
            customdata=rows.index,
            marker={
                "color": status_colour(status),
                "size": rows["leads"],
                "sizemode": "area",
                "sizeref": 2.0 * biggest / BUBBLE_PX**2,
                "sizemin": 6,
                "opacity": 0.8,
            },
            hovertext=[
                f"{name}<br>spend {fmt.inr_compact(spend)}<br>net booking value {fmt.inr_compact(value)}"
                f"<br>{fmt.count(leads)} leads, ROI {'—' if pd.isna(roi) else f'{roi:.1f}×'}"
                for name, spend, value, leads, roi in zip(
                    names, rows["spend"], rows["net_booking_value"], rows["leads"], rows["roi"], strict=True
                )
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    # Break-even: a campaign above this line brought in more net booking value than it cost.
    reach = max(float(campaigns["spend"].max()), 0.0) if len(campaigns) else 0.0
    figure.add_scatter(
        x=[0.0, reach],
        y=[0.0, reach],
        mode="lines",
        name="Break-even (value = spend)",
        line={"color": NEUTRAL_COLOUR, "dash": "dash", "width": 1.5},
        hoverinfo="skip",
    )
    _titled(
        figure,
        f"Return on campaigns: spend against net booking value. Bubble area is leads "
        f"(largest {fmt.count(biggest)}); above the dashed line value exceeds spend",
    )
    figure.update_layout(
        xaxis_title="Spend",
        yaxis_title="Net booking value",
        legend={"orientation": "h", "y": -0.2},
        clickmode="event+select",
    )
    figure.update_xaxes(**_money_ticks(campaigns["spend"], pad=BUBBLE_PAD))
    figure.update_yaxes(**_money_ticks([*campaigns["net_booking_value"], reach], pad=BUBBLE_PAD))
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
    figure.add_vline(x=1, line_dash="dash", line_color=NEUTRAL_COLOUR)
    _titled(figure, "Budget used")
    figure.update_layout(xaxis_tickformat=".0%")
    return figure


def bookings_by_month(by_month: pd.DataFrame) -> go.Figure:
    """Bookings per month, and how many of them were later cancelled."""
    months = pd.to_datetime(by_month["booking_month"])
    figure = go.Figure()
    for column, name, colour in (
        ("bookings", "Bookings", BOOKINGS_COLOUR),
        ("later_cancelled", "Later cancelled", CANCELLED_COLOUR),
    ):
        figure.add_bar(
            x=months,
            y=by_month[column],
            name=name,
            marker_color=colour,
            hovertext=[
                f"{fmt.month(month)}: {fmt.count(value)} {name.lower()}"
                for month, value in zip(months, by_month[column], strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    _titled(figure, "Bookings by month")
    figure.update_layout(barmode="group", legend={"orientation": "h", "y": -0.2})
    figure.update_xaxes(dtick="M1", tickformat=MONTH_TICKS)
    figure.update_yaxes(**_count_ticks(by_month["bookings"]))
    return figure


def status_breakdown(by_status: pd.DataFrame) -> go.Figure:
    """Bookings by their current status, each status in its fixed colour."""
    names = _escaped(by_status["status"].map(labels.labeller("booking_status")))
    figure = go.Figure(
        go.Pie(
            labels=names,
            values=by_status["bookings"],
            hole=0.5,
            sort=False,
            marker={"colors": [status_colour(code) for code in by_status["status"]]},
            texttemplate="%{percent:.0%}",
            hovertext=_counted(by_status["bookings"], "bookings"),
            hovertemplate="%{label}: %{hovertext} (%{percent})<extra></extra>",
        )
    )
    return _titled(figure, "Booking status")


def value_by_project(by_project: pd.DataFrame) -> go.Figure:
    """Agreement value of live bookings beside what has been collected, per project."""
    projects = _escaped(by_project["project_name"])
    figure = go.Figure()
    for column, name, colour in (
        ("agreement_value", "Agreement value", LEADS_COLOUR),
        ("received_amount", "Collected", BOOKINGS_COLOUR),
    ):
        figure.add_bar(
            x=projects,
            y=by_project[column],
            name=name,
            marker_color=colour,
            hovertext=[
                f"{project}: {name.lower()} {fmt.inr_compact(value)}"
                for project, value in zip(projects, by_project[column], strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    _titled(figure, "Agreement value and collections by project")
    figure.update_layout(barmode="group", yaxis_title="Amount", legend={"orientation": "h", "y": -0.2})
    figure.update_yaxes(**_money_ticks([*by_project["agreement_value"], *by_project["received_amount"]]))
    return figure


AGEING_BUCKETS = tuple(labels.OVERDUE_BUCKET.items())


def ageing(totals: Mapping[str, float]) -> go.Figure:
    """Overdue money by how long it has been overdue (totals per bucket column)."""
    amounts = [totals[column] for column, _ in AGEING_BUCKETS]
    buckets = [label for _, label in AGEING_BUCKETS]
    figure = go.Figure(
        go.Bar(
            x=buckets,
            y=amounts,
            marker_color=list(AGEING_COLOURS),
            # The bucket's column, for the Customer ledger to list its accounts by.
            customdata=[column for column, _ in AGEING_BUCKETS],
            hovertext=[f"{bucket}: {fmt.inr_compact(amount)}" for bucket, amount in zip(buckets, amounts, strict=True)],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    _titled(figure, "Overdue by days past due — click a bar to list its accounts")
    figure.update_layout(yaxis_title="Overdue amount", clickmode="event+select")
    figure.update_yaxes(**_money_ticks(amounts))
    return figure


ENGAGEMENTS_ROW = "Calls and messages"


def lead_timeline(milestones: pd.DataFrame, engagements: pd.DataFrame) -> go.Figure:
    """Milestones and engagements of one lead on a time axis; visits coloured by outcome."""
    figure = go.Figure()
    if not engagements.empty:
        kinds = engagements["engagement_type"].map(labels.labeller("engagement_type"))
        statuses = engagements["status"].map(labels.labeller("engagement_status"))
        figure.add_scatter(
            x=_india_time(engagements["occurred_at"]),
            y=[ENGAGEMENTS_ROW] * len(engagements),
            mode="markers",
            name=ENGAGEMENTS_ROW,
            marker={"symbol": "circle-open", "size": 10, "color": NEUTRAL_COLOUR},
            hovertext=[
                f"{what}<br>{fmt.moment(when)}"
                for what, when in zip(_escaped(kinds + " · " + statuses), engagements["occurred_at"], strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    if not milestones.empty:
        colours = milestones["outcome"].map(OUTCOME_COLOURS).fillna(LEADS_COLOUR)
        steps = _escaped(milestones["milestone_type"].map(labels.labeller("milestone_type")))
        outcomes = _escaped(milestones["outcome"].map(labels.labeller("outcome")))
        figure.add_scatter(
            x=_india_time(milestones["occurred_at"]),
            y=steps,
            mode="markers+lines",
            name="Milestones",
            marker={"size": 14, "color": colours},
            line={"color": NEUTRAL_COLOUR, "width": 1},
            hovertext=[
                f"{step} {outcome}<br>{fmt.moment(when)}"
                for step, outcome, when in zip(steps, outcomes, milestones["occurred_at"], strict=True)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    _titled(figure, "What happened, when")
    figure.update_layout(
        showlegend=False,
        yaxis={"categoryorder": "array", "categoryarray": [ENGAGEMENTS_ROW, *labels.MILESTONE_TYPE.values()]},
    )
    figure.update_xaxes(tickformatstops=DATE_TICKS)
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
    # Light enough for the lines to read over, not so light the bars vanish on white.
    figure.add_bar(
        x=weeks, y=by_week["sla_rate"], name="Within SLA", marker_color=BOOKINGS_COLOUR, opacity=0.7, secondary_y=True
    )
    _titled(figure, "Response in working minutes, and the share within SLA, by week the lead arrived")
    figure.update_layout(legend={"orientation": "h", "y": -0.2}, margin={"b": 40}, hovermode="x unified")
    figure.update_xaxes(tickformatstops=DATE_TICKS, hoverformat="week of %-d %b %Y")
    figure.update_yaxes(
        title_text="Working minutes",
        secondary_y=False,
        **_count_ticks([*by_week["median_working_minutes"], *by_week["p90_working_minutes"]], pad=LINE_PAD),
    )
    figure.update_yaxes(
        title_text="Within SLA", secondary_y=True, range=[0, 1], dtick=0.2, tickformat=".0%", showgrid=False
    )
    return figure
