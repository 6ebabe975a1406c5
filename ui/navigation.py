"""Which pages each role gets, read from the permission table. A page not in a role's menu cannot
be reached by that role.

Each entry names the permission (``data.permissions.Action``) that opens it, and a role's menu
is every entry of its layout that the table allows it: the menu and the writes read one table.
A rep works their own leads, so their layout puts their work first; everyone who sees the whole
team (``screen.team``) gets the team's layout.
"""

from __future__ import annotations

from typing import NamedTuple

import streamlit as st

from data.domain.permissions import ROLES, Action, allowed


class Entry(NamedTuple):
    """One menu entry: the page file, its title and icon, and the permission that opens it."""

    path: str
    title: str
    icon: str
    permission: Action


OVERVIEW = Entry("pages/overview.py", "Overview", ":material/dashboard:", Action.SCREEN_ANALYSIS)
FUNNEL = Entry("pages/funnel.py", "Funnel", ":material/filter_alt:", Action.SCREEN_FUNNEL)
SCORECARD = Entry("pages/scorecard.py", "Team scorecard", ":material/leaderboard:", Action.SCREEN_ANALYSIS)
SOURCES = Entry("pages/sources.py", "Sources", ":material/hub:", Action.SCREEN_ANALYSIS)
SPEED_TO_LEAD = Entry("pages/speed_to_lead.py", "Speed to lead", ":material/timer:", Action.SCREEN_ANALYSIS)
CAMPAIGNS = Entry("pages/campaigns.py", "Campaigns", ":material/campaign:", Action.SCREEN_ANALYSIS)
BOOKINGS = Entry("pages/bookings.py", "Bookings & inventory", ":material/apartment:", Action.SCREEN_ANALYSIS)
LEDGER = Entry("pages/ledger.py", "Customer ledger", ":material/account_balance:", Action.SCREEN_CUSTOMER_LEDGER)
LEADS = Entry("pages/leads.py", "Leads", ":material/groups:", Action.SCREEN_LEADS)
MY_LEADS = Entry("pages/leads.py", "My leads", ":material/groups:", Action.SCREEN_LEADS)
TIMELINE = Entry("pages/timeline.py", "Lead timeline", ":material/timeline:", Action.SCREEN_TIMELINE)
SNAPSHOTS = Entry("pages/snapshots.py", "Snapshots", ":material/folder_zip:", Action.SNAPSHOT_EXPORT)
USERS = Entry("pages/admin_users.py", "Users", ":material/manage_accounts:", Action.USER_MANAGE)
AUDIT = Entry("pages/admin_audit.py", "Audit log", ":material/policy:", Action.SCREEN_AUDIT)
SOURCES_SETUP = Entry("pages/admin_sources.py", "Lead sources", ":material/alt_route:", Action.SETUP_SOURCE)
# The page sets up campaigns and records their spend: a manager's and an admin's (managers run
# campaign ROI; the API's manager key adds campaigns and spend too).
CAMPAIGNS_SETUP = Entry("pages/admin_campaigns.py", "Campaigns setup", ":material/edit_note:", Action.SETUP_CAMPAIGN)
INVENTORY_SETUP = Entry("pages/admin_inventory.py", "Inventory setup", ":material/domain_add:", Action.SETUP_INVENTORY)
ROUTING_SETUP = Entry("pages/admin_routing.py", "Lead routing", ":material/call_split:", Action.ROUTING_SETUP)
INTEGRATIONS = Entry("pages/admin_integrations.py", "Integrations", ":material/webhook:", Action.SCREEN_INTEGRATIONS)

MY_FOLLOW_UPS = Entry(
    "pages/follow_ups.py", "My follow-ups", ":material/notifications_active:", Action.SCREEN_FOLLOW_UPS
)
FOLLOW_UPS = Entry("pages/follow_ups.py", "Follow-ups", ":material/notifications_active:", Action.SCREEN_FOLLOW_UPS)
MY_STALE_LEADS = Entry(
    "pages/stale_leads.py", "My stale leads", ":material/hourglass_bottom:", Action.SCREEN_STALE_LEADS
)
STALE_LEADS = Entry("pages/stale_leads.py", "Stale leads", ":material/hourglass_bottom:", Action.SCREEN_STALE_LEADS)
# The New lead page also logs a re-enquiry on a known phone (lead.reengage), allowed to the same roles.
NEW_LEAD = Entry("pages/new_lead.py", "New lead", ":material/person_add:", Action.LEAD_CREATE)
LOG_VISIT = Entry("pages/log_visit.py", "Log site visit", ":material/directions_walk:", Action.VISIT_LOG)
LOG_CALL = Entry("pages/log_call.py", "Log call or message", ":material/call:", Action.ENGAGEMENT_LOG)
LOG_MILESTONE = Entry("pages/log_milestone.py", "Log milestone", ":material/flag:", Action.MILESTONE_LOG)
BOOK_UNIT = Entry("pages/book_unit.py", "Book a unit", ":material/key:", Action.BOOKING_CREATE)
CANCEL_BOOKING = Entry("pages/cancel_booking.py", "Cancel a booking", ":material/event_busy:", Action.BOOKING_CANCEL)
LEDGER_ENTRY = Entry("pages/ledger_entry.py", "Ledger entries", ":material/receipt_long:", Action.LEDGER_ADD)
IMPORT = Entry("pages/import_data.py", "Import", ":material/upload_file:", Action.IMPORT_RUN)
# Everyone's own settings: the e-mail address and which digests to get.
PROFILE = Entry("pages/profile.py", "My profile", ":material/account_circle:", Action.OWN_PROFILE)

# A rep's own work first, then the one analysis screen that shows only their leads.
OWN_WORK_LAYOUT = {
    "My work": [MY_FOLLOW_UPS, MY_STALE_LEADS, LOG_VISIT, LOG_CALL, NEW_LEAD, LOG_MILESTONE, MY_LEADS, TIMELINE],
    "Analysis": [FUNNEL],
    "Account": [PROFILE],
}
# Managers enter data on behalf of their reps, and book, cancel and keep the accounts;
# leadership reads; admins also set up and export.
TEAM_LAYOUT = {
    "Analysis": [OVERVIEW, FUNNEL, SPEED_TO_LEAD, SCORECARD, SOURCES, CAMPAIGNS, BOOKINGS],
    "Customers and leads": [LEADS, TIMELINE, LEDGER],
    "Data entry": [
        FOLLOW_UPS,
        STALE_LEADS,
        NEW_LEAD,
        LOG_VISIT,
        LOG_CALL,
        LOG_MILESTONE,
        BOOK_UNIT,
        CANCEL_BOOKING,
        LEDGER_ENTRY,
        IMPORT,
    ],
    "Exports": [SNAPSHOTS],
    "Admin": [USERS, SOURCES_SETUP, CAMPAIGNS_SETUP, INVENTORY_SETUP, ROUTING_SETUP, INTEGRATIONS, AUDIT],
    "Account": [PROFILE],
}


def layout_for(role: str) -> dict[str, list[Entry]]:
    """The layout the role's menu is cut from: the team's, or a rep's own work."""
    return TEAM_LAYOUT if allowed(role, Action.SCREEN_TEAM) else OWN_WORK_LAYOUT


def menu_for(role: str) -> dict[str, list[Entry]]:
    """The role's menu: every entry of its layout that the role may open, empty sections left out."""
    menu = {
        section: [entry for entry in entries if allowed(role, entry.permission)]
        for section, entries in layout_for(role).items()
    }
    return {section: entries for section, entries in menu.items() if entries}


MENUS = {role: menu_for(role) for role in ROLES}


def pages_for(role: str) -> dict[str, list[st.Page]]:
    """The role's menu as st.Page objects; the first page is the default."""
    menu = MENUS[role]
    first = next(iter(menu.values()))[0]
    return {
        section: [st.Page(entry.path, title=entry.title, icon=entry.icon, default=entry == first) for entry in entries]
        for section, entries in menu.items()
    }


def choose_page(role: str) -> st.Page:
    """The role's navigation; switches (rerunning) to the page first asked for, if the role has it.

    Signing in happens on a run that showed the sign-in form instead of the page in the URL,
    so the page asked for and its filters are remembered (``ui.sign_in``) and opened here. When
    no page was asked for (the site's root, no filters), the first run after signing in (or of a
    new browser session) opens the person's landing view, if they chose one they may open.
    """
    pages = pages_for(role)
    # Expanded: Streamlit otherwise hides pages past the tenth behind "View more".
    navigation = st.navigation(pages, expanded=True)
    requested = st.session_state.pop("requested_path", "")
    query = st.session_state.pop("requested_query", {})
    for page in (page for section in pages.values() for page in section):
        if requested and page.url_path == requested and navigation.url_path != requested:
            st.switch_page(page, query_params=query)
    user = st.session_state.get("user")
    signed_in = None if user is None else (user.user_id, st.session_state.get("signed_in_at"))
    if signed_in is not None and st.session_state.get("landed_for") != signed_in:
        st.session_state["landed_for"] = signed_in
        # Imported here: the saved views' modules import this one (for the menus).
        from data.reports.saved_views import landing_view
        from ui import links

        landing = None if requested or query else landing_view(user.scope, user.user_id)
        path = None if landing is None else f"pages/{landing.page}.py"
        if any(entry.path == path for entries in MENUS[role].values() for entry in entries):
            links.open_page(path, landing.query)
    return navigation


def _signing_in() -> None:
    """The page of a signed-out run: the router has drawn the sign-in form already."""


def no_menu() -> None:
    """While nobody is signed in: no page list (not even Streamlit's own, of the page files), yet
    every page's address is known, so the address asked for stays in the browser as it is.

    The default page is none of the page files: a run that has not reached the router yet (a
    fresh server treats ``pages/`` as an old-style page folder) then runs the router, not a page.
    """
    paths = dict.fromkeys(
        entry.path for layout in (TEAM_LAYOUT, OWN_WORK_LAYOUT) for section in layout.values() for entry in section
    )
    signing_in = st.Page(_signing_in, title="Sign in", url_path="sign-in", default=True)
    st.navigation([signing_in, *(st.Page(path) for path in paths)], position="hidden")
