"""Figure builders: each takes a report's DataFrame and returns a plotly figure, nothing else.

No figure loads anything from the internet (no map tiles, no web fonts).
"""

from __future__ import annotations

import math

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
