"""Every figure in ui.charts shows user text as typed (escaped, never drawn as HTML) and stored codes
in words (data.domain.vocabulary), and keeps its title clear of plotly's toolbar.

Plotly draws ``<a href>``, ``<b>`` and ``<br>`` in labels, legend names and hover text, so a
source, campaign or project named with markup would become a link on screen. The inputs are
small frames with the columns each report's docstring names (data/reports/*.py).
"""

from __future__ import annotations

import datetime as dt
import inspect
import itertools
import json
import re
from collections.abc import Callable, Iterator

import pandas as pd
import plotly.graph_objects as go
import pytest

from data.domain import vocabulary as labels
from ui import charts

HOSTILE = (
    "**b** [x](http://127.0.0.1:9/x) ![i](http://127.0.0.1:9/i.png) "
    '<img src=x onerror=alert(1)> <a href="http://127.0.0.1:9/">a</a>'
)
MONTHS = [dt.date(2026, 1, 1), dt.date(2026, 2, 1)]
WHEN = pd.to_datetime(["2026-01-05 10:00", "2026-01-09 16:30"])


def stages(label: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "stage": ["leads", "net_booked"],
            "label": [label, f"{label} 2"],
            "leads": [120, 6],
            "from_top": [1.0, 0.05],
            "from_previous": [None, 0.05],
        }
    )


def lags(text: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "step": [text, text],
            "source": [text, f"{text} 2"],
            "leads": [10, 4],
            "minimum": [0.0, 1.0],
            "q1": [2.0, 3.0],
            "median": [4.0, 5.0],
            "q3": [6.0, 7.0],
            "maximum": [9.0, 12.0],
            "mean": [4.5, 5.5],
        }
    )


def sources(text: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "source": [text, text, "Walk-in"],
            "subsource": [text, f"{text} 2", "Site office"],
            "leads": [40, 20, 10],
            "net_booked": [2, 1, 0],
            "lead_to_booking_rate": [0.05, 0.05, None],
        }
    )


def campaigns(name: str, status: str) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "campaign_name": [name, f"{name} 2"],
            "status": [status, "paused"],
            "spend": [150_000.0, 90_000.0],
            "net_booking_value": [9_500_000.0, 0.0],
            "leads": [60, 25],
            "roi": [62.3, 0.0],
            "budget_utilisation": [0.75, 1.1],
        }
    )


def milestones(milestone_type: str, outcome: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"milestone_type": [milestone_type, "contacted"], "occurred_at": WHEN, "outcome": [outcome, None]}
    )


def engagements(engagement_type: str, status: str) -> pd.DataFrame:
    return pd.DataFrame(
        {"engagement_type": [engagement_type, "call"], "status": [status, "completed"], "occurred_at": WHEN}
    )


def figures(text: str) -> dict[str, go.Figure]:
    """Every builder's figure, with ``text`` in each of its text columns (codes included)."""
    return {
        "monthly_trend": charts.monthly_trend(
            pd.DataFrame({"cohort_month": MONTHS, "leads": [300, 280], "site_visited": [40, 35], "booked": [5, 4]})
        ),
        "funnel_chart": charts.funnel_chart(stages(text)),
        "lag_boxes": charts.lag_boxes(lags(text)),
        "source_sunburst": charts.source_sunburst(sources(text)),
        "subsource_bars": charts.subsource_bars(sources(text)),
        "campaign_roi": charts.campaign_roi(campaigns(text, text)),
        "budget_utilisation": charts.budget_utilisation(campaigns(text, "active")),
        "bookings_by_month": charts.bookings_by_month(
            pd.DataFrame({"booking_month": MONTHS, "bookings": [5, 3], "later_cancelled": [1, 0]})
        ),
        "status_breakdown": charts.status_breakdown(pd.DataFrame({"status": [text, "confirmed"], "bookings": [3, 7]})),
        "value_by_project": charts.value_by_project(
            pd.DataFrame(
                {
                    "project_name": [text, "Green Acres"],
                    "agreement_value": [9_000_000.0, 6_000_000.0],
                    "received_amount": [900_000.0, 0.0],
                }
            )
        ),
        "ageing": charts.ageing(
            {"overdue_0_30": 100.0, "overdue_31_60": 0.0, "overdue_61_90": 50.0, "overdue_over_90": 25.0}
        ),
        "lead_timeline": charts.lead_timeline(milestones(text, text), engagements(text, text)),
        "response_trend": charts.response_trend(
            pd.DataFrame(
                {
                    "week_start": ["2026-11-02", "2026-11-09"],
                    "median_working_minutes": [12.0, 9.0],
                    "p90_working_minutes": [40.0, 31.0],
                    "sla_rate": [0.62, 0.71],
                }
            )
        ),
    }


def builders() -> set[str]:
    return {
        name
        for name, function in inspect.getmembers(charts, inspect.isfunction)
        if function.__module__ == charts.__name__
        and not name.startswith("_")
        and inspect.signature(function).return_annotation == "go.Figure"
    }


def drawn_strings(figure: go.Figure) -> Iterator[str]:
    """Every string in the figure's JSON that plotly may draw.

    ``customdata`` is left out: plotly draws it only where a hover template names it, and the
    Sources page reads the bars' and segments' customdata back to open their leads.
    """

    def walk(value, key: str = "") -> Iterator[str]:
        if key == "customdata":
            return
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for child_key, child in value.items():
                yield from walk(child, child_key)
        elif isinstance(value, list):
            for child in value:
                yield from walk(child, key)

    # to_json writes "<" as \u003c; the decoded JSON holds what plotly.js receives.
    yield from walk(json.loads(figure.to_json()))


def test_every_builder_is_covered() -> None:
    assert set(figures("x")) == builders()


@pytest.mark.parametrize("name", sorted(builders()))
def test_user_text_is_escaped(name: str) -> None:
    text = list(drawn_strings(figures(HOSTILE)[name]))
    markup = [value for value in text if "<a " in value.lower() or "<img" in value.lower()]
    assert markup == []
    # The text is still there, shown literally (every builder but the two without text columns).
    if name not in ("monthly_trend", "bookings_by_month", "ageing", "response_trend"):
        assert any("&lt;img src=x onerror=alert(1)&gt;" in value for value in text)


def test_the_subsource_bars_and_segments_hand_the_page_their_rows() -> None:
    frame = sources(HOSTILE)
    bars = charts.subsource_bars(frame)
    assert sorted(bars.data[0].customdata) == list(frame.index)
    assert "customdata" not in bars.data[0].hovertemplate
    segments = charts.source_sunburst(frame)
    assert [HOSTILE, HOSTILE] in [list(pair) for pair in segments.data[0].customdata]
    assert "customdata" not in segments.data[0].hovertemplate


CODE_FIGURES: dict[str, tuple[Callable[[], go.Figure], set[str], set[str]]] = {
    "lead_timeline": (
        lambda: charts.lead_timeline(
            milestones("site_visit_scheduled", "positive"), engagements("whatsapp", "no_answer")
        ),
        {"Visit scheduled", "Positive", "WhatsApp · No answer"},
        {"site_visit_scheduled", "positive", "whatsapp", "no_answer"},
    ),
    "status_breakdown": (
        lambda: charts.status_breakdown(pd.DataFrame({"status": ["on_hold", "cancelled"], "bookings": [2, 1]})),
        {"On hold", "Cancelled"},
        {"on_hold", "cancelled"},
    ),
    "campaign_roi": (lambda: charts.campaign_roi(campaigns("Diwali mailer", "inactive")), {"Inactive"}, {"inactive"}),
}


@pytest.mark.parametrize("name", sorted(CODE_FIGURES))
def test_codes_are_shown_as_labels(name: str) -> None:
    build, shown, codes = CODE_FIGURES[name]
    text = set(drawn_strings(build()))
    # A label may be part of a longer hover text ("WhatsApp · No answer<br>5 Jan 2026, 10:00").
    assert all(any(label in value for value in text) for label in shown)
    assert not codes & text


def test_the_timeline_orders_rows_by_the_registrys_milestones() -> None:
    order = list(
        charts.lead_timeline(milestones("contacted", ""), engagements("call", "completed")).layout.yaxis.categoryarray
    )
    assert order[1:] == list(labels.MILESTONE_TYPE.values())


@pytest.mark.parametrize("name", sorted(builders()))
def test_the_title_sits_left_under_the_toolbar_row(name: str) -> None:
    title = figures("Walk-in")[name].layout.title
    assert (title.x, title.xanchor, title.yref, title.yanchor) == (0, "left", "container", "top")
    assert title.pad.t >= charts.MODEBAR_ROW_PX
    # Lines short enough for a phone: wrapped with <br>, each within the agreed length.
    assert all(len(line) <= charts.TITLE_CHARACTERS for line in title.text.split("<br>"))


def test_the_funnel_text_stays_inside_the_plot_on_a_phone() -> None:
    funnel = charts.funnel_chart(stages("Leads")).data[0]
    assert (funnel.textposition, funnel.constraintext) == ("inside", "none")
    assert all(value.endswith("of leads") for value in funnel.text)


# --- Indian numbers on every axis and hover (issue 16) -------------------------------------------

LAKH, CRORE = 100_000, 10_000_000
# An amount as the tiles write it: ₹0, or lakhs and crores with Indian grouping (₹2,500 Cr).
INDIAN_AMOUNT = re.compile(r"^-?₹(0|\d{1,3}(,\d\d)*(,\d{3})?(\.\d{1,2})? (L|Cr))$")
AMOUNT_IN_TEXT = re.compile(r"₹[\d,.]+(?: (?:L|Cr))?")


def money_figures() -> dict[str, tuple[go.Figure, tuple[str, ...], float]]:
    """Each builder with a money axis on realistic amounts (₹5 L to ₹250 Cr): the figure, its
    money axes, and the largest amount drawn on them."""
    campaign_rows = pd.DataFrame(
        {
            "campaign_name": ["Diwali portal push", "Site hoarding", "Channel partners"],
            "status": ["active", "completed", "paused"],
            "spend": [5 * LAKH, 12 * LAKH, 18 * LAKH],
            "net_booking_value": [250 * CRORE, 48 * CRORE, 0.0],
            "leads": [900, 300, 40],
            "roi": [499.0, 39.0, 0.0],
            "budget_utilisation": [0.5, 0.9, 1.2],
        }
    )
    projects = pd.DataFrame(
        {
            "project_name": ["Green Acres", "Lake View"],
            "agreement_value": [98 * CRORE, 21 * CRORE],
            "received_amount": [12 * CRORE, 5 * LAKH],
        }
    )
    buckets = {"overdue_0_30": 5 * LAKH, "overdue_31_60": 80 * LAKH, "overdue_61_90": 0.0, "overdue_over_90": 3 * CRORE}
    return {
        "campaign_roi": (charts.campaign_roi(campaign_rows), ("xaxis", "yaxis"), 250 * CRORE),
        "value_by_project": (charts.value_by_project(projects), ("yaxis",), 98 * CRORE),
        "ageing": (charts.ageing(buckets), ("yaxis",), 3 * CRORE),
    }


def test_every_figure_that_shows_money_is_checked_for_lakhs_and_crores() -> None:
    shows_money = {name for name, figure in figures("Walk-in").items() if any("₹" in s for s in drawn_strings(figure))}
    assert shows_money == set(money_figures())


@pytest.mark.parametrize("name", sorted(money_figures()))
def test_money_axes_read_in_lakhs_and_crores(name: str) -> None:
    figure, axes, largest = money_figures()[name]
    for axis in axes:
        ticks = figure.layout[axis]
        assert list(ticks.ticktext), f"{name} {axis} has no computed ticks"
        assert all(INDIAN_AMOUNT.match(text) for text in ticks.ticktext), list(ticks.ticktext)
        assert any(text.endswith((" L", " Cr")) for text in ticks.ticktext)
        # Round steps from zero (₹0, ₹50 Cr, ₹100 Cr ...) up to past the largest amount.
        steps = {round(b - a, 2) for a, b in itertools.pairwise(ticks.tickvals)}
        assert ticks.tickvals[0] == 0 and len(steps) == 1 and 3 <= len(ticks.tickvals) <= 11
    assert figure.layout[axes[-1]].tickvals[-1] >= largest


@pytest.mark.parametrize("name", sorted(money_figures()))
def test_money_hovers_read_in_lakhs_and_crores(name: str) -> None:
    figure = money_figures()[name][0]
    hovers = [text for trace in figure.data for text in (trace.hovertext or ())]
    amounts = [amount for text in hovers for amount in AMOUNT_IN_TEXT.findall(text)]
    assert amounts
    assert all(amount == "₹0" or amount.endswith((" L", " Cr")) for amount in amounts), amounts
    # No plotly number format left to write "1.8M" or "250,000,000".
    assert not any(":," in (trace.hovertemplate or "") for trace in figure.data)


def test_the_ticks_of_amounts_from_five_lakh_to_250_crore() -> None:
    figure = money_figures()["campaign_roi"][0]
    assert list(figure.layout.xaxis.ticktext) == ["₹0", "₹5 L", "₹10 L", "₹15 L", "₹20 L"]
    assert list(figure.layout.yaxis.ticktext) == ["₹0", "₹50 Cr", "₹100 Cr", "₹150 Cr", "₹200 Cr", "₹250 Cr"]


def test_counts_use_indian_grouping_on_axes_hovers_and_labels() -> None:
    trend = charts.monthly_trend(
        pd.DataFrame(
            {"cohort_month": MONTHS, "leads": [2_50_000, 1_23_456], "site_visited": [40_000, 35_000], "booked": [5, 4]}
        )
    )
    assert "1,00,000" in trend.layout.yaxis.ticktext and "2,50,000" in trend.layout.yaxis.ticktext
    assert list(trend.layout.yaxis2.ticktext) == ["0", "1", "2", "3", "4", "5"]  # whole bookings
    assert "Leads: 1,23,456" in trend.data[0].hovertext
    many = stages("Leads").assign(leads=[1_23_456, 6_000])
    funnel = charts.funnel_chart(many).data[0]
    assert funnel.text[0].startswith("1,23,456 ·") and funnel.hovertext[0].startswith("Leads: 1,23,456")
    bars = charts.subsource_bars(sources("Portal").assign(leads=[1_50_000, 20, 10]))
    assert "1,00,000" in bars.layout.xaxis.ticktext and "Portal: 1,50,000 leads" in bars.data[0].hovertext
    booked = charts.bookings_by_month(
        pd.DataFrame({"booking_month": MONTHS, "bookings": [1_20_000, 3], "later_cancelled": [1, 0]})
    )
    assert "1,00,000" in booked.layout.yaxis.ticktext
    assert booked.data[0].hovertext[0] == "Jan 2026: 1,20,000 bookings"


def test_the_timeline_reads_day_month_year_and_hours_only_over_a_short_span() -> None:
    figure = charts.lead_timeline(milestones("contacted", ""), engagements("call", "completed"))
    stops = {tuple(stop.dtickrange): stop.value for stop in figure.layout.xaxis.tickformatstops}
    day = 24 * 60 * 60 * 1000
    assert stops == {(None, day): "%H:%M<br>%-d %b %Y", (day, "M1"): "%-d %b %Y", ("M1", None): "%b %Y"}
    # Never seconds, never the American month-first order ("10:30:25 Dec 1, 2026").
    assert not any("%S" in value or "%b %-d" in value or "%b %d" in value for value in stops.values())
    assert figure.data[1].hovertext[0].endswith("5 Jan 2026, 10:00")


def test_the_timeline_draws_moments_in_india_time() -> None:
    utc = pd.Series(pd.to_datetime(["2026-01-05 04:30", "2026-01-09 11:00"]).tz_localize("UTC"))
    figure = charts.lead_timeline(
        milestones("contacted", "").assign(occurred_at=utc), engagements("call", "completed").assign(occurred_at=utc)
    )
    assert pd.Timestamp(figure.data[1].x[0]) == pd.Timestamp("2026-01-05 10:00")
    assert figure.data[1].hovertext[0].endswith("5 Jan 2026, 10:00")


@pytest.mark.parametrize("name", sorted(builders()))
def test_axis_titles_are_words_not_a_lone_rupee_sign(name: str) -> None:
    layout = figures("Walk-in")[name].layout
    titles = [layout[axis].title.text for axis in ("xaxis", "yaxis", "yaxis2") if axis in layout and layout[axis].title]
    assert all(re.search(r"[A-Za-z]", title) for title in titles if title), titles


# --- Charts that say what they show -------------------------------------------------------------


def test_the_campaign_bubbles_are_named_sized_and_set_against_break_even() -> None:
    figure = money_figures()["campaign_roi"][0]
    bubbles = [trace for trace in figure.data if trace.mode == "markers+text"]
    assert sorted(name for trace in bubbles for name in trace.text) == [
        "Channel partners",
        "Diwali portal push",
        "Site hoarding",
    ]
    assert all(trace.marker.sizemode == "area" for trace in bubbles)
    assert "Bubble area is leads (largest 900)" in figure.layout.title.text.replace("<br>", " ")
    (line,) = [trace for trace in figure.data if trace.name.startswith("Break-even")]
    assert line.mode == "lines" and list(line.x) == list(line.y) == [0.0, 18 * LAKH]
    assert line.line.dash == "dash"


def every_status_chart() -> dict[str, dict[str, str]]:
    """The colour each chart that shows statuses gives each status code."""
    booking_codes = list(labels.BOOKING_STATUS)
    pie = charts.status_breakdown(pd.DataFrame({"status": booking_codes, "bookings": [1] * len(booking_codes)}))
    campaign_codes = list(labels.CAMPAIGN_STATUS)
    roi = charts.campaign_roi(
        pd.DataFrame(
            {
                "campaign_name": campaign_codes,
                "status": campaign_codes,
                "spend": [1.0] * len(campaign_codes),
                "net_booking_value": [2.0] * len(campaign_codes),
                "leads": [3] * len(campaign_codes),
                "roi": [2.0] * len(campaign_codes),
            }
        )
    )
    by_month = charts.bookings_by_month(
        pd.DataFrame({"booking_month": MONTHS, "bookings": [5, 3], "later_cancelled": [1, 0]})
    )
    return {
        "status_breakdown": dict(zip(booking_codes, pie.data[0].marker.colors, strict=True)),
        "campaign_roi": {
            code: trace.marker.color
            for trace in roi.data
            for code, label in labels.CAMPAIGN_STATUS.items()
            if trace.name == label
        },
        "bookings_by_month": {"cancelled": by_month.data[1].marker.color},
    }


def test_each_status_has_one_colour_on_every_chart() -> None:
    assert set(labels.BOOKING_STATUS) | set(labels.CAMPAIGN_STATUS) <= set(charts.STATUS_COLOURS)
    seen: dict[str, set[str]] = {}
    for colours in every_status_chart().values():
        for code, colour in colours.items():
            seen.setdefault(code, set()).add(colour)
    assert set(seen) == set(labels.BOOKING_STATUS) | set(labels.CAMPAIGN_STATUS)
    assert all(colours == {charts.STATUS_COLOURS[code]} for code, colours in seen.items()), seen
    # Cancelled is the bad colour, and no other status shares it; completed is never red.
    cancelled = charts.STATUS_COLOURS["cancelled"]
    assert [code for code, colour in charts.STATUS_COLOURS.items() if colour == cancelled] == ["cancelled"]
    red, green, _ = rgb(cancelled)
    assert red > 2 * green
    red, green, _ = rgb(charts.STATUS_COLOURS["completed"])
    assert green > red


def rgb(colour: str) -> tuple[int, int, int]:
    """A #rrggbb or rgb(r, g, b) colour's channels (anything else fails the test)."""
    if match := re.fullmatch(r"#([0-9a-fA-F]{6})", colour):
        value = match.group(1)
        return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)
    match = re.fullmatch(r"rgba?\((\d+),\s*(\d+),\s*(\d+)(?:,\s*[\d.]+)?\)", colour)
    assert match, f"{colour!r} is not a colour the contrast test can read"
    return int(match.group(1)), int(match.group(2)), int(match.group(3))


def contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of the colour against white."""

    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(channel) for channel in rgb(colour))
    return 1.05 / (0.2126 * red + 0.7152 * green + 0.0722 * blue + 0.05)


def drawn_colours(figure: go.Figure) -> Iterator[str]:
    """Every colour the figure sets itself (plotly's template and page colours aside)."""

    def walk(value, key: str = "") -> Iterator[str]:
        if key == "template":
            return
        if isinstance(value, dict):
            for child_key, child in value.items():
                yield from walk(child, child_key)
        elif key == "colorscale" and isinstance(value, list):
            yield from (colour for _, colour in value)
        elif key in ("color", "colors", "colorway", "fillcolor") and isinstance(value, list | str):
            yield from (item for item in ([value] if isinstance(value, str) else value) if isinstance(item, str))
        elif isinstance(value, list):
            for child in value:
                yield from walk(child, key)

    yield from walk(json.loads(figure.to_json()))


def faded_colours(figure: go.Figure) -> Iterator[str]:
    """The colour each translucent trace shows on white: its marker colour blended with the page."""
    for trace in figure.data:
        marker = getattr(trace, "marker", None)
        alpha = 1.0 if trace.opacity is None else trace.opacity
        if marker is not None and isinstance(getattr(marker, "opacity", None), int | float):
            alpha *= marker.opacity
        if alpha < 1 and marker is not None and isinstance(marker.color, str):
            red, green, blue = (round(alpha * channel + (1 - alpha) * 255) for channel in rgb(marker.color))
            yield f"rgb({red}, {green}, {blue})"


def registry_colours() -> list[str]:
    return [
        charts.LEADS_COLOUR,
        charts.VISITS_COLOUR,
        charts.BOOKINGS_COLOUR,
        charts.NEUTRAL_COLOUR,
        charts.FUNNEL_COLOUR,
        *charts.STATUS_COLOURS.values(),
        *charts.OUTCOME_COLOURS.values(),
        *charts.AGEING_COLOURS,
        *charts.SERIES_COLOURS,
        *(colour for _, colour in charts.RATE_SCALE),
    ]


def test_no_registry_colour_vanishes_on_white() -> None:
    faint = {colour: round(contrast_with_white(colour), 2) for colour in registry_colours()}
    assert {colour: ratio for colour, ratio in faint.items() if ratio < charts.MIN_CONTRAST_ON_WHITE} == {}


@pytest.mark.parametrize("name", sorted(builders()))
def test_no_figure_draws_in_a_colour_that_vanishes_on_white(name: str) -> None:
    figure = figures("Walk-in")[name]
    colours = set(drawn_colours(figure)) | set(faded_colours(figure))
    # Every figure sets its own series colours (the colorway at least), never plotly's or the theme's.
    assert colours
    faint = {colour for colour in colours if contrast_with_white(colour) < charts.MIN_CONTRAST_ON_WHITE}
    assert faint == set()
