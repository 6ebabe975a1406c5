"""Saved views in the sidebar of every analysis page with a filter bar (issue 16, point 7): the
views the person may open, each one click from its page and filters; "Save this view" (a name,
shared with the team or not); and per view its link to copy, "Use as my landing page" and, for
one's own, Delete.

A view is the page's address and the filters the address holds (``data.domain.saved_views``), so
opening one is opening that address: ``ui.links.open_page`` forgets the filter widgets' remembered
values first, so the view's filters win. View names are people's text: never Markdown here.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

import streamlit as st

from data.db import Scope
from data.domain import saved_views as rules
from data.domain.validation import ValidationError
from data.reports.saved_views import SavedView, saved_views
from data.writes import saved_views as writes
from data.writes.auth import User
from ui import navigation, session
from ui.text import md, md_line

# The page each report's filter bar is drawn on (the reports of data.domain.filters.REPORT_FILTERS);
# a report not here (the snapshot's) draws no saved views. tests/test_saved_views_block.py holds
# it to the pages' own filter_bar calls.
PAGE_OF_REPORT = {
    "overview": "overview",
    "funnel": "funnel",
    "team_scorecard": "scorecard",
    "source_performance": "sources",
    "speed_to_lead": "speed_to_lead",
    "campaign_performance": "campaigns",
    "bookings": "bookings",
    "customer_ledger": "ledger",
    "lead_list": "leads",
}
NAME_SHOWN = 40  # characters of a name on its button
FLASH = "saved-view-flash"
GENERATION = "saved-view-generation"  # how many views this session saved: the form's widgets are new after each


def page_file(page: str) -> str:
    """The page's file, which ``st.switch_page`` opens (``pages/funnel.py``)."""
    return f"pages/{page}.py"


def page_titles(role: str) -> dict[str, str]:
    """Each saved-view page's title in the role's menu ("Team scorecard")."""
    return {
        rules.page_of(entry.path): entry.title
        for entries in navigation.MENUS[role].values()
        for entry in entries
        if rules.page_of(entry.path) in rules.PAGES
    }


def url_path(page: str, role: str) -> str:
    """The page's address: the menu's first page is the site's root ("")."""
    first = next(iter(navigation.MENUS[role].values()))[0]
    return "" if rules.page_of(first.path) == page else page


def current_query() -> dict[str, str]:
    """The filters the address holds now, as a view keeps them."""
    return {key: value for key, value in st.query_params.to_dict().items() if key in rules.QUERY_KEYS and value}


def link(page: str, query: Mapping[str, str], role: str, current_page: str) -> str:
    """The view's address, to copy: this app's address (``st.context.url``) with the view's page and filters."""
    here = (st.context.url or "").rstrip("/")
    current = url_path(current_page, role)
    base = here.removesuffix("/" + current) if current else here
    address = f"{base}/{url_path(page, role)}"
    return f"{address}?{urlencode(dict(query))}" if query else address


def open_view(view: SavedView) -> None:
    """Open the view's page with its filters (they win over the filters shown now)."""
    # Imported here: ui.links imports the filter bar, which draws this block.
    from ui import links

    links.open_page(page_file(view.page), view.query)


def _save_form(user: User, page: str) -> None:
    """The "Save this view" popover: a name and whether the team sees it."""
    generation = st.session_state.get(GENERATION, 0)
    with st.sidebar.popover("Save this view", icon=":material/bookmark_add:", width="stretch"):
        with st.form("saved-view-save", clear_on_submit=False, border=False):
            name = st.text_input(
                "Name",
                key=f"saved-view-name-{generation}",
                max_chars=rules.NAME_MAX,
                help=md(rules.NAME_RULE),
                placeholder="Walk-ins this quarter",
            )
            is_shared = st.checkbox("Share with the team", key=f"saved-view-shared-{generation}")
            submitted = st.form_submit_button("Save view", type="primary", icon=":material/bookmark:")
        if not submitted:
            return
        try:
            saved = writes.save_view(
                user.tenant_id, user.user_id, name=name, page=page, query=current_query(), is_shared=is_shared
            )
        except ValidationError as error:
            for message in error.errors.values():
                st.error(md(message))
            return
    verb = "Saved" if saved.is_new else "Updated"
    st.session_state[FLASH] = f"{verb} the view “{md_line(saved.name)}”."
    # The next view starts from an empty form: new widgets (the browser would keep showing an old one's text).
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1
    st.rerun()


def _view_row(view: SavedView, user: User, titles: dict[str, str], current_page: str, is_landing: bool) -> None:
    """One view: its button (open it) and a popover with its link, the landing choice and Delete."""
    opened, more = st.sidebar.columns([5, 1], vertical_alignment="center")
    icon = ":material/home:" if is_landing else ":material/group:" if view.is_shared else ":material/bookmark:"
    whose = ("yours, shared" if view.is_shared else "yours") if view.is_own else f"shared by {view.owner_name}"
    if opened.button(
        md_line(view.name, NAME_SHOWN),
        key=f"saved-view-open-{view.saved_view_id}",
        icon=icon,
        help=md(f"{titles.get(view.page, view.page)} · {whose}"),
        type="tertiary",
        width="stretch",
    ):
        open_view(view)
    with more.popover(
        "", icon=":material/more_vert:", help="Link, landing page, delete", key=f"saved-view-more-{view.saved_view_id}"
    ):
        st.caption("Link to this view")
        st.code(link(view.page, view.query, user.role, current_page), language=None, wrap_lines=True)
        if is_landing:
            if st.button("Stop using as my landing page", key=f"saved-view-unland-{view.saved_view_id}"):
                message = "You land on the menu's first page again."
                _write(message, writes.clear_landing_view, user.tenant_id, user.user_id)
        elif st.button("Use as my landing page", key=f"saved-view-land-{view.saved_view_id}", icon=":material/home:"):
            message = f"You will land on “{md_line(view.name)}” after signing in."
            _write(message, writes.set_landing_view, user.tenant_id, user.user_id, view.saved_view_id)
        if view.is_own and st.button("Delete", key=f"saved-view-delete-{view.saved_view_id}", icon=":material/delete:"):
            message = f"Deleted the view “{md_line(view.name)}”."
            _write(message, writes.delete_view, user.tenant_id, user.user_id, view.saved_view_id)


def _write(message: str, write, *args) -> None:
    """Run ``write(*args)``; on success rerun with ``message`` (Markdown), else say why under the button."""
    try:
        write(*args)
    except ValidationError as error:
        for text in error.errors.values():
            st.error(md(text))
        return
    st.session_state[FLASH] = message
    st.rerun()


def saved_views_sidebar(scope: Scope, report: str) -> None:
    """The saved-views block under the filter bar of ``report``'s page (none for other reports)."""
    page = PAGE_OF_REPORT.get(report)
    if page is None:
        return
    user = session.current_user()
    st.sidebar.header("Saved views")
    if message := st.session_state.pop(FLASH, None):
        st.sidebar.success(message, icon=":material/check_circle:")
    _save_form(user, page)
    found = saved_views(scope, user.user_id)
    if not found.views:
        st.sidebar.caption("No saved views yet: save what you are looking at, and open it here in one click.")
        return
    titles = page_titles(user.role)
    landing_id = found.landing.saved_view_id if found.landing else None
    for view in found.views:
        _view_row(view, user, titles, page, view.saved_view_id == landing_id)
