"""Page pieces shared by several screens: KPI tiles, empty states and the "data as of" line."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd
import streamlit as st

from data.db import Scope
from data.reports import cache
from ui import format as fmt

# label, formatter, how to show the change, whether a rise is good
KPI_TILES = {
    "leads": ("Leads", fmt.count, "count", True),
    "contacted_rate": ("Contacted", fmt.percent, "points", True),
    "site_visited": ("Site visits", fmt.count, "count", True),
    "revisited": ("Revisits", fmt.count, "count", True),
    "booked": ("Bookings", fmt.count, "count", True),
    "cancelled": ("Cancellations", fmt.count, "count", False),
    "net_booking_value": ("Net booking value", fmt.inr_compact, "money", True),
    "collections": ("Collections", fmt.inr_compact, "money", True),
    "outstanding": ("Outstanding", fmt.inr_compact, "money", False),
    "lead_to_booking_rate": ("Lead → booking", lambda v: fmt.percent(v, digits=2), "points", True),
    "average_days_to_booking": (
        "Days lead → booking",
        lambda v: fmt.count(round(v)) if v is not None else "—",
        "days",
        False,
    ),
}


# The leads behind each lead figure of the overview: the stage they reached (ui.drill).
KPI_LEADS = {
    "leads": "leads",
    "contacted_rate": "contacted",
    "site_visited": "site_visited",
    "revisited": "revisited",
    "booked": "booked",
    "cancelled": "cancelled",
    "net_booking_value": "net_booked",
    "lead_to_booking_rate": "net_booked",
    "average_days_to_booking": "booked",
}


def _change(kind: str, current, previous) -> str | None:
    if current is None or previous is None or pd.isna(current) or pd.isna(previous):
        return None
    difference = current - previous
    if kind == "points":
        return f"{difference * 100:+.1f} pts"
    if kind == "money":
        sign = "+" if difference >= 0 else "-"
        return sign + fmt.inr_compact(abs(difference))
    if kind == "days":
        return f"{difference:+.0f} days"
    return f"{difference:+,.0f}"


def kpi_tiles(
    kpis: pd.DataFrame,
    per_row: int = 4,
    compared_with: str = "",
    no_change: str | None = None,
    links_to: Callable[[str], tuple[str, dict[str, str], str] | None] | None = None,
) -> None:
    """Metric tiles for the overview's figures, each with its change on the previous period
    (``compared_with`` says which days that is); ``no_change``, when given, is said on every tile
    instead of a change (the previous period has no figures to compare with).

    With ``links_to``, a tile whose ``links_to(kpi)`` gives (page, query, text) has a link under it
    to that page with that query: the list behind the figure."""
    rows = kpis.set_index("kpi")
    names = [name for name in KPI_TILES if name in rows.index]
    for start in range(0, len(names), per_row):
        for column, name in zip(st.columns(per_row), names[start : start + per_row], strict=False):
            label, formatter, kind, rise_is_good = KPI_TILES[name]
            current, previous = rows.at[name, "current"], rows.at[name, "previous"]
            shown = formatter(None if pd.isna(current) else current)
            tile = column.container(border=True)
            if no_change is not None:
                tile.metric(label, shown, delta=no_change, delta_color="off", delta_arrow="off")
            else:
                tile.metric(
                    label,
                    shown,
                    delta=_change(kind, current, previous),
                    delta_color="normal" if rise_is_good else "inverse",
                    help=f"Change against {compared_with or 'the previous period of the same length'}",
                )
            link = links_to(name) if links_to is not None else None
            if link is not None:
                path, query, text = link
                tile.page_link(path, label=text, query_params=query, icon=":material/arrow_forward:")


def stop_if_empty(is_empty: bool, what: str = "leads") -> None:
    """Explain an empty result instead of drawing empty charts, and stop the page."""
    if is_empty:
        st.info(f"No {what} match these filters. Widen the dates or clear a filter in the sidebar.")
        st.stop()


def data_as_of(scope: Scope, *reads: Callable) -> None:
    """Say when the page's figures were read from the database, with a button that reads them again.

    Call it just after the page's reads (``reads``, the cached reads it shows): the time is that
    of the latest of them. Refresh forgets only those reads, for this tenant, and reruns the page.
    """
    read_at = cache.last_read_as_of()
    left, right = st.columns([5, 1], vertical_alignment="center")
    left.caption(f"Data as of {fmt.moment(read_at)} IST" if read_at else "Data as of now")
    if right.button("Refresh", key="refresh-data", icon=":material/refresh:", help="Read these figures again"):
        for read in reads:
            cache.forget(read, scope.tenant_id)
        st.rerun()
