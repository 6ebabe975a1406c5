"""The sidebar filter bar every analysis screen shares.

Each widget is bound to the URL (``bind="query-params"``): a link reproduces the view, and
the filters survive moving between pages. The URL holds names (``?project=Harbour+Heights``,
``?from=Apr+2026``), not ids, so a shared link reads as what it shows.

A page shows only the filters its report applies (``data.domain.filters.REPORT_FILTERS``, the
list the API takes too): a filter that would be ignored is not offered. Reports count cohort
months, so the period is picked as months, from one month to another.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data import reports
from data.db import Scope
from data.domain.filters import (
    CAMPAIGN,
    OWNER,
    PERIOD,
    PROJECT,
    REPORT_FILTERS,
    SOURCE,
    SUBSOURCE,
    ReportFilters,
    months_between,
    today_in_india,
)
from data.domain.saved_views import QUERY_KEYS
from data.domain.vocabulary import OVERDUE_BUCKET, OVERDUE_BUCKETS, REACHED_STAGE, REACHED_STAGES
from ui import format as fmt
from ui.saved_views import saved_views_sidebar

ALL = "All"
# The widget keys of the filters, which are also their names in the address (and what a saved
# view keeps); "stage" is the lead list's own (the stage a figure's leads reached) and "overdue"
# the customer ledger's (an ageing bucket).
FILTER_KEYS = QUERY_KEYS
DEFAULT_MONTHS = 12
# The picker offers at least this many months back, so a period can start before last year's.
OFFERED_MONTHS = 24


def _pick(label: str, key: str, options: list[str]) -> str | None:
    choice = st.sidebar.selectbox(label, [ALL, *options], key=key, bind="query-params")
    return None if choice in (None, ALL) else choice


def _months(first_month: dt.date | None, today: dt.date) -> tuple[dt.date, dt.date]:
    """Two month pickers (from, to), offering the months since the first lead or the last two years."""
    default = ReportFilters.last_months(DEFAULT_MONTHS, today)
    offered = ReportFilters.last_months(OFFERED_MONTHS, today).month_from
    months = months_between(min(first_month or offered, offered), today)
    left, right = st.sidebar.columns(2)
    month_from = left.selectbox(
        "From month",
        months,
        index=months.index(default.month_from),
        format_func=fmt.month,
        key="from",
        bind="query-params",
    )
    month_to = right.selectbox(
        "To month", months, index=len(months) - 1, format_func=fmt.month, key="to", bind="query-params"
    )
    if month_from > month_to:
        first, last = fmt.month(month_to), fmt.month(month_from)
        st.sidebar.warning(f"{last} is after {first}: showing {first} to {last}.")
        return month_to, month_from
    return month_from, month_to


def filter_bar(scope: Scope, report: str) -> ReportFilters:
    """Draw the filters ``report`` applies in the sidebar and return what they select.

    ``report`` names the read in ``REPORT_FILTERS``; a filter it does not apply keeps its
    default (every month of the last twelve, or all). A rep's scope pins the owner to the rep
    (the database allows nothing else) and hides that picker.
    """
    shown = REPORT_FILTERS[report]
    owner_user_id = scope.owner_user_id
    options = reports.filter_options(scope)
    today = today_in_india()
    st.sidebar.header("Filters")
    if PERIOD in shown:
        month_from, month_to = _months(options.first_month, today)
    else:
        default = ReportFilters.last_months(DEFAULT_MONTHS, today)
        month_from, month_to = default.month_from, default.month_to

    project = _pick("Project", "project", options.projects["name"].tolist()) if PROJECT in shown else None
    source = _pick("Source", "source", sorted(options.sources["source"].unique().tolist())) if SOURCE in shown else None
    subsources = options.sources[options.sources["source"] == source]["subsource"].tolist() if source else []
    subsource = _pick("Subsource", "subsource", subsources) if source and SUBSOURCE in shown else None
    campaigns = options.campaigns
    if source:
        campaigns = campaigns[campaigns["source"] == source]
    if subsource:
        campaigns = campaigns[campaigns["subsource"] == subsource]
    campaign = _pick("Campaign", "campaign", campaigns["name"].tolist()) if CAMPAIGN in shown else None
    owner = None
    if owner_user_id is None and OWNER in shown:
        owner = _pick("Owner", "owner", options.owners["display_name"].tolist())

    def id_of(frame, column, value, id_column):
        return None if value is None else int(frame.loc[frame[column] == value, id_column].iloc[0])

    saved_views_sidebar(scope, report)
    return ReportFilters(
        month_from=month_from,
        month_to=month_to,
        project_id=id_of(options.projects, "name", project, "project_id"),
        source=source,
        subsource=subsource,
        campaign_id=id_of(options.campaigns, "name", campaign, "campaign_id"),
        owner_user_id=owner_user_id or id_of(options.owners, "display_name", owner, "user_id"),
    )


def stage_pick() -> str:
    """The lead list's stage filter: the leads that reached a stage (a clicked figure's), or all."""
    return st.sidebar.selectbox(
        "Reached",
        REACHED_STAGES,
        format_func=REACHED_STAGE.get,
        key="stage",
        bind="query-params",
        help="Leads that reached this stage, as the funnel, sources and campaigns count them.",
    )


def overdue_pick() -> str | None:
    """The customer ledger's ageing filter: the accounts with money overdue in a bucket, or all."""
    return st.sidebar.selectbox(
        "Overdue",
        (None, *OVERDUE_BUCKETS),
        format_func=lambda bucket: ALL if bucket is None else OVERDUE_BUCKET[bucket],
        key="overdue",
        bind="query-params",
        help="Accounts with money overdue this many days past its due date.",
    )
