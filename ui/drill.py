"""Every figure opens what is behind it (issue 16): which list a clicked figure means, and opening it.

A lead figure counts the leads that reached a stage under its report's filters. Its list is the
Leads page with the filters the report applies (the rest left at "All") and that stage: the
same definitions (v_lead_facts' flags) read by ``data.reports.lead_list``, so the list holds
exactly the leads counted (tests/test_drill_down.py holds every kind of figure equal to its list).

A figure is clickable only for someone whose menu has the page it opens (``can_open``).

A report's columns that count leads are named for their stage (``leads``, ``site_visited``,
``net_booked``…); a money column names the stage whose leads make it up (``MONEY_STAGE``). A
click on any other cell of a row opens all of the row's leads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from data.domain.filters import (
    CAMPAIGN,
    OWNER,
    PERIOD,
    PROJECT,
    REPORT_FILTERS,
    SOURCE,
    SUBSOURCE,
    ReportFilters,
    today_in_india,
)
from data.domain.vocabulary import OVERDUE_BUCKET, REACHED_STAGE, REACHED_STAGES
from ui import format as fmt
from ui import links, navigation, session
from ui.filter_bar import ALL, DEFAULT_MONTHS, OFFERED_MONTHS

LEADS_PAGE = "pages/leads.py"
LEDGER_PAGE = "pages/ledger.py"
BOOKINGS_PAGE = "pages/bookings.py"
TIMELINE_PAGE = "pages/timeline.py"

# Each filter's names in the address (the filter bar's widget keys).
ADDRESS_KEYS = {
    PERIOD: ("from", "to"),
    PROJECT: ("project",),
    SOURCE: ("source",),
    SUBSOURCE: ("subsource",),
    CAMPAIGN: ("campaign",),
    OWNER: ("owner",),
}

# The money a report shows per row, and the leads it is the value of.
MONEY_STAGE = {"net_booking_value": "net_booked"}


def can_open(path: str) -> bool:
    """Whether the signed-in person's menu has the page (leadership's has no lead list)."""
    menu = navigation.MENUS[session.current_user().role]
    return any(entry.path == path for entries in menu.values() for entry in entries)


def clicks(path: str, key: str) -> dict:
    """A chart's selection settings: its marks are clickable when the person may open ``path``."""
    return {"key": key, **({"on_select": "rerun", "selection_mode": "points"} if can_open(path) else {})}


def picks(path: str, on_pick):
    """A table's click handler when the person may open ``path``, else none (cells not clickable)."""
    return on_pick if can_open(path) else None


def clicked_point(chart) -> dict | None:
    """The mark clicked on a chart drawn with ``clicks`` (None when nothing is, or it is not
    clickable), with its ``customdata`` when the chart gave it one."""
    if chart is None or isinstance(chart, DeltaGenerator):  # drawn without clicks
        return None
    points = chart.selection.points
    return points[0] if points else None


def hint(path: str, text: str) -> None:
    """Say how to open what is behind the figures, to whoever may open ``path``."""
    if can_open(path):
        st.caption(text)


def stage_of(column: str) -> str:
    """The stage whose leads a report column counts or is worth; the row's leads for any other."""
    if column in REACHED_STAGES:
        return column
    return MONEY_STAGE.get(column, "leads")


def carried_keys(report: str) -> list[str]:
    """The address keys of the filters ``report`` applies."""
    return [key for name in REPORT_FILTERS[report] for key in ADDRESS_KEYS[name]]


def carried(report: str | None) -> dict[str, str]:
    """The filters ``report`` applies, as the page's widgets hold them now (so its figures
    counted them), by name as a link holds them; a filter at its default is left out.

    Read from the widgets rather than the address: the address may lag a pick (a "to" month
    picked in the browser has been seen missing from it while the page showed that month)."""
    if report is None:
        return {}
    default = ReportFilters.last_months(DEFAULT_MONTHS, today_in_india())
    defaults = {"from": default.month_from, "to": default.month_to}
    query = {}
    for key in carried_keys(report):
        value = st.session_state.get(key)
        if value is None or value == ALL or value == defaults.get(key):
            continue
        query[key] = fmt.month(value) if key in defaults else str(value)
    # The subsource picker is drawn only under a source; a hidden one may still hold a value.
    if "source" not in query:
        query.pop("subsource", None)
    return query


def whole_history(first_month) -> dict[str, str]:
    """The widest period the month pickers offer: every lead the tenant has."""
    today = today_in_india()
    offered = ReportFilters.last_months(OFFERED_MONTHS, today).month_from
    return {"from": fmt.month(min(first_month or offered, offered)), "to": fmt.month(today)}


def leads_query(report: str | None, stage: str, narrower: Mapping[str, str | None] | None = None) -> dict[str, str]:
    """The Leads page's address for the leads behind a figure of ``report``: its filters, made
    narrower by the clicked row (``narrower``: address key → name; None drops the filter)."""
    query = carried(report)
    for key, value in (narrower or {}).items():
        if value is None or pd.isna(value):
            query.pop(key, None)
        else:
            query[key] = str(value)
    if stage != "leads":
        query["stage"] = REACHED_STAGE[stage]
    return query


def open_leads(
    report: str | None, stage: str, narrower: Mapping[str, str | None] | None = None, forget: Iterable[str] = ()
) -> None:
    """Open the Leads page on the leads behind a figure (see ``leads_query``)."""
    links.open_page(LEADS_PAGE, leads_query(report, stage, narrower), forget)


def open_lead(lead_id: int, forget: Iterable[str] = ()) -> None:
    """Open one lead's timeline."""
    # The timeline follows a link only while its search box is empty (ui.lead_picker).
    links.open_page(TIMELINE_PAGE, {"lead": str(int(lead_id))}, (*forget, "lead-search"))


def accounts_query(report: str, bucket: str | None = None) -> dict[str, str]:
    """The Customer ledger's address for the accounts behind a money figure of ``report``: the
    dimension filters the ledger shares (it has no period: balances are as of today), and with
    ``bucket`` (one of ``OVERDUE_BUCKETS``) only the accounts with money overdue in it."""
    query = {key: value for key, value in carried(report).items() if key in carried_keys("customer_ledger")}
    if bucket is not None:
        query["overdue"] = OVERDUE_BUCKET[bucket]
    return query


def open_accounts(report: str, bucket: str | None = None, forget: Iterable[str] = ()) -> None:
    """Open the Customer ledger on the accounts behind a money figure (see ``accounts_query``)."""
    links.open_page(LEDGER_PAGE, accounts_query(report, bucket), forget)


def open_bookings(project: str, forget: Iterable[str] = ()) -> None:
    """Open the Bookings page on one project's bookings in the period (its figures' bookings)."""
    links.open_page(BOOKINGS_PAGE, {**carried("bookings"), "project": project}, forget)


def cohort_month(row: pd.Series) -> dict[str, str]:
    """A cohort row's month as the whole period."""
    month = fmt.month(row["cohort_month"])
    return {"from": month, "to": month}
