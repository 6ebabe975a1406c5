"""Every figure in ui.charts shows user text as typed (escaped, never drawn as HTML) and stored codes
in words (data.domain.vocabulary), and keeps its title clear of plotly's toolbar.

Plotly draws ``<a href>``, ``<b>`` and ``<br>`` in labels, legend names and hover text, so a
source, campaign or project named with markup would become a link on screen. The inputs are
small frames with the columns each report's docstring names (data/reports/*.py).
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
from collections.abc import Callable, Iterator

import pandas as pd
import plotly.graph_objects as go
import pytest

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
    Sources page reads the subsource bars' customdata back as the raw subsource to filter by.
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


def test_the_subsource_bars_hand_the_page_the_raw_subsource() -> None:
    figure = charts.subsource_bars(sources(HOSTILE))
    assert HOSTILE in list(figure.data[0].customdata)
    assert "customdata" not in figure.data[0].hovertemplate


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
    from data.domain import vocabulary as labels

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
