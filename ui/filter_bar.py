"""The sidebar filter bar every analysis screen shares.

Each widget is bound to the URL (``bind="query-params"``): a link reproduces the view, and
the filters survive moving between pages. The URL holds names (``?project=Harbour+Heights``),
not ids, so a shared link reads as what it shows.
"""

from __future__ import annotations

import datetime as dt

import streamlit as st

from data import reports
from data.db import Scope
from data.domain.filters import ReportFilters, today_in_india

ALL = "All"


def _pick(label: str, key: str, options: list[str]) -> str | None:
    choice = st.sidebar.selectbox(label, [ALL, *options], key=key, bind="query-params")
    return None if choice in (None, ALL) else choice


def _period(today: dt.date) -> tuple[dt.date, dt.date]:
    default = ReportFilters.last_months(12, today)
    picked = st.sidebar.date_input(
        "Leads generated between",
        value=(default.month_from, today),
        format="DD/MM/YYYY",
        key="period",
        bind="query-params",
    )
    if not isinstance(picked, tuple) or len(picked) != 2:  # the second date is not picked yet
        return default.month_from, today
    return picked


def filter_bar(scope: Scope) -> ReportFilters:
    """Draw the filters in the sidebar and return what they select.

    A rep's scope pins the owner to the rep (the database allows nothing else) and hides that picker.
    """
    owner_user_id = scope.owner_user_id
    options = reports.filter_options(scope)
    st.sidebar.header("Filters")
    month_from, month_to = _period(today_in_india())

    project = _pick("Project", "project", options.projects["name"].tolist())
    source = _pick("Source", "source", sorted(options.sources["source"].unique().tolist()))
    subsources = options.sources[options.sources["source"] == source]["subsource"].tolist() if source else []
    subsource = _pick("Subsource", "subsource", subsources) if source else None
    campaigns = options.campaigns
    if source:
        campaigns = campaigns[campaigns["source"] == source]
    if subsource:
        campaigns = campaigns[campaigns["subsource"] == subsource]
    campaign = _pick("Campaign", "campaign", campaigns["name"].tolist())
    owner = None
    if owner_user_id is None:
        owner = _pick("Owner", "owner", options.owners["display_name"].tolist())

    def id_of(frame, column, value, id_column):
        return None if value is None else int(frame.loc[frame[column] == value, id_column].iloc[0])

    return ReportFilters(
        month_from=month_from,
        month_to=month_to,
        project_id=id_of(options.projects, "name", project, "project_id"),
        source=source,
        subsource=subsource,
        campaign_id=id_of(options.campaigns, "name", campaign, "campaign_id"),
        owner_user_id=owner_user_id or id_of(options.owners, "display_name", owner, "user_id"),
    )
